/* The JSON API of docs/api.md: one route table, one dispatcher that runs
 * the same steps for every route (session, auth_permit, CSRF, strict body,
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
#include <time.h>

#include "core/instruments.h"
#include "http/audit.h"
#include "http/auth.h"
#include "http/chart_cache.h"
#include "core/rec_json.h"
#include "http/hjson.h"
#include "http/http_int.h"
#include "registry/alerts.h"
#include "registry/plan.h"
#include "registry/protocol.h"
#include "registry/registry.h"
#include "report/report.h"

#define COOKIE "prolo_session"
#define LIST_DEFAULT 50
#define LIST_MAX 500
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
};

/* ---- responses --------------------------------------------------------- */

void api_error(struct http_req *rq, int status, const char *code_name, const struct prolo_err *err)
{
	struct prolo_err e = *err;
	rq->status = status;
	rq->content_type = "application/json";
	buf_reset(&rq->out);
	json_t *o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
	                      code_name ? code_name : prolo_err_name(e.code), "message",
	                      e.msg[0] ? e.msg : "error", "field", e.field);
	if (o) {
		hjson_dump(&rq->out, o);
		json_decref(o);
	} else {
		hjson_error(&rq->out, &e);
	}
}

static void api_fail(struct http_req *rq, const struct prolo_err *err)
{
	api_error(rq, prolo_err_http_status(err->code), NULL, err);
}

/* Takes ownership of v. */
static enum prolo_code reply(struct http_req *rq, int status, json_t *v, struct prolo_err *err)
{
	if (!v)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	buf_reset(&rq->out);
	enum prolo_code rc = hjson_dump(&rq->out, v);
	json_decref(v);
	if (rc)
		return prolo_err_set(err, rc, "", "the response is too large");
	rq->status = status;
	return PROLO_OK;
}

static const char *query(struct http_req *rq, const char *name)
{
	const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
	return v && v[0] ? v : NULL;
}

static const char *header(struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

static const char *cookie_token(struct http_req *rq)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, COOKIE);
}

/* The audit row of a request. A write's row joins the write on the
 * writer's connection (same savepoint, same commit). A read's row waits in
 * rq: api_dispatch spools it (writer_audit) before the response goes out. PROLO_OK, or the store's code. */
static enum prolo_code audit_as(struct http_req *rq, const char *user, const char *action,
                                const char *record, const char *detail, struct prolo_err *err)
{
	if (rq->in_writer)
		return audit_log_event(rq->st, user, action, record, rq->addr, detail, err);
	assert(rq->n_audits < HTTP_AUDITS_MAX);
	if (rq->n_audits >= HTTP_AUDITS_MAX)
		return prolo_err_set(err, PROLO_EDB, "", "too many audit rows for one request");
	audit_row(&rq->audits[rq->n_audits++], user, action, record, rq->addr, detail);
	return PROLO_OK;
}

static enum prolo_code audit(struct http_req *rq, const char *action, const char *kind,
                             const char *id, const char *detail, struct prolo_err *err)
{
	char record[2 * REC_ID_MAX + 16];
	if (kind)
		snprintf(record, sizeof record, "%s:%s", kind, id);
	else
		record[0] = '\0';
	return audit_as(rq, rq->authed ? rq->user.name : "anonymous", action, record, detail, err);
}

/* The user and, in "can", the names of the routes their role may use
 * (from the one permission matrix), so the UI offers nothing the server
 * would refuse. */
static json_t *user_json_can(const struct store_user *u, bool with_can)
{
	json_t *can = with_can ? json_array() : NULL;
	for (int r = 0; can && r < RT__COUNT; r++)
		if (!auth_route_public((enum route_id)r) && auth_role_may(u->role, (enum route_id)r))
			json_array_append_new(can, json_string(auth_route_name((enum route_id)r)));
	return json_pack("{s:s,s:s,s:s?,s:o*}", "name", u->name, "role", store_role_names[u->role],
	                 "clinic", u->clinic[0] ? u->clinic : NULL, "can", can);
}

static json_t *user_json(const struct store_user *u)
{
	return user_json_can(u, false);
}

/* Rejects members of body other than the listed keys (NULL-terminated). */
static enum prolo_code only_keys(const json_t *body, const char *const *keys, struct prolo_err *err)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)body, key, v) {
		bool ok = false;
		for (const char *const *k = keys; *k && !ok; k++)
			ok = strcmp(*k, key) == 0;
		if (!ok) {
			char shown[64];
			snprintf(shown, sizeof shown, "%s", key);
			return prolo_err_set(err, PROLO_EINVAL, shown, "unknown field '%s'", shown);
		}
	}
	return PROLO_OK;
}

static enum prolo_code need_str(const json_t *body, const char *key, const char **out,
                                struct prolo_err *err)
{
	enum prolo_code rc = hjson_str(body, key, out, err);
	if (!rc && (!*out || !**out))
		return prolo_err_set(err, PROLO_EINVAL, key, "is required");
	return rc;
}

static int32_t today(void)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return dom_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- records and their clinic ------------------------------------------ */

/* The clinic check of a patient's record; a refusal is audited. */
static enum prolo_code permit_patient(struct http_req *rq, const char *id, const char *clinic,
                                      struct prolo_err *err)
{
	enum prolo_code rc = auth_permit(&rq->user, rq->route, clinic, err);
	if (rc == PROLO_EPERM) {
		/* A write's savepoint is rolled back with the refusal, so its
		 * row waits in rq like a read's: appended after the rollback. */
		struct prolo_err ignore;
		bool w = rq->in_writer;
		rq->in_writer = false;
		audit(rq, "denied", "patient", id, auth_route_name(rq->route), &ignore);
		rq->in_writer = w;
	}
	return rc;
}

static enum prolo_code load_patient(struct http_req *rq, const char *id, struct patient *p,
                                    struct prolo_err *err)
{
	rec_init(REC_PATIENT, p);
	if (!dom_id_valid(id, strlen(id)))
		return prolo_err_set(err, PROLO_EINVAL, "patient_id", "not a valid id");
	snprintf(p->patient_id, sizeof p->patient_id, "%s", id);
	enum prolo_code rc = store_get(rq->st, REC_PATIENT, p, err);
	return rc ? rc : permit_patient(rq, id, p->clinic, err);
}

/* Loads a course and checks the clinic of its patient. */
static enum prolo_code load_course(struct http_req *rq, const char *id, struct course *c,
                                   struct patient *p, struct prolo_err *err)
{
	rec_init(REC_COURSE, c);
	if (!dom_id_valid(id, strlen(id)))
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "not a valid id");
	snprintf(c->course_id, sizeof c->course_id, "%s", id);
	enum prolo_code rc = store_get(rq->st, REC_COURSE, c, err);
	if (rc)
		return rc;
	return load_patient(rq, c->patient_id, p, err);
}

/* ---- records as JSON trees --------------------------------------------- */

struct collect {
	enum rec_kind kind;
	json_t *arr;
};

static enum prolo_code collect_row(void *ctx, const void *rec, struct prolo_err *err)
{
	struct collect *cl = ctx;
	json_t *o = rec_to_json(cl->kind, rec, false, false);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (cl->kind == REC_SESSION) {
		char paw[64], mishra[64];
		rec_session_paw(rec, paw, sizeof paw);
		rec_session_mishra(rec, mishra, sizeof mishra);
		json_object_set_new(o, "prp_paw", paw[0] ? json_string(paw) : json_null());
		json_object_set_new(o, "prp_mishra", mishra[0] ? json_string(mishra) : json_null());
		json_object_set_new(o, "injections", json_array());
	}
	if (cl->kind == REC_INJECTION) {
		const struct injection *in = rec;
		size_t i;
		json_t *s;
		json_array_foreach(cl->arr, i, s) {
			json_t *no = json_object_get(s, "session_no");
			if (no && json_integer_value(no) == in->session_no) {
				json_array_append_new(json_object_get(s, "injections"), o);
				return PROLO_OK;
			}
		}
		json_decref(o);
		return PROLO_OK;
	}
	json_array_append_new(cl->arr, o);
	return PROLO_OK;
}

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

static enum prolo_code put_outcome(void *ctx, const void *rec, struct prolo_err *err)
{
	enum prolo_code rc = put_plain(ctx, rec, REC_OUTCOME);
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
	if (ch->n_inj == ch->cap_inj) {
		size_t cap = ch->cap_inj ? 2 * ch->cap_inj : 16;
		struct injection *grown = realloc(ch->inj, cap * sizeof *grown);
		if (!grown)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		ch->inj = grown;
		ch->cap_inj = cap;
	}
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
static enum prolo_code put_course(struct http_req *rq, struct buf *b, const struct course *c,
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
	    (rc = buf_adds(b, "]}"))) {
		if (rc == PROLO_ETOOBIG || rc == PROLO_ENOMEM)
			prolo_err_set(err, rc, "", "the response is too large");
	}
done:
	free(ch.inj);
	return rc;
}

struct course_list {
	struct http_req *rq;
	json_t *arr;                /* course summaries (list) */
	struct buf *b;              /* full courses (chart) */
	bool first;
};

static enum prolo_code add_course(void *ctx, const void *rec, struct prolo_err *err)
{
	struct course_list *cl = ctx;
	if (cl->b) {
		enum prolo_code rc = cl->first ? PROLO_OK : buf_addc(cl->b, ',');
		cl->first = false;
		return rc ? prolo_err_set(err, rc, "", "the response is too large")
		          : put_course(cl->rq, cl->b, rec, err);
	}
	json_t *o = rec_to_json(REC_COURSE, rec, false, false);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_array_append_new(cl->arr, o);
	return PROLO_OK;
}

/* ---- handlers: session ------------------------------------------------- */

static void set_cookie(struct http_req *rq, const char *value, bool clear)
{
	snprintf(rq->set_cookie, sizeof rq->set_cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
	         COOKIE, value, rq->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

static enum prolo_code h_login(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "username", "password", NULL };
	const char *name, *pw;
	enum prolo_code rc;
	if ((rc = only_keys(body, keys, err)) || (rc = need_str(body, "username", &name, err)) ||
	    (rc = need_str(body, "password", &pw, err)))
		return rc;
	if (strlen(name) >= REC_ID_MAX)
		return prolo_err_set(err, PROLO_EAUTH, "password", "wrong user name or password");
	char token[AUTH_TOKEN_HEX], csrf[AUTH_TOKEN_HEX];
	int64_t retry = 0;
	struct store_user u;
	memset(&u, 0, sizeof u);
	/* The attempt is counted before the Argon2id check, under the write
	 * lock, so parallel guesses cannot outrun the throttle; the check
	 * itself runs outside the lock. */
	struct prolo_err e2;
	audit_writer_enter();
	rc = store_begin(rq->st, err);
	if (!rc) {
		rc = auth_login_reserve(rq->st, name, rq->addr, rq->now, &retry, err);
		if (!rc)
			rc = store_commit(rq->st, err);
		if (rc)
			store_rollback(rq->st);
	}
	audit_writer_leave();
	if (rc) {
		if (retry > 0)
			snprintf(rq->retry_after, sizeof rq->retry_after, "%lld", (long long)retry);
		return rc;
	}
	rc = auth_login_check(rq->st, name, pw, &u, err);
	bool ok = rc == PROLO_OK;
	struct prolo_err keep = *err;
	audit_writer_enter();
	enum prolo_code wrc = store_begin(rq->st, &e2);
	if (!wrc) {
		store_login_session_purge(rq->st,
		                          rq->now - (rq->opt->session_idle_s > 0 ? rq->opt->session_idle_s : 1800),
		                          rq->now - (rq->opt->session_absolute_s > 0 ? rq->opt->session_absolute_s : 43200),
		                          NULL);
		store_idem_purge(rq->st, rq->now - 86400, NULL); /* keys live a day */
		if (ok)
			wrc = auth_login_record(rq->st, name, rq->addr, rq->now, &u, token, csrf, &e2);
		if (!wrc)
			wrc = audit_log_event(rq->st, ok ? u.name : name, ok ? "login" : "login.failed", "",
			                      rq->addr, "", &e2);
		if (!wrc)
			wrc = store_commit(rq->st, &e2);
		if (wrc)
			store_rollback(rq->st);
	}
	audit_writer_leave();
	if (!ok) {
		*err = keep;
		return PROLO_EAUTH;
	}
	if (wrc) {
		*err = e2;
		return wrc;
	}
	set_cookie(rq, token, false);
	rq->authed = true;
	rq->user = u;
	sodium_memzero(token, sizeof token);
	return reply(rq, 200, json_pack("{s:s,s:o}", "csrf_token", csrf, "user", user_json_can(&u, true)), err);
}

static enum prolo_code h_logout(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { NULL };
	enum prolo_code rc = only_keys(body, keys, err);
	if (!rc)
		rc = store_login_session_delete(rq->st, rq->sess.id_hash, NULL, NULL, err);
	if (!rc)
		rc = audit(rq, "logout", NULL, NULL, "", err);
	if (rc)
		return rc;
	set_cookie(rq, "", true);
	return reply(rq, 200, json_object(), err);
}

static enum prolo_code h_me(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	return reply(rq, 200, json_pack("{s:o,s:s}", "user", user_json_can(&rq->user, true), "csrf_token",
	                                rq->sess.csrf), err);
}

/* The prep of a password change, outside the write lock: checks the old
 * password and hashes the new one. */
static enum prolo_code p_password(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "old_password", "new_password", NULL };
	const char *old, *neu;
	enum prolo_code rc;
	if ((rc = only_keys(body, keys, err)) || (rc = need_str(body, "old_password", &old, err)) ||
	    (rc = need_str(body, "new_password", &neu, err)))
		return rc;
	struct store_user *u = &rq->prep_user;
	if ((rc = store_user_get(rq->st, rq->user.name, u, err)))
		return rc;
	if (!auth_password_ok(u->pwhash, old))
		return prolo_err_set(err, PROLO_EPERM, "old_password", "is not your current password");
	snprintf(rq->prep_old, sizeof rq->prep_old, "%s", u->pwhash);
	if ((rc = auth_hash_password(neu, u->pwhash, err)))
		snprintf(err->field, sizeof err->field, "new_password");
	return rc;
}

/* In the transaction: the new hash replaces the one the old password was
 * checked against, if it is still there (else another change came first:
 * 409, nothing stored). */
static enum prolo_code h_password(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	if (rq->prep_rc) {
		*err = rq->prep_err;
		return rq->prep_rc;
	}
	const struct store_user *u = &rq->prep_user;
	struct store_user cur;
	enum prolo_code rc = store_user_get(rq->st, u->name, &cur, err);
	if (rc)
		return rc;
	bool same = strcmp(cur.pwhash, rq->prep_old) == 0;
	sodium_memzero(cur.pwhash, sizeof cur.pwhash);
	if (!same)
		return prolo_err_set(err, PROLO_ECONFLICT, "old_password",
		                     "the password was changed meanwhile; try again");
	if ((rc = store_user_set_password(rq->st, u->name, u->pwhash, err)) ||
	    (rc = store_login_session_delete(rq->st, NULL, u->name, rq->sess.id_hash, err)) ||
	    (rc = audit(rq, "password.change", "user", u->name, "", err)))
		return rc;
	return reply(rq, 200, json_object(), err);
}

/* ---- handlers: patients ------------------------------------------------ */

static enum prolo_code list_limit(struct http_req *rq, int *limit, struct prolo_err *err)
{
	const char *l = query(rq, "limit");
	long n = LIST_DEFAULT;
	if (l && !dom_parse_long(l, strlen(l), 1, LIST_MAX, &n))
		return prolo_err_set(err, PROLO_EINVAL, "limit", "must be a whole number 1..%d", LIST_MAX);
	*limit = (int)n;
	return PROLO_OK;
}

static enum prolo_code h_patients_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	const char *clinic = rq->user.role == ROLE_ADMIN ? query(rq, "clinic") : rq->user.clinic;
	const char *q = query(rq, "q");
	int limit;
	enum prolo_code rc = list_limit(rq, &limit, err);
	if (rc || (rc = auth_permit(&rq->user, rq->route, clinic, err)))
		return rc;
	if (q && strlen(q) > 100)
		return prolo_err_set(err, PROLO_EINVAL, "q", "is too long (at most 100 bytes)");
	struct store_filter f = { .clinic = clinic, .search = q, .limit = limit };
	struct collect cl = { REC_PATIENT, json_array() };
	if (!cl.arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if ((rc = store_scan(rq->st, REC_PATIENT, &f, collect_row, &cl, err))) {
		json_decref(cl.arr);
		return rc;
	}
	char detail[64];
	snprintf(detail, sizeof detail, "%zu patients%s", json_array_size(cl.arr), q ? ", search" : "");
	if ((rc = audit(rq, "patient.list", NULL, NULL, detail, err))) {
		json_decref(cl.arr);
		return rc;
	}
	return reply(rq, 200, json_pack("{s:o}", "patients", cl.arr), err);
}

static enum prolo_code h_patients_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct patient p;
	rec_init(REC_PATIENT, &p);
	enum prolo_code rc = rec_from_json(REC_PATIENT, &p, body, NULL, err);
	if (rc)
		return rc;
	if (!p.clinic[0] && rq->user.clinic[0])
		snprintf(p.clinic, sizeof p.clinic, "%s", rq->user.clinic);
	if ((rc = auth_permit(&rq->user, rq->route, p.clinic[0] ? p.clinic : NULL, err)) ||
	    (rc = registry_add(rq->st, REC_PATIENT, &p, REG_INTERACTIVE, err)) ||
	    (rc = audit(rq, "patient.create", "patient", p.patient_id, "", err)))
		return rc;
	return reply(rq, 201, json_pack("{s:o}", "patient", rec_to_json(REC_PATIENT, &p, false, false)), err);
}

static enum prolo_code h_patient_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct buf *b = &rq->out;
	buf_reset(b);
	/* The snapshot's version (the session check has read in it). A hit
	 * needs no read: the cached clinic is the one at this version. */
	uint64_t version = store_data_version(rq->st);
	char clinic[REC_ID_MAX];
	enum prolo_code rc;
	if (dom_id_valid(rq->param, strlen(rq->param)) &&
	    chart_cache_get(rq->charts, rq->param, version, b, clinic, sizeof clinic)) {
		if ((rc = permit_patient(rq, rq->param, clinic, err))) {
			buf_reset(b);
			return rc;
		}
	} else {
		struct patient p;
		if ((rc = load_patient(rq, rq->param, &p, err)))
			return rc;
		struct course_list cl = { .rq = rq, .b = b, .first = true };
		struct store_filter f = { .patient_id = p.patient_id };
		bool first = true;
		if ((rc = buf_adds(b, "{\"patient\":{")) || (rc = hjson_put_fields(b, &first, REC_PATIENT, &p)) ||
		    (rc = buf_adds(b, "},\"courses\":[")))
			return prolo_err_set(err, rc, "", "the response is too large");
		if ((rc = store_scan(rq->st, REC_COURSE, &f, add_course, &cl, err)))
			return rc;
		if ((rc = buf_adds(b, "]}")))
			return prolo_err_set(err, rc, "", "the response is too large");
		chart_cache_put(rq->charts, p.patient_id, p.clinic, version, b->data, b->len);
	}
	if ((rc = audit(rq, "patient.read", "patient", rq->param, "chart", err)))
		return rc;
	rq->status = 200;
	return PROLO_OK;
}

/* ---- handlers: courses ------------------------------------------------- */

static enum prolo_code h_courses_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	const char *pid = query(rq, "patient_id");
	struct patient p;
	enum prolo_code rc;
	const char *clinic = NULL;
	if (pid) {
		if ((rc = load_patient(rq, pid, &p, err)))
			return rc;
	} else {
		clinic = rq->user.role == ROLE_ADMIN ? query(rq, "clinic") : rq->user.clinic;
		if ((rc = auth_permit(&rq->user, rq->route, clinic, err)))
			return rc;
	}
	int limit;
	if ((rc = list_limit(rq, &limit, err)))
		return rc;
	struct course_list cl = { .rq = rq, .arr = json_array() };
	struct store_filter f = { .patient_id = pid, .clinic = clinic, .limit = pid ? 0 : limit };
	if (!cl.arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if ((rc = store_scan(rq->st, REC_COURSE, &f, add_course, &cl, err)) ||
	    (rc = audit(rq, "course.list", pid ? "patient" : NULL, pid, "", err))) {
		json_decref(cl.arr);
		return rc;
	}
	return reply(rq, 200, json_pack("{s:o}", "courses", cl.arr), err);
}

/* What a new course may carry beyond its plan: it starts planned or
 * active (ending goes through /end, with its own permission), and only a
 * clinician or an admin overrides a block, in their own name (override_by
 * defaults to the user; another name is refused). PROLO_EINVAL or
 * PROLO_EPERM with the field named; on PROLO_OK c->override_by is the
 * user's name when there is an override. */
static enum prolo_code course_create_fields(struct http_req *rq, const json_t *body, struct course *c,
                                            struct prolo_err *err)
{
	if (c->status != CS_PLANNED && c->status != CS_ACTIVE)
		return prolo_err_set(err, PROLO_EINVAL, "status",
		                     "a new course is planned or active; end a course with POST /api/courses/{id}/end");
	static const char *const ending[] = { "end_date", "end_reason", NULL };
	for (int i = 0; ending[i]; i++) {
		const json_t *v = json_object_get(body, ending[i]);
		if (v && !json_is_null(v))
			return prolo_err_set(err, PROLO_EINVAL, ending[i],
			                     "is set by POST /api/courses/{id}/end, not on creation");
	}
	if (!c->override_reason[0] && !c->override_by[0])
		return PROLO_OK;
	if (!c->override_reason[0])
		return prolo_err_set(err, PROLO_EINVAL, "override_reason", "is required with override_by");
	if (rq->user.role != ROLE_CLINICIAN && rq->user.role != ROLE_ADMIN)
		return prolo_err_set(err, PROLO_EPERM, "override_reason",
		                     "only a clinician or an admin may override a contraindication");
	if (c->override_by[0] && strcmp(c->override_by, rq->user.name) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "override_by",
		                     "must be the logged-in user (it defaults to them)");
	if (strlen(rq->user.name) >= sizeof c->override_by)
		return prolo_err_set(err, PROLO_EINVAL, "override_by", "the user name is too long");
	snprintf(c->override_by, sizeof c->override_by, "%s", rq->user.name);
	return PROLO_OK;
}

static enum prolo_code h_courses_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct course c;
	struct patient p;
	rec_init(REC_COURSE, &c);
	enum prolo_code rc = rec_from_json(REC_COURSE, &c, body, NULL, err);
	if (rc)
		return rc;
	if (c.status < 0)
		c.status = CS_PLANNED;
	if ((rc = course_create_fields(rq, body, &c, err)))
		return rc;
	if (!c.patient_id[0])
		return prolo_err_set(err, PROLO_EINVAL, "patient_id", "is required");
	if ((rc = load_patient(rq, c.patient_id, &p, err)))
		return rc;
	/* Planning checks contraindications and applies the protocol, if any. */
	char proto[REC_NAME_MAX];
	snprintf(proto, sizeof proto, "%s", c.protocol);
	struct protocol_lib lib = { 0 };
	struct plan_findings pf;
	memset(&pf, 0, sizeof pf);
	if (proto[0] && (rc = protocol_lib_load(NULL, &lib, err)))
		return rc;
	rc = plan_course(rq->st, &c, proto[0] ? proto : NULL, &lib, &pf, err);
	protocol_lib_free(&lib);
	if (rc || (rc = audit(rq, "course.create", "course", c.course_id, "", err)))
		return rc;
	json_t *warnings = json_array();
	for (size_t i = 0; warnings && i < pf.n; i++)
		json_array_append_new(warnings, json_pack("{s:s,s:s,s:s}", "rule", pf.items[i].rule,
		                      "severity", pf.items[i].severity == PLAN_BLOCK ? "block" : "warn",
		                      "message", pf.items[i].message));
	json_t *plan = plan_findings_to_json(&pf);
	return reply(rq, 201, json_pack("{s:o,s:o,s:o*}", "course", rec_to_json(REC_COURSE, &c, false, false),
	                                "warnings", warnings, "plan", plan), err);
}

static enum prolo_code h_course_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct course c;
	struct patient p;
	enum prolo_code rc = load_course(rq, rq->param, &c, &p, err);
	if (rc)
		return rc;
	buf_reset(&rq->out);
	if ((rc = buf_adds(&rq->out, "{\"course\":")))
		return prolo_err_set(err, rc, "", "the response is too large");
	if ((rc = put_course(rq, &rq->out, &c, err)) ||
	    (rc = audit(rq, "course.read", "course", c.course_id, "", err)))
		return rc;
	if ((rc = buf_addc(&rq->out, '}')))
		return prolo_err_set(err, rc, "", "the response is too large");
	rq->status = 200;
	return PROLO_OK;
}

static enum prolo_code h_course_end(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "status", "end_date", "reason", NULL };
	const char *status, *date, *reason;
	enum prolo_code rc;
	if ((rc = only_keys(body, keys, err)) || (rc = need_str(body, "status", &status, err)) ||
	    (rc = need_str(body, "end_date", &date, err)) || (rc = hjson_str(body, "reason", &reason, err)))
		return rc;
	int st = dom_lookup(dom_status_names, CS__COUNT, status, strlen(status));
	if (st < 0)
		return prolo_err_set(err, PROLO_EINVAL, "status", "unknown status");
	int32_t d;
	if (!dom_date_parse(date, strlen(date), &d))
		return prolo_err_set(err, PROLO_EINVAL, "end_date", "'%.20s' is not a valid date (YYYY-MM-DD)", date);
	if (reason && strlen(reason) >= REC_TEXT_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "reason", "is too long");
	struct course c;
	struct patient p;
	if ((rc = load_course(rq, rq->param, &c, &p, err)) ||
	    (rc = store_course_end(rq->st, c.course_id, st, d, reason, err)) ||
	    (rc = audit(rq, "course.end", "course", c.course_id, status, err)))
		return rc;
	if ((rc = store_get(rq->st, REC_COURSE, &c, err)))
		return rc;
	return reply(rq, 200, json_pack("{s:o}", "course", rec_to_json(REC_COURSE, &c, false, false)), err);
}

/* ---- handlers: sessions, outcomes, adverse events ---------------------- */

static enum prolo_code h_sessions_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const extra[] = { "injections", NULL };
	struct session s;
	struct course c;
	struct patient p;
	struct injection *inj = NULL;
	rec_init(REC_SESSION, &s);
	enum prolo_code rc = rec_from_json(REC_SESSION, &s, body, extra, err);
	if (rc)
		return rc;
	const json_t *ij = json_object_get(body, "injections");
	size_t n = 0;
	if (ij && !json_is_null(ij)) {
		if (!json_is_array(ij))
			return prolo_err_set(err, PROLO_EINVAL, "injections", "must be an array of objects");
		n = json_array_size(ij);
		if (n > INJECTIONS_MAX)
			return prolo_err_set(err, PROLO_EINVAL, "injections", "at most %d per session",
			                     INJECTIONS_MAX);
	}
	if (!s.course_id[0])
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "is required");
	if ((rc = load_course(rq, s.course_id, &c, &p, err)))
		return rc;
	if (n && !(inj = calloc(n, sizeof *inj)))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		const json_t *o = json_array_get(ij, i);
		rec_init(REC_INJECTION, &inj[i]);
		if (!json_is_object(o)) {
			rc = prolo_err_set(err, PROLO_EINVAL, "injections", "injection %zu: must be an object", i + 1);
			break;
		}
		if ((rc = rec_from_json(REC_INJECTION, &inj[i], o, NULL, err))) {
			char msg[sizeof err->msg];
			snprintf(msg, sizeof msg, "injection %zu: %s", i + 1, err->msg);
			snprintf(err->msg, sizeof err->msg, "%s", msg);
		}
	}
	if (!rc)
		rc = registry_session_add(rq->st, &s, inj, n, REG_INTERACTIVE, err);
	char rec_id[2 * REC_ID_MAX];
	snprintf(rec_id, sizeof rec_id, "%s/%d", s.course_id, (int)s.session_no);
	char detail[32];
	snprintf(detail, sizeof detail, "%zu injections", n);
	if (!rc)
		rc = audit(rq, "session.create", "session", rec_id, detail, err);
	json_t *so = NULL;
	if (!rc) {
		struct collect cs = { REC_SESSION, json_array() };
		if (!cs.arr || collect_row(&cs, &s, err) != PROLO_OK) {
			json_decref(cs.arr);
			rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		} else {
			struct collect ci = { REC_INJECTION, cs.arr };
			for (size_t i = 0; i < n; i++)
				collect_row(&ci, &inj[i], err);
			so = json_incref(json_array_get(cs.arr, 0));
			json_decref(cs.arr);
		}
	}
	free(inj);
	if (rc)
		return rc;
	return reply(rq, 201, json_pack("{s:o}", "session", so), err);
}

static enum prolo_code h_outcomes_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct outcome o;
	struct course c;
	struct patient p;
	rec_init(REC_OUTCOME, &o);
	enum prolo_code rc = rec_from_json(REC_OUTCOME, &o, body, NULL, err);
	if (rc)
		return rc;
	if (!o.course_id[0])
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "is required");
	if ((rc = load_course(rq, o.course_id, &c, &p, err)) ||
	    (rc = registry_add(rq->st, REC_OUTCOME, &o, REG_INTERACTIVE, err)))
		return rc;
	char d[11], rec_id[2 * REC_ID_MAX + 32];
	dom_date_format(o.date, d);
	snprintf(rec_id, sizeof rec_id, "%s/%s/%s", o.course_id, d, dom_instrument_names[o.instrument]);
	if ((rc = audit(rq, "outcome.create", "outcome", rec_id, "", err)))
		return rc;
	return reply(rq, 201, json_pack("{s:o}", "outcome", rec_to_json(REC_OUTCOME, &o, false, false)), err);
}

static enum prolo_code h_aes_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct adverse_event a;
	struct course c;
	struct patient p;
	rec_init(REC_AE, &a);
	enum prolo_code rc = rec_from_json(REC_AE, &a, body, NULL, err);
	if (rc)
		return rc;
	if (a.seq == REC_INT_NONE)
		a.seq = 0;
	if (!a.course_id[0])
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "is required");
	if ((rc = load_course(rq, a.course_id, &c, &p, err)) ||
	    (rc = registry_add(rq->st, REC_AE, &a, REG_INTERACTIVE, err)))
		return rc;
	char rec_id[2 * REC_ID_MAX];
	snprintf(rec_id, sizeof rec_id, "%s/%d", a.course_id, (int)a.seq);
	if ((rc = audit(rq, "adverse_event.create", "adverse_event", rec_id, dom_ae_kind_names[a.kind], err)))
		return rc;
	return reply(rq, 201, json_pack("{s:o}", "adverse_event", rec_to_json(REC_AE, &a, false, false)), err);
}

/* ---- handlers: alerts and report --------------------------------------- */

static enum prolo_code parse_query_date(struct http_req *rq, const char *name, int32_t *out,
                                        struct prolo_err *err);

static struct protocol_lib proto_lib;
static pthread_once_t proto_once = PTHREAD_ONCE_INIT;

/* The protocol library for alerts, loaded once; empty when no file is
 * found (the alert rules then use their defaults). */
static void load_protocols(void)
{
	if (protocol_lib_load(NULL, &proto_lib, NULL) != PROLO_OK)
		memset(&proto_lib, 0, sizeof proto_lib);
}

static enum prolo_code h_alerts_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	const char *clinic = rq->user.role == ROLE_ADMIN ? query(rq, "clinic") : rq->user.clinic;
	int32_t day;
	enum prolo_code rc = parse_query_date(rq, "today", &day, err);
	if (rc || (rc = auth_permit(&rq->user, rq->route, clinic, err)))
		return rc;
	if (day == DOM_DATE_NONE)
		day = today();
	pthread_once(&proto_once, load_protocols);
	struct alert_list l = { 0 };
	if ((rc = alerts_compute(rq->st, day, clinic, &proto_lib, &l, err)))
		return rc;
	char detail[32];
	snprintf(detail, sizeof detail, "%zu alerts", l.n);
	json_t *arr = alerts_to_json(&l);
	alert_list_free(&l);
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if ((rc = audit(rq, "alerts.list", NULL, NULL, detail, err))) {
		json_decref(arr);
		return rc;
	}
	return reply(rq, 200, json_pack("{s:o}", "alerts", arr), err);
}

static enum prolo_code h_alerts_ack(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "key", "note", NULL };
	const char *key, *note;
	enum prolo_code rc;
	if ((rc = only_keys(body, keys, err)) || (rc = need_str(body, "key", &key, err)) ||
	    (rc = hjson_str(body, "note", &note, err)))
		return rc;
	/* KIND:YYYY-MM-DD:COURSE_ID: the course decides the clinic. */
	const char *c1 = strchr(key, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || !c2[1])
		return prolo_err_set(err, PROLO_EINVAL, "key", "is not KIND:YYYY-MM-DD:COURSE_ID");
	struct course c;
	struct patient p;
	if ((rc = load_course(rq, c2 + 1, &c, &p, err)) ||
	    (rc = alerts_ack(rq->st, key, rq->user.name, note, err)) ||
	    (rc = audit(rq, "alert.ack", "course", c.course_id, "", err)))
		return rc;
	return reply(rq, 200, json_pack("{s:s}", "key", key), err);
}

static enum prolo_code feed_report(void *ctx, const struct course_rows *rows, struct prolo_err *err)
{
	return report_add_course(ctx, rows, err);
}

static enum prolo_code parse_query_date(struct http_req *rq, const char *name, int32_t *out,
                                        struct prolo_err *err)
{
	const char *v = query(rq, name);
	*out = DOM_DATE_NONE;
	if (v && !dom_date_parse(v, strlen(v), out))
		return prolo_err_set(err, PROLO_EINVAL, name, "'%.20s' is not a valid date (YYYY-MM-DD)", v);
	return PROLO_OK;
}

static enum prolo_code h_report(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct store_report_filter f = { .modality = -1, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE };
	const char *mod = query(rq, "modality");
	const char *cond = query(rq, "condition");
	const char *clinic = query(rq, "clinic");
	enum prolo_code rc;
	if (mod && (f.modality = dom_lookup(dom_modality_names, MOD__COUNT, mod, strlen(mod))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "modality", "unknown modality (dextrose|prp|stem_cell)");
	if (cond && !dom_id_valid(cond, strlen(cond)))
		return prolo_err_set(err, PROLO_EINVAL, "condition", "not a valid condition name");
	if (clinic && !dom_id_valid(clinic, strlen(clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	if ((rc = parse_query_date(rq, "from", &f.from, err)) || (rc = parse_query_date(rq, "to", &f.to, err)))
		return rc;
	/* Users bound to a clinic see their clinic's figures only; an admin or
	 * a researcher bound to none may filter by any clinic. */
	bool bound = rq->user.role != ROLE_ADMIN && rq->user.clinic[0];
	if (!clinic && bound)
		clinic = rq->user.clinic;
	if ((rc = auth_permit(&rq->user, rq->route, bound ? clinic : NULL, err)))
		return rc;
	f.clinic = clinic;
	f.condition = cond;
	char desc[256];
	snprintf(desc, sizeof desc, "%s%s%s%s%s%s", clinic ? "clinic " : "", clinic ? clinic : "",
	         mod ? " modality " : "", mod ? mod : "", cond ? " condition " : "", cond ? cond : "");
	struct report_options ro = { .filter_desc = desc[0] ? desc : NULL };
	struct report *r = NULL;
	if ((rc = report_new(&ro, &r, err)))
		return rc;
	if (!(rc = store_scan_courses(rq->st, &f, feed_report, r, err)) && !(rc = report_finish(r, err))) {
		buf_reset(&rq->out);
		rc = report_json(report_results(r), &rq->out, err);
		if (!rc)
			rq->status = 200;
	}
	report_free(r);
	return rc;
}

/* ---- handlers: users and audit ----------------------------------------- */

static enum prolo_code add_user_json(void *ctx, const struct store_user *u, struct prolo_err *err)
{
	json_t *o = user_json(u);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_object_set_new(o, "created_at", json_integer(u->created_at));
	json_object_set_new(o, "disabled", json_boolean(u->disabled));
	json_array_append_new(ctx, o);
	return PROLO_OK;
}

static enum prolo_code h_users_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = store_user_scan(rq->st, add_user_json, arr, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	return reply(rq, 200, json_pack("{s:o}", "users", arr), err);
}

/* The prep of a new user, outside the write lock: the checks of the body
 * and the hash. */
static enum prolo_code p_users_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "name", "role", "clinic", "password", NULL };
	const char *name, *role, *clinic, *pw;
	enum prolo_code rc;
	if ((rc = only_keys(body, keys, err)) || (rc = need_str(body, "name", &name, err)) ||
	    (rc = need_str(body, "role", &role, err)) || (rc = hjson_str(body, "clinic", &clinic, err)) ||
	    (rc = need_str(body, "password", &pw, err)))
		return rc;
	struct store_user *u = &rq->prep_user;
	memset(u, 0, sizeof *u);
	if (!dom_id_valid(name, strlen(name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "1-64 of A-Z a-z 0-9 . _ : -");
	if ((u->role = dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "role", "must be admin|clinician|staff|researcher");
	if (clinic && clinic[0] && !dom_id_valid(clinic, strlen(clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	snprintf(u->name, sizeof u->name, "%s", name);
	snprintf(u->clinic, sizeof u->clinic, "%s", clinic && u->role != ROLE_ADMIN ? clinic : "");
	u->created_at = rq->now;
	return auth_hash_password(pw, u->pwhash, err);
}

static enum prolo_code h_users_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	if (rq->prep_rc) {
		*err = rq->prep_err;
		return rq->prep_rc;
	}
	const struct store_user *u = &rq->prep_user;
	enum prolo_code rc;
	if ((rc = store_user_add(rq->st, u, err)) ||
	    (rc = audit(rq, "user.create", "user", u->name, store_role_names[u->role], err)))
		return rc;
	return reply(rq, 201, json_pack("{s:o}", "user", user_json(u)), err);
}

static enum prolo_code add_audit_json(void *ctx, const struct store_audit *e, struct prolo_err *err)
{
	char hash[2 * STORE_HASH_LEN + 1];
	sodium_bin2hex(hash, sizeof hash, e->hash, STORE_HASH_LEN);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)e->id, "at", e->at,
	                      "user", e->user, "action", e->action, "record", e->record, "addr", e->addr,
	                      "detail", e->detail, "hash", hash);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_array_append_new(ctx, o);
	return PROLO_OK;
}

static enum prolo_code h_audit_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct store_audit_filter f = { .user = query(rq, "user"), .action = query(rq, "action"),
	                                .record = query(rq, "record"), .from = query(rq, "from"),
	                                .to = query(rq, "to") };
	int32_t d;
	enum prolo_code rc;
	if (f.from && !dom_date_parse(f.from, strlen(f.from), &d))
		return prolo_err_set(err, PROLO_EINVAL, "from", "not a valid date (YYYY-MM-DD)");
	if (f.to && !dom_date_parse(f.to, strlen(f.to), &d))
		return prolo_err_set(err, PROLO_EINVAL, "to", "not a valid date (YYYY-MM-DD)");
	if ((rc = list_limit(rq, &f.limit, err)))
		return rc;
	if (!query(rq, "limit"))
		f.limit = LIST_MAX;
	/* Rows of the latest reads wait in the spool: bring them in first, and
	 * look at the log again after that. */
	store_read_end(rq->st);
	writer_sync(rq->writer);
	if ((rc = store_read_begin(rq->st, err)))
		return rc;
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if ((rc = store_audit_scan(rq->st, &f, add_audit_json, arr, err))) {
		json_decref(arr);
		return rc;
	}
	return reply(rq, 200, json_pack("{s:o}", "audit", arr), err);
}

/* ---- handlers: questionnaire links ------------------------------------- */

static void iso_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static enum prolo_code h_qlinks_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "patient_id", "course_id", "instrument", NULL };
	const char *pid, *cid, *instr;
	enum prolo_code rc;
	if ((rc = only_keys(body, keys, err)) || (rc = need_str(body, "patient_id", &pid, err)) ||
	    (rc = need_str(body, "course_id", &cid, err)) || (rc = need_str(body, "instrument", &instr, err)))
		return rc;
	int in = dom_lookup(dom_instrument_names, INSTR__COUNT, instr, strlen(instr));
	if (in < 0)
		return prolo_err_set(err, PROLO_EINVAL, "instrument", "unknown instrument");
	struct course c;
	struct patient p;
	if ((rc = load_course(rq, cid, &c, &p, err)))
		return rc;
	if (strcmp(c.patient_id, pid) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "is not a course of patient '%s'", pid);
	if (dom_status_ended((enum course_status)c.status))
		return prolo_err_set(err, PROLO_ECONFLICT, "course_id", "the course has ended");
	struct store_qlink q;
	memset(&q, 0, sizeof q);
	char token[AUTH_TOKEN_HEX];
	auth_new_token(token);
	auth_token_hash(token, q.token_hash);
	snprintf(q.patient_id, sizeof q.patient_id, "%s", pid);
	snprintf(q.course_id, sizeof q.course_id, "%s", cid);
	q.instrument = in;
	snprintf(q.created_by, sizeof q.created_by, "%s", rq->user.name);
	q.created_at = rq->now;
	q.expires_at = rq->now + (rq->opt->link_ttl_s > 0 ? rq->opt->link_ttl_s : 14 * 86400);
	if ((rc = store_qlink_add(rq->st, &q, err)) ||
	    (rc = audit(rq, "questionnaire_link.create", "course", cid, instr, err)))
		return rc;
	char url[16 + AUTH_TOKEN_HEX], exp[32];
	snprintf(url, sizeof url, "/q/%s", token);
	iso_time(q.expires_at, exp);
	sodium_memzero(token, sizeof token);
	return reply(rq, 201, json_pack("{s:s,s:s,s:s}", "url", url, "expires_at", exp,
	                                "instrument", instr), err);
}

/* Finds a live link by the token in the path: PROLO_ENOTFOUND, or "gone"
 * (410) when used or expired. */
static enum prolo_code live_link(struct http_req *rq, struct store_qlink *q, bool *gone,
                                 struct prolo_err *err)
{
	*gone = false;
	if (strlen(rq->param) != AUTH_TOKEN_HEX - 1)
		return prolo_err_set(err, PROLO_ENOTFOUND, "token", "no such questionnaire link");
	unsigned char h[STORE_HASH_LEN];
	auth_token_hash(rq->param, h);
	enum prolo_code rc = store_qlink_get(rq->st, h, q, err);
	if (rc)
		return rc;
	if (q->used_at || q->expires_at <= rq->now) {
		*gone = true;
		return prolo_err_set(err, PROLO_ECONFLICT, "token",
		                     q->used_at ? "this questionnaire has already been answered"
		                                : "this questionnaire link has expired");
	}
	return PROLO_OK;
}

static enum prolo_code h_q_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct store_qlink q;
	bool gone;
	enum prolo_code rc = live_link(rq, &q, &gone, err);
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
	const struct instr_info *info = instr_info((enum instrument)q.instrument);
	json_t *items = json_array();
	for (int i = 0; items && i < info->n_items; i++) {
		const char *t = instr_item_text((enum instrument)q.instrument, i);
		char generic[32];
		snprintf(generic, sizeof generic, "Question %d", i + 1);
		json_array_append_new(items, json_pack("{s:s,s:i,s:i}", "text", t ? t : generic, "min",
		                                       info->item_min, "max", info->item_max));
	}
	const char *lo = instr_anchor_low((enum instrument)q.instrument);
	const char *hi = instr_anchor_high((enum instrument)q.instrument);
	if ((rc = audit_as(rq, "questionnaire", "questionnaire.open", "", q.course_id, err))) {
		json_decref(items);
		return rc;
	}
	return reply(rq, 200, json_pack("{s:s,s:s,s:s,s:o,s:s?,s:s?}", "first_name", p.first_name,
	                                "instrument", info->name, "title", info->title, "items", items,
	                                "low", lo, "high", hi), err);
}

static enum prolo_code h_q_post(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "items", NULL };
	enum prolo_code rc = only_keys(body, keys, err);
	if (rc)
		return rc;
	const json_t *items = json_object_get(body, "items");
	if (!items)
		return prolo_err_set(err, PROLO_EINVAL, "items", "is required");
	struct store_qlink q;
	bool gone;
	rc = live_link(rq, &q, &gone, err);
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
	o.date = today();
	if (rc || (rc = store_qlink_use(rq->st, q.token_hash, rq->now, err)) ||
	    (rc = registry_add(rq->st, REC_OUTCOME, &o, REG_INTERACTIVE, err)) ||
	    (rc = audit_as(rq, "questionnaire", "questionnaire.answer", "", q.course_id, err)))
		return rc;
	char d[11];
	dom_date_format(o.date, d);
	return reply(rq, 201, json_pack("{s:{s:s,s:s,s:o}}", "outcome", "date", d, "instrument",
	                                dom_instrument_names[o.instrument], "score",
	                                isnan(o.score) ? json_null() : json_real(o.score)), err);
}

/* ---- handlers: vocabularies -------------------------------------------- */

/* The code lists of GET /api/vocab, each in its table's order. */
static const struct {
	const char *key;
	const char *const *names;
	int n;
} vocab_lists[] = {
	{ "modalities", dom_modality_names, MOD__COUNT },
	{ "statuses", dom_status_names, CS__COUNT },
	{ "sexes", dom_sex_names, SEX__COUNT },
	{ "proliferants", dom_proliferant_names, PROL__COUNT },
	{ "adverse_event_kinds", dom_ae_kind_names, AE__COUNT },
	{ "guidance", dom_guidance_names, GUIDE__COUNT },
	{ "sides", dom_side_names, SIDE__COUNT },
	{ "seriousness", dom_seriousness_names, SER__COUNT },
	{ "relatedness", dom_relatedness_names, REL__COUNT },
	{ "stem_cell_sources", dom_stem_source_names, STEM__COUNT },
	{ "activations", dom_activation_names, ACT__COUNT },
	{ "contraindications", dom_contraindication_names, CI__COUNT },
	{ "roles", store_role_names, ROLE__COUNT },
};

/* The registry's conditions: the built-in ones in their enum's order, then
 * the clinic's own in the store's (name) order. */
struct vocab_conditions {
	json_t *builtin[COND__COUNT];
	json_t *own;
};

static json_t *condition_json(const char *name, const char *icd10, const char *snomed,
                              const char *label, bool builtin)
{
	return json_pack("{s:s,s:s*,s:s*,s:s*,s:b}", "name", name, "icd10", icd10 && icd10[0] ? icd10 : NULL,
	                 "snomed", snomed && snomed[0] ? snomed : NULL, "label",
	                 label && label[0] ? label : NULL, "builtin", builtin);
}

static enum prolo_code add_condition_json(void *ctx, const char *name, const char *icd10,
                                          const char *snomed, const char *label, struct prolo_err *err)
{
	struct vocab_conditions *vc = ctx;
	int b = dom_lookup(dom_condition_names, COND__COUNT, name, strlen(name));
	json_t *o = condition_json(name, icd10, snomed, label, b >= 0);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (b >= 0) {
		json_decref(vc->builtin[b]);
		vc->builtin[b] = o;
	} else if (json_array_append_new(vc->own, o)) {
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	return PROLO_OK;
}

/* Appends the registry's conditions to out. PROLO_OK, PROLO_ENOMEM or the
 * store's code. */
static enum prolo_code vocab_conditions(struct http_req *rq, json_t *out, struct prolo_err *err)
{
	struct vocab_conditions vc = { .own = json_array() };
	enum prolo_code rc = vc.own ? PROLO_OK : PROLO_ENOMEM;
	for (int i = 0; !rc && i < COND__COUNT; i++)
		if (!(vc.builtin[i] = condition_json(dom_condition_names[i], dom_condition_icd10[i],
		                                     dom_condition_snomed[i], NULL, true)))
			rc = PROLO_ENOMEM;
	if (rc)
		prolo_err_set(err, rc, "", "out of memory");
	else
		rc = store_condition_scan(rq->st, add_condition_json, &vc, err);
	for (int i = 0; i < COND__COUNT; i++) {
		if (!rc && json_array_append(out, vc.builtin[i]))
			rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		json_decref(vc.builtin[i]);
	}
	if (!rc && json_array_extend(out, vc.own))
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_decref(vc.own);
	return rc;
}

static json_t *vocab_names(const char *const *names, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(names[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The statuses that end a course (dom_status_ended). */
static json_t *vocab_end_statuses(void)
{
	json_t *a = json_array();
	for (int s = 0; a && s < CS__COUNT; s++)
		if (dom_status_ended((enum course_status)s) &&
		    json_array_append_new(a, json_string(dom_status_names[s]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *vocab_instruments(void)
{
	json_t *a = json_array();
	for (int i = 0; a && i < INSTR__COUNT; i++) {
		const struct instr_info *in = instr_info((enum instrument)i);
		json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:i,s:f,s:f,s:s,s:b,s:s*,s:s*}", "name", in->name,
		                      "title", in->title, "items", in->n_items, "min", in->item_min, "max",
		                      in->item_max, "score_min", in->score_min, "score_max", in->score_max,
		                      "unit", in->unit, "higher_is_worse", in->higher_is_worse, "low",
		                      instr_anchor_low((enum instrument)i), "high",
		                      instr_anchor_high((enum instrument)i));
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Codes and their structure only, no patient data: no audit row. */
static enum prolo_code h_vocab(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	json_t *v = json_object(), *conds = json_array();
	bool ok = v && conds;
	for (size_t i = 0; ok && i < sizeof vocab_lists / sizeof vocab_lists[0]; i++)
		ok = !json_object_set_new(v, vocab_lists[i].key, vocab_names(vocab_lists[i].names, vocab_lists[i].n));
	ok = ok && !json_object_set_new(v, "end_statuses", vocab_end_statuses()) &&
	     !json_object_set_new(v, "instruments", vocab_instruments());
	enum prolo_code rc = ok ? vocab_conditions(rq, conds, err)
	                        : prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (!rc && json_object_set(v, "conditions", conds))
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_decref(conds);
	if (rc) {
		json_decref(v);
		return rc;
	}
	return reply(rq, 200, v, err);
}

/* ---- routing ----------------------------------------------------------- */

static const struct route routes[] = {
	{ "POST", "/api/login", RT_LOGIN, h_login, F_SLOW | F_HASH, NULL },
	{ "POST", "/api/logout", RT_LOGOUT, h_logout, F_TX, NULL },
	{ "GET", "/api/me", RT_ME, h_me, 0, NULL },
	{ "GET", "/api/vocab", RT_VOCAB, h_vocab, 0, NULL },
	{ "POST", "/api/password", RT_PASSWORD, h_password, F_TX | F_SLOW | F_HASH, p_password },
	{ "GET", "/api/patients", RT_PATIENTS_LIST, h_patients_list, 0, NULL },
	{ "POST", "/api/patients", RT_PATIENTS_ADD, h_patients_add, F_TX, NULL },
	{ "GET", "/api/patients/{id}", RT_PATIENT_GET, h_patient_get, 0, NULL },
	{ "GET", "/api/courses", RT_COURSES_LIST, h_courses_list, 0, NULL },
	{ "POST", "/api/courses", RT_COURSES_ADD, h_courses_add, F_TX, NULL },
	{ "GET", "/api/courses/{id}", RT_COURSE_GET, h_course_get, 0, NULL },
	{ "POST", "/api/courses/{id}/end", RT_COURSE_END, h_course_end, F_TX, NULL },
	{ "POST", "/api/sessions", RT_SESSIONS_ADD, h_sessions_add, F_TX, NULL },
	{ "POST", "/api/outcomes", RT_OUTCOMES_ADD, h_outcomes_add, F_TX, NULL },
	{ "POST", "/api/adverse-events", RT_AES_ADD, h_aes_add, F_TX, NULL },
	{ "GET", "/api/alerts", RT_ALERTS_LIST, h_alerts_list, F_SLOW, NULL },
	{ "POST", "/api/alerts/ack", RT_ALERTS_ACK, h_alerts_ack, F_TX, NULL },
	{ "GET", "/api/report", RT_REPORT, h_report, F_SLOW, NULL },
	{ "GET", "/api/users", RT_USERS_LIST, h_users_list, 0, NULL },
	{ "POST", "/api/users", RT_USERS_ADD, h_users_add, F_TX | F_SLOW | F_HASH, p_users_add },
	{ "GET", "/api/audit", RT_AUDIT_LIST, h_audit_list, 0, NULL },
	{ "POST", "/api/questionnaire-links", RT_QLINKS_ADD, h_qlinks_add, F_TX | F_SECRET, NULL },
	{ "GET", "/api/q/{id}", RT_Q_GET, h_q_get, 0, NULL },
	{ "POST", "/api/q/{id}", RT_Q_POST, h_q_post, F_TX, NULL },
};

/* Matches path against a pattern whose "{id}" segment takes one non-empty
 * segment, copied to param. */
static bool match(const char *pattern, const char *path, char *param, size_t psz)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
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
static enum prolo_code check_origin(struct http_req *rq, struct prolo_err *err)
{
	const char *origin = header(rq, "Origin");
	const char *host = header(rq, "Host");
	if (!origin)
		return PROLO_OK;
	const char *o = strstr(origin, "://");
	if (!host || !o || strcmp(o + 3, host) != 0)
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
	return append_waiting(job_req(j), st, err);
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
		if (rt->id == RT_LOGIN && err.code == PROLO_ECONFLICT && rq->retry_after[0])
			api_error(rq, 429, "throttled", &err);
		else
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
	if (auth_session(rq->st, rq->writer, cookie_token(rq), rq->now,
	                 &(struct auth_policy){ rq->opt->session_idle_s, rq->opt->session_absolute_s },
	                 &rq->sess, &rq->user, &err) ||
	    auth_permit(&rq->user, rq->route, NULL, &err)) {
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
	bool post = strcmp(rt->method, "POST") == 0;
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
	if (!auth_route_public(rt->id)) {
		if (auth_session(rq->st, rq->writer, cookie_token(rq), rq->now,
		                 &(struct auth_policy){ rq->opt->session_idle_s, rq->opt->session_absolute_s },
		                 &rq->sess, &rq->user, &err)) {
			api_fail(rq, &err);
			return false;
		}
		rq->authed = true;
	}
	if (auth_permit(rq->authed ? &rq->user : NULL, rt->id, NULL, &err) ||
	    (post && rq->authed && auth_csrf(&rq->sess, header(rq, "X-CSRF-Token"), &err)) ||
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
		rq->idem_key = header(rq, "Idempotency-Key");
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
	return true;
}
