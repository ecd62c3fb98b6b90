/* Reads as use cases: the accounts, the audit log and a patient's summary
 * (the calendar export is with the bookings, app/bookings.c). Each checks the permission and the clinic, reads,
 * and writes the audit row of the read (who, from where, what) before the
 * adapter shows anything. */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"

/* ---- accounts ----------------------------------------------------------- */

struct count_fn {
	store_user_fn fn;
	void *ctx;
	size_t n;
};

static enum prolo_code count_user(void *p, const struct store_user *u, struct prolo_err *err)
{
	struct count_fn *c = p;
	c->n++;
	return c->fn(c->ctx, u, err);
}

enum prolo_code app_user_list(struct app_ctx *cx, store_user_fn fn, void *ctx, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_USERS_LIST, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct count_fn c = { fn, ctx, 0 };
	int64_t idle_before, abs_before;
	app_session_cutoffs(cx, &idle_before, &abs_before);
	if ((rc = store_user_scan(cx->st, idle_before, abs_before, count_user, &c, err)))
		return rc;
	char detail[32];
	snprintf(detail, sizeof detail, "%zu users", c.n);
	return app_audit(cx, "user.list", NULL, NULL, detail, err);
}

/* ---- the audit log ------------------------------------------------------ */

struct count_audit {
	store_audit_fn fn;
	void *ctx;
	size_t n;
};

static enum prolo_code count_row(void *p, const struct store_audit *e, struct prolo_err *err)
{
	struct count_audit *c = p;
	c->n++;
	return c->fn(c->ctx, e, err);
}

enum prolo_code app_audit_list(struct app_ctx *cx, const struct store_audit_filter *f, store_audit_fn fn,
                               void *ctx, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_AUDIT_LIST, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct count_audit c = { fn, ctx, 0 };
	if ((rc = store_audit_scan(cx->st, f, count_row, &c, err)))
		return rc;
	/* Which rows were asked for: the filters' names, not their values
	 * (a record filter names a patient). */
	char detail[96];
	snprintf(detail, sizeof detail, "%zu rows%s%s%s%s%s", c.n, f->user ? " by user" : "",
	         f->action ? " by action" : "", f->record ? " by record" : "", f->from ? " from" : "",
	         f->to ? " to" : "");
	return app_audit(cx, "audit.read", NULL, NULL, detail, err);
}

/* ---- a patient's summary ------------------------------------------------ */

enum prolo_code app_patient_summary(struct app_ctx *cx, const char *patient_id, struct patient_summary *out,
                                    struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	struct patient p;
	enum prolo_code rc = app_permit(cx, CAN_PATIENT_GET, NULL, NULL, NULL, err);
	if (rc || (rc = app_load_patient(cx, CAN_PATIENT_GET, patient_id, &p, err)))
		return rc;
	if ((rc = patient_summary_load(cx->st, patient_id, out, err)))
		return rc;
	char detail[32];
	snprintf(detail, sizeof detail, "summary, %zu courses", out->n_courses);
	if ((rc = app_audit(cx, "patient.read", "patient", patient_id, detail, err)))
		patient_summary_free(out);
	return rc;
}
