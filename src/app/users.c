/* Accounts as use cases: adding a user. Password hashing is slow and
 * happens before, in the adapter (security/auth.h), outside any lock. */
#include "app/app.h"

#include <sodium.h>
#include <string.h>

#include "core/domain.h"

enum prolo_code app_user_check(const struct store_user *u, struct prolo_err *err)
{
	if (!dom_id_valid(u->name, strlen(u->name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "'%.64s' is not a valid user name (1-64 of A-Z a-z 0-9 . _ : -)",
		                     u->name);
	if (u->role < 0 || u->role >= ROLE__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "role", "must be admin|clinician|staff|researcher");
	if (u->clinic[0] && !dom_id_valid(u->clinic, strlen(u->clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	return PROLO_OK;
}

enum prolo_code app_user_add(struct app_ctx *cx, const struct store_user *u, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_ADD, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if ((rc = app_user_check(u, err)))
		return rc;
	if (!u->pwhash[0])
		return prolo_err_set(err, PROLO_EINVAL, "password", "is required");
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_user_add(cx->st, u, err);
	if (!rc)
		rc = app_audit(cx, "user.create", "user", u->name, store_role_names[u->role], err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_unlock(struct app_ctx *cx, const char *name, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_UNLOCK, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!name || !dom_id_valid(name, strlen(name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "1-64 of A-Z a-z 0-9 . _ : -");
	struct store_user u;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_user_get(cx->st, name, &u, err);
	if (rc == PROLO_ENOTFOUND)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "name", "no user '%.64s'", name);
	sodium_memzero(u.pwhash, sizeof u.pwhash);
	if (!rc)
		rc = auth_account_unlock(cx->st, name, err);
	if (!rc)
		rc = app_audit(cx, "user.unlock", "user", name, "", err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_password_prepare(struct app_ctx *cx, const char *old_pw, const char *new_pw,
                                     char new_hash[STORE_PWHASH_MAX], char old_hash[STORE_PWHASH_MAX],
                                     struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_PASSWORD, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct store_user u;
	if ((rc = store_user_get(cx->st, cx->who.user, &u, err)))
		return rc;
	bool ok = auth_password_ok(u.pwhash, old_pw);
	snprintf(old_hash, STORE_PWHASH_MAX, "%s", u.pwhash);
	sodium_memzero(u.pwhash, sizeof u.pwhash);
	if (!ok) {
		sodium_memzero(old_hash, STORE_PWHASH_MAX);
		return prolo_err_set(err, PROLO_EPERM, "old_password", "is not your current password");
	}
	size_t n = strlen(old_pw);
	if (strlen(new_pw) == n && sodium_memcmp(old_pw, new_pw, n) == 0)
		return prolo_err_set(err, PROLO_EINVAL, "new_password", "must differ from the current password");
	if ((rc = auth_hash_password(new_pw, new_hash, err)))
		snprintf(err->field, sizeof err->field, "new_password");
	return rc;
}

enum prolo_code app_password_change(struct app_ctx *cx, const char *new_hash, const char *old_hash,
                                    const unsigned char *keep, struct prolo_err *err)
{
	struct store_user cur;
	enum prolo_code rc = app_unit_begin(cx, err);
	if (rc)
		return rc;
	rc = store_user_get(cx->st, cx->who.user, &cur, err);
	if (!rc) {
		bool same = strcmp(cur.pwhash, old_hash) == 0;
		sodium_memzero(cur.pwhash, sizeof cur.pwhash);
		if (!same)
			rc = prolo_err_set(err, PROLO_ECONFLICT, "old_password",
			                   "the password was changed meanwhile; try again");
	}
	if (!rc)
		rc = store_user_set_password(cx->st, cx->who.user, new_hash, err);
	if (!rc)
		rc = store_login_session_delete(cx->st, NULL, cx->who.user, keep, err);
	if (!rc)
		rc = auth_login_success(cx->st, cx->who.user, cx->who.addr, cx->now, err);
	if (!rc)
		rc = app_audit(cx, "password.change", "user", cx->who.user, "", err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_set_password(struct app_ctx *cx, const char *name, const char *new_hash,
                                      struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_ADD, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!name || !dom_id_valid(name, strlen(name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "1-64 of A-Z a-z 0-9 . _ : -");
	struct store_user u;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_user_get(cx->st, name, &u, err);
	if (rc == PROLO_ENOTFOUND)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "name", "no user '%.64s'", name);
	sodium_memzero(u.pwhash, sizeof u.pwhash);
	if (!rc)
		rc = store_user_set_password(cx->st, name, new_hash, err);
	if (!rc)
		rc = store_login_session_delete(cx->st, NULL, name, NULL, err);
	if (!rc)
		rc = app_audit(cx, "password.reset", "user", name, "", err);
	return app_unit_end(cx, rc, err);
}
