/* The JSON API of docs/api.md: one route table, one dispatcher that runs
 * the same steps for every route (session, the permission matrix, CSRF, strict body,
 * transaction + Idempotency-Key), and small handlers that speak in records
 * and call the registry use cases. Every read of a patient record and every
 * change is written with audit_log_event inside the request's
 * transaction. */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* ---- routing ----------------------------------------------------------- */

static const struct route routes[] = {
	{ "POST", "/api/login", RT_LOGIN, h_login, F_SLOW | F_HASH, NULL, -1 },
	{ "POST", "/api/logout", RT_LOGOUT, h_logout, F_TX, NULL, CAN_LOGOUT },
	{ "GET", "/api/me", RT_ME, h_me, 0, NULL, CAN_ME },
	{ "GET", "/api/vocab", RT_VOCAB, h_vocab, 0, NULL, CAN_VOCAB },
	{ "POST", "/api/password", RT_PASSWORD, h_password, F_TX | F_SLOW | F_HASH, p_password, CAN_PASSWORD },
	{ "GET", "/api/patients", RT_PATIENTS_LIST, h_patients_list, 0, NULL, CAN_PATIENTS_LIST },
	{ "POST", "/api/patients", RT_PATIENTS_ADD, h_patients_add, F_TX, NULL, CAN_PATIENTS_ADD },
	{ "GET", "/api/patients/{id}", RT_PATIENT_GET, h_patient_get, 0, NULL, CAN_PATIENT_GET },
	{ "GET", "/api/courses", RT_COURSES_LIST, h_courses_list, 0, NULL, CAN_COURSES_LIST },
	{ "POST", "/api/courses", RT_COURSES_ADD, h_courses_add, F_TX, NULL, CAN_COURSES_ADD },
	{ "GET", "/api/courses/{id}", RT_COURSE_GET, h_course_get, 0, NULL, CAN_COURSE_GET },
	{ "POST", "/api/courses/{id}/end", RT_COURSE_END, h_course_end, F_TX, NULL, CAN_COURSE_END },
	{ "POST", "/api/sessions", RT_SESSIONS_ADD, h_sessions_add, F_TX, NULL, CAN_SESSIONS_ADD },
	{ "POST", "/api/outcomes", RT_OUTCOMES_ADD, h_outcomes_add, F_TX, NULL, CAN_OUTCOMES_ADD },
	{ "POST", "/api/adverse-events", RT_AES_ADD, h_aes_add, F_TX, NULL, CAN_AES_ADD },
	{ "GET", "/api/alerts", RT_ALERTS_LIST, h_alerts_list, F_SLOW, NULL, CAN_ALERTS_LIST },
	{ "POST", "/api/alerts/ack", RT_ALERTS_ACK, h_alerts_ack, F_TX, NULL, CAN_ALERTS_ACK },
	{ "GET", "/api/report", RT_REPORT, h_report, F_SLOW, NULL, CAN_REPORT },
	{ "GET", "/api/users", RT_USERS_LIST, h_users_list, 0, NULL, CAN_USERS_LIST },
	{ "POST", "/api/users", RT_USERS_ADD, h_users_add, F_TX | F_SLOW | F_HASH, p_users_add, CAN_USERS_ADD },
	{ "POST", "/api/users/{id}/unlock", RT_USER_UNLOCK, h_user_unlock, F_TX, NULL, CAN_USERS_UNLOCK },
	{ "GET", "/api/audit", RT_AUDIT_LIST, h_audit_list, 0, NULL, CAN_AUDIT_LIST },
	{ "POST", "/api/questionnaire-links", RT_QLINKS_ADD, h_qlinks_add, F_TX | F_SECRET, NULL, CAN_QLINKS_ADD },
	{ "POST", "/api/questionnaire-links/revoke", RT_QLINKS_REVOKE, h_qlinks_revoke, F_TX, NULL, CAN_QLINKS_REVOKE },
	{ "GET", "/api/q/{id}", RT_Q_GET, h_q_get, 0, NULL, -1 },
	{ "POST", "/api/q/{id}", RT_Q_POST, h_q_post, F_TX, NULL, -1 },
	/* The record's life: {key} is the record's key, one or more segments. */
	{ "PATCH", "/api/patients/{id}", RT_PATIENT_AMEND, h_record_amend, F_TX, NULL, CAN_PATIENTS_AMEND },
	{ "POST", "/api/patients/{id}/void", RT_PATIENT_VOID, h_record_void, F_TX, NULL, CAN_PATIENTS_VOID },
	{ "GET", "/api/patients/{id}/history", RT_PATIENT_HISTORY, h_record_history, 0, NULL, CAN_PATIENT_GET },
	{ "PATCH", "/api/courses/{id}", RT_COURSE_AMEND, h_record_amend, F_TX, NULL, CAN_COURSES_AMEND },
	{ "POST", "/api/courses/{id}/void", RT_COURSE_VOID, h_record_void, F_TX, NULL, CAN_COURSES_VOID },
	{ "GET", "/api/courses/{id}/history", RT_COURSE_HISTORY, h_record_history, 0, NULL, CAN_COURSE_GET },
	{ "PATCH", "/api/sessions/{key}", RT_SESSION_AMEND, h_record_amend, F_TX, NULL, CAN_SESSIONS_AMEND },
	{ "POST", "/api/sessions/{key}/void", RT_SESSION_VOID, h_record_void, F_TX, NULL, CAN_SESSIONS_VOID },
	{ "GET", "/api/sessions/{key}/history", RT_SESSION_HISTORY, h_record_history, 0, NULL, CAN_COURSE_GET },
	{ "PATCH", "/api/outcomes/{key}", RT_OUTCOME_AMEND, h_record_amend, F_TX, NULL, CAN_OUTCOMES_AMEND },
	{ "POST", "/api/outcomes/{key}/void", RT_OUTCOME_VOID, h_record_void, F_TX, NULL, CAN_OUTCOMES_VOID },
	{ "GET", "/api/outcomes/{key}/history", RT_OUTCOME_HISTORY, h_record_history, 0, NULL, CAN_COURSE_GET },
	{ "PATCH", "/api/adverse-events/{key}", RT_AE_AMEND, h_record_amend, F_TX, NULL, CAN_AES_AMEND },
	{ "POST", "/api/adverse-events/{key}/void", RT_AE_VOID, h_record_void, F_TX, NULL, CAN_AES_VOID },
	{ "GET", "/api/adverse-events/{key}/history", RT_AE_HISTORY, h_record_history, 0, NULL, CAN_COURSE_GET },
	{ "POST", "/api/optout/{id}", RT_OPTOUT, h_optout, F_TX, NULL, -1 },
	/* Patients registered twice, the protocols, a clinic's settings (api_patients.c). */
	{ "POST", "/api/patients/{id}/merge", RT_PATIENT_MERGE, h_patient_merge, F_TX, NULL, CAN_PATIENTS_MERGE },
	{ "POST", "/api/patients/{id}/unmerge", RT_PATIENT_UNMERGE, h_patient_merge, F_TX, NULL, CAN_PATIENTS_UNMERGE },
	{ "GET", "/api/patients/{id}/duplicates", RT_PATIENT_DUPLICATES, h_patient_duplicates, 0, NULL, CAN_PATIENTS_DUPLICATES },
	{ "GET", "/api/protocols", RT_PROTOCOLS_LIST, h_protocols, 0, NULL, CAN_PROTOCOLS },
	{ "GET", "/api/protocols/{id}", RT_PROTOCOL_GET, h_protocols, 0, NULL, CAN_PROTOCOLS },
	{ "GET", "/api/settings", RT_SETTINGS_GET, h_settings_get, 0, NULL, CAN_SETTINGS_GET },
	{ "PATCH", "/api/settings", RT_SETTINGS_SET, h_settings_set, F_TX, NULL, CAN_SETTINGS_SET },
	/* Users who come and go (api_users.c). */
	{ "POST", "/api/users/{id}/disable", RT_USER_DISABLE, h_user_disable, F_TX, NULL, CAN_USERS_DISABLE },
	{ "POST", "/api/users/{id}/enable", RT_USER_ENABLE, h_user_enable, F_TX, NULL, CAN_USERS_ENABLE },
	{ "POST", "/api/users/{id}/role", RT_USER_ROLE, h_user_role, F_TX, NULL, CAN_USERS_ROLE },
	{ "POST", "/api/users/{id}/reset", RT_USER_RESET, h_user_reset, F_TX | F_SLOW | F_HASH | F_SECRET, p_user_reset, CAN_USERS_RESET },
	{ "GET", "/api/users/{id}/sessions", RT_USER_SESSIONS, h_user_sessions, 0, NULL, CAN_USERS_SESSIONS },
	{ "POST", "/api/users/{id}/sessions/revoke", RT_USER_REVOKE, h_user_revoke, F_TX, NULL, CAN_USERS_REVOKE },
	{ "GET", "/api/instruments", RT_INSTRUMENTS_LIST, h_instruments_list, 0, NULL, CAN_INSTRUMENTS_GET },
	{ "GET", "/api/instruments/{id}", RT_INSTRUMENT_GET, h_instrument_get, 0, NULL, CAN_INSTRUMENTS_GET },
	{ "POST", "/api/instruments", RT_INSTRUMENTS_LOAD, h_instruments_load, F_TX, NULL, CAN_INSTRUMENTS_LOAD },
	/* The front desk (api_frontdesk.c). */
	{ "POST", "/api/patients/{id}/contact", RT_CONTACT_SET, h_contact_set, F_TX, NULL, CAN_CONTACTS_SET },
	{ "GET", "/api/patients/{id}/contact", RT_CONTACT_GET, h_contact_get, 0, NULL, CAN_CONTACTS_GET },
	{ "GET", "/api/followup/desk", RT_FOLLOWUP_DESK, h_followup_desk, F_SLOW, NULL, CAN_FOLLOWUP_LIST },
	{ "GET", "/api/courses/{id}/followup", RT_FOLLOWUP_GET, h_followup_get, 0, NULL, CAN_COURSE_GET },
	{ "GET", "/api/followup/dropouts", RT_FOLLOWUP_DROPOUTS, h_followup_dropouts, F_SLOW, NULL, CAN_FOLLOWUP_LIST },
	{ "GET", "/api/outbox", RT_OUTBOX_LIST, h_outbox_list, 0, NULL, CAN_OUTBOX },
	{ "POST", "/api/outbox/{id}/retry", RT_OUTBOX_RETRY, h_outbox_change, F_TX, NULL, CAN_OUTBOX },
	{ "POST", "/api/outbox/{id}/cancel", RT_OUTBOX_CANCEL, h_outbox_change, F_TX, NULL, CAN_OUTBOX },
	{ "POST", "/api/outreach/sms-receipt", RT_SMS_RECEIPT, h_sms_receipt, F_TX, NULL, -1 },
	{ "GET", "/api/calls", RT_CALLS_LIST, h_calls_list, 0, NULL, CAN_CALLS_LIST },
	{ "POST", "/api/calls", RT_CALLS_ADD, h_calls_add, F_TX, NULL, CAN_CALLS_ADD },
	{ "GET", "/api/alerts/assignees", RT_ALERTS_ASSIGNEES, h_alerts_assignees, 0, NULL, CAN_ALERTS_ASSIGN },
	{ "POST", "/api/alerts/snooze", RT_ALERTS_SNOOZE, h_alerts_state, F_TX, NULL, CAN_ALERTS_SNOOZE },
	{ "POST", "/api/alerts/assign", RT_ALERTS_ASSIGN, h_alerts_state, F_TX, NULL, CAN_ALERTS_ASSIGN },
	/* Appointments (api_booking.c), in an order no other run of the table has. */
	{ "GET", "/api/bookings", RT_BOOKINGS_LIST, h_bookings_list, 0, NULL, CAN_BOOKINGS_LIST },
	{ "POST", "/api/bookings", RT_BOOKINGS_ADD, h_bookings_add, F_TX, NULL, CAN_BOOKINGS_ADD },
	{ "POST", "/api/bookings/{id}/move", RT_BOOKING_MOVE, h_booking_change, F_TX, NULL, CAN_BOOKINGS_CHANGE },
	{ "POST", "/api/bookings/{id}/cancel", RT_BOOKING_CANCEL, h_booking_change, F_TX, NULL, CAN_BOOKINGS_CHANGE },
	{ "POST", "/api/bookings/{id}/no-show", RT_BOOKING_NOSHOW, h_booking_change, F_TX, NULL, CAN_BOOKINGS_CHANGE },
	{ "GET", "/api/bookings/proposal", RT_BOOKING_PROPOSAL, h_booking_proposal, 0, NULL, CAN_BOOKINGS_ADD },
	{ "GET", "/api/clinics/{id}/zone", RT_CLINIC_ZONE_GET, h_clinic_zone, 0, NULL, CAN_BOOKINGS_LIST },
	{ "POST", "/api/clinics/{id}/zone", RT_CLINIC_ZONE_SET, h_clinic_zone, F_TX, NULL, CAN_CLINIC_ZONE },
	{ "GET", "/api/schedule.ics", RT_SCHEDULE_ICS, h_schedule_ics, F_SLOW, NULL, CAN_BOOKINGS_LIST },
};

/* The role check of a route, before anything is read: the permission
 * matrix (app_role_may) for the action the route needs. PROLO_EAUTH
 * without a login, PROLO_EPERM for a role that may not. */
static enum prolo_code route_permit(struct http_req *rq, const struct route *rt, struct prolo_err *err)
{
	if (rt->action < 0)
		return PROLO_OK;
	if (!rq->authed)
		return prolo_err_set(err, PROLO_EAUTH, "", "please log in");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	return app_permit(&cx, (enum app_action)rt->action, NULL, NULL, NULL, err);
}

/* Matches path against a pattern whose "{id}" segment takes one non-empty
 * segment, copied to param. */
static bool match(const char *pattern, const char *path, char *param, size_t psz)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (strncmp(p, "{key}", 5) == 0) {
			/* The rest of the path up to the pattern's literal tail. */
			size_t tail = strlen(p + 5), rest = strlen(s);
			if (rest <= tail || strcmp(s + rest - tail, p + 5) != 0 || rest - tail >= psz)
				return false;
			memcpy(param, s, rest - tail);
			param[rest - tail] = '\0';
			return true;
		}
		if (strncmp(p, "{id}", 4) == 0) {
			const char *e = strchr(s, '/');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n == 0 || n >= psz)
				return false;
			memcpy(param, s, n);
			param[n] = '\0';
			p += 4;
			s += n;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

/* The Origin of a state-changing request, when a browser sends one, must
 * be this server. */
/* The Origin of a state-changing request, when a browser sends one, must
 * be this server: its scheme (https with TLS, else http) and the Host the
 * request was sent to, compared without case; behind a proxy that ends
 * TLS, the public origin the server was given (--public-origin). */
static enum prolo_code check_origin(struct http_req *rq, struct prolo_err *err)
{
	const char *origin = api_header(rq, "Origin");
	const char *host = api_header(rq, "Host");
	if (!origin)
		return PROLO_OK;
	bool same;
	if (rq->opt->public_origin) {
		same = strcasecmp(origin, rq->opt->public_origin) == 0;
	} else {
		const char *scheme = rq->tls ? "https://" : "http://";
		size_t n = strlen(scheme);
		same = host && strncasecmp(origin, scheme, n) == 0 && strcasecmp(origin + n, host) == 0;
	}
	if (!same)
		return prolo_err_set(err, PROLO_EPERM, "Origin", "cross-origin requests are not allowed");
	return PROLO_OK;
}

static void request_hash(struct http_req *rq, unsigned char out[STORE_HASH_LEN])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, STORE_HASH_LEN);
	crypto_generichash_update(&h, (const unsigned char *)rq->method, strlen(rq->method) + 1);
	crypto_generichash_update(&h, (const unsigned char *)rq->path, strlen(rq->path) + 1);
	crypto_generichash_update(&h, (const unsigned char *)rq->body, rq->body_len);
	crypto_generichash_final(&h, out, STORE_HASH_LEN);
}

static bool valid_idem_key(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return false;
	return true;
}

/* The idempotency step of a write, inside its transaction: PROLO_OK when
 * the handler should run (*use_key says whether to store the response);
 * otherwise the response is set (the stored first response, or an error)
 * and nothing is to be kept. */
static enum prolo_code idem_check(struct http_req *rq, unsigned char h[STORE_HASH_LEN],
                                  bool *use_key, struct prolo_err *err)
{
	*use_key = rq->idem_key && rq->authed;
	if (!*use_key)
		return PROLO_OK;
	unsigned char stored[STORE_HASH_LEN];
	int status = 0;
	char *text = NULL;
	request_hash(rq, h);
	enum prolo_code rc = store_idem_get(rq->st, rq->user.name, rq->idem_key, stored, &status, &text, err);
	if (rc == PROLO_ENOTFOUND)
		return PROLO_OK;
	if (rc) {
		api_fail(rq, err);
		return rc;
	}
	if (sodium_memcmp(stored, h, STORE_HASH_LEN) != 0) {
		prolo_err_set(err, PROLO_ECONFLICT, "Idempotency-Key", "this key was used for a different request");
		api_fail(rq, err);
	} else if (!text || !text[0]) {
		/* The first response held a secret and was not kept. */
		prolo_err_set(err, PROLO_ECONFLICT, "Idempotency-Key",
		              "this request was done; its response is not kept (it held a secret)");
		api_fail(rq, err);
	} else {
		buf_reset(&rq->out);
		buf_adds(&rq->out, text);
		rq->status = status;
		rq->replayed = true;
	}
	free(text);
	return PROLO_ECONFLICT; /* nothing to keep */
}

/* The handler of a write and its idempotency key, inside the caller's
 * transaction (or savepoint). PROLO_OK when its changes are to be kept;
 * otherwise the response is set and the changes must be rolled back. */
static enum prolo_code run_handler(struct http_req *rq, const struct route *rt, json_t *body,
                                   struct prolo_err *err)
{
	unsigned char h[STORE_HASH_LEN];
	bool use_key;
	enum prolo_code rc = idem_check(rq, h, &use_key, err);
	if (rc)
		return rc;
	rq->status = 0;
	rc = rt->fn(rq, body, err);
	if (rc || rq->status >= 300) {
		if (rc && rq->status < 300)
			api_fail(rq, err);
		return rc ? rc : PROLO_ECONFLICT;
	}
	if (use_key &&
	    (rc = store_idem_put(rq->st, rq->user.name, rq->idem_key, h, rq->status,
	                         (rt->flags & F_SECRET) ? "" : buf_str(&rq->out), rq->now, err))) {
		api_fail(rq, err);
		return rc;
	}
	return PROLO_OK;
}

/* Appends the rows a write left waiting in rq (its refusals) and forgets
 * them. PROLO_OK, or the store's code. */
static enum prolo_code append_waiting(struct http_req *rq, struct store *st, struct prolo_err *err)
{
	enum prolo_code rc = PROLO_OK;
	for (int i = 0; i < rq->n_audits && !rc; i++)
		rc = audit_append(st, &rq->audits[i], err);
	rq->n_audits = 0;
	return rc;
}

/* Inside a slow write's transaction: its session still stands, though a
 * logout or a disabled account may have come during its hash. PROLO_EAUTH
 * when not; store codes. */
static enum prolo_code session_stands(struct http_req *rq, struct prolo_err *err)
{
	struct store_login_session s;
	struct store_user u;
	if (!rq->authed)
		return PROLO_OK;
	enum prolo_code rc = store_login_session_get(rq->st, rq->sess.id_hash, &s, err);
	if (!rc)
		rc = store_user_get(rq->st, s.user, &u, err);
	if (!rc) {
		sodium_memzero(u.pwhash, sizeof u.pwhash);
		if (u.disabled)
			rc = PROLO_ENOTFOUND;
	}
	return rc == PROLO_ENOTFOUND ? prolo_err_set(err, PROLO_EAUTH, "", "please log in") : rc;
}

/* F_SLOW writes, on a slow lane thread once their prep (the hash) is done:
 * one short transaction of their own on its connection, under the writer
 * lock. */
static void run_write_here(struct http_req *rq, const struct route *rt, json_t *body)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	audit_writer_enter();
	rq->in_writer = true;
	rq->n_audits = 0;
	if (store_begin(rq->st, &err)) {
		api_fail(rq, &err);
	} else if (session_stands(rq, &err)) {
		store_rollback(rq->st);
		api_fail(rq, &err);
	} else if (run_handler(rq, rt, body, &err) != PROLO_OK) {
		store_rollback(rq->st);
		/* Refusals are kept: a transaction of their own. */
		struct prolo_err e2;
		if (rq->n_audits && store_begin(rq->st, &e2) == PROLO_OK &&
		    (append_waiting(rq, rq->st, &e2) || store_commit(rq->st, &e2)))
			store_rollback(rq->st);
	} else if ((rq->n_audits && append_waiting(rq, rq->st, &err)) || store_commit(rq->st, &err)) {
		store_rollback(rq->st);
		rq->set_cookie[0] = '\0';
		api_fail(rq, &err);
	}
	rq->in_writer = false;
	audit_writer_leave();
}

static struct http_req *job_req(struct writer_job *j)
{
	return (struct http_req *)(void *)((char *)j - offsetof(struct http_req, job));
}

/* writer_run_fn of a write: the handler on the writer's connection. */
static enum prolo_code job_write(struct writer_job *j, struct store *st, struct prolo_err *err)
{
	struct http_req *rq = job_req(j);
	rq->st = st;
	rq->in_writer = true;
	rq->n_audits = 0;
	rq->undone = NULL;
	enum prolo_code rc = run_handler(rq, rq->route_def, rq->json, err);
	if (!rc && (rc = append_waiting(rq, st, err)))
		api_fail(rq, err);
	return rc;
}

/* writer_run_fn after a write's savepoint was rolled back: its refusals
 * are kept all the same (in the batch's transaction). A failure leaves
 * the response as it is. */
static enum prolo_code job_write_undone(struct writer_job *j, struct store *st, struct prolo_err *err)
{
	struct http_req *rq = job_req(j);
	enum prolo_code rc = append_waiting(rq, st, err);
	if (!rc && rq->undone)
		rc = rq->undone(rq, st, err);
	return rc;
}

/* A request that is not a write (F_TX): the handler, its error, and its
 * audit rows. Nothing is shown that was not audited: the rows are spooled
 * (safe from a crash of the process) before the answer goes out. */
static void run_read(struct http_req *rq, const struct route *rt, json_t *body)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	rq->status = 0;
	enum prolo_code rc = rt->fn(rq, body, &err);
	if (rc != PROLO_OK && rq->status < 300) {
		api_fail(rq, &err);
	}
	if (rq->n_audits && writer_audit(rq->writer, rq->audits, rq->n_audits, &err) != PROLO_OK) {
		rq->set_cookie[0] = '\0';
		api_fail(rq, &err);
	}
	rq->n_audits = 0;
}

/* The session check again, on the lane: the request may have waited
 * there behind others, and a logout or a disabled account since then
 * counts. False with the response set when the session no longer holds. */
static bool session_holds(struct http_req *rq)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	if (!rq->authed)
		return true;
	if (login_session(rq->st, rq->writer, api_cookie_token(rq), rq->now,
	                  &(struct login_policy){ rq->opt->session_idle_s, rq->opt->session_absolute_s },
	                  &rq->sess, &rq->user, &err) ||
	    route_permit(rq, rq->route_def, &err)) {
		api_fail(rq, &err);
		return false;
	}
	return true;
}

/* writer_run_fn of an F_SLOW request, on a slow lane thread and its
 * connection. The response is set either way. */
static enum prolo_code job_slow(struct writer_job *j, struct store *st, struct prolo_err *err)
{
	struct http_req *rq = job_req(j);
	const struct route *rt = rq->route_def;
	(void)err;
	rq->st = st;
	if (rt->flags & F_TX) {
		if (!session_holds(rq))
			return PROLO_OK;
		prolo_err_clear(&rq->prep_err);
		rq->prep_rc = rt->prep ? rt->prep(rq, rq->json, &rq->prep_err) : PROLO_OK;
		run_write_here(rq, rt, rq->json);
	} else {
		bool snap = rt->id != RT_LOGIN && store_read_begin(st, NULL) == PROLO_OK;
		if (session_holds(rq))
			run_read(rq, rt, rq->json);
		if (snap)
			store_read_end(st);
	}
	return PROLO_OK;
}

/* writer_done_fn of both: an error if the commit failed, then back to the
 * server. */
static void job_done(struct writer_job *j, bool lost, const struct prolo_err *err)
{
	struct http_req *rq = job_req(j);
	if (lost) {
		rq->set_cookie[0] = '\0';
		rq->replayed = false;
		api_fail(rq, err);
	}
	rq->st = NULL;
	rq->in_writer = false;
	json_decref(rq->json);
	rq->json = NULL;
	sodium_memzero(&rq->prep_user, sizeof rq->prep_user);
	sodium_memzero(rq->prep_old, sizeof rq->prep_old);
	if (rq->resume)
		rq->resume(rq);
}

void api_unavailable(struct http_req *rq, const char *why)
{
	struct prolo_err err;
	prolo_err_set(&err, PROLO_ECONFLICT, "", "%s", why);
	api_error(rq, 503, "unavailable", &err);
	snprintf(rq->retry_after, sizeof rq->retry_after, "%d", RETRY_AFTER_S);
	rq->set_cookie[0] = '\0';
	json_decref(rq->json);
	rq->json = NULL;
}

static bool dispatch_route(struct http_req *rq, const struct route *rt, bool post);

bool api_dispatch(struct http_req *rq)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	const struct route *rt = NULL;
	bool path_known = false;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		char param[HTTP_PARAM_MAX];
		if (!match(routes[i].pattern, rq->path, param, sizeof param))
			continue;
		path_known = true;
		rq->pattern = routes[i].pattern;
		bool head = strcmp(rq->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0;
		if (strcmp(routes[i].method, rq->method) == 0 || head) {
			rt = &routes[i];
			memcpy(rq->param, param, sizeof param);
			break;
		}
	}
	if (!rt) {
		if (!path_known)
			rq->pattern = "/api/?";
		prolo_err_set(&err, path_known ? PROLO_EINVAL : PROLO_ENOTFOUND, "",
		              path_known ? "method not allowed" : "no such API route");
		api_error(rq, path_known ? 405 : 404, path_known ? "method_not_allowed" : NULL, &err);
		return false;
	}
	rq->route = rt->id;
	if (!rq->st) {
		prolo_err_set(&err, PROLO_EDB, "", "the registry cannot be opened");
		api_fail(rq, &err);
		return false;
	}
	bool post = strcmp(rt->method, "POST") == 0 || strcmp(rt->method, "PATCH") == 0;
	/* One read snapshot from the session check to the end of a read
	 * (login writes on its own; a write ends it before the writer). */
	bool snap = rt->id != RT_LOGIN && store_read_begin(rq->st, &err) == PROLO_OK;
	bool deferred = dispatch_route(rq, rt, post);
	if (snap)
		store_read_end(rq->st);
	return deferred;
}

/* api_dispatch once the route is known, inside its read snapshot. */
static bool dispatch_route(struct http_req *rq, const struct route *rt, bool post)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	if (rt->action >= 0) {
		if (login_session(rq->st, rq->writer, api_cookie_token(rq), rq->now,
		                  &(struct login_policy){ rq->opt->session_idle_s, rq->opt->session_absolute_s },
		                  &rq->sess, &rq->user, &err)) {
			api_fail(rq, &err);
			return false;
		}
		rq->authed = true;
	}
	if (route_permit(rq, rt, &err) ||
	    (post && rq->authed && login_csrf(&rq->sess, api_header(rq, "X-CSRF-Token"), &err)) ||
	    (post && check_origin(rq, &err))) {
		api_fail(rq, &err);
		return false;
	}
	json_t *body = NULL;
	if (post) {
		if (rq->body_len == 0 && rt->id == RT_LOGOUT)
			body = json_object();
		else if (hjson_parse(rq->body, rq->body_len, &body, &err)) {
			api_fail(rq, &err);
			return false;
		}
	}
	if (rt->flags & F_TX) {
		rq->idem_key = api_header(rq, "Idempotency-Key");
		if (rq->idem_key && !valid_idem_key(rq->idem_key)) {
			prolo_err_set(&err, PROLO_EINVAL, "Idempotency-Key", "must be 1-%d printable characters",
			              IDEM_KEY_MAX);
			api_fail(rq, &err);
			json_decref(body);
			return false;
		}
		store_read_end(rq->st);
	}
	if (!(rt->flags & (F_TX | F_SLOW))) {
		run_read(rq, rt, body);
		json_decref(body);
		return false;
	}
	/* Another thread runs it: the slow lane, or the writer for a write. */
	rq->route_def = rt;
	rq->json = body;
	rq->slow = rt->flags & F_SLOW;
	rq->slow_hash = rt->flags & F_HASH;
	rq->job = rq->slow ? (struct writer_job){ .run = job_slow, .done = job_done }
	                   : (struct writer_job){ .run = job_write, .undone = job_write_undone,
	                                          .done = job_done, .durable = true };
	/* A login the throttle refuses already is answered now, without its
	 * hash; the others are queued by how likely they are the owner's. */
	if ((rt->id == RT_LOGIN && !login_triage(rq, body, &rq->job)) ||
	    (rt->id == RT_SMS_RECEIPT && !receipt_triage(rq))) {
		json_decref(body);
		rq->json = NULL;
		return false;
	}
	return true;
}
