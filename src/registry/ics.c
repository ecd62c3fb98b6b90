/* RFC 5545 rendering. Lines are built whole and then folded, so escaping and
 * folding are each done in one place; sessions are all-day events because
 * the registry records session dates, not times. */
#include "registry/ics.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"

size_t ics_course_sessions(const struct course_rows *c, const struct protocol_lib *lib,
                           struct ics_event *out, size_t max)
{
	if (c->status != CS_PLANNED && c->status != CS_ACTIVE)
		return 0;
	const struct protocol *p = c->protocol && c->protocol[0] ? protocol_find(lib, c->protocol) : NULL;
	int interval = c->interval_days > 0 ? c->interval_days : p ? p->interval_days : 0;
	int window = p ? p->window_days : PROTO_DEFAULT_WINDOW_DAYS;
	if (interval <= 0)
		return 0;
	int next = 1;
	int32_t due = c->start_date;
	if (c->n_sessions) {
		next = c->sess_no[c->n_sessions - 1] + 1;
		due = c->sess_date[c->n_sessions - 1] + interval;
	}
	size_t n = 0;
	for (int k = next; k <= c->planned_sessions && n < max; k++, due += interval) {
		struct ics_event *e = &out[n++];
		memset(e, 0, sizeof *e);
		char d[11], lo[11], hi[11];
		dom_date_format(due, d);
		dom_date_format(due - window, lo);
		dom_date_format(due + window, hi);
		snprintf(e->uid, sizeof e->uid, "%s-%d@prolo", c->course_id, k);
		e->date = due;
		snprintf(e->summary, sizeof e->summary, "Session %d/%d: %s, %s (patient %s)", k,
		         c->planned_sessions, c->modality >= 0 ? dom_modality_names[c->modality] : "?",
		         c->condition_name, c->patient_id);
		snprintf(e->description, sizeof e->description,
		         "Course %s, planned session %d of %d%s%s.\nPlanned for %s; it may move between %s and %s.\n"
		         "Exported by prolo: a later export updates this event.",
		         c->course_id, k, c->planned_sessions, p ? ", protocol " : "", p ? p->name : "", d, lo, hi);
	}
	return n;
}

/* Length of the UTF-8 sequence that starts with byte b (1 for stray bytes). */
static size_t utf8_len(unsigned char b)
{
	if (b >= 0xF0)
		return 4;
	if (b >= 0xE0)
		return 3;
	if (b >= 0xC0)
		return 2;
	return 1;
}

enum prolo_code ics_line(struct buf *out, const char *name, const char *value, bool escape)
{
	struct buf line = { 0 };
	enum prolo_code rc = buf_printf(&line, "%s:", name);
	for (const char *p = value; !rc && *p; p++) {
		if (escape && (*p == '\\' || *p == ';' || *p == ','))
			rc = buf_printf(&line, "\\%c", *p);
		else if (escape && *p == '\n')
			rc = buf_adds(&line, "\\n");
		else if (*p == '\r')
			continue;
		else
			rc = buf_addc(&line, *p);
	}
	/* Fold: at most 75 octets per physical line, the continuation's leading
	 * space included. */
	const char *s = buf_str(&line);
	size_t len = line.len, pos = 0, limit = 75;
	while (!rc && pos < len) {
		size_t take = 0;
		while (pos + take < len) {
			size_t cl = utf8_len((unsigned char)s[pos + take]);
			if (take + cl > limit)
				break;
			take += cl;
		}
		if (take == 0) /* cannot happen for valid text; never loop forever */
			take = 1;
		if (pos > 0)
			rc = buf_addc(out, ' ');
		if (!rc)
			rc = buf_add(out, s + pos, take);
		if (!rc)
			rc = buf_adds(out, "\r\n");
		pos += take;
		limit = 74;
	}
	buf_free(&line);
	return rc;
}

/* "YYYYMMDD" of a day; "YYYYMMDDTHHMMSSZ" of an instant. */
static void day_stamp(int32_t day, char out[20])
{
	int y, m, d;
	dom_civil_from_days(day, &y, &m, &d);
	snprintf(out, 20, "%04d%02d%02d", y, m, d);
}

static void utc_stamp(int64_t t, char out[20])
{
	int64_t day = t / 86400 - (t % 86400 < 0);
	int64_t s = t - day * 86400;
	int y, m, d;
	dom_civil_from_days((int32_t)day, &y, &m, &d);
	snprintf(out, 20, "%04d%02d%02dT%02d%02d%02dZ", y, m, d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

enum prolo_code ics_render(const struct ics_event *ev, size_t n, const char *dtstamp, struct buf *out)
{
	enum prolo_code rc = ics_line(out, "BEGIN", "VCALENDAR", false);
	if (!rc)
		rc = ics_line(out, "VERSION", "2.0", false);
	if (!rc)
		rc = ics_line(out, "PRODID", "-//prolo//treatment sessions//EN", false);
	if (!rc)
		rc = ics_line(out, "CALSCALE", "GREGORIAN", false);
	if (!rc)
		rc = ics_line(out, "METHOD", "PUBLISH", false);
	if (!rc)
		rc = ics_line(out, "X-WR-CALNAME", "prolo sessions", true);
	static const char *const status[] = { "TENTATIVE", "CONFIRMED", "CANCELLED" };
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ics_event *e = &ev[i];
		bool timed = e->start_utc != 0;
		char start[20], end[20], seq[16];
		if (timed) {
			utc_stamp(e->start_utc, start);
			utc_stamp(e->start_utc + (int64_t)e->minutes * 60, end);
		} else {
			day_stamp(e->date, start);
			day_stamp(e->date + 1, end);
		}
		snprintf(seq, sizeof seq, "%d", e->sequence);
		rc = ics_line(out, "BEGIN", "VEVENT", false);
		if (!rc)
			rc = ics_line(out, "UID", e->uid, true);
		if (!rc)
			rc = ics_line(out, "DTSTAMP", dtstamp, false);
		if (!rc)
			rc = ics_line(out, timed ? "DTSTART" : "DTSTART;VALUE=DATE", start, false);
		if (!rc)
			rc = ics_line(out, timed ? "DTEND" : "DTEND;VALUE=DATE", end, false);
		if (!rc)
			rc = ics_line(out, "SEQUENCE", seq, false);
		if (!rc)
			rc = ics_line(out, "SUMMARY", e->summary, true);
		if (!rc)
			rc = ics_line(out, "DESCRIPTION", e->description, true);
		if (!rc)
			rc = ics_line(out, "STATUS", status[e->status >= 0 && e->status <= ICS_CANCELLED ? e->status : 0],
			              false);
		if (!rc)
			rc = ics_line(out, "TRANSP", timed && e->status != ICS_CANCELLED ? "OPAQUE" : "TRANSPARENT", false);
		if (!rc)
			rc = ics_line(out, "END", "VEVENT", false);
	}
	if (!rc)
		rc = ics_line(out, "END", "VCALENDAR", false);
	return rc;
}
