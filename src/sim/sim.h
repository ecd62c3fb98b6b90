/* The healing-course simulator: a pure, seeded model of regenerative
 * injection courses that emits patients, courses, sessions, questionnaires
 * and side effects into caller-provided fixed-size records (no allocation,
 * no I/O). The model follows the clinic's own story - injection, short
 * inflammation, repair, stronger tissue, less pain - with every parameter in
 * one table (sim_params.c) that names its source; docs/simulator.md shows
 * the model and the calibration against published trials. */
#ifndef PROLO_SIM_H
#define PROLO_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/domain.h"
#include "sim/sim_rng.h"

/* The three modalities (same values as enum modality) plus saline placebo,
 * which only trials use. */
enum sim_arm { SIM_ARM_DEXTROSE = MOD_DEXTROSE, SIM_ARM_PRP = MOD_PRP,
               SIM_ARM_STEM_CELL = MOD_STEM_CELL, SIM_ARM_PLACEBO,
               SIM_ARM__COUNT };
extern const char *const sim_arm_names[SIM_ARM__COUNT];

/* Every number the model uses. Filled from the documented table by
 * sim_params_default(); a test or a sensitivity run may change a copy. */
struct sim_params {
	/* case mix of a clinic network */
	double condition_share[COND__COUNT]; /* share of courses */
	double modality_share[MOD__COUNT];   /* share of courses */
	double courses_p2, courses_p3, courses_p4; /* P(patient has >= k courses | >= k-1) */
	double same_condition;               /* P(a later course treats the same condition) */
	double step_up;                      /* P(a non-responder's next course uses a stronger modality) */
	double sex_female, sex_other, sex_unknown; /* shares; the rest male */
	double age_mean[COND__COUNT];        /* years at first course */
	double age_sd;                       /* years */
	double clinic_effect_sd;             /* log-SD of clinic skill on repair */
	/* tissue and pain */
	double deficit_mean[COND__COUNT];    /* latent tissue deficit, 0..1 */
	double deficit_sd;
	double pain_scale;                   /* NRS points at deficit 1 */
	double drift_per_year[COND__COUNT];  /* natural history: log change of deficit per year */
	double flare_mean;                   /* NRS points above the usual level at enrolment */
	double flare_tau_days;               /* decay of the enrolment flare (regression to the mean) */
	double nonspec_mean[COND__COUNT];    /* fraction of pain relieved by needling, context, expectation */
	double nonspec_sd;
	double nonspec_tau_days;             /* build-up of the non-specific effect */
	double obs_sd;                       /* day-to-day noise of one questionnaire, NRS points */
	double baseline_min;                 /* clinics treat NRS >= this */
	/* response */
	double nonresponder_share[COND__COUNT]; /* never repair, whatever is injected */
	double resp_sd;                      /* log-SD of individual responsiveness */
	double repair_k[COND__COUNT];        /* repair per unit of inflammation */
	double repair_tau_days;              /* collagen / matrix maturation after a session */
	/* inflammation per session, dextrose = 1 */
	double strength[SIM_ARM__COUNT];
	double react_sd;                     /* log-SD of a patient's inflammatory reactivity */
	double session_sd;                   /* log-SD of session-to-session variation */
	/* protocol */
	double planned_min[MOD__COUNT], planned_max[MOD__COUNT]; /* sessions */
	double interval_days[MOD__COUNT];    /* planned spacing */
	double interval_jitter_days;         /* +/- around the plan, kept in 14..42 */
	double first_session_max_days;       /* consultation to first injection */
	double start_year_first, start_year_last; /* first courses start in these years */
	double next_course_min_days, next_course_max_days;
	/* behaviour */
	double improved_ratio;               /* improved = NRS <= ratio * baseline */
	double drop_not_improved;            /* P(drop before a session) while not improved */
	double drop_improved;                /* ... once improved */
	double drop_after_infection;
	double goal_ratio;                   /* goal = NRS <= ratio * baseline */
	double goal_stop;                    /* P(clinician stops early at goal) */
	double presession_missing;           /* P(pre-session questionnaire not answered) */
	double fu_answer_completed[3];       /* P(answer at 3, 6, 12 months), completed */
	double fu_answer_dropped[3];         /* ... after dropping out */
	/* side effects */
	double soreness_k, soreness_base;    /* P = 1 - (1-base) exp(-k * inflammation) */
	double soreness_days_k;              /* mean extra days = k * inflammation */
	double stiffness_k, stiffness_base;
	double stiffness_days_k;
	double grade2_k, grade3_k;           /* P(grade >= 2) = grade2_k * inflammation ... */
	double infection_rate;               /* per session */
	/* secondary instruments (scale per NRS point, noise SD) */
	double odi_per_nrs, odi_sd;          /* ODI % (LBP) */
	double ndi_per_nrs, ndi_sd;          /* NDI 0-50 (neck pain) */
	double womac_per_nrs, womac_sd;      /* WOMAC total 0-96 (knee OA) */
	double koos_per_nrs, koos_sd;        /* KOOS4 0-100, higher is better (knee OA, trials) */
	double quickdash_per_nrs, quickdash_sd; /* QuickDASH 0-100 (tendinopathy: upper limb) */
	/* a living clinic (sim_config.living): what a real registry holds
	 * besides the model's course */
	double contact_email;                /* P(an e-mail address is on file) */
	double contact_mobile;               /* P(a mobile number is on file) */
	double channel_sms;                  /* P(prefers SMS | both on file) */
	double consent_given;                /* P(consent to be contacted given) */
	double consent_withdrawn;            /* P(given, then withdrawn) */
	double stem_adipose;                 /* P(adipose | stem cells); else bone marrow */
	double prp_leukocyte_rich;           /* P(leukocyte-rich preparation) */
	double prp_activated;                /* P(PRP activated before injection) */
	double dextrose_lidocaine;           /* P(dextrose mixed with lidocaine) */
	double ultrasound_guided;            /* P(an injection is ultrasound-guided) */
};

/* One row of the documented parameter table. */
struct sim_param_def {
	const char *name;   /* e.g. "repair_k.knee_oa" */
	size_t offset;      /* of the double in struct sim_params */
	double value;       /* default */
	const char *unit;
	const char *source; /* publication, registry shape, or "assumption" */
};

/* The table and its length. Cannot fail. */
const struct sim_param_def *sim_params_table(size_t *n);
/* Fills *p with the defaults of the table. Cannot fail. */
void sim_params_default(struct sim_params *p);

/* Record capacities: bounded so that a patient fits in a fixed struct. */
#define SIM_MAX_COURSES 4
#define SIM_MAX_SESSIONS 8
#define SIM_MAX_OUTCOMES 32 /* (baseline + sessions + 3 follow-ups) x 2 instruments */
#define SIM_MAX_AES 24

#define SIM_MAX_INJECTIONS 6

/* One injection of a session (a living clinic only). */
struct sim_injection {
	uint8_t site;           /* index into sim_sites(condition) */
	uint8_t side;           /* enum side */
	uint8_t guidance;       /* enum guidance */
	int16_t volume_tenths;  /* ml x 10 */
};

/* The PRP preparation of a session (a living clinic only); the derived
 * labels (PAW, Mishra) follow from these figures. */
struct sim_prp {
	int16_t platelets;          /* 10^3/uL in the preparation */
	int16_t platelets_baseline; /* 10^3/uL in whole blood */
	int16_t leuk_tenths;        /* 10^3/uL in the preparation x 10 */
	int16_t leuk_base_tenths;   /* 10^3/uL in whole blood x 10 */
	int16_t rbc_hundredths;     /* 10^6/uL in the preparation x 100 */
	uint8_t activation;         /* enum activation */
	int16_t volume_tenths;      /* ml prepared x 10 */
};

struct sim_session {
	int32_t date;           /* days since 1970-01-01 */
	uint8_t session_no;     /* 1.. */
	uint8_t proliferant;    /* enum proliferant */
	int16_t conc_tenths;    /* dextrose % x 10 (200 = 20 %); 0 = none */
	int16_t volume_tenths;  /* ml x 10 */
	float inflammation;     /* latent, dextrose session = 1 on average */
	/* a living clinic only */
	int16_t lido_tenths;    /* lidocaine % x 10; 0 = no anaesthetic */
	uint8_t n_inj;
	struct sim_injection inj[SIM_MAX_INJECTIONS];
	struct sim_prp prp;     /* proliferant prp only */
};

/* Why a questionnaire was sent. */
enum sim_outcome_when { SIM_OUT_BASELINE, SIM_OUT_PRE_SESSION, SIM_OUT_FOLLOWUP };

struct sim_outcome {
	int32_t date;
	uint8_t instrument;     /* enum instrument */
	uint8_t when;           /* enum sim_outcome_when */
	int32_t score_x100;     /* total score of the instrument x 100 */
};

struct sim_ae {
	int32_t date;           /* onset */
	uint8_t kind;           /* enum ae_kind */
	uint8_t grade;          /* CTCAE 1..5 */
	int16_t duration_days;  /* >= 1; -1 = still going on (living clinic) */
};

struct sim_course {
	int64_t course_id;
	uint8_t arm;            /* enum sim_arm */
	uint8_t condition;      /* enum condition */
	uint8_t status;         /* enum course_status: completed, goal_reached, dropped;
	                         * a living clinic also planned and active */
	uint8_t planned_sessions;
	uint8_t interval_days;
	int32_t start_date;     /* consultation and baseline questionnaire */
	int32_t end_date;       /* living clinic: the day an ended course was
	                         * closed; DOM_DATE_NONE otherwise */
	uint8_t stem_source;    /* enum stem_source (stem cells, living clinic) */
	double deficit0;        /* latent, for tests */
	double responsiveness;  /* latent, 0 = never responds */
	uint8_t n_sessions, n_outcomes, n_aes;
	struct sim_session sessions[SIM_MAX_SESSIONS];
	struct sim_outcome outcomes[SIM_MAX_OUTCOMES]; /* sorted by date */
	struct sim_ae aes[SIM_MAX_AES];                /* sorted by date */
};

struct sim_patient {
	int64_t patient_id;     /* index + 1 */
	int clinic;             /* 1..clinics */
	uint8_t sex;            /* enum sex */
	int16_t birth_year;
	uint8_t n_courses;
	struct sim_course courses[SIM_MAX_COURSES];
	/* a living clinic only: synthetic identity and contact */
	uint16_t first_name, last_name; /* indexes into sim_first_name/sim_last_name */
	bool female_name;       /* first_name from the women's list */
	bool has_email;         /* FIRST.LAST.ID@example.org */
	int32_t mobile;         /* -1 none, else 0..999: +447700900NNN */
	uint8_t channel;        /* enum contact_channel (0 email, 1 sms, 2 none) */
	uint8_t consent;        /* enum contact_consent (0 none, 1 given, 2 withdrawn) */
	int32_t consent_date;   /* DOM_DATE_NONE when none */
};

struct sim_config {
	uint64_t seed;
	int clinics;            /* >= 1 */
	/* A living clinic as of today: the network's first courses start
	 * over the six years up to today instead of 2018-2023; what lies after
	 * today has not happened yet (sessions, answers, side effects; courses
	 * still planned or active); follow-up questionnaires come at the
	 * registry's time points (3, 6, 12 months after the start, answered
	 * in their window); and each patient gets a synthetic name, contact
	 * details, consent, injections with their injectate and PRP
	 * preparations, drawn from a stream of their own so that the model's
	 * course is the same as without. */
	bool living;
	int32_t today;          /* days since 1970-01-01; living only */
};

/* The condition's own questionnaires besides NRS, in the order a trial
 * reports them: ODI (low back pain), NDI (neck pain), WOMAC and KOOS
 * (knee OA), QuickDASH (tendinopathy, the upper limb). A registry's
 * courses answer the first. Returns how many (0..2). Cannot fail. */
#define SIM_INSTR_MAX 2
int sim_condition_instruments(enum condition c, enum instrument out[SIM_INSTR_MAX]);

/* The model's link between pain and a condition's questionnaire: the
 * total score of id for a continuous NRS answer y with a standard normal
 * draw eps, score = per_nrs * y + sd * eps (KOOS: 100 minus that), rounded
 * to the instrument's steps and clipped to its range. Cannot fail. */
double sim_instrument_score(const struct sim_params *p, enum instrument id, double y, double eps);

/* Synthetic names of a living clinic. Cannot fail (i is taken modulo the
 * list's length). */
const char *sim_first_name(unsigned i, bool female);
const char *sim_last_name(unsigned i);
/* The injection sites of a condition (NULL-terminated), e.g. "L5-S1
 * interspinous ligament". Cannot fail. */
const char *const *sim_sites(enum condition c);

/* Generates patient number index (0-based) of the network described by
 * cfg; its courses are numbered from first_course_id. The result depends
 * only on (params, cfg, index, first_course_id). Cannot fail. */
void sim_patient_generate(const struct sim_params *p, const struct sim_config *cfg,
                          uint64_t index, int64_t first_course_id,
                          struct sim_patient *out);

/* One participant of a randomised trial: a fixed protocol, no drop-out, no
 * early stop, pain measured at baseline and at horizon_days after the first
 * injection. */
struct sim_trial_protocol {
	enum sim_arm arm;
	enum condition condition;
	int sessions;           /* 1..SIM_MAX_SESSIONS */
	int interval_days;      /* >= 1 */
	int horizon_days;       /* >= 0, from the first injection */
	double baseline_min;    /* inclusion: baseline NRS >= this */
};

struct sim_participant {
	int nrs0, nrs_h;        /* NRS 0..10 at baseline and at the horizon */
	int vas0, vas_h;        /* VAS 0..100 at the same visits */
	/* the condition's questionnaires (sim_condition_instruments) at the
	 * same visits, from the same answers y, with draws of their own */
	double instr0[SIM_INSTR_MAX], instr_h[SIM_INSTR_MAX];
	int n_soreness, n_stiffness, n_infection; /* side-effect episodes */
	int n_sessions;
};

/* Simulates participant index of trial stream (seed, arm). Cannot fail. */
void sim_trial_participant(const struct sim_params *p,
                           const struct sim_trial_protocol *proto,
                           uint64_t seed, uint64_t index,
                           struct sim_participant *out);

#endif
