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

int sim_condition_instruments(enum condition c, enum instrument out[SIM_INSTR_MAX])
{
	switch (c) {
	case COND_LOW_BACK_PAIN: out[0] = INSTR_ODI; return 1;
	case COND_NECK_PAIN: out[0] = INSTR_NDI; return 1;
	case COND_KNEE_OA: out[0] = INSTR_WOMAC; out[1] = INSTR_KOOS; return 2;
	case COND_TENDINOPATHY: out[0] = INSTR_QUICKDASH; return 1;
	default: return 0;
	}
}

double sim_instrument_score(const struct sim_params *p, enum instrument id, double y, double eps)
{
	switch (id) {
	case INSTR_ODI: /* ten sections of 0-5: steps of 2 % */
		return clampd(2.0 * floor((p->odi_per_nrs * y + p->odi_sd * eps) / 2.0 + 0.5), 0, 100);
	case INSTR_NDI:
		return clampd(floor(p->ndi_per_nrs * y + p->ndi_sd * eps + 0.5), 0, 50);
	case INSTR_WOMAC:
		return clampd(floor(p->womac_per_nrs * y + p->womac_sd * eps + 0.5), 0, 96);
	case INSTR_QUICKDASH: /* eleven answers of 1-5: steps of 25/11 */
		return clampd(floor((p->quickdash_per_nrs * y + p->quickdash_sd * eps) * 11.0 / 25.0 + 0.5),
		              0, 44) * 25.0 / 11.0;
	case INSTR_KOOS: /* higher is better */
		return clampd(floor(100.0 - p->koos_per_nrs * y - p->koos_sd * eps + 0.5), 0, 100);
	case INSTR_VAS:
		return to_vas(y);
	default:
		return to_nrs(y);
	}
}

/* A questionnaire with continuous answer y: NRS and the condition's own
 * instrument. The first instrument's noise comes from the course's stream
 * r for ODI, NDI and WOMAC (as the model always drew it) and from the
 * patient's second stream aux for QuickDASH, which was added later, so
 * that no other number of the model moved. */
static void add_questionnaire(const struct sim_params *p, struct sim_rng *r, struct sim_rng *aux,
                              struct sim_course *c, int32_t date, double y,
                              enum sim_outcome_when when)
{
	assert(c->n_outcomes + 2 <= SIM_MAX_OUTCOMES);
	struct sim_outcome *o = &c->outcomes[c->n_outcomes++];
	o->date = date;
	o->instrument = INSTR_NRS;
	o->when = (uint8_t)when;
	o->score_x100 = 100 * to_nrs(y);
	enum instrument ins[SIM_INSTR_MAX];
	if (sim_condition_instruments((enum condition)c->condition, ins) == 0)
		return;
	double eps = sim_rng_norm(ins[0] == INSTR_QUICKDASH ? aux : r);
	o = &c->outcomes[c->n_outcomes++];
	o->date = date;
	o->instrument = (uint8_t)ins[0];
	o->when = (uint8_t)when;
	o->score_x100 = (int32_t)floor(sim_instrument_score(p, ins[0], y, eps) * 100.0 + 0.5);
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

/* True when c already holds a questionnaire on date. */
static bool has_outcome_on(const struct sim_course *c, int32_t date)
{
	for (int i = 0; i < c->n_outcomes; i++)
		if (c->outcomes[i].date == date)
			return true;
	return false;
}

/* A clinic course from start_date; fills everything but course_id. With
 * fu_from_start (a living clinic) the follow-up questionnaires come at the
 * registry's time points, 91, 182 and 365 days after the start, answered
 * 0-10 days after the invitation; else 3, 6 and 12 months after the last
 * injection. Both draw the same numbers, so the course is the same. */
static void clinic_course(const struct sim_params *p, struct sim_rng *r, struct sim_rng *aux,
                          enum sim_arm arm, enum condition cond,
                          double clinic_mult, int32_t start_date, bool fu_from_start,
                          struct sim_course *c)
{
	struct latent L;
	double y0 = latent_init(p, r, cond, clinic_mult, p->baseline_min, &L);
	c->arm = (uint8_t)arm;
	c->condition = (uint8_t)cond;
	c->start_date = start_date;
	c->end_date = DOM_DATE_NONE;
	c->stem_source = STEM_BMAC;
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
	add_questionnaire(p, r, aux, c, start_date, y0, SIM_OUT_BASELINE);

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
				add_questionnaire(p, r, aux, c, start_date + qday, y, SIM_OUT_PRE_SESSION);
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
		memset(s, 0, sizeof *s);
		s->date = start_date + day;
		s->session_no = (uint8_t)k;
		double infl = inject(p, r, &L, arm, cond, day);
		s->inflammation = (float)infl;
		session_product(p, r, arm, cond, s);
		if (side_effects(p, r, infl, s->date, c->aes, &c->n_aes))
			infected = true;
	}
	/* follow-ups at 3, 6 and 12 months */
	static const int fu_days[3] = { 91, 182, 365 };
	const double *answer = c->status == CS_DROPPED ? p->fu_answer_dropped
	                                                : p->fu_answer_completed;
	for (int i = 0; i < 3; i++) {
		int qday = fu_from_start ? fu_days[i] + sim_rng_int(r, 0, 10)
		                         : day + fu_days[i] + sim_rng_int(r, -3, 3);
		double y = observe(p, r, &L, qday);
		if (!sim_rng_bern(r, answer[i]))
			continue;
		while (has_outcome_on(c, start_date + qday))
			qday++; /* one questionnaire a day: the pre-session one was that day */
		add_questionnaire(p, r, aux, c, start_date + qday, y, SIM_OUT_FOLLOWUP);
	}
}

static double clinic_multiplier(const struct sim_params *p, uint64_t seed, int clinic)
{
	struct sim_rng r;
	sim_rng_seed(&r, seed, UINT64_C(0x8000000000000000) | (uint64_t)clinic);
	return sim_rng_lognorm(&r, p->clinic_effect_sd);
}

/* NRS at the last questionnaire at most half of the baseline's. */
static bool responder(const struct sim_course *c)
{
	int b = -1, last = -1;
	int32_t last_date = INT32_MIN;
	for (int i = 0; i < c->n_outcomes; i++)
		if (c->outcomes[i].instrument == INSTR_NRS) {
			int v = c->outcomes[i].score_x100 / 100;
			if (b < 0)
				b = v;
			if (c->outcomes[i].date >= last_date) {
				last_date = c->outcomes[i].date;
				last = v;
			}
		}
	return b >= 0 && 2 * last <= b;
}

/* ---- a living clinic ------------------------------------------------------ */

static const char *const first_female[] = {
	"Anna", "Maria", "Laura", "Sofia", "Emma", "Julia", "Clara", "Lena", "Sarah", "Hanna",
	"Ines", "Nora", "Elena", "Paula", "Marta", "Alice", "Grace", "Chloe", "Amelia", "Ruth",
	"Aisha", "Mei", "Priya", "Yara", "Ingrid", "Olga", "Fatima", "Leila", "Rosa", "Helen",
};
static const char *const first_male[] = {
	"Lucas", "David", "Daniel", "Paul", "Jonas", "Felix", "Martin", "Peter", "Samuel", "Thomas",
	"Oscar", "Hugo", "Leon", "Noah", "Elias", "Adam", "Henry", "Omar", "Ravi", "Kenji",
	"Mateo", "Ivan", "Karim", "Arjun", "Erik", "Simon", "George", "Victor", "Tariq", "Louis",
};
static const char *const last_names[] = {
	"Example", "Sample", "Testperson", "Placeholder", "Demo", "Fictitious", "Specimen",
	"Mock", "Dummy", "Synthetic", "Imaginary", "Madeup", "Pretend", "Invented", "Model",
	"Paradigm", "Prototype", "Pattern", "Template", "Mockup", "Stand", "Proxy", "Surrogate",
	"Sketch", "Draft", "Trial", "Pilot", "Probe", "Figment", "Phantom",
};
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

const char *sim_first_name(unsigned i, bool female)
{
	return female ? first_female[i % COUNT(first_female)] : first_male[i % COUNT(first_male)];
}

const char *sim_last_name(unsigned i)
{
	return last_names[i % COUNT(last_names)];
}

static const char *const sites_lbp[] = {
	"L4-L5 supraspinous ligament", "L5-S1 interspinous ligament", "iliolumbar ligament",
	"posterior sacroiliac ligament", "L5-S1 facet capsule", "sacrotuberous ligament", NULL,
};
static const char *const sites_neck[] = {
	"nuchal ligament", "C7-T1 interspinous ligament", "C5-C6 facet capsule",
	"C6-C7 facet capsule", "C2-C3 facet capsule", NULL,
};
static const char *const sites_knee[] = {
	"knee joint (intra-articular)", "medial collateral ligament", "pes anserine insertion",
	"medial coronary ligament", NULL,
};
static const char *const sites_tendon[] = {
	"common extensor origin (lateral epicondyle)", "common flexor origin (medial epicondyle)",
	"supraspinatus insertion", "long head of biceps tendon", NULL,
};
static const char *const sites_sprain[] = {
	"anterior talofibular ligament", "calcaneofibular ligament", "deltoid ligament",
	"anterior inferior tibiofibular ligament", NULL,
};

const char *const *sim_sites(enum condition c)
{
	switch (c) {
	case COND_LOW_BACK_PAIN: return sites_lbp;
	case COND_NECK_PAIN: return sites_neck;
	case COND_KNEE_OA: return sites_knee;
	case COND_TENDINOPATHY: return sites_tendon;
	default: return sites_sprain;
	}
}

/* The sites of the spine's midline take no side. */
static bool midline_site(const char *site)
{
	return strstr(site, "spinous") || strstr(site, "nuchal");
}

/* A PRP preparation: whole-blood counts, a platelet concentration factor
 * (median 3.5x, so mostly PAW P2-P3 with some P4), leukocyte-rich or poor
 * and activated or not as the course's system makes it; prepared a
 * little more than is injected. */
static void prp_preparation(struct sim_rng *aux, bool rich, uint8_t activation, int16_t injected_tenths,
                            struct sim_prp *prp)
{
	double plt0 = clampd(250 + 50 * sim_rng_norm(aux), 150, 400);
	double factor = clampd(3.5 * sim_rng_lognorm(aux, 0.35), 1.2, 9);
	double wbc0 = clampd(6.5 + 1.5 * sim_rng_norm(aux), 3.5, 11);
	double wbc = wbc0 * (rich ? 1.5 + 2.5 * sim_rng_unif(aux) : 0.05 + 0.45 * sim_rng_unif(aux));
	double rbc = rich ? 0.5 + sim_rng_unif(aux) : 0.01 + 0.19 * sim_rng_unif(aux);
	prp->platelets_baseline = (int16_t)floor(plt0 + 0.5);
	prp->platelets = (int16_t)floor(plt0 * factor + 0.5);
	prp->leuk_base_tenths = (int16_t)floor(wbc0 * 10 + 0.5);
	prp->leuk_tenths = (int16_t)floor(wbc * 10 + 0.5);
	prp->rbc_hundredths = (int16_t)floor(rbc * 100 + 0.5);
	prp->activation = activation;
	prp->volume_tenths = (int16_t)(injected_tenths + sim_rng_int(aux, 0, 20));
}

/* The injectate and the injections of each session of c. */
static void living_sessions(const struct sim_params *p, struct sim_rng *aux, struct sim_course *c)
{
	enum condition cond = (enum condition)c->condition;
	const char *const *sites = sim_sites(cond);
	int n_sites = 0;
	while (sites[n_sites])
		n_sites++;
	bool spine = cond == COND_LOW_BACK_PAIN || cond == COND_NECK_PAIN;
	uint8_t side = sim_rng_bern(aux, 0.5) ? SIDE_LEFT : SIDE_RIGHT; /* a limb's side */
	bool lido = c->arm == SIM_ARM_DEXTROSE && sim_rng_bern(aux, p->dextrose_lidocaine);
	static const int16_t lido_tenths[3] = { 2, 5, 10 }; /* 0.2 %, 0.5 %, 1 % */
	int16_t lido_pct = lido_tenths[sim_rng_int(aux, 0, 2)];
	if (c->arm == SIM_ARM_STEM_CELL && sim_rng_bern(aux, p->stem_adipose))
		c->stem_source = STEM_ADIPOSE;
	/* the clinic's PRP system for the course */
	bool rich = sim_rng_bern(aux, p->prp_leukocyte_rich);
	uint8_t act = ACT_NONE;
	if (sim_rng_bern(aux, p->prp_activated))
		act = sim_rng_bern(aux, 0.7) ? ACT_CALCIUM_CHLORIDE : ACT_THROMBIN;
	for (int k = 0; k < c->n_sessions; k++) {
		struct sim_session *s = &c->sessions[k];
		if (c->arm == SIM_ARM_STEM_CELL)
			s->proliferant = c->stem_source == STEM_ADIPOSE ? PROL_ADIPOSE : PROL_BMAC;
		s->lido_tenths = lido ? lido_pct : 0;
		/* dextrose spreads over several sites (the spine most); PRP and
		 * stem cells go into one or two */
		int n = c->arm == SIM_ARM_DEXTROSE ? (spine ? sim_rng_int(aux, 3, SIM_MAX_INJECTIONS)
		                                            : sim_rng_int(aux, 1, 3))
		                                   : sim_rng_int(aux, 1, 2);
		if (n > n_sites)
			n = n_sites;
		if (n > s->volume_tenths)
			n = s->volume_tenths;
		int first = sim_rng_int(aux, 0, n_sites - 1);
		int left = s->volume_tenths;
		bool guided = sim_rng_bern(aux, p->ultrasound_guided);
		s->n_inj = (uint8_t)n;
		for (int i = 0; i < n; i++) {
			struct sim_injection *in = &s->inj[i];
			in->site = (uint8_t)((first + i) % n_sites);
			in->side = midline_site(sites[in->site]) ? SIDE_MIDLINE
			         : spine ? (sim_rng_bern(aux, 0.5) ? SIDE_BILATERAL : side) : side;
			in->guidance = guided ? GUIDE_ULTRASOUND : GUIDE_LANDMARK;
			/* the session's volume shared out; the last takes the rest */
			int v = i == n - 1 ? left : left / (n - i);
			in->volume_tenths = (int16_t)v;
			left -= v;
		}
		if (s->proliferant == PROL_PRP)
			prp_preparation(aux, rich, act, s->volume_tenths, &s->prp);
	}
}

/* Name, contact details and consent of a living clinic's patient. */
static void living_identity(const struct sim_params *p, struct sim_rng *aux, struct sim_patient *pt)
{
	pt->female_name = pt->sex == SEX_FEMALE || (pt->sex != SEX_MALE && sim_rng_bern(aux, 0.5));
	pt->first_name = (uint16_t)sim_rng_int(aux, 0, 999);
	pt->last_name = (uint16_t)sim_rng_int(aux, 0, (int)COUNT(last_names) - 1);
	pt->has_email = sim_rng_bern(aux, p->contact_email);
	pt->mobile = sim_rng_bern(aux, p->contact_mobile) ? sim_rng_int(aux, 0, 999) : -1;
	if (pt->has_email && pt->mobile >= 0)
		pt->channel = sim_rng_bern(aux, p->channel_sms) ? 1 : 0;
	else
		pt->channel = pt->has_email ? 0 : pt->mobile >= 0 ? 1 : 2;
	pt->consent = 0;
	pt->consent_date = DOM_DATE_NONE;
	double u = sim_rng_unif(aux);
	if (u < p->consent_given) {
		pt->consent = u < p->consent_given * p->consent_withdrawn ? 2 : 1;
		pt->consent_date = pt->courses[0].start_date; /* asked at the first consultation */
	}
}

/* The day an ended course was closed: the last session of a completed
 * course; the visit that did not take place (one interval after the last
 * session) of a course stopped early or dropped. */
static int32_t closed_on(const struct sim_course *c)
{
	int32_t last = c->sessions[c->n_sessions - 1].date;
	return c->status == CS_COMPLETED ? last : last + c->interval_days;
}

/* Moves patient pt into the years up to today and cuts what has not
 * happened yet. */
static void living_today(const struct sim_params *p, const struct sim_config *cfg, struct sim_patient *pt)
{
	int32_t shift = cfg->today - dom_days_from_civil((int)p->start_year_last, 12, 31);
	int y, m, d;
	dom_civil_from_days(cfg->today, &y, &m, &d);
	pt->birth_year = (int16_t)(pt->birth_year + (y - (int)p->start_year_last));
	int keep = 0;
	for (int i = 0; i < pt->n_courses; i++) {
		struct sim_course *c = &pt->courses[i];
		c->start_date += shift;
		if (c->start_date > cfg->today)
			break; /* not yet come: the patient's later courses neither */
		keep++;
		for (int k = 0; k < c->n_sessions; k++)
			c->sessions[k].date += shift;
		for (int k = 0; k < c->n_outcomes; k++)
			c->outcomes[k].date += shift;
		for (int k = 0; k < c->n_aes; k++)
			c->aes[k].date += shift;
		int32_t closed = closed_on(c);
		int n = 0;
		while (n < c->n_sessions && c->sessions[n].date <= cfg->today)
			n++;
		if (closed <= cfg->today)
			c->end_date = closed;
		else
			c->status = n ? CS_ACTIVE : CS_PLANNED;
		c->n_sessions = (uint8_t)n;
		int k2 = 0;
		for (int k = 0; k < c->n_outcomes; k++)
			if (c->outcomes[k].date <= cfg->today)
				c->outcomes[k2++] = c->outcomes[k];
		c->n_outcomes = (uint8_t)k2;
		k2 = 0;
		for (int k = 0; k < c->n_aes; k++) {
			struct sim_ae a = c->aes[k];
			if (a.date > cfg->today)
				continue;
			if (a.date + a.duration_days > cfg->today)
				a.duration_days = -1; /* still going on */
			c->aes[k2++] = a;
		}
		c->n_aes = (uint8_t)k2;
	}
	pt->n_courses = (uint8_t)keep;
	if (pt->consent_date != DOM_DATE_NONE)
		pt->consent_date += shift;
	if (pt->consent == 2) {
		/* withdrawn some time after it was given */
		int32_t span = cfg->today - pt->consent_date;
		pt->consent_date += (int32_t)((double)span * 0.5);
	}
}

/* Sorts a course's questionnaires by date (stable): a living clinic's
 * follow-ups may come before the last pre-session questionnaires. */
static void sort_outcomes(struct sim_course *c)
{
	for (int i = 1; i < c->n_outcomes; i++) {
		struct sim_outcome o = c->outcomes[i];
		int j = i;
		while (j > 0 && c->outcomes[j - 1].date > o.date) {
			c->outcomes[j] = c->outcomes[j - 1];
			j--;
		}
		c->outcomes[j] = o;
	}
}

void sim_patient_generate(const struct sim_params *p, const struct sim_config *cfg,
                          uint64_t index, int64_t first_course_id,
                          struct sim_patient *out)
{
	assert(cfg->clinics >= 1);
	struct sim_rng r, aux;
	sim_rng_seed(&r, cfg->seed, index);
	sim_rng_seed(&aux, cfg->seed, UINT64_C(0x4000000000000000) | index);
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
		clinic_course(p, &r, &aux, arm, cond, mult, start, cfg->living, c);
		c->course_id = first_course_id + i;
		if (cfg->living)
			sort_outcomes(c);
	}
	if (!cfg->living)
		return;
	for (int i = 0; i < n; i++)
		living_sessions(p, &aux, &out->courses[i]);
	living_identity(p, &aux, out);
	living_today(p, cfg, out);
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
	/* the condition's questionnaires from the same answers, with noise
	 * of their own stream: the NRS results stay what they were */
	struct sim_rng q;
	sim_rng_seed(&q, seed, UINT64_C(0x2000000000000000) ^ ((uint64_t)proto->arm << 40) ^
	                       ((uint64_t)proto->condition << 48) ^ index);
	enum instrument ins[SIM_INSTR_MAX];
	int n = sim_condition_instruments(proto->condition, ins);
	for (int i = 0; i < n; i++) {
		out->instr0[i] = sim_instrument_score(p, ins[i], y0, sim_rng_norm(&q));
		out->instr_h[i] = sim_instrument_score(p, ins[i], yh, sim_rng_norm(&q));
	}
}
