/* The vocabulary and scalar parsers of core/domain.h: ISO dates against the
 * Gregorian calendar (every day 1900..2199 walked independently), day
 * numbers against known values, and the strict parsers that must accept
 * exactly their syntax and nothing around it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"

static bool parse(const char *s, int32_t *days)
{
	return dom_date_parse(s, strlen(s), days);
}

/* The Gregorian rule written out here, not taken from the code under test. */
static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static void dates_known_day_numbers(void **state)
{
	(void)state;
	/* Day numbers from an independent calendar (proleptic Gregorian,
	 * days since 1970-01-01). */
	static const struct { const char *s; int32_t days; } known[] = {
		{ "1970-01-01", 0 },      { "1969-12-31", -1 },
		{ "1900-01-01", -25567 }, { "2199-12-31", 84005 },
		{ "2000-02-29", 11016 },  { "2000-03-01", 11017 },
		{ "2024-02-29", 19782 },
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		int32_t d = 12345;
		if (!parse(known[i].s, &d))
			fail_msg("%s rejected", known[i].s);
		if (d != known[i].days)
			fail_msg("%s gave %d, want %d", known[i].s, (int)d, (int)known[i].days);
		char out[11];
		dom_date_format(d, out);
		assert_string_equal(out, known[i].s);
	}
	/* The algorithm's published anchor: 0000-03-01 is day -719468. */
	assert_int_equal(dom_days_from_civil(0, 3, 1), -719468);
}

static void dates_every_day_round_trips(void **state)
{
	(void)state;
	int32_t prev = 0;
	long n = 0;
	for (int y = 1900; y <= 2199; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= month_days(y, m); d++) {
				char s[16], out[11];
				snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
				int32_t days;
				if (!parse(s, &days))
					fail_msg("%s rejected", s);
				if (n > 0 && days != prev + 1)
					fail_msg("%s is day %d, after %d", s, (int)days, (int)prev);
				if (dom_days_from_civil(y, m, d) != days)
					fail_msg("%s: days_from_civil disagrees", s);
				int yy, mm, dd;
				dom_civil_from_days(days, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d)
					fail_msg("%s came back as %d-%d-%d", s, yy, mm, dd);
				dom_date_format(days, out);
				if (strcmp(out, s) != 0)
					fail_msg("%s formatted as %s", s, out);
				prev = days;
				n++;
			}
	/* 300 years with 73 leap days (1900 and 2100 are not leap years). */
	assert_int_equal(n, 300 * 365 + 73);
}

static void dates_outside_the_parse_range_still_convert(void **state)
{
	(void)state;
	/* days_from_civil does no validation: far years and BCE round trip. */
	static const int ys[] = { -400, -1, 0, 1, 1582, 1600, 2400, 9999 };
	for (size_t i = 0; i < sizeof ys / sizeof ys[0]; i++)
		for (int m = 1; m <= 12; m++) {
			int d = month_days(ys[i], m);
			int yy, mm, dd;
			dom_civil_from_days(dom_days_from_civil(ys[i], m, d), &yy, &mm, &dd);
			if (yy != ys[i] || mm != m || dd != d)
				fail_msg("%d-%d-%d came back as %d-%d-%d", ys[i], m, d, yy, mm, dd);
		}
	/* One 400-year cycle is 146097 days. */
	assert_int_equal(dom_days_from_civil(2000, 1, 1) - dom_days_from_civil(1600, 1, 1), 146097);
}

static void dates_invalid_are_rejected(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2023-02-29", /* 2023 is not a leap year */
		"1900-02-29", /* divisible by 100, not by 400 */
		"2100-02-29",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
		"2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31",
		"1899-12-31", "2200-01-01", /* outside 1900..2199 */
		"2024-1-01", "2024-01-1", "24-01-01",
		"2024/01/01", "2024-01/01", "20240101",
		"2024-01-01x", "2024-01-01 ", " 2024-01-01", "2024-01-01T00:00",
		"+024-01-01", "-024-01-01", "2024--1-01", "2024-0a-01", "2024-01-0 ",
		"", "2024", "0000-00-00",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int32_t d;
		if (parse(bad[i], &d))
			fail_msg("'%s' was accepted", bad[i]);
	}
	/* The length is the whole input: a NUL or junk after 10 bytes counts. */
	int32_t d;
	assert_false(dom_date_parse("2024-01-01\0", 11, &d));
	assert_false(dom_date_parse("2024-01-0", 9, &d));
	/* ... and nothing past len is read. */
	assert_true(dom_date_parse("2024-01-01junk", 10, &d));
	assert_int_equal(d, dom_days_from_civil(2024, 1, 1));
	/* Leap days that do exist. */
	assert_true(parse("2000-02-29", &d));
	assert_true(parse("1904-02-29", &d));
	assert_true(parse("2196-02-29", &d));
}

static void ids(void **state)
{
	(void)state;
	char max[65];
	memset(max, 'a', 64);
	max[64] = 'b';
	assert_true(dom_id_valid(max, 64));
	assert_false(dom_id_valid(max, 65));
	assert_false(dom_id_valid("", 0));
	static const char *const good[] = { "P1", "C01", "a.b_c:d-e", "0", "ZZ-2024:001.x" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!dom_id_valid(good[i], strlen(good[i])))
			fail_msg("'%s' rejected", good[i]);
	static const char *const bad[] = { "P 1", " P1", "P1 ", "P/1", "P,1", "P\"1", "P'1",
	                                   "P\n1", "P\t1", "P#1", "P+1", "P\xc3\xa9", "P%1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (dom_id_valid(bad[i], strlen(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(dom_id_valid("P\0" "1", 3));
}

static bool plong(const char *s, long min, long max, long *out)
{
	return dom_parse_long(s, strlen(s), min, max, out);
}

static void parse_long(void **state)
{
	(void)state;
	long v = 0;
	assert_true(plong("42", 0, 100, &v));
	assert_int_equal(v, 42);
	assert_true(plong("-5", -10, 10, &v));
	assert_int_equal(v, -5);
	assert_true(plong("+7", 0, 10, &v));
	assert_int_equal(v, 7);
	assert_true(plong("-0", 0, 0, &v));
	assert_int_equal(v, 0);
	assert_true(plong("007", 0, 10, &v));
	assert_int_equal(v, 7);
	/* Bounds are inclusive. */
	assert_true(plong("1", 1, 5, &v));
	assert_true(plong("5", 1, 5, &v));
	assert_false(plong("0", 1, 5, &v));
	assert_false(plong("6", 1, 5, &v));
	assert_false(plong("-1", 0, 5, &v));
	static const char *const bad[] = { "", "-", "+", "4 2", " 42", "42 ", "0x10", "1e3", "4.0",
	                                   "4,0", "--4", "+-4", "42a", "\xd9\xa4" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 99;
		if (plong(bad[i], LONG_MIN, LONG_MAX, &v))
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(v, 99); /* *out untouched on failure */
	}
	/* Overflow is an error, not a wrapped value. */
	assert_false(plong("99999999999999999999", LONG_MIN, LONG_MAX, &v));
	assert_false(plong("9223372036854775808", LONG_MIN, LONG_MAX, &v));
	assert_false(plong("-9223372036854775809", LONG_MIN, LONG_MAX, &v));
	/* The whole long range is a base-10 integer in [LONG_MIN, LONG_MAX]. */
	assert_true(plong("9223372036854775807", LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MAX);
	assert_true(plong("9223372036854775800", LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MAX - 7);
	assert_true(plong("-9223372036854775808", LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MIN);
	/* int32 limits as the record tables use them. */
	assert_true(plong("2147483647", -2147483647L, 2147483647L, &v));
	assert_false(plong("2147483648", -2147483647L, 2147483647L, &v));
}

static bool pdouble(const char *s, double *out)
{
	return dom_parse_double(s, strlen(s), out);
}

static void parse_double(void **state)
{
	(void)state;
	static const struct { const char *s; double v; } good[] = {
		{ "12.5", 12.5 }, { "-0.5", -0.5 }, { "+3", 3 }, { "1e2", 100 },
		{ "2.5E-1", 0.25 }, { "0", 0 }, { ".5", 0.5 }, { "5.", 5 },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		double v = -1;
		if (!pdouble(good[i].s, &v))
			fail_msg("'%s' rejected", good[i].s);
		assert_true(v == good[i].v);
	}
	static const char *const bad[] = { "", "abc", "nan", "NaN", "inf", "-inf", "infinity",
	                                   "1e999", "-1e999", "0x1p3", " 1", "1 ", "1,5", "1.2.3",
	                                   "--1", "1e", "e5", ".", "-", "12.5%", "1_000" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v = 99;
		if (pdouble(bad[i], &v))
			fail_msg("'%s' accepted as %g", bad[i], v);
		assert_true(v == 99);
	}
	double v;
	assert_false(dom_parse_double("1\0" "2", 3, &v));
	/* Only len bytes are read. */
	assert_true(dom_parse_double("1.5xyz", 3, &v));
	assert_true(v == 1.5);
}

static void utf8(void **state)
{
	(void)state;
	static const char *const good[] = {
		"", "plain", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
		"\xed\x9f\xbf", "\xee\x80\x80", "caf\xc3\xa9 au lait",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!dom_utf8_valid(good[i], strlen(good[i])))
			fail_msg("good #%zu rejected", i);
	static const char *const bad[] = {
		"\x80", "a\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", /* lone or cut short */
		"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", /* overlong */
		"\xed\xa0\x80", "\xed\xbf\xbf", /* UTF-16 surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", /* past U+10FFFF */
		"\xc3\x28", "\xe2\x28\xa1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (dom_utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad #%zu accepted", i);
	assert_false(dom_utf8_valid("a\0b", 3));
	/* A sequence cut by len is incomplete even if the bytes go on. */
	assert_false(dom_utf8_valid("\xc3\xa9", 1));
}

static void lookup_and_list(void **state)
{
	(void)state;
	int n = MOD__COUNT;
	assert_int_equal(dom_lookup(dom_modality_names, n, "prp", 3), MOD_PRP);
	assert_int_equal(dom_lookup(dom_modality_names, n, "stem_cell", 9), MOD_STEM_CELL);
	/* Exactly one of the names: no prefix, case or padding variants. */
	assert_int_equal(dom_lookup(dom_modality_names, n, "pr", 2), -1);
	assert_int_equal(dom_lookup(dom_modality_names, n, "prp ", 4), -1);
	assert_int_equal(dom_lookup(dom_modality_names, n, "PRP", 3), -1);
	assert_int_equal(dom_lookup(dom_modality_names, n, "", 0), -1);
	assert_int_equal(dom_lookup(dom_modality_names, n, "stem", 4), -1);
	/* len bounds the input. */
	assert_int_equal(dom_lookup(dom_modality_names, n, "prpx", 3), MOD_PRP);
	assert_int_equal(dom_lookup(dom_instrument_names, INSTR__COUNT, "QuickDASH", 9), INSTR_QUICKDASH);
	assert_int_equal(dom_lookup(dom_instrument_names, INSTR__COUNT, "quickdash", 9), -1);

	/* Every vocabulary: names non-empty, distinct, found at their index. */
	static const struct { const char *const *names; int n; } v[] = {
		{ dom_modality_names, MOD__COUNT }, { dom_condition_names, COND__COUNT },
		{ dom_status_names, CS__COUNT }, { dom_sex_names, SEX__COUNT },
		{ dom_proliferant_names, PROL__COUNT }, { dom_ae_kind_names, AE__COUNT },
		{ dom_instrument_names, INSTR__COUNT }, { dom_guidance_names, GUIDE__COUNT },
		{ dom_side_names, SIDE__COUNT }, { dom_seriousness_names, SER__COUNT },
		{ dom_relatedness_names, REL__COUNT }, { dom_stem_source_names, STEM__COUNT },
		{ dom_activation_names, ACT__COUNT }, { dom_contraindication_names, CI__COUNT },
	};
	for (size_t t = 0; t < sizeof v / sizeof v[0]; t++)
		for (int i = 0; i < v[t].n; i++) {
			const char *s = v[t].names[i];
			assert_non_null(s);
			assert_true(s[0] != '\0');
			assert_int_equal(dom_lookup(v[t].names, v[t].n, s, strlen(s)), i);
		}
	/* Contraindications are bits of a uint32_t. */
	assert_true(CI__COUNT <= 32);

	char out[64];
	dom_list(dom_side_names, SIDE__COUNT, out, sizeof out);
	assert_string_equal(out, "left|right|bilateral|midline");
	/* Truncation keeps the buffer terminated and inside its size. */
	char small[9];
	memset(small, 'X', sizeof small);
	dom_list(dom_side_names, SIDE__COUNT, small, 8);
	assert_true(memchr(small, '\0', 8) != NULL);
	assert_int_equal(small[8], 'X');
	assert_int_equal(strncmp(small, "left|ri", 7), 0);
	char none = 'X';
	dom_list(dom_side_names, SIDE__COUNT, &none, 0);
	assert_int_equal(none, 'X');
	dom_list(dom_side_names, 0, out, sizeof out);
	assert_string_equal(out, "");
}

static void status_helpers(void **state)
{
	(void)state;
	/* Ended: every state but planned and active. Completed (for outcome
	 * statistics): completed and goal_reached only. */
	static const struct { enum course_status s; bool ended, completed; } want[] = {
		{ CS_PLANNED, false, false },
		{ CS_ACTIVE, false, false },
		{ CS_COMPLETED, true, true },
		{ CS_GOAL_REACHED, true, true },
		{ CS_DROPPED, true, false },
		{ CS_STOPPED_ADVERSE_EVENT, true, false },
		{ CS_STOPPED_NO_IMPROVEMENT, true, false },
	};
	assert_int_equal(sizeof want / sizeof want[0], CS__COUNT);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (dom_status_ended(want[i].s) != want[i].ended)
			fail_msg("ended(%s)", dom_status_names[want[i].s]);
		if (dom_status_completed(want[i].s) != want[i].completed)
			fail_msg("completed(%s)", dom_status_names[want[i].s]);
		/* A completed course has ended. */
		assert_true(!dom_status_completed(want[i].s) || dom_status_ended(want[i].s));
	}
}

static void prp_labels_need_figures(void **state)
{
	(void)state;
	char out[16];
	/* Labels are derived from figures, never guessed: "" when a figure the
	 * classification needs is missing. */
	memset(out, 'X', sizeof out);
	dom_prp_paw(NAN, 200, 5, 6, false, out, sizeof out);
	assert_string_equal(out, "");
	memset(out, 'X', sizeof out);
	dom_prp_paw(1000, NAN, 5, 6, false, out, sizeof out);
	assert_string_equal(out, "");
	memset(out, 'X', sizeof out);
	dom_prp_mishra(1000, 200, NAN, 6, false, out, sizeof out);
	assert_string_equal(out, "");
	memset(out, 'X', sizeof out);
	dom_prp_mishra(1000, 200, 5, NAN, false, out, sizeof out);
	assert_string_equal(out, "");
	/* Mishra: leukocyte-rich (above whole blood) 1/2, poor 3/4; activated
	 * 2/4; A at >= 5x the baseline platelets, B below. */
	dom_prp_mishra(1000, 200, 12, 6, false, out, sizeof out);
	assert_string_equal(out, "1A");
	dom_prp_mishra(999, 200, 12, 6, true, out, sizeof out);
	assert_string_equal(out, "2B");
	dom_prp_mishra(1000, 200, 3, 6, false, out, sizeof out);
	assert_string_equal(out, "3A");
	dom_prp_mishra(400, 200, 3, 6, true, out, sizeof out);
	assert_string_equal(out, "4B");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_known_day_numbers),
		cmocka_unit_test(dates_every_day_round_trips),
		cmocka_unit_test(dates_outside_the_parse_range_still_convert),
		cmocka_unit_test(dates_invalid_are_rejected),
		cmocka_unit_test(ids),
		cmocka_unit_test(parse_long),
		cmocka_unit_test(parse_double),
		cmocka_unit_test(utf8),
		cmocka_unit_test(lookup_and_list),
		cmocka_unit_test(status_helpers),
		cmocka_unit_test(prp_labels_need_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
