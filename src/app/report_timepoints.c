/* The report's time points per course: plan, windows and the outbox's
 * steps (app/report_timepoints.h). */
#include "app/report_timepoints.h"

#include <stdio.h>
#include <string.h>

enum prolo_code app_tp_open(struct app_ctx *cx, struct app_tp_feed *f, struct prolo_err *err)
{
	memset(f, 0, sizeof *f);
	f->protocols = cx->protocols;
	return store_ostep_open(cx->st, &f->steps, err);
}

/* The course's protocol, remembered from the last course (most courses of
 * a registry share a few protocols). */
static const struct protocol *protocol_of(struct app_tp_feed *f, const char *name)
{
	if (!f->protocols || !name || !name[0])
		return NULL;
	if (strcmp(name, f->proto_name) == 0)
		return f->proto;
	const struct protocol *p = protocol_find(f->protocols, name);
	if (strlen(name) < sizeof f->proto_name) {
		snprintf(f->proto_name, sizeof f->proto_name, "%s", name);
		f->proto = p;
	}
	return p;
}

static void on_step(void *ctx, const struct store_ostep *s)
{
	struct app_tp_feed *f = ctx;
	for (int i = 0; i < REPORT_TP_N; i++) {
		if (f->idx[i] < 0 || f->plan.pts[f->idx[i]].offset_days != s->point_day)
			continue;
		struct report_tp_point *p = &f->tc.pt[i];
		if (s->step == 0)
			p->channel = s->channel;
		p->sent |= s->attempted;
		p->delivered |= s->accepted;
	}
}

enum prolo_code app_tp_feed(struct app_tp_feed *f, struct report *r, const struct course_rows *rows,
                            struct prolo_err *err)
{
	memset(&f->tc, 0, sizeof f->tc);
	f->tc.rows = rows;
	f->plan.n = 0;
	if (rows->start_date != DOM_DATE_NONE)
		followup_plan(protocol_of(f, rows->protocol), rows->condition_name, rows->start_date, &f->plan);
	for (int i = 0; i < REPORT_TP_N; i++) {
		struct report_tp_point *p = &f->tc.pt[i];
		f->idx[i] = followup_point_at_months(&f->plan, report_tp_months[i]);
		p->channel = CH_NONE;
		if (f->idx[i] < 0)
			continue;
		const struct fu_point *fp = &f->plan.pts[f->idx[i]];
		p->planned = true;
		p->target = fp->due;
		p->window_start = fp->window_start;
		p->window_end = fp->window_end;
	}
	enum prolo_code rc = store_ostep_course(f->steps, rows->course_key, on_step, f, err);
	return rc ? rc : report_add_timepoints(r, &f->tc, err);
}

void app_tp_close(struct app_tp_feed *f)
{
	store_ostep_close(f->steps);
	f->steps = NULL;
}
