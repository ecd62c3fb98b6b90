/* The healing-course simulator: the parameter table is complete, a seed
 * gives the same registry byte for byte and another seed a different one,
 * every emitted row is valid for import, and the model has the properties
 * the clinic's story and the calibration targets demand (stem cells need
 * fewer sessions than dextrose, placebo is weaker, infections about 0.1 %
 * of sessions, soreness mostly 1-4 days). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sim/sim.h"
#include "sim/sim_csv.h"
#include "sim/sim_trial.h"

static struct sim_params P;

static int setup(void **state)
{
	(void)state;
	sim_params_default(&P);
	return 0;
}

static void test_param_table_complete(void **state)
{
	(void)state;
	size_t n;
	const struct sim_param_def *d = sim_params_table(&n);
	size_t slots = sizeof(struct sim_params) / sizeof(double);
	assert_int_equal(n, slots);
	char *seen = calloc(slots, 1);
	assert_non_null(seen);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(d[i].offset % sizeof(double), 0);
		size_t k = d[i].offset / sizeof(double);
		assert_true(k < slots);
		assert_false(seen[k]);
		seen[k] = 1;
		assert_true(strlen(d[i].source) > 0);
		assert_true(strlen(d[i].unit) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(d[i].name, d[j].name);
	}
	free(seen);
}

/* Renders patients [0, n) of seed as the five CSV files. */
static void render(uint64_t seed, int n, struct buf out[SIM_CSV__COUNT])
{
	struct sim_config cfg = { .seed = seed, .clinics = 12 };
	struct sim_csv_opts o = { .goal_reached = true };
	struct sim_patient *pt = malloc(sizeof *pt);
	assert_non_null(pt);
	for (int i = 0; i < SIM_CSV__COUNT; i++)
		buf_init(&out[i], 0);
	assert_int_equal(sim_csv_headers(&o, out), PROLO_OK);
	int64_t id = 1;
	for (int i = 0; i < n; i++) {
		sim_patient_generate(&P, &cfg, (uint64_t)i, id, pt);
		id += pt->n_courses;
		assert_int_equal(sim_csv_patient(pt, &o, out), PROLO_OK);
	}
	free(pt);
}

static void free_all(struct buf b[SIM_CSV__COUNT])
{
	for (int i = 0; i < SIM_CSV__COUNT; i++)
		buf_free(&b[i]);
}

static void test_determinism(void **state)
{
	(void)state;
	struct buf a[SIM_CSV__COUNT], b[SIM_CSV__COUNT], c[SIM_CSV__COUNT];
	render(7, 2000, a);
	render(7, 2000, b);
	render(8, 2000, c);
	for (int i = 0; i < SIM_CSV__COUNT; i++) {
		assert_int_equal(a[i].len, b[i].len);
		assert_memory_equal(a[i].data, b[i].data, a[i].len);
		if (i >= SIM_CSV_REFERENCE_FILES) {
			assert_int_equal(a[i].len, 0); /* a living clinic's files only */
			continue;
		}
		assert_true(a[i].len != c[i].len || memcmp(a[i].data, c[i].data, a[i].len) != 0);
	}
	free_all(a);
	free_all(b);
	free_all(c);

	/* patient i does not depend on how many patients come after it */
	struct sim_config cfg = { .seed = 7, .clinics = 12 };
	struct sim_patient *x = calloc(1, sizeof *x), *y = calloc(1, sizeof *y);
	assert_non_null(x);
	assert_non_null(y);
	sim_patient_generate(&P, &cfg, 123, 1000, x);
	sim_patient_generate(&P, &cfg, 123, 1000, y);
	assert_memory_equal(x, y, sizeof *x);
	free(x);
	free(y);
}

/* Splits one CSV line (no quoting) into at most max fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == ',') {
			*p = '\0';
			if (n == max)
				return -1;
			f[n++] = p + 1;
		}
	return n;
}

static int32_t date_of(const char *s)
{
	int32_t d;
	if (!dom_date_parse(s, strlen(s), &d))
		fail_msg("bad date '%s'", s);
	return d;
}

static long num(const char *s, long lo, long hi)
{
	long v;
	if (!dom_parse_long(s, strlen(s), lo, hi, &v))
		fail_msg("bad number '%s' (want %ld..%ld)", s, lo, hi);
	return v;
}

#define NPAT 3000
#define MAXC (NPAT * SIM_MAX_COURSES + 1)

/* Parses the CSV text back and checks every rule an import applies. */
static void test_rows_valid(void **state)
{
	(void)state;
	struct buf b[SIM_CSV__COUNT];
	render(42, NPAT, b);
	static int32_t start[MAXC], first_sess[MAXC], last_sess[MAXC], baseline[MAXC];
	static int last_no[MAXC];
	for (int i = 0; i < MAXC; i++) {
		first_sess[i] = baseline[i] = INT32_MAX;
		last_no[i] = 0;
	}
	char *f[16];
	long ncourses = 0, npatients = 0;

	char *text = buf_take(&b[SIM_CSV_PATIENTS]), *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	assert_string_equal(line, "patient_id,clinic,sex,birth_year");
	while ((line = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(split(line, f, 16), 4);
		assert_int_equal(num(f[0], 1, NPAT), ++npatients);
		assert_true(f[1][0] == 'C' && dom_id_valid(f[1], strlen(f[1])));
		assert_true(dom_lookup(dom_sex_names, SEX__COUNT, f[2], strlen(f[2])) >= 0);
		num(f[3], 1900, 2010);
	}
	assert_int_equal(npatients, NPAT);
	free(text);

	text = buf_take(&b[SIM_CSV_COURSES]);
	line = strtok_r(text, "\n", &save);
	assert_string_equal(line, "course_id,patient_id,modality,condition,start_date,planned_sessions,status");
	while ((line = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(split(line, f, 16), 7);
		long id = num(f[0], 1, MAXC - 1);
		assert_int_equal(id, ++ncourses);
		num(f[1], 1, NPAT);
		assert_true(dom_lookup(dom_modality_names, MOD__COUNT, f[2], strlen(f[2])) >= 0);
		assert_true(dom_lookup(dom_condition_names, COND__COUNT, f[3], strlen(f[3])) >= 0);
		start[id] = date_of(f[4]);
		num(f[5], 1, SIM_MAX_SESSIONS);
		assert_true(strcmp(f[6], "completed") == 0 || strcmp(f[6], "dropped") == 0 ||
		            strcmp(f[6], "goal_reached") == 0);
	}
	free(text);

	text = buf_take(&b[SIM_CSV_SESSIONS]);
	line = strtok_r(text, "\n", &save);
	assert_string_equal(line, "course_id,session_no,date,proliferant,concentration_pct,volume_ml");
	while ((line = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(split(line, f, 16), 6);
		long id = num(f[0], 1, ncourses);
		long no = num(f[1], 1, SIM_MAX_SESSIONS);
		assert_int_equal(no, last_no[id] + 1); /* numbered 1, 2, ... */
		last_no[id] = (int)no;
		int32_t d = date_of(f[2]);
		assert_true(d >= start[id]);
		if (no == 1)
			first_sess[id] = d;
		else
			assert_true(d - last_sess[id] >= 14 && d - last_sess[id] <= 42);
		last_sess[id] = d;
		bool dex = strcmp(f[3], "dextrose") == 0;
		assert_true(dex || strcmp(f[3], "prp") == 0 || strcmp(f[3], "bmac") == 0);
		double v;
		if (dex)
			assert_true(dom_parse_double(f[4], strlen(f[4]), &v) && v > 0 && v <= 50);
		else
			assert_string_equal(f[4], "");
		assert_true(dom_parse_double(f[5], strlen(f[5]), &v) && v > 0 && v <= 50);
	}
	free(text);
	for (long id = 1; id <= ncourses; id++)
		assert_true(last_no[id] >= 1); /* every course has its first session */

	text = buf_take(&b[SIM_CSV_OUTCOMES]);
	line = strtok_r(text, "\n", &save);
	assert_string_equal(line, "course_id,date,instrument,score");
	static int32_t last_out[MAXC];
	while ((line = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(split(line, f, 16), 4);
		long id = num(f[0], 1, ncourses);
		int32_t d = date_of(f[1]);
		assert_string_equal(f[2], "NRS");
		long s = num(f[3], 0, 10);
		if (baseline[id] == INT32_MAX) {
			baseline[id] = d;
			assert_int_equal(d, start[id]);
			assert_true(d <= first_sess[id]);
			assert_true(s >= 3);
		} else {
			assert_true(d > last_out[id]); /* distinct dates, in order */
		}
		last_out[id] = d;
	}
	free(text);
	for (long id = 1; id <= ncourses; id++)
		assert_true(baseline[id] != INT32_MAX);

	text = buf_take(&b[SIM_CSV_AES]);
	line = strtok_r(text, "\n", &save);
	assert_string_equal(line, "course_id,date,kind,duration_days,grade");
	while ((line = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(split(line, f, 16), 5);
		long id = num(f[0], 1, ncourses);
		int32_t d = date_of(f[1]);
		assert_true(d >= first_sess[id] && d <= last_sess[id] + 5);
		assert_true(strcmp(f[2], "soreness") == 0 || strcmp(f[2], "stiffness") == 0 ||
		            strcmp(f[2], "infection") == 0);
		num(f[3], 1, 366);
		num(f[4], 1, 5);
	}
	free(text);
	free_all(b);
}

struct clinic_stats {
	long courses[SIM_ARM__COUNT], sessions[SIM_ARM__COUNT];
	long all_sessions, infections, soreness, soreness_short;
	long secondary;
};

static void clinic_stats(int n, struct clinic_stats *s)
{
	memset(s, 0, sizeof *s);
	struct sim_config cfg = { .seed = 99, .clinics = 40 };
	struct sim_patient *pt = malloc(sizeof *pt);
	assert_non_null(pt);
	int64_t id = 1;
	for (int i = 0; i < n; i++) {
		sim_patient_generate(&P, &cfg, (uint64_t)i, id, pt);
		id += pt->n_courses;
		for (int c = 0; c < pt->n_courses; c++) {
			const struct sim_course *co = &pt->courses[c];
			s->courses[co->arm]++;
			s->sessions[co->arm] += co->n_sessions;
			s->all_sessions += co->n_sessions;
			for (int k = 0; k < co->n_aes; k++) {
				s->infections += co->aes[k].kind == AE_INFECTION;
				if (co->aes[k].kind == AE_SORENESS) {
					s->soreness++;
					s->soreness_short += co->aes[k].duration_days <= 4;
				}
			}
			for (int k = 0; k < co->n_outcomes; k++)
				s->secondary += co->outcomes[k].instrument != INSTR_NRS;
		}
	}
	free(pt);
}

static void test_model_properties(void **state)
{
	(void)state;
	struct clinic_stats s;
	clinic_stats(100000, &s);
	double dex = (double)s.sessions[SIM_ARM_DEXTROSE] / s.courses[SIM_ARM_DEXTROSE];
	double prp = (double)s.sessions[SIM_ARM_PRP] / s.courses[SIM_ARM_PRP];
	double stem = (double)s.sessions[SIM_ARM_STEM_CELL] / s.courses[SIM_ARM_STEM_CELL];
	print_message("sessions per course: dextrose %.2f prp %.2f stem %.2f\n", dex, prp, stem);
	assert_true(stem < prp && prp < dex);
	assert_int_equal(s.courses[SIM_ARM_PLACEBO], 0); /* clinics never give saline */
	double inf = (double)s.infections / s.all_sessions;
	print_message("infections per session %.5f over %ld sessions\n", inf, s.all_sessions);
	assert_true(inf > 0.0007 && inf < 0.0013);
	double sh = (double)s.soreness_short / s.soreness;
	print_message("soreness 1-4 days: %.3f\n", sh);
	assert_true(sh >= 0.8 && sh < 1.0); /* mostly, and sometimes longer */
	assert_true(s.secondary > 0);       /* ODI / NDI / WOMAC where they apply */
}

static struct sim_trial_spec spec(enum sim_arm a, enum sim_arm b, enum condition c, int n)
{
	struct sim_trial_spec sp = {
		.arms = { a, b }, .condition = c, .per_arm = n, .horizon_days = 365,
		.baseline_min = 3,
	};
	sim_trial_default_protocol(&P, &sp);
	return sp;
}

static void test_trials(void **state)
{
	(void)state;
	struct sim_trial_summary s;
	/* placebo is weaker than every active arm */
	for (int a = 0; a < MOD__COUNT; a++) {
		struct sim_trial_spec sp = spec((enum sim_arm)a, SIM_ARM_PLACEBO,
		                                COND_LOW_BACK_PAIN, 5000);
		sim_trial_run(&P, &sp, 3, 0, &s);
		assert_true(s.arm[0].resp_rate > s.arm[1].resp_rate);
		assert_true(s.arm[0].chg_mean < s.arm[1].chg_mean);
		for (int g = 0; g < 2; g++) {
			assert_true(s.arm[g].resp_lo <= s.arm[g].resp_rate);
			assert_true(s.arm[g].resp_rate <= s.arm[g].resp_hi);
			assert_true(s.arm[g].chg_lo < s.arm[g].chg_mean);
		}
		assert_true(s.d.resp_diff_lo < s.d.resp_diff && s.d.resp_diff < s.d.resp_diff_hi);
		assert_true(s.d.resp_p >= 0 && s.d.resp_p <= 1);
	}
	/* per session, stem cells repair more than PRP, PRP more than dextrose */
	struct sim_trial_spec sp = spec(SIM_ARM_STEM_CELL, SIM_ARM_PRP, COND_TENDINOPATHY, 5000);
	sp.sessions[0] = sp.sessions[1] = 2;
	sp.interval_days[0] = sp.interval_days[1] = 28;
	sim_trial_run(&P, &sp, 4, 0, &s);
	assert_true(s.arm[0].chg_mean < s.arm[1].chg_mean);
	sp = spec(SIM_ARM_PRP, SIM_ARM_DEXTROSE, COND_TENDINOPATHY, 5000);
	sp.sessions[0] = sp.sessions[1] = 2;
	sp.interval_days[0] = sp.interval_days[1] = 28;
	sim_trial_run(&P, &sp, 4, 0, &s);
	assert_true(s.arm[0].chg_mean < s.arm[1].chg_mean);
	/* same seed, same trial; power grows with the sample */
	struct sim_trial_summary t;
	sp = spec(SIM_ARM_STEM_CELL, SIM_ARM_PLACEBO, COND_LOW_BACK_PAIN, 60);
	sim_trial_run(&P, &sp, 5, 2, &s);
	sim_trial_run(&P, &sp, 5, 2, &t);
	assert_memory_equal(&s, &t, sizeof s);
	double p_small, p_big, c_small, c_big;
	sim_trial_power(&P, &sp, 5, 200, &p_small, &c_small);
	sp.per_arm = 300;
	sim_trial_power(&P, &sp, 5, 200, &p_big, &c_big);
	print_message("power n=60: %.2f / %.2f, n=300: %.2f / %.2f\n", p_small, c_small, p_big, c_big);
	assert_true(p_big > p_small && c_big > c_small);
	assert_true(p_big > 0.8);
}

static void test_wilson(void **state)
{
	(void)state;
	double lo, hi;
	sim_wilson(0, 10, &lo, &hi);
	assert_true(lo == 0.0);
	assert_true(fabs(hi - 0.2775327998628892) < 1e-12); /* R prop.test(0, 10, correct=FALSE) */
	sim_wilson(10, 10, &lo, &hi);
	assert_true(hi == 1.0);
	sim_wilson(46, 100, &lo, &hi); /* R: 0.3656080831 0.5573513968 */
	assert_true(fabs(lo - 0.3656080831) < 1e-9 && fabs(hi - 0.5573513968) < 1e-9);
}

static void test_calibration_passes(void **state)
{
	(void)state;
	struct sim_calib_row rows[SIM_CALIB_ROWS];
	int n = sim_calibrate(&P, 1, rows);
	assert_int_equal(n, SIM_CALIB_ROWS);
	for (int i = 0; i < n; i++) {
		print_message("%-14s %-55s target %8.4f sim %8.4f [%8.4f, %8.4f]\n", rows[i].study,
		              rows[i].quantity, rows[i].target, rows[i].simulated, rows[i].lo,
		              rows[i].hi);
		assert_true(rows[i].pass);
	}
}

/* A living clinic as of a fixed day: nothing after today, open courses
 * planned or active, ended ones closed on or before today, contacts that
 * fit their channel, injections that add up to the session's volume, PRP
 * figures that make a label, and the model's first course the same as
 * without (the same sessions, shifted by whole days; a later course may
 * differ, as whether the one before it helped is judged on its last
 * answer, which a living clinic asks at other days). */
static void test_living_clinic(void **state)
{
	(void)state;
	int32_t today = dom_days_from_civil(2026, 12, 5);
	struct sim_config live = { .seed = 11, .clinics = 8, .living = true, .today = today };
	struct sim_config plain = { .seed = 11, .clinics = 8 };
	struct sim_patient *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	assert_non_null(a);
	assert_non_null(b);
	int planned = 0, active = 0, ended = 0, email = 0, consent = 0, prp = 0, same = 0;
	for (uint64_t i = 0; i < 3000; i++) {
		sim_patient_generate(&P, &live, i, 1, a);
		sim_patient_generate(&P, &plain, i, 1, b);
		assert_true(a->n_courses >= 1 && a->n_courses <= b->n_courses);
		assert_true(a->channel != 0 || a->has_email);
		assert_true(a->channel != 1 || a->mobile >= 0);
		if (a->consent) {
			consent++;
			assert_true(a->consent_date >= a->courses[0].start_date && a->consent_date <= today);
		}
		email += a->has_email;
		for (int k = 0; k < a->n_courses; k++) {
			const struct sim_course *c = &a->courses[k], *o = &b->courses[k];
			assert_true(c->start_date <= today);
			if (k == 0)
				assert_true(c->deficit0 == o->deficit0); /* the same course */
			if (c->status == CS_PLANNED) {
				planned++;
				assert_int_equal(c->n_sessions, 0);
			} else if (c->status == CS_ACTIVE) {
				active++;
				assert_true(c->n_sessions >= 1 && c->end_date == DOM_DATE_NONE);
			} else {
				ended++;
				assert_true(c->end_date <= today);
				assert_true(c->end_date >= c->sessions[c->n_sessions - 1].date);
				if (k == 0) {
					assert_int_equal(c->n_sessions, o->n_sessions);
					int32_t shift = c->start_date - o->start_date;
					for (int j = 0; j < c->n_sessions; j++)
						assert_int_equal(c->sessions[j].date - o->sessions[j].date, shift);
					same++;
				}
			}
			for (int j = 0; j < c->n_sessions; j++) {
				const struct sim_session *s = &c->sessions[j];
				assert_true(s->date <= today);
				assert_true(s->n_inj >= 1 && s->n_inj <= SIM_MAX_INJECTIONS);
				int v = 0;
				for (int q = 0; q < s->n_inj; q++) {
					assert_true(s->inj[q].volume_tenths > 0);
					v += s->inj[q].volume_tenths;
				}
				assert_int_equal(v, s->volume_tenths);
				if (s->proliferant == PROL_PRP) {
					char paw[32];
					prp++;
					assert_true(s->prp.platelets > s->prp.platelets_baseline);
					dom_prp_paw(s->prp.platelets, s->prp.platelets_baseline, s->prp.leuk_tenths / 10.0,
					            s->prp.leuk_base_tenths / 10.0, s->prp.activation != ACT_NONE,
					            paw, sizeof paw);
					assert_true(paw[0] == 'P');
				}
			}
			for (int j = 0; j < c->n_outcomes; j++) {
				assert_true(c->outcomes[j].date <= today);
				for (int q = 0; q < j; q++) /* one questionnaire a day */
					assert_false(c->outcomes[q].date == c->outcomes[j].date &&
					             c->outcomes[q].instrument == c->outcomes[j].instrument);
			}
			for (int j = 0; j < c->n_aes; j++) {
				assert_true(c->aes[j].date <= today);
				assert_true(c->aes[j].duration_days == -1 ||
				            c->aes[j].date + c->aes[j].duration_days <= today);
			}
		}
	}
	print_message("living: %d planned, %d active, %d ended, %d e-mail, %d consent, %d PRP sessions\n",
	              planned, active, ended, email, consent, prp);
	assert_true(planned > 0 && active > 0 && same > 0 && prp > 0);
	assert_in_range(email, 2500, 2900);   /* contact_email 0.9 */
	assert_in_range(consent, 2500, 2780); /* consent_given 0.88 */
	free(a);
	free(b);
}

/* The link from pain to each questionnaire stays in its range and on its
 * steps; more pain, a worse score. */
static void test_instrument_link(void **state)
{
	(void)state;
	static const enum instrument ins[] = { INSTR_ODI, INSTR_NDI, INSTR_WOMAC, INSTR_QUICKDASH, INSTR_KOOS };
	static const double hi[] = { 100, 50, 96, 100, 100 };
	for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++) {
		for (double y = -3; y <= 14; y += 0.25)
			for (double e = -4; e <= 4; e += 0.5) {
				double v = sim_instrument_score(&P, ins[i], y, e);
				assert_true(v >= 0 && v <= hi[i]);
				if (ins[i] == INSTR_ODI)
					assert_true(fmod(v, 2.0) == 0);
				if (ins[i] == INSTR_QUICKDASH) /* eleven answers of 1-5 */
					assert_true(fabs(v * 11 / 25 - floor(v * 11 / 25 + 0.5)) < 1e-9);
			}
		double lo = sim_instrument_score(&P, ins[i], 2, 0), high = sim_instrument_score(&P, ins[i], 7, 0);
		assert_true(ins[i] == INSTR_KOOS ? high < lo : high > lo);
	}
	enum instrument out[SIM_INSTR_MAX];
	assert_int_equal(sim_condition_instruments(COND_KNEE_OA, out), 2);
	assert_int_equal(out[0], INSTR_WOMAC);
	assert_int_equal(out[1], INSTR_KOOS);
	assert_int_equal(sim_condition_instruments(COND_TENDINOPATHY, out), 1);
	assert_int_equal(out[0], INSTR_QUICKDASH);
	assert_int_equal(sim_condition_instruments(COND_LIGAMENT_SPRAIN, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_table_complete),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_rows_valid),
		cmocka_unit_test(test_model_properties),
		cmocka_unit_test(test_trials),
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_calibration_passes),
		cmocka_unit_test(test_living_clinic),
		cmocka_unit_test(test_instrument_link),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
