/* Accounts' secrets: passwords (Argon2id), random tokens of which only a
 * BLAKE2b hash is stored, and login throttling by account and address.
 * Below the adapters: the use cases and the web server's login call it. */
#ifndef PROLO_SECURITY_AUTH_H
#define PROLO_SECURITY_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

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

#endif
