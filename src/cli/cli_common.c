/* Option parsing and error printing shared by every command group. */
#include <stdarg.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
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

const char *cli_opt(int argc, char **argv, bool *used, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (used[i])
			continue;
		if (strcmp(argv[i], name) == 0 && i + 1 < argc) {
			used[i] = used[i + 1] = true;
			return argv[i + 1];
		}
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
			used[i] = true;
			return argv[i] + n + 1;
		}
	}
	return NULL;
}

bool cli_flag(int argc, char **argv, bool *used, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (!used[i] && strcmp(argv[i], name) == 0) {
			used[i] = true;
			return true;
		}
	return false;
}

const char *cli_arg(int argc, char **argv, bool *used, int start)
{
	for (int i = start; i < argc; i++)
		if (!used[i] && strncmp(argv[i], "--", 2) != 0) {
			used[i] = true;
			return argv[i];
		}
	return NULL;
}

int cli_no_extra(struct cli_ctx *ctx, int argc, char **argv, bool *used, int start)
{
	for (int i = start; i < argc; i++)
		if (!used[i])
			return cli_usage(ctx, "unexpected argument '%s'", argv[i]);
	return 0;
}

/* "cli:LOGIN" for the audit log: the operating-system account that ran
 * the command (the CLI has no users of its own). */
static void cli_who(char *out, size_t outsz)
{
	const char *name = NULL;
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		name = pw->pw_name;
	if (!name)
		name = getenv("USER");
	snprintf(out, outsz, "cli:%s", name && *name ? name : "unknown");
}

enum prolo_code cli_audit_event(struct store *st, const char *action, const char *record,
                          const char *detail, struct prolo_err *err)
{
	char who[96];
	cli_who(who, sizeof who);
	if (store_in_transaction(st))
		return audit_log_event(st, who, action, record, "local", detail ? detail : "", err);
	/* A read: its own durable transaction (the CLI has no later commit
	 * that would carry a lazy one to the disk). */
	enum prolo_code rc = store_begin(st, err);
	if (!rc)
		rc = audit_log_event(st, who, action, record, "local", detail ? detail : "", err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	return rc;
}
