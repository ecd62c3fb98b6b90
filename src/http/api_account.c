/* Account routes: login, logout, me, password, users and the audit log. */
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

/* ---- handlers: session ------------------------------------------------- */

static void set_cookie(struct http_req *rq, const char *value, bool clear)
{
	snprintf(rq->set_cookie, sizeof rq->set_cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
	         COOKIE, value, rq->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

static enum prolo_code reserve_attempt(struct http_req *rq, const char *name, struct prolo_err *err);

/* A random key for the lane's hashes of addresses and accounts, so no one
 * can choose a name that shares its hash with another's. */
static unsigned char lane_key[crypto_shorthash_KEYBYTES];
static pthread_once_t lane_key_once = PTHREAD_ONCE_INIT;

static void make_lane_key(void)
{
	randombytes_buf(lane_key, sizeof lane_key);
}

static uint64_t lane_hash(char kind, const char *s)
{
	unsigned char in[128], out[crypto_shorthash_BYTES];
	int n = snprintf((char *)in, sizeof in, "%c:%s", kind, s);
	crypto_shorthash(out, in, (unsigned long long)(n < (int)sizeof in ? n : (int)sizeof in - 1), lane_key);
	uint64_t h = 0;
	for (int i = 0; i < 8; i++)
		h = h << 8 | out[i];
	return h ? h : 1;
}

bool login_triage(struct http_req *rq, const json_t *body, struct writer_job *j)
{
	const json_t *v = json_is_object(body) ? json_object_get(body, "username") : NULL;
	const char *name = json_is_string(v) ? json_string_value(v) : NULL;
	if (!name || !name[0] || strlen(name) >= REC_ID_MAX)
		return true; /* the handler refuses it */
	int64_t retry = 0;
	enum auth_tier tier = AUTH_TIER_SUSPECT;
	struct prolo_err err;
	prolo_err_clear(&err);
	if (auth_login_triage(rq->st, name, rq->addr, rq->now, &retry, &tier, &err) != PROLO_OK)
		return true; /* the handler meets the store's error again */
	if (retry > 0) {
		snprintf(rq->retry_after, sizeof rq->retry_after, "%lld", (long long)retry);
		prolo_err_set(&err, PROLO_ECONFLICT, "", "too many failed logins; try again in %lld s",
		              (long long)retry);
		api_fail(rq, &err);
		return false;
	}
	pthread_once(&lane_key_once, make_lane_key);
	j->lane_tier = (int)tier;
	j->lane_addr = lane_hash('a', rq->addr);
	j->lane_acct = lane_hash('u', name);
	return true;
}

enum prolo_code h_login(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "username", "password", NULL };
	const char *name, *pw;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "username", &name, err)) ||
	    (rc = api_need_str(body, "password", &pw, err)))
		return rc;
	if (strlen(name) >= REC_ID_MAX)
		return prolo_err_set(err, PROLO_EAUTH, "password", "wrong user name or password");
	char token[AUTH_TOKEN_HEX], csrf[AUTH_TOKEN_HEX];
	struct store_user u;
	memset(&u, 0, sizeof u);
	struct prolo_err e2;
	/* The attempt is counted before the Argon2id check, under the write
	 * lock, so parallel guesses cannot outrun the throttle; the check
	 * itself runs outside the lock. */
	if ((rc = reserve_attempt(rq, name, err)))
		return rc;
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
			                      rq->addr, ok && u.must_change ? "one-time password" : u.disabled ? "disabled" : "",
			                      &e2);
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
	return api_reply(rq, 200, json_pack("{s:s,s:o}", "csrf_token", csrf, "user", api_user_json_can(&u, true)), err);
}

enum prolo_code h_logout(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { NULL };
	enum prolo_code rc = api_only_keys(body, keys, err);
	if (!rc)
		rc = store_login_session_delete(rq->st, rq->sess.id_hash, NULL, NULL, err);
	if (!rc)
		rc = api_audit(rq, "logout", NULL, NULL, "", err);
	if (rc)
		return rc;
	set_cookie(rq, "", true);
	return api_reply(rq, 200, json_object(), err);
}

enum prolo_code h_me(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	return api_reply(rq, 200, json_pack("{s:o,s:s}", "user", api_user_json_can(&rq->user, true), "csrf_token",
	                                rq->sess.csrf), err);
}

/* Counts an attempt at a password (a login's or an old password's)
 * before its slow check, in a short transaction of its own under the
 * writer lock, so parallel guesses cannot outrun the throttle. A locked
 * pair or address: PROLO_ECONFLICT with rq->retry_after set (429). */
static enum prolo_code reserve_attempt(struct http_req *rq, const char *name, struct prolo_err *err)
{
	int64_t retry = 0;
	audit_writer_enter();
	enum prolo_code rc = store_begin(rq->st, err);
	if (!rc) {
		rc = auth_login_reserve(rq->st, name, rq->addr, rq->now, &retry, err);
		if (!rc)
			rc = store_commit(rq->st, err);
		if (rc)
			store_rollback(rq->st);
	}
	audit_writer_leave();
	if (rc && retry > 0)
		snprintf(rq->retry_after, sizeof rq->retry_after, "%lld", (long long)retry);
	return rc;
}

/* The prep of a password change, outside the write lock: the attempt is
 * counted like a login's, then the old password checked and the new one
 * hashed (app_password_prepare). */
enum prolo_code p_password(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "old_password", "new_password", NULL };
	const char *old, *neu;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "old_password", &old, err)) ||
	    (rc = api_need_str(body, "new_password", &neu, err)))
		return rc;
	if ((rc = reserve_attempt(rq, rq->user.name, err)))
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_user *u = &rq->prep_user;
	snprintf(u->name, sizeof u->name, "%s", rq->user.name);
	return app_password_prepare(&cx, old, neu, u->pwhash, rq->prep_old, err);
}

/* In the transaction: app_password_change stores the new hash if the old
 * password's is still there (else 409, nothing stored). */
enum prolo_code h_password(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	if (rq->prep_rc) {
		*err = rq->prep_err;
		return rq->prep_rc;
	}
	struct app_ctx cx;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_password_change(&cx, rq->prep_user.pwhash, rq->prep_old, rq->sess.id_hash, err);
	if (rc)
		return rc;
	return api_reply(rq, 200, json_object(), err);
}

/* ---- handlers: users and audit ----------------------------------------- */

static enum prolo_code add_user_json(void *ctx, const struct store_user *u, struct prolo_err *err)
{
	json_t *o = api_user_admin_json(u);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_array_append_new(ctx, o);
	return PROLO_OK;
}

enum prolo_code h_users_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_user_list(&cx, add_user_json, arr, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o}", "users", arr), err);
}

/* The prep of a new user, outside the write lock: the checks of the body
 * and the hash. */
enum prolo_code p_users_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "name", "role", "clinic", "password", NULL };
	const char *name, *role, *clinic, *pw;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "name", &name, err)) ||
	    (rc = api_need_str(body, "role", &role, err)) || (rc = hjson_str(body, "clinic", &clinic, err)) ||
	    (rc = api_need_str(body, "password", &pw, err)))
		return rc;
	struct store_user *u = &rq->prep_user;
	memset(u, 0, sizeof *u);
	/* Fields that do not fit are refused by app_user_add, which checks
	 * them all; parsing only maps the role's name. */
	if (strlen(name) >= sizeof u->name || (clinic && strlen(clinic) >= sizeof u->clinic))
		return prolo_err_set(err, PROLO_EINVAL, strlen(name) >= sizeof u->name ? "name" : "clinic",
		                     "is too long");
	u->role = dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role));
	snprintf(u->name, sizeof u->name, "%s", name);
	snprintf(u->clinic, sizeof u->clinic, "%s", clinic && u->role != ROLE_ADMIN ? clinic : "");
	u->created_at = rq->now;
	/* The account's rules before the slow hash (app_user_add checks them
	 * again in the transaction). */
	if ((rc = app_user_check(u, err)))
		return rc;
	return app_password_hash(pw, u->name, "password", u->pwhash, err);
}

enum prolo_code h_users_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	if (rq->prep_rc) {
		*err = rq->prep_err;
		return rq->prep_rc;
	}
	const struct store_user *u = &rq->prep_user;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_user_add(&cx, u, err);
	if (rc)
		return rc;
	return api_reply(rq, 201, json_pack("{s:o}", "user", api_user_json(u)), err);
}

enum prolo_code h_user_unlock(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_ctx cx;
	enum prolo_code rc = api_empty_body(rq, body, &cx, err);
	if (rc || (rc = app_user_unlock(&cx, rq->param, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:s,s:b}", "name", rq->param, "unlocked", 1), err);
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

enum prolo_code h_audit_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct store_audit_filter f = { .user = api_query(rq, "user"), .action = api_query(rq, "action"),
	                                .record = api_query(rq, "record"), .from = api_query(rq, "from"),
	                                .to = api_query(rq, "to") };
	int32_t d;
	enum prolo_code rc;
	if (f.from && !dom_date_parse(f.from, strlen(f.from), &d))
		return prolo_err_set(err, PROLO_EINVAL, "from", "not a valid date (YYYY-MM-DD)");
	if (f.to && !dom_date_parse(f.to, strlen(f.to), &d))
		return prolo_err_set(err, PROLO_EINVAL, "to", "not a valid date (YYYY-MM-DD)");
	if ((rc = api_list_limit(rq, &f.limit, err)))
		return rc;
	if (!api_query(rq, "limit"))
		f.limit = APP_LIST_MAX;
	/* Rows of the latest reads wait in the spool: bring them in first, and
	 * look at the log again after that. */
	store_read_end(rq->st);
	writer_sync(rq->writer);
	if ((rc = store_read_begin(rq->st, err)))
		return rc;
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = app_audit_list(&cx, &f, add_audit_json, arr, err))) {
		json_decref(arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o}", "audit", arr), err);
}

