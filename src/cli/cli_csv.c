/* prolo import csv DIR / prolo export csv DIR. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "registry/csvio.h"

static void show_progress(void *ctx, const char *line)
{
	struct cli_ctx *c = ctx;
	fprintf(c->errs, "importing %s\n", line);
}

int cli_import(struct cli_ctx *ctx, int argc, char **argv)
{
	bool used[16] = { false };
	if (argc > 16)
		return cli_usage(ctx, "too many arguments");
	used[0] = true;
	bool progress = cli_flag(argc, argv, used, "--progress");
	const char *fmt = cli_arg(argc, argv, used, 1);
	const char *dir = cli_arg(argc, argv, used, 1);
	int x = cli_no_extra(ctx, argc, argv, used, 1);
	if (x)
		return x;
	if (!fmt || strcmp(fmt, "csv") != 0 || !dir)
		return cli_usage(ctx, "usage: prolo import csv DIR [--progress]");
	if (isatty(fileno(ctx->errs)))
		progress = true;

	struct prolo_err err = { 0 };
	struct store *st = NULL;
	if (store_open(ctx->db_path, 0, &st, &err))
		return cli_fail(ctx, &err);
	struct csvio_import_stats stats = { 0 };
	enum prolo_code rc = store_begin(st, &err);
	if (!rc)
		rc = csvio_import(st, dir, &stats, progress ? show_progress : NULL, ctx, &err);
	if (!rc) {
		char detail[160];
		snprintf(detail, sizeof detail, "patients=%ld courses=%ld sessions=%ld outcomes=%ld adverse_events=%ld",
		         stats.rows[REC_PATIENT], stats.rows[REC_COURSE], stats.rows[REC_SESSION],
		         stats.rows[REC_OUTCOME], stats.rows[REC_AE]);
		rc = cli_audit_event(st, "import", "csv", detail, &err);
	}
	if (!rc)
		rc = store_commit(st, &err);
	if (rc)
		store_rollback(st);
	store_close(st);
	if (stats.messages.len)
		fputs(buf_str(&stats.messages), ctx->errs);
	csvio_import_stats_free(&stats);
	if (rc)
		return cli_fail(ctx, &err);
	static const char *const keys[REC__COUNT] = { "patients", "courses", "sessions",
	                                             "injections", "outcomes", "adverse_events" };
	if (ctx->json) {
		fputc('{', ctx->out);
		for (int k = 0; k < REC__COUNT; k++)
			fprintf(ctx->out, "%s\"%s\":%ld", k ? "," : "", keys[k], stats.rows[k]);
		fputs("}\n", ctx->out);
	} else {
		fprintf(ctx->out, "imported");
		for (int k = 0; k < REC__COUNT; k++)
			fprintf(ctx->out, "%s %ld %s", k ? "," : "", stats.rows[k], keys[k]);
		fputc('\n', ctx->out);
	}
	return 0;
}

int cli_export(struct cli_ctx *ctx, int argc, char **argv)
{
	bool used[16] = { false };
	if (argc > 16)
		return cli_usage(ctx, "too many arguments");
	used[0] = true;
	bool deid = cli_flag(argc, argv, used, "--deidentify");
	bool sheet = cli_flag(argc, argv, used, "--spreadsheet");
	const char *fmt = cli_arg(argc, argv, used, 1);
	const char *dir = cli_arg(argc, argv, used, 1);
	int x = cli_no_extra(ctx, argc, argv, used, 1);
	if (x)
		return x;
	if (!fmt || strcmp(fmt, "csv") != 0 || !dir)
		return cli_usage(ctx, "usage: prolo export csv DIR [--deidentify] [--spreadsheet]");
	struct prolo_err err = { 0 };
	struct store *st = NULL;
	if (store_open(ctx->db_path, 0, &st, &err))
		return cli_fail(ctx, &err);
	long counts[REC__COUNT] = { 0 };
	const char *detail = sheet ? (deid ? "deidentified, spreadsheet" : "full, spreadsheet")
	                           : (deid ? "deidentified" : "full");
	enum prolo_code rc = cli_audit_event(st, "export", "csv", detail, &err);
	if (!rc)
		rc = csvio_export(st, dir, deid, sheet, counts, &err);
	store_close(st);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json)
		fprintf(ctx->out, "{\"patients\":%ld,\"courses\":%ld,\"sessions\":%ld,\"injections\":%ld,"
		                  "\"outcomes\":%ld,\"adverse_events\":%ld}\n",
		        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
	else
		fprintf(ctx->out, "exported %ld patients, %ld courses, %ld sessions, %ld injections, "
		                  "%ld outcomes, %ld adverse events to %s\n",
		        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], dir);
	return 0;
}
