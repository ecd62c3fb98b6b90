/* The outcomes report as a use case: who may see which clinic's figures,
 * the courses it reads, and the audit row of the read. Rendering is the
 * adapters' (report/report.h renders text, csv, json and html). */
#include "app/app.h"

#include <stdio.h>
#include <string.h>

#include "report/report.h"

static enum prolo_code feed(void *ctx, const struct course_rows *rows, struct prolo_err *err)
{
	return report_add_course(ctx, rows, err);
}

enum prolo_code app_report(struct app_ctx *cx, const struct app_report_in *in,
                           const struct report_options *ro, struct report **out,
                           struct prolo_err *err)
{
	*out = NULL;
	/* Users bound to a clinic see their clinic's figures only; an admin or
	 * a user bound to none may filter by any clinic. */
	bool bound = cx->who.role != ROLE_ADMIN && cx->who.clinic[0];
	const char *clinic = in->clinic;
	if (!clinic && bound)
		clinic = cx->who.clinic;
	enum prolo_code rc = app_permit(cx, CAN_REPORT, NULL, NULL, bound ? clinic : NULL, err);
	if (rc)
		return rc;
	if (in->from != DOM_DATE_NONE && in->to != DOM_DATE_NONE && in->from > in->to)
		return prolo_err_set(err, PROLO_EINVAL, "from", "is after to");
	struct store_report_filter f = { .clinic = clinic, .modality = in->modality,
	                                 .condition = in->condition, .from = in->from, .to = in->to,
	                                 .lean = in->lean };
	struct report *r = NULL;
	if ((rc = report_new(ro, &r, err)))
		return rc;
	if (!(rc = store_scan_courses(cx->st, &f, feed, r, err)) && !(rc = report_finish(r, err))) {
		char detail[200];
		snprintf(detail, sizeof detail, "%s%s%s%s%s%s", clinic ? "clinic " : "", clinic ? clinic : "",
		         in->modality >= 0 ? " modality " : "", in->modality >= 0 ? dom_modality_names[in->modality] : "",
		         in->condition ? " condition " : "", in->condition ? in->condition : "");
		rc = app_audit(cx, "report.read", NULL, NULL, detail, err);
	}
	if (rc) {
		report_free(r);
		return rc;
	}
	*out = r;
	return PROLO_OK;
}
