/* Estimators for the outcomes report, pure functions over arrays: binomial
 * intervals, Kaplan–Meier, log-rank, summaries. Every rule (Wilson's exact
 * ends, survival's median rule, survdiff's participating groups) follows R so
 * that prolo's numbers agree with R's survival package to a relative 1e-9.
 * A missing value ("NA") is a quiet NaN; test it with isnan(). */
#ifndef PROLO_STATS_H
#define PROLO_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define STATS_Z95 1.959963984540054 /* qnorm(0.975) */

/* z for a two-sided interval of level conf (0 < conf < 1); STATS_Z95 exactly
 * for 0.95. Cannot fail (asserts the range). */
double stats_z(double conf);

/* Wilson score interval for x of n (no continuity correction), as R's
 * prop.test(correct = FALSE): lower end exactly 0 at x = 0, upper end exactly
 * 1 at x = n, otherwise clamped to [0, 1]. n = 0 gives NaN for both.
 * Cannot fail (asserts x <= n). */
void stats_wilson(uint64_t x, uint64_t n, double z, double *lo, double *hi);

/* Clopper–Pearson exact interval (beta quantiles), as R's binom.test:
 * lo = 0 at x = 0, hi = 1 at x = n; n = 0 gives NaN. Cannot fail. */
void stats_clopper_pearson(uint64_t x, uint64_t n, double conf, double *lo, double *hi);

/* Newcombe's hybrid score interval (method 10) for p1 − p2 from two
 * independent Wilson intervals; NaN when n1 or n2 is 0. Cannot fail. */
void stats_newcombe(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double z,
                    double *diff, double *lo, double *hi);

enum stats_ci { STATS_CI_PLAIN, STATS_CI_LOG, STATS_CI_LOGLOG };

/* A Kaplan–Meier fit at every distinct time (events and censorings), as R's
 * survfit(Surv(time, event) ~ 1) with Greenwood variance. */
struct stats_km {
	size_t n;         /* distinct times */
	double *time;     /* ascending */
	double *n_risk;   /* #{T >= time} */
	double *n_event;  /* events at time */
	double *n_censor; /* censorings at time */
	double *surv;     /* S(time) */
	double *se;       /* SE of the cumulative hazard (survfit's std.err); NaN once S = 0 */
	double *lower;    /* interval on S; NaN where undefined (S = 0, or S = 1 for log-log) */
	double *upper;
};

/* Fits from tabulated data: m distinct ascending times with their event and
 * censoring counts (non-negative; rows with both 0 are skipped). Returns
 * PROLO_OK and *out (free with stats_km_free); PROLO_EINVAL if times are not
 * strictly ascending or a count is negative; PROLO_ENOMEM. m = 0 gives an
 * empty fit. */
enum prolo_code stats_km_fit_counts(const double *time, const double *n_event,
                                    const double *n_censor, size_t m,
                                    enum stats_ci ci, double conf,
                                    struct stats_km **out, struct prolo_err *err);
/* Same from one row per subject (event 0 or 1, any order). Errors as above. */
enum prolo_code stats_km_fit(const double *time, const uint8_t *event, size_t n,
                             enum stats_ci ci, double conf,
                             struct stats_km **out, struct prolo_err *err);
void stats_km_free(struct stats_km *km);

/* survival's minmin: the first x where y crosses 0.5 (NaN entries skipped,
 * tolerance sqrt(DBL_EPSILON)); when the curve sits at 0.5 the mean of that
 * time and the next time it drops below. NaN when it never reaches 0.5.
 * Cannot fail. */
double stats_minmin(const double *y, const double *x, size_t n);
/* Median and its CI as summary(survfit)$table prints them: crossings of
 * surv, lower and upper. Cannot fail; NaN when not reached. */
void stats_km_median(const struct stats_km *km, double *median, double *lo, double *hi);

/* Log-rank test for k groups (survdiff, rho = 0) over tabulated data: m
 * distinct ascending times; n_event and n_censor are k×m row-major (group g,
 * time j at [g*m + j]). Groups take part when their expected count is > 0;
 * the variance matrix of the first participating k'−1 is inverted by a
 * generalised (Cholesky, zero pivots dropped) inverse. chisq/df/p are NaN
 * when fewer than two groups take part or the variance is 0. observed and
 * expected (k each) may be NULL. Returns PROLO_OK; PROLO_EINVAL for bad
 * input (negative counts, times not ascending); PROLO_ENOMEM. */
struct stats_logrank {
	double chisq, df, p;
};
enum prolo_code stats_logrank_counts(size_t k, const double *time, const double *n_event,
                                     const double *n_censor, size_t m,
                                     struct stats_logrank *out, double *observed,
                                     double *expected, struct prolo_err *err);
/* Same from one row per subject, group in 0..k-1. Errors as above. */
enum prolo_code stats_logrank(size_t k, const double *time, const uint8_t *event,
                              const int *group, size_t n, struct stats_logrank *out,
                              struct prolo_err *err);

/* Upper tail P(X > x) of chi-square with df degrees of freedom, computed
 * directly (no 1 − cdf). NaN for df <= 0 or NaN input. Cannot fail. */
double stats_chisq_q(double x, double df);
/* Upper quantile of Student's t with df degrees (two-sided level conf). */
double stats_t_crit(double conf, double df);

/* Running mean and variance; zero-initialise. The mean comes from an
 * extended-precision sum (exact for integer data, so a mean of 0 is exactly
 * 0), the variance from Welford's update (exactly 0 for constant data).
 * Cannot fail. */
struct stats_acc {
	uint64_t n;
	long double sum;
	double mean; /* Welford's running mean */
	double m2;
};
void stats_acc_add(struct stats_acc *a, double x);
double stats_acc_mean(const struct stats_acc *a); /* NaN if n = 0 */
double stats_acc_sd(const struct stats_acc *a);   /* sample SD; NaN if n < 2 */

double stats_mean(const double *x, size_t n);     /* NaN if n = 0 */
double stats_sd(const double *x, size_t n);       /* two-pass; NaN if n < 2 */
/* R type-7 quantile of sorted x[0..n); NaN if n = 0. Cannot fail. */
double stats_quantile_sorted(const double *x, size_t n, double p);
/* Type-7 quantile of a tabulated sample: m ascending distinct values with
 * counts. NaN if the total is 0. Cannot fail. */
double stats_quantile_counts(const double *value, const uint64_t *count, size_t m, double p);

#endif
