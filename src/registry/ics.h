/* iCalendar (RFC 5545) export of upcoming sessions. Pure: builds events
 * from course rows and renders them with CRLF line ends, TEXT escaping and
 * folding at 75 octets (never inside a UTF-8 character). UIDs are
 * "COURSE_ID-SESSION_NO@prolo" for a planned session not booked yet (an
 * all-day placeholder) and "COURSE_ID-booking-ID@prolo" for a booking (a
 * timed event), so a calendar that imports a later export updates its
 * events instead of duplicating them; SEQUENCE grows with each change. */
#ifndef PROLO_ICS_H
#define PROLO_ICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/course_rows.h"
#include "registry/protocol.h"

enum ics_status { ICS_TENTATIVE, ICS_CONFIRMED, ICS_CANCELLED };

struct ics_event {
	char uid[160];
	int32_t date;          /* all-day event on this day (start_utc 0) */
	char summary[256];
	char description[512];
	int64_t start_utc;     /* a timed event from this instant; 0 = all-day */
	int minutes;           /* a timed event's length */
	int sequence;          /* SEQUENCE: one more at each change */
	int status;            /* enum ics_status */
};

/* The remaining planned sessions of an open (planned/active) course:
 * session n_done+1 is due at the last session + interval (or the start
 * date), the rest follow at the interval. The interval is the course's,
 * else its protocol's; without one there are no events. Writes at most max
 * events and returns how many. Pure; cannot fail. */
size_t ics_course_sessions(const struct course_rows *c, const struct protocol_lib *lib,
                           struct ics_event *out, size_t max);

/* Appends one content line "NAME:VALUE" (name may carry parameters),
 * escaping value as TEXT when escape is true, folded, CRLF-terminated.
 * PROLO_ETOOBIG / PROLO_ENOMEM from the buffer. */
enum prolo_code ics_line(struct buf *out, const char *name, const char *value, bool escape);

/* A whole VCALENDAR with one VEVENT per event. dtstamp is the UTC
 * "YYYYMMDDTHHMMSSZ" stamped on each event. Codes of the buffer. */
enum prolo_code ics_render(const struct ics_event *ev, size_t n, const char *dtstamp, struct buf *out);

#endif
