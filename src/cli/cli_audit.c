/* prolo audit verify|list: checks the audit log's keyed hash chain, its
 * anchors and its append-only triggers (exit 0 when intact; 4 naming the
 * first bad row or what is wrong otherwise) and lists recent rows.
 * Both first bring in the audit rows a stopped server left in its spool
 * (after a crash); a running server's spool is its own to drain. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "security/audit_spool.h"
#include "store/store.h"

/* Brings in what a stopped server left in its audit spool. A running
 * server's spool is its own: the lock is held (or, for an account that may
 * read the registry but not touch the server's files, cannot be taken) and
 * nothing is done. False, with a message, when spooled rows of a stopped
 * server could not be brought in: the log is then not complete. */
static bool recover_spool(struct cli_ctx *ctx)
{
	if (!audit_spool_exists(ctx->db_path))
		return true;
	struct prolo_err err;
	struct store *st = NULL;
	struct audit_spool *sp = NULL;
	enum prolo_code rc = store_open(ctx->db_path, 0, &st, &err);
	if (!rc && (rc = audit_spool_open(ctx->db_path, st, &sp, &err)) == PROLO_OK)
		audit_spool_close(sp);
	store_close(st);
	if (!rc || rc == PROLO_ECONFLICT || rc == PROLO_EPERM)
		return true;
	fprintf(ctx->errs, "prolo: the audit rows a stopped server left in its spool could not be "
	                   "brought into the log: %s\n", err.msg);
	return false;
}

static int audit_verify(struct cli_ctx *ctx)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	struct store *st = NULL;
	int64_t n = 0, bad = 0;
	unsigned char head[STORE_HASH_LEN];
	bool complete = recover_spool(ctx);
	enum prolo_code rc = store_open(ctx->db_path, STORE_READONLY, &st, &err);
	if (!rc)
		rc = store_audit_verify(st, &n, &bad, head, &err);
	store_close(st);
	if (rc == PROLO_ECONFLICT) {
		if (ctx->json)
			cli_print_json(ctx, json_pack("{s:b,s:I,s:I,s:s}", "intact", 0, "bad_row", (json_int_t)bad,
			                              "rows_ok", (json_int_t)n, "reason", err.msg));
		else if (bad)
			fprintf(ctx->out, "audit log BROKEN at row %lld (%lld rows before it are intact)\n",
			        (long long)bad, (long long)n);
		else
			fprintf(ctx->out, "audit log BROKEN: %s\n", err.msg);
		return cli_fail(ctx, &err);
	}
	if (rc)
		return cli_fail(ctx, &err);
	char hex[2 * STORE_HASH_LEN + 1];
	sodium_bin2hex(hex, sizeof hex, head, STORE_HASH_LEN);
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:b,s:I,s:s}", "intact", 1, "rows", (json_int_t)n, "head", hex));
	else
		fprintf(ctx->out, "audit log intact: %lld rows, head %s\n", (long long)n, hex);
	if (!complete) {
		prolo_err_set(&err, PROLO_EDB, "", "the log is intact but not complete: spooled rows are missing");
		return cli_fail(ctx, &err);
	}
	return 0;
}

static enum prolo_code print_row(void *c, const struct store_audit *e, struct prolo_err *err)
{
	struct cli_ctx *ctx = c;
	fprintf(ctx->out, "%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)e->id, e->at, e->user, e->action,
	        e->record, e->addr, e->detail);
	return PROLO_OK;
}

static int audit_list(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct store_audit_filter f = { 0 };
	f.user = cli_get(ca, "user");
	f.action = cli_get(ca, "action");
	f.record = cli_get(ca, "record");
	const char *limit = cli_get(ca, "limit");
	f.limit = 50;
	struct prolo_err err;
	if (limit) {
		char *end;
		long v = strtol(limit, &end, 10);
		if (!*limit || *end || v < 1 || v > 100000) {
			prolo_err_set(&err, PROLO_EINVAL, "limit", "must be a whole number from 1 to 100000");
			return cli_fail(ctx, &err);
		}
		f.limit = (int)v;
	}
	recover_spool(ctx);
	struct store *st = NULL;
	enum prolo_code code = store_open(ctx->db_path, STORE_READONLY, &st, &err);
	if (!code)
		code = store_audit_scan(st, &f, print_row, ctx, &err);
	store_close(st);
	return code ? cli_fail(ctx, &err) : 0;
}

int cli_audit(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const struct cli_command *cmd = ca->cmd;
	return strcmp(cmd->verb, "verify") == 0 ? audit_verify(ctx) : audit_list(ctx, ca);
}
