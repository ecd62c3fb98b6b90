/* JSON <-> record conversion through the field tables, for the CLI's --json
 * output and the HTTP API alike. Values are turned into the text that CSV
 * and the command line hand to rec_set, so JSON input is validated by
 * exactly the code that validates them; types are strict (a number field
 * takes a JSON number), and an assessment's item answers are an array of
 * whole numbers or nulls. */
#include "core/rec_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

static json_t *items_json(const char *text)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	const char *p = text;
	for (;;) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		long x;
		if (n > 0 && dom_parse_long(p, n, 0, 1000, &x))
			json_array_append_new(arr, json_integer(x));
		else
			json_array_append_new(arr, json_null());
		if (!e)
			break;
		p = e + 1;
	}
	return arr;
}

json_t *rec_to_json(enum rec_kind kind, const void *rec, bool all_fields, bool deidentify)
{
	const struct rec_table *t = &rec_tables[kind];
	json_t *o = json_object();
	if (!o)
		return NULL;
	struct buf b;
	buf_init(&b, 4096);
	for (int i = 0; i < t->n_fields; i++) {
		const struct field_def *f = &t->fields[i];
		const char *p = (const char *)rec + f->off;
		if (deidentify && f->identifying)
			continue;
		json_t *v = NULL;
		if (!rec_has(rec, f)) {
			if (!all_fields)
				continue;
			v = f->type == FT_FLAGS ? json_array() : json_null();
		} else {
			switch (f->type) {
			case FT_INT:
				v = json_integer(*(const int32_t *)p);
				break;
			case FT_REAL:
				v = json_real(*(const double *)p);
				break;
			case FT_FLAGS: {
				uint32_t bits = *(const uint32_t *)p;
				v = json_array();
				for (int k = 0; v && k < f->n_names; k++)
					if (bits & (1u << k))
						json_array_append_new(v, json_string(f->names[k]));
				break;
			}
			default:
				if (kind == REC_OUTCOME && strcmp(f->name, "items") == 0) {
					v = items_json(p);
					break;
				}
				buf_reset(&b);
				if (rec_format(rec, f, &b) == PROLO_OK)
					v = json_stringn(buf_str(&b), b.len);
				break;
			}
		}
		if (!v || json_object_set_new(o, f->name, v) != 0) {
			buf_free(&b);
			json_decref(o);
			return NULL;
		}
	}
	buf_free(&b);
	/* Records read from the store carry their version (and a void). */
	const struct rec_meta *m = rec_meta_get(kind, rec);
	if (kind != REC_INJECTION && m->version > 0 &&
	    (json_object_set_new(o, "version", json_integer(m->version)) != 0 ||
	     (m->voided && json_object_set_new(o, "voided", json_true()) != 0))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool is_extra(const char *key, const char *const *extra)
{
	for (; extra && *extra; extra++)
		if (strcmp(key, *extra) == 0)
			return true;
	return false;
}

/* "3;2;;4" from [3,2,null,4]. */
static enum prolo_code items_text(const json_t *arr, char *out, size_t outsz, struct prolo_err *err)
{
	if (!json_is_array(arr))
		return prolo_err_set(err, PROLO_EINVAL, "items", "must be an array of whole numbers or nulls");
	size_t n = json_array_size(arr);
	if (n > REC_ITEMS_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "items", "has %zu answers (at most %d)", n,
		                     REC_ITEMS_MAX);
	struct buf b;
	buf_init(&b, outsz - 1);
	enum prolo_code rc = PROLO_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const json_t *v = json_array_get(arr, i);
		if (i)
			rc = buf_addc(&b, ';');
		if (rc)
			break;
		if (json_is_null(v))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000) {
			buf_free(&b);
			return prolo_err_set(err, PROLO_EINVAL, "items",
			                     "item %zu: must be a whole number or null", i + 1);
		}
		rc = buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	}
	if (rc) {
		buf_free(&b);
		return prolo_err_set(err, PROLO_EINVAL, "items", "too many answers");
	}
	snprintf(out, outsz, "%s", buf_str(&b));
	buf_free(&b);
	return PROLO_OK;
}

static enum prolo_code set_one(enum rec_kind kind, void *rec, const struct field_def *f,
                               const json_t *v, struct prolo_err *err)
{
	char num[64];
	if (json_is_null(v))
		return rec_set(kind, rec, f, "", 0, err);
	if (kind == REC_OUTCOME && strcmp(f->name, "items") == 0) {
		/* Always the array rec_to_json writes, never free text. */
		char text[REC_TEXT_MAX];
		enum prolo_code rc = items_text(v, text, sizeof text, err);
		return rc ? rc : rec_set(kind, rec, f, text, strlen(text), err);
	}
	switch (f->type) {
	case FT_ID:
	case FT_TEXT:
	case FT_ENUM:
	case FT_DATE:
		if (!json_is_string(v))
			return prolo_err_set(err, PROLO_EINVAL, f->name, "must be a string");
		if (json_string_length(v) == 0 && f->required)
			return prolo_err_set(err, PROLO_EINVAL, f->name, "is required");
		if (memchr(json_string_value(v), '\0', json_string_length(v)))
			return prolo_err_set(err, PROLO_EINVAL, f->name, "contains a NUL character");
		return rec_set(kind, rec, f, json_string_value(v), json_string_length(v), err);
	case FT_INT:
		if (!json_is_integer(v))
			return prolo_err_set(err, PROLO_EINVAL, f->name, "must be a whole number");
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return rec_set(kind, rec, f, num, strlen(num), err);
	case FT_REAL:
		if (!json_is_number(v))
			return prolo_err_set(err, PROLO_EINVAL, f->name, "must be a number");
		snprintf(num, sizeof num, "%.17g", json_number_value(v));
		return rec_set(kind, rec, f, num, strlen(num), err);
	case FT_FLAGS:
		if (json_is_string(v))
			return rec_set(kind, rec, f, json_string_value(v), json_string_length(v), err);
		if (json_is_array(v)) {
			char text[1024];
			size_t n = 0;
			for (size_t i = 0; i < json_array_size(v); i++) {
				const json_t *x = json_array_get(v, i);
				if (!json_is_string(x))
					return prolo_err_set(err, PROLO_EINVAL, f->name, "must be an array of names");
				int w = snprintf(text + n, sizeof text - n, "%s%s", i ? ";" : "",
				                 json_string_value(x));
				if (w < 0 || (size_t)w >= sizeof text - n)
					return prolo_err_set(err, PROLO_EINVAL, f->name, "too many flags");
				n += (size_t)w;
			}
			return rec_set(kind, rec, f, text, n, err);
		}
		return prolo_err_set(err, PROLO_EINVAL, f->name, "must be an array of names");
	}
	return prolo_err_set(err, PROLO_EINVAL, f->name, "unsupported field");
}

enum prolo_code rec_from_json(enum rec_kind kind, void *rec, const json_t *obj,
                              const char *const *extra, struct prolo_err *err)
{
	if (!json_is_object(obj))
		return prolo_err_set(err, PROLO_EINVAL, "", "the body must be a JSON object");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		if (is_extra(key, extra))
			continue;
		const struct field_def *f = rec_field(kind, key, strlen(key));
		if (!f) {
			char shown[64];
			snprintf(shown, sizeof shown, "%s", key);
			return prolo_err_set(err, PROLO_EINVAL, shown, "unknown field '%s'", shown);
		}
		enum prolo_code rc = set_one(kind, rec, f, v, err);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}
