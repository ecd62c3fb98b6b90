/* "prolo alerts [--today D] [--clinic C]" prints the morning list;
 * "prolo alerts ack KEY --by NAME [--note TEXT] [--today D]" acknowledges
 * one alert raised on the morning list of D (default today); "snooze"
 * and "assign" are in cli_calls.c.
 * A thin shell over registry/alerts.h, which the HTTP API shares. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_frontdesk.h"
#include "cli/cli.h"
#include "cli/cli_plan.h"
#include "core/domain.h"
#include "registry/alerts.h"
#include "store/store.h"

static int ack(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *by = cli_get(ca, "by");
	const char *note = cli_get(ca, "note");
	const char *key = ca->pos[0];
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	int32_t day = cli_has(ca, "today") ? r.cx.today : DOM_DATE_NONE;
	if ((x = cli_end(ctx, &r, app_alert_ack(&r.cx, key, day, by, note, &r.err))))
		return x;
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:s, s:s?}", "key", key, "by", by, "note", note);
		cli_print_json(ctx, j);
	} else {
		fprintf(ctx->out, "acknowledged %s (by %s)\n", key, by);
	}
	return 0;
}

static void print_text(struct cli_ctx *ctx, const struct alert_list *l, int32_t today)
{
	char d[11];
	dom_date_format(today, d);
	if (l->n == 0) {
		fprintf(ctx->out, "no alerts for %s\n", d);
		return;
	}
	fprintf(ctx->out, "%zu alert%s for %s\n", l->n, l->n == 1 ? "" : "s", d);
	for (size_t i = 0; i < l->n; i++) {
		const struct alert *a = &l->items[i];
		dom_date_format(a->due, d);
		fprintf(ctx->out, "\n%s%s  patient %s  course %s  (%s)\n  %s\n  key: %s\n", a->urgent ? "URGENT " : "",
		        alert_kind_names[a->kind], a->patient_id, a->course_id, d, a->reason, a->key);
		if (a->call)
			fprintf(ctx->out, "  call: %s, %s\n", a->name[0] ? a->name : "(no name)",
			        a->phone[0] ? a->phone : "no phone number recorded");
		if (a->assigned_to[0])
			fprintf(ctx->out, "  assigned to: %s\n", a->assigned_to);
	}
}

int cli_alerts(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int x = 0;
	if (ca->cmd->verb)
		return strcmp(ca->cmd->verb, "ack") == 0 ? ack(ctx, ca) : cli_alerts_desk(ctx, ca);
	const char *clinic = cli_get(ca, "clinic");
	struct cli_run r;
	struct alert_list l = { 0 };
	/* Opened for writing so that a registry from before the alerts
	 * migration is brought up to date. */
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	int32_t today = r.cx.today;
	if ((x = cli_end(ctx, &r, app_alerts_desk(&r.cx, today, clinic, false, &l, &r.err))))
		return x;
	if (ctx->json) {
		json_t *j = alerts_to_json(&l);
		cli_print_json(ctx, j);
	} else {
		print_text(ctx, &l, today);
	}
	alert_list_free(&l);
	return 0;
}
