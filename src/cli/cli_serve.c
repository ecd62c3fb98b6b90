/* prolo serve: parses the options and hands them to http_serve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_outreach.h"
#include "cli/cli.h"
#include "http/server.h"
#include "outreach/outreach.h"
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

static int serve_numbers(struct cli_ctx *ctx, struct http_options *op, const char *port,
                         const char *threads, const char *idle, const char *ttl, const char *cache,
                         const char *deadline, const char *maxconn, const char *perip,
                         const char *min_cell);

int cli_serve(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int rc = 0;
	struct http_options o = { .db_path = ctx->db_path };
	const char *hosts[CLI_MULTI_MAX];
	int n_hosts = 0;
	for (int i = 0; i < ca->n_multi; i++)
		hosts[n_hosts++] = ca->multi[i];
	o.allowed_hosts = hosts;
	o.n_allowed_hosts = n_hosts;
	o.bind = cli_get(ca, "bind");
	o.tls_cert = cli_get(ca, "tls-cert");
	o.tls_key = cli_get(ca, "tls-key");
	o.web_dir = cli_get(ca, "web");
	o.public_origin = cli_get(ca, "public-origin");
	o.trusted_proxy = cli_get(ca, "trusted-proxy");
	/* An origin is a scheme and a host (and port), nothing more: a path or
	 * another scheme would never equal what a browser sends. */
	if (o.public_origin) {
		const char *po = o.public_origin, *host = NULL;
		if (strncmp(po, "https://", 8) == 0)
			host = po + 8;
		else if (strncmp(po, "http://", 7) == 0)
			host = po + 7;
		if (!host || !host[0] || strpbrk(host, "/?#@ \t"))
			return cli_usage(ctx, "--public-origin: '%s' is not an origin (https://HOST[:PORT])", po);
	}
	rc = serve_numbers(ctx, &o, cli_get(ca, "port"), cli_get(ca, "threads"), cli_get(ca, "session-idle"),
	                   cli_get(ca, "link-ttl"), cli_get(ca, "chart-cache-mb"),
	                   cli_get(ca, "request-deadline"), cli_get(ca, "max-connections"),
	                   cli_get(ca, "max-conn-per-ip"), cli_get(ca, "min-cell"));
	if (rc)
		return rc;
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
	/* The outbox runs here when its configuration is there (a file named
	 * but missing or wrong is an error), unless --no-outbox. */
	struct outreach_config conf;
	struct fu_reminders rem;
	bool no_outbox = cli_has(ca, "no-outbox");
	{
		/* Read also without the outbox (quietly then): the SMS receipts'
		 * secret and the reminder days the chart shows. */
		bool missing = false;
		if ((rc = cli_outreach_conf(ctx, cli_get(ca, "outbox-config"), &conf, &missing, no_outbox))) {
			protocol_lib_free(&lib);
			return rc;
		}
		if (!missing) {
			o.outreach = &conf;
			if (app_outreach_reminders(&conf, &rem))
				o.reminders = &rem;
		}
	}
	if (!no_outbox) {
		bool missing = o.outreach == NULL;
		if (!missing) {
			o.outbox = &conf;
			outreach_global_init(); /* before any thread */
		}
		else
			fprintf(ctx->out, "prolo: no outreach configuration (%s-outreach.conf): the outbox does not run\n",
			        ctx->db_path);
		long v;
		const char *iv = cli_get(ca, "outbox-interval");
		if (iv && !parse_num(iv, 1, 86400, &v)) {
			protocol_lib_free(&lib);
			return cli_usage(ctx, "--outbox-interval: seconds, 1..86400");
		}
		o.outbox_interval_s = iv ? (int)v : 0;
	}
	rc = http_serve(&o, &err) != PROLO_OK ? cli_fail(ctx, &err) : 0;
	explicit_bzero(&conf, sizeof conf);
	protocol_lib_free(&lib);
	return rc;
}

static int serve_numbers(struct cli_ctx *ctx, struct http_options *op, const char *port,
                         const char *threads, const char *idle, const char *ttl, const char *cache,
                         const char *deadline, const char *maxconn, const char *perip,
                         const char *min_cell)
{
	struct http_options o = *op;
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
	if (deadline) {
		if (!parse_num(deadline, 1, 3600, &v))
			return cli_usage(ctx, "--request-deadline: seconds, 1..3600");
		o.request_deadline_s = (unsigned)v;
	}
	if (maxconn) {
		if (!parse_num(maxconn, 16, 1000000, &v))
			return cli_usage(ctx, "--max-connections: 16..1000000");
		o.max_connections = (unsigned)v;
	}
	if (perip) {
		if (!parse_num(perip, 1, 1000000, &v))
			return cli_usage(ctx, "--max-conn-per-ip: 1..1000000");
		o.max_per_ip = (unsigned)v;
	}
	if (min_cell) {
		if (!parse_num(min_cell, 1, 1000, &v))
			return cli_usage(ctx, "--min-cell: courses, 1..1000 (the smallest group a researcher sees)");
		o.min_cell = (int)v;
	}
	*op = o;
	return 0;
}
