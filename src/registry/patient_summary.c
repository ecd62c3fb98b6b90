/* The patient summary page. Every piece of text that came from the registry
 * is HTML-escaped on the way out; the chart is drawn as SVG in the page so
 * that it prints and can be e-mailed as one file. Words are chosen for a
 * patient, not a clinician: no codes, no abbreviations without their name. */
#include "core/grow.h"
#include "registry/patient_summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"

/* ---- loading ----------------------------------------------------------- */

struct grow {
	void **items;
	size_t *n;
	size_t cap;
	size_t size;
};

static enum prolo_code collect(void *ctx, const void *rec, struct prolo_err *err)
{
	struct grow *g = ctx;
	enum prolo_code rc = grow_array(g->items, &g->cap, *g->n + 1, g->size, 8, err);
	if (rc)
		return rc;
	memcpy((char *)*g->items + *g->n * g->size, rec, g->size);
	(*g->n)++;
	return PROLO_OK;
}

void patient_summary_free(struct patient_summary *s)
{
	if (!s)
		return;
	free(s->courses);
	free(s->sessions);
	free(s->outcomes);
	free(s->aes);
	memset(s, 0, sizeof *s);
}

enum prolo_code patient_summary_load(struct store *st, const char *patient_id,
                                     struct patient_summary *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	rec_init(REC_PATIENT, &out->patient);
	snprintf(out->patient.patient_id, sizeof out->patient.patient_id, "%s", patient_id);
	enum prolo_code rc = store_get(st, REC_PATIENT, &out->patient, err);
	struct store_filter f = { .patient_id = patient_id };
	struct grow g[4] = {
		{ (void **)&out->courses, &out->n_courses, 0, sizeof(struct course) },
		{ (void **)&out->sessions, &out->n_sessions, 0, sizeof(struct session) },
		{ (void **)&out->outcomes, &out->n_outcomes, 0, sizeof(struct outcome) },
		{ (void **)&out->aes, &out->n_aes, 0, sizeof(struct adverse_event) },
	};
	const enum rec_kind kinds[4] = { REC_COURSE, REC_SESSION, REC_OUTCOME, REC_AE };
	for (int i = 0; i < 4 && !rc; i++)
		rc = store_scan(st, kinds[i], &f, collect, &g[i], err);
	if (rc)
		patient_summary_free(out);
	return rc;
}

/* ---- words --------------------------------------------------------------- */

static enum prolo_code esc(struct buf *b, const char *s)
{
	enum prolo_code rc = PROLO_OK;
	for (; *s && !rc; s++) {
		switch (*s) {
		case '&': rc = buf_adds(b, "&amp;"); break;
		case '<': rc = buf_adds(b, "&lt;"); break;
		case '>': rc = buf_adds(b, "&gt;"); break;
		case '"': rc = buf_adds(b, "&quot;"); break;
		case '\'': rc = buf_adds(b, "&#39;"); break;
		default: rc = buf_addc(b, *s); break;
		}
	}
	return rc;
}

static const char *const months[12] = { "January", "February", "March", "April", "May", "June", "July",
	                                    "August", "September", "October", "November", "December" };

static void long_date(int32_t days, char *out, size_t outsz)
{
	if (days == DOM_DATE_NONE) {
		snprintf(out, outsz, "(no date)");
		return;
	}
	int y, m, d;
	dom_civil_from_days(days, &y, &m, &d);
	snprintf(out, outsz, "%d %s %d", d, months[m - 1], y);
}

static const char *modality_words(int m)
{
	switch (m) {
	case MOD_DEXTROSE: return "Dextrose prolotherapy";
	case MOD_PRP: return "Platelet-rich plasma (PRP) injections";
	case MOD_STEM_CELL: return "Stem-cell injections";
	default: return "Injection treatment";
	}
}

static void condition_words(const char *c, char *out, size_t outsz)
{
	static const struct { const char *name, *words; } known[] = {
		{ "low_back_pain", "low back pain" },   { "neck_pain", "neck pain" },
		{ "knee_oa", "knee osteoarthritis" },   { "tendinopathy", "a tendon problem (tendinopathy)" },
		{ "ligament_sprain", "a ligament sprain" },
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(c, known[i].name) == 0) {
			snprintf(out, outsz, "%s", known[i].words);
			return;
		}
	snprintf(out, outsz, "%s", c);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
}

static const char *status_words(int s)
{
	switch (s) {
	case CS_PLANNED: return "planned, not started yet";
	case CS_ACTIVE: return "in progress";
	case CS_COMPLETED: return "completed: all planned sessions were given";
	case CS_GOAL_REACHED: return "finished early because you improved";
	case CS_DROPPED: return "stopped before the planned end";
	case CS_STOPPED_ADVERSE_EVENT: return "stopped because of a side effect";
	case CS_STOPPED_NO_IMPROVEMENT: return "stopped because it did not help enough";
	default: return "unknown";
	}
}

static const char *ae_words(int k)
{
	switch (k) {
	case AE_SORENESS: return "Soreness";
	case AE_STIFFNESS: return "Stiffness";
	case AE_INFECTION: return "Infection";
	case AE_NERVE_INJURY: return "Nerve irritation or injury";
	case AE_PDPH: return "Headache after a spinal injection";
	case AE_PNEUMOTHORAX: return "Collapsed lung (pneumothorax)";
	case AE_VASOVAGAL: return "Fainting or feeling faint";
	case AE_ALLERGIC: return "Allergic reaction";
	default: return "Other side effect";
	}
}

/* ---- the pain chart ------------------------------------------------------ */

#define CW 640
#define CH 260
#define PL 48 /* plot area left */
#define PR 16
#define PT 16
#define PB 40

static enum prolo_code pain_chart(struct buf *b, const struct outcome *o, size_t n)
{
	int32_t lo = o[0].date, hi = o[n - 1].date;
	double span = hi > lo ? (double)(hi - lo) : 1.0;
	double w = CW - PL - PR, h = CH - PT - PB;
	enum prolo_code rc = buf_printf(b,
		"<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		"aria-label=\"Pain score over time\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		CW, CH, CW, CH);
	for (int v = 0; v <= 10 && !rc; v += 2) {
		double y = PT + h - h * v / 10.0;
		rc = buf_printf(b,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">%d</text>\n",
			PL, y, CW - PR, y, PL - 6, y + 4, v);
	}
	if (!rc)
		rc = buf_printf(b,
			"<text x=\"12\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 12 %d)\" "
			"text-anchor=\"middle\">pain (0 = none, 10 = worst)</text>\n",
			PT + (int)h / 2, PT + (int)h / 2);
	if (!rc && n > 1)
		rc = buf_adds(b, "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2.5\" points=\"");
	for (size_t i = 0; i < n && n > 1 && !rc; i++) {
		double x = PL + (n == 1 ? w / 2 : w * (o[i].date - lo) / span);
		double y = PT + h - h * o[i].score / 10.0;
		rc = buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	if (!rc && n > 1)
		rc = buf_adds(b, "\"/>\n");
	for (size_t i = 0; i < n && !rc; i++) {
		double x = PL + (n == 1 ? w / 2 : w * (o[i].date - lo) / span);
		double y = PT + h - h * o[i].score / 10.0;
		char d[11];
		dom_date_format(o[i].date, d);
		rc = buf_printf(b,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#1f5fa8\"><title>%s: %g</title></circle>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">%g</text>\n",
			x, y, d, o[i].score, x, y - 9, o[i].score);
	}
	/* first and last dates under the axis */
	char a[11], z[11];
	dom_date_format(lo, a);
	dom_date_format(hi, z);
	if (!rc)
		rc = buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", PL, CH - 14, a);
	if (!rc && n > 1)
		rc = buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>", CW - PR,
		                CH - 14, z);
	if (!rc)
		rc = buf_adds(b, "\n</svg>\n");
	return rc;
}

/* ---- one course ---------------------------------------------------------- */

static enum prolo_code course_section(struct buf *b, const struct patient_summary *s, const struct course *c,
                                      const struct protocol_lib *lib, int32_t today)
{
	char cond[128], d[48];
	condition_words(c->condition, cond, sizeof cond);
	long_date(c->start_date, d, sizeof d);
	enum prolo_code rc = buf_adds(b, "<section class=\"course\">\n<h2>");
	if (!rc)
		rc = esc(b, modality_words(c->modality));
	if (!rc)
		rc = buf_adds(b, " for ");
	if (!rc)
		rc = esc(b, cond);
	if (!rc)
		rc = buf_printf(b, "</h2>\n<p>Started %s. Your treatment is <strong>%s</strong>.", d,
		                status_words(c->status));

	/* sessions of this course */
	size_t ns = 0;
	int32_t last_session = DOM_DATE_NONE;
	int last_no = 0;
	for (size_t i = 0; i < s->n_sessions; i++)
		if (strcmp(s->sessions[i].course_id, c->course_id) == 0) {
			ns++;
			last_session = s->sessions[i].date;
			last_no = s->sessions[i].session_no;
		}
	if (!rc) {
		if (c->interval_days != REC_INT_NONE && c->interval_days > 0)
			rc = buf_printf(b, " The plan is %d session%s, about %d days apart; you have had %zu.</p>\n",
			                c->planned_sessions, c->planned_sessions == 1 ? "" : "s", c->interval_days, ns);
		else
			rc = buf_printf(b, " The plan is %d session%s; you have had %zu.</p>\n", c->planned_sessions,
			                c->planned_sessions == 1 ? "" : "s", ns);
	}
	if (!rc && ns) {
		rc = buf_adds(b, "<h3>Your sessions</h3>\n<table><tr><th>Session</th><th>Date</th>"
		                 "<th>What was injected</th></tr>\n");
		for (size_t i = 0; i < s->n_sessions && !rc; i++) {
			const struct session *x = &s->sessions[i];
			if (strcmp(x->course_id, c->course_id) != 0)
				continue;
			long_date(x->date, d, sizeof d);
			rc = buf_printf(b, "<tr><td>%d</td><td>%s</td><td>", x->session_no, d);
			if (!rc) {
				if (x->proliferant >= 0 && !isnan(x->concentration_pct))
					rc = buf_printf(b, "%s %g %%", dom_proliferant_names[x->proliferant], x->concentration_pct);
				else if (x->proliferant >= 0)
					rc = buf_adds(b, x->proliferant == PROL_PRP ? "your own platelet-rich plasma"
					                                            : dom_proliferant_names[x->proliferant]);
				else
					rc = buf_adds(b, "as recorded by your clinic");
			}
			if (!rc && x->anaesthetic[0]) {
				rc = buf_adds(b, ", with the local anaesthetic ");
				if (!rc)
					rc = esc(b, x->anaesthetic);
			}
			if (!rc && !isnan(x->volume_ml))
				rc = buf_printf(b, " (%g mL in total)", x->volume_ml);
			if (!rc)
				rc = buf_adds(b, "</td></tr>\n");
		}
		if (!rc)
			rc = buf_adds(b, "</table>\n");
	}

	/* pain scores */
	struct outcome *nrs = NULL;
	size_t nn = 0;
	for (size_t i = 0; i < s->n_outcomes; i++)
		if (strcmp(s->outcomes[i].course_id, c->course_id) == 0 && s->outcomes[i].instrument == INSTR_NRS &&
		    !isnan(s->outcomes[i].score))
			nn++;
	if (nn) {
		nrs = malloc(nn * sizeof *nrs);
		if (!nrs)
			return PROLO_ENOMEM;
		nn = 0;
		for (size_t i = 0; i < s->n_outcomes; i++)
			if (strcmp(s->outcomes[i].course_id, c->course_id) == 0 &&
			    s->outcomes[i].instrument == INSTR_NRS && !isnan(s->outcomes[i].score))
				nrs[nn++] = s->outcomes[i];
		/* One score a day, as the report takes it (docs/report.md):
		 * staff's over the patient's own; rows come in date order. */
		size_t k = 0;
		for (size_t i = 0; i < nn; i++) {
			if (k && nrs[k - 1].date == nrs[i].date) {
				if (nrs[i].source != OSRC_PATIENT)
					nrs[k - 1] = nrs[i];
				continue;
			}
			nrs[k++] = nrs[i];
		}
		nn = k;
	}
	if (!rc)
		rc = buf_adds(b, "<h3>Your pain</h3>\n");
	if (!rc && nn == 0)
		rc = buf_adds(b, "<p>No pain scores have been recorded for this treatment yet.</p>\n");
	if (!rc && nn) {
		char d0[48], d1[48];
		long_date(nrs[0].date, d0, sizeof d0);
		long_date(nrs[nn - 1].date, d1, sizeof d1);
		double b0 = nrs[0].score, b1 = nrs[nn - 1].score;
		if (nn == 1)
			rc = buf_printf(b, "<p>Your pain score on %s was %g out of 10.</p>\n", d0, b0);
		else if (b1 < b0)
			rc = buf_printf(b,
				"<p>Your pain score went from %g out of 10 on %s to %g on %s: %g point%s lower"
				"%s.</p>\n", b0, d0, b1, d1, b0 - b1, b0 - b1 == 1 ? "" : "s",
				2 * b1 <= b0 ? ", which is at least half" : "");
		else if (b1 > b0)
			rc = buf_printf(b, "<p>Your pain score went from %g out of 10 on %s to %g on %s.</p>\n", b0, d0,
			                b1, d1);
		else
			rc = buf_printf(b, "<p>Your pain score was %g out of 10 on %s and the same on %s.</p>\n", b0, d0,
			                d1);
		if (!rc)
			rc = pain_chart(b, nrs, nn);
	}
	free(nrs);

	/* side effects */
	if (!rc)
		rc = buf_adds(b, "<h3>Side effects</h3>\n");
	size_t nae = 0;
	for (size_t i = 0; i < s->n_aes && !rc; i++) {
		const struct adverse_event *a = &s->aes[i];
		if (strcmp(a->course_id, c->course_id) != 0)
			continue;
		if (nae++ == 0)
			rc = buf_adds(b, "<ul>\n");
		long_date(a->date, d, sizeof d);
		if (!rc)
			rc = buf_printf(b, "<li>%s from %s", ae_words(a->kind), d);
		if (!rc) {
			if (a->duration_days != REC_INT_NONE)
				rc = buf_printf(b, ", lasted %d day%s", a->duration_days, a->duration_days == 1 ? "" : "s");
			else
				rc = buf_adds(b, ", not over when last recorded");
		}
		if (!rc && (a->kind == AE_SORENESS || a->kind == AE_STIFFNESS))
			rc = buf_adds(b, a->duration_days != REC_INT_NONE && a->duration_days <= 4
			                     ? " (this is expected: it usually lasts 1 to 4 days)"
			                     : " (it usually lasts 1 to 4 days; your clinic has been told)");
		if (!rc)
			rc = buf_adds(b, ".</li>\n");
	}
	if (!rc)
		rc = buf_adds(b, nae ? "</ul>\n" : "<p>No side effects were recorded.</p>\n");

	/* next steps */
	if (!rc)
		rc = buf_adds(b, "<h3>Next steps</h3>\n<ul>\n");
	bool open = c->status == CS_PLANNED || c->status == CS_ACTIVE;
	const struct protocol *p = c->protocol[0] ? protocol_find(lib, c->protocol) : NULL;
	if (!rc && open && last_no < c->planned_sessions && c->interval_days != REC_INT_NONE) {
		int32_t next = last_session == DOM_DATE_NONE ? c->start_date : last_session + c->interval_days;
		long_date(next, d, sizeof d);
		rc = buf_printf(b, "<li>Your next session (number %d of %d) is planned for around <strong>%s</strong>.",
		                last_no + 1, c->planned_sessions, d);
		if (!rc)
			rc = buf_adds(b, " If it is not booked yet, please call the clinic.</li>\n");
	} else if (!rc && open) {
		rc = buf_adds(b, "<li>Your clinic will agree the next step with you.</li>\n");
	} else if (!rc) {
		rc = buf_adds(b, "<li>This treatment has ended. Your clinic may still ask how your pain is some months "
		                 "from now; your answers help the clinic learn what works.</li>\n");
	}
	if (!rc && p) {
		for (size_t i = 0; i < p->n_followups; i++) {
			int32_t due = c->start_date + p->followups[i].offset_days;
			if (due <= today)
				continue;
			long_date(due, d, sizeof d);
			rc = buf_printf(b, "<li>We will ask you a few questions about your pain around %s.</li>\n", d);
			break;
		}
	}
	if (!rc)
		rc = buf_adds(b, "</ul>\n</section>\n");
	return rc;
}

enum prolo_code patient_summary_html(const struct patient_summary *s, const struct protocol_lib *lib,
                                     int32_t today, struct buf *b)
{
	char d[48];
	long_date(today, d, sizeof d);
	enum prolo_code rc = buf_adds(b,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>Your treatment summary</title>\n<style>\n"
		"body{font-family:Georgia,'Times New Roman',serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
		"color:#222;line-height:1.5}\n"
		"h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc;"
		"padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.3rem}\n"
		"table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;"
		"text-align:left}\n.chart{max-width:100%;height:auto}.muted{color:#555;font-size:.9rem}\n"
		".call{border:2px solid #a33;padding:.5rem 1rem;margin-top:2rem}\n"
		"@media print{body{margin:0;max-width:none}section{page-break-inside:avoid}}\n"
		"</style>\n</head>\n<body>\n<h1>Your treatment summary</h1>\n<p class=\"muted\">For ");
	const struct patient *p = &s->patient;
	if (!rc && (p->first_name[0] || p->last_name[0])) {
		rc = esc(b, p->first_name);
		if (!rc && p->first_name[0] && p->last_name[0])
			rc = buf_addc(b, ' ');
		if (!rc)
			rc = esc(b, p->last_name);
		if (!rc)
			rc = buf_adds(b, " (patient number ");
		if (!rc)
			rc = esc(b, p->patient_id);
		if (!rc)
			rc = buf_adds(b, ")");
	} else if (!rc) {
		rc = buf_adds(b, "patient number ");
		if (!rc)
			rc = esc(b, p->patient_id);
	}
	if (!rc)
		rc = buf_printf(b, ", prepared on %s. This is what your clinic has recorded about your "
		                   "treatment.</p>\n", d);
	if (!rc && s->n_courses == 0)
		rc = buf_adds(b, "<p>No treatment has been recorded yet.</p>\n");
	for (size_t i = 0; i < s->n_courses && !rc; i++)
		rc = course_section(b, s, &s->courses[i], lib, today);
	if (!rc)
		rc = buf_adds(b,
			"<div class=\"call\"><strong>Call the clinic straight away</strong> if you have a fever, "
			"redness, warmth or swelling around an injection site that gets worse, or pain or stiffness "
			"that is still getting worse more than 4 days after an injection.</div>\n"
			"</body>\n</html>\n");
	return rc;
}
