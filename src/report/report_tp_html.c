/* Outcomes at time points in the HTML report: responders at 3, 6 and 12
 * months with their Wilson intervals (svg#tp-chart) and follow-up
 * completeness (svg#tp-completeness-chart), for all ended courses, the
 * completed ones and the drop-outs over the whole registry; each chart
 * with a summary in words and every group's numbers as a table; then the
 * invitation funnel (table#tp-funnel-table). Drawn in the frame of the
 * other charts (report_html.h). */
#include <inttypes.h>
#include <math.h>

#include "report/report.h"
#include "report/report_html.h"

#define XMAX 13.0 /* the x axis runs to 13 months */
#define ALLG (REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND)

static const char *const tp_colour[TP_END__COUNT] = { "#444444", "#1b9e77", "#d95f02" };
static const char *const tp_label[TP_END__COUNT] = { "all ended", "completed", "dropped out" };
static const int tp_shift[TP_END__COUNT] = { 0, -9, 9 }; /* pixels, so whiskers do not overlap */

static void svg_open(struct buf_out *o, const char *id, const char *label, const char *summary_id)
{
	buf_outf(o, "<svg id=\"%s\" role=\"img\" aria-label=\"%s\" aria-describedby=\"%s\" width=\"%d\" height=\"%d\" "
	            "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">",
	         id, label, summary_id, REPORT_HTML_W, REPORT_HTML_H, REPORT_HTML_W, REPORT_HTML_H);
}

/* Month labels under the axis and the legend of the endings. */
static void svg_close(struct buf_out *o)
{
	for (int i = 0; i < REPORT_TP_N; i++)
		buf_outf(o, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%d</text>",
		         report_html_x(report_tp_months[i], XMAX), REPORT_HTML_H - REPORT_HTML_MB + 16, report_tp_months[i]);
	for (int e = 0; e < TP_END__COUNT; e++) {
		int y = REPORT_HTML_MT + 10 + 18 * e, x = REPORT_HTML_W - REPORT_HTML_MR + 12;
		buf_outf(o, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y - 10, tp_colour[e]);
		buf_outf(o, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", x + 18, y, tp_label[e]);
	}
	buf_outf(o, "</svg>\n");
}

static void rate_chart(struct buf_out *o, const struct report_results *res)
{
	const struct report_tp_results *tp = &res->tp;
	svg_open(o, "tp-chart", "Responders at 3, 6 and 12 months with 95% intervals", "tp-summary");
	report_html_axes_share(o, XMAX, "months after the start", "responders among courses due");
	for (int e = 0; e < TP_END__COUNT; e++) {
		buf_outf(o, "<polyline class=\"tp-line\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"",
		         tp_colour[e], e == TP_END_DROPPED ? " stroke-dasharray=\"4 3\"" : "");
		for (int i = 0; i < REPORT_TP_N; i++) {
			const struct report_tp_cell *x = &tp->cell[ALLG][i][e];
			if (!x->suppressed && !isnan(x->rate))
				buf_outf(o, "%.2f,%.2f ", report_html_x(report_tp_months[i], XMAX) + tp_shift[e],
				         report_html_y(x->rate));
		}
		buf_outf(o, "\"/>");
		for (int i = 0; i < REPORT_TP_N; i++) {
			const struct report_tp_cell *x = &tp->cell[ALLG][i][e];
			if (x->suppressed || isnan(x->rate))
				continue;
			double px = report_html_x(report_tp_months[i], XMAX) + tp_shift[e];
			buf_outf(o, "<line class=\"ci\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2\"/>",
			         px, report_html_y(x->lo), px, report_html_y(x->hi), tp_colour[e]);
			buf_outf(o, "<circle class=\"tp-rate\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"%s\"><title>%s, %d months: "
			            "%.1f%% of %" PRIu64 " due (%.1f&ndash;%.1f%%)</title></circle>",
			         px, report_html_y(x->rate), tp_colour[e], tp_label[e], report_tp_months[i], 100 * x->rate,
			         x->due, 100 * x->lo, 100 * x->hi);
		}
	}
	svg_close(o);
}

static void completeness_chart(struct buf_out *o, const struct report_results *res)
{
	const struct report_tp_results *tp = &res->tp;
	svg_open(o, "tp-completeness-chart", "Follow-up completeness at 3, 6 and 12 months", "tp-completeness-summary");
	report_html_axes_share(o, XMAX, "months after the start", "answered among courses due");
	for (int i = 0; i < REPORT_TP_N; i++)
		for (int e = 0; e < TP_END__COUNT; e++) {
			const struct report_tp_cell *x = &tp->cell[ALLG][i][e];
			if (x->suppressed || isnan(x->completeness))
				continue;
			double px = report_html_x(report_tp_months[i], XMAX) + 18 * (e - 1) - 8; /* all, completed, dropped */
			double top = report_html_y(x->completeness), base = report_html_y(0);
			buf_outf(o, "<rect class=\"tp-bar\" x=\"%.2f\" y=\"%.2f\" width=\"16\" height=\"%.2f\" fill=\"%s\"><title>%s, "
			            "%d months: %" PRIu64 " of %" PRIu64 " answered</title></rect>",
			         px, top, base - top, tp_colour[e], tp_label[e], report_tp_months[i], x->answered, x->due);
		}
	svg_close(o);
}

/* The chart in words: "LEAD at 3 months: 33.3% (completed 37.5%, dropped
 * out 25.0%) of 120 due; ..." of the rate, or of completeness. */
static void summary(struct buf_out *o, const struct report_tp_results *tp, const char *id, const char *lead,
                    bool completeness)
{
	buf_outf(o, "<p class=\"summary\" id=\"%s\">%s", id, lead);
	int any = 0;
	for (int i = 0; i < REPORT_TP_N; i++) {
		const struct report_tp_cell *x = tp->cell[ALLG][i];
		if (x[TP_END_ALL].suppressed || !x[TP_END_ALL].due)
			continue;
		buf_outf(o, "%s at %d months: ", any++ ? ";" : "", report_tp_months[i]);
		for (int e = 0; e < TP_END__COUNT; e++) {
			buf_outf(o, "%s", e == 1 ? " (completed " : e == 2 ? ", dropped out " : "");
			if (x[e].suppressed)
				buf_outf(o, "suppressed");
			else
				report_html_pct(o, completeness ? x[e].completeness : x[e].rate);
		}
		buf_outf(o, ") of %" PRIu64 " due", x[TP_END_ALL].due);
	}
	buf_outf(o, "%s</p>\n", any ? "." : ": no time point is due yet.");
}

static void groups_table(struct buf_out *o, const struct report_tp_results *tp)
{
	report_html_data_open(o, "Outcomes at time points by modality and condition as a table",
	                      "<th scope=\"col\">modality</th><th scope=\"col\">condition</th><th scope=\"col\">months</th>"
	                      "<th scope=\"col\">ending</th><th scope=\"col\">due</th><th scope=\"col\">answered</th>"
	                      "<th scope=\"col\">completeness</th><th scope=\"col\">responders</th>"
	                      "<th scope=\"col\">rate (95% interval)</th>");
	for (int g = 0; g < REPORT_NGROUPS; g++)
		for (int i = 0; i < REPORT_TP_N; i++)
			for (int e = 0; e < TP_END__COUNT; e++) {
				const struct report_tp_cell *x = &tp->cell[g][i][e];
				if (!x->suppressed && !tp->cell[g][i][TP_END_ALL].due)
					continue;
				buf_outf(o, "<tr><th scope=\"row\">%s</th><td>%s</td><td>%d</td><td>%s</td>",
				         report_mod_name(g / REPORT_NCOND), report_cond_name(g % REPORT_NCOND), report_tp_months[i],
				         report_tp_ending_names[e]);
				if (x->suppressed) {
					buf_outf(o, "<td colspan=\"5\">suppressed (a small group)</td></tr>\n");
					continue;
				}
				buf_outf(o, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>", x->due, x->answered);
				report_html_pct(o, x->completeness);
				buf_outf(o, "</td><td>%" PRIu64 "</td>", x->responders);
				report_html_td_pct_ci(o, x->rate, x->lo, x->hi);
				buf_outf(o, "</tr>\n");
			}
	report_html_data_close(o);
}

static void funnel_table(struct buf_out *o, const struct report_tp_results *tp)
{
	buf_outf(o, "<h2>Invitation funnel</h2><p>Each due time point under the channel of its invitation "
	            "(<em>none</em>: the outbox sent nothing for it); answered counts every answer in the window, "
	            "through the link or recorded by the clinic.</p>");
	report_html_scroll_open(o, "Invitation funnel");
	buf_outf(o, "<table id=\"tp-funnel-table\"><tr><th>months</th><th>channel</th><th>due</th><th>sent</th>"
	            "<th>delivered (accepted)</th><th>answered</th></tr>\n");
	for (int i = 0; i < REPORT_TP_N; i++)
		for (int ch = 0; ch < CH__COUNT; ch++) {
			const struct report_tp_funnel *f = &tp->funnel[i][ch];
			buf_outf(o, "<tr><td>%d</td><td>%s</td>", report_tp_months[i], contact_channel_names[ch]);
			if (f->suppressed)
				buf_outf(o, "<td colspan=\"4\">suppressed (a small group)</td></tr>\n");
			else
				buf_outf(o, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
				         f->due, f->sent, f->delivered, f->answered);
		}
	report_html_table_close(o);
}

static void rate_text(struct buf_out *o, const struct report_results *res)
{
	char day[11];
	dom_date_format(res->tp.as_of, day);
	buf_outf(o, "<p>Every ended course is asked again at the time points of its follow-up plan, counted from "
	            "its start, whatever its ending. A course is <em>due</em> at a time point when the point's window "
	            "closed before %s; it <em>answered</em> with an NRS in the window, and <em>responded</em> when "
	            "the NRS nearest the time point is at most half its baseline. Courses that did not answer count "
	            "as non-responders, so a low completeness lowers the rate.</p>\n", day);
	summary(o, &res->tp, "tp-summary", "Responders", false);
	groups_table(o, &res->tp);
}

static void completeness_text(struct buf_out *o, const struct report_results *res)
{
	summary(o, &res->tp, "tp-completeness-summary", "Answered", true);
	report_html_data_open(o, "Follow-up completeness as a table",
	                      "<th scope=\"col\">months</th><th scope=\"col\">ending</th><th scope=\"col\">due</th>"
	                      "<th scope=\"col\">answered</th><th scope=\"col\">completeness</th>");
	for (int i = 0; i < REPORT_TP_N; i++)
		for (int e = 0; e < TP_END__COUNT; e++) {
			const struct report_tp_cell *x = &res->tp.cell[ALLG][i][e];
			buf_outf(o, "<tr><th scope=\"row\">%d</th><td>%s</td>", report_tp_months[i], tp_label[e]);
			if (x->suppressed) {
				buf_outf(o, "<td colspan=\"3\">suppressed (a small group)</td></tr>\n");
				continue;
			}
			buf_outf(o, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>", x->due, x->answered);
			report_html_pct(o, x->completeness);
			buf_outf(o, "</td></tr>\n");
		}
	report_html_data_close(o);
}

void report_tp_html(const struct report_results *res, struct buf_out *o)
{
	report_html_figure(o, res, "Responders at 3, 6 and 12 months", "Responders at time points chart", rate_chart,
	                   "Responders among the courses due, with 95% Wilson intervals, all modalities and conditions: "
	                   "all ended courses, the completed ones and the drop-outs.",
	                   rate_text);
	report_html_figure(o, res, "Follow-up completeness at 3, 6 and 12 months", "Follow-up completeness chart",
	                   completeness_chart, "The share of the courses due that answered.", completeness_text);
	funnel_table(o, &res->tp);
}
