/* Option parsing and error printing shared by every command group. */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_plan.h"
#include "core/buf.h"
#include "core/domain.h"
#include "app/app.h"
#include "security/audit.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

void cli_print_json(struct cli_ctx *ctx, json_t *j)
{
	if (!j)
		return;
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (s) {
		fprintf(ctx->out, "%s\n", s);
		free(s);
	}
	json_decref(j);
}

void cli_print_json_line(struct cli_ctx *ctx, json_t *j)
{
	if (!j)
		return;
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	if (s) {
		fprintf(ctx->out, "%s\n", s);
		free(s);
	}
	json_decref(j);
}

int cli_fail(struct cli_ctx *ctx, const struct prolo_err *err)
{
	if (ctx->json) {
		/* One line, as the API's error body; jansson escapes what needs it
		 * (a message may quote a value or a path the user typed). */
		json_t *j = json_pack("{s:{s:s,s:s%,s:s%}}", "error", "code", prolo_err_name(err->code),
		                      "message", err->msg, strnlen(err->msg, sizeof err->msg),
		                      "field", err->field, strnlen(err->field, sizeof err->field));
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		fprintf(ctx->errs, "%s\n", s ? s : "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"field\":\"\"}}");
		free(s);
		json_decref(j);
	} else if (err->field[0]) {
		fprintf(ctx->errs, "prolo: %s: %s\n", err->field, err->msg);
	} else {
		fprintf(ctx->errs, "prolo: %s\n", err->msg);
	}
	return prolo_err_exit_code(err->code);
}

int cli_usage(struct cli_ctx *ctx, const char *fmt, ...)
{
	struct prolo_err err = { .code = PROLO_EINVAL };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof err.msg, fmt, ap);
	va_end(ap);
	cli_fail(ctx, &err);
	if (!ctx->json)
		fprintf(ctx->errs, "(prolo --help lists the commands)\n");
	return 2;
}

int cli_opt_long(struct cli_ctx *ctx, const struct cli_args *ca, const char *name, long lo, long hi,
                 long *out)
{
	const char *v = cli_get(ca, name);
	if (!v || dom_parse_long(v, strlen(v), lo, hi, out))
		return 0;
	return cli_usage(ctx, "--%s: expected a whole number %ld..%ld, got '%s'", name, lo, hi, v);
}

int cli_opt_int(struct cli_ctx *ctx, const struct cli_args *ca, const char *name, const char *field, int *out)
{
	const char *v = cli_get(ca, name);
	long n = 0;
	struct prolo_err err;
	*out = APP_INT_NONE;
	if (!v)
		return 0;
	bool whole = dom_parse_long(v, strlen(v), LONG_MIN, LONG_MAX, &n);
	return app_int_input(field, whole, n, out, &err) ? cli_fail(ctx, &err) : 0;
}

enum prolo_code cli_audit_event(struct store *st, const char *action, const char *record,
                                const char *detail, struct prolo_err *err)
{
	struct app_ctx cx;
	struct store_audit e;
	app_ctx_local(&cx, st, NULL);
	audit_row(&e, cx.who.user, action, record, cx.who.addr, detail ? detail : "");
	return cx.audit.write(cx.audit.ctx, &e, err);
}

int cli_begin(struct cli_ctx *ctx, const struct cli_args *ca, struct cli_run *r)
{
	memset(r, 0, sizeof *r);
	bool with_protocols = false;
	for (const struct cli_option *o = ca->cmd->opts; o && o->name; o++)
		with_protocols |= strcmp(o->name, "protocols") == 0;
	int32_t today = DOM_DATE_NONE;
	const char *t = cli_get_opt(ca, "today");
	int x;
	if ((t && (x = cli_today_value(ctx, t, &today))) ||
	    (with_protocols && (x = cli_plan_protocols(ctx, cli_get(ca, "protocols"), false, &r->lib))))
		return x;
	if (store_open(ctx->db_path, 0, &r->st, &r->err)) {
		protocol_lib_free(&r->lib);
		return cli_fail(ctx, &r->err);
	}
	app_ctx_local(&r->cx, r->st, with_protocols ? &r->lib : NULL);
	if (today != DOM_DATE_NONE)
		r->cx.today = today;
	return 0;
}

int cli_end(struct cli_ctx *ctx, struct cli_run *r, enum prolo_code rc)
{
	app_ctx_flush(&r->cx);
	store_close(r->st);
	r->st = NULL;
	protocol_lib_free(&r->lib);
	return rc ? cli_fail(ctx, &r->err) : 0;
}
