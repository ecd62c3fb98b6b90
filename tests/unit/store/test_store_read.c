/* The store's read side and savepoints, against a real registry file: the
 * chart's reads are index searches in key order (EXPLAIN QUERY PLAN shows
 * no table scan and no sort), scans return the right rows whatever filters
 * they use and may nest, and a savepoint rolled back takes its rows and the
 * cached keys that named them with it while released ones commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/registry.h"
#include "store/store.h"
#include "store/store_sqlite.h"

struct fx {
	char dir[64], path[96];
	struct store *st;
};

static void set(enum rec_kind kind, void *rec, const char *field, const char *value)
{
	struct prolo_err err;
	const struct field_def *f = rec_field(kind, field, strlen(field));
	assert_non_null(f);
	assert_int_equal(rec_set(kind, rec, f, value, strlen(value), &err), PROLO_OK);
}

static void add(struct store *st, enum rec_kind kind, void *rec)
{
	struct prolo_err err;
	if (store_insert(st, kind, rec, &err) != PROLO_OK)
		fail_msg("insert %s: %s", rec_tables[kind].name, err.msg);
}

static void add_patient(struct store *st, const char *id, const char *clinic)
{
	struct patient p;
	rec_init(REC_PATIENT, &p);
	set(REC_PATIENT, &p, "patient_id", id);
	set(REC_PATIENT, &p, "clinic", clinic);
	set(REC_PATIENT, &p, "sex", "female");
	add(st, REC_PATIENT, &p);
}

static void add_course(struct store *st, const char *id, const char *patient)
{
	struct course c;
	rec_init(REC_COURSE, &c);
	set(REC_COURSE, &c, "course_id", id);
	set(REC_COURSE, &c, "patient_id", patient);
	set(REC_COURSE, &c, "modality", "dextrose");
	set(REC_COURSE, &c, "condition", "low_back_pain");
	set(REC_COURSE, &c, "start_date", "2024-01-08");
	set(REC_COURSE, &c, "planned_sessions", "4");
	set(REC_COURSE, &c, "status", "active");
	add(st, REC_COURSE, &c);
}

/* A course with n sessions of two injections, n NRS answers and one AE. */
static void add_chart(struct store *st, const char *course, int n)
{
	char v[32];
	for (int s = 1; s <= n; s++) {
		struct session se;
		rec_init(REC_SESSION, &se);
		set(REC_SESSION, &se, "course_id", course);
		snprintf(v, sizeof v, "%d", s);
		set(REC_SESSION, &se, "session_no", v);
		snprintf(v, sizeof v, "2024-%02d-08", s);
		set(REC_SESSION, &se, "date", v);
		add(st, REC_SESSION, &se);
		for (int k = 1; k <= 2; k++) {
			struct injection in;
			rec_init(REC_INJECTION, &in);
			set(REC_INJECTION, &in, "course_id", course);
			snprintf(v, sizeof v, "%d", s);
			set(REC_INJECTION, &in, "session_no", v);
			snprintf(v, sizeof v, "%d", k);
			set(REC_INJECTION, &in, "seq", v);
			set(REC_INJECTION, &in, "site", "L5-S1");
			add(st, REC_INJECTION, &in);
		}
		struct outcome o;
		rec_init(REC_OUTCOME, &o);
		set(REC_OUTCOME, &o, "course_id", course);
		snprintf(v, sizeof v, "2024-%02d-10", s);
		set(REC_OUTCOME, &o, "date", v);
		set(REC_OUTCOME, &o, "instrument", "NRS");
		snprintf(v, sizeof v, "%d", 9 - s);
		set(REC_OUTCOME, &o, "score", v);
		add(st, REC_OUTCOME, &o);
	}
	struct adverse_event a;
	rec_init(REC_AE, &a);
	set(REC_AE, &a, "course_id", course);
	set(REC_AE, &a, "date", "2024-01-09");
	set(REC_AE, &a, "kind", "soreness");
	set(REC_AE, &a, "grade", "1");
	a.seq = 0;
	add(st, REC_AE, &a);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct prolo_err err;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/prolo-store-read.XXXXXX");
	if (!fx || !mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/r.db", fx->dir);
	if (store_open(fx->path, STORE_CREATE, &fx->st, &err))
		return -1;
	if (store_begin(fx->st, &err))
		return -1;
	/* Enough rows that a scan would be visible in a plan. */
	char pid[16], cid[16];
	for (int i = 1; i <= 30; i++) {
		snprintf(pid, sizeof pid, "P%d", i);
		add_patient(fx->st, pid, i % 2 ? "C01" : "C02");
		for (int k = 1; k <= 2; k++) {
			snprintf(cid, sizeof cid, "K%d_%d", i, k);
			add_course(fx->st, cid, pid);
			add_chart(fx->st, cid, 3);
		}
	}
	if (store_commit(fx->st, &err))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char p[128];
	store_close(fx->st);
	const char *sfx[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", fx->path, sfx[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* The plan uses indexes only: no full scan of a table, no sort. */
static void assert_indexed(struct store *st, enum rec_kind kind, const struct store_filter *f,
                           const void *key)
{
	struct buf plan = { 0 };
	struct prolo_err err;
	assert_int_equal(store_explain_scan(st, kind, f, key, &plan, &err), PROLO_OK);
	const char *p = buf_str(&plan);
	if (strstr(p, "SCAN ") || strstr(p, "TEMP B-TREE") || !strstr(p, "SEARCH"))
		fail_msg("%s read is not an index search:\n%s", rec_tables[kind].name, p);
	buf_free(&plan);
}

static void chart_reads_are_index_searches(void **state)
{
	struct fx *fx = *state;
	struct patient p;
	struct course c;
	rec_init(REC_PATIENT, &p);
	rec_init(REC_COURSE, &c);
	snprintf(p.patient_id, sizeof p.patient_id, "P7");
	snprintf(c.course_id, sizeof c.course_id, "K7_1");
	struct store_filter one = { .limit = 1 };
	assert_indexed(fx->st, REC_PATIENT, &one, &p);          /* store_get */
	assert_indexed(fx->st, REC_COURSE, &one, &c);
	struct store_filter by_patient = { .patient_id = "P7" };
	assert_indexed(fx->st, REC_COURSE, &by_patient, NULL);  /* the chart's courses */
	struct store_filter by_course = { .course_id = "K7_1" };
	for (int k = REC_SESSION; k <= REC_AE; k++)             /* each course's rows */
		assert_indexed(fx->st, (enum rec_kind)k, &by_course, NULL);
	struct store_filter by_session = { .course_id = "K7_1", .session_no = 2 };
	assert_indexed(fx->st, REC_INJECTION, &by_session, NULL);
}

struct seen {
	int n;
	char ids[16][REC_ID_MAX];
	int sno[16];
	struct store *st;
	int nested;
};

static enum prolo_code see_course(void *ctx, const void *rec, struct prolo_err *err)
{
	struct seen *s = ctx;
	const struct course *c = rec;
	if (s->n < 16)
		snprintf(s->ids[s->n], sizeof s->ids[0], "%s", c->course_id);
	s->n++;
	if (s->st) {
		/* The same scan again from inside the callback. */
		struct seen inner = { 0 };
		struct store_filter f = { .patient_id = c->patient_id };
		enum prolo_code rc = store_scan(s->st, REC_COURSE, &f, see_course, &inner, err);
		s->nested += inner.n;
		return rc;
	}
	return PROLO_OK;
}

static enum prolo_code see_injection(void *ctx, const void *rec, struct prolo_err *err)
{
	struct seen *s = ctx;
	const struct injection *in = rec;
	if (s->n < 16)
		s->sno[s->n] = in->session_no * 10 + in->seq;
	s->n++;
	return PROLO_OK;
}

static void scans_filter_order_and_nest(void **state)
{
	struct fx *fx = *state;
	struct prolo_err err;
	struct seen s = { 0 };
	struct store_filter f = { .patient_id = "P12" };
	assert_int_equal(store_scan(fx->st, REC_COURSE, &f, see_course, &s, &err), PROLO_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.ids[0], "K12_1");
	assert_string_equal(s.ids[1], "K12_2");

	struct seen in = { 0 };
	struct store_filter fs = { .course_id = "K3_2", .session_no = 2 };
	assert_int_equal(store_scan(fx->st, REC_INJECTION, &fs, see_injection, &in, &err), PROLO_OK);
	assert_int_equal(in.n, 2);
	assert_int_equal(in.sno[0], 21);
	assert_int_equal(in.sno[1], 22);

	struct seen all = { 0 };
	struct store_filter fc = { .course_id = "K3_2" };
	assert_int_equal(store_scan(fx->st, REC_INJECTION, &fc, see_injection, &all, &err), PROLO_OK);
	assert_int_equal(all.n, 6);
	assert_int_equal(all.sno[0], 11);
	assert_int_equal(all.sno[5], 32);

	struct seen clinic = { 0 };
	struct store_filter fl = { .clinic = "C02", .limit = 5 };
	assert_int_equal(store_scan(fx->st, REC_COURSE, &fl, see_course, &clinic, &err), PROLO_OK);
	assert_int_equal(clinic.n, 5);
	assert_string_equal(clinic.ids[0], "K2_1");

	struct seen nest = { .st = fx->st };
	assert_int_equal(store_scan(fx->st, REC_COURSE, &f, see_course, &nest, &err), PROLO_OK);
	assert_int_equal(nest.n, 2);
	assert_int_equal(nest.nested, 4);

	struct session se;
	rec_init(REC_SESSION, &se);
	snprintf(se.course_id, sizeof se.course_id, "K3_2");
	se.session_no = 3;
	assert_int_equal(store_get(fx->st, REC_SESSION, &se, &err), PROLO_OK);
	assert_int_equal(se.date, dom_days_from_civil(2024, 3, 8));
	se.session_no = 9;
	assert_int_equal(store_get(fx->st, REC_SESSION, &se, &err), PROLO_ENOTFOUND);
}

/* What the report scan handed over for one course, copied out. */
struct course_seen {
	const char *want; /* only this course is copied; NULL = the first */
	int calls;
	char id[16], clinic[8];
	size_t n_sess, n_out, n_ae;
	int32_t sess_date[8], out_date[8];
	double score[8];
};

static enum prolo_code see_rows(void *ctx, const struct course_rows *r, struct prolo_err *err)
{
	struct course_seen *s = ctx;
	s->calls++;
	if (s->want && strcmp(s->want, r->course_id) != 0)
		return PROLO_OK;
	snprintf(s->id, sizeof s->id, "%s", r->course_id);
	snprintf(s->clinic, sizeof s->clinic, "%s", r->clinic ? r->clinic : "");
	s->n_sess = r->n_sessions;
	s->n_out = r->n_outcomes;
	s->n_ae = r->n_aes;
	for (size_t i = 0; i < r->n_sessions && i < 8; i++)
		s->sess_date[i] = r->sess_date[i];
	for (size_t i = 0; i < r->n_outcomes && i < 8; i++) {
		s->out_date[i] = r->out_date[i];
		s->score[i] = r->out_score[i];
	}
	return PROLO_OK;
}

static void same_rows(const struct course_seen *a, const struct course_seen *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->clinic, b->clinic);
	assert_int_equal(a->n_sess, b->n_sess);
	assert_int_equal(a->n_out, b->n_out);
	assert_int_equal(a->n_ae, b->n_ae);
	assert_memory_equal(a->sess_date, b->sess_date, sizeof a->sess_date);
	assert_memory_equal(a->out_date, b->out_date, sizeof a->out_date);
	assert_memory_equal(a->score, b->score, sizeof a->score);
}

/* The report scan of one course (a chart's follow-up, a course's
 * calendar) hands over that course alone, with the same rows the whole
 * scan gives it, voided rows left out alike; another clinic's course or
 * an unknown one gives nothing. */
static void report_scan_of_one_course(void **state)
{
	struct fx *fx = *state;
	struct prolo_err err;
	struct store_report_filter any = { .modality = -1, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE };
	struct store_report_filter one = any;
	for (int round = 0; round < 2; round++) {
		const char *ids[] = { "K1_1", "K17_2", "K30_2" };
		for (int i = 0; i < 3; i++) {
			struct course_seen whole = { .want = ids[i] }, alone = { 0 };
			assert_int_equal(store_scan_courses(fx->st, &any, see_rows, &whole, &err), PROLO_OK);
			assert_int_equal(whole.calls, 60);
			one.course_id = ids[i];
			assert_int_equal(store_scan_courses(fx->st, &one, see_rows, &alone, &err), PROLO_OK);
			assert_int_equal(alone.calls, 1);
			same_rows(&whole, &alone);
			assert_int_equal(alone.n_sess, round ? (i == 1 ? 2 : 3) : 3);
		}
		if (round)
			break;
		/* Void K17_2's second session (with its history row, as the
		 * use case keeps it): every scan leaves it out from now on. */
		struct session se;
		rec_init(REC_SESSION, &se);
		snprintf(se.course_id, sizeof se.course_id, "K17_2");
		se.session_no = 2;
		assert_int_equal(store_get(fx->st, REC_SESSION, &se, &err), PROLO_OK);
		struct store_history_row h = { "session", "K17_2/2", se.meta.version, "void", "{}", "nurse1",
		                               "2024-06-01T00:00:00Z", "typing error" };
		assert_int_equal(store_history_add(fx->st, &h, &err), PROLO_OK);
		assert_int_equal(store_void(fx->st, REC_SESSION, &se, se.meta.version, "2024-06-01T00:00:00Z",
		                            "typing error", &err), PROLO_OK);
	}
	struct course_seen none = { 0 };
	one.course_id = "K17_2";
	one.clinic = "C01"; /* P17 is C01's: found */
	assert_int_equal(store_scan_courses(fx->st, &one, see_rows, &none, &err), PROLO_OK);
	assert_int_equal(none.calls, 1);
	none.calls = 0;
	one.clinic = "C02";
	assert_int_equal(store_scan_courses(fx->st, &one, see_rows, &none, &err), PROLO_OK);
	assert_int_equal(none.calls, 0);
	one.clinic = NULL;
	one.course_id = "NOPE";
	assert_int_equal(store_scan_courses(fx->st, &one, see_rows, &none, &err), PROLO_OK);
	assert_int_equal(none.calls, 0);
}

static void savepoints_roll_back_rows_and_cached_keys(void **state)
{
	struct fx *fx = *state;
	struct prolo_err err;
	int64_t before = 0, after = 0;
	assert_int_equal(store_count(fx->st, REC_PATIENT, &before, &err), PROLO_OK);
	assert_int_equal(store_begin(fx->st, &err), PROLO_OK);

	/* Kept: a patient with a course. */
	assert_int_equal(store_savepoint(fx->st, &err), PROLO_OK);
	add_patient(fx->st, "SP1", "C01");
	add_course(fx->st, "SK1", "SP1");
	assert_int_equal(store_release(fx->st, &err), PROLO_OK);

	/* Rolled back: a patient, a course and an adverse event (numbered 1,
	 * which the store remembers for the course). */
	assert_int_equal(store_savepoint(fx->st, &err), PROLO_OK);
	add_patient(fx->st, "SP2", "C03");
	add_course(fx->st, "SK2", "SP2");
	add_chart(fx->st, "SK1", 1);
	store_rollback_to(fx->st);

	/* The keys of SP2 and SK2 are forgotten with their rows. */
	assert_int_equal(store_savepoint(fx->st, &err), PROLO_OK);
	struct course c;
	rec_init(REC_COURSE, &c);
	set(REC_COURSE, &c, "course_id", "SK3");
	set(REC_COURSE, &c, "patient_id", "SP2");
	set(REC_COURSE, &c, "modality", "prp");
	set(REC_COURSE, &c, "condition", "knee_oa");
	set(REC_COURSE, &c, "start_date", "2024-01-08");
	set(REC_COURSE, &c, "planned_sessions", "3");
	set(REC_COURSE, &c, "status", "planned");
	assert_int_equal(store_insert(fx->st, REC_COURSE, &c, &err), PROLO_ENOTFOUND);
	assert_string_equal(err.field, "patient_id");
	store_rollback_to(fx->st);

	/* SK1's adverse-event number starts again at 1. */
	assert_int_equal(store_savepoint(fx->st, &err), PROLO_OK);
	add_chart(fx->st, "SK1", 1);
	assert_int_equal(store_release(fx->st, &err), PROLO_OK);
	assert_int_equal(store_commit(fx->st, &err), PROLO_OK);

	assert_int_equal(store_count(fx->st, REC_PATIENT, &after, &err), PROLO_OK);
	assert_int_equal(after, before + 1);
	struct adverse_event a;
	rec_init(REC_AE, &a);
	snprintf(a.course_id, sizeof a.course_id, "SK1");
	a.seq = 1;
	assert_int_equal(store_get(fx->st, REC_AE, &a, &err), PROLO_OK);
	a.seq = 2;
	assert_int_equal(store_get(fx->st, REC_AE, &a, &err), PROLO_ENOTFOUND);
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "SP2");
	assert_int_equal(store_get(fx->st, REC_PATIENT, &p, &err), PROLO_ENOTFOUND);
}

static void read_snapshot(void **state)
{
	struct fx *fx = *state;
	struct prolo_err err;
	assert_int_equal(store_read_begin(fx->st, &err), PROLO_OK);
	assert_true(store_in_transaction(fx->st));
	struct seen s = { 0 };
	struct store_filter f = { .patient_id = "P1" };
	assert_int_equal(store_scan(fx->st, REC_COURSE, &f, see_course, &s, &err), PROLO_OK);
	assert_int_equal(s.n, 2);
	store_read_end(fx->st);
	assert_false(store_in_transaction(fx->st));
	store_read_end(fx->st); /* a no-op outside a transaction */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chart_reads_are_index_searches),
		cmocka_unit_test(scans_filter_order_and_nest),
		cmocka_unit_test(report_scan_of_one_course),
		cmocka_unit_test(savepoints_roll_back_rows_and_cached_keys),
		cmocka_unit_test(read_snapshot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
