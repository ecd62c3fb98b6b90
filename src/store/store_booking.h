/* Appointments in the registry: a booking of a course's next session at a
 * local date and time in the clinic's zone (kept with the zone and the UTC
 * instant computed when it was booked or moved), and each clinic's zone.
 * Part of the store's door (store.h); its own header because only the
 * booking use cases, the alerts and the report read it. The rules (when a
 * booking may be made, moved, cancelled or missed; conflicts) are the use
 * cases' (app/bookings.c). */
#ifndef PROLO_STORE_BOOKING_H
#define PROLO_STORE_BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tz.h"
#include "store/store.h"

enum booking_status { BK_BOOKED, BK_ATTENDED, BK_CANCELLED, BK_NO_SHOW, BK__COUNT };
/* "booked", "attended", "cancelled", "no_show" */
extern const char *const store_booking_status_names[BK__COUNT];

#define BOOKING_NOTE_MAX 201

struct store_booking {
	int64_t id;                   /* assigned by store_booking_add */
	int64_t course_key;           /* read only: the course's key (course_rows) */
	char course_id[REC_ID_MAX];
	char patient_id[REC_ID_MAX];  /* read only */
	char clinic[REC_ID_MAX];      /* read only: the patient's clinic */
	int session_no;               /* the session it is for */
	int32_t date;                 /* local date in tz */
	int minute;                   /* local time: minutes after midnight */
	int minutes;                  /* length of the slot */
	char tz[TZ_NAME_MAX];         /* the clinic's zone when booked or moved */
	int64_t utc;                  /* the start as a Unix instant */
	int status;                   /* enum booking_status */
	int seq;                      /* iCalendar SEQUENCE: one more at each move or cancel */
	int attended_session_no;      /* the session recorded for it; 0 = none */
	char note[BOOKING_NOTE_MAX];
	char created_by[REC_ID_MAX + 8];
	int64_t created_at, updated_at;
};

/* Adds b (status, seq and the rest as given); b->id is set.
 * PROLO_ENOTFOUND (field course_id). */
enum prolo_code store_booking_add(struct store *st, struct store_booking *b, struct prolo_err *err);
/* PROLO_ENOTFOUND (field id). Bookings of a voided course are not found. */
enum prolo_code store_booking_get(struct store *st, int64_t id, struct store_booking *out,
                                  struct prolo_err *err);
/* Writes b's session_no, date, minute, minutes, tz, utc, status, seq,
 * attended_session_no, note and updated_at over booking b->id.
 * PROLO_ENOTFOUND (field id). */
enum prolo_code store_booking_update(struct store *st, const struct store_booking *b, struct prolo_err *err);

/* Which bookings a scan gives; NULL / empty / 0 members match all. */
struct store_booking_filter {
	const char *clinic;
	const char *course_id;
	const char *patient_id;
	int32_t from, to;   /* local dates, inclusive; DOM_DATE_NONE = open */
	int status;         /* enum booking_status; -1 = any */
	bool voided_courses; /* instead: the bookings of voided courses */
};
/* The bookings of f of courses not voided, by local date, time and id (by
 * course key first when by_course), into a new array *out of *n (free()
 * it; NULL when none). PROLO_EDB, PROLO_ENOMEM. */
enum prolo_code store_booking_collect(struct store *st, const struct store_booking_filter *f, bool by_course,
                                      struct store_booking **out, size_t *n, struct prolo_err *err);
typedef enum prolo_code (*store_booking_fn)(void *ctx, const struct store_booking *b, struct prolo_err *err);
/* The same, each to fn (a non-OK return stops and is returned). */
enum prolo_code store_booking_scan(struct store *st, const struct store_booking_filter *f, bool by_course,
                                   store_booking_fn fn, void *ctx, struct prolo_err *err);

/* A clinic's zone: "" when none is set. PROLO_EDB. */
enum prolo_code store_clinic_tz_get(struct store *st, const char *clinic, char out[TZ_NAME_MAX],
                                    struct prolo_err *err);
/* Sets it (the clinic is created when new; tz "" clears it). PROLO_EDB. */
enum prolo_code store_clinic_tz_set(struct store *st, const char *clinic, const char *tz, struct prolo_err *err);

/* The SQL of the migration that creates the table (store_migrations). */
extern const char store_booking_migration_sql[];

#endif
