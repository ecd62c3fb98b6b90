/* The SMS interface's pure parts: the body from the template with
 * JSON-escaped values (a value cannot leave its string), the template's
 * check, the configuration's SMS keys (no header injection, the secret not
 * repeated in an error), the SMS text, and the fixed time of day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "outreach/message.h"
#include "outreach/outreach.h"

static void body_escapes(void **state)
{
	const char *nasty = "An\"na\\ \", \"x\": \"y\n\t\x01 {{to}} \xc3\xa4";
	struct buf b = { 0 };
	buf_init(&b, 1 << 16);
	struct prolo_err err = { 0 };
	assert_int_equal(outreach_sms_body(OUTREACH_SMS_BODY_DEFAULT, "+4915112345678", "Clinic", nasty, "prolo-7",
	                                   &b, &err), PROLO_OK);
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 4); /* nothing added by a value */
	assert_string_equal(json_string_value(json_object_get(j, "text")), nasty);
	assert_string_equal(json_string_value(json_object_get(j, "to")), "+4915112345678");
	assert_string_equal(json_string_value(json_object_get(j, "reference")), "prolo-7");
	json_decref(j);
	buf_free(&b);
}

static void template_check(void **state)
{
	struct prolo_err err = { 0 };
	assert_int_equal(outreach_sms_template_check(OUTREACH_SMS_BODY_DEFAULT, &err), PROLO_OK);
	assert_int_equal(outreach_sms_template_check("{\"m\": {\"t\": \"{{text}}\"}, \"n\": [\"{{to}}\"]}", &err),
	                 PROLO_OK);
	assert_int_equal(outreach_sms_template_check("{\"to\": {{to}}}", &err), PROLO_EINVAL);
	assert_int_equal(outreach_sms_template_check("{\"to\": \"{{phone}}\"}", &err), PROLO_EINVAL);
	assert_non_null(strstr(err.msg, "placeholder"));
	assert_int_equal(outreach_sms_template_check("\"{{text}}\"", &err), PROLO_EINVAL); /* not an object */
	assert_int_equal(outreach_sms_template_check("{\"to\": \"{{to}}\"", &err), PROLO_EINVAL);
}

static void config_keys(void **state)
{
	struct outreach_config c;
	struct prolo_err err = { 0 };
	outreach_config_defaults(&c);
	const char ok[] = "sms_url = https://sms.example/v1/send\n"
	                  "sms_header = Authorization: Bearer TOPSECRET\n"
	                  "sms_from = Clinic\n"
	                  "sms_body = {\"to\": \"{{to}}\", \"text\": \"{{text}}\"}\n";
	assert_int_equal(outreach_config_parse(ok, strlen(ok), "t.conf", &c, &err), PROLO_OK);
	assert_string_equal(c.sms_header, "Authorization: Bearer TOPSECRET");
	assert_string_equal(c.sms_url, "https://sms.example/v1/send");
	/* A second header smuggled in with a CR, a name that is not one. */
	const char *bad[] = { "sms_header = Authorization: Bearer TOPSECRET\rX-Evil: 1\n",
	                      "sms_header = Author ization: TOPSECRET\n", "sms_header = TOPSECRET\n",
	                      "sms_url = ftp://sms.example/\n", "sms_url = https://user:TOPSECRET@sms.example/\n",
	                      "sms_body = {\"to\": {{to}}}\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		outreach_config_defaults(&c);
		err = (struct prolo_err){ 0 };
		assert_int_equal(outreach_config_parse(bad[i], strlen(bad[i]), "t.conf", &c, &err), PROLO_EINVAL);
		assert_null(strstr(err.msg, "TOPSECRET"));
		assert_non_null(strstr(err.msg, "t.conf:1: sms_"));
	}
	/* The rate limit goes up to 60000 a minute. */
	const char rate[] = "rate_per_minute = 60000\n";
	outreach_config_defaults(&c);
	assert_int_equal(outreach_config_parse(rate, strlen(rate), "t.conf", &c, &err), PROLO_OK);
	assert_int_equal(c.rate_per_minute, 60000);
}

static void sms_text(void **state)
{
	struct outreach_msg m = { .first_name = "Anna\r\nX", .clinic_name = "Pain Clinic", .step = 1, .n_links = 2,
	                          .links = { "https://c.example/q/aaa", "https://c.example/q/bbb" },
	                          .optout_url = "https://c.example/optout/ccc" };
	struct buf b = { 0 };
	buf_init(&b, 1 << 16);
	struct prolo_err err = { 0 };
	assert_int_equal(outreach_sms_text(&m, &b, &err), PROLO_OK);
	assert_int_equal(buf_add(&b, "", 1), PROLO_OK);
	const char *s = b.data;
	for (const char *p = s; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_non_null(strstr(s, "Dear Anna  X, a reminder from Pain Clinic"));
	assert_non_null(strstr(s, " https://c.example/q/aaa https://c.example/q/bbb"));
	assert_non_null(strstr(s, "Stop these messages: https://c.example/optout/ccc"));
	buf_free(&b);
}

static void time_of_day(void **state)
{
	setenv("PROLO_TIME", "23:30", 1);
	assert_int_equal(clock_local_minute(0), 23 * 60 + 30);
	setenv("PROLO_TIME", "24:00", 1); /* not a time: the clock's own */
	int m = clock_local_minute(0);
	assert_true(m >= 0 && m < 1440);
	unsetenv("PROLO_TIME");
	struct outreach_config c;
	outreach_config_defaults(&c);
	c.quiet_from = 22 * 60;
	c.quiet_to = 7 * 60;
	assert_true(outreach_quiet(&c, 23 * 60 + 30));
	assert_true(outreach_quiet(&c, 6 * 60 + 59));
	assert_false(outreach_quiet(&c, 7 * 60));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(body_escapes), cmocka_unit_test(template_check), cmocka_unit_test(config_keys),
		cmocka_unit_test(sms_text),     cmocka_unit_test(time_of_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
