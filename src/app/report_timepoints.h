/* The report's time points as the use case feeds them (app/report.c):
 * each course's follow-up plan from the protocol library (the same plan
 * the outbox follows, registry/followup.h) and what the outbox did for it,
 * read beside the courses in course-key order. Private to src/app/. */
#ifndef PROLO_APP_REPORT_TIMEPOINTS_H
#define PROLO_APP_REPORT_TIMEPOINTS_H

#include "app/app.h"
#include "registry/followup.h"
#include "report/report.h"
#include "store/store_outreach.h"

struct app_tp_feed {
	const struct protocol_lib *protocols;
	struct store_ostep_cursor *steps;
	char proto_name[PROTO_NAME_MAX];  /* the last protocol looked up */
	const struct protocol *proto;     /* and what it was (NULL: none) */
	struct report_tp_course tc;       /* the current course's time points */
	/* The plan on day 0 of the last protocol seen (idx_proto, NULL for the
	 * defaults; valid when idx_known) and its point of each time point
	 * (-1: none): a plan's offsets depend on its protocol only. */
	struct fu_plan plan;
	int idx[REPORT_TP_N];
	bool idx_known;
	const struct protocol *idx_proto;
};

/* Opens the outbox's cursor. PROLO_EDB, PROLO_ENOMEM. */
enum prolo_code app_tp_open(struct app_ctx *cx, struct app_tp_feed *f, struct prolo_err *err);
/* Feeds one course's time points to r (after report_add_course).
 * Codes of store_ostep_course and report_add_timepoints. */
enum prolo_code app_tp_feed(struct app_tp_feed *f, struct report *r, const struct course_rows *rows,
                            struct prolo_err *err);
/* Cannot fail; a zeroed feed is a no-op. */
void app_tp_close(struct app_tp_feed *f);

#endif
