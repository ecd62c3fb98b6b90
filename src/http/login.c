/* The web server's login sessions: a cookie token resolved to its session
 * and user (refreshes go to the group-commit writer), and the CSRF check
 * of state-changing requests. */
#include "http/login.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security/audit.h"
#include "security/auth.h"

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

enum prolo_code login_session(struct store *st, struct writer *w, const char *token, int64_t now,
                             const struct login_policy *pol, struct store_login_session *s,
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

enum prolo_code login_csrf(const struct store_login_session *s, const char *header,
                          struct prolo_err *err)
{
	size_t n = strlen(s->csrf);
	if (!header || strlen(header) != n || n == 0 ||
	    sodium_memcmp(header, s->csrf, n) != 0)
		return prolo_err_set(err, PROLO_EPERM, "X-CSRF-Token",
		                     "missing or wrong CSRF token (send the token returned at login)");
	return PROLO_OK;
}
