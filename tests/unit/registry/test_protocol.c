/* Protocol file parser: the shipped defaults parse and state sources; every
 * kind of bad input is rejected with its line number; selection by severity
 * and history picks the most specific protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "registry/protocol.h"

static const char good[] =
	"\xEF\xBB\xBF# a comment after a byte-order mark\n"
	"\n"
	"[lbp]\r\n"
	"label = Low back\n"
	"modality = dextrose\n"
	"condition = low_back_pain\n"
	"sessions = 4\n"
	"interval_days = 14\n"
	"window_days = 2\n"
	"proliferant = dextrose\n"
	"concentration_pct = 12.5\n"
	"anaesthetic = lidocaine\n"
	"anaesthetic_pct = 0.5\n"
	"volume_ml_per_site = 0.5 - 2\n"
	"followup = NRS ODI at 0d 12w\n"
	"followup = NRS, at 6w 12w\n"
	"review_after_sessions = 3\n"
	"review_min_improvement_pct = 30\n"
	"source = A\n"
	"source = B\n"
	"[lbp-severe]\n"
	"modality = dextrose\n"
	"condition = low_back_pain\n"
	"sessions = 6\n"
	"interval_days = 28\n"
	"select_min_nrs = 7\n"
	"select_min_months = 6\n"
	"source = C\n"
	"[any]\n"
	"modality = dextrose\n"
	"condition = *\n"
	"sessions = 3\n"
	"interval_days = 21\n"
	"source = D\n";

static void parses_good(void **state)
{
	struct protocol_lib lib;
	struct prolo_err err = { 0 };
	assert_int_equal(protocol_lib_parse(good, sizeof good - 1, "t", &lib, &err), PROLO_OK);
	assert_int_equal(lib.n, 3);
	const struct protocol *p = protocol_find(&lib, "lbp");
	assert_non_null(p);
	assert_int_equal(p->line, 3);
	assert_string_equal(p->label, "Low back");
	assert_int_equal(p->modality, MOD_DEXTROSE);
	assert_int_equal(p->sessions, 4);
	assert_int_equal(p->interval_days, 14);
	assert_int_equal(p->window_days, 2);
	assert_int_equal(p->proliferant, PROL_DEXTROSE);
	assert_true(p->concentration_pct == 12.5);
	assert_string_equal(p->anaesthetic, "lidocaine");
	assert_true(p->volume_min_ml == 0.5 && p->volume_max_ml == 2);
	assert_int_equal(p->n_followups, 3);
	assert_int_equal(p->followups[0].offset_days, 0);
	assert_int_equal(p->followups[0].instruments, (1u << INSTR_NRS) | (1u << INSTR_ODI));
	assert_int_equal(p->followups[1].offset_days, 42);
	assert_int_equal(p->followups[1].instruments, 1u << INSTR_NRS);
	assert_int_equal(p->followups[2].offset_days, 84);
	assert_int_equal(p->followups[2].instruments, (1u << INSTR_NRS) | (1u << INSTR_ODI));
	assert_int_equal(p->review_after_sessions, 3);
	assert_true(p->review_min_improvement_pct == 30);
	assert_string_equal(p->source, "A; B");
	char f[128];
	protocol_followups_format(p, f, sizeof f);
	assert_string_equal(f, "NRS ODI at 0d; NRS at 6w; NRS ODI at 12w");
	const struct protocol *q = protocol_find(&lib, "lbp-severe");
	assert_int_equal(q->window_days, PROTO_DEFAULT_WINDOW_DAYS);
	assert_int_equal(q->review_after_sessions, 0);
	assert_true(isnan(q->concentration_pct));
	assert_null(protocol_find(&lib, "nope"));
	protocol_lib_free(&lib);
	protocol_lib_free(&lib); /* twice is harmless */
}

static void selects(void **state)
{
	struct protocol_lib lib;
	struct prolo_err err = { 0 };
	assert_int_equal(protocol_lib_parse(good, sizeof good - 1, "t", &lib, &err), PROLO_OK);
	struct protocol_case pc = { MOD_DEXTROSE, "low_back_pain", -1, -1 };
	assert_string_equal(protocol_select(&lib, &pc)->name, "lbp");
	pc.baseline_nrs = 8;
	assert_string_equal(protocol_select(&lib, &pc)->name, "lbp"); /* months unknown */
	pc.pain_months = 12;
	assert_string_equal(protocol_select(&lib, &pc)->name, "lbp-severe");
	pc.baseline_nrs = 6;
	assert_string_equal(protocol_select(&lib, &pc)->name, "lbp");
	pc.condition = "hip_pain";
	assert_string_equal(protocol_select(&lib, &pc)->name, "any");
	pc.modality = MOD_PRP;
	assert_null(protocol_select(&lib, &pc));
	protocol_lib_free(&lib);
}

#define HDR "[p]\nmodality = prp\ncondition = knee_oa\nsessions = 3\ninterval_days = 7\nsource = S\n"

/* Expects rejection on `line` with `needle` in the message. */
static void bad(const char *text, int line, const char *needle)
{
	struct protocol_lib lib;
	struct prolo_err err = { 0 };
	enum prolo_code rc = protocol_lib_parse(text, strlen(text), "f.protocols", &lib, &err);
	if (rc != PROLO_EINVAL)
		fail_msg("accepted: %s", text);
	char want[64];
	if (line)
		snprintf(want, sizeof want, "f.protocols:%d:", line);
	else
		snprintf(want, sizeof want, "f.protocols: ");
	if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s' / '%s'", err.msg, want, needle);
	assert_string_equal(err.field, "protocols");
	assert_null(lib.items);
	assert_int_equal(lib.n, 0);
}

static void rejects_bad_input(void **state)
{
	bad("", 0, "defines no protocol");
	bad("# only a comment\n", 0, "defines no protocol");
	bad("sessions = 3\n", 1, "before the first");
	bad("[p\n", 1, "section header");
	bad("[bad name]\n", 1, "not a protocol name");
	bad("[]\n", 1, "not a protocol name");
	bad(HDR "colour = red\n", 7, "unknown key 'colour'");
	bad(HDR "just words\n", 7, "expected 'key = value'");
	bad(HDR "sessions = 4\n", 7, "given twice");
	bad(HDR "label =\n", 7, "has no value");
	bad(HDR "window_days = -1\n", 7, "window_days");
	bad("[p]\nmodality = laser\n", 2, "'laser' is not one of dextrose|prp|stem_cell");
	bad("[p]\ncondition = knee oa\n", 2, "condition");
	bad("[p]\nsessions = 0\n", 2, "sessions");
	bad("[p]\nsessions = 51\n", 2, "sessions");
	bad("[p]\nsessions = 3x\n", 2, "sessions");
	bad("[p]\ninterval_days = 366\n", 2, "interval_days");
	bad("[p]\nconcentration_pct = 101\n", 2, "concentration_pct");
	bad("[p]\nproliferant = sugar\n", 2, "proliferant");
	bad("[p]\nvolume_ml_per_site = 2-1\n", 2, "volume_ml_per_site");
	bad("[p]\nvolume_ml_per_site = 0-1\n", 2, "volume_ml_per_site");
	bad("[p]\nvolume_ml_per_site = a-b\n", 2, "volume_ml_per_site");
	bad("[p]\nfollowup = NRS\n", 2, "followup");
	bad("[p]\nfollowup = at 0d\n", 2, "instruments before");
	bad("[p]\nfollowup = PAIN at 0d\n", 2, "'PAIN' is not an instrument");
	bad("[p]\nfollowup = NRS at 3m\n", 2, "'3m' is not a time point");
	bad("[p]\nfollowup = NRS at\n", 2, "followup");
	bad("[p]\nreview_min_improvement_pct = 0\n", 2, "review_min_improvement_pct");
	bad("[p]\nselect_min_nrs = 11\n", 2, "select_min_nrs");
	/* section-level rules name the header line */
	bad("# x\n[p]\nmodality = prp\n", 2, "'condition' is required");
	bad("[p]\nmodality = prp\ncondition = knee_oa\nsessions = 3\ninterval_days = 7\n", 1,
	    "'source' is required");
	bad(HDR "review_after_sessions = 2\n", 1, "go together");
	bad(HDR "review_after_sessions = 4\nreview_min_improvement_pct = 30\n", 1, "more than the 3");
	bad(HDR "anaesthetic_pct = 1\n", 1, "needs anaesthetic");
	bad(HDR "concentration_pct = 10\n", 1, "needs proliferant");
	bad(HDR "[p]\n", 7, "already defined on line 1");
	bad(HDR "[q]\nmodality = prp\n", 7, "'condition' is required");
	bad("[p]\nlabel = \xff\xfe\n", 2, "UTF-8");
	char many[4200 + 16];
	memset(many, 'a', sizeof many);
	memcpy(many, "[p]\nlabel = ", 12);
	many[sizeof many - 1] = '\0';
	bad(many, 2, "longer than");
	/* followup time points beyond the limit */
	bad("[p]\nfollowup = NRS at 1d 2d 3d 4d 5d 6d 7d 8d 9d 10d 11d 12d 13d 14d 15d 16d 17d\n", 2,
	    "more than 16 time points");
}

static void too_big(void **state)
{
	struct protocol_lib lib;
	struct prolo_err err = { 0 };
	assert_int_equal(protocol_lib_parse("x", PROTO_FILE_MAX + 1, "f", &lib, &err), PROLO_ETOOBIG);
}

/* The shipped defaults parse, cite sources, and cover every modality and
 * every built-in condition for dextrose. Run from the top of the tree. */
static void shipped_defaults(void **state)
{
	struct protocol_lib lib;
	struct prolo_err err = { 0 };
	enum prolo_code rc = protocol_lib_load("protocols/default.protocols", &lib, &err);
	if (rc)
		fail_msg("%s: %s", err.field, err.msg);
	assert_true(lib.n >= 10);
	int per_mod[MOD__COUNT] = { 0 };
	for (size_t i = 0; i < lib.n; i++) {
		assert_true(strlen(lib.items[i].source) > 20);
		assert_true(lib.items[i].n_followups >= 2);
		assert_int_equal(lib.items[i].followups[0].offset_days, 0);
		per_mod[lib.items[i].modality]++;
	}
	for (int m = 0; m < MOD__COUNT; m++)
		assert_true(per_mod[m] > 0);
	for (int c = 0; c < COND__COUNT; c++) {
		struct protocol_case pc = { MOD_DEXTROSE, dom_condition_names[c], -1, -1 };
		const struct protocol *p = protocol_select(&lib, &pc);
		assert_non_null(p);
		assert_string_equal(p->condition, dom_condition_names[c]);
	}
	struct protocol_case severe = { MOD_DEXTROSE, "low_back_pain", 8, 24 };
	const struct protocol *p = protocol_select(&lib, &severe);
	assert_true(p->concentration_pct > protocol_find(&lib, "dextrose-lbp")->concentration_pct);
	protocol_lib_free(&lib);

	assert_int_equal(protocol_lib_load("no/such/file", &lib, &err), PROLO_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_good),
		cmocka_unit_test(selects),
		cmocka_unit_test(rejects_bad_input),
		cmocka_unit_test(too_big),
		cmocka_unit_test(shipped_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
