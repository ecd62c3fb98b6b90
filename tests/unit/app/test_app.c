/* The use-case layer against a real registry file, driven by the same
 * table the command line and the API are checked with
 * (tests/app/cases.json): each input gives its code and field when the use
 * case is called directly. Also: the permission matrix as GET /api/me
 * serves it, refusals by role and by clinic (with their audit rows), and
 * that a refused action leaves the registry as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_booking.h"
#include "app/app_frontdesk.h"
#include "core/domain.h"
#include "core/rec_json.h"
#include "security/audit.h"

struct fx {
	char dir[64], path[96];
	struct store *st;
	struct app_ctx cx;
	struct protocol_lib lib;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/prolo-app.XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	struct prolo_err err;
	char p[512];
	if (store_open(f->path, STORE_CREATE, &f->st, &err))
		return -1;
	/* The shipped protocols, for the rules that read them. */
	const char *top = getenv("TOP");
	snprintf(p, sizeof p, "%s/protocols/default.protocols", top ? top : ".");
	if (protocol_lib_load(p, &f->lib, &err))
		return -1;
	app_ctx_local(&f->cx, f->st, &f->lib);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];
	store_close(f->st);
	protocol_lib_free(&f->lib);
	for (const char *suffix = "", *const *s = (const char *const[]){ "", "-wal", "-shm", "-audit", NULL };
	     (suffix = *s) != NULL; s++) {
		snprintf(p, sizeof p, "%s%s", f->path, suffix);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* An amend or void row: the record named by key, the fields of in (all but
 * reason, if_version, confirm, injections) as the change. */
static enum prolo_code run_life(struct app_ctx *cx, enum rec_kind kind, bool amend, json_t *key, json_t *in,
                                struct prolo_err *err)
{
	static const char *const extra[] = { "reason", "if_version", "confirm", "injections", NULL };
	union rec_any k, patch, out;
	struct injection inj[8];
	struct app_change_in ch = { .kind = kind, .key = &k, .patch = &patch };
	rec_init(kind, &k);
	rec_init(kind, &patch);
	rec_init(kind, &out);
	enum prolo_code rc = rec_from_json(kind, &k, key, NULL, err);
	if (!rc && amend)
		rc = rec_from_json(kind, &patch, in, extra, err);
	if (rc)
		return rc;
	ch.reason = json_string_value(json_object_get(in, "reason"));
	ch.if_version = (int32_t)json_integer_value(json_object_get(in, "if_version"));
	const char *name;
	json_t *v;
	json_object_foreach(in, name, v) {
		const struct field_def *f = rec_field(kind, name, strlen(name));
		if (f)
			ch.set |= 1ull << (f - rec_tables[kind].fields);
	}
	json_t *ij = json_object_get(in, "injections");
	for (size_t i = 0; ij && i < json_array_size(ij) && i < 8; i++, ch.n_inj++) {
		rec_init(REC_INJECTION, &inj[i]);
		if ((rc = rec_from_json(REC_INJECTION, &inj[i], json_array_get(ij, i), NULL, err)))
			return rc;
	}
	ch.inj = inj;
	ch.set_inj = ij != NULL;
	return amend ? app_amend(cx, &ch, &out, err) : app_void(cx, &ch, &out, err);
}

/* A merge or its undo. */
static enum prolo_code run_merge(struct app_ctx *cx, bool undo, json_t *in, struct prolo_err *err)
{
	struct store_merge m;
	const char *merged = json_string_value(json_object_get(in, "merged"));
	const char *reason = json_string_value(json_object_get(in, "reason"));
	if (undo)
		return app_patient_unmerge(cx, merged, reason, &m, err);
	return app_patient_merge(cx, json_string_value(json_object_get(in, "survivor")), merged, reason, &m, err);
}

/* A date member of in into *d (absent = DOM_DATE_NONE); PROLO_EINVAL
 * naming it when it is no date, as the adapters say. */
static enum prolo_code in_date(json_t *in, const char *key, int32_t *d, struct prolo_err *err)
{
	const char *v = json_string_value(json_object_get(in, key));
	*d = DOM_DATE_NONE;
	if (v && !dom_date_parse(v, strlen(v), d))
		return prolo_err_set(err, PROLO_EINVAL, key, "not a date");
	return PROLO_OK;
}

/* An integer member as the adapters read it (app_int_input): absent =
 * APP_INT_NONE. */
static enum prolo_code in_int(json_t *in, const char *key, int *out, struct prolo_err *err)
{
	json_t *v = json_object_get(in, key);
	*out = APP_INT_NONE;
	return v ? app_int_input(key, json_is_integer(v), json_is_integer(v) ? json_integer_value(v) : 0, out, err)
	         : PROLO_OK;
}

/* A booking row: booking.add, .move, .cancel or .noshow. */
static enum prolo_code run_booking(struct app_ctx *cx, const char *verb, json_t *in, struct prolo_err *err)
{
	const char *t = json_string_value(json_object_get(in, "time"));
	int minute = t ? tz_minute_parse(t) : -1;
	int minutes, session_no;
	int32_t date;
	struct store_booking b;
	enum prolo_code rc = in_date(in, "date", &date, err);
	if (rc || (rc = in_int(in, "minutes", &minutes, err)) || (rc = in_int(in, "session_no", &session_no, err)))
		return rc;
	if (t && minute < 0)
		return prolo_err_set(err, PROLO_EINVAL, "time", "not a time of day");
	int64_t id = json_integer_value(json_object_get(in, "id"));
	if (strcmp(verb, "add") == 0) {
		struct app_booking_in bi = { .course_id = json_string_value(json_object_get(in, "course_id")),
		                             .session_no = session_no, .date = date, .minute = minute,
		                             .minutes = minutes, .note = json_string_value(json_object_get(in, "note")) };
		return app_booking_add(cx, &bi, &b, err);
	}
	if (strcmp(verb, "move") == 0)
		return app_booking_move(cx, id, date, minute, minutes, &b, err);
	if (strcmp(verb, "cancel") == 0)
		return app_booking_cancel(cx, id, &b, err);
	assert_string_equal(verb, "noshow");
	return app_booking_noshow(cx, id, &b, err);
}

static enum prolo_code count_listed(void *ctx, const void *rec, struct prolo_err *err)
{
	(void)rec;
	(void)err;
	++*(size_t *)ctx;
	return PROLO_OK;
}

/* A list row: patient.list or course.list with clinic, patient_id,
 * course_id, q and limit. */
static enum prolo_code run_list(struct app_ctx *cx, enum rec_kind kind, json_t *in, struct prolo_err *err)
{
	struct app_list_in li = { .kind = kind };
	li.clinic = json_string_value(json_object_get(in, "clinic"));
	li.patient_id = json_string_value(json_object_get(in, "patient_id"));
	li.course_id = json_string_value(json_object_get(in, "course_id"));
	li.search = json_string_value(json_object_get(in, "q"));
	size_t n = 0;
	enum prolo_code rc = in_int(in, "limit", &li.limit, err);
	return rc ? rc : app_record_list(cx, &li, count_listed, &n, err);
}

/* Runs one row of the table through its use case; *field gets the field
 * at fault. */
static enum prolo_code run_case(struct app_ctx *cx, const char *action, json_t *in, json_t *key,
                                struct prolo_err *err)
{
	if (strcmp(action, "user.role") == 0) {
		const char *role = json_string_value(json_object_get(in, "role"));
		struct store_user u;
		return app_user_role(cx, json_string_value(json_object_get(in, "name")),
		                     role ? dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role)) : -1,
		                     json_string_value(json_object_get(in, "clinic")), &u, err);
	}
	if (strcmp(action, "course.end") == 0) {
		struct app_course_end_in e = { .end_date = DOM_DATE_NONE };
		const char *date = json_string_value(json_object_get(in, "end_date"));
		e.course_id = json_string_value(json_object_get(in, "course_id"));
		e.status = json_string_value(json_object_get(in, "status"));
		e.reason = json_string_value(json_object_get(in, "reason"));
		if (date && !dom_date_parse(date, strlen(date), &e.end_date))
			return prolo_err_set(err, PROLO_EINVAL, "end_date", "not a date");
		struct course c;
		return app_course_end(cx, &e, &c, err);
	}
	if (strcmp(action, "call.add") == 0) {
		/* As the command line records it: on behalf of a named caller. */
		struct app_call_in ci = { .by = cx->who.on_behalf ? "Front Desk" : NULL };
		ci.course_id = json_string_value(json_object_get(in, "course_id"));
		ci.result = json_string_value(json_object_get(in, "result"));
		ci.note = json_string_value(json_object_get(in, "note"));
		ci.alert_key = json_string_value(json_object_get(in, "alert_key"));
		enum prolo_code rc = in_int(in, "point_day", &ci.point_day, err);
		return rc ? rc : app_call_add(cx, &ci, NULL, err);
	}
	if (strcmp(action, "patient.merge") == 0 || strcmp(action, "patient.unmerge") == 0)
		return run_merge(cx, action[8] == 'u', in, err);
	if (strncmp(action, "booking.", 8) == 0)
		return run_booking(cx, action + 8, in, err);
	static const struct {
		const char *group;
		enum rec_kind kind;
	} kinds[] = { { "patient", REC_PATIENT }, { "course", REC_COURSE }, { "session", REC_SESSION },
	              { "outcome", REC_OUTCOME }, { "ae", REC_AE } };
	enum rec_kind kind = REC__COUNT;
	const char *dot = strchr(action, '.');
	assert_non_null(dot);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].group) == (size_t)(dot - action) && strncmp(kinds[i].group, action, (size_t)(dot - action)) == 0)
			kind = kinds[i].kind;
	assert_int_not_equal(kind, REC__COUNT);
	cx->confirm = json_is_true(json_object_get(in, "confirm"));
	if (strcmp(dot, ".amend") == 0 || strcmp(dot, ".void") == 0)
		return run_life(cx, kind, dot[1] == 'a', key, in, err);
	if (strcmp(dot, ".list") == 0)
		return run_list(cx, kind, in, err);
	assert_string_equal(dot, ".add");
	union {
		struct patient p;
		struct course c;
		struct session s;
		struct outcome o;
		struct adverse_event a;
	} rec;
	struct injection inj[8];
	size_t n_inj = 0;
	static const char *const extra[] = { "injections", "confirm", NULL };
	rec_init(kind, &rec);
	enum prolo_code rc = rec_from_json(kind, &rec, in, kind == REC_SESSION ? extra : extra + 1, err);
	json_t *ij = json_object_get(in, "injections");
	for (size_t i = 0; !rc && ij && i < json_array_size(ij) && i < 8; i++, n_inj++) {
		rec_init(REC_INJECTION, &inj[i]);
		rc = rec_from_json(REC_INJECTION, &inj[i], json_array_get(ij, i), NULL, err);
	}
	if (rc)
		return rc;
	struct plan_findings pf;
	switch (kind) {
	case REC_PATIENT: return app_patient_add(cx, &rec.p, NULL, err);
	case REC_COURSE: return app_course_add(cx, &rec.c, NULL, &pf, err);
	case REC_SESSION: return app_session_add(cx, &rec.s, inj, n_inj, err);
	case REC_OUTCOME: return app_outcome_add(cx, &rec.o, err);
	default: return app_ae_add(cx, &rec.a, err);
	}
}

static json_t *load_table(void)
{
	const char *top = getenv("TOP");
	char path[512];
	snprintf(path, sizeof path, "%s/tests/app/cases.json", top ? top : ".");
	json_error_t je;
	json_t *t = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!t)
		fail_msg("cannot read %s: %s", path, je.text);
	return t;
}

static void test_table(void **state)
{
	struct fx *f = *state;
	json_t *t = load_table();
	size_t i;
	json_t *c;
	/* The table's clock, and a fixture row's own. */
	int32_t today;
	const char *day = json_string_value(json_object_get(t, "today"));
	assert_non_null(day);
	assert_true(dom_date_parse(day, strlen(day), &today));
	json_array_foreach(json_object_get(t, "fixture"), i, c) {
		struct prolo_err err;
		prolo_err_clear(&err);
		day = json_string_value(json_object_get(c, "today"));
		f->cx.today = today;
		if (day)
			assert_true(dom_date_parse(day, strlen(day), &f->cx.today));
		if (run_case(&f->cx, json_string_value(json_object_get(c, "action")), json_object_get(c, "input"), NULL,
		             &err))
			fail_msg("fixture %zu: %s: %s", i, err.field, err.msg);
	}
	f->cx.today = today;
	int n = 0;
	json_array_foreach(json_object_get(t, "cases"), i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *code = json_string_value(json_object_get(c, "code"));
		const char *field = json_string_value(json_object_get(c, "field"));
		const char *msg = json_string_value(json_object_get(c, "message"));
		const char *role = json_string_value(json_object_get(c, "role"));
		struct prolo_err err;
		prolo_err_clear(&err);
		/* A role other than the owner's: a user of clinic C01. */
		struct app_ctx cx = f->cx;
		cx.audit.ctx = &cx;
		if (role) {
			int r = dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role));
			assert_true(r >= 0);
			cx.who.role = r;
			cx.who.on_behalf = false;
			snprintf(cx.who.user, sizeof cx.who.user, "%s1", role);
			snprintf(cx.who.clinic, sizeof cx.who.clinic, "%s", r == ROLE_ADMIN || r == ROLE_RESEARCHER ? "" : "C01");
		}
		enum prolo_code rc = run_case(&cx, json_string_value(json_object_get(c, "action")),
		                              json_object_get(c, "input"), json_object_get(c, "key"), &err);
		app_ctx_flush(&cx);
		const char *got = rc ? prolo_err_name(rc) : "ok";
		if (strcmp(got, code) != 0 || (field && strcmp(err.field, field) != 0) || (msg && strcmp(err.msg, msg) != 0))
			fail_msg("%s: got %s (field '%s': %s), expected %s (field '%s')", name, got, err.field,
			         err.msg, code, field ? field : "");
		n++;
	}
	assert_true(n >= 30);
	json_decref(t);
}

/* The matrix GET /api/me serves: staff neither end courses nor record
 * sessions; researchers see the report only; only admins manage users. */
static void test_matrix(void **state)
{
	(void)state;
	assert_true(app_role_may(ROLE_CLINICIAN, CAN_COURSE_END));
	assert_false(app_role_may(ROLE_STAFF, CAN_COURSE_END));
	assert_false(app_role_may(ROLE_STAFF, CAN_SESSIONS_ADD));
	assert_true(app_role_may(ROLE_STAFF, CAN_OUTCOMES_ADD));
	assert_true(app_role_may(ROLE_RESEARCHER, CAN_REPORT));
	assert_false(app_role_may(ROLE_RESEARCHER, CAN_PATIENT_GET));
	assert_false(app_role_may(ROLE_CLINICIAN, CAN_USERS_ADD));
	assert_true(app_role_may(ROLE_ADMIN, CAN_USERS_ADD));
	assert_false(app_role_may(-1, CAN_ME));
	assert_false(app_role_may(ROLE__COUNT, CAN_ME));
	assert_string_equal(app_action_name(CAN_COURSE_END), "courses.end");
	assert_string_equal(app_action_name(CAN__COUNT), "?");
}

static int64_t count(struct store *st, enum rec_kind kind)
{
	int64_t n = -1;
	struct prolo_err err;
	assert_int_equal(store_count(st, kind, &n, &err), PROLO_OK);
	return n;
}

static enum prolo_code count_denied(void *ctx, const struct store_audit *e, struct prolo_err *err)
{
	(void)err;
	assert_string_equal(e->user, "clin2");
	assert_string_equal(e->record, "patient:P1");
	assert_string_equal(e->detail, "courses.add");
	(*(int *)ctx)++;
	return PROLO_OK;
}

/* Course K1 of patient P1: PRP for the knee, three sessions from 2025-03-01. */
static void knee_course(struct course *c)
{
	rec_init(REC_COURSE, c);
	snprintf(c->course_id, sizeof c->course_id, "K1");
	snprintf(c->patient_id, sizeof c->patient_id, "P1");
	c->modality = MOD_PRP;
	snprintf(c->condition, sizeof c->condition, "knee_oa");
	c->start_date = dom_days_from_civil(2025, 3, 1);
	c->planned_sessions = 3;
}
/* Refusals: a staff user may not end a course; a clinician of another
 * clinic may neither read nor record, and the refusal is audited as
 * "denied" while nothing of the refused record is written. */
static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct prolo_err err;
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "P1");
	snprintf(p.clinic, sizeof p.clinic, "C01");
	p.sex = 0;
	assert_int_equal(app_patient_add(&f->cx, &p, NULL, &err), PROLO_OK);

	struct app_ctx other = f->cx;
	other.audit.ctx = &other; /* the copy keeps its own waiting rows */
	other.who.role = ROLE_CLINICIAN;
	other.who.on_behalf = false;
	snprintf(other.who.user, sizeof other.who.user, "clin2");
	snprintf(other.who.clinic, sizeof other.who.clinic, "C02");
	struct course c;
	struct plan_findings pf;
	knee_course(&c);
	/* Another clinic's patient is answered as one that is not there. */
	assert_int_equal(app_course_add(&other, &c, NULL, &pf, &err), PROLO_ENOTFOUND);
	app_ctx_flush(&other);
	assert_int_equal(count(f->st, REC_COURSE), 0);

	struct app_ctx staff = other;
	staff.audit.ctx = &staff;
	staff.who.role = ROLE_STAFF;
	snprintf(staff.who.clinic, sizeof staff.who.clinic, "C01");
	struct app_course_end_in in = { .course_id = "K1", .status = "dropped", .end_date = DOM_DATE_NONE };
	assert_int_equal(app_course_end(&staff, &in, &c, &err), PROLO_EPERM);

	/* Only the clinic refusal names a record; the role refusal happens
	 * before any record is read. */
	struct store_audit_filter af = { .action = "denied" };
	int n = 0;
	assert_int_equal(store_audit_scan(f->st, &af, count_denied, &n, &err), PROLO_OK);
	assert_int_equal(n, 1);
}

/* A course's warnings are read as the course is: a role that may not read
 * courses is refused, another clinic's course is not there. */
static void test_warnings_read(void **state)
{
	struct fx *f = *state;
	struct prolo_err err;
	struct patient p;
	struct course c;
	struct plan_findings pf;
	json_t *w = NULL;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "P1");
	snprintf(p.clinic, sizeof p.clinic, "C01");
	p.sex = 0;
	assert_int_equal(app_patient_add(&f->cx, &p, NULL, &err), PROLO_OK);
	knee_course(&c);
	assert_int_equal(app_course_add(&f->cx, &c, NULL, &pf, &err), PROLO_OK);
	assert_int_equal(app_course_warnings(&f->cx, "K1", &w, &err), PROLO_OK);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);

	struct app_ctx other = f->cx;
	other.audit.ctx = &other;
	other.who.on_behalf = false;
	other.who.role = ROLE_RESEARCHER;
	snprintf(other.who.user, sizeof other.who.user, "res1");
	assert_int_equal(app_course_warnings(&other, "K1", &w, &err), PROLO_EPERM);
	assert_null(w);
	other.who.role = ROLE_CLINICIAN;
	snprintf(other.who.clinic, sizeof other.who.clinic, "C02");
	assert_int_equal(app_course_warnings(&other, "K1", &w, &err), PROLO_ENOTFOUND);
	assert_string_equal(err.field, "course_id");
	assert_null(w);
	app_ctx_flush(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warnings_read, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
