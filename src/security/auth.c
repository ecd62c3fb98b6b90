/* Accounts' secrets: Argon2id password hashes, random tokens stored only
 * as BLAKE2b hashes, and login throttling. Used by the use cases (new
 * user, password change) and by the web server's login; nothing here
 * knows HTTP. */
#include "security/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

