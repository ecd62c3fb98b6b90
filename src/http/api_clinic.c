/* The clinic's overviews: the morning list, the outcomes report and the
 * vocabularies of the forms. */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/app_frontdesk.h"
#include "core/instruments.h"
#include "core/rec_json.h"
#include "http/api_int.h"
#include "http/chart_cache.h"
#include "http/hjson.h"
#include "registry/alerts.h"
#include "report/report.h"
#include "security/audit.h"
#include "security/auth.h"

/* ---- handlers: alerts and report --------------------------------------- */

enum prolo_code h_alerts_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	int32_t day;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct alert_list l = { 0 };
	enum prolo_code rc = api_query_date(rq, "today", &day, err);
	const char *snoozed = api_query(rq, "snoozed");
	if (!rc && snoozed && strcmp(snoozed, "0") != 0 && strcmp(snoozed, "1") != 0)
		rc = prolo_err_set(err, PROLO_EINVAL, "snoozed", "is 1 (the snoozed alerts too) or 0");
	if (rc || (rc = app_alerts_desk(&cx, day, api_query(rq, "clinic"), snoozed && strcmp(snoozed, "1") == 0, &l, err)))
		return rc;
	json_t *arr = alerts_to_json(&l);
	alert_list_free(&l);
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return api_reply(rq, 200, json_pack("{s:o}", "alerts", arr), err);
}

enum prolo_code h_alerts_ack(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "key", "note", "today", NULL };
	const char *key, *note, *today;
	int32_t day = DOM_DATE_NONE;
	enum prolo_code rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "key", &key, err)) ||
	    (rc = hjson_str(body, "note", &note, err)) || (rc = hjson_str(body, "today", &today, err)))
		return rc;
	if (today && !dom_date_parse(today, strlen(today), &day))
		return prolo_err_set(err, PROLO_EINVAL, "today", "not a valid date (YYYY-MM-DD)");
	if ((rc = app_alert_ack(&cx, key, day, NULL, note, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:s}", "key", key), err);
}

enum prolo_code api_query_date(struct http_req *rq, const char *name, int32_t *out,
                                        struct prolo_err *err)
{
	const char *v = api_query(rq, name);
	*out = DOM_DATE_NONE;
	if (v && !dom_date_parse(v, strlen(v), out))
		return prolo_err_set(err, PROLO_EINVAL, name, "'%.20s' is not a valid date (YYYY-MM-DD)", v);
	return PROLO_OK;
}

enum prolo_code h_report(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_report_in in = { .modality = -1, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE };
	const char *mod = api_query(rq, "modality");
	in.condition = api_query(rq, "condition");
	in.clinic = api_query(rq, "clinic");
	enum prolo_code rc;
	if (mod && (in.modality = dom_lookup(dom_modality_names, MOD__COUNT, mod, strlen(mod))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "modality", "unknown modality (dextrose|prp|stem_cell)");
	if (in.condition && !dom_id_valid(in.condition, strlen(in.condition)))
		return prolo_err_set(err, PROLO_EINVAL, "condition", "not a valid condition name");
	if (in.clinic && !dom_id_valid(in.clinic, strlen(in.clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	if ((rc = api_query_date(rq, "from", &in.from, err)) || (rc = api_query_date(rq, "to", &in.to, err)))
		return rc;
	char desc[256];
	const char *clinic = in.clinic ? in.clinic : (rq->user.role != ROLE_ADMIN && rq->user.clinic[0] ? rq->user.clinic : NULL);
	snprintf(desc, sizeof desc, "%s%s%s%s%s%s", clinic ? "clinic " : "", clinic ? clinic : "",
	         mod ? " modality " : "", mod ? mod : "", in.condition ? " condition " : "",
	         in.condition ? in.condition : "");
	struct report_options ro = { .filter_desc = desc[0] ? desc : NULL };
	struct report *r = NULL;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = app_report(&cx, &in, &ro, &r, err)))
		return rc;
	buf_reset(&rq->out);
	rc = report_json(report_results(r), &rq->out, err);
	if (!rc)
		rq->status = 200;
	report_free(r);
	return rc;
}

/* ---- handlers: vocabularies -------------------------------------------- */

/* The code lists of GET /api/vocab, each in its table's order. */
static const struct {
	const char *key;
	const char *const *names;
	int n;
} vocab_lists[] = {
	{ "modalities", dom_modality_names, MOD__COUNT },
	{ "statuses", dom_status_names, CS__COUNT },
	{ "sexes", dom_sex_names, SEX__COUNT },
	{ "proliferants", dom_proliferant_names, PROL__COUNT },
	{ "adverse_event_kinds", dom_ae_kind_names, AE__COUNT },
	{ "guidance", dom_guidance_names, GUIDE__COUNT },
	{ "sides", dom_side_names, SIDE__COUNT },
	{ "seriousness", dom_seriousness_names, SER__COUNT },
	{ "relatedness", dom_relatedness_names, REL__COUNT },
	{ "stem_cell_sources", dom_stem_source_names, STEM__COUNT },
	{ "activations", dom_activation_names, ACT__COUNT },
	{ "contraindications", dom_contraindication_names, CI__COUNT },
	{ "roles", store_role_names, ROLE__COUNT },
};

/* The registry's conditions: the built-in ones in their enum's order, then
 * the clinic's own in the store's (name) order. */
struct vocab_conditions {
	json_t *builtin[COND__COUNT];
	json_t *own;
};

static json_t *condition_json(const char *name, const char *icd10, const char *snomed,
                              const char *label, bool builtin)
{
	return json_pack("{s:s,s:s*,s:s*,s:s*,s:b}", "name", name, "icd10", icd10 && icd10[0] ? icd10 : NULL,
	                 "snomed", snomed && snomed[0] ? snomed : NULL, "label",
	                 label && label[0] ? label : NULL, "builtin", builtin);
}

static enum prolo_code add_condition_json(void *ctx, const char *name, const char *icd10,
                                          const char *snomed, const char *label, struct prolo_err *err)
{
	struct vocab_conditions *vc = ctx;
	int b = dom_lookup(dom_condition_names, COND__COUNT, name, strlen(name));
	json_t *o = condition_json(name, icd10, snomed, label, b >= 0);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (b >= 0) {
		json_decref(vc->builtin[b]);
		vc->builtin[b] = o;
	} else if (json_array_append_new(vc->own, o)) {
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	return PROLO_OK;
}

/* Appends the registry's conditions to out. PROLO_OK, PROLO_ENOMEM or the
 * store's code. */
static enum prolo_code vocab_conditions(struct http_req *rq, json_t *out, struct prolo_err *err)
{
	struct vocab_conditions vc = { .own = json_array() };
	enum prolo_code rc = vc.own ? PROLO_OK : PROLO_ENOMEM;
	for (int i = 0; !rc && i < COND__COUNT; i++)
		if (!(vc.builtin[i] = condition_json(dom_condition_names[i], dom_condition_icd10[i],
		                                     dom_condition_snomed[i], NULL, true)))
			rc = PROLO_ENOMEM;
	if (rc)
		prolo_err_set(err, rc, "", "out of memory");
	else
		rc = store_condition_scan(rq->st, add_condition_json, &vc, err);
	for (int i = 0; i < COND__COUNT; i++) {
		if (!rc && json_array_append(out, vc.builtin[i]))
			rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		json_decref(vc.builtin[i]);
	}
	if (!rc && json_array_extend(out, vc.own))
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_decref(vc.own);
	return rc;
}

static json_t *vocab_names(const char *const *names, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(names[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The statuses that end a course (dom_status_ended). */
static json_t *vocab_end_statuses(void)
{
	json_t *a = json_array();
	for (int s = 0; a && s < CS__COUNT; s++)
		if (dom_status_ended((enum course_status)s) &&
		    json_array_append_new(a, json_string(dom_status_names[s]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *vocab_instruments(void)
{
	json_t *a = json_array();
	for (int i = 0; a && i < INSTR__COUNT; i++) {
		const struct instr_info *in = instr_info((enum instrument)i);
		json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:i,s:f,s:f,s:s,s:b,s:s*,s:s*}", "name", in->name,
		                      "title", in->title, "items", in->n_items, "min", in->item_min, "max",
		                      in->item_max, "score_min", in->score_min, "score_max", in->score_max,
		                      "unit", in->unit, "higher_is_worse", in->higher_is_worse, "low",
		                      instr_anchor_low((enum instrument)i), "high",
		                      instr_anchor_high((enum instrument)i));
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Codes and their structure only, no patient data: no audit row. */
/* {"knee_oa":["intra-articular knee",…],…}: the usual injection sites of
 * each built-in condition (core/domain.h), for the session form. */
static json_t *vocab_sites(void)
{
	json_t *o = json_object();
	for (int c = 0; o && c < COND__COUNT; c++) {
		size_t n = 0;
		const char *const *sites = dom_condition_sites(dom_condition_names[c], &n);
		json_object_set_new(o, dom_condition_names[c], vocab_names(sites, n));
	}
	return o;
}

enum prolo_code h_vocab(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	json_t *v = json_object(), *conds = json_array();
	bool ok = v && conds;
	for (size_t i = 0; ok && i < sizeof vocab_lists / sizeof vocab_lists[0]; i++)
		ok = !json_object_set_new(v, vocab_lists[i].key, vocab_names(vocab_lists[i].names, vocab_lists[i].n));
	ok = ok && !json_object_set_new(v, "end_statuses", vocab_end_statuses()) &&
	     !json_object_set_new(v, "instruments", vocab_instruments()) &&
	     !json_object_set_new(v, "password_min", json_integer(AUTH_MIN_PASSWORD)) &&
	     !json_object_set_new(v, "sites", vocab_sites());
	enum prolo_code rc = ok ? vocab_conditions(rq, conds, err)
	                        : prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (!rc && json_object_set(v, "conditions", conds))
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	json_decref(conds);
	if (rc) {
		json_decref(v);
		return rc;
	}
	return api_reply(rq, 200, v, err);
}

