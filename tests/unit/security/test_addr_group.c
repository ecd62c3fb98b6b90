/* The address group the SMS receipt throttle counts by (auth_addr_group):
 * an IPv6 address's /64 in canonical text, so the addresses of one /64
 * share one count, whatever their spelling; IPv4 and IPv4-mapped
 * addresses, and anything not an address, as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "security/auth.h"

static void same(const char *addr, const char *want)
{
	char out[64];
	auth_addr_group(addr, out, sizeof out);
	assert_string_equal(out, want);
}

static void ipv6_by_its_64(void **state)
{
	(void)state;
	same("2001:db8:1:2::1", "2001:db8:1:2::/64");
	same("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64");
	same("2001:0db8:0001:0002:ffff:0:0:1", "2001:db8:1:2::/64");
	same("2001:db8:1:3::1", "2001:db8:1:3::/64");
	same("::1", "::/64");
	same("fe80::1", "fe80::/64");
}

static void ipv4_and_others_as_they_are(void **state)
{
	(void)state;
	same("127.0.0.1", "127.0.0.1");
	same("192.0.2.10", "192.0.2.10");
	same("::ffff:192.0.2.10", "::ffff:192.0.2.10");
	same("", "");
	same("not an address", "not an address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv6_by_its_64),
		cmocka_unit_test(ipv4_and_others_as_they_are),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
