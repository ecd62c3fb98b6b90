/* prolo demo: a newcomer's first command. Simulates a living network of
 * clinics (as of today, with a fixed seed) into a fresh registry, prints
 * the outcomes report, writes the HTML report, starts a local mail catcher
 * (python3-aiosmtpd on a loopback port, writing to DIR/mail), points the
 * registry's outreach configuration at it, runs one pass of the follow-up
 * outbox, shows the morning list's size and then serves the web app. The
 * registry is made through the import use case, as `prolo simulate` makes
 * one; the report, the outbox and the web app are the commands a user
 * would type, run from this very binary, so the demo exercises the real
 * paths. Whatever the demo starts it stops, by pid, when it stops. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/privfile.h"
#include "sim/sim.h"
#include "sim/sim_csv.h"

#define DEMO_PATIENTS 2000
#define DEMO_SEED 20240601
#define DEMO_CLINICS 8
#define DEMO_PYTHON "/usr/bin/python3"

extern char **environ;

/* A pipe p whose end p[end] becomes the child's fd; the child closes both
 * originals. 0, or -1 when no pipe could be made. */
static int child_pipe(posix_spawn_file_actions_t *fa, int p[2], int end, int fd)
{
	if (pipe(p) != 0)
		return -1;
	posix_spawn_file_actions_adddup2(fa, p[end], fd);
	posix_spawn_file_actions_addclose(fa, p[0]);
	posix_spawn_file_actions_addclose(fa, p[1]);
	return 0;
}

/* Runs this binary with args (NULL-terminated, args[0] unused) and waits.
 * When input is not NULL it is the child's standard input; when capture is
 * not NULL, stdout goes there (at most capsz - 1 bytes, NUL-terminated).
 * Returns the exit status, or -1 if it could not run. */
static int run_self_io(char *const args[], const char *input, char *capture, size_t capsz)
{
	int fds[2] = { -1, -1 }, in[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if ((input && child_pipe(&fa, in, 0, STDIN_FILENO)) || (capture && child_pipe(&fa, fds, 1, STDOUT_FILENO))) {
		posix_spawn_file_actions_destroy(&fa);
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		return -1;
	}
	fflush(NULL);
	pid_t pid;
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (input) {
		close(in[0]);
		size_t len = strlen(input), off = 0;
		while (rc == 0 && off < len) {
			ssize_t k = write(in[1], input + off, len - off);
			if (k <= 0)
				break;
			off += (size_t)k;
		}
		close(in[1]);
	}
	if (capture) {
		close(fds[1]);
		size_t n = 0;
		if (rc == 0) {
			ssize_t k;
			char sink[4096];
			while ((k = read(fds[0], n + 1 < capsz ? capture + n : sink,
			                 n + 1 < capsz ? capsz - 1 - n : sizeof sink)) > 0)
				if (n + 1 < capsz)
					n += (size_t)k;
		}
		capture[n] = '\0';
		close(fds[0]);
	}
	if (rc != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run_self(char *const args[], char *capture, size_t capsz)
{
	return run_self_io(args, NULL, capture, capsz);
}

static void remove_registry(const char *db)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[4096];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		int n = snprintf(path, sizeof path, "%s%s", db, suffix[i]);
		if (n > 0 && (size_t)n < sizeof path)
			unlink(path);
	}
}

/* ---- the mail catcher ------------------------------------------------------ */

/* A listening socket on a loopback port the system picks (*port), held
 * from here on: the catcher is handed this socket rather than a port
 * number to bind, so no other program can take the port in between. Not
 * fd 3, where the catcher gets it. -1 when none. */
static int catcher_socket(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == 3) {
		int hi = fcntl(fd, F_DUPFD_CLOEXEC, 10);
		close(fd);
		fd = hi;
	}
	if (fd < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* True once an SMTP server greets (220) on the loopback port within
 * 200 ms. */
static bool smtp_greets(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool ok = false;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		char line[8] = { 0 };
		ok = poll(&pf, 1, 200) == 1 && read(fd, line, 3) == 3 && memcmp(line, "220", 3) == 0;
	}
	close(fd);
	return ok;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Stops a child the demo started: SIGTERM, then SIGKILL after 5 s. */
static void stop_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		sleep_ms(100);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Empties a Maildir's new/ cur/ tmp/ (the catcher's folder): each demo
 * shows its own messages. Cannot fail (what cannot be removed stays). */
static void clear_maildir(const char *dir)
{
	static const char *const sub[] = { "new", "cur", "tmp" };
	char path[4096];
	for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
		DIR *d = opendir(path);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && unlinkat(dirfd(d), e->d_name, 0) != 0 && errno != ENOENT)
				break;
		closedir(d);
	}
}

/* Files in DIR/new of a Maildir. */
static int count_mail(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/new", dir);
	DIR *d = opendir(path);
	int n = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The catcher: aiosmtpd's SMTP server with its Maildir handler, serving
 * the listening socket it inherits as fd 3 (catcher_socket). */
static const char catcher_py[] =
	"import asyncio, socket, sys\n"
	"from aiosmtpd.smtp import SMTP\n"
	"from aiosmtpd.handlers import Mailbox\n"
	"loop = asyncio.new_event_loop()\n"
	"asyncio.set_event_loop(loop)\n"
	"handler = Mailbox(sys.argv[1])\n"
	"loop.run_until_complete(loop.create_server(lambda: SMTP(handler), sock=socket.socket(fileno=3)))\n"
	"loop.run_forever()\n";

/* Starts the catcher on a loopback port of its own (*port) with the
 * Maildir handler writing to maildir, its output in logpath, and waits (at
 * most 10 s) until it greets. The pid, or -1 when it could not start (no
 * python3-aiosmtpd): the child is then gone. */
static pid_t start_catcher(const char *maildir, const char *logpath, int *port)
{
	int sock = catcher_socket(port);
	if (sock < 0)
		return -1;
	char *args[] = { DEMO_PYTHON, "-c", (char *)catcher_py, (char *)maildir, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, sock, 3);
	pid_t pid;
	fflush(NULL);
	int rc = posix_spawn(&pid, DEMO_PYTHON, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sock); /* the child holds it now */
	if (rc != 0)
		return -1;
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1; /* it ended: python3-aiosmtpd is not installed */
		if (smtp_greets(*port))
			return pid;
	}
	stop_child(pid);
	return -1;
}

/* The registry's outreach configuration (docs/followup.md), beside it,
 * mode 0600: the local catcher, no TLS, no login, no quiet hours, and no
 * rate limit worth the name, so that the demo's pass sends at once. 0, or
 * -1 when it cannot be written. */
static int write_outreach_conf(const char *db, int smtp_port, int web_port)
{
	char path[4200];
	snprintf(path, sizeof path, "%s-outreach.conf", db);
	FILE *f = privfile_fopen(path);
	if (!f)
		return -1;
	fprintf(f, "# Written by prolo demo: messages go to the local mail catcher the demo\n"
	        "# starts (python3-aiosmtpd on 127.0.0.1), never to the outside.\n"
	        "smtp_url = smtp://127.0.0.1:%d\nstarttls = off\nfrom = followup@example.org\n"
	        "clinic_name = Demo Clinic\nbase_url = http://127.0.0.1:%d\nquiet_hours = none\n"
	        "rate_per_minute = 6000\nmax_per_run = 10000\n", smtp_port, web_port);
	return fclose(f) == 0 ? 0 : -1;
}

/* ---- stopping ------------------------------------------------------------ */

static volatile sig_atomic_t demo_stop;

static void on_stop(int sig)
{
	(void)sig;
	demo_stop = 1;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- the web app --------------------------------------------------------- */

/* The web app on the demo registry: `prolo serve` as a child, with an
 * admin account made for the occasion; runs until it ends or the demo is
 * told to stop (Ctrl-C, SIGTERM), then stops it. */
static int demo_serve(struct cli_ctx *ctx, const char *db, const char *port)
{
	/* a fresh admin account with a random password, shown once: the
	 * registry is new, so nobody could log in otherwise */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char pw[20];
	if (sodium_init() < 0)
		return 5;
	for (size_t i = 0; i < 16; i++)
		pw[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	pw[16] = '\n';
	pw[17] = '\0';
	char *user_argv[] = { "prolo", "--db", (char *)db, "user", "add", "demo", "--role",
	                      "admin", "--password-stdin", NULL };
	char sink[1024];
	int rc = run_self_io(user_argv, pw, sink, sizeof sink);
	pw[16] = '\0';
	if (rc == 0)
		fprintf(ctx->out, "\nWeb app login: user demo, password %s\n", pw);
	sodium_memzero(pw, sizeof pw);
	char *args[] = { "prolo", "--db", (char *)db, "serve", "--port", (char *)port, NULL };
	pid_t pid;
	fflush(NULL);
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0) {
		fprintf(ctx->errs, "prolo: cannot start the web app: %s\n", strerror(errno));
		return 5;
	}
	fprintf(ctx->out, "web app: pid %d\n\nServing the demo registry on http://127.0.0.1:%s "
	        "(Ctrl-C stops it and the mail catcher).\n", (int)pid, port);
	fflush(ctx->out);
	int st = 0;
	for (;;) {
		if (demo_stop) {
			stop_child(pid);
			return 0;
		}
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 5;
		sleep_ms(100);
	}
}

/* ---- the demo ------------------------------------------------------------ */

/* The catcher, the configuration that points at it, and one pass of the
 * outbox; *catcher gets the catcher's pid (-1 when none runs). Prints what
 * it did. Cannot fail: without a catcher the invitations stay queued. */
static void demo_outreach(struct cli_ctx *ctx, const char *dir, const char *db, int web_port,
                          pid_t *catcher)
{
	char maildir[4200], log[4200];
	snprintf(maildir, sizeof maildir, "%s/mail", dir);
	snprintf(log, sizeof log, "%s/mail.log", dir);
	clear_maildir(maildir);
	int port = 0;
	*catcher = start_catcher(maildir, log, &port);
	if (write_outreach_conf(db, port, web_port) != 0) {
		fprintf(ctx->errs, "prolo: cannot write %s-outreach.conf; no follow-up messages\n", db);
		return;
	}
	if (*catcher > 0)
		fprintf(ctx->out, "\nMail catcher: pid %d on 127.0.0.1:%d, writing to %s/new "
		        "(the demo's messages go there, never to the outside)\n", (int)*catcher, port, maildir);
	else
		fprintf(ctx->out, "\nNo local mail catcher (python3-aiosmtpd is needed: sh scripts/install-deps.sh "
		        "--demo); invitations are queued, not sent\n");
	char *run_argv[] = { "prolo", "--db", (char *)db, "outreach", "run", NULL, NULL };
	if (*catcher <= 0)
		run_argv[5] = "--no-send";
	run_self(run_argv, NULL, 0);
	if (*catcher > 0)
		fprintf(ctx->out, "%d follow-up invitations in %s/new\n", count_mail(maildir), maildir);
	char alerts[256];
	char *al_argv[] = { "prolo", "--db", (char *)db, "alerts", NULL };
	if (run_self(al_argv, alerts, sizeof alerts) == 0) {
		alerts[strcspn(alerts, "\n")] = '\0';
		fprintf(ctx->out, "Morning list: %s (prolo --db %s alerts)\n", alerts, db);
	}
}

int cli_demo(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int rc = 0;
	bool no_serve = cli_has(ca, "no-serve");
	const char *dir = cli_get(ca, "dir");
	const char *port = cli_get(ca, "port");
	long web_port = 8080;
	if (!dir)
		dir = "demo";
	if (port && (rc = cli_opt_long(ctx, ca, "port", 1, 65535, &web_port)))
		return rc;
	char port_s[8];
	snprintf(port_s, sizeof port_s, "%ld", web_port);
	struct prolo_err err = { 0 };
	char db[4096], html[4096];
	if (privfile_mkdir(dir) != 0) {
		prolo_err_set(&err, PROLO_EINVAL, "--dir", "cannot create %s: %s", dir, strerror(errno));
		return cli_fail(ctx, &err);
	}
	int n1 = ctx->db_given ? snprintf(db, sizeof db, "%s", ctx->db_path)
	                       : snprintf(db, sizeof db, "%s/prolo.db", dir);
	int n2 = snprintf(html, sizeof html, "%s/report.html", dir);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof db || (size_t)n2 >= sizeof html) {
		prolo_err_set(&err, PROLO_EINVAL, "--dir", "path too long");
		return cli_fail(ctx, &err);
	}
	/* 1. a fresh registry (any old one replaced) holding a simulated
	 * living clinic network as of today, with a fixed seed */
	remove_registry(db);
	struct sim_csv_opts opts = { .goal_reached = true, .living = true };
	struct sim_config cfg = { .seed = DEMO_SEED, .clinics = DEMO_CLINICS, .living = true,
	                          .today = clock_today() };
	rc = cli_simulate_registry(ctx, db, DEMO_PATIENTS, &cfg, &opts, false);
	if (rc)
		return rc;
	fprintf(ctx->out, "Simulated %d patients in %d clinics (seed %d), as of today.\n", DEMO_PATIENTS,
	        DEMO_CLINICS, DEMO_SEED);

	/* 2. the outcomes report, then the HTML report */
	fprintf(ctx->out, "\n");
	char *rep_argv[] = { "prolo", "--db", db, "report", NULL };
	rc = run_self(rep_argv, NULL, 0);
	if (rc == 0) {
		char *html_argv[] = { "prolo", "--db", db, "report", "--format", "html",
		                      "--out", html, NULL };
		rc = run_self(html_argv, NULL, 0);
		if (rc == 0)
			fprintf(ctx->out, "\nRegistry: %s\nHTML report: %s\n", db, html);
	}
	if (rc != 0) {
		prolo_err_set(&err, PROLO_EDB, "report",
		              "the report step failed (exit %d); the registry is at %s", rc, db);
		cli_fail(ctx, &err);
		return rc > 0 ? rc : 5;
	}
	/* 3. follow-up: the mail catcher, the outbox's pass, the morning list */
	catch_stop_signals();
	pid_t catcher = -1;
	demo_outreach(ctx, dir, db, (int)web_port, &catcher);
	/* 4. the web app, until it ends or the demo is stopped */
	if (!no_serve && !demo_stop)
		rc = demo_serve(ctx, db, port_s);
	stop_child(catcher);
	if (catcher > 0)
		fprintf(ctx->out, "Mail catcher stopped.\n");
	return rc;
}
