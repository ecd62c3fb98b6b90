/* Option parsing and error printing shared by every command group. */
#include <stdarg.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
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

enum prolo_code cli_audit_event(struct store *st, const char *action, const char *record,
                                const char *detail, struct prolo_err *err)
{
	struct app_ctx cx;
	struct store_audit e;
	app_ctx_local(&cx, st, NULL);
	audit_row(&e, cx.who.user, action, record, cx.who.addr, detail ? detail : "");
	return cx.audit.write(cx.audit.ctx, &e, err);
}

int cli_open(struct cli_ctx *ctx, struct store **st, struct app_ctx *cx, const struct protocol_lib *lib)
{
	struct prolo_err err = { 0 };
	if (store_open(ctx->db_path, 0, st, &err))
		return cli_fail(ctx, &err);
	app_ctx_local(cx, *st, lib);
	return 0;
}

int cli_finish(struct cli_ctx *ctx, struct store *st, struct app_ctx *cx, enum prolo_code rc,
               const struct prolo_err *err)
{
	app_ctx_flush(cx);
	store_close(st);
	return rc ? cli_fail(ctx, err) : 0;
}
