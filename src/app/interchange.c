/* The CSV interchange as use cases: an all-or-nothing import and an
 * export, both for the registry's administrator and both audited. The
 * formats are registry/csvio.c's. */
#include "app/app.h"

#include <stdio.h>

#include "registry/csvio.h"

enum prolo_code app_import_csv(struct app_ctx *cx, const char *dir, struct csvio_import_stats *stats,
                               void (*progress)(void *pctx, const char *line), void *pctx,
                               struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_IMPORT, NULL, NULL, NULL, err);
	if (rc || (rc = app_unit_begin(cx, err)))
		return rc;
	rc = csvio_import(cx->st, dir, stats, progress, pctx, err);
	if (!rc) {
		char detail[200];
		snprintf(detail, sizeof detail, "patients=%ld courses=%ld sessions=%ld outcomes=%ld adverse_events=%ld",
		         stats->rows[REC_PATIENT], stats->rows[REC_COURSE], stats->rows[REC_SESSION],
		         stats->rows[REC_OUTCOME], stats->rows[REC_AE]);
		rc = app_audit(cx, "import", "csv", "", detail, err);
	}
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_export_csv(struct app_ctx *cx, const char *dir, bool deidentify, bool spreadsheet,
                               long counts[REC__COUNT], struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_EXPORT, NULL, NULL, NULL, err);
	const char *detail = spreadsheet ? (deidentify ? "deidentified, spreadsheet" : "full, spreadsheet")
	                                 : (deidentify ? "deidentified" : "full");
	if (!rc)
		rc = app_audit(cx, "export", "csv", "", detail, err);
	return rc ? rc : csvio_export(cx->st, dir, deidentify, spreadsheet, counts, err);
}
