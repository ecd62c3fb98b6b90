/* Accounts' secrets: Argon2id password hashes, random tokens stored only
 * as BLAKE2b hashes, and login throttling. Used by the use cases (new
 * user, password change) and by the web server's login; nothing here
 * knows HTTP. */
#include "security/auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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

#define LOCK_BASE_S 30         /* first lock; doubles with each further failure */
#define LOCK_MAX_S 900
#define FAILURE_MEMORY_S 900   /* failures older than this are forgotten */
#define KNOWN_MEMORY_S (90 * 86400) /* a pair that logged in is known this long */

/* The keys of table login_failures. A name is made of A-Z a-z 0-9 . _ : -,
 * so the space cannot be part of it. */
#define KEY_MAX (REC_ID_MAX + 96)
static void key_of(char *out, const char *kind, const char *name, const char *addr)
{
	if (name && addr)
		snprintf(out, KEY_MAX, "%s:%s %.80s", kind, name, addr);
	else
		snprintf(out, KEY_MAX, "%s:%.80s", kind, name ? name : addr);
}

/* t as of now: failures older than FAILURE_MEMORY_S forgotten. */
static enum prolo_code get_now(struct store *st, const char *key, int64_t now,
                               struct store_throttle *t, struct prolo_err *err)
{
	enum prolo_code rc = store_throttle_get(st, key, t, err);
	if (!rc && now - t->last_at > FAILURE_MEMORY_S)
		t->failures = 0;
	return rc;
}

static void note_lock(const struct store_throttle *t, int64_t now, int64_t *retry_after)
{
	if (t->locked_until > now && t->locked_until - now > *retry_after)
		*retry_after = t->locked_until - now;
}

/* One more failure of key; from the free_failures-th on (0 = never) the
 * key is locked, 30 s doubling with each further failure. */
static enum prolo_code note_failure(struct store *st, const char *key, int free_failures,
                                    int64_t now, struct prolo_err *err)
{
	struct store_throttle t;
	enum prolo_code rc = get_now(st, key, now, &t, err);
	if (rc)
		return rc;
	t.failures++;
	t.last_at = now;
	if (free_failures > 0 && t.failures >= free_failures) {
		int shift = t.failures - free_failures;
		int64_t lock = shift > 10 ? LOCK_MAX_S : (int64_t)LOCK_BASE_S << shift;
		t.locked_until = now + (lock > LOCK_MAX_S ? LOCK_MAX_S : lock);
	}
	return store_throttle_put(st, key, &t, err);
}

/* Takes back one reserved failure of key; below free_failures the key is
 * no longer locked. */
static enum prolo_code give_back(struct store *st, const char *key, int free_failures, int64_t now,
                                 struct prolo_err *err)
{
	struct store_throttle t;
	enum prolo_code rc = store_throttle_get(st, key, &t, err);
	if (rc || (t.failures == 0 && t.locked_until == 0))
		return rc;
	if (t.failures > 0)
		t.failures--;
	if (free_failures <= 0 || t.failures < free_failures)
		t.locked_until = 0;
	return t.failures == 0 && t.locked_until == 0 ? store_throttle_clear(st, key, err)
	                                              : store_throttle_put(st, key, &t, err);
}

enum prolo_code auth_login_triage(struct store *st, const char *name, const char *addr, int64_t now,
                                  int64_t *retry_after, enum auth_tier *tier, struct prolo_err *err)
{
	char pkey[KEY_MAX], akey[KEY_MAX], ukey[KEY_MAX], kkey[KEY_MAX];
	key_of(pkey, "pair", name, addr);
	key_of(akey, "addr", NULL, addr);
	key_of(ukey, "user", name, NULL);
	key_of(kkey, "known", name, addr);
	struct store_throttle p, a, u, k;
	enum prolo_code rc;
	*retry_after = 0;
	*tier = AUTH_TIER_SUSPECT;
	if ((rc = get_now(st, pkey, now, &p, err)) || (rc = get_now(st, akey, now, &a, err)) ||
	    (rc = get_now(st, ukey, now, &u, err)) || (rc = store_throttle_get(st, kkey, &k, err)))
		return rc;
	note_lock(&p, now, retry_after);
	note_lock(&a, now, retry_after);
	if (*retry_after > 0)
		return PROLO_OK;
	if (p.failures == 0 && k.last_at > 0 && now - k.last_at <= KNOWN_MEMORY_S)
		*tier = AUTH_TIER_KNOWN;
	else if (p.failures == 0 && u.failures < AUTH_ACCOUNT_SLOW_FAILURES)
		*tier = AUTH_TIER_CLEAN;
	return PROLO_OK;
}

enum prolo_code auth_login_reserve(struct store *st, const char *name, const char *addr,
                                   int64_t now, int64_t *retry_after, struct prolo_err *err)
{
	char pkey[KEY_MAX], akey[KEY_MAX], ukey[KEY_MAX];
	key_of(pkey, "pair", name, addr);
	key_of(akey, "addr", NULL, addr);
	key_of(ukey, "user", name, NULL);
	struct store_throttle p, a;
	*retry_after = 0;
	enum prolo_code rc = get_now(st, pkey, now, &p, err);
	if (!rc)
		rc = get_now(st, akey, now, &a, err);
	if (rc)
		return rc;
	note_lock(&p, now, retry_after);
	note_lock(&a, now, retry_after);
	if (*retry_after > 0)
		return prolo_err_set(err, PROLO_ECONFLICT, "", "too many failed logins; try again in %lld s",
		                     (long long)*retry_after);
	if ((rc = note_failure(st, pkey, AUTH_PAIR_FREE_FAILURES, now, err)) ||
	    (rc = note_failure(st, akey, AUTH_ADDR_FREE_FAILURES, now, err)))
		return rc;
	return note_failure(st, ukey, 0, now, err);
}

void auth_addr_group(const char *addr, char *out, size_t outsz)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET6, addr, a) == 1 && !IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a)) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, text, sizeof text)) {
			snprintf(out, outsz, "%s/64", text);
			return;
		}
	}
	snprintf(out, outsz, "%s", addr);
}

/* The receipt throttle's key of an address: its /64 for IPv6. */
static void receipt_key(char *out, const char *addr)
{
	char group[INET6_ADDRSTRLEN + 4];
	auth_addr_group(addr, group, sizeof group);
	key_of(out, "receipt", NULL, group);
}

enum prolo_code auth_receipt_triage(struct store *st, const char *addr, int64_t now, int64_t *retry_after,
                                    struct prolo_err *err)
{
	char key[KEY_MAX];
	receipt_key(key, addr);
	struct store_throttle t;
	*retry_after = 0;
	enum prolo_code rc = store_throttle_get(st, key, &t, err);
	if (!rc)
		note_lock(&t, now, retry_after);
	return rc;
}

enum prolo_code auth_receipt_refused(struct store *st, const char *addr, int64_t now, struct prolo_err *err)
{
	char key[KEY_MAX];
	receipt_key(key, addr);
	return note_failure(st, key, AUTH_RECEIPT_FREE_FAILURES, now, err);
}

enum prolo_code auth_login_check(struct store *st, const char *name, const char *password,
                                 struct store_user *u, struct prolo_err *err)
{
	struct prolo_err ignore;
	bool ok;
	if (store_user_get(st, name, u, &ignore) == PROLO_OK) {
		ok = auth_password_ok(u->pwhash, password);
	} else {
		pthread_once(&dummy_once, make_dummy);
		(void)auth_password_ok(dummy_hash, password);
		ok = false;
	}
	sodium_memzero(u->pwhash, sizeof u->pwhash);
	if (!ok) {
		u->disabled = false; /* only the holder of the password learns that */
		return prolo_err_set(err, PROLO_EAUTH, "password", "wrong user name or password");
	}
	if (u->disabled)
		return prolo_err_set(err, PROLO_EAUTH, "username",
		                     "this account is disabled; ask an administrator");
	return PROLO_OK;
}

enum prolo_code auth_login_success(struct store *st, const char *name, const char *addr,
                                   int64_t now, struct prolo_err *err)
{
	char pkey[KEY_MAX], akey[KEY_MAX], ukey[KEY_MAX], kkey[KEY_MAX];
	key_of(pkey, "pair", name, addr);
	key_of(akey, "addr", NULL, addr);
	key_of(ukey, "user", name, NULL);
	key_of(kkey, "known", name, addr);
	enum prolo_code rc;
	if ((rc = store_throttle_clear(st, pkey, err)) ||
	    (rc = give_back(st, akey, AUTH_ADDR_FREE_FAILURES, now, err)) ||
	    (rc = give_back(st, ukey, 0, now, err)))
		return rc;
	struct store_throttle k = { .failures = 0, .last_at = now, .locked_until = 0 };
	return store_throttle_put(st, kkey, &k, err);
}

enum prolo_code auth_login_record(struct store *st, const char *name, const char *addr,
                                  int64_t now, const struct store_user *u,
                                  char token[AUTH_TOKEN_HEX], char csrf[AUTH_TOKEN_HEX],
                                  struct prolo_err *err)
{
	enum prolo_code rc = auth_login_success(st, name, addr, now, err);
	if (rc)
		return rc;
	struct store_login_session ls;
	memset(&ls, 0, sizeof ls);
	auth_new_token(token);
	auth_new_token(csrf);
	auth_token_hash(token, ls.id_hash);
	snprintf(ls.user, sizeof ls.user, "%s", u->name);
	snprintf(ls.csrf, sizeof ls.csrf, "%s", csrf);
	snprintf(ls.addr, sizeof ls.addr, "%s", addr ? addr : "");
	unsigned char sid[8];
	randombytes_buf(sid, sizeof sid);
	sodium_bin2hex(ls.sid, sizeof ls.sid, sid, sizeof sid);
	ls.created_at = ls.last_seen = now;
	rc = store_login_session_add(st, &ls, err);
	return rc ? rc : store_user_change(st, u->name, &(struct store_user_change){ .disabled = -1, .role = -1,
	                                   .last_login_at = now, .last_login_addr = addr }, err);
}

enum prolo_code auth_account_unlock(struct store *st, const char *name, struct prolo_err *err)
{
	char ukey[KEY_MAX], prefix[KEY_MAX];
	key_of(ukey, "user", name, NULL);
	snprintf(prefix, sizeof prefix, "pair:%s ", name);
	enum prolo_code rc = store_throttle_clear(st, ukey, err);
	return rc ? rc : store_throttle_clear_prefix(st, prefix, err);
}
