/* Appointment routes (docs/api.md, "Bookings"): each parses the query or
 * the body into the use case's input (app/app_booking.h), calls it and
 * renders the bookings; the calendar download is the same export as
 * "prolo schedule export --ics". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_booking.h"
#include "core/domain.h"
#include "http/api_int.h"
#include "http/hjson.h"

/* "date" (YYYY-MM-DD), "time" (HH:MM) and "minutes" of a body; absent
 * members leave DOM_DATE_NONE, -1 and APP_INT_NONE. */
static enum prolo_code body_when(const json_t *body, int32_t *date, int *minute, int *minutes,
                                 struct prolo_err *err)
{
	const char *d = NULL, *t = NULL;
	enum prolo_code rc;
	*date = DOM_DATE_NONE;
	*minute = -1;
	if ((rc = hjson_str(body, "date", &d, err)) || (rc = hjson_str(body, "time", &t, err)) ||
	    (rc = api_body_int(body, "minutes", minutes, err)))
		return rc;
	if (d && !dom_date_parse(d, strlen(d), date))
		return prolo_err_set(err, PROLO_EINVAL, "date", "'%.20s' is not a valid date (YYYY-MM-DD)", d);
	if (t && (*minute = tz_minute_parse(t)) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "time", "'%.20s' is not a time of day (HH:MM)", t);
	return PROLO_OK;
}

static enum prolo_code reply_booking(struct http_req *rq, int status, const struct store_booking *b,
                                     struct prolo_err *err)
{
	return api_reply(rq, status, json_pack("{s:o}", "booking", app_booking_json(b)), err);
}

enum prolo_code h_bookings_add(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "course_id", "session_no", "date", "time", "minutes", "note", NULL };
	struct app_booking_in in = { 0 };
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "course_id", &in.course_id, err)) ||
	    (rc = api_body_int(body, "session_no", &in.session_no, err)) ||
	    (rc = body_when(body, &in.date, &in.minute, &in.minutes, err)) ||
	    (rc = hjson_str(body, "note", &in.note, err)))
		return rc;
	struct app_ctx cx;
	struct store_booking b;
	api_ctx(rq, &cx);
	if ((rc = app_booking_add(&cx, &in, &b, err)))
		return rc;
	return reply_booking(rq, 201, &b, err);
}

static enum prolo_code booking_id(struct http_req *rq, int64_t *id, struct prolo_err *err)
{
	long v;
	if (!dom_parse_long(rq->param, strlen(rq->param), 1, 1L << 40, &v))
		return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no booking '%.20s'", rq->param);
	*id = v;
	return PROLO_OK;
}

/* move, cancel and no-show: the route says which. */
enum prolo_code h_booking_change(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const move_keys[] = { "date", "time", "minutes", NULL };
	static const char *const no_keys[] = { NULL };
	bool move = rq->route == RT_BOOKING_MOVE;
	int64_t id = 0;
	int32_t date = DOM_DATE_NONE;
	int minute = -1, minutes = APP_INT_NONE;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, move ? move_keys : no_keys, err)) || (rc = booking_id(rq, &id, err)) ||
	    (move && (rc = body_when(body, &date, &minute, &minutes, err))))
		return rc;
	struct app_ctx cx;
	struct store_booking b;
	api_ctx(rq, &cx);
	if (move)
		rc = app_booking_move(&cx, id, date, minute, minutes, &b, err);
	else if (rq->route == RT_BOOKING_CANCEL)
		rc = app_booking_cancel(&cx, id, &b, err);
	else
		rc = app_booking_noshow(&cx, id, &b, err);
	return rc ? rc : reply_booking(rq, 200, &b, err);
}

/* One booking into the answer's array (a NULL object is refused too). */
static enum prolo_code add_row(void *ctx, const struct store_booking *b, struct prolo_err *err)
{
	return json_array_append_new(ctx, app_booking_json(b)) ? prolo_err_set(err, PROLO_ENOMEM, "", "out of memory")
	                                                       : PROLO_OK;
}

enum prolo_code h_bookings_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_booking_query q = { .clinic = api_query(rq, "clinic"), .course_id = api_query(rq, "course_id"),
	                               .status = -1 };
	const char *st = api_query(rq, "status");
	enum prolo_code rc;
	if ((rc = api_query_date(rq, "from", &q.from, err)) || (rc = api_query_date(rq, "to", &q.to, err)))
		return rc;
	if (st && (q.status = dom_lookup(store_booking_status_names, BK__COUNT, st, strlen(st))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "status", "is one of booked, attended, cancelled, no_show");
	if (q.clinic && !dom_id_valid(q.clinic, strlen(q.clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	char zone[TZ_NAME_MAX];
	const char *clinic = app_booking_scope(&cx, q.clinic); /* the list's clinic, whose zone it is in */
	if ((rc = app_booking_list(&cx, &q, add_row, arr, err)) ||
	    (rc = app_clinic_zone(&cx, clinic ? clinic : "", zone, err))) {
		json_decref(arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o, s:s, s:s*}", "bookings", arr, "tz", zone, "clinic", clinic), err);
}

enum prolo_code h_booking_proposal(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	const char *course = api_query(rq, "course_id");
	int no = 0;
	int32_t date = DOM_DATE_NONE;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_booking_propose(&cx, course, &no, &date, err);
	if (rc)
		return rc;
	char d[11];
	dom_date_format(date, d);
	return api_reply(rq, 200, json_pack("{s:s, s:i, s:s, s:i}", "course_id", course, "session_no", no, "date", d,
	                                    "minutes", BOOKING_SLOT_MINUTES),
	                 err);
}

enum prolo_code h_schedule_ics(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	const char *clinic = api_query(rq, "clinic"), *course = api_query(rq, "course_id");
	if (clinic && !dom_id_valid(clinic, strlen(clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "not a valid clinic code");
	struct app_ctx cx;
	struct app_schedule ex;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_schedule_export_course(&cx, clinic, course, &ex, err);
	if (rc)
		return rc;
	char stamp[20];
	int64_t day = rq->now / 86400, s = rq->now % 86400;
	int y, m, d;
	dom_civil_from_days((int32_t)day, &y, &m, &d);
	snprintf(stamp, sizeof stamp, "%04d%02d%02dT%02d%02d%02dZ", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
	         (int)(s % 60));
	buf_reset(&rq->out);
	rc = ics_render(ex.ev, ex.n, stamp, &rq->out);
	app_schedule_free(&ex);
	if (rc)
		return prolo_err_set(err, rc, "", "the calendar is too large");
	rq->content_type = "text/calendar; charset=utf-8";
	rq->status = 200;
	return PROLO_OK;
}

enum prolo_code h_clinic_zone(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "tz", NULL };
	const char *tz = NULL;
	enum prolo_code rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if (body && ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "tz", &tz, err)) ||
	             (rc = app_clinic_zone_set(&cx, rq->param, tz, err))))
		return rc;
	char zone[TZ_NAME_MAX];
	if ((rc = app_clinic_zone(&cx, rq->param, zone, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:s, s:s}", "clinic", rq->param, "tz", zone), err);
}
