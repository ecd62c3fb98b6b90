/* prolo report: streams the registry's courses through the report builder
 * and renders text, csv (report.csv + logrank.csv into a folder), json or
 * one self-contained html file. The whole report is rendered into memory
 * before anything is written, so a failure leaves no half-written file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/privfile.h"
#include "core/buf.h"
#include "core/domain.h"
#include "report/report.h"
#include "store/store.h"

#define REPORT_OUT_LIMIT ((size_t)64 << 20)

/* Writes len bytes to path (replacing it); PROLO_EINVAL naming the path. */
static enum prolo_code write_file(const char *path, const char *data, size_t len,
                                  struct prolo_err *err)
{
	FILE *f = privfile_fopen(path);
	if (!f)
		return prolo_err_set(err, PROLO_EINVAL, "--out", "cannot write %s: %s", path, strerror(errno));
	size_t w = fwrite(data, 1, len, f);
	int bad = w != len || ferror(f);
	if (fclose(f) != 0 || bad)
		return prolo_err_set(err, PROLO_EINVAL, "--out", "cannot write %s: %s", path, strerror(errno));
	return PROLO_OK;
}

static int parse_date_opt(struct cli_ctx *ctx, const char *name, const char *v, int32_t *out)
{
	*out = DOM_DATE_NONE;
	if (!v)
		return 0;
	if (!dom_date_parse(v, strlen(v), out))
		return cli_usage(ctx, "%s: '%s' is not a date (YYYY-MM-DD)", name, v);
	return 0;
}

int cli_report(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	struct prolo_err err = { 0 };
	struct report *rep = NULL;
	struct buf a, b, tp, fn;
	buf_init(&a, REPORT_OUT_LIMIT);
	buf_init(&b, REPORT_OUT_LIMIT);
	buf_init(&tp, REPORT_OUT_LIMIT);
	buf_init(&fn, REPORT_OUT_LIMIT);
	struct buf desc;
	buf_init(&desc, 1024);
	int rc = 0;
	enum prolo_code pc = PROLO_OK;

	const char *format = cli_get(ca, "format");
	const char *out = cli_get(ca, "out");
	const char *clinic = cli_get(ca, "clinic");
	const char *modality = cli_get(ca, "modality");
	const char *condition = cli_get(ca, "condition");
	const char *from = cli_get(ca, "from");
	const char *to = cli_get(ca, "to");
	if (!format)
		format = ctx->json ? "json" : "text";
	if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json") &&
	    strcmp(format, "html")) {
		rc = cli_usage(ctx, "--format: '%s' is not one of text|csv|json|html", format);
		goto done;
	}
	struct app_report_in f = { .clinic = clinic, .modality = -1, .condition = condition, .lean = true };
	if (modality) {
		f.modality = dom_lookup(dom_modality_names, MOD__COUNT, modality, strlen(modality));
		if (f.modality < 0) {
			rc = cli_usage(ctx, "--modality: '%s' is not one of dextrose|prp|stem_cell", modality);
			goto done;
		}
	}
	if ((rc = parse_date_opt(ctx, "--from", from, &f.from)) != 0 ||
	    (rc = parse_date_opt(ctx, "--to", to, &f.to)) != 0)
		goto done;
	if (f.from != DOM_DATE_NONE && f.to != DOM_DATE_NONE && f.from > f.to) {
		rc = cli_usage(ctx, "--from %s is after --to %s", from, to);
		goto done;
	}

	if (clinic)
		buf_printf(&desc, "clinic %s; ", clinic);
	if (modality)
		buf_printf(&desc, "modality %s; ", modality);
	if (condition)
		buf_printf(&desc, "condition %s; ", condition);
	if (from || to)
		buf_printf(&desc, "courses started %s..%s; ", from ? from : "", to ? to : "");
	if (desc.len >= 2)
		desc.data[desc.len - 2] = '\0'; /* drop the last "; " */
	struct report_options opt = { .conf = 0.95, .filter_desc = desc.len ? desc.data : NULL };

	/* the registry, the protocol library (the courses' follow-up plans)
	 * and the report's day (--today) */
	struct cli_run run;
	if ((rc = cli_begin(ctx, ca, &run)) != 0)
		goto done;
	pc = app_report(&run.cx, &f, &opt, &rep, &run.err);
	if ((rc = cli_end(ctx, &run, pc)) != 0)
		goto done;
	const struct report_results *res = report_results(rep);

	if (strcmp(format, "csv") == 0) {
		if ((pc = report_csv(res, &a, &err)) != PROLO_OK ||
		    (pc = report_logrank_csv(res, &b, &err)) != PROLO_OK)
			goto fail;
		if (!out) { /* report.csv on stdout */
			fwrite(a.data, 1, a.len, ctx->out);
			goto done;
		}
		if ((pc = report_tp_csv(res, &tp, &err)) != PROLO_OK ||
		    (pc = report_tp_funnel_csv(res, &fn, &err)) != PROLO_OK)
			goto fail;
		if (privfile_mkdir(out) != 0) {
			pc = prolo_err_set(&err, PROLO_EINVAL, "--out", "cannot create folder %s: %s", out, strerror(errno));
			goto fail;
		}
		const struct { const char *name; const struct buf *data; } files[] = {
			{ "report.csv", &a }, { "logrank.csv", &b }, { "report_timepoints.csv", &tp },
			{ "report_funnel.csv", &fn },
		};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			char path[4096];
			if ((size_t)snprintf(path, sizeof path, "%s/%s", out, files[i].name) >= sizeof path) {
				pc = prolo_err_set(&err, PROLO_EINVAL, "--out", "folder name too long");
				goto fail;
			}
			if ((pc = write_file(path, buf_str(files[i].data), files[i].data->len, &err)) != PROLO_OK)
				goto fail;
		}
		goto done;
	}
	if (strcmp(format, "text") == 0)
		pc = report_text(res, &a, &err);
	else if (strcmp(format, "json") == 0)
		pc = report_json(res, &a, &err);
	else
		pc = report_html(res, &a, &err);
	if (pc != PROLO_OK)
		goto fail;
	if (out)
		pc = write_file(out, buf_str(&a), a.len, &err);
	else
		fwrite(buf_str(&a), 1, a.len, ctx->out);
	if (pc != PROLO_OK)
		goto fail;
	goto done;
fail:
	rc = cli_fail(ctx, &err);
done:
	buf_free(&a);
	buf_free(&b);
	buf_free(&tp);
	buf_free(&fn);
	buf_free(&desc);
	report_free(rep);
	return rc;
}
