/* The outcomes report as a use case: who may see which clinic's figures,
 * the courses it reads, and the audit row of the read. Rendering is the
 * adapters' (report/report.h renders text, csv, json and html). */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/report_timepoints.h"
#include "report/report.h"
#include "store/store_booking.h"

/* The courses go to the report with their no-shows (the drop-out
 * analysis counts them): both lists are in course-key order. */
struct feed_ctx {
	struct report *r;
	struct app_tp_feed tp;    /* the time points (report_timepoints.h) */
	struct store_booking *ns; /* the no-show bookings */
	int32_t *dates;           /* their dates, in the same order */
	size_t n, at;
};

static enum prolo_code feed(void *ctx, const struct course_rows *rows, struct prolo_err *err)
{
	struct feed_ctx *x = ctx;
	while (x->at < x->n && x->ns[x->at].course_key < rows->course_key)
		x->at++;
	size_t b0 = x->at;
	while (x->at < x->n && x->ns[x->at].course_key == rows->course_key)
		x->at++;
	/* The time points check that they see the rows the report took. */
	struct course_rows c;
	const struct course_rows *use = rows;
	if (b0 != x->at) {
		c = *rows;
		c.n_noshows = x->at - b0;
		c.noshow_date = x->dates + b0;
		use = &c;
	}
	enum prolo_code rc = report_add_course(x->r, use, err);
	return rc ? rc : app_tp_feed(&x->tp, x->r, use, err);
}

/* The no-shows of clinic (NULL = every clinic) into x. */
static enum prolo_code load_noshows(struct app_ctx *cx, const char *clinic, struct feed_ctx *x,
                                    struct prolo_err *err)
{
	struct store_booking_filter bf = { .clinic = clinic, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE,
	                                   .status = BK_NO_SHOW };
	enum prolo_code rc = store_booking_collect(cx->st, &bf, true, &x->ns, &x->n, err);
	if (!rc && x->n && !(x->dates = malloc(x->n * sizeof *x->dates)))
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	for (size_t i = 0; !rc && i < x->n; i++)
		x->dates[i] = x->ns[i].date;
	return rc;
}

enum prolo_code app_report(struct app_ctx *cx, const struct app_report_in *in,
                           const struct report_options *ro, struct report **out,
                           struct prolo_err *err)
{
	*out = NULL;
	/* Users bound to a clinic see their clinic's figures only; an admin or
	 * a user bound to none may filter by any clinic. */
	bool bound = cx->who.role != ROLE_ADMIN && cx->who.clinic[0];
	const char *clinic = in->clinic;
	if (!clinic && bound)
		clinic = cx->who.clinic;
	enum prolo_code rc = app_permit(cx, CAN_REPORT, NULL, NULL, bound ? clinic : NULL, err);
	if (rc)
		return rc;
	if (in->from != DOM_DATE_NONE && in->to != DOM_DATE_NONE && in->from > in->to)
		return prolo_err_set(err, PROLO_EINVAL, "from", "is after to");
	/* Aggregates only: a researcher's period is whole months, so it cannot
	 * be narrowed to single courses by bisecting dates; and the report is
	 * the whole table of modalities and conditions, whose groups carry one
	 * suppression pattern: a filtered report's margins would be groups of
	 * the whole table suppressed differently, and their difference a
	 * hidden group. */
	bool coarse = cx->who.role == ROLE_RESEARCHER;
	if (coarse && in->modality >= 0)
		return prolo_err_set(err, PROLO_EINVAL, "modality",
		                     "a researcher's report covers every modality (its groups show each)");
	if (coarse && in->condition)
		return prolo_err_set(err, PROLO_EINVAL, "condition",
		                     "a researcher's report covers every condition (its groups show each)");
	int32_t from = in->from, to = in->to;
	if (coarse) {
		int y, m, d;
		if (from != DOM_DATE_NONE) {
			dom_civil_from_days(from, &y, &m, &d);
			from = dom_days_from_civil(y, m, 1);
		}
		if (to != DOM_DATE_NONE) {
			dom_civil_from_days(to, &y, &m, &d);
			to = (m == 12 ? dom_days_from_civil(y + 1, 1, 1) : dom_days_from_civil(y, m + 1, 1)) - 1;
		}
	}
	struct store_report_filter f = { .clinic = clinic, .modality = in->modality,
	                                 .condition = in->condition, .from = from, .to = to,
	                                 .lean = in->lean };
	/* The time points are due by the clock's date (report_tp.h). */
	struct report_options opt = { 0 };
	if (ro)
		opt = *ro;
	opt.as_of = cx->today;
	struct feed_ctx fc = { 0 };
	if ((rc = report_new(&opt, &fc.r, err)))
		return rc;
	struct report *r = fc.r;
	if (!(rc = load_noshows(cx, clinic, &fc, err)) && !(rc = app_tp_open(cx, &fc.tp, err)))
		rc = store_scan_courses(cx->st, &f, feed, &fc, err);
	app_tp_close(&fc.tp);
	free(fc.ns);
	free(fc.dates);
	if (!rc && !(rc = report_finish(r, err))) {
		if (coarse) {
			struct report_results *res = report_results_mut(r);
			res->suppression.from = from;
			res->suppression.to = to;
			report_suppress(res, cx->min_cell > 0 ? (uint64_t)cx->min_cell : 0);
		}
		char detail[200];
		snprintf(detail, sizeof detail, "%s%s%s%s%s%s", clinic ? "clinic " : "", clinic ? clinic : "",
		         in->modality >= 0 ? " modality " : "", in->modality >= 0 ? dom_modality_names[in->modality] : "",
		         in->condition ? " condition " : "", in->condition ? in->condition : "");
		char d1[11], d2[11];
		if (from != DOM_DATE_NONE) {
			dom_date_format(from, d1);
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " from %s", d1);
		}
		if (to != DOM_DATE_NONE) {
			dom_date_format(to, d2);
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " to %s", d2);
		}
		if (coarse)
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " suppressed %d",
			         report_results(r)->suppression.cells);
		rc = app_audit(cx, "report.read", NULL, NULL, detail, err);
	}
	if (rc) {
		report_free(r);
		return rc;
	}
	*out = r;
	return PROLO_OK;
}
