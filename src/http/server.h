/* prolo serve: the clinic's web app in one process. libmicrohttpd in
 * thread-pool mode, one store connection per worker thread, the JSON API
 * of docs/api.md, the static web UI, and a graceful stop on SIGTERM/SIGINT
 * (in-flight requests finish). With a configuration for it, the follow-up
 * outbox runs in a thread of its own (docs/followup.md). cli_serve and
 * cli_demo call http_serve. */
#ifndef PROLO_SERVER_H
#define PROLO_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct protocol_lib;
struct outreach_config;
struct fu_reminders;

struct http_options {
	const char *db_path;       /* the registry (must exist) */
	const char *bind;          /* NULL = "127.0.0.1" */
	int port;                  /* 0 = 8080 */
	const char *tls_cert;      /* PEM files; both or neither */
	const char *tls_key;
	const char *web_dir;       /* static UI; NULL = "web" beside the binary, else ./web */
	int threads;               /* worker threads; 0 = one per CPU (at least 2) */
	int chart_cache_mb;        /* rendered charts kept per worker thread
	                            * (chart_cache.h); 0 = 8, negative = none */
	int64_t session_idle_s;    /* 0 = 1800 */
	int64_t session_absolute_s;/* 0 = 43200 */
	int64_t link_ttl_s;        /* questionnaire links; 0 = 14 days */
	int min_cell;              /* researchers' report: smallest group shown;
	                            * 0 = REPORT_MIN_CELL_DEFAULT (5) */
	size_t max_body;           /* request body limit; 0 = 1 MiB */
	unsigned timeout_s;        /* idle connection timeout; 0 = 30 */
	unsigned request_deadline_s; /* a whole request (headers and body) must
	                            * arrive within this many seconds of the
	                            * connection or of the previous answer;
	                            * 0 = 10 */
	unsigned max_connections;  /* 0 = 4000 (fewer if the open-file limit
	                            * is lower, after raising it to its hard
	                            * limit) */
	unsigned max_per_ip;       /* connections from one address; 0 = 256 */
	const char *const *allowed_hosts; /* Host names answered besides the
	                            * bind address, localhost, 127.0.0.1 and
	                            * [::1] (each with or without the port) */
	int n_allowed_hosts;
	const char *trusted_proxy; /* behind a reverse proxy at this address:
	                            * its requests' client address is the last
	                            * X-Forwarded-For hop (the one the proxy
	                            * adds); NULL = the peer's address */
	FILE *log;                 /* request log; NULL = stderr */
	FILE *info;                /* start/stop messages; NULL = stdout */
	const struct protocol_lib *protocols; /* for planning and alerts; NULL = none */
	const struct outreach_config *outbox; /* run the outbox in a thread
	                            * (app_outbox_worker_start); NULL = not */
	int outbox_interval_s;     /* between its passes; 0 = 60 */
	const struct outreach_config *outreach; /* the outreach configuration
	                            * read (also when the outbox runs elsewhere):
	                            * the SMS receipts' secret; NULL = none */
	const struct fu_reminders *reminders; /* its reminder rhythm, for the
	                            * chart's "what next"; NULL = the defaults */
	const char *public_origin; /* behind a proxy that ends TLS: the origin
	                            * browsers use ("https://clinic.example");
	                            * NULL = this server's scheme and Host */
};

/* True when the Host header value host names this server: one of the
 * names (each a host name, an IPv4 address or a bracketed IPv6 address,
 * optionally with ":PORT") exactly, or a name without port followed by
 * nothing or ":port". Case-insensitive. NULL host (an HTTP/1.0 request
 * without one) is allowed. */
bool http_host_allowed(const char *host, const char *const *names, int n_names, int port);

/* Serves until SIGTERM or SIGINT, then stops accepting, lets requests in
 * flight finish (up to 10 s) and returns PROLO_OK. PROLO_EINVAL for bad
 * options (err->field names it), PROLO_EDB when the registry cannot be
 * opened, PROLO_ECONFLICT when the address is in use. Prints
 * "prolo: serving http://ADDR:PORT/" on opt->info once listening. */
enum prolo_code http_serve(const struct http_options *opt, struct prolo_err *err);

#endif
