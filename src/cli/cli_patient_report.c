/* "prolo patient report ID --html FILE [--today D]": the patient's own
 * printable summary. Reading a patient's record for a report is a read of
 * identifying data, so the file is written only where the user asked. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli_plan.h"
#include "core/privfile.h"
#include "registry/patient_summary.h"
#include "store/store.h"

int cli_patient_report(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int x = 0;
	const char *html = cli_get(ca, "html");
	const char *ppath = cli_get(ca, "protocols");
	const char *id = ca->pos[0];
	int32_t today;
	if ((x = cli_today_value(ctx, cli_get(ca, "today"), &today)))
		return x;
	struct protocol_lib lib = { 0 };
	if ((x = cli_plan_protocols(ctx, ppath, false, &lib)))
		return x;
	struct store *st = NULL;
	struct prolo_err err = { 0 };
	struct patient_summary s = { 0 };
	struct buf b = { 0 };
	/* Opened for writing: the read is audited (app_patient_summary). */
	enum prolo_code rc = store_open(ctx->db_path, 0, &st, &err);
	if (!rc) {
		struct app_ctx cx;
		app_ctx_local(&cx, st, &lib);
		rc = app_patient_summary(&cx, id, &s, &err);
		app_ctx_flush(&cx);
	}
	store_close(st);
	if (!rc && patient_summary_html(&s, &lib, today, &b))
		rc = prolo_err_set(&err, PROLO_ENOMEM, "", "out of memory");
	if (!rc) {
		FILE *f = privfile_fopen(html);
		bool ok = f && fwrite(buf_str(&b), 1, b.len, f) == b.len;
		if (f)
			ok = fclose(f) == 0 && ok;
		if (!ok)
			rc = prolo_err_set(&err, PROLO_EINVAL, "html", "cannot write '%s'", html);
	}
	size_t courses = s.n_courses;
	buf_free(&b);
	patient_summary_free(&s);
	protocol_lib_free(&lib);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:I}", "file", html, "courses", (json_int_t)courses);
		cli_print_json(ctx, j);
	} else
		fprintf(ctx->out, "wrote the summary of patient %s (%zu course%s) to %s\n", id, courses,
		        courses == 1 ? "" : "s", html);
	return 0;
}
