/* Follow-up rules with plain arrays: the plan from a protocol and the
 * defaults, a time point's status and next step, reminders; the contact
 * checks (including header injection) and the message's content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/contact.h"
#include "core/domain.h"
#include "outreach/message.h"
#include "registry/followup.h"

static const int32_t START = 20000;

static void plan_defaults(void **state)
{
	struct fu_plan pl;
	followup_plan(NULL, "low_back_pain", START, &pl);
	assert_int_equal(pl.n, 3);
	assert_false(pl.from_protocol);
	assert_int_equal(pl.pts[0].due, START + 91);
	assert_int_equal(pl.pts[1].due, START + 182);
	assert_int_equal(pl.pts[2].due, START + 365);
	assert_int_equal(pl.pts[2].window_end, START + 365 + FU_DEFAULT_WINDOW_DAYS);
	assert_int_equal(pl.pts[0].instruments, (1u << INSTR_NRS) | (1u << INSTR_ODI));
	assert_int_equal(followup_default_instruments("neck_pain"), (1u << INSTR_NRS) | (1u << INSTR_NDI));
	assert_int_equal(followup_default_instruments("knee_oa"), (1u << INSTR_NRS) | (1u << INSTR_WOMAC));
	assert_int_equal(followup_default_instruments("tendinopathy"), (1u << INSTR_NRS) | (1u << INSTR_QUICKDASH));
	assert_int_equal(followup_default_instruments("ligament_sprain"), 1u << INSTR_NRS);
	assert_int_equal(followup_default_instruments("my_own"), 1u << INSTR_NRS);
}

static void plan_protocol(void **state)
{
	struct protocol p;
	memset(&p, 0, sizeof p);
	p.followup_window_days = 10;
	p.followups[0] = (struct proto_followup){ 0, (1u << INSTR_NRS) | (1u << INSTR_ODI) };
	p.followups[1] = (struct proto_followup){ 84, 1u << INSTR_ODI };
	p.followups[2] = (struct proto_followup){ 182, (1u << INSTR_NRS) | (1u << INSTR_ODI) };
	p.n_followups = 3;
	struct fu_plan pl;
	followup_plan(&p, "low_back_pain", START, &pl);
	assert_true(pl.from_protocol);
	assert_int_equal(pl.n, 2); /* baseline left out */
	assert_int_equal(pl.pts[0].offset_days, 84);
	assert_int_equal(pl.pts[0].window_start, START + 74);
	assert_int_equal(pl.pts[0].instruments, (1u << INSTR_NRS) | (1u << INSTR_ODI)); /* NRS always */
	/* Only a baseline: the defaults. */
	p.n_followups = 1;
	followup_plan(&p, "knee_oa", START, &pl);
	assert_false(pl.from_protocol);
	assert_int_equal(pl.n, 3);
}

static void status_and_next(void **state)
{
	struct fu_plan pl;
	followup_plan(NULL, "neck_pain", START, &pl);
	const struct fu_point *pt = &pl.pts[0];
	struct fu_reminders r;
	followup_reminders_default(&r);
	struct fu_sent none = { 0, DOM_DATE_NONE, DOM_DATE_NONE };
	int step = -1;
	/* before the due day */
	assert_int_equal(followup_status(pt, 0, true, &none, pt->due - 1), FU_UPCOMING);
	assert_int_equal(followup_next(pt, 0, true, &none, &r, pt->due - 1, &step), FU_NOTHING);
	/* due: the invitation */
	assert_int_equal(followup_next(pt, 0, true, &none, &r, pt->due, &step), FU_SEND);
	assert_int_equal(step, 0);
	/* not contactable: a phone task instead */
	assert_int_equal(followup_status(pt, 0, false, &none, pt->due), FU_NOT_CONTACTABLE);
	assert_int_equal(followup_next(pt, 0, false, &none, &r, pt->due, &step), FU_PHONE_TASK);
	/* invited: reminder 1 after 3 days, 2 after 7 */
	struct fu_sent s = { 1, pt->due, pt->due };
	assert_int_equal(followup_status(pt, 0, true, &s, pt->due + 1), FU_INVITED);
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->due + 2, &step), FU_NOTHING);
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->due + 3, &step), FU_SEND);
	assert_int_equal(step, 1);
	s = (struct fu_sent){ 2, pt->due, pt->due + 3 };
	assert_int_equal(followup_status(pt, 0, true, &s, pt->due + 4), FU_REMINDED);
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->due + 6, &step), FU_NOTHING);
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->due + 7, &step), FU_SEND);
	assert_int_equal(step, 2);
	/* after the last reminder: a phone task 3 days later */
	s = (struct fu_sent){ 3, pt->due, pt->due + 7 };
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->due + 9, &step), FU_NOTHING);
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->due + 10, &step), FU_PHONE_TASK);
	/* partly answered is not answered; all instruments is */
	int32_t d[2] = { pt->due + 1, pt->due + 1 };
	uint8_t in[2] = { INSTR_NRS, INSTR_NDI };
	uint32_t a = followup_answered(pt, d, in, 1);
	assert_int_equal(followup_status(pt, a, true, &s, pt->due + 2), FU_REMINDED);
	a = followup_answered(pt, d, in, 2);
	assert_int_equal(followup_status(pt, a, true, &s, pt->due + 2), FU_ANSWERED);
	assert_int_equal(followup_next(pt, a, true, &s, &r, pt->due + 10, &step), FU_NOTHING);
	/* an answer outside the window does not count */
	int32_t far[2] = { pt->window_start - 1, pt->window_end + 1 };
	assert_int_equal(followup_answered(pt, far, in, 2), 0);
	/* window passed */
	assert_int_equal(followup_status(pt, 0, true, &s, pt->window_end + 1), FU_MISSED);
	assert_int_equal(followup_next(pt, 0, true, &s, &r, pt->window_end + 1, &step), FU_NOTHING);
	assert_string_equal(fu_status_names[FU_NOT_CONTACTABLE], "not_contactable");
}

static void reminders_parse(void **state)
{
	struct fu_reminders r;
	assert_true(followup_reminders_parse("3,7", &r));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.days[1], 7);
	assert_true(followup_reminders_parse("2, 5, 9", &r));
	assert_int_equal(r.n, 3);
	assert_true(followup_reminders_parse("none", &r));
	assert_int_equal(r.n, 0);
	assert_false(followup_reminders_parse("7,3", &r));
	assert_false(followup_reminders_parse("0", &r));
	assert_false(followup_reminders_parse("1,2,3,4,5", &r));
	assert_false(followup_reminders_parse("3;7", &r));
	assert_false(followup_reminders_parse("91", &r));
}

static void contact_checks(void **state)
{
	struct prolo_err err = { 0 };
	static const char *const good[] = { "anna@example.org", "a.b+tag@mail.example.co.uk", "x@y.de",
	                                    "o'neil@example.ie" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(contact_email_check(good[i], "email", &err), PROLO_OK);
	static const char *const bad[] = {
		"", "anna", "anna@", "@example.org", "anna@example", "anna@@example.org",
		"an na@example.org", ".anna@example.org", "anna.@example.org", "a..b@example.org",
		"anna@-example.org", "anna@example.1", "anna@example.org\r\nBcc: x@evil.org",
		"anna@example.org\nBcc: x@evil.org", "anna@example.org\r", "anna\"@example.org",
		"anna@exa_mple.org", "anna@example.org>", "<anna@example.org", "änna@example.org",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(contact_email_check(bad[i], "email", &err), PROLO_EINVAL);
		assert_string_equal(err.field, "email");
	}
	assert_int_equal(contact_mobile_check("+4915112345678", "mobile", &err), PROLO_OK);
	assert_int_equal(contact_mobile_check("+12025550123", "mobile", &err), PROLO_OK);
	static const char *const badm[] = { "", "015112345678", "+0151123456", "+49 151 1234567",
	                                    "+1234567", "+1234567890123456", "+49151\r\n1234" };
	for (size_t i = 0; i < sizeof badm / sizeof badm[0]; i++) {
		assert_int_equal(contact_mobile_check(badm[i], "mobile", &err), PROLO_EINVAL);
		assert_string_equal(err.field, "mobile");
	}
	assert_int_equal(contact_text_check("Dr. Müller", 100, "consent_by", &err), PROLO_OK);
	assert_int_equal(contact_text_check("x\r\nBcc: y", 100, "consent_by", &err), PROLO_EINVAL);
	assert_string_equal(err.field, "consent_by");
	char out[32];
	contact_clean("a\r\nb\tc", out, sizeof out);
	assert_string_equal(out, "a  b c");
}

/* The message: headers are ours alone, whatever the values; no health data. */
static void message_build(void **state)
{
	const char *links[2] = { "https://clinic.example/q/aaa", "https://clinic.example/q/bbb" };
	struct outreach_msg m = {
		.from = "clinic@example.org", .to = "anna@example.org",
		.first_name = "Anna\r\nBcc: evil@example.org", .clinic_name = "Clinic\nX-Evil: 1",
		.step = 0, .n_links = 2, .links = { links[0], links[1] },
		.optout_url = "https://clinic.example/optout/ccc", .message_id = "1.0.abc@prolo",
		.date = 1700000000,
	};
	struct buf b = { 0 };
	struct prolo_err err = { 0 };
	assert_int_equal(outreach_msg_build(&m, &b, &err), PROLO_OK);
	const char *s = buf_str(&b);
	/* Every line ends in CRLF; no bare CR or LF. */
	for (size_t i = 0; i < b.len; i++) {
		if (s[i] == '\n')
			assert_true(i > 0 && s[i - 1] == '\r');
		if (s[i] == '\r')
			assert_true(s[i + 1] == '\n');
	}
	/* The injected header never starts a line. */
	assert_null(strstr(s, "\r\nBcc:"));
	assert_null(strstr(s, "\r\nX-Evil:"));
	assert_non_null(strstr(s, "Dear Anna  Bcc: evil@example.org,"));
	assert_non_null(strstr(s, "\r\nList-Unsubscribe: <https://clinic.example/optout/ccc>\r\n"));
	assert_non_null(strstr(s, links[1]));
	buf_free(&b);
	/* A bad address is refused. */
	m.to = "anna@example.org\r\nBcc: x@y.org";
	b = (struct buf){ 0 };
	assert_int_equal(outreach_msg_build(&m, &b, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "to");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_defaults),   cmocka_unit_test(plan_protocol),
		cmocka_unit_test(status_and_next), cmocka_unit_test(reminders_parse),
		cmocka_unit_test(contact_checks),  cmocka_unit_test(message_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
