/* The chart cache: a hit only for the same patient at the same data
 * version, every entry dropped when the version moves, the byte budget
 * kept, version 0 (unknown) never cached, and no cache at all when its
 * size is 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/chart_cache.h"

static bool get(struct chart_cache *c, const char *key, uint64_t v, char *out, size_t outsz)
{
	struct buf b;
	buf_init(&b, 0);
	char clinic[16] = "unset";
	int32_t tag = 0;
	bool hit = chart_cache_get(c, key, v, &b, clinic, sizeof clinic, &tag);
	if (hit)
		snprintf(out, outsz, "%s|%s", clinic, buf_str(&b));
	else
		snprintf(out, outsz, "%s", buf_str(&b));
	if (!hit && strcmp(clinic, "unset") != 0)
		fail_msg("a miss wrote the clinic");
	buf_free(&b);
	return hit;
}

static void put(struct chart_cache *c, const char *key, uint64_t v, const char *body)
{
	chart_cache_put(c, key, key[0] == 'P' ? "C01" : "C02", 1, v, body, strlen(body));
}

static void hits_only_at_the_same_version(void **state)
{
	(void)state;
	struct chart_cache *c = chart_cache_new(1 << 20);
	char out[64];
	assert_non_null(c);
	assert_false(get(c, "P1", 7, out, sizeof out));
	put(c, "P1", 7, "{\"p\":1}");
	put(c, "P2", 7, "{\"p\":2}");
	assert_true(get(c, "P1", 7, out, sizeof out));
	assert_string_equal(out, "C01|{\"p\":1}");
	assert_true(get(c, "P2", 7, out, sizeof out));
	assert_string_equal(out, "C01|{\"p\":2}");
	assert_false(get(c, "P3", 7, out, sizeof out));
	assert_false(get(c, "P", 7, out, sizeof out));
	/* The registry changed: nothing rendered before is served. */
	assert_false(get(c, "P1", 8, out, sizeof out));
	put(c, "P1", 8, "{\"p\":\"new\"}");
	assert_true(get(c, "P1", 8, out, sizeof out));
	assert_string_equal(out, "C01|{\"p\":\"new\"}");
	assert_false(get(c, "P2", 8, out, sizeof out));
	assert_false(get(c, "P2", 7, out, sizeof out)); /* dropped, not kept for later */
	/* Unknown version: never cached. */
	put(c, "P9", 0, "{}");
	assert_false(get(c, "P9", 0, out, sizeof out));
	chart_cache_free(c);
}

static void keeps_its_budget(void **state)
{
	(void)state;
	char body[1000], key[16], out[8];
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	struct chart_cache *c = chart_cache_new(10000);
	put(c, "BIG", 1, "");
	char big[3000];
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put(c, "BIG", 2, big); /* more than a quarter of the budget: not kept */
	assert_false(get(c, "BIG", 2, out, sizeof out));
	for (int i = 0; i < 12; i++) {
		snprintf(key, sizeof key, "K%d", i);
		put(c, key, 2, body);
	}
	/* 10 bodies fit; the 11th emptied the cache and started again. */
	int hits = 0;
	for (int i = 0; i < 12; i++) {
		snprintf(key, sizeof key, "K%d", i);
		hits += get(c, key, 2, out, sizeof out);
	}
	assert_int_equal(hits, 2);
	assert_true(get(c, "K11", 2, out, sizeof out));
	/* Many small entries: the table never fills past half. */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "S%d", i);
		put(c, key, 3, "{}");
	}
	assert_true(get(c, "S4999", 3, out, sizeof out));
	chart_cache_free(c);
}

static void size_zero_is_no_cache(void **state)
{
	(void)state;
	char out[8];
	struct chart_cache *c = chart_cache_new(0);
	assert_null(c);
	put(c, "P1", 1, "{}");
	assert_false(get(c, "P1", 1, out, sizeof out));
	chart_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hits_only_at_the_same_version),
		cmocka_unit_test(keeps_its_budget),
		cmocka_unit_test(size_zero_is_no_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
