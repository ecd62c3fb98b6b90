/* Planning: every contraindication rule by modality and condition, the
 * schedule, filling the plan from a protocol, and plan_course against a real
 * registry file (block, override, nothing to override, history). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/domain.h"
#include "registry/plan.h"
#include "registry/registry.h"

static struct course course_of(int modality, const char *condition)
{
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "C1");
	snprintf(c.patient_id, sizeof c.patient_id, "P1");
	c.modality = modality;
	snprintf(c.condition, sizeof c.condition, "%s", condition);
	c.start_date = dom_days_from_civil(2024, 3, 1);
	return c;
}

/* The single finding for one flag, or fails. */
static struct plan_finding one(int flag, int modality, const char *condition)
{
	struct patient p;
	rec_init(REC_PATIENT, &p);
	p.contraindications = 1u << flag;
	struct course c = course_of(modality, condition);
	struct plan_findings f;
	memset(&f, 0x5a, sizeof f);
	plan_check(&p, &c, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.n_blocks + f.n_warnings, 1);
	assert_int_equal(f.items[0].contraindication, flag);
	return f.items[0];
}

static void expect(int flag, int modality, const char *condition, enum plan_severity sev,
                   const char *rule)
{
	struct plan_finding x = one(flag, modality, condition);
	if (x.severity != sev || strcmp(x.rule, rule) != 0)
		fail_msg("%s/%s/%s: got %s %s, expected %s %s", dom_contraindication_names[flag],
		         dom_modality_names[modality], condition, x.severity == PLAN_BLOCK ? "block" : "warn",
		         x.rule, sev == PLAN_BLOCK ? "block" : "warn", rule);
	assert_true(strlen(x.message) > 20);
}

static void every_rule(void **state)
{
	for (int m = 0; m < MOD__COUNT; m++) {
		expect(CI_ACTIVE_INFECTION, m, "knee_oa", PLAN_BLOCK, "active_infection");
		expect(CI_ACTIVE_INFECTION, m, "low_back_pain", PLAN_BLOCK, "active_infection");
		expect(CI_ANTICOAGULANTS, m, "low_back_pain", PLAN_BLOCK, "anticoagulants_spinal");
		expect(CI_ANTICOAGULANTS, m, "neck_pain", PLAN_BLOCK, "anticoagulants_spinal");
		expect(CI_ANTICOAGULANTS, m, "knee_oa", PLAN_WARN, "anticoagulants");
		expect(CI_BLEEDING_DISORDER, m, "neck_pain", PLAN_BLOCK, "bleeding_disorder_spinal");
		expect(CI_BLEEDING_DISORDER, m, "tendinopathy", PLAN_WARN, "bleeding_disorder");
		expect(CI_NSAIDS_48H, m, "knee_oa", PLAN_WARN, "nsaids_48h");
		expect(CI_RECENT_CORTICOSTEROID, m, "knee_oa", PLAN_WARN, "recent_corticosteroid");
		expect(CI_AGENT_ALLERGY, m, "knee_oa", PLAN_WARN, "agent_allergy");
	}
	expect(CI_PLATELET_DISORDER, MOD_PRP, "knee_oa", PLAN_BLOCK, "platelet_disorder_prp");
	expect(CI_PLATELET_DISORDER, MOD_DEXTROSE, "knee_oa", PLAN_WARN, "platelet_disorder");
	expect(CI_PLATELET_DISORDER, MOD_STEM_CELL, "knee_oa", PLAN_WARN, "platelet_disorder");
	expect(CI_PREGNANCY, MOD_STEM_CELL, "knee_oa", PLAN_BLOCK, "pregnancy_stem_cell");
	expect(CI_PREGNANCY, MOD_DEXTROSE, "knee_oa", PLAN_WARN, "pregnancy");
	expect(CI_PREGNANCY, MOD_PRP, "knee_oa", PLAN_WARN, "pregnancy");
	expect(CI_CANCER, MOD_PRP, "knee_oa", PLAN_BLOCK, "cancer_biologic");
	expect(CI_CANCER, MOD_STEM_CELL, "knee_oa", PLAN_BLOCK, "cancer_biologic");
	expect(CI_CANCER, MOD_DEXTROSE, "knee_oa", PLAN_WARN, "cancer");
	/* NSAIDs: the PRP message speaks of platelets */
	assert_non_null(strstr(one(CI_NSAIDS_48H, MOD_PRP, "knee_oa").message, "platelet"));
}

static void blocks_first(void **state)
{
	struct patient p;
	rec_init(REC_PATIENT, &p);
	p.contraindications = (1u << CI__COUNT) - 1; /* everything */
	struct course c = course_of(MOD_PRP, "low_back_pain");
	struct plan_findings f;
	plan_check(&p, &c, &f);
	assert_int_equal(f.n_blocks, 5); /* infection, anticoag, bleeding, platelets, cancer */
	assert_int_equal(f.n_warnings, 4); /* pregnancy, nsaids, steroid, allergy */
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(f.items[i].severity, i < 5 ? PLAN_BLOCK : PLAN_WARN);
	p.contraindications = 0;
	plan_check(&p, &c, &f);
	assert_int_equal(f.n, 0);
}

static void schedule(void **state)
{
	struct course c = course_of(MOD_DEXTROSE, "knee_oa");
	struct plan_findings f = { 0 };
	plan_schedule(&c, 3, &f);
	assert_int_equal(f.n_sessions, 0); /* no interval */
	c.planned_sessions = 3;
	c.interval_days = 28;
	plan_schedule(&c, 3, &f);
	assert_int_equal(f.n_sessions, 3);
	assert_int_equal(f.window_days, 3);
	assert_int_equal(f.session_date[0], c.start_date);
	assert_int_equal(f.session_date[2], c.start_date + 56);
	json_t *j = plan_findings_to_json(&f);
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(s, "{\"date\":\"2024-04-26\",\"session_no\":3}"));
	assert_non_null(strstr(s, "\"protocol\":null"));
	free(s);
	json_decref(j);
}

static const char lib_text[] =
	"[dx-knee]\nmodality = dextrose\ncondition = knee_oa\nsessions = 3\ninterval_days = 28\n"
	"window_days = 5\nsource = S\n"
	"[prp-any]\nmodality = prp\ncondition = *\nsessions = 2\ninterval_days = 21\nsource = S\n"
	"[dx-lbp]\nmodality = dextrose\ncondition = low_back_pain\nsessions = 6\ninterval_days = 14\nsource = S\n"
	"[dx-lbp-severe]\nmodality = dextrose\ncondition = low_back_pain\nsessions = 6\ninterval_days = 28\n"
	"select_min_nrs = 7\nsource = S\n";

static void apply_protocol(void **state)
{
	struct protocol_lib lib;
	struct prolo_err err = { 0 };
	assert_int_equal(protocol_lib_parse(lib_text, sizeof lib_text - 1, "t", &lib, &err), PROLO_OK);
	struct course c = course_of(-1, "");
	assert_int_equal(plan_apply_protocol(&c, protocol_find(&lib, "dx-knee"), &err), PROLO_OK);
	assert_int_equal(c.modality, MOD_DEXTROSE);
	assert_string_equal(c.condition, "knee_oa");
	assert_int_equal(c.planned_sessions, 3);
	assert_int_equal(c.interval_days, 28);
	assert_string_equal(c.protocol, "dx-knee");
	/* the caller's values win */
	c = course_of(MOD_PRP, "tendinopathy");
	c.planned_sessions = 1;
	assert_int_equal(plan_apply_protocol(&c, protocol_find(&lib, "prp-any"), &err), PROLO_OK);
	assert_int_equal(c.planned_sessions, 1);
	assert_int_equal(c.interval_days, 21);
	/* mismatches */
	c = course_of(MOD_PRP, "knee_oa");
	assert_int_equal(plan_apply_protocol(&c, protocol_find(&lib, "dx-knee"), &err), PROLO_EINVAL);
	assert_string_equal(err.field, "protocol");
	c = course_of(MOD_DEXTROSE, "neck_pain");
	assert_int_equal(plan_apply_protocol(&c, protocol_find(&lib, "dx-knee"), &err), PROLO_EINVAL);
	protocol_lib_free(&lib);
}

/* ---- plan_course against a real registry ------------------------------- */

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct protocol_lib lib;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/prolo-plan.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/r.db", fx->dir);
	struct prolo_err err = { 0 };
	if (store_open(fx->path, STORE_CREATE, &fx->st, &err))
		return -1;
	if (protocol_lib_parse(lib_text, sizeof lib_text - 1, "t", &fx->lib, &err))
		return -1;
	const char *flags[] = { "anticoagulants", "nsaids_48h", "" };
	const char *ids[] = { "PA", "PN", "P0" };
	store_begin(fx->st, &err);
	for (int i = 0; i < 3; i++) {
		struct patient p;
		rec_init(REC_PATIENT, &p);
		snprintf(p.patient_id, sizeof p.patient_id, "%s", ids[i]);
		snprintf(p.clinic, sizeof p.clinic, "C01");
		p.sex = SEX_FEMALE;
		const struct field_def *f = rec_field(REC_PATIENT, "contraindications", 17);
		if (rec_set(REC_PATIENT, &p, f, flags[i], strlen(flags[i]), &err) ||
		    registry_add(fx->st, REC_PATIENT, &p, REG_INTERACTIVE, &err))
			return -1;
	}
	store_commit(fx->st, &err);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	store_close(fx->st);
	protocol_lib_free(&fx->lib);
	char p[160];
	const char *sfx[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", fx->path, sfx[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void plan_in_store(void **state)
{
	struct fixture *fx = *state;
	struct prolo_err err = { 0 };
	struct plan_findings f;

	/* unknown protocol names what fits */
	struct course c = course_of(MOD_DEXTROSE, "knee_oa");
	snprintf(c.patient_id, sizeof c.patient_id, "P0");
	assert_int_equal(plan_course(fx->st, &c, "nope", &fx->lib, &f, &err), PROLO_ENOTFOUND);
	assert_string_equal(err.field, "protocol");
	assert_non_null(strstr(err.msg, "dx-knee"));

	/* a clean plan from a protocol */
	store_begin(fx->st, &err);
	assert_int_equal(plan_course(fx->st, &c, "dx-knee", &fx->lib, &f, &err), PROLO_OK);
	store_commit(fx->st, &err);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.n_sessions, 3);
	assert_int_equal(f.window_days, 5);
	struct course got;
	rec_init(REC_COURSE, &got);
	snprintf(got.course_id, sizeof got.course_id, "C1");
	assert_int_equal(store_get(fx->st, REC_COURSE, &got, &err), PROLO_OK);
	assert_int_equal(got.planned_sessions, 3);
	assert_int_equal(got.interval_days, 28);
	assert_int_equal(got.status, CS_PLANNED);
	assert_string_equal(got.protocol, "dx-knee");

	/* anticoagulants + spine: blocked, nothing written */
	c = course_of(MOD_DEXTROSE, "low_back_pain");
	snprintf(c.course_id, sizeof c.course_id, "C2");
	snprintf(c.patient_id, sizeof c.patient_id, "PA");
	store_begin(fx->st, &err);
	assert_int_equal(plan_course(fx->st, &c, "dx-lbp", &fx->lib, &f, &err), PROLO_ECONFLICT);
	store_rollback(fx->st);
	assert_string_equal(err.field, "contraindications");
	assert_non_null(strstr(err.msg, "anticoagulants_spinal"));
	assert_int_equal(f.n_blocks, 1);
	rec_init(REC_COURSE, &got);
	snprintf(got.course_id, sizeof got.course_id, "C2");
	assert_int_equal(store_get(fx->st, REC_COURSE, &got, &err), PROLO_ENOTFOUND);

	/* ... overridden with a reason and a name */
	snprintf(c.override_reason, sizeof c.override_reason, "INR checked, bridging agreed");
	snprintf(c.override_by, sizeof c.override_by, "Dr Who");
	store_begin(fx->st, &err);
	assert_int_equal(plan_course(fx->st, &c, "dx-lbp", &fx->lib, &f, &err), PROLO_OK);
	store_commit(fx->st, &err);
	assert_true(f.overridden);
	assert_int_equal(store_get(fx->st, REC_COURSE, &got, &err), PROLO_OK);
	assert_string_equal(got.override_by, "Dr Who");
	assert_string_equal(got.override_reason, "INR checked, bridging agreed");

	/* an override with nothing to override */
	c = course_of(MOD_DEXTROSE, "knee_oa");
	snprintf(c.course_id, sizeof c.course_id, "C3");
	snprintf(c.patient_id, sizeof c.patient_id, "P0");
	snprintf(c.override_reason, sizeof c.override_reason, "why not");
	snprintf(c.override_by, sizeof c.override_by, "Dr Who");
	store_begin(fx->st, &err);
	assert_int_equal(plan_course(fx->st, &c, "dx-knee", &fx->lib, &f, &err), PROLO_EINVAL);
	store_rollback(fx->st);
	assert_string_equal(err.field, "override_reason");

	/* a warning does not block, and "auto" picks by severity */
	c = course_of(MOD_DEXTROSE, "low_back_pain");
	snprintf(c.course_id, sizeof c.course_id, "C4");
	snprintf(c.patient_id, sizeof c.patient_id, "PN");
	struct protocol_case pc = { 0, NULL, 8, -1 };
	store_begin(fx->st, &err);
	assert_int_equal(plan_course_case(fx->st, &c, "auto", &fx->lib, &pc, &f, &err), PROLO_OK);
	store_commit(fx->st, &err);
	assert_string_equal(c.protocol, "dx-lbp-severe");
	assert_int_equal(f.n_warnings, 1);
	assert_string_equal(f.items[0].rule, "nsaids_48h");

	/* an unknown patient */
	c = course_of(MOD_DEXTROSE, "knee_oa");
	snprintf(c.course_id, sizeof c.course_id, "C5");
	snprintf(c.patient_id, sizeof c.patient_id, "NOBODY");
	c.planned_sessions = 3;
	assert_int_equal(plan_course(fx->st, &c, NULL, NULL, &f, &err), PROLO_ENOTFOUND);
	assert_string_equal(err.field, "patient_id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_rule),
		cmocka_unit_test(blocks_first),
		cmocka_unit_test(schedule),
		cmocka_unit_test(apply_protocol),
		cmocka_unit_test_setup_teardown(plan_in_store, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
