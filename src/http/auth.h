/* Who may do what: passwords (Argon2id), login sessions (random 256-bit
 * cookies of which only a BLAKE2b hash is stored), login throttling, CSRF
 * tokens, and the permission matrix of docs/security.md, enforced by one
 * function, auth_permit, for every route, role and clinic. */
#ifndef PROLO_AUTH_H
#define PROLO_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "http/writer.h"
#include "store/store.h"

/* Every route of the server; the router maps method + path to one. */
enum route_id {
	RT_LOGIN, RT_LOGOUT, RT_ME, RT_PASSWORD, RT_VOCAB,
	RT_PATIENTS_LIST, RT_PATIENTS_ADD, RT_PATIENT_GET,
	RT_COURSES_LIST, RT_COURSES_ADD, RT_COURSE_GET, RT_COURSE_END,
	RT_SESSIONS_ADD, RT_OUTCOMES_ADD, RT_AES_ADD,
	RT_ALERTS_LIST, RT_ALERTS_ACK, RT_REPORT,
	RT_USERS_LIST, RT_USERS_ADD, RT_AUDIT_LIST,
	RT_QLINKS_ADD, RT_Q_PAGE, RT_Q_GET, RT_Q_POST, RT_STATIC,
	RT__COUNT
};

/* Name of a route for docs and tests ("patients.add"). Cannot fail. */
const char *auth_route_name(enum route_id r);
/* True for routes that need no login (login, questionnaire, static). */
bool auth_route_public(enum route_id r);

/* True when role may use route r (public routes: any role). Cannot fail. */
bool auth_role_may(int role, enum route_id r);

/* THE permission check. u is the logged-in user (NULL = anonymous);
 * record_clinic is the clinic of the record at stake, or NULL when the
 * route itself is being checked (before any record is read). Returns
 * PROLO_OK; PROLO_EAUTH when a login is needed; PROLO_EPERM (err says why)
 * when the role may not use the route or the record is another clinic's. */
enum prolo_code auth_permit(const struct store_user *u, enum route_id r,
                            const char *record_clinic, struct prolo_err *err);

/* Session policy; zeros mean the defaults (30 min idle, 12 h absolute). */
struct auth_policy {
	int64_t idle_s;
	int64_t absolute_s;
};

#define AUTH_TOKEN_HEX 65 /* 32 random bytes as hex + NUL */
#define AUTH_MIN_PASSWORD 10
#define AUTH_MAX_PASSWORD 256

/* Initialises libsodium; call once before threads start. PROLO_EDB (sic:
 * an internal failure) if it cannot. */
enum prolo_code auth_init(struct prolo_err *err);

/* Argon2id string for password (crypto_pwhash_str, interactive limits).
 * PROLO_EINVAL when the password is too short/long; PROLO_ENOMEM. */
enum prolo_code auth_hash_password(const char *password, char out[STORE_PWHASH_MAX],
                                   struct prolo_err *err);
/* True when password matches the stored string. Cannot fail otherwise. */
bool auth_password_ok(const char *pwhash, const char *password);

/* A fresh random token as 64 hex digits, and its storage hash. Cannot fail. */
void auth_new_token(char out[AUTH_TOKEN_HEX]);
void auth_token_hash(const char *token, unsigned char out[STORE_HASH_LEN]);

/* A login in three steps so the slow Argon2id check holds no write lock
 * yet parallel guesses cannot outrun the throttle: each attempt is counted
 * as a failure before it is verified.
 * auth_login_reserve, inside the caller's write transaction:
 * PROLO_ECONFLICT with *retry_after > 0 when the user or the address is
 * locked (nothing written); else counts one failure for both and PROLO_OK
 * (or a store code). */
enum prolo_code auth_login_reserve(struct store *st, const char *name, const char *addr,
                                   int64_t now, int64_t *retry_after, struct prolo_err *err);
/* Then, reading only: PROLO_OK with *u filled when name and password
 * match; PROLO_EAUTH for a wrong name or password (one message for both,
 * and as slow). */
enum prolo_code auth_login_check(struct store *st, const char *name, const char *password,
                                 struct store_user *u, struct prolo_err *err);
/* After a success, inside the caller's write transaction: clears the
 * user's counter, gives back the address's reserved failure and opens a
 * session, filling token (the cookie value) and csrf. Store codes. */
enum prolo_code auth_login_record(struct store *st, const char *name, const char *addr,
                                  int64_t now, const struct store_user *u,
                                  char token[AUTH_TOKEN_HEX], char csrf[AUTH_TOKEN_HEX],
                                  struct prolo_err *err);

/* Resolves a cookie token to its session and user. PROLO_EAUTH when the
 * token is unknown, idle or too old (an expired session is deleted) or the
 * user is disabled. Refreshes last_seen at most once a minute. Both
 * writes go to the group-commit writer w, the refresh without waiting for
 * it (w NULL: a short transaction of their own on st). */
enum prolo_code auth_session(struct store *st, struct writer *w, const char *token, int64_t now,
                             const struct auth_policy *pol, struct store_login_session *s,
                             struct store_user *u, struct prolo_err *err);

/* Constant-time comparison of the request's X-CSRF-Token with the session's.
 * PROLO_EPERM when missing or different. */
enum prolo_code auth_csrf(const struct store_login_session *s, const char *header,
                          struct prolo_err *err);

#endif
