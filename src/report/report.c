/* The report builder: derives each course's values (baseline, last NRS,
 * sessions-to-response) as REPORT.md §1 defines them, folds them into 24
 * group accumulators and per-session-number tables, and estimates at the
 * end. Nothing is kept per course, so memory stays flat on a registry of a
 * million courses; the live-registry choices are in docs/report.md. */
#include "report/report.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/instruments.h"
#include "stats/stats.h"

#define NBINS 21 /* NRS 0..10 in half points */

/* Counts by integer time (session number). */
struct tab {
	size_t cap;
	uint64_t *ev, *ce;
};

struct group_acc {
	uint64_t n_courses, n_completed, n_dropped, pp_resp, n_sessions;
	uint64_t ae_n[AE__COUNT], sore_gt4;
	struct stats_acc chg;
	struct tab km;
};

struct sec_acc {
	struct stats_acc base, last, chg;
	uint64_t n_mcid;
};

struct mod_acc {
	struct tab live;     /* KM including courses not ended */
	struct tab first;    /* ev[k]: completed responders first responding at k */
	size_t traj_cap;     /* session numbers in traj */
	uint64_t *traj;      /* [k * NBINS + bin] */
	uint64_t dropped, d_impr, d_flat, d_worse, d_single, d_resp;
	uint64_t noshows, c_noshow, d_noshow; /* bookings missed; courses, drop-outs with one */
	struct stats_acc d_pct;
	uint64_t itt_n, itt_resp, locf_resp;
	uint64_t survey_n, survey_impr, pp_n, pp_resp;
	struct sec_acc sec[INSTR__COUNT];
};

struct report {
	double conf;
	const char *title, *filter_desc;
	struct group_acc g[REPORT_NGROUPS];
	struct mod_acc m[REPORT_NMOD];
	struct report_quality q;
	struct stats_km *fits[REPORT_NMOD];
	struct report_results res;
	bool finished;
	/* scratch for one course's NRS observations, reused course to course */
	size_t obs_cap;
	double *obs_score; /* same-day scores averaged, oldest first */
	int32_t *obs_k;    /* session number (0 for the baseline) */
	int32_t *obs_date; /* their dates */
	size_t obs_n;      /* how many there are */
	const struct course_rows *obs_of; /* the course they are of; NULL: none */
};

static const char *const all_name = "ALL";

const char *report_mod_name(int m)
{
	assert(m >= 0 && m < REPORT_NMOD);
	return m == REPORT_ALL_MOD ? all_name : dom_modality_names[m];
}

const char *report_cond_name(int c)
{
	assert(c >= 0 && c < REPORT_NCOND);
	return c == REPORT_ALL_COND ? all_name : dom_condition_names[c];
}

double report_mcid(enum instrument id, const char **source)
{
	static const struct { double mcid; const char *src; } t[INSTR__COUNT] = {
		[INSTR_NRS] = { 2, "2 points of 10 (Farrar JT et al., Pain 2001;94:149-158)" },
		[INSTR_VAS] = { 20, "20 mm of 100 (about 2 NRS points; Farrar JT et al., Pain 2001;94:149-158)" },
		[INSTR_ODI] = { 10, "10 points of 100 (Ostelo RWJG et al., Spine 2008;33:90-94)" },
		[INSTR_NDI] = { 7.5, "7.5 points of 50 (MacDermid JC et al., J Orthop Sports Phys Ther 2009;39:400-417: 5-10 points)" },
		[INSTR_WOMAC] = { 9.6, "9.6 points of 96, 10 of the normalised 0-100 (Angst F et al., Arthritis Rheum 2001;45:384-391: pain 9.7, function 9.3)" },
		[INSTR_QUICKDASH] = { 8, "8 points of 100 (Mintken PE et al., J Shoulder Elbow Surg 2009;18:920-926)" },
		[INSTR_KOOS] = { 10, "10 points of 100, higher is better (Roos EM, Lohmander LS, Health Qual Life Outcomes 2003;1:64: 8-10 points)" },
	};
	assert(id < INSTR__COUNT);
	if (source)
		*source = t[id].src;
	return t[id].mcid;
}

enum prolo_code report_new(const struct report_options *opt, struct report **out,
                           struct prolo_err *err)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	(*out)->conf = opt && opt->conf > 0 ? opt->conf : 0.95;
	(*out)->title = opt && opt->title ? opt->title : "prolo outcomes report";
	(*out)->filter_desc = opt ? opt->filter_desc : NULL;
	(*out)->res.tp.as_of = opt ? opt->as_of : 0;
	return PROLO_OK;
}

static void tab_free(struct tab *t)
{
	free(t->ev);
	free(t->ce);
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (int i = 0; i < REPORT_NGROUPS; i++)
		tab_free(&r->g[i].km);
	for (int m = 0; m < REPORT_NMOD; m++) {
		tab_free(&r->m[m].live);
		tab_free(&r->m[m].first);
		free(r->m[m].traj);
		stats_km_free(r->fits[m]);
		free(r->res.traj[m]);
		free(r->res.dropout[m].first_at);
	}
	free(r->obs_score);
	free(r->obs_k);
	free(r->obs_date);
	free(r);
}

static size_t grown(size_t cap, size_t need)
{
	size_t c = cap ? cap : 16;
	while (c < need)
		c *= 2;
	return c;
}

/* Resizes the array *pp to n elements of elem bytes, the tail from old
 * elements on zeroed. false (the array as it was) when out of memory. */
static bool resize_zeroed(void *pp, size_t old, size_t n, size_t elem)
{
	void *p; /* pp points at a pointer of some type: copied, not cast */
	memcpy(&p, pp, sizeof p);
	unsigned char *q = realloc(p, n * elem);
	if (!q)
		return false;
	memset(q + old * elem, 0, (n - old) * elem);
	memcpy(pp, &q, sizeof q);
	return true;
}

/* Makes t hold index k. PROLO_ENOMEM leaves t as it was. */
static enum prolo_code tab_reserve(struct tab *t, size_t k)
{
	if (k < t->cap)
		return PROLO_OK;
	size_t c = grown(t->cap, k + 1);
	/* On failure of a later one, the earlier are larger: harmless. */
	if (!resize_zeroed(&t->ev, t->cap, c, sizeof *t->ev) || !resize_zeroed(&t->ce, t->cap, c, sizeof *t->ce))
		return PROLO_ENOMEM;
	t->cap = c;
	return PROLO_OK;
}

static enum prolo_code traj_reserve(struct mod_acc *m, size_t k)
{
	if (k < m->traj_cap)
		return PROLO_OK;
	size_t c = grown(m->traj_cap, k + 1);
	if (!resize_zeroed(&m->traj, m->traj_cap, c, NBINS * sizeof *m->traj))
		return PROLO_ENOMEM;
	m->traj_cap = c;
	return PROLO_OK;
}

/* Session number of a follow-up dated d: the largest session_no among the
 * course's sessions dated on or before d (0 if none). */
static int32_t asof(const struct course_rows *c, int32_t d)
{
	int32_t k = 0;
	for (size_t i = 0; i < c->n_sessions; i++)
		if (c->sess_date[i] <= d && c->sess_no[i] > k)
			k = c->sess_no[i];
	return k;
}

/* The values REPORT.md §1 derives from a course's NRS rows. */
struct derived {
	bool has_nrs, evaluable, responder, event;
	double base, last, prev; /* prev: the observation before last (NaN if none) */
	int32_t t;               /* sessions-to-response or censoring time */
	int32_t last_k;          /* session number of the last follow-up */
	size_t n_follow;
	uint64_t pre_session, same_session, same_day;
};

/* Scores of one instrument, same-day rows averaged, oldest first; calls fn
 * per distinct date. Returns the number of distinct dates. */
typedef void (*obs_fn)(void *ctx, size_t idx, int32_t date, double score);
static size_t each_obs(const struct course_rows *c, int instr, obs_fn fn, void *ctx,
                       uint64_t *same_day)
{
	size_t n = 0, i = 0;
	while (i < c->n_outcomes) {
		if (c->out_instrument[i] != instr || isnan(c->out_score[i])) {
			i++;
			continue;
		}
		int32_t d = c->out_date[i];
		double sum = 0;
		int cnt = 0;
		for (; i < c->n_outcomes && c->out_date[i] == d; i++)
			if (c->out_instrument[i] == instr && !isnan(c->out_score[i])) {
				sum += c->out_score[i];
				cnt++;
			}
		if (cnt > 1 && same_day)
			(*same_day)++;
		if (fn)
			fn(ctx, n, d, sum / cnt);
		n++;
	}
	return n;
}

static int bin_of(double score)
{
	double b = round(score * 2);
	return b < 0 ? 0 : b > NBINS - 1 ? NBINS - 1 : (int)b;
}

/* Makes r's observation scratch hold n entries. PROLO_ENOMEM leaves it as
 * it was. */
static enum prolo_code obs_reserve(struct report *r, size_t n)
{
	if (n <= r->obs_cap)
		return PROLO_OK;
	size_t c = grown(r->obs_cap, n);
	/* On failure of a later one, the earlier are larger: harmless. */
	if (!resize_zeroed(&r->obs_score, r->obs_cap, c, sizeof *r->obs_score) ||
	    !resize_zeroed(&r->obs_k, r->obs_cap, c, sizeof *r->obs_k) ||
	    !resize_zeroed(&r->obs_date, r->obs_cap, c, sizeof *r->obs_date))
		return PROLO_ENOMEM;
	r->obs_cap = c;
	return PROLO_OK;
}

struct nrs_fill {
	struct report *r;
	const struct course_rows *c;
};

static void fill_nrs(void *ctx, size_t idx, int32_t date, double score)
{
	struct nrs_fill *f = ctx;
	f->r->obs_score[idx] = score;
	f->r->obs_k[idx] = idx == 0 ? 0 : asof(f->c, date);
	f->r->obs_date[idx] = date;
}

/* The course's NRS observations into r->obs_*: same-day scores averaged,
 * oldest first, each follow-up with its session number. *n gets their
 * number, *same_day the dates that held more than one score.
 * PROLO_ENOMEM; nothing else of r is touched. */
static enum prolo_code collect_nrs(struct report *r, const struct course_rows *c, size_t *n,
                                   uint64_t *same_day)
{
	/* At most one observation per assessment row. */
	if (obs_reserve(r, c->n_outcomes ? c->n_outcomes : 1))
		return PROLO_ENOMEM;
	struct nrs_fill f = { r, c };
	*n = each_obs(c, INSTR_NRS, fill_nrs, &f, same_day);
	return PROLO_OK;
}

/* REPORT.md §1 over the observations collected by collect_nrs. *maxk gets
 * the largest follow-up session number (0 if none). Cannot fail. */
static void derive(const double *score, const int32_t *kk, size_t n, struct derived *dv,
                   int32_t *maxk)
{
	*maxk = 0;
	for (size_t j = 0; j < n; j++) {
		double s = score[j];
		if (j == 0) {
			dv->has_nrs = true;
			dv->base = dv->last = s;
			dv->prev = NAN;
			dv->evaluable = s >= REPORT_MIN_BASELINE;
			continue;
		}
		int32_t k = kk[j];
		if (k == 0)
			dv->pre_session++;
		else if (dv->n_follow > 0 && k == dv->last_k)
			dv->same_session++;
		dv->prev = dv->last;
		dv->last = s;
		dv->last_k = k;
		dv->n_follow++;
		if (k > *maxk)
			*maxk = k;
		if (!dv->event && dv->evaluable && k >= 1 && 2 * s <= dv->base) {
			dv->event = true;
			dv->t = k;
		}
	}
}

/* Checks what the builder relies on; *instr_mask gets the instruments
 * present (bit = 1 << enum instrument). */
static enum prolo_code validate(const struct course_rows *c, unsigned *instr_mask,
                                struct prolo_err *err)
{
	unsigned mask = 0;
	const char *id = c->course_id ? c->course_id : "?";
	if (c->modality < 0 || c->modality >= MOD__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "modality", "course %s: modality %d out of range", id, c->modality);
	if (c->condition < -1 || c->condition >= COND__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "condition", "course %s: condition %d out of range", id, c->condition);
	if (c->status < 0 || c->status >= CS__COUNT)
		return prolo_err_set(err, PROLO_EINVAL, "status", "course %s: status %d out of range", id, c->status);
	for (size_t i = 0; i < c->n_sessions; i++) {
		if (c->sess_no[i] < 0)
			return prolo_err_set(err, PROLO_EINVAL, "session_no", "course %s: session number %d", id, (int)c->sess_no[i]);
		if (c->sess_no[i] > REPORT_MAX_SESSION)
			return prolo_err_set(err, PROLO_ETOOBIG, "session_no", "course %s: session number %d above %d", id, (int)c->sess_no[i], REPORT_MAX_SESSION);
	}
	for (size_t i = 0; i < c->n_outcomes; i++) {
		if (c->out_instrument[i] >= INSTR__COUNT)
			return prolo_err_set(err, PROLO_EINVAL, "instrument", "course %s: instrument %d out of range", id, c->out_instrument[i]);
		if (i > 0 && c->out_date[i] < c->out_date[i - 1])
			return prolo_err_set(err, PROLO_EINVAL, "date", "course %s: assessments not sorted by date", id);
		mask |= 1u << c->out_instrument[i];
	}
	for (size_t i = 0; i < c->n_aes; i++)
		if (c->ae_kind[i] >= AE__COUNT)
			return prolo_err_set(err, PROLO_EINVAL, "kind", "course %s: adverse event kind %d out of range", id, c->ae_kind[i]);
	*instr_mask = mask;
	return PROLO_OK;
}

struct sec_obs {
	double first, last;
	size_t n;
};

static void sec_cb(void *vctx, size_t idx, int32_t date, double s)
{
	struct sec_obs *o = vctx;
	if (idx == 0)
		o->first = s;
	o->last = s;
	o->n = idx + 1;
}

/* Folds the secondary instruments of mask (NRS excluded) in. */
static void add_secondary(struct mod_acc *ma, const struct course_rows *c, unsigned mask)
{
	for (int in = 0; in < INSTR__COUNT; in++) {
		if (in == INSTR_NRS || !(mask & 1u << in))
			continue;
		struct sec_obs o = { 0 };
		each_obs(c, in, sec_cb, &o, NULL);
		if (o.n < 2)
			continue;
		struct sec_acc *s = &ma->sec[in];
		double chg = o.last - o.first, mcid = report_mcid((enum instrument)in, NULL);
		stats_acc_add(&s->base, o.first);
		stats_acc_add(&s->last, o.last);
		stats_acc_add(&s->chg, chg);
		bool better = instr_info((enum instrument)in)->higher_is_worse ? -chg >= mcid : chg >= mcid;
		if (!isnan(mcid) && better)
			s->n_mcid++;
	}
}

enum prolo_code report_add_course(struct report *r, const struct course_rows *c,
                                  struct prolo_err *err)
{
	assert(!r->finished);
	r->obs_of = NULL;
	unsigned instr_mask = 0;
	enum prolo_code rc = validate(c, &instr_mask, err);
	if (rc != PROLO_OK)
		return rc;
	int mod = c->modality, cond = c->condition;
	bool ended = dom_status_ended((enum course_status)c->status);
	bool completed = dom_status_completed((enum course_status)c->status);

	/* Derive the course's values. */
	struct derived dv = { .prev = NAN };
	uint64_t same_day = 0;
	size_t n_obs = 0;
	int32_t maxk = 0;
	if (collect_nrs(r, c, &n_obs, &same_day))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	r->obs_of = c; /* for report_course_nrs */
	r->obs_n = n_obs;
	derive(r->obs_score, r->obs_k, n_obs, &dv, &maxk);
	if (!dv.event)
		dv.t = maxk;
	dv.responder = dv.evaluable && 2 * dv.last <= dv.base;

	/* Reserve every table this course touches, then fold it in. */
	int groups[4], ng = 0;
	if (cond >= 0) {
		groups[ng++] = mod * REPORT_NCOND + cond;
		groups[ng++] = REPORT_ALL_MOD * REPORT_NCOND + cond;
	}
	groups[ng++] = mod * REPORT_NCOND + REPORT_ALL_COND;
	groups[ng++] = REPORT_ALL_MOD * REPORT_NCOND + REPORT_ALL_COND;
	struct mod_acc *mods[2] = { &r->m[mod], &r->m[REPORT_ALL_MOD] };
	size_t t = (size_t)dv.t, kmax = (size_t)maxk;
	for (int j = 0; j < 2; j++)
		if (tab_reserve(&mods[j]->live, t) || tab_reserve(&mods[j]->first, t) ||
		    traj_reserve(mods[j], kmax))
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	for (int j = 0; j < ng; j++)
		if (tab_reserve(&r->g[groups[j]].km, t))
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");

	/* Pass 2: the live curves and the pain trajectory take every course. */
	r->q.courses_seen++;
	for (size_t j = 0; j < n_obs; j++) {
		size_t cell = (size_t)r->obs_k[j] * NBINS + (size_t)bin_of(r->obs_score[j]);
		mods[0]->traj[cell]++;
		mods[1]->traj[cell]++;
	}
	for (int j = 0; j < 2; j++) {
		if (dv.event)
			mods[j]->live.ev[t]++;
		else
			mods[j]->live.ce[t]++;
	}
	if (!ended) {
		r->q.not_ended++;
		return PROLO_OK;
	}
	r->q.pre_session_followups += dv.pre_session;
	r->q.same_session_followups += dv.same_session;
	r->q.same_day_nrs += same_day;
	if (!dv.has_nrs)
		r->q.no_nrs++;
	else if (!dv.evaluable)
		r->q.low_baseline++;
	if (cond < 0)
		r->q.other_condition++;

	for (int j = 0; j < ng; j++) {
		struct group_acc *g = &r->g[groups[j]];
		g->n_courses++;
		if (completed) {
			g->n_completed++;
			g->pp_resp += dv.responder;
		} else {
			g->n_dropped++;
		}
		if (dv.has_nrs)
			stats_acc_add(&g->chg, dv.last - dv.base);
		if (dv.event)
			g->km.ev[t]++;
		else
			g->km.ce[t]++;
		g->n_sessions += c->n_sessions;
		for (size_t i = 0; i < c->n_aes; i++) {
			g->ae_n[c->ae_kind[i]]++;
			if (c->ae_kind[i] == AE_SORENESS && c->ae_duration[i] > 4)
				g->sore_gt4++;
		}
	}

	int32_t last_sess = 0;
	for (size_t i = 0; i < c->n_sessions; i++)
		if (c->sess_no[i] > last_sess)
			last_sess = c->sess_no[i];
	for (int j = 0; j < 2; j++) {
		struct mod_acc *ma = mods[j];
		if (completed && dv.responder && dv.event)
			ma->first.ev[t]++;
		if (!completed) {
			ma->dropped++;
			if (!dv.has_nrs || dv.n_follow == 0)
				ma->d_single++;
			else if (dv.last < dv.prev)
				ma->d_impr++;
			else if (dv.last > dv.prev)
				ma->d_worse++;
			else
				ma->d_flat++;
			if (dv.responder)
				ma->d_resp++;
			if (dv.has_nrs && dv.base > 0)
				stats_acc_add(&ma->d_pct, 100 * (dv.last - dv.base) / dv.base);
		}
		ma->noshows += c->n_noshows;
		ma->c_noshow += c->n_noshows > 0;
		ma->d_noshow += !completed && c->n_noshows > 0;
		ma->itt_n++;
		ma->itt_resp += completed && dv.responder;
		ma->locf_resp += dv.responder;
		if (dv.n_follow > 0 && last_sess > 0 && dv.last_k == last_sess) {
			ma->survey_n++;
			ma->survey_impr += dv.last < dv.base;
		}
		if (completed) {
			ma->pp_n++;
			ma->pp_resp += dv.responder;
		}
		add_secondary(ma, c, instr_mask);
	}
	return PROLO_OK;
}

/* ---- estimates ---- */

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

/* KM over a tab; *fit_out keeps the fit when not NULL. */
static enum prolo_code km_of(const struct tab *t, double conf, double *med, double *lo,
                             double *hi, struct stats_km **fit_out, struct prolo_err *err)
{
	size_t m = t->cap;
	double *buf = malloc((3 * m + 1) * sizeof *buf);
	if (!buf)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	for (size_t j = 0; j < m; j++) {
		buf[j] = (double)j;
		buf[m + j] = (double)t->ev[j];
		buf[2 * m + j] = (double)t->ce[j];
	}
	struct stats_km *km;
	enum prolo_code rc = stats_km_fit_counts(buf, buf + m, buf + 2 * m, m, STATS_CI_LOG,
	                                         conf, &km, err);
	free(buf);
	if (rc != PROLO_OK)
		return rc;
	stats_km_median(km, med, lo, hi);
	if (fit_out)
		*fit_out = km;
	else
		stats_km_free(km);
	return PROLO_OK;
}

static enum prolo_code finish_row(struct report *r, int gi, struct prolo_err *err)
{
	const struct group_acc *g = &r->g[gi];
	struct report_row *w = &r->res.rows[gi];
	double z = r->res.z;
	w->n_courses = g->n_courses;
	w->n_completed = g->n_completed;
	w->n_dropped = g->n_dropped;
	w->pp_resp = w->itt_resp = g->pp_resp;
	w->pp_rate = ratio(g->pp_resp, g->n_completed);
	stats_wilson(g->pp_resp, g->n_completed, z, &w->pp_lo, &w->pp_hi);
	w->itt_rate = ratio(g->pp_resp, g->n_courses);
	stats_wilson(g->pp_resp, g->n_courses, z, &w->itt_lo, &w->itt_hi);
	w->chg_mean = stats_acc_mean(&g->chg);
	w->chg_sd = stats_acc_sd(&g->chg);
	w->km_n = g->n_courses;
	w->km_events = 0;
	for (size_t j = 0; j < g->km.cap; j++)
		w->km_events += g->km.ev[j];
	w->km_median = w->km_lo = w->km_hi = NAN;
	if (g->n_courses) {
		enum prolo_code rc = km_of(&g->km, r->conf, &w->km_median, &w->km_lo, &w->km_hi, NULL, err);
		if (rc != PROLO_OK)
			return rc;
	}
	w->n_sessions = g->n_sessions;
	for (int k = 0; k < AE__COUNT; k++) {
		w->ae_n[k] = g->ae_n[k];
		w->ae_per100[k] = g->n_sessions ? 100.0 * (double)g->ae_n[k] / (double)g->n_sessions : NAN;
	}
	w->soreness_gt4_n = g->sore_gt4;
	w->soreness_gt4_share = ratio(g->sore_gt4, g->ae_n[AE_SORENESS]);
	return PROLO_OK;
}

static enum prolo_code finish_logrank(struct report *r, int c, struct prolo_err *err)
{
	size_t m = 0;
	for (int g = 0; g < MOD__COUNT; g++)
		if (r->g[g * REPORT_NCOND + c].km.cap > m)
			m = r->g[g * REPORT_NCOND + c].km.cap;
	struct report_logrank *lr = &r->res.logrank[c];
	lr->chisq = lr->df = lr->p = NAN;
	if (m == 0)
		return PROLO_OK;
	double *tm = calloc(m, sizeof *tm), *ev = calloc(MOD__COUNT * m, sizeof *ev),
	       *ce = calloc(MOD__COUNT * m, sizeof *ce);
	enum prolo_code rc = PROLO_OK;
	if (!tm || !ev || !ce) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		goto done;
	}
	for (size_t j = 0; j < m; j++)
		tm[j] = (double)j;
	for (int g = 0; g < MOD__COUNT; g++) {
		const struct tab *t = &r->g[g * REPORT_NCOND + c].km;
		for (size_t j = 0; j < t->cap; j++) {
			ev[(size_t)g * m + j] = (double)t->ev[j];
			ce[(size_t)g * m + j] = (double)t->ce[j];
		}
	}
	struct stats_logrank out;
	rc = stats_logrank_counts(MOD__COUNT, tm, ev, ce, m, &out, lr->observed, lr->expected, err);
	lr->chisq = out.chisq;
	lr->df = out.df;
	lr->p = out.p;
done:
	free(tm), free(ev), free(ce);
	return rc;
}

static enum prolo_code finish_mod(struct report *r, int mi, struct prolo_err *err)
{
	struct mod_acc *ma = &r->m[mi];
	struct report_results *res = &r->res;
	double z = res->z;
	/* live curve */
	struct report_curve *cv = &res->km[mi];
	for (size_t j = 0; j < ma->live.cap; j++) {
		cv->n_courses += ma->live.ev[j] + ma->live.ce[j];
		cv->n_events += ma->live.ev[j];
	}
	cv->median = cv->median_lo = cv->median_hi = NAN;
	if (cv->n_courses) {
		enum prolo_code rc = km_of(&ma->live, r->conf, &cv->median, &cv->median_lo,
		                           &cv->median_hi, &r->fits[mi], err);
		if (rc != PROLO_OK)
			return rc;
		struct stats_km *km = r->fits[mi];
		cv->n = km->n;
		cv->time = km->time;
		cv->surv = km->surv;
		cv->lower = km->lower;
		cv->upper = km->upper;
		cv->n_risk = km->n_risk;
	}
	/* trajectory */
	size_t np = 0;
	for (size_t k = 0; k < ma->traj_cap; k++) {
		uint64_t n = 0;
		for (int b = 0; b < NBINS; b++)
			n += ma->traj[k * NBINS + b];
		np += n > 0;
	}
	if (np) {
		res->traj[mi] = calloc(np, sizeof *res->traj[mi]);
		if (!res->traj[mi])
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		double val[NBINS];
		for (int b = 0; b < NBINS; b++)
			val[b] = b / 2.0;
		for (size_t k = 0; k < ma->traj_cap; k++) {
			const uint64_t *cnt = ma->traj + k * NBINS;
			uint64_t n = 0;
			for (int b = 0; b < NBINS; b++)
				n += cnt[b];
			if (!n)
				continue;
			struct report_traj_point *p = &res->traj[mi][res->traj_n[mi]++];
			p->session = (int)k;
			p->n = n;
			p->q25 = stats_quantile_counts(val, cnt, NBINS, 0.25);
			p->median = stats_quantile_counts(val, cnt, NBINS, 0.5);
			p->q75 = stats_quantile_counts(val, cnt, NBINS, 0.75);
		}
	}
	/* drop-outs */
	struct report_dropout *d = &res->dropout[mi];
	size_t nf = 0;
	for (size_t k = 0; k < ma->first.cap; k++)
		if (ma->first.ev[k])
			nf = k + 1;
	if (nf) {
		d->first_at = calloc(nf, sizeof *d->first_at);
		if (!d->first_at)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		memcpy(d->first_at, ma->first.ev, nf * sizeof *d->first_at);
	}
	d->n_first = nf;
	for (size_t k = 0; k < nf; k++)
		d->n_responders += d->first_at[k];
	d->dropped = ma->dropped;
	d->dropped_improving = ma->d_impr;
	d->dropped_flat = ma->d_flat;
	d->dropped_worsening = ma->d_worse;
	d->dropped_single = ma->d_single;
	d->dropped_responding = ma->d_resp;
	d->dropped_last_pct.n = ma->d_pct.n;
	d->dropped_last_pct.mean = stats_acc_mean(&ma->d_pct);
	double half = stats_t_crit(r->conf, (double)ma->d_pct.n - 1) * stats_acc_sd(&ma->d_pct) /
	              sqrt((double)ma->d_pct.n);
	d->dropped_last_pct.lo = d->dropped_last_pct.mean - half;
	d->dropped_last_pct.hi = d->dropped_last_pct.mean + half;
	d->no_shows = ma->noshows;
	d->courses_with_no_show = ma->c_noshow;
	d->dropped_with_no_show = ma->d_noshow;
	d->itt_n = ma->itt_n;
	d->itt_resp = ma->itt_resp;
	d->locf_resp = ma->locf_resp;
	d->itt_rate = ratio(ma->itt_resp, ma->itt_n);
	stats_wilson(ma->itt_resp, ma->itt_n, z, &d->itt_lo, &d->itt_hi);
	d->locf_rate = ratio(ma->locf_resp, ma->itt_n);
	stats_wilson(ma->locf_resp, ma->itt_n, z, &d->locf_lo, &d->locf_hi);
	/* claims */
	struct report_claims *cl = &res->claims[mi];
	cl->survey_n = ma->survey_n;
	cl->survey_improved = ma->survey_impr;
	cl->survey_rate = ratio(ma->survey_impr, ma->survey_n);
	stats_wilson(ma->survey_impr, ma->survey_n, z, &cl->survey_lo, &cl->survey_hi);
	cl->pp_n = ma->pp_n;
	cl->pp_resp = ma->pp_resp;
	cl->pp_rate = ratio(ma->pp_resp, ma->pp_n);
	stats_wilson(ma->pp_resp, ma->pp_n, z, &cl->pp_lo, &cl->pp_hi);
	cl->itt_n = ma->itt_n;
	cl->itt_resp = ma->itt_resp;
	cl->itt_rate = d->itt_rate;
	cl->itt_lo = d->itt_lo;
	cl->itt_hi = d->itt_hi;
	/* secondary instruments */
	for (int in = 0; in < INSTR__COUNT; in++) {
		const struct sec_acc *s = &ma->sec[in];
		struct report_secondary *o = &res->secondary[mi][in];
		o->n = s->chg.n;
		o->base_mean = stats_acc_mean(&s->base);
		o->last_mean = stats_acc_mean(&s->last);
		o->chg_mean = stats_acc_mean(&s->chg);
		double h = stats_t_crit(r->conf, (double)s->chg.n - 1) * stats_acc_sd(&s->chg) /
		           sqrt((double)s->chg.n);
		o->chg_lo = o->chg_mean - h;
		o->chg_hi = o->chg_mean + h;
		o->mcid = report_mcid((enum instrument)in, NULL);
		o->n_mcid = s->n_mcid;
		o->mcid_share = ratio(s->n_mcid, s->chg.n);
	}
	return PROLO_OK;
}

enum prolo_code report_finish(struct report *r, struct prolo_err *err)
{
	assert(!r->finished);
	r->finished = true;
	struct report_results *res = &r->res;
	res->conf = r->conf;
	res->z = stats_z(r->conf);
	res->title = r->title;
	res->filter_desc = r->filter_desc;
	res->quality = r->q;
	enum prolo_code rc;
	for (int gi = 0; gi < REPORT_NGROUPS; gi++)
		if ((rc = finish_row(r, gi, err)) != PROLO_OK)
			return rc;
	for (int c = 0; c < REPORT_NCOND; c++)
		if ((rc = finish_logrank(r, c, err)) != PROLO_OK)
			return rc;
	for (int m = 0; m < REPORT_NMOD; m++)
		if ((rc = finish_mod(r, m, err)) != PROLO_OK)
			return rc;
	report_tp_finish(&res->tp, res->z);
	static const int pairs[3][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 } };
	for (int i = 0; i < 3; i++) {
		const struct report_row *a = &res->rows[pairs[i][0] * REPORT_NCOND + REPORT_ALL_COND];
		const struct report_row *b = &res->rows[pairs[i][1] * REPORT_NCOND + REPORT_ALL_COND];
		res->diffs[i].a = pairs[i][0];
		res->diffs[i].b = pairs[i][1];
		stats_newcombe(a->itt_resp, a->n_courses, b->itt_resp, b->n_courses, res->z,
		               &res->diffs[i].diff, &res->diffs[i].lo, &res->diffs[i].hi);
	}
	return PROLO_OK;
}

bool report_course_nrs(const struct report *r, const struct course_rows *c, size_t *n, const int32_t **date,
                       const double **score)
{
	if (r->obs_of != c)
		return false;
	*n = r->obs_n;
	*date = r->obs_date;
	*score = r->obs_score;
	return true;
}

struct report_results *report_results_mut(struct report *r)
{
	return &r->res;
}

const struct report_results *report_results(const struct report *r)
{
	assert(r->finished);
	return &r->res;
}
