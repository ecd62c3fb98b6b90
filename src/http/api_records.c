/* Recording routes: each parses its body into typed input and calls one
 * use case (app/app.h), then renders the record. */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/instruments.h"
#include "core/rec_json.h"
#include "http/api_int.h"
#include "http/chart_cache.h"
#include "http/hjson.h"
#include "registry/alerts.h"
#include "report/report.h"
#include "security/audit.h"
#include "security/auth.h"

/* Each handler: the body into typed input, one use case, the record as
 * JSON. The use case decides everything else (app/records.c). */

static enum prolo_code reply_record(struct http_req *rq, enum rec_kind kind, const char *key,
                                    const void *rec, struct prolo_err *err)
{
	return api_reply(rq, 201, json_pack("{s:o}", key, rec_to_json(kind, rec, false, false)), err);
}

enum prolo_code h_patients_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const extra[] = { "confirm", NULL };
	struct patient p;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	rec_init(REC_PATIENT, &p);
	enum prolo_code rc = rec_from_json(REC_PATIENT, &p, body, extra, err);
	if (rc || (rc = api_confirm_flag(body, &cx, err)))
		return rc;
	struct app_dups d;
	if ((rc = app_patient_add(&cx, &p, &d, err)) == PROLO_ECONFIRM) {
		/* A possible duplicate: the answer lists the patients it may be. */
		struct prolo_err e = *err;
		json_t *m = app_dups_json(&d);
		rc = api_confirm_fail(rq, &e, m, err);
		json_decref(m);
		return rc;
	}
	if (rc)
		return rc;
	return reply_record(rq, REC_PATIENT, "patient", &p, err);
}

enum prolo_code h_courses_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct course c;
	struct plan_findings pf;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	rec_init(REC_COURSE, &c);
	enum prolo_code rc = rec_from_json(REC_COURSE, &c, body, NULL, err);
	if (rc || (rc = app_course_add(&cx, &c, NULL, &pf, err)))
		return rc;
	json_t *warnings = json_array();
	for (size_t i = 0; warnings && i < pf.n; i++)
		json_array_append_new(warnings, json_pack("{s:s,s:s,s:s}", "rule", pf.items[i].rule,
		                      "severity", pf.items[i].severity == PLAN_BLOCK ? "block" : "warn",
		                      "message", pf.items[i].message));
	json_t *plan = plan_findings_to_json(&pf);
	return api_reply(rq, 201, json_pack("{s:o,s:o,s:o*}", "course", rec_to_json(REC_COURSE, &c, false, false),
	                                    "warnings", warnings, "plan", plan), err);
}

enum prolo_code h_course_end(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "status", "end_date", "reason", NULL };
	const char *date = NULL;
	struct app_course_end_in in = { .course_id = rq->param, .end_date = DOM_DATE_NONE };
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = hjson_str(body, "status", &in.status, err)) ||
	    (rc = hjson_str(body, "end_date", &date, err)) || (rc = hjson_str(body, "reason", &in.reason, err)))
		return rc;
	if (date && date[0] && !dom_date_parse(date, strlen(date), &in.end_date))
		return prolo_err_set(err, PROLO_EINVAL, "end_date", "'%.20s' is not a valid date (YYYY-MM-DD)", date);
	struct course c;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = app_course_end(&cx, &in, &c, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:o}", "course", rec_to_json(REC_COURSE, &c, false, false)), err);
}

/* "injections": an array of injection objects, into a new array *out. */
static enum prolo_code injections_from_json(const json_t *ij, struct injection **out, size_t *n,
                                            struct prolo_err *err)
{
	*out = NULL;
	*n = 0;
	if (!ij || json_is_null(ij))
		return PROLO_OK;
	if (!json_is_array(ij))
		return prolo_err_set(err, PROLO_EINVAL, "injections", "must be an array of objects");
	size_t m = json_array_size(ij);
	if (m > INJECTIONS_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "injections", "at most %d per session", INJECTIONS_MAX);
	struct injection *inj = m ? calloc(m, sizeof *inj) : NULL;
	if (m && !inj)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = PROLO_OK;
	for (size_t i = 0; i < m && !rc; i++) {
		const json_t *o = json_array_get(ij, i);
		rec_init(REC_INJECTION, &inj[i]);
		if (!json_is_object(o)) {
			rc = prolo_err_set(err, PROLO_EINVAL, "injections", "injection %zu: must be an object", i + 1);
		} else if ((rc = rec_from_json(REC_INJECTION, &inj[i], o, NULL, err))) {
			char msg[sizeof err->msg];
			snprintf(msg, sizeof msg, "injection %zu: %s", i + 1, err->msg);
			snprintf(err->msg, sizeof err->msg, "%s", msg);
		}
	}
	if (rc) {
		free(inj);
		return rc;
	}
	*out = inj;
	*n = m;
	return PROLO_OK;
}

enum prolo_code h_sessions_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const extra[] = { "injections", "confirm", NULL };
	struct session s;
	struct injection *inj = NULL;
	size_t n = 0;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	rec_init(REC_SESSION, &s);
	enum prolo_code rc = rec_from_json(REC_SESSION, &s, body, extra, err);
	if (rc || (rc = api_confirm_flag(body, &cx, err)) ||
	    (rc = injections_from_json(json_object_get(body, "injections"), &inj, &n, err)) ||
	    (rc = app_session_add(&cx, &s, inj, n, err))) {
		free(inj);
		return rc;
	}
	json_t *so = NULL;
	struct collect cs = { REC_SESSION, json_array() };
	if (cs.arr && api_collect_row(&cs, &s, err) == PROLO_OK) {
		struct collect ci = { REC_INJECTION, cs.arr };
		for (size_t i = 0; i < n; i++)
			api_collect_row(&ci, &inj[i], err);
		so = json_incref(json_array_get(cs.arr, 0));
	}
	json_decref(cs.arr);
	free(inj);
	if (!so)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return api_reply(rq, 201, json_pack("{s:o}", "session", so), err);
}

enum prolo_code h_outcomes_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const extra[] = { "confirm", NULL };
	struct outcome o;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	rec_init(REC_OUTCOME, &o);
	enum prolo_code rc = rec_from_json(REC_OUTCOME, &o, body, extra, err);
	if (rc || (rc = api_confirm_flag(body, &cx, err)) || (rc = app_outcome_add(&cx, &o, err)))
		return rc;
	return reply_record(rq, REC_OUTCOME, "outcome", &o, err);
}

enum prolo_code h_aes_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct adverse_event a;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	rec_init(REC_AE, &a);
	enum prolo_code rc = rec_from_json(REC_AE, &a, body, NULL, err);
	if (rc || (rc = app_ae_add(&cx, &a, err)))
		return rc;
	return reply_record(rq, REC_AE, "adverse_event", &a, err);
}
