/* "prolo schedule export --ics FILE [--today D] [--clinic C]": the
 * remaining planned sessions of open courses as an iCalendar file. The file
 * is written to a temporary name and renamed, so a calendar that watches it
 * never reads half a file. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_plan.h"
#include "core/privfile.h"
#include "core/domain.h"
#include "registry/ics.h"
#include "store/store.h"

struct export_ctx {
	const struct protocol_lib *lib;
	struct ics_event *ev;
	size_t n, cap;
	size_t courses;
};

static enum prolo_code add_course(void *p, const struct course_rows *c, struct prolo_err *err)
{
	struct export_ctx *x = p;
	if (x->cap - x->n < 60) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct ics_event *grown = realloc(x->ev, cap * sizeof *grown);
		if (!grown)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		x->ev = grown;
		x->cap = cap;
	}
	size_t k = ics_course_sessions(c, x->lib, x->ev + x->n, x->cap - x->n);
	x->n += k;
	x->courses += k > 0;
	return PROLO_OK;
}

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

int cli_schedule(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "export") != 0)
		return cli_usage(ctx, "schedule: expected 'export --ics FILE'");
	if (argc > 32)
		return cli_usage(ctx, "too many arguments");
	bool used[32] = { false };
	used[0] = used[1] = true;
	const char *path = cli_opt(argc, argv, used, "--ics");
	const char *clinic = cli_opt(argc, argv, used, "--clinic");
	const char *ppath = cli_opt(argc, argv, used, "--protocols");
	bool today_given = false;
	for (int i = 2; i < argc; i++)
		today_given |= strncmp(argv[i], "--today", 7) == 0;
	int32_t today;
	int x = cli_plan_today(ctx, argc, argv, used, &today);
	if (x)
		return x;
	if (!path)
		return cli_usage(ctx, "schedule export: --ics FILE is required");
	if ((x = cli_no_extra(ctx, argc, argv, used, 2)))
		return x;
	struct protocol_lib lib = { 0 };
	if ((x = cli_plan_protocols(ctx, ppath, false, &lib)))
		return x;
	struct store *st = NULL;
	struct prolo_err err = { 0 };
	struct export_ctx ex = { .lib = &lib };
	struct store_report_filter f = { .clinic = clinic, .modality = -1, .from = DOM_DATE_NONE,
	                                 .to = DOM_DATE_NONE };
	enum prolo_code rc = store_open(ctx->db_path, STORE_READONLY, &st, &err);
	if (!rc)
		rc = store_scan_courses(st, &f, add_course, &ex, &err);
	store_close(st);
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
		rc = prolo_err_set(&err, PROLO_ENOMEM, "", "out of memory");
	if (!rc)
		rc = write_file(path, &b, &err);
	buf_free(&b);
	free(ex.ev);
	protocol_lib_free(&lib);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:I, s:I}", "file", path, "events", (json_int_t)ex.n, "courses",
		                      (json_int_t)ex.courses);
		cli_print_json(ctx, j);
	} else
		fprintf(ctx->out, "wrote %zu session%s of %zu course%s to %s\n", ex.n, ex.n == 1 ? "" : "s", ex.courses,
		        ex.courses == 1 ? "" : "s", path);
	return 0;
}
