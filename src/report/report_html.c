/* The report as one self-contained HTML file: inline CSS and inline SVG
 * charts, no script and no external resource, so it opens offline and
 * renders the same bytes for the same registry. Each chart has a stable id
 * (km-chart, rates-chart, traj-chart, ae-chart) for tests. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/instruments.h"
#include "report/report.h"

/* Text with &<>"' escaped. */
static void esc(struct buf_out *o, const char *s)
{
	for (; s && *s && o->rc == PROLO_OK; s++) {
		switch (*s) {
		case '&': o->rc = buf_adds(o->b, "&amp;"); break;
		case '<': o->rc = buf_adds(o->b, "&lt;"); break;
		case '>': o->rc = buf_adds(o->b, "&gt;"); break;
		case '"': o->rc = buf_adds(o->b, "&quot;"); break;
		case '\'': o->rc = buf_adds(o->b, "&#39;"); break;
		default: o->rc = buf_addc(o->b, *s);
		}
	}
}

static const char *const colour[REPORT_NMOD] = { "#1b9e77", "#d95f02", "#7570b3", "#444444" };

static void pct(struct buf_out *o, double r)
{
	if (isnan(r))
		buf_outf(o, "NA");
	else
		buf_outf(o, "%.1f%%", 100 * r);
}

static void pct_ci(struct buf_out *o, double r, double lo, double hi)
{
	if (isnan(r)) {
		buf_outf(o, "NA");
		return;
	}
	buf_outf(o, "%.1f%% <small>(%.1f&ndash;%.1f)</small>", 100 * r, 100 * lo, 100 * hi);
}

static void num(struct buf_out *o, double v, int prec)
{
	if (isnan(v))
		buf_outf(o, "NA");
	else
		buf_outf(o, "%.*f", prec, v);
}

/* Chart frame: W×H, plot area from (L,T) to (W-R, H-B). */
enum { W = 720, H = 340, ML = 56, MR = 130, MT = 16, MB = 44 };

static double sx(double x, double x0, double x1)
{
	return ML + (x - x0) / (x1 > x0 ? x1 - x0 : 1) * (W - ML - MR);
}

static double sy(double y, double y0, double y1)
{
	return H - MB - (y - y0) / (y1 > y0 ? y1 - y0 : 1) * (H - MT - MB);
}

static void axes(struct buf_out *o, double x0, double x1, int xstep, double y0, double y1,
                 double ystep, const char *xlabel, const char *ylabel, int ypct)
{
	buf_outf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", ML, H - MB, W - MR, H - MB);
	buf_outf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", ML, MT, ML, H - MB);
	for (double y = y0; y <= y1 + 1e-9; y += ystep) {
		buf_outf(o, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#ddd\"/>", ML, sy(y, y0, y1), W - MR, sy(y, y0, y1));
		buf_outf(o, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" font-size=\"11\">", ML - 6, sy(y, y0, y1) + 4);
		if (ypct)
			buf_outf(o, "%.0f%%</text>", 100 * y);
		else
			buf_outf(o, "%g</text>", y);
	}
	if (xstep > 0)
		for (double x = x0; x <= x1 + 1e-9; x += xstep)
			buf_outf(o, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%g</text>",
			        sx(x, x0, x1), H - MB + 16, x);
	buf_outf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>",
	        (ML + W - MR) / 2, H - 6, xlabel);
	buf_outf(o, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 %d)\">%s</text>",
	        (MT + H - MB) / 2, (MT + H - MB) / 2, ylabel);
}

static void legend(struct buf_out *o, int n)
{
	for (int m = 0; m < n; m++) {
		int y = MT + 10 + 18 * m;
		buf_outf(o, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", W - MR + 12, y - 10, colour[m]);
		buf_outf(o, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", W - MR + 30, y, report_mod_name(m));
	}
}

static int xstep_for(double xmax)
{
	return xmax <= 12 ? 1 : xmax <= 24 ? 2 : (int)ceil(xmax / 10);
}

static void km_chart(struct buf_out *o, const struct report_results *res)
{
	double xmax = 1;
	for (int m = 0; m < MOD__COUNT; m++)
		for (size_t j = 0; j < res->km[m].n; j++)
			xmax = fmax(xmax, res->km[m].time[j]);
	xmax = ceil(xmax);
	buf_outf(o, "<svg id=\"km-chart\" role=\"img\" aria-label=\"Kaplan-Meier curves of sessions to response\" "
	      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H, W, H);
	axes(o, 0, xmax, xstep_for(xmax), 0, 1, 0.25, "session number", "not yet responded", 1);
	for (int m = 0; m < MOD__COUNT; m++) {
		const struct report_curve *cv = &res->km[m];
		if (!cv->n)
			continue;
		buf_outf(o, "<g class=\"km-band\" fill=\"%s\" fill-opacity=\"0.15\">", colour[m]);
		for (size_t j = 0; j < cv->n; j++) {
			if (isnan(cv->lower[j]) || isnan(cv->upper[j]))
				continue;
			double x1 = j + 1 < cv->n ? cv->time[j + 1] : xmax;
			double ya = sy(cv->upper[j], 0, 1), yb = sy(cv->lower[j], 0, 1);
			buf_outf(o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>", sx(cv->time[j], 0, xmax),
			        ya, sx(x1, 0, xmax) - sx(cv->time[j], 0, xmax), yb - ya);
		}
		buf_outf(o, "</g><path class=\"km-curve\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"M%.2f %.2f",
		        colour[m], sx(0, 0, xmax), sy(1, 0, 1));
		double prev = 1;
		for (size_t j = 0; j < cv->n; j++) {
			buf_outf(o, " H%.2f V%.2f", sx(cv->time[j], 0, xmax), sy(cv->surv[j], 0, 1));
			prev = cv->surv[j];
		}
		buf_outf(o, " H%.2f\"/>", sx(xmax, 0, xmax));
		(void)prev;
	}
	legend(o, MOD__COUNT);
	buf_outf(o, "</svg>\n");
}

static void rates_chart(struct buf_out *o, const struct report_results *res)
{
	int slots = REPORT_NCOND * (MOD__COUNT + 1);
	buf_outf(o, "<svg id=\"rates-chart\" role=\"img\" aria-label=\"Responder rates with 95%% intervals\" "
	      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H, W, H);
	axes(o, 0, slots, 0, 0, 1, 0.25, "condition (dot: intention-to-treat; ring: per-protocol)", "responders", 1);
	for (int c = 0; c < REPORT_NCOND; c++) {
		double xc = sx(c * (MOD__COUNT + 1) + 2, 0, slots);
		buf_outf(o, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>", xc, H - MB + 16,
		        report_cond_name(c));
		for (int m = 0; m < MOD__COUNT; m++) {
			const struct report_row *w = &res->rows[m * REPORT_NCOND + c];
			double x = sx(c * (MOD__COUNT + 1) + m + 1, 0, slots);
			if (!isnan(w->itt_rate)) {
				buf_outf(o, "<line class=\"ci\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2\"/>",
				        x, sy(w->itt_lo, 0, 1), x, sy(w->itt_hi, 0, 1), colour[m]);
				buf_outf(o, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"%s\"><title>%s %s ITT %.1f%%</title></circle>",
				        x, sy(w->itt_rate, 0, 1), colour[m], report_mod_name(m), report_cond_name(c), 100 * w->itt_rate);
			}
			if (!isnan(w->pp_rate))
				buf_outf(o, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"none\" stroke=\"%s\"><title>%s %s PP %.1f%%</title></circle>",
				        x + 5, sy(w->pp_rate, 0, 1), colour[m], report_mod_name(m), report_cond_name(c), 100 * w->pp_rate);
		}
	}
	legend(o, MOD__COUNT);
	buf_outf(o, "</svg>\n");
}

static void traj_chart(struct buf_out *o, const struct report_results *res)
{
	double xmax = 1;
	for (int m = 0; m < MOD__COUNT; m++)
		for (size_t j = 0; j < res->traj_n[m]; j++)
			xmax = fmax(xmax, res->traj[m][j].session);
	buf_outf(o, "<svg id=\"traj-chart\" role=\"img\" aria-label=\"Median NRS by session number\" "
	      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H, W, H);
	axes(o, 0, xmax, xstep_for(xmax), 0, 10, 2, "session number (0 = baseline)", "NRS pain (median, quartiles)", 0);
	for (int m = 0; m < MOD__COUNT; m++) {
		size_t n = res->traj_n[m];
		const struct report_traj_point *p = res->traj[m];
		if (!n)
			continue;
		buf_outf(o, "<polygon class=\"traj-band\" fill=\"%s\" fill-opacity=\"0.15\" points=\"", colour[m]);
		for (size_t j = 0; j < n; j++)
			buf_outf(o, "%.2f,%.2f ", sx(p[j].session, 0, xmax), sy(p[j].q75, 0, 10));
		for (size_t j = n; j-- > 0;)
			buf_outf(o, "%.2f,%.2f ", sx(p[j].session, 0, xmax), sy(p[j].q25, 0, 10));
		buf_outf(o, "\"/><polyline class=\"traj-median\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour[m]);
		for (size_t j = 0; j < n; j++)
			buf_outf(o, "%.2f,%.2f ", sx(p[j].session, 0, xmax), sy(p[j].median, 0, 10));
		buf_outf(o, "\"/>");
	}
	legend(o, MOD__COUNT);
	buf_outf(o, "</svg>\n");
}

static void ae_chart(struct buf_out *o, const struct report_results *res)
{
	double xmax = 1;
	int kinds = 0;
	for (int k = 0; k < AE__COUNT; k++) {
		if (!res->rows[REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND].ae_n[k])
			continue;
		kinds++;
		for (int m = 0; m < MOD__COUNT; m++) {
			double v = res->rows[m * REPORT_NCOND + REPORT_ALL_COND].ae_per100[k];
			if (!isnan(v))
				xmax = fmax(xmax, v);
		}
	}
	xmax = ceil(xmax / 5) * 5;
	int rowh = 3 * 9 + 8, h = MT + MB + (kinds ? kinds : 1) * rowh;
	int left = 190;
	buf_outf(o, "<svg id=\"ae-chart\" role=\"img\" aria-label=\"Side effects per 100 sessions\" "
	      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, h, W, h);
	double pw = W - left - MR;
	int y = MT;
	for (int k = 0; k < AE__COUNT; k++) {
		if (!res->rows[REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND].ae_n[k])
			continue;
		buf_outf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%s</text>", left - 6, y + 16,
		        dom_ae_kind_names[k]);
		for (int m = 0; m < MOD__COUNT; m++) {
			double v = res->rows[m * REPORT_NCOND + REPORT_ALL_COND].ae_per100[k];
			double wd = isnan(v) ? 0 : v / xmax * pw;
			buf_outf(o, "<rect class=\"ae-bar\" x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"8\" fill=\"%s\"><title>%s %s %.2f per 100 sessions</title></rect>",
			        left, y + 4 + 9 * m, wd, colour[m], report_mod_name(m), dom_ae_kind_names[k], isnan(v) ? 0 : v);
		}
		y += rowh;
	}
	if (!kinds)
		buf_outf(o, "<text x=\"%d\" y=\"%d\" font-size=\"12\">no side effects recorded</text>", left, MT + 16);
	buf_outf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#333\"/>", left, y, left + pw, y);
	buf_outf(o, "<text x=\"%d\" y=\"%d\" font-size=\"11\">0</text><text x=\"%.2f\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%g per 100 sessions</text>",
	        left, y + 14, left + pw, y + 14, xmax);
	legend(o, MOD__COUNT);
	buf_outf(o, "</svg>\n");
}

static void key_table(struct buf_out *o, const struct report_results *res)
{
	buf_outf(o, "<table id=\"key-table\"><tr><th>modality</th><th>courses</th><th>completed</th><th>dropped</th>"
	      "<th>per-protocol responders</th><th>intention-to-treat responders</th>"
	      "<th>sessions to response, median (95%% CI)</th><th>soreness per 100 sessions</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_row *w = &res->rows[m * REPORT_NCOND + REPORT_ALL_COND];
		buf_outf(o, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>",
		        report_mod_name(m), w->n_courses, w->n_completed, w->n_dropped);
		pct_ci(o, w->pp_rate, w->pp_lo, w->pp_hi);
		buf_outf(o, "</td><td>");
		pct_ci(o, w->itt_rate, w->itt_lo, w->itt_hi);
		buf_outf(o, "</td><td>");
		if (isnan(w->km_median))
			buf_outf(o, "not reached");
		else {
			num(o, w->km_median, 1);
			buf_outf(o, " <small>(");
			num(o, w->km_lo, 1);
			buf_outf(o, "&ndash;");
			if (isnan(w->km_hi))
				buf_outf(o, "NR");
			else
				num(o, w->km_hi, 1);
			buf_outf(o, ")</small>");
		}
		buf_outf(o, "</td><td>");
		num(o, w->ae_per100[AE_SORENESS], 1);
		buf_outf(o, "</td></tr>\n");
	}
	buf_outf(o, "</table>\n");
}

static void group_table(struct buf_out *o, const struct report_results *res)
{
	buf_outf(o, "<table id=\"group-table\"><tr><th>modality</th><th>condition</th><th>courses</th><th>completed</th>"
	      "<th>PP</th><th>ITT</th><th>change in NRS, mean (SD)</th><th>median sessions</th><th>sessions</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++)
		for (int c = 0; c < REPORT_NCOND; c++) {
			const struct report_row *w = &res->rows[m * REPORT_NCOND + c];
			if (!w->n_courses)
				continue;
			buf_outf(o, "<tr><td>%s</td><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>",
			        report_mod_name(m), report_cond_name(c), w->n_courses, w->n_completed);
			pct_ci(o, w->pp_rate, w->pp_lo, w->pp_hi);
			buf_outf(o, "</td><td>");
			pct_ci(o, w->itt_rate, w->itt_lo, w->itt_hi);
			buf_outf(o, "</td><td>");
			num(o, w->chg_mean, 2);
			buf_outf(o, " (");
			num(o, w->chg_sd, 2);
			buf_outf(o, ")</td><td>");
			num(o, w->km_median, 1);
			buf_outf(o, "</td><td>%" PRIu64 "</td></tr>\n", w->n_sessions);
		}
	buf_outf(o, "</table>\n");
}

enum prolo_code report_html(const struct report_results *res, struct buf *b,
                            struct prolo_err *err)
{
	struct buf_out ob = { b, PROLO_OK }, *o = &ob;
	buf_outf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
	esc(o, res->title);
	buf_outf(o, "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
	      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
	      "td:first-child,th:first-child{text-align:left}small{color:#666}h2{margin-top:1.6em}"
	      "figure{margin:1em 0}figcaption{font-size:90%%;color:#444}</style></head><body>\n<h1>");
	esc(o, res->title);
	buf_outf(o, "</h1>\n");
	if (res->filter_desc) {
		buf_outf(o, "<p>Filter: ");
		esc(o, res->filter_desc);
		buf_outf(o, "</p>\n");
	}
	buf_outf(o, "<p>Ended courses only. A responder's last NRS pain score is at most half the baseline. "
	      "Per-protocol rates are over completed courses; intention-to-treat rates over all ended courses, "
	      "drop-outs counted as non-responders. %.0f%% Wilson intervals.</p>\n", 100 * res->conf);
	key_table(o, res);

	buf_outf(o, "<h2>Sessions to response</h2><figure>");
	km_chart(o, res);
	buf_outf(o, "<figcaption>Kaplan&ndash;Meier estimate of the share not yet responded by session number, with 95%% "
	      "log intervals; courses still under way are included, censored at their last assessed session.</figcaption></figure>\n");

	buf_outf(o, "<h2>Responder rates by modality and condition</h2><figure>");
	rates_chart(o, res);
	buf_outf(o, "<figcaption>Dots: intention-to-treat rate with its 95%% Wilson interval; rings: per-protocol rate.</figcaption></figure>\n");
	group_table(o, res);

	buf_outf(o, "<h2>Log-rank test across modalities</h2><table id=\"logrank-table\"><tr><th>stratum</th><th>chi-square</th><th>df</th><th>p</th></tr>\n");
	for (int i = 0; i < REPORT_NCOND; i++) {
		int c = i == 0 ? REPORT_ALL_COND : i - 1;
		const struct report_logrank *lr = &res->logrank[c];
		buf_outf(o, "<tr><td>%s</td><td>", report_cond_name(c));
		num(o, lr->chisq, 3);
		buf_outf(o, "</td><td>");
		num(o, lr->df, 0);
		buf_outf(o, "</td><td>");
		if (isnan(lr->p))
			buf_outf(o, "NA");
		else
			buf_outf(o, "%.4g", lr->p);
		buf_outf(o, "</td></tr>\n");
	}
	buf_outf(o, "</table>\n");

	buf_outf(o, "<h2>Pain trajectory</h2><figure>");
	traj_chart(o, res);
	buf_outf(o, "<figcaption>Median NRS pain by session number with the interquartile band (all recorded assessments).</figcaption></figure>\n");

	buf_outf(o, "<h2>Claims check</h2><p>The same registry gives very different &ldquo;success rates&rdquo; depending on who is counted "
	      "and what counts as success.</p><table id=\"claims-table\"><tr><th>modality</th>"
	      "<th>survey: any improvement among those reached at the end</th><th>per-protocol (&ge;50%%)</th>"
	      "<th>intention-to-treat (&ge;50%%)</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_claims *cl = &res->claims[m];
		buf_outf(o, "<tr><td>%s</td><td>", report_mod_name(m));
		pct_ci(o, cl->survey_rate, cl->survey_lo, cl->survey_hi);
		buf_outf(o, " <small>n=%" PRIu64 "</small></td><td>", cl->survey_n);
		pct_ci(o, cl->pp_rate, cl->pp_lo, cl->pp_hi);
		buf_outf(o, " <small>n=%" PRIu64 "</small></td><td>", cl->pp_n);
		pct_ci(o, cl->itt_rate, cl->itt_lo, cl->itt_hi);
		buf_outf(o, " <small>n=%" PRIu64 "</small></td></tr>\n", cl->itt_n);
	}
	buf_outf(o, "</table>\n");

	buf_outf(o, "<h2>Drop-outs</h2><table id=\"dropout-table\"><tr><th>modality</th><th>responders' first response at session</th>"
	      "<th>drop-outs</th><th>last NRS improving / flat / worsening / no follow-up</th><th>already responding</th>"
	      "<th>ITT</th><th>ITT with last observation carried forward</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_dropout *d = &res->dropout[m];
		buf_outf(o, "<tr><td>%s</td><td>", report_mod_name(m));
		for (size_t k = 0; k < d->n_first; k++)
			if (d->first_at[k])
				buf_outf(o, "%zu: %.0f%% ", k, 100.0 * (double)d->first_at[k] / (double)d->n_responders);
		buf_outf(o, "</td><td>%" PRIu64 "</td><td>%" PRIu64 " / %" PRIu64 " / %" PRIu64 " / %" PRIu64 "</td><td>%" PRIu64 "</td><td>",
		        d->dropped, d->dropped_improving, d->dropped_flat, d->dropped_worsening, d->dropped_single,
		        d->dropped_responding);
		pct_ci(o, d->itt_rate, d->itt_lo, d->itt_hi);
		buf_outf(o, "</td><td>");
		pct_ci(o, d->locf_rate, d->locf_lo, d->locf_hi);
		buf_outf(o, "</td></tr>\n");
	}
	buf_outf(o, "</table>\n");

	buf_outf(o, "<h2>Side effects</h2><figure>");
	ae_chart(o, res);
	buf_outf(o, "<figcaption>Adverse events per 100 sessions by kind and modality.</figcaption></figure>\n");
	buf_outf(o, "<p>Soreness lasting more than 4 days: ");
	pct(o, res->rows[REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND].soreness_gt4_share);
	buf_outf(o, " of soreness episodes.</p>\n");

	buf_outf(o, "<h2>Secondary instruments</h2><table id=\"secondary-table\"><tr><th>instrument</th><th>n</th><th>baseline</th>"
	      "<th>last</th><th>change (95%% CI)</th><th>reaching MCID</th><th>MCID used</th></tr>\n");
	for (int in = 0; in < INSTR__COUNT; in++) {
		const struct report_secondary *s = &res->secondary[REPORT_ALL_MOD][in];
		if (in == INSTR_NRS || !s->n)
			continue;
		const char *src;
		report_mcid((enum instrument)in, &src);
		buf_outf(o, "<tr><td>%s</td><td>%" PRIu64 "</td><td>", dom_instrument_names[in], s->n);
		num(o, s->base_mean, 1);
		buf_outf(o, "</td><td>");
		num(o, s->last_mean, 1);
		buf_outf(o, "</td><td>");
		num(o, s->chg_mean, 1);
		buf_outf(o, " <small>(");
		num(o, s->chg_lo, 1);
		buf_outf(o, " to ");
		num(o, s->chg_hi, 1);
		buf_outf(o, ")</small></td><td>");
		pct(o, s->mcid_share);
		buf_outf(o, "</td><td>");
		esc(o, src);
		buf_outf(o, "</td></tr>\n");
	}
	buf_outf(o, "</table>\n");
	const struct report_quality *q = &res->quality;
	buf_outf(o, "<h2>Data notes</h2><p>%" PRIu64 " courses read; %" PRIu64 " not ended (left out of the tables, censored in the "
	      "curves); %" PRIu64 " without any NRS; %" PRIu64 " with a baseline below 2; %" PRIu64
	      " with a clinic-added condition (counted under ALL only).</p>\n</body></html>\n",
	        q->courses_seen, q->not_ended, q->no_nrs, q->low_baseline, q->other_condition);
	if (o->rc != PROLO_OK)
		return prolo_err_set(err, o->rc, "", "report too large for its buffer or out of memory");
	return PROLO_OK;
}
