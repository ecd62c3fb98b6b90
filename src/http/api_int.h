/* Internals of the JSON API (src/http/api*.c): the route table's types, the
 * shared helpers and every handler. api.c routes; one file per route group
 * holds the handlers, which parse, call a use case (app/app.h) and render. */
#ifndef PROLO_API_INT_H
#define PROLO_API_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "app/app.h"
#include "http/http_int.h"

#define COOKIE "prolo_session"
#define INJECTIONS_MAX 200
#define IDEM_KEY_MAX 128
#define RETRY_AFTER_S 1 /* a 503's Retry-After */

typedef enum prolo_code (*api_fn)(struct http_req *rq, json_t *body, struct prolo_err *err);

/* F_TX: a write, run in the group-commit writer's batch (one savepoint).
 * F_SLOW: computes for long (an Argon2id hash, 150-600 ms; the report
 * and the alerts, which read every course of the registry): runs on the
 * slow lane (slowlane.h) so its worker keeps serving. A read runs there in
 * a read snapshot of its own; an F_TX | F_SLOW write hashes first (its
 * route's prep, no lock held) and then stores in a short transaction of
 * its own under the writer lock, so it holds up no batch.
 * F_HASH: the slow part is an Argon2id hash that a person at a form waits
 * for: queued on the lane ahead of the reports and the alerts. */
/* F_SECRET: the response carries a secret (a questionnaire link's token),
 * so an Idempotency-Key keeps no copy of it: a retry is 409. */
enum { F_TX = 1, F_SLOW = 2, F_SECRET = 4, F_HASH = 8 };

struct route {
	const char *method;
	const char *pattern;
	enum route_id id;
	api_fn fn;
	int flags;
	api_fn prep;    /* F_TX | F_SLOW: the slow part, before the transaction;
	                 * its refusal is fn's to return (rq->prep_rc) */
	int action;     /* enum app_action the role needs; -1 = public */
};


/* ---- helpers (api_util.c) ---- */

/* Renders err with the HTTP status of its code. Cannot fail. */
void api_fail(struct http_req *rq, const struct prolo_err *err);
/* Sets status and the JSON of v (taken over). PROLO_ENOMEM / ETOOBIG. */
enum prolo_code api_reply(struct http_req *rq, int status, json_t *v, struct prolo_err *err);
/* A query parameter (NULL when absent or empty), a header, the cookie. */
const char *api_query(struct http_req *rq, const char *name);
const char *api_header(struct http_req *rq, const char *name);
const char *api_cookie_token(struct http_req *rq);
/* An audit row of the request (see api_util.c for where it goes). */
enum prolo_code api_audit_as(struct http_req *rq, const char *user, const char *action,
                             const char *record, const char *detail, struct prolo_err *err);
enum prolo_code api_audit(struct http_req *rq, const char *action, const char *kind,
                          const char *id, const char *detail, struct prolo_err *err);
/* The use-case context of the request: the logged-in user from the
 * client's address, the clock, the server's protocol library; audit rows
 * go where api_audit_as puts them; the unit of work is the request's.
 * Cannot fail. */
void api_ctx(struct http_req *rq, struct app_ctx *cx);
json_t *api_user_json(const struct store_user *u);
json_t *api_user_json_can(const struct store_user *u, bool with_can);
/* Strict bodies: only the listed keys (NULL-terminated); a required
 * non-empty string. PROLO_EINVAL naming the field. */
enum prolo_code api_only_keys(const json_t *body, const char *const *keys, struct prolo_err *err);
enum prolo_code api_need_str(const json_t *body, const char *key, const char **out,
                             struct prolo_err *err);
/* An optional integer member by the type rule of app_int_input; absent or
 * null = APP_INT_NONE. PROLO_EINVAL naming the key. */
enum prolo_code api_body_int(const json_t *body, const char *key, int *out, struct prolo_err *err);
/* ?limit= by the type rule of app_int_input (APP_INT_NONE when absent);
 * api_list_limit adds the lists' range and default (app_list_limit); a
 * date query parameter (DOM_DATE_NONE when absent). PROLO_EINVAL naming it. */
enum prolo_code api_query_limit(struct http_req *rq, int *limit, struct prolo_err *err);
enum prolo_code api_list_limit(struct http_req *rq, int *limit, struct prolo_err *err);
enum prolo_code api_query_date(struct http_req *rq, const char *name, int32_t *out,
                               struct prolo_err *err);
void api_iso_time(int64_t t, char out[32]);

/* The chart (api_chart.c): one course with its sessions, assessments,
 * adverse events and history appended to b; a course summary into a list. */
struct course_list;
enum prolo_code api_put_course(struct http_req *rq, struct buf *b, const struct course *c,
                               struct prolo_err *err);

/* Records as JSON trees: rows of one kind into arr; sessions get their
 * derived PRP labels and an "injections" array that injection rows join. */
struct collect {
	enum rec_kind kind;
	json_t *arr;
};
enum prolo_code api_collect_row(void *ctx, const void *rec, struct prolo_err *err);

/* Before a login is queued for its hash (api_account.c): false, with the
 * response set (429), when the throttle refuses it already; else true
 * with j's lane fields set (its tier, its address's and account's keys). */
bool login_triage(struct http_req *rq, const json_t *body, struct writer_job *j);
/* Before an SMS receipt is queued (api_outreach.c): false, with the
 * response set (429 and Retry-After), when its address is locked for
 * refused secrets; else true. */
bool receipt_triage(struct http_req *rq);

/* ---- handlers ---- */
enum prolo_code h_login(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_logout(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_me(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code p_password(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_password(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_users_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code p_users_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_users_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_user_unlock(struct http_req *rq, json_t *body, struct prolo_err *err);
/* Account administration (api_users.c). */
enum prolo_code h_user_disable(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_user_enable(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_user_role(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code p_user_reset(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_user_reset(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_user_sessions(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_user_revoke(struct http_req *rq, json_t *body, struct prolo_err *err);
/* A route whose body must be {}: cx gets the request's context (api_ctx);
 * PROLO_EINVAL naming a field the body should not have. */
enum prolo_code api_empty_body(struct http_req *rq, const json_t *body, struct app_ctx *cx, struct prolo_err *err);
/* An account as the admin's list shows it: api_user_json with created_at,
 * disabled, last_login_at, last_login_addr and open_sessions. NULL when
 * out of memory. */
json_t *api_user_admin_json(const struct store_user *u);
enum prolo_code h_audit_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_patients_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_patient_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_courses_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_course_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_patients_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_courses_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_course_end(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_sessions_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_outcomes_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_aes_add(struct http_req *rq, json_t *body, struct prolo_err *err);
/* The record's life (api_amend.c): PATCH, POST .../void, GET .../history;
 * the record kind is the route's. */
enum prolo_code h_record_amend(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_record_void(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_record_history(struct http_req *rq, json_t *body, struct prolo_err *err);
/* Sets the ETag of the answer to a record's version. */
void api_set_etag(struct http_req *rq, int32_t version);
enum prolo_code h_alerts_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_alerts_ack(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_report(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_vocab(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_qlinks_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_qlinks_revoke(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_q_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_q_post(struct http_req *rq, json_t *body, struct prolo_err *err);
/* api_patients.c: merges, protocols, a clinic's settings, and the
 * confirmation of what the rules only warn of. */
/* POST /api/patients/{id}/merge and .../unmerge (the route says which). */
enum prolo_code h_patient_merge(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_protocols(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_settings_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_settings_set(struct http_req *rq, json_t *body, struct prolo_err *err);
/* The body's "confirm" (true/false; absent = false) into cx->confirm.
 * PROLO_EINVAL (field confirm) for another type. */
enum prolo_code api_confirm_flag(const json_t *body, struct app_ctx *cx, struct prolo_err *err);
/* Answers e (a PROLO_ECONFIRM, or any error) with its status and, in the
 * error object, "matches" (borrowed; NULL = none). Returns e's code. */
enum prolo_code api_confirm_fail(struct http_req *rq, const struct prolo_err *e, json_t *matches,
                                 struct prolo_err *err);
/* GET /api/patients/{id}/duplicates (api_patients.c). */
enum prolo_code h_patient_duplicates(struct http_req *rq, json_t *body, struct prolo_err *err);
/* api_instruments.c: a clinic's questionnaire wording. */
enum prolo_code h_instruments_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_instrument_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_instruments_load(struct http_req *rq, json_t *body, struct prolo_err *err);
/* api_booking.c: appointments, the calendar download, a clinic's zone. */
enum prolo_code h_bookings_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_bookings_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_booking_proposal(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_booking_change(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_schedule_ics(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_clinic_zone(struct http_req *rq, json_t *body, struct prolo_err *err);
/* api_outreach.c: the patient's one-click opt-out (no login; the token). */
enum prolo_code h_optout(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_sms_receipt(struct http_req *rq, json_t *body, struct prolo_err *err);
/* api_frontdesk.c: contact details, follow-up timeline and lists, calls,
 * snoozing and assigning alerts. */
enum prolo_code h_contact_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_contact_set(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_followup_get(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_followup_desk(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_followup_dropouts(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_calls_add(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_calls_list(struct http_req *rq, json_t *body, struct prolo_err *err);
/* api_outreach.c: GET /api/outbox, POST /api/outbox/{id}/retry|cancel. */
enum prolo_code h_outbox_list(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_outbox_change(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_alerts_state(struct http_req *rq, json_t *body, struct prolo_err *err);
enum prolo_code h_alerts_assignees(struct http_req *rq, json_t *body, struct prolo_err *err);

#endif
