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
	const char *id = ca->pos[0];
	struct cli_run r;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	int32_t today = r.cx.today;
	struct patient_summary s = { 0 };
	struct buf b = { 0 };
	/* Opened for writing: the read is audited (app_patient_summary). */
	enum prolo_code rc = app_patient_summary(&r.cx, id, &s, &r.err);
	if (!rc && patient_summary_html(&s, &r.lib, today, &b))
		rc = prolo_err_set(&r.err, PROLO_ENOMEM, "", "out of memory");
	if (!rc) {
		FILE *f = privfile_fopen(html);
		bool ok = f && fwrite(buf_str(&b), 1, b.len, f) == b.len;
		if (f)
			ok = fclose(f) == 0 && ok;
		if (!ok)
			rc = prolo_err_set(&r.err, PROLO_EINVAL, "html", "cannot write '%s'", html);
	}
	size_t courses = s.n_courses;
	buf_free(&b);
	patient_summary_free(&s);
	if ((x = cli_end(ctx, &r, rc)))
		return x;
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:I}", "file", html, "courses", (json_int_t)courses);
		cli_print_json(ctx, j);
	} else
		fprintf(ctx->out, "wrote the summary of patient %s (%zu course%s) to %s\n", id, courses,
		        courses == 1 ? "" : "s", html);
	return 0;
}
