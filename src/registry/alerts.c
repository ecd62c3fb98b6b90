/* Alert rules over course rows: pure, so every rule is tested with plain
 * arrays and a fixed "today". One decision shapes them: a course that has
 * gone silent gets one "call the patient" alert instead of a pile of
 * overdue sessions and questionnaires. Baseline, follow-up session numbers
 * and "responder" follow tests/reference/REPORT.md so that what the alert
 * says about comparable patients matches what the report counts. */
#include "core/grow.h"
#include "registry/alerts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"

const char *const alert_kind_names[ALERT__COUNT] = {
	"session_due", "session_overdue", "questionnaire_due", "silent",
	"slow_progress", "prolonged_side_effect", "infection", "serious_adverse_event",
	"followup_unanswered", "contact_fix", "contraindication_added",
};

void alert_list_free(struct alert_list *l)
{
	if (!l)
		return;
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

/* The plan the rules read: the course's own numbers, else its protocol's,
 * else the defaults. */
struct plan {
	int interval_days;  /* 0 = sessions are not scheduled */
	int window_days;
	int planned;
	const struct proto_followup *followups;
	size_t n_followups;
	int followup_window;
	int silent_after;
	int review_after;   /* 0 = no review rule */
	double review_pct;
};

static const struct proto_followup default_followups[] = {
	{ 0, 1u << INSTR_NRS }, { 42, 1u << INSTR_NRS }, { 84, 1u << INSTR_NRS },
	{ 182, 1u << INSTR_NRS }, { 364, 1u << INSTR_NRS },
};

static struct plan plan_of(const struct course_rows *c, const struct protocol_lib *lib)
{
	const struct protocol *p = c->protocol && c->protocol[0] ? protocol_find(lib, c->protocol) : NULL;
	struct plan pl = {
		.interval_days = c->interval_days > 0 ? c->interval_days : p ? p->interval_days : 0,
		.window_days = p ? p->window_days : PROTO_DEFAULT_WINDOW_DAYS,
		.planned = c->planned_sessions,
		.followups = default_followups,
		.n_followups = sizeof default_followups / sizeof default_followups[0],
		.followup_window = p ? p->followup_window_days : PROTO_DEFAULT_FOLLOWUP_WINDOW_DAYS,
		.silent_after = p ? p->silent_after_days : PROTO_DEFAULT_SILENT_AFTER_DAYS,
		.review_after = p ? p->review_after_sessions : 0,
		.review_pct = p ? p->review_min_improvement_pct : NAN,
	};
	if (p && p->n_followups) {
		pl.followups = p->followups;
		pl.n_followups = p->n_followups;
	}
	return pl;
}

static enum prolo_code push(struct alert_list *l, const struct course_rows *c, enum alert_kind kind,
                            int32_t due, struct alert **out, struct prolo_err *err)
{
	enum prolo_code rc = grow_array(&l->items, &l->cap, l->n + 1, sizeof *l->items, 32, err);
	if (rc)
		return rc;
	struct alert *a = &l->items[l->n++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->urgent = kind == ALERT_INFECTION || kind == ALERT_SERIOUS_AE;
	a->due = due;
	a->comparable_slow = a->comparable_responded = -1;
	snprintf(a->patient_id, sizeof a->patient_id, "%s", c->patient_id);
	snprintf(a->course_id, sizeof a->course_id, "%s", c->course_id);
	snprintf(a->clinic, sizeof a->clinic, "%s", c->clinic);
	char d[11];
	dom_date_format(due, d);
	snprintf(a->key, sizeof a->key, "%s:%s:%s", alert_kind_names[kind], d, c->course_id);
	*out = a;
	return PROLO_OK;
}

static bool is_open(const struct course_rows *c)
{
	return c->status == CS_PLANNED || c->status == CS_ACTIVE;
}

/* Completed courses are still followed up with questionnaires. */
static bool in_followup(const struct course_rows *c)
{
	return is_open(c) || c->status == CS_COMPLETED || c->status == CS_GOAL_REACHED;
}

/* Latest date of any contact (session, questionnaire, adverse event) on or
 * before today; DOM_DATE_NONE if none. */
static int32_t last_contact(const struct course_rows *c, int32_t today, const char **what)
{
	int32_t best = DOM_DATE_NONE;
	*what = "";
	for (size_t i = 0; i < c->n_sessions; i++)
		if (c->sess_date[i] <= today && (best == DOM_DATE_NONE || c->sess_date[i] > best)) {
			best = c->sess_date[i];
			*what = "session";
		}
	for (size_t i = 0; i < c->n_outcomes; i++)
		if (c->out_date[i] <= today && (best == DOM_DATE_NONE || c->out_date[i] > best)) {
			best = c->out_date[i];
			*what = "questionnaire";
		}
	for (size_t i = 0; i < c->n_aes; i++)
		if (c->ae_onset[i] <= today && (best == DOM_DATE_NONE || c->ae_onset[i] > best)) {
			best = c->ae_onset[i];
			*what = "side-effect report";
		}
	return best;
}

/* Next session: its number and due date; false when none is expected. */
static bool next_session(const struct course_rows *c, const struct plan *pl, int *no, int32_t *due)
{
	if (!is_open(c) || pl->interval_days <= 0 || (int)c->n_sessions >= pl->planned)
		return false;
	if (c->n_sessions == 0) {
		*no = 1;
		*due = c->start_date;
	} else {
		*no = c->sess_no[c->n_sessions - 1] + 1;
		*due = c->sess_date[c->n_sessions - 1] + pl->interval_days;
	}
	return *no <= pl->planned;
}

static void instruments_text(uint32_t bits, char *out, size_t outsz)
{
	size_t used = 0;
	out[0] = '\0';
	for (int k = 0; k < INSTR__COUNT; k++)
		if (bits & (1u << k)) {
			int w = snprintf(out + used, outsz - used, "%s%s", used ? ", " : "", dom_instrument_names[k]);
			if (w < 0 || (size_t)w >= outsz - used)
				return;
			used += (size_t)w;
		}
}

/* Instruments of a follow-up point still unanswered by today. */
static uint32_t unanswered(const struct course_rows *c, const struct proto_followup *f, int32_t d,
                           int window, int32_t today)
{
	uint32_t missing = f->instruments;
	for (size_t i = 0; i < c->n_outcomes; i++)
		if (c->out_date[i] >= d - window && c->out_date[i] <= today && c->out_instrument[i] < 32)
			missing &= ~(1u << c->out_instrument[i]);
	return missing;
}

/* ---- slow progress ----------------------------------------------------- */

/* REPORT.md: session number of a follow-up = largest session_no dated on or
 * before it. */
static int sessions_by(const struct course_rows *c, int32_t date)
{
	int k = 0;
	for (size_t i = 0; i < c->n_sessions; i++)
		if (c->sess_date[i] <= date && c->sess_no[i] > k)
			k = c->sess_no[i];
	return k;
}

struct nrs_view {
	bool has_baseline;
	double baseline;      /* earliest NRS */
	int32_t baseline_date;
	bool has_last;
	double last;          /* latest NRS (= baseline without follow-up) */
	int32_t review_date;  /* first follow-up with >= N sessions; NONE if none */
	double review;
	int32_t latest_review_date; /* latest follow-up with >= N sessions */
	double latest_review;
};

static struct nrs_view nrs_view(const struct course_rows *c, int n_review, int32_t today)
{
	struct nrs_view v = { .review_date = DOM_DATE_NONE, .latest_review_date = DOM_DATE_NONE };
	for (size_t i = 0; i < c->n_outcomes; i++) {
		if (c->out_instrument[i] != INSTR_NRS || c->out_date[i] > today)
			continue;
		double s = c->out_score[i];
		int32_t d = c->out_date[i];
		if (!v.has_baseline) {
			v.has_baseline = true;
			v.baseline = s;
			v.baseline_date = d;
			v.has_last = true;
			v.last = s;
			continue;
		}
		v.last = s; /* outcomes are sorted by date */
		if (n_review > 0 && sessions_by(c, d) >= n_review) {
			if (v.review_date == DOM_DATE_NONE) {
				v.review_date = d;
				v.review = s;
			}
			v.latest_review_date = d;
			v.latest_review = s;
		}
	}
	return v;
}

static double improvement_pct(double baseline, double now)
{
	return (baseline - now) / baseline * 100.0;
}

static enum prolo_code slow_progress(const struct course_rows *const *all, size_t n_all,
                                     const struct course_rows *c, const struct plan *pl, int32_t today,
                                     struct alert_list *out, struct prolo_err *err)
{
	if (!is_open(c) || pl->review_after <= 0 || isnan(pl->review_pct))
		return PROLO_OK;
	struct nrs_view v = nrs_view(c, pl->review_after, today);
	if (!v.has_baseline || v.baseline <= 0 || v.latest_review_date == DOM_DATE_NONE)
		return PROLO_OK;
	double imp = improvement_pct(v.baseline, v.latest_review);
	if (imp >= pl->review_pct)
		return PROLO_OK;
	/* Comparable: same clinic, modality and condition, ended, and as slow
	 * at the same review point. */
	int slow = 0, responded = 0;
	for (size_t i = 0; i < n_all; i++) {
		const struct course_rows *o = all[i];
		if (o == c || o->course_key == c->course_key || !dom_status_ended((enum course_status)o->status) ||
		    o->modality != c->modality || strcmp(o->clinic, c->clinic) != 0 ||
		    strcmp(o->condition_name, c->condition_name) != 0)
			continue;
		struct nrs_view ov = nrs_view(o, pl->review_after, today);
		if (!ov.has_baseline || ov.baseline <= 0 || ov.review_date == DOM_DATE_NONE)
			continue;
		if (improvement_pct(ov.baseline, ov.review) >= pl->review_pct)
			continue;
		slow++;
		if (2 * ov.last <= ov.baseline)
			responded++;
	}
	struct alert *a;
	enum prolo_code rc = push(out, c, ALERT_SLOW_PROGRESS, v.latest_review_date, &a, err);
	if (rc)
		return rc;
	a->comparable_slow = slow;
	a->comparable_responded = responded;
	int k = sessions_by(c, v.latest_review_date);
	char tail[256];
	if (slow)
		snprintf(tail, sizeof tail,
		         " Of %d finished %s courses for %s at this clinic that were as slow at this point, "
		         "%d went on to respond (pain halved); discuss whether to continue rather than stop early.",
		         slow, dom_modality_names[c->modality], c->condition_name, responded);
	else
		snprintf(tail, sizeof tail,
		         " No finished %s course for %s at this clinic was as slow at this point yet, so there "
		         "is no local experience to compare with.",
		         dom_modality_names[c->modality], c->condition_name);
	snprintf(a->reason, sizeof a->reason,
	         "Pain %g -> %g (%.0f %% lower) after %d session%s; the protocol expects at least %g %% by "
	         "session %d.%s",
	         v.baseline, v.latest_review, imp, k, k == 1 ? "" : "s", pl->review_pct, pl->review_after, tail);
	return PROLO_OK;
}

/* ---- adverse events ---------------------------------------------------- */

static bool already(const struct alert_list *l, size_t from, const char *key)
{
	for (size_t i = from; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return true;
	return false;
}

static enum prolo_code ae_alerts(const struct course_rows *c, int32_t today, struct alert_list *out,
                                 struct prolo_err *err)
{
	size_t first = out->n;
	for (size_t i = 0; i < c->n_aes; i++) {
		int32_t on = c->ae_onset[i];
		if (on > today || today - on > ALERT_AE_LOOKBACK_DAYS)
			continue;
		int kind = c->ae_kind[i];
		const char *kname = kind < AE__COUNT ? dom_ae_kind_names[kind] : "adverse event";
		char d[11];
		dom_date_format(on, d);
		enum alert_kind ak[2];
		int n = 0;
		if (kind == AE_INFECTION)
			ak[n++] = ALERT_INFECTION;
		if (c->ae_serious[i] != SER_NONE || c->ae_grade[i] >= 4)
			ak[n++] = ALERT_SERIOUS_AE;
		int dur = c->ae_duration[i];
		int lasted = dur >= 0 ? dur : (int)(today - on);
		if ((kind == AE_SORENESS || kind == AE_STIFFNESS) && lasted > ALERT_EXPECTED_SORENESS_DAYS)
			ak[n++] = ALERT_PROLONGED_SIDE_EFFECT;
		for (int j = 0; j < n; j++) {
			char key[ALERT_KEY_MAX];
			snprintf(key, sizeof key, "%s:%s:%s", alert_kind_names[ak[j]], d, c->course_id);
			if (already(out, first, key))
				continue;
			struct alert *a;
			enum prolo_code rc = push(out, c, ak[j], on, &a, err);
			if (rc)
				return rc;
			switch (ak[j]) {
			case ALERT_INFECTION:
				snprintf(a->reason, sizeof a->reason,
				         "Infection reported on %s (grade %d). Urgent: check the site, temperature and "
				         "treatment today; infections are watched for 16 weeks.",
				         d, c->ae_grade[i]);
				break;
			case ALERT_SERIOUS_AE:
				snprintf(a->reason, sizeof a->reason,
				         "Serious adverse event (%s, %s, grade %d) on %s. Urgent: review the patient and "
				         "report it as your regulations require.",
				         kname, c->ae_serious[i] < SER__COUNT ? dom_seriousness_names[c->ae_serious[i]] : "?",
				         c->ae_grade[i], d);
				break;
			default: {
				const char *label = kind == AE_SORENESS ? "Soreness" : "Stiffness";
				if (dur >= 0)
					snprintf(a->reason, sizeof a->reason,
					         "%s from %s lasted %d days; 1 to %d days is expected. Call the patient and "
					         "look for another cause.",
					         label, d, dur, ALERT_EXPECTED_SORENESS_DAYS);
				else
					snprintf(a->reason, sizeof a->reason,
					         "%s since %s is still going after %d days; 1 to %d days is expected. Call the "
					         "patient and look for another cause.",
					         label, d, lasted, ALERT_EXPECTED_SORENESS_DAYS);
				break;
			}
			}
		}
	}
	return PROLO_OK;
}

/* ---- bookings ---------------------------------------------------------- */

/* The no-shows after the last contact (DOM_DATE_NONE: none yet), up to
 * today: how many, the first and the last. */
struct missed {
	int n;
	int32_t first, last;
};

static struct missed missed_since(const struct course_rows *c, int32_t last_contact, int32_t today)
{
	struct missed m = { 0, DOM_DATE_NONE, DOM_DATE_NONE };
	for (size_t i = 0; i < c->n_noshows; i++) {
		int32_t d = c->noshow_date[i];
		if (d > today || (last_contact != DOM_DATE_NONE && d <= last_contact))
			continue;
		if (!m.n)
			m.first = d;
		m.last = d;
		m.n++;
	}
	return m;
}

/* A booked session is due on its day and overdue after it; a missed one
 * is overdue from the day missed. */
static enum prolo_code booked_alerts(const struct course_rows *c, bool booked, int sno, int32_t day, int planned,
                                     int32_t today, struct alert_list *out, struct prolo_err *err)
{
	char d[11], t[6];
	dom_date_format(day, d);
	snprintf(t, sizeof t, "%02d:%02d", c->booked_minute / 60 % 24, c->booked_minute % 60);
	struct alert *a = NULL;
	enum prolo_code rc = PROLO_OK;
	if (booked && today == day) {
		if (!(rc = push(out, c, ALERT_SESSION_DUE, day, &a, err)))
			snprintf(a->reason, sizeof a->reason, "Session %d of %d is booked for today at %s.", sno, planned, t);
	} else if (booked && today > day) {
		if (!(rc = push(out, c, ALERT_SESSION_OVERDUE, day, &a, err)))
			snprintf(a->reason, sizeof a->reason,
			         "Session %d of %d was booked for %s at %s and no session is recorded: record it, or mark "
			         "the booking a no-show and book again.",
			         sno, planned, d, t);
	} else if (!booked) {
		if (!(rc = push(out, c, ALERT_SESSION_OVERDUE, day, &a, err)))
			snprintf(a->reason, sizeof a->reason,
			         "Session %d of %d: the patient did not come to the booking on %s. Call to book again.", sno,
			         planned, d);
	}
	if (!rc && a)
		a->session_no = sno;
	return rc;
}

/* ---- one course -------------------------------------------------------- */

static enum prolo_code course_alerts(const struct course_rows *const *all, size_t n_all,
                                     const struct course_rows *c, const struct protocol_lib *lib,
                                     int32_t today, struct alert_list *out, struct prolo_err *err)
{
	struct plan pl = plan_of(c, lib);
	enum prolo_code rc = ae_alerts(c, today, out, err);
	if (rc)
		return rc;
	if (!in_followup(c) || c->start_date == DOM_DATE_NONE)
		return PROLO_OK;

	const char *what;
	int32_t last = last_contact(c, today, &what);
	int32_t since = last == DOM_DATE_NONE ? c->start_date - 1 : last;

	/* The next expected contact: a session, or a follow-up point. */
	int sno = 0;
	int32_t sdue = DOM_DATE_NONE;
	bool has_session = next_session(c, &pl, &sno, &sdue);
	/* Bookings: a booked session is expected on its booking's date; after
	 * a no-show with no contact since, the session was expected on the day
	 * missed; ALERT_NOSHOWS_SILENT of them make the course silent now. */
	struct missed ms = missed_since(c, last, today);
	enum { BY_PLAN, BY_BOOKING, BY_NOSHOW } by = BY_PLAN;
	if (is_open(c) && c->booked_session_no > 0) {
		by = BY_BOOKING;
		sno = c->booked_session_no;
		sdue = c->booked_date;
	} else if (is_open(c) && ms.n > 0) {
		by = BY_NOSHOW;
		sno = c->n_sessions ? c->sess_no[c->n_sessions - 1] + 1 : 1;
		sdue = ms.last;
	}
	has_session = has_session || by != BY_PLAN;
	if (by == BY_NOSHOW && ms.n >= ALERT_NOSHOWS_SILENT && today - ms.first <= ALERT_SILENT_HORIZON_DAYS) {
		struct alert *a;
		if ((rc = push(out, c, ALERT_SILENT, ms.last, &a, err)))
			return rc;
		char f[11], l[11];
		dom_date_format(ms.first, f);
		dom_date_format(ms.last, l);
		snprintf(a->reason, sizeof a->reason,
		         "Did not come to %d bookings in a row (%s to %s) and no contact since. At risk of being "
		         "lost: call the patient.",
		         ms.n, f, l);
		return slow_progress(all, n_all, c, &pl, today, out, err);
	}
	int32_t fdue = DOM_DATE_NONE;
	for (size_t i = 0; i < pl.n_followups; i++) {
		int32_t d = c->start_date + pl.followups[i].offset_days;
		if (d > since) {
			fdue = d;
			break;
		}
	}
	int32_t expected = has_session ? sdue : DOM_DATE_NONE;
	bool expected_is_session = has_session;
	if (fdue != DOM_DATE_NONE && (expected == DOM_DATE_NONE || fdue < expected)) {
		expected = fdue;
		expected_is_session = false;
	}
	if (expected != DOM_DATE_NONE && today > expected + pl.silent_after &&
	    today - expected <= ALERT_SILENT_HORIZON_DAYS) {
		struct alert *a;
		if ((rc = push(out, c, ALERT_SILENT, expected, &a, err)))
			return rc;
		char e[11], l[11];
		dom_date_format(expected, e);
		if (last == DOM_DATE_NONE)
			snprintf(a->reason, sizeof a->reason,
			         "No contact since the course was planned; %s was expected on %s (%d days ago). At risk "
			         "of being lost: call the patient.",
			         expected_is_session ? "the first session" : "a questionnaire", e, (int)(today - expected));
		else {
			dom_date_format(last, l);
			snprintf(a->reason, sizeof a->reason,
			         "No contact since %s (last %s); %s was expected on %s (%d days ago). At risk of being "
			         "lost: call the patient.",
			         l, what, expected_is_session ? "a session" : "a questionnaire", e, (int)(today - expected));
		}
		return slow_progress(all, n_all, c, &pl, today, out, err);
	}

	if (has_session && by != BY_PLAN) {
		if ((rc = booked_alerts(c, by == BY_BOOKING, sno, sdue, pl.planned, today, out, err)))
			return rc;
	} else if (has_session) {
		char d[11];
		dom_date_format(sdue, d);
		if (today >= sdue - pl.window_days && today <= sdue + pl.window_days) {
			struct alert *a;
			if ((rc = push(out, c, ALERT_SESSION_DUE, sdue, &a, err)))
				return rc;
			a->session_no = sno;
			snprintf(a->reason, sizeof a->reason,
			         "Session %d of %d is due on %s (within %d days either side); book it if it is not booked.",
			         sno, pl.planned, d, pl.window_days);
		} else if (today > sdue + pl.window_days) {
			struct alert *a;
			if ((rc = push(out, c, ALERT_SESSION_OVERDUE, sdue, &a, err)))
				return rc;
			a->session_no = sno;
			snprintf(a->reason, sizeof a->reason,
			         "Session %d of %d was due on %s and is %d days late; call the patient to rebook.", sno,
			         pl.planned, d, (int)(today - sdue));
		}
	}

	for (size_t i = 0; i < pl.n_followups; i++) {
		int32_t d = c->start_date + pl.followups[i].offset_days;
		if (today < d || today > d + pl.followup_window)
			continue;
		uint32_t missing = unanswered(c, &pl.followups[i], d, pl.followup_window, today);
		if (!missing)
			continue;
		struct alert *a;
		if ((rc = push(out, c, ALERT_QUESTIONNAIRE_DUE, d, &a, err)))
			return rc;
		a->instruments = missing;
		char names[96], ds[11];
		instruments_text(missing, names, sizeof names);
		dom_date_format(d, ds);
		int off = pl.followups[i].offset_days;
		char when[32];
		if (off == 0)
			snprintf(when, sizeof when, "baseline");
		else if (off % 7 == 0)
			snprintf(when, sizeof when, "%d-week follow-up", off / 7);
		else
			snprintf(when, sizeof when, "%d-day follow-up", off);
		snprintf(a->reason, sizeof a->reason, "The %s questionnaire (%s) was due on %s; send the link.",
		         when, names, ds);
	}
	return slow_progress(all, n_all, c, &pl, today, out, err);
}

static int cmp_alert(const void *pa, const void *pb)
{
	const struct alert *a = pa, *b = pb;
	if (a->urgent != b->urgent)
		return a->urgent ? -1 : 1;
	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->key, b->key);
}

enum prolo_code alerts_rules(const struct course_rows *const *courses, size_t n,
                             const struct protocol_lib *lib, int32_t today, struct alert_list *out,
                             struct prolo_err *err)
{
	for (size_t i = 0; i < n; i++) {
		enum prolo_code rc = course_alerts(courses, n, courses[i], lib, today, out, err);
		if (rc)
			return rc;
	}
	alerts_sort(out);
	return PROLO_OK;
}

void alerts_sort(struct alert_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof l->items[0], cmp_alert);
}

bool alert_says_call(enum alert_kind kind)
{
	return kind == ALERT_SILENT || kind == ALERT_SESSION_OVERDUE || kind == ALERT_PROLONGED_SIDE_EFFECT ||
	       kind == ALERT_FOLLOWUP_UNANSWERED || kind == ALERT_CONTACT_FIX;
}

/* What the alerts use case added for the front desk: who to call and on
 * which number, whose it is, until when it sleeps. -1 on no memory. */
static int alert_front_desk_json(json_t *o, const struct alert *a)
{
	int bad = 0;
	if (a->call)
		bad |= json_object_set_new(o, "call", json_true()) |
		       json_object_set_new(o, "name", json_string(a->name)) |
		       json_object_set_new(o, "phone", a->phone[0] ? json_string(a->phone) : json_null());
	if (a->assigned_to[0])
		bad |= json_object_set_new(o, "assigned_to", json_string(a->assigned_to));
	if (a->snoozed) {
		char d[11];
		dom_date_format(a->snoozed_until, d);
		bad |= json_object_set_new(o, "snoozed_until", json_string(d));
	}
	return bad ? -1 : 0;
}

json_t *alerts_to_json(const struct alert_list *l)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct alert *a = &l->items[i];
		char d[11];
		dom_date_format(a->due, d);
		json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:o, s:s}", "key", a->key, "kind",
		                      alert_kind_names[a->kind], "urgent", a->urgent, "patient_id", a->patient_id,
		                      "course_id", a->course_id, "clinic", a->clinic, "due",
		                      a->due == DOM_DATE_NONE ? json_null() : json_string(d), "reason", a->reason);
		if (!o || json_array_append_new(arr, o))
			goto fail;
		if (a->session_no > 0 && json_object_set_new(o, "session_no", json_integer(a->session_no)))
			goto fail;
		if (a->instruments) {
			json_t *ins = json_array();
			if (!ins || json_object_set_new(o, "instruments", ins))
				goto fail;
			for (int k = 0; k < INSTR__COUNT; k++)
				if ((a->instruments & (1u << k)) &&
				    json_array_append_new(ins, json_string(dom_instrument_names[k])))
					goto fail;
		}
		if (alert_front_desk_json(o, a))
			goto fail;
		if (a->kind == ALERT_SLOW_PROGRESS &&
		    json_object_set_new(o, "comparable",
		                        json_pack("{s:i, s:i}", "slow", a->comparable_slow, "responded",
		                                  a->comparable_responded)))
			goto fail;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}
