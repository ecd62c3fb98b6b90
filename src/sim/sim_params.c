/* The simulator's parameter table: every number of the model, its unit and
 * where it comes from, in one place. The defaults are calibrated so that
 * simulated trials reproduce Yelland 2004, Bennell 2021 (RESTORE) and
 * Dagenais 2006 (`prolo simulate calibrate`); case mix and course shapes
 * follow the synthetic reference registry shipped in tests/reference.
 * "assumption" marks a number chosen for plausibility, not measured. */
#include <stddef.h>
#include <string.h>

#include "sim/sim.h"

#define F(field) offsetof(struct sim_params, field)

/* Sources, abbreviated in the table:
 * REG   the reference registry (tests/reference/registry-10k): case mix,
 *       sessions per course, spacing, drop-out share
 * SEED  the clinic's own account of the therapy: "three to six visits",
 *       "soreness one to three or four days", dextrose weakest, stem cells
 *       strongest, "some never heal", "most that don't heal quit too soon"
 * Y04   Yelland et al., Spine 2004;29:9-16 (calibration target)
 * B21   Bennell et al., JAMA 2021;326:2021-30, RESTORE (calibration target)
 * D06   Dagenais et al., Arch Phys Med Rehabil 2006;87:909-13 (target)
 * CAL   fitted so that `prolo simulate calibrate` passes */
static const struct sim_param_def defs[] = {
	/* case mix */
	{ "condition_share.low_back_pain", F(condition_share[COND_LOW_BACK_PAIN]), 0.30, "share", "REG" },
	{ "condition_share.neck_pain", F(condition_share[COND_NECK_PAIN]), 0.145, "share", "REG" },
	{ "condition_share.knee_oa", F(condition_share[COND_KNEE_OA]), 0.305, "share", "REG" },
	{ "condition_share.tendinopathy", F(condition_share[COND_TENDINOPATHY]), 0.15, "share", "REG" },
	{ "condition_share.ligament_sprain", F(condition_share[COND_LIGAMENT_SPRAIN]), 0.10, "share", "REG" },
	{ "modality_share.dextrose", F(modality_share[MOD_DEXTROSE]), 0.50, "share", "REG" },
	{ "modality_share.prp", F(modality_share[MOD_PRP]), 0.33, "share", "REG" },
	{ "modality_share.stem_cell", F(modality_share[MOD_STEM_CELL]), 0.17, "share", "REG" },
	{ "courses_p2", F(courses_p2), 0.174, "probability", "REG (1.19 courses per patient)" },
	{ "courses_p3", F(courses_p3), 0.10, "probability", "REG" },
	{ "courses_p4", F(courses_p4), 0.08, "probability", "REG" },
	{ "same_condition", F(same_condition), 0.5, "probability", "assumption" },
	{ "step_up", F(step_up), 0.5, "probability", "assumption (SEED: stronger proliferant when dextrose fails)" },
	{ "sex_female", F(sex_female), 0.54, "share", "REG" },
	{ "sex_other", F(sex_other), 0.003, "share", "assumption" },
	{ "sex_unknown", F(sex_unknown), 0.002, "share", "assumption" },
	{ "age_mean.low_back_pain", F(age_mean[COND_LOW_BACK_PAIN]), 50, "years", "REG (birth years 1930-2006, median 1968)" },
	{ "age_mean.neck_pain", F(age_mean[COND_NECK_PAIN]), 49, "years", "REG" },
	{ "age_mean.knee_oa", F(age_mean[COND_KNEE_OA]), 62, "years", "B21 (inclusion age >= 50), REG" },
	{ "age_mean.tendinopathy", F(age_mean[COND_TENDINOPATHY]), 47, "years", "REG" },
	{ "age_mean.ligament_sprain", F(age_mean[COND_LIGAMENT_SPRAIN]), 42, "years", "REG" },
	{ "age_sd", F(age_sd), 12, "years", "REG" },
	{ "clinic_effect_sd", F(clinic_effect_sd), 0.15, "log-SD", "assumption (clinics differ in technique)" },
	/* tissue and pain */
	{ "deficit_mean.low_back_pain", F(deficit_mean[COND_LOW_BACK_PAIN]), 0.62, "0..1", "assumption (baseline NRS about 6-7)" },
	{ "deficit_mean.neck_pain", F(deficit_mean[COND_NECK_PAIN]), 0.60, "0..1", "REG (baselines 3-10, mode 7)" },
	{ "deficit_mean.knee_oa", F(deficit_mean[COND_KNEE_OA]), 0.52, "0..1", "CAL (B21 baseline NRS 5.7, SD 1.5; simulated 5.8, SD 1.4)" },
	{ "deficit_mean.tendinopathy", F(deficit_mean[COND_TENDINOPATHY]), 0.60, "0..1", "REG" },
	{ "deficit_mean.ligament_sprain", F(deficit_mean[COND_LIGAMENT_SPRAIN]), 0.60, "0..1", "REG" },
	{ "deficit_sd", F(deficit_sd), 0.14, "0..1", "CAL (B21 baseline SD 1.5)" },
	{ "pain_scale", F(pain_scale), 9.0, "NRS points", "assumption (deficit 1 = near-worst pain)" },
	{ "drift_per_year.low_back_pain", F(drift_per_year[COND_LOW_BACK_PAIN]), -0.03, "log/yr", "assumption (chronic LBP: slow natural improvement)" },
	{ "drift_per_year.neck_pain", F(drift_per_year[COND_NECK_PAIN]), -0.03, "log/yr", "assumption" },
	{ "drift_per_year.knee_oa", F(drift_per_year[COND_KNEE_OA]), 0.03, "log/yr", "B21 (cartilage loss 1.2-1.4 %/yr in both arms)" },
	{ "drift_per_year.tendinopathy", F(drift_per_year[COND_TENDINOPATHY]), -0.12, "log/yr", "assumption (tendinopathy is partly self-limiting)" },
	{ "drift_per_year.ligament_sprain", F(drift_per_year[COND_LIGAMENT_SPRAIN]), -0.12, "log/yr", "assumption" },
	{ "flare_mean", F(flare_mean), 0.7, "NRS points", "assumption (patients present during a flare: regression to the mean)" },
	{ "flare_tau_days", F(flare_tau_days), 45, "days", "assumption" },
	{ "nonspec_mean.low_back_pain", F(nonspec_mean[COND_LOW_BACK_PAIN]), 0.28, "fraction of pain", "CAL (Y04 saline arm 36 % responders)" },
	{ "nonspec_mean.neck_pain", F(nonspec_mean[COND_NECK_PAIN]), 0.28, "fraction of pain", "assumption (as LBP)" },
	{ "nonspec_mean.knee_oa", F(nonspec_mean[COND_KNEE_OA]), 0.20, "fraction of pain", "CAL (B21 saline arm -1.8)" },
	{ "nonspec_mean.tendinopathy", F(nonspec_mean[COND_TENDINOPATHY]), 0.22, "fraction of pain", "assumption" },
	{ "nonspec_mean.ligament_sprain", F(nonspec_mean[COND_LIGAMENT_SPRAIN]), 0.22, "fraction of pain", "assumption" },
	{ "nonspec_sd", F(nonspec_sd), 0.2, "fraction of pain", "CAL (B21 change SD 2.5-2.7)" },
	{ "nonspec_tau_days", F(nonspec_tau_days), 21, "days", "assumption" },
	{ "obs_sd", F(obs_sd), 0.9, "NRS points", "assumption (test-retest SD of NRS about 1)" },
	{ "baseline_min", F(baseline_min), 3, "NRS", "REG (baselines 3..10)" },
	/* response */
	{ "nonresponder_share.low_back_pain", F(nonresponder_share[COND_LOW_BACK_PAIN]), 0.25, "share", "SEED (\"others may never heal\"), assumption" },
	{ "nonresponder_share.neck_pain", F(nonresponder_share[COND_NECK_PAIN]), 0.25, "share", "assumption" },
	{ "nonresponder_share.knee_oa", F(nonresponder_share[COND_KNEE_OA]), 0.30, "share", "assumption" },
	{ "nonresponder_share.tendinopathy", F(nonresponder_share[COND_TENDINOPATHY]), 0.20, "share", "assumption" },
	{ "nonresponder_share.ligament_sprain", F(nonresponder_share[COND_LIGAMENT_SPRAIN]), 0.20, "share", "assumption" },
	{ "resp_sd", F(resp_sd), 0.5, "log-SD", "assumption" },
	{ "repair_k.low_back_pain", F(repair_k[COND_LOW_BACK_PAIN]), 0.035, "per inflammation unit", "CAL (Y04: 46 % vs 36 %)" },
	{ "repair_k.neck_pain", F(repair_k[COND_NECK_PAIN]), 0.035, "per inflammation unit", "assumption (as LBP)" },
	{ "repair_k.knee_oa", F(repair_k[COND_KNEE_OA]), 0.016, "per inflammation unit", "CAL (B21: -2.1 vs -1.8)" },
	{ "repair_k.tendinopathy", F(repair_k[COND_TENDINOPATHY]), 0.05, "per inflammation unit", "assumption (REG: tendons respond best)" },
	{ "repair_k.ligament_sprain", F(repair_k[COND_LIGAMENT_SPRAIN]), 0.05, "per inflammation unit", "assumption (REG)" },
	{ "repair_tau_days", F(repair_tau_days), 42, "days", "assumption (collagen maturation over about 6 weeks)" },
	/* inflammation */
	{ "strength.dextrose", F(strength[SIM_ARM_DEXTROSE]), 1.0, "dextrose = 1", "SEED (weakest proliferant)" },
	{ "strength.prp", F(strength[SIM_ARM_PRP]), 2.5, "dextrose = 1", "SEED (growth factors + irritant), assumption" },
	{ "strength.stem_cell", F(strength[SIM_ARM_STEM_CELL]), 6.0, "dextrose = 1", "SEED (strongest), assumption" },
	{ "strength.placebo", F(strength[SIM_ARM_PLACEBO]), 0.25, "dextrose = 1", "assumption (needle trauma of saline injection)" },
	{ "react_sd", F(react_sd), 0.3, "log-SD", "assumption" },
	{ "session_sd", F(session_sd), 0.25, "log-SD", "assumption" },
	/* protocol */
	{ "planned_min.dextrose", F(planned_min[MOD_DEXTROSE]), 3, "sessions", "SEED (three to six visits), REG" },
	{ "planned_max.dextrose", F(planned_max[MOD_DEXTROSE]), 6, "sessions", "SEED, REG" },
	{ "planned_min.prp", F(planned_min[MOD_PRP]), 2, "sessions", "assumption (fewer than dextrose)" },
	{ "planned_max.prp", F(planned_max[MOD_PRP]), 5, "sessions", "assumption" },
	{ "planned_min.stem_cell", F(planned_min[MOD_STEM_CELL]), 1, "sessions", "assumption (fewest)" },
	{ "planned_max.stem_cell", F(planned_max[MOD_STEM_CELL]), 3, "sessions", "assumption" },
	{ "interval_days.dextrose", F(interval_days[MOD_DEXTROSE]), 21, "days", "DESIGN (2-6 weeks), REG (median gap 29 d)" },
	{ "interval_days.prp", F(interval_days[MOD_PRP]), 28, "days", "DESIGN" },
	{ "interval_days.stem_cell", F(interval_days[MOD_STEM_CELL]), 35, "days", "DESIGN" },
	{ "interval_jitter_days", F(interval_jitter_days), 6, "days", "REG (gap IQR 23-36 d)" },
	{ "first_session_max_days", F(first_session_max_days), 14, "days", "REG (first session 1-14 d after start)" },
	{ "start_year_first", F(start_year_first), 2018, "year", "assumption" },
	{ "start_year_last", F(start_year_last), 2023, "year", "assumption" },
	{ "next_course_min_days", F(next_course_min_days), 60, "days", "assumption" },
	{ "next_course_max_days", F(next_course_max_days), 540, "days", "assumption" },
	/* behaviour */
	{ "improved_ratio", F(improved_ratio), 0.75, "of baseline", "assumption" },
	{ "drop_not_improved", F(drop_not_improved), 0.09, "per session", "SEED (\"most that don't heal quit too soon\"), REG (19 % dropped)" },
	{ "drop_improved", F(drop_improved), 0.03, "per session", "REG" },
	{ "drop_after_infection", F(drop_after_infection), 0.5, "probability", "assumption" },
	{ "goal_ratio", F(goal_ratio), 0.3, "of baseline", "assumption" },
	{ "goal_stop", F(goal_stop), 0.6, "probability", "assumption" },
	{ "presession_missing", F(presession_missing), 0.02, "probability", "REG (about 2 % of follow-ups missing)" },
	{ "fu_answer_completed.3m", F(fu_answer_completed[0]), 0.92, "probability", "Y04 (96 % follow-up at 12 months in a trial), assumption for a clinic" },
	{ "fu_answer_completed.6m", F(fu_answer_completed[1]), 0.88, "probability", "assumption" },
	{ "fu_answer_completed.12m", F(fu_answer_completed[2]), 0.85, "probability", "assumption" },
	{ "fu_answer_dropped.3m", F(fu_answer_dropped[0]), 0.40, "probability", "assumption" },
	{ "fu_answer_dropped.6m", F(fu_answer_dropped[1]), 0.30, "probability", "assumption" },
	{ "fu_answer_dropped.12m", F(fu_answer_dropped[2]), 0.25, "probability", "assumption" },
	/* side effects */
	{ "soreness_k", F(soreness_k), 1.25, "per inflammation unit", "D06 (post-injection pain after 70 % of treatments)" },
	{ "soreness_base", F(soreness_base), 0.0, "probability", "assumption" },
	{ "soreness_days_k", F(soreness_days_k), 0.9, "days per inflammation unit", "SEED (one to three or four days, sometimes longer)" },
	{ "stiffness_k", F(stiffness_k), 0.30, "per inflammation unit", "D06 (stiffness 25 %)" },
	{ "stiffness_base", F(stiffness_base), 0.0, "probability", "assumption" },
	{ "stiffness_days_k", F(stiffness_days_k), 0.8, "days per inflammation unit", "REG (1-3 days)" },
	{ "grade2_k", F(grade2_k), 0.22, "per inflammation unit", "REG (soreness grade 2 in 27 %)" },
	{ "grade3_k", F(grade3_k), 0.025, "per inflammation unit", "REG (grade 3 in 3 %)" },
	{ "infection_rate", F(infection_rate), 0.001, "per session", "issue 4 (about 0.1 % of sessions)" },
	/* secondary instruments */
	{ "odi_per_nrs", F(odi_per_nrs), 5.0, "ODI % per NRS point", "MCID ratio: ODI 10 of 100 (Ostelo 2008) per NRS 2 (Farrar 2001)" },
	{ "odi_sd", F(odi_sd), 8.0, "ODI %", "assumption (NRS-ODI correlation 0.7 at baseline in the model)" },
	{ "ndi_per_nrs", F(ndi_per_nrs), 3.75, "NDI points per NRS point", "MCID ratio: NDI 7.5 of 50 (MacDermid 2009) per NRS 2" },
	{ "ndi_sd", F(ndi_sd), 6.0, "NDI points", "assumption (NRS-NDI correlation 0.7 at baseline in the model)" },
	{ "womac_per_nrs", F(womac_per_nrs), 4.8, "WOMAC points per NRS point", "MCID ratio: WOMAC 9.6 of 96 (Angst 2001) per NRS 2" },
	{ "womac_sd", F(womac_sd), 9.0, "WOMAC points", "assumption (NRS-WOMAC correlation 0.7 at baseline in the model)" },
	{ "koos_per_nrs", F(koos_per_nrs), 5.0, "KOOS points per NRS point", "MCID ratio: KOOS 10 of 100 (Roos & Lohmander 2003) per NRS 2" },
	{ "koos_sd", F(koos_sd), 8.0, "KOOS points", "assumption (NRS-KOOS correlation -0.7 at baseline in the model)" },
	{ "quickdash_per_nrs", F(quickdash_per_nrs), 4.0, "QuickDASH points per NRS point", "MCID ratio: QuickDASH 8 of 100 (Mintken 2009) per NRS 2" },
	{ "quickdash_sd", F(quickdash_sd), 6.0, "QuickDASH points", "assumption (NRS-QuickDASH correlation 0.7 at baseline in the model)" },
	/* a living clinic */
	{ "contact_email", F(contact_email), 0.9, "probability", "assumption (e-mail on file)" },
	{ "contact_mobile", F(contact_mobile), 0.85, "probability", "assumption (mobile number on file)" },
	{ "channel_sms", F(channel_sms), 0.15, "probability", "assumption (prefers SMS when both are on file)" },
	{ "consent_given", F(consent_given), 0.88, "probability", "assumption (consent to follow-up contact recorded)" },
	{ "consent_withdrawn", F(consent_withdrawn), 0.04, "probability", "assumption (given, later withdrawn)" },
	{ "stem_adipose", F(stem_adipose), 0.3, "probability", "assumption (adipose rather than bone marrow)" },
	{ "prp_leukocyte_rich", F(prp_leukocyte_rich), 0.4, "probability", "assumption (leukocyte-rich preparation)" },
	{ "prp_activated", F(prp_activated), 0.2, "probability", "assumption (activated before injection)" },
	{ "dextrose_lidocaine", F(dextrose_lidocaine), 0.9, "probability", "Y04 (dextrose with lignocaine 0.2 %), assumption" },
	{ "ultrasound_guided", F(ultrasound_guided), 0.6, "probability", "assumption" },
};

const struct sim_param_def *sim_params_table(size_t *n)
{
	*n = sizeof defs / sizeof defs[0];
	return defs;
}

void sim_params_default(struct sim_params *p)
{
	char *base = (char *)p;
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		double v = defs[i].value;
		memcpy(base + defs[i].offset, &v, sizeof v);
	}
}
