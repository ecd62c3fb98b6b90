/* The contraindication rules and the session schedule: pure functions over
 * a patient and a course. Which flag blocks for which modality or condition
 * is decided here and only here, listed in docs/protocols.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "registry/plan.h"

bool plan_is_spinal(const char *condition)
{
	return strcmp(condition, "low_back_pain") == 0 || strcmp(condition, "neck_pain") == 0;
}

static void add(struct plan_findings *out, enum plan_severity sev, int ci, const char *rule,
                const char *message)
{
	if (out->n >= PLAN_FINDINGS_MAX)
		return;
	struct plan_finding *f = &out->items[out->n++];
	f->severity = sev;
	f->contraindication = ci;
	snprintf(f->rule, sizeof f->rule, "%s", rule);
	snprintf(f->message, sizeof f->message, "%s", message);
	if (sev == PLAN_BLOCK)
		out->n_blocks++;
	else
		out->n_warnings++;
}

void plan_check(const struct patient *p, const struct course *c, struct plan_findings *out)
{
	out->n = 0;
	out->n_blocks = out->n_warnings = 0;
	uint32_t ci = p->contraindications;
#define HAS(x) (ci & (1u << (x)))
	bool spinal = plan_is_spinal(c->condition);
	bool prp = c->modality == MOD_PRP;
	bool stem = c->modality == MOD_STEM_CELL;
	struct plan_findings warn = { 0 };

	/* Blocks, in a fixed order. */
	if (HAS(CI_ACTIVE_INFECTION))
		add(out, PLAN_BLOCK, CI_ACTIVE_INFECTION, "active_infection",
		    "active infection: an injection near an infection can spread it; treat the infection first");
	if (HAS(CI_ANTICOAGULANTS)) {
		if (spinal)
			add(out, PLAN_BLOCK, CI_ANTICOAGULANTS, "anticoagulants_spinal",
			    "anticoagulants and a spinal procedure: risk of spinal or epidural bleeding");
		else
			add(&warn, PLAN_WARN, CI_ANTICOAGULANTS, "anticoagulants",
			    "anticoagulants: more bruising and bleeding at the injection sites; "
			    "check the dose plan with the prescriber");
	}
	if (HAS(CI_BLEEDING_DISORDER)) {
		if (spinal)
			add(out, PLAN_BLOCK, CI_BLEEDING_DISORDER, "bleeding_disorder_spinal",
			    "bleeding disorder and a spinal procedure: risk of spinal or epidural bleeding");
		else
			add(&warn, PLAN_WARN, CI_BLEEDING_DISORDER, "bleeding_disorder",
			    "bleeding disorder: more bleeding at the injection sites");
	}
	if (HAS(CI_PLATELET_DISORDER)) {
		if (prp)
			add(out, PLAN_BLOCK, CI_PLATELET_DISORDER, "platelet_disorder_prp",
			    "platelet disorder: PRP depends on the patient's own working platelets");
		else
			add(&warn, PLAN_WARN, CI_PLATELET_DISORDER, "platelet_disorder",
			    "platelet disorder: more bleeding at the injection sites");
	}
	if (HAS(CI_PREGNANCY)) {
		if (stem)
			add(out, PLAN_BLOCK, CI_PREGNANCY, "pregnancy_stem_cell",
			    "pregnancy: no elective bone-marrow or fat harvest and cell injection in pregnancy");
		else
			add(&warn, PLAN_WARN, CI_PREGNANCY, "pregnancy",
			    "pregnancy: weigh the need for treatment now; avoid fluoroscopy");
	}
	if (HAS(CI_CANCER)) {
		if (prp || stem)
			add(out, PLAN_BLOCK, CI_CANCER, "cancer_biologic",
			    "cancer: growth-factor and cell products are contraindicated with a malignancy");
		else
			add(&warn, PLAN_WARN, CI_CANCER, "cancer",
			    "cancer: rule out a tumour as the cause of the pain before treating it as musculoskeletal");
	}
	/* Warnings. */
	if (HAS(CI_NSAIDS_48H))
		add(&warn, PLAN_WARN, CI_NSAIDS_48H, "nsaids_48h",
		    prp || stem ? "NSAIDs within 48 h: they impair platelet function; stop them 48 h before "
		                  "and after the injection"
		                : "NSAIDs within 48 h: they damp the healing inflammation the injection relies on");
	if (HAS(CI_RECENT_CORTICOSTEROID))
		add(&warn, PLAN_WARN, CI_RECENT_CORTICOSTEROID, "recent_corticosteroid",
		    "corticosteroid injection within the last month: it suppresses the healing response; "
		    "consider waiting");
	if (HAS(CI_AGENT_ALLERGY))
		add(&warn, PLAN_WARN, CI_AGENT_ALLERGY, "agent_allergy",
		    "allergy to an agent: check the injectate and the anaesthetic against the recorded allergy");
#undef HAS
	for (size_t i = 0; i < warn.n; i++)
		add(out, PLAN_WARN, warn.items[i].contraindication, warn.items[i].rule, warn.items[i].message);
}

void plan_schedule(const struct course *c, int window_days, struct plan_findings *out)
{
	out->n_sessions = 0;
	out->window_days = window_days;
	if (c->start_date == DOM_DATE_NONE || c->interval_days == REC_INT_NONE || c->interval_days <= 0 ||
	    c->planned_sessions == REC_INT_NONE)
		return;
	int n = c->planned_sessions > PLAN_SESSIONS_MAX ? PLAN_SESSIONS_MAX : c->planned_sessions;
	for (int i = 0; i < n; i++)
		out->session_date[i] = c->start_date + (int32_t)i * c->interval_days;
	out->n_sessions = n;
}

enum prolo_code plan_apply_protocol(struct course *c, const struct protocol *p, struct prolo_err *err)
{
	if (c->modality < 0)
		c->modality = p->modality;
	else if (c->modality != p->modality)
		return prolo_err_set(err, PROLO_EINVAL, "protocol", "'%s' is a %s protocol, the course is %s",
		                     p->name, dom_modality_names[p->modality], dom_modality_names[c->modality]);
	if (!c->condition[0]) {
		if (strcmp(p->condition, "*") != 0)
			snprintf(c->condition, sizeof c->condition, "%s", p->condition);
	} else if (!protocol_fits_condition(p, c->condition)) {
		return prolo_err_set(err, PROLO_EINVAL, "protocol", "'%s' is for %s, the course is for %s",
		                     p->name, p->condition, c->condition);
	}
	if (c->planned_sessions == REC_INT_NONE)
		c->planned_sessions = p->sessions;
	if (c->interval_days == REC_INT_NONE)
		c->interval_days = p->interval_days;
	snprintf(c->protocol, sizeof c->protocol, "%s", p->name);
	return PROLO_OK;
}
