/* Values the rules allow but a person should look at twice before they are
 * saved: a pain score that jumps by 8 points or more from the course's
 * previous or next one, a dextrose concentration outside the course's
 * protocol. Interactive entry (command line, API, web) refuses them with
 * PROLO_ECONFIRM unless the user confirms (cx->confirm); the CSV import
 * and a patient's own questionnaire answer do not ask. */
#include "app/app.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"

struct nrs_near {
	int32_t date;          /* the assessment checked */
	int32_t prev_date, next_date;
	double prev, next;
};

static enum prolo_code nrs_row(void *ctx, const void *rec, struct prolo_err *err)
{
	(void)err;
	struct nrs_near *nn = ctx;
	const struct outcome *o = rec;
	if (o->instrument != INSTR_NRS || isnan(o->score) || o->date == nn->date)
		return PROLO_OK;
	if (o->date < nn->date && (nn->prev_date == DOM_DATE_NONE || o->date > nn->prev_date)) {
		nn->prev_date = o->date;
		nn->prev = o->score;
	} else if (o->date > nn->date && (nn->next_date == DOM_DATE_NONE || o->date < nn->next_date)) {
		nn->next_date = o->date;
		nn->next = o->score;
	}
	return PROLO_OK;
}

enum prolo_code app_plausible_outcome(struct app_ctx *cx, const struct outcome *o, struct prolo_err *err)
{
	if (cx->confirm || o->instrument != INSTR_NRS || isnan(o->score))
		return PROLO_OK;
	struct nrs_near nn = { o->date, DOM_DATE_NONE, DOM_DATE_NONE, NAN, NAN };
	struct store_filter f = { .course_id = o->course_id };
	enum prolo_code rc = store_scan(cx->st, REC_OUTCOME, &f, nrs_row, &nn, err);
	if (rc)
		return rc;
	const char *which = NULL;
	double other = NAN;
	int32_t when = DOM_DATE_NONE;
	if (nn.prev_date != DOM_DATE_NONE && fabs(o->score - nn.prev) >= APP_NRS_JUMP) {
		which = "previous";
		other = nn.prev;
		when = nn.prev_date;
	} else if (nn.next_date != DOM_DATE_NONE && fabs(o->score - nn.next) >= APP_NRS_JUMP) {
		which = "next";
		other = nn.next;
		when = nn.next_date;
	}
	if (!which)
		return PROLO_OK;
	char d[11];
	dom_date_format(when, d);
	return prolo_err_set(err, PROLO_ECONFIRM, "score",
	                     "NRS %g is %g points from the %s NRS (%g on %s): check it, and save it with "
	                     "confirmation if it is right",
	                     o->score, fabs(o->score - other), which, other, d);
}

/* The range a dextrose concentration may take under protocol p without a
 * confirmation; false when p says nothing of dextrose. */
static bool dextrose_range(const struct protocol *p, double *lo, double *hi)
{
	if (!p || p->proliferant != PROL_DEXTROSE)
		return false;
	if (!isnan(p->concentration_min_pct)) {
		*lo = p->concentration_min_pct;
		*hi = p->concentration_max_pct;
		return true;
	}
	if (isnan(p->concentration_pct))
		return false;
	*lo = *hi = p->concentration_pct;
	return true;
}

static enum prolo_code out_of_range(const char *field, const char *where, double pct, const struct protocol *p,
                                    double lo, double hi, struct prolo_err *err)
{
	char range[48];
	if (lo == hi)
		snprintf(range, sizeof range, "%g %%", lo);
	else
		snprintf(range, sizeof range, "%g-%g %%", lo, hi);
	return prolo_err_set(err, PROLO_ECONFIRM, field,
	                     "%sdextrose %g %% is outside protocol %s (%s): check it, and save it with "
	                     "confirmation if it is right",
	                     where, pct, p->name, range);
}

enum prolo_code app_plausible_session(struct app_ctx *cx, const struct session *s, const struct injection *inj,
                                      size_t n_inj, struct prolo_err *err)
{
	if (cx->confirm || !cx->protocols || !cx->protocols->n)
		return PROLO_OK;
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "%s", s->course_id);
	enum prolo_code rc = store_get(cx->st, REC_COURSE, &c, err);
	if (rc)
		return rc == PROLO_ENOTFOUND ? PROLO_OK : rc; /* the use case names a missing course */
	const struct protocol *p = c.protocol[0] ? protocol_find(cx->protocols, c.protocol) : NULL;
	double lo, hi;
	if (!dextrose_range(p, &lo, &hi))
		return PROLO_OK;
	int sp = s->proliferant >= 0 ? s->proliferant : c.modality == MOD_DEXTROSE ? PROL_DEXTROSE : -1;
	const double eps = 1e-9;
	if (sp == PROL_DEXTROSE && !isnan(s->concentration_pct) &&
	    (s->concentration_pct < lo - eps || s->concentration_pct > hi + eps))
		return out_of_range("concentration_pct", "", s->concentration_pct, p, lo, hi, err);
	for (size_t i = 0; i < n_inj; i++) {
		int ip = inj[i].proliferant >= 0 ? inj[i].proliferant : sp;
		double pct = !isnan(inj[i].concentration_pct) ? inj[i].concentration_pct : s->concentration_pct;
		if (ip != PROL_DEXTROSE || isnan(pct) || (pct >= lo - eps && pct <= hi + eps))
			continue;
		char where[32];
		snprintf(where, sizeof where, "injection %zu: ", i + 1);
		return out_of_range("injections", where, pct, p, lo, hi, err);
	}
	return PROLO_OK;
}
