/* The web server's login sessions and CSRF tokens. */
#ifndef PROLO_HTTP_LOGIN_H
#define PROLO_HTTP_LOGIN_H

#include <stdint.h>

#include "core/err.h"
#include "http/writer.h"
#include "security/auth.h"
#include "store/store.h"

/* Session policy; zeros mean the defaults (30 min idle, 12 h absolute). */
struct login_policy {
	int64_t idle_s;
	int64_t absolute_s;
};

/* Resolves a cookie token to its session and user. PROLO_EAUTH when the
 * token is unknown, idle or too old (an expired session is deleted) or the
 * user is disabled. Refreshes last_seen at most once a minute. Both
 * writes go to the group-commit writer w, the refresh without waiting for
 * it (w NULL: a short transaction of their own on st). */
enum prolo_code login_session(struct store *st, struct writer *w, const char *token, int64_t now,
                             const struct login_policy *pol, struct store_login_session *s,
                             struct store_user *u, struct prolo_err *err);

/* Constant-time comparison of the request's X-CSRF-Token with the session's.
 * PROLO_EPERM when missing or different. */
enum prolo_code login_csrf(const struct store_login_session *s, const char *header,
                          struct prolo_err *err);

#endif
