/* The report as one self-contained HTML file: inline CSS and inline SVG
 * charts, no script and no external resource, so it opens offline and
 * renders the same bytes for the same registry. Each chart has a stable id
 * (km-chart, rates-chart, traj-chart, ae-chart) for tests.
 *
 * Accessibility (docs/accessibility.md): header, main and footer
 * landmarks; a viewport setting so a phone lays it out at its own width;
 * wide tables and charts scroll sideways in named, keyboard-reachable
 * regions, so chart text stays at its drawn size (at least 11 px) on a
 * phone; each chart has a text summary and its numbers as a table in a
 * <details>; and a print stylesheet for A4. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/instruments.h"
#include "report/report.h"
#include "report/report_html.h"

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

/* Table cells: a number, or a rate with its interval. */
static void td_num(struct buf_out *o, double v, int prec)
{
	buf_outf(o, "<td>");
	num(o, v, prec);
	buf_outf(o, "</td>");
}

static void td_pct_ci(struct buf_out *o, double r, double lo, double hi)
{
	buf_outf(o, "<td>");
	pct_ci(o, r, lo, hi);
	buf_outf(o, "</td>");
}

/* A rate with its interval and its denominator. */
static void td_pct_ci_n(struct buf_out *o, double r, double lo, double hi, uint64_t n)
{
	buf_outf(o, "<td>");
	pct_ci(o, r, lo, hi);
	buf_outf(o, " <small>n=%" PRIu64 "</small></td>", n);
}

/* A median with its interval (an upper bound not reached: NR). */
static void td_median_ci(struct buf_out *o, double med, double lo, double hi)
{
	buf_outf(o, "<td>");
	if (isnan(med))
		buf_outf(o, "not reached");
	else {
		num(o, med, 1);
		buf_outf(o, " <small>(");
		num(o, lo, 1);
		buf_outf(o, "&ndash;");
		if (isnan(hi))
			buf_outf(o, "NR");
		else
			num(o, hi, 1);
		buf_outf(o, ")</small>");
	}
	buf_outf(o, "</td>");
}

/* A region that scrolls sideways when its content is wider than the
 * screen: in the tab order and named, so a keyboard can scroll it and a
 * screen reader announces it. */
static void scroll_open(struct buf_out *o, const char *label)
{
	buf_outf(o, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"%s\">", label);
}

static void scroll_close(struct buf_out *o)
{
	buf_outf(o, "</div>");
}

static void table_close(struct buf_out *o)
{
	buf_outf(o, "</table>");
	scroll_close(o);
	buf_outf(o, "\n");
}

/* The numbers behind a chart, on demand: <details> holding a table whose
 * header row is head (th cells). Closed by chart_data_close. */
static void chart_data_open(struct buf_out *o, const char *label, const char *head)
{
	buf_outf(o, "<details class=\"chart-data\"><summary>%s</summary>", label);
	scroll_open(o, label);
	buf_outf(o, "<table><thead><tr>%s</tr></thead><tbody>\n", head);
}

static void chart_data_close(struct buf_out *o)
{
	buf_outf(o, "</tbody></table>");
	scroll_close(o);
	buf_outf(o, "</details>\n");
}

/* Chart frame: W×H, plot area from (L,T) to (W-R, H-B). */
enum { W = REPORT_HTML_W, H = REPORT_HTML_H, ML = REPORT_HTML_ML, MR = REPORT_HTML_MR, MT = REPORT_HTML_MT,
       MB = REPORT_HTML_MB };

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
	      "aria-describedby=\"km-summary\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H, W, H);
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
	      "aria-describedby=\"rates-summary\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H, W, H);
	axes(o, 0, slots, 0, 0, 1, 0.25, "condition (dot: intention-to-treat; ring: per-protocol)", "responders", 1);
	for (int c = 0; c < REPORT_NCOND; c++) {
		double xc = sx(c * (MOD__COUNT + 1) + 2, 0, slots);
		buf_outf(o, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>", xc, H - MB + 16,
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
	      "aria-describedby=\"traj-summary\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H, W, H);
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
	      "aria-describedby=\"ae-summary\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", W, h, W, h);
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

/* ---- the charts in words and numbers ----------------------------------- */

static void km_text(struct buf_out *o, const struct report_results *res)
{
	buf_outf(o, "<p class=\"summary\" id=\"km-summary\">");
	int any = 0;
	for (int m = 0; m < MOD__COUNT; m++) {
		const struct report_curve *cv = &res->km[m];
		if (!cv->n)
			continue;
		buf_outf(o, "%s%s: ", any++ ? "; " : "", report_mod_name(m));
		if (isnan(cv->median))
			buf_outf(o, "median not reached");
		else
			buf_outf(o, "median %.1f sessions to response", cv->median);
		buf_outf(o, ", ");
		pct(o, 1 - cv->surv[cv->n - 1]);
		buf_outf(o, " responded by session %g", cv->time[cv->n - 1]);
	}
	buf_outf(o, "%s</p>\n", any ? "." : "No courses to draw.");
	chart_data_open(o, "Kaplan&ndash;Meier numbers as a table",
	                "<th scope=\"col\">modality</th><th scope=\"col\">session</th><th scope=\"col\">not yet responded</th>"
	                "<th scope=\"col\">95% interval</th><th scope=\"col\">at risk</th>");
	for (int m = 0; m < MOD__COUNT; m++) {
		const struct report_curve *cv = &res->km[m];
		for (size_t j = 0; j < cv->n; j++) {
			buf_outf(o, "<tr><th scope=\"row\">%s</th><td>%g</td><td>", report_mod_name(m), cv->time[j]);
			pct(o, cv->surv[j]);
			buf_outf(o, "</td><td>");
			if (isnan(cv->lower[j]) || isnan(cv->upper[j]))
				buf_outf(o, "NA");
			else
				buf_outf(o, "%.1f&ndash;%.1f%%", 100 * cv->lower[j], 100 * cv->upper[j]);
			buf_outf(o, "</td>");
			td_num(o, cv->n_risk ? cv->n_risk[j] : NAN, 0);
			buf_outf(o, "</tr>\n");
		}
	}
	chart_data_close(o);
}

static void rates_text(struct buf_out *o, const struct report_results *res)
{
	buf_outf(o, "<p class=\"summary\" id=\"rates-summary\">Intention-to-treat responder rates over all conditions: ");
	for (int m = 0; m < REPORT_NMOD; m++) {
		buf_outf(o, "%s%s ", m ? ", " : "", report_mod_name(m));
		pct(o, res->rows[m * REPORT_NCOND + REPORT_ALL_COND].itt_rate);
	}
	buf_outf(o, ".</p>\n");
	chart_data_open(o, "Responder rates as a table",
	                "<th scope=\"col\">modality</th><th scope=\"col\">condition</th>"
	                "<th scope=\"col\">intention-to-treat (95% interval)</th><th scope=\"col\">per-protocol (95% interval)</th>");
	for (int c = 0; c < REPORT_NCOND; c++)
		for (int m = 0; m < MOD__COUNT; m++) {
			const struct report_row *w = &res->rows[m * REPORT_NCOND + c];
			if (isnan(w->itt_rate) && isnan(w->pp_rate))
				continue;
			buf_outf(o, "<tr><th scope=\"row\">%s</th><td>%s</td>", report_mod_name(m), report_cond_name(c));
			td_pct_ci(o, w->itt_rate, w->itt_lo, w->itt_hi);
			td_pct_ci(o, w->pp_rate, w->pp_lo, w->pp_hi);
			buf_outf(o, "</tr>\n");
		}
	chart_data_close(o);
}

static void traj_text(struct buf_out *o, const struct report_results *res)
{
	buf_outf(o, "<p class=\"summary\" id=\"traj-summary\">");
	int any = 0;
	for (int m = 0; m < MOD__COUNT; m++) {
		size_t n = res->traj_n[m];
		const struct report_traj_point *p = res->traj[m];
		if (!n)
			continue;
		buf_outf(o, "%s%s: median pain ", any++ ? "; " : "", report_mod_name(m));
		num(o, p[0].median, 1);
		buf_outf(o, " at session %d, ", p[0].session);
		num(o, p[n - 1].median, 1);
		buf_outf(o, " at session %d", p[n - 1].session);
	}
	buf_outf(o, "%s</p>\n", any ? " (NRS 0&ndash;10)." : "No pain scores to draw.");
	chart_data_open(o, "Pain by session as a table",
	                "<th scope=\"col\">modality</th><th scope=\"col\">session</th><th scope=\"col\">assessments</th>"
	                "<th scope=\"col\">median NRS</th><th scope=\"col\">quartiles</th>");
	for (int m = 0; m < MOD__COUNT; m++)
		for (size_t j = 0; j < res->traj_n[m]; j++) {
			const struct report_traj_point *p = &res->traj[m][j];
			buf_outf(o, "<tr><th scope=\"row\">%s</th><td>%d</td><td>%" PRIu64 "</td>", report_mod_name(m), p->session, p->n);
			td_num(o, p->median, 1);
			buf_outf(o, "<td>");
			num(o, p->q25, 1);
			buf_outf(o, "&ndash;");
			num(o, p->q75, 1);
			buf_outf(o, "</td></tr>\n");
		}
	chart_data_close(o);
}

static void ae_text(struct buf_out *o, const struct report_results *res)
{
	const struct report_row *all = &res->rows[REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND];
	int top = -1;
	for (int k = 0; k < AE__COUNT; k++)
		if (all->ae_n[k] && !isnan(all->ae_per100[k]) && (top < 0 || all->ae_per100[k] > all->ae_per100[top]))
			top = k;
	buf_outf(o, "<p class=\"summary\" id=\"ae-summary\">");
	if (top < 0)
		buf_outf(o, "No side effects recorded.");
	else
		buf_outf(o, "The most frequent side effect is %s, %.2f per 100 sessions over all modalities.",
		        dom_ae_kind_names[top], all->ae_per100[top]);
	buf_outf(o, "</p>\n");
	buf_outf(o, "<details class=\"chart-data\"><summary>Side effects per 100 sessions as a table</summary>");
	scroll_open(o, "Side effects per 100 sessions as a table");
	buf_outf(o, "<table><thead><tr><th scope=\"col\">side effect</th>");
	for (int m = 0; m < REPORT_NMOD; m++)
		buf_outf(o, "<th scope=\"col\">%s</th>", report_mod_name(m));
	buf_outf(o, "</tr></thead><tbody>\n");
	for (int k = 0; k < AE__COUNT; k++) {
		if (!all->ae_n[k])
			continue;
		buf_outf(o, "<tr><th scope=\"row\">%s</th>", dom_ae_kind_names[k]);
		for (int m = 0; m < REPORT_NMOD; m++)
			td_num(o, res->rows[m * REPORT_NCOND + REPORT_ALL_COND].ae_per100[k], 2);
		buf_outf(o, "</tr>\n");
	}
	chart_data_close(o);
}

static void key_table(struct buf_out *o, const struct report_results *res)
{
	scroll_open(o, "Key results by modality");
	buf_outf(o, "<table id=\"key-table\"><tr><th>modality</th><th>courses</th><th>completed</th><th>dropped</th>"
	      "<th>per-protocol responders</th><th>intention-to-treat responders</th>"
	      "<th>sessions to response, median (95%% CI)</th><th>soreness per 100 sessions</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_row *w = &res->rows[m * REPORT_NCOND + REPORT_ALL_COND];
		buf_outf(o, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>",
		        report_mod_name(m), w->n_courses, w->n_completed, w->n_dropped);
		td_pct_ci(o, w->pp_rate, w->pp_lo, w->pp_hi);
		td_pct_ci(o, w->itt_rate, w->itt_lo, w->itt_hi);
		td_median_ci(o, w->km_median, w->km_lo, w->km_hi);
		td_num(o, w->ae_per100[AE_SORENESS], 1);
		buf_outf(o, "</tr>\n");
	}
	table_close(o);
}

static void group_table(struct buf_out *o, const struct report_results *res)
{
	scroll_open(o, "Results by modality and condition");
	buf_outf(o, "<table id=\"group-table\"><tr><th>modality</th><th>condition</th><th>courses</th><th>completed</th>"
	      "<th>PP</th><th>ITT</th><th>change in NRS, mean (SD)</th><th>median sessions</th><th>sessions</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++)
		for (int c = 0; c < REPORT_NCOND; c++) {
			const struct report_row *w = &res->rows[m * REPORT_NCOND + c];
			if (!w->n_courses)
				continue;
			buf_outf(o, "<tr><td>%s</td><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>",
			        report_mod_name(m), report_cond_name(c), w->n_courses, w->n_completed);
			td_pct_ci(o, w->pp_rate, w->pp_lo, w->pp_hi);
			td_pct_ci(o, w->itt_rate, w->itt_lo, w->itt_hi);
			buf_outf(o, "<td>");
			num(o, w->chg_mean, 2);
			buf_outf(o, " (");
			num(o, w->chg_sd, 2);
			buf_outf(o, ")</td><td>");
			num(o, w->km_median, 1);
			buf_outf(o, "</td><td>%" PRIu64 "</td></tr>\n", w->n_sessions);
		}
	table_close(o);
}

typedef void section_fn(struct buf_out *o, const struct report_results *res);

/* A chart under its heading, in a region that scrolls, with its caption
 * and text alternative (text). */
static void figure(struct buf_out *o, const struct report_results *res, const char *title, const char *label,
                   section_fn *chart, const char *caption, section_fn *text)
{
	buf_outf(o, "<h2>%s</h2><figure>", title);
	scroll_open(o, label);
	chart(o, res);
	scroll_close(o);
	buf_outf(o, "<figcaption>%s", caption);
	text(o, res);
	buf_outf(o, "</figcaption></figure>\n");
}

enum prolo_code report_html(const struct report_results *res, struct buf *b,
                            struct prolo_err *err)
{
	struct buf_out ob = { b, PROLO_OK }, *o = &ob;
	buf_outf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	esc(o, res->title);
	/* The charts keep their drawn size (text at least 11 px) and scroll
	 * sideways in their region on a narrow screen; print fits them to A4. */
	buf_outf(o, "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px;line-height:1.4}"
	      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
	      "td:first-child,th:first-child{text-align:left}small{color:#595959}h2{margin-top:1.6em}"
	      "figure{margin:1em 0}figcaption{font-size:90%%;color:#444}.summary{color:#222;margin:.4em 0}"
	      ".scroll{overflow-x:auto;max-width:100%%}.scroll>table{margin:.5em 0}svg{display:block}"
	      "details{margin:.3em 0 1em}summary{cursor:pointer;padding:.3em 0;color:#0b5cad}"
	      ":focus-visible{outline:3px solid #a35200;outline-offset:2px}"
	      "footer{margin-top:2em;border-top:1px solid #ccc;font-size:90%%}"
	      "@media (max-width:600px){body{margin:1em .8em}td,th{padding:3px 5px}}"
	      "@media print{@page{size:A4;margin:14mm 12mm}body{margin:0;max-width:none;font-size:9.5pt;color:#000}"
	      ".scroll{overflow:visible}svg{max-width:100%%;height:auto}details{display:none}"
	      "figure,table,tr{break-inside:avoid}h2{break-after:avoid}footer{border-top-color:#999}}"
	      "</style></head><body>\n<header><h1>");
	esc(o, res->title);
	buf_outf(o, "</h1>\n");
	if (res->filter_desc) {
		buf_outf(o, "<p>Filter: ");
		esc(o, res->filter_desc);
		buf_outf(o, "</p>\n");
	}
	buf_outf(o, "</header>\n<main>\n");
	buf_outf(o, "<p>Ended courses only. A responder's last NRS pain score is at most half the baseline. "
	      "Per-protocol rates are over completed courses; intention-to-treat rates over all ended courses, "
	      "drop-outs counted as non-responders. %.0f%% Wilson intervals.</p>\n", 100 * res->conf);
	key_table(o, res);

	figure(o, res, "Sessions to response", "Kaplan-Meier chart", km_chart,
	       "Kaplan&ndash;Meier estimate of the share not yet responded by session number, with 95% "
	       "log intervals; courses still under way are included, censored at their last assessed session.", km_text);

	figure(o, res, "Responder rates by modality and condition", "Responder rates chart", rates_chart,
	       "Dots: intention-to-treat rate with its 95% Wilson interval; rings: per-protocol rate.", rates_text);
	group_table(o, res);

	buf_outf(o, "<h2>Log-rank test across modalities</h2>");
	scroll_open(o, "Log-rank test");
	buf_outf(o, "<table id=\"logrank-table\"><tr><th>stratum</th><th>chi-square</th><th>df</th><th>p</th></tr>\n");
	for (int i = 0; i < REPORT_NCOND; i++) {
		int c = i == 0 ? REPORT_ALL_COND : i - 1;
		const struct report_logrank *lr = &res->logrank[c];
		buf_outf(o, "<tr><td>%s</td>", report_cond_name(c));
		td_num(o, lr->chisq, 3);
		td_num(o, lr->df, 0);
		buf_outf(o, "<td>");
		if (isnan(lr->p))
			buf_outf(o, "NA");
		else
			buf_outf(o, "%.4g", lr->p);
		buf_outf(o, "</td></tr>\n");
	}
	table_close(o);

	figure(o, res, "Pain trajectory", "Pain trajectory chart", traj_chart,
	       "Median NRS pain by session number with the interquartile band (all recorded assessments).", traj_text);

	buf_outf(o, "<h2>Claims check</h2><p>The same registry gives very different &ldquo;success rates&rdquo; depending on who is counted "
	      "and what counts as success.</p>");
	scroll_open(o, "Claims check"); /* the heading differs from the label */
	buf_outf(o, "<table id=\"claims-table\"><tr><th>modality</th>"
	      "<th>survey: any improvement among those reached at the end</th><th>per-protocol (&ge;50%%)</th>"
	      "<th>intention-to-treat (&ge;50%%)</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_claims *cl = &res->claims[m];
		buf_outf(o, "<tr><td>%s</td>", report_mod_name(m));
		td_pct_ci_n(o, cl->survey_rate, cl->survey_lo, cl->survey_hi, cl->survey_n);
		td_pct_ci_n(o, cl->pp_rate, cl->pp_lo, cl->pp_hi, cl->pp_n);
		td_pct_ci_n(o, cl->itt_rate, cl->itt_lo, cl->itt_hi, cl->itt_n);
		buf_outf(o, "</tr>\n");
	}
	table_close(o);

	buf_outf(o, "<h2>Drop-outs</h2>");
	scroll_open(o, "Drop-outs");
	buf_outf(o, "<table id=\"dropout-table\"><tr><th>modality</th><th>responders' first response at session</th>"
	      "<th>drop-outs</th><th>last NRS improving / flat / worsening / no follow-up</th><th>already responding</th>"
	      "<th>no-shows</th><th>courses with a no-show</th><th>drop-outs with a no-show</th>"
	      "<th>ITT</th><th>ITT with last observation carried forward</th></tr>\n");
	for (int m = 0; m < REPORT_NMOD; m++) {
		const struct report_dropout *d = &res->dropout[m];
		buf_outf(o, "<tr><td>%s</td><td>", report_mod_name(m));
		for (size_t k = 0; k < d->n_first; k++)
			if (d->first_at[k])
				buf_outf(o, "%zu: %.0f%% ", k, 100.0 * (double)d->first_at[k] / (double)d->n_responders);
		buf_outf(o, "</td><td>%" PRIu64 "</td><td>%" PRIu64 " / %" PRIu64 " / %" PRIu64 " / %" PRIu64 "</td><td>%" PRIu64 "</td>",
		        d->dropped, d->dropped_improving, d->dropped_flat, d->dropped_worsening, d->dropped_single,
		        d->dropped_responding);
		/* Bookings missed (docs/bookings.md), as the text and JSON reports count them. */
		buf_outf(o, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>", d->no_shows,
		         d->courses_with_no_show, d->dropped_with_no_show);
		td_pct_ci(o, d->itt_rate, d->itt_lo, d->itt_hi);
		td_pct_ci(o, d->locf_rate, d->locf_lo, d->locf_hi);
		buf_outf(o, "</tr>\n");
	}
	table_close(o);

	report_tp_html(res, o);

	figure(o, res, "Side effects", "Side effects chart", ae_chart,
	       "Adverse events per 100 sessions by kind and modality.", ae_text);
	buf_outf(o, "<p>Soreness lasting more than 4 days: ");
	pct(o, res->rows[REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND].soreness_gt4_share);
	buf_outf(o, " of soreness episodes.</p>\n");

	buf_outf(o, "<h2>Secondary instruments</h2>");
	scroll_open(o, "Secondary instruments");
	buf_outf(o, "<table id=\"secondary-table\"><tr><th>instrument</th><th>n</th><th>baseline</th>"
	      "<th>last</th><th>change (95%% CI)</th><th>reaching MCID</th><th>MCID used</th></tr>\n");
	for (int in = 0; in < INSTR__COUNT; in++) {
		const struct report_secondary *s = &res->secondary[REPORT_ALL_MOD][in];
		if (in == INSTR_NRS || !s->n)
			continue;
		const char *src;
		report_mcid((enum instrument)in, &src);
		buf_outf(o, "<tr><td>%s</td><td>%" PRIu64 "</td>", dom_instrument_names[in], s->n);
		td_num(o, s->base_mean, 1);
		td_num(o, s->last_mean, 1);
		buf_outf(o, "<td>");
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
	buf_outf(o, "</table>");
	scroll_close(o);
	buf_outf(o, "\n</main>\n");
	const struct report_quality *q = &res->quality;
	buf_outf(o, "<footer><h2>Data notes</h2><p>%" PRIu64 " courses read; %" PRIu64 " not ended (left out of the tables, censored in the "
	      "curves); %" PRIu64 " without any NRS; %" PRIu64 " with a baseline below 2; %" PRIu64
	      " with a clinic-added condition (counted under ALL only).</p></footer>\n</body></html>\n",
	        q->courses_seen, q->not_ended, q->no_nrs, q->low_baseline, q->other_condition);
	if (o->rc != PROLO_OK)
		return prolo_err_set(err, o->rc, "", "report too large for its buffer or out of memory");
	return PROLO_OK;
}

/* ---- for the other sections (report_html.h) ------------------------------ */

void report_html_pct(struct buf_out *o, double r) { pct(o, r); }
void report_html_scroll_open(struct buf_out *o, const char *label) { scroll_open(o, label); }
void report_html_table_close(struct buf_out *o) { table_close(o); }
void report_html_td_pct_ci(struct buf_out *o, double r, double lo, double hi) { td_pct_ci(o, r, lo, hi); }

void report_html_figure(struct buf_out *o, const struct report_results *res, const char *title, const char *label,
                        report_html_section_fn *chart, const char *caption, report_html_section_fn *text)
{
	figure(o, res, title, label, chart, caption, text);
}
void report_html_data_open(struct buf_out *o, const char *label, const char *head) { chart_data_open(o, label, head); }
void report_html_data_close(struct buf_out *o) { chart_data_close(o); }
double report_html_x(double x, double x1) { return sx(x, 0, x1); }
double report_html_y(double y) { return sy(y, 0, 1); }

void report_html_axes_share(struct buf_out *o, double x1, const char *xlabel, const char *ylabel)
{
	axes(o, 0, x1, 0, 0, 1, 0.25, xlabel, ylabel, 1);
}
