/* The common-password list built into prolo: it holds every entry of
 * src/security/common-passwords.txt (lowered, once), sorted for the binary
 * search; the check finds entries whatever their case and with digits or
 * punctuation added around them, and leaves passphrases alone. The rule
 * that uses it (app_password_rule) names the field at fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "security/auth.h"

static void test_list_is_the_file(void **state)
{
	(void)state;
	size_t n = auth_common_password_count();
	assert_true(n > 3000);
	for (size_t i = 1; i < n; i++)
		if (strcmp(auth_common_password_at(i - 1), auth_common_password_at(i)) >= 0)
			fail_msg("not sorted at %zu: '%s' then '%s'", i, auth_common_password_at(i - 1),
			         auth_common_password_at(i));
	assert_null(auth_common_password_at(n));
	const char *top = getenv("TOP");
	char path[512], line[512];
	snprintf(path, sizeof path, "%s/src/security/common-passwords.txt", top ? top : ".");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t entries = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		entries++;
		for (char *p = line; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(auth_common_password_at(mid), line);
			if (c == 0)
				lo = hi = mid + 1;
			else if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0 || strcmp(auth_common_password_at(lo - 1), line) != 0)
			fail_msg("'%s' of the file is not in the built-in list", line);
	}
	fclose(f);
	assert_true(entries >= n);
}

static void test_check(void **state)
{
	(void)state;
	static const char *const common[] = { "password", "PASSWORD", "Password1", "1234567890", "qwertyuiop",
	                                      "monkey12345", "!!Dragon2024", "prolotherapy", "Password2024!",
	                                      "iloveyou 123", "1q2w3e4r5t" };
	static const char *const fine[] = { "correct horse battery", "a calm lake at noon", "x7#Kq!zP0v", "yyyyyyyyyy",
	                                    "monkey-business-at-9", "" };
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		if (!auth_password_common(common[i]))
			fail_msg("'%s' is not found common", common[i]);
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
		if (auth_password_common(fine[i]))
			fail_msg("'%s' is found common", fine[i]);
	char big[AUTH_MAX_PASSWORD + 8];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(auth_password_common(big));
}

static void test_rule(void **state)
{
	(void)state;
	struct prolo_err err;
	assert_int_equal(app_password_rule("correct horse battery", "nina", "password", &err), PROLO_OK);
	assert_int_equal(app_password_rule("short", "nina", "new_password", &err), PROLO_EINVAL);
	assert_string_equal(err.field, "new_password");
	assert_int_equal(app_password_rule("Qwertyuiop1", "nina", "password", &err), PROLO_EINVAL);
	assert_string_equal(err.field, "password");
	assert_non_null(strstr(err.msg, "common"));
	assert_int_equal(app_password_rule("Receptionist", "receptionist", "password", &err), PROLO_EINVAL);
	assert_non_null(strstr(err.msg, "user name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_is_the_file),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
