/* Accounts' secrets: passwords (Argon2id), random tokens of which only a
 * BLAKE2b hash is stored, and login throttling by account and address.
 * Below the adapters: the use cases and the web server's login call it. */
#ifndef PROLO_SECURITY_AUTH_H
#define PROLO_SECURITY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define AUTH_TOKEN_HEX 65 /* 32 random bytes as hex + NUL */
/* The one password rule: auth_hash_password enforces it (new users,
 * password changes, the command line), GET /api/vocab serves it as
 * "password_min" and the web forms' hints read it from there. */
#define AUTH_MIN_PASSWORD 10
#define AUTH_MAX_PASSWORD 256

/* The sessions' lifetime when the server is given none (src/http/login.c). */
#define AUTH_SESSION_IDLE_S 1800
#define AUTH_SESSION_ABSOLUTE_S 43200

/* True when password is one of the common passwords shipped with prolo
 * (src/security/common-passwords.txt, built in), compared without case, or
 * one of them with only digits, punctuation or spaces added before or
 * after ("Password2024!", "monkey12345"). Cannot fail. The rule that uses
 * it is app_password_rule (src/app/users.c). */
bool auth_password_common(const char *password);
/* The built-in list, sorted (strcmp): its size and its i-th entry (NULL
 * past the end), for the tests. Cannot fail. */
size_t auth_common_password_count(void);
const char *auth_common_password_at(size_t i);

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

/* Login throttling (docs/security.md). Failures are counted per
 * (account, address) pair, per address and per account. A pair is locked
 * from its AUTH_PAIR_FREE_FAILURES-th failure and an address from its
 * AUTH_ADDR_FREE_FAILURES-th, each lock 30 s doubling up to 15 min; an
 * account is never locked: its failures only move the attempts of
 * unknown pairs behind the others (enum auth_tier). So a stranger cannot
 * lock a person out: the owner's right password from an address without
 * failures still works. */
#define AUTH_PAIR_FREE_FAILURES 5
#define AUTH_ADDR_FREE_FAILURES 20
#define AUTH_ACCOUNT_SLOW_FAILURES 5

/* How soon an attempt is hashed, best first. */
enum auth_tier {
	AUTH_TIER_KNOWN,   /* the pair logged in before and has no failures since */
	AUTH_TIER_CLEAN,   /* the pair has no failures, the account fewer than
	                    * AUTH_ACCOUNT_SLOW_FAILURES */
	AUTH_TIER_SUSPECT, /* anything else: slowed, never refused for the account */
};

/* Reading only, before an attempt is queued for its hash: *retry_after > 0
 * when the pair or the address is locked (refuse at once, without a hash);
 * else *tier. Store codes. */
enum prolo_code auth_login_triage(struct store *st, const char *name, const char *addr, int64_t now,
                                  int64_t *retry_after, enum auth_tier *tier, struct prolo_err *err);

/* A login in three steps so the slow Argon2id check holds no write lock
 * yet parallel guesses cannot outrun the throttle: each attempt is counted
 * as a failure before it is verified.
 * auth_login_reserve, inside the caller's write transaction:
 * PROLO_ECONFLICT with *retry_after > 0 when the pair or the address is
 * locked (nothing written); else counts one failure for the pair, the
 * address and the account and PROLO_OK (or a store code). A password
 * change's old password is reserved the same way. */
enum prolo_code auth_login_reserve(struct store *st, const char *name, const char *addr,
                                   int64_t now, int64_t *retry_after, struct prolo_err *err);
/* Then, reading only: PROLO_OK with *u filled when name and password
 * match; PROLO_EAUTH for a wrong name or password (one message for both,
 * and as slow); PROLO_EAUTH (field username) with u->disabled set when the
 * password is right but the account is disabled. */
enum prolo_code auth_login_check(struct store *st, const char *name, const char *password,
                                 struct store_user *u, struct prolo_err *err);
/* After a right password, inside the caller's write transaction: clears
 * the pair's failures, gives back the reserved failure of the address
 * (lifting its lock when it falls below the threshold) and of the account,
 * and remembers the pair as known. Store codes. */
enum prolo_code auth_login_success(struct store *st, const char *name, const char *addr,
                                   int64_t now, struct prolo_err *err);
/* auth_login_success, then opens a session (with a public id and the
 * address), filling token (the cookie value) and csrf, and remembers the
 * user's last login. Store codes. */
enum prolo_code auth_login_record(struct store *st, const char *name, const char *addr,
                                  int64_t now, const struct store_user *u,
                                  char token[AUTH_TOKEN_HEX], char csrf[AUTH_TOKEN_HEX],
                                  struct prolo_err *err);
/* SMS receipts (POST /api/outreach/sms-receipt) are authorised by a
 * shared secret, so refused secrets are throttled per address like failed
 * logins, under a key of their own ("receipt:ADDRESS", apart from the
 * logins' keys; an IPv6 address counts by its /64, which one client
 * commonly holds whole, so it cannot take a fresh address per 10
 * guesses): from the AUTH_RECEIPT_FREE_FAILURES-th refusal the
 * address is locked, 30 s doubling up to 15 min, and its receipts are
 * refused unread; refusals are forgotten 15 min after the last. */
#define AUTH_RECEIPT_FREE_FAILURES 10
/* The group an address is throttled by, as text into out: an IPv6
 * address's /64 ("2001:db8:1:2::/64"); an IPv4 address (also mapped into
 * IPv6) or anything else as it is. */
void auth_addr_group(const char *addr, char *out, size_t outsz);
/* Reading only: *retry_after > 0 (seconds) when addr is locked, else 0.
 * Store codes. */
enum prolo_code auth_receipt_triage(struct store *st, const char *addr, int64_t now, int64_t *retry_after,
                                    struct prolo_err *err);
/* One refused secret from addr, in the caller's write transaction. Store
 * codes. */
enum prolo_code auth_receipt_refused(struct store *st, const char *addr, int64_t now, struct prolo_err *err);
/* Forgets an account's failures and the locks of all its pairs (an
 * admin's unlock), inside the caller's transaction. Addresses stay
 * locked. Store codes. */
enum prolo_code auth_account_unlock(struct store *st, const char *name, struct prolo_err *err);

#endif
