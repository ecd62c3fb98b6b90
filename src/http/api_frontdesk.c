/* The front desk over HTTP: a patient's contact details and consent, a
 * course's follow-up timeline, calls logged on a course, alerts snoozed
 * or assigned, the outbox's work list and the drop-outs still to be
 * reached. Each handler parses, calls its use case (app/app_frontdesk.h,
 * app/app_outreach.h) and renders. */
#include <jansson.h>
#include <string.h>

#include "app/app_frontdesk.h"
#include "app/app_outreach.h"
#include "core/domain.h"
#include "http/api_int.h"
#include "http/hjson.h"

/* Replies with the tree a use case built (taken over). */
static enum prolo_code reply_tree(struct http_req *rq, enum prolo_code rc, json_t *v, struct prolo_err *err)
{
	if (rc)
		return rc;
	return api_reply(rq, 200, v, err);
}

/* An optional date member: DOM_DATE_NONE when absent or null. */
static enum prolo_code body_date(const json_t *body, const char *key, int32_t *out, struct prolo_err *err)
{
	const char *v;
	enum prolo_code rc = hjson_str(body, key, &v, err);
	*out = DOM_DATE_NONE;
	if (!rc && v && !dom_date_parse(v, strlen(v), out))
		return prolo_err_set(err, PROLO_EINVAL, key, "'%.20s' is not a valid date (YYYY-MM-DD)", v);
	return rc;
}

/* ---- contact details ------------------------------------------------------ */

enum prolo_code h_contact_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_contact c;
	enum prolo_code rc = app_contact_get(&cx, rq->param, &c, err);
	return reply_tree(rq, rc, rc ? NULL : app_contact_json(&c), err);
}

enum prolo_code h_contact_set(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "email", "mobile", "channel", "consent", "consent_by", "consent_how",
	                                    "consent_date", NULL };
	struct app_contact_in in = { .patient_id = rq->param };
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = hjson_str(body, "email", &in.email, err)) ||
	    (rc = hjson_str(body, "mobile", &in.mobile, err)) || (rc = hjson_str(body, "channel", &in.channel, err)) ||
	    (rc = hjson_str(body, "consent", &in.consent, err)) ||
	    (rc = hjson_str(body, "consent_by", &in.consent_by, err)) ||
	    (rc = hjson_str(body, "consent_how", &in.consent_how, err)) ||
	    (rc = body_date(body, "consent_date", &in.consent_date, err)))
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_contact c;
	rc = app_contact_set(&cx, &in, &c, err);
	return reply_tree(rq, rc, rc ? NULL : app_contact_json(&c), err);
}

/* ---- follow-up ------------------------------------------------------------- */

enum prolo_code h_followup_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *t = NULL;
	enum prolo_code rc = app_followup_timeline(&cx, rq->param, &t, err);
	return reply_tree(rq, rc, t, err);
}

enum prolo_code h_followup_desk(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	int32_t day;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *t = NULL;
	enum prolo_code rc = api_query_date(rq, "today", &day, err);
	if (!rc)
		rc = app_followup_desk(&cx, day, &t, err);
	return reply_tree(rq, rc, t, err);
}

enum prolo_code h_followup_dropouts(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *t = NULL;
	enum prolo_code rc = app_followup_dropouts(&cx, &t, err);
	return reply_tree(rq, rc, t, err);
}

/* ---- calls ----------------------------------------------------------------- */

enum prolo_code h_calls_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "course_id", "result", "note", "alert_key", "point_day", NULL };
	struct app_call_in in = { 0 };
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "course_id", &in.course_id, err)) ||
	    (rc = api_need_str(body, "result", &in.result, err)) || (rc = hjson_str(body, "note", &in.note, err)) ||
	    (rc = hjson_str(body, "alert_key", &in.alert_key, err)) ||
	    (rc = api_body_int(body, "point_day", &in.point_day, err)))
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_call c;
	if ((rc = app_call_add(&cx, &in, &c, err)))
		return rc;
	json_t *j = app_call_json(&c);
	return api_reply(rq, 201, j ? json_pack("{s:o}", "call", j) : NULL, err);
}

static enum prolo_code call_row(void *ctx, const struct store_call *c, struct prolo_err *err)
{
	json_t *j = app_call_json(c);
	if (!j || json_array_append_new(ctx, j))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

enum prolo_code h_calls_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	int limit;
	enum prolo_code rc = api_query_limit(rq, &limit, err);
	if (rc)
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if ((rc = app_call_list(&cx, api_query(rq, "course_id"), limit, call_row, arr, err))) {
		json_decref(arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o}", "calls", arr), err);
}

/* ---- alerts: snooze, assign ------------------------------------------------ */

/* POST /api/alerts/snooze {"key","until"} and /assign {"key","to"}: the
 * same body with another second field, for two use cases. */
enum prolo_code h_alerts_state(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_ctx cx;
	api_ctx(rq, &cx);
	bool snooze = rq->route == RT_ALERTS_SNOOZE;
	const char *field = snooze ? "until" : "to";
	const char *const keys[] = { "key", field, NULL };
	const char *key = NULL, *val = NULL;
	int32_t until = DOM_DATE_NONE;
	enum prolo_code rc = api_only_keys(body, keys, err);
	if (!rc)
		rc = api_need_str(body, "key", &key, err);
	if (!rc)
		rc = snooze ? body_date(body, field, &until, err) : hjson_str(body, field, &val, err);
	if (!rc)
		rc = snooze ? app_alert_snooze(&cx, key, until, err) : app_alert_assign(&cx, key, val, err);
	if (rc)
		return rc;
	return api_reply(rq, 200, json_pack("{s:s, s:O}", "key", key, field, json_object_get(body, field)), err);
}

static enum prolo_code assignee_row(void *ctx, const struct store_user *u, struct prolo_err *err)
{
	json_t *j = json_pack("{s:s, s:s, s:s?}", "name", u->name, "role", store_role_names[u->role], "clinic",
	                      u->clinic[0] ? u->clinic : NULL);
	if (!j || json_array_append_new(ctx, j))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

enum prolo_code h_alerts_assignees(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = app_alert_assignees(&cx, assignee_row, arr, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o}", "users", arr), err);
}
