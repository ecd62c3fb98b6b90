/* Outcomes at time points (report/report_tp.h, docs/report.md "Outcomes at
 * time points") on hand-made courses whose expected numbers are worked out
 * in the comments: the window's ends, the nearest assessment and its tie,
 * same-day scores, the baseline rules, due / not yet due / no point, the
 * endings, the funnel, the Wilson interval's exact ends, the renderers, and
 * the researchers' suppression of small time points. */
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
#include "core/course_rows.h"
#include "core/domain.h"
#include "registry/followup.h"
#include "report/report.h"
#include "stats/stats.h"

#define G(m, c) ((m) * REPORT_NCOND + (c))
#define ALLG G(REPORT_ALL_MOD, REPORT_ALL_COND)
#define MAXO 16

struct tcourse {
	struct course_rows r;
	int32_t odate[MAXO];
	uint8_t oinst[MAXO];
	double oscore[MAXO];
};

static void course_init(struct tcourse *c, int mod, int cond, int status)
{
	memset(c, 0, sizeof *c);
	c->r.course_id = "c";
	c->r.modality = mod;
	c->r.condition = cond;
	c->r.condition_name = cond >= 0 ? dom_condition_names[cond] : "plantar_fasciitis";
	c->r.status = status;
	c->r.start_date = 1000;
	c->r.end_date = DOM_DATE_NONE;
	c->r.protocol = "";
	c->r.out_date = c->odate;
	c->r.out_instrument = c->oinst;
	c->r.out_score = c->oscore;
}

/* Appends an assessment; keep them in date order. */
static void nrs(struct tcourse *c, int32_t day, double score)
{
	size_t i = c->r.n_outcomes++;
	assert_true(i < MAXO);
	c->odate[i] = day;
	c->oinst[i] = INSTR_NRS;
	c->oscore[i] = score;
}

static void other(struct tcourse *c, int32_t day, int instr, double score)
{
	size_t i = c->r.n_outcomes++;
	c->odate[i] = day;
	c->oinst[i] = (uint8_t)instr;
	c->oscore[i] = score;
}

/* The default plan's points: targets start + 91, 182, 365, windows ± 14. */
static void default_points(const struct tcourse *c, struct report_tp_course *tc)
{
	static const int off[REPORT_TP_N] = { 91, 182, 365 };
	memset(tc, 0, sizeof *tc);
	tc->rows = &c->r;
	for (int i = 0; i < REPORT_TP_N; i++) {
		tc->pt[i].planned = true;
		tc->pt[i].target = c->r.start_date + off[i];
		tc->pt[i].window_start = tc->pt[i].target - 14;
		tc->pt[i].window_end = tc->pt[i].target + 14;
		tc->pt[i].channel = CH_NONE;
	}
}

static struct report *report_at(int32_t as_of)
{
	struct report_options o = { .conf = 0.95, .as_of = as_of };
	struct report *r = NULL;
	assert_int_equal(report_new(&o, &r, NULL), PROLO_OK);
	return r;
}

static void add(struct report *r, struct tcourse *c, struct report_tp_course *tc)
{
	struct prolo_err err = { 0 };
	assert_int_equal(report_add_course(r, &c->r, &err), PROLO_OK);
	assert_int_equal(report_add_timepoints(r, tc, &err), PROLO_OK);
}

/* Time point i of the one (ended) course c, by the report on day 5000
 * (every window closed): answered, responded. */
static void assess(struct tcourse *c, int i, bool *answered, bool *responder)
{
	struct report *r = report_at(5000);
	struct report_tp_course tc;
	default_points(c, &tc);
	add(r, c, &tc);
	assert_int_equal(report_finish(r, NULL), PROLO_OK);
	const struct report_tp_cell *x = &report_results(r)->tp.cell[ALLG][i][TP_END_ALL];
	assert_int_equal(x->due, 1);
	*answered = x->answered == 1;
	*responder = x->responders == 1;
	report_free(r);
}

static void test_window_ends(void **state)
{
	(void)state;
	struct tcourse c;
	bool a, r;
	/* target 1091, window 1077..1105, baseline 8 */
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1077, 4); /* the first day: inside, 2*4 <= 8 */
	assess(&c, 0, &a, &r);
	assert_true(a && r);
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1105, 4); /* the last day: inside */
	assess(&c, 0, &a, &r);
	assert_true(a && r);
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1076, 1); /* a day before and a day after: outside */
	nrs(&c, 1106, 1);
	assess(&c, 0, &a, &r);
	assert_false(a);
	assert_false(r);
	/* another instrument in the window does not answer the NRS */
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	other(&c, 1091, INSTR_ODI, 10);
	assess(&c, 0, &a, &r);
	assert_false(a);
}

static void test_nearest_and_ties(void **state)
{
	(void)state;
	struct tcourse c;
	bool a, r;
	/* 1084 and 1098 are both 7 days from 1091: the later (7 of 8: no
	 * response) counts, not the earlier (2: a response) */
	course_init(&c, MOD_PRP, COND_KNEE_OA, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1084, 2);
	nrs(&c, 1098, 7);
	assess(&c, 0, &a, &r);
	assert_true(a);
	assert_false(r);
	/* the nearer wins whatever its order: 1090 (4) before 1100 (8) */
	course_init(&c, MOD_PRP, COND_KNEE_OA, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1080, 8);
	nrs(&c, 1090, 4);
	nrs(&c, 1100, 8);
	assess(&c, 0, &a, &r);
	assert_true(a && r);
	/* two scores on the chosen day are averaged: (4 + 6) / 2 = 5 of a
	 * baseline of (8 + 10) / 2 = 9: 10 > 9, no response (either score
	 * alone would decide otherwise for 4) */
	course_init(&c, MOD_PRP, COND_KNEE_OA, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1000, 10);
	nrs(&c, 1091, 4);
	nrs(&c, 1091, 6);
	assess(&c, 0, &a, &r);
	assert_true(a);
	assert_false(r);
	/* exactly half: 4.5 of 9 responds */
	course_init(&c, MOD_PRP, COND_KNEE_OA, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1000, 10);
	nrs(&c, 1091, 4);
	nrs(&c, 1091, 5);
	assess(&c, 0, &a, &r);
	assert_true(a && r);
}

static void test_baseline_rules(void **state)
{
	(void)state;
	struct tcourse c;
	bool a, r;
	/* a baseline of 1 never halves meaningfully */
	course_init(&c, MOD_DEXTROSE, COND_NECK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 1);
	nrs(&c, 1091, 0);
	assess(&c, 0, &a, &r);
	assert_true(a);
	assert_false(r);
	/* the only NRS in the window is the baseline itself */
	course_init(&c, MOD_DEXTROSE, COND_NECK_PAIN, CS_COMPLETED);
	nrs(&c, 1090, 6);
	assess(&c, 0, &a, &r);
	assert_true(a);
	assert_false(r);
	/* no NRS at all */
	course_init(&c, MOD_DEXTROSE, COND_NECK_PAIN, CS_COMPLETED);
	assess(&c, 0, &a, &r);
	assert_false(a || r);
	/* a missing score is no answer */
	course_init(&c, MOD_DEXTROSE, COND_NECK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1091, NAN);
	assess(&c, 0, &a, &r);
	assert_false(a);
}

static void test_fold(void **state)
{
	(void)state;
	/* Report on day 1200: the 3-month windows (end 1105) have closed, the
	 * 6-month ones (end 1196) too, the 12-month ones (end 1379) not. */
	struct report *r = report_at(1200);
	struct tcourse c;
	struct report_tp_course tc;
	/* 1: completed, responds at 3 months, answers at 6 without response,
	 * invited by e-mail at 3 months and accepted */
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1091, 3);
	nrs(&c, 1182, 6);
	default_points(&c, &tc);
	tc.pt[0].channel = CH_EMAIL;
	tc.pt[0].sent = tc.pt[0].delivered = true;
	add(r, &c, &tc);
	/* 2: dropped, answers at 6 months with a response; e-mail refused at
	 * 3 months (sent, not delivered) */
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_DROPPED);
	nrs(&c, 1000, 8);
	nrs(&c, 1190, 2);
	default_points(&c, &tc);
	tc.pt[0].channel = CH_EMAIL;
	tc.pt[0].sent = true;
	add(r, &c, &tc);
	/* 3: stopped for an adverse event (a drop-out), its plan has no
	 * 3-month point */
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_STOPPED_ADVERSE_EVENT);
	nrs(&c, 1000, 8);
	default_points(&c, &tc);
	tc.pt[0].planned = false;
	add(r, &c, &tc);
	/* 4: still active: not counted anywhere */
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_ACTIVE);
	nrs(&c, 1000, 8);
	nrs(&c, 1091, 1);
	default_points(&c, &tc);
	add(r, &c, &tc);
	/* 5: goal reached (completed), clinic-added condition: ALL only */
	course_init(&c, MOD_PRP, -1, CS_GOAL_REACHED);
	nrs(&c, 1000, 6);
	nrs(&c, 1091, 3);
	default_points(&c, &tc);
	add(r, &c, &tc);
	assert_int_equal(report_finish(r, NULL), PROLO_OK);
	const struct report_tp_results *tp = &report_results(r)->tp;
	assert_int_equal(tp->as_of, 1200);

	const struct report_tp_cell *x = tp->cell[G(MOD_DEXTROSE, COND_LOW_BACK_PAIN)][0];
	assert_int_equal(x[TP_END_ALL].due, 2);
	assert_int_equal(x[TP_END_ALL].no_point, 1);
	assert_int_equal(x[TP_END_ALL].answered, 1);
	assert_int_equal(x[TP_END_ALL].responders, 1);
	assert_true(x[TP_END_ALL].rate == 0.5 && x[TP_END_ALL].completeness == 0.5);
	assert_int_equal(x[TP_END_COMPLETED].due, 1);
	assert_int_equal(x[TP_END_COMPLETED].responders, 1);
	assert_true(x[TP_END_COMPLETED].hi == 1); /* exactly 1 at n of n */
	assert_int_equal(x[TP_END_DROPPED].due, 1);
	assert_int_equal(x[TP_END_DROPPED].no_point, 1);
	assert_int_equal(x[TP_END_DROPPED].responders, 0);
	assert_true(x[TP_END_DROPPED].lo == 0);   /* exactly 0 at 0 of n */
	double lo, hi;
	stats_wilson(1, 2, STATS_Z95, &lo, &hi);
	assert_true(x[TP_END_ALL].lo == lo && x[TP_END_ALL].hi == hi);
	/* 6 months: both due and answered, the drop-out responded */
	x = tp->cell[G(MOD_DEXTROSE, COND_LOW_BACK_PAIN)][1];
	assert_int_equal(x[TP_END_ALL].due, 3);
	assert_int_equal(x[TP_END_ALL].answered, 2);
	assert_int_equal(x[TP_END_COMPLETED].responders, 0);
	assert_int_equal(x[TP_END_DROPPED].responders, 1);
	assert_int_equal(x[TP_END_DROPPED].due, 2);
	/* 12 months: nothing due yet */
	x = tp->cell[G(MOD_DEXTROSE, COND_LOW_BACK_PAIN)][2];
	assert_int_equal(x[TP_END_ALL].due, 0);
	assert_int_equal(x[TP_END_ALL].not_yet_due, 3);
	assert_true(isnan(x[TP_END_ALL].rate) && isnan(x[TP_END_ALL].completeness) && isnan(x[TP_END_ALL].lo));
	/* the clinic-added condition counts under ALL only */
	x = tp->cell[G(MOD_PRP, REPORT_ALL_COND)][0];
	assert_int_equal(x[TP_END_COMPLETED].due, 1);
	assert_int_equal(x[TP_END_COMPLETED].responders, 1);
	for (int cd = 0; cd < COND__COUNT; cd++)
		assert_int_equal(tp->cell[G(MOD_PRP, cd)][0][TP_END_ALL].due, 0);
	x = tp->cell[ALLG][0];
	assert_int_equal(x[TP_END_ALL].due, 3);
	assert_int_equal(x[TP_END_ALL].responders, 2);
	/* due + not yet due + no point = the ended courses of report.csv */
	const struct report_row *w = &report_results(r)->rows[ALLG];
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_cell *y = &tp->cell[ALLG][i][TP_END_ALL];
		assert_int_equal(y->due + y->not_yet_due + y->no_point, w->n_courses);
	}
	/* the funnel at 3 months: two e-mails (one accepted), one without a
	 * message (course 5, answered) */
	assert_int_equal(tp->funnel[0][CH_EMAIL].due, 2);
	assert_int_equal(tp->funnel[0][CH_EMAIL].sent, 2);
	assert_int_equal(tp->funnel[0][CH_EMAIL].delivered, 1);
	assert_int_equal(tp->funnel[0][CH_EMAIL].answered, 1);
	assert_int_equal(tp->funnel[0][CH_NONE].due, 1);
	assert_int_equal(tp->funnel[0][CH_NONE].answered, 1);
	assert_int_equal(tp->funnel[0][CH_SMS].due, 0);
	report_free(r);
}

static void test_bad_point(void **state)
{
	(void)state;
	struct report *r = report_at(1200);
	struct tcourse c;
	struct report_tp_course tc;
	struct prolo_err err = { 0 };
	course_init(&c, MOD_DEXTROSE, COND_LOW_BACK_PAIN, CS_COMPLETED);
	nrs(&c, 1000, 8);
	nrs(&c, 1091, 1);
	default_points(&c, &tc);
	/* before report_add_course took it */
	assert_int_equal(report_add_timepoints(r, &tc, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "course");
	assert_int_equal(report_add_course(r, &c.r, &err), PROLO_OK);
	tc.pt[1].window_end = tc.pt[1].window_start - 1;
	assert_int_equal(report_add_timepoints(r, &tc, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "window");
	default_points(&c, &tc);
	tc.pt[2].channel = CH__COUNT;
	assert_int_equal(report_add_timepoints(r, &tc, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "channel");
	assert_int_equal(report_finish(r, NULL), PROLO_OK);
	assert_int_equal(report_results(r)->tp.cell[ALLG][0][TP_END_ALL].due, 0);
	report_free(r);
}

/* The plan's point for 3, 6 and 12 months (registry/followup.h). */
static void test_point_at_months(void **state)
{
	(void)state;
	struct fu_plan pl;
	followup_plan(NULL, "low_back_pain", 0, &pl); /* 91, 182, 365 */
	assert_int_equal(followup_point_at_months(&pl, 3), 0);
	assert_int_equal(followup_point_at_months(&pl, 6), 1);
	assert_int_equal(followup_point_at_months(&pl, 12), 2);
	assert_int_equal(followup_point_at_months(&pl, 1), -1);
	memset(&pl, 0, sizeof pl);
	/* 6w = 1 month, 8w = 2, 12w = 84 d = 2.76 -> 3, 16w = 3.68 -> 4,
	 * 26w = 5.98 -> 6, 52w = 11.96 -> 12 */
	static const int32_t off[] = { 42, 56, 84, 112, 182, 364 };
	for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
		pl.pts[pl.n++].offset_days = off[i];
	assert_int_equal(followup_point_at_months(&pl, 1), 0);
	assert_int_equal(followup_point_at_months(&pl, 3), 2);
	assert_int_equal(followup_point_at_months(&pl, 4), 3);
	assert_int_equal(followup_point_at_months(&pl, 6), 4);
	assert_int_equal(followup_point_at_months(&pl, 12), 5);
	/* halves up at 3.5 months (106.53 d): 106 d is 3 months (3.48), 107 d
	 * is 4 (3.52); of several 3-month points the one nearest to 91.3125 d:
	 * 95 d (3.69 d after) before 87 d (4.31 d before) */
	memset(&pl, 0, sizeof pl);
	pl.pts[pl.n++].offset_days = 87;
	pl.pts[pl.n++].offset_days = 95;
	pl.pts[pl.n++].offset_days = 106;
	pl.pts[pl.n++].offset_days = 107;
	assert_int_equal(followup_point_at_months(&pl, 3), 1);
	assert_int_equal(followup_point_at_months(&pl, 4), 3);
	/* 6 months = 182.625 d: 183 (0.375 after) before 182 (0.625 before).
	 * (3, 6 and 12 months are never a half day, so two whole-day offsets
	 * are never as near; the earlier-wins rule only makes it total.) */
	memset(&pl, 0, sizeof pl);
	pl.pts[pl.n++].offset_days = 182;
	pl.pts[pl.n++].offset_days = 183;
	assert_int_equal(followup_point_at_months(&pl, 6), 1);
}

/* Groups of completed and dropped courses, all due at 3 and 6 months on
 * day 1200; every second one answered and responding at 3 months; every
 * third invited by e-mail, one by SMS. tiny: with a group of 4 courses. */
static struct report *small_report(bool tiny)
{
	struct report *r = report_at(1200);
	struct tcourse c;
	struct report_tp_course tc;
	const struct { int mod, cond, comp, drop; } g[] = {
		{ MOD_DEXTROSE, COND_LOW_BACK_PAIN, 3, 1 },
		{ MOD_PRP, COND_KNEE_OA, 40, 40 },
		{ MOD_STEM_CELL, COND_NECK_PAIN, 30, 2 },
		{ MOD_PRP, COND_TENDINOPATHY, 20, 20 },
		{ MOD_DEXTROSE, COND_KNEE_OA, 20, 20 },
	};
	for (size_t k = tiny ? 0 : 1; k < sizeof g / sizeof g[0]; k++)
		for (int j = 0; j < g[k].comp + g[k].drop; j++) {
			course_init(&c, g[k].mod, g[k].cond, j < g[k].comp ? CS_COMPLETED : CS_DROPPED);
			nrs(&c, 1000, 8);
			if (j % 2)
				nrs(&c, 1091, 3);
			default_points(&c, &tc);
			if (j % 3 == 0)
				tc.pt[0].channel = CH_EMAIL;
			if (k == 2 && j == 0)
				tc.pt[0].channel = CH_SMS; /* one SMS at 3 months */
			add(r, &c, &tc);
		}
	assert_int_equal(report_finish(r, NULL), PROLO_OK);
	return r;
}

/* No line has exactly one hidden cell: a condition's modalities and ALL,
 * a modality's conditions and ALL (no clinic-added conditions here), and
 * all = completed + dropped. */
static void check_tp_lines(const struct report_tp_results *tp)
{
	for (int i = 0; i < REPORT_TP_N; i++) {
		for (int e = 0; e < TP_END__COUNT; e++) {
			for (int cd = 0; cd < REPORT_NCOND; cd++) {
				int h = tp->cell[G(REPORT_ALL_MOD, cd)][i][e].suppressed;
				for (int m = 0; m < MOD__COUNT; m++)
					h += tp->cell[G(m, cd)][i][e].suppressed;
				assert_int_not_equal(h, 1);
			}
			for (int m = 0; m < REPORT_NMOD; m++) {
				int h = tp->cell[G(m, REPORT_ALL_COND)][i][e].suppressed;
				for (int cd = 0; cd < COND__COUNT; cd++)
					h += tp->cell[G(m, cd)][i][e].suppressed;
				assert_int_not_equal(h, 1);
			}
		}
		for (int g = 0; g < REPORT_NGROUPS; g++) {
			int h = 0;
			for (int e = 0; e < TP_END__COUNT; e++)
				h += tp->cell[g][i][e].suppressed;
			assert_int_not_equal(h, 1);
		}
	}
}

static void test_suppression_groups(void **state)
{
	(void)state;
	struct report *r = small_report(true);
	struct report_results *res = report_results_mut(r);
	report_suppress(res, 5);
	const struct report_tp_results *tp = &res->tp;
	/* the group of 4 courses is hidden in the table, so are its time points */
	assert_true(res->suppression.row[G(MOD_DEXTROSE, COND_LOW_BACK_PAIN)]);
	for (int g = 0; g < REPORT_NGROUPS; g++)
		for (int i = 0; i < REPORT_TP_N; i++)
			for (int e = 0; e < TP_END__COUNT; e++) {
				const struct report_tp_cell *x = &tp->cell[g][i][e];
				if (res->suppression.row[g])
					assert_true(x->suppressed && x->due == REPORT_SUPPRESSED && isnan(x->rate));
				if (x->suppressed)
					assert_true(x->answered == REPORT_SUPPRESSED && x->responders == REPORT_SUPPRESSED &&
					            isnan(x->completeness) && isnan(x->lo));
			}
	check_tp_lines(tp);
	report_free(r);
}

static void test_suppression_cells(void **state)
{
	(void)state;
	struct report *r = small_report(false);
	struct report_results *res = report_results_mut(r);
	report_suppress(res, 5);
	const struct report_tp_results *tp = &res->tp;
	for (int g = 0; g < REPORT_NGROUPS; g++)
		assert_false(res->suppression.row[g]);
	/* stem_cell/neck_pain's 2 drop-outs are a small cell: hidden, and its
	 * completed courses with them (all = completed + dropped); all 32 stay */
	const struct report_tp_cell *x = tp->cell[G(MOD_STEM_CELL, COND_NECK_PAIN)][0];
	assert_true(x[TP_END_DROPPED].suppressed);
	assert_true(x[TP_END_COMPLETED].suppressed);
	assert_false(x[TP_END_ALL].suppressed);
	assert_int_equal(x[TP_END_ALL].due, 32);
	/* ALL/neck_pain's drop-outs are the same 2: hidden too */
	assert_true(tp->cell[G(REPORT_ALL_MOD, COND_NECK_PAIN)][0][TP_END_DROPPED].suppressed);
	check_tp_lines(tp);
	/* the funnel at 3 months: the single SMS is hidden, and the next
	 * smallest channel with it */
	const struct report_tp_funnel *f = tp->funnel[0];
	assert_true(f[CH_SMS].suppressed && f[CH_SMS].answered == REPORT_SUPPRESSED);
	assert_int_equal(f[CH_EMAIL].suppressed + f[CH_NONE].suppressed, 1);
	/* 6 months: everything under "none" (no message), nothing hidden */
	assert_false(tp->funnel[1][CH_NONE].suppressed);
	assert_int_equal(tp->funnel[1][CH_NONE].due, 192);
	/* JSON: hidden cells are null and say so */
	struct buf b = { 0 };
	assert_int_equal(report_json(res, &b, NULL), PROLO_OK);
	json_error_t je;
	json_t *root = json_loads(buf_str(&b), 0, &je);
	assert_non_null(root);
	json_t *grp = json_array_get(json_object_get(root, "groups"), G(MOD_STEM_CELL, COND_NECK_PAIN));
	json_t *tp3 = json_array_get(json_object_get(grp, "time_points"), 0);
	assert_true(json_is_null(json_object_get(json_object_get(tp3, "dropped"), "due")));
	assert_true(json_is_true(json_object_get(json_object_get(tp3, "dropped"), "suppressed")));
	assert_int_equal(json_integer_value(json_object_get(tp3, "due")), 32);
	json_decref(root);
	buf_free(&b);
	report_free(r);
}

static void test_renderers(void **state)
{
	(void)state;
	struct report *r = small_report(true);
	const struct report_results *res = report_results(r);
	struct buf b = { 0 };
	/* CSV: a header and 24 x 3 x 3 rows; the funnel 3 x 3 */
	assert_int_equal(report_tp_csv(res, &b, NULL), PROLO_OK);
	int lines = 0;
	for (const char *p = buf_str(&b); *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + 216);
	assert_non_null(strstr(buf_str(&b), "modality,condition,months,ending,due,not_yet_due,no_point,answered,"
	                                      "completeness,responders,rate,ci_low,ci_high\n"
	                                      "dextrose,low_back_pain,3,all,4,0,0,2,0.5,2,0.5,"));
	/* 12 months are not due on day 1200 */
	assert_non_null(strstr(buf_str(&b), "dextrose,low_back_pain,12,all,0,4,0,0,NA,0,NA,NA,NA\n"));
	buf_reset(&b);
	assert_int_equal(report_tp_funnel_csv(res, &b, NULL), PROLO_OK);
	assert_non_null(strstr(buf_str(&b), "months,channel,due,sent,delivered,answered\n3,email,"));
	assert_non_null(strstr(buf_str(&b), "\n3,sms,1,0,0,0\n"));
	buf_reset(&b);
	/* JSON: as_of and each group's three time points with their endings */
	assert_int_equal(report_json(res, &b, NULL), PROLO_OK);
	json_error_t je;
	json_t *root = json_loads(buf_str(&b), 0, &je);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "as_of")), "1973-04-15");
	json_t *tps = json_object_get(json_array_get(json_object_get(root, "groups"), ALLG), "time_points");
	assert_int_equal(json_array_size(tps), 3);
	json_t *t12 = json_array_get(tps, 2);
	assert_int_equal(json_integer_value(json_object_get(t12, "months")), 12);
	assert_true(json_is_null(json_object_get(t12, "rate")));
	json_t *t3 = json_array_get(tps, 0);
	const char *keys[] = { "due", "not_yet_due", "no_point", "answered", "completeness", "responders", "rate",
	                       "ci_low", "ci_high" };
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		assert_non_null(json_object_get(t3, keys[k]));
		assert_non_null(json_object_get(json_object_get(t3, "completed"), keys[k]));
		assert_non_null(json_object_get(json_object_get(t3, "dropped"), keys[k]));
	}
	assert_int_equal(json_array_size(json_object_get(root, "invitation_funnel")), 9);
	json_decref(root);
	buf_reset(&b);
	/* text and HTML carry the section */
	assert_int_equal(report_text(res, &b, NULL), PROLO_OK);
	assert_non_null(strstr(buf_str(&b), "Outcomes at 3, 6 and 12 months after the start (as of 1973-04-15)"));
	assert_non_null(strstr(buf_str(&b), "Invitation funnel"));
	buf_reset(&b);
	assert_int_equal(report_html(res, &b, NULL), PROLO_OK);
	assert_non_null(strstr(buf_str(&b), "<svg id=\"tp-chart\""));
	assert_non_null(strstr(buf_str(&b), "<svg id=\"tp-completeness-chart\""));
	assert_non_null(strstr(buf_str(&b), "id=\"tp-summary\">Responders at 3 months: "));
	assert_non_null(strstr(buf_str(&b), "<table id=\"tp-funnel-table\">"));
	buf_free(&b);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_ends),
		cmocka_unit_test(test_nearest_and_ties),
		cmocka_unit_test(test_baseline_rules),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_bad_point),
		cmocka_unit_test(test_point_at_months),
		cmocka_unit_test(test_suppression_groups),
		cmocka_unit_test(test_suppression_cells),
		cmocka_unit_test(test_renderers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
