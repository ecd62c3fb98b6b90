/* Outcomes at time points in the report's text, CSV and JSON
 * (report/report_tp.h; the HTML is report_tp_html.c). Columns and keys are
 * documented in docs/report.md "Outcomes at time points". */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include <jansson.h>

#include "report/report.h"

#define G(m, c) ((m) * REPORT_NCOND + (c))

/* ---- CSV ------------------------------------------------------------------ */

/* Appends ",v" for each value and the line's end: kinds[i] 'c' for a count
 * (uint64_t), 'r' for a real (double, %.10g, NaN as NA); hide: every value
 * NA. Buffer codes. */
static enum prolo_code csv_values(struct buf *b, bool hide, const char *kinds, ...)
{
	va_list ap;
	va_start(ap, kinds);
	enum prolo_code rc = PROLO_OK;
	for (const char *k = kinds; *k && !rc; k++) {
		if (*k == 'c') {
			uint64_t v = va_arg(ap, uint64_t);
			rc = hide ? buf_adds(b, ",NA") : buf_printf(b, ",%" PRIu64, v);
		} else {
			double v = va_arg(ap, double);
			rc = hide || isnan(v) ? buf_adds(b, ",NA") : buf_printf(b, ",%.10g", v);
		}
	}
	va_end(ap);
	return rc ? rc : buf_addc(b, '\n');
}

static enum prolo_code csv_fail(enum prolo_code rc, struct prolo_err *err)
{
	return rc ? prolo_err_set(err, rc, "", rc == PROLO_ETOOBIG ? "report too large for its buffer" : "out of memory")
	          : PROLO_OK;
}

enum prolo_code report_tp_csv(const struct report_results *res, struct buf *out, struct prolo_err *err)
{
	enum prolo_code rc = buf_adds(out, "modality,condition,months,ending,due,not_yet_due,no_point,answered,"
	                                   "completeness,responders,rate,ci_low,ci_high\n");
	for (int g = 0; g < REPORT_NGROUPS && !rc; g++)
		for (int i = 0; i < REPORT_TP_N && !rc; i++)
			for (int e = 0; e < TP_END__COUNT && !rc; e++) {
				const struct report_tp_cell *x = &res->tp.cell[g][i][e];
				rc = buf_printf(out, "%s,%s,%d,%s", report_mod_name(g / REPORT_NCOND),
				                report_cond_name(g % REPORT_NCOND), report_tp_months[i],
				                report_tp_ending_names[e]);
				if (!rc)
					rc = csv_values(out, x->suppressed, "ccccrcrrr", x->due, x->not_yet_due, x->no_point,
					                x->answered, x->completeness, x->responders, x->rate, x->lo, x->hi);
			}
	return csv_fail(rc, err);
}

enum prolo_code report_tp_funnel_csv(const struct report_results *res, struct buf *out,
                                     struct prolo_err *err)
{
	enum prolo_code rc = buf_adds(out, "months,channel,due,sent,delivered,answered\n");
	for (int i = 0; i < REPORT_TP_N && !rc; i++)
		for (int ch = 0; ch < CH__COUNT && !rc; ch++) {
			const struct report_tp_funnel *f = &res->tp.funnel[i][ch];
			rc = buf_printf(out, "%d,%s", report_tp_months[i], contact_channel_names[ch]);
			if (!rc)
				rc = csv_values(out, f->suppressed, "cccc", f->due, f->sent, f->delivered, f->answered);
		}
	return csv_fail(rc, err);
}

/* ---- text ----------------------------------------------------------------- */

static void text_cell(struct buf_out *o, const char *lead, const char *ending, const struct report_tp_cell *x)
{
	if (x->suppressed) {
		buf_outf(o, "%-36s %-9s  (suppressed: a small group)\n", lead, ending);
		return;
	}
	char share[16] = "NA", rate[48] = "NA";
	if (!isnan(x->completeness))
		snprintf(share, sizeof share, "%.1f%%", 100 * x->completeness);
	if (!isnan(x->rate))
		snprintf(rate, sizeof rate, "%.1f%% (%.1f-%.1f)", 100 * x->rate, 100 * x->lo, 100 * x->hi);
	buf_outf(o, "%-36s %-9s %6" PRIu64 " %8" PRIu64 " %8s %10" PRIu64 "  %s\n", lead, ending, x->due, x->answered,
	         share, x->responders, rate);
}

void report_tp_text(const struct report_results *res, struct buf_out *o)
{
	const struct report_tp_results *tp = &res->tp;
	char day[11];
	dom_date_format(tp->as_of, day);
	buf_outf(o, "\nOutcomes at 3, 6 and 12 months after the start (as of %s)\n", day);
	buf_outf(o, "  due = ended courses whose time point's window closed before %s; answered = an NRS in the\n"
	            "  window; responder = that NRS <= 50%% of baseline; the unanswered count as non-responders\n", day);
	buf_outf(o, "%-36s %-9s %6s %8s %8s %10s  %s\n", "  group, months", "ending", "due", "answered", "complete",
	         "responders", "rate (95% CI)");
	int shown = 0;
	for (int g = 0; g < REPORT_NGROUPS; g++)
		for (int i = 0; i < REPORT_TP_N; i++) {
			const struct report_tp_cell *x = tp->cell[g][i];
			if (!x[TP_END_ALL].suppressed && !x[TP_END_ALL].due)
				continue;
			char lead[64];
			snprintf(lead, sizeof lead, "  %s / %s, %d", report_mod_name(g / REPORT_NCOND),
			         report_cond_name(g % REPORT_NCOND), report_tp_months[i]);
			for (int e = 0; e < TP_END__COUNT; e++)
				text_cell(o, e ? "" : lead, report_tp_ending_names[e], &x[e]);
			shown++;
		}
	if (!shown)
		buf_outf(o, "  no time point is due yet\n");
	buf_outf(o, "\nInvitation funnel (due time points by the channel of their invitation; none = no message)\n");
	buf_outf(o, "  %6s  %-7s %8s %8s %10s %9s\n", "months", "channel", "due", "sent", "delivered", "answered");
	for (int i = 0; i < REPORT_TP_N; i++)
		for (int ch = 0; ch < CH__COUNT; ch++) {
			const struct report_tp_funnel *f = &tp->funnel[i][ch];
			if (f->suppressed)
				buf_outf(o, "  %6d  %-7s (suppressed: a small group)\n", report_tp_months[i], contact_channel_names[ch]);
			else
				buf_outf(o, "  %6d  %-7s %8" PRIu64 " %8" PRIu64 " %10" PRIu64 " %9" PRIu64 "\n", report_tp_months[i],
				         contact_channel_names[ch], f->due, f->sent, f->delivered, f->answered);
		}
}

/* ---- JSON ----------------------------------------------------------------- */

/* A value, or null when missing or hidden. */
static json_t *jreal(double v, bool hide)
{
	return hide || isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *jcount(uint64_t v, bool hide)
{
	return hide ? json_null() : json_integer((json_int_t)v);
}

static json_t *cell_json(const struct report_tp_cell *x)
{
	bool h = x->suppressed;
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "due", jcount(x->due, h), "not_yet_due",
	                      jcount(x->not_yet_due, h), "no_point", jcount(x->no_point, h), "answered",
	                      jcount(x->answered, h), "completeness", jreal(x->completeness, h), "responders",
	                      jcount(x->responders, h), "rate", jreal(x->rate, h), "ci_low", jreal(x->lo, h),
	                      "ci_high", jreal(x->hi, h));
	if (o && h && json_object_set_new(o, "suppressed", json_true()) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *report_tp_json_group(const struct report_results *res, int g)
{
	json_t *a = json_array();
	for (int i = 0; a && i < REPORT_TP_N; i++) {
		const struct report_tp_cell *x = res->tp.cell[g][i];
		json_t *o = json_pack("{s:i}", "months", report_tp_months[i]), *all = cell_json(&x[TP_END_ALL]);
		int bad = !o || !all || json_object_update(o, all);
		json_decref(all);
		if (!bad)
			bad = json_object_set_new(o, "completed", cell_json(&x[TP_END_COMPLETED])) ||
			      json_object_set_new(o, "dropped", cell_json(&x[TP_END_DROPPED]));
		if (bad)
			json_decref(o);
		if (bad || json_array_append_new(a, o)) { /* appending frees o when it fails */
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *report_tp_json_funnel(const struct report_results *res)
{
	json_t *a = json_array();
	for (int i = 0; a && i < REPORT_TP_N; i++)
		for (int ch = 0; ch < CH__COUNT; ch++) {
			const struct report_tp_funnel *f = &res->tp.funnel[i][ch];
			bool h = f->suppressed;
			json_t *o = json_pack("{s:i,s:s,s:o,s:o,s:o,s:o}", "months", report_tp_months[i], "channel",
			                      contact_channel_names[ch], "due", jcount(f->due, h), "sent", jcount(f->sent, h),
			                      "delivered", jcount(f->delivered, h), "answered", jcount(f->answered, h));
			bool bad = !o || (h && json_object_set_new(o, "suppressed", json_true()));
			if (bad)
				json_decref(o);
			if (bad || json_array_append_new(a, o)) {
				json_decref(a);
				return NULL;
			}
		}
	return a;
}
