/* The report as JSON for programs: every number the other formats show,
 * missing values as null, reals with 17 significant digits. */
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "core/instruments.h"
#include "report/report.h"

static json_t *real(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

/* A count; hidden by report_suppress: null. */
static json_t *count(uint64_t v)
{
	return v == REPORT_SUPPRESSED ? json_null() : json_integer((json_int_t)v);
}

/* json_object_set_new that records a failed allocation in *bad. */
static void put(json_t *o, const char *k, json_t *v, int *bad)
{
	if (!o || !v || json_object_set_new(o, k, v) != 0)
		*bad = 1;
}

static void add(json_t *a, json_t *v, int *bad)
{
	if (!a || !v || json_array_append_new(a, v) != 0)
		*bad = 1;
}

static json_t *row_json(const struct report_row *w, int m, int c, bool hidden, int *bad)
{
	json_t *o = json_object();
	put(o, "modality", json_string(report_mod_name(m)), bad);
	put(o, "condition", json_string(report_cond_name(c)), bad);
	if (hidden)
		put(o, "suppressed", json_true(), bad);
	put(o, "n_courses", count(w->n_courses), bad);
	put(o, "n_completed", count(w->n_completed), bad);
	put(o, "n_dropped", count(w->n_dropped), bad);
	put(o, "pp_resp", count(w->pp_resp), bad);
	put(o, "pp_rate", real(w->pp_rate), bad);
	put(o, "pp_lo", real(w->pp_lo), bad);
	put(o, "pp_hi", real(w->pp_hi), bad);
	put(o, "itt_resp", count(w->itt_resp), bad);
	put(o, "itt_rate", real(w->itt_rate), bad);
	put(o, "itt_lo", real(w->itt_lo), bad);
	put(o, "itt_hi", real(w->itt_hi), bad);
	put(o, "chg_mean", real(w->chg_mean), bad);
	put(o, "chg_sd", real(w->chg_sd), bad);
	put(o, "km_n", count(w->km_n), bad);
	put(o, "km_events", count(w->km_events), bad);
	put(o, "km_median", real(w->km_median), bad);
	put(o, "km_lo", real(w->km_lo), bad);
	put(o, "km_hi", real(w->km_hi), bad);
	put(o, "n_sessions", count(w->n_sessions), bad);
	json_t *ae = json_object();
	for (int k = 0; k < AE__COUNT; k++) {
		json_t *e = json_object();
		put(e, "n", count(w->ae_n[k]), bad);
		put(e, "per100", real(w->ae_per100[k]), bad);
		put(ae, dom_ae_kind_names[k], e, bad);
	}
	put(o, "adverse_events", ae, bad);
	put(o, "soreness_gt4_n", count(w->soreness_gt4_n), bad);
	put(o, "soreness_gt4_share", real(w->soreness_gt4_share), bad);
	return o;
}

static json_t *rate(uint64_t x, uint64_t n, double r, double lo, double hi, int *bad)
{
	json_t *o = json_object();
	put(o, "x", count(x), bad);
	put(o, "n", count(n), bad);
	put(o, "rate", real(r), bad);
	put(o, "lo", real(lo), bad);
	put(o, "hi", real(hi), bad);
	return o;
}

static json_t *mod_json(const struct report_results *res, int m, int *bad)
{
	json_t *o = json_object();
	if (res->suppression.modality[m])
		put(o, "suppressed", json_true(), bad);
	const struct report_curve *cv = &res->km[m];
	json_t *km = json_object(), *pts = json_array();
	put(km, "n_courses", count(cv->n_courses), bad);
	put(km, "n_events", count(cv->n_events), bad);
	put(km, "median", real(cv->median), bad);
	put(km, "median_lo", real(cv->median_lo), bad);
	put(km, "median_hi", real(cv->median_hi), bad);
	for (size_t j = 0; j < cv->n; j++) {
		json_t *p = json_object();
		put(p, "session", real(cv->time[j]), bad);
		put(p, "n_risk", real(cv->n_risk[j]), bad);
		put(p, "surv", real(cv->surv[j]), bad);
		put(p, "lower", real(cv->lower[j]), bad);
		put(p, "upper", real(cv->upper[j]), bad);
		add(pts, p, bad);
	}
	put(km, "points", pts, bad);
	put(o, "km_live", km, bad);

	json_t *tr = json_array();
	for (size_t j = 0; j < res->traj_n[m]; j++) {
		const struct report_traj_point *p = &res->traj[m][j];
		json_t *e = json_object();
		put(e, "session", json_integer(p->session), bad);
		put(e, "n", count(p->n), bad);
		put(e, "q25", real(p->q25), bad);
		put(e, "median", real(p->median), bad);
		put(e, "q75", real(p->q75), bad);
		add(tr, e, bad);
	}
	put(o, "nrs_trajectory", tr, bad);

	const struct report_dropout *d = &res->dropout[m];
	json_t *dj = json_object(), *first = json_array();
	for (size_t k = 0; k < d->n_first; k++)
		add(first, count(d->first_at[k]), bad);
	put(dj, "responders_first_response_at_session", first, bad);
	put(dj, "responders", count(d->n_responders), bad);
	put(dj, "dropped", count(d->dropped), bad);
	put(dj, "dropped_last_trend_improving", count(d->dropped_improving), bad);
	put(dj, "dropped_last_trend_flat", count(d->dropped_flat), bad);
	put(dj, "dropped_last_trend_worsening", count(d->dropped_worsening), bad);
	put(dj, "dropped_no_followup", count(d->dropped_single), bad);
	put(dj, "dropped_already_responding", count(d->dropped_responding), bad);
	json_t *pc = json_object();
	put(pc, "n", count(d->dropped_last_pct.n), bad);
	put(pc, "mean", real(d->dropped_last_pct.mean), bad);
	put(pc, "lo", real(d->dropped_last_pct.lo), bad);
	put(pc, "hi", real(d->dropped_last_pct.hi), bad);
	put(dj, "dropped_pct_change_baseline_to_last", pc, bad);
	put(dj, "no_shows", count(d->no_shows), bad);
	put(dj, "courses_with_no_show", count(d->courses_with_no_show), bad);
	put(dj, "dropped_with_no_show", count(d->dropped_with_no_show), bad);
	put(dj, "itt", rate(d->itt_resp, d->itt_n, d->itt_rate, d->itt_lo, d->itt_hi, bad), bad);
	put(dj, "itt_locf", rate(d->locf_resp, d->itt_n, d->locf_rate, d->locf_lo, d->locf_hi, bad), bad);
	put(o, "dropout", dj, bad);

	const struct report_claims *cl = &res->claims[m];
	json_t *cj = json_object();
	put(cj, "survey_any_improvement", rate(cl->survey_improved, cl->survey_n, cl->survey_rate, cl->survey_lo, cl->survey_hi, bad), bad);
	put(cj, "per_protocol", rate(cl->pp_resp, cl->pp_n, cl->pp_rate, cl->pp_lo, cl->pp_hi, bad), bad);
	put(cj, "intention_to_treat", rate(cl->itt_resp, cl->itt_n, cl->itt_rate, cl->itt_lo, cl->itt_hi, bad), bad);
	put(o, "claims", cj, bad);

	json_t *sj = json_object();
	for (int in = 0; in < INSTR__COUNT; in++) {
		if (in == INSTR_NRS)
			continue;
		const struct report_secondary *s = &res->secondary[m][in];
		const char *src;
		report_mcid((enum instrument)in, &src);
		json_t *e = json_object();
		put(e, "n", count(s->n), bad);
		put(e, "baseline_mean", real(s->base_mean), bad);
		put(e, "last_mean", real(s->last_mean), bad);
		put(e, "change_mean", real(s->chg_mean), bad);
		put(e, "change_lo", real(s->chg_lo), bad);
		put(e, "change_hi", real(s->chg_hi), bad);
		put(e, "mcid", real(s->mcid), bad);
		put(e, "mcid_source", json_string(src), bad);
		put(e, "higher_is_worse", json_boolean(instr_info((enum instrument)in)->higher_is_worse), bad);
		put(e, "n_reaching_mcid", count(s->n_mcid), bad);
		put(e, "share_reaching_mcid", real(s->mcid_share), bad);
		put(sj, dom_instrument_names[in], e, bad);
	}
	put(o, "secondary", sj, bad);
	return o;
}

enum prolo_code report_json(const struct report_results *res, struct buf *out,
                            struct prolo_err *err)
{
	int bad = 0;
	json_t *root = json_object();
	put(root, "title", json_string(res->title), &bad);
	put(root, "filter", res->filter_desc ? json_string(res->filter_desc) : json_null(), &bad);
	put(root, "conf", real(res->conf), &bad);
	json_t *def = json_object();
	put(def, "responder", json_string("last NRS <= 50% of baseline (baseline >= 2)"), &bad);
	put(def, "interval", json_string("Wilson score, no continuity correction"), &bad);
	put(def, "km", json_string("Kaplan-Meier, Greenwood variance, log interval, R survival median rule"), &bad);
	put(def, "time_points", json_string("3, 6 and 12 months after the start, windows of the follow-up plan; "
	                                    "due = ended course whose window closed before as_of; responder = NRS "
	                                    "nearest the time point in its window <= 50% of baseline (baseline >= 2)"),
	    &bad);
	put(root, "definitions", def, &bad);
	char as_of[11];
	dom_date_format(res->tp.as_of, as_of);
	put(root, "as_of", json_string(as_of), &bad);
	if (res->suppression.active) {
		const struct report_suppression *sp = &res->suppression;
		json_t *sj = json_object();
		char d[11];
		put(sj, "min_cell", json_integer((json_int_t)sp->min_cell), &bad);
		put(sj, "groups_suppressed", json_integer(sp->cells), &bad);
		if (sp->from != DOM_DATE_NONE) {
			dom_date_format(sp->from, d);
			put(sj, "from", json_string(d), &bad);
		} else {
			put(sj, "from", json_null(), &bad);
		}
		if (sp->to != DOM_DATE_NONE) {
			dom_date_format(sp->to, d);
			put(sj, "to", json_string(d), &bad);
		} else {
			put(sj, "to", json_null(), &bad);
		}
		put(sj, "rule", json_string("groups of fewer than min_cell courses are suppressed, with a second "
		                            "group of any margin that would reveal one; dates are whole months"),
		    &bad);
		put(root, "suppression", sj, &bad);
	}
	json_t *rows = json_array();
	for (int m = 0; m < REPORT_NMOD; m++)
		for (int c = 0; c < REPORT_NCOND; c++) {
			json_t *g = row_json(&res->rows[m * REPORT_NCOND + c], m, c,
			                     res->suppression.row[m * REPORT_NCOND + c], &bad);
			put(g, "time_points", report_tp_json_group(res, m * REPORT_NCOND + c), &bad);
			add(rows, g, &bad);
		}
	put(root, "groups", rows, &bad);
	put(root, "invitation_funnel", report_tp_json_funnel(res), &bad);
	json_t *lr = json_array();
	for (int i = 0; i < REPORT_NCOND; i++) {
		int c = i == 0 ? REPORT_ALL_COND : i - 1;
		const struct report_logrank *l = &res->logrank[c];
		json_t *e = json_object(), *ob = json_object(), *ex = json_object();
		put(e, "stratum", json_string(report_cond_name(c)), &bad);
		put(e, "chisq", real(l->chisq), &bad);
		put(e, "df", real(l->df), &bad);
		put(e, "p", real(l->p), &bad);
		for (int m = 0; m < MOD__COUNT; m++) {
			put(ob, dom_modality_names[m], real(l->observed[m]), &bad);
			put(ex, dom_modality_names[m], real(l->expected[m]), &bad);
		}
		put(e, "observed", ob, &bad);
		put(e, "expected", ex, &bad);
		add(lr, e, &bad);
	}
	put(root, "logrank", lr, &bad);
	json_t *diffs = json_array();
	for (int i = 0; i < 3; i++) {
		const struct report_diff *d = &res->diffs[i];
		json_t *e = json_object();
		put(e, "a", json_string(report_mod_name(d->a)), &bad);
		put(e, "b", json_string(report_mod_name(d->b)), &bad);
		put(e, "itt_difference", real(d->diff), &bad);
		put(e, "lo", real(d->lo), &bad);
		put(e, "hi", real(d->hi), &bad);
		put(e, "method", json_string("Newcombe hybrid score"), &bad);
		add(diffs, e, &bad);
	}
	put(root, "itt_differences", diffs, &bad);
	json_t *mods = json_object();
	for (int m = 0; m < REPORT_NMOD; m++)
		put(mods, report_mod_name(m), mod_json(res, m, &bad), &bad);
	put(root, "by_modality", mods, &bad);
	const struct report_quality *q = &res->quality;
	json_t *qj = json_object();
	put(qj, "courses_read", count(q->courses_seen), &bad);
	put(qj, "not_ended", count(q->not_ended), &bad);
	put(qj, "without_nrs", count(q->no_nrs), &bad);
	put(qj, "baseline_below_2", count(q->low_baseline), &bad);
	put(qj, "clinic_added_condition", count(q->other_condition), &bad);
	put(qj, "followups_before_first_session", count(q->pre_session_followups), &bad);
	put(qj, "followups_sharing_a_session", count(q->same_session_followups), &bad);
	put(qj, "nrs_dates_with_several_scores", count(q->same_day_nrs), &bad);
	put(root, "data_notes", qj, &bad);

	char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (!text)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = buf_adds(out, text);
	if (rc == PROLO_OK)
		rc = buf_addc(out, '\n');
	free(text);
	if (rc != PROLO_OK)
		return prolo_err_set(err, rc, "", "report too large for its buffer or out of memory");
	return PROLO_OK;
}
