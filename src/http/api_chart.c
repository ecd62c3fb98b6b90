/* The reads of the chart: patients and courses, listed and one by one.
 * The chart is the most read response, so it is streamed into the
 * response buffer and cached per worker (chart_cache.h). */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/grow.h"
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

/* ---- the chart --------------------------------------------------------- */

/* The chart is the most read response, so it is written straight into the
 * response buffer (hjson_put_*) rather than built as a JSON tree: a course
 * with its sessions (each with its injections), assessments, adverse events
 * and history. */

struct chart {
	struct buf *b;
	bool first;                 /* before the first element of an array */
	struct injection *inj;      /* the course's injections, in key order */
	size_t n_inj, cap_inj, next_inj;
};

static enum prolo_code put_elem_start(struct chart *ch)
{
	enum prolo_code rc = ch->first ? PROLO_OK : buf_addc(ch->b, ',');
	ch->first = false;
	return rc ? rc : buf_addc(ch->b, '{');
}

static enum prolo_code put_plain(void *ctx, const void *rec, enum rec_kind kind)
{
	struct chart *ch = ctx;
	bool first = true;
	enum prolo_code rc = put_elem_start(ch);
	if (!rc)
		rc = hjson_put_fields(ch->b, &first, kind, rec);
	return rc ? rc : buf_addc(ch->b, '}');
}

/* Beside an assessment's fields, how it is scored (docs/api.md;
 * outcome_scoring_describe): "range" {min, max, unit, higher_is_worse},
 * "subscales" [{name, score, max}], "not_scorable_reason" (null when it has
 * a score) and "partial_reason" (a subscale left out of a scored form).
 * Buffer codes. */
static enum prolo_code put_scoring(struct buf *b, bool *first, const struct outcome *o)
{
	struct outcome_scoring sc;
	outcome_scoring_describe(o, &sc);
	const struct instr_info *in = sc.info;
	enum prolo_code rc = hjson_put_key(b, first, "range");
	if (!rc)
		rc = buf_printf(b, "{\"min\":%g,\"max\":%g,\"unit\":\"%s\",\"higher_is_worse\":%s}", in->score_min,
		                in->score_max, in->unit, in->higher_is_worse ? "true" : "false");
	if (!rc)
		rc = hjson_put_key(b, first, "subscales");
	if (!rc)
		rc = buf_addc(b, '[');
	for (int s = 0; !rc && s < in->n_subscales; s++) {
		rc = buf_printf(b, "%s{\"name\":\"%s\",\"max\":%g,\"score\":", s ? "," : "", in->subscale_names[s],
		                in->sub_max[s]);
		if (!rc)
			rc = hjson_put_real(b, sc.sub[s]);
		if (!rc)
			rc = buf_addc(b, '}');
	}
	if (!rc)
		rc = buf_addc(b, ']');
	if (!rc)
		rc = hjson_put_member(b, first, "not_scorable_reason",
		                      sc.not_scorable_reason[0] ? sc.not_scorable_reason : NULL);
	return rc ? rc : hjson_put_member(b, first, "partial_reason", sc.partial_reason[0] ? sc.partial_reason : NULL);
}

static enum prolo_code put_outcome(void *ctx, const void *rec, struct prolo_err *err)
{
	struct chart *ch = ctx;
	bool first = true;
	enum prolo_code rc = put_elem_start(ch);
	if (!rc)
		rc = hjson_put_fields(ch->b, &first, REC_OUTCOME, rec);
	if (!rc)
		rc = put_scoring(ch->b, &first, rec);
	if (!rc)
		rc = buf_addc(ch->b, '}');
	return rc ? prolo_err_set(err, rc, "", "the response is too large") : PROLO_OK;
}

static enum prolo_code put_ae(void *ctx, const void *rec, struct prolo_err *err)
{
	enum prolo_code rc = put_plain(ctx, rec, REC_AE);
	return rc ? prolo_err_set(err, rc, "", "the response is too large") : PROLO_OK;
}

static enum prolo_code keep_injection(void *ctx, const void *rec, struct prolo_err *err)
{
	struct chart *ch = ctx;
	enum prolo_code rc = grow_array(&ch->inj, &ch->cap_inj, ch->n_inj + 1, sizeof *ch->inj, 16, err);
	if (rc)
		return rc;
	memcpy(&ch->inj[ch->n_inj++], rec, sizeof *ch->inj);
	return PROLO_OK;
}

/* A session with its derived PRP labels and its injections. Both scans are
 * in (session_no, seq) order, so the injections are taken in one pass;
 * injections of a session that does not exist are left out. */
static enum prolo_code put_session(void *ctx, const void *rec, struct prolo_err *err)
{
	struct chart *ch = ctx;
	const struct session *s = rec;
	char paw[64], mishra[64];
	bool first = true;
	rec_session_paw(s, paw, sizeof paw);
	rec_session_mishra(s, mishra, sizeof mishra);
	enum prolo_code rc = put_elem_start(ch);
	if (!rc)
		rc = hjson_put_fields(ch->b, &first, REC_SESSION, s);
	if (!rc)
		rc = hjson_put_member(ch->b, &first, "prp_paw", paw[0] ? paw : NULL);
	if (!rc)
		rc = hjson_put_member(ch->b, &first, "prp_mishra", mishra[0] ? mishra : NULL);
	if (!rc && !(rc = hjson_put_key(ch->b, &first, "injections")))
		rc = buf_addc(ch->b, '[');
	while (ch->next_inj < ch->n_inj && ch->inj[ch->next_inj].session_no < s->session_no)
		ch->next_inj++;
	for (bool one = true; !rc && ch->next_inj < ch->n_inj &&
	                      ch->inj[ch->next_inj].session_no == s->session_no; one = false) {
		bool f2 = true;
		if (!one)
			rc = buf_addc(ch->b, ',');
		if (!rc)
			rc = buf_addc(ch->b, '{');
		if (!rc)
			rc = hjson_put_fields(ch->b, &f2, REC_INJECTION, &ch->inj[ch->next_inj++]);
		if (!rc)
			rc = buf_addc(ch->b, '}');
	}
	if (!rc)
		rc = buf_adds(ch->b, "]}");
	return rc ? prolo_err_set(err, rc, "", "the response is too large") : PROLO_OK;
}

static enum prolo_code put_history(void *ctx, const char *at, const char *event,
                                   const char *detail, struct prolo_err *err)
{
	struct chart *ch = ctx;
	bool first = true;
	enum prolo_code rc = put_elem_start(ch);
	if (!rc)
		rc = hjson_put_member(ch->b, &first, "at", at);
	if (!rc)
		rc = hjson_put_member(ch->b, &first, "event", event);
	if (!rc)
		rc = hjson_put_member(ch->b, &first, "detail", detail ? detail : "");
	if (!rc)
		rc = buf_addc(ch->b, '}');
	return rc ? prolo_err_set(err, rc, "", "the response is too large") : PROLO_OK;
}

/* Opens an array member: ,"key":[ */
static enum prolo_code open_array(struct chart *ch, bool *first, const char *key, struct prolo_err *err)
{
	enum prolo_code rc = hjson_put_key(ch->b, first, key);
	if (!rc)
		rc = buf_addc(ch->b, '[');
	ch->first = true;
	return rc ? prolo_err_set(err, rc, "", "the response is too large") : PROLO_OK;
}

/* Appends one course object of the chart to b. Store codes; PROLO_ETOOBIG
 * or PROLO_ENOMEM from the buffer. */
/* ,"warnings":[…] when there are any: what a contraindication recorded
 * after the course was planned raised on it (app_course_warnings). */
static enum prolo_code put_warnings(struct http_req *rq, struct buf *b, const struct course *c,
                                    struct prolo_err *err)
{
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *w = NULL;
	enum prolo_code rc = app_course_warnings(&cx, c->course_id, &w, err);
	if (!rc && json_array_size(w) && ((rc = buf_adds(b, ",\"warnings\":")) || (rc = hjson_dump(b, w))))
		prolo_err_set(err, rc, "", "the response is too large");
	json_decref(w);
	return rc;
}

enum prolo_code api_put_course(struct http_req *rq, struct buf *b, const struct course *c,
                                  struct prolo_err *err)
{
	struct chart ch = { .b = b };
	struct store_filter f = { .course_id = c->course_id };
	bool first = true;
	enum prolo_code rc = buf_addc(b, '{');
	if (!rc)
		rc = hjson_put_fields(b, &first, REC_COURSE, c);
	if (rc) {
		prolo_err_set(err, rc, "", "the response is too large");
		goto done;
	}
	if ((rc = store_scan(rq->st, REC_INJECTION, &f, keep_injection, &ch, err)) ||
	    (rc = open_array(&ch, &first, "sessions", err)) ||
	    (rc = store_scan(rq->st, REC_SESSION, &f, put_session, &ch, err)) ||
	    (rc = buf_addc(b, ']')) ||
	    (rc = open_array(&ch, &first, "outcomes", err)) ||
	    (rc = store_scan(rq->st, REC_OUTCOME, &f, put_outcome, &ch, err)) ||
	    (rc = buf_addc(b, ']')) ||
	    (rc = open_array(&ch, &first, "adverse_events", err)) ||
	    (rc = store_scan(rq->st, REC_AE, &f, put_ae, &ch, err)) ||
	    (rc = buf_addc(b, ']')) ||
	    (rc = open_array(&ch, &first, "history", err)) ||
	    (rc = store_course_history_scan(rq->st, c->course_id, put_history, &ch, err)) ||
	    (rc = buf_addc(b, ']')) || (rc = put_warnings(rq, b, c, err)) || (rc = buf_addc(b, '}'))) {
		if (rc == PROLO_ETOOBIG || rc == PROLO_ENOMEM)
			prolo_err_set(err, rc, "", "the response is too large");
	}
done:
	free(ch.inj);
	return rc;
}

struct course_list {
	struct http_req *rq;
	struct buf *b;              /* full courses (chart) */
	bool first;
};

static enum prolo_code api_add_course(void *ctx, const void *rec, struct prolo_err *err)
{
	struct course_list *cl = ctx;
	enum prolo_code rc = cl->first ? PROLO_OK : buf_addc(cl->b, ',');
	cl->first = false;
	return rc ? prolo_err_set(err, rc, "", "the response is too large")
	          : api_put_course(cl->rq, cl->b, rec, err);
}

/* ---- handlers: patients ------------------------------------------------ */

enum prolo_code api_query_limit(struct http_req *rq, int *limit, struct prolo_err *err)
{
	const char *l = api_query(rq, "limit");
	long n = 0;
	*limit = APP_INT_NONE;
	if (!l)
		return PROLO_OK;
	bool whole = dom_parse_long(l, strlen(l), LONG_MIN, LONG_MAX, &n);
	return app_int_input("limit", whole, n, limit, err);
}

enum prolo_code api_list_limit(struct http_req *rq, int *limit, struct prolo_err *err)
{
	int n;
	enum prolo_code rc = api_query_limit(rq, &n, err);
	return rc ? rc : app_list_limit(n, false, limit, err);
}

/* GET /api/patients and /api/courses: the list use case (app/lists.c)
 * over the query's clinic, patient_id (courses), q (patients) and limit. */
static enum prolo_code list_records(struct http_req *rq, enum rec_kind kind, const char *key,
                                    struct prolo_err *err)
{
	struct app_list_in in = { .kind = kind, .clinic = api_query(rq, "clinic") };
	if (kind == REC_PATIENT)
		in.search = api_query(rq, "q");
	else
		in.patient_id = api_query(rq, "patient_id");
	enum prolo_code rc = api_query_limit(rq, &in.limit, err);
	if (rc)
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct collect cl = { kind, json_array() };
	if (!cl.arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if ((rc = app_record_list(&cx, &in, api_collect_row, &cl, err))) {
		json_decref(cl.arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o}", key, cl.arr), err);
}

enum prolo_code h_patients_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	return list_records(rq, REC_PATIENT, "patients", err);
}

/* {"merged_from":"ID", + the rest of the chart in b. */
static enum prolo_code merged_from(struct buf *b, const char *id)
{
	struct buf t;
	buf_init(&t, b->len + 256);
	enum prolo_code rc = buf_adds(&t, "{\"merged_from\":");
	if (!rc)
		rc = hjson_put_str(&t, id, strlen(id));
	if (!rc)
		rc = buf_addc(&t, ',');
	if (!rc)
		rc = buf_add(&t, b->data + 1, b->len - 1);
	if (!rc) {
		buf_reset(b);
		rc = buf_add(b, t.data, t.len);
	}
	buf_free(&t);
	return rc;
}

enum prolo_code h_patient_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct buf *b = &rq->out;
	buf_reset(b);
	/* The snapshot's version (the session check has read in it). A hit
	 * needs no read: the cached clinic is the one at this version. */
	uint64_t version = store_data_version(rq->st);
	char clinic[REC_ID_MAX];
	int32_t tag = 0;
	enum prolo_code rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if (dom_id_valid(rq->param, strlen(rq->param)) &&
	    chart_cache_get(rq->charts, rq->param, version, b, clinic, sizeof clinic, &tag)) {
		if ((rc = app_permit_seen(&cx, CAN_PATIENT_GET, "patient", rq->param, clinic, "patient", rq->param,
		                          err))) {
			buf_reset(b);
			return rc;
		}
		/* The ETag: the patient's version, kept with the chart (an
		 * amendment changes the data version, so it is current). */
		api_set_etag(rq, tag);
	} else {
		struct patient p;
		if ((rc = app_load_patient(&cx, CAN_PATIENT_GET, rq->param, &p, err)))
			return rc;
		api_set_etag(rq, p.meta.version);
		struct course_list cl = { .rq = rq, .b = b, .first = true };
		struct store_filter f = { .patient_id = p.patient_id };
		bool first = true;
		if ((rc = buf_adds(b, "{\"patient\":{")) || (rc = hjson_put_fields(b, &first, REC_PATIENT, &p)) ||
		    (rc = buf_adds(b, "},\"courses\":[")))
			return prolo_err_set(err, rc, "", "the response is too large");
		if ((rc = store_scan(rq->st, REC_COURSE, &f, api_add_course, &cl, err)))
			return rc;
		/* The merges into or of the patient (app/patients.c). */
		json_t *merges = NULL;
		if ((rc = app_patient_merges(&cx, p.patient_id, &merges, err)))
			return rc;
		rc = buf_adds(b, "]");
		if (!rc && json_array_size(merges) && !(rc = buf_adds(b, ",\"merges\":")))
			rc = hjson_dump(b, merges);
		json_decref(merges);
		if (rc || (rc = buf_adds(b, "}")))
			return prolo_err_set(err, rc, "", "the response is too large");
		chart_cache_put(rq->charts, p.patient_id, p.clinic, p.meta.version, version, b->data, b->len);
		/* A merged patient's id leads to the survivor's chart, saying so. */
		if (strcmp(p.patient_id, rq->param) != 0 && (rc = merged_from(b, rq->param)))
			return prolo_err_set(err, rc, "", "the response is too large");
	}
	if ((rc = api_audit(rq, "patient.read", "patient", rq->param, "chart", err)))
		return rc;
	rq->status = 200;
	return PROLO_OK;
}

/* ---- handlers: courses ------------------------------------------------- */

enum prolo_code h_courses_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	return list_records(rq, REC_COURSE, "courses", err);
}

enum prolo_code h_course_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct course c;
	struct patient p;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_load_course(&cx, CAN_COURSE_GET, rq->param, &c, &p, err);
	if (rc)
		return rc;
	api_set_etag(rq, c.meta.version);
	buf_reset(&rq->out);
	if ((rc = buf_adds(&rq->out, "{\"course\":")))
		return prolo_err_set(err, rc, "", "the response is too large");
	if ((rc = api_put_course(rq, &rq->out, &c, err)) ||
	    (rc = api_audit(rq, "course.read", "course", c.course_id, "", err)))
		return rc;
	if ((rc = buf_addc(&rq->out, '}')))
		return prolo_err_set(err, rc, "", "the response is too large");
	rq->status = 200;
	return PROLO_OK;
}

