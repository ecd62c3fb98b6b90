/* report.csv and logrank.csv exactly as REPORT.md §3–§5 prints them:
 * integers as integers, reals with %.10g, missing values as NA. */
#include <inttypes.h>
#include <math.h>

#include "report/report.h"

/* Appends ",%.10g" or ",NA". */
static enum prolo_code real(struct buf *b, double v)
{
	return isnan(v) ? buf_adds(b, ",NA") : buf_printf(b, ",%.10g", v);
}

static enum prolo_code count(struct buf *b, uint64_t v)
{
	return buf_printf(b, ",%" PRIu64, v);
}

static enum prolo_code fail(enum prolo_code rc, struct prolo_err *err)
{
	return prolo_err_set(err, rc, "", rc == PROLO_ETOOBIG ? "report too large for its buffer" : "out of memory");
}

enum prolo_code report_csv(const struct report_results *res, struct buf *out,
                           struct prolo_err *err)
{
	enum prolo_code rc = buf_adds(out,
		"modality,condition,n_courses,n_completed,n_dropped,pp_resp,pp_rate,pp_lo,pp_hi,"
		"itt_resp,itt_rate,itt_lo,itt_hi,chg_mean,chg_sd,km_n,km_events,km_median,km_lo,"
		"km_hi,n_sessions,soreness_n,stiffness_n,infection_n,soreness_per100,"
		"stiffness_per100,infection_per100,soreness_gt4_n,soreness_gt4_share\n");
	for (int m = 0; m < REPORT_NMOD && rc == PROLO_OK; m++)
		for (int c = 0; c < REPORT_NCOND && rc == PROLO_OK; c++) {
			const struct report_row *w = &res->rows[m * REPORT_NCOND + c];
			rc = buf_printf(out, "%s,%s", report_mod_name(m), report_cond_name(c));
			if (!rc) rc = count(out, w->n_courses);
			if (!rc) rc = count(out, w->n_completed);
			if (!rc) rc = count(out, w->n_dropped);
			if (!rc) rc = count(out, w->pp_resp);
			if (!rc) rc = real(out, w->pp_rate);
			if (!rc) rc = real(out, w->pp_lo);
			if (!rc) rc = real(out, w->pp_hi);
			if (!rc) rc = count(out, w->itt_resp);
			if (!rc) rc = real(out, w->itt_rate);
			if (!rc) rc = real(out, w->itt_lo);
			if (!rc) rc = real(out, w->itt_hi);
			if (!rc) rc = real(out, w->chg_mean);
			if (!rc) rc = real(out, w->chg_sd);
			if (!rc) rc = count(out, w->km_n);
			if (!rc) rc = count(out, w->km_events);
			if (!rc) rc = real(out, w->km_median);
			if (!rc) rc = real(out, w->km_lo);
			if (!rc) rc = real(out, w->km_hi);
			if (!rc) rc = count(out, w->n_sessions);
			if (!rc) rc = count(out, w->ae_n[AE_SORENESS]);
			if (!rc) rc = count(out, w->ae_n[AE_STIFFNESS]);
			if (!rc) rc = count(out, w->ae_n[AE_INFECTION]);
			if (!rc) rc = real(out, w->ae_per100[AE_SORENESS]);
			if (!rc) rc = real(out, w->ae_per100[AE_STIFFNESS]);
			if (!rc) rc = real(out, w->ae_per100[AE_INFECTION]);
			if (!rc) rc = count(out, w->soreness_gt4_n);
			if (!rc) rc = real(out, w->soreness_gt4_share);
			if (!rc) rc = buf_addc(out, '\n');
		}
	return rc ? fail(rc, err) : PROLO_OK;
}

enum prolo_code report_logrank_csv(const struct report_results *res, struct buf *out,
                                   struct prolo_err *err)
{
	enum prolo_code rc = buf_adds(out, "stratum,chisq,df,p\n");
	for (int i = 0; i < REPORT_NCOND && rc == PROLO_OK; i++) {
		int c = i == 0 ? REPORT_ALL_COND : i - 1;
		const struct report_logrank *lr = &res->logrank[c];
		rc = buf_adds(out, report_cond_name(c));
		if (!rc) rc = real(out, lr->chisq);
		if (!rc) rc = isnan(lr->df) ? buf_adds(out, ",NA") : buf_printf(out, ",%d", (int)lr->df);
		if (!rc) rc = real(out, lr->p);
		if (!rc) rc = buf_addc(out, '\n');
	}
	return rc ? fail(rc, err) : PROLO_OK;
}
