/* Outcomes at time points: each ended course's 3-, 6- and 12-month points
 * fold into fixed counts of its own group and ending, and into the
 * invitation funnel; the margins (ALL) and "all" endings are summed at the
 * end (report/report_tp.h; docs/report.md gives every rule in words).
 * Nothing is kept per course, and one pass over a course's assessments
 * serves its three time points. */
#include "report/report_tp.h"

#include <math.h>

#include "report/report.h"
#include "stats/stats.h"

const int report_tp_months[REPORT_TP_N] = { 3, 6, 12 };
const char *const report_tp_ending_names[TP_END__COUNT] = { "all", "completed", "dropped" };

/* The time points pt[0..n) of a course (those with due[k]) in one pass
 * over its assessments (sorted by date): the baseline is the first NRS
 * date, each date's NRS scores averaged; a point's assessment is the NRS
 * date in its window nearest to its target, the later of two as near. */
static void assess(const struct course_rows *c, const struct report_tp_point *pt, const bool *due, int n,
                   bool *answered, bool *responder)
{
	int32_t bdate = DOM_DATE_NONE, best[REPORT_TP_N];
	int64_t best_dist[REPORT_TP_N];
	double base = NAN, best_score[REPORT_TP_N];
	int32_t lo = INT32_MAX, hi = INT32_MIN; /* the windows' span */
	for (int k = 0; k < n; k++) {
		best[k] = DOM_DATE_NONE;
		best_dist[k] = INT64_MAX;
		best_score[k] = NAN;
		if (due[k]) {
			lo = pt[k].window_start < lo ? pt[k].window_start : lo;
			hi = pt[k].window_end > hi ? pt[k].window_end : hi;
		}
	}
	size_t i = 0;
	while (i < c->n_outcomes) {
		int32_t d = c->out_date[i];
		double sum = 0;
		int cnt = 0;
		for (; i < c->n_outcomes && c->out_date[i] == d; i++)
			if (c->out_instrument[i] == INSTR_NRS && !isnan(c->out_score[i])) {
				sum += c->out_score[i];
				cnt++;
			}
		if (!cnt)
			continue;
		double score = sum / cnt;
		if (bdate == DOM_DATE_NONE) {
			bdate = d;
			base = score;
		}
		if (d < lo || d > hi)
			continue;
		for (int k = 0; k < n; k++) {
			if (!due[k] || d < pt[k].window_start || d > pt[k].window_end)
				continue;
			int64_t dist = d >= pt[k].target ? (int64_t)d - pt[k].target : (int64_t)pt[k].target - d;
			if (dist <= best_dist[k]) {
				best_dist[k] = dist;
				best[k] = d;
				best_score[k] = score;
			}
		}
	}
	for (int k = 0; k < n; k++) {
		answered[k] = best[k] != DOM_DATE_NONE;
		responder[k] = answered[k] && bdate < best[k] && base >= REPORT_MIN_BASELINE && 2 * best_score[k] <= base;
	}
}

void report_tp_assess(const struct course_rows *c, const struct report_tp_point *pt, bool *answered,
                      bool *responder)
{
	const bool due = true;
	assess(c, pt, &due, 1, answered, responder);
}

enum prolo_code report_add_timepoints(struct report *r, const struct report_tp_course *in,
                                      struct prolo_err *err)
{
	const struct course_rows *c = in->rows;
	const char *id = c->course_id ? c->course_id : "?";
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_point *p = &in->pt[i];
		if (p->planned && p->window_end < p->window_start)
			return prolo_err_set(err, PROLO_EINVAL, "window", "course %s: the %d-month window ends before it starts",
			                     id, report_tp_months[i]);
		if (p->channel < 0 || p->channel >= CH__COUNT)
			return prolo_err_set(err, PROLO_EINVAL, "channel", "course %s: channel %d out of range", id, p->channel);
	}
	if (c->modality < 0 || c->modality >= MOD__COUNT || c->condition < -1 || c->condition >= COND__COUNT ||
	    c->status < 0 || c->status >= CS__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "course", "course %s: modality, condition or status out of range", id);
	if (!dom_status_ended((enum course_status)c->status))
		return PROLO_OK;
	struct report_tp_results *tp = &report_results_mut(r)->tp;
	bool due[REPORT_TP_N], answered[REPORT_TP_N] = { false }, responder[REPORT_TP_N] = { false }, any = false;
	for (int i = 0; i < REPORT_TP_N; i++)
		any |= due[i] = in->pt[i].planned && in->pt[i].window_end < tp->as_of;
	if (any)
		assess(c, in->pt, due, REPORT_TP_N, answered, responder);
	/* Only the course's own group and ending here (a clinic-added
	 * condition in its modality's ALL); report_tp_finish adds up the
	 * margins and "all". */
	int g = c->modality * REPORT_NCOND + (c->condition >= 0 ? c->condition : REPORT_ALL_COND);
	int e = dom_status_completed((enum course_status)c->status) ? TP_END_COMPLETED : TP_END_DROPPED;
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_point *p = &in->pt[i];
		struct report_tp_cell *x = &tp->cell[g][i][e];
		if (!p->planned) {
			x->no_point++;
			continue;
		}
		if (!due[i]) {
			x->not_yet_due++;
			continue;
		}
		x->due++;
		x->answered += answered[i];
		x->responders += responder[i];
		struct report_tp_funnel *f = &tp->funnel[i][p->channel];
		f->due++;
		f->sent += p->sent;
		f->delivered += p->delivered;
		f->answered += answered[i];
	}
	return PROLO_OK;
}

static void cell_add(struct report_tp_cell *to, const struct report_tp_cell *x)
{
	to->due += x->due;
	to->not_yet_due += x->not_yet_due;
	to->no_point += x->no_point;
	to->answered += x->answered;
	to->responders += x->responders;
}

void report_tp_finish(struct report_tp_results *tp, double z)
{
	/* The margins: (m, ALL) holds m's clinic-added conditions so far. */
	const int A = REPORT_ALL_MOD * REPORT_NCOND;
	for (int i = 0; i < REPORT_TP_N; i++)
		for (int e = TP_END_COMPLETED; e <= TP_END_DROPPED; e++) {
			for (int m = 0; m < MOD__COUNT; m++) {
				for (int c = 0; c < COND__COUNT; c++) {
					cell_add(&tp->cell[m * REPORT_NCOND + REPORT_ALL_COND][i][e], &tp->cell[m * REPORT_NCOND + c][i][e]);
					cell_add(&tp->cell[A + c][i][e], &tp->cell[m * REPORT_NCOND + c][i][e]);
				}
				cell_add(&tp->cell[A + REPORT_ALL_COND][i][e], &tp->cell[m * REPORT_NCOND + REPORT_ALL_COND][i][e]);
			}
		}
	for (int g = 0; g < REPORT_NGROUPS; g++)
		for (int i = 0; i < REPORT_TP_N; i++) {
			tp->cell[g][i][TP_END_ALL] = tp->cell[g][i][TP_END_COMPLETED];
			cell_add(&tp->cell[g][i][TP_END_ALL], &tp->cell[g][i][TP_END_DROPPED]);
		}
	for (int g = 0; g < REPORT_NGROUPS; g++)
		for (int i = 0; i < REPORT_TP_N; i++)
			for (int e = 0; e < TP_END__COUNT; e++) {
				struct report_tp_cell *x = &tp->cell[g][i][e];
				x->completeness = x->due ? (double)x->answered / (double)x->due : NAN;
				x->rate = x->due ? (double)x->responders / (double)x->due : NAN;
				stats_wilson(x->responders, x->due, z, &x->lo, &x->hi);
			}
}
