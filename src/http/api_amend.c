/* The record's life on the API: PATCH a record (If-Match: its version),
 * POST .../void, GET .../history, for patients, courses, sessions,
 * assessments and adverse events. Each parses into typed input and calls
 * one use case (app/amend.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/rec_json.h"
#include "http/api_int.h"
#include "http/hjson.h"

#define LIFE_INJ_MAX 200

void api_set_etag(struct http_req *rq, int32_t version)
{
	if (version > 0)
		snprintf(rq->etag, sizeof rq->etag, "\"%d\"", (int)version);
}

/* The kind of the route, the JSON key of its record and the key fields of
 * its path, in order. */
static const struct {
	enum rec_kind kind;
	const char *json_key;
	const char *keys[4];
	int n;
	int n_opt;          /* key parts that may follow: an outcome's source */
} kinds[] = {
	{ REC_PATIENT, "patient", { "patient_id" }, 1, 0 },
	{ REC_COURSE, "course", { "course_id" }, 1, 0 },
	{ REC_SESSION, "session", { "course_id", "session_no" }, 2, 0 },
	{ REC_OUTCOME, "outcome", { "course_id", "date", "instrument", "source" }, 3, 1 },
	{ REC_AE, "adverse_event", { "course_id", "seq" }, 2, 0 },
};

static int route_kind(const struct http_req *rq)
{
	switch (rq->route) {
	case RT_PATIENT_AMEND: case RT_PATIENT_VOID: case RT_PATIENT_HISTORY:
		return 0;
	case RT_COURSE_AMEND: case RT_COURSE_VOID: case RT_COURSE_HISTORY:
		return 1;
	case RT_SESSION_AMEND: case RT_SESSION_VOID: case RT_SESSION_HISTORY:
		return 2;
	case RT_OUTCOME_AMEND: case RT_OUTCOME_VOID: case RT_OUTCOME_HISTORY:
		return 3;
	default:
		return 4;
	}
}

/* The path's key ("K1/2025-03-01/NRS") into the key fields of key. */
static enum prolo_code parse_key(struct http_req *rq, int k, void *key, struct prolo_err *err)
{
	enum rec_kind kind = kinds[k].kind;
	rec_init(kind, key);
	const char *p = rq->param;
	int parts = 1;
	for (const char *c = p; *c; c++)
		parts += *c == '/';
	if (parts < kinds[k].n || parts > kinds[k].n + kinds[k].n_opt)
		return prolo_err_set(err, PROLO_ENOTFOUND, "", "no such record: the path takes %d part%s",
		                     kinds[k].n, kinds[k].n > 1 ? "s" : "");
	for (int i = 0; i < parts; i++) {
		const char *e = i + 1 < parts ? strchr(p, '/') : p + strlen(p);
		if (!e || e == p)
			return prolo_err_set(err, PROLO_ENOTFOUND, "", "no such record: the path takes %d part%s",
			                     kinds[k].n, kinds[k].n > 1 ? "s" : "");
		const char *name = kinds[k].keys[i];
		enum prolo_code rc = rec_set(kind, key, rec_field(kind, name, strlen(name)), p, (size_t)(e - p), err);
		if (rc)
			return rc;
		p = *e ? e + 1 : e;
	}
	return PROLO_OK;
}

/* If-Match: "3", 3 or W/"3"; "*" or none = any version. */
static enum prolo_code if_match(struct http_req *rq, int32_t *version, struct prolo_err *err)
{
	*version = 0;
	const char *h = api_header(rq, "If-Match");
	if (!h || strcmp(h, "*") == 0)
		return PROLO_OK;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	char buf[16];
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof buf)
		return prolo_err_set(err, PROLO_EINVAL, "If-Match", "expected a record's version, e.g. \"3\"");
	memcpy(buf, h, n);
	buf[n] = '\0';
	char *end = NULL;
	long v = strtol(buf, &end, 10);
	if (*end || v < 1 || v > INT32_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "If-Match", "expected a record's version, e.g. \"3\"");
	*version = (int32_t)v;
	return PROLO_OK;
}

static enum prolo_code reply(struct http_req *rq, int k, const void *rec, struct prolo_err *err)
{
	api_set_etag(rq, rec_meta_get(kinds[k].kind, rec)->version);
	return api_reply(rq, 200, json_pack("{s:o}", kinds[k].json_key, rec_to_json(kinds[k].kind, rec, false, false)),
	                 err);
}

/* A version conflict answers 409 with the version the record is at now
 * (ETag, and in the message). */
static enum prolo_code conflict(struct http_req *rq, int k, const void *cur, enum prolo_code rc)
{
	if (rc == PROLO_ECONFLICT)
		api_set_etag(rq, rec_meta_get(kinds[k].kind, cur)->version);
	return rc;
}

/* "injections": an array of injection objects. */
static enum prolo_code injections(const json_t *ij, struct injection *out, size_t *n, struct prolo_err *err)
{
	*n = 0;
	if (json_is_null(ij))
		return PROLO_OK;
	if (!json_is_array(ij))
		return prolo_err_set(err, PROLO_EINVAL, "injections", "must be an array of objects");
	if (json_array_size(ij) > LIFE_INJ_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "injections", "at most %d per session", LIFE_INJ_MAX);
	size_t i;
	json_t *o;
	json_array_foreach(ij, i, o) {
		rec_init(REC_INJECTION, &out[i]);
		enum prolo_code rc = json_is_object(o) ? rec_from_json(REC_INJECTION, &out[i], o, NULL, err)
		                                       : prolo_err_set(err, PROLO_EINVAL, "injections", "must be objects");
		if (rc) {
			char msg[sizeof err->msg];
			snprintf(msg, sizeof msg, "injection %zu: %s", i + 1, err->msg);
			snprintf(err->msg, sizeof err->msg, "%s", msg);
			return rc;
		}
		(*n)++;
	}
	return PROLO_OK;
}

enum prolo_code h_record_amend(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const extra_plain[] = { "reason", "confirm", NULL };
	static const char *const extra_session[] = { "reason", "injections", "confirm", NULL };
	int k = route_kind(rq);
	enum rec_kind kind = kinds[k].kind;
	union rec_any key, patch, out;
	struct app_change_in in = { .kind = kind, .key = &key, .patch = &patch };
	enum prolo_code rc;
	if ((rc = parse_key(rq, k, &key, err)) || (rc = if_match(rq, &in.if_version, err)))
		return rc;
	rec_init(kind, &patch);
	rec_init(kind, &out);
	if ((rc = rec_from_json(kind, &patch, body, kind == REC_SESSION ? extra_session : extra_plain, err)) ||
	    (rc = hjson_str(body, "reason", &in.reason, err)))
		return rc;
	const struct rec_table *t = &rec_tables[kind];
	const char *name;
	json_t *v;
	json_object_foreach(body, name, v) {
		const struct field_def *f = rec_field(kind, name, strlen(name));
		if (f)
			in.set |= 1ull << (f - t->fields);
	}
	struct injection *inj = NULL;
	json_t *ij = json_object_get(body, "injections");
	if (ij) {
		inj = calloc(LIFE_INJ_MAX, sizeof *inj);
		if (!inj)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		if ((rc = injections(ij, inj, &in.n_inj, err))) {
			free(inj);
			return rc;
		}
		in.inj = inj;
		in.set_inj = true;
	}
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = api_confirm_flag(body, &cx, err))) {
		free(inj);
		return rc;
	}
	struct app_dups dups = { .n = 0 };
	in.dups = &dups;
	rc = app_amend(&cx, &in, &out, err);
	free(inj);
	if (rc == PROLO_ECONFIRM && dups.n) {
		/* A possible duplicate: the answer lists the patients it may be. */
		struct prolo_err e = *err;
		json_t *m = app_dups_json(&dups);
		rc = api_confirm_fail(rq, &e, m, err);
		json_decref(m);
		return rc;
	}
	if (rc)
		return conflict(rq, k, &out, rc);
	return reply(rq, k, &out, err);
}

enum prolo_code h_record_void(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "reason", NULL };
	int k = route_kind(rq);
	union rec_any key, out;
	struct app_change_in in = { .kind = kinds[k].kind, .key = &key };
	enum prolo_code rc;
	if ((rc = parse_key(rq, k, &key, err)) || (rc = if_match(rq, &in.if_version, err)) ||
	    (rc = api_only_keys(body, keys, err)) || (rc = hjson_str(body, "reason", &in.reason, err)))
		return rc;
	rec_init(in.kind, &out);
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = app_void(&cx, &in, &out, err)))
		return conflict(rq, k, &out, rc);
	return reply(rq, k, &out, err);
}

enum prolo_code h_record_history(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	int k = route_kind(rq);
	union rec_any key;
	enum prolo_code rc = parse_key(rq, k, &key, err);
	if (rc)
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *h = NULL;
	if ((rc = app_history(&cx, kinds[k].kind, &key, &h, err)))
		return rc;
	json_t *ver = json_object_get(json_object_get(h, "record"), "version");
	api_set_etag(rq, (int32_t)json_integer_value(ver));
	return api_reply(rq, 200, h, err);
}
