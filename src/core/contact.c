/* The contact detail checks (core/contact.h). */
#include "core/contact.h"

#include <stdio.h>
#include <string.h>

#include "core/domain.h"

const char *const contact_channel_names[CH__COUNT] = { "email", "sms", "none" };
const char *const contact_consent_names[CONSENT__COUNT] = { "none", "given", "withdrawn" };

static bool atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static bool alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

enum prolo_code contact_email_check(const char *s, const char *field, struct prolo_err *err)
{
	if (!s || !s[0])
		return prolo_err_set(err, PROLO_EINVAL, field, "is empty");
	size_t len = strnlen(s, CONTACT_EMAIL_MAX);
	if (len >= CONTACT_EMAIL_MAX)
		return prolo_err_set(err, PROLO_EINVAL, field, "is longer than 254 characters");
	const char *at = strchr(s, '@');
	if (!at || strchr(at + 1, '@'))
		return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (one '@' needed)");
	size_t local = (size_t)(at - s);
	if (local < 1 || local > 64)
		return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (the part before '@' must have 1 to 64 characters)");
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (i == 0 || i + 1 == local || s[i + 1] == '.')
				return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (misplaced '.')");
		} else if (!atext(c)) {
			return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (a character that cannot be in one)");
		}
	}
	const char *d = at + 1;
	int labels = 0;
	const char *last = d;
	for (const char *p = d;;) {
		const char *e = p;
		while (*e && *e != '.')
			e++;
		size_t n = (size_t)(e - p);
		if (n < 1 || n > 63 || !alnum((unsigned char)p[0]) || !alnum((unsigned char)e[-1]))
			return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (bad domain)");
		for (const char *q = p; q < e; q++)
			if (!alnum((unsigned char)*q) && *q != '-')
				return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (bad domain)");
		labels++;
		last = p;
		if (!*e)
			break;
		p = e + 1;
	}
	if (labels < 2)
		return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (the domain needs a dot)");
	for (const char *q = last; *q; q++)
		if (!alpha((unsigned char)*q))
			return prolo_err_set(err, PROLO_EINVAL, field, "is not an e-mail address (bad top-level domain)");
	return PROLO_OK;
}

enum prolo_code contact_mobile_check(const char *s, const char *field, struct prolo_err *err)
{
	if (!s || !s[0])
		return prolo_err_set(err, PROLO_EINVAL, field, "is empty");
	if (s[0] != '+')
		return prolo_err_set(err, PROLO_EINVAL, field, "is not an E.164 number (must start with '+' and the country code)");
	size_t n = 0;
	for (const char *p = s + 1; *p; p++, n++)
		if (*p < '0' || *p > '9' || n >= 15)
			return prolo_err_set(err, PROLO_EINVAL, field, "is not an E.164 number (digits only after '+', at most 15)");
	if (n < 8 || s[1] == '0')
		return prolo_err_set(err, PROLO_EINVAL, field, "is not an E.164 number (8 to 15 digits, the first not 0)");
	return PROLO_OK;
}

enum prolo_code contact_text_check(const char *s, size_t max, const char *field,
                                   struct prolo_err *err)
{
	if (!s)
		return PROLO_OK;
	size_t len = strnlen(s, max);
	if (len >= max)
		return prolo_err_set(err, PROLO_EINVAL, field, "is longer than %zu bytes", max - 1);
	if (!dom_utf8_valid(s, len))
		return prolo_err_set(err, PROLO_EINVAL, field, "is not valid UTF-8");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return prolo_err_set(err, PROLO_EINVAL, field, "holds a control character (line breaks are not allowed)");
	}
	return PROLO_OK;
}

void contact_clean(const char *s, char *out, size_t outsz)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	out[i] = '\0';
}
