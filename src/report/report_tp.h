/* Outcomes at fixed time points after the start of a course (3, 6 and 12
 * months) and the invitation funnel, as docs/report.md "Outcomes at time
 * points" defines them. Pure: the caller (app/report.c) gives each course's
 * rows with its time points' windows, taken from the follow-up plan
 * (registry/followup.h, the one definition), and what the outbox did for
 * each; this module folds them into fixed-size counts and renders them. */
#ifndef PROLO_REPORT_TP_H
#define PROLO_REPORT_TP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/contact.h"
#include "core/course_rows.h"
#include "core/domain.h"
#include "core/err.h"

#define REPORT_TP_N 3 /* time points: 3, 6 and 12 months */
/* The months of each time point: { 3, 6, 12 }. */
extern const int report_tp_months[REPORT_TP_N];

/* The courses a time point's numbers are about: every ended course, the
 * completed ones (completed, goal_reached) and the drop-outs (every other
 * ending). */
enum report_tp_ending { TP_END_ALL, TP_END_COMPLETED, TP_END_DROPPED, TP_END__COUNT };
/* "all", "completed", "dropped" */
extern const char *const report_tp_ending_names[TP_END__COUNT];

/* One time point of one course, as the caller found it. */
struct report_tp_point {
	bool planned;          /* the course's plan has a point for these months */
	int32_t target;        /* the day it aims at: start + the point's offset */
	int32_t window_start;  /* an assessment dated in [window_start, window_end] */
	int32_t window_end;    /*   answers it */
	int channel;           /* enum contact_channel of the invitation (step 0);
	                        * CH_NONE when the outbox has no message for it */
	bool sent;             /* some message of the point had a sending attempt */
	bool delivered;        /* some attempt was accepted by the server */
};

struct report_tp_course {
	const struct course_rows *rows;
	struct report_tp_point pt[REPORT_TP_N];
};

/* One cell: courses of one group, time point and ending. */
struct report_tp_cell {
	uint64_t due, not_yet_due, no_point, answered, responders;
	double completeness;   /* answered / due; NaN when due = 0 */
	double rate, lo, hi;   /* responders / due with its Wilson interval */
	bool suppressed;       /* hidden by report_suppress */
};

/* The funnel: due time points of every course read, by the channel of
 * their invitation. */
struct report_tp_funnel {
	uint64_t due, sent, delivered, answered;
	bool suppressed;
};

struct report_tp_results {
	int32_t as_of;         /* the report's date: a window that ended before
	                        * it is closed */
	/* [group][time point][ending]; group as report_results.rows */
	struct report_tp_cell cell[(MOD__COUNT + 1) * (COND__COUNT + 1)][REPORT_TP_N][TP_END__COUNT];
	struct report_tp_funnel funnel[REPORT_TP_N][CH__COUNT];
};

struct report;

/* Folds one course's time points into the report r (before report_finish),
 * right after report_add_course took the course (it checked its rows and
 * derived its NRS observations). Courses not ended are not counted.
 * PROLO_EINVAL for a malformed point (a window that ends before it starts,
 * a channel out of range) or a course report_add_course did not take
 * last: err names the course, nothing is counted. */
enum prolo_code report_add_timepoints(struct report *r, const struct report_tp_course *c,
                                      struct prolo_err *err);
/* The rates, shares and intervals from the counts (report_finish calls
 * it). z: the interval's normal quantile. Cannot fail. */
void report_tp_finish(struct report_tp_results *tp, double z);

struct report_results;
/* report_timepoints.csv and report_funnel.csv (columns in docs/report.md):
 * integers as integers, reals with %.10g, missing or hidden as NA.
 * PROLO_ETOOBIG / PROLO_ENOMEM from the buffer. */
enum prolo_code report_tp_csv(const struct report_results *res, struct buf *out, struct prolo_err *err);
enum prolo_code report_tp_funnel_csv(const struct report_results *res, struct buf *out,
                                     struct prolo_err *err);
/* The sections of the other formats; append to o (errors kept in o->rc). */
void report_tp_text(const struct report_results *res, struct buf_out *o);
void report_tp_html(const struct report_results *res, struct buf_out *o);
/* JSON: the time_points list of group g, and the invitation funnel; NULL
 * when out of memory. */
struct json_t;
struct json_t *report_tp_json_group(const struct report_results *res, int g);
struct json_t *report_tp_json_funnel(const struct report_results *res);

#endif
