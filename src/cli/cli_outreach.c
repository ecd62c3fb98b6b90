/* "prolo contact set|show", "prolo followup show COURSE" and "prolo
 * outreach run|list|retry|cancel|test": adapters over
 * app/app_outreach.h. The configuration is --config FILE, else
 * $PROLO_OUTREACH, else REGISTRY-outreach.conf beside the registry. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_frontdesk.h"
#include "app/app_outreach.h"
#include "cli/cli.h"
#include "cli/cli_plan.h"
#include "core/domain.h"
#include "core/dsn.h"

static void print_contact(struct cli_ctx *ctx, const struct store_contact *c)
{
	char d[11] = "";
	if (c->consent_date != DOM_DATE_NONE)
		dom_date_format(c->consent_date, d);
	if (ctx->json) {
		cli_print_json(ctx, app_contact_json(c));
		return;
	}
	const char *why = NULL;
	bool ok = app_contactable(c, true, &why);
	fprintf(ctx->out, "patient %s\n  email: %s%s\n  mobile: %s\n  channel: %s\n  consent: %s%s%s%s%s%s%s\n  %s%s\n",
	        c->patient_id, c->email[0] ? c->email : "-", c->email_bad ? " (refused by the server)" : "",
	        c->mobile[0] ? c->mobile : "-", contact_channel_names[c->channel],
	        contact_consent_names[c->consent], d[0] ? " on " : "", d, c->consent_by[0] ? " by " : "",
	        c->consent_by, c->consent_how[0] ? ", " : "", c->consent_how,
	        ok ? "contactable by machine" : "not contactable by machine: ", ok ? "" : why);
}

/* Sets the contact in (when given) or reads that of pid, and prints it. */
static int contact_run(struct cli_ctx *ctx, const struct cli_args *ca, const struct app_contact_in *in,
                       const char *pid)
{
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	struct store_contact c;
	enum prolo_code rc = in ? app_contact_set(&r.cx, in, &c, &r.err) : app_contact_get(&r.cx, pid, &c, &r.err);
	if (!rc)
		print_contact(ctx, &c);
	return cli_end(ctx, &r, rc);
}

static int contact(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const struct cli_command *cmd = ca->cmd;
	const char *sub = cmd->verb;
	if (strcmp(sub, "set") == 0) {
		struct app_contact_in in = { .consent_date = DOM_DATE_NONE };
		in.email = cli_get(ca, "email");
		in.mobile = cli_get(ca, "mobile");
		in.channel = cli_get(ca, "channel");
		in.consent = cli_get(ca, "consent");
		const char *date = cli_get(ca, "consent-date");
		in.consent_by = cli_get(ca, "consent-by");
		in.consent_how = cli_get(ca, "consent-how");
		in.patient_id = ca->pos[0];
		if (!in.patient_id)
			return cli_usage(ctx, "contact set: expected the patient's id");
		if (date && !dom_date_parse(date, strlen(date), &in.consent_date)) {
			struct prolo_err e = { 0 };
			prolo_err_set(&e, PROLO_EINVAL, "consent_date", "is not a date (YYYY-MM-DD)");
			return cli_fail(ctx, &e);
		}
		return contact_run(ctx, ca, &in, NULL);
	}
	if (strcmp(sub, "show") == 0) {
		const char *pid = ca->pos[0];
		if (!pid)
			return cli_usage(ctx, "contact show: expected the patient's id");
		return contact_run(ctx, ca, NULL, pid);
	}
	return cli_usage(ctx, "contact: expected set or show");
}

int cli_contact(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	return contact(ctx, ca);
}

int cli_followup(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int x = 0;
	const char *cid = ca->pos[0];
	if (!cid)
		return cli_usage(ctx, "followup show: expected the course's id");
	struct cli_run r;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	struct app_fu_point pts[FU_POINTS_MAX];
	size_t n = 0;
	enum prolo_code rc = app_followup_show(&r.cx, cid, pts, &n, &r.err);
	if (!rc) {
		json_t *arr = ctx->json ? json_array() : NULL;
		for (size_t i = 0; i < n; i++) {
			char due[11], ws[11], we[11], instr[128] = "";
			dom_date_format(pts[i].pt.due, due);
			dom_date_format(pts[i].pt.window_start, ws);
			dom_date_format(pts[i].pt.window_end, we);
			for (int k = 0; k < INSTR__COUNT; k++)
				if (pts[i].pt.instruments & (1u << k)) {
					size_t l = strlen(instr);
					snprintf(instr + l, sizeof instr - l, "%s%s", l ? " " : "", dom_instrument_names[k]);
				}
			if (arr)
				json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:i}", "day", pts[i].pt.offset_days,
				                                     "due", due, "window_start", ws, "window_end", we,
				                                     "instruments", instr, "status",
				                                     fu_status_names[pts[i].status], "messages", pts[i].steps));
			else
				fprintf(ctx->out, "day %-4d due %s (%s..%s)  %-16s %s\n", pts[i].pt.offset_days, due, ws, we,
				        fu_status_names[pts[i].status], instr);
		}
		if (arr)
			cli_print_json(ctx, arr);
	}
	return cli_end(ctx, &r, rc);
}

/* ---- outreach ----------------------------------------------------------- */

/* The configuration's path: path, else $PROLO_OUTREACH, else beside the
 * registry (def holds it then). *given says whether it was named. */
static const char *conf_path(struct cli_ctx *ctx, const char *path, char *def, size_t defsz, bool *given)
{
	*given = path && path[0];
	if (!*given)
		path = getenv("PROLO_OUTREACH");
	*given = *given || (path && path[0]);
	if (!path || !path[0]) {
		snprintf(def, defsz, "%s-outreach.conf", ctx->db_path);
		path = def;
	}
	return path;
}

int cli_outreach_conf(struct cli_ctx *ctx, const char *path, struct outreach_config *conf, bool *missing, bool quiet)
{
	char def[1100];
	bool given;
	path = conf_path(ctx, path, def, sizeof def, &given);
	struct prolo_err err = { 0 };
	enum prolo_code rc = outreach_config_load(path, conf, &err);
	*missing = rc == PROLO_ENOTFOUND && (!given || quiet);
	if (*missing)
		return 0;
	if (!rc)
		rc = app_outbox_check(conf, &err);
	if (rc && quiet) {
		fprintf(ctx->out, "prolo: the outreach configuration is not used: %s\n", err.msg);
		*missing = true;
		return 0;
	}
	return rc ? cli_fail(ctx, &err) : 0;
}

static int load_conf(struct cli_ctx *ctx, const char *path, struct outreach_config *conf)
{
	char def[1100];
	bool given;
	path = conf_path(ctx, path, def, sizeof def, &given);
	struct prolo_err err = { 0 };
	if (outreach_config_load(path, conf, &err))
		return cli_fail(ctx, &err);
	return 0;
}

struct list_ctx {
	struct cli_ctx *ctx;
	struct app_ctx *cx;
	json_t *arr;
};

static enum prolo_code print_attempt(void *p, const struct store_oattempt *a, struct prolo_err *err)
{
	struct list_ctx *lc = p;
	if (lc->arr) {
		json_t *last = json_array_get(lc->arr, json_array_size(lc->arr) - 1);
		json_t *atts = json_object_get(last, "attempts");
		json_array_append_new(atts, json_pack("{s:i,s:s,s:I,s:s,s:s,s:I,s:s}", "n", a->n, "channel",
		                                      contact_channel_names[a->channel], "at", (json_int_t)a->at,
		                                      "result", store_oresult_names[a->result], "reply", a->reply,
		                                      "next_try", (json_int_t)a->next_try, "receipt", a->receipt));
		return PROLO_OK;
	}
	fprintf(lc->ctx->out, "    try %d %s: %s%s%s%s%s\n", a->n, contact_channel_names[a->channel],
	        store_oresult_names[a->result], a->reply[0] ? " - " : "", a->reply, a->receipt[0] ? "; then " : "",
	        a->receipt);
	return PROLO_OK;
}

static enum prolo_code print_msg(void *p, const struct store_omsg *m, struct prolo_err *err)
{
	struct list_ctx *lc = p;
	char due[11], we[11];
	dom_date_format(m->due, due);
	dom_date_format(m->window_end, we);
	if (lc->arr)
		json_array_append_new(lc->arr, json_pack("{s:I,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:i,s:I,s:[]}", "id",
		                                         (json_int_t)m->id, "course_id", m->course_id, "patient_id",
		                                         m->patient_id, "day", m->point_day, "step", m->step, "due",
		                                         due, "window_end", we, "state",
		                                         store_omsg_state_names[m->state], "tries", m->tries,
		                                         "next_try", (json_int_t)m->next_try, "attempts"));
	else
		fprintf(lc->ctx->out, "%lld  course %s  day %d  %s  %s (tries %d)%s\n", (long long)m->id, m->course_id,
		        m->point_day, m->step ? "reminder" : "invitation", store_omsg_state_names[m->state], m->tries,
		        m->state == OM_UNKNOWN ? "  " APP_OUTBOX_UNKNOWN_LABEL
		                               : "");
	return store_oattempt_scan(lc->cx->st, m->id, print_attempt, lc, err);
}

/* "outreach run --every SECONDS": the server's outbox thread without the
 * server, until SIGTERM or SIGINT (e.g. as a service of its own). */
static int run_every(struct cli_ctx *ctx, const struct cli_args *ca, const char *every, bool no_send,
                     struct outreach_config *conf)
{
	long v;
	int x = 0;
	struct protocol_lib lib = { 0 };
	if (no_send || !dom_parse_long(every, strlen(every), 1, 86400, &v)) {
		x = cli_usage(ctx, no_send ? "outreach run: --every sends; it does not go with --no-send"
		                           : "outreach run: --every is seconds, 1..86400");
		goto out;
	}
	if ((x = cli_plan_protocols(ctx, cli_get(ca, "protocols"), false, &lib)))
		goto out;
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	outreach_global_init();
	struct app_outbox_worker_opts wo = { ctx->db_path, conf, &lib, (int)v, ctx->out };
	struct app_outbox_worker *w = NULL;
	struct prolo_err err = { 0 };
	if (app_outbox_worker_start(&wo, &w, &err)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		x = cli_fail(ctx, &err);
		goto out;
	}
	fprintf(ctx->out, "prolo: outbox every %ld s until stopped\n", v);
	fflush(ctx->out);
	int sig = 0;
	sigwait(&stop, &sig);
	app_outbox_worker_stop(w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	explicit_bzero(conf, sizeof *conf);
	protocol_lib_free(&lib);
	return x;
}

/* "outreach bounce [FILE]": one bounce message from FILE or standard
 * input (a mail system's pipe). Says what it did with the outbox's message
 * id and the status only. */
static int bounce(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *path = ca->pos[0];
	FILE *f = path && strcmp(path, "-") != 0 ? fopen(path, "rb") : stdin;
	struct prolo_err err = { 0 };
	if (!f) {
		prolo_err_set(&err, PROLO_EINVAL, "FILE", "cannot read %s", path);
		return cli_fail(ctx, &err);
	}
	struct buf b = { 0 };
	buf_init(&b, DSN_MAX + 1);
	char chunk[8192];
	size_t n;
	enum prolo_code rc = PROLO_OK;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = buf_add(&b, chunk, n);
	bool bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (rc || bad) {
		buf_free(&b);
		prolo_err_set(&err, PROLO_EINVAL, "bounce", rc ? "the message is larger than %zu bytes" : "cannot read it",
		              DSN_MAX);
		return cli_fail(ctx, &err);
	}
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x) {
		buf_free(&b);
		return x;
	}
	struct app_receipt_out o;
	rc = app_outbox_bounce(&r.cx, b.data ? b.data : "", b.len, &o, &r.err);
	buf_free(&b);
	if (!rc) {
		static const char *const effects[] = { "bounced", "delivered", "noted", "already" };
		static const char *const said[] = {
			"bounced: the address is marked bad and a contact_fix task is raised",
			"delivered: recorded",
			"a delay: noted, nothing changed",
			"already recorded as bounced: nothing changed",
		};
		if (ctx->json)
			cli_print_json(ctx, json_pack("{s:I,s:i,s:s,s:s,s:b}", "message", (json_int_t)o.message_id, "try", o.n,
			                              "status", o.status, "effect", effects[o.effect], "address_kept",
			                              o.address_kept));
		else
			fprintf(ctx->out, "message %lld (%s): %s%s\n", (long long)o.message_id, o.status,
			        o.effect == APP_RECEIPT_BOUNCED && o.address_kept
			                ? "bounced: the contact details changed since it was sent, so they are kept; a contact_fix task is raised"
			                : said[o.effect],
			        "");
	}
	return cli_end(ctx, &r, rc);
}

int cli_outreach(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const struct cli_command *cmd = ca->cmd;
	const char *sub = cmd->verb;
	/* --config belongs to run and test, --protocols to run (cli_tables.c) */
	const char *cpath = cmd->opts && cmd->opts[0].name && strcmp(cmd->opts[0].name, "config") == 0
	                    ? cli_get(ca, "config") : NULL;
	struct outreach_config conf;
	struct cli_run r;
	enum prolo_code rc;
	int x;
	if (strcmp(sub, "run") == 0) {
		bool no_send = cli_has(ca, "no-send");
		if ((x = load_conf(ctx, cpath, &conf)))
			return x;
		const char *every = cli_get(ca, "every");
		if (every)
			return run_every(ctx, ca, every, no_send, &conf);
		if ((x = cli_begin(ctx, ca, &r)))
			return x;
		outreach_global_init();
		struct app_outbox_stats s;
		rc = app_outbox_run(&r.cx, &conf, !no_send, &s, &r.err);
		if (!rc) {
			if (ctx->json)
				cli_print_json(ctx, json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:b,s:b}", "resolved", s.resolved,
				                              "queued", s.queued, "cancelled", s.cancelled, "tasks", s.tasks,
				                              "accepted", s.accepted, "temporary", s.temporary, "permanent",
				                              s.permanent, "unknown", s.unknown, "quiet", s.quiet,
				                              "rate_limited", s.rate_limited));
			else
				fprintf(ctx->out,
				        "outbox: %d queued, %d accepted, %d temporary failures, %d permanent failures, %d unknown, "
				        "%d cancelled, %d phone tasks, %d interrupted sends settled%s%s\n",
				        s.queued, s.accepted, s.temporary, s.permanent, s.unknown, s.cancelled, s.tasks,
				        s.resolved, s.quiet ? "; quiet hours: nothing sent" : "",
				        s.rate_limited ? "; rate limit reached: the rest goes later" : "");
		}
		x = cli_end(ctx, &r, rc);
		explicit_bzero(&conf, sizeof conf);
		return x;
	}
	if (strcmp(sub, "list") == 0) {
		const char *state = cli_get(ca, "state");
		int sv = -1;
		if (state && strcmp(state, "undelivered") == 0)
			sv = APP_OUTBOX_UNDELIVERED;
		else if (state && (sv = dom_lookup(store_omsg_state_names, OM__COUNT, state, strlen(state))) < 0)
			return cli_usage(ctx, "outreach list: --state is one of queued, sending, sent, failed, unknown, cancelled, "
			                      "undelivered");
		if ((x = cli_begin(ctx, ca, &r)))
			return x;
		struct list_ctx lc = { ctx, &r.cx, ctx->json ? json_array() : NULL };
		rc = app_outbox_list(&r.cx, sv, print_msg, &lc, &r.err);
		if (lc.arr) {
			if (!rc)
				cli_print_json(ctx, lc.arr);
			else
				json_decref(lc.arr);
		}
		return cli_end(ctx, &r, rc);
	}
	if (strcmp(sub, "retry") == 0 || strcmp(sub, "cancel") == 0) {
		const char *id = ca->pos[0];
		long v;
		if (!id || !dom_parse_long(id, strlen(id), 1, 1L << 40, &v))
			return cli_usage(ctx, "outreach %s: expected a message id (as 'prolo outreach list' prints it)", sub);
		if ((x = cli_begin(ctx, ca, &r)))
			return x;
		rc = sub[0] == 'r' ? app_outbox_retry(&r.cx, v, &r.err) : app_outbox_cancel(&r.cx, v, &r.err);
		if (!rc && !ctx->json)
			fprintf(ctx->out, "message %ld %s\n", v, sub[0] == 'r' ? "queued again" : "cancelled");
		return cli_end(ctx, &r, rc);
	}
	if (strcmp(sub, "test") == 0) {
		const char *addr = ca->pos[0];
		if (!addr)
			return cli_usage(ctx, "outreach test: expected an e-mail address or a mobile number (+E.164)");
		if ((x = load_conf(ctx, cpath, &conf)) || (x = cli_begin(ctx, ca, &r)))
			return x;
		outreach_global_init();
		struct outreach_outcome oc;
		rc = app_outbox_test(&r.cx, &conf, addr, &oc, &r.err);
		explicit_bzero(&conf, sizeof conf);
		if ((x = cli_end(ctx, &r, rc)))
			return x;
		if (ctx->json)
			cli_print_json(ctx, json_pack("{s:b,s:s}", "accepted", oc.result == ORES_ACCEPTED, "reply", oc.reply));
		else
			fprintf(oc.result == ORES_ACCEPTED ? ctx->out : ctx->errs, "%s: %s\n",
			        oc.result == ORES_ACCEPTED ? "sent" : "not sent", oc.reply);
		return oc.result == ORES_ACCEPTED ? 0 : 5;
	}
	if (strcmp(sub, "bounce") == 0)
		return bounce(ctx, ca);
	return cli_usage(ctx, "outreach: expected run, list, retry, cancel, test or bounce");
}
