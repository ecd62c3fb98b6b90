/* Follow-up outreach over HTTP: the patient's one-click opt-out (the
 * token in the path, from a message's link, is the only authority; the use
 * case app_optout records the withdrawal) and the outbox's list, retry and
 * cancel for admins. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/app_outreach.h"
#include "core/domain.h"
#include "http/api_int.h"
#include "http/hjson.h"
#include "outreach/outreach.h"
#include "security/auth.h"

enum prolo_code h_optout(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { NULL };
	enum prolo_code rc = body ? api_only_keys(body, keys, err) : PROLO_OK;
	if (rc)
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = app_optout(&cx, rq->param, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:b}", "withdrawn", 1), err);
}

/* ---- the outbox: list, retry, cancel (admins; app_outbox_*) ------------ */

static enum prolo_code outbox_row(void *ctx, const struct store_omsg *m, struct prolo_err *err)
{
	char due[11], we[11];
	dom_date_format(m->due, due);
	dom_date_format(m->window_end, we);
	json_t *row = json_pack("{s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:i,s:I,s:o}", "id", (json_int_t)m->id, "course_id",
	                        m->course_id, "patient_id", m->patient_id, "day", m->point_day, "step",
	                        m->step ? "reminder" : "invitation", "due", due, "window_end", we, "state",
	                        store_omsg_state_names[m->state], "tries", m->tries, "next_try",
	                        (json_int_t)m->next_try, "label", m->state == OM_UNKNOWN
	                        ? json_string(APP_OUTBOX_UNKNOWN_LABEL) : json_null());
	if (!row || json_array_append_new(ctx, row))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

/* PROLO_ECONFLICT with rq->retry_after set (429) when the caller's
 * address is locked for refused secrets; else PROLO_OK, or a store code. */
static enum prolo_code receipt_lock(struct http_req *rq, struct prolo_err *err)
{
	int64_t retry = 0;
	enum prolo_code rc = auth_receipt_triage(rq->st, rq->addr, rq->now, &retry, err);
	if (rc || retry <= 0)
		return rc;
	snprintf(rq->retry_after, sizeof rq->retry_after, "%lld", (long long)retry);
	return prolo_err_set(err, PROLO_ECONFLICT, "secret",
	                     "too many refused receipts from this address; try again in %lld s", (long long)retry);
}

bool receipt_triage(struct http_req *rq)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	if (receipt_lock(rq, &err) != PROLO_ECONFLICT)
		return true; /* a store error: the handler meets it again */
	api_fail(rq, &err);
	return false;
}

/* After the refusal's savepoint was rolled back: the refused secret
 * counts against its address all the same. */
static enum prolo_code receipt_refused(struct http_req *rq, struct store *st, struct prolo_err *err)
{
	return auth_receipt_refused(st, rq->addr, rq->now, err);
}

/* POST /api/outreach/sms-receipt: an SMS provider's delivery receipt,
 * without a login: the X-Receipt-Secret header is the authority, checked
 * by the use case against the configuration's sms_receipt_secret. Keys
 * besides id, reference and status are the provider's and ignored.
 * Refused secrets are throttled per address (auth_receipt_triage). */
enum prolo_code h_sms_receipt(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	/* A locked address is refused before anything is read (429), in the
	 * writer too: receipts queued before the lock began meet it here. */
	enum prolo_code rc = receipt_lock(rq, err);
	if (rc)
		return rc;
	if (!json_is_object(body))
		return prolo_err_set(err, PROLO_EINVAL, "body", "is a JSON object with id and status");
	struct app_sms_receipt_in in = { .secret = api_header(rq, "X-Receipt-Secret") };
	struct app_ctx cx;
	api_ctx(rq, &cx);
	const char *secret = rq->opt->outreach ? rq->opt->outreach->sms_receipt_secret : NULL;
	/* The secret first: a caller without it learns nothing of the fields. */
	if (!app_sms_receipt_secret_ok(&cx, secret, in.secret, err)) {
		rq->undone = receipt_refused;
		return err->code;
	}
	if ((rc = hjson_str(body, "id", &in.id, err)) || (rc = hjson_str(body, "reference", &in.reference, err)) ||
	    (rc = hjson_str(body, "status", &in.status, err)))
		return rc;
	struct app_receipt_out o;
	if ((rc = app_sms_receipt(&cx, secret, &in, &o, err)))
		return rc;
	static const char *const effects[] = { "bounced", "delivered", "noted", "already" };
	return api_reply(rq, 200, json_pack("{s:I,s:s}", "message", (json_int_t)o.message_id, "effect", effects[o.effect]),
	                 err);
}

/* GET /api/outbox[?state=S] */
enum prolo_code h_outbox_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	const char *state = api_query(rq, "state");
	int sv = -1;
	if (state && strcmp(state, "undelivered") == 0)
		sv = APP_OUTBOX_UNDELIVERED;
	else if (state && (sv = dom_lookup(store_omsg_state_names, OM__COUNT, state, strlen(state))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "state",
		                     "is one of queued, sending, sent, failed, unknown, cancelled, undelivered");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = app_outbox_list(&cx, sv, outbox_row, arr, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o}", "messages", arr), err);
}

/* POST /api/outbox/{id}/retry and .../cancel (the route says which). */
enum prolo_code h_outbox_change(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { NULL };
	enum prolo_code rc = body ? api_only_keys(body, keys, err) : PROLO_OK;
	if (rc)
		return rc;
	long id;
	if (!dom_parse_long(rq->param, strlen(rq->param), 1, 1L << 40, &id))
		return prolo_err_set(err, PROLO_EINVAL, "id", "is not a message id");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	bool retry = rq->route == RT_OUTBOX_RETRY;
	if ((rc = retry ? app_outbox_retry(&cx, id, err) : app_outbox_cancel(&cx, id, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state", retry ? "queued" : "cancelled"),
	                 err);
}
