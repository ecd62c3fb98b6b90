/* "prolo call add COURSE_ID --result R [--note T] [--alert KEY]
 * [--point-day N] --by NAME", "prolo call list [--course ID] [--limit N]",
 * and the alerts' "snooze KEY --until D" and "assign KEY --to USER":
 * adapters over app/app_frontdesk.h (the API's POST /api/calls, GET
 * /api/calls, POST /api/alerts/snooze and /assign call the same). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_frontdesk.h"
#include "cli/cli.h"
#include "core/domain.h"

static void print_call(struct cli_ctx *ctx, const struct store_call *c)
{
	char d[11];
	dom_date_format(c->day, d);
	fprintf(ctx->out, "%s  course %s  patient %s  %s  by %s\n", d, c->course_id, c->patient_id,
	        store_call_result_names[c->result], c->by);
	if (c->point_day > 0)
		fprintf(ctx->out, "  time point: day %d\n", c->point_day);
	if (c->note[0])
		fprintf(ctx->out, "  %s\n", c->note);
}

static enum prolo_code list_row(void *p, const struct store_call *c, struct prolo_err *err)
{
	struct cli_ctx *ctx = p;
	(void)err;
	if (ctx->json)
		cli_print_json_line(ctx, app_call_json(c));
	else
		print_call(ctx, c);
	return PROLO_OK;
}

int cli_call(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bool add = strcmp(ca->cmd->verb, "add") == 0;
	struct app_call_in in = { 0 };
	int limit = APP_INT_NONE;
	int x = add ? cli_opt_int(ctx, ca, "point-day", "point_day", &in.point_day)
	            : cli_opt_int(ctx, ca, "limit", "limit", &limit);
	if (x)
		return x;
	if (add) {
		in.course_id = ca->pos[0];
		in.result = cli_get(ca, "result");
		in.note = cli_get(ca, "note");
		in.alert_key = cli_get(ca, "alert");
		in.by = cli_get(ca, "by");
	}
	struct cli_run r;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	struct store_call c;
	enum prolo_code rc = add ? app_call_add(&r.cx, &in, &c, &r.err)
	                         : app_call_list(&r.cx, cli_get(ca, "course"), limit, list_row, ctx, &r.err);
	if ((x = cli_end(ctx, &r, rc)) || !add)
		return x;
	if (ctx->json)
		cli_print_json(ctx, app_call_json(&c));
	else
		fprintf(ctx->out, "call %lld logged on course %s: %s\n", (long long)c.id, c.course_id,
		        store_call_result_names[c.result]);
	return 0;
}

int cli_alerts_desk(struct cli_ctx *ctx, const struct cli_args *ca)
{
	bool snooze = strcmp(ca->cmd->verb, "snooze") == 0;
	const char *key = ca->pos[0];
	const char *u = snooze ? cli_get(ca, "until") : NULL;
	const char *to = snooze ? NULL : cli_get(ca, "to");
	int32_t until = DOM_DATE_NONE;
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	enum prolo_code rc = PROLO_OK;
	if (snooze && u && !dom_date_parse(u, strlen(u), &until))
		rc = prolo_err_set(&r.err, PROLO_EINVAL, "until", "'%s' is not a date (YYYY-MM-DD)", u);
	else
		rc = snooze ? app_alert_snooze(&r.cx, key, until, &r.err) : app_alert_assign(&r.cx, key, to, &r.err);
	if ((x = cli_end(ctx, &r, rc)))
		return x;
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s, s:s}", "key", key, snooze ? "until" : "to", snooze ? u : to));
	else if (snooze)
		fprintf(ctx->out, "snoozed %s until %s\n", key, u);
	else
		fprintf(ctx->out, to[0] ? "assigned %s to %s\n" : "%s assigned to nobody%s\n", key, to);
	return 0;
}
