/* prolo import csv DIR / prolo export csv DIR. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "app/app.h"
#include "registry/csvio.h"

static void show_progress(void *ctx, const char *line)
{
	struct cli_ctx *c = ctx;
	fprintf(c->errs, "importing %s\n", line);
}

static const char *const kind_keys[REC__COUNT] = { "patients", "courses", "sessions",
                                                   "injections", "outcomes", "adverse_events" };

/* {"patients": n, ...} for --json. NULL only when out of memory. */
static json_t *counts_json(const long counts[REC__COUNT])
{
	json_t *o = json_object();
	for (int k = 0; o && k < REC__COUNT; k++)
		json_object_set_new(o, kind_keys[k], json_integer(counts[k]));
	return o;
}

int cli_import(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	bool progress = cli_has(ca, "progress");
	const char *dir = ca->pos[1];
	if (strcmp(ca->pos[0], "csv") != 0)
		return cli_usage(ctx, "usage: prolo import csv DIR [--progress]");
	if (isatty(fileno(ctx->errs)))
		progress = true;

	struct prolo_err err = { 0 };
	struct store *st = NULL;
	if (store_open(ctx->db_path, 0, &st, &err))
		return cli_fail(ctx, &err);
	struct csvio_import_stats stats = { 0 };
	struct app_ctx cx;
	app_ctx_local(&cx, st, NULL);
	enum prolo_code rc = app_import_csv(&cx, dir, &stats, progress ? show_progress : NULL, ctx, &err);
	app_ctx_flush(&cx);
	store_close(st);
	if (stats.messages.len)
		fputs(buf_str(&stats.messages), ctx->errs);
	csvio_import_stats_free(&stats);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *j = counts_json(stats.rows);
		if (j && stats.side_rows)
			json_object_set_new(j, "contacts", json_integer(stats.side_rows));
		cli_print_json(ctx, j);
	} else {
		fprintf(ctx->out, "imported");
		for (int k = 0; k < REC__COUNT; k++)
			fprintf(ctx->out, "%s %ld %s", k ? "," : "", stats.rows[k], kind_keys[k]);
		if (stats.side_rows)
			fprintf(ctx->out, ", %ld contacts", stats.side_rows);
		fputc('\n', ctx->out);
	}
	return 0;
}

int cli_export(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	bool deid = cli_has(ca, "deidentify");
	bool sheet = cli_has(ca, "spreadsheet");
	const char *dir = ca->pos[1];
	if (strcmp(ca->pos[0], "csv") != 0)
		return cli_usage(ctx, "usage: prolo export csv DIR [--deidentify] [--spreadsheet]");
	struct prolo_err err = { 0 };
	struct store *st = NULL;
	if (store_open(ctx->db_path, 0, &st, &err))
		return cli_fail(ctx, &err);
	long counts[REC__COUNT] = { 0 };
	struct app_ctx cx;
	app_ctx_local(&cx, st, NULL);
	enum prolo_code rc = app_export_csv(&cx, dir, deid, sheet, counts, &err);
	app_ctx_flush(&cx);
	store_close(st);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json)
		cli_print_json(ctx, counts_json(counts));
	else
		fprintf(ctx->out, "exported %ld patients, %ld courses, %ld sessions, %ld injections, "
		                  "%ld outcomes, %ld adverse events to %s\n",
		        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], dir);
	return 0;
}
