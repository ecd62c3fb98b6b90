/* plan_course: the use case behind "prolo course add" and the API's course
 * creation. It owns the order of planning (protocol, checks, insert,
 * history) so that both interfaces record a plan, its blocks and their
 * overrides identically. Runs inside the caller's transaction. */
#include "registry/plan.h"

#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "registry/registry.h"

static enum prolo_code unknown_protocol(const struct protocol_lib *lib, const char *name,
                                        const struct course *c, struct prolo_err *err)
{
	char list[200] = "";
	size_t used = 0;
	for (size_t i = 0; lib && i < lib->n && used < sizeof list; i++) {
		const struct protocol *p = &lib->items[i];
		if (c->modality >= 0 && p->modality != c->modality)
			continue;
		if (c->condition[0] && !protocol_fits_condition(p, c->condition))
			continue;
		int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", p->name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return prolo_err_set(err, PROLO_ENOTFOUND, "protocol", "no protocol '%s'%s%s%s", name,
	                     list[0] ? " (this course fits: " : "", list, list[0] ? ")" : "");
}

static enum prolo_code resolve_protocol(struct course *c, const char *name, const struct protocol_lib *lib,
                                        const struct protocol_case *pc, const struct protocol **out,
                                        struct prolo_err *err)
{
	*out = NULL;
	if (!name || !*name)
		return PROLO_OK;
	if (!lib)
		return prolo_err_set(err, PROLO_ENOTFOUND, "protocol", "no protocol library is loaded");
	const struct protocol *p;
	if (strcmp(name, "auto") == 0) {
		if (c->modality < 0 || !c->condition[0])
			return prolo_err_set(err, PROLO_EINVAL, "protocol",
			                     "'auto' needs the course's modality and condition");
		struct protocol_case k = { c->modality, c->condition, -1, -1 };
		if (pc) {
			k.baseline_nrs = pc->baseline_nrs;
			k.pain_months = pc->pain_months;
		}
		p = protocol_select(lib, &k);
		if (!p)
			return prolo_err_set(err, PROLO_ENOTFOUND, "protocol", "no protocol for %s and %s in %s",
			                     dom_modality_names[c->modality], c->condition, lib->origin);
	} else {
		p = protocol_find(lib, name);
		if (!p)
			return unknown_protocol(lib, name, c, err);
	}
	*out = p;
	return plan_apply_protocol(c, p, err);
}

static enum prolo_code write_findings(struct store *st, const struct course *c,
                                      const struct plan_findings *f, struct prolo_err *err)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct plan_finding *x = &f->items[i];
		char detail[400];
		snprintf(detail, sizeof detail, "%s %s%s: %s", x->severity == PLAN_BLOCK ? "block" : "warning",
		         x->rule, x->severity == PLAN_BLOCK ? " (overridden)" : "", x->message);
		enum prolo_code rc = store_course_history_add(st, c->course_id, "contraindication", detail, err);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}

enum prolo_code plan_course_case(struct store *st, struct course *c, const char *protocol_name,
                                 const struct protocol_lib *lib, const struct protocol_case *pc,
                                 struct plan_findings *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	const struct protocol *p = NULL;
	enum prolo_code rc = resolve_protocol(c, protocol_name, lib, pc, &p, err);
	if (rc)
		return rc;
	if (!p && c->protocol[0] && lib)
		p = protocol_find(lib, c->protocol); /* named as a field: for the window only */
	if (c->status < 0)
		c->status = CS_PLANNED;
	if ((rc = registry_prepare(REC_COURSE, c, err)))
		return rc;
	struct patient pat;
	rec_init(REC_PATIENT, &pat);
	snprintf(pat.patient_id, sizeof pat.patient_id, "%s", c->patient_id);
	if ((rc = store_get(st, REC_PATIENT, &pat, err)))
		return rc;

	plan_check(&pat, c, out);
	plan_schedule(c, p ? p->window_days : PROTO_DEFAULT_WINDOW_DAYS, out);
	snprintf(out->protocol, sizeof out->protocol, "%s", c->protocol);
	bool override = c->override_reason[0] || c->override_by[0];
	if (out->n_blocks && !override) {
		const struct plan_finding *b = &out->items[0];
		return prolo_err_set(err, PROLO_ECONFLICT, "contraindications",
		                     "blocked (%s): %s%s; a clinician may override with a recorded reason "
		                     "(override_reason and override_by)",
		                     b->rule, b->message, out->n_blocks > 1 ? ", and more" : "");
	}
	if (override && !out->n_blocks)
		return prolo_err_set(err, PROLO_EINVAL, "override_reason",
		                     "nothing blocks this course, so there is nothing to override");
	out->overridden = out->n_blocks > 0;
	if ((rc = registry_add(st, REC_COURSE, c, REG_INTERACTIVE, err)))
		return rc;
	return write_findings(st, c, out, err);
}

enum prolo_code plan_course(struct store *st, struct course *c, const char *protocol_name,
                            const struct protocol_lib *lib, struct plan_findings *out,
                            struct prolo_err *err)
{
	return plan_course_case(st, c, protocol_name, lib, NULL, out, err);
}

static json_t *finding_json(const struct plan_finding *f)
{
	return json_pack("{s:s, s:s, s:s}", "rule", f->rule, "contraindication",
	                 dom_contraindication_names[f->contraindication], "message", f->message);
}

json_t *plan_findings_to_json(const struct plan_findings *f)
{
	json_t *blocks = json_array(), *warnings = json_array(), *sessions = json_array();
	json_t *o = NULL;
	if (!blocks || !warnings || !sessions)
		goto fail;
	for (size_t i = 0; i < f->n; i++) {
		json_t *x = finding_json(&f->items[i]);
		if (!x || json_array_append_new(f->items[i].severity == PLAN_BLOCK ? blocks : warnings, x))
			goto fail;
	}
	for (int i = 0; i < f->n_sessions; i++) {
		char d[11];
		dom_date_format(f->session_date[i], d);
		json_t *x = json_pack("{s:i, s:s}", "session_no", i + 1, "date", d);
		if (!x || json_array_append_new(sessions, x))
			goto fail;
	}
	o = json_pack("{s:o, s:b, s:o, s:o, s:i, s:o}", "protocol",
	              f->protocol[0] ? json_string(f->protocol) : json_null(), "overridden", f->overridden,
	              "blocks", blocks, "warnings", warnings, "window_days", f->window_days, "sessions",
	              sessions);
	return o; /* json_pack with "o" steals the references, also on failure */
fail:
	json_decref(blocks);
	json_decref(warnings);
	json_decref(sessions);
	return NULL;
}
