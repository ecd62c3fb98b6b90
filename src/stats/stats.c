/* Kaplan–Meier with Greenwood variance, log-rank, binomial intervals and
 * summaries. Ties, interval types and the median rule follow R survival 3.5
 * (survfit, survfit_confint, survmean's minmin, survdiff) line by line so
 * that reports agree with it to 1e-9; GSL supplies distribution functions. */
#include "stats/stats.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

double stats_z(double conf)
{
	assert(conf > 0 && conf < 1);
	if (conf == 0.95)
		return STATS_Z95;
	return gsl_cdf_ugaussian_Pinv(1 - (1 - conf) / 2);
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

void stats_wilson(uint64_t x, uint64_t n, double z, double *lo, double *hi)
{
	assert(x <= n);
	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	double nn = (double)n, p = (double)x / nn, z2 = z * z;
	double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	*lo = x == 0 ? 0 : clamp01(centre - half);
	*hi = x == n ? 1 : clamp01(centre + half);
}

void stats_clopper_pearson(uint64_t x, uint64_t n, double conf, double *lo, double *hi)
{
	assert(x <= n && conf > 0 && conf < 1);
	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	double a = (1 - conf) / 2, xx = (double)x, nn = (double)n;
	*lo = x == 0 ? 0 : gsl_cdf_beta_Pinv(a, xx, nn - xx + 1);
	*hi = x == n ? 1 : gsl_cdf_beta_Qinv(a, xx + 1, nn - xx);
}

void stats_newcombe(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double z,
                    double *diff, double *lo, double *hi)
{
	if (n1 == 0 || n2 == 0) {
		*diff = *lo = *hi = NAN;
		return;
	}
	double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
	double l1, u1, l2, u2;
	stats_wilson(x1, n1, z, &l1, &u1);
	stats_wilson(x2, n2, z, &l2, &u2);
	double d = p1 - p2;
	*diff = d;
	*lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
	*hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

/* ---- Kaplan–Meier ---- */

void stats_km_free(struct stats_km *km)
{
	if (!km)
		return;
	free(km->time);
	free(km);
}

/* One allocation for the struct's nine arrays. */
static struct stats_km *km_alloc(size_t m)
{
	struct stats_km *km = calloc(1, sizeof *km);
	if (!km)
		return NULL;
	double *a = calloc(m ? 9 * m : 1, sizeof *a);
	if (!a) {
		free(km);
		return NULL;
	}
	km->time = a;
	km->n_risk = a + m;
	km->n_event = a + 2 * m;
	km->n_censor = a + 3 * m;
	km->surv = a + 4 * m;
	km->se = a + 5 * m;
	km->lower = a + 6 * m;
	km->upper = a + 7 * m;
	return km;
}

/* survfit_confint for one point; logse = TRUE, ulimit = TRUE. */
static void km_ci(double p, double se, enum stats_ci ci, double z, double *lo, double *hi)
{
	if (!(p > 0) || isnan(se)) {
		*lo = *hi = NAN;
		return;
	}
	switch (ci) {
	case STATS_CI_PLAIN: {
		double se2 = se * p * z;
		*lo = fmax(p - se2, 0);
		*hi = fmin(p + se2, 1);
		break;
	}
	case STATS_CI_LOG: {
		double se2 = z * se;
		*lo = exp(log(p) - se2);
		*hi = fmin(exp(log(p) + se2), 1);
		break;
	}
	case STATS_CI_LOGLOG: {
		if (p == 1) {
			*lo = *hi = NAN;
			break;
		}
		double se2 = z * se / log(p);
		*lo = exp(-exp(log(-log(p)) - se2));
		*hi = exp(-exp(log(-log(p)) + se2));
		break;
	}
	}
}

enum prolo_code stats_km_fit_counts(const double *time, const double *n_event,
                                    const double *n_censor, size_t m,
                                    enum stats_ci ci, double conf,
                                    struct stats_km **out, struct prolo_err *err)
{
	*out = NULL;
	double total = 0;
	size_t used = 0;
	for (size_t j = 0; j < m; j++) {
		if (!(n_event[j] >= 0) || !(n_censor[j] >= 0))
			return prolo_err_set(err, PROLO_EINVAL, "count", "negative or missing count at time %g", time[j]);
		if (j > 0 && !(time[j] > time[j - 1]))
			return prolo_err_set(err, PROLO_EINVAL, "time", "times are not strictly ascending at %g", time[j]);
		total += n_event[j] + n_censor[j];
		if (n_event[j] + n_censor[j] > 0)
			used++;
	}
	struct stats_km *km = km_alloc(used);
	if (!km)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	double z = stats_z(conf), s = 1, h = 0, risk = total;
	size_t i = 0;
	for (size_t j = 0; j < m; j++) {
		double d = n_event[j], c = n_censor[j];
		if (d + c == 0)
			continue;
		km->time[i] = time[j];
		km->n_risk[i] = risk;
		km->n_event[i] = d;
		km->n_censor[i] = c;
		if (d > 0) {
			s *= 1 - d / risk;
			h = risk > d ? h + d / (risk * (risk - d)) : NAN;
		}
		km->surv[i] = s;
		km->se[i] = s > 0 ? sqrt(h) : NAN;
		km_ci(s, km->se[i], ci, z, &km->lower[i], &km->upper[i]);
		risk -= d + c;
		i++;
	}
	km->n = used;
	*out = km;
	return PROLO_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts subject rows into distinct times (k groups) with counts: tm[u],
 * ev[g*u + j], ce[g*u + j]; *m_out distinct times. */
static enum prolo_code tabulate(size_t k, const double *time, const uint8_t *event,
                                const int *group, size_t n, double **tm_out,
                                double **ev_out, double **ce_out, size_t *m_out,
                                struct prolo_err *err)
{
	double *sorted = malloc((n ? n : 1) * sizeof *sorted);
	if (!sorted)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (isnan(time[i]))
			return free(sorted), prolo_err_set(err, PROLO_EINVAL, "time", "missing time in row %zu", i);
		sorted[i] = time[i];
	}
	qsort(sorted, n, sizeof *sorted, cmp_double);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || sorted[i] != sorted[m - 1])
			sorted[m++] = sorted[i];
	double *ev = calloc(k * m + 1, sizeof *ev), *ce = calloc(k * m + 1, sizeof *ce);
	if (!ev || !ce) {
		free(sorted), free(ev), free(ce);
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		size_t g = group ? (size_t)group[i] : 0;
		if (group && (group[i] < 0 || g >= k)) {
			free(sorted), free(ev), free(ce);
			return prolo_err_set(err, PROLO_EINVAL, "group", "group %d out of range in row %zu", group[i], i);
		}
		const double *hit = bsearch(&time[i], sorted, m, sizeof *sorted, cmp_double);
		size_t j = (size_t)(hit - sorted);
		if (event[i])
			ev[g * m + j] += 1;
		else
			ce[g * m + j] += 1;
	}
	*tm_out = sorted;
	*ev_out = ev;
	*ce_out = ce;
	*m_out = m;
	return PROLO_OK;
}

enum prolo_code stats_km_fit(const double *time, const uint8_t *event, size_t n,
                             enum stats_ci ci, double conf,
                             struct stats_km **out, struct prolo_err *err)
{
	double *tm, *ev, *ce;
	size_t m;
	*out = NULL;
	enum prolo_code rc = tabulate(1, time, event, NULL, n, &tm, &ev, &ce, &m, err);
	if (rc != PROLO_OK)
		return rc;
	rc = stats_km_fit_counts(tm, ev, ce, m, ci, conf, out, err);
	free(tm), free(ev), free(ce);
	return rc;
}

double stats_minmin(const double *y, const double *x, size_t n)
{
	const double tol = sqrt(DBL_EPSILON);
	size_t first = n;
	for (size_t j = 0; j < n; j++)
		if (!isnan(y[j]) && y[j] < 0.5 + tol) {
			first = j;
			break;
		}
	if (first == n)
		return NAN;
	if (fabs(y[first] - 0.5) < tol)
		for (size_t j = first + 1; j < n; j++)
			if (!isnan(y[j]) && y[j] < y[first])
				return (x[first] + x[j]) / 2;
	return x[first];
}

void stats_km_median(const struct stats_km *km, double *median, double *lo, double *hi)
{
	*median = stats_minmin(km->surv, km->time, km->n);
	*lo = stats_minmin(km->lower, km->time, km->n);
	*hi = stats_minmin(km->upper, km->time, km->n);
}

/* ---- log-rank ---- */

double stats_chisq_q(double x, double df)
{
	if (isnan(x) || isnan(df) || df <= 0)
		return NAN;
	if (x <= 0)
		return 1;
	return gsl_cdf_chisq_Q(x, df);
}

double stats_t_crit(double conf, double df)
{
	assert(conf > 0 && conf < 1);
	if (!(df > 0))
		return NAN;
	return gsl_cdf_tdist_Qinv((1 - conf) / 2, df);
}

/* u' V⁻ u through an LDLᵀ factorisation that drops pivots below
 * 1e-9 × the largest diagonal (survival's cholesky2 / chsolve2). v is p×p,
 * overwritten. Returns NaN when V is 0. */
static double quad_ginv(double *v, const double *u, size_t p, double *z)
{
	double big = 0;
	for (size_t i = 0; i < p; i++)
		big = fmax(big, fabs(v[i * p + i]));
	if (big == 0)
		return NAN;
	double tol = 1e-9 * big;
	for (size_t i = 0; i < p; i++) {
		double d = v[i * p + i];
		for (size_t k = 0; k < i; k++)
			d -= v[i * p + k] * v[i * p + k] * v[k * p + k];
		if (d < tol) {
			v[i * p + i] = 0;
			for (size_t r = i + 1; r < p; r++)
				v[r * p + i] = 0;
			continue;
		}
		v[i * p + i] = d;
		for (size_t r = i + 1; r < p; r++) {
			double s = v[r * p + i];
			for (size_t k = 0; k < i; k++)
				s -= v[r * p + k] * v[i * p + k] * v[k * p + k];
			v[r * p + i] = s / d;
		}
	}
	double chisq = 0;
	for (size_t i = 0; i < p; i++) {
		double s = u[i];
		for (size_t k = 0; k < i; k++)
			s -= v[i * p + k] * z[k];
		z[i] = v[i * p + i] > 0 ? s : 0;
		if (v[i * p + i] > 0)
			chisq += z[i] * z[i] / v[i * p + i];
	}
	return chisq;
}

enum prolo_code stats_logrank_counts(size_t k, const double *time, const double *n_event,
                                     const double *n_censor, size_t m,
                                     struct stats_logrank *out, double *observed,
                                     double *expected, struct prolo_err *err)
{
	out->chisq = out->df = out->p = NAN;
	for (size_t j = 0; j < m; j++)
		if (j > 0 && !(time[j] > time[j - 1]))
			return prolo_err_set(err, PROLO_EINVAL, "time", "times are not strictly ascending at %g", time[j]);
	for (size_t i = 0; i < k * m; i++)
		if (!(n_event[i] >= 0) || !(n_censor[i] >= 0))
			return prolo_err_set(err, PROLO_EINVAL, "count", "negative or missing count");
	double *risk = calloc(k, sizeof *risk), *o = calloc(k, sizeof *o),
	       *e = calloc(k, sizeof *e), *v = calloc(k * k, sizeof *v),
	       *sub = calloc(k * k, sizeof *sub), *u = calloc(k, sizeof *u),
	       *zz = calloc(k, sizeof *zz);
	size_t *part = calloc(k, sizeof *part);
	enum prolo_code rc = PROLO_OK;
	if (!risk || !o || !e || !v || !sub || !u || !zz || !part) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		goto done;
	}
	for (size_t g = 0; g < k; g++)
		for (size_t j = 0; j < m; j++)
			risk[g] += n_event[g * m + j] + n_censor[g * m + j];
	for (size_t j = 0; j < m; j++) {
		double n = 0, d = 0;
		for (size_t g = 0; g < k; g++) {
			n += risk[g];
			d += n_event[g * m + j];
		}
		if (d > 0) {
			double f = n > 1 ? d * (n - d) / (n - 1) : 0;
			for (size_t g = 0; g < k; g++) {
				o[g] += n_event[g * m + j];
				e[g] += d * risk[g] / n;
				for (size_t h = 0; h < k; h++)
					v[g * k + h] += f * (risk[g] / n) * ((g == h) - risk[h] / n);
			}
		}
		for (size_t g = 0; g < k; g++)
			risk[g] -= n_event[g * m + j] + n_censor[g * m + j];
	}
	size_t np = 0;
	for (size_t g = 0; g < k; g++)
		if (e[g] > 0)
			part[np++] = g;
	if (np >= 2) {
		size_t p = np - 1;
		for (size_t a = 0; a < p; a++) {
			u[a] = o[part[a + 1]] - e[part[a + 1]];
			for (size_t b = 0; b < p; b++)
				sub[a * p + b] = v[part[a + 1] * k + part[b + 1]];
		}
		double chisq = quad_ginv(sub, u, p, zz);
		if (!isnan(chisq)) {
			out->chisq = chisq;
			out->df = (double)p;
			out->p = stats_chisq_q(chisq, out->df);
		}
	}
	if (observed)
		memcpy(observed, o, k * sizeof *o);
	if (expected)
		memcpy(expected, e, k * sizeof *e);
done:
	free(risk), free(o), free(e), free(v), free(sub), free(u), free(zz), free(part);
	return rc;
}

enum prolo_code stats_logrank(size_t k, const double *time, const uint8_t *event,
                              const int *group, size_t n, struct stats_logrank *out,
                              struct prolo_err *err)
{
	double *tm, *ev, *ce;
	size_t m;
	out->chisq = out->df = out->p = NAN;
	enum prolo_code rc = tabulate(k, time, event, group, n, &tm, &ev, &ce, &m, err);
	if (rc != PROLO_OK)
		return rc;
	rc = stats_logrank_counts(k, tm, ev, ce, m, out, NULL, NULL, err);
	free(tm), free(ev), free(ce);
	return rc;
}

/* ---- summaries ---- */

void stats_acc_add(struct stats_acc *a, double x)
{
	a->n++;
	a->sum += x;
	double d = x - a->mean;
	a->mean += d / (double)a->n;
	a->m2 += d * (x - a->mean);
}

double stats_acc_mean(const struct stats_acc *a)
{
	return a->n ? (double)(a->sum / (long double)a->n) : NAN;
}

double stats_acc_sd(const struct stats_acc *a)
{
	return a->n >= 2 ? sqrt(a->m2 / (double)(a->n - 1)) : NAN;
}

double stats_mean(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	double mean = s / (double)n, c = 0;
	for (size_t i = 0; i < n; i++) /* R's second pass */
		c += x[i] - mean;
	return mean + c / (double)n;
}

double stats_sd(const double *x, size_t n)
{
	if (n < 2)
		return NAN;
	double mean = stats_mean(x, n), ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

double stats_quantile_sorted(const double *x, size_t n, double p)
{
	assert(p >= 0 && p <= 1);
	if (n == 0)
		return NAN;
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h), hi = (size_t)ceil(h);
	return x[lo] + (h - (double)lo) * (x[hi] - x[lo]);
}

/* Value of the i-th order statistic (0-based) of a tabulated sample. */
static double order_stat(const double *value, const uint64_t *count, size_t m, uint64_t i)
{
	uint64_t c = 0;
	for (size_t j = 0; j < m; j++) {
		c += count[j];
		if (i < c)
			return value[j];
	}
	assert(0);
	return NAN;
}

double stats_quantile_counts(const double *value, const uint64_t *count, size_t m, double p)
{
	assert(p >= 0 && p <= 1);
	uint64_t n = 0;
	for (size_t j = 0; j < m; j++)
		n += count[j];
	if (n == 0)
		return NAN;
	double h = (double)(n - 1) * p;
	uint64_t lo = (uint64_t)floor(h), hi = (uint64_t)ceil(h);
	double xl = order_stat(value, count, m, lo), xh = order_stat(value, count, m, hi);
	return xl + (h - (double)lo) * (xh - xl);
}
