/* Strict JSON in (duplicate keys rejected) and JSON out for the API.
 * Records convert through core/rec_json; hjson_put_fields writes the same
 * shapes straight into a response buffer for the chart, the hot read. */
#include "http/hjson.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/instruments.h"

enum prolo_code hjson_parse(const char *body, size_t len, json_t **out, struct prolo_err *err)
{
	json_error_t je;
	*out = NULL;
	if (len == 0)
		return prolo_err_set(err, PROLO_EINVAL, "body", "a JSON object is required");
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return prolo_err_set(err, PROLO_EINVAL, "body", "invalid JSON at line %d column %d: %s",
		                     je.line, je.column, je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return prolo_err_set(err, PROLO_EINVAL, "body", "a JSON object is required");
	}
	*out = v;
	return PROLO_OK;
}

enum prolo_code hjson_dump(struct buf *out, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	if (!s)
		return PROLO_ENOMEM;
	enum prolo_code rc = buf_adds(out, s);
	free(s);
	return rc;
}

enum prolo_code hjson_error(struct buf *out, const struct prolo_err *err)
{
	json_t *o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", prolo_err_name(err->code),
	                      "message", err->msg[0] ? err->msg : prolo_err_name(err->code),
	                      "field", err->field);
	if (!o) /* a message that is not UTF-8 cannot be packed */
		return buf_printf(out, "{\"error\":{\"code\":\"%s\",\"message\":\"\",\"field\":\"\"}}",
		                  prolo_err_name(err->code));
	enum prolo_code rc = hjson_dump(out, o);
	json_decref(o);
	return rc;
}

enum prolo_code hjson_str(const json_t *obj, const char *key, const char **out,
                          struct prolo_err *err)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return PROLO_OK;
	if (!json_is_string(v))
		return prolo_err_set(err, PROLO_EINVAL, key, "must be a string");
	*out = json_string_value(v);
	return PROLO_OK;
}

/* ---- streaming output -------------------------------------------------- */

enum prolo_code hjson_put_str(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	bool utf8 = dom_utf8_valid(s, len);
	enum prolo_code rc = buf_addc(out, '"');
	size_t run = 0; /* bytes copied as they are, flushed in one go */
	for (size_t i = 0; i < len && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\' && (ch < 0x80 || utf8)) {
			run++;
			continue;
		}
		if (run)
			rc = buf_add(out, s + i - run, run);
		run = 0;
		if (rc)
			break;
		if (ch == '"' || ch == '\\') {
			char e[2] = { '\\', (char)ch };
			rc = buf_add(out, e, 2);
		} else if (ch >= 0x80) {
			rc = buf_adds(out, "\\ufffd"); /* not UTF-8: never produce invalid JSON */
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };
			rc = buf_add(out, e, 6);
		}
	}
	if (!rc && run)
		rc = buf_add(out, s + len - run, run);
	return rc ? rc : buf_addc(out, '"');
}

static enum prolo_code put_int(struct buf *out, long long v)
{
	char t[24];
	char *e = t + sizeof t, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return buf_add(out, p, (size_t)(e - p));
}

enum prolo_code hjson_put_real(struct buf *out, double v)
{
	if (!isfinite(v))
		return buf_adds(out, "null");
	/* Whole numbers (most volumes and scores) without printf. */
	if (fabs(v) < 1e15 && v == (double)(long long)v) {
		enum prolo_code rc = put_int(out, (long long)v);
		return rc ? rc : buf_add(out, ".0", 2);
	}
	/* Else the shortest form that reads back as the same double, marked
	 * as a real like jansson does ("12.0"). */
	char t[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(t, sizeof t, "%.*g", prec, v);
		if (prec == 17 || strtod(t, NULL) == v)
			break;
	}
	enum prolo_code rc = buf_adds(out, t);
	if (!rc && !strpbrk(t, ".eEn"))
		rc = buf_adds(out, ".0");
	return rc;
}

/* Keys are the program's own names (field tables, literals): plain ASCII
 * that needs no escaping. */
static enum prolo_code put_key(struct buf *out, bool *first, const char *key)
{
	char t[80];
	size_t n = strlen(key), i = 0;
	assert(n + 4 <= sizeof t);
	if (!*first)
		t[i++] = ',';
	*first = false;
	t[i++] = '"';
	memcpy(t + i, key, n);
	i += n;
	t[i++] = '"';
	t[i++] = ':';
	return buf_add(out, t, i);
}

enum prolo_code hjson_put_member(struct buf *out, bool *first, const char *key, const char *str)
{
	enum prolo_code rc = put_key(out, first, key);
	if (rc)
		return rc;
	return str ? hjson_put_str(out, str, strlen(str)) : buf_adds(out, "null");
}

enum prolo_code hjson_put_key(struct buf *out, bool *first, const char *key)
{
	return put_key(out, first, key);
}

/* "3;2;;4" as [3,2,null,4], like items_json. */
static enum prolo_code put_items(struct buf *out, const char *text)
{
	enum prolo_code rc = buf_addc(out, '[');
	const char *p = text;
	for (bool first = true; !rc; first = false) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		long x;
		if (!first)
			rc = buf_addc(out, ',');
		if (!rc)
			rc = n > 0 && dom_parse_long(p, n, 0, 1000, &x) ? put_int(out, x) : buf_adds(out, "null");
		if (!e)
			break;
		p = e + 1;
	}
	return rc ? rc : buf_addc(out, ']');
}

enum prolo_code hjson_put_fields(struct buf *out, bool *first, enum rec_kind kind, const void *rec)
{
	const struct rec_table *t = &rec_tables[kind];
	enum prolo_code rc = PROLO_OK;
	for (int i = 0; i < t->n_fields && !rc; i++) {
		const struct field_def *f = &t->fields[i];
		const char *p = (const char *)rec + f->off;
		if (!rec_has(rec, f))
			continue;
		if ((rc = put_key(out, first, f->name)))
			break;
		switch (f->type) {
		case FT_INT:
			rc = put_int(out, *(const int32_t *)p);
			break;
		case FT_REAL:
			rc = hjson_put_real(out, *(const double *)p);
			break;
		case FT_FLAGS: {
			uint32_t bits = *(const uint32_t *)p;
			bool none = true;
			rc = buf_addc(out, '[');
			for (int k = 0; !rc && k < f->n_names; k++)
				if (bits & (1u << k)) {
					if (!none)
						rc = buf_addc(out, ',');
					none = false;
					if (!rc)
						rc = hjson_put_str(out, f->names[k], strlen(f->names[k]));
				}
			if (!rc)
				rc = buf_addc(out, ']');
			break;
		}
		case FT_ENUM:
			rc = hjson_put_str(out, f->names[*(const int32_t *)p], strlen(f->names[*(const int32_t *)p]));
			break;
		case FT_DATE: {
			char d[11];
			dom_date_format(*(const int32_t *)p, d);
			rc = hjson_put_str(out, d, 10);
			break;
		}
		default:
			if (kind == REC_OUTCOME && strcmp(f->name, "items") == 0)
				rc = put_items(out, p);
			else
				rc = hjson_put_str(out, p, strlen(p));
			break;
		}
	}
	const struct rec_meta *m = rec_meta_get(kind, rec);
	if (!rc && kind != REC_INJECTION && m->version > 0 && !(rc = put_key(out, first, "version")))
		rc = put_int(out, m->version);
	if (!rc && kind != REC_INJECTION && m->voided && !(rc = put_key(out, first, "voided")))
		rc = buf_adds(out, "true");
	return rc;
}
