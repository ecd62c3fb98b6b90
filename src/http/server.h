/* prolo serve: the clinic's web app in one process. libmicrohttpd in
 * thread-pool mode, one store connection per worker thread, the JSON API
 * of docs/api.md, the static web UI, and a graceful stop on SIGTERM/SIGINT
 * (in-flight requests finish). cli_serve and cli_demo call http_serve. */
#ifndef PROLO_SERVER_H
#define PROLO_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct protocol_lib;

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
	FILE *log;                 /* request log; NULL = stderr */
	FILE *info;                /* start/stop messages; NULL = stdout */
	const struct protocol_lib *protocols; /* for planning and alerts; NULL = none */
};

/* Serves until SIGTERM or SIGINT, then stops accepting, lets requests in
 * flight finish (up to 10 s) and returns PROLO_OK. PROLO_EINVAL for bad
 * options (err->field names it), PROLO_EDB when the registry cannot be
 * opened, PROLO_ECONFLICT when the address is in use. Prints
 * "prolo: serving http://ADDR:PORT/" on opt->info once listening. */
enum prolo_code http_serve(const struct http_options *opt, struct prolo_err *err);

/* Creates (or resets) the user "admin" with a fresh random one-time
 * password written to pw (at least 33 bytes), for the demo. Opens the
 * registry itself. Codes as store_open/store_user_add. */
enum prolo_code http_demo_admin(const char *db_path, char *pw, size_t pwsz, struct prolo_err *err);

#endif
