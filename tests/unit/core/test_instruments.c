/* Instrument scoring: worked examples from the scoring manuals, every
 * missing-item rule at and past its limit, every out-of-range answer, and the
 * item-text parse/format round trip. Expected values are computed by hand
 * from the formulas cited in src/core/instruments.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/instruments.h"
#include "core/records.h"

#define M INSTR_MISSING
#define EPS 1e-9
#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct instr_score score_ok(enum instrument id, const int *items,
                                   size_t n)
{
	struct instr_score s;
	struct prolo_err err = { 0 };
	enum prolo_code rc = instr_score(id, items, n, &s, &err);
	if (rc != PROLO_OK)
		fail_msg("unexpected error: %s: %s", err.field, err.msg);
	return s;
}

/* Expects PROLO_EINVAL naming `field`, and *out left untouched. */
static void score_bad(enum instrument id, const int *items, size_t n,
                      const char *field)
{
	struct instr_score s;
	memset(&s, 0x5a, sizeof s);
	struct instr_score before = s;
	struct prolo_err err = { 0 };
	assert_int_equal(instr_score(id, items, n, &s, &err), PROLO_EINVAL);
	assert_string_equal(err.field, field);
	assert_true(err.msg[0] != '\0');
	assert_memory_equal(&s, &before, sizeof s);
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > EPS)
		fail_msg("got %.12g, want %.12g", got, want);
}

/* ---- NRS and VAS ---- */

static void test_nrs(void **state)
{
	(void)state;
	int a[1] = { 7 };
	struct instr_score s = score_ok(INSTR_NRS, a, 1);
	assert_near(s.total, 7);
	assert_near(s.pct, 70);
	assert_int_equal(s.n_answered, 1);
	for (int k = 0; k < INSTR_MAX_SUBSCALES; k++)
		assert_true(isnan(s.sub[k]));
	a[0] = 0;
	assert_near(score_ok(INSTR_NRS, a, 1).total, 0);
	a[0] = 10;
	assert_near(score_ok(INSTR_NRS, a, 1).total, 10);
	a[0] = M;
	s = score_ok(INSTR_NRS, a, 1);
	assert_true(isnan(s.total));
	assert_true(isnan(s.pct));
	assert_int_equal(s.n_answered, 0);
}

static void test_nrs_bad(void **state)
{
	(void)state;
	int a[2] = { 11, 3 };
	score_bad(INSTR_NRS, a, 1, "item 1"); /* NRS 11 */
	a[0] = -2;
	score_bad(INSTR_NRS, a, 1, "item 1");
	a[0] = 3;
	score_bad(INSTR_NRS, a, 2, "items");
	score_bad(INSTR_NRS, a, 0, "items");

	struct instr_score s;
	struct prolo_err err = { 0 };
	a[0] = 11;
	instr_score(INSTR_NRS, a, 1, &s, &err);
	assert_non_null(strstr(err.msg, "11"));
	assert_non_null(strstr(err.msg, "0 to 10"));
}

static void test_vas(void **state)
{
	(void)state;
	int a[1] = { 37 };
	struct instr_score s = score_ok(INSTR_VAS, a, 1);
	assert_near(s.total, 37);
	assert_near(s.pct, 37);
	a[0] = 100;
	assert_near(score_ok(INSTR_VAS, a, 1).total, 100);
	a[0] = M;
	assert_true(isnan(score_ok(INSTR_VAS, a, 1).total));
	a[0] = 101;
	score_bad(INSTR_VAS, a, 1, "item 1");
	a[0] = -5;
	score_bad(INSTR_VAS, a, 1, "item 1");
}

/* ---- ODI (Fairbank & Pynsent 2000) ---- */

static void test_odi_worked_example(void **state)
{
	(void)state;
	/* The manual's example: 16 points over all ten sections = 32 %. */
	int a[10] = { 2, 1, 2, 3, 1, 2, 1, 2, 1, 1 };
	struct instr_score s = score_ok(INSTR_ODI, a, 10);
	assert_near(s.total, 32);
	assert_near(s.pct, 32);
	assert_int_equal(s.n_answered, 10);
	/* ... and one section missed: 16 / 45 x 100 = 35.56 %. */
	int b[10] = { 2, 1, 2, 3, 1, 2, 1, 2, 2, M };
	s = score_ok(INSTR_ODI, b, 10);
	assert_near(s.total, 1600.0 / 45.0);
	assert_int_equal(s.n_answered, 9);
}

static void test_odi_bounds_and_missing(void **state)
{
	(void)state;
	int a[10] = { 0 };
	assert_near(score_ok(INSTR_ODI, a, 10).total, 0);
	for (int i = 0; i < 10; i++)
		a[i] = 5;
	assert_near(score_ok(INSTR_ODI, a, 10).total, 100);
	a[3] = M; /* one missing: still 100 % of the answered maximum */
	assert_near(score_ok(INSTR_ODI, a, 10).total, 100);
	a[7] = M; /* two missing: no score */
	struct instr_score s = score_ok(INSTR_ODI, a, 10);
	assert_true(isnan(s.total));
	assert_true(isnan(s.pct));
	assert_int_equal(s.n_answered, 8);
	for (int i = 0; i < 10; i++)
		a[i] = M;
	s = score_ok(INSTR_ODI, a, 10);
	assert_true(isnan(s.total));
	assert_int_equal(s.n_answered, 0);
}

static void test_odi_bad(void **state)
{
	(void)state;
	int a[11] = { 1, 1, 1, 1, 1, 1, 6, 1, 1, 1, 1 };
	score_bad(INSTR_ODI, a, 10, "item 7"); /* an ODI section answered 6 */
	a[6] = -3;
	score_bad(INSTR_ODI, a, 10, "item 7");
	a[6] = 1;
	score_bad(INSTR_ODI, a, 9, "items");
	score_bad(INSTR_ODI, a, 11, "items");
	a[0] = 6; /* the first bad item is named */
	a[9] = 7;
	score_bad(INSTR_ODI, a, 10, "item 1");
}

/* ---- NDI (Vernon & Mior 1991; Vernon 2008) ---- */

static void test_ndi(void **state)
{
	(void)state;
	int a[10] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	struct instr_score s = score_ok(INSTR_NDI, a, 10);
	assert_near(s.total, 20);
	assert_near(s.pct, 40);
	/* One missing: the mean of the nine answered (18/9 = 2) is added. */
	a[4] = M;
	s = score_ok(INSTR_NDI, a, 10);
	assert_near(s.total, 20);
	assert_int_equal(s.n_answered, 9);
	/* Two missing, unequal answers: 3,1,... sum 17 over 8 -> 21.25. */
	int b[10] = { 3, 1, 2, 2, M, 3, 2, 2, 2, M };
	s = score_ok(INSTR_NDI, b, 10);
	assert_near(s.total, 17.0 * 10.0 / 8.0);
	assert_near(s.pct, 17.0 * 20.0 / 8.0);
	/* Three missing: no score. */
	b[0] = M;
	s = score_ok(INSTR_NDI, b, 10);
	assert_true(isnan(s.total));
	assert_int_equal(s.n_answered, 7);
	for (int i = 0; i < 10; i++)
		a[i] = 5;
	assert_near(score_ok(INSTR_NDI, a, 10).total, 50);
	assert_near(score_ok(INSTR_NDI, a, 10).pct, 100);
	a[9] = 6;
	score_bad(INSTR_NDI, a, 10, "item 10");
	score_bad(INSTR_NDI, a, 5, "items");
}

/* ---- WOMAC Likert 3.1 ---- */

static void womac_fill(int *a, int pain, int stiff, int func)
{
	for (int i = 0; i < 5; i++)
		a[i] = pain;
	for (int i = 5; i < 7; i++)
		a[i] = stiff;
	for (int i = 7; i < 24; i++)
		a[i] = func;
}

static void test_womac_complete(void **state)
{
	(void)state;
	int a[24];
	womac_fill(a, 4, 4, 4);
	struct instr_score s = score_ok(INSTR_WOMAC, a, 24);
	assert_near(s.sub[0], 20);
	assert_near(s.sub[1], 8);
	assert_near(s.sub[2], 68);
	assert_near(s.total, 96);
	assert_near(s.pct, 100);
	assert_true(isnan(s.sub[3]));
	/* A mixed form: pain 2,3,1,0,2 = 8; stiffness 3,2 = 5;
	 * function 17 items summing to 30. */
	int b[24] = { 2, 3, 1, 0, 2, 3, 2,
	              2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1 };
	s = score_ok(INSTR_WOMAC, b, 24);
	assert_near(s.sub[0], 8);
	assert_near(s.sub[1], 5);
	assert_near(s.sub[2], 30);
	assert_near(s.total, 43);
	assert_near(s.pct, 43.0 * 100.0 / 96.0);
}

static void test_womac_missing(void **state)
{
	(void)state;
	int a[24] = { 2, 3, 1, 0, M, 3, 2,
	              2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1 };
	/* One pain item missing: the mean of 2,3,1,0 (1.5) stands in for it. */
	struct instr_score s = score_ok(INSTR_WOMAC, a, 24);
	assert_near(s.sub[0], 7.5);
	assert_near(s.total, 7.5 + 5 + 30);
	assert_int_equal(s.n_answered, 23);
	/* Two pain items missing: pain invalid, so no total; others stand. */
	a[3] = M;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_true(isnan(s.sub[0]));
	assert_near(s.sub[1], 5);
	assert_near(s.sub[2], 30);
	assert_true(isnan(s.total));
	assert_true(isnan(s.pct));

	/* One stiffness item missing: the other answer counts twice. */
	womac_fill(a, 1, 1, 1);
	a[6] = M;
	a[5] = 3;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_near(s.sub[1], 6);
	assert_near(s.total, 5 + 6 + 17);
	/* Both stiffness items missing: invalid. */
	a[5] = M;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_true(isnan(s.sub[1]));
	assert_near(s.sub[0], 5);
	assert_near(s.sub[2], 17);
	assert_true(isnan(s.total));

	/* Three function items missing: 14 answered summing to 21 -> mean
	 * 1.5 x 17 = 25.5. */
	womac_fill(a, 0, 0, 1);
	a[7] = M;
	a[8] = M;
	a[23] = M;
	for (int i = 9; i < 16; i++)
		a[i] = 2; /* 7 twos + 7 ones = 21 */
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_near(s.sub[2], 21.0 * 17.0 / 14.0);
	assert_near(s.total, 25.5);
	/* Four function items missing: invalid. */
	a[22] = M;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_true(isnan(s.sub[2]));
	assert_near(s.sub[0], 0);
	assert_near(s.sub[1], 0);
	assert_true(isnan(s.total));
	assert_int_equal(s.n_answered, 20);
}

static void test_womac_bad(void **state)
{
	(void)state;
	int a[24];
	womac_fill(a, 1, 1, 1);
	a[12] = 5;
	score_bad(INSTR_WOMAC, a, 24, "item 13");
	a[12] = -7;
	score_bad(INSTR_WOMAC, a, 24, "item 13");
	a[12] = 1;
	score_bad(INSTR_WOMAC, a, 23, "items");
}

/* ---- QuickDASH (IWH) ---- */

static void test_quickdash(void **state)
{
	(void)state;
	/* Eleven answers summing to 33: ((33/11) - 1) x 25 = 50. */
	int a[11] = { 1, 2, 3, 4, 5, 3, 3, 3, 3, 3, 3 };
	struct instr_score s = score_ok(INSTR_QUICKDASH, a, 11);
	assert_near(s.total, 50);
	assert_near(s.pct, 50);
	/* One missing: ten answers summing to 30 -> still 50. */
	a[10] = M;
	s = score_ok(INSTR_QUICKDASH, a, 11);
	assert_near(s.total, 50);
	assert_int_equal(s.n_answered, 10);
	/* A sum that does not divide: 1,1,...,2 (sum 12 over 11). */
	int b[11] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2 };
	assert_near(score_ok(INSTR_QUICKDASH, b, 11).total,
	            (12.0 / 11.0 - 1.0) * 25.0);
	/* Two missing: no score. */
	a[0] = M;
	s = score_ok(INSTR_QUICKDASH, a, 11);
	assert_true(isnan(s.total));
	assert_int_equal(s.n_answered, 9);
	/* Bounds: all 1 = 0 (no disability), all 5 = 100. */
	for (int i = 0; i < 11; i++)
		a[i] = 1;
	assert_near(score_ok(INSTR_QUICKDASH, a, 11).total, 0);
	for (int i = 0; i < 11; i++)
		a[i] = 5;
	assert_near(score_ok(INSTR_QUICKDASH, a, 11).total, 100);
}

static void test_quickdash_bad(void **state)
{
	(void)state;
	int a[11] = { 1, 2, 3, 4, 5, 3, 3, 3, 3, 3, 3 };
	a[4] = 0; /* answers start at 1 */
	score_bad(INSTR_QUICKDASH, a, 11, "item 5");
	a[4] = 6;
	score_bad(INSTR_QUICKDASH, a, 11, "item 5");
	a[4] = 5;
	score_bad(INSTR_QUICKDASH, a, 10, "items");
}

/* ---- KOOS (User's Guide; KOOS Scoring 2012) ---- */

enum { K_PAIN, K_SYMPTOMS, K_ADL, K_SPORT, K_QOL };

/* Sets every item of subscale `sub` to v. */
static void koos_set(int *a, int sub, int v)
{
	const struct instr_info *in = instr_info(INSTR_KOOS);
	for (int i = 0; i < in->sub_count[sub]; i++)
		a[in->sub_first[sub] + i] = v;
}

/* Marks the first k items of subscale `sub` missing. */
static void koos_miss(int *a, int sub, int k)
{
	const struct instr_info *in = instr_info(INSTR_KOOS);
	for (int i = 0; i < k; i++)
		a[in->sub_first[sub] + i] = M;
}

static void test_koos_complete(void **state)
{
	(void)state;
	int a[42] = { 0 };
	struct instr_score s = score_ok(INSTR_KOOS, a, 42);
	for (int k = 0; k < 5; k++)
		assert_near(s.sub[k], 100);
	assert_near(s.total, 100);
	for (int i = 0; i < 42; i++)
		a[i] = 4;
	s = score_ok(INSTR_KOOS, a, 42);
	for (int k = 0; k < 5; k++)
		assert_near(s.sub[k], 0);
	assert_near(s.total, 0);

	/* Form order: S1-S7 are items 1-7 and P1-P9 items 8-16. */
	memset(a, 0, sizeof a);
	for (int i = 7; i < 16; i++)
		a[i] = 2; /* pain: mean 2 -> 100 - 2 x 25 = 50 */
	a[0] = 4;     /* symptoms: S1 = 4, mean 4/7 */
	for (int i = 33; i < 38; i++)
		a[i] = 3; /* sport/rec: mean 3 -> 25 */
	a[38] = 1;    /* QOL: 1,2,3,4 -> mean 2.5 -> 37.5 */
	a[39] = 2;
	a[40] = 3;
	a[41] = 4;
	s = score_ok(INSTR_KOOS, a, 42);
	assert_near(s.sub[K_PAIN], 50);
	assert_near(s.sub[K_SYMPTOMS], 100.0 - 4.0 / 7.0 * 25.0);
	assert_near(s.sub[K_ADL], 100);
	assert_near(s.sub[K_SPORT], 25);
	assert_near(s.sub[K_QOL], 37.5);
	/* KOOS4: mean of pain, symptoms, sport/rec and QOL. */
	assert_near(s.total, (50 + (100.0 - 4.0 / 7.0 * 25.0) + 25 + 37.5) / 4);
	assert_near(s.pct, s.total);
}

/* The 2012 rule at and past its limit for each subscale. */
static void test_koos_missing(void **state)
{
	(void)state;
	static const struct {
		int sub, max_missing;
	} lim[] = {
		{ K_PAIN, 4 },     /* 5 of 9 needed */
		{ K_SYMPTOMS, 3 }, /* 4 of 7 */
		{ K_ADL, 8 },      /* 9 of 17 */
		{ K_SPORT, 2 },    /* 3 of 5 */
		{ K_QOL, 2 },      /* 2 of 4 */
	};
	for (size_t t = 0; t < NITEMS(lim); t++) {
		int a[42];
		for (int i = 0; i < 42; i++)
			a[i] = 1;
		koos_set(a, lim[t].sub, 2);
		koos_miss(a, lim[t].sub, lim[t].max_missing);
		struct instr_score s = score_ok(INSTR_KOOS, a, 42);
		assert_near(s.sub[lim[t].sub], 50); /* mean of answered = 2 */
		assert_int_equal(s.n_answered, 42 - lim[t].max_missing);
		koos_miss(a, lim[t].sub, lim[t].max_missing + 1);
		s = score_ok(INSTR_KOOS, a, 42);
		assert_true(isnan(s.sub[lim[t].sub]));
		for (int k = 0; k < 5; k++)
			if (k != lim[t].sub)
				assert_near(s.sub[k], 75);
		/* KOOS4 leaves ADL out. */
		if (lim[t].sub == K_ADL)
			assert_near(s.total, 75);
		else
			assert_true(isnan(s.total));
	}
}

static void test_koos_bad(void **state)
{
	(void)state;
	int a[42] = { 0 };
	a[41] = 5;
	score_bad(INSTR_KOOS, a, 42, "item 42");
	a[41] = 0;
	score_bad(INSTR_KOOS, a, 41, "items");
}

/* ---- structure ---- */

static void test_info(void **state)
{
	(void)state;
	static const int n_items[INSTR__COUNT] = { 1, 1, 10, 10, 24, 11, 42 };
	for (int id = 0; id < INSTR__COUNT; id++) {
		const struct instr_info *in = instr_info((enum instrument)id);
		assert_int_equal(in->id, id);
		assert_string_equal(in->name, dom_instrument_names[id]);
		assert_int_equal(in->n_items, n_items[id]);
		assert_true(in->n_items <= INSTR_MAX_ITEMS);
		assert_true(in->item_min < in->item_max);
		assert_true(in->score_min < in->score_max);
		/* Subscales cover every item exactly once. */
		if (in->n_subscales == 0)
			continue;
		int seen[INSTR_MAX_ITEMS] = { 0 };
		for (int k = 0; k < in->n_subscales; k++)
			for (int i = 0; i < in->sub_count[k]; i++)
				seen[in->sub_first[k] + i]++;
		for (int i = 0; i < in->n_items; i++)
			assert_int_equal(seen[i], 1);
	}
	assert_false(instr_info(INSTR_KOOS)->higher_is_worse);
	assert_true(instr_info(INSTR_ODI)->higher_is_worse);
}

static void test_item_text(void **state)
{
	(void)state;
	assert_non_null(instr_item_text(INSTR_NRS, 0));
	assert_non_null(strstr(instr_item_text(INSTR_NRS, 0), "0 to 10"));
	assert_non_null(instr_item_text(INSTR_VAS, 0));
	assert_null(instr_item_text(INSTR_NRS, 1));
	assert_null(instr_item_text(INSTR_NRS, -1));
	assert_string_equal(instr_anchor_low(INSTR_NRS), "No pain");
	assert_non_null(instr_anchor_high(INSTR_VAS));
	static const enum instrument licensed[] = {
		INSTR_ODI, INSTR_NDI, INSTR_WOMAC, INSTR_QUICKDASH, INSTR_KOOS
	};
	for (size_t i = 0; i < NITEMS(licensed); i++) {
		assert_null(instr_item_text(licensed[i], 0));
		assert_null(instr_anchor_low(licensed[i]));
		assert_null(instr_anchor_high(licensed[i]));
	}
}

/* ---- item text ---- */

static enum prolo_code parse(enum instrument id, const char *s, int *items,
                             size_t *n, struct prolo_err *err)
{
	return instr_parse_items(id, s, strlen(s), items, INSTR_MAX_ITEMS, n,
	                         err);
}

static void test_parse_format_roundtrip(void **state)
{
	(void)state;
	int items[INSTR_MAX_ITEMS];
	size_t n = 0;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(INSTR_ODI, "3;2;;4;0;1;2;3;4;5", items, &n,
	                       &err), PROLO_OK);
	assert_int_equal(n, 10);
	static const int want[10] = { 3, 2, M, 4, 0, 1, 2, 3, 4, 5 };
	assert_memory_equal(items, want, sizeof want);
	char out[INSTR_ITEMS_TEXT_MAX];
	assert_int_equal(instr_format_items(items, n, out, sizeof out, &err),
	                 PROLO_OK);
	assert_string_equal(out, "3;2;;4;0;1;2;3;4;5");
	/* The example of docs/instruments.md: 24 / 45 = 53.3 %. */
	struct instr_score s = score_ok(INSTR_ODI, items, n);
	assert_near(s.total, 2400.0 / 45.0);

	/* Every instrument: all missing, all minimum, all maximum. */
	for (int id = 0; id < INSTR__COUNT; id++) {
		const struct instr_info *in = instr_info((enum instrument)id);
		int vals[3] = { M, in->item_min, in->item_max };
		for (int v = 0; v < 3; v++) {
			int a[INSTR_MAX_ITEMS], b[INSTR_MAX_ITEMS];
			for (int i = 0; i < in->n_items; i++)
				a[i] = vals[v];
			if (v == 0 && in->n_items > 1)
				a[in->n_items - 1] = in->item_max;
			assert_int_equal(instr_format_items(a, (size_t)in->n_items,
			                                    out, sizeof out, &err),
			                 PROLO_OK);
			size_t m = 0;
			assert_int_equal(parse((enum instrument)id, out, b, &m,
			                       &err), PROLO_OK);
			assert_int_equal(m, (size_t)in->n_items);
			assert_memory_equal(a, b, m * sizeof(int));
		}
	}
}

static void test_parse_lenient_and_edges(void **state)
{
	(void)state;
	int items[INSTR_MAX_ITEMS];
	size_t n = 0;
	struct prolo_err err = { 0 };
	/* Blanks around answers are ignored; leading zeros are the number. */
	assert_int_equal(parse(INSTR_ODI, " 3 ; 2;\t;4;0;1;2;3;4;05 ", items,
	                       &n, &err), PROLO_OK);
	assert_int_equal(items[0], 3);
	assert_int_equal(items[2], M);
	assert_int_equal(items[9], 5);
	/* A one-item instrument: "" is one missing answer. */
	assert_int_equal(parse(INSTR_NRS, "", items, &n, &err), PROLO_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0], M);
	assert_int_equal(parse(INSTR_VAS, "100", items, &n, &err), PROLO_OK);
	assert_int_equal(items[0], 100);
	/* Not NUL-terminated: only len bytes are read. */
	const char buf[] = { '7', ';', '9' };
	assert_int_equal(instr_parse_items(INSTR_NRS, buf, 1, items,
	                                   INSTR_MAX_ITEMS, &n, &err),
	                 PROLO_OK);
	assert_int_equal(items[0], 7);
	assert_int_equal(instr_parse_items(INSTR_NRS, NULL, 0, items,
	                                   INSTR_MAX_ITEMS, &n, &err),
	                 PROLO_OK);
	assert_int_equal(items[0], M);
}

static void parse_bad(enum instrument id, const char *s, const char *field,
                      const char *in_msg)
{
	int items[INSTR_MAX_ITEMS];
	size_t n = 0;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(id, s, items, &n, &err), PROLO_EINVAL);
	assert_string_equal(err.field, field);
	if (in_msg && !strstr(err.msg, in_msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, in_msg);
}

static void test_parse_bad(void **state)
{
	(void)state;
	parse_bad(INSTR_NRS, "11", "item 1", "0 to 10");
	parse_bad(INSTR_NRS, "7;3", "items", "got 2");
	parse_bad(INSTR_NRS, "-1", "item 1", "not a whole number");
	parse_bad(INSTR_NRS, "+3", "item 1", "not a whole number");
	parse_bad(INSTR_NRS, "7.5", "item 1", "'7.5'");
	parse_bad(INSTR_NRS, "seven", "item 1", "'seven'");
	parse_bad(INSTR_NRS, "99999999999999999999999", "item 1", "too large");
	parse_bad(INSTR_NRS, "1 2", "item 1", NULL);
	parse_bad(INSTR_ODI, "1;2", "items", "got 2");
	parse_bad(INSTR_ODI, "", "items", "got 1");
	parse_bad(INSTR_ODI, "1;1;1;1;1;1;6;1;1;1", "item 7", "is 6");
	parse_bad(INSTR_ODI, "1;1;1;1;1;1;1;1;1;1;", "items", "got 11");
	parse_bad(INSTR_QUICKDASH, "0;1;1;1;1;1;1;1;1;1;1", "item 1", "1 to 5");
	parse_bad(INSTR_KOOS,
	          "0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;"
	          "0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;x",
	          "item 42", NULL);
	/* Bytes that are not shown back: control characters, invalid UTF-8. */
	parse_bad(INSTR_NRS, "\x01", "item 1", "not a whole number");
	parse_bad(INSTR_NRS, "\xff\xfe", "item 1", "not a whole number");
}

static void test_format_too_small(void **state)
{
	(void)state;
	int a[3] = { 1, M, 3 };
	char out[5];
	struct prolo_err err = { 0 };
	assert_int_equal(instr_format_items(a, 3, out, sizeof out, &err),
	                 PROLO_OK);
	assert_string_equal(out, "1;;3");
	char small[4];
	assert_int_equal(instr_format_items(a, 3, small, sizeof small, &err),
	                 PROLO_ETOOBIG);
	assert_string_equal(small, "");
	assert_int_equal(instr_format_items(a, 0, small, sizeof small, &err),
	                 PROLO_OK);
	assert_string_equal(small, "");
	/* The advertised maximum holds for the longest valid form. */
	int k[42];
	for (int i = 0; i < 42; i++)
		k[i] = 4;
	char big[INSTR_ITEMS_TEXT_MAX];
	assert_int_equal(instr_format_items(k, 42, big, sizeof big, &err),
	                 PROLO_OK);
	assert_int_equal(strlen(big), 83);
}

/* ---- why a form is not scorable ----
 * Each rule at its limit (scored, no reason) and one past it (no score, a
 * reason naming the subscale and the manual's limit). Oracles: WOMAC user
 * guide (Bellamy; pain <= 1, stiffness <= 1, function <= 3 missing, the
 * function limit as quoted by Whitehouse et al. 2004); KOOS Scoring 2012
 * (at least half a subscale's items); ODI (Fairbank & Pynsent 2000, one
 * section); QuickDASH (IWH, one item); NDI (prolo's limit of two). */
static void test_reasons(void **state)
{
	(void)state;
	int a[42];
	struct instr_score s;
	/* WOMAC: 1 pain item missing -> scored, no reason. */
	womac_fill(a, 1, 1, 1);
	a[0] = M;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_string_equal(s.reason, "");
	/* 2 pain items missing -> the reason names pain and the limit. */
	a[1] = M;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_true(isnan(s.total));
	assert_non_null(strstr(s.reason, "pain: 2 of 5 items unanswered"));
	assert_non_null(strstr(s.reason, "at most 1 missing"));
	assert_non_null(strstr(s.reason, "the total needs all three subscales"));
	assert_null(strstr(s.reason, "stiffness"));
	/* Both stiffness items and 4 function items: both named. */
	womac_fill(a, 1, 1, 1);
	a[5] = a[6] = M;
	a[7] = a[8] = a[9] = a[10] = M;
	s = score_ok(INSTR_WOMAC, a, 24);
	assert_non_null(strstr(s.reason, "stiffness: 2 of 2 items unanswered"));
	assert_non_null(strstr(s.reason, "function: 4 of 17 items unanswered"));
	assert_non_null(strstr(s.reason, "at most 3 missing"));
	assert_near(s.sub[0], 5);

	/* KOOS: sport/rec (items 34-38) with 3 of 5 answered is scored; with 2
	 * it is not, and KOOS4 goes with it. */
	for (int i = 0; i < 42; i++)
		a[i] = 1;
	a[33] = a[34] = M;
	s = score_ok(INSTR_KOOS, a, 42);
	assert_string_equal(s.reason, "");
	assert_near(s.sub[3], 75);
	a[35] = M;
	s = score_ok(INSTR_KOOS, a, 42);
	assert_true(isnan(s.sub[3]));
	assert_true(isnan(s.total));
	assert_non_null(strstr(s.reason, "sport_rec: 2 of 5 items answered"));
	assert_non_null(strstr(s.reason, "at least half (3)"));
	assert_non_null(strstr(s.reason, "KOOS4"));
	/* ADL alone missing (8 of 17 answered): KOOS4 stands, the reason
	 * names ADL only. */
	for (int i = 0; i < 42; i++)
		a[i] = 2;
	for (int i = 16; i < 25; i++)
		a[i] = M;
	s = score_ok(INSTR_KOOS, a, 42);
	assert_near(s.total, 50);
	assert_true(isnan(s.sub[2]));
	assert_non_null(strstr(s.reason, "adl: 8 of 17 items answered"));
	assert_null(strstr(s.reason, "KOOS4"));

	/* ODI: two sections missing. */
	int o[10] = { 1, 1, 1, 1, 1, 1, 1, 1, M, M };
	s = score_ok(INSTR_ODI, o, 10);
	assert_true(isnan(s.total));
	assert_non_null(strstr(s.reason, "2 of 10 sections unanswered"));
	o[9] = 1;
	s = score_ok(INSTR_ODI, o, 10);
	assert_near(s.total, 9.0 * 100.0 / 45.0);
	assert_string_equal(s.reason, "");
	/* NDI: three items missing. */
	int n[10] = { 2, 2, 2, 2, 2, 2, 2, M, M, M };
	s = score_ok(INSTR_NDI, n, 10);
	assert_non_null(strstr(s.reason, "3 of 10 items unanswered"));
	/* QuickDASH: two items missing. */
	int q[11] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, M, M };
	s = score_ok(INSTR_QUICKDASH, q, 11);
	assert_true(isnan(s.total));
	assert_non_null(strstr(s.reason, "2 of 11 items unanswered"));
	/* NRS unanswered. */
	int r[1] = { M };
	s = score_ok(INSTR_NRS, r, 1);
	assert_string_equal(s.reason, "the question was not answered");
}

/* How an assessment is described for display: a complete WOMAC has its
 * subscales and no reason; two pain items missing leave pain and the total
 * unscored, with the guide's rule; a score kept without its answers says
 * so; a KOOS with ADL left out keeps its total and says what is missing. */
static void test_scoring_describe(void **state)
{
	(void)state;
	struct outcome o;
	struct outcome_scoring sc;
	memset(&o, 0, sizeof o);
	o.instrument = INSTR_WOMAC;
	o.score = 24;
	snprintf(o.items, sizeof o.items, "1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1");
	outcome_scoring_describe(&o, &sc);
	assert_ptr_equal(sc.info, instr_info(INSTR_WOMAC));
	assert_true(sc.sub[0] == 5 && sc.sub[1] == 2 && sc.sub[2] == 17);
	assert_string_equal(sc.not_scorable_reason, "");
	assert_string_equal(sc.partial_reason, "");

	o.score = NAN;
	snprintf(o.items, sizeof o.items, "2;;;2;2;3;3;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1");
	outcome_scoring_describe(&o, &sc);
	assert_true(isnan(sc.sub[0]) && sc.sub[1] == 6 && sc.sub[2] == 17);
	assert_non_null(strstr(sc.not_scorable_reason, "pain: 2 of 5 items unanswered"));
	assert_string_equal(sc.partial_reason, "");

	o.items[0] = '\0';
	outcome_scoring_describe(&o, &sc);
	assert_true(isnan(sc.sub[0]) && isnan(sc.sub[2]));
	assert_string_equal(sc.not_scorable_reason, "no answers were kept with this assessment");

	/* KOOS: every answer 2 but ADL (subscale 2, not in KOOS4) unanswered. */
	const struct instr_info *k = instr_info(INSTR_KOOS);
	int a[INSTR_MAX_ITEMS];
	struct instr_score full;
	for (int i = 0; i < k->n_items; i++)
		a[i] = i >= k->sub_first[2] && i < k->sub_first[2] + k->sub_count[2] ? INSTR_MISSING : 2;
	assert_int_equal(instr_score(INSTR_KOOS, a, (size_t)k->n_items, &full, NULL), PROLO_OK);
	memset(&o, 0, sizeof o);
	o.instrument = INSTR_KOOS;
	o.score = full.total;
	assert_int_equal(instr_format_items(a, (size_t)k->n_items, o.items, sizeof o.items, NULL), PROLO_OK);
	outcome_scoring_describe(&o, &sc);
	assert_true(isnan(sc.sub[2]) && !isnan(sc.sub[3]));
	assert_false(isnan(full.total));
	assert_string_not_equal(full.reason, "");
	assert_string_equal(sc.not_scorable_reason, "");
	assert_string_equal(sc.partial_reason, full.reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nrs),
		cmocka_unit_test(test_scoring_describe),
		cmocka_unit_test(test_nrs_bad),
		cmocka_unit_test(test_vas),
		cmocka_unit_test(test_odi_worked_example),
		cmocka_unit_test(test_odi_bounds_and_missing),
		cmocka_unit_test(test_odi_bad),
		cmocka_unit_test(test_ndi),
		cmocka_unit_test(test_womac_complete),
		cmocka_unit_test(test_womac_missing),
		cmocka_unit_test(test_womac_bad),
		cmocka_unit_test(test_quickdash),
		cmocka_unit_test(test_quickdash_bad),
		cmocka_unit_test(test_koos_complete),
		cmocka_unit_test(test_koos_missing),
		cmocka_unit_test(test_koos_bad),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_item_text),
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_lenient_and_edges),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format_too_small),
		cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
