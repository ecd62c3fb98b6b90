/* "prolo patient merge SURVIVOR MERGED --reason R", "prolo patient unmerge
 * MERGED --reason R", "prolo patient duplicates ID" and "prolo settings
 * show|set --clinic C": the command line's shell around app/patients.c. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_booking.h"
#include "cli/cli.h"

static void print_merge(struct cli_ctx *ctx, const struct store_merge *m, bool undo)
{
	if (ctx->json) {
		cli_print_json(ctx, app_merge_json(m));
		return;
	}
	json_t *ids = json_loads(m->courses, 0, NULL);
	fprintf(ctx->out, undo ? "merge of %s into %s undone (courses of the merge: %zu)\n"
	                       : "merged patient %s into %s: %zu course%s moved\n",
	        m->merged, m->survivor, json_array_size(ids), undo ? "" : json_array_size(ids) == 1 ? "" : "s");
	json_decref(ids);
}

int cli_patient_merge(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	(void)argc;
	bool undo = strcmp(argv[1], "unmerge") == 0;
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	struct store_merge m;
	const char *reason = cli_get(ca, "reason");
	enum prolo_code rc = undo ? app_patient_unmerge(&r.cx, ca->pos[0], reason, &m, &r.err)
	                          : app_patient_merge(&r.cx, ca->pos[0], ca->pos[1], reason, &m, &r.err);
	if ((x = cli_end(ctx, &r, rc)))
		return x;
	print_merge(ctx, &m, undo);
	return 0;
}

void cli_print_dups(FILE *f, const struct app_dups *d, const char *title)
{
	fprintf(f, "%s\n", title);
	for (size_t i = 0; i < d->n; i++) {
		const struct store_dup *x = &d->items[i];
		char year[16] = "?";
		if (x->birth_year != REC_INT_NONE)
			snprintf(year, sizeof year, "%d", (int)x->birth_year);
		fprintf(f, "  %s  %s %s, born %s (same%s%s%s)\n", x->patient_id, x->first_name, x->last_name, year,
		        x->why & DUP_NAME_YEAR ? " name and birth year" : "", x->why & DUP_PHONE ? " phone" : "",
		        x->why & DUP_EMAIL ? " e-mail" : "");
	}
}

int cli_patient_duplicates(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	struct app_dups d;
	struct patient p;
	enum prolo_code rc = app_patient_duplicates(&r.cx, ca->pos[0], &p, &d, &r.err);
	if ((x = cli_end(ctx, &r, rc)))
		return x;
	if (ctx->json) {
		cli_print_json(ctx, json_pack("{s:s,s:o}", "patient_id", p.patient_id, "duplicates", app_dups_json(&d)));
	} else if (!d.n) {
		fprintf(ctx->out, "no possible duplicates of patient %s\n", p.patient_id);
	} else {
		char title[64 + REC_ID_MAX];
		snprintf(title, sizeof title, "possible duplicates of patient %s (merge with 'prolo patient merge %s ID'):",
		         p.patient_id, p.patient_id);
		cli_print_dups(ctx->out, &d, title);
	}
	return 0;
}

int cli_settings(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const char *clinic = cli_get(ca, "clinic");
	const char *fmt = cli_get(ca, "date-format");
	const char *tz = cli_get(ca, "tz");
	bool set = strcmp(ca->cmd->verb, "set") == 0;
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	char now[8], zone[TZ_NAME_MAX];
	enum prolo_code rc = set ? app_clinic_settings_set(&r.cx, clinic, fmt, tz, &r.err) : PROLO_OK;
	if (!rc)
		rc = app_clinic_date_format(&r.cx, clinic, now, &r.err);
	if (!rc)
		rc = app_clinic_zone(&r.cx, clinic, zone, &r.err);
	if ((x = cli_end(ctx, &r, rc)))
		return x;
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s,s:s,s:s}", "clinic", clinic, "date_format", now, "tz", zone));
	else
		fprintf(ctx->out, "clinic %s: date format %s, time zone %s\n", clinic, now, zone);
	return 0;
}
