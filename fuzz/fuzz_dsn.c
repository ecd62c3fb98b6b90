/* Fuzzes the bounce reader (dsn_parse), which reads whatever a mail system
 * pipes into `prolo outreach bounce`. Beyond memory safety: a report that
 * parses has a Message-ID of printable characters with an '@' and no
 * space, a status of the shape C.D.D with class 2, 4 or 5, and an action
 * that matches the class unless an Action field decided it (RFC 3464
 * 2.3.3: "failed" with 4.4.1); a refusal names the field "bounce" and
 * leaves the report zeroed. Encoded parts (base64, quoted-printable) are
 * decoded, so their bytes reach the same checks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dsn.h"

/* Whether lower-case word w occurs anywhere in d (any case). */
static bool contains_ci(const uint8_t *d, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++) {
		size_t k = 0;
		while (k < wl && (d[i + k] | 0x20) == w[k])
			k++;
		if (k == wl)
			return true;
	}
	return false;
}

/* An Action field may have decided the verdict: one in plain sight, or
 * one inside an encoded part. */
static bool may_have_action(const uint8_t *d, size_t n)
{
	return contains_ci(d, n, "action:") || contains_ci(d, n, "content-transfer-encoding");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsn_report r;
	struct prolo_err err = { 0 };
	if (dsn_parse((const char *)data, size, &r, &err) != PROLO_OK) {
		if (strcmp(err.field, "bounce") != 0 || !err.msg[0] || r.message_id[0] || r.status[0] || r.action ||
		    r.structured)
			abort();
		return 0;
	}
	size_t n = strlen(r.message_id);
	if (n < 3 || n >= DSN_ID_MAX || !strchr(r.message_id, '@'))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r.message_id[i] <= ' ' || (unsigned char)r.message_id[i] >= 0x7f ||
		    r.message_id[i] == '<' || r.message_id[i] == '>')
			abort();
	const char *s = r.status;
	if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		abort();
	int dots = 0;
	for (const char *p = s + 2; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			abort();
	}
	if (dots != 1)
		abort();
	int want = s[0] == '5' ? DSN_FAILED : s[0] == '4' ? DSN_DELAYED : DSN_DELIVERED;
	if (r.action < 0 || r.action >= DSN__COUNT || (r.action != want && !may_have_action(data, size)))
		abort();
	return 0;
}
