/* Outcomes at time points: each ended course's 3-, 6- and 12-month points
 * fold into fixed counts of its own group and ending, and into the
 * invitation funnel; the margins (ALL) and "all" endings are summed at the
 * end (report/report_tp.h; docs/report.md gives every rule in words).
 * Nothing is kept per course; a course's NRS observations are the ones
 * the report derived for it (report_course_nrs), so the rules on them
 * (same-day scores averaged, the baseline) are those of report.csv. */
#include "report/report_tp.h"

#include <math.h>

#include "report/report.h"
#include "stats/stats.h"

const int report_tp_months[REPORT_TP_N] = { 3, 6, 12 };
const char *const report_tp_ending_names[TP_END__COUNT] = { "all", "completed", "dropped" };

/* The time points pt[0..n) of a course (those with due[k]) over its NRS
 * observations (report_course_nrs: one per date, oldest first): the first
 * is the baseline; a point's assessment is the date in its window nearest
 * to its target, the later of two as near. */
static void assess(const int32_t *date, const double *score, size_t n_obs, const struct report_tp_point *pt,
                   const bool *due, bool *answered, bool *responder)
{
	int32_t best[REPORT_TP_N];
	int64_t best_dist[REPORT_TP_N];
	double best_score[REPORT_TP_N];
	int32_t lo = INT32_MAX, hi = INT32_MIN; /* the windows' span */
	for (int k = 0; k < REPORT_TP_N; k++) {
		best[k] = DOM_DATE_NONE;
		best_dist[k] = INT64_MAX;
		best_score[k] = NAN;
		if (due[k]) {
			lo = pt[k].window_start < lo ? pt[k].window_start : lo;
			hi = pt[k].window_end > hi ? pt[k].window_end : hi;
		}
	}
	/* Newest first, down to the earliest window (most courses have no
	 * assessment that late): of two as near, the later is met first and
	 * kept. */
	for (size_t j = n_obs; j-- > 0 && date[j] >= lo;) {
		int32_t d = date[j];
		if (d > hi)
			continue;
		for (int k = 0; k < REPORT_TP_N; k++) {
			if (!due[k] || d < pt[k].window_start || d > pt[k].window_end)
				continue;
			int64_t dist = d >= pt[k].target ? (int64_t)d - pt[k].target : (int64_t)pt[k].target - d;
			if (dist < best_dist[k]) {
				best_dist[k] = dist;
				best[k] = d;
				best_score[k] = score[j];
			}
		}
	}
	for (int k = 0; k < REPORT_TP_N; k++) {
		answered[k] = best[k] != DOM_DATE_NONE;
		responder[k] = answered[k] && date[0] < best[k] && score[0] >= REPORT_MIN_BASELINE &&
		               2 * best_score[k] <= score[0];
	}
}

enum prolo_code report_add_timepoints(struct report *r, const struct report_tp_course *in,
                                      struct prolo_err *err)
{
	const struct course_rows *c = in->rows;
	const char *id = c->course_id ? c->course_id : "?";
	struct report_tp_results *tp = &report_results_mut(r)->tp;
	bool due[REPORT_TP_N], answered[REPORT_TP_N] = { false }, responder[REPORT_TP_N] = { false }, any = false;
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_point *p = &in->pt[i];
		if (p->planned && p->window_end < p->window_start)
			return prolo_err_set(err, PROLO_EINVAL, "window", "course %s: the %d-month window ends before it starts",
			                     id, report_tp_months[i]);
		if (p->channel < 0 || p->channel >= CH__COUNT)
			return prolo_err_set(err, PROLO_EINVAL, "channel", "course %s: channel %d out of range", id, p->channel);
		any |= due[i] = p->planned && p->window_end < tp->as_of;
	}
	size_t n_obs;
	const int32_t *date;
	const double *score;
	if (!report_course_nrs(r, c, &n_obs, &date, &score))
		return prolo_err_set(err, PROLO_EINVAL, "course", "course %s: not the course the report took last", id);
	if (!dom_status_ended((enum course_status)c->status))
		return PROLO_OK;
	if (any && n_obs)
		assess(date, score, n_obs, in->pt, due, answered, responder);
	/* Only the course's own group and ending here (a clinic-added
	 * condition in its modality's ALL); report_tp_finish adds up the
	 * margins and "all". */
	int g = c->modality * REPORT_NCOND + (c->condition >= 0 ? c->condition : REPORT_ALL_COND);
	int e = dom_status_completed((enum course_status)c->status) ? TP_END_COMPLETED : TP_END_DROPPED;
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_point *p = &in->pt[i];
		struct report_tp_cell *x = &tp->cell[g][i][e];
		if (!due[i]) {
			x->no_point += !p->planned;
			x->not_yet_due += p->planned;
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
