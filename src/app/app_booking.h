/* Appointments as use cases (app/bookings.c): book a course's next session
 * at a local date and time in the clinic's zone, move it, cancel it, mark it
 * a no-show; the session recorded for a booking makes it attended; the
 * front desk's day and week; each clinic's zone; the calendar export.
 * docs/bookings.md gives the rules in words. */
#ifndef PROLO_APP_BOOKING_H
#define PROLO_APP_BOOKING_H

#include <jansson.h>

#include "app/app.h"
#include "store/store_booking.h"

/* The slot a booking takes when no length is given, in minutes; a length
 * may be 5..480. Two bookings of one patient may not overlap. */
#define BOOKING_SLOT_MINUTES 30
#define BOOKING_MINUTES_MIN 5
#define BOOKING_MINUTES_MAX 480
/* A booking's session number is 1..BOOKING_SESSION_MAX. */
#define BOOKING_SESSION_MAX 10000

struct app_booking_in {
	const char *course_id;
	int session_no;     /* 1..BOOKING_SESSION_MAX; APP_INT_NONE = the next
	                     * one neither recorded nor booked */
	int32_t date;       /* DOM_DATE_NONE = the protocol's interval after the
	                     * last session or booking (app_booking_propose) */
	int minute;         /* local time, minutes after midnight; -1 = none */
	int minutes;        /* BOOKING_MINUTES_MIN..MAX; APP_INT_NONE =
	                     * BOOKING_SLOT_MINUTES */
	const char *note;   /* NULL = none; at most 200 bytes, one line */
};

/* What a new booking of the course would default to: the next session and
 * its date (never before today). The course must be open. PROLO_EINVAL
 * (field date) when the course has no interval to count from and no start
 * ahead; PROLO_ENOTFOUND, PROLO_EPERM as app_load_course; PROLO_ECONFLICT
 * (field course_id) for an ended course. Read-only, not audited. */
enum prolo_code app_booking_propose(struct app_ctx *cx, const char *course_id, int *session_no, int32_t *date,
                                    struct prolo_err *err);

/* Books a course's session (permission bookings.add): the session number
 * and the length in their ranges (PROLO_EINVAL, field session_no, minutes);
 * the course is open; the session is after the last one recorded and not booked already
 * (PROLO_ECONFLICT, field session_no); the date is today or later (field
 * date); the time is given and exists in the clinic's zone on that date
 * (field time: a time the clocks skip is refused, one they pass twice is
 * its first occurrence); the patient has no other booking at an
 * overlapping time (PROLO_ECONFLICT, field time). *out gets the booking.
 * Audited as "booking.create". */
enum prolo_code app_booking_add(struct app_ctx *cx, const struct app_booking_in *in, struct store_booking *out,
                                struct prolo_err *err);

/* Moves booking id (permission bookings.change) to date (DOM_DATE_NONE =
 * the same day), minute (-1 = the same time), minutes (APP_INT_NONE =
 * the same length; else in range, field minutes), in the clinic's zone as
 * it is now; its SEQUENCE grows by one.
 * Only a booking still booked, not in the past (PROLO_EINVAL field date:
 * a past booking can only be attended or missed), to today or later; the
 * rules of app_booking_add. PROLO_ENOTFOUND (field id), PROLO_ECONFLICT
 * (field status) when it is not booked. Audited as "booking.move". */
enum prolo_code app_booking_move(struct app_ctx *cx, int64_t id, int32_t date, int minute, int minutes,
                                 struct store_booking *out, struct prolo_err *err);
/* Cancels booking id: booked, today or later; SEQUENCE grows by one.
 * Codes as app_booking_move. Audited as "booking.cancel". */
enum prolo_code app_booking_cancel(struct app_ctx *cx, int64_t id, struct store_booking *out,
                                   struct prolo_err *err);
/* Marks booking id a no-show: booked, dated today or before (PROLO_EINVAL
 * field date for a day still to come). Codes as app_booking_move. Audited
 * as "booking.no_show". */
enum prolo_code app_booking_noshow(struct app_ctx *cx, int64_t id, struct store_booking *out,
                                   struct prolo_err *err);

/* Inside the unit of app_session_add: the course's booking that session s
 * keeps (still booked, on the session's date, else for its number) becomes
 * attended and linked to it, audited as "booking.attended". None is not an
 * error. Store codes. */
enum prolo_code app_booking_session_recorded(struct app_ctx *cx, const struct session *s, struct prolo_err *err);

/* Inside the unit of app_void of session s: the booking it kept is booked
 * again (its attended_session_no cleared), audited as "booking.reopen" —
 * or cancelled ("booking.cancel", SEQUENCE one more) when the course has
 * ended or the session is booked again meanwhile. None is not an error.
 * Store codes. */
enum prolo_code app_booking_session_voided(struct app_ctx *cx, const struct session *s, struct prolo_err *err);
/* Inside the unit of app_amend of a session whose date changed from old's
 * to nw's: when a booking of the course still booked is on the new date,
 * it keeps the session (attended, "booking.attended") and the booking the
 * session kept before is released as by app_booking_session_voided;
 * otherwise the session keeps its booking. Store codes. */
enum prolo_code app_booking_session_moved(struct app_ctx *cx, const struct session *old, const struct session *nw,
                                          struct prolo_err *err);
/* Inside the unit that ends or voids course_id: its bookings still booked
 * and dated today or later, or after ended (the course's end date;
 * DOM_DATE_NONE for a void), are cancelled (SEQUENCE one more, so a
 * re-exported calendar cancels them), each audited as "booking.cancel"
 * with why ("course ended"). Earlier ones stay, to be kept or missed.
 * Store codes. */
enum prolo_code app_booking_course_closed(struct app_ctx *cx, const char *course_id, int32_t ended,
                                          const char *why, struct prolo_err *err);

struct app_booking_query {
	const char *clinic;     /* NULL = the actor's, or every clinic */
	const char *course_id;  /* NULL = any; checked against the actor's clinic */
	int32_t from, to;       /* local dates, inclusive; DOM_DATE_NONE = open */
	int status;             /* enum booking_status; -1 = any */
};
/* The bookings of q, by date and time, to fn (permission bookings.list).
 * A user bound to a clinic sees that clinic's. Audited as "booking.list"
 * with the count. */
enum prolo_code app_booking_list(struct app_ctx *cx, const struct app_booking_query *q, store_booking_fn fn,
                                 void *ctx, struct prolo_err *err);

/* The Monday of day's week. Cannot fail. */
int32_t app_week_start(int32_t day);

/* The clinic whose bookings a list shows when asked (NULL = not asked):
 * a user bound to a clinic always theirs, an admin the one asked, else
 * their own if any; NULL = every clinic. Cannot fail. */
const char *app_booking_scope(const struct app_ctx *cx, const char *asked);
/* A clinic's zone (the zone its bookings are in): its own, else
 * tz_default_name(). Cannot fail beyond the store's codes. */
enum prolo_code app_clinic_zone(struct app_ctx *cx, const char *clinic, char out[TZ_NAME_MAX],
                                struct prolo_err *err);
/* Sets a clinic's zone (permission clinics.zone): an IANA name the system
 * knows (PROLO_EINVAL field tz). Bookings made before keep their zone.
 * Audited as "clinic.zone". */
enum prolo_code app_clinic_zone_set(struct app_ctx *cx, const char *clinic, const char *tz,
                                    struct prolo_err *err);
/* A clinic's settings: its date format, its zone or both (NULL = leave
 * it), saved in one unit: a refusal of one changes neither
 * (PROLO_EINVAL naming date_format or tz). */
enum prolo_code app_clinic_settings_set(struct app_ctx *cx, const char *clinic, const char *fmt, const char *tz,
                                        struct prolo_err *err);

/* A booking as the API and --json show it: id, uid, course_id, patient_id,
 * clinic, session_no, date, time, minutes, tz, start ("…Z"), status,
 * sequence, attended_session_no (or null), note (or null). NULL only when
 * out of memory. */
json_t *app_booking_json(const struct store_booking *b);
/* Its calendar UID, "COURSE_ID-booking-ID@prolo". Cannot fail. */
void app_booking_uid(const struct store_booking *b, char *out, size_t outsz);

/* The calendar of clinic (NULL = every clinic; an actor bound to a clinic
 * gets theirs) or, with course_id, of one course
 * (course_id; checked against the actor's clinic): every booking of open
 * courses and the bookings of ended ones still to come (cancelled ones as
 * cancelled), and an all-day placeholder for each planned session not
 * booked. Audited as "schedule.export". Free with app_schedule_free. */
enum prolo_code app_schedule_export_course(struct app_ctx *cx, const char *clinic, const char *course_id,
                                           struct app_schedule *out, struct prolo_err *err);

#endif
