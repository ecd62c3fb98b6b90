/* The HTTP server: libmicrohttpd in thread-pool mode. A request's body is
 * read in full (bounded: 413 past the limit) before anything runs; the
 * response is built in one buffer and queued once. Each worker thread
 * opens its own store connection on first use and serves reads from it
 * (their audit rows go to the writer's spool). Writes go to the
 * group-commit writer (writer.h), and requests that compute for long (an
 * Argon2id hash) to the slow lane (slowlane.h): the connection is
 * suspended meanwhile, so a worker keeps serving its other connections,
 * and it is resumed to send the response once the job is done (for a
 * write: once its batch is on the disk). On SIGTERM, new API requests are
 * answered 503 and the daemon is stopped once no connection is suspended
 * (libmicrohttpd aborts otherwise). Every response carries the security
 * headers, and every request leaves one log line built by log_request from
 * an allow-list of fields (no URL, no body, no patient data). */
#include "http/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/app_outreach.h"
#include "security/audit.h"
#include "security/auth.h"
#include "http/chart_cache.h"
#include "http/hjson.h"
#include "http/http_int.h"
#include "http/slowlane.h"
#include "http/writer.h"

#define DEFAULT_MAX_BODY ((size_t)1 << 20)
#define MAX_RESPONSE ((size_t)64 << 20)
#define MAX_STATIC ((off_t)16 << 20)
#define SLOW_THREADS 2 /* Argon2id hashes at once (64 MiB each) */
#define MAX_HOSTS 64   /* allowed Host names */
#define FD_RESERVE 128 /* files kept free of connections: registry, spool, logs */

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

struct server {
	struct http_options opt;
	pthread_key_t store_key;
	char web_dir[PATH_MAX];
	atomic_int in_flight;
	atomic_int held;             /* API requests being dispatched or suspended */
	atomic_bool stopping;        /* SIGTERM came: API requests get 503 */
	atomic_ullong next_req_id;   /* X-Request-Id of the next request */
	struct writer *writer;       /* group commit */
	struct slowlane *slow;       /* requests that compute for long */
	FILE *log;
	bool tls;
	char trusted_proxy[INET6_ADDRSTRLEN]; /* canonical; "" = none */
	/* The Host names answered (http_host_allowed). */
	const char *hosts[MAX_HOSTS];
	int n_hosts;
	char bind_host[80];          /* the bind address as a Host name */
	/* Every open connection, for the request deadline: the reaper
	 * thread shuts down the socket of one that has been receiving a
	 * request for longer than opt.request_deadline_s. */
	pthread_mutex_t track_mu;
	struct conn_track *tracks;
	pthread_t reaper;
	atomic_bool reaper_stop;
};

struct conn_track {
	struct conn_track *prev, *next;
	MHD_socket fd;
	atomic_llong start_ms;       /* since the request being received began */
	atomic_bool receiving;       /* false while a request is handled or answered */
	bool cut;                    /* shut down by the reaper (track_mu) */
};

struct conn_ctx {
	struct buf body;
	bool too_big;
	bool responded;
	struct timespec t0;
	struct http_req *rq;         /* a request waiting for the writer or the lane */
	atomic_bool done;            /* the writer finished rq */
	bool held;                   /* counted in server.held (worker thread only) */
};

/* ---- logging ----------------------------------------------------------- */

/* The only log function: method (from a fixed list), route pattern, status,
 * duration and request id. Nothing from the URL, headers or body. */
static void log_request(struct server *srv, const char *method, const char *pattern, int status,
                        double ms, const char *req_id)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };
	const char *m = "OTHER";
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(method, methods[i]) == 0)
			m = methods[i];
	time_t t = time(NULL);
	struct tm tm;
	char at[32];
	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(srv->log, "%s %s %s %d %.1fms req=%s\n", at, m, pattern ? pattern : "-", status, ms,
	        req_id);
	fflush(srv->log);
}

/* ---- per-thread store -------------------------------------------------- */

/* What a worker thread keeps: its connection and the charts rendered on
 * it. */
struct worker {
	struct store *st;
	struct chart_cache *charts;
};

static void close_worker(void *p)
{
	struct worker *wk = p;
	chart_cache_free(wk->charts);
	store_close(wk->st);
	free(wk);
}

static struct worker *worker_get(struct server *srv)
{
	struct worker *wk = pthread_getspecific(srv->store_key);
	if (wk)
		return wk;
	struct prolo_err err;
	if (!(wk = calloc(1, sizeof *wk)))
		return NULL;
	if (store_open(srv->opt.db_path, 0, &wk->st, &err) != PROLO_OK) {
		free(wk);
		return NULL;
	}
	store_tune_server(wk->st);
	int mb = srv->opt.chart_cache_mb;
	wk->charts = mb < 0 ? NULL : chart_cache_new((size_t)(mb ? mb : 8) << 20);
	pthread_setspecific(srv->store_key, wk);
	return wk;
}

/* ---- static files ------------------------------------------------------ */

static const char *content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".map", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* A relative path of plain segments: no "..", no hidden files, no
 * backslashes or odd bytes. */
static bool safe_rel_path(const char *p)
{
	if (!*p || strlen(p) > 200)
		return false;
	bool seg_start = true;
	for (const char *c = p; *c; c++) {
		if (seg_start && (*c == '.' || *c == '/'))
			return false;
		seg_start = *c == '/';
		if (!(*c == '/' || *c == '.' || *c == '-' || *c == '_' || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			return false;
	}
	return !seg_start;
}

static void not_found(struct http_req *rq)
{
	struct prolo_err err;
	prolo_err_set(&err, PROLO_ENOTFOUND, "", "no such page");
	api_error(rq, 404, NULL, &err);
}

static void serve_file(struct server *srv, struct http_req *rq, const char *rel)
{
	char path[PATH_MAX], real[PATH_MAX];
	if (!safe_rel_path(rel) || !srv->web_dir[0]) {
		not_found(rq);
		return;
	}
	snprintf(path, sizeof path, "%s/%s", srv->web_dir, rel);
	size_t wl = strlen(srv->web_dir);
	if (!realpath(path, real) || strncmp(real, srv->web_dir, wl) != 0 || real[wl] != '/') {
		not_found(rq);
		return;
	}
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > MAX_STATIC) {
		if (fd >= 0)
			close(fd);
		not_found(rq);
		return;
	}
	char chunk[16384];
	ssize_t n;
	buf_reset(&rq->out);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_add(&rq->out, chunk, (size_t)n) != PROLO_OK)
			break;
	close(fd);
	rq->status = 200;
	rq->content_type = content_type(real);
}

static void serve_static(struct server *srv, struct http_req *rq)
{
	rq->route = RT_STATIC;
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		rq->pattern = "static";
		struct prolo_err err;
		prolo_err_set(&err, PROLO_EINVAL, "", "method not allowed");
		api_error(rq, 405, "method_not_allowed", &err);
		return;
	}
	if (strcmp(rq->path, "/") == 0 || strcmp(rq->path, "/index.html") == 0) {
		rq->pattern = "/";
		serve_file(srv, rq, "index.html");
	} else if (strncmp(rq->path, "/static/", 8) == 0) {
		rq->pattern = "/static/{file}";
		serve_file(srv, rq, rq->path + 8);
	} else if (strncmp(rq->path, "/q/", 3) == 0) {
		rq->pattern = "/q/{token}";
		rq->route = RT_Q_PAGE;
		serve_file(srv, rq, "q.html");
	} else if (strncmp(rq->path, "/optout/", 8) == 0) {
		rq->pattern = "/optout/{token}";
		rq->route = RT_Q_PAGE;
		serve_file(srv, rq, "optout.html");
	} else {
		rq->pattern = "static";
		not_found(rq);
	}
}

/* ---- slow clients: the whole-request deadline ------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libmicrohttpd's idle timeout restarts with every byte, so a client that
 * trickles a header line every few seconds would hold its connection for
 * ever. Each connection is tracked from its start; on_request marks it
 * "not receiving" once a whole request is in, on_completed "receiving"
 * again (the next request on a kept-alive connection, timed from the
 * previous answer). NOTIFY_CLOSED comes before libmicrohttpd closes the
 * socket, and the entry leaves the list under track_mu, so the reaper
 * never shuts down a reused descriptor. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct conn_track *t = calloc(1, sizeof *t);
		*socket_context = t;
		if (!t || !ci)
			return;
		t->fd = ci->connect_fd;
		atomic_init(&t->start_ms, now_ms());
		atomic_init(&t->receiving, true);
		pthread_mutex_lock(&srv->track_mu);
		t->next = srv->tracks;
		if (srv->tracks)
			srv->tracks->prev = t;
		srv->tracks = t;
		t->prev = NULL;
		pthread_mutex_unlock(&srv->track_mu);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct conn_track *t = *socket_context;
		if (!t)
			return;
		*socket_context = NULL;
		pthread_mutex_lock(&srv->track_mu);
		if (t->prev || srv->tracks == t) {
			if (t->prev)
				t->prev->next = t->next;
			else
				srv->tracks = t->next;
			if (t->next)
				t->next->prev = t->prev;
		}
		pthread_mutex_unlock(&srv->track_mu);
		free(t);
	}
}

static struct conn_track *track_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Every 100 ms: shuts down the sockets of connections receiving a request
 * for longer than the deadline; libmicrohttpd then reads the end of the
 * stream and closes them. Stops when reaper_stop is set. */
static void *reaper_main(void *p)
{
	struct server *srv = p;
	long long deadline = (long long)srv->opt.request_deadline_s * 1000;
	while (!atomic_load(&srv->reaper_stop)) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		long long now = now_ms();
		pthread_mutex_lock(&srv->track_mu);
		for (struct conn_track *t = srv->tracks; t; t = t->next)
			if (!t->cut && atomic_load(&t->receiving) && now - atomic_load(&t->start_ms) > deadline) {
				shutdown(t->fd, SHUT_RDWR);
				t->cut = true;
			}
		pthread_mutex_unlock(&srv->track_mu);
	}
	return NULL;
}

/* ---- the Host allow-list ----------------------------------------------- */

bool http_host_allowed(const char *host, const char *const *names, int n_names, int port)
{
	if (!host)
		return true;
	size_t hl = strlen(host), nl = hl;
	const char *pt = NULL;
	if (hl == 0 || hl > 255)
		return false;
	if (host[0] == '[') {
		const char *rb = strchr(host, ']');
		if (!rb)
			return false;
		nl = (size_t)(rb - host) + 1;
		if (rb[1] == ':')
			pt = rb + 2;
		else if (rb[1])
			return false;
	} else {
		const char *colon = strchr(host, ':');
		if (colon) {
			if (strchr(colon + 1, ':'))
				return false;
			nl = (size_t)(colon - host);
			pt = colon + 1;
		}
	}
	for (int i = 0; i < n_names; i++)
		if (strcasecmp(names[i], host) == 0)
			return true;
	if (pt) {
		char *end;
		long v = *pt >= '0' && *pt <= '9' ? strtol(pt, &end, 10) : -1;
		if (v != port || *end)
			return false;
	}
	for (int i = 0; i < n_names; i++)
		if (strlen(names[i]) == nl && strncasecmp(names[i], host, nl) == 0)
			return true;
	return false;
}

/* A request for a host name this server does not answer (a DNS-rebinding
 * page, a misconfigured proxy): 421, JSON under /api/, plain text else. */
static void misdirected(struct http_req *rq)
{
	rq->pattern = "-";
	if (strncmp(rq->path, "/api/", 5) == 0) {
		struct prolo_err err;
		prolo_err_set(&err, PROLO_EINVAL, "Host",
		              "this server does not answer for that host name (see serve --allowed-host)");
		api_error(rq, 421, "misdirected", &err);
		return;
	}
	buf_reset(&rq->out);
	buf_adds(&rq->out, "421 Misdirected Request: this server does not answer for that host name.\n");
	rq->status = 421;
	rq->content_type = "text/plain; charset=utf-8";
}

/* ---- requests ---------------------------------------------------------- */

/* An IP address's text in canonical form into out (IPv4 or IPv6); false
 * when s is none. */
static bool canonical_ip(const char *s, size_t n, char *out, size_t outsz)
{
	char in[INET6_ADDRSTRLEN];
	unsigned char a[16];
	if (n == 0 || n >= sizeof in)
		return false;
	memcpy(in, s, n);
	in[n] = '\0';
	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)outsz) != NULL;
	return inet_pton(AF_INET6, in, a) == 1 && inet_ntop(AF_INET6, a, out, (socklen_t)outsz) != NULL;
}

static enum MHD_Result last_forwarded(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)ctx = value;
	return MHD_YES;
}

/* The request's client: the peer's address, or behind the trusted proxy
 * the last hop of the last X-Forwarded-For header (the one the proxy
 * adds; earlier hops are the client's to write). A proxy's request
 * without a readable hop keeps the proxy's address. */
static void client_addr(struct MHD_Connection *c, const char *trusted_proxy, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, outsz, "?");
	if (!ci || !ci->client_addr)
		return;
	socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                                      : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, len, out, (socklen_t)outsz, NULL, 0, NI_NUMERICHOST) != 0) {
		snprintf(out, outsz, "?");
		return;
	}
	if (!trusted_proxy || strcmp(out, trusted_proxy) != 0)
		return;
	const char *xff = NULL;
	MHD_get_connection_values(c, MHD_HEADER_KIND, last_forwarded, &xff);
	if (!xff)
		return;
	const char *hop = strrchr(xff, ',');
	hop = hop ? hop + 1 : xff;
	while (*hop == ' ' || *hop == '\t')
		hop++;
	size_t n = strlen(hop);
	while (n && (hop[n - 1] == ' ' || hop[n - 1] == '\t'))
		n--;
	char ip[INET6_ADDRSTRLEN];
	if (canonical_ip(hop, n, ip, sizeof ip))
		snprintf(out, outsz, "%s", ip);
}

static enum MHD_Result send_response(struct server *srv, struct MHD_Connection *c,
                                     struct http_req *rq, struct conn_ctx *cx)
{
	size_t len = rq->out.len;
	char *data = buf_take(&rq->out);
	if (!data) {
		data = NULL;
		len = 0;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	bool api = strncmp(rq->path, "/api/", 5) == 0 || strncmp(rq->path, "/q/", 3) == 0 ||
	           strncmp(rq->path, "/optout/", 8) == 0;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        rq->content_type ? rq->content_type : "application/json");
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, api ? "no-store" : "no-cache");
	MHD_add_response_header(r, "X-Request-Id", rq->req_id);
	if (srv->tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	if (rq->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rq->set_cookie);
	if (rq->retry_after[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, rq->retry_after);
	if (rq->replayed)
		MHD_add_response_header(r, "Idempotent-Replayed", "true");
	if (rq->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rq->etag);
	if (atomic_load(&srv->stopping))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)rq->status, r);
	MHD_destroy_response(r);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - cx->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - cx->t0.tv_nsec) / 1e6;
	log_request(srv, rq->method, rq->pattern, rq->status, ms, rq->req_id);
	cx->responded = true;
	return ok;
}

static void init_req(struct server *srv, struct http_req *rq, struct MHD_Connection *c,
                     const char *url, const char *method)
{
	memset(rq, 0, sizeof *rq);
	rq->conn = c;
	rq->opt = &srv->opt;
	rq->method = method;
	rq->path = url;
	rq->now = (int64_t)time(NULL);
	rq->tls = srv->tls;
	rq->status = 500;
	buf_init(&rq->out, MAX_RESPONSE);
	/* Request ids only tell log lines apart: a counter from a random start
	 * (no system call per request). */
	snprintf(rq->req_id, sizeof rq->req_id, "%016llx",
	         (unsigned long long)atomic_fetch_add(&srv->next_req_id, 1));
	client_addr(c, srv->trusted_proxy[0] ? srv->trusted_proxy : NULL, rq->addr, sizeof rq->addr);
}

/* http_req.resume: called by the writer or slow lane thread when a
 * suspended request is done; on_request then sends its response. */
static void resume_req(struct http_req *rq)
{
	struct conn_ctx *cx = rq->server_ctx;
	struct MHD_Connection *c = rq->conn;
	atomic_store(&cx->done, true);
	MHD_resume_connection(c);
}

/* slowlane_refuse_rest's answer to a report or alert still queued when
 * the server stops. */
static void refuse_stopping(struct writer_job *j)
{
	struct http_req *rq = (struct http_req *)(void *)((char *)j - offsetof(struct http_req, job));
	json_decref(rq->json);
	rq->json = NULL;
	api_unavailable(rq, "the server is stopping");
	rq->resume(rq);
}

/* The connection's request no longer counts in server.held: answered
 * here, or back from suspension (on_request or on_completed runs for it
 * only once libmicrohttpd has taken it off its list of suspended ones). */
static void release(struct server *srv, struct conn_ctx *cx)
{
	if (cx->held) {
		cx->held = false;
		atomic_fetch_sub(&srv->held, 1);
	}
}

/* An /api/ request: answered here, or handed to the writer or the slow
 * lane with the connection suspended. It counts in server.held from
 * before the stopping check on, so http_serve, which sets stopping and
 * then waits for held to reach 0, never stops the daemon with a
 * connection suspended. */
static enum MHD_Result serve_api(struct server *srv, struct MHD_Connection *c, struct conn_ctx *cx,
                                 const char *url, const char *method)
{
	struct http_req *aq = malloc(sizeof *aq);
	if (!aq)
		return MHD_NO;
	init_req(srv, aq, c, url, method);
	aq->body = buf_str(&cx->body);
	aq->body_len = cx->body.len;
	struct worker *wk = worker_get(srv);
	aq->st = wk ? wk->st : NULL;
	aq->charts = wk ? wk->charts : NULL;
	aq->writer = srv->writer;
	atomic_fetch_add(&srv->held, 1);
	cx->held = true;
	if (atomic_load(&srv->stopping)) {
		aq->pattern = "-";
		api_unavailable(aq, "the server is stopping");
	} else if (api_dispatch(aq)) {
		aq->resume = resume_req;
		aq->server_ctx = cx;
		cx->rq = aq;
		/* Suspend first: the job may finish at once. */
		MHD_suspend_connection(c);
		if (!aq->slow) {
			writer_submit(srv->writer, &aq->job);
		} else if (!slowlane_submit(srv->slow, &aq->job, aq->slow_hash)) {
			api_unavailable(aq, "the server is busy; try again shortly");
			resume_req(aq);
		}
		return MHD_YES;
	}
	release(srv, cx);
	enum MHD_Result ok = send_response(srv, c, aq, cx);
	buf_free(&aq->out);
	free(aq);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn_ctx *cx = *con_cls;
	(void)version;
	if (!cx) {
		cx = calloc(1, sizeof *cx);
		if (!cx)
			return MHD_NO;
		buf_init(&cx->body, srv->opt.max_body);
		clock_gettime(CLOCK_MONOTONIC, &cx->t0);
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = cx;
		const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
		if (!http_host_allowed(host, srv->hosts, srv->n_hosts, srv->opt.port)) {
			struct http_req rq;
			init_req(srv, &rq, c, url, method);
			misdirected(&rq);
			enum MHD_Result ok = send_response(srv, c, &rq, cx);
			buf_free(&rq.out);
			return ok;
		}
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > srv->opt.max_body) {
			struct http_req rq;
			struct prolo_err err;
			init_req(srv, &rq, c, url, method);
			rq.pattern = "-";
			prolo_err_set(&err, PROLO_ETOOBIG, "body", "the request body is larger than %zu bytes",
			              srv->opt.max_body);
			api_error(&rq, 413, NULL, &err);
			return send_response(srv, c, &rq, cx);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cx->too_big && !cx->responded && buf_add(&cx->body, upload, *upload_size) != PROLO_OK)
			cx->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (cx->responded)
		return MHD_YES;
	struct conn_track *tr = track_of(c);
	if (tr) /* the whole request is in: no deadline while it is handled */
		atomic_store(&tr->receiving, false);
	if (cx->rq) {
		/* Resumed: the writer or the lane has finished the request. */
		if (!atomic_load(&cx->done))
			return MHD_YES;
		release(srv, cx);
		struct http_req *wq = cx->rq;
		cx->rq = NULL;
		enum MHD_Result ok = send_response(srv, c, wq, cx);
		buf_free(&wq->out);
		free(wq);
		return ok;
	}
	if (!cx->too_big && strncmp(url, "/api/", 5) == 0)
		return serve_api(srv, c, cx, url, method);
	struct http_req rq;
	init_req(srv, &rq, c, url, method);
	if (cx->too_big) {
		struct prolo_err err;
		rq.pattern = "-";
		prolo_err_set(&err, PROLO_ETOOBIG, "body", "the request body is larger than %zu bytes",
		              srv->opt.max_body);
		api_error(&rq, 413, NULL, &err);
	} else {
		serve_static(srv, &rq);
	}
	enum MHD_Result ok = send_response(srv, c, &rq, cx);
	buf_free(&rq.out);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn_ctx *cx = *con_cls;
	(void)toe;
	struct conn_track *tr = track_of(c);
	if (tr) { /* the next request on this connection starts its clock now */
		atomic_store(&tr->start_ms, now_ms());
		atomic_store(&tr->receiving, true);
	}
	if (!cx)
		return;
	release(srv, cx);
	if (cx->rq) {
		buf_free(&cx->rq->out);
		free(cx->rq);
	}
	buf_free(&cx->body);
	free(cx);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* ---- start and stop ---------------------------------------------------- */

static enum prolo_code read_file(const char *path, const char *field, char **out,
                                 struct prolo_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return prolo_err_set(err, PROLO_EINVAL, field, "cannot read '%s': %s", path, strerror(errno));
	struct buf b;
	buf_init(&b, 1 << 20);
	char chunk[4096];
	size_t n;
	enum prolo_code rc = PROLO_OK;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = buf_add(&b, chunk, n);
	fclose(f);
	if (rc) {
		buf_free(&b);
		return prolo_err_set(err, PROLO_EINVAL, field, "'%s' is too large", path);
	}
	*out = buf_take(&b);
	return *out ? PROLO_OK : prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
}

/* The server's private key must not be readable by every account (a
 * group, as Debian's ssl-cert, may share it). */
static enum prolo_code check_key_mode(const char *path, struct prolo_err *err)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "tls-key", "cannot read '%s': %s", path, strerror(errno));
	if (sb.st_mode & (S_IROTH | S_IWOTH))
		return prolo_err_set(err, PROLO_EINVAL, "tls-key",
		                     "'%s' may be read by every account on this machine (mode %03o); "
		                     "chmod o-rwx it", path, (unsigned)(sb.st_mode & 0777));
	return PROLO_OK;
}

static void find_web_dir(struct server *srv)
{
	char cand[PATH_MAX];
	srv->web_dir[0] = '\0';
	if (srv->opt.web_dir) {
		if (!realpath(srv->opt.web_dir, srv->web_dir))
			srv->web_dir[0] = '\0';
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(cand, sizeof cand, "%s/web", exe);
			if (realpath(cand, srv->web_dir))
				return;
		}
	}
	if (!realpath("web", srv->web_dir))
		srv->web_dir[0] = '\0';
}

/* After SIGTERM, until no connection is suspended, however long their
 * jobs take: libmicrohttpd aborts when stopped with one suspended. This
 * ends: no request is suspended any more (stopping), and what is queued
 * runs on its own (the lane's queues hold 64 jobs each; the writer has at
 * most one per connection and runs them in batches). Then at most 10 s
 * more for requests still being received or sent. */
static void wait_for_requests(struct server *srv, FILE *info)
{
	int idle = 0; /* ticks of 10 ms with nothing suspended */
	for (long tick = 1;; tick++) {
		int held = atomic_load(&srv->held);
		idle = held ? 0 : idle + 1;
		if (!held && (atomic_load(&srv->in_flight) == 0 || idle > 1000))
			return;
		if (held && tick % 1000 == 0) {
			fprintf(info, "prolo: waiting for %d queued requests\n", held);
			fflush(info);
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

enum prolo_code http_serve(const struct http_options *opt, struct prolo_err *err)
{
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	srv->opt = *opt;
	struct http_options *o = &srv->opt;
	if (!o->bind)
		o->bind = "127.0.0.1";
	if (!o->port)
		o->port = 8080;
	if (!o->max_body)
		o->max_body = DEFAULT_MAX_BODY;
	if (!o->timeout_s)
		o->timeout_s = 30;
	if (!o->request_deadline_s)
		o->request_deadline_s = 10;
	if (!o->max_per_ip)
		o->max_per_ip = 256;
	if (o->trusted_proxy &&
	    !canonical_ip(o->trusted_proxy, strlen(o->trusted_proxy), srv->trusted_proxy, sizeof srv->trusted_proxy)) {
		prolo_err_set(err, PROLO_EINVAL, "trusted-proxy", "'%s' is not an IP address", o->trusted_proxy);
		free(srv);
		return PROLO_EINVAL;
	}
	pthread_mutex_init(&srv->track_mu, NULL);
	bool reaper_started = false;
	if (o->threads <= 0) {
		/* Workers do not wait for the disk (reads spool their audit rows,
		 * writes go to the writer), so more threads than cores only add
		 * scheduling delay: p99 of chart reads at 64 connections on 2 cores
		 * was about 8 ms with 2 threads, 10-11 ms with 4 (bench/RESULTS.md). */
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o->threads = cpus > 2 ? (int)cpus : 2;
	}
	srv->log = o->log ? o->log : stderr;
	FILE *info = o->info ? o->info : stdout;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d = NULL;
	bool key_made = false;
	enum prolo_code rc = auth_init(err);
	if (rc)
		goto done;
	unsigned long long first_id;
	randombytes_buf(&first_id, sizeof first_id);
	atomic_init(&srv->next_req_id, first_id);
	if (o->port < 1 || o->port > 65535) {
		rc = prolo_err_set(err, PROLO_EINVAL, "port", "must be 1..65535");
		goto done;
	}
	if (!!o->tls_cert != !!o->tls_key) {
		rc = prolo_err_set(err, PROLO_EINVAL, o->tls_cert ? "tls-key" : "tls-cert",
		                   "--tls-cert and --tls-key go together");
		goto done;
	}
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} addr;
	memset(&addr, 0, sizeof addr);
	bool v6 = strchr(o->bind, ':') != NULL;
	if (v6) {
		addr.in6.sin6_family = AF_INET6;
		addr.in6.sin6_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET6, o->bind, &addr.in6.sin6_addr) != 1)
			rc = prolo_err_set(err, PROLO_EINVAL, "bind", "'%s' is not an IP address", o->bind);
	} else {
		addr.in4.sin_family = AF_INET;
		addr.in4.sin_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET, o->bind, &addr.in4.sin_addr) != 1)
			rc = prolo_err_set(err, PROLO_EINVAL, "bind", "'%s' is not an IP address", o->bind);
	}
	if (rc)
		goto done;
	/* The Host names answered: the bind address, the loopback names, and
	 * --allowed-host. */
	snprintf(srv->bind_host, sizeof srv->bind_host, v6 ? "[%s]" : "%s", o->bind);
	srv->hosts[srv->n_hosts++] = srv->bind_host;
	srv->hosts[srv->n_hosts++] = "localhost";
	srv->hosts[srv->n_hosts++] = "127.0.0.1";
	srv->hosts[srv->n_hosts++] = "[::1]";
	for (int i = 0; i < o->n_allowed_hosts; i++) {
		const char *h = o->allowed_hosts[i];
		if (srv->n_hosts == MAX_HOSTS) {
			rc = prolo_err_set(err, PROLO_EINVAL, "allowed-host", "at most %d host names", MAX_HOSTS - 4);
			goto done;
		}
		if (!*h || strlen(h) > 255 || strcspn(h, " \t\r\n/@?#") != strlen(h)) {
			rc = prolo_err_set(err, PROLO_EINVAL, "allowed-host", "'%s' is not a host name", h);
			goto done;
		}
		srv->hosts[srv->n_hosts++] = h;
	}
	/* Enough connection slots that slow clients do not take them all:
	 * the open-file limit is raised to its hard limit, and FD_RESERVE
	 * descriptors are left for the rest. */
	unsigned max_conn = o->max_connections ? o->max_connections : 4000;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rlim_t want = rl.rlim_max;
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max_conn + 2 * FD_RESERVE)
			max_conn = rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : FD_RESERVE;
	}
	/* Open once here: applies migrations before the workers start and
	 * fails early on a missing registry. */
	struct store *st = NULL;
	if ((rc = store_open(o->db_path, 0, &st, err)))
		goto done;
	store_close(st);
	if (o->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			rc = prolo_err_set(err, PROLO_EINVAL, "tls-cert", "this libmicrohttpd has no TLS support");
			goto done;
		}
		if ((rc = read_file(o->tls_cert, "tls-cert", &cert, err)) || (rc = check_key_mode(o->tls_key, err)) ||
		    (rc = read_file(o->tls_key, "tls-key", &key, err)))
			goto done;
		srv->tls = true;
	}
	find_web_dir(srv);
	if (pthread_key_create(&srv->store_key, close_worker) != 0) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "cannot create a thread key");
		goto done;
	}
	key_made = true;

	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	/* Started with the signals blocked, like the workers: only sigwait
	 * below takes them. */
	if ((rc = writer_start(o->db_path, &srv->writer, err)) ||
	    (rc = slowlane_start(o->db_path, SLOW_THREADS, &srv->slow, err))) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto done;
	}

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
	                 MHD_ALLOW_SUSPEND_RESUME |
	                 (v6 ? MHD_USE_IPv6 : 0) | (srv->tls ? MHD_USE_TLS : 0);
	/* The TLS key pair, when there is one, rides in an option array so that
	 * one call starts either daemon. */
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key },
		{ MHD_OPTION_END, 0, NULL },
	};
	d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, srv,
	                     MHD_OPTION_SOCK_ADDR, &addr.sa,
	                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
	                     MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
	                     MHD_OPTION_CONNECTION_LIMIT, max_conn,
	                     MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_ip,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	                     MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	                     MHD_OPTION_ARRAY, srv->tls ? tls_opts : &tls_opts[2],
	                     MHD_OPTION_END);
	if (!d) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		rc = prolo_err_set(err, PROLO_ECONFLICT, "port", "cannot listen on %s port %d (in use?)",
		                   o->bind, o->port);
		goto done;
	}
	atomic_init(&srv->reaper_stop, false);
	if (pthread_create(&srv->reaper, NULL, reaper_main, srv) != 0) {
		MHD_stop_daemon(d);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "cannot start a thread");
		goto done;
	}
	reaper_started = true;
	fprintf(info, "prolo: serving %s://%s%s%s:%d/ with %d threads%s\n", srv->tls ? "https" : "http",
	        v6 ? "[" : "", o->bind, v6 ? "]" : "", o->port, o->threads,
	        srv->web_dir[0] ? "" : " (no web/ directory: API only)");
	fflush(info);
	/* The outbox: started with the signals blocked like the workers. */
	struct app_outbox_worker *outbox = NULL;
	if (o->outbox) {
		struct app_outbox_worker_opts wo = { o->db_path, o->outbox, o->protocols,
		                                     o->outbox_interval_s ? o->outbox_interval_s : 60, info };
		if ((rc = app_outbox_worker_start(&wo, &outbox, err))) {
			fprintf(info, "prolo: the outbox did not start: %s\n", err->msg);
			rc = PROLO_OK;
			prolo_err_clear(err);
		} else {
			fprintf(info, "prolo: outbox every %d s\n", wo.interval_s);
		}
		fflush(info);
	}
	int sig = 0;
	sigwait(&stop, &sig);
	atomic_store(&srv->stopping, true);
	fprintf(info, "prolo: stopping (signal %d); finishing requests in flight\n", sig);
	fflush(info);
	app_outbox_worker_stop(outbox);
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	slowlane_refuse_rest(srv->slow, refuse_stopping);
	wait_for_requests(srv, info);
	MHD_stop_daemon(d);
	atomic_store(&srv->reaper_stop, true);
	pthread_join(srv->reaper, NULL);
	reaper_started = false;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fprintf(info, "prolo: stopped\n");
	fflush(info);
	rc = PROLO_OK;
done:
	if (reaper_started) {
		atomic_store(&srv->reaper_stop, true);
		pthread_join(srv->reaper, NULL);
	}
	pthread_mutex_destroy(&srv->track_mu);
	/* After the daemon: no request is left waiting for them. */
	slowlane_stop(srv->slow);
	writer_stop(srv->writer);
	if (key_made)
		pthread_key_delete(srv->store_key);
	if (key)
		sodium_memzero(key, strlen(key));
	free(cert);
	free(key);
	free(srv);
	return rc;
}
