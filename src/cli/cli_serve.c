/* prolo serve: parses the options and hands them to http_serve. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/server.h"
#include "registry/protocol.h"

static bool parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	if (!s || !*s)
		return false;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int cli_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	bool *used = calloc((size_t)argc + 1, sizeof *used);
	if (!used)
		return 5;
	struct http_options o = { .db_path = ctx->db_path };
	const char *port = cli_opt(argc, argv, used, "--port");
	const char *threads = cli_opt(argc, argv, used, "--threads");
	const char *idle = cli_opt(argc, argv, used, "--session-idle");
	const char *ttl = cli_opt(argc, argv, used, "--link-ttl");
	const char *cache = cli_opt(argc, argv, used, "--chart-cache-mb");
	const char *min_cell = cli_opt(argc, argv, used, "--min-cell");
	o.bind = cli_opt(argc, argv, used, "--bind");
	o.tls_cert = cli_opt(argc, argv, used, "--tls-cert");
	o.tls_key = cli_opt(argc, argv, used, "--tls-key");
	o.web_dir = cli_opt(argc, argv, used, "--web");
	int rc = cli_no_extra(ctx, argc, argv, used, 1);
	free(used);
	if (rc)
		return rc;
	long v;
	if (port) {
		if (!parse_num(port, 1, 65535, &v))
			return cli_usage(ctx, "--port: must be 1..65535");
		o.port = (int)v;
	}
	if (threads) {
		if (!parse_num(threads, 1, 256, &v))
			return cli_usage(ctx, "--threads: must be 1..256");
		o.threads = (int)v;
	}
	if (idle) {
		if (!parse_num(idle, 1, 7 * 86400, &v))
			return cli_usage(ctx, "--session-idle: seconds, 1..604800");
		o.session_idle_s = v;
	}
	if (ttl) {
		if (!parse_num(ttl, 1, 365 * 86400, &v))
			return cli_usage(ctx, "--link-ttl: seconds, 1..31536000");
		o.link_ttl_s = v;
	}
	if (cache) {
		if (!parse_num(cache, 0, 1024, &v))
			return cli_usage(ctx, "--chart-cache-mb: MiB per worker thread, 0..1024 (0: none)");
		o.chart_cache_mb = v ? (int)v : -1;
	}
	if (min_cell) {
		if (!parse_num(min_cell, 1, 1000, &v))
			return cli_usage(ctx, "--min-cell: courses, 1..1000 (the smallest group a researcher sees)");
		o.min_cell = (int)v;
	}
	o.info = ctx->out;
	o.log = ctx->errs;
	struct prolo_err err;
	prolo_err_clear(&err);
	/* The protocol library is read once, for planning and the alerts; no
	 * file is no error (the rules use their defaults). */
	struct protocol_lib lib = { 0 };
	if (protocol_lib_load(NULL, &lib, NULL) != PROLO_OK)
		memset(&lib, 0, sizeof lib);
	o.protocols = &lib;
	enum prolo_code prc = http_serve(&o, &err);
	protocol_lib_free(&lib);
	return prc ? cli_fail(ctx, &err) : 0;
}
