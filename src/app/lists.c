/* The lists of records as one use case: who may list which kind, whose
 * clinic a list shows, how long it may be, how long a search may be, and
 * the audit row of the read. The JSON API and the command line only parse
 * their input into struct app_list_in and show the rows. */
#include "app/app.h"

#include <stdio.h>
#include <string.h>

enum prolo_code app_list_limit(int limit, bool whole, int *out, struct prolo_err *err)
{
	if (limit == APP_INT_NONE) {
		*out = whole ? 0 : APP_LIST_DEFAULT;
		return PROLO_OK;
	}
	if (limit < 1 || limit > APP_LIST_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "limit", "must be a whole number 1..%d", APP_LIST_MAX);
	*out = limit;
	return PROLO_OK;
}

struct list_count {
	store_row_fn fn;
	void *ctx;
	size_t n;
};

static enum prolo_code count_rec(void *p, const void *rec, struct prolo_err *err)
{
	struct list_count *c = p;
	c->n++;
	return c->fn(c->ctx, rec, err);
}

/* Whose records the list shows: the clinic asked for, else the actor's
 * (NULL = every clinic, for an actor bound to none). A user bound to a
 * clinic who asks for another is refused (a "denied" row on clinic:C). */
static enum prolo_code list_clinic(struct app_ctx *cx, enum app_action a, const char *asked, const char **clinic,
                                   struct prolo_err *err)
{
	*clinic = asked && *asked ? asked : cx->who.clinic[0] ? cx->who.clinic : NULL;
	enum prolo_code rc = app_permit(cx, a, "clinic", *clinic, *clinic, err);
	if (rc == PROLO_EPERM && asked && *asked && err && !err->field[0])
		prolo_err_set(err, PROLO_EPERM, "clinic", "you may list only the records of clinic %s", cx->who.clinic);
	return rc;
}

enum prolo_code app_record_list(struct app_ctx *cx, const struct app_list_in *in, store_row_fn fn, void *ctx,
                                struct prolo_err *err)
{
	static const char *const actions[REC__COUNT] = { "patient.list", "course.list", "session.list",
	                                                 "injection.list", "outcome.list", "adverse_event.list" };
	static const char *const plural[REC__COUNT] = { "patients", "courses", "sessions",
	                                                "injections", "assessments", "adverse events" };
	enum rec_kind kind = in->kind;
	if ((int)kind < 0 || kind >= REC__COUNT || kind == REC_INJECTION)
		return prolo_err_set(err, PROLO_EINVAL, "kind", "not a kind of record that is listed");
	enum app_action a = kind == REC_PATIENT ? CAN_PATIENTS_LIST : CAN_COURSES_LIST;
	enum prolo_code rc = app_permit(cx, a, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	/* One patient's or one course's records: all of them unless a limit
	 * is given; the clinic is the record's. */
	bool whole = in->patient_id || in->course_id;
	struct store_filter f = { .patient_id = in->patient_id, .course_id = in->course_id, .search = in->search };
	if ((rc = app_list_limit(in->limit, whole, &f.limit, err)))
		return rc;
	if (in->search && strlen(in->search) > APP_SEARCH_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "q", "is too long (at most %d bytes)", APP_SEARCH_MAX);
	struct patient p;
	struct course c;
	const char *kind_at = NULL, *id_at = NULL;
	if (in->course_id) {
		rc = app_load_course(cx, a, in->course_id, &c, &p, err);
		kind_at = "course", id_at = in->course_id;
	} else if (in->patient_id) {
		rc = app_load_patient(cx, a, in->patient_id, &p, err);
		kind_at = "patient", id_at = in->patient_id;
	} else {
		rc = list_clinic(cx, a, in->clinic, &f.clinic, err);
	}
	if (rc)
		return rc;
	struct list_count n = { fn, ctx, 0 };
	if ((rc = store_scan(cx->st, kind, &f, count_rec, &n, err)))
		return rc;
	char detail[64];
	snprintf(detail, sizeof detail, "%zu %s%s", n.n, plural[kind], in->search ? ", search" : "");
	return app_audit(cx, actions[kind], kind_at, id_at, detail, err);
}
