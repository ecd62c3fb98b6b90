/* The check of a clinic's instrument wording (core/instr_text.c): a good
 * file gives its canonical form and reads back; each fault is named by the
 * field the docs promise (docs/instruments.md, "Loading the wording"); the
 * description says where the wording comes from. The wordings here are
 * made up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/instr_text.h"

static const char good_nrs[] =
	"{\"instrument\":\"NRS\",\"version\":\"v1\",\"language\":\"de-CH\",\"licence\":\"made up\","
	"\"anchors\":{\"low\":\"kein\",\"high\":\"stark\"},\"items\":[{\"no\":1,\"text\":\"Made-up NRS text\"}],"
	"\"labels\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]}";

static void test_good(void **state)
{
	(void)state;
	enum instrument id = INSTR__COUNT;
	json_t *c = NULL;
	struct prolo_err err = { 0 };
	assert_int_equal(itext_parse(good_nrs, strlen(good_nrs), &id, &c, &err), PROLO_OK);
	assert_int_equal(id, INSTR_NRS);
	assert_string_equal(itext_item_text(c, 0), "Made-up NRS text");
	assert_null(itext_item_text(c, 1));
	assert_int_equal(json_array_size(itext_item_labels(c, 0)), 11);
	assert_string_equal(itext_text_or_shipped(INSTR_NRS, c, 0), "Made-up NRS text");
	json_t *d = itext_describe(INSTR_NRS, c);
	assert_string_equal(json_string_value(json_object_get(d, "wording_source")), "clinic");
	json_decref(d);
	json_decref(c);
	/* Without a clinic's wording: NRS's shipped text, WOMAC's none. */
	assert_non_null(itext_text_or_shipped(INSTR_NRS, NULL, 0));
	assert_null(itext_text_or_shipped(INSTR_WOMAC, NULL, 0));
	d = itext_describe(INSTR_WOMAC, NULL);
	assert_string_equal(json_string_value(json_object_get(d, "wording_source")), "none");
	assert_int_equal(json_array_size(json_object_get(d, "item_texts")), 24);
	assert_int_equal(json_array_size(json_object_get(d, "subscales")), 3);
	json_decref(d);
}

/* Expects PROLO_EINVAL naming field, a message holding want, no output. */
static void bad(const char *s, const char *field, const char *want)
{
	enum instrument id;
	json_t *c = (json_t *)1;
	struct prolo_err err = { 0 };
	assert_int_equal(itext_parse(s, strlen(s), &id, &c, &err), PROLO_EINVAL);
	assert_null(c);
	assert_string_equal(err.field, field);
	if (!strstr(err.msg, want))
		fail_msg("message '%s' lacks '%s'", err.msg, want);
}

static void test_bad(void **state)
{
	(void)state;
	bad("{\"instrument\":\"NRS\",", "line 1", "not JSON");
	bad("[1]", "file", "one JSON object");
	bad("{\"instrument\":\"NRS\",\"version\":\"v\",\"language\":\"en\",\"licence\":\"x\",\"items\":[]}", "items",
	    "the NRS has 1 items; the file gives 0");
	bad("{\"instrument\":\"NRS\",\"version\":\"v\",\"language\":\"en\",\"items\":[{\"no\":1,\"text\":\"t\"}]}",
	    "licence", "is required");
	bad("{\"instrument\":\"ODI\",\"version\":\"v\",\"language\":\"en\",\"licence\":\"x\",\"labels\":[\"a\"],"
	    "\"items\":[]}", "labels", "has 1 labels; ODI answers run from 0 to 5, so it needs 6");
	bad("{\"instrument\":\"NRS\",\"version\":\"v\",\"language\":\"en\",\"licence\":\"x\","
	    "\"items\":[{\"no\":2,\"text\":\"t\"}]}", "item 1", "no is 2");
	bad("{\"instrument\":\"NRS\",\"version\":\"v\",\"language\":\"en\",\"licence\":\"x\","
	    "\"items\":[{\"no\":1,\"text\":\"  \"}]}", "item 1", "text is empty");
	bad("{\"instrument\":\"NRS\",\"version\":\"v\",\"language\":\"e1\",\"licence\":\"x\",\"items\":[]}",
	    "language", "not a language tag");
	bad("{\"instrument\":\"NRS\",\"version\":\"v\",\"language\":\"en\",\"licence\":\"x\",\"anchors\":{\"low\":\"a\"},"
	    "\"items\":[]}", "anchors", "needs both low and high");
	bad("{\"instrument\":\"VAS\",\"version\":\"v\",\"language\":\"en\",\"licence\":\"x\",\"items\":"
	    "[{\"no\":1,\"text\":\"t\",\"labels\":[\"a\",\"b\"]}]}", "item 1", "give \"anchors\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
