/* report_suppress: statistical disclosure control of a finished report for
 * users who may see aggregates only (report.h says what it hides). Pure:
 * it only rewrites the results it is given. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "report/report.h"

#define SUPP REPORT_SUPPRESSED

/* ---- the group table ---------------------------------------------------- */

/* The entries of the table's additive lines: the groups (rows), the
 * courses of clinic-added conditions of each modality (derived, never
 * shown as such: (m,ALL) minus its conditions), and their total (shown in
 * the data notes). */
enum {
	E_OTHER = REPORT_NGROUPS,            /* + m: other conditions of modality m */
	E_OTHER_ALL = REPORT_NGROUPS + MOD__COUNT,
	E__COUNT
};

/* Room for the table of each ending of a time point (suppress_timepoints). */
#define T_MAX (TP_END__COUNT * E__COUNT)

struct table {
	uint64_t v[T_MAX];
	bool hidden[T_MAX];
	bool shown[T_MAX]; /* may be hidden to protect another */
};

#define ROW(m, c) ((m) * REPORT_NCOND + (c))
#define LINE_MAX (REPORT_NCOND + 2)

struct line {
	int part[LINE_MAX];
	int n;
	int total;
};

#define N_LINES (2 * REPORT_NCOND + 2)

/* Every additive relation a reader could use to recover a hidden entry,
 * for a table whose entries start at off. */
static int lines(struct line *out, int off)
{
	int n = 0;
	for (int c = 0; c < REPORT_NCOND; c++) { /* a condition's modalities and their ALL */
		struct line *l = &out[n++];
		l->n = 0;
		for (int m = 0; m < MOD__COUNT; m++)
			l->part[l->n++] = off + ROW(m, c);
		l->total = off + ROW(REPORT_ALL_MOD, c);
	}
	for (int m = 0; m < REPORT_NMOD; m++) { /* a modality's conditions, other ones, ALL */
		struct line *l = &out[n++];
		l->n = 0;
		for (int c = 0; c < COND__COUNT; c++)
			l->part[l->n++] = off + ROW(m, c);
		l->part[l->n++] = off + (m < MOD__COUNT ? E_OTHER + m : E_OTHER_ALL);
		l->total = off + ROW(m, REPORT_ALL_COND);
	}
	struct line *l = &out[n++]; /* the other conditions across modalities */
	l->n = 0;
	for (int m = 0; m < MOD__COUNT; m++)
		l->part[l->n++] = off + E_OTHER + m;
	l->total = off + E_OTHER_ALL;
	return n;
}

static bool small(uint64_t v, uint64_t k)
{
	return v > 0 && v < k && v != SUPP;
}

/* Hides the smallest shown entry of l with courses, other than those
 * hidden already. False when there is none. */
static bool hide_next(struct table *t, const struct line *l)
{
	int best = -1;
	for (int i = 0; i <= l->n; i++) {
		int e = i < l->n ? l->part[i] : l->total;
		if (t->hidden[e] || !t->shown[e] || t->v[e] == 0)
			continue;
		if (best < 0 || t->v[e] < t->v[best])
			best = e;
	}
	if (best < 0)
		return false;
	t->hidden[best] = true;
	return true;
}

/* Complementary suppression: while a line has exactly one hidden entry,
 * hides its next smallest shown one. n: the table's entries. */
static void complement(struct table *t, const struct line *ls, int nl, int n)
{
	/* Each pass hides at least one more entry or ends. */
	for (int pass = 0; pass < n; pass++) {
		bool changed = false;
		for (int i = 0; i < nl; i++) {
			int hidden = t->hidden[ls[i].total];
			for (int j = 0; j < ls[i].n; j++)
				hidden += t->hidden[ls[i].part[j]];
			if (hidden == 1)
				changed |= hide_next(t, &ls[i]);
		}
		if (!changed)
			break;
	}
}

static void suppress_table(struct report_results *res, uint64_t k)
{
	struct table t;
	memset(&t, 0, sizeof t);
	for (int g = 0; g < REPORT_NGROUPS; g++) {
		t.v[g] = res->rows[g].n_courses;
		t.shown[g] = true;
	}
	for (int m = 0; m < MOD__COUNT; m++) {
		uint64_t sum = 0;
		for (int c = 0; c < COND__COUNT; c++)
			sum += res->rows[ROW(m, c)].n_courses;
		uint64_t all = res->rows[ROW(m, REPORT_ALL_COND)].n_courses;
		t.v[E_OTHER + m] = all > sum ? all - sum : 0;
	}
	t.v[E_OTHER_ALL] = res->quality.other_condition;
	t.shown[E_OTHER_ALL] = true;
	for (int e = 0; e < E__COUNT; e++)
		t.hidden[e] = small(t.v[e], k);
	struct line ls[N_LINES];
	complement(&t, ls, lines(ls, 0), E__COUNT);
	for (int g = 0; g < REPORT_NGROUPS; g++) {
		if (!t.hidden[g])
			continue;
		struct report_row *w = &res->rows[g];
		w->n_courses = w->n_completed = w->n_dropped = w->pp_resp = w->itt_resp = SUPP;
		w->km_n = w->km_events = w->n_sessions = w->soreness_gt4_n = SUPP;
		w->pp_rate = w->pp_lo = w->pp_hi = w->itt_rate = w->itt_lo = w->itt_hi = NAN;
		w->chg_mean = w->chg_sd = w->km_median = w->km_lo = w->km_hi = NAN;
		w->soreness_gt4_share = NAN;
		for (int a = 0; a < AE__COUNT; a++) {
			w->ae_n[a] = SUPP;
			w->ae_per100[a] = NAN;
		}
		res->suppression.row[g] = true;
		res->suppression.cells++;
	}
	if (t.hidden[E_OTHER_ALL])
		res->quality.other_condition = SUPP;
}

/* ---- what is computed from the groups ----------------------------------- */

static void hide_logrank(struct report_logrank *l)
{
	l->chisq = l->df = l->p = NAN;
	for (int m = 0; m < MOD__COUNT; m++)
		l->observed[m] = l->expected[m] = NAN;
}

static void hide_count(uint64_t *v, uint64_t k)
{
	if (small(*v, k))
		*v = SUPP;
}

static void hide_rate(uint64_t *x, uint64_t *n, double *r, double *lo, double *hi, uint64_t k)
{
	if (!small(*n, k))
		return;
	*x = *n = SUPP;
	*r = *lo = *hi = NAN;
}

/* Counts that add up to a total: small ones hidden, and a second one when
 * only one is (the total stands for itself). */
static void hide_parts(uint64_t **part, int n, uint64_t k)
{
	int hidden = 0;
	for (int i = 0; i < n; i++) {
		hide_count(part[i], k);
		hidden += *part[i] == SUPP;
	}
	if (hidden != 1)
		return;
	int best = -1;
	for (int i = 0; i < n; i++)
		if (*part[i] != SUPP && *part[i] > 0 && (best < 0 || *part[i] < *part[best]))
			best = i;
	if (best >= 0)
		*part[best] = SUPP;
}

static void hide_dropout(struct report_dropout *d, bool all)
{
	if (all) {
		for (size_t i = 0; i < d->n_first; i++)
			d->first_at[i] = SUPP;
		d->n_responders = d->dropped = d->dropped_improving = d->dropped_flat = SUPP;
		d->dropped_worsening = d->dropped_single = d->dropped_responding = SUPP;
		d->dropped_last_pct.n = SUPP;
		d->dropped_last_pct.mean = d->dropped_last_pct.lo = d->dropped_last_pct.hi = NAN;
		d->itt_n = d->itt_resp = d->locf_resp = SUPP;
		d->no_shows = d->courses_with_no_show = d->dropped_with_no_show = SUPP;
		d->itt_rate = d->itt_lo = d->itt_hi = d->locf_rate = d->locf_lo = d->locf_hi = NAN;
	}
}

static void hide_section(struct report_results *res, int m)
{
	struct report_curve *cv = &res->km[m];
	cv->n = 0;
	cv->n_courses = cv->n_events = SUPP;
	cv->median = cv->median_lo = cv->median_hi = NAN;
	res->traj_n[m] = 0;
	hide_dropout(&res->dropout[m], true);
	struct report_claims *cl = &res->claims[m];
	cl->survey_n = cl->survey_improved = cl->pp_n = cl->pp_resp = cl->itt_n = cl->itt_resp = SUPP;
	cl->survey_rate = cl->survey_lo = cl->survey_hi = NAN;
	cl->pp_rate = cl->pp_lo = cl->pp_hi = cl->itt_rate = cl->itt_lo = cl->itt_hi = NAN;
	for (int in = 0; in < INSTR__COUNT; in++) {
		struct report_secondary *s = &res->secondary[m][in];
		s->n = s->n_mcid = SUPP;
		s->base_mean = s->last_mean = s->chg_mean = s->chg_lo = s->chg_hi = s->mcid_share = NAN;
	}
	res->suppression.modality[m] = true;
}

/* The sections of a modality that stays: small parts hidden. */
static void trim_section(struct report_results *res, int m, uint64_t k)
{
	struct report_curve *cv = &res->km[m];
	if (small(cv->n_courses, k)) {
		cv->n = 0;
		cv->n_courses = cv->n_events = SUPP;
		cv->median = cv->median_lo = cv->median_hi = NAN;
	}
	/* The tail where fewer than k courses are at risk: its steps are
	 * single courses. */
	for (size_t j = 0; j < cv->n; j++)
		if (cv->n_risk[j] < (double)k) {
			cv->n = j;
			break;
		}
	size_t kept = 0;
	for (size_t j = 0; j < res->traj_n[m]; j++)
		if (!small(res->traj[m][j].n, k))
			res->traj[m][kept++] = res->traj[m][j];
	res->traj_n[m] = kept;

	struct report_dropout *d = &res->dropout[m];
	if (small(d->itt_n, k) || small(d->dropped, k) || small(d->n_responders, k)) {
		hide_dropout(d, true);
	} else {
		uint64_t *trend[] = { &d->dropped_improving, &d->dropped_flat, &d->dropped_worsening,
		                      &d->dropped_single };
		hide_parts(trend, 4, k);
		hide_count(&d->dropped_responding, k);
		hide_count(&d->courses_with_no_show, k);
		hide_count(&d->dropped_with_no_show, k);
		if (d->courses_with_no_show == SUPP)
			d->no_shows = SUPP;
		if (small(d->dropped_last_pct.n, k)) {
			d->dropped_last_pct.n = SUPP;
			d->dropped_last_pct.mean = d->dropped_last_pct.lo = d->dropped_last_pct.hi = NAN;
		}
		uint64_t *first[64];
		size_t nf = d->n_first < 64 ? d->n_first : 64;
		for (size_t i = 0; i < nf; i++)
			first[i] = &d->first_at[i];
		hide_parts(first, (int)nf, k);
		for (size_t i = nf; i < d->n_first; i++)
			d->first_at[i] = SUPP; /* a course past 64 sessions is its own group */
	}
	struct report_claims *cl = &res->claims[m];
	hide_rate(&cl->survey_improved, &cl->survey_n, &cl->survey_rate, &cl->survey_lo, &cl->survey_hi, k);
	hide_rate(&cl->pp_resp, &cl->pp_n, &cl->pp_rate, &cl->pp_lo, &cl->pp_hi, k);
	hide_rate(&cl->itt_resp, &cl->itt_n, &cl->itt_rate, &cl->itt_lo, &cl->itt_hi, k);
	for (int in = 0; in < INSTR__COUNT; in++) {
		struct report_secondary *s = &res->secondary[m][in];
		if (small(s->n, k)) {
			s->n = s->n_mcid = SUPP;
			s->base_mean = s->last_mean = s->chg_mean = s->chg_lo = s->chg_hi = s->mcid_share = NAN;
		}
	}
}

/* A part hidden for one modality but shown for ALL and the others would
 * be ALL minus the others: hide ALL's too. */
static void protect_all(struct report_results *res)
{
	const int A = REPORT_ALL_MOD;
	for (int m = 0; m < MOD__COUNT; m++) {
		if (res->suppression.modality[m])
			continue; /* then ALL's row is hidden with it (the table's lines) */
		if (res->km[m].n_courses == SUPP && res->km[A].n_courses != SUPP) {
			res->km[A].n = 0;
			res->km[A].n_courses = res->km[A].n_events = SUPP;
			res->km[A].median = res->km[A].median_lo = res->km[A].median_hi = NAN;
		}
		if (res->dropout[m].itt_n == SUPP && res->dropout[A].itt_n != SUPP)
			hide_dropout(&res->dropout[A], true);
		struct report_claims *cm = &res->claims[m], *ca = &res->claims[A];
		if (cm->survey_n == SUPP && ca->survey_n != SUPP) {
			ca->survey_n = ca->survey_improved = SUPP;
			ca->survey_rate = ca->survey_lo = ca->survey_hi = NAN;
		}
		if (cm->pp_n == SUPP && ca->pp_n != SUPP) {
			ca->pp_n = ca->pp_resp = SUPP;
			ca->pp_rate = ca->pp_lo = ca->pp_hi = NAN;
		}
		if (cm->itt_n == SUPP && ca->itt_n != SUPP) {
			ca->itt_n = ca->itt_resp = SUPP;
			ca->itt_rate = ca->itt_lo = ca->itt_hi = NAN;
		}
		for (int in = 0; in < INSTR__COUNT; in++) {
			struct report_secondary *s = &res->secondary[A][in];
			if (res->secondary[m][in].n == SUPP && s->n != SUPP) {
				s->n = s->n_mcid = SUPP;
				s->base_mean = s->last_mean = s->chg_mean = s->chg_lo = s->chg_hi = s->mcid_share = NAN;
			}
		}
	}
}

/* ---- outcomes at time points ------------------------------------------- */

static void hide_tp_cell(struct report_tp_cell *x)
{
	x->suppressed = true;
	x->due = x->not_yet_due = x->no_point = x->answered = x->responders = SUPP;
	x->completeness = x->rate = x->lo = x->hi = NAN;
}

/* Each time point's courses due, per ending, as a table like the groups'
 * (every group hidden there hidden here too), plus the lines "all =
 * completed + dropped" of each entry; then the funnel's channels, whose
 * due time points add up to the time point's. */
static void suppress_timepoints(struct report_results *res, uint64_t k)
{
	struct report_tp_results *tp = &res->tp;
	const int A = ROW(REPORT_ALL_MOD, REPORT_ALL_COND);
	for (int i = 0; i < REPORT_TP_N; i++) {
		struct table t;
		memset(&t, 0, sizeof t);
		struct line ls[TP_END__COUNT * N_LINES + E__COUNT];
		int nl = 0;
		for (int e = 0; e < TP_END__COUNT; e++) {
			int off = e * E__COUNT;
			for (int g = 0; g < REPORT_NGROUPS; g++) {
				t.v[off + g] = tp->cell[g][i][e].due;
				t.shown[off + g] = true;
			}
			uint64_t other_all = 0;
			for (int m = 0; m < REPORT_NMOD; m++) {
				uint64_t sum = 0;
				for (int c = 0; c < COND__COUNT; c++)
					sum += tp->cell[ROW(m, c)][i][e].due;
				uint64_t all = tp->cell[ROW(m, REPORT_ALL_COND)][i][e].due, other = all > sum ? all - sum : 0;
				if (m < MOD__COUNT)
					t.v[off + E_OTHER + m] = other;
				else
					other_all = other;
			}
			t.v[off + E_OTHER_ALL] = other_all;
			for (int x = 0; x < E__COUNT; x++)
				t.hidden[off + x] = small(t.v[off + x], k) || (x < REPORT_NGROUPS && res->suppression.row[x]);
			nl += lines(ls + nl, off);
		}
		for (int x = 0; x < E__COUNT; x++) { /* all = completed + dropped */
			struct line *l = &ls[nl++];
			l->n = 2;
			l->part[0] = TP_END_COMPLETED * E__COUNT + x;
			l->part[1] = TP_END_DROPPED * E__COUNT + x;
			l->total = TP_END_ALL * E__COUNT + x;
		}
		complement(&t, ls, nl, T_MAX);
		for (int e = 0; e < TP_END__COUNT; e++)
			for (int g = 0; g < REPORT_NGROUPS; g++)
				if (t.hidden[e * E__COUNT + g])
					hide_tp_cell(&tp->cell[g][i][e]);

		struct report_tp_funnel *f = tp->funnel[i];
		uint64_t *due[CH__COUNT];
		for (int ch = 0; ch < CH__COUNT; ch++)
			due[ch] = &f[ch].due;
		if (tp->cell[A][i][TP_END_ALL].suppressed)
			for (int ch = 0; ch < CH__COUNT; ch++)
				f[ch].due = SUPP;
		else
			hide_parts(due, CH__COUNT, k);
		for (int ch = 0; ch < CH__COUNT; ch++)
			if (f[ch].due == SUPP) {
				f[ch].suppressed = true;
				f[ch].sent = f[ch].delivered = f[ch].answered = SUPP;
			}
	}
}

void report_suppress(struct report_results *res, uint64_t min_cell)
{
	uint64_t k = min_cell ? min_cell : REPORT_MIN_CELL_DEFAULT;
	int32_t from = res->suppression.from, to = res->suppression.to;
	memset(&res->suppression, 0, sizeof res->suppression);
	res->suppression.active = true;
	res->suppression.min_cell = k;
	res->suppression.from = from;
	res->suppression.to = to;
	suppress_table(res, k);
	const bool *row = res->suppression.row;
	/* Log-rank strata: observed and expected events by modality. */
	for (int c = 0; c < REPORT_NCOND; c++) {
		bool hide = row[ROW(REPORT_ALL_MOD, c)];
		for (int m = 0; m < MOD__COUNT; m++)
			hide |= row[ROW(m, c)];
		if (hide)
			hide_logrank(&res->logrank[c]);
	}
	/* ITT differences between two modalities (all conditions). */
	for (int i = 0; i < 3; i++) {
		struct report_diff *d = &res->diffs[i];
		bool ha = d->a >= 0 && d->a < REPORT_NMOD && row[ROW(d->a, REPORT_ALL_COND)];
		bool hb = d->b >= 0 && d->b < REPORT_NMOD && row[ROW(d->b, REPORT_ALL_COND)];
		if (ha || hb)
			d->diff = d->lo = d->hi = NAN;
	}
	for (int m = 0; m < REPORT_NMOD; m++) {
		if (row[ROW(m, REPORT_ALL_COND)])
			hide_section(res, m);
		else
			trim_section(res, m, k);
	}
	protect_all(res);
	suppress_timepoints(res, k);
	/* Data notes: small counts, and the courses read when only the ones
	 * not ended would be hidden (read = ended + not ended). */
	struct report_quality *q = &res->quality;
	hide_count(&q->not_ended, k);
	hide_count(&q->no_nrs, k);
	hide_count(&q->low_baseline, k);
	hide_count(&q->pre_session_followups, k);
	hide_count(&q->same_session_followups, k);
	hide_count(&q->same_day_nrs, k);
	hide_count(&q->courses_seen, k);
	if (q->not_ended == SUPP || row[ROW(REPORT_ALL_MOD, REPORT_ALL_COND)])
		q->courses_seen = SUPP;
}
