/* JSON <-> record conversion through the field tables. Values are converted
 * to their text form and parsed by rec_set, so JSON input is validated by
 * exactly the code that validates CSV and command-line input. */
#include "core/rec_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

json_t *rec_to_json(enum rec_kind kind, const void *rec, bool all_fields, bool deidentify)
{
	const struct rec_table *t = &rec_tables[kind];
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (int i = 0; i < t->n_fields; i++) {
		const struct field_def *f = &t->fields[i];
		const char *p = (const char *)rec + f->off;
		if (deidentify && f->identifying)
			continue;
		json_t *v = NULL;
		if (!rec_has(rec, f)) {
			if (f->type == FT_FLAGS)
				v = json_array();
			else if (all_fields)
				v = json_null();
			else
				continue;
		} else {
			switch (f->type) {
			case FT_ID:
			case FT_TEXT:
				v = json_string(p);
				break;
			case FT_ENUM:
				v = json_string(f->names[*(const int32_t *)p]);
				break;
			case FT_INT:
				v = json_integer(*(const int32_t *)p);
				break;
			case FT_REAL:
				v = json_real(*(const double *)p);
				break;
			case FT_DATE: {
				char d[11];
				dom_date_format(*(const int32_t *)p, d);
				v = json_string(d);
				break;
			}
			case FT_FLAGS: {
				uint32_t bits = *(const uint32_t *)p;
				v = json_array();
				for (int k = 0; v && k < f->n_names; k++)
					if (bits & (1u << k))
						json_array_append_new(v, json_string(f->names[k]));
				break;
			}
			}
		}
		if (!v || json_object_set_new(o, f->name, v)) {
			json_decref(o);
			return NULL;
		}
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

static enum prolo_code set_from_json(enum rec_kind kind, void *rec, const struct field_def *f,
                                     json_t *v, struct prolo_err *err)
{
	char tmp[64];
	switch (json_typeof(v)) {
	case JSON_NULL:
		return rec_set(kind, rec, f, "", 0, err);
	case JSON_STRING:
		if (f->type == FT_INT || f->type == FT_REAL)
			return prolo_err_set(err, PROLO_EINVAL, f->name, "must be a number, not a string");
		return rec_set(kind, rec, f, json_string_value(v), json_string_length(v), err);
	case JSON_INTEGER:
		if (f->type != FT_INT && f->type != FT_REAL)
			break;
		snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return rec_set(kind, rec, f, tmp, strlen(tmp), err);
	case JSON_REAL:
		if (f->type != FT_REAL)
			return prolo_err_set(err, PROLO_EINVAL, f->name,
			                     f->type == FT_INT ? "must be a whole number" : "must be a string");
		snprintf(tmp, sizeof tmp, "%.17g", json_real_value(v));
		return rec_set(kind, rec, f, tmp, strlen(tmp), err);
	case JSON_ARRAY: {
		if (f->type != FT_FLAGS)
			break;
		char joined[512];
		size_t used = 0;
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return prolo_err_set(err, PROLO_EINVAL, f->name, "must be an array of strings");
			size_t n = json_string_length(e);
			if (used + n + 2 > sizeof joined)
				return prolo_err_set(err, PROLO_EINVAL, f->name, "too many values");
			if (used)
				joined[used++] = ';';
			memcpy(joined + used, json_string_value(e), n);
			used += n;
		}
		return rec_set(kind, rec, f, joined, used, err);
	}
	default:
		break;
	}
	return prolo_err_set(err, PROLO_EINVAL, f->name, "has the wrong type");
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
		if (!f)
			return prolo_err_set(err, PROLO_EINVAL, key, "unknown field");
		enum prolo_code rc = set_from_json(kind, rec, f, v, err);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}
