/* Authentication and the permission matrix. The matrix is a table of role
 * bits per route, and auth_permit is the only place that reads it, so
 * docs/security.md, this table and tests/api/permissions.sh say the same. */
#include "http/auth.h"

#include "http/audit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (1u << ROLE_ADMIN)
#define C (1u << ROLE_CLINICIAN)
#define S (1u << ROLE_STAFF)
#define R (1u << ROLE_RESEARCHER)
#define PUBLIC 0u

static const struct {
	const char *name;
	unsigned roles; /* PUBLIC = no login needed */
} matrix[RT__COUNT] = {
	[RT_LOGIN] = { "login", PUBLIC },
	[RT_LOGOUT] = { "logout", A | C | S | R },
	[RT_ME] = { "me", A | C | S | R },
	[RT_PASSWORD] = { "password", A | C | S | R },
	[RT_VOCAB] = { "vocab", A | C | S | R },
	[RT_PATIENTS_LIST] = { "patients.list", A | C | S },
	[RT_PATIENTS_ADD] = { "patients.add", A | C | S },
	[RT_PATIENT_GET] = { "patients.get", A | C | S },
	[RT_COURSES_LIST] = { "courses.list", A | C | S },
	[RT_COURSES_ADD] = { "courses.add", A | C | S },
	[RT_COURSE_GET] = { "courses.get", A | C | S },
	[RT_COURSE_END] = { "courses.end", A | C },
	[RT_SESSIONS_ADD] = { "sessions.add", A | C },
	[RT_OUTCOMES_ADD] = { "outcomes.add", A | C | S },
	[RT_AES_ADD] = { "adverse-events.add", A | C | S },
	[RT_ALERTS_LIST] = { "alerts.list", A | C | S },
	[RT_ALERTS_ACK] = { "alerts.ack", A | C | S },
	[RT_REPORT] = { "report", A | C | S | R },
	[RT_USERS_LIST] = { "users.list", A },
	[RT_USERS_ADD] = { "users.add", A },
	[RT_AUDIT_LIST] = { "audit.list", A },
	[RT_QLINKS_ADD] = { "questionnaire-links.add", A | C | S },
	[RT_Q_PAGE] = { "q.page", PUBLIC },
	[RT_Q_GET] = { "q.get", PUBLIC },
	[RT_Q_POST] = { "q.answer", PUBLIC },
	[RT_STATIC] = { "static", PUBLIC },
};

const char *auth_route_name(enum route_id r)
{
	return r < RT__COUNT ? matrix[r].name : "?";
}

bool auth_route_public(enum route_id r)
{
	return r < RT__COUNT && matrix[r].roles == PUBLIC;
}

bool auth_role_may(int role, enum route_id r)
{
	if (r >= RT__COUNT)
		return false;
	if (matrix[r].roles == PUBLIC)
		return true;
	return role >= 0 && role < ROLE__COUNT && (matrix[r].roles & (1u << role));
}

enum prolo_code auth_permit(const struct store_user *u, enum route_id r,
                            const char *record_clinic, struct prolo_err *err)
{
	if (r >= RT__COUNT)
		return prolo_err_set(err, PROLO_EPERM, "", "no such route");
	if (matrix[r].roles == PUBLIC)
		return PROLO_OK;
	if (!u)
		return prolo_err_set(err, PROLO_EAUTH, "", "please log in");
	if (u->role < 0 || u->role >= ROLE__COUNT || !(matrix[r].roles & (1u << u->role)))
		return prolo_err_set(err, PROLO_EPERM, "", "the %s role may not use %s",
		                     u->role >= 0 && u->role < ROLE__COUNT ? store_role_names[u->role] : "?",
		                     matrix[r].name);
	if (record_clinic && u->role != ROLE_ADMIN && strcmp(record_clinic, u->clinic) != 0)
		return prolo_err_set(err, PROLO_EPERM, "", "this record belongs to another clinic");
	return PROLO_OK;
}

/* ---- passwords and tokens ---------------------------------------------- */

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	/* Verifying against this for unknown users makes a wrong name cost the
	 * same time as a wrong password. */
	if (crypto_pwhash_str(dummy_hash, "not a password of anyone", 24,
	                      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
}

enum prolo_code auth_init(struct prolo_err *err)
{
	if (sodium_init() < 0)
		return prolo_err_set(err, PROLO_EDB, "", "cannot initialise the crypto library");
	return PROLO_OK;
}

enum prolo_code auth_hash_password(const char *password, char out[STORE_PWHASH_MAX],
                                   struct prolo_err *err)
{
	size_t n = strlen(password);
	if (n < AUTH_MIN_PASSWORD)
		return prolo_err_set(err, PROLO_EINVAL, "password", "must have at least %d characters",
		                     AUTH_MIN_PASSWORD);
	if (n > AUTH_MAX_PASSWORD)
		return prolo_err_set(err, PROLO_EINVAL, "password", "must have at most %d characters",
		                     AUTH_MAX_PASSWORD);
	_Static_assert(crypto_pwhash_STRBYTES <= STORE_PWHASH_MAX, "pwhash fits");
	if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory hashing a password");
	return PROLO_OK;
}

bool auth_password_ok(const char *pwhash, const char *password)
{
	size_t n = strlen(password);
	if (n == 0 || n > AUTH_MAX_PASSWORD || !pwhash[0])
		return false;
	return crypto_pwhash_str_verify(pwhash, password, n) == 0;
}

void auth_new_token(char out[AUTH_TOKEN_HEX])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, AUTH_TOKEN_HEX, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
}

void auth_token_hash(const char *token, unsigned char out[STORE_HASH_LEN])
{
	crypto_generichash(out, STORE_HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* ---- login throttling -------------------------------------------------- */

#define USER_FREE_FAILURES 5   /* failures before a user is locked */
#define ADDR_FREE_FAILURES 20  /* failures before an address is locked */
#define LOCK_BASE_S 30         /* first lock; doubles with each further failure */
#define LOCK_MAX_S 900
#define FAILURE_MEMORY_S 900   /* failures older than this are forgotten */

static enum prolo_code throttled(struct store *st, const char *key, int64_t now,
                                 int64_t *retry_after, struct prolo_err *err)
{
	struct store_throttle t;
	enum prolo_code rc = store_throttle_get(st, key, &t, err);
	if (rc)
		return rc;
	if (t.locked_until > now && t.locked_until - now > *retry_after)
		*retry_after = t.locked_until - now;
	return PROLO_OK;
}

static enum prolo_code note_failure(struct store *st, const char *key, int free_failures,
                                    int64_t now, struct prolo_err *err)
{
	struct store_throttle t;
	enum prolo_code rc = store_throttle_get(st, key, &t, err);
	if (rc)
		return rc;
	if (now - t.last_at > FAILURE_MEMORY_S)
		t.failures = 0;
	t.failures++;
	t.last_at = now;
	if (t.failures >= free_failures) {
		int shift = t.failures - free_failures;
		int64_t lock = shift > 10 ? LOCK_MAX_S : (int64_t)LOCK_BASE_S << shift;
		t.locked_until = now + (lock > LOCK_MAX_S ? LOCK_MAX_S : lock);
	}
	return store_throttle_put(st, key, &t, err);
}

static void throttle_keys(const char *name, const char *addr, char *ukey, size_t usz,
                          char *akey, size_t asz)
{
	snprintf(ukey, usz, "user:%s", name);
	snprintf(akey, asz, "addr:%s", addr);
}

enum prolo_code auth_login_reserve(struct store *st, const char *name, const char *addr,
                                   int64_t now, int64_t *retry_after, struct prolo_err *err)
{
	char ukey[REC_ID_MAX + 8], akey[80];
	throttle_keys(name, addr, ukey, sizeof ukey, akey, sizeof akey);
	*retry_after = 0;
	enum prolo_code rc = throttled(st, ukey, now, retry_after, err);
	if (!rc)
		rc = throttled(st, akey, now, retry_after, err);
	if (rc)
		return rc;
	if (*retry_after > 0)
		return prolo_err_set(err, PROLO_ECONFLICT, "", "too many failed logins; try again in %lld s",
		                     (long long)*retry_after);
	rc = note_failure(st, ukey, USER_FREE_FAILURES, now, err);
	return rc ? rc : note_failure(st, akey, ADDR_FREE_FAILURES, now, err);
}

enum prolo_code auth_login_check(struct store *st, const char *name, const char *password,
                                 struct store_user *u, struct prolo_err *err)
{
	struct prolo_err ignore;
	bool ok;
	if (store_user_get(st, name, u, &ignore) == PROLO_OK) {
		ok = auth_password_ok(u->pwhash, password) && !u->disabled;
	} else {
		pthread_once(&dummy_once, make_dummy);
		(void)auth_password_ok(dummy_hash, password);
		ok = false;
	}
	sodium_memzero(u->pwhash, sizeof u->pwhash);
	if (!ok)
		return prolo_err_set(err, PROLO_EAUTH, "password", "wrong user name or password");
	return PROLO_OK;
}

enum prolo_code auth_login_record(struct store *st, const char *name, const char *addr,
                                  int64_t now, const struct store_user *u,
                                  char token[AUTH_TOKEN_HEX], char csrf[AUTH_TOKEN_HEX],
                                  struct prolo_err *err)
{
	char ukey[REC_ID_MAX + 8], akey[80];
	throttle_keys(name, addr, ukey, sizeof ukey, akey, sizeof akey);
	enum prolo_code rc;
	if ((rc = store_throttle_clear(st, ukey, err)))
		return rc;
	/* The address's reserved failure is given back. */
	struct store_throttle t;
	if ((rc = store_throttle_get(st, akey, &t, err)))
		return rc;
	if (t.failures > 0) {
		t.failures--;
		if ((rc = store_throttle_put(st, akey, &t, err)))
			return rc;
	}
	struct store_login_session ls;
	memset(&ls, 0, sizeof ls);
	auth_new_token(token);
	auth_new_token(csrf);
	auth_token_hash(token, ls.id_hash);
	snprintf(ls.user, sizeof ls.user, "%s", u->name);
	snprintf(ls.csrf, sizeof ls.csrf, "%s", csrf);
	ls.created_at = ls.last_seen = now;
	return store_login_session_add(st, &ls, err);
}

/* ---- sessions and CSRF ------------------------------------------------- */

/* A session refresh, handed to the group-commit writer without waiting (a
 * refresh lost in a power cut only shortens the session), or with drop the
 * removal of an expired session, which is waited for: the 401 goes out
 * once the session is gone. Written in the caller's thread (a short
 * transaction of its own, outside any read snapshot) when there is no
 * writer or no memory. Failures are ignored. */
struct session_job {
	struct writer_job job;      /* first: the writer hands it back */
	unsigned char id_hash[STORE_HASH_LEN];
	int64_t now;
	bool drop;
};

static enum prolo_code run_session_job(struct writer_job *j, struct store *st, struct prolo_err *err)
{
	struct session_job *sj = (struct session_job *)j;
	return sj->drop ? store_login_session_delete(st, sj->id_hash, NULL, NULL, err)
	                : store_login_session_touch(st, sj->id_hash, sj->now, err);
}

static void free_session_job(struct writer_job *j, bool lost, const struct prolo_err *err)
{
	free(j);
}

static void keep_session_job(struct writer_job *j, bool lost, const struct prolo_err *err)
{
}

static void session_write(struct store *st, struct writer *w, const unsigned char *h, int64_t now,
                          bool drop)
{
	if (w && drop) {
		struct session_job dj = { .job = { .run = run_session_job, .done = keep_session_job,
		                                   .durable = false, .single = true },
		                          .now = now, .drop = true };
		memcpy(dj.id_hash, h, STORE_HASH_LEN);
		writer_run(w, &dj.job);
		return;
	}
	struct session_job *sj = w ? calloc(1, sizeof *sj) : NULL;
	if (sj) {
		sj->job = (struct writer_job){ .run = run_session_job, .done = free_session_job,
		                               .durable = false, .single = true };
		memcpy(sj->id_hash, h, STORE_HASH_LEN);
		sj->now = now;
		sj->drop = drop;
		writer_submit(w, &sj->job);
		return;
	}
	bool snap = store_in_transaction(st);
	if (snap)
		store_read_end(st);
	audit_writer_enter();
	if (store_begin(st, NULL) == PROLO_OK) {
		if ((drop ? store_login_session_delete(st, h, NULL, NULL, NULL)
		          : store_login_session_touch(st, h, now, NULL)) == PROLO_OK)
			store_commit(st, NULL);
		else
			store_rollback(st);
	}
	audit_writer_leave();
	if (snap)
		store_read_begin(st, NULL);
}

enum prolo_code auth_session(struct store *st, struct writer *w, const char *token, int64_t now,
                             const struct auth_policy *pol, struct store_login_session *s,
                             struct store_user *u, struct prolo_err *err)
{
	int64_t idle = pol && pol->idle_s > 0 ? pol->idle_s : 1800;
	int64_t absolute = pol && pol->absolute_s > 0 ? pol->absolute_s : 12 * 3600;
	if (!token || strlen(token) != AUTH_TOKEN_HEX - 1)
		return prolo_err_set(err, PROLO_EAUTH, "", "please log in");
	unsigned char h[STORE_HASH_LEN];
	auth_token_hash(token, h);
	struct prolo_err e2;
	enum prolo_code rc = store_login_session_get(st, h, s, &e2);
	if (rc == PROLO_ENOTFOUND)
		return prolo_err_set(err, PROLO_EAUTH, "", "please log in");
	if (rc) {
		if (err)
			*err = e2;
		return rc;
	}
	if (now - s->last_seen >= idle || now - s->created_at >= absolute) {
		session_write(st, w, h, now, true);
		return prolo_err_set(err, PROLO_EAUTH, "", "the session has expired; please log in again");
	}
	rc = store_user_get(st, s->user, u, &e2);
	if (rc || u->disabled)
		return prolo_err_set(err, PROLO_EAUTH, "", "please log in");
	sodium_memzero(u->pwhash, sizeof u->pwhash);
	int64_t every = idle / 4 < 60 ? idle / 4 : 60;
	if (now - s->last_seen >= every)
		session_write(st, w, h, now, false);
	return PROLO_OK;
}

enum prolo_code auth_csrf(const struct store_login_session *s, const char *header,
                          struct prolo_err *err)
{
	size_t n = strlen(s->csrf);
	if (!header || strlen(header) != n || n == 0 ||
	    sodium_memcmp(header, s->csrf, n) != 0)
		return prolo_err_set(err, PROLO_EPERM, "X-CSRF-Token",
		                     "missing or wrong CSRF token (send the token returned at login)");
	return PROLO_OK;
}
