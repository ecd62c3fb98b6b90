/* The terminal report: the key table (one line per modality) first, then
 * the detail a reader asks for next: conditions, log-rank, the claims
 * check, drop-outs, side effects, secondary instruments, data notes. */
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>

#include "core/instruments.h"
#include "report/report.h"

/* "62.5% (55.1-69.3)" or "NA" into out. */
static const char *pct_ci(char *out, size_t n, double r, double lo, double hi)
{
	if (isnan(r))
		snprintf(out, n, "NA");
	else
		snprintf(out, n, "%.1f%% (%.1f-%.1f)", 100 * r, 100 * lo, 100 * hi);
	return out;
}

static const char *num(char *out, size_t n, double v, int prec)
{
	if (isnan(v))
		snprintf(out, n, "NA");
	else
		snprintf(out, n, "%.*f", prec, v);
	return out;
}

static const char *median_ci(char *out, size_t n, double m, double lo, double hi)
{
	char a[32], b[32], c[32];
	if (isnan(m) && isnan(lo))
		snprintf(out, n, "not reached");
	else
		snprintf(out, n, "%s (%s-%s)", num(a, sizeof a, m, 1), num(b, sizeof b, lo, 1),
		         isnan(hi) ? "NR" : num(c, sizeof c, hi, 1));
	return out;
}

enum prolo_code report_text(const struct report_results *res, struct buf *b,
                            struct prolo_err *err)
{
	struct buf_out ob = { b, PROLO_OK }, *o = &ob;
	char s1[64], s2[64], s3[64], s4[64], s5[64];
	buf_outf(o, "%s\n", res->title);
	if (res->filter_desc)
		buf_outf(o, "Filter: %s\n", res->filter_desc);
	buf_outf(o, "Ended courses only; responder = last NRS <= 50%% of baseline; "
	              "%.0f%% Wilson intervals; drop-outs count as non-responders (ITT).\n\n",
	           100 * res->conf);

	buf_outf(o, "%-10s %7s %7s %7s  %-22s %-22s %-20s %s\n", "modality", "courses",
	           "complet", "dropped", "per-protocol", "intention-to-treat",
	           "sessions to response", "soreness/100 sess");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_row *w = &res->rows[m * REPORT_NCOND + REPORT_ALL_COND];
		buf_outf(o, "%-10s %7" PRIu64 " %7" PRIu64 " %7" PRIu64 "  %-22s %-22s %-20s %s\n",
		           report_mod_name(m), w->n_courses, w->n_completed, w->n_dropped,
		           pct_ci(s1, sizeof s1, w->pp_rate, w->pp_lo, w->pp_hi),
		           pct_ci(s2, sizeof s2, w->itt_rate, w->itt_lo, w->itt_hi),
		           median_ci(s3, sizeof s3, w->km_median, w->km_lo, w->km_hi),
		           num(s4, sizeof s4, w->ae_per100[AE_SORENESS], 1));
	}

	buf_outf(o, "\nBy modality and condition (ITT responders / courses, rate and interval)\n");
	buf_outf(o, "%-10s", "");
	for (int c = 0; c < REPORT_NCOND; c++)
		buf_outf(o, " %-22s", report_cond_name(c));
	buf_outf(o, "\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		buf_outf(o, "%-10s", report_mod_name(m));
		for (int c = 0; c < REPORT_NCOND; c++) {
			const struct report_row *w = &res->rows[m * REPORT_NCOND + c];
			char cellbuf[64];
			if (!w->n_courses)
				snprintf(cellbuf, sizeof cellbuf, "-");
			else
				snprintf(cellbuf, sizeof cellbuf, "%" PRIu64 "/%" PRIu64 " %.0f%% (%.0f-%.0f)",
				         w->itt_resp, w->n_courses, 100 * w->itt_rate, 100 * w->itt_lo,
				         100 * w->itt_hi);
			buf_outf(o, " %-22s", cellbuf);
		}
		buf_outf(o, "\n");
	}

	buf_outf(o, "\nLog-rank test of sessions-to-response across modalities\n");
	for (int i = 0; i < REPORT_NCOND; i++) {
		int c = i == 0 ? REPORT_ALL_COND : i - 1;
		const struct report_logrank *lr = &res->logrank[c];
		if (isnan(lr->chisq))
			buf_outf(o, "  %-16s not computable (fewer than two modalities at risk, or no events)\n",
			           report_cond_name(c));
		else
			buf_outf(o, "  %-16s chi-square %.3f, df %.0f, p = %.4g\n", report_cond_name(c),
			           lr->chisq, lr->df, lr->p);
	}
	for (int i = 0; i < 3; i++) {
		const struct report_diff *d = &res->diffs[i];
		if (!isnan(d->diff))
			buf_outf(o, "  ITT difference %s - %s: %+.1f points (%.1f to %.1f, Newcombe)\n",
			           report_mod_name(d->a), report_mod_name(d->b), 100 * d->diff,
			           100 * d->lo, 100 * d->hi);
	}

	buf_outf(o, "\nClaims check: one registry, three success rates\n");
	buf_outf(o, "%-10s %-30s %-30s %-30s\n", "modality", "survey (any improvement)",
	           "per-protocol (>=50%)", "intention-to-treat (>=50%)");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_claims *cl = &res->claims[m];
		char ca[96], cb[96], cc[96];
		snprintf(ca, sizeof ca, "%s n=%" PRIu64, pct_ci(s1, sizeof s1, cl->survey_rate, cl->survey_lo, cl->survey_hi), cl->survey_n);
		snprintf(cb, sizeof cb, "%s n=%" PRIu64, pct_ci(s2, sizeof s2, cl->pp_rate, cl->pp_lo, cl->pp_hi), cl->pp_n);
		snprintf(cc, sizeof cc, "%s n=%" PRIu64, pct_ci(s3, sizeof s3, cl->itt_rate, cl->itt_lo, cl->itt_hi), cl->itt_n);
		buf_outf(o, "%-10s %-30s %-30s %-30s\n", report_mod_name(m), ca, cb, cc);
	}
	buf_outf(o, "  survey = courses whose last NRS was taken at their last session, counting any\n"
	              "  drop in pain as success, as a follow-up phone call reaches them.\n");

	buf_outf(o, "\nDrop-out analysis\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_dropout *d = &res->dropout[m];
		buf_outf(o, "  %s: responders first responded at session:", report_mod_name(m));
		if (!d->n_responders)
			buf_outf(o, " (no responders)");
		for (size_t k = 0; k < d->n_first; k++)
			if (d->first_at[k])
				buf_outf(o, " %zu: %.0f%%", k, 100.0 * (double)d->first_at[k] / (double)d->n_responders);
		buf_outf(o, "\n    %" PRIu64 " drop-outs: last NRS improving %" PRIu64 ", flat %" PRIu64
		              ", worsening %" PRIu64 ", no follow-up %" PRIu64 "; already responding %" PRIu64 "\n",
		           d->dropped, d->dropped_improving, d->dropped_flat, d->dropped_worsening,
		           d->dropped_single, d->dropped_responding);
		buf_outf(o, "    no-shows: %" PRIu64 " bookings missed by %" PRIu64 " courses, %" PRIu64
		              " of them drop-outs\n",
		           d->no_shows, d->courses_with_no_show, d->dropped_with_no_show);
		buf_outf(o, "    ITT %s vs last observation carried forward %s\n",
		           pct_ci(s1, sizeof s1, d->itt_rate, d->itt_lo, d->itt_hi),
		           pct_ci(s2, sizeof s2, d->locf_rate, d->locf_lo, d->locf_hi));
	}

	buf_outf(o, "\nSide effects per 100 sessions\n%-30s", "kind");
	for (int m = 0; m < REPORT_NMOD; m++)
		buf_outf(o, " %10s", report_mod_name(m));
	buf_outf(o, "\n");
	for (int k = 0; k < AE__COUNT; k++) {
		buf_outf(o, "%-30s", dom_ae_kind_names[k]);
		for (int m = 0; m < REPORT_NMOD; m++)
			buf_outf(o, " %10s", num(s1, sizeof s1, res->rows[m * REPORT_NCOND + REPORT_ALL_COND].ae_per100[k], 2));
		buf_outf(o, "\n");
	}
	buf_outf(o, "%-30s", "soreness > 4 days (share)");
	for (int m = 0; m < REPORT_NMOD; m++)
		buf_outf(o, " %10s", num(s1, sizeof s1, res->rows[m * REPORT_NCOND + REPORT_ALL_COND].soreness_gt4_share, 3));
	buf_outf(o, "\n");

	buf_outf(o, "\nSecondary instruments (all modalities; courses with a baseline and a later score)\n");
	int any = 0;
	for (int in = 0; in < INSTR__COUNT; in++) {
		const struct report_secondary *s = &res->secondary[REPORT_ALL_MOD][in];
		if (in == INSTR_NRS || !s->n)
			continue;
		any = 1;
		const char *src;
		report_mcid((enum instrument)in, &src);
		buf_outf(o, "  %-9s n=%" PRIu64 " baseline %s, last %s, change %s (%s to %s), reaching MCID %s%%\n"
		              "            MCID: %s\n",
		           dom_instrument_names[in], s->n, num(s1, sizeof s1, s->base_mean, 1),
		           num(s2, sizeof s2, s->last_mean, 1), num(s3, sizeof s3, s->chg_mean, 1),
		           num(s4, sizeof s4, s->chg_lo, 1), num(s5, sizeof s5, s->chg_hi, 1),
		           num(s1, sizeof s1, 100 * s->mcid_share, 0), src);
	}
	if (!any)
		buf_outf(o, "  none recorded\n");

	report_tp_text(res, o);

	const struct report_quality *q = &res->quality;
	buf_outf(o, "\nData notes: %" PRIu64 " courses read; %" PRIu64 " not ended (left out of the tables, "
	              "censored in curves); %" PRIu64 " without NRS; %" PRIu64 " with baseline below %.0f; %" PRIu64
	              " with a clinic-added condition (ALL only).\n",
	           q->courses_seen, q->not_ended, q->no_nrs, q->low_baseline, REPORT_MIN_BASELINE,
	           q->other_condition);
	if (o->rc != PROLO_OK)
		return prolo_err_set(err, o->rc, "", "report too large for its buffer or out of memory");
	return PROLO_OK;
}
