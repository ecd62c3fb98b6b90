/* prolo audit verify|list: checks the audit log's hash chain (exit 0 when
 * intact; 4 naming the first bad row otherwise) and lists recent rows. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static int audit_verify(struct cli_ctx *ctx)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	struct store *st = NULL;
	int64_t n = 0, bad = 0;
	unsigned char head[STORE_HASH_LEN];
	enum prolo_code rc = store_open(ctx->db_path, STORE_READONLY, &st, &err);
	if (!rc)
		rc = store_audit_verify(st, &n, &bad, head, &err);
	store_close(st);
	if (rc == PROLO_ECONFLICT) {
		if (ctx->json)
			fprintf(ctx->out, "{\"intact\":false,\"bad_row\":%lld,\"rows_ok\":%lld}\n",
			        (long long)bad, (long long)n);
		else
			fprintf(ctx->out, "audit log BROKEN at row %lld (%lld rows before it are intact)\n",
			        (long long)bad, (long long)n);
		return cli_fail(ctx, &err);
	}
	if (rc)
		return cli_fail(ctx, &err);
	char hex[2 * STORE_HASH_LEN + 1];
	sodium_bin2hex(hex, sizeof hex, head, STORE_HASH_LEN);
	if (ctx->json)
		fprintf(ctx->out, "{\"intact\":true,\"rows\":%lld,\"head\":\"%s\"}\n", (long long)n, hex);
	else
		fprintf(ctx->out, "audit log intact: %lld rows, head %s\n", (long long)n, hex);
	return 0;
}

static enum prolo_code print_row(void *c, const struct store_audit *e, struct prolo_err *err)
{
	struct cli_ctx *ctx = c;
	fprintf(ctx->out, "%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)e->id, e->at, e->user, e->action,
	        e->record, e->addr, e->detail);
	return PROLO_OK;
}

static int audit_list(struct cli_ctx *ctx, int argc, char **argv, bool *used)
{
	struct store_audit_filter f = { 0 };
	f.user = cli_opt(argc, argv, used, "--user");
	f.action = cli_opt(argc, argv, used, "--action");
	f.record = cli_opt(argc, argv, used, "--record");
	const char *limit = cli_opt(argc, argv, used, "--limit");
	int rc = cli_no_extra(ctx, argc, argv, used, 2);
	if (rc)
		return rc;
	f.limit = limit ? atoi(limit) : 50;
	struct prolo_err err;
	struct store *st = NULL;
	enum prolo_code code = store_open(ctx->db_path, STORE_READONLY, &st, &err);
	if (!code)
		code = store_audit_scan(st, &f, print_row, ctx, &err);
	store_close(st);
	return code ? cli_fail(ctx, &err) : 0;
}

int cli_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(ctx, "usage: prolo audit verify|list");
	bool *used = calloc((size_t)argc + 1, sizeof *used);
	if (!used)
		return 5;
	used[1] = true;
	int rc;
	if (strcmp(argv[1], "verify") == 0) {
		rc = cli_no_extra(ctx, argc, argv, used, 2);
		if (rc == 0)
			rc = audit_verify(ctx);
	} else if (strcmp(argv[1], "list") == 0)
		rc = audit_list(ctx, argc, argv, used);
	else
		rc = cli_usage(ctx, "unknown audit command '%s' (verify|list)", argv[1]);
	free(used);
	return rc;
}
