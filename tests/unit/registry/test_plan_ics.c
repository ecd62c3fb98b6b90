/* iCalendar rendering: TEXT escaping, folding at 75 octets that never
 * splits a UTF-8 character, CRLF, and the remaining sessions of a course. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/domain.h"
#include "registry/ics.h"

static void escapes(void **state)
{
	struct buf b = { 0 };
	assert_int_equal(ics_line(&b, "SUMMARY", "a,b;c\\d\ne\r", true), PROLO_OK);
	assert_string_equal(buf_str(&b), "SUMMARY:a\\,b\\;c\\\\d\\ne\r\n");
	buf_reset(&b);
	assert_int_equal(ics_line(&b, "DTSTART;VALUE=DATE", "20240301", false), PROLO_OK);
	assert_string_equal(buf_str(&b), "DTSTART;VALUE=DATE:20240301\r\n");
	buf_free(&b);
}

static void folds(void **state)
{
	char v[300];
	/* 2-byte characters: "é" x 140 */
	for (int i = 0; i < 140; i++)
		memcpy(v + 2 * i, "\xC3\xA9", 2);
	v[280] = '\0';
	struct buf b = { 0 };
	assert_int_equal(ics_line(&b, "DESCRIPTION", v, true), PROLO_OK);
	const char *s = buf_str(&b);
	size_t total = 0, lines = 0;
	for (const char *p = s; *p;) {
		const char *e = strstr(p, "\r\n");
		assert_non_null(e);
		size_t n = (size_t)(e - p);
		assert_true(n <= 75);
		if (lines)
			assert_int_equal(p[0], ' ');
		/* never starts inside a character: a continuation byte follows the space */
		const char *q = lines ? p + 1 : p;
		assert_false(((unsigned char)q[0] & 0xC0) == 0x80);
		total += n - (lines ? 1 : 0);
		lines++;
		p = e + 2;
	}
	assert_int_equal(total, strlen("DESCRIPTION:") + 280);
	assert_true(lines >= 4);
	/* exactly 75 octets: no fold */
	buf_reset(&b);
	char w[80];
	memset(w, 'x', 75 - 4);
	w[71] = '\0';
	assert_int_equal(ics_line(&b, "UID", w, false), PROLO_OK);
	assert_int_equal(b.len, 77);
	buf_reset(&b);
	w[71] = 'x';
	w[72] = '\0';
	assert_int_equal(ics_line(&b, "UID", w, false), PROLO_OK);
	assert_int_equal(b.len, 75 + 2 + 1 + 1 + 2);
	buf_free(&b);
}

static void remaining_sessions(void **state)
{
	int32_t sno[2] = { 1, 2 }, sdate[2];
	sdate[0] = dom_days_from_civil(2024, 3, 1);
	sdate[1] = dom_days_from_civil(2024, 3, 16);
	struct course_rows c = { .course_id = "K1", .patient_id = "P1", .clinic = "C01", .modality = MOD_PRP,
		                     .condition_name = "knee_oa", .status = CS_ACTIVE, .start_date = sdate[0],
		                     .planned_sessions = 4, .interval_days = 7, .protocol = "",
		                     .n_sessions = 2, .sess_no = sno, .sess_date = sdate };
	struct ics_event ev[8];
	assert_int_equal(ics_course_sessions(&c, NULL, ev, 8), 2);
	assert_string_equal(ev[0].uid, "K1-3@prolo");
	assert_int_equal(ev[0].date, sdate[1] + 7);
	assert_string_equal(ev[1].uid, "K1-4@prolo");
	assert_int_equal(ev[1].date, sdate[1] + 14);
	assert_int_equal(ics_course_sessions(&c, NULL, ev, 1), 1);
	c.status = CS_COMPLETED;
	assert_int_equal(ics_course_sessions(&c, NULL, ev, 8), 0);
	c.status = CS_PLANNED;
	c.interval_days = 0;
	assert_int_equal(ics_course_sessions(&c, NULL, ev, 8), 0);
	struct buf b = { 0 };
	assert_int_equal(ics_render(ev, 0, "20240101T000000Z", &b), PROLO_OK);
	assert_non_null(strstr(buf_str(&b), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	assert_non_null(strstr(buf_str(&b), "END:VCALENDAR\r\n"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes),
		cmocka_unit_test(folds),
		cmocka_unit_test(remaining_sessions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
