/* The field tables of core/records.h: every field of every kind set from
 * text and printed back, empty = missing, the ranges and vocabularies
 * refused with the field named and the record left as it was, and the
 * record-level rules of rec_check naming the field at fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/records.h"

/* Large enough for any record. */
union any_rec {
	struct patient p;
	struct course c;
	struct session s;
	struct injection i;
	struct outcome o;
	struct adverse_event a;
};

static const struct field_def *field(enum rec_kind kind, const char *name)
{
	const struct field_def *f = rec_field(kind, name, strlen(name));
	if (!f)
		fail_msg("%s has no field %s", rec_tables[kind].name, name);
	return f;
}

static enum prolo_code try_set(enum rec_kind kind, void *rec, const char *name, const char *v,
                               struct prolo_err *err)
{
	prolo_err_clear(err);
	return rec_set(kind, rec, field(kind, name), v, strlen(v), err);
}

static void set(enum rec_kind kind, void *rec, const char *name, const char *v)
{
	struct prolo_err err;
	if (try_set(kind, rec, name, v, &err) != PROLO_OK)
		fail_msg("%s=%s refused: %s: %s", name, v, err.field, err.msg);
}

/* The field's text form, in a static buffer. */
static const char *fmt(enum rec_kind kind, const void *rec, const char *name)
{
	static char out[2048];
	struct buf b = { 0 };
	assert_int_equal(rec_format(rec, field(kind, name), &b), PROLO_OK);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

/* A value is refused with EINVAL, the field named, and the record intact. */
static void refused(enum rec_kind kind, void *rec, const char *name, const char *v)
{
	size_t size = rec_tables[kind].size;
	union any_rec before;
	memcpy(&before, rec, size);
	struct prolo_err err;
	enum prolo_code rc = try_set(kind, rec, name, v, &err);
	if (rc != PROLO_EINVAL)
		fail_msg("%s=%s gave %d, want EINVAL", name, v, rc);
	assert_string_equal(err.field, name);
	assert_int_equal(err.code, PROLO_EINVAL);
	assert_true(err.msg[0] != '\0');
	if (memcmp(&before, rec, size) != 0)
		fail_msg("%s=%s changed the record although it was refused", name, v);
}

static void check_fails_at(enum rec_kind kind, const void *rec, const char *want_field)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	enum prolo_code rc = rec_check(kind, rec, &err);
	if (rc != PROLO_EINVAL)
		fail_msg("rec_check gave %d, want EINVAL at %s", rc, want_field);
	assert_string_equal(err.field, want_field);
	assert_true(err.msg[0] != '\0');
}

static void check_ok(enum rec_kind kind, const void *rec)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	if (rec_check(kind, rec, &err) != PROLO_OK)
		fail_msg("rec_check refused: %s: %s", err.field, err.msg);
}

static void init_leaves_every_field_missing(void **state)
{
	(void)state;
	for (int k = 0; k < REC__COUNT; k++) {
		const struct rec_table *t = &rec_tables[k];
		assert_int_equal(t->kind, k);
		assert_true(t->size <= sizeof(union any_rec));
		union any_rec r;
		memset(&r, 0x5a, sizeof r); /* rec_init must not rely on zeroed memory */
		rec_init((enum rec_kind)k, &r);
		for (int i = 0; i < t->n_fields; i++) {
			const struct field_def *f = &t->fields[i];
			if (rec_has(&r, f))
				fail_msg("%s.%s holds a value after rec_init", t->name, f->name);
			assert_string_equal(fmt((enum rec_kind)k, &r, f->name), "");
			/* Every field is found by its own name, and only by it. */
			assert_ptr_equal(rec_field((enum rec_kind)k, f->name, strlen(f->name)), f);
			assert_null(rec_field((enum rec_kind)k, f->name, strlen(f->name) - 1));
		}
	}
	/* The documented missing values. */
	union any_rec r;
	rec_init(REC_PATIENT, &r);
	assert_int_equal(r.p.birth_year, REC_INT_NONE);
	assert_int_equal(r.p.sex, -1);
	assert_int_equal(r.p.contraindications, 0);
	rec_init(REC_COURSE, &r);
	assert_int_equal(r.c.start_date, DOM_DATE_NONE);
	rec_init(REC_SESSION, &r);
	assert_true(isnan(r.s.volume_ml));
	assert_null(rec_field(REC_PATIENT, "no_such", 7));
	assert_null(rec_field(REC_PATIENT, "", 0));
	/* A field of another kind is not this kind's. */
	assert_null(rec_field(REC_PATIENT, "course_id", 9));
}

static void every_kind_round_trips(void **state)
{
	(void)state;
	/* Canonical text of every field: set, then printed back unchanged. */
	static const struct { enum rec_kind kind; const char *name, *value; } v[] = {
		{ REC_PATIENT, "patient_id", "P-001" },
		{ REC_PATIENT, "clinic", "C01" },
		{ REC_PATIENT, "sex", "female" },
		{ REC_PATIENT, "birth_year", "1961" },
		{ REC_PATIENT, "first_name", "Zo\xc3\xab" },
		{ REC_PATIENT, "last_name", "O'Brien, Jr." },
		{ REC_PATIENT, "phone", "+44 20 7946 0000" },
		{ REC_PATIENT, "email", "zoe@example.org" },
		{ REC_PATIENT, "contraindications", "anticoagulants;pregnancy" },
		{ REC_PATIENT, "notes", "line one\nline\ttwo \"quoted\"" },
		{ REC_COURSE, "course_id", "K1" },
		{ REC_COURSE, "patient_id", "P-001" },
		{ REC_COURSE, "modality", "stem_cell" },
		{ REC_COURSE, "condition", "knee_oa" },
		{ REC_COURSE, "start_date", "2024-02-29" },
		{ REC_COURSE, "planned_sessions", "6" },
		{ REC_COURSE, "status", "stopped_no_improvement" },
		{ REC_COURSE, "protocol", "Hackett" },
		{ REC_COURSE, "interval_days", "28" },
		{ REC_COURSE, "end_date", "2024-06-01" },
		{ REC_COURSE, "end_reason", "no change in pain" },
		{ REC_COURSE, "stem_source", "adipose" },
		{ REC_COURSE, "override_reason", "benefit outweighs risk" },
		{ REC_COURSE, "override_by", "Dr Who" },
		{ REC_SESSION, "course_id", "K1" },
		{ REC_SESSION, "session_no", "3" },
		{ REC_SESSION, "date", "2024-03-28" },
		{ REC_SESSION, "proliferant", "prp" },
		{ REC_SESSION, "concentration_pct", "12.5" },
		{ REC_SESSION, "volume_ml", "0.01" },
		{ REC_SESSION, "anaesthetic", "lidocaine" },
		{ REC_SESSION, "anaesthetic_pct", "0.2" },
		{ REC_SESSION, "clinician", "Dr Who" },
		{ REC_SESSION, "prp_platelets", "1250" },
		{ REC_SESSION, "prp_platelets_baseline", "250" },
		{ REC_SESSION, "prp_leukocytes", "0.5" },
		{ REC_SESSION, "prp_leukocytes_baseline", "6.25" },
		{ REC_SESSION, "prp_rbc", "0" },
		{ REC_SESSION, "prp_activation", "calcium_chloride" },
		{ REC_SESSION, "prp_volume_ml", "4" },
		{ REC_SESSION, "notes", "ok" },
		{ REC_INJECTION, "course_id", "K1" },
		{ REC_INJECTION, "session_no", "3" },
		{ REC_INJECTION, "seq", "200" },
		{ REC_INJECTION, "site", "L5-S1 iliolumbar ligament" },
		{ REC_INJECTION, "side", "midline" },
		{ REC_INJECTION, "proliferant", "sodium_morrhuate" },
		{ REC_INJECTION, "concentration_pct", "5" },
		{ REC_INJECTION, "anaesthetic", "lidocaine" },
		{ REC_INJECTION, "anaesthetic_pct", "1" },
		{ REC_INJECTION, "volume_ml", "100" },
		{ REC_INJECTION, "guidance", "fluoroscopy" },
		{ REC_INJECTION, "lot", "LOT-42" },
		{ REC_OUTCOME, "course_id", "K1" },
		{ REC_OUTCOME, "date", "2024-12-31" },
		{ REC_OUTCOME, "instrument", "QuickDASH" },
		{ REC_OUTCOME, "score", "100" },
		{ REC_OUTCOME, "items", "3;2;;4" },
		{ REC_OUTCOME, "source", "patient" },
		{ REC_AE, "course_id", "K1" },
		{ REC_AE, "date", "2024-03-29" },
		{ REC_AE, "kind", "post_dural_puncture_headache" },
		{ REC_AE, "duration_days", "0" },
		{ REC_AE, "grade", "5" },
		{ REC_AE, "seq", "1" },
		{ REC_AE, "seriousness", "life_threatening" },
		{ REC_AE, "relatedness", "definite" },
		{ REC_AE, "session_no", "3" },
		{ REC_AE, "notes", "resolved" },
	};
	union any_rec recs[REC__COUNT];
	for (int k = 0; k < REC__COUNT; k++)
		rec_init((enum rec_kind)k, &recs[k]);
	int covered[REC__COUNT] = { 0 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		set(v[i].kind, &recs[v[i].kind], v[i].name, v[i].value);
		assert_true(rec_has(&recs[v[i].kind], field(v[i].kind, v[i].name)));
		covered[v[i].kind]++;
	}
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const char *got = fmt(v[i].kind, &recs[v[i].kind], v[i].name);
		if (strcmp(got, v[i].value) != 0)
			fail_msg("%s.%s: set '%s', printed '%s'", rec_tables[v[i].kind].name, v[i].name,
			         v[i].value, got);
	}
	/* The list above covers every field of every table. */
	for (int k = 0; k < REC__COUNT; k++)
		if (covered[k] != rec_tables[k].n_fields)
			fail_msg("%s: %d of %d fields tested", rec_tables[k].name, covered[k],
			         rec_tables[k].n_fields);
	/* And each full record passes its own checks. */
	for (int k = 0; k < REC__COUNT; k++)
		check_ok((enum rec_kind)k, &recs[k]);
}

static void typed_values_are_stored_as_typed(void **state)
{
	(void)state;
	union any_rec r;
	rec_init(REC_SESSION, &r);
	set(REC_SESSION, &r, "date", "1970-01-02");
	assert_int_equal(r.s.date, 1);
	set(REC_SESSION, &r, "proliferant", "saline");
	assert_int_equal(r.s.proliferant, PROL_SALINE);
	set(REC_SESSION, &r, "volume_ml", "1e1");
	assert_true(r.s.volume_ml == 10.0);
	/* Reals print as %.10g: no trailing zeros, ten significant digits. */
	assert_string_equal(fmt(REC_SESSION, &r, "volume_ml"), "10");
	set(REC_SESSION, &r, "concentration_pct", "14.0");
	assert_string_equal(fmt(REC_SESSION, &r, "concentration_pct"), "14");
	set(REC_SESSION, &r, "concentration_pct", "33.333333333333");
	assert_string_equal(fmt(REC_SESSION, &r, "concentration_pct"), "33.33333333");
	set(REC_SESSION, &r, "session_no", "+7");
	assert_int_equal(r.s.session_no, 7);
	assert_string_equal(fmt(REC_SESSION, &r, "session_no"), "7");

	/* Flags print in vocabulary order, each once. */
	rec_init(REC_PATIENT, &r);
	set(REC_PATIENT, &r, "contraindications", "cancer;anticoagulants;cancer");
	assert_int_equal(r.p.contraindications, (1u << CI_CANCER) | (1u << CI_ANTICOAGULANTS));
	assert_string_equal(fmt(REC_PATIENT, &r, "contraindications"), "anticoagulants;cancer");
	/* Empty items of a list are skipped; all empty is no flag at all. */
	set(REC_PATIENT, &r, "contraindications", ";nsaids_48h;;");
	assert_int_equal(r.p.contraindications, 1u << CI_NSAIDS_48H);
	set(REC_PATIENT, &r, "contraindications", ";;");
	assert_false(rec_has(&r, field(REC_PATIENT, "contraindications")));
	/* Every flag fits and prints. */
	char all[512] = "";
	size_t used = 0;
	for (int i = 0; i < CI__COUNT; i++)
		used += (size_t)snprintf(all + used, sizeof all - used, "%s%s", i ? ";" : "",
		                         dom_contraindication_names[i]);
	set(REC_PATIENT, &r, "contraindications", all);
	assert_int_equal(r.p.contraindications, (1u << CI__COUNT) - 1);
	assert_string_equal(fmt(REC_PATIENT, &r, "contraindications"), all);
}

static void empty_value_sets_missing(void **state)
{
	(void)state;
	union any_rec r;
	rec_init(REC_SESSION, &r);
	static const struct { const char *name, *value; } v[] = {
		{ "course_id", "K1" }, { "session_no", "2" }, { "date", "2024-01-01" },
		{ "proliferant", "dextrose" }, { "volume_ml", "3.5" }, { "clinician", "X" },
	};
	struct prolo_err err;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const struct field_def *f = field(REC_SESSION, v[i].name);
		set(REC_SESSION, &r, v[i].name, v[i].value);
		assert_true(rec_has(&r, f));
		assert_int_equal(rec_set(REC_SESSION, &r, f, "", 0, &err), PROLO_OK);
		assert_false(rec_has(&r, f));
		assert_string_equal(fmt(REC_SESSION, &r, v[i].name), "");
	}
	/* A real that is 0 or an int that is 0 is a value, not missing. */
	set(REC_SESSION, &r, "prp_rbc", "0");
	assert_true(rec_has(&r, field(REC_SESSION, "prp_rbc")));
	rec_init(REC_AE, &r);
	set(REC_AE, &r, "duration_days", "0");
	assert_true(rec_has(&r, field(REC_AE, "duration_days")));
	/* The first enum value (index 0) is a value too. */
	set(REC_AE, &r, "seriousness", "none");
	assert_true(rec_has(&r, field(REC_AE, "seriousness")));
	assert_string_equal(fmt(REC_AE, &r, "seriousness"), "none");
}

static void ranges_are_inclusive_and_enforced(void **state)
{
	(void)state;
	union any_rec r;
	rec_init(REC_PATIENT, &r);
	set(REC_PATIENT, &r, "birth_year", "1900");
	set(REC_PATIENT, &r, "birth_year", "2199");
	refused(REC_PATIENT, &r, "birth_year", "1899");
	refused(REC_PATIENT, &r, "birth_year", "2200");
	refused(REC_PATIENT, &r, "birth_year", "19.5");
	refused(REC_PATIENT, &r, "birth_year", "1950x");
	refused(REC_PATIENT, &r, "birth_year", " 1950");
	refused(REC_PATIENT, &r, "birth_year", "99999999999999999999999");
	assert_int_equal(r.p.birth_year, 2199);

	rec_init(REC_COURSE, &r);
	set(REC_COURSE, &r, "planned_sessions", "1");
	set(REC_COURSE, &r, "planned_sessions", "50");
	refused(REC_COURSE, &r, "planned_sessions", "0");
	refused(REC_COURSE, &r, "planned_sessions", "51");
	refused(REC_COURSE, &r, "planned_sessions", "-1");
	refused(REC_COURSE, &r, "interval_days", "0");
	refused(REC_COURSE, &r, "interval_days", "366");
	set(REC_COURSE, &r, "interval_days", "365");

	rec_init(REC_SESSION, &r);
	set(REC_SESSION, &r, "volume_ml", "0.01");
	set(REC_SESSION, &r, "volume_ml", "500");
	refused(REC_SESSION, &r, "volume_ml", "0");
	refused(REC_SESSION, &r, "volume_ml", "0.009");
	refused(REC_SESSION, &r, "volume_ml", "500.001");
	refused(REC_SESSION, &r, "volume_ml", "-1");
	refused(REC_SESSION, &r, "volume_ml", "nan");
	refused(REC_SESSION, &r, "volume_ml", "inf");
	refused(REC_SESSION, &r, "volume_ml", "1e400");
	refused(REC_SESSION, &r, "volume_ml", "3,5");
	refused(REC_SESSION, &r, "concentration_pct", "100.5");
	refused(REC_SESSION, &r, "anaesthetic_pct", "11");
	refused(REC_SESSION, &r, "prp_platelets_baseline", "0.5");
	refused(REC_SESSION, &r, "session_no", "0");
	refused(REC_SESSION, &r, "session_no", "1001");
	assert_true(r.s.volume_ml == 500);

	rec_init(REC_AE, &r);
	set(REC_AE, &r, "grade", "1");
	set(REC_AE, &r, "grade", "5");
	refused(REC_AE, &r, "grade", "0");
	refused(REC_AE, &r, "grade", "6");
	refused(REC_AE, &r, "duration_days", "-1");
	refused(REC_AE, &r, "duration_days", "3651");
	set(REC_AE, &r, "duration_days", "3650");

	rec_init(REC_OUTCOME, &r);
	set(REC_OUTCOME, &r, "score", "0");
	refused(REC_OUTCOME, &r, "score", "-0.5");
	refused(REC_OUTCOME, &r, "score", "100.01");
	assert_true(r.o.score == 0);
}

static void bad_values_name_their_field(void **state)
{
	(void)state;
	union any_rec r;
	rec_init(REC_PATIENT, &r);
	set(REC_PATIENT, &r, "sex", "male");
	/* Enums: exactly one of the names, case and padding included. */
	refused(REC_PATIENT, &r, "sex", "Male");
	refused(REC_PATIENT, &r, "sex", "m");
	refused(REC_PATIENT, &r, "sex", "male ");
	refused(REC_PATIENT, &r, "sex", "1");
	refused(REC_PATIENT, &r, "contraindications", "anticoagulants;warfarin");
	refused(REC_PATIENT, &r, "contraindications", "Pregnancy");
	assert_int_equal(r.p.sex, SEX_MALE);

	/* Ids: 1..64 of the id alphabet. */
	char id[80];
	memset(id, 'x', 64);
	id[64] = '\0';
	set(REC_PATIENT, &r, "patient_id", id);
	id[64] = 'x';
	id[65] = '\0';
	refused(REC_PATIENT, &r, "patient_id", id);
	refused(REC_PATIENT, &r, "patient_id", "P 1");
	refused(REC_PATIENT, &r, "clinic", "C/01");

	/* Text: at most size - 1 bytes, no control characters but \n and \t,
	 * valid UTF-8. */
	char name[REC_NAME_MAX + 1];
	memset(name, 'n', REC_NAME_MAX - 1);
	name[REC_NAME_MAX - 1] = '\0';
	set(REC_PATIENT, &r, "last_name", name);
	name[REC_NAME_MAX - 1] = 'n';
	name[REC_NAME_MAX] = '\0';
	refused(REC_PATIENT, &r, "last_name", name);
	refused(REC_PATIENT, &r, "first_name", "a\x01" "b");
	refused(REC_PATIENT, &r, "first_name", "a\x1b[31m");
	refused(REC_PATIENT, &r, "first_name", "caf\xe9");
	refused(REC_PATIENT, &r, "first_name", "\xc3");
	set(REC_PATIENT, &r, "notes", "tab\tand\nnewline");
	static char big[REC_TEXT_MAX + 1];
	memset(big, 'b', REC_TEXT_MAX);
	big[REC_TEXT_MAX] = '\0';
	refused(REC_PATIENT, &r, "notes", big);
	big[REC_TEXT_MAX - 1] = '\0';
	set(REC_PATIENT, &r, "notes", big);
	assert_int_equal(strlen(r.p.notes), REC_TEXT_MAX - 1);

	/* Dates. */
	rec_init(REC_COURSE, &r);
	set(REC_COURSE, &r, "start_date", "2024-02-29");
	refused(REC_COURSE, &r, "start_date", "2023-02-29");
	refused(REC_COURSE, &r, "end_date", "2024-13-01");
	refused(REC_COURSE, &r, "end_date", "2024-01-01 ");
	refused(REC_COURSE, &r, "end_date", "01/02/2024");
	refused(REC_COURSE, &r, "modality", "ozone");
	refused(REC_COURSE, &r, "status", "finished");
	refused(REC_COURSE, &r, "stem_source", "cord_blood");

	/* The message shows the value at fault, bounded so it stays one line. */
	struct prolo_err err;
	assert_int_equal(try_set(REC_COURSE, &r, "modality", "ozone", &err), PROLO_EINVAL);
	assert_non_null(strstr(err.msg, "ozone"));
	assert_non_null(strstr(err.msg, "dextrose"));
	char longv[600];
	memset(longv, 'q', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	assert_int_equal(try_set(REC_COURSE, &r, "modality", longv, &err), PROLO_EINVAL);
	assert_null(strchr(err.msg, '\n'));
	assert_true(strlen(err.msg) < sizeof err.msg);
	assert_int_equal(try_set(REC_COURSE, &r, "modality", "a\nb", &err), PROLO_EINVAL);
	assert_null(strchr(err.msg, '\n'));
}

static void patient_required_fields(void **state)
{
	(void)state;
	struct patient p;
	rec_init(REC_PATIENT, &p);
	/* The first required field in table order is named. */
	check_fails_at(REC_PATIENT, &p, "patient_id");
	set(REC_PATIENT, &p, "patient_id", "P1");
	check_fails_at(REC_PATIENT, &p, "clinic");
	set(REC_PATIENT, &p, "clinic", "C01");
	check_fails_at(REC_PATIENT, &p, "sex");
	set(REC_PATIENT, &p, "sex", "unknown");
	check_ok(REC_PATIENT, &p);
	/* Emptying a required field by an empty value brings it back. */
	set(REC_PATIENT, &p, "clinic", "");
	check_fails_at(REC_PATIENT, &p, "clinic");
}

static void course_base(struct course *c)
{
	rec_init(REC_COURSE, c);
	set(REC_COURSE, c, "course_id", "K1");
	set(REC_COURSE, c, "patient_id", "P1");
	set(REC_COURSE, c, "modality", "dextrose");
	set(REC_COURSE, c, "condition", "low_back_pain");
	set(REC_COURSE, c, "start_date", "2024-03-10");
	set(REC_COURSE, c, "planned_sessions", "4");
	set(REC_COURSE, c, "status", "active");
}

static void course_required_and_cross_field(void **state)
{
	(void)state;
	static const char *const req[] = { "course_id", "patient_id", "modality", "condition",
	                                   "start_date", "planned_sessions", "status" };
	struct course c;
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
		course_base(&c);
		check_ok(REC_COURSE, &c);
		set(REC_COURSE, &c, req[i], "");
		check_fails_at(REC_COURSE, &c, req[i]);
	}
	/* A clinic-added condition is an id like any other. */
	course_base(&c);
	set(REC_COURSE, &c, "condition", "plantar_fasciitis");
	check_ok(REC_COURSE, &c);

	/* End date: not before the start, and only on an ended course. */
	course_base(&c);
	set(REC_COURSE, &c, "status", "completed");
	set(REC_COURSE, &c, "end_date", "2024-03-09");
	check_fails_at(REC_COURSE, &c, "end_date");
	set(REC_COURSE, &c, "end_date", "2024-03-10"); /* same day is fine */
	check_ok(REC_COURSE, &c);
	set(REC_COURSE, &c, "status", "active");
	check_fails_at(REC_COURSE, &c, "end_date");
	set(REC_COURSE, &c, "status", "planned");
	check_fails_at(REC_COURSE, &c, "end_date");
	for (int s = 0; s < CS__COUNT; s++) {
		set(REC_COURSE, &c, "status", dom_status_names[s]);
		struct prolo_err err;
		enum prolo_code rc = rec_check(REC_COURSE, &c, &err);
		assert_int_equal(rc, dom_status_ended((enum course_status)s) ? PROLO_OK : PROLO_EINVAL);
	}

	/* Stem source only on stem cell courses. */
	course_base(&c);
	set(REC_COURSE, &c, "stem_source", "bmac");
	check_fails_at(REC_COURSE, &c, "stem_source");
	set(REC_COURSE, &c, "modality", "prp");
	check_fails_at(REC_COURSE, &c, "stem_source");
	set(REC_COURSE, &c, "modality", "stem_cell");
	check_ok(REC_COURSE, &c);

	/* An override needs both its reason and the clinician. */
	course_base(&c);
	set(REC_COURSE, &c, "override_reason", "benefit outweighs risk");
	check_fails_at(REC_COURSE, &c, "override_by");
	set(REC_COURSE, &c, "override_reason", "");
	set(REC_COURSE, &c, "override_by", "Dr Who");
	check_fails_at(REC_COURSE, &c, "override_reason");
	set(REC_COURSE, &c, "override_reason", "benefit outweighs risk");
	check_ok(REC_COURSE, &c);
}

static void session_base(struct session *s)
{
	rec_init(REC_SESSION, s);
	set(REC_SESSION, s, "course_id", "K1");
	set(REC_SESSION, s, "session_no", "1");
	set(REC_SESSION, s, "date", "2024-03-10");
}

static void session_required_and_cross_field(void **state)
{
	(void)state;
	static const char *const req[] = { "course_id", "session_no", "date" };
	struct session s;
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
		session_base(&s);
		check_ok(REC_SESSION, &s);
		set(REC_SESSION, &s, req[i], "");
		check_fails_at(REC_SESSION, &s, req[i]);
	}
	/* PRP figures belong to PRP sessions. The field named is one that
	 * holds a figure: naming an empty column would send the user to the
	 * wrong cell. */
	static const char *const prp[] = { "prp_platelets", "prp_platelets_baseline",
	                                   "prp_leukocytes", "prp_leukocytes_baseline",
	                                   "prp_rbc", "prp_activation", "prp_volume_ml" };
	static const char *const val[] = { "900", "200", "1", "6", "0.1", "thrombin", "5" };
	for (size_t i = 0; i < sizeof prp / sizeof prp[0]; i++) {
		session_base(&s);
		set(REC_SESSION, &s, prp[i], val[i]);
		check_ok(REC_SESSION, &s); /* proliferant unknown: no conflict */
		set(REC_SESSION, &s, "proliferant", "prp");
		check_ok(REC_SESSION, &s);
		set(REC_SESSION, &s, "proliferant", "dextrose");
		check_fails_at(REC_SESSION, &s, prp[i]);
	}
	/* An anaesthetic concentration needs the anaesthetic's name. */
	session_base(&s);
	set(REC_SESSION, &s, "anaesthetic_pct", "1");
	check_fails_at(REC_SESSION, &s, "anaesthetic");
	set(REC_SESSION, &s, "anaesthetic", "lidocaine");
	check_ok(REC_SESSION, &s);
	/* The name alone is fine. */
	set(REC_SESSION, &s, "anaesthetic_pct", "");
	check_ok(REC_SESSION, &s);
}

static void injection_outcome_ae_required(void **state)
{
	(void)state;
	static const struct { enum rec_kind kind; const char *name, *value; } v[] = {
		{ REC_INJECTION, "course_id", "K1" },
		{ REC_INJECTION, "session_no", "1" },
		{ REC_INJECTION, "seq", "1" },
		{ REC_INJECTION, "site", "knee" },
		{ REC_OUTCOME, "course_id", "K1" },
		{ REC_OUTCOME, "date", "2024-03-10" },
		{ REC_OUTCOME, "instrument", "NRS" },
		{ REC_AE, "course_id", "K1" },
		{ REC_AE, "date", "2024-03-10" },
		{ REC_AE, "kind", "soreness" },
	};
	size_t n = sizeof v / sizeof v[0];
	/* Each required field left out in turn is the one named. */
	for (size_t skip = 0; skip < n; skip++) {
		union any_rec r;
		rec_init(v[skip].kind, &r);
		for (size_t i = 0; i < n; i++)
			if (v[i].kind == v[skip].kind && i != skip)
				set(v[i].kind, &r, v[i].name, v[i].value);
		check_fails_at(v[skip].kind, &r, v[skip].name);
		set(v[skip].kind, &r, v[skip].name, v[skip].value);
		check_ok(v[skip].kind, &r);
	}
	/* The optional fields are optional; the tables agree. */
	for (int k = 0; k < REC__COUNT; k++)
		for (int i = 0; i < rec_tables[k].n_fields; i++) {
			const struct field_def *f = &rec_tables[k].fields[i];
			bool listed = false;
			for (size_t j = 0; j < n; j++)
				listed = listed || (v[j].kind == (enum rec_kind)k && strcmp(v[j].name, f->name) == 0);
			if (k == REC_INJECTION || k == REC_OUTCOME || k == REC_AE)
				if (f->required != listed)
					fail_msg("%s.%s: required is %d", rec_tables[k].name, f->name, f->required);
		}

	/* Injections: the anaesthetic rule as on sessions. */
	struct injection in;
	rec_init(REC_INJECTION, &in);
	for (size_t i = 0; i < 4; i++)
		set(REC_INJECTION, &in, v[i].name, v[i].value);
	set(REC_INJECTION, &in, "anaesthetic_pct", "0.5");
	check_fails_at(REC_INJECTION, &in, "anaesthetic");
	set(REC_INJECTION, &in, "anaesthetic", "lidocaine");
	check_ok(REC_INJECTION, &in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_leaves_every_field_missing),
		cmocka_unit_test(every_kind_round_trips),
		cmocka_unit_test(typed_values_are_stored_as_typed),
		cmocka_unit_test(empty_value_sets_missing),
		cmocka_unit_test(ranges_are_inclusive_and_enforced),
		cmocka_unit_test(bad_values_name_their_field),
		cmocka_unit_test(patient_required_fields),
		cmocka_unit_test(course_required_and_cross_field),
		cmocka_unit_test(session_required_and_cross_field),
		cmocka_unit_test(injection_outcome_ae_required),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
