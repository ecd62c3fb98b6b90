/* The report builder against every reference case (tests/reference): reads
 * the case's CSVs, groups the rows into course_rows as the store would, runs
 * the builder and compares report.csv and logrank.csv with the expected
 * files cell by cell (README.md "Comparing": relative 1e-9, NA only equals
 * NA, both below 1e-290 equal). Runs from the repository's top directory. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <csv.h>

#include "core/buf.h"
#include "core/course_rows.h"
#include "core/domain.h"
#include "report/report.h"

/* ---- a CSV table: header + rows of strings ---- */
struct table {
	size_t nrows, ncols, cap;
	char **cells; /* row-major, nrows x ncols, row 0 = header */
	size_t col;   /* parser state */
	size_t ncells;
};

static void cb_field(void *s, size_t len, void *data)
{
	struct table *t = data;
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->cells = realloc(t->cells, t->cap * sizeof *t->cells);
		assert_non_null(t->cells);
	}
	char *c = malloc(len + 1);
	assert_non_null(c);
	memcpy(c, s, len);
	c[len] = '\0';
	t->cells[t->ncells++] = c;
	t->col++;
}

static void cb_row(int ch, void *data)
{
	struct table *t = data;
	if (t->nrows == 0)
		t->ncols = t->col;
	else if (t->col != t->ncols)
		fail_msg("row %zu has %zu fields, expected %zu", t->nrows, t->col, t->ncols);
	t->nrows++;
	t->col = 0;
}

static void table_read(const char *path, struct table *t)
{
	memset(t, 0, sizeof *t);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository top)", path);
	struct csv_parser p;
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_APPEND_NULL), 0);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, n, cb_field, cb_row, t) != n)
			fail_msg("%s: %s", path, csv_strerror(csv_error(&p)));
	csv_fini(&p, cb_field, cb_row, t);
	csv_free(&p);
	fclose(f);
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
	return t->cells[row * t->ncols + col];
}

static size_t colidx(const struct table *t, const char *name)
{
	for (size_t j = 0; j < t->ncols; j++)
		if (strcmp(cell(t, 0, j), name) == 0)
			return j;
	fail_msg("no column %s", name);
	return 0;
}

static int32_t date_of(const char *s)
{
	int32_t d;
	if (!dom_date_parse(s, strlen(s), &d))
		fail_msg("bad date %s", s);
	return d;
}

static int lookup(const char *const *names, int n, const char *s)
{
	int i = dom_lookup(names, n, s, strlen(s));
	if (i < 0)
		fail_msg("bad name %s", s);
	return i;
}

/* ---- rows grouped by course ---- */
struct rowref {
	const char *course;
	size_t row;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct rowref *x = a, *y = b;
	int c = strcmp(x->course, y->course);
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

struct index {
	struct rowref *refs;
	size_t n;
};

static void index_build(const struct table *t, struct index *ix)
{
	size_t cc = colidx(t, "course_id");
	ix->n = t->nrows - 1;
	ix->refs = calloc(ix->n + 1, sizeof *ix->refs);
	for (size_t i = 0; i < ix->n; i++)
		ix->refs[i] = (struct rowref){ cell(t, i + 1, cc), i + 1 };
	qsort(ix->refs, ix->n, sizeof *ix->refs, cmp_ref);
}

/* First ref of course id, and the count. */
static size_t index_find(const struct index *ix, const char *id, size_t *count)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(ix->refs[mid].course, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < ix->n && strcmp(ix->refs[k].course, id) == 0)
		k++;
	*count = k - lo;
	return lo;
}

struct item { int32_t a, b; size_t row; };
static int cmp_item(const void *x, const void *y)
{
	const struct item *p = x, *q = y;
	if (p->a != q->a)
		return (p->a > q->a) - (p->a < q->a);
	if (p->b != q->b)
		return (p->b > q->b) - (p->b < q->b);
	return (p->row > q->row) - (p->row < q->row);
}

struct fixture {
	struct table courses, sessions, outcomes, aes;
	struct index is, io, ia;
};

static void fixture_load(const char *dir, struct fixture *fx)
{
	char p[512];
	snprintf(p, sizeof p, "%s/courses.csv", dir);
	table_read(p, &fx->courses);
	snprintf(p, sizeof p, "%s/sessions.csv", dir);
	table_read(p, &fx->sessions);
	snprintf(p, sizeof p, "%s/outcomes.csv", dir);
	table_read(p, &fx->outcomes);
	snprintf(p, sizeof p, "%s/adverse_events.csv", dir);
	table_read(p, &fx->aes);
	index_build(&fx->sessions, &fx->is);
	index_build(&fx->outcomes, &fx->io);
	index_build(&fx->aes, &fx->ia);
}

static void fixture_free(struct fixture *fx)
{
	table_free(&fx->courses);
	table_free(&fx->sessions);
	table_free(&fx->outcomes);
	table_free(&fx->aes);
	free(fx->is.refs);
	free(fx->io.refs);
	free(fx->ia.refs);
}

/* Feeds course row r of the fixture to the builder. */
static void feed(struct report *rep, const struct fixture *fx, size_t r)
{
	const struct table *C = &fx->courses, *S = &fx->sessions, *O = &fx->outcomes, *A = &fx->aes;
	struct course_rows cr = { 0 };
	cr.course_key = (int64_t)r;
	cr.course_id = cell(C, r, colidx(C, "course_id"));
	cr.patient_id = cell(C, r, colidx(C, "patient_id"));
	cr.clinic = "";
	cr.modality = lookup(dom_modality_names, MOD__COUNT, cell(C, r, colidx(C, "modality")));
	cr.condition_name = cell(C, r, colidx(C, "condition"));
	cr.condition = dom_lookup(dom_condition_names, COND__COUNT, cr.condition_name, strlen(cr.condition_name));
	cr.status = lookup(dom_status_names, CS__COUNT, cell(C, r, colidx(C, "status")));
	cr.start_date = date_of(cell(C, r, colidx(C, "start_date")));
	cr.end_date = DOM_DATE_NONE;
	cr.protocol = "";

	size_t ns, no, na;
	size_t s0 = index_find(&fx->is, cr.course_id, &ns);
	size_t o0 = index_find(&fx->io, cr.course_id, &no);
	size_t a0 = index_find(&fx->ia, cr.course_id, &na);
	struct item *it = calloc(ns + no + na + 1, sizeof *it);
	int32_t *sno = calloc(ns + 1, sizeof *sno), *sdate = calloc(ns + 1, sizeof *sdate);
	int32_t *odate = calloc(no + 1, sizeof *odate);
	uint8_t *oinst = calloc(no + 1, 1);
	double *oscore = calloc(no + 1, sizeof *oscore);
	int32_t *aon = calloc(na + 1, sizeof *aon), *adur = calloc(na + 1, sizeof *adur);
	uint8_t *akind = calloc(na + 1, 1), *agrade = calloc(na + 1, 1), *aser = calloc(na + 1, 1);

	size_t sc = colidx(S, "session_no"), sd = colidx(S, "date");
	for (size_t i = 0; i < ns; i++) {
		size_t row = fx->is.refs[s0 + i].row;
		it[i] = (struct item){ atoi(cell(S, row, sc)), date_of(cell(S, row, sd)), row };
	}
	qsort(it, ns, sizeof *it, cmp_item);
	for (size_t i = 0; i < ns; i++) {
		sno[i] = it[i].a;
		sdate[i] = it[i].b;
	}
	size_t od = colidx(O, "date"), oi = colidx(O, "instrument"), os = colidx(O, "score");
	for (size_t i = 0; i < no; i++) {
		size_t row = fx->io.refs[o0 + i].row;
		it[i] = (struct item){ date_of(cell(O, row, od)),
			lookup(dom_instrument_names, INSTR__COUNT, cell(O, row, oi)), row };
	}
	qsort(it, no, sizeof *it, cmp_item);
	for (size_t i = 0; i < no; i++) {
		odate[i] = it[i].a;
		oinst[i] = (uint8_t)it[i].b;
		oscore[i] = atof(cell(O, it[i].row, os));
	}
	size_t ad = colidx(A, "date"), ak = colidx(A, "kind"), au = colidx(A, "duration_days"),
	       ag = colidx(A, "grade");
	for (size_t i = 0; i < na; i++) {
		size_t row = fx->ia.refs[a0 + i].row;
		it[i] = (struct item){ date_of(cell(A, row, ad)), 0, row };
	}
	qsort(it, na, sizeof *it, cmp_item);
	for (size_t i = 0; i < na; i++) {
		size_t row = it[i].row;
		aon[i] = it[i].a;
		akind[i] = (uint8_t)lookup(dom_ae_kind_names, AE__COUNT, cell(A, row, ak));
		adur[i] = *cell(A, row, au) ? atoi(cell(A, row, au)) : -1;
		agrade[i] = (uint8_t)atoi(cell(A, row, ag));
	}
	cr.n_sessions = ns, cr.sess_no = sno, cr.sess_date = sdate;
	cr.n_outcomes = no, cr.out_date = odate, cr.out_instrument = oinst, cr.out_score = oscore;
	cr.n_aes = na, cr.ae_onset = aon, cr.ae_kind = akind, cr.ae_duration = adur;
	cr.ae_grade = agrade, cr.ae_serious = aser;
	struct prolo_err err;
	if (report_add_course(rep, &cr, &err) != PROLO_OK)
		fail_msg("course %s: %s: %s", cr.course_id, err.field, err.msg);
	free(it), free(sno), free(sdate), free(odate), free(oinst), free(oscore);
	free(aon), free(adur), free(akind), free(agrade), free(aser);
}

/* ---- comparing (README.md "Comparing") ---- */
static int num(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return *s && *end == '\0';
}

static int compare_count(const char *what, const char *got_text, const char *want_path)
{
	struct table want, got;
	table_read(want_path, &want);
	char tmp[] = "/tmp/prolo-report-test.XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(got_text, f);
	fclose(f);
	table_read(tmp, &got);
	remove(tmp);
	if (got.nrows != want.nrows || got.ncols != want.ncols)
		fail_msg("%s: %zux%zu cells, expected %zux%zu", what, got.nrows, got.ncols, want.nrows, want.ncols);
	int bad = 0;
	for (size_t i = 0; i < want.nrows; i++)
		for (size_t j = 0; j < want.ncols; j++) {
			const char *g = cell(&got, i, j), *w = cell(&want, i, j);
			double gv, wv;
			int ok;
			if (strcmp(w, "NA") == 0 || strcmp(g, "NA") == 0)
				ok = strcmp(g, w) == 0;
			else if (num(w, &wv) && num(g, &gv))
				ok = gv == wv || fabs(gv - wv) <= 1e-9 * fmax(fabs(gv), fabs(wv)) ||
				     (fabs(gv) < 1e-290 && fabs(wv) < 1e-290);
			else
				ok = strcmp(g, w) == 0;
			if (!ok && bad++ < 20)
				print_error("%s row %zu (%s,%s) column %s: got %s, expected %s\n", what, i,
				            cell(&want, i, 0), want.ncols > 1 ? cell(&want, i, 1) : "",
				            cell(&want, 0, j), g, w);
		}
	table_free(&want);
	table_free(&got);
	return bad;
}

static void compare(const char *what, const char *got_text, const char *want_path)
{
	int bad = compare_count(what, got_text, want_path);
	if (bad)
		fail_msg("%s: %d cells differ", what, bad);
}

static void run_case(const char *dir, int reverse)
{
	struct fixture fx;
	fixture_load(dir, &fx);
	struct report *rep;
	struct prolo_err err;
	assert_int_equal(report_new(NULL, &rep, &err), PROLO_OK);
	size_t n = fx.courses.nrows - 1;
	for (size_t i = 0; i < n; i++)
		feed(rep, &fx, reverse ? n - i : i + 1);
	assert_int_equal(report_finish(rep, &err), PROLO_OK);
	const struct report_results *res = report_results(rep);
	struct buf a = { 0 }, b = { 0 };
	assert_int_equal(report_csv(res, &a, &err), PROLO_OK);
	assert_int_equal(report_logrank_csv(res, &b, &err), PROLO_OK);
	char p[512];
	snprintf(p, sizeof p, "%s/expected/report.csv", dir);
	compare("report.csv", buf_str(&a), p);
	snprintf(p, sizeof p, "%s/expected/logrank.csv", dir);
	compare("logrank.csv", buf_str(&b), p);
	buf_free(&a);
	buf_free(&b);
	report_free(rep);
	fixture_free(&fx);
}

#define CASE(name, dir) \
	static void test_##name(void **state) { (void)state; run_case(dir, 0); run_case(dir, 1); }
CASE(registry_10k, "tests/reference/registry-10k")
CASE(all_responders, "tests/reference/edge-cases/all-responders")
CASE(no_responders, "tests/reference/edge-cases/no-responders")
CASE(km_median_midpoint, "tests/reference/edge-cases/km-median-midpoint")
CASE(tied_times, "tests/reference/edge-cases/tied-times")
CASE(baseline_only, "tests/reference/edge-cases/baseline-only")
CASE(logrank_strata, "tests/reference/edge-cases/logrank-strata")

/* The comparer itself: equal within 1e-9 passes; a change beyond it, an NA
 * for a number or a different label fails. */
static void test_comparer_detects_differences(void **state)
{
	(void)state;
	const char *path = "tests/reference/edge-cases/km-median-midpoint/expected/logrank.csv";
	const char *tail = "neck_pain,NA,NA,NA\nknee_oa,NA,NA,NA\n"
	                   "tendinopathy,NA,NA,NA\nligament_sprain,NA,NA,NA\n";
	char text[512];
	snprintf(text, sizeof text, "stratum,chisq,df,p\nALL,3.2593677261,2,0.1959915245\n"
	         "low_back_pain,0.9204569734,2,0.6311394221\n%s", tail);
	assert_int_equal(compare_count("same", text, path), 0);
	snprintf(text, sizeof text, "stratum,chisq,df,p\nALL,3.259377726,2,NA\n"
	         "low_back_pain,0.9204569734,2,0.6311394221\n%s", tail);
	assert_int_equal(compare_count("changed", text, path), 2);
	snprintf(text, sizeof text, "stratum,chisq,df,p\nall,3.259367726,2,0.1959915245\n"
	         "low_back_pain,0.9204569734,2,0.6311394221\n%s", tail);
	assert_int_equal(compare_count("label", text, path), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_10k),
		cmocka_unit_test(test_all_responders),
		cmocka_unit_test(test_no_responders),
		cmocka_unit_test(test_km_median_midpoint),
		cmocka_unit_test(test_tied_times),
		cmocka_unit_test(test_baseline_only),
		cmocka_unit_test(test_logrank_strata),
		cmocka_unit_test(test_comparer_detects_differences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
