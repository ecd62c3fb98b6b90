/* Accounts as use cases: adding a user. Password hashing is slow and
 * happens before, in the adapter (security/auth.h), outside any lock. */
#include "app/app.h"

#include <string.h>

#include "core/domain.h"

enum prolo_code app_user_add(struct app_ctx *cx, const struct store_user *u, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_ADD, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!dom_id_valid(u->name, strlen(u->name)))
		return prolo_err_set(err, PROLO_EINVAL, "name", "1-64 of A-Z a-z 0-9 . _ : -");
	if (u->role < 0 || u->role >= ROLE__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "role", "must be admin|clinician|staff|researcher");
	if (u->clinic[0] && !dom_id_valid(u->clinic, strlen(u->clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	if (!u->pwhash[0])
		return prolo_err_set(err, PROLO_EINVAL, "password", "is required");
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_user_add(cx->st, u, err);
	if (!rc)
		rc = app_audit(cx, "user.create", "user", u->name, store_role_names[u->role], err);
	return app_unit_end(cx, rc, err);
}
