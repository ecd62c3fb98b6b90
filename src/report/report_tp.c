/* Outcomes at time points: each ended course's 3-, 6- and 12-month points
 * fold into fixed counts per group, time point and ending, and into the
 * invitation funnel (report/report_tp.h; docs/report.md gives every rule
 * in words). Nothing is kept per course. */
#include "report/report_tp.h"

#include <math.h>

#include "report/report.h"
#include "stats/stats.h"

const int report_tp_months[REPORT_TP_N] = { 3, 6, 12 };
const char *const report_tp_ending_names[TP_END__COUNT] = { "all", "completed", "dropped" };

/* The course's baseline: the mean NRS of its earliest NRS date. False
 * when it has no NRS. */
static bool baseline(const struct course_rows *c, int32_t *date, double *score)
{
	size_t i = 0;
	while (i < c->n_outcomes && (c->out_instrument[i] != INSTR_NRS || isnan(c->out_score[i])))
		i++;
	if (i == c->n_outcomes)
		return false;
	*date = c->out_date[i];
	double sum = 0;
	int n = 0;
	for (; i < c->n_outcomes && c->out_date[i] == *date; i++)
		if (c->out_instrument[i] == INSTR_NRS && !isnan(c->out_score[i])) {
			sum += c->out_score[i];
			n++;
		}
	*score = sum / n;
	return true;
}

void report_tp_assess(const struct course_rows *c, const struct report_tp_point *pt, bool *answered,
                      bool *responder)
{
	*answered = *responder = false;
	/* The NRS date in the window nearest to the target; of two as near,
	 * the later (the rows are sorted by date). */
	int32_t best = DOM_DATE_NONE;
	int64_t best_d = INT64_MAX;
	for (size_t i = 0; i < c->n_outcomes; i++) {
		int32_t d = c->out_date[i];
		if (c->out_instrument[i] != INSTR_NRS || isnan(c->out_score[i]) || d < pt->window_start ||
		    d > pt->window_end)
			continue;
		int64_t dist = d >= pt->target ? (int64_t)d - pt->target : (int64_t)pt->target - d;
		if (dist <= best_d) {
			best_d = dist;
			best = d;
		}
	}
	if (best == DOM_DATE_NONE)
		return;
	*answered = true;
	double sum = 0;
	int n = 0;
	for (size_t i = 0; i < c->n_outcomes; i++)
		if (c->out_date[i] == best && c->out_instrument[i] == INSTR_NRS && !isnan(c->out_score[i])) {
			sum += c->out_score[i];
			n++;
		}
	int32_t bdate;
	double b;
	if (baseline(c, &bdate, &b) && bdate < best && b >= REPORT_MIN_BASELINE)
		*responder = 2 * (sum / n) <= b;
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
	int ending = dom_status_completed((enum course_status)c->status) ? TP_END_COMPLETED : TP_END_DROPPED;
	int mod = c->modality, cond = c->condition, groups[4], ng = 0;
	if (cond >= 0) {
		groups[ng++] = mod * REPORT_NCOND + cond;
		groups[ng++] = REPORT_ALL_MOD * REPORT_NCOND + cond;
	}
	groups[ng++] = mod * REPORT_NCOND + REPORT_ALL_COND;
	groups[ng++] = REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND;
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_point *p = &in->pt[i];
		bool due = p->planned && p->window_end < tp->as_of, answered = false, responder = false;
		if (due)
			report_tp_assess(c, p, &answered, &responder);
		for (int j = 0; j < ng; j++)
			for (int k = 0; k < 2; k++) { /* all, then the course's ending */
				struct report_tp_cell *x = &tp->cell[groups[j]][i][k ? ending : TP_END_ALL];
				if (!p->planned)
					x->no_point++;
				else if (!due)
					x->not_yet_due++;
				else {
					x->due++;
					x->answered += answered;
					x->responders += responder;
				}
			}
		if (due) {
			struct report_tp_funnel *f = &tp->funnel[i][p->channel];
			f->due++;
			f->sent += p->sent;
			f->delivered += p->delivered;
			f->answered += answered;
		}
	}
	return PROLO_OK;
}

void report_tp_finish(struct report_tp_results *tp, double z)
{
	for (int g = 0; g < REPORT_NGROUPS; g++)
		for (int i = 0; i < REPORT_TP_N; i++)
			for (int e = 0; e < TP_END__COUNT; e++) {
				struct report_tp_cell *x = &tp->cell[g][i][e];
				x->completeness = x->due ? (double)x->answered / (double)x->due : NAN;
				x->rate = x->due ? (double)x->responders / (double)x->due : NAN;
				stats_wilson(x->responders, x->due, z, &x->lo, &x->hi);
			}
}
