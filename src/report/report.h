/* The outcomes report (reference/REPORT.md): a streaming builder fed one
 * course at a time, then renderers (csv, text, json, html). Per-course work
 * folds into fixed-size group accumulators and small per-time tables, so the
 * memory does not grow with the number of courses. Pure: no I/O; renderers
 * write into a struct buf. */
#ifndef PROLO_REPORT_H
#define PROLO_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/course_rows.h"
#include "core/domain.h"
#include "core/err.h"
#include "report/report_tp.h"

#define REPORT_NMOD (MOD__COUNT + 1)   /* modalities, then ALL */
#define REPORT_NCOND (COND__COUNT + 1) /* built-in conditions, then ALL */
#define REPORT_ALL_MOD MOD__COUNT
#define REPORT_ALL_COND COND__COUNT
#define REPORT_NGROUPS (REPORT_NMOD * REPORT_NCOND)
/* A baseline below this cannot halve meaningfully (REPORT.md §6): such a
 * course is never a responder nor a Kaplan–Meier event. */
#define REPORT_MIN_BASELINE 2.0

struct report_options {
	double conf;             /* interval level; 0 = 0.95 */
	const char *title;       /* shown by text/html; NULL = "prolo outcomes report" */
	const char *filter_desc; /* e.g. "clinic C01, 2024-01-01..": shown; NULL = none */
	int32_t as_of;           /* the report's date (days): time points whose window
	                          * ended before it are due (report_tp.h) */
};

/* One row of report.csv (group = modality × condition, ALL margins). */
struct report_row {
	uint64_t n_courses, n_completed, n_dropped, pp_resp, itt_resp;
	double pp_rate, pp_lo, pp_hi, itt_rate, itt_lo, itt_hi;
	double chg_mean, chg_sd;
	uint64_t km_n, km_events;
	double km_median, km_lo, km_hi;
	uint64_t n_sessions;
	uint64_t ae_n[AE__COUNT];
	double ae_per100[AE__COUNT];
	uint64_t soreness_gt4_n;
	double soreness_gt4_share;
};

struct report_logrank {
	double chisq, df, p; /* all NaN when not computable */
	double observed[MOD__COUNT], expected[MOD__COUNT];
};

/* A Kaplan–Meier curve for charts and JSON (live: includes courses still
 * planned or active, censored at their last observed session). */
struct report_curve {
	size_t n;
	double *time, *surv, *lower, *upper, *n_risk;
	uint64_t n_courses, n_events;
	double median, median_lo, median_hi;
};

/* Pain trajectory: NRS by session number (0 = baseline). */
struct report_traj_point {
	int session;
	uint64_t n;
	double q25, median, q75;
};

struct report_dropout {
	/* sessions-to-response of responders among ended courses: share[k] */
	size_t n_first;          /* entries in first_at[] (session 0..n-1) */
	uint64_t *first_at;      /* responders whose first response was at session k */
	uint64_t n_responders;   /* responders with an event (sum of first_at) */
	uint64_t dropped;        /* drop-outs */
	uint64_t dropped_improving, dropped_flat, dropped_worsening, dropped_single;
	uint64_t dropped_responding;  /* drop-outs whose last NRS was <= half baseline */
	struct { double mean, lo, hi; uint64_t n; } dropped_last_pct; /* % change baseline->last */
	uint64_t itt_n, itt_resp, locf_resp;
	double itt_rate, itt_lo, itt_hi, locf_rate, locf_lo, locf_hi;
	/* bookings missed (course_rows.n_noshows) by the ended courses */
	uint64_t no_shows, courses_with_no_show, dropped_with_no_show;
};

struct report_claims {
	uint64_t survey_n, survey_improved; /* answered at the end; any improvement */
	double survey_rate, survey_lo, survey_hi;
	uint64_t pp_n, pp_resp;
	double pp_rate, pp_lo, pp_hi;
	uint64_t itt_n, itt_resp;
	double itt_rate, itt_lo, itt_hi;
};

struct report_secondary {
	uint64_t n;                 /* ended courses with a baseline and a later score */
	double base_mean, last_mean;
	double chg_mean, chg_lo, chg_hi; /* t interval */
	double mcid;                /* points; NaN if none is used */
	uint64_t n_mcid;            /* improved by at least the MCID */
	double mcid_share;
};

/* Newcombe interval of ITT rate differences, modality a minus b. */
struct report_diff {
	int a, b;
	double diff, lo, hi;
};

struct report_quality {
	uint64_t courses_seen;      /* every course fed in */
	uint64_t not_ended;         /* planned or active: left out of the tables */
	uint64_t no_nrs;            /* ended, without any NRS */
	uint64_t low_baseline;      /* ended, baseline < REPORT_MIN_BASELINE */
	uint64_t other_condition;   /* ended, clinic-added condition (ALL only) */
	uint64_t pre_session_followups; /* NRS after baseline, before the first session */
	uint64_t same_session_followups; /* a second follow-up mapping to one session */
	uint64_t same_day_nrs;      /* NRS dates holding more than one score (averaged) */
};

/* What report_suppress hid (researchers' reports). A hidden count is
 * REPORT_SUPPRESSED and a hidden real NaN; report_json renders both as
 * null. The other renderers are not meant for suppressed results. */
#define REPORT_SUPPRESSED UINT64_MAX
#define REPORT_MIN_CELL_DEFAULT 5
struct report_suppression {
	bool active;
	uint64_t min_cell;          /* groups of fewer courses (but not 0) are hidden */
	int cells;                  /* groups hidden: below min_cell, and to protect them */
	bool row[REPORT_NGROUPS];   /* [m * REPORT_NCOND + c] hidden */
	bool modality[REPORT_NMOD]; /* by_modality section hidden */
	int32_t from, to;           /* the period asked for, coarsened to whole months
	                             * (DOM_DATE_NONE = open); set by the caller */
};

struct report_results {
	double conf, z;
	struct report_row rows[REPORT_NGROUPS]; /* [m * REPORT_NCOND + c] */
	struct report_logrank logrank[REPORT_NCOND]; /* ALL first in the CSV */
	struct report_curve km[REPORT_NMOD];         /* live curves by modality */
	size_t traj_n[REPORT_NMOD];
	struct report_traj_point *traj[REPORT_NMOD];
	struct report_dropout dropout[REPORT_NMOD];
	struct report_claims claims[REPORT_NMOD];
	struct report_secondary secondary[REPORT_NMOD][INSTR__COUNT];
	struct report_diff diffs[3];
	struct report_quality quality;
	const char *title, *filter_desc;
	struct report_suppression suppression;
	struct report_tp_results tp; /* outcomes at time points (report_tp.h) */
};

struct report;

/* A new builder; opt may be NULL. PROLO_ENOMEM; *out NULL then. */
enum prolo_code report_new(const struct report_options *opt, struct report **out,
                           struct prolo_err *err);
void report_free(struct report *r);
/* Folds one course in. Arrays must be sorted as course_rows.h says.
 * PROLO_EINVAL when the course is malformed (bad enum, a session number out
 * of range): err names the course and the report is unchanged;
 * PROLO_ETOOBIG past REPORT_MAX_SESSION sessions; PROLO_ENOMEM. */
#define REPORT_MAX_SESSION 10000
enum prolo_code report_add_course(struct report *r, const struct course_rows *c,
                                  struct prolo_err *err);
/* Computes every estimate; call once, after the last course. PROLO_ENOMEM. */
enum prolo_code report_finish(struct report *r, struct prolo_err *err);
/* The results; valid after report_finish until report_free. */
const struct report_results *report_results(const struct report *r);

/* The NRS observations of course c as report_add_course derived them
 * (same-day scores averaged, oldest first, n of them), for the other
 * parts of the report that fold the same course (report_tp.c). False when
 * c is not the course report_add_course took last (or it refused it).
 * Valid until the next report_add_course. Cannot fail. */
bool report_course_nrs(const struct report *r, const struct course_rows *c, size_t *n, const int32_t **date,
                       const double **score);

/* The results to change in place (report_suppress); valid as above. */
struct report_results *report_results_mut(struct report *r);

/* Statistical disclosure control for users who may see aggregates only
 * (docs/security.md, "The researcher's report"). Pure, in place:
 * - every group (modality x condition, with the ALL margins) of fewer than
 *   min_cell courses (but not 0) is hidden (primary suppression);
 * - then, for every additive line of the table (a condition's groups and
 *   their ALL, a modality's groups, its courses of clinic-added conditions
 *   and their ALL, the modalities' ALLs and the grand total), a line with
 *   exactly one hidden entry gets its next smallest shown entry hidden
 *   too, until none is left (complementary suppression), so no hidden group
 *   is the difference of shown ones;
 * - what is computed from hidden groups goes with them (log-rank strata,
 *   rate differences, a modality's sections), and inside the sections that
 *   stay, small counts, Kaplan-Meier tails and trajectory points with fewer
 *   than min_cell courses are hidden.
 * min_cell 0 = REPORT_MIN_CELL_DEFAULT. Cannot fail. */
void report_suppress(struct report_results *res, uint64_t min_cell);

/* Renderers: append to out. PROLO_ETOOBIG / PROLO_ENOMEM from the buffer. */
enum prolo_code report_csv(const struct report_results *res, struct buf *out,
                           struct prolo_err *err);
enum prolo_code report_logrank_csv(const struct report_results *res, struct buf *out,
                                   struct prolo_err *err);
enum prolo_code report_text(const struct report_results *res, struct buf *out,
                            struct prolo_err *err);
enum prolo_code report_json(const struct report_results *res, struct buf *out,
                            struct prolo_err *err);
enum prolo_code report_html(const struct report_results *res, struct buf *out,
                            struct prolo_err *err);

/* Group names for output: "dextrose".."ALL". Cannot fail. */
const char *report_mod_name(int m);
const char *report_cond_name(int c);
/* MCID used for a secondary instrument (points), NaN if none, and the
 * source cited. Cannot fail. */
double report_mcid(enum instrument id, const char **source);

#endif
