/* The report builder on what reference data never has (REPORT.md §6,
 * docs/report.md): courses not ended, without NRS, with a baseline of 0/1,
 * goal_reached and the other end reasons, clinic-added conditions,
 * follow-ups before the first session, same-day scores, unknown AE
 * durations; plus the renderers on an empty and a small registry. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/course_rows.h"
#include "core/domain.h"
#include "report/report.h"

#define MAXR 16
struct course {
	struct course_rows r;
	int32_t sno[MAXR], sdate[MAXR], odate[MAXR], aon[MAXR], adur[MAXR];
	uint8_t oinst[MAXR], akind[MAXR], agrade[MAXR], aser[MAXR];
	double oscore[MAXR];
};

/* A course starting on day 100 with sessions on days 107, 114, ... */
static void course_init(struct course *c, int mod, int cond, int status, int nsess)
{
	memset(c, 0, sizeof *c);
	c->r.course_id = "c";
	c->r.patient_id = "p";
	c->r.clinic = "C01";
	c->r.modality = mod;
	c->r.condition = cond;
	c->r.condition_name = cond >= 0 ? dom_condition_names[cond] : "plantar_fasciitis";
	c->r.status = status;
	c->r.start_date = 100;
	c->r.end_date = DOM_DATE_NONE;
	c->r.protocol = "";
	for (int i = 0; i < nsess; i++) {
		c->sno[i] = i + 1;
		c->sdate[i] = 107 + 7 * i;
	}
	c->r.n_sessions = (size_t)nsess;
	c->r.sess_no = c->sno;
	c->r.sess_date = c->sdate;
	c->r.out_date = c->odate;
	c->r.out_instrument = c->oinst;
	c->r.out_score = c->oscore;
	c->r.ae_onset = c->aon;
	c->r.ae_kind = c->akind;
	c->r.ae_duration = c->adur;
	c->r.ae_grade = c->agrade;
	c->r.ae_serious = c->aser;
}

static void nrs(struct course *c, int32_t day, double score)
{
	size_t i = c->r.n_outcomes++;
	c->odate[i] = day;
	c->oinst[i] = INSTR_NRS;
	c->oscore[i] = score;
}

static void other(struct course *c, int32_t day, int instr, double score)
{
	size_t i = c->r.n_outcomes++;
	c->odate[i] = day;
	c->oinst[i] = (uint8_t)instr;
	c->oscore[i] = score;
}

static void ae(struct course *c, int32_t day, int kind, int dur)
{
	size_t i = c->r.n_aes++;
	c->aon[i] = day;
	c->akind[i] = (uint8_t)kind;
	c->adur[i] = dur;
	c->agrade[i] = 1;
}

static struct report *build(struct course *cs, size_t n)
{
	struct report *r;
	struct prolo_err err;
	assert_int_equal(report_new(NULL, &r, &err), PROLO_OK);
	for (size_t i = 0; i < n; i++)
		if (report_add_course(r, &cs[i].r, &err) != PROLO_OK)
			fail_msg("course %zu: %s", i, err.msg);
	assert_int_equal(report_finish(r, &err), PROLO_OK);
	return r;
}

static const struct report_row *row(const struct report_results *res, int m, int c)
{
	return &res->rows[m * REPORT_NCOND + c];
}

static void test_not_ended_left_out_but_censored(void **state)
{
	(void)state;
	struct course cs[3];
	course_init(&cs[0], MOD_PRP, COND_KNEE_OA, CS_ACTIVE, 2);
	nrs(&cs[0], 100, 8), nrs(&cs[0], 108, 6);
	course_init(&cs[1], MOD_PRP, COND_KNEE_OA, CS_PLANNED, 0);
	course_init(&cs[2], MOD_PRP, COND_KNEE_OA, CS_ACTIVE, 2);
	nrs(&cs[2], 100, 8), nrs(&cs[2], 115, 3); /* responded at session 2 while active */
	struct report *r = build(cs, 3);
	const struct report_results *res = report_results(r);
	assert_int_equal(row(res, MOD_PRP, COND_KNEE_OA)->n_courses, 0);
	assert_true(isnan(row(res, MOD_PRP, COND_KNEE_OA)->itt_rate));
	assert_int_equal(res->quality.not_ended, 3);
	assert_int_equal(res->km[MOD_PRP].n_courses, 3);
	assert_int_equal(res->km[MOD_PRP].n_events, 1);
	assert_int_equal(res->km[REPORT_ALL_MOD].n_courses, 3);
	report_free(r);
}

static void test_end_reasons(void **state)
{
	(void)state;
	struct course cs[4];
	static const int st[4] = { CS_GOAL_REACHED, CS_STOPPED_ADVERSE_EVENT, CS_STOPPED_NO_IMPROVEMENT, CS_DROPPED };
	for (int i = 0; i < 4; i++) {
		course_init(&cs[i], MOD_DEXTROSE, COND_LOW_BACK_PAIN, st[i], 2);
		nrs(&cs[i], 100, 8), nrs(&cs[i], 115, 2); /* all would respond */
	}
	struct report *r = build(cs, 4);
	const struct report_row *w = row(report_results(r), MOD_DEXTROSE, COND_LOW_BACK_PAIN);
	assert_int_equal(w->n_courses, 4);
	assert_int_equal(w->n_completed, 1); /* goal_reached counts as completed */
	assert_int_equal(w->n_dropped, 3);
	assert_int_equal(w->pp_resp, 1);
	assert_int_equal(w->itt_resp, 1); /* drop-outs are non-responders whatever their NRS */
	assert_int_equal(w->km_events, 4); /* but each reached a response on the curve */
	assert_int_equal(report_results(r)->dropout[MOD_DEXTROSE].dropped_responding, 3);
	assert_int_equal(report_results(r)->dropout[MOD_DEXTROSE].locf_resp, 4);
	report_free(r);
}

static void test_no_nrs_and_low_baseline(void **state)
{
	(void)state;
	struct course cs[4];
	course_init(&cs[0], MOD_STEM_CELL, COND_NECK_PAIN, CS_COMPLETED, 3); /* no NRS at all */
	course_init(&cs[1], MOD_STEM_CELL, COND_NECK_PAIN, CS_COMPLETED, 3);
	nrs(&cs[1], 100, 1), nrs(&cs[1], 108, 0); /* baseline 1 -> 0: not a responder */
	course_init(&cs[2], MOD_STEM_CELL, COND_NECK_PAIN, CS_COMPLETED, 3);
	nrs(&cs[2], 100, 0), nrs(&cs[2], 108, 0); /* baseline 0 */
	course_init(&cs[3], MOD_STEM_CELL, COND_NECK_PAIN, CS_COMPLETED, 3);
	nrs(&cs[3], 100, 2), nrs(&cs[3], 108, 1); /* baseline 2 -> 1 responds */
	struct report *r = build(cs, 4);
	const struct report_results *res = report_results(r);
	const struct report_row *w = row(res, MOD_STEM_CELL, COND_NECK_PAIN);
	assert_int_equal(w->n_courses, 4);
	assert_int_equal(w->n_completed, 4);
	assert_int_equal(w->pp_resp, 1);
	assert_int_equal(w->km_n, 4);
	assert_int_equal(w->km_events, 1);
	/* change over the three courses with NRS: -1, 0, -1 */
	assert_true(fabs(w->chg_mean - (-2.0 / 3)) < 1e-12);
	assert_int_equal(res->quality.no_nrs, 1);
	assert_int_equal(res->quality.low_baseline, 2);
	report_free(r);
}

static void test_clinic_added_condition_under_all_only(void **state)
{
	(void)state;
	struct course cs[2];
	course_init(&cs[0], MOD_PRP, -1, CS_COMPLETED, 2);
	nrs(&cs[0], 100, 6), nrs(&cs[0], 115, 3);
	course_init(&cs[1], MOD_DEXTROSE, -1, CS_COMPLETED, 2);
	nrs(&cs[1], 100, 6), nrs(&cs[1], 108, 3);
	struct report *r = build(cs, 2);
	const struct report_results *res = report_results(r);
	for (int c = 0; c < COND__COUNT; c++)
		assert_int_equal(row(res, REPORT_ALL_MOD, c)->n_courses, 0);
	assert_int_equal(row(res, MOD_PRP, REPORT_ALL_COND)->n_courses, 1);
	assert_int_equal(row(res, REPORT_ALL_MOD, REPORT_ALL_COND)->n_courses, 2);
	assert_int_equal(res->quality.other_condition, 2);
	/* the ALL stratum of the log-rank sees both: events at 1 and 2, V > 0 */
	assert_false(isnan(res->logrank[REPORT_ALL_COND].chisq));
	assert_true(isnan(res->logrank[COND_LOW_BACK_PAIN].chisq));
	report_free(r);
}

static void test_followup_rules(void **state)
{
	(void)state;
	struct course cs[2];
	/* follow-up before the first session responds: no event at session 0;
	 * two follow-ups map to session 1; same-day scores are averaged. */
	course_init(&cs[0], MOD_PRP, COND_TENDINOPATHY, CS_COMPLETED, 3);
	nrs(&cs[0], 100, 8);
	nrs(&cs[0], 103, 4); /* before session 1 (day 107) */
	nrs(&cs[0], 108, 6);
	nrs(&cs[0], 110, 4); /* also session 1 */
	nrs(&cs[0], 122, 3), nrs(&cs[0], 122, 5); /* session 3, mean 4: responds */
	course_init(&cs[1], MOD_PRP, COND_TENDINOPATHY, CS_COMPLETED, 3);
	nrs(&cs[1], 100, 8), nrs(&cs[1], 100, 6); /* baseline mean 7 */
	nrs(&cs[1], 115, 4);                      /* 2*4 > 7: no response */
	struct report *r = build(cs, 2);
	const struct report_results *res = report_results(r);
	const struct report_row *w = row(res, MOD_PRP, COND_TENDINOPATHY);
	assert_int_equal(w->pp_resp, 1);
	assert_int_equal(w->km_events, 1);
	/* course 0 responds at session 1 (day 110, score 4); course 1 censored at 2 */
	assert_true(w->km_median == 1);
	assert_int_equal(res->quality.pre_session_followups, 1);
	assert_int_equal(res->quality.same_session_followups, 1);
	assert_int_equal(res->quality.same_day_nrs, 2);
	report_free(r);
}

static void test_adverse_events_and_secondary(void **state)
{
	(void)state;
	struct course cs[2];
	for (int i = 0; i < 2; i++) {
		course_init(&cs[i], MOD_DEXTROSE, COND_KNEE_OA, CS_COMPLETED, 4);
		nrs(&cs[i], 100, 6);
		other(&cs[i], 100, INSTR_WOMAC, 60);
		other(&cs[i], 100, INSTR_KOOS, 40);
		nrs(&cs[i], 130, 5);
		other(&cs[i], 130, INSTR_WOMAC, i ? 40 : 55);
		other(&cs[i], 130, INSTR_KOOS, i ? 55 : 45);
	}
	ae(&cs[0], 108, AE_SORENESS, 5);
	ae(&cs[0], 115, AE_SORENESS, -1); /* unknown duration: not > 4 days */
	ae(&cs[1], 108, AE_VASOVAGAL, 0);
	struct report *r = build(cs, 2);
	const struct report_results *res = report_results(r);
	const struct report_row *w = row(res, MOD_DEXTROSE, COND_KNEE_OA);
	assert_int_equal(w->n_sessions, 8);
	assert_int_equal(w->ae_n[AE_SORENESS], 2);
	assert_int_equal(w->soreness_gt4_n, 1);
	assert_true(w->soreness_gt4_share == 0.5);
	assert_true(w->ae_per100[AE_VASOVAGAL] == 12.5);
	const struct report_secondary *s = &res->secondary[MOD_DEXTROSE][INSTR_WOMAC];
	assert_int_equal(s->n, 2);
	assert_true(s->base_mean == 60 && s->last_mean == 47.5 && s->chg_mean == -12.5);
	assert_int_equal(s->n_mcid, 1); /* -20 reaches 12 points, -5 does not */
	const struct report_secondary *k = &res->secondary[MOD_DEXTROSE][INSTR_KOOS];
	assert_int_equal(k->n_mcid, 1); /* KOOS: higher is better, +15 reaches 10 */
	report_free(r);
}

static void test_bad_course_leaves_report_unchanged(void **state)
{
	(void)state;
	struct course c;
	course_init(&c, 7, COND_KNEE_OA, CS_COMPLETED, 1);
	struct report *r;
	struct prolo_err err;
	assert_int_equal(report_new(NULL, &r, &err), PROLO_OK);
	assert_int_equal(report_add_course(r, &c.r, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "modality");
	assert_int_equal(report_finish(r, &err), PROLO_OK);
	assert_int_equal(report_results(r)->quality.courses_seen, 0);
	report_free(r);
}

static void render_all(const struct report_results *res, struct buf *b)
{
	struct prolo_err err;
	assert_int_equal(report_csv(res, b, &err), PROLO_OK);
	assert_int_equal(report_logrank_csv(res, b, &err), PROLO_OK);
	assert_int_equal(report_text(res, b, &err), PROLO_OK);
	assert_int_equal(report_json(res, b, &err), PROLO_OK);
	assert_int_equal(report_html(res, b, &err), PROLO_OK);
}

static void test_renderers(void **state)
{
	(void)state;
	struct course cs[3];
	for (int i = 0; i < 3; i++) {
		course_init(&cs[i], i, COND_NECK_PAIN, i == 2 ? CS_ACTIVE : CS_COMPLETED, 3);
		nrs(&cs[i], 100, 7), nrs(&cs[i], 108, 5), nrs(&cs[i], 122, 3);
		ae(&cs[i], 108, AE_STIFFNESS, 2);
	}
	for (size_t n = 0; n <= 3; n += 3) { /* empty, then small */
		struct report *r = build(cs, n);
		struct buf a = { 0 }, b = { 0 };
		render_all(report_results(r), &a);
		render_all(report_results(r), &b);
		assert_string_equal(buf_str(&a), buf_str(&b)); /* deterministic */
		buf_free(&a);
		struct prolo_err err;
		buf_reset(&b);
		assert_int_equal(report_json(report_results(r), &b, &err), PROLO_OK);
		json_error_t je;
		json_t *j = json_loads(buf_str(&b), JSON_REJECT_DUPLICATES, &je);
		assert_non_null(j);
		assert_int_equal(json_array_size(json_object_get(j, "groups")), REPORT_NGROUPS);
		json_decref(j);
		buf_reset(&b);
		assert_int_equal(report_html(report_results(r), &b, &err), PROLO_OK);
		const char *h = buf_str(&b);
		assert_non_null(strstr(h, "<svg id=\"km-chart\""));
		assert_non_null(strstr(h, "<svg id=\"rates-chart\""));
		assert_non_null(strstr(h, "<svg id=\"traj-chart\""));
		assert_non_null(strstr(h, "<svg id=\"ae-chart\""));
		assert_null(strstr(h, "<script"));
		assert_null(strstr(h, "src=\""));
		assert_null(strstr(h, "nan"));
		buf_reset(&b);
		assert_int_equal(report_text(report_results(r), &b, &err), PROLO_OK);
		assert_non_null(strstr(buf_str(&b), "modality   courses"));
		buf_free(&b);
		report_free(r);
	}
}

static void test_html_escapes_filter(void **state)
{
	(void)state;
	struct report_options opt = { .filter_desc = "clinic <b>&\"x\"" };
	struct report *r;
	struct prolo_err err;
	assert_int_equal(report_new(&opt, &r, &err), PROLO_OK);
	assert_int_equal(report_finish(r, &err), PROLO_OK);
	struct buf b = { 0 };
	assert_int_equal(report_html(report_results(r), &b, &err), PROLO_OK);
	assert_non_null(strstr(buf_str(&b), "clinic &lt;b&gt;&amp;&quot;x&quot;"));
	buf_free(&b);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_ended_left_out_but_censored),
		cmocka_unit_test(test_end_reasons),
		cmocka_unit_test(test_no_nrs_and_low_baseline),
		cmocka_unit_test(test_clinic_added_condition_under_all_only),
		cmocka_unit_test(test_followup_rules),
		cmocka_unit_test(test_adverse_events_and_secondary),
		cmocka_unit_test(test_bad_course_leaves_report_unchanged),
		cmocka_unit_test(test_renderers),
		cmocka_unit_test(test_html_escapes_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
