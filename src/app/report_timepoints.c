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
	for (int i = 0; i < REPORT_TP_N; i++)
		f->tc.pt[i].channel = CH_NONE;
	int32_t start = rows->start_date;
	if (start != DOM_DATE_NONE) {
		/* A plan's days are the start plus the protocol's offsets
		 * (registry/followup.h), so the plan of day 0 moved to the
		 * course's start is the course's plan: made once per protocol. */
		const struct protocol *proto = protocol_of(f, rows->protocol);
		if (!f->idx_known || f->idx_proto != proto) {
			followup_plan(proto, rows->condition_name, 0, &f->plan);
			for (int i = 0; i < REPORT_TP_N; i++)
				f->idx[i] = followup_point_at_months(&f->plan, report_tp_months[i]);
			f->idx_known = true;
			f->idx_proto = proto;
		}
		for (int i = 0; i < REPORT_TP_N; i++) {
			if (f->idx[i] < 0)
				continue;
			const struct fu_point *fp = &f->plan.pts[f->idx[i]];
			struct report_tp_point *p = &f->tc.pt[i];
			p->planned = true;
			p->target = start + fp->due;
			p->window_start = start + fp->window_start;
			p->window_end = start + fp->window_end;
		}
	}
	enum prolo_code rc = store_ostep_course(f->steps, rows->course_key, on_step, f, err);
	return rc ? rc : report_add_timepoints(r, &f->tc, err);
}

void app_tp_close(struct app_tp_feed *f)
{
	store_ostep_close(f->steps);
	f->steps = NULL;
}
