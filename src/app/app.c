/* The use cases' common parts: the local context, the permission check
 * with its audited refusals, audit rows, units of work, and reading the
 * records a rule is about with their clinic. */
#include "app/app.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/domain.h"
#include "security/audit.h"

/* ---- the local (command-line) context ----------------------------------- */

/* A row joins the command's transaction; a read's row outside one gets a
 * durable transaction of its own (a command has no later commit that
 * would carry a lazy one to the disk). */
static enum prolo_code local_write(void *ctx, struct store_audit *e, struct prolo_err *err)
{
	struct app_ctx *cx = ctx;
	if (store_in_transaction(cx->st))
		return audit_log_event(cx->st, e->user, e->action, e->record, e->addr, e->detail, err);
	enum prolo_code rc = store_begin(cx->st, err);
	if (!rc)
		rc = audit_log_event(cx->st, e->user, e->action, e->record, e->addr, e->detail, err);
	if (!rc)
		rc = store_commit(cx->st, err);
	if (rc)
		store_rollback(cx->st);
	return rc;
}

/* Refusal rows wait in the context until its unit is over (a use case
 * refuses once, so the few places are enough; more are dropped). */
static void local_later_add(void *ctx, const struct store_audit *e)
{
	struct app_ctx *cx = ctx;
	if (!cx->later && !(cx->later = calloc(APP_LATER_MAX, sizeof *cx->later)))
		return;
	if (cx->n_later < APP_LATER_MAX)
		cx->later[cx->n_later++] = *e;
}

void app_ctx_local(struct app_ctx *cx, struct store *st, const struct protocol_lib *protocols)
{
	memset(cx, 0, sizeof *cx);
	cx->st = st;
	const char *login = getenv("USER");
	struct passwd *pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		login = pw->pw_name;
	snprintf(cx->who.user, sizeof cx->who.user, "cli:%.60s", login ? login : "unknown");
	cx->who.role = ROLE_ADMIN;
	snprintf(cx->who.addr, sizeof cx->who.addr, "local");
	cx->who.on_behalf = true;
	cx->today = clock_today();
	cx->now = clock_now();
	cx->protocols = protocols;
	cx->audit = (struct app_audit_sink){ local_write, local_later_add, cx };
}

void app_ctx_flush(struct app_ctx *cx)
{
	for (int i = 0; i < cx->n_later; i++)
		local_write(cx, &cx->later[i], NULL);
	cx->n_later = 0;
	free(cx->later);
	cx->later = NULL;
}

/* ---- permission and audit ----------------------------------------------- */

static void record_name(const char *kind, const char *id, char *out, size_t outsz)
{
	if (kind)
		snprintf(out, outsz, "%s:%s", kind, id ? id : "");
	else
		out[0] = '\0';
}

enum prolo_code app_int_input(const char *field, bool whole, long long v, int *out, struct prolo_err *err)
{
	if (!whole || v < -APP_INT_INPUT_MAX || v > APP_INT_INPUT_MAX)
		return prolo_err_set(err, PROLO_EINVAL, field, "must be a whole number of at most 9 digits");
	*out = (int)v;
	return PROLO_OK;
}

enum prolo_code app_permit(struct app_ctx *cx, enum app_action a, const char *kind, const char *id,
                           const char *record_clinic, struct prolo_err *err)
{
	const struct app_actor *w = &cx->who;
	if (w->must_change && !app_may_before_change(a))
		return prolo_err_set(err, PROLO_EPERM, "password",
		                     "change your one-time password first (POST /api/password)");
	if (!app_role_may(w->role, a))
		return prolo_err_set(err, PROLO_EPERM, "", "the %s role may not use %s",
		                     w->role >= 0 && w->role < ROLE__COUNT ? store_role_names[w->role] : "?",
		                     app_action_name(a));
	if (!record_clinic || !w->clinic[0] || w->role == ROLE_ADMIN || strcmp(record_clinic, w->clinic) == 0)
		return PROLO_OK;
	if (kind && cx->audit.later) {
		char record[2 * REC_ID_MAX + 16];
		struct store_audit e;
		record_name(kind, id, record, sizeof record);
		audit_row(&e, w->user, "denied", record, w->addr, app_action_name(a));
		cx->audit.later(cx->audit.ctx, &e);
	}
	return prolo_err_set(err, PROLO_EPERM, "", "this record belongs to another clinic");
}

enum prolo_code app_audit(struct app_ctx *cx, const char *action, const char *kind, const char *id,
                          const char *detail, struct prolo_err *err)
{
	char record[2 * REC_ID_MAX + 64];
	struct store_audit e;
	record_name(kind, id, record, sizeof record);
	audit_row(&e, cx->who.user, action, record, cx->who.addr, detail);
	return cx->audit.write(cx->audit.ctx, &e, err);
}

/* ---- units of work ------------------------------------------------------ */

enum prolo_code app_unit_begin(struct app_ctx *cx, struct prolo_err *err)
{
	return cx->in_unit ? PROLO_OK : store_begin(cx->st, err);
}

enum prolo_code app_unit_end(struct app_ctx *cx, enum prolo_code rc, struct prolo_err *err)
{
	if (cx->in_unit)
		return rc;
	if (!rc)
		rc = store_commit(cx->st, err);
	if (rc)
		store_rollback(cx->st);
	return rc;
}

/* ---- records and their clinic ------------------------------------------- */

/* The answer for a record that is not there, and the same for one of
 * another clinic the actor may not see (no existence oracle). */
static enum prolo_code not_there(const char *kind, const char *id, struct prolo_err *err)
{
	return prolo_err_set(err, PROLO_ENOTFOUND, strcmp(kind, "course") == 0 ? "course_id" : "patient_id",
	                     "no %s '%s'", kind, id);
}

enum prolo_code app_permit_seen(struct app_ctx *cx, enum app_action a, const char *kind, const char *id,
                                const char *record_clinic, const char *shown_kind, const char *shown_id,
                                struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, a, NULL, NULL, NULL, err);
	if (rc)
		return rc; /* the role may not: the same for every record */
	rc = app_permit(cx, a, kind, id, record_clinic, err);
	return rc == PROLO_EPERM ? not_there(shown_kind, shown_id, err) : rc;
}

/* A patient merged into another (app/patients.c) is a pointer: a read of
 * it reads the survivor, a change to it is refused (PROLO_ECONFLICT,
 * field patient_id, naming the survivor). */
static enum prolo_code follow_merge(struct app_ctx *cx, enum app_action a, struct patient *p,
                                    struct prolo_err *err)
{
	char into[REC_ID_MAX];
	enum prolo_code rc = store_patient_merged_into(cx->st, p->patient_id, into, err);
	if (rc || !into[0])
		return rc;
	if (a != CAN_PATIENT_GET && a != CAN_COURSES_LIST && a != CAN_CONTACTS_GET)
		return prolo_err_set(err, PROLO_ECONFLICT, "patient_id",
		                     "patient '%s' was merged into '%s': record on '%s' (an admin can undo the merge)",
		                     p->patient_id, into, into);
	char from[REC_ID_MAX];
	snprintf(from, sizeof from, "%s", p->patient_id);
	rec_init(REC_PATIENT, p);
	snprintf(p->patient_id, sizeof p->patient_id, "%s", into);
	if ((rc = store_get(cx->st, REC_PATIENT, p, err)))
		return rc;
	return app_permit_seen(cx, a, "patient", into, p->clinic, "patient", from, err);
}

enum prolo_code app_load_patient(struct app_ctx *cx, enum app_action a, const char *id,
                                 struct patient *p, struct prolo_err *err)
{
	rec_init(REC_PATIENT, p);
	if (!id || !id[0])
		return prolo_err_set(err, PROLO_EINVAL, "patient_id", "is required");
	if (!dom_id_valid(id, strlen(id)))
		return prolo_err_set(err, PROLO_EINVAL, "patient_id", "not a valid id");
	snprintf(p->patient_id, sizeof p->patient_id, "%s", id);
	enum prolo_code rc = store_get(cx->st, REC_PATIENT, p, err);
	if (rc == PROLO_ENOTFOUND)
		return not_there("patient", id, err);
	if (rc || (rc = app_permit_seen(cx, a, "patient", id, p->clinic, "patient", id, err)))
		return rc;
	return follow_merge(cx, a, p, err);
}

enum prolo_code app_load_course(struct app_ctx *cx, enum app_action a, const char *id,
                                struct course *c, struct patient *p, struct prolo_err *err)
{
	rec_init(REC_COURSE, c);
	rec_init(REC_PATIENT, p);
	if (!id || !id[0])
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "is required");
	if (!dom_id_valid(id, strlen(id)))
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "not a valid id");
	snprintf(c->course_id, sizeof c->course_id, "%s", id);
	enum prolo_code rc = store_get(cx->st, REC_COURSE, c, err);
	if (rc == PROLO_ENOTFOUND)
		return not_there("course", id, err);
	if (rc)
		return rc;
	snprintf(p->patient_id, sizeof p->patient_id, "%s", c->patient_id);
	if ((rc = store_get(cx->st, REC_PATIENT, p, err)))
		return rc;
	/* Another clinic's course is answered as a course that is not there;
	 * the denied row names its patient, as for every clinic refusal. */
	return app_permit_seen(cx, a, "patient", p->patient_id, p->clinic, "course", id, err);
}

enum prolo_code app_id_free(struct app_ctx *cx, enum app_action a, enum rec_kind kind, const char *id,
                            struct prolo_err *err)
{
	if (!id || !id[0] || !dom_id_valid(id, strlen(id)))
		return PROLO_OK; /* the store's checks name the field */
	const char *label = kind == REC_PATIENT ? "patient" : "course";
	union {
		struct patient p;
		struct course c;
	} r;
	struct patient owner;
	rec_init(kind, &r);
	if (kind == REC_PATIENT)
		snprintf(r.p.patient_id, sizeof r.p.patient_id, "%s", id);
	else
		snprintf(r.c.course_id, sizeof r.c.course_id, "%s", id);
	enum prolo_code rc = store_get(cx->st, kind, &r, err);
	if (rc == PROLO_ENOTFOUND)
		return PROLO_OK;
	if (rc)
		return rc;
	if (kind == REC_PATIENT) {
		owner = r.p;
	} else {
		rec_init(REC_PATIENT, &owner);
		snprintf(owner.patient_id, sizeof owner.patient_id, "%s", r.c.patient_id);
		if ((rc = store_get(cx->st, REC_PATIENT, &owner, err)))
			return rc;
	}
	/* Taken: the answer is the duplicate's wherever it is; a bound
	 * actor's attempt on another clinic's id leaves a denied row. */
	struct prolo_err ignore;
	(void)app_permit(cx, a, label, id, owner.clinic, &ignore);
	return prolo_err_set(err, PROLO_ECONFLICT, kind == REC_PATIENT ? "patient_id" : "course_id",
	                     "%s '%s' already exists", label, id);
}
