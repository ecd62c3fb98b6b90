/* Appointments: booking a course's next session, moving, cancelling,
 * missing and keeping it, the front desk's lists, the clinics' zones and
 * the calendar export. A booking is the future's record: it may be dated
 * after today (a session may not), and once its day has passed it can only
 * be kept (the session recorded for it) or missed. Times are local to the
 * clinic's zone and kept with it; the UTC instant is computed here, by
 * core/tz.h, when the booking is made or moved. */
#include "app/app_booking.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"
#include "core/grow.h"

/* Users bound to a clinic see their clinic's; others what they ask for. */
static const char *scoped_clinic(const struct app_ctx *cx, const char *asked)
{
	return cx->who.clinic[0] && cx->who.role != ROLE_ADMIN ? cx->who.clinic : asked;
}

const char *app_booking_scope(const struct app_ctx *cx, const char *asked)
{
	const char *c = scoped_clinic(cx, asked);
	return c ? c : cx->who.clinic[0] ? cx->who.clinic : NULL;
}

static bool is_open(const struct course *c)
{
	return c->status == CS_PLANNED || c->status == CS_ACTIVE;
}

void app_booking_uid(const struct store_booking *b, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s-booking-%lld@prolo", b->course_id, (long long)b->id);
}

static void iso_utc(int64_t t, char out[32])
{
	int64_t day = t / 86400 - (t % 86400 < 0);
	int64_t s = t - day * 86400;
	char d[11];
	dom_date_format((int32_t)day, d);
	snprintf(out, 32, "%sT%02d:%02d:%02dZ", d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

json_t *app_booking_json(const struct store_booking *b)
{
	char d[11], t[6], start[32], uid[200];
	dom_date_format(b->date, d);
	tz_minute_format(b->minute, t);
	iso_utc(b->utc, start);
	app_booking_uid(b, uid, sizeof uid);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:o, s:o}", "id",
	                 (json_int_t)b->id, "uid", uid, "course_id", b->course_id, "patient_id", b->patient_id,
	                 "clinic", b->clinic, "session_no", b->session_no, "date", d, "time", t, "minutes",
	                 b->minutes, "tz", b->tz, "start", start, "status", store_booking_status_names[b->status],
	                 "sequence", b->seq, "attended_session_no",
	                 b->attended_session_no > 0 ? json_integer(b->attended_session_no) : json_null(), "note",
	                 b->note[0] ? json_string(b->note) : json_null());
}

int32_t app_week_start(int32_t day)
{
	int wday = (int)(((day % 7) + 7 + 3) % 7); /* 0 = Monday; 1970-01-01 was a Thursday */
	return day - wday;
}

/* ---- zones -------------------------------------------------------------- */

enum prolo_code app_clinic_zone(struct app_ctx *cx, const char *clinic, char out[TZ_NAME_MAX],
                                struct prolo_err *err)
{
	enum prolo_code rc = store_clinic_tz_get(cx->st, clinic ? clinic : "", out, err);
	if (!rc && !out[0])
		snprintf(out, TZ_NAME_MAX, "%s", tz_default_name());
	return rc;
}

enum prolo_code app_clinic_zone_set(struct app_ctx *cx, const char *clinic, const char *tz,
                                    struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_CLINIC_ZONE, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!clinic || !clinic[0] || !dom_id_valid(clinic, strlen(clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "is not a clinic code");
	struct tz_zone *z = NULL;
	if ((rc = tz_load(tz, "tz", &z, err)))
		return rc;
	tz_free(z);
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_clinic_tz_set(cx->st, clinic, tz, err);
	if (!rc)
		rc = app_audit(cx, "clinic.zone", "clinic", clinic, tz, err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_clinic_settings_set(struct app_ctx *cx, const char *clinic, const char *fmt, const char *tz,
                                        struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_SETTINGS_SET, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!fmt && !tz)
		return prolo_err_set(err, PROLO_EINVAL, "date_format", "give the date format, the time zone or both");
	if (fmt && strcmp(fmt, "iso") != 0 && strcmp(fmt, "dmy") != 0 && strcmp(fmt, "mdy") != 0)
		return prolo_err_set(err, PROLO_EINVAL, "date_format",
		                     "is iso (2026-03-02), dmy (02.03.2026) or mdy (03/02/2026)");
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	bool outer = cx->in_unit;
	cx->in_unit = true; /* the two below write in this unit: a refused zone undoes the format */
	if (fmt)
		rc = app_clinic_set_date_format(cx, clinic, fmt, err);
	if (!rc && tz)
		rc = app_clinic_zone_set(cx, clinic && clinic[0] ? clinic : cx->who.clinic, tz, err);
	cx->in_unit = outer;
	return app_unit_end(cx, rc, err);
}

/* ---- what a course has: sessions recorded, sessions booked -------------- */

struct course_state {
	int last_no;          /* the last session recorded; 0 = none */
	int32_t last_date;
	int booked_max;       /* the highest session booked and still booked; 0 = none */
	int32_t booked_date;  /* its date */
	int64_t booked_id;    /* the booking of want_no, 0 = none */
	int want_no;
};

static enum prolo_code last_session(void *p, const void *rec, struct prolo_err *err)
{
	struct course_state *cs = p;
	const struct session *s = rec;
	if (s->session_no > cs->last_no) {
		cs->last_no = s->session_no;
		cs->last_date = s->date;
	}
	return PROLO_OK;
}

static enum prolo_code open_booking(void *p, const struct store_booking *b, struct prolo_err *err)
{
	struct course_state *cs = p;
	if (b->session_no > cs->booked_max) {
		cs->booked_max = b->session_no;
		cs->booked_date = b->date;
	}
	if (b->session_no == cs->want_no && !cs->booked_id)
		cs->booked_id = b->id;
	return PROLO_OK;
}

static enum prolo_code course_state(struct app_ctx *cx, const char *course_id, int want_no,
                                    struct course_state *cs, struct prolo_err *err)
{
	memset(cs, 0, sizeof *cs);
	cs->want_no = want_no;
	struct store_filter f = { .course_id = course_id };
	struct store_booking_filter bf = { .course_id = course_id, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE,
	                                   .status = BK_BOOKED };
	enum prolo_code rc = store_scan(cx->st, REC_SESSION, &f, last_session, cs, err);
	if (!rc)
		rc = store_booking_scan(cx->st, &bf, false, open_booking, cs, err);
	return rc;
}

static int course_interval(const struct app_ctx *cx, const struct course *c)
{
	if (c->interval_days != REC_INT_NONE && c->interval_days > 0)
		return c->interval_days;
	const struct protocol *p = c->protocol[0] && cx->protocols ? protocol_find(cx->protocols, c->protocol) : NULL;
	return p ? p->interval_days : 0;
}

/* The next session's number and default date, from what the course has. */
static enum prolo_code propose(struct app_ctx *cx, const struct course *c, const struct course_state *cs,
                               int *no, int32_t *date, struct prolo_err *err)
{
	*no = (cs->booked_max > cs->last_no ? cs->booked_max : cs->last_no) + 1;
	int32_t base = cs->booked_max > cs->last_no ? cs->booked_date : cs->last_no ? cs->last_date : DOM_DATE_NONE;
	int interval = course_interval(cx, c);
	if (base == DOM_DATE_NONE)
		*date = c->start_date;
	else if (interval > 0)
		*date = base + interval;
	else
		return prolo_err_set(err, PROLO_EINVAL, "date",
		                     "is required: course %s has no interval (its own or its protocol's) to count from",
		                     c->course_id);
	if (*date < cx->today)
		*date = cx->today;
	return PROLO_OK;
}

static enum prolo_code ended(const struct course *c, struct prolo_err *err)
{
	if (c->meta.voided)
		return prolo_err_set(err, PROLO_ECONFLICT, "course_id", "course '%s' was voided: it takes no bookings",
		                     c->course_id);
	return prolo_err_set(err, PROLO_ECONFLICT, "course_id", "course %s has ended (%s): it takes no bookings",
	                     c->course_id, c->status >= 0 ? dom_status_names[c->status] : "?");
}

enum prolo_code app_booking_propose(struct app_ctx *cx, const char *course_id, int *session_no, int32_t *date,
                                    struct prolo_err *err)
{
	struct course c;
	struct patient p;
	struct course_state cs;
	enum prolo_code rc = app_permit(cx, CAN_BOOKINGS_ADD, NULL, NULL, NULL, err);
	if (rc || (rc = app_load_course(cx, CAN_BOOKINGS_ADD, course_id, &c, &p, err)))
		return rc;
	if (c.meta.voided || !is_open(&c))
		return ended(&c, err);
	if ((rc = course_state(cx, c.course_id, 0, &cs, err)))
		return rc;
	return propose(cx, &c, &cs, session_no, date, err);
}

/* ---- placing a booking: its zone, its instant, its conflicts ------------ */

struct overlap {
	const struct store_booking *b;
	const struct store_booking *hit;
	struct store_booking copy;
};

static enum prolo_code find_overlap(void *p, const struct store_booking *o, struct prolo_err *err)
{
	struct overlap *x = p;
	const struct store_booking *b = x->b;
	if (x->hit || o->id == b->id || (o->status != BK_BOOKED && o->status != BK_ATTENDED))
		return PROLO_OK;
	if (o->utc < b->utc + (int64_t)b->minutes * 60 && b->utc < o->utc + (int64_t)o->minutes * 60) {
		x->copy = *o;
		x->hit = &x->copy;
	}
	return PROLO_OK;
}

/* Sets b->tz and b->utc from b->date and b->minute in the clinic's zone
 * and refuses a time the clocks skip or an overlap with another booking
 * of the patient (any course). */
static enum prolo_code place(struct app_ctx *cx, struct store_booking *b, const char *clinic,
                             struct prolo_err *err)
{
	char zone[TZ_NAME_MAX];
	struct tz_zone *z = NULL;
	enum prolo_code rc = app_clinic_zone(cx, clinic, zone, err);
	if (rc || (rc = tz_load(zone, "tz", &z, err)))
		return rc;
	enum tz_local k = tz_local_to_utc(z, b->date, b->minute, &b->utc);
	tz_free(z);
	char d[11], t[6];
	dom_date_format(b->date, d);
	tz_minute_format(b->minute, t);
	if (k == TZ_LOCAL_GAP)
		return prolo_err_set(err, PROLO_EINVAL, "time",
		                     "%s does not exist on %s in %s: the clocks go forward over it; pick another time", t,
		                     d, zone);
	snprintf(b->tz, sizeof b->tz, "%s", zone);
	struct overlap x = { .b = b };
	struct store_booking_filter f = { .patient_id = b->patient_id, .from = b->date - 1, .to = b->date + 1,
	                                  .status = -1 };
	if ((rc = store_booking_scan(cx->st, &f, false, find_overlap, &x, err)))
		return rc;
	if (x.hit) {
		char od[11], ot[6];
		dom_date_format(x.hit->date, od);
		tz_minute_format(x.hit->minute, ot);
		return prolo_err_set(err, PROLO_ECONFLICT, "time",
		                     "patient %s is booked already at %s on %s for %d minutes (booking %lld, course %s)",
		                     b->patient_id, ot, od, x.hit->minutes, (long long)x.hit->id, x.hit->course_id);
	}
	return PROLO_OK;
}

/* A booking's length in minutes, when given (APP_INT_NONE = not given). */
static enum prolo_code check_minutes(int minutes, struct prolo_err *err)
{
	if (minutes != APP_INT_NONE && (minutes < BOOKING_MINUTES_MIN || minutes > BOOKING_MINUTES_MAX))
		return prolo_err_set(err, PROLO_EINVAL, "minutes", "must be a whole number of minutes, %d..%d",
		                     BOOKING_MINUTES_MIN, BOOKING_MINUTES_MAX);
	return PROLO_OK;
}

static enum prolo_code check_time(int minute, struct prolo_err *err)
{
	if (minute < 0 || minute >= 1440)
		return prolo_err_set(err, PROLO_EINVAL, "time", "is required (HH:MM, the clinic's local time)");
	return PROLO_OK;
}

static enum prolo_code not_past(const struct app_ctx *cx, int32_t date, struct prolo_err *err)
{
	if (date == DOM_DATE_NONE || date < cx->today)
		return prolo_err_set(err, PROLO_EINVAL, "date", "is before today: a booking is for today or later");
	return PROLO_OK;
}

/* The audit row of a change to booking b; why (NULL = none) says what
 * made it when it follows another record's change. */
static enum prolo_code audit_booking_why(struct app_ctx *cx, const char *action, const struct store_booking *b,
                                         const char *why, struct prolo_err *err)
{
	char id[32], detail[160 + REC_ID_MAX];
	snprintf(id, sizeof id, "%lld", (long long)b->id);
	snprintf(detail, sizeof detail, "course %s session %d sequence %d%s%s", b->course_id, b->session_no, b->seq,
	         why ? ": " : "", why ? why : "");
	return app_audit(cx, action, "booking", id, detail, err);
}

static enum prolo_code audit_booking(struct app_ctx *cx, const char *action, const struct store_booking *b,
                                     struct prolo_err *err)
{
	return audit_booking_why(cx, action, b, NULL, err);
}

enum prolo_code app_booking_add(struct app_ctx *cx, const struct app_booking_in *in, struct store_booking *out,
                                struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	enum prolo_code rc = app_permit(cx, CAN_BOOKINGS_ADD, NULL, NULL, NULL, err);
	int minutes = in->minutes == APP_INT_NONE ? BOOKING_SLOT_MINUTES : in->minutes;
	if (rc || (rc = check_minutes(in->minutes, err)) || (rc = check_time(in->minute, err)))
		return rc;
	size_t nl = in->note ? strlen(in->note) : 0;
	if (nl >= BOOKING_NOTE_MAX || (nl && (!dom_utf8_valid(in->note, nl) || strpbrk(in->note, "\r\n\t"))))
		return prolo_err_set(err, PROLO_EINVAL, "note", "is one line of at most %d bytes", BOOKING_NOTE_MAX - 1);
	if (in->session_no != APP_INT_NONE && (in->session_no < 1 || in->session_no > BOOKING_SESSION_MAX))
		return prolo_err_set(err, PROLO_EINVAL, "session_no", "must be a session number, 1..%d",
		                     BOOKING_SESSION_MAX);
	int want = in->session_no == APP_INT_NONE ? 0 : in->session_no; /* 0 = the next one */
	struct course c;
	struct patient p;
	struct course_state cs;
	if ((rc = app_load_course(cx, CAN_BOOKINGS_ADD, in->course_id, &c, &p, err)))
		return rc;
	if (c.meta.voided || !is_open(&c))
		return ended(&c, err);
	if ((rc = course_state(cx, c.course_id, want, &cs, err)))
		return rc;
	int no;
	int32_t date = in->date;
	if (want > 0 && want <= cs.last_no)
		return prolo_err_set(err, PROLO_EINVAL, "session_no",
		                     "session %d of course %s is recorded already; book a later one", want,
		                     c.course_id);
	if (cs.booked_id)
		return prolo_err_set(err, PROLO_ECONFLICT, "session_no",
		                     "session %d of course %s is booked already (booking %lld): move that booking instead",
		                     want, c.course_id, (long long)cs.booked_id);
	if (date == DOM_DATE_NONE && (rc = propose(cx, &c, &cs, &no, &date, err)))
		return rc;
	if (want == 0)
		no = (cs.booked_max > cs.last_no ? cs.booked_max : cs.last_no) + 1;
	else
		no = want;
	if ((rc = not_past(cx, date, err)))
		return rc;
	struct store_booking *b = out;
	snprintf(b->course_id, sizeof b->course_id, "%s", c.course_id);
	snprintf(b->patient_id, sizeof b->patient_id, "%s", p.patient_id);
	snprintf(b->clinic, sizeof b->clinic, "%s", p.clinic);
	snprintf(b->note, sizeof b->note, "%s", in->note ? in->note : "");
	snprintf(b->created_by, sizeof b->created_by, "%s", cx->who.user);
	b->session_no = no;
	b->date = date;
	b->minute = in->minute;
	b->minutes = minutes;
	b->status = BK_BOOKED;
	b->created_at = b->updated_at = cx->now;
	if ((rc = place(cx, b, p.clinic, err)) || (rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_booking_add(cx->st, b, err);
	if (!rc)
		rc = audit_booking(cx, "booking.create", b, err);
	return app_unit_end(cx, rc, err);
}

/* ---- changing a booking ------------------------------------------------- */

/* Reads booking id for action a: one of another clinic is answered as one
 * that is not there. */
static enum prolo_code load_booking(struct app_ctx *cx, enum app_action a, int64_t id, struct store_booking *b,
                                    struct course *c, struct patient *p, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, a, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (id <= 0 || (rc = store_booking_get(cx->st, id, b, err)) == PROLO_ENOTFOUND ||
	    (!rc && (rc = app_load_course(cx, a, b->course_id, c, p, err)) == PROLO_ENOTFOUND))
		return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no booking %lld", (long long)id);
	if (!rc && b->status != BK_BOOKED)
		return prolo_err_set(err, PROLO_ECONFLICT, "status", "booking %lld is %s, not booked", (long long)id,
		                     store_booking_status_names[b->status]);
	return rc;
}

/* Writes b (the booking changed) and its audit row; *out gets it once written. */
static enum prolo_code save(struct app_ctx *cx, const char *action, struct store_booking *b,
                            struct store_booking *out, struct prolo_err *err)
{
	enum prolo_code rc = app_unit_begin(cx, err);
	if (rc)
		return rc;
	b->updated_at = cx->now;
	rc = store_booking_update(cx->st, b, err);
	if (!rc)
		rc = audit_booking(cx, action, b, err);
	if (!(rc = app_unit_end(cx, rc, err)))
		*out = *b;
	return rc;
}

static enum prolo_code in_the_past(const struct store_booking *b, struct prolo_err *err)
{
	char d[11];
	dom_date_format(b->date, d);
	return prolo_err_set(err, PROLO_EINVAL, "date",
	                     "booking %lld was for %s, before today: it can only be kept (record the session) or "
	                     "marked a no-show",
	                     (long long)b->id, d);
}

enum prolo_code app_booking_move(struct app_ctx *cx, int64_t id, int32_t date, int minute, int minutes,
                                 struct store_booking *out, struct prolo_err *err)
{
	struct course c;
	struct patient p;
	enum prolo_code rc = app_permit(cx, CAN_BOOKINGS_CHANGE, NULL, NULL, NULL, err);
	if (rc || (rc = check_minutes(minutes, err)) ||
	    (rc = load_booking(cx, CAN_BOOKINGS_CHANGE, id, out, &c, &p, err)))
		return rc;
	if (out->date < cx->today)
		return in_the_past(out, err);
	if (!is_open(&c))
		return ended(&c, err);
	struct store_booking b = *out;
	b.date = date == DOM_DATE_NONE ? b.date : date;
	b.minute = minute < 0 ? b.minute : minute;
	b.minutes = minutes == APP_INT_NONE ? b.minutes : minutes;
	if ((rc = check_time(b.minute, err)) || (rc = not_past(cx, b.date, err)) ||
	    (rc = place(cx, &b, p.clinic, err)))
		return rc;
	b.seq++;
	return save(cx, "booking.move", &b, out, err);
}

/* Ends booking id as status: cancelled (a booking of today or later; the
 * calendar's SEQUENCE grows) or no_show (of today or before). */
static enum prolo_code close_booking(struct app_ctx *cx, int64_t id, int status, struct store_booking *out,
                                     struct prolo_err *err)
{
	struct course c;
	struct patient p;
	enum prolo_code rc = load_booking(cx, CAN_BOOKINGS_CHANGE, id, out, &c, &p, err);
	if (rc)
		return rc;
	bool cancel = status == BK_CANCELLED;
	if (cancel && out->date < cx->today)
		return in_the_past(out, err);
	if (!cancel && out->date > cx->today) {
		char d[11];
		dom_date_format(out->date, d);
		return prolo_err_set(err, PROLO_EINVAL, "date",
		                     "booking %lld is for %s, after today: it is missed only once its day has come",
		                     (long long)id, d);
	}
	struct store_booking b = *out;
	b.status = status;
	b.seq += cancel;
	return save(cx, cancel ? "booking.cancel" : "booking.no_show", &b, out, err);
}

enum prolo_code app_booking_cancel(struct app_ctx *cx, int64_t id, struct store_booking *out,
                                   struct prolo_err *err)
{
	return close_booking(cx, id, BK_CANCELLED, out, err);
}

enum prolo_code app_booking_noshow(struct app_ctx *cx, int64_t id, struct store_booking *out,
                                   struct prolo_err *err)
{
	return close_booking(cx, id, BK_NO_SHOW, out, err);
}

/* ---- a session keeps its booking ----------------------------------------- */

struct keep {
	const struct session *s;
	struct store_booking by_date, by_no;
	bool have_date, have_no;
};

static enum prolo_code match_session(void *p, const struct store_booking *b, struct prolo_err *err)
{
	struct keep *k = p;
	if (b->date == k->s->date && !k->have_date) {
		k->by_date = *b;
		k->have_date = true;
	}
	if (b->session_no == k->s->session_no && !k->have_no) {
		k->by_no = *b;
		k->have_no = true;
	}
	return PROLO_OK;
}

enum prolo_code app_booking_session_recorded(struct app_ctx *cx, const struct session *s, struct prolo_err *err)
{
	struct keep k = { .s = s };
	struct store_booking_filter f = { .course_id = s->course_id, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE,
	                                  .status = BK_BOOKED };
	enum prolo_code rc = store_booking_scan(cx->st, &f, false, match_session, &k, err);
	if (rc || (!k.have_date && !k.have_no))
		return rc;
	struct store_booking *b = k.have_date ? &k.by_date : &k.by_no;
	b->status = BK_ATTENDED;
	b->attended_session_no = s->session_no;
	b->updated_at = cx->now;
	rc = store_booking_update(cx->st, b, err);
	if (!rc)
		rc = audit_booking(cx, "booking.attended", b, err);
	return rc;
}

/* ---- bookings follow their sessions and courses ------------------------- */

/* The course's bookings of status, into a new array (free() it): changes
 * are written after the scan. */
static enum prolo_code course_bookings(struct app_ctx *cx, const char *course_id, int status,
                                       struct store_booking **rows, size_t *n, struct prolo_err *err)
{
	struct store_booking_filter f = { .course_id = course_id, .from = DOM_DATE_NONE, .to = DOM_DATE_NONE,
	                                  .status = status };
	return store_booking_collect(cx->st, &f, false, rows, n, err);
}

/* Writes b and its audit row inside the caller's unit. */
static enum prolo_code follow(struct app_ctx *cx, const char *action, struct store_booking *b, const char *why,
                              struct prolo_err *err)
{
	b->updated_at = cx->now;
	enum prolo_code rc = store_booking_update(cx->st, b, err);
	return rc ? rc : audit_booking_why(cx, action, b, why, err);
}

/* Booking b no longer kept by a session: booked again, unless its course
 * has ended or its session is booked again meanwhile, when it is
 * cancelled (the calendar's SEQUENCE grows). */
static enum prolo_code release(struct app_ctx *cx, struct store_booking *b, const char *why, struct prolo_err *err)
{
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "%s", b->course_id);
	struct course_state cs;
	enum prolo_code rc = store_get(cx->st, REC_COURSE, &c, err);
	if (!rc)
		rc = course_state(cx, b->course_id, b->session_no, &cs, err);
	if (rc)
		return rc;
	b->attended_session_no = 0;
	if (is_open(&c) && !cs.booked_id) {
		b->status = BK_BOOKED;
		return follow(cx, "booking.reopen", b, why, err);
	}
	b->status = BK_CANCELLED;
	b->seq++;
	return follow(cx, "booking.cancel", b, why, err);
}

/* The booking session s of its course keeps (attended, linked to it), into
 * *b; *found says whether there is one. */
static enum prolo_code kept_by(struct app_ctx *cx, const struct session *s, struct store_booking *b, bool *found,
                               struct prolo_err *err)
{
	struct store_booking *rows;
	size_t n;
	*found = false;
	enum prolo_code rc = course_bookings(cx, s->course_id, BK_ATTENDED, &rows, &n, err);
	for (size_t i = 0; !rc && i < n && !*found; i++)
		if (rows[i].attended_session_no == s->session_no) {
			*b = rows[i];
			*found = true;
		}
	free(rows);
	return rc;
}

enum prolo_code app_booking_session_voided(struct app_ctx *cx, const struct session *s, struct prolo_err *err)
{
	struct store_booking b;
	bool found;
	enum prolo_code rc = kept_by(cx, s, &b, &found, err);
	if (rc || !found)
		return rc;
	char why[48];
	snprintf(why, sizeof why, "session %d voided", s->session_no);
	return release(cx, &b, why, err);
}

enum prolo_code app_booking_session_moved(struct app_ctx *cx, const struct session *old, const struct session *nw,
                                          struct prolo_err *err)
{
	if (old->date == nw->date)
		return PROLO_OK;
	struct store_booking *rows, on_day, kept;
	size_t n;
	bool have_day = false, have_kept;
	enum prolo_code rc = course_bookings(cx, nw->course_id, BK_BOOKED, &rows, &n, err);
	for (size_t i = 0; !rc && i < n && !have_day; i++)
		if (rows[i].date == nw->date) {
			on_day = rows[i];
			have_day = true;
		}
	free(rows);
	if (rc || !have_day || (rc = kept_by(cx, nw, &kept, &have_kept, err)))
		return rc;
	char d[11], why[64];
	dom_date_format(nw->date, d);
	snprintf(why, sizeof why, "session %d moved to %s", nw->session_no, d);
	if (have_kept && (rc = release(cx, &kept, why, err)))
		return rc;
	on_day.status = BK_ATTENDED;
	on_day.attended_session_no = nw->session_no;
	return follow(cx, "booking.attended", &on_day, why, err);
}

enum prolo_code app_booking_course_closed(struct app_ctx *cx, const char *course_id, int32_t ended,
                                          const char *why, struct prolo_err *err)
{
	struct store_booking *rows;
	size_t n;
	enum prolo_code rc = course_bookings(cx, course_id, BK_BOOKED, &rows, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		/* Before today and within the course: kept or missed, the front
		 * desk says which. After the course's end nothing can be kept. */
		if (rows[i].date < cx->today && (ended == DOM_DATE_NONE || rows[i].date <= ended))
			continue;
		rows[i].status = BK_CANCELLED;
		rows[i].seq++;
		rc = follow(cx, "booking.cancel", &rows[i], why, err);
	}
	free(rows);
	return rc;
}

/* ---- lists -------------------------------------------------------------- */

enum prolo_code app_booking_list(struct app_ctx *cx, const struct app_booking_query *q, store_booking_fn fn,
                                 void *ctx, struct prolo_err *err)
{
	const char *clinic = scoped_clinic(cx, q->clinic);
	enum prolo_code rc = app_permit(cx, CAN_BOOKINGS_LIST, NULL, NULL, clinic, err);
	if (rc)
		return rc;
	if (q->course_id) {
		struct course c;
		struct patient p;
		if ((rc = app_load_course(cx, CAN_BOOKINGS_LIST, q->course_id, &c, &p, err)))
			return rc;
	}
	if (q->from != DOM_DATE_NONE && q->to != DOM_DATE_NONE && q->from > q->to)
		return prolo_err_set(err, PROLO_EINVAL, "from", "is after to");
	struct store_booking_filter f = { .clinic = clinic, .course_id = q->course_id, .from = q->from, .to = q->to,
	                                  .status = q->status };
	struct store_booking *rows;
	size_t n;
	if ((rc = store_booking_collect(cx->st, &f, false, &rows, &n, err)))
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = fn(ctx, &rows[i], err);
	free(rows);
	char detail[64 + REC_ID_MAX];
	snprintf(detail, sizeof detail, "%zu bookings%s%s%s%s", n, clinic ? " clinic " : "", clinic ? clinic : "",
	         q->course_id ? " course " : "", q->course_id ? q->course_id : "");
	return rc ? rc : app_audit(cx, "booking.list", NULL, NULL, detail, err);
}

/* ---- the calendar ------------------------------------------------------- */

/* Bookings older than this leave the calendar export. */
#define ICS_LOOKBACK_DAYS 90

struct sched_ctx {
	struct app_ctx *cx;
	const char *course_id;      /* NULL = every course */
	struct app_schedule *s;
	struct store_booking *bk;   /* the clinic's bookings, by course key */
	size_t n_bk, at;
};

static struct ics_event *new_event(struct app_schedule *s)
{
	struct ics_event *e = &s->ev[s->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static void booking_event(struct ics_event *e, const struct store_booking *b, const struct course_rows *c)
{
	char d[11], t[6];
	dom_date_format(b->date, d);
	tz_minute_format(b->minute, t);
	app_booking_uid(b, e->uid, sizeof e->uid);
	e->date = b->date;
	e->start_utc = b->utc;
	e->minutes = b->minutes;
	e->sequence = b->seq;
	e->status = b->status == BK_CANCELLED ? ICS_CANCELLED : ICS_CONFIRMED;
	snprintf(e->summary, sizeof e->summary, "%sSession %d/%d: %s, %s (patient %s)",
	         b->status == BK_CANCELLED ? "Cancelled: " : "", b->session_no, c->planned_sessions,
	         c->modality >= 0 ? dom_modality_names[c->modality] : "?", c->condition_name, c->patient_id);
	snprintf(e->description, sizeof e->description,
	         "Course %s, session %d, booked for %s at %s (%s), %d minutes; %s.\n"
	         "Exported by prolo: a later export updates this event.",
	         b->course_id, b->session_no, d, t, b->tz, b->minutes, store_booking_status_names[b->status]);
}

/* Bookings per session number: how many were ever made for session k of
 * the course (placeholders' SEQUENCE), and whether one is still booked. */
static void session_bookings(const struct store_booking *bk, size_t n, int k, int *made, bool *open)
{
	*made = 0;
	*open = false;
	for (size_t i = 0; i < n; i++)
		if (bk[i].session_no == k) {
			(*made)++;
			*open = *open || bk[i].status == BK_BOOKED;
		}
}

static enum prolo_code add_course(void *p, const struct course_rows *c, struct prolo_err *err)
{
	struct sched_ctx *x = p;
	struct app_schedule *s = x->s;
	if (x->course_id && strcmp(x->course_id, c->course_id) != 0)
		return PROLO_OK;
	/* This course's bookings (both lists are by course key). */
	while (x->at < x->n_bk && x->bk[x->at].course_key < c->course_key)
		x->at++;
	size_t b0 = x->at, b1 = b0;
	while (b1 < x->n_bk && x->bk[b1].course_key == c->course_key)
		b1++;
	enum prolo_code rc = grow_array(&s->ev, &s->cap, s->n + 2 * (b1 - b0) + 60, sizeof *s->ev, 256, err);
	if (rc)
		return rc;
	size_t before = s->n;
	for (size_t i = b0; i < b1; i++)
		if (x->bk[i].date >= x->cx->today - ICS_LOOKBACK_DAYS)
			booking_event(new_event(s), &x->bk[i], c);
	/* The placeholders of the planned sessions not booked: the sessions
	 * after the last booked one follow it at the interval. */
	struct course_rows plan = *c;
	int32_t last_no = 0, last_date = 0;
	for (size_t i = b0; i < b1; i++)
		if (x->bk[i].status == BK_BOOKED && x->bk[i].session_no > last_no) {
			last_no = x->bk[i].session_no;
			last_date = x->bk[i].date;
		}
	if (last_no && (!c->n_sessions || last_no > c->sess_no[c->n_sessions - 1])) {
		plan.n_sessions = 1;
		plan.sess_no = &last_no;
		plan.sess_date = &last_date;
	}
	size_t first = s->n;
	s->n += ics_course_sessions(&plan, x->cx->protocols, s->ev + s->n, s->cap - s->n);
	for (size_t i = first; i < s->n; i++) {
		int k = 0, made;
		bool open;
		const char *dash = strrchr(s->ev[i].uid, '-');
		k = dash ? atoi(dash + 1) : 0;
		session_bookings(x->bk + b0, b1 - b0, k, &made, &open);
		s->ev[i].sequence = 2 * made;
	}
	/* A booked session's placeholder goes out cancelled: the booking
	 * stands in for it. */
	int next = c->n_sessions ? c->sess_no[c->n_sessions - 1] + 1 : 1;
	for (int k = next; (c->status == CS_PLANNED || c->status == CS_ACTIVE) && k <= last_no; k++) {
		int made;
		bool open;
		session_bookings(x->bk + b0, b1 - b0, k, &made, &open);
		if (!open || k > c->planned_sessions)
			continue;
		struct ics_event *e = new_event(s);
		snprintf(e->uid, sizeof e->uid, "%s-%d@prolo", c->course_id, k);
		for (size_t i = b0; i < b1; i++)
			if (x->bk[i].session_no == k && x->bk[i].status == BK_BOOKED)
				e->date = x->bk[i].date;
		e->sequence = 2 * made - 1;
		e->status = ICS_CANCELLED;
		snprintf(e->summary, sizeof e->summary, "Session %d/%d planned: booked", k, c->planned_sessions);
		snprintf(e->description, sizeof e->description,
		         "Course %s, planned session %d: booked, see the booking's event.", c->course_id, k);
	}
	s->courses += s->n > before;
	return PROLO_OK;
}

/* The clinic a calendar is of (into out; "" = every clinic): the one
 * asked for, the actor's for an actor bound to one, or the course's. */
static enum prolo_code calendar_clinic(struct app_ctx *cx, const char *asked, const char *course_id,
                                       char out[REC_ID_MAX], struct prolo_err *err)
{
	const char *clinic = scoped_clinic(cx, asked);
	snprintf(out, REC_ID_MAX, "%s", clinic ? clinic : "");
	enum prolo_code rc = app_permit(cx, CAN_BOOKINGS_LIST, NULL, NULL, clinic, err);
	struct course c;
	struct patient p;
	if (!rc && course_id && !(rc = app_load_course(cx, CAN_BOOKINGS_LIST, course_id, &c, &p, err)))
		snprintf(out, REC_ID_MAX, "%s", p.clinic);
	return rc;
}

/* The bookings of courses voided since (entered in error), recent or
 * ahead, go out cancelled under their own UIDs, so calendars that took
 * them from an earlier export drop them; one SEQUENCE above any export
 * of the booking as it was. */
static enum prolo_code add_voided(struct app_ctx *cx, const char *clinic, struct app_schedule *s,
                                  struct prolo_err *err)
{
	struct store_booking_filter bf = { .clinic = clinic, .from = cx->today - ICS_LOOKBACK_DAYS,
	                                   .to = DOM_DATE_NONE, .status = -1, .voided_courses = true };
	struct store_booking *bk;
	size_t n;
	enum prolo_code rc = store_booking_collect(cx->st, &bf, false, &bk, &n, err);
	if (!rc && n)
		rc = grow_array(&s->ev, &s->cap, s->n + n, sizeof *s->ev, 256, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct ics_event *e = new_event(s);
		app_booking_uid(&bk[i], e->uid, sizeof e->uid);
		e->date = bk[i].date;
		e->start_utc = bk[i].utc;
		e->minutes = bk[i].minutes;
		e->sequence = bk[i].seq + 1;
		e->status = ICS_CANCELLED;
		snprintf(e->summary, sizeof e->summary, "Cancelled: session %d (course entered in error)",
		         bk[i].session_no);
		snprintf(e->description, sizeof e->description,
		         "Course %s was voided (entered in error): this appointment does not stand.\n"
		         "Exported by prolo: a later export updates this event.", bk[i].course_id);
	}
	free(bk);
	return rc;
}

enum prolo_code app_schedule_export_course(struct app_ctx *cx, const char *asked, const char *course_id,
                                           struct app_schedule *out, struct prolo_err *err)
{
	char scope[REC_ID_MAX];
	memset(out, 0, sizeof *out);
	enum prolo_code rc = calendar_clinic(cx, asked, course_id, scope, err);
	if (rc)
		return rc;
	const char *clinic = scope[0] ? scope : NULL;
	struct sched_ctx x = { .cx = cx, .course_id = course_id, .s = out };
	struct store_booking_filter bf = { .clinic = clinic, .course_id = course_id, .from = DOM_DATE_NONE,
	                                   .to = DOM_DATE_NONE, .status = -1 };
	struct store_report_filter f = { .clinic = clinic, .modality = -1, .from = DOM_DATE_NONE,
	                                 .to = DOM_DATE_NONE, .course_id = course_id };
	rc = store_booking_collect(cx->st, &bf, true, &x.bk, &x.n_bk, err);
	if (!rc)
		rc = store_scan_courses(cx->st, &f, add_course, &x, err);
	if (!rc && !course_id)
		rc = add_voided(cx, clinic, out, err);
	free(x.bk);
	if (!rc) {
		char detail[64 + 2 * REC_ID_MAX];
		snprintf(detail, sizeof detail, "calendar, %zu events of %zu courses%s%s%s%s", out->n, out->courses,
		         clinic ? " clinic " : "", clinic ? clinic : "", course_id ? " course " : "",
		         course_id ? course_id : "");
		rc = app_audit(cx, "schedule.export", NULL, NULL, detail, err);
	}
	if (rc)
		app_schedule_free(out);
	return rc;
}

void app_schedule_free(struct app_schedule *s)
{
	free(s->ev);
	memset(s, 0, sizeof *s);
}
