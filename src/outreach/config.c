/* The outreach configuration file (outreach/outreach.h). */
#include "outreach/outreach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/contact.h"
#include "core/domain.h"

void outreach_config_defaults(struct outreach_config *c)
{
	memset(c, 0, sizeof *c);
	c->starttls = OTLS_TRY;
	c->rate_per_minute = 30;
	c->max_per_run = 200;
	snprintf(c->reminder_days, sizeof c->reminder_days, "3,7");
	c->phone_after_days = 3;
	c->timeout_s = 30;
	c->max_tries = 6;
	c->backoff_s = 300;
	snprintf(c->sms_body, sizeof c->sms_body, "%s", OUTREACH_SMS_BODY_DEFAULT);
}

static bool hhmm(const char *s, size_t n, int *min)
{
	if (n != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return false;
	*min = h * 60 + m;
	return true;
}

static bool url_ok(const char *v, bool smtp)
{
	const char *a = smtp ? "smtp://" : "https://", *b = smtp ? "smtps://" : "http://";
	if (strncmp(v, a, strlen(a)) != 0 && strncmp(v, b, strlen(b)) != 0)
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '<' || *p == '>' || *p == '"' ||
		    *p == '@')
			return false; /* no credentials in the URL, no spaces, ASCII only */
	return true;
}

/* A header name (letters, digits, hyphens), ":", a value of printable
 * ASCII: no CR or LF can add another header. */
static bool header_ok(const char *v)
{
	const char *colon = strchr(v, ':');
	bool ok = colon && colon > v;
	for (const char *q = v; ok && q < colon; q++)
		ok = (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-';
	for (const char *q = colon ? colon + 1 : v; ok && *q; q++)
		ok = (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f;
	return ok;
}

/* A key of a JSON object: letters, digits, _ - . */
static bool field_ok(const char *v)
{
	if (!*v)
		return false;
	for (const char *q = v; *q; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' ||
		      *q == '-' || *q == '.'))
			return false;
	return true;
}

/* Printable ASCII without space: a value that can travel in a header. */
static bool header_ok_value(const char *v)
{
	for (const char *q = v; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return false;
	return true;
}

enum prolo_code outreach_config_parse(const char *text, size_t len, const char *origin,
                                      struct outreach_config *c, struct prolo_err *err)
{
	size_t pos = 0;
	int lineno = 0;
	while (pos < len) {
		lineno++;
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		char line[512];
		size_t n = e - pos;
		if (n >= sizeof line)
			return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: line too long", origin, lineno);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = e < len ? e + 1 : e;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		char *k = line;
		while (*k == ' ' || *k == '\t')
			k++;
		if (!*k || *k == '#')
			continue;
		char *eq = strchr(k, '=');
		if (!eq)
			return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: expected 'key = value'", origin, lineno);
		char *ke = eq;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = '\0';
		char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t vn = strlen(v);
		long num = 0;
		bool isnum = dom_parse_long(v, vn, -1000000, 1000000, &num);
#define STR(key, dst)                                                                              \
	if (strcmp(k, key) == 0) {                                                                     \
		if (vn >= sizeof(dst) || contact_text_check(v, sizeof(dst), key, NULL))                    \
			return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: %s: too long or not text", \
			                     origin, lineno, key);                                             \
		snprintf(dst, sizeof(dst), "%s", v);                                                       \
		continue;                                                                                  \
	}
#define NUM(key, dst, lo, hi)                                                                     \
	if (strcmp(k, key) == 0) {                                                                    \
		if (!isnum || num < (lo) || num > (hi))                                                   \
			return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: %s: a number from %d to %d", \
			                     origin, lineno, key, (int)(lo), (int)(hi));                      \
		dst = (int)num;                                                                           \
		continue;                                                                                 \
	}
/* key = a value that passes ok (else why), copied to dst */
#define PUT(key, dst, ok, why)                                                                  \
	if (strcmp(k, key) == 0) {                                                                  \
		if (vn >= sizeof(dst) || !(ok))                                                         \
			return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: %s: %s", origin, lineno, \
			                     key, vn >= sizeof(dst) ? "too long" : (why));                  \
		snprintf(dst, sizeof(dst), "%s", v);                                                    \
		continue;                                                                               \
	}
		struct prolo_err e2 = { 0 };
		PUT("smtp_url", c->smtp_url, url_ok(v, true), "smtp://HOST[:PORT] or smtps://HOST[:PORT] (no user in it)")
		PUT("sms_url", c->sms_url, url_ok(v, false), "https://HOST[:PORT]/PATH")
		PUT("from", c->from, !contact_email_check(v, "from", &e2), e2.msg)
		PUT("sms_header", c->sms_header, header_ok(v), "'Name: value' in printable ASCII (e.g. Authorization: Bearer ...)")
		PUT("sms_body", c->sms_body, !outreach_sms_template_check(v, &e2), e2.msg)
		if (strcmp(k, "base_url") == 0) {
			if (vn >= sizeof c->base_url || !url_ok(v, false))
				return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: base_url: https://HOST[:PORT][/PATH]",
				                     origin, lineno);
			while (vn && v[vn - 1] == '/')
				v[--vn] = '\0';
			snprintf(c->base_url, sizeof c->base_url, "%s", v);
			continue;
		}
		if (strcmp(k, "starttls") == 0) {
			int t = strcmp(v, "off") == 0 ? OTLS_OFF : strcmp(v, "try") == 0 ? OTLS_TRY
			        : strcmp(v, "required") == 0                              ? OTLS_REQUIRED : -1;
			if (t < 0)
				return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: starttls: off, try or required",
				                     origin, lineno);
			c->starttls = t;
			continue;
		}
		if (strcmp(k, "quiet_hours") == 0) {
			if (strcmp(v, "none") == 0) {
				c->quiet_from = c->quiet_to = 0;
				continue;
			}
			if (vn != 11 || v[5] != '-' || !hhmm(v, 5, &c->quiet_from) || !hhmm(v + 6, 5, &c->quiet_to))
				return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: quiet_hours: HH:MM-HH:MM or none",
				                     origin, lineno);
			continue;
		}
		STR("reminder_days", c->reminder_days)
		STR("smtp_user", c->smtp_user)
		if (strcmp(k, "smtp_password") == 0) {
			if (vn >= sizeof c->smtp_password)
				return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: smtp_password: too long", origin, lineno);
			snprintf(c->smtp_password, sizeof c->smtp_password, "%s", v);
			continue;
		}
		STR("clinic_name", c->clinic_name)
		STR("sms_from", c->sms_from)
		PUT("sms_id_field", c->sms_id_field, field_ok(v), "a key of the provider's JSON answer (letters, digits, _ - .)")
		if (strcmp(k, "sms_receipt_secret") == 0) {
			if (vn >= sizeof c->sms_receipt_secret || vn < OUTREACH_RECEIPT_SECRET_MIN || !header_ok_value(v))
				return prolo_err_set(err, PROLO_EINVAL, "outreach",
				                     "%s:%d: sms_receipt_secret: %d to %zu printable characters", origin, lineno,
				                     OUTREACH_RECEIPT_SECRET_MIN, sizeof c->sms_receipt_secret - 1);
			snprintf(c->sms_receipt_secret, sizeof c->sms_receipt_secret, "%s", v);
			continue;
		}
		NUM("rate_per_minute", c->rate_per_minute, 1, 60000)
		NUM("max_per_run", c->max_per_run, 1, 10000)
		NUM("phone_after_days", c->phone_after_days, 0, 90)
		NUM("timeout_seconds", c->timeout_s, 1, 300)
		NUM("max_tries", c->max_tries, 1, 20)
		NUM("backoff_seconds", c->backoff_s, 1, 86400)
#undef STR
#undef NUM
#undef PUT
		return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s:%d: unknown key '%.40s'", origin, lineno, k);
	}
	return PROLO_OK;
}

enum prolo_code outreach_config_load(const char *path, struct outreach_config *c, struct prolo_err *err)
{
	outreach_config_defaults(c);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return prolo_err_set(err, errno == ENOENT ? PROLO_ENOTFOUND : PROLO_EINVAL, "outreach",
		                     "cannot read %s", path);
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return prolo_err_set(err, PROLO_EINVAL, "outreach", "%s is not a file", path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return prolo_err_set(err, PROLO_EINVAL, "outreach",
		                     "%s may be read by others (mode %03o) and holds a password: chmod 600 it",
		                     path, (unsigned)(sb.st_mode & 0777));
	}
	if ((size_t)sb.st_size > OUTREACH_CONF_MAX) {
		close(fd);
		return prolo_err_set(err, PROLO_ETOOBIG, "outreach", "%s is larger than 64 KiB", path);
	}
	char *text = malloc((size_t)sb.st_size + 1);
	if (!text) {
		close(fd);
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	size_t got = 0;
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, text + got, (size_t)sb.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	enum prolo_code rc = outreach_config_parse(text, got, path, c, err);
	explicit_bzero(text, got);
	free(text);
	return rc;
}

bool outreach_quiet(const struct outreach_config *c, int now_min)
{
	if (c->quiet_from == c->quiet_to)
		return false;
	if (c->quiet_from < c->quiet_to)
		return now_min >= c->quiet_from && now_min < c->quiet_to;
	return now_min >= c->quiet_from || now_min < c->quiet_to; /* over midnight */
}

void outreach_self(char *host, size_t hostsz, int *pid)
{
	if (gethostname(host, hostsz) != 0 || !host[0])
		snprintf(host, hostsz, "localhost");
	host[hostsz - 1] = '\0';
	*pid = (int)getpid();
}

bool outreach_holder_alive(const char *host, int pid)
{
	char me[64];
	int mypid;
	outreach_self(me, sizeof me, &mypid);
	if (strcmp(host, me) != 0 || pid <= 0)
		return true; /* another machine's: only its expiry tells */
	return pid == mypid || kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}
