/* The follow-up as the front desk sees it: a course's timeline (time
 * points, messages with their attempts, answers, what happens next), the
 * outbox's work list (phone tasks and failed deliveries) and the drop-outs
 * still to be reached. Reads only; each answer is one JSON tree (the
 * shape of docs/api.md) that the API sends and the command line prints,
 * so the two cannot drift apart. "What next" follows the outbox's reminder
 * rhythm (cx->reminders, from its configuration; else the defaults). */
#include "app/app_frontdesk.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app_outreach.h"
#include "core/domain.h"
#include "core/instruments.h"
#include "registry/followup.h"

/* ---- small renderers ----------------------------------------------------- */

static json_t *jday(int32_t d)
{
	char b[11];
	if (d == DOM_DATE_NONE)
		return json_null();
	dom_date_format(d, b);
	return json_string(b);
}

static json_t *jtime(int64_t t)
{
	char b[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !gmtime_r(&tt, &tm))
		return json_null();
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(b);
}

static json_t *jtext(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *instruments_json(uint32_t set)
{
	json_t *a = json_array();
	for (int k = 0; a && k < INSTR__COUNT; k++)
		if ((set & (1u << k)) && json_array_append_new(a, json_string(dom_instrument_names[k]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *app_call_json(const struct store_call *c)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)c->id,
	                 "course_id", c->course_id, "patient_id", c->patient_id, "at", jtime(c->at), "day",
	                 jday(c->day), "by", c->by, "result", store_call_result_names[c->result], "note",
	                 jtext(c->note), "point_day", c->point_day > 0 ? json_integer(c->point_day) : json_null(),
	                 "alert_key", jtext(c->alert_key));
}

json_t *app_contact_json(const struct store_contact *c)
{
	const char *why = NULL;
	bool ok = app_contactable(c, true, &why);
	return json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:b, s:o}", "patient_id", c->patient_id,
	                 "email", jtext(c->email), "mobile", jtext(c->mobile), "channel",
	                 contact_channel_names[c->channel], "consent", contact_consent_names[c->consent],
	                 "consent_date", jday(c->consent_date), "consent_by", jtext(c->consent_by), "consent_how",
	                 jtext(c->consent_how), "email_bad", c->email_bad, "mobile_bad", c->mobile_bad,
	                 "contactable", ok, "why", jtext(why));
}

/* Appends a call to the array ctx (store_call_fn). */
static enum prolo_code call_into(void *ctx, const struct store_call *c, struct prolo_err *err)
{
	json_t *o = app_call_json(c);
	if (!o || json_array_append_new(ctx, o))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

static enum prolo_code nomem(struct prolo_err *err)
{
	return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
}

/* {"action","date","step"} of what happens next for a time point. */
static json_t *next_json(const struct app_ctx *cx, const struct app_fu_point *f, bool contactable)
{
	struct fu_reminders r;
	if (cx->reminders)
		r = *cx->reminders;
	else
		followup_reminders_default(&r);
	int32_t day;
	int step;
	enum fu_next what = followup_next_step(&f->pt, f->answered, contactable, &f->sent, &r, cx->today, &day, &step);
	return json_pack("{s:s, s:o, s:o}", "action", fu_next_names[what], "date", jday(day), "step",
	                 what == FU_NEXT_REMIND ? json_integer(step) : json_null());
}

/* The months a time point is known by (91 days: 3). */
static int months_of(int offset_days)
{
	return (int)lround(offset_days / 30.4375);
}

static json_t *point_json(const struct app_ctx *cx, const struct app_fu_point *f, bool contactable)
{
	return json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:s, s:o}", "offset_days", f->pt.offset_days, "months",
	                 months_of(f->pt.offset_days), "due", jday(f->pt.due), "window_start",
	                 jday(f->pt.window_start), "window_end", jday(f->pt.window_end), "instruments",
	                 instruments_json(f->pt.instruments), "status", fu_status_names[f->status], "next",
	                 next_json(cx, f, contactable));
}

void app_course_plan(const struct app_ctx *cx, const struct course *c, struct fu_plan *pl)
{
	const struct protocol *proto = cx->protocols && c->protocol[0] ? protocol_find(cx->protocols, c->protocol)
	                                                                : NULL;
	followup_plan(proto, c->condition, c->start_date, pl);
}

enum prolo_code app_patient_reach(struct app_ctx *cx, const char *patient_id, struct app_reach *r,
                                  struct prolo_err *err)
{
	rec_init(REC_PATIENT, &r->p);
	snprintf(r->p.patient_id, sizeof r->p.patient_id, "%s", patient_id);
	enum prolo_code rc = store_get(cx->st, REC_PATIENT, &r->p, err);
	if (rc)
		return rc;
	r->contactable = app_patient_contactable(cx, patient_id, &r->sc, NULL, &rc, err);
	snprintf(r->name, sizeof r->name, "%s%s%s", r->p.first_name,
	         r->p.first_name[0] && r->p.last_name[0] ? " " : "", r->p.last_name);
	snprintf(r->phone, sizeof r->phone, "%s", r->p.phone[0] ? r->p.phone : r->sc.mobile);
	return rc;
}

/* ---- the timeline of a course ------------------------------------------- */

struct tl_ctx {
	struct app_ctx *cx;
	bool contactable;
	int32_t today;
	json_t *points;
};

static enum prolo_code attempt_into(void *ctx, const struct store_oattempt *a, struct prolo_err *err)
{
	json_t *o = json_pack("{s:i, s:o, s:s, s:o, s:o}", "n", a->n, "at", jtime(a->at), "result",
	                      a->result >= 0 ? store_oresult_names[a->result] : "unknown", "reply", jtext(a->reply),
	                      "next_try", a->next_try > 0 ? jtime(a->next_try) : json_null());
	if (!o || json_array_append_new(ctx, o))
		return nomem(err);
	return PROLO_OK;
}

static const char *step_name(int step, char *buf, size_t n)
{
	if (step == 0)
		return "invitation";
	snprintf(buf, n, "reminder %d", step);
	return buf;
}

/* Puts a message under its time point (the point whose offset_days it has). */
static enum prolo_code message_into(void *ctx, const struct store_omsg *m, struct prolo_err *err)
{
	struct tl_ctx *t = ctx;
	size_t i;
	json_t *pt;
	json_array_foreach(t->points, i, pt)
	{
		if (json_integer_value(json_object_get(pt, "offset_days")) != m->point_day)
			continue;
		char b[16];
		json_t *att = json_array();
		json_t *o = json_pack("{s:I, s:i, s:s, s:s, s:o, s:i, s:o}", "id", (json_int_t)m->id, "step", m->step,
		                      "kind", step_name(m->step, b, sizeof b), "state",
		                      m->state >= 0 ? store_omsg_state_names[m->state] : "unknown", "created_on",
		                      jday(m->created_on), "tries", m->tries, "attempts", att ? json_incref(att) : NULL);
		enum prolo_code rc = !o || !att || json_array_append_new(json_object_get(pt, "messages"), o)
		                         ? nomem(err) : store_oattempt_scan(t->cx->st, m->id, attempt_into, att, err);
		json_decref(att);
		return rc;
	}
	return PROLO_OK;
}

static enum prolo_code timeline_rows(void *ctx, const struct course_rows *r, struct prolo_err *err)
{
	struct tl_ctx *t = ctx;
	struct app_fu_point pts[FU_POINTS_MAX];
	size_t n;
	enum prolo_code rc = app_followup_points(t->cx, r, t->contactable, pts, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *pj = point_json(t->cx, &pts[i], t->contactable);
		json_t *answers = json_array();
		if (!pj || !answers || json_object_set_new(pj, "answers", answers) ||
		    json_object_set_new(pj, "messages", json_array()) || json_array_append_new(t->points, pj)) {
			json_decref(pj);
			return nomem(err);
		}
		for (size_t k = 0; k < r->n_outcomes; k++) {
			if (r->out_date[k] < pts[i].pt.window_start || r->out_date[k] > pts[i].pt.window_end ||
			    !(pts[i].pt.instruments & (1u << r->out_instrument[k])))
				continue;
			double sc = r->out_score[k];
			json_t *a = json_pack("{s:o, s:s, s:o}", "date", jday(r->out_date[k]), "instrument",
			                      dom_instrument_names[r->out_instrument[k]], "score",
			                      isnan(sc) ? json_null() : json_real(sc));
			if (!a || json_array_append_new(answers, a))
				return nomem(err);
		}
	}
	return rc;
}

enum prolo_code app_followup_timeline(struct app_ctx *cx, const char *course_id, json_t **out,
                                      struct prolo_err *err)
{
	*out = NULL;
	struct app_fu_course fc;
	enum prolo_code rc = app_followup_begin(cx, course_id, &fc, err);
	if (rc)
		return rc;
	const struct course *c = &fc.c;
	const struct store_contact *sc = &fc.sc;
	bool contactable = fc.contactable;
	json_t *calls = json_array();
	struct tl_ctx t = { cx, contactable, cx->today, json_array() };
	json_t *o = json_pack("{s:s, s:s, s:{s:b, s:o, s:s, s:s, s:o}, s:o, s:o}", "course_id", c->course_id,
	                      "status", dom_status_names[c->status], "contact", "contactable", contactable, "why",
	                      jtext(fc.why), "channel", contact_channel_names[sc->channel], "consent",
	                      contact_consent_names[sc->consent], "consent_date", jday(sc->consent_date), "points",
	                      t.points ? json_incref(t.points) : NULL, "calls", calls ? json_incref(calls) : NULL);
	if (!o)
		rc = nomem(err);
	struct store_omsg_filter f = { .course_id = c->course_id, .state = -1 };
	if (!rc)
		rc = app_course_rows(cx, c, &fc.p, timeline_rows, &t, err);
	if (!rc)
		rc = store_omsg_scan(cx->st, &f, message_into, &t, err);
	if (!rc)
		rc = store_call_scan(cx->st, c->course_id, NULL, 0, call_into, calls, err);
	if (!rc)
		rc = app_audit(cx, "followup.read", "course", c->course_id, "timeline", err);
	json_decref(t.points);
	json_decref(calls);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return PROLO_OK;
}

/* ---- the outbox's work list ---------------------------------------------- */

/* The last call on a course (or null) as "last_call" of o. */
static enum prolo_code last_call(struct app_ctx *cx, json_t *o, const char *course_id, struct prolo_err *err)
{
	json_t *a = json_array();
	if (!a)
		return nomem(err);
	enum prolo_code rc = store_call_scan(cx->st, course_id, NULL, 1, call_into, a, err);
	json_t *one = json_array_get(a, 0);
	if (!rc && json_object_set(o, "last_call", one ? one : json_null()))
		rc = nomem(err);
	json_decref(a);
	return rc;
}

/* A list being built by a scan's callback. */
struct list_ctx {
	struct app_ctx *cx;
	json_t *arr;
};

static enum prolo_code failed_into(void *ctx, const struct store_omsg *m, struct prolo_err *err)
{
	struct list_ctx *fc = ctx;
	struct app_reach r;
	enum prolo_code rc = app_patient_reach(fc->cx, m->patient_id, &r, err);
	if (rc == PROLO_ENOTFOUND || (!rc && fc->cx->who.clinic[0] && strcmp(fc->cx->who.clinic, r.p.clinic) != 0))
		return PROLO_OK;
	if (rc)
		return rc;
	char b[16];
	json_t *att = json_array();
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:i, s:i, s:s, s:o, s:i, s:s, s:s}", "id", (json_int_t)m->id,
	                      "course_id", m->course_id, "patient_id", r.p.patient_id, "name", r.name, "email",
	                      jtext(r.sc.email), "phone", jtext(r.phone), "point_day", m->point_day, "step", m->step,
	                      "kind", step_name(m->step, b, sizeof b), "created_on", jday(m->created_on), "tries",
	                      m->tries, "state", store_omsg_state_names[m->state], "label",
	                      m->state == OM_UNKNOWN ? APP_OUTBOX_UNKNOWN_LABEL : "not delivered");
	if (!o || !att || json_array_append_new(fc->arr, o)) {
		json_decref(att);
		return nomem(err);
	}
	rc = store_oattempt_scan(fc->cx->st, m->id, attempt_into, att, err);
	json_t *lastj = json_array_get(att, json_array_size(att) - 1);
	if (!rc && json_object_set(o, "last_attempt", lastj ? lastj : json_null()))
		rc = nomem(err);
	json_decref(att);
	return rc ? rc : last_call(fc->cx, o, m->course_id, err);
}

enum prolo_code app_followup_desk(struct app_ctx *cx, int32_t day, json_t **out, struct prolo_err *err)
{
	*out = NULL;
	enum prolo_code rc = app_permit(cx, CAN_FOLLOWUP_LIST, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (day == DOM_DATE_NONE)
		day = cx->today;
	struct alert_list l;
	if ((rc = app_alerts_desk(cx, day, NULL, false, &l, err)))
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].kind == ALERT_FOLLOWUP_UNANSWERED || l.items[i].kind == ALERT_CONTACT_FIX)
			l.items[kept++] = l.items[i];
	l.n = kept;
	json_t *to_call = alerts_to_json(&l);
	alert_list_free(&l);
	struct list_ctx fc = { cx, json_array() };
	json_t *o = json_pack("{s:o, s:o, s:o}", "day", jday(day), "to_call", to_call ? json_incref(to_call) : NULL,
	                      "failed", fc.arr ? json_incref(fc.arr) : NULL);
	rc = o ? PROLO_OK : nomem(err);
	size_t i;
	json_t *a;
	json_array_foreach(to_call, i, a)
	{
		if (rc)
			break;
		rc = last_call(cx, a, json_string_value(json_object_get(a, "course_id")), err);
	}
	/* Failed, and unknown (never resent: a person must check). */
	struct store_omsg_filter f = { .state = -1, .undelivered = true };
	if (!rc)
		rc = store_omsg_scan(cx->st, &f, failed_into, &fc, err);
	char detail[64];
	snprintf(detail, sizeof detail, "%zu to call, %zu failed", json_array_size(to_call), json_array_size(fc.arr));
	if (!rc)
		rc = app_audit(cx, "followup.desk", NULL, NULL, detail, err);
	json_decref(to_call);
	json_decref(fc.arr);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return PROLO_OK;
}

/* ---- drop-outs still to be reached ---------------------------------------- */

static enum prolo_code dropout_into(void *ctx, const struct course_rows *cr, struct prolo_err *err)
{
	struct list_ctx *d = ctx;
	if (!dom_status_ended(cr->status) || dom_status_completed(cr->status))
		return PROLO_OK;
	struct app_reach r;
	struct app_fu_point pts[FU_POINTS_MAX];
	size_t n = 0;
	enum prolo_code rc = app_patient_reach(d->cx, cr->patient_id, &r, err);
	if (rc || (rc = app_followup_points(d->cx, cr, r.contactable, pts, &n, err)))
		return rc;
	json_t *pending = json_array();
	if (!pending)
		return nomem(err);
	for (size_t i = 0; i < n; i++) {
		if (pts[i].status == FU_ANSWERED || pts[i].status == FU_MISSED)
			continue;
		json_t *pj = point_json(d->cx, &pts[i], r.contactable);
		if (!pj || json_array_append_new(pending, pj)) {
			json_decref(pending);
			return nomem(err);
		}
	}
	if (json_array_size(pending) == 0) {
		json_decref(pending);
		return PROLO_OK;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:b, s:o}", "course_id", cr->course_id,
	                      "patient_id", cr->patient_id, "name", r.name, "phone", jtext(r.phone), "condition",
	                      cr->condition_name, "modality", dom_modality_names[cr->modality], "status",
	                      dom_status_names[cr->status], "end_date", jday(cr->end_date), "contactable",
	                      r.contactable, "pending", pending);
	if (!o || json_array_append_new(d->arr, o))
		return nomem(err);
	return last_call(d->cx, o, cr->course_id, err);
}

enum prolo_code app_followup_dropouts(struct app_ctx *cx, json_t **out, struct prolo_err *err)
{
	*out = NULL;
	enum prolo_code rc = app_permit(cx, CAN_FOLLOWUP_LIST, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct list_ctx d = { cx, json_array() };
	if (!d.arr)
		return nomem(err);
	struct store_report_filter f = { .clinic = cx->who.clinic[0] ? cx->who.clinic : NULL, .modality = -1,
	                                 .from = DOM_DATE_NONE, .to = DOM_DATE_NONE };
	rc = store_scan_courses(cx->st, &f, dropout_into, &d, err);
	char detail[32];
	snprintf(detail, sizeof detail, "%zu courses", json_array_size(d.arr));
	if (!rc)
		rc = app_audit(cx, "followup.dropouts", NULL, NULL, detail, err);
	json_t *o = rc ? NULL : json_pack("{s:o}", "courses", d.arr);
	if (rc)
		json_decref(d.arr);
	else if (!o)
		rc = nomem(err);
	*out = o;
	return rc;
}

/* ---- the patient's next date ------------------------------------------------ */

enum prolo_code app_qlink_next_contact(struct app_ctx *cx, const struct store_qlink *q, int32_t *day,
                                       struct prolo_err *err)
{
	*day = DOM_DATE_NONE;
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "%s", q->course_id);
	enum prolo_code rc = store_get(cx->st, REC_COURSE, &c, err);
	if (rc)
		return rc;
	struct fu_plan pl;
	app_course_plan(cx, &c, &pl);
	for (size_t i = 0; i < pl.n; i++)
		if (pl.pts[i].due > cx->today && (*day == DOM_DATE_NONE || pl.pts[i].due < *day))
			*day = pl.pts[i].due;
	return PROLO_OK;
}
