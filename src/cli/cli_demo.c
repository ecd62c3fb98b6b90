/* prolo demo: a newcomer's first command. Simulates a small network of
 * clinics with a fixed seed into a fresh registry, prints the outcomes
 * report, writes the HTML report and then serves the web app when this
 * build has one. The registry is made through the import use case, as
 * `prolo simulate` makes one; the report and the web app are the commands a
 * user would type, run from this very binary, so the demo exercises the
 * real paths. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/privfile.h"
#include "sim/sim_csv.h"

#define DEMO_PATIENTS 2000
#define DEMO_SEED 20240601
#define DEMO_CLINICS 8

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

/* The web app on the demo registry: `prolo serve`, with an admin account
 * made for the occasion. */
static int demo_serve(struct cli_ctx *ctx, const char *db)
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
	fprintf(ctx->out, "\nServing the demo registry (Ctrl-C stops it).\n");
	fflush(ctx->out);
	/* Become the server, so that signals (Ctrl-C, SIGTERM to this process)
	 * reach it directly and nothing is left running. */
	char *args[] = { "prolo", "--db", (char *)db, "serve", NULL };
	execv("/proc/self/exe", args);
	fprintf(ctx->errs, "prolo: cannot start the web app: %s\n", strerror(errno));
	return 5;
}

int cli_demo(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int rc = 0;
	bool no_serve = cli_has(ca, "no-serve");
	const char *dir = cli_get(ca, "dir");
	if (!dir)
		dir = "demo";
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
	 * clinic network, with a fixed seed: the same demo every time */
	remove_registry(db);
	struct sim_csv_opts opts = { .goal_reached = true };
	rc = cli_simulate_registry(ctx, db, DEMO_PATIENTS, DEMO_SEED, DEMO_CLINICS, &opts, false);
	if (rc)
		return rc;
	fprintf(ctx->out, "Simulated %d patients in %d clinics (seed %d).\n", DEMO_PATIENTS, DEMO_CLINICS,
	        DEMO_SEED);

	/* 3. the outcomes report, then the HTML report */
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
	/* 4. the web app (hook: runs `prolo serve` when the build has it) */
	if (no_serve)
		return 0;
	return demo_serve(ctx, db);
}
