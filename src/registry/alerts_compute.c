/* alerts_compute and alerts_ack: the store side of the morning list. The
 * store streams courses with borrowed arrays, and slow_progress compares a
 * course with every other course of its clinic, so each course is copied
 * into memory we own before the pure rules run. */
#include "core/grow.h"
#include "registry/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"
#include "store/store_alerts.h"
#include "store/store_booking.h"
#include "store/store_outreach.h"
#include "store/store_patients.h"

struct owned {
	struct course_rows r;
	void *block; /* one allocation holding strings and arrays */
	int32_t *noshows; /* the course's no-shows (attach_booking) */
	size_t noshow_cap;
};

struct collect {
	struct owned *items;
	size_t n, cap;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static enum prolo_code copy_course(void *p, const struct course_rows *src, struct prolo_err *err)
{
	struct collect *c = p;
	enum prolo_code grc = grow_array(&c->items, &c->cap, c->n + 1, sizeof *c->items, 64, err);
	if (grc)
		return grc;
	const char *strs[5] = { src->course_id, src->patient_id, src->clinic, src->condition_name,
	                        src->protocol ? src->protocol : "" };
	size_t len[5], total = 0;
	for (int i = 0; i < 5; i++) {
		len[i] = strlen(strs[i]) + 1;
		total += len[i];
	}
	total = align8(total);
	size_t ns = src->n_sessions, no = src->n_outcomes, na = src->n_aes;
	total += align8(ns * sizeof(int32_t)) * 2 + align8(no * sizeof(int32_t)) + align8(no) +
	         align8(no * sizeof(double)) + align8(na * sizeof(int32_t)) * 2 + align8(na) * 3;
	char *b = malloc(total ? total : 1);
	if (!b)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct owned *o = &c->items[c->n++];
	memset(o, 0, sizeof *o);
	o->block = b;
	o->r = *src;
	char *s = b;
	const char **dst[5] = { &o->r.course_id, &o->r.patient_id, &o->r.clinic, &o->r.condition_name,
	                        &o->r.protocol };
	for (int i = 0; i < 5; i++) {
		memcpy(s, strs[i], len[i]);
		*dst[i] = s;
		s += len[i];
	}
	char *q = b + align8((size_t)(s - b));
#define TAKE(field, type, count)                                        \
	do {                                                                \
		if (count)                                                      \
			memcpy(q, src->field, (count) * sizeof(type));              \
		o->r.field = (const type *)(void *)q;                           \
		q += align8((count) * sizeof(type));                            \
	} while (0)
	TAKE(sess_no, int32_t, ns);
	TAKE(sess_date, int32_t, ns);
	TAKE(out_date, int32_t, no);
	TAKE(out_instrument, uint8_t, no);
	TAKE(out_score, double, no);
	TAKE(ae_onset, int32_t, na);
	TAKE(ae_duration, int32_t, na);
	TAKE(ae_kind, uint8_t, na);
	TAKE(ae_grade, uint8_t, na);
	TAKE(ae_serious, uint8_t, na);
#undef TAKE
	return PROLO_OK;
}

/* Bookings (store/store_booking.h) join their course: the earliest one
 * still booked, and the dates of the no-shows. Courses are collected in
 * course-key order, so a course is found by bisection. */
static enum prolo_code attach_booking(void *p, const struct store_booking *b, struct prolo_err *err)
{
	struct collect *c = p;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->items[mid].r.course_key < b->course_key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->n || c->items[lo].r.course_key != b->course_key)
		return PROLO_OK;
	struct owned *o = &c->items[lo];
	if (b->status == BK_BOOKED && (!o->r.booked_session_no || b->date < o->r.booked_date)) {
		o->r.booked_session_no = b->session_no;
		o->r.booked_date = b->date;
		o->r.booked_minute = b->minute;
	} else if (b->status == BK_NO_SHOW) {
		enum prolo_code rc = grow_array(&o->noshows, &o->noshow_cap, o->r.n_noshows + 1, sizeof *o->noshows, 4, err);
		if (rc)
			return rc;
		o->noshows[o->r.n_noshows++] = b->date; /* the scan is by date */
	}
	return PROLO_OK;
}

/* The follow-up outbox's phone tasks (store/store_outreach.h) join the
 * list after the rules' alerts. */
struct task_ctx {
	struct alert_list *out;
};
static enum prolo_code task_alert(void *p, const struct store_otask *t, struct prolo_err *err)
{
	struct alert_list *l = ((struct task_ctx *)p)->out;
	enum prolo_code grc = grow_array(&l->items, &l->cap, l->n + 1, sizeof *l->items, 32, err);
	if (grc)
		return grc;
	struct alert *a = &l->items[l->n++];
	memset(a, 0, sizeof *a);
	a->kind = t->kind == OT_CONTACT_FIX ? ALERT_CONTACT_FIX : ALERT_FOLLOWUP_UNANSWERED;
	a->due = t->due;
	a->comparable_slow = a->comparable_responded = -1;
	snprintf(a->patient_id, sizeof a->patient_id, "%s", t->patient_id);
	snprintf(a->course_id, sizeof a->course_id, "%s", t->course_id);
	snprintf(a->clinic, sizeof a->clinic, "%s", t->clinic);
	snprintf(a->reason, sizeof a->reason, "%s", t->detail);
	char d[11];
	dom_date_format(t->due, d);
	snprintf(a->key, sizeof a->key, "%s:%s:%s", alert_kind_names[a->kind], d, t->course_id);
	return PROLO_OK;
}

/* The warnings a contraindication recorded later raised on an open course
 * (store/store_patients.h): one alert per course and day, urgent when a
 * rule would block the course. */
static enum prolo_code warning_alert(void *p, const struct store_course_warning *w, struct prolo_err *err)
{
	struct alert_list *l = ((struct task_ctx *)p)->out;
	char d[11], key[ALERT_KEY_MAX];
	dom_date_format(w->raised_on, d);
	snprintf(key, sizeof key, "%s:%s:%s", alert_kind_names[ALERT_CONTRAINDICATION_ADDED], d, w->course_id);
	struct alert *a = l->n ? &l->items[l->n - 1] : NULL;
	if (a && strcmp(a->key, key) == 0) {
		size_t used = strlen(a->reason);
		snprintf(a->reason + used, sizeof a->reason - used, " %s", w->message);
		a->urgent = a->urgent || w->block;
		return PROLO_OK;
	}
	enum prolo_code grc = grow_array(&l->items, &l->cap, l->n + 1, sizeof *l->items, 32, err);
	if (grc)
		return grc;
	a = &l->items[l->n++];
	memset(a, 0, sizeof *a);
	a->kind = ALERT_CONTRAINDICATION_ADDED;
	a->urgent = w->block;
	a->due = w->raised_on;
	a->comparable_slow = a->comparable_responded = -1;
	snprintf(a->patient_id, sizeof a->patient_id, "%s", w->patient_id);
	snprintf(a->course_id, sizeof a->course_id, "%s", w->course_id);
	snprintf(a->clinic, sizeof a->clinic, "%s", w->clinic);
	snprintf(a->key, sizeof a->key, "%s", key);
	snprintf(a->reason, sizeof a->reason, "A contraindication was recorded after this course was planned (%s): "
	         "review the plan. %s", w->block ? "it would block it" : "a warning", w->message);
	return PROLO_OK;
}

enum prolo_code alerts_compute(struct store *st, int32_t today, const char *clinic,
                               const struct protocol_lib *lib, struct alert_list *out,
                               struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	struct collect c = { 0 };
	const struct course_rows **ptrs = NULL;
	struct store_report_filter f = { .clinic = clinic && clinic[0] ? clinic : NULL, .modality = -1,
	                                 .condition = NULL, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE };
	enum prolo_code rc = store_scan_courses(st, &f, copy_course, &c, err);
	if (!rc) {
		struct store_booking_filter bf = { .clinic = f.clinic, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE,
		                                   .status = -1 };
		rc = store_booking_scan(st, &bf, true, attach_booking, &c, err);
	}
	for (size_t i = 0; !rc && i < c.n; i++)
		c.items[i].r.noshow_date = c.items[i].noshows;
	if (!rc && c.n) {
		ptrs = malloc(c.n * sizeof *ptrs);
		if (!ptrs)
			rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	for (size_t i = 0; !rc && i < c.n; i++)
		ptrs[i] = &c.items[i].r;
	if (!rc)
		rc = alerts_rules(ptrs, c.n, lib, today, out, err);
	if (!rc) {
		struct task_ctx tc = { out };
		rc = store_otask_scan(st, f.clinic, today, task_alert, &tc, err);
		if (!rc)
			rc = store_course_warning_scan(st, f.clinic, NULL, today, warning_alert, &tc, err);
		if (!rc)
			alerts_sort(out);
	}
	/* Drop acknowledged alerts, keeping the order. */
	size_t kept = 0;
	for (size_t i = 0; !rc && i < out->n; i++) {
		bool acked;
		rc = store_alert_acked(st, out->items[i].key, &acked, err);
		if (!rc && !acked)
			out->items[kept++] = out->items[i];
	}
	if (!rc)
		out->n = kept;
	free(ptrs);
	for (size_t i = 0; i < c.n; i++) {
		free(c.items[i].block);
		free(c.items[i].noshows);
	}
	free(c.items);
	if (rc)
		alert_list_free(out);
	return rc;
}

enum prolo_code alerts_ack(struct store *st, const char *key, const char *by, const char *note,
                           struct prolo_err *err)
{
	size_t n = key ? strlen(key) : 0;
	const char *c1 = n ? memchr(key, ':', n) : NULL;
	int kind = c1 ? dom_lookup(alert_kind_names, ALERT__COUNT, key, (size_t)(c1 - key)) : -1;
	int32_t due;
	if (kind < 0 || n >= ALERT_KEY_MAX || (size_t)(c1 - key) + 13 > n || c1[11] != ':' ||
	    !dom_date_parse(c1 + 1, 10, &due) || !dom_id_valid(c1 + 12, strlen(c1 + 12)))
		return prolo_err_set(err, PROLO_EINVAL, "key",
		                     "'%.80s' is not an alert key (KIND:YYYY-MM-DD:COURSE_ID, as 'prolo alerts' "
		                     "prints it)",
		                     key ? key : "");
	if (!by || !by[0] || strlen(by) >= REC_NAME_MAX || !dom_utf8_valid(by, strlen(by)))
		return prolo_err_set(err, PROLO_EINVAL, "by", "the name of who acknowledges is required "
		                     "(1..%d bytes of text)", REC_NAME_MAX - 1);
	if (note && (strlen(note) >= REC_TEXT_MAX || !dom_utf8_valid(note, strlen(note))))
		return prolo_err_set(err, PROLO_EINVAL, "note", "is longer than %d bytes or not UTF-8 text",
		                     REC_TEXT_MAX - 1);
	return store_alert_ack_add(st, key, c1 + 12, by, note, err);
}
