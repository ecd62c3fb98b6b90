/* The healing-course model. Per course a latent tissue deficit falls as
 * injections cause inflammation and inflammation drives repair; observed
 * pain is that deficit scaled to NRS, plus an enrolment flare that fades
 * (regression to the mean), minus a non-specific effect that saline shares,
 * plus questionnaire noise. Everything is drawn from one xoshiro stream per
 * patient, so a patient depends on nothing but (seed, index). */
#include "sim/sim.h"

#include <assert.h>
#include <math.h>
#include <string.h>

const char *const sim_arm_names[SIM_ARM__COUNT] = {
	"dextrose", "prp", "stem_cell", "placebo",
};

/* The hidden state of one course, in days from its start (t = 0). */
struct latent {
	double d0;         /* deficit at start, 0..1 */
	double drift;      /* natural history, log change per day */
	double flare;      /* NRS points above usual at enrolment */
	double nonspec;    /* fraction of pain relieved by being treated */
	double resp;       /* repair responsiveness; 0 = never responds */
	double react;      /* inflammatory reactivity */
	double first_t;    /* day of the first injection; < 0 before it */
	int n;             /* sessions so far */
	double t[SIM_MAX_SESSIONS]; /* session days */
	double f[SIM_MAX_SESSIONS]; /* repair fraction each session achieves */
};

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static int pick(struct sim_rng *r, const double *share, int n)
{
	double total = 0;
	for (int i = 0; i < n; i++)
		total += share[i];
	double u = sim_rng_unif(r) * total;
	for (int i = 0; i < n - 1; i++) {
		if (u < share[i])
			return i;
		u -= share[i];
	}
	return n - 1;
}

/* Latent pain (NRS units, unclamped) at day t. */
static double pain_at(const struct sim_params *p, const struct latent *L, double t)
{
	double d = L->d0 * exp(L->drift * t);
	for (int i = 0; i < L->n; i++)
		if (t > L->t[i])
			d *= 1.0 - L->f[i] * (1.0 - exp(-(t - L->t[i]) / p->repair_tau_days));
	double pain = p->pain_scale * d;
	if (L->first_t >= 0 && t > L->first_t)
		pain *= 1.0 - L->nonspec * (1.0 - exp(-(t - L->first_t) / p->nonspec_tau_days));
	return pain + L->flare * exp(-t / p->flare_tau_days);
}

/* One questionnaire's continuous answer (NRS units) at day t. */
static double observe(const struct sim_params *p, struct sim_rng *r,
                      const struct latent *L, double t)
{
	return pain_at(p, L, t) + p->obs_sd * sim_rng_norm(r);
}

static int to_nrs(double y)
{
	return (int)clampd(floor(y + 0.5), 0, 10);
}

static int to_vas(double y)
{
	return (int)clampd(floor(10.0 * y + 0.5), 0, 100);
}

/* Draws the person-level state of a course and the baseline answer, with
 * the clinic's (or trial's) inclusion rule: only patients whose baseline
 * NRS reaches baseline_min are treated, so baselines are selected high and
 * later answers regress to the mean. Returns the baseline answer. */
static double latent_init(const struct sim_params *p, struct sim_rng *r,
                          enum condition cond, double clinic_mult,
                          double baseline_min, struct latent *L)
{
	memset(L, 0, sizeof *L);
	L->first_t = -1;
	L->drift = p->drift_per_year[cond] / 365.0;
	L->nonspec = clampd(p->nonspec_mean[cond] + p->nonspec_sd * sim_rng_norm(r), -0.3, 0.8);
	L->react = sim_rng_lognorm(r, p->react_sd);
	if (sim_rng_bern(r, p->nonresponder_share[cond]))
		L->resp = 0;
	else
		L->resp = clinic_mult * sim_rng_lognorm(r, p->resp_sd);
	double y0 = 0;
	for (int tries = 0; tries < 64; tries++) {
		L->d0 = clampd(p->deficit_mean[cond] + p->deficit_sd * sim_rng_norm(r), 0.05, 1.0);
		L->flare = p->flare_mean * -log(1.0 - sim_rng_unif(r)); /* exponential */
		y0 = observe(p, r, L, 0);
		if (to_nrs(y0) >= baseline_min)
			break;
	}
	if (to_nrs(y0) < baseline_min)
		y0 = baseline_min; /* a 64-fold miss: enrol at the threshold */
	return y0;
}

/* Gives an injection at day t; returns its inflammatory response. */
static double inject(const struct sim_params *p, struct sim_rng *r, struct latent *L,
                     enum sim_arm arm, enum condition cond, double t)
{
	assert(L->n < SIM_MAX_SESSIONS);
	double infl = p->strength[arm] * L->react * sim_rng_lognorm(r, p->session_sd);
	if (L->first_t < 0)
		L->first_t = t;
	L->t[L->n] = t;
	L->f[L->n] = 1.0 - exp(-p->repair_k[cond] * L->resp * infl);
	L->n++;
	return infl;
}

/* Side effects of one session with inflammatory response infl, onset day
 * date; appended to aes[*n] (room for 3). Returns true for an infection. */
static bool side_effects(const struct sim_params *p, struct sim_rng *r, double infl,
                         int32_t date, struct sim_ae *aes, uint8_t *n)
{
	/* the visible reaction grows less than the healing stimulus: a stem
	 * cell session inflames six times as much as a dextrose one but is
	 * not six times as often sore */
	infl = sqrt(infl);
	double ps = 1.0 - (1.0 - p->soreness_base) * exp(-p->soreness_k * infl);
	if (sim_rng_bern(r, ps)) {
		struct sim_ae *a = &aes[(*n)++];
		a->date = date;
		a->kind = AE_SORENESS;
		a->duration_days = (int16_t)(1 + sim_rng_geom(r, p->soreness_days_k * infl));
		double u = sim_rng_unif(r);
		a->grade = u < p->grade3_k * infl ? 3 : u < p->grade2_k * infl ? 2 : 1;
	}
	double pst = 1.0 - (1.0 - p->stiffness_base) * exp(-p->stiffness_k * infl);
	if (sim_rng_bern(r, pst)) {
		struct sim_ae *a = &aes[(*n)++];
		a->date = date;
		a->kind = AE_STIFFNESS;
		a->duration_days = (int16_t)(1 + sim_rng_geom(r, p->stiffness_days_k * infl));
		a->grade = sim_rng_bern(r, 0.8 * p->grade2_k * infl) ? 2 : 1;
	}
	if (sim_rng_bern(r, p->infection_rate)) {
		struct sim_ae *a = &aes[(*n)++];
		a->date = date + sim_rng_int(r, 2, 5);
		a->kind = AE_INFECTION;
		a->duration_days = (int16_t)sim_rng_int(r, 7, 21);
		double u = sim_rng_unif(r);
		a->grade = u < 0.1 ? 4 : u < 0.6 ? 3 : 2;
		return true;
	}
	return false;
}

/* The condition-specific instrument (ODI, NDI, WOMAC) or -1 if none. */
static int secondary_instrument(enum condition c)
{
	switch (c) {
	case COND_LOW_BACK_PAIN: return INSTR_ODI;
	case COND_NECK_PAIN: return INSTR_NDI;
	case COND_KNEE_OA: return INSTR_WOMAC;
	default: return -1;
	}
}

static void add_questionnaire(const struct sim_params *p, struct sim_rng *r,
                              struct sim_course *c, int32_t date, double y,
                              enum sim_outcome_when when)
{
	assert(c->n_outcomes + 2 <= SIM_MAX_OUTCOMES);
	struct sim_outcome *o = &c->outcomes[c->n_outcomes++];
	o->date = date;
	o->instrument = INSTR_NRS;
	o->when = (uint8_t)when;
	o->score = (int16_t)to_nrs(y);
	int instr = secondary_instrument((enum condition)c->condition);
	if (instr < 0)
		return;
	double v;
	int hi;
	if (instr == INSTR_ODI) {
		v = 2.0 * floor((p->odi_per_nrs * y + p->odi_sd * sim_rng_norm(r)) / 2.0 + 0.5);
		hi = 100;
	} else if (instr == INSTR_NDI) {
		v = floor(p->ndi_per_nrs * y + p->ndi_sd * sim_rng_norm(r) + 0.5);
		hi = 50;
	} else {
		v = floor(p->womac_per_nrs * y + p->womac_sd * sim_rng_norm(r) + 0.5);
		hi = 96;
	}
	o = &c->outcomes[c->n_outcomes++];
	o->date = date;
	o->instrument = (uint8_t)instr;
	o->when = (uint8_t)when;
	o->score = (int16_t)clampd(v, 0, hi);
}

static void session_product(const struct sim_params *p, struct sim_rng *r,
                            enum sim_arm arm, enum condition cond,
                            struct sim_session *s)
{
	static const int16_t dex_conc[COND__COUNT][3] = {
		{ 150, 200, 250 }, { 150, 200, 250 }, { 125, 150, 250 },
		{ 125, 150, 200 }, { 125, 150, 200 },
	};
	/* typical volumes per session in ml x 10: many sites in the spine,
	 * one joint or one tendon elsewhere */
	static const int16_t dex_vol[COND__COUNT][2] = {
		{ 150, 300 }, { 80, 200 }, { 60, 150 }, { 20, 60 }, { 30, 80 },
	};
	(void)p;
	s->conc_tenths = 0;
	switch (arm) {
	case SIM_ARM_DEXTROSE:
		s->proliferant = PROL_DEXTROSE;
		s->conc_tenths = dex_conc[cond][sim_rng_int(r, 0, 2)];
		s->volume_tenths = (int16_t)sim_rng_int(r, dex_vol[cond][0], dex_vol[cond][1]);
		break;
	case SIM_ARM_PRP:
		s->proliferant = PROL_PRP;
		s->volume_tenths = (int16_t)sim_rng_int(r, 30, 80);
		break;
	case SIM_ARM_STEM_CELL:
		s->proliferant = PROL_BMAC;
		s->volume_tenths = (int16_t)sim_rng_int(r, 20, 60);
		break;
	default:
		s->proliferant = PROL_SALINE;
		s->volume_tenths = (int16_t)sim_rng_int(r, 30, 80);
		break;
	}
}

/* A clinic course from start_date; fills everything but course_id. */
static void clinic_course(const struct sim_params *p, struct sim_rng *r,
                          enum sim_arm arm, enum condition cond,
                          double clinic_mult, int32_t start_date,
                          struct sim_course *c)
{
	struct latent L;
	double y0 = latent_init(p, r, cond, clinic_mult, p->baseline_min, &L);
	c->arm = (uint8_t)arm;
	c->condition = (uint8_t)cond;
	c->start_date = start_date;
	c->deficit0 = L.d0;
	c->responsiveness = L.resp;
	c->n_sessions = c->n_outcomes = c->n_aes = 0;
	int mod = arm == SIM_ARM_PLACEBO ? MOD_DEXTROSE : (int)arm;
	int planned = sim_rng_int(r, (int)p->planned_min[mod], (int)p->planned_max[mod]);
	if (planned > SIM_MAX_SESSIONS)
		planned = SIM_MAX_SESSIONS;
	if (planned < 1)
		planned = 1;
	int interval = (int)clampd(p->interval_days[mod], 14, 42);
	c->planned_sessions = (uint8_t)planned;
	c->interval_days = (uint8_t)interval;
	c->status = CS_COMPLETED;
	int nrs0 = to_nrs(y0);
	add_questionnaire(p, r, c, start_date, y0, SIM_OUT_BASELINE);

	int jit = (int)p->interval_jitter_days;
	int day = sim_rng_int(r, 1, (int)p->first_session_max_days);
	bool infected = false;
	for (int k = 1; k <= planned; k++) {
		if (k > 1) {
			day += (int)clampd(interval + sim_rng_int(r, -jit, jit), 14, 42);
			/* questionnaire 1-3 days before the visit: it measures the
			 * sessions so far, not this one */
			int qday = day - sim_rng_int(r, 1, 3);
			double y = observe(p, r, &L, qday);
			if (!sim_rng_bern(r, p->presession_missing))
				add_questionnaire(p, r, c, start_date + qday, y, SIM_OUT_PRE_SESSION);
			int nrs = to_nrs(y);
			if (nrs <= p->goal_ratio * nrs0 && sim_rng_bern(r, p->goal_stop)) {
				c->status = CS_GOAL_REACHED;
				break;
			}
			double pd = nrs <= p->improved_ratio * nrs0 ? p->drop_improved
			                                            : p->drop_not_improved;
			if (infected && p->drop_after_infection > pd)
				pd = p->drop_after_infection;
			if (sim_rng_bern(r, pd)) {
				c->status = CS_DROPPED;
				break;
			}
		}
		struct sim_session *s = &c->sessions[c->n_sessions++];
		s->date = start_date + day;
		s->session_no = (uint8_t)k;
		double infl = inject(p, r, &L, arm, cond, day);
		s->inflammation = (float)infl;
		session_product(p, r, arm, cond, s);
		if (side_effects(p, r, infl, s->date, c->aes, &c->n_aes))
			infected = true;
	}
	/* follow-ups 3, 6 and 12 months after the last injection */
	static const int fu_days[3] = { 91, 182, 365 };
	const double *answer = c->status == CS_DROPPED ? p->fu_answer_dropped
	                                                : p->fu_answer_completed;
	for (int i = 0; i < 3; i++) {
		int qday = day + fu_days[i] + sim_rng_int(r, -3, 3);
		double y = observe(p, r, &L, qday);
		if (sim_rng_bern(r, answer[i]))
			add_questionnaire(p, r, c, start_date + qday, y, SIM_OUT_FOLLOWUP);
	}
}

static double clinic_multiplier(const struct sim_params *p, uint64_t seed, int clinic)
{
	struct sim_rng r;
	sim_rng_seed(&r, seed, UINT64_C(0x8000000000000000) | (uint64_t)clinic);
	return sim_rng_lognorm(&r, p->clinic_effect_sd);
}

static bool responder(const struct sim_course *c)
{
	int b = -1, last = -1;
	for (int i = 0; i < c->n_outcomes; i++)
		if (c->outcomes[i].instrument == INSTR_NRS) {
			if (b < 0)
				b = c->outcomes[i].score;
			last = c->outcomes[i].score;
		}
	return b >= 0 && 2 * last <= b;
}

void sim_patient_generate(const struct sim_params *p, const struct sim_config *cfg,
                          uint64_t index, int64_t first_course_id,
                          struct sim_patient *out)
{
	assert(cfg->clinics >= 1);
	struct sim_rng r;
	sim_rng_seed(&r, cfg->seed, index);
	out->patient_id = (int64_t)index + 1;
	out->clinic = sim_rng_int(&r, 1, cfg->clinics);
	double u = sim_rng_unif(&r);
	out->sex = u < p->sex_female ? SEX_FEMALE
	         : u < p->sex_female + p->sex_other ? SEX_OTHER
	         : u < p->sex_female + p->sex_other + p->sex_unknown ? SEX_UNKNOWN
	         : SEX_MALE;
	int n = 1;
	if (sim_rng_bern(&r, p->courses_p2)) {
		n++;
		if (sim_rng_bern(&r, p->courses_p3)) {
			n++;
			if (sim_rng_bern(&r, p->courses_p4))
				n++;
		}
	}
	double mult = clinic_multiplier(p, cfg->seed, out->clinic);
	enum condition cond = (enum condition)pick(&r, p->condition_share, COND__COUNT);
	enum sim_arm arm = (enum sim_arm)pick(&r, p->modality_share, MOD__COUNT);
	int32_t first = dom_days_from_civil((int)p->start_year_first, 1, 1);
	int32_t last = dom_days_from_civil((int)p->start_year_last, 12, 31);
	int32_t start = first + sim_rng_int(&r, 0, last - first);
	int y, m, d;
	dom_civil_from_days(start, &y, &m, &d);
	double age = clampd(p->age_mean[cond] + p->age_sd * sim_rng_norm(&r), 18, 90);
	out->birth_year = (int16_t)(y - (int)age);
	out->n_courses = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		struct sim_course *c = &out->courses[i];
		if (i > 0) {
			const struct sim_course *prev = &out->courses[i - 1];
			int32_t prev_end = prev->sessions[prev->n_sessions - 1].date;
			start = prev_end + sim_rng_int(&r, (int)p->next_course_min_days,
			                               (int)p->next_course_max_days);
			if (!sim_rng_bern(&r, p->same_condition))
				cond = (enum condition)pick(&r, p->condition_share, COND__COUNT);
			if (!responder(prev) && prev->arm < SIM_ARM_STEM_CELL &&
			    sim_rng_bern(&r, p->step_up))
				arm = (enum sim_arm)(prev->arm + 1);
			else
				arm = (enum sim_arm)pick(&r, p->modality_share, MOD__COUNT);
		}
		clinic_course(p, &r, arm, cond, mult, start, c);
		c->course_id = first_course_id + i;
	}
}

void sim_trial_participant(const struct sim_params *p,
                           const struct sim_trial_protocol *proto,
                           uint64_t seed, uint64_t index,
                           struct sim_participant *out)
{
	assert(proto->sessions >= 1 && proto->sessions <= SIM_MAX_SESSIONS);
	struct sim_rng r;
	sim_rng_seed(&r, seed, ((uint64_t)proto->arm << 40) ^ ((uint64_t)proto->condition << 48) ^ index);
	struct latent L;
	double y0 = latent_init(p, &r, proto->condition, 1.0, proto->baseline_min, &L);
	memset(out, 0, sizeof *out);
	out->nrs0 = to_nrs(y0);
	out->vas0 = to_vas(y0);
	struct sim_ae aes[3];
	for (int k = 0; k < proto->sessions; k++) {
		double infl = inject(p, &r, &L, proto->arm, proto->condition,
		                     (double)k * proto->interval_days);
		uint8_t n = 0;
		side_effects(p, &r, infl, 0, aes, &n);
		for (int i = 0; i < n; i++) {
			out->n_soreness += aes[i].kind == AE_SORENESS;
			out->n_stiffness += aes[i].kind == AE_STIFFNESS;
			out->n_infection += aes[i].kind == AE_INFECTION;
		}
		out->n_sessions++;
	}
	double yh = observe(p, &r, &L, proto->horizon_days);
	out->nrs_h = to_nrs(yh);
	out->vas_h = to_vas(yh);
}
