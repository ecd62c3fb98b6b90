/* The clinical vocabulary (docs/architecture.md, contracts) as enums with their stable text
 * names, plus ISO dates as day numbers. Pure; every parser takes (p, len) and
 * rejects anything that is not exactly one of the names. */
#ifndef PROLO_DOMAIN_H
#define PROLO_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum modality { MOD_DEXTROSE, MOD_PRP, MOD_STEM_CELL, MOD__COUNT };
/* The five conditions every registry knows; a clinic may add others, which
 * are kept by name in the store and fall under "ALL" in the report. */
enum condition { COND_LOW_BACK_PAIN, COND_NECK_PAIN, COND_KNEE_OA,
                 COND_TENDINOPATHY, COND_LIGAMENT_SPRAIN, COND__COUNT };
enum course_status { CS_PLANNED, CS_ACTIVE, CS_COMPLETED, CS_GOAL_REACHED,
                     CS_DROPPED, CS_STOPPED_ADVERSE_EVENT,
                     CS_STOPPED_NO_IMPROVEMENT, CS__COUNT };
enum sex { SEX_FEMALE, SEX_MALE, SEX_OTHER, SEX_UNKNOWN, SEX__COUNT };
enum proliferant { PROL_DEXTROSE, PROL_PRP, PROL_BMAC, PROL_ADIPOSE,
                   PROL_P2G, PROL_SODIUM_MORRHUATE, PROL_SALINE, PROL__COUNT };
enum ae_kind { AE_SORENESS, AE_STIFFNESS, AE_INFECTION, AE_NERVE_INJURY,
               AE_PDPH, AE_PNEUMOTHORAX, AE_VASOVAGAL, AE_ALLERGIC,
               AE_OTHER, AE__COUNT };
enum instrument { INSTR_NRS, INSTR_VAS, INSTR_ODI, INSTR_NDI, INSTR_WOMAC,
                  INSTR_QUICKDASH, INSTR_KOOS, INSTR__COUNT };
enum guidance { GUIDE_LANDMARK, GUIDE_ULTRASOUND, GUIDE_FLUOROSCOPY,
                GUIDE__COUNT };
enum side { SIDE_LEFT, SIDE_RIGHT, SIDE_BILATERAL, SIDE_MIDLINE, SIDE__COUNT };
enum seriousness { SER_NONE, SER_HOSPITALISATION, SER_DISABILITY,
                   SER_LIFE_THREATENING, SER_DEATH, SER__COUNT };
enum relatedness { REL_UNRELATED, REL_UNLIKELY, REL_POSSIBLE, REL_PROBABLE,
                   REL_DEFINITE, REL__COUNT };
enum stem_source { STEM_BMAC, STEM_ADIPOSE, STEM__COUNT };
enum activation { ACT_NONE, ACT_THROMBIN, ACT_CALCIUM_CHLORIDE,
                  ACT_COLLAGEN, ACT__COUNT };
/* Who gave an assessment's answers: staff recorded them (the default), or
 * the patient answered through a questionnaire link. One of each may exist
 * for a course, day and instrument (docs/instruments.md). */
enum outcome_source { OSRC_STAFF, OSRC_PATIENT, OSRC__COUNT };
/* Contraindication flags recorded per patient (bit = 1 << enum value). */
enum contraindication { CI_ANTICOAGULANTS, CI_BLEEDING_DISORDER,
                        CI_PLATELET_DISORDER, CI_ACTIVE_INFECTION,
                        CI_AGENT_ALLERGY, CI_NSAIDS_48H,
                        CI_RECENT_CORTICOSTEROID, CI_PREGNANCY, CI_CANCER,
                        CI__COUNT };

extern const char *const dom_modality_names[MOD__COUNT];
extern const char *const dom_condition_names[COND__COUNT];
extern const char *const dom_status_names[CS__COUNT];
extern const char *const dom_sex_names[SEX__COUNT];
extern const char *const dom_proliferant_names[PROL__COUNT];
extern const char *const dom_ae_kind_names[AE__COUNT];
extern const char *const dom_instrument_names[INSTR__COUNT];
extern const char *const dom_guidance_names[GUIDE__COUNT];
extern const char *const dom_side_names[SIDE__COUNT];
extern const char *const dom_seriousness_names[SER__COUNT];
extern const char *const dom_relatedness_names[REL__COUNT];
extern const char *const dom_stem_source_names[STEM__COUNT];
extern const char *const dom_activation_names[ACT__COUNT];
extern const char *const dom_outcome_source_names[OSRC__COUNT];
extern const char *const dom_contraindication_names[CI__COUNT];

/* The injection sites a clinic usually treats for a built-in condition,
 * in the order the session form offers them (a suggestion list: any site
 * text is accepted). NULL with *n = 0 for a clinic's own condition.
 * Cannot fail. */
const char *const *dom_condition_sites(const char *condition, size_t *n);

/* ICD-10-CM and SNOMED CT codes of the built-in conditions. */
extern const char *const dom_condition_icd10[COND__COUNT];
extern const char *const dom_condition_snomed[COND__COUNT];

/* Index of s[0..len) in names[0..n), or -1. Cannot fail otherwise. */
int dom_lookup(const char *const *names, int n, const char *s, size_t len);
/* Writes "a|b|c" of names into out (for error messages); truncates safely. */
void dom_list(const char *const *names, int n, char *out, size_t outsz);

/* True when the status is an end state (not planned/active). */
bool dom_status_ended(enum course_status s);
/* Outcome statistics: completed and goal_reached count as completed. */
bool dom_status_completed(enum course_status s);

/* Dates are days since 1970-01-01 (negative before). */
#define DOM_DATE_NONE INT32_MIN
/* Parses exactly YYYY-MM-DD, a real calendar day in 1900..2199.
 * Returns true and sets *days; false on anything else. */
bool dom_date_parse(const char *s, size_t len, int32_t *days);
/* Writes YYYY-MM-DD and a NUL into out. Cannot fail for parsed dates. */
void dom_date_format(int32_t days, char out[11]);
/* Converts a civil date; no validation (callers check ranges). */
int32_t dom_days_from_civil(int y, int m, int d);
void dom_civil_from_days(int32_t days, int *y, int *m, int *d);

/* Parses a decimal number with no trailing junk, finite; false otherwise. */
bool dom_parse_double(const char *s, size_t len, double *out);
/* Parses a base-10 integer in [min, max]; false otherwise. */
bool dom_parse_long(const char *s, size_t len, long min, long max, long *out);
/* True when s[0..len) is well-formed UTF-8 without NUL bytes. */
bool dom_utf8_valid(const char *s, size_t len);
/* Clinic-given ids: 1..64 bytes of [A-Za-z0-9._:-]. */
bool dom_id_valid(const char *s, size_t len);

/* PRP classification derived from preparation figures (never typed).
 * PAW (DeLong 2012): P1 <= baseline, P2 >1-4x, P3 >4-6x, P4 >6x;
 * A when activated; W = leukocytes above whole blood (B) or below (beta).
 * Mishra (2012): type 1 L-rich no activation, 2 L-rich activated,
 * 3 L-poor no activation, 4 L-poor activated; A (>=5x) or B (<5x).
 * Write into out (>= 16 bytes); "" when figures are missing. */
void dom_prp_paw(double platelets, double platelets_baseline,
                 double leukocytes, double leukocytes_baseline,
                 bool activated, char *out, size_t outsz);
void dom_prp_mishra(double platelets, double platelets_baseline,
                    double leukocytes, double leukocytes_baseline,
                    bool activated, char *out, size_t outsz);

#endif
