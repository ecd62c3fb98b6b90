/* Simulated randomised trials on top of the healing-course model: one
 * trial's outcome table, the power to detect a difference over many
 * replicate trials, and the calibration table that compares the model with
 * the published trials it was fitted to. Pure: numbers in, numbers out. */
#ifndef PROLO_SIM_TRIAL_H
#define PROLO_SIM_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct sim_trial_spec {
	enum sim_arm arms[2];
	enum condition condition;
	int per_arm;            /* participants per arm, >= 2 */
	int horizon_days;       /* from the first injection */
	int sessions[2];        /* per arm, 1..SIM_MAX_SESSIONS */
	int interval_days[2];   /* per arm */
	double baseline_min;    /* inclusion NRS */
	bool responder_vas;     /* responder = VAS reduced by more than 50 %
	                         * (Yelland's rule); else prolo's NRS rule,
	                         * horizon NRS <= half of baseline */
	double mcid[INSTR__COUNT]; /* a questionnaire's responder improved by at
	                         * least this (the caller gives the report's
	                         * MCIDs, report_mcid) */
};

struct sim_arm_summary {
	int n;
	int responders;
	double resp_rate, resp_lo, resp_hi;  /* Wilson 95 % */
	double chg_mean, chg_sd, chg_lo, chg_hi; /* NRS horizon - baseline, t 95 % */
	double soreness_per_session, stiffness_per_session;
};

/* Arm 0 against arm 1 on one outcome. */
struct sim_compare {
	double resp_diff, resp_diff_lo, resp_diff_hi; /* arm 0 - arm 1, Newcombe hybrid score */
	double resp_p;          /* two-proportion z test, pooled, no continuity correction */
	double chg_diff, chg_diff_lo, chg_diff_hi; /* arm 0 - arm 1, Welch */
	double chg_p;           /* Welch t test, two-sided */
};

/* One of the condition's questionnaires (sim_condition_instruments): the
 * change is horizon - baseline in the instrument's points; a responder
 * improved by at least spec->mcid[id] (KOOS improves upwards, the others
 * downwards). */
struct sim_instr_result {
	enum instrument id;
	double mcid;
	struct sim_arm_summary arm[2];
	struct sim_compare d;
};

struct sim_trial_summary {
	struct sim_arm_summary arm[2]; /* NRS */
	struct sim_compare d;          /* NRS */
	int n_instr;
	struct sim_instr_result instr[SIM_INSTR_MAX];
};

/* Fills the protocol the arms get unless the caller overrides: the clinic's
 * middle plan for each modality (dextrose 5 sessions 21 days apart, PRP 4
 * at 28, stem cells 2 at 35); a placebo arm copies the other arm's plan so
 * that the trial stays blinded. Cannot fail. */
void sim_trial_default_protocol(const struct sim_params *p, struct sim_trial_spec *spec);

/* Runs replicate rep of the trial with seed. spec must be valid (asserted).
 * Cannot fail. */
void sim_trial_run(const struct sim_params *p, const struct sim_trial_spec *spec,
                   uint64_t seed, uint64_t rep, struct sim_trial_summary *out);

/* Power at two-sided alpha 0.05 over reps replicate trials, for NRS and
 * for each of the condition's questionnaires (same tests). */
struct sim_power {
	double resp, chg;                 /* NRS */
	int n_instr;
	enum instrument instr[SIM_INSTR_MAX];
	double instr_resp[SIM_INSTR_MAX], instr_chg[SIM_INSTR_MAX];
};
void sim_trial_power_all(const struct sim_params *p, const struct sim_trial_spec *spec,
                         uint64_t seed, int reps, struct sim_power *out);

/* Power at two-sided alpha 0.05 over reps replicate trials: the share with
 * resp_p < 0.05 (two-proportion z test) and with chg_p < 0.05 (Welch t).
 * Cannot fail. */
void sim_trial_power(const struct sim_params *p, const struct sim_trial_spec *spec,
                     uint64_t seed, int reps, double *power_resp, double *power_chg);

struct sim_calib_row {
	const char *study;      /* "Yelland 2004" */
	const char *quantity;   /* what is compared */
	double target;          /* published value */
	double lo, hi;          /* interval the simulated value must fall in */
	const char *interval;   /* where the interval comes from */
	double simulated;
	bool pass;
};

#define SIM_CALIB_ROWS 10

/* Fills rows[SIM_CALIB_ROWS] by simulating each study with large arms
 * (precise simulated values) at seed. Returns the number of rows. Cannot
 * fail. */
int sim_calibrate(const struct sim_params *p, uint64_t seed,
                  struct sim_calib_row rows[SIM_CALIB_ROWS]);

/* 95 % Wilson interval for x of n (n > 0), exact 0 / 1 at the ends. */
void sim_wilson(int x, int n, double *lo, double *hi);

#endif
