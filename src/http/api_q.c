/* Questionnaire links: created by staff, answered by patients. */
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
#include "core/instr_text.h"
#include "app/app_frontdesk.h"
#include "core/instruments.h"
#include "core/rec_json.h"
#include "http/api_int.h"
#include "http/chart_cache.h"
#include "http/hjson.h"
#include "registry/alerts.h"
#include "report/report.h"
#include "security/audit.h"
#include "security/auth.h"

/* ---- handlers: questionnaire links ------------------------------------- */

void api_iso_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum prolo_code h_qlinks_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "patient_id", "course_id", "instrument", NULL };
	const char *pid, *cid, *instr;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "patient_id", &pid, err)) ||
	    (rc = api_need_str(body, "course_id", &cid, err)) || (rc = api_need_str(body, "instrument", &instr, err)))
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	char token[AUTH_TOKEN_HEX], id[STORE_QLINK_ID_MAX];
	int64_t expires_at;
	if ((rc = app_qlink_add(&cx, pid, cid, instr, token, id, &expires_at, err)))
		return rc;
	char url[16 + AUTH_TOKEN_HEX], exp[32];
	snprintf(url, sizeof url, "/q/%s", token);
	api_iso_time(expires_at, exp);
	sodium_memzero(token, sizeof token);
	rc = api_reply(rq, 201, json_pack("{s:s,s:s,s:s,s:s}", "url", url, "id", id, "expires_at", exp,
	                                  "instrument", instr), err);
	sodium_memzero(url, sizeof url);
	return rc;
}

enum prolo_code h_qlinks_revoke(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "token", "id", NULL };
	const char *token, *id;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = hjson_str(body, "token", &token, err)) ||
	    (rc = hjson_str(body, "id", &id, err)))
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_qlink q;
	if ((rc = app_qlink_revoke(&cx, token, id, &q, err)))
		return rc;
	char at[32];
	api_iso_time(q.revoked_at, at);
	return api_reply(rq, 200, json_pack("{s:s?,s:s,s:s}", "id", q.id[0] ? q.id : NULL, "course_id",
	                                    q.course_id, "revoked_at", at), err);
}

/* What the patient's page shows of link q: each item's text (the clinic's
 * wording, the shipped NRS/VAS text, or null: not loaded), its answer range
 * and labels; the wording's intro, anchors and licence line; and, when the
 * wording is missing, the note that says so. NULL on out of memory. */
static json_t *q_page(const struct store_qlink *q, const json_t *canon)
{
	enum instrument id = (enum instrument)q->instrument;
	const struct instr_info *info = instr_info(id);
	json_t *items = json_array();
	for (int i = 0; items && i < info->n_items; i++) {
		const char *t = itext_text_or_shipped(id, canon, i);
		json_array_append_new(items, json_pack("{s:i,s:s?,s:i,s:i,s:O?}", "no", i + 1, "text", t, "min",
		                                       info->item_min, "max", info->item_max, "labels",
		                                       canon ? itext_item_labels(canon, i) : NULL));
	}
	const json_t *anchors = json_object_get(canon, "anchors");
	const char *lo = anchors ? json_string_value(json_object_get(anchors, "low")) : instr_anchor_low(id);
	const char *hi = anchors ? json_string_value(json_object_get(anchors, "high")) : instr_anchor_high(id);
	const char *title = json_string_value(json_object_get(canon, "title"));
	return json_pack("{s:s,s:s,s:o,s:s?,s:s?,s:s,s:s?,s:s?,s:s?}", "instrument", info->name, "title",
	                 title ? title : info->title, "items", items, "low", lo, "high", hi, "wording",
	                 itext_source(id, canon), "intro", json_string_value(json_object_get(canon, "intro")),
	                 "licence", json_string_value(json_object_get(canon, "licence")), "missing_note",
	                 itext_missing(id, canon));
}

enum prolo_code h_q_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct store_qlink q;
	bool gone;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_qlink_find(&cx, rq->param, &q, &gone, err);
	if (gone) {
		api_error(rq, 410, "gone", err);
		return PROLO_OK;
	}
	if (rc)
		return rc;
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "%s", q.patient_id);
	if ((rc = store_get(rq->st, REC_PATIENT, &p, err)))
		return rc;
	json_t *canon = NULL;
	if ((rc = app_qlink_wording(&cx, &q, &canon, err)))
		return rc;
	json_t *page = q_page(&q, canon);
	json_decref(canon);
	if (!page)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_object_set_new(page, "first_name", json_string(p.first_name));
	if ((rc = api_audit_as(rq, "questionnaire", "questionnaire.open", "", q.course_id, err))) {
		json_decref(page);
		return rc;
	}
	return api_reply(rq, 200, page, err);
}

enum prolo_code h_q_post(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "items", NULL };
	enum prolo_code rc = api_only_keys(body, keys, err);
	if (rc)
		return rc;
	const json_t *items = json_object_get(body, "items");
	if (!items)
		return prolo_err_set(err, PROLO_EINVAL, "items", "is required");
	struct store_qlink q;
	bool gone;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	rc = app_qlink_find(&cx, rq->param, &q, &gone, err);
	if (gone) {
		api_error(rq, 410, "gone", err);
		return PROLO_ECONFLICT; /* roll back; the response is set */
	}
	if (rc)
		return rc;
	struct outcome o;
	rec_init(REC_OUTCOME, &o);
	json_t *obj = json_pack("{s:s,s:s,s:O}", "course_id", q.course_id, "instrument",
	                        dom_instrument_names[q.instrument], "items", items);
	if (!obj)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	rc = rec_from_json(REC_OUTCOME, &o, obj, NULL, err);
	json_decref(obj);
	if (!rc && (rc = app_qlink_answer(&cx, &q, &o, &gone, err)) && gone) {
		api_error(rq, 410, "gone", err);
		return PROLO_ECONFLICT; /* roll back; the response is set */
	}
	if (rc)
		return rc;
	char d[11], nd[11];
	dom_date_format(o.date, d);
	int32_t next;
	if ((rc = app_qlink_next_contact(&cx, &q, &next, err)))
		return rc;
	if (next != DOM_DATE_NONE)
		dom_date_format(next, nd);
	return api_reply(rq, 201, json_pack("{s:{s:s,s:s,s:o}, s:s?}", "outcome", "date", d, "instrument",
	                                dom_instrument_names[o.instrument], "score",
	                                isnan(o.score) ? json_null() : json_real(o.score), "next_contact",
	                                next != DOM_DATE_NONE ? nd : NULL), err);
}

