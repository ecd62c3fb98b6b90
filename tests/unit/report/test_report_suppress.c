/* report_suppress, the researchers' disclosure control, on hand-made
 * results: small groups are hidden, every additive line of the group table
 * has no hidden entry or at least two (so none is a difference of shown
 * ones) on many random tables, what is computed from hidden groups goes
 * with them, and small parts of the sections that stay are hidden. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/domain.h"
#include "report/report.h"

#define ROW(m, c) ((m) * REPORT_NCOND + (c))
#define K 5

static struct report_results *fresh(void)
{
	struct report_results *res = calloc(1, sizeof *res);
	assert_non_null(res);
	res->suppression.from = res->suppression.to = DOM_DATE_NONE;
	res->title = "test";
	return res;
}

/* Fills the inner groups with n[m][c] and the margins with their sums;
 * other[m] courses of clinic-added conditions count under ALL only. */
static void table(struct report_results *res, const uint64_t n[MOD__COUNT][COND__COUNT],
                  const uint64_t other[MOD__COUNT])
{
	uint64_t all_all = 0, other_all = 0;
	for (int c = 0; c < COND__COUNT; c++)
		res->rows[ROW(REPORT_ALL_MOD, c)].n_courses = 0;
	for (int m = 0; m < MOD__COUNT; m++) {
		uint64_t row = other[m];
		for (int c = 0; c < COND__COUNT; c++) {
			res->rows[ROW(m, c)].n_courses = n[m][c];
			res->rows[ROW(m, c)].itt_resp = n[m][c] / 2;
			res->rows[ROW(m, c)].itt_rate = 0.5;
			res->rows[ROW(REPORT_ALL_MOD, c)].n_courses += n[m][c];
			row += n[m][c];
		}
		res->rows[ROW(m, REPORT_ALL_COND)].n_courses = row;
		all_all += row;
		other_all += other[m];
	}
	res->rows[ROW(REPORT_ALL_MOD, REPORT_ALL_COND)].n_courses = all_all;
	res->quality.other_condition = other_all;
	res->quality.courses_seen = all_all;
}

static bool hidden(const struct report_results *res, int g)
{
	return res->suppression.row[g];
}

/* The invariants: small groups hidden, hidden rows carry nothing, and no
 * line has exactly one hidden entry. */
static void check_lines(const struct report_results *res, const uint64_t n[MOD__COUNT][COND__COUNT],
                        const uint64_t other[MOD__COUNT])
{
	for (int g = 0; g < REPORT_NGROUPS; g++) {
		const struct report_row *w = &res->rows[g];
		if (hidden(res, g)) {
			assert_true(w->n_courses == REPORT_SUPPRESSED && w->itt_resp == REPORT_SUPPRESSED);
			assert_true(isnan(w->itt_rate));
		}
	}
	for (int m = 0; m < MOD__COUNT; m++)
		for (int c = 0; c < COND__COUNT; c++)
			if (n[m][c] > 0 && n[m][c] < K)
				assert_true(hidden(res, ROW(m, c)));
	/* A condition's modalities and its ALL. */
	for (int c = 0; c < REPORT_NCOND; c++) {
		int h = hidden(res, ROW(REPORT_ALL_MOD, c));
		for (int m = 0; m < MOD__COUNT; m++)
			h += hidden(res, ROW(m, c));
		assert_true(h != 1);
	}
	/* A modality's conditions, its other conditions (never shown as such:
	 * hidden when small) and its ALL. */
	bool other_hidden_all = res->quality.other_condition == REPORT_SUPPRESSED;
	for (int m = 0; m < REPORT_NMOD; m++) {
		int h = hidden(res, ROW(m, REPORT_ALL_COND));
		for (int c = 0; c < COND__COUNT; c++)
			h += hidden(res, ROW(m, c));
		if (m < MOD__COUNT)
			h += other[m] > 0 && other[m] < K;
		else
			h += other_hidden_all;
		assert_true(h != 1);
	}
}

static void test_small_groups_and_their_complements(void **state)
{
	(void)state;
	struct report_results *res = fresh();
	/* One group of 3 (prp, knee_oa): its column and its row each need a
	 * second hidden entry, and those lines a further one. */
	uint64_t n[MOD__COUNT][COND__COUNT] = { { 20, 0, 12, 9, 0 }, { 0, 0, 3, 0, 0 }, { 0, 0, 30, 0, 0 } };
	uint64_t other[MOD__COUNT] = { 0, 0, 0 };
	table(res, n, other);
	report_suppress(res, 0);
	assert_true(res->suppression.active);
	assert_int_equal(res->suppression.min_cell, K);
	assert_true(hidden(res, ROW(MOD_PRP, COND_KNEE_OA)));
	/* prp's row is 3 in all: its ALL is small too. */
	assert_true(hidden(res, ROW(MOD_PRP, REPORT_ALL_COND)));
	/* The knee_oa column: 12 + 3 + 30 = 45; the smallest other shown is
	 * dextrose's 12 (and the lines through it hide more in turn). */
	assert_true(hidden(res, ROW(MOD_DEXTROSE, COND_KNEE_OA)));
	/* Dextrose's row then needs a second one: its smallest, tendinopathy. */
	assert_true(hidden(res, ROW(MOD_DEXTROSE, COND_TENDINOPATHY)));
	/* Zero groups stay shown: nobody is in them. */
	assert_false(hidden(res, ROW(MOD_DEXTROSE, COND_NECK_PAIN)));
	assert_int_equal(res->rows[ROW(MOD_DEXTROSE, COND_NECK_PAIN)].n_courses, 0);
	check_lines(res, n, other);
	/* prp's section goes with its row, and the rate differences with it. */
	assert_true(res->suppression.modality[MOD_PRP]);
	assert_true(res->claims[MOD_PRP].itt_n == REPORT_SUPPRESSED);
	free(res);
}

static void test_random_tables_leave_no_single_hidden_entry(void **state)
{
	(void)state;
	srand(12);
	for (int round = 0; round < 2000; round++) {
		struct report_results *res = fresh();
		uint64_t n[MOD__COUNT][COND__COUNT], other[MOD__COUNT];
		for (int m = 0; m < MOD__COUNT; m++) {
			for (int c = 0; c < COND__COUNT; c++) {
				int r = rand() % 10;
				n[m][c] = r < 3 ? 0 : r < 6 ? (uint64_t)(1 + rand() % 6) : (uint64_t)(rand() % 40);
			}
			other[m] = rand() % 3 == 0 ? (uint64_t)(rand() % 7) : 0;
		}
		table(res, n, other);
		report_suppress(res, K);
		check_lines(res, n, other);
		free(res);
	}
}

static void test_logrank_diffs_and_sections(void **state)
{
	(void)state;
	struct report_results *res = fresh();
	uint64_t n[MOD__COUNT][COND__COUNT] = { { 40, 30, 20, 10, 10 }, { 30, 20, 2, 10, 10 }, { 20, 10, 10, 10, 10 } };
	uint64_t other[MOD__COUNT] = { 0, 0, 0 };
	table(res, n, other);
	for (int c = 0; c < REPORT_NCOND; c++)
		res->logrank[c].chisq = 1.5;
	res->diffs[0] = (struct report_diff){ MOD_DEXTROSE, MOD_PRP, 0.1, 0.0, 0.2 };
	/* A Kaplan-Meier curve whose tail has 3 then 1 courses at risk. */
	static double t[4] = { 1, 2, 3, 4 }, s[4] = { .9, .8, .7, .5 }, at_risk[4] = { 40, 12, 3, 1 };
	struct report_curve *cv = &res->km[MOD_DEXTROSE];
	cv->n = 4;
	cv->time = t;
	cv->surv = cv->lower = cv->upper = s;
	cv->n_risk = at_risk;
	cv->n_courses = 100;
	struct report_traj_point pts[3] = { { 0, 100, 5, 6, 7 }, { 1, 4, 4, 5, 6 }, { 2, 60, 3, 4, 5 } };
	res->traj[MOD_DEXTROSE] = pts;
	res->traj_n[MOD_DEXTROSE] = 3;
	res->secondary[MOD_DEXTROSE][INSTR_ODI].n = 3;
	res->secondary[MOD_DEXTROSE][INSTR_ODI].chg_mean = -12;
	res->claims[MOD_DEXTROSE].itt_n = 100;
	res->claims[MOD_DEXTROSE].itt_resp = 50;
	res->dropout[MOD_DEXTROSE].itt_n = 100;
	res->dropout[MOD_DEXTROSE].dropped = 20;
	res->dropout[MOD_DEXTROSE].n_responders = 50;
	res->dropout[MOD_DEXTROSE].dropped_improving = 2;
	res->dropout[MOD_DEXTROSE].dropped_flat = 9;
	res->dropout[MOD_DEXTROSE].dropped_worsening = 9;
	report_suppress(res, K);
	/* prp x knee_oa (2) is hidden, so is the knee_oa stratum. */
	assert_true(hidden(res, ROW(MOD_PRP, COND_KNEE_OA)));
	assert_true(isnan(res->logrank[COND_KNEE_OA].chisq));
	assert_false(isnan(res->logrank[COND_LOW_BACK_PAIN].chisq));
	/* The rate difference is of modalities whose ALL rows are shown. */
	assert_false(hidden(res, ROW(MOD_PRP, REPORT_ALL_COND)));
	assert_false(isnan(res->diffs[0].diff));
	/* Dextrose's section stays, without its curve's tail (fewer than 5
	 * at risk), its trajectory point of 4 courses, its ODI of 3. */
	assert_false(res->suppression.modality[MOD_DEXTROSE]);
	assert_int_equal(cv->n, 2);
	assert_int_equal(res->traj_n[MOD_DEXTROSE], 2);
	assert_int_equal(res->traj[MOD_DEXTROSE][1].session, 2);
	assert_true(res->secondary[MOD_DEXTROSE][INSTR_ODI].n == REPORT_SUPPRESSED);
	assert_true(isnan(res->secondary[MOD_DEXTROSE][INSTR_ODI].chg_mean));
	/* ... and ALL's ODI with it, else it would be ALL minus the others. */
	assert_true(res->secondary[REPORT_ALL_MOD][INSTR_ODI].n == REPORT_SUPPRESSED ||
	            res->secondary[REPORT_ALL_MOD][INSTR_ODI].n == 0);
	assert_int_equal(res->claims[MOD_DEXTROSE].itt_n, 100);
	/* The drop-outs' trends: 2 is small, and a second one goes with it. */
	assert_true(res->dropout[MOD_DEXTROSE].dropped_improving == REPORT_SUPPRESSED);
	assert_true(res->dropout[MOD_DEXTROSE].dropped_flat == REPORT_SUPPRESSED ||
	            res->dropout[MOD_DEXTROSE].dropped_worsening == REPORT_SUPPRESSED);
	free(res);
}

static void test_json_shows_nulls_and_the_rule(void **state)
{
	(void)state;
	struct report_results *res = fresh();
	uint64_t n[MOD__COUNT][COND__COUNT] = { { 1, 0, 0, 0, 0 }, { 0 }, { 0 } };
	uint64_t other[MOD__COUNT] = { 0, 0, 0 };
	table(res, n, other);
	res->suppression.from = dom_days_from_civil(2024, 3, 1);
	res->suppression.to = dom_days_from_civil(2024, 3, 31);
	report_suppress(res, 0);
	struct buf b = { 0 };
	struct prolo_err err;
	assert_int_equal(report_json(res, &b, &err), PROLO_OK);
	json_error_t je;
	json_t *doc = json_loads(buf_str(&b), 0, &je);
	assert_non_null(doc);
	json_t *g0 = json_array_get(json_object_get(doc, "groups"), 0);
	assert_true(json_is_true(json_object_get(g0, "suppressed")));
	assert_true(json_is_null(json_object_get(g0, "n_courses")));
	json_t *sp = json_object_get(doc, "suppression");
	assert_int_equal(json_integer_value(json_object_get(sp, "min_cell")), K);
	assert_string_equal(json_string_value(json_object_get(sp, "from")), "2024-03-01");
	assert_string_equal(json_string_value(json_object_get(sp, "to")), "2024-03-31");
	/* The one course shows nowhere: no count of 1 is left. */
	assert_null(strstr(buf_str(&b), "\"n_courses\": 1,"));
	assert_null(strstr(buf_str(&b), "\"courses_read\": 1,"));
	json_decref(doc);
	buf_free(&b);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_groups_and_their_complements),
		cmocka_unit_test(test_random_tables_leave_no_single_hidden_entry),
		cmocka_unit_test(test_logrank_diffs_and_sections),
		cmocka_unit_test(test_json_shows_nulls_and_the_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
