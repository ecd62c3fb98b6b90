/* Time zones (core/tz.h) against the C library: for every hour of years
 * inside the zone files' listed changes (2026) and past them (2040, where
 * the footer's rule decides), in a northern and a southern daylight-saving
 * zone and one without, the offset must equal localtime_r's tm_gmtoff with
 * TZ set (this test is single-threaded, so setting TZ is safe here). Then
 * the daylight-saving edges of a booking in Europe/Berlin: the skipped hour
 * of 2026-03-29 and the doubled one of 2026-10-25, checked against known
 * instants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/domain.h"
#include "core/tz.h"

static struct tz_zone *load(const char *name)
{
	struct tz_zone *z = NULL;
	struct prolo_err err = { 0 };
	assert_int_equal(tz_load(name, "tz", &z, &err), PROLO_OK);
	assert_non_null(z);
	return z;
}

static void offsets_match_libc(void **state)
{
	(void)state;
	static const char *const zones[] = { "Europe/Berlin", "America/New_York", "Australia/Sydney",
	                                     "Asia/Kolkata", "UTC" };
	static const int years[] = { 2026, 2040 };
	for (size_t zi = 0; zi < sizeof zones / sizeof zones[0]; zi++) {
		struct tz_zone *z = load(zones[zi]);
		setenv("TZ", zones[zi], 1);
		tzset();
		for (size_t yi = 0; yi < 2; yi++) {
			int64_t from = (int64_t)dom_days_from_civil(years[yi], 1, 1) * 86400;
			int64_t to = (int64_t)dom_days_from_civil(years[yi] + 1, 1, 1) * 86400;
			for (int64_t t = from; t < to; t += 1800) {
				time_t tt = (time_t)t;
				struct tm tm;
				localtime_r(&tt, &tm);
				if (tz_offset_at(z, t) != (int32_t)tm.tm_gmtoff) {
					fprintf(stderr, "%s at %lld: %d, libc %ld\n", zones[zi], (long long)t, tz_offset_at(z, t),
					        (long)tm.tm_gmtoff);
					fail();
				}
				/* and back: a local time that exists maps to its instant */
				int32_t d;
				int m;
				tz_utc_to_local(z, t, &d, &m);
				assert_int_equal(m, tm.tm_hour * 60 + tm.tm_min);
				assert_int_equal(d, dom_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
				int64_t back;
				enum tz_local k = tz_local_to_utc(z, d, m, &back);
				assert_true(k == TZ_LOCAL_OK || k == TZ_LOCAL_TWICE);
				if (k == TZ_LOCAL_OK)
					assert_true(back == t);
			}
		}
		tz_free(z);
	}
	unsetenv("TZ");
	tzset();
}

#define D(y, m, d) dom_days_from_civil(y, m, d)
#define AT(y, mo, d, h, mi) ((int64_t)D(y, mo, d) * 86400 + (h) * 3600 + (mi) * 60)

static void berlin_daylight_saving_edges(void **state)
{
	(void)state;
	struct tz_zone *z = load("Europe/Berlin");
	int64_t u;
	/* the day before: CET, UTC+1 */
	assert_int_equal(tz_local_to_utc(z, D(2026, 3, 28), 10 * 60 + 30, &u), TZ_LOCAL_OK);
	assert_true(u == AT(2026, 3, 28, 9, 30));
	/* 02:00..02:59 on 2026-03-29 do not exist */
	assert_int_equal(tz_local_to_utc(z, D(2026, 3, 29), 2 * 60 + 30, &u), TZ_LOCAL_GAP);
	assert_int_equal(tz_local_to_utc(z, D(2026, 3, 29), 1 * 60 + 59, &u), TZ_LOCAL_OK);
	assert_true(u == AT(2026, 3, 29, 0, 59));
	assert_int_equal(tz_local_to_utc(z, D(2026, 3, 29), 3 * 60, &u), TZ_LOCAL_OK);
	assert_true(u == AT(2026, 3, 29, 1, 0));
	/* the same 10:30 a week later is an hour earlier in UTC */
	assert_int_equal(tz_local_to_utc(z, D(2026, 4, 4), 10 * 60 + 30, &u), TZ_LOCAL_OK);
	assert_true(u == AT(2026, 4, 4, 8, 30));
	/* 02:30 on 2026-10-25 happens twice: the earlier (CEST) is taken */
	assert_int_equal(tz_local_to_utc(z, D(2026, 10, 25), 2 * 60 + 30, &u), TZ_LOCAL_TWICE);
	assert_true(u == AT(2026, 10, 25, 0, 30));
	assert_int_equal(tz_local_to_utc(z, D(2026, 10, 26), 10 * 60 + 30, &u), TZ_LOCAL_OK);
	assert_true(u == AT(2026, 10, 26, 9, 30));
	/* past the file's listed changes, the footer's rule: 2040-03-25 */
	assert_int_equal(tz_local_to_utc(z, D(2040, 3, 25), 2 * 60 + 30, &u), TZ_LOCAL_GAP);
	tz_free(z);
}

static void names_and_minutes(void **state)
{
	(void)state;
	assert_true(tz_name_valid("Europe/Berlin"));
	assert_true(tz_name_valid("Etc/GMT+5"));
	assert_false(tz_name_valid("../etc/passwd"));
	assert_false(tz_name_valid("/etc/passwd"));
	assert_false(tz_name_valid(""));
	assert_false(tz_name_valid("Europe/Ber lin"));
	struct tz_zone *z = NULL;
	struct prolo_err err = { 0 };
	assert_int_equal(tz_load("Mars/Olympus", "tz", &z, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "tz");
	assert_null(z);
	assert_int_equal(tz_load("zone.tab", "tz", &z, &err), PROLO_EINVAL);
	assert_int_equal(tz_minute_parse("00:00"), 0);
	assert_int_equal(tz_minute_parse("23:59"), 1439);
	assert_int_equal(tz_minute_parse("24:00"), -1);
	assert_int_equal(tz_minute_parse("9:30"), -1);
	assert_int_equal(tz_minute_parse("09:60"), -1);
	char b[6];
	tz_minute_format(9 * 60 + 5, b);
	assert_string_equal(b, "09:05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offsets_match_libc),
		cmocka_unit_test(berlin_daylight_saving_edges),
		cmocka_unit_test(names_and_minutes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
