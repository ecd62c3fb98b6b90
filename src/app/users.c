/* Accounts as use cases: adding a user, the password rule, and the life of
 * an account (disable, enable, a new role, a one-time password, its open
 * sessions). Password hashing is slow and happens before, in the adapter
 * (app_password_hash, security/auth.h), outside any lock. The last active
 * admin is never disabled nor demoted, so the registry always has one. */
#include "app/app.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/domain.h"

/* ---- the password rule ---------------------------------------------------- */

enum prolo_code app_password_rule(const char *pw, const char *name, const char *field, struct prolo_err *err)
{
	size_t n = strlen(pw);
	if (n < AUTH_MIN_PASSWORD)
		return prolo_err_set(err, PROLO_EINVAL, field, "must have at least %d characters", AUTH_MIN_PASSWORD);
	if (n > AUTH_MAX_PASSWORD)
		return prolo_err_set(err, PROLO_EINVAL, field, "must have at most %d characters", AUTH_MAX_PASSWORD);
	if (auth_password_common(pw))
		return prolo_err_set(err, PROLO_EINVAL, field,
		                     "is one of the most common passwords (or one with digits added); choose another");
	if (name && strcasecmp(pw, name) == 0)
		return prolo_err_set(err, PROLO_EINVAL, field, "must differ from the user name");
	return PROLO_OK;
}

enum prolo_code app_password_hash(const char *pw, const char *name, const char *field,
                                  char out[STORE_PWHASH_MAX], struct prolo_err *err)
{
	enum prolo_code rc = app_password_rule(pw, name, field, err);
	if (!rc && (rc = auth_hash_password(pw, out, err)))
		snprintf(err->field, sizeof err->field, "%s", field);
	return rc;
}

/* ---- adding a user -------------------------------------------------------- */

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

/* ---- one account, by an admin --------------------------------------------- */

/* The first steps of an admin's action on the account name: the
 * permission, the name's form, the unit, the account (PROLO_ENOTFOUND,
 * field name). On PROLO_OK the unit is open and *u holds the account
 * without its hash; on an error no unit is open. */
static enum prolo_code begin_on_user(struct app_ctx *cx, enum app_action a, const char *name,
                                     struct store_user *u, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, a, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!name || !dom_id_valid(name, strlen(name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "1-64 of A-Z a-z 0-9 . _ : -");
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_user_get(cx->st, name, u, err);
	sodium_memzero(u->pwhash, sizeof u->pwhash);
	if (rc == PROLO_ENOTFOUND)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "name", "no user '%.64s'", name);
	return rc ? app_unit_end(cx, rc, err) : PROLO_OK;
}

enum prolo_code app_user_view(struct app_ctx *cx, const char *name, struct store_user *out, struct prolo_err *err)
{
	enum prolo_code rc = begin_on_user(cx, CAN_USERS_LIST, name, out, err);
	return rc ? rc : app_unit_end(cx, PROLO_OK, err);
}

/* PROLO_ECONFLICT (field) when u is an active admin and no other is. */
static enum prolo_code not_last_admin(struct app_ctx *cx, const struct store_user *u, const char *field,
                                      const char *what, struct prolo_err *err)
{
	if (u->role != ROLE_ADMIN || u->disabled)
		return PROLO_OK;
	int others = 0;
	enum prolo_code rc = store_user_count_admins(cx->st, u->name, &others, err);
	if (!rc && others == 0)
		rc = prolo_err_set(err, PROLO_ECONFLICT, field,
		                   "%.64s is the last active admin and cannot be %s; make another user admin first",
		                   u->name, what);
	return rc;
}

enum prolo_code app_user_unlock(struct app_ctx *cx, const char *name, struct prolo_err *err)
{
	struct store_user u;
	enum prolo_code rc = begin_on_user(cx, CAN_USERS_UNLOCK, name, &u, err);
	if (rc)
		return rc;
	rc = auth_account_unlock(cx->st, name, err);
	if (!rc)
		rc = app_audit(cx, "user.unlock", "user", name, "", err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_set_active(struct app_ctx *cx, const char *name, bool active, int *ended,
                                    struct prolo_err *err)
{
	struct store_user u;
	*ended = 0;
	enum prolo_code rc = begin_on_user(cx, active ? CAN_USERS_ENABLE : CAN_USERS_DISABLE, name, &u, err);
	if (rc)
		return rc;
	if (u.disabled == !active)
		rc = prolo_err_set(err, PROLO_ECONFLICT, "name", "%.64s is %s already", name,
		                   active ? "active" : "disabled");
	if (!rc && !active)
		rc = not_last_admin(cx, &u, "name", "disabled", err);
	if (!rc)
		rc = store_user_change(cx->st, name, &(struct store_user_change){ .disabled = !active, .role = -1 }, err);
	/* Every request reads the account: its sessions are refused from the
	 * next one on; they are also removed, so none comes back on enable. */
	if (!rc && !active)
		rc = store_login_session_end(cx->st, name, NULL, ended, err);
	char detail[48];
	snprintf(detail, sizeof detail, "%d sessions ended", *ended);
	if (!rc)
		rc = app_audit(cx, active ? "user.enable" : "user.disable", "user", name, active ? "" : detail, err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_role(struct app_ctx *cx, const char *name, int role, const char *clinic,
                              struct store_user *out, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_ROLE, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (role < 0 || role >= ROLE__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "role", "must be admin|clinician|staff|researcher");
	if (clinic && clinic[0] && !dom_id_valid(clinic, strlen(clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	if ((rc = begin_on_user(cx, CAN_USERS_ROLE, name, out, err)))
		return rc;
	struct store_user was = *out;
	/* An admin belongs to no clinic; without a clinic given the user keeps
	 * theirs. */
	char cl[REC_ID_MAX];
	snprintf(cl, sizeof cl, "%s", role == ROLE_ADMIN ? "" : clinic ? clinic : was.clinic);
	if (role != ROLE_ADMIN)
		rc = not_last_admin(cx, &was, "role", "demoted", err);
	if (!rc && (role == ROLE_CLINICIAN || role == ROLE_STAFF) && !cl[0])
		rc = prolo_err_set(err, PROLO_EINVAL, "clinic", "a %s belongs to a clinic", store_role_names[role]);
	if (!rc && role == was.role && strcmp(cl, was.clinic) == 0)
		rc = prolo_err_set(err, PROLO_ECONFLICT, "role", "%.64s is %s already", name, store_role_names[role]);
	if (!rc)
		rc = store_user_change(cx->st, name, &(struct store_user_change){ .disabled = -1, .role = role, .clinic = cl },
		                       err);
	char detail[2 * REC_ID_MAX + 48];
	snprintf(detail, sizeof detail, "%s%s%s -> %s%s%s", store_role_names[was.role], was.clinic[0] ? "/" : "",
	         was.clinic, store_role_names[role], cl[0] ? "/" : "", cl);
	if (!rc)
		rc = app_audit(cx, "user.role", "user", name, detail, err);
	if (!rc) {
		out->role = role;
		snprintf(out->clinic, sizeof out->clinic, "%s", cl);
	}
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_reset_prepare(struct app_ctx *cx, const char *name, char otp[APP_OTP_MAX],
                                       char hash[STORE_PWHASH_MAX], struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_RESET, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!name || !dom_id_valid(name, strlen(name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "1-64 of A-Z a-z 0-9 . _ : -");
	/* Four groups of four from 31 letters and digits that are not
	 * mistaken for one another: about 79 bits, read out and typed once. */
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	size_t k = 0;
	for (int i = 0; i < 16; i++) {
		if (i && i % 4 == 0)
			otp[k++] = '-';
		otp[k++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	}
	otp[k] = '\0';
	return auth_hash_password(otp, hash, err);
}

/* An admin's new password for name (hashed by the caller): must_change
 * for a one-time password, which also lifts the account's login locks.
 * The user's sessions end (*ended). */
static enum prolo_code admin_password(struct app_ctx *cx, enum app_action a, const char *name, const char *hash,
                                      bool must_change, int *ended, struct prolo_err *err)
{
	struct store_user u;
	*ended = 0;
	enum prolo_code rc = begin_on_user(cx, a, name, &u, err);
	if (rc)
		return rc;
	rc = store_user_set_password(cx->st, name, hash, must_change, err);
	if (!rc)
		rc = store_login_session_end(cx->st, name, NULL, ended, err);
	if (!rc && must_change)
		rc = auth_account_unlock(cx->st, name, err);
	char detail[64];
	snprintf(detail, sizeof detail, "%s%d sessions ended", must_change ? "one-time password; " : "", *ended);
	if (!rc)
		rc = app_audit(cx, must_change ? "user.reset" : "password.reset", "user", name, detail, err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_reset(struct app_ctx *cx, const char *name, const char *hash, int *ended,
                               struct prolo_err *err)
{
	return admin_password(cx, CAN_USERS_RESET, name, hash, true, ended, err);
}

void app_session_cutoffs(const struct app_ctx *cx, int64_t *idle_before, int64_t *abs_before)
{
	int64_t idle = cx->session_idle_s > 0 ? cx->session_idle_s : AUTH_SESSION_IDLE_S;
	int64_t abs = cx->session_absolute_s > 0 ? cx->session_absolute_s : AUTH_SESSION_ABSOLUTE_S;
	*idle_before = cx->now - idle + 1;
	*abs_before = cx->now - abs + 1;
}

enum prolo_code app_user_sessions(struct app_ctx *cx, const char *name, struct store_user *u,
                                  store_session_fn fn, void *ctx, struct prolo_err *err)
{
	enum prolo_code rc = begin_on_user(cx, CAN_USERS_SESSIONS, name, u, err);
	if (rc)
		return rc;
	int64_t idle_before, abs_before;
	app_session_cutoffs(cx, &idle_before, &abs_before);
	rc = store_login_session_list(cx->st, name, idle_before, abs_before, fn, ctx, &u->open_sessions, err);
	char detail[32];
	snprintf(detail, sizeof detail, "%d sessions", u->open_sessions);
	if (!rc)
		rc = app_audit(cx, "user.sessions", "user", name, detail, err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_revoke(struct app_ctx *cx, const char *name, const char *sid, bool all, int *ended,
                                struct prolo_err *err)
{
	struct store_user u;
	*ended = 0;
	enum prolo_code rc = app_permit(cx, CAN_USERS_REVOKE, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if ((sid != NULL) == all)
		return prolo_err_set(err, PROLO_EINVAL, "session", "give one session id, or all of them");
	if (sid && (!sid[0] || strlen(sid) >= STORE_SID_MAX || !dom_id_valid(sid, strlen(sid))))
		return prolo_err_set(err, PROLO_EINVAL, "session", "not a session id");
	rc = begin_on_user(cx, CAN_USERS_REVOKE, name, &u, err);
	if (rc)
		return rc;
	rc = store_login_session_end(cx->st, name, sid, ended, err);
	char detail[STORE_SID_MAX + 32];
	if (sid)
		snprintf(detail, sizeof detail, "session %s", sid);
	else
		snprintf(detail, sizeof detail, "all, %d sessions", *ended);
	if (!rc)
		rc = app_audit(cx, "user.sessions.revoke", "user", name, detail, err);
	return app_unit_end(cx, rc, err);
}

/* ---- passwords -------------------------------------------------------- */

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
	return app_password_hash(new_pw, cx->who.user, "new_password", new_hash, err);
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
		rc = store_user_set_password(cx->st, cx->who.user, new_hash, false, err);
	if (!rc)
		rc = store_login_session_delete(cx->st, NULL, cx->who.user, keep, err);
	if (!rc)
		rc = auth_login_success(cx->st, cx->who.user, cx->who.addr, cx->now, err);
	if (!rc)
		rc = app_audit(cx, "password.change", "user", cx->who.user, cur.must_change ? "one-time password replaced" : "",
		               err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_user_set_password(struct app_ctx *cx, const char *name, const char *new_hash,
                                      struct prolo_err *err)
{
	int ended;
	return admin_password(cx, CAN_USERS_ADD, name, new_hash, false, &ended, err);
}
