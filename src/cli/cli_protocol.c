/* "prolo protocol list|show NAME|check FILE" and the planning side of
 * "prolo course add": the CLI's thin shell around the protocol library and
 * plan_course. Also the small option helpers the other planning commands
 * share (cli_plan.h). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "cli/cli_plan.h"
#include "core/domain.h"
#include "core/rec_json.h"
#include "registry/plan.h"
#include "core/clock.h"
#include "store/store.h"

int cli_today_value(struct cli_ctx *ctx, const char *t, int32_t *today)
{
	if (t) {
		if (!dom_date_parse(t, strlen(t), today))
			return cli_usage(ctx, "--today: '%s' is not a date (YYYY-MM-DD)", t);
		return 0;
	}
	*today = clock_today();
	return 0;
}

int cli_plan_protocols(struct cli_ctx *ctx, const char *path, bool required, struct protocol_lib *lib)
{
	struct prolo_err err = { 0 };
	enum prolo_code rc = protocol_lib_load(path, lib, &err);
	if (!rc)
		return 0;
	if (rc == PROLO_ENOTFOUND && !required && !path)
		return 0;
	return cli_fail(ctx, &err);
}

int cli_plan_values(struct cli_ctx *ctx, const char *protocols, const char *baseline_nrs,
                    const char *pain_months, struct cli_plan_opts *po)
{
	po->protocols = protocols;
	po->baseline_nrs = po->pain_months = -1;
	const char *v;
	long x;
	if ((v = baseline_nrs)) {
		if (!dom_parse_long(v, strlen(v), 0, 10, &x))
			return cli_usage(ctx, "--baseline-nrs: '%s' is not a pain score 0..10", v);
		po->baseline_nrs = (int)x;
	}
	if ((v = pain_months)) {
		if (!dom_parse_long(v, strlen(v), 0, 1200, &x))
			return cli_usage(ctx, "--pain-months: '%s' is not a number of months 0..1200", v);
		po->pain_months = (int)x;
	}
	return 0;
}

static void print_findings(FILE *f, const struct plan_findings *pf, enum plan_severity sev, const char *label)
{
	for (size_t i = 0; i < pf->n; i++)
		if (pf->items[i].severity == sev)
			fprintf(f, "  %s %s: %s\n", label, pf->items[i].rule, pf->items[i].message);
}

int cli_course_add_planned(struct cli_ctx *ctx, struct course *c, const struct cli_plan_opts *po)
{
	struct protocol_lib lib = { 0 };
	/* A named protocol needs the library; without one it is only used for
	 * the schedule window, so a missing default file is not an error. */
	int x = cli_plan_protocols(ctx, po ? po->protocols : NULL, c->protocol[0] != '\0', &lib);
	if (x)
		return x;
	struct store *st = NULL;
	struct prolo_err err = { 0 };
	struct plan_findings pf = { 0 };
	struct app_course_case cc = { po ? po->baseline_nrs : -1, po ? po->pain_months : -1 };
	enum prolo_code rc = store_open(ctx->db_path, 0, &st, &err);
	if (!rc) {
		struct app_ctx cx;
		app_ctx_local(&cx, st, &lib);
		rc = app_course_add(&cx, c, &cc, &pf, &err);
		app_ctx_flush(&cx);
	}
	store_close(st);
	protocol_lib_free(&lib);
	if (rc) {
		x = cli_fail(ctx, &err);
		if (rc == PROLO_ECONFLICT && !ctx->json && pf.n_blocks > 1)
			print_findings(ctx->errs, &pf, PLAN_BLOCK, "block");
		return x;
	}
	if (ctx->json) {
		json_t *j = rec_to_json(REC_COURSE, c, false, false);
		if (j)
			json_object_set_new(j, "plan", plan_findings_to_json(&pf));
		cli_print_json(ctx, j);
		return 0;
	}
	char d[11];
	dom_date_format(c->start_date, d);
	fprintf(ctx->out, "added course %s: %s for %s, %d sessions", c->course_id, dom_modality_names[c->modality],
	        c->condition, c->planned_sessions);
	if (c->interval_days != REC_INT_NONE)
		fprintf(ctx->out, " every %d days", c->interval_days);
	fprintf(ctx->out, " from %s%s%s\n", d, c->protocol[0] ? ", protocol " : "", c->protocol);
	if (pf.overridden) {
		fprintf(ctx->out, "override recorded by %s: %s\n", c->override_by, c->override_reason);
		print_findings(ctx->out, &pf, PLAN_BLOCK, "overridden block");
	}
	print_findings(ctx->out, &pf, PLAN_WARN, "warning");
	if (pf.n_sessions) {
		fprintf(ctx->out, "schedule (each +/- %d days):\n", pf.window_days);
		for (int i = 0; i < pf.n_sessions; i++) {
			dom_date_format(pf.session_date[i], d);
			fprintf(ctx->out, "  session %d  %s\n", i + 1, d);
		}
	}
	return 0;
}

/* ---- prolo protocol ------------------------------------------------------ */

static void protocol_text(struct cli_ctx *ctx, const struct protocol *p)
{
	FILE *f = ctx->out;
	char fu[512];
	protocol_followups_format(p, fu, sizeof fu);
	fprintf(f, "%s: %s\n", p->name, p->label);
	fprintf(f, "  for          %s, %s\n", dom_modality_names[p->modality], p->condition);
	fprintf(f, "  plan         %d session%s, every %d days (+/- %d)\n", p->sessions, p->sessions == 1 ? "" : "s",
	        p->interval_days, p->window_days);
	if (p->proliferant >= 0) {
		fprintf(f, "  injectate    %s", dom_proliferant_names[p->proliferant]);
		if (!isnan(p->concentration_pct))
			fprintf(f, " %g %%", p->concentration_pct);
		if (p->anaesthetic[0])
			fprintf(f, " with %s", p->anaesthetic);
		if (!isnan(p->anaesthetic_pct))
			fprintf(f, " %g %%", p->anaesthetic_pct);
		if (!isnan(p->volume_min_ml))
			fprintf(f, ", %g-%g mL per site", p->volume_min_ml, p->volume_max_ml);
		fputc('\n', f);
	}
	if (!isnan(p->concentration_min_pct))
		fprintf(f, "  range        %g-%g %% (outside it a session is saved only with --confirm)\n",
		        p->concentration_min_pct, p->concentration_max_pct);
	if (p->sites[0])
		fprintf(f, "  sites        %s\n", p->sites);
	fprintf(f, "  follow-up    %s (+/- %d days)\n", fu, p->followup_window_days);
	if (p->review_after_sessions > 0)
		fprintf(f, "  review       if NRS is not at least %g %% lower after %d sessions\n",
		        p->review_min_improvement_pct, p->review_after_sessions);
	if (p->select_min_nrs >= 0 || p->select_min_months >= 0)
		fprintf(f, "  chosen when  baseline NRS >= %d, pain for >= %d months\n",
		        p->select_min_nrs, p->select_min_months);
	fprintf(f, "  source       %s\n", p->source);
}

int cli_protocol(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int x = 0;
	const struct cli_command *cmd = ca->cmd;
	const char *verb = cmd->verb;
	const char *path = cmd->opts ? cli_get(ca, "protocols") : NULL;
	const char *arg = ca->pos[0];
	struct protocol_lib lib = { 0 };
	if ((x = cli_plan_protocols(ctx, verb[0] == 'c' ? arg : path, true, &lib)))
		return x;
	if (strcmp(verb, "check") == 0) {
		if (ctx->json)
			cli_print_json(ctx, json_pack("{s:s, s:i}", "file", arg, "protocols", (int)lib.n));
		else
			fprintf(ctx->out, "%s: %zu protocols, all valid\n", arg, lib.n);
	} else if (strcmp(verb, "show") == 0) {
		const struct protocol *p = protocol_find(&lib, arg);
		if (!p) {
			struct prolo_err err = { 0 };
			prolo_err_set(&err, PROLO_ENOTFOUND, "protocol", "no protocol '%s' in %s", arg, lib.origin);
			protocol_lib_free(&lib);
			return cli_fail(ctx, &err);
		}
		if (ctx->json)
			cli_print_json(ctx, protocol_to_json(p));
		else
			protocol_text(ctx, p);
	} else if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < lib.n; i++)
			json_array_append_new(arr, protocol_to_json(&lib.items[i]));
		cli_print_json(ctx, arr);
	} else {
		fprintf(ctx->out, "%-22s %-10s %-16s %8s %9s  %s\n", "name", "modality", "condition", "sessions",
		        "interval", "label");
		for (size_t i = 0; i < lib.n; i++) {
			const struct protocol *p = &lib.items[i];
			fprintf(ctx->out, "%-22s %-10s %-16s %8d %8dd  %s\n", p->name, dom_modality_names[p->modality],
			        p->condition, p->sessions, p->interval_days, p->label);
		}
		fprintf(ctx->out, "(%zu protocols from %s)\n", lib.n, lib.origin);
	}
	protocol_lib_free(&lib);
	return 0;
}
