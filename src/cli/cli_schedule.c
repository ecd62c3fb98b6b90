/* "prolo schedule export --ics FILE [--today D] [--clinic C] [--course K]":
 * the bookings and the remaining planned sessions as an iCalendar file. The file
 * is written to a temporary name and renamed, so a calendar that watches it
 * never reads half a file. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_booking.h"
#include "cli/cli_plan.h"
#include "core/privfile.h"
#include "core/domain.h"
#include "registry/ics.h"
#include "store/store.h"

static enum prolo_code write_file(const char *path, const struct buf *b, struct prolo_err *err)
{
	char tmp[4200];
	int w = snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (w < 0 || (size_t)w >= sizeof tmp)
		return prolo_err_set(err, PROLO_EINVAL, "ics", "file name too long");
	FILE *f = privfile_fopen(tmp);
	if (!f)
		return prolo_err_set(err, PROLO_EINVAL, "ics", "cannot write '%s'", path);
	bool ok = fwrite(buf_str(b), 1, b->len, f) == b->len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return prolo_err_set(err, PROLO_EDB, "ics", "cannot write '%s'", path);
	}
	return PROLO_OK;
}

int cli_schedule(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int x = 0;
	const char *path = cli_get(ca, "ics");
	const char *clinic = cli_get(ca, "clinic");
	const char *course = cli_get(ca, "course");
	bool today_given = cli_has(ca, "today");
	struct cli_run r;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	int32_t today = r.cx.today;
	struct app_schedule ex = { 0 };
	/* Opened for writing: the read is audited (app_schedule_export_course). */
	enum prolo_code rc = app_schedule_export_course(&r.cx, clinic, course, &ex, &r.err);
	/* A fixed --today makes the file reproducible: stamp that midnight. */
	char stamp[20];
	if (today_given) {
		int y, m, d;
		dom_civil_from_days(today, &y, &m, &d);
		snprintf(stamp, sizeof stamp, "%04d%02d%02dT000000Z", y, m, d);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	}
	struct buf b = { 0 };
	if (!rc && ics_render(ex.ev, ex.n, stamp, &b))
		rc = prolo_err_set(&r.err, PROLO_ENOMEM, "", "out of memory");
	if (!rc)
		rc = write_file(path, &b, &r.err);
	buf_free(&b);
	size_t n_events = ex.n, n_courses = ex.courses;
	app_schedule_free(&ex);
	if ((x = cli_end(ctx, &r, rc)))
		return x;
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:I, s:I}", "file", path, "events", (json_int_t)n_events, "courses",
		                      (json_int_t)n_courses);
		cli_print_json(ctx, j);
	} else
		fprintf(ctx->out, "wrote %zu event%s of %zu course%s to %s\n", n_events, n_events == 1 ? "" : "s",
		        n_courses, n_courses == 1 ? "" : "s", path);
	return 0;
}
