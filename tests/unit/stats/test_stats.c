/* Unit tests of src/stats. Every expected number is R's (4.x, survival 3.5),
 * printed with sprintf("%.17g"); the R call and the dataset are named next to
 * each. Relative tolerance 1e-9; NaN (NA) only equals NaN. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "stats/stats.h"

#define NA NAN

static int near(double got, double want)
{
	if (isnan(want) || isnan(got))
		return isnan(want) && isnan(got);
	if (want == got)
		return 1;
	return fabs(got - want) <= 1e-9 * fmax(fabs(got), fabs(want));
}

#define CHECK(got, want) do { \
		double g_ = (got), w_ = (want); \
		if (!near(g_, w_)) \
			fail_msg("%s = %.17g, expected %.17g", #got, g_, w_); \
	} while (0)

static void test_wilson(void **state)
{
	(void)state;
	/* prop.test(x, n, correct = FALSE)$conf.int */
	static const struct { uint64_t x, n; double lo, hi; } c[] = {
		{ 7, 20, 0.18119182410108206, 0.56714572331476365 },
		{ 0, 10, 0, 0.27753279986288915 },  /* 0 %: lower exactly 0 */
		{ 10, 10, 0.72246720013711085, 1 }, /* 100 %: upper exactly 1 */
		{ 1, 3, 0.061491944720396291, 0.79234039919795229 },
		{ 56, 70, 0.69183355503746946, 0.87695260751637039 },
		{ 1, 1, 0.2065493143772375, 1 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double lo, hi;
		stats_wilson(c[i].x, c[i].n, STATS_Z95, &lo, &hi);
		CHECK(lo, c[i].lo);
		CHECK(hi, c[i].hi);
	}
	double lo, hi;
	stats_wilson(0, 10, STATS_Z95, &lo, &hi);
	assert_true(lo == 0.0); /* exact, not 2.8e-17 */
	stats_wilson(0, 0, STATS_Z95, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
	CHECK(stats_z(0.95), 1.959963984540054);
	CHECK(stats_z(0.90), 1.6448536269514729); /* qnorm(0.95) */
}

static void test_clopper_pearson(void **state)
{
	(void)state;
	/* binom.test(x, n)$conf.int */
	static const struct { uint64_t x, n; double lo, hi; } c[] = {
		{ 7, 20, 0.15390920478454115, 0.59218853453282816 },
		{ 0, 10, 0, 0.30849710781876083 },
		{ 10, 10, 0.69150289218123917, 1 },
		{ 1, 3, 0.0084037586596126413, 0.9057006759497539 },
		{ 56, 70, 0.6872643461041652, 0.88611963796779225 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double lo, hi;
		stats_clopper_pearson(c[i].x, c[i].n, 0.95, &lo, &hi);
		CHECK(lo, c[i].lo);
		CHECK(hi, c[i].hi);
	}
}

static void test_newcombe(void **state)
{
	(void)state;
	/* Newcombe (Stat Med 1998;17:873) table II example (a): 56/70 vs 48/80,
	 * method 10: 0.0524 to 0.3339. Exact digits from R:
	 * w1 <- prop.test(56,70,correct=FALSE)$conf.int;
	 * w2 <- prop.test(48,80,correct=FALSE)$conf.int; d <- 56/70-48/80;
	 * d - sqrt((56/70-w1[1])^2 + (w2[2]-48/80)^2) and the upper analogue */
	double d, lo, hi;
	stats_newcombe(56, 70, 48, 80, STATS_Z95, &d, &lo, &hi);
	CHECK(d, 0.2);
	assert_true(fabs(lo - 0.0524) < 5e-5);
	assert_true(fabs(hi - 0.3339) < 5e-5);
	stats_newcombe(1, 0, 2, 3, STATS_Z95, &d, &lo, &hi);
	assert_true(isnan(d) && isnan(lo) && isnan(hi));
}

/* survival::aml, survfit(Surv(time, status) ~ 1, data = aml) */
static const double aml_time[] = { 9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161,
	5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45 };
static const uint8_t aml_status[] = { 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0,
	1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1 };
static const int aml_x[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }; /* Maintained, Nonmaintained */

static void test_km_aml(void **state)
{
	(void)state;
	struct stats_km *km;
	struct prolo_err err;
	assert_int_equal(stats_km_fit(aml_time, aml_status, 23, STATS_CI_LOG, 0.95, &km, &err), PROLO_OK);
	/* f$time, f$surv, f$std.err, f$lower, f$upper */
	static const double t[] = { 5, 8, 9, 12, 13, 16, 18, 23, 27, 28, 30, 31, 33, 34, 43, 45, 48, 161 };
	static const double s[] = { 0.91304347826086951, 0.82608695652173914, 0.78260869565217384,
		0.73913043478260865, 0.69565217391304346, 0.69565217391304346, 0.64596273291925466,
		0.54658385093167705, 0.49689440993788819, 0.49689440993788819, 0.4416839199447895,
		0.38647342995169082, 0.33126293995859213, 0.27605244996549344, 0.22084195997239475,
		0.16563146997929606, 0.082815734989648032, 0.082815734989648032 };
	static const double se[] = { 0.064348945208778693, 0.095672974646987971, 0.1098967455659645,
		0.12387602085230009, 0.13791932109184263, 0.13791932109184263, 0.15657664137712329,
		0.19621992409272374, 0.21815858383722458, 0.21815858383722458, 0.24795575530878938,
		0.28167214886796155, 0.32116774940429327, 0.36943477988780676, 0.43183568239638587,
		0.51943757076677222, 0.87739124108010424, 0.87739124108010424 };
	static const double lo[] = { 0.80485479778295776, 0.68483946807189866, 0.63095791059958761,
		0.57979921796803113, 0.53087834162821212, 0.53087834162821212, 0.47525772470551447,
		0.37207808724921121, 0.32401654568981592, 0.32401654568981592, 0.27167599539229165,
		0.22251529774688578, 0.17652018258070468, 0.13382219562927281, 0.09473324056331256,
		0.059840717810080948, 0.014834608254847221, 0.014834608254847221 };
	static const double hi[] = { 1, 0.99646660502298201, 0.97070875920768129, 0.94224652723151947,
		0.91156845010048149, 0.91156845010048149, 0.87798226231686283, 0.80293335280236955,
		0.76201063776504074, 0.76201063776504074, 0.71807847747497544, 0.67124244297363078,
		0.62165772653129403, 0.56944929631151486, 0.51482637978433587, 0.458446770885507,
		0.46232740656529359, 0.46232740656529359 };
	assert_int_equal(km->n, 18);
	for (size_t j = 0; j < 18; j++) {
		CHECK(km->time[j], t[j]);
		CHECK(km->surv[j], s[j]);
		CHECK(km->se[j], se[j]);
		CHECK(km->lower[j], lo[j]);
		CHECK(km->upper[j], hi[j]);
	}
	double med, mlo, mhi;
	stats_km_median(km, &med, &mlo, &mhi); /* summary(f)$table: 27 18 45 */
	CHECK(med, 27);
	CHECK(mlo, 18);
	CHECK(mhi, 45);
	stats_km_free(km);

	/* conf.type = "plain": lower and upper, median 27 18 34 */
	static const double plo[] = { 0.79788896016959576, 0.67118277793755254, 0.61403974174373288,
		0.55967507956013496, 0.50760563331323338, 0.50760563331323338, 0.44772673227566351,
		0.33637645580222919, 0.28443082373206358, 0.28443082373206358, 0.22703244713224419,
		0.17311409962156171, 0.12274046481881573, 0.076168705806326176, 0.03392521524114428, 0, 0, 0 };
	static const double phi[] = { 1, 0.98099113510592573, 0.95117764956061479, 0.91858579000508234,
		0.88369871451285353, 0.88369871451285353, 0.8441987335628458, 0.75679124606112491,
		0.70935799614371287, 0.70935799614371287, 0.65633539275733477, 0.59983276028181987,
		0.53978541509836853, 0.47593619412466071, 0.40775870470364523, 0.33425737986250081,
		0.22523024702839783, 0.22523024702839783 };
	assert_int_equal(stats_km_fit(aml_time, aml_status, 23, STATS_CI_PLAIN, 0.95, &km, &err), PROLO_OK);
	for (size_t j = 0; j < 18; j++) {
		CHECK(km->lower[j], plo[j]);
		CHECK(km->upper[j], phi[j]);
	}
	stats_km_median(km, &med, &mlo, &mhi);
	CHECK(med, 27);
	CHECK(mlo, 18);
	CHECK(mhi, 34);
	stats_km_free(km);

	/* conf.type = "log-log": median 27 13 34 */
	static const double llo[] = { 0.69494753753205873, 0.60061041123719894, 0.55421150666872854,
		0.50920943875421876, 0.46564174976200395, 0.46564174976200395, 0.41395295071711707,
		0.31925041397118686, 0.27556562801213719, 0.27556562801213719, 0.2273811684625425,
		0.18283661864862794, 0.14182569348173837, 0.10444134323359304, 0.070996648982861482,
		0.042114281261576895, 0.0069559667985364575, 0.0069559667985364575 };
	static const double lhi[] = { 0.97751566990071348, 0.93090355838711547, 0.90320748988188693,
		0.87337578169767649, 0.8417212913917631, 0.8417212913917631, 0.80530776448207853,
		0.72644917382063356, 0.684213788447816, 0.684213788447816, 0.63709268745988801,
		0.58747691441794037, 0.53527378998906849, 0.48028466041656159, 0.4221674433809246,
		0.36036136027318333, 0.28676036798091808, 0.28676036798091808 };
	assert_int_equal(stats_km_fit(aml_time, aml_status, 23, STATS_CI_LOGLOG, 0.95, &km, &err), PROLO_OK);
	for (size_t j = 0; j < 18; j++) {
		CHECK(km->lower[j], llo[j]);
		CHECK(km->upper[j], lhi[j]);
	}
	stats_km_median(km, &med, &mlo, &mhi);
	CHECK(med, 27);
	CHECK(mlo, 13);
	CHECK(mhi, 34);
	stats_km_free(km);
}

static void km_case(const double *t, const uint8_t *e, size_t n, double med, double lo, double hi)
{
	struct stats_km *km;
	struct prolo_err err;
	assert_int_equal(stats_km_fit(t, e, n, STATS_CI_LOG, 0.95, &km, &err), PROLO_OK);
	double a, b, c;
	stats_km_median(km, &a, &b, &c);
	CHECK(a, med);
	CHECK(b, lo);
	CHECK(c, hi);
	stats_km_free(km);
}

/* REPORT.md §7, confirmed with survfit(Surv(T, E) ~ 1) and
 * summary(f)$table[c("median", "0.95LCL", "0.95UCL")]. */
static void test_km_worked_cases(void **state)
{
	(void)state;
	/* reaches 0; S = 0.5 exactly at 2 -> midpoint 2.5 */
	km_case((const double[]){ 1, 2, 3, 4 }, (const uint8_t[]){ 1, 1, 1, 1 }, 4, 2.5, 1, NA);
	km_case((const double[]){ 0, 1, 2, 2, 3 }, (const uint8_t[]){ 0, 1, 1, 1, 0 }, 5, 2, 1, NA);
	/* never below 0.5 */
	km_case((const double[]){ 1, 1, 2, 2, 3, 3, 4, 4 }, (const uint8_t[]){ 1, 0, 1, 0, 1, 0, 0, 0 }, 8, NA, 2, NA);
	/* S = 0.5 at 4, next drop at 6 -> 5 */
	km_case((const double[]){ 2, 2, 2, 2, 3, 3, 4, 5, 6, 6 },
	        (const uint8_t[]){ 0, 1, 0, 1, 1, 0, 1, 0, 1, 0 }, 10, 5, 3, NA);
	/* heavy ties: T <- c(rep(2,20), rep(3,10), rep(5,10));
	 * E <- c(rep(1,16), rep(0,4), rep(1,10), rep(1,6), rep(0,4)): 3 2 3 */
	double t[40];
	uint8_t e[40];
	for (int i = 0; i < 40; i++) {
		t[i] = i < 20 ? 2 : i < 30 ? 3 : 5;
		e[i] = (i < 16) || (i >= 20 && i < 36);
	}
	km_case(t, e, 40, 3, 2, 3);
	/* no events at all; empty input */
	km_case((const double[]){ 1, 2 }, (const uint8_t[]){ 0, 0 }, 2, NA, NA, NA);
	km_case(NULL, NULL, 0, NA, NA, NA);
}

/* survival::lung (228 rows): time, status == 2, sex - 1, printed by
 * Rscript -e 'cat(lung$time, sep = ", ")' and the like. */
static const double lung_time[] = {
	306, 455, 1010, 210, 883, 1022, 310, 361, 218, 166, 170, 654, 728, 71, 567, 144, 613,
	707, 61, 88, 301, 81, 624, 371, 394, 520, 574, 118, 390, 12, 473, 26, 533, 107, 53,
	122, 814, 965, 93, 731, 460, 153, 433, 145, 583, 95, 303, 519, 643, 765, 735, 189, 53,
	246, 689, 65, 5, 132, 687, 345, 444, 223, 175, 60, 163, 65, 208, 821, 428, 230, 840,
	305, 11, 132, 226, 426, 705, 363, 11, 176, 791, 95, 196, 167, 806, 284, 641, 147, 740,
	163, 655, 239, 88, 245, 588, 30, 179, 310, 477, 166, 559, 450, 364, 107, 177, 156, 529,
	11, 429, 351, 15, 181, 283, 201, 524, 13, 212, 524, 288, 363, 442, 199, 550, 54, 558,
	207, 92, 60, 551, 543, 293, 202, 353, 511, 267, 511, 371, 387, 457, 337, 201, 404, 222,
	62, 458, 356, 353, 163, 31, 340, 229, 444, 315, 182, 156, 329, 364, 291, 179, 376, 384,
	268, 292, 142, 413, 266, 194, 320, 181, 285, 301, 348, 197, 382, 303, 296, 180, 186,
	145, 269, 300, 284, 350, 272, 292, 332, 285, 259, 110, 286, 270, 81, 131, 225, 269,
	225, 243, 279, 276, 135, 79, 59, 240, 202, 235, 105, 224, 239, 237, 173, 252, 221, 185,
	92, 13, 222, 192, 183, 211, 175, 197, 203, 116, 188, 191, 105, 174, 177
};
static const uint8_t lung_dead[] = {
	1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1,
	1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0,
	0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0,
	0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0,
	0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0
};
static const int lung_sex[] = {
	0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
	0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0,
	1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1,
	0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0,
	0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0,
	1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1,
	0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1,
	1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1
};

static void test_km_lung(void **state)
{
	(void)state;
	/* survfit(Surv(time, status == 2) ~ 1, data = lung): summary(f)$table
	 * median 310, 95% CI 285..363 (log), 284..361 (conf.type = "log-log") */
	const double *time = lung_time;
	const uint8_t *dead = lung_dead;
	size_t n = sizeof lung_time / sizeof lung_time[0];
	assert_int_equal(n, 228);
	struct stats_km *km;
	struct prolo_err err;
	double a, b, c;
	assert_int_equal(stats_km_fit(time, dead, n, STATS_CI_LOG, 0.95, &km, &err), PROLO_OK);
	stats_km_median(km, &a, &b, &c);
	CHECK(a, 310);
	CHECK(b, 285);
	CHECK(c, 363);
	stats_km_free(km);
	assert_int_equal(stats_km_fit(time, dead, n, STATS_CI_LOGLOG, 0.95, &km, &err), PROLO_OK);
	stats_km_median(km, &a, &b, &c);
	CHECK(a, 310);
	CHECK(b, 284);
	CHECK(c, 361);
	stats_km_free(km);
}

static void test_km_bad_input(void **state)
{
	(void)state;
	struct stats_km *km;
	struct prolo_err err;
	assert_int_equal(stats_km_fit_counts((const double[]){ 2, 1 }, (const double[]){ 1, 1 },
	                                     (const double[]){ 0, 0 }, 2, STATS_CI_LOG, 0.95, &km, &err),
	                 PROLO_EINVAL);
	assert_null(km);
}

static void test_logrank(void **state)
{
	(void)state;
	struct stats_logrank lr;
	struct prolo_err err;
	/* survdiff(Surv(time, status) ~ x, data = aml) */
	assert_int_equal(stats_logrank(2, aml_time, aml_status, aml_x, 23, &lr, &err), PROLO_OK);
	CHECK(lr.chisq, 3.3963886989776011);
	CHECK(lr.df, 1);
	CHECK(lr.p, 0.065339322040505132);

	/* REPORT.md §7: T = 1,2,3,1,2,5,4,4,2,6,3,1; E = 1,1,0,1,0,1,1,1,1,0,1,1;
	 * group a,b,c repeated: survdiff(Surv(T, E) ~ g) */
	const double t[] = { 1, 2, 3, 1, 2, 5, 4, 4, 2, 6, 3, 1 };
	const uint8_t e[] = { 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1 };
	const int g[] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2 };
	assert_int_equal(stats_logrank(3, t, e, g, 12, &lr, &err), PROLO_OK);
	CHECK(lr.chisq, 0.068209754826766458);
	CHECK(lr.df, 2);
	CHECK(lr.p, 0.96647013843385587);

	/* heavy ties, three groups: T, E as in test_km_worked_cases,
	 * g <- rep(c(1,1,2,3), 10): chisq 0.08149723210030467, p 0.96007044591587376 */
	double tt[40];
	uint8_t ee[40];
	int gg[40];
	for (int i = 0; i < 40; i++) {
		tt[i] = i < 20 ? 2 : i < 30 ? 3 : 5;
		ee[i] = (i < 16) || (i >= 20 && i < 36);
		gg[i] = (i % 4) < 2 ? 0 : (i % 4) - 1;
	}
	assert_int_equal(stats_logrank(3, tt, ee, gg, 40, &lr, &err), PROLO_OK);
	CHECK(lr.chisq, 0.08149723210030467);
	CHECK(lr.df, 2);
	CHECK(lr.p, 0.96007044591587376);

	/* a group only censored at 0 takes no part: T <- c(1,2,3,1,2,5,0,0,0);
	 * E <- c(1,1,0,1,0,1,0,0,0); g <- c(a,b,a,b,a,b,c,c,c):
	 * chisq 0.38461538461538469, expected 1.5 2.5 0; df 1 */
	const double t3[] = { 1, 2, 3, 1, 2, 5, 0, 0, 0 };
	const uint8_t e3[] = { 1, 1, 0, 1, 0, 1, 0, 0, 0 };
	const int g3[] = { 0, 1, 0, 1, 0, 1, 2, 2, 2 };
	assert_int_equal(stats_logrank(3, t3, e3, g3, 9, &lr, &err), PROLO_OK);
	CHECK(lr.chisq, 0.38461538461538469);
	CHECK(lr.df, 1);
	CHECK(lr.p, stats_chisq_q(0.38461538461538469, 1));

	/* one group only -> NA (R: "There is only 1 group") */
	assert_int_equal(stats_logrank(3, t, e, (const int[]){ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 12, &lr, &err), PROLO_OK);
	assert_true(isnan(lr.chisq) && isnan(lr.df) && isnan(lr.p));
	/* every course at risk at the first event time has its event there: V = 0 */
	assert_int_equal(stats_logrank(2, (const double[]){ 1, 1 }, (const uint8_t[]){ 1, 1 },
	                               (const int[]){ 0, 1 }, 2, &lr, &err), PROLO_OK);
	assert_true(isnan(lr.chisq) && isnan(lr.df) && isnan(lr.p));
	/* no events */
	assert_int_equal(stats_logrank(2, (const double[]){ 1, 2 }, (const uint8_t[]){ 0, 0 },
	                               (const int[]){ 0, 1 }, 2, &lr, &err), PROLO_OK);
	assert_true(isnan(lr.chisq));
}

static void test_logrank_lung(void **state)
{
	(void)state;
	const double *time = lung_time;
	const uint8_t *dead = lung_dead;
	const int *sex = lung_sex;
	struct stats_logrank lr;
	struct prolo_err err;
	/* survdiff(Surv(time, status == 2) ~ sex, data = lung) */
	assert_int_equal(stats_logrank(2, time, dead, sex, 228, &lr, &err), PROLO_OK);
	CHECK(lr.chisq, 10.326741954885632);
	CHECK(lr.p, 0.0013111645203554882);
}

static void test_chisq(void **state)
{
	(void)state;
	/* pchisq(x, df, lower.tail = FALSE) */
	CHECK(stats_chisq_q(21.962131682476006, 3), 6.6425353558001711e-05);
	CHECK(stats_chisq_q(1.0627398612914141, 1), 0.30259111698909524);
	assert_true(stats_chisq_q(1600, 2) < 1e-300); /* underflows towards 0 */
	assert_true(isnan(stats_chisq_q(1, 0)));
}

static void test_summaries(void **state)
{
	(void)state;
	/* x <- c(3.5,1,4,1,5,9,2,6,5,3,5); mean(x); sd(x);
	 * quantile(x, c(0,.1,.25,.5,.75,.9,1), type = 7) */
	double x[] = { 3.5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5 };
	CHECK(stats_mean(x, 11), 4.0454545454545459);
	CHECK(stats_sd(x, 11), 2.3500483554019209);
	struct stats_acc a = { 0 };
	for (int i = 0; i < 11; i++)
		stats_acc_add(&a, x[i]);
	CHECK(stats_acc_mean(&a), 4.0454545454545459);
	CHECK(stats_acc_sd(&a), 2.3500483554019209);
	double sorted[] = { 1, 1, 2, 3, 3.5, 4, 5, 5, 5, 6, 9 };
	const double ps[] = { 0, .1, .25, .5, .75, .9, 1 };
	const double q[] = { 1, 1, 2.5, 4, 5, 6, 9 };
	const double val[] = { 1, 2, 3, 3.5, 4, 5, 6, 9 };
	const uint64_t cnt[] = { 2, 1, 1, 1, 1, 3, 1, 1 };
	for (int i = 0; i < 7; i++) {
		CHECK(stats_quantile_sorted(sorted, 11, ps[i]), q[i]);
		CHECK(stats_quantile_counts(val, cnt, 8, ps[i]), q[i]);
	}
	assert_true(isnan(stats_mean(x, 0)) && isnan(stats_sd(x, 1)));
	struct stats_acc one = { 0 };
	stats_acc_add(&one, 2);
	assert_true(isnan(stats_acc_sd(&one)));
	/* t critical: qt(0.975, 10) */
	CHECK(stats_t_crit(0.95, 10), 2.2281388519862739);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_clopper_pearson),
		cmocka_unit_test(test_newcombe),
		cmocka_unit_test(test_km_aml),
		cmocka_unit_test(test_km_worked_cases),
		cmocka_unit_test(test_km_lung),
		cmocka_unit_test(test_km_bad_input),
		cmocka_unit_test(test_logrank),
		cmocka_unit_test(test_logrank_lung),
		cmocka_unit_test(test_chisq),
		cmocka_unit_test(test_summaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
