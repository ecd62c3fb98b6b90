/* SQLite side of the web server's access records: users, login sessions,
 * failed-login counters, idempotent responses and questionnaire links. The
 * policies (how long a session lives, when a login is throttled) live in
 * src/security/auth.c (throttling, tokens) and src/http/login.c (sessions); this file only reads and writes rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite.h"

const char *const store_role_names[ROLE__COUNT] = { "admin", "clinician", "staff", "researcher" };

static enum prolo_code step_done(struct store *st, sqlite3_stmt *s, const char *what,
                                 struct prolo_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, what, err);
}

static void copy_col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", v ? v : "");
}

static void copy_blob(sqlite3_stmt *s, int i, unsigned char *out, size_t n)
{
	const void *b = sqlite3_column_blob(s, i);
	memset(out, 0, n);
	if (b && (size_t)sqlite3_column_bytes(s, i) == n)
		memcpy(out, b, n);
}

#define STMT(st, sql, err) \
	sqlite3_stmt *s = store_stmt((st), (sql), (err)); \
	if (!s) \
		return (err) ? (err)->code : PROLO_EDB

/* ---- users ------------------------------------------------------------- */

enum prolo_code store_user_add(struct store *st, const struct store_user *u, struct prolo_err *err)
{
	if ((u->role == ROLE_CLINICIAN || u->role == ROLE_STAFF) && !u->clinic[0])
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "a %s belongs to a clinic",
		                     store_role_names[u->role]);
	static const char sql[] =
		"INSERT INTO users(name, role, clinic, pwhash, created_at, disabled) VALUES (?,?,?,?,?,?)";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, store_role_names[u->role], -1, SQLITE_STATIC);
	if (u->clinic[0])
		sqlite3_bind_text(s, 3, u->clinic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, u->pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, u->created_at);
	sqlite3_bind_int(s, 6, u->disabled);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return PROLO_OK;
	if (sqlite3_extended_errcode(store_sqlite_db(st)) == SQLITE_CONSTRAINT_PRIMARYKEY)
		return prolo_err_set(err, PROLO_ECONFLICT, "name", "user '%s' already exists", u->name);
	return store_sqlite_err(st, rc, "adding a user", err);
}

/* The columns read_user reads, after which a scan adds its count. */
#define USER_COLS "name, role, clinic, pwhash, created_at, disabled, must_change_password," \
	" coalesce(last_login_at, 0), coalesce(last_login_addr, '')"

static void read_user(sqlite3_stmt *s, struct store_user *u)
{
	memset(u, 0, sizeof *u);
	copy_col(s, 0, u->name, sizeof u->name);
	const char *role = (const char *)sqlite3_column_text(s, 1);
	u->role = role ? dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role)) : -1;
	copy_col(s, 2, u->clinic, sizeof u->clinic);
	copy_col(s, 3, u->pwhash, sizeof u->pwhash);
	u->created_at = sqlite3_column_int64(s, 4);
	u->disabled = sqlite3_column_int(s, 5) != 0;
	u->must_change = sqlite3_column_int(s, 6) != 0;
	u->last_login_at = sqlite3_column_int64(s, 7);
	copy_col(s, 8, u->last_login_addr, sizeof u->last_login_addr);
}

enum prolo_code store_user_get(struct store *st, const char *name, struct store_user *out,
                               struct prolo_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE name = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_user(s, out);
		sqlite3_reset(s);
		return PROLO_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return prolo_err_set(err, PROLO_ENOTFOUND, "username", "no such user");
	return store_sqlite_err(st, rc, "reading a user", err);
}

/* An update of one user's row: PROLO_ENOTFOUND when no row changed. */
static enum prolo_code user_update(struct store *st, sqlite3_stmt *s, const char *what,
                                   struct prolo_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(store_sqlite_db(st)) == SQLITE_CONSTRAINT_CHECK)
			return prolo_err_set(err, PROLO_EINVAL, "clinic", "a clinician or staff user belongs to a clinic");
		return store_sqlite_err(st, rc, what, err);
	}
	if (sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "username", "no such user");
	return PROLO_OK;
}

enum prolo_code store_user_set_password(struct store *st, const char *name, const char *pwhash,
                                        bool must_change, struct prolo_err *err)
{
	static const char sql[] = "UPDATE users SET pwhash = ?, must_change_password = ? WHERE name = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, must_change);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	return user_update(st, s, "changing a password", err);
}

enum prolo_code store_user_change(struct store *st, const char *name, const struct store_user_change *c,
                                  struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE users SET disabled = coalesce(?1, disabled), role = coalesce(?2, role),"
		" clinic = CASE WHEN ?2 IS NULL THEN clinic ELSE ?3 END,"
		" last_login_at = coalesce(?4, last_login_at), last_login_addr = coalesce(?5, last_login_addr)"
		" WHERE name = ?6";
	STMT(st, sql, err);
	if (c->disabled >= 0)
		sqlite3_bind_int(s, 1, c->disabled);
	if (c->role >= 0 && c->role < ROLE__COUNT) {
		sqlite3_bind_text(s, 2, store_role_names[c->role], -1, SQLITE_STATIC);
		if (c->clinic && c->clinic[0])
			sqlite3_bind_text(s, 3, c->clinic, -1, SQLITE_STATIC);
	}
	if (c->last_login_at) {
		sqlite3_bind_int64(s, 4, c->last_login_at);
		sqlite3_bind_text(s, 5, c->last_login_addr ? c->last_login_addr : "", -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(s, 6, name, -1, SQLITE_STATIC);
	return user_update(st, s, "changing a user", err);
}

enum prolo_code store_user_count_admins(struct store *st, const char *except, int *n,
                                        struct prolo_err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND (?1 IS NULL OR name <> ?1)";
	STMT(st, sql, err);
	if (except)
		sqlite3_bind_text(s, 1, except, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PROLO_OK : store_sqlite_err(st, rc, "counting admins", err);
}

/* Steps through the rows of s (prepared for this scan, finalized here),
 * handing each to row until it returns an error; *n counts them. */
typedef enum prolo_code (*row_fn)(sqlite3_stmt *s, void *ctx, struct prolo_err *err);
static enum prolo_code each_row(struct store *st, sqlite3_stmt *s, const char *what, row_fn row, void *ctx,
                                int *n, struct prolo_err *err)
{
	enum prolo_code res = PROLO_OK;
	int rc;
	*n = 0;
	while (!res && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		++*n;
		res = row(s, ctx, err);
	}
	if (!res && rc != SQLITE_DONE)
		res = store_sqlite_err(st, rc, what, err);
	sqlite3_finalize(s);
	return res;
}

struct user_scan {
	store_user_fn fn;
	void *ctx;
};

static enum prolo_code user_row(sqlite3_stmt *s, void *p, struct prolo_err *err)
{
	struct user_scan *us = p;
	struct store_user u;
	read_user(s, &u);
	memset(u.pwhash, 0, sizeof u.pwhash);
	u.open_sessions = sqlite3_column_int(s, 9);
	return us->fn(us->ctx, &u, err);
}

enum prolo_code store_user_scan(struct store *st, int64_t idle_before, int64_t abs_before,
                                store_user_fn fn, void *ctx, struct prolo_err *err)
{
	sqlite3_stmt *s = NULL;
	int n, rc = sqlite3_prepare_v2(store_sqlite_db(st),
	                               "SELECT " USER_COLS ", (SELECT count(*) FROM auth_sessions a WHERE a.user = users.name"
	                               " AND a.last_seen >= ?1 AND a.created_at >= ?2) FROM users ORDER BY name",
	                               -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_err(st, rc, "listing users", err);
	sqlite3_bind_int64(s, 1, idle_before);
	sqlite3_bind_int64(s, 2, abs_before);
	return each_row(st, s, "listing users", user_row, &(struct user_scan){ fn, ctx }, &n, err);
}

/* ---- login sessions ---------------------------------------------------- */

enum prolo_code store_login_session_add(struct store *st, const struct store_login_session *ls,
                                        struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO auth_sessions(id_hash, user, csrf, created_at, last_seen, sid, addr, opened)"
		" VALUES (?,?,?,?,?,?,?, (SELECT coalesce(max(opened), 0) + 1 FROM auth_sessions))";
	STMT(st, sql, err);
	sqlite3_bind_blob(s, 1, ls->id_hash, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ls->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ls->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, ls->created_at);
	sqlite3_bind_int64(s, 5, ls->last_seen);
	sqlite3_bind_text(s, 6, ls->sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, ls->addr, -1, SQLITE_STATIC);
	return step_done(st, s, "opening a session", err);
}

struct session_scan {
	store_session_fn fn;
	void *ctx;
	const char *user;
};

static enum prolo_code session_row(sqlite3_stmt *s, void *p, struct prolo_err *err)
{
	struct session_scan *ss = p;
	struct store_login_session ls;
	memset(&ls, 0, sizeof ls);
	snprintf(ls.user, sizeof ls.user, "%s", ss->user);
	copy_col(s, 0, ls.sid, sizeof ls.sid);
	copy_col(s, 1, ls.addr, sizeof ls.addr);
	ls.created_at = sqlite3_column_int64(s, 2);
	ls.last_seen = sqlite3_column_int64(s, 3);
	return ss->fn(ss->ctx, &ls, err);
}

enum prolo_code store_login_session_list(struct store *st, const char *user, int64_t idle_before,
                                         int64_t abs_before, store_session_fn fn, void *ctx, int *n,
                                         struct prolo_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite_db(st),
	                            "SELECT coalesce(sid, ''), coalesce(addr, ''), created_at, last_seen FROM auth_sessions"
	                            " WHERE user = ? AND last_seen >= ? AND created_at >= ? ORDER BY opened",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_err(st, rc, "listing sessions", err);
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, idle_before);
	sqlite3_bind_int64(s, 3, abs_before);
	return each_row(st, s, "listing sessions", session_row, &(struct session_scan){ fn, ctx, user }, n, err);
}

enum prolo_code store_login_session_end(struct store *st, const char *user, const char *sid, int *n,
                                        struct prolo_err *err)
{
	static const char sql[] = "DELETE FROM auth_sessions WHERE user = ?1 AND (?2 IS NULL OR sid = ?2)";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	if (sid)
		sqlite3_bind_text(s, 2, sid, -1, SQLITE_STATIC);
	enum prolo_code rc = step_done(st, s, "ending sessions", err);
	*n = rc ? 0 : sqlite3_changes(store_sqlite_db(st));
	if (!rc && sid && *n == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "session", "no open session '%.32s' of %.64s", sid, user);
	return rc;
}

enum prolo_code store_login_session_get(struct store *st, const unsigned char *id_hash,
                                        struct store_login_session *out, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT user, csrf, created_at, last_seen, coalesce(sid, ''), coalesce(addr, '') FROM auth_sessions"
		" WHERE id_hash = ?";
	STMT(st, sql, err);
	sqlite3_bind_blob(s, 1, id_hash, STORE_HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memcpy(out->id_hash, id_hash, STORE_HASH_LEN);
		copy_col(s, 0, out->user, sizeof out->user);
		copy_col(s, 1, out->csrf, sizeof out->csrf);
		out->created_at = sqlite3_column_int64(s, 2);
		out->last_seen = sqlite3_column_int64(s, 3);
		copy_col(s, 4, out->sid, sizeof out->sid);
		copy_col(s, 5, out->addr, sizeof out->addr);
		sqlite3_reset(s);
		return PROLO_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return prolo_err_set(err, PROLO_ENOTFOUND, "", "no such session");
	return store_sqlite_err(st, rc, "reading a session", err);
}

enum prolo_code store_login_session_touch(struct store *st, const unsigned char *id_hash,
                                          int64_t now, struct prolo_err *err)
{
	static const char sql[] = "UPDATE auth_sessions SET last_seen = ? WHERE id_hash = ?";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_blob(s, 2, id_hash, STORE_HASH_LEN, SQLITE_STATIC);
	return step_done(st, s, "refreshing a session", err);
}

enum prolo_code store_login_session_delete(struct store *st, const unsigned char *id_hash,
                                           const char *user, const unsigned char *keep,
                                           struct prolo_err *err)
{
	if (id_hash) {
		static const char sql[] = "DELETE FROM auth_sessions WHERE id_hash = ?";
		STMT(st, sql, err);
		sqlite3_bind_blob(s, 1, id_hash, STORE_HASH_LEN, SQLITE_STATIC);
		return step_done(st, s, "closing a session", err);
	}
	static const char sql_user[] =
		"DELETE FROM auth_sessions WHERE user = ? AND (?2 IS NULL OR id_hash <> ?2)";
	STMT(st, sql_user, err);
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	if (keep)
		sqlite3_bind_blob(s, 2, keep, STORE_HASH_LEN, SQLITE_STATIC);
	return step_done(st, s, "closing sessions", err);
}

enum prolo_code store_login_session_purge(struct store *st, int64_t idle_before,
                                          int64_t abs_before, struct prolo_err *err)
{
	static const char sql[] = "DELETE FROM auth_sessions WHERE last_seen < ? OR created_at < ?";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, idle_before);
	sqlite3_bind_int64(s, 2, abs_before);
	return step_done(st, s, "purging sessions", err);
}

enum prolo_code store_idem_purge(struct store *st, int64_t before, struct prolo_err *err)
{
	static const char sql[] = "DELETE FROM idempotency WHERE created_at < ?";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, before);
	return step_done(st, s, "purging idempotency keys", err);
}

/* ---- failed-login counters --------------------------------------------- */

enum prolo_code store_throttle_get(struct store *st, const char *key, struct store_throttle *out,
                                   struct prolo_err *err)
{
	static const char sql[] =
		"SELECT failures, last_at, locked_until FROM login_failures WHERE key = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	memset(out, 0, sizeof *out);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->failures = sqlite3_column_int(s, 0);
		out->last_at = sqlite3_column_int64(s, 1);
		out->locked_until = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return PROLO_OK;
	return store_sqlite_err(st, rc, "reading login failures", err);
}

enum prolo_code store_throttle_put(struct store *st, const char *key,
                                   const struct store_throttle *t, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO login_failures(key, failures, last_at, locked_until) VALUES (?,?,?,?)"
		" ON CONFLICT(key) DO UPDATE SET failures = excluded.failures,"
		" last_at = excluded.last_at, locked_until = excluded.locked_until";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, t->failures);
	sqlite3_bind_int64(s, 3, t->last_at);
	sqlite3_bind_int64(s, 4, t->locked_until);
	return step_done(st, s, "recording a login failure", err);
}

enum prolo_code store_throttle_clear(struct store *st, const char *key, struct prolo_err *err)
{
	static const char sql[] = "DELETE FROM login_failures WHERE key = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return step_done(st, s, "clearing login failures", err);
}

enum prolo_code store_throttle_clear_prefix(struct store *st, const char *prefix,
                                            struct prolo_err *err)
{
	static const char sql[] = "DELETE FROM login_failures WHERE substr(key, 1, ?) = ?";
	STMT(st, sql, err);
	sqlite3_bind_int(s, 1, (int)strlen(prefix));
	sqlite3_bind_text(s, 2, prefix, -1, SQLITE_STATIC);
	return step_done(st, s, "clearing login failures", err);
}

/* ---- idempotency ------------------------------------------------------- */

enum prolo_code store_idem_get(struct store *st, const char *user, const char *key,
                               unsigned char *req_hash, int *status, char **body,
                               struct prolo_err *err)
{
	static const char sql[] =
		"SELECT request_hash, status, body FROM idempotency WHERE user = ? AND key = ?";
	STMT(st, sql, err);
	*body = NULL;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_blob(s, 0, req_hash, STORE_HASH_LEN);
		*status = sqlite3_column_int(s, 1);
		const char *b = (const char *)sqlite3_column_text(s, 2);
		*body = strdup(b ? b : "");
		sqlite3_reset(s);
		return *body ? PROLO_OK : prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return PROLO_ENOTFOUND;
	return store_sqlite_err(st, rc, "reading an idempotency key", err);
}

enum prolo_code store_idem_put(struct store *st, const char *user, const char *key,
                               const unsigned char *req_hash, int status, const char *body,
                               int64_t now, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO idempotency(user, key, request_hash, status, body, created_at)"
		" VALUES (?,?,?,?,?,?)";
	return store_execf(st, sql, "storing an idempotent response", err, "tthitI", user, key, req_hash, status, body,
	                   (int64_t)now);
}

/* ---- questionnaire links ----------------------------------------------- */

enum prolo_code store_qlink_add(struct store *st, const struct store_qlink *q, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO questionnaire_links(token_hash, patient_id, course_id, instrument,"
		" created_by, created_at, expires_at, link_id) VALUES (?,?,?,?,?,?,?,?)";
	STMT(st, sql, err);
	sqlite3_bind_blob(s, 1, q->token_hash, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, q->patient_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, q->course_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, dom_instrument_names[q->instrument], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, q->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, q->created_at);
	sqlite3_bind_int64(s, 7, q->expires_at);
	if (q->id[0])
		sqlite3_bind_text(s, 8, q->id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 8);
	return step_done(st, s, "creating a questionnaire link", err);
}

#define QLINK_COLS                                                                              \
	"token_hash, patient_id, course_id, instrument, created_by, created_at, expires_at,"  \
	" coalesce(used_at, 0), coalesce(revoked_at, 0), coalesce(link_id, '')"

static void qlink_row(sqlite3_stmt *s, struct store_qlink *out)
{
	memset(out, 0, sizeof *out);
	const void *h = sqlite3_column_blob(s, 0);
	if (h && sqlite3_column_bytes(s, 0) == STORE_HASH_LEN)
		memcpy(out->token_hash, h, STORE_HASH_LEN);
	copy_col(s, 1, out->patient_id, sizeof out->patient_id);
	copy_col(s, 2, out->course_id, sizeof out->course_id);
	const char *in = (const char *)sqlite3_column_text(s, 3);
	out->instrument = in ? dom_lookup(dom_instrument_names, INSTR__COUNT, in, strlen(in)) : -1;
	copy_col(s, 4, out->created_by, sizeof out->created_by);
	out->created_at = sqlite3_column_int64(s, 5);
	out->expires_at = sqlite3_column_int64(s, 6);
	out->used_at = sqlite3_column_int64(s, 7);
	out->revoked_at = sqlite3_column_int64(s, 8);
	copy_col(s, 9, out->id, sizeof out->id);
}

static enum prolo_code qlink_one(struct store *st, sqlite3_stmt *s, struct store_qlink *out,
                                 const char *field, struct prolo_err *err)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		qlink_row(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PROLO_OK;
	if (rc == SQLITE_DONE)
		return prolo_err_set(err, PROLO_ENOTFOUND, field, "no such questionnaire link");
	return store_sqlite_err(st, rc, "reading a questionnaire link", err);
}

enum prolo_code store_qlink_get(struct store *st, const unsigned char *token_hash,
                                struct store_qlink *out, struct prolo_err *err)
{
	static const char sql[] = "SELECT " QLINK_COLS " FROM questionnaire_links WHERE token_hash = ?";
	STMT(st, sql, err);
	sqlite3_bind_blob(s, 1, token_hash, STORE_HASH_LEN, SQLITE_STATIC);
	return qlink_one(st, s, out, "token", err);
}

enum prolo_code store_qlink_get_by_id(struct store *st, const char *id, struct store_qlink *out,
                                      struct prolo_err *err)
{
	static const char sql[] = "SELECT " QLINK_COLS " FROM questionnaire_links WHERE link_id = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	return qlink_one(st, s, out, "id", err);
}

enum prolo_code store_qlink_revoke(struct store *st, const unsigned char *token_hash, int64_t now,
                                   struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE questionnaire_links SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL";
	enum prolo_code rc = store_execf(st, sql, "revoking a questionnaire link", err, "Ih", (int64_t)now, token_hash);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ECONFLICT, "token", "this link was revoked already");
	return rc;
}

enum prolo_code store_qlink_revoke_course(struct store *st, const char *course_id, int64_t now,
                                          int *n, struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE questionnaire_links SET revoked_at = ? WHERE course_id = ? AND revoked_at IS NULL"
		" AND used_at IS NULL";
	enum prolo_code rc = store_execf(st, sql, "revoking questionnaire links", err, "It", (int64_t)now, course_id);
	if (n)
		*n = rc ? 0 : sqlite3_changes(store_sqlite_db(st));
	return rc;
}

enum prolo_code store_qlink_use(struct store *st, const unsigned char *token_hash, int64_t now,
                                struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE questionnaire_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";
	enum prolo_code rc = store_execf(st, sql, "using a questionnaire link", err, "Ih", (int64_t)now, token_hash);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ECONFLICT, "token", "this link has already been used");
	return rc;
}
