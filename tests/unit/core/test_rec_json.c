/* Records as JSON: rec_to_json (CLI, API responses) and the streaming
 * hjson_put_fields (the chart) must write the same JSON, and what
 * rec_to_json writes rec_from_json reads back unchanged. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/rec_json.h"
#include "http/hjson.h"

static void set(enum rec_kind kind, void *rec, const char *field, const char *value)
{
	struct prolo_err err = { 0 };
	const struct field_def *f = rec_field(kind, field, strlen(field));
	assert_non_null(f);
	assert_int_equal(rec_set(kind, rec, f, value, strlen(value), &err), PROLO_OK);
}

/* Both writers on one record; the texts parsed and compared as JSON. */
static void same_json(enum rec_kind kind, const void *rec)
{
	json_t *tree = rec_to_json(kind, rec, false, false);
	assert_non_null(tree);
	struct buf b = { 0 };
	bool first = true;
	assert_int_equal(buf_addc(&b, '{'), PROLO_OK);
	assert_int_equal(hjson_put_fields(&b, &first, kind, rec), PROLO_OK);
	assert_int_equal(buf_addc(&b, '}'), PROLO_OK);
	json_error_t je;
	json_t *streamed = json_loads(buf_str(&b), JSON_REJECT_DUPLICATES, &je);
	if (!streamed)
		fail_msg("streamed JSON does not parse: %s in %s", je.text, buf_str(&b));
	if (!json_equal(tree, streamed)) {
		char *a = json_dumps(tree, JSON_SORT_KEYS);
		char *c = json_dumps(streamed, JSON_SORT_KEYS);
		fail_msg("writers differ:\n  rec_to_json:      %s\n  hjson_put_fields: %s", a, c);
	}
	/* And the JSON reads back into the same record. */
	void *again = test_malloc(rec_tables[kind].size);
	rec_init(kind, again);
	struct prolo_err err = { 0 };
	assert_int_equal(rec_from_json(kind, again, tree, NULL, &err), PROLO_OK);
	json_t *back = rec_to_json(kind, again, false, false);
	assert_true(json_equal(tree, back));
	json_decref(back);
	test_free(again);
	json_decref(streamed);
	json_decref(tree);
	buf_free(&b);
}

static void patient_with_flags_and_text(void **state)
{
	(void)state;
	struct patient p;
	rec_init(REC_PATIENT, &p);
	set(REC_PATIENT, &p, "patient_id", "P-1");
	set(REC_PATIENT, &p, "clinic", "C01");
	set(REC_PATIENT, &p, "sex", "female");
	set(REC_PATIENT, &p, "birth_year", "1961");
	set(REC_PATIENT, &p, "first_name", "Zoë \"Z\" \\ O'Neil");
	set(REC_PATIENT, &p, "notes", "line one\nline two\ttab");
	set(REC_PATIENT, &p, "contraindications", "nsaids_48h;cancer");
	same_json(REC_PATIENT, &p);
	rec_init(REC_PATIENT, &p); /* no flags, nothing optional */
	set(REC_PATIENT, &p, "patient_id", "P2");
	set(REC_PATIENT, &p, "clinic", "C01");
	set(REC_PATIENT, &p, "sex", "unknown");
	same_json(REC_PATIENT, &p);
}

static void session_with_reals(void **state)
{
	(void)state;
	struct session s;
	rec_init(REC_SESSION, &s);
	set(REC_SESSION, &s, "course_id", "K1");
	set(REC_SESSION, &s, "session_no", "3");
	set(REC_SESSION, &s, "date", "2025-02-28");
	set(REC_SESSION, &s, "proliferant", "prp");
	set(REC_SESSION, &s, "volume_ml", "4.25");
	set(REC_SESSION, &s, "prp_platelets", "1234.5");
	set(REC_SESSION, &s, "prp_platelets_baseline", "212.25");
	set(REC_SESSION, &s, "prp_activation", "thrombin");
	same_json(REC_SESSION, &s);
}

static void outcome_with_items(void **state)
{
	(void)state;
	struct outcome o;
	rec_init(REC_OUTCOME, &o);
	set(REC_OUTCOME, &o, "course_id", "K1");
	set(REC_OUTCOME, &o, "date", "2025-03-01");
	set(REC_OUTCOME, &o, "instrument", "ODI");
	set(REC_OUTCOME, &o, "score", "35.55555556");
	set(REC_OUTCOME, &o, "items", "1;2;;4;5;0;0;1;2;1");
	same_json(REC_OUTCOME, &o);
}

static void adverse_event(void **state)
{
	(void)state;
	struct adverse_event a;
	rec_init(REC_AE, &a);
	set(REC_AE, &a, "course_id", "K1");
	set(REC_AE, &a, "date", "2025-03-02");
	set(REC_AE, &a, "kind", "post_dural_puncture_headache");
	set(REC_AE, &a, "grade", "2");
	set(REC_AE, &a, "seq", "4");
	set(REC_AE, &a, "seriousness", "none");
	same_json(REC_AE, &a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(patient_with_flags_and_text),
		cmocka_unit_test(session_with_reals),
		cmocka_unit_test(outcome_with_items),
		cmocka_unit_test(adverse_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
