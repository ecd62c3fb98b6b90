/* The follow-up plan and the time points' status: pure rules over a
 * course's rows and a date (registry/followup.h, docs/followup.md). */
#include "registry/followup.h"

#include <string.h>

#include "core/domain.h"

const char *const fu_status_names[FU__COUNT] = {
	"upcoming", "invited", "reminded", "answered", "missed", "not_contactable",
};

uint32_t followup_default_instruments(const char *condition)
{
	uint32_t b = 1u << INSTR_NRS;
	if (!condition)
		return b;
	if (strcmp(condition, "low_back_pain") == 0)
		b |= 1u << INSTR_ODI;
	else if (strcmp(condition, "neck_pain") == 0)
		b |= 1u << INSTR_NDI;
	else if (strcmp(condition, "knee_oa") == 0)
		b |= 1u << INSTR_WOMAC;
	else if (strcmp(condition, "tendinopathy") == 0)
		b |= 1u << INSTR_QUICKDASH;
	return b;
}

static void point(struct fu_plan *out, int32_t start, int32_t offset, int window, uint32_t instr)
{
	if (out->n >= FU_POINTS_MAX)
		return;
	struct fu_point *p = &out->pts[out->n++];
	p->offset_days = offset;
	p->due = start + offset;
	p->window_start = p->due - window;
	p->window_end = p->due + window;
	p->instruments = instr | (1u << INSTR_NRS);
}

void followup_plan(const struct protocol *p, const char *condition, int32_t start_date,
                   struct fu_plan *out)
{
	memset(out, 0, sizeof *out);
	if (p) {
		for (size_t i = 0; i < p->n_followups; i++)
			if (p->followups[i].offset_days > 0)
				point(out, start_date, p->followups[i].offset_days, p->followup_window_days,
				      p->followups[i].instruments);
		if (out->n) {
			out->from_protocol = true;
			return;
		}
	}
	static const int32_t offsets[] = FU_DEFAULT_OFFSETS;
	uint32_t instr = followup_default_instruments(condition);
	for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
		point(out, start_date, offsets[i], FU_DEFAULT_WINDOW_DAYS, instr);
}

int followup_point_at_months(const struct fu_plan *pl, int months)
{
	/* In units of 1/48 day against quarter days: offset * 12 months /
	 * 365.25 days = offset * 48 / 1461, exact in integers. */
	int best = -1;
	int64_t best_dist = 0;
	for (size_t i = 0; i < pl->n; i++) {
		int64_t x = (int64_t)pl->pts[i].offset_days * 48;
		if ((2 * x + 1461) / (2 * 1461) != months || x < 0)
			continue;
		int64_t dist = x > (int64_t)months * 1461 ? x - (int64_t)months * 1461 : (int64_t)months * 1461 - x;
		if (best < 0 || dist < best_dist || (dist == best_dist && pl->pts[i].offset_days < pl->pts[best].offset_days)) {
			best = (int)i;
			best_dist = dist;
		}
	}
	return best;
}

uint32_t followup_answered(const struct fu_point *pt, const int32_t *out_date,
                           const uint8_t *out_instrument, size_t n)
{
	uint32_t b = 0;
	for (size_t i = 0; i < n; i++)
		if (out_date[i] >= pt->window_start && out_date[i] <= pt->window_end &&
		    out_instrument[i] < INSTR__COUNT)
			b |= 1u << out_instrument[i];
	return b & pt->instruments;
}

void followup_reminders_default(struct fu_reminders *r)
{
	memset(r, 0, sizeof *r);
	r->n = 2;
	r->days[0] = 3;
	r->days[1] = 7;
	r->phone_after_days = 3;
}

static bool complete(const struct fu_point *pt, uint32_t answered)
{
	return (answered & pt->instruments) == pt->instruments;
}

enum fu_status followup_status(const struct fu_point *pt, uint32_t answered, bool contactable,
                               const struct fu_sent *s, int32_t today)
{
	if (complete(pt, answered))
		return FU_ANSWERED;
	if (today > pt->window_end)
		return FU_MISSED;
	if (today < pt->due)
		return FU_UPCOMING;
	if (!contactable)
		return FU_NOT_CONTACTABLE;
	if (s->steps >= 2)
		return FU_REMINDED;
	if (s->steps == 1)
		return FU_INVITED;
	return FU_UPCOMING;
}

enum fu_action followup_next(const struct fu_point *pt, uint32_t answered, bool contactable,
                             const struct fu_sent *s, const struct fu_reminders *r, int32_t today,
                             int *step)
{
	*step = 0;
	if (complete(pt, answered) || today > pt->window_end || today < pt->due)
		return FU_NOTHING;
	if (!contactable)
		return FU_PHONE_TASK;
	if (s->steps <= 0)
		return FU_SEND; /* the invitation */
	int k = s->steps - 1; /* reminders sent */
	if (k < r->n) {
		if (s->invited_on != DOM_DATE_NONE && today >= s->invited_on + r->days[k]) {
			*step = k + 1;
			return FU_SEND;
		}
		return FU_NOTHING;
	}
	if (s->last_on != DOM_DATE_NONE && today >= s->last_on + r->phone_after_days)
		return FU_PHONE_TASK;
	return FU_NOTHING;
}

bool followup_reminders_parse(const char *s, struct fu_reminders *r)
{
	r->n = 0;
	if (!s || !s[0] || strcmp(s, "none") == 0)
		return true;
	const char *p = s;
	while (*p) {
		if (r->n >= FU_REMINDERS_MAX)
			return false;
		long v = 0;
		int digits = 0;
		while (*p == ' ')
			p++;
		while (*p >= '0' && *p <= '9' && digits < 3) {
			v = v * 10 + (*p - '0');
			p++;
			digits++;
		}
		while (*p == ' ')
			p++;
		if (!digits || v < 1 || v > 90 || (r->n && v <= r->days[r->n - 1]))
			return false;
		r->days[r->n++] = (int)v;
		if (*p == ',')
			p++;
		else if (*p)
			return false;
	}
	return true;
}

const char *const fu_next_names[FU_NEXT__COUNT] = { "none", "invite", "remind", "call" };

enum fu_next followup_next_step(const struct fu_point *pt, uint32_t answered, bool contactable,
                                const struct fu_sent *s, const struct fu_reminders *r, int32_t today,
                                int32_t *day, int *step)
{
	*day = DOM_DATE_NONE;
	*step = 0;
	if (complete(pt, answered) || today > pt->window_end)
		return FU_NEXT_NONE;
	enum fu_next what;
	int32_t when;
	int k = s->steps - 1; /* reminders sent */
	if (!contactable) {
		what = FU_NEXT_CALL;
		when = pt->due;
	} else if (s->steps <= 0) {
		what = FU_NEXT_INVITE;
		when = pt->due;
	} else if (k < r->n && s->invited_on != DOM_DATE_NONE) {
		what = FU_NEXT_REMIND;
		when = s->invited_on + r->days[k];
		*step = k + 1;
	} else {
		what = FU_NEXT_CALL;
		when = (s->last_on != DOM_DATE_NONE ? s->last_on : today) + r->phone_after_days;
	}
	if (when > pt->window_end && what == FU_NEXT_REMIND) {
		/* A reminder after the window would be late: a call instead. */
		what = FU_NEXT_CALL;
		when = s->last_on != DOM_DATE_NONE ? s->last_on : today;
		*step = 0;
	}
	*day = when < today ? today : when;
	return what;
}
