/* "prolo booking add|list|move|cancel|noshow|day|week|zone": appointments
 * from the command line. Each verb parses its options into the use case's
 * input (app/app_booking.h) and prints the booking, or the front desk's
 * day or week; --json prints the bookings as the API does. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_booking.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/domain.h"

static int bad_value(struct cli_ctx *ctx, const char *field, const char *what)
{
	struct prolo_err err;
	prolo_err_set(&err, PROLO_EINVAL, field, "%s", what);
	return cli_fail(ctx, &err);
}

/* --date (NULL = none): 0 or the exit status. */
static int opt_date(struct cli_ctx *ctx, const struct cli_args *ca, const char *name, int32_t *out)
{
	const char *v = cli_get(ca, name);
	*out = DOM_DATE_NONE;
	if (v && !dom_date_parse(v, strlen(v), out))
		return bad_value(ctx, name, "is not a date (YYYY-MM-DD)");
	return 0;
}

/* --time HH:MM (-1 = none) and --minutes N (APP_INT_NONE = none). */
static int opt_time(struct cli_ctx *ctx, const struct cli_args *ca, int *minute, int *minutes)
{
	const char *t = cli_get(ca, "time");
	*minute = t ? tz_minute_parse(t) : -1;
	if (t && *minute < 0)
		return bad_value(ctx, "time", "is not a time of day (HH:MM, 00:00..23:59)");
	return cli_opt_int(ctx, ca, "minutes", "minutes", minutes);
}

static void print_booking(struct cli_ctx *ctx, const struct store_booking *b)
{
	char d[11], t[6];
	dom_date_format(b->date, d);
	tz_minute_format(b->minute, t);
	fprintf(ctx->out, "%-6lld %s %s %3d min  patient %-10s course %-10s session %-3d %s%s%s\n", (long long)b->id, d,
	        t, b->minutes, b->patient_id, b->course_id, b->session_no, store_booking_status_names[b->status],
	        b->note[0] ? "  " : "", b->note);
}

/* One booking after a change: its line, or its JSON. */
static void show_one(struct cli_ctx *ctx, const char *what, const struct store_booking *b)
{
	if (ctx->json) {
		cli_print_json(ctx, json_pack("{s:o}", "booking", app_booking_json(b)));
		return;
	}
	char d[11], t[6];
	dom_date_format(b->date, d);
	tz_minute_format(b->minute, t);
	fprintf(ctx->out, "booking %lld %s: course %s session %d on %s at %s (%s), %d minutes\n", (long long)b->id,
	        what, b->course_id, b->session_no, d, t, b->tz, b->minutes);
}

struct list_ctx {
	struct cli_ctx *ctx;
	json_t *arr;
	int32_t day;     /* the day printed last (day and week views) */
	bool by_day;
	size_t n;
};

static enum prolo_code list_row(void *p, const struct store_booking *b, struct prolo_err *err)
{
	struct list_ctx *lc = p;
	lc->n++;
	if (lc->arr)
		return json_array_append_new(lc->arr, app_booking_json(b)) ? prolo_err_set(err, PROLO_ENOMEM, "", "out of memory")
		                                                           : PROLO_OK;
	if (lc->by_day && b->date != lc->day) {
		static const char *const wd[7] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
		                                   "Sunday" };
		char d[11];
		dom_date_format(b->date, d);
		fprintf(lc->ctx->out, "%s%s %s\n", lc->day == DOM_DATE_NONE ? "" : "\n", wd[b->date - app_week_start(b->date)],
		        d);
		lc->day = b->date;
	}
	print_booking(lc->ctx, b);
	return PROLO_OK;
}

static int list(struct cli_ctx *ctx, const struct cli_args *ca, const char *verb)
{
	struct app_booking_query q = { .clinic = cli_get(ca, "clinic"), .from = DOM_DATE_NONE, .to = DOM_DATE_NONE,
	                               .status = -1 };
	int x;
	bool view = strcmp(verb, "list") != 0;
	if (view) {
		int32_t day = DOM_DATE_NONE;
		const char *v = ca->n_pos ? ca->pos[0] : NULL;
		if (v && !dom_date_parse(v, strlen(v), &day))
			return bad_value(ctx, "date", "is not a date (YYYY-MM-DD)");
		if (day == DOM_DATE_NONE)
			day = clock_today();
		q.from = verb[0] == 'w' ? app_week_start(day) : day;
		q.to = verb[0] == 'w' ? q.from + 6 : day;
	} else {
		const char *st = cli_get(ca, "status");
		q.course_id = cli_get(ca, "course");
		if ((x = opt_date(ctx, ca, "from", &q.from)) || (x = opt_date(ctx, ca, "to", &q.to)))
			return x;
		if (st && (q.status = dom_lookup(store_booking_status_names, BK__COUNT, st, strlen(st))) < 0)
			return bad_value(ctx, "status", "is one of booked, attended, cancelled, no_show");
	}
	struct cli_run r;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	struct list_ctx lc = { ctx, ctx->json ? json_array() : NULL, DOM_DATE_NONE, view, 0 };
	enum prolo_code rc = app_booking_list(&r.cx, &q, list_row, &lc, &r.err);
	if (!rc && !lc.arr && lc.n == 0)
		fprintf(ctx->out, "no bookings\n");
	if (lc.arr) {
		if (!rc)
			cli_print_json(ctx, json_pack("{s:o}", "bookings", lc.arr));
		else
			json_decref(lc.arr);
	}
	return cli_end(ctx, &r, rc);
}

static int change(struct cli_ctx *ctx, const struct cli_args *ca, const char *verb)
{
	long id;
	const char *v = ca->pos[0];
	if (!v || !dom_parse_long(v, strlen(v), 1, 1L << 40, &id))
		return cli_usage(ctx, "booking %s: expected a booking id (as 'prolo booking list' prints it)", verb);
	int32_t date = DOM_DATE_NONE;
	int minute = -1, minutes = APP_INT_NONE, x;
	if (verb[0] == 'm' && ((x = opt_date(ctx, ca, "date", &date)) || (x = opt_time(ctx, ca, &minute, &minutes))))
		return x;
	struct cli_run r;
	struct store_booking b;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	enum prolo_code rc;
	const char *done;
	if (verb[0] == 'm') {
		rc = app_booking_move(&r.cx, id, date, minute, minutes, &b, &r.err);
		done = "moved";
	} else if (verb[0] == 'c') {
		rc = app_booking_cancel(&r.cx, id, &b, &r.err);
		done = "cancelled";
	} else {
		rc = app_booking_noshow(&r.cx, id, &b, &r.err);
		done = "marked a no-show";
	}
	if (!rc)
		show_one(ctx, done, &b);
	return cli_end(ctx, &r, rc);
}

static int add(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct app_booking_in in = { .course_id = cli_get(ca, "course"), .note = cli_get(ca, "note") };
	int x;
	if ((x = cli_opt_int(ctx, ca, "session", "session_no", &in.session_no)) ||
	    (x = opt_date(ctx, ca, "date", &in.date)) || (x = opt_time(ctx, ca, &in.minute, &in.minutes)))
		return x;
	struct cli_run r; /* with the protocols, for the default date */
	struct store_booking b;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	enum prolo_code rc = app_booking_add(&r.cx, &in, &b, &r.err);
	if (!rc)
		show_one(ctx, "booked", &b);
	return cli_end(ctx, &r, rc);
}

static int zone(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *clinic = ca->pos[0], *tz = ca->n_pos > 1 ? ca->pos[1] : NULL;
	struct cli_run r;
	char name[TZ_NAME_MAX];
	int x;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	enum prolo_code rc = tz ? app_clinic_zone_set(&r.cx, clinic, tz, &r.err) : PROLO_OK;
	if (!rc)
		rc = app_clinic_zone(&r.cx, clinic, name, &r.err);
	if (!rc && ctx->json)
		cli_print_json(ctx, json_pack("{s:s, s:s}", "clinic", clinic, "tz", name));
	else if (!rc)
		fprintf(ctx->out, "clinic %s: bookings in %s\n", clinic, name);
	return cli_end(ctx, &r, rc);
}

int cli_booking(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const char *verb = ca->cmd->verb;
	if (strcmp(verb, "add") == 0)
		return add(ctx, ca);
	if (strcmp(verb, "list") == 0 || strcmp(verb, "day") == 0 || strcmp(verb, "week") == 0)
		return list(ctx, ca, verb);
	if (strcmp(verb, "zone") == 0)
		return zone(ctx, ca);
	return change(ctx, ca, verb);
}
