/* The audit spool's line format of audit_line.h. */
#include "security/audit_line.h"

#include <string.h>

static enum prolo_code put_field(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	enum prolo_code rc = PROLO_OK;
	for (const unsigned char *c = (const unsigned char *)s; *c && !rc; c++) {
		if (*c == '\\')
			rc = buf_add(b, "\\\\", 2);
		else if (*c == '\t')
			rc = buf_add(b, "\\t", 2);
		else if (*c == '\n')
			rc = buf_add(b, "\\n", 2);
		else if (*c < 0x20 || *c == 0x7f)
			rc = buf_add(b, (char[]){ '\\', 'x', hex[*c >> 4], hex[*c & 15] }, 4);
		else
			rc = buf_addc(b, (char)*c);
	}
	return rc;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescapes field [p, end) into out. False when it is malformed or does not
 * fit. */
static bool get_field(const char *p, const char *end, char *out, size_t outsz)
{
	size_t n = 0;
	while (p < end) {
		char c = *p++;
		if (c == '\\') {
			if (p == end)
				return false;
			char e = *p++;
			if (e == '\\' || e == 't' || e == 'n') {
				c = e == 't' ? '\t' : e == 'n' ? '\n' : '\\';
			} else if (e == 'x' && end - p >= 2 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
				c = (char)(hexval(p[0]) * 16 + hexval(p[1]));
				p += 2;
				if (c == '\0')
					return false;
			} else {
				return false;
			}
		} else if ((unsigned char)c < 0x20) {
			return false;
		}
		if (n + 1 >= outsz)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

bool audit_line_parse(const char *line, size_t len, struct store_audit *e)
{
	const char *end = line + len;
	struct { char *out; size_t sz; } f[] = {
		{ e->at, sizeof e->at },         { e->user, sizeof e->user },
		{ e->action, sizeof e->action }, { e->record, sizeof e->record },
		{ e->addr, sizeof e->addr },     { e->detail, sizeof e->detail },
	};
	const size_t nf = sizeof f / sizeof f[0];
	memset(e, 0, sizeof *e);
	const char *p = line;
	for (size_t i = 0; i < nf; i++) {
		const char *tab = i + 1 < nf ? memchr(p, '\t', (size_t)(end - p)) : end;
		if (!tab || !get_field(p, tab, f[i].out, f[i].sz))
			return false;
		p = tab + 1;
	}
	return e->at[0] && e->action[0];
}

enum prolo_code audit_line_format(struct buf *b, const struct store_audit *e, const char *at_default)
{
	const char *f[] = { e->at[0] ? e->at : at_default, e->user, e->action, e->record, e->addr, e->detail };
	enum prolo_code rc = PROLO_OK;
	for (size_t k = 0; k < sizeof f / sizeof f[0] && !rc; k++)
		if (!(rc = k ? buf_addc(b, '\t') : PROLO_OK))
			rc = put_field(b, f[k]);
	return rc ? rc : buf_addc(b, '\n');
}
