/* prolo user add|list|passwd|unlock: user accounts of the web app. Passwords come
 * from the terminal without echo (asked twice) or, for scripts, as one
 * line on standard input with --password-stdin; they never appear in argv. */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/domain.h"
#include "security/audit.h"
#include "security/auth.h"
#include "store/store.h"

#define PW_MAX (AUTH_MAX_PASSWORD + 2)

static bool read_line(FILE *f, char *out, size_t outsz)
{
	if (!fgets(out, (int)outsz, f))
		return false;
	size_t n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	return true;
}

/* Reads a password without echo from the terminal; false if there is none. */
static bool ask_password(const char *prompt, char *out, size_t outsz)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return false;
	struct termios old, quiet;
	int fd = fileno(tty);
	bool have = tcgetattr(fd, &old) == 0;
	if (have) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	fprintf(tty, "%s", prompt);
	fflush(tty);
	bool ok = read_line(tty, out, outsz);
	if (have)
		tcsetattr(fd, TCSAFLUSH, &old);
	fprintf(tty, "\n");
	fclose(tty);
	return ok;
}

static int get_password(struct cli_ctx *ctx, bool from_stdin, char *pw, size_t pwsz)
{
	if (from_stdin) {
		if (!read_line(stdin, pw, pwsz))
			return cli_usage(ctx, "--password-stdin: no password on standard input");
		return 0;
	}
	char again[PW_MAX];
	if (!ask_password("Password: ", pw, pwsz) || !ask_password("Again: ", again, sizeof again))
		return cli_usage(ctx, "no terminal to ask for the password (use --password-stdin)");
	bool same = strcmp(pw, again) == 0;
	memset(again, 0, sizeof again);
	if (!same)
		return cli_usage(ctx, "the two passwords differ");
	return 0;
}

static int user_add(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *name = ca->pos[0];
	const char *role = cli_get(ca, "role");
	const char *clinic = cli_get(ca, "clinic");
	bool from_stdin = cli_has(ca, "password-stdin");
	int rc;
	if (!name)
		return cli_usage(ctx, "usage: prolo user add NAME --role admin|clinician|staff|researcher "
		                      "[--clinic C] [--password-stdin]");
	struct prolo_err err;
	prolo_err_clear(&err);
	struct store_user u;
	memset(&u, 0, sizeof u);
	/* Parsing maps the role's name; the account's rules are the use
	 * case's, checked before a password is asked for. */
	u.role = role ? dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role)) : -1;
	if (strlen(name) >= sizeof u.name || (clinic && strlen(clinic) >= sizeof u.clinic)) {
		prolo_err_set(&err, PROLO_EINVAL, strlen(name) >= sizeof u.name ? "name" : "clinic", "is too long");
		return cli_fail(ctx, &err);
	}
	snprintf(u.name, sizeof u.name, "%s", name);
	snprintf(u.clinic, sizeof u.clinic, "%s", clinic && u.role != ROLE_ADMIN ? clinic : "");
	if (app_user_check(&u, &err))
		return cli_fail(ctx, &err);
	u.created_at = clock_now();
	char pw[PW_MAX];
	if ((rc = get_password(ctx, from_stdin, pw, sizeof pw)))
		return rc;
	enum prolo_code code = auth_init(&err);
	if (!code)
		code = auth_hash_password(pw, u.pwhash, &err);
	memset(pw, 0, sizeof pw);
	if (code)
		return cli_fail(ctx, &err);
	struct cli_run r;
	if ((rc = cli_begin(ctx, ca, &r)) || (rc = cli_end(ctx, &r, app_user_add(&r.cx, &u, &r.err))))
		return rc;
	fprintf(ctx->out, "user %s added (%s%s%s)\n", u.name, store_role_names[u.role],
	        u.clinic[0] ? ", clinic " : "", u.clinic);
	return 0;
}

static int user_passwd(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *name = ca->pos[0];
	bool from_stdin = cli_has(ca, "password-stdin");
	int rc;
	if (!name)
		return cli_usage(ctx, "usage: prolo user passwd NAME [--password-stdin]");
	char pw[PW_MAX], h[STORE_PWHASH_MAX];
	if ((rc = get_password(ctx, from_stdin, pw, sizeof pw)))
		return rc;
	struct prolo_err err = { 0 };
	enum prolo_code code = auth_init(&err);
	if (!code)
		code = auth_hash_password(pw, h, &err);
	memset(pw, 0, sizeof pw);
	if (code)
		return cli_fail(ctx, &err);
	struct cli_run r;
	rc = cli_begin(ctx, ca, &r);
	if (!rc)
		rc = cli_end(ctx, &r, app_user_set_password(&r.cx, name, h, &r.err));
	memset(h, 0, sizeof h);
	if (rc)
		return rc;
	fprintf(ctx->out, "password of %s changed; its sessions were closed\n", name);
	return 0;
}

static int user_unlock(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *name = ca->pos[0];
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x || (x = cli_end(ctx, &r, app_user_unlock(&r.cx, name, &r.err))))
		return x;
	fprintf(ctx->out, "%s unlocked: its failed logins are forgotten\n", name);
	return 0;
}

static enum prolo_code print_user(void *c, const struct store_user *u, struct prolo_err *err)
{
	struct cli_ctx *ctx = c;
	if (ctx->json)
		fprintf(ctx->out, "{\"name\":\"%s\",\"role\":\"%s\",\"clinic\":\"%s\",\"disabled\":%s}\n",
		        u->name, store_role_names[u->role], u->clinic, u->disabled ? "true" : "false");
	else
		fprintf(ctx->out, "%-24s %-10s %s%s\n", u->name, store_role_names[u->role],
		        u->clinic[0] ? u->clinic : "-", u->disabled ? " (disabled)" : "");
	return PROLO_OK;
}

static int user_list(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	return x ? x : cli_end(ctx, &r, app_user_list(&r.cx, print_user, ctx, &r.err));
}

int cli_user(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const struct cli_command *cmd = ca->cmd;
	if (strcmp(cmd->verb, "add") == 0)
		return user_add(ctx, ca);
	if (strcmp(cmd->verb, "list") == 0)
		return user_list(ctx, ca);
	if (strcmp(cmd->verb, "passwd") == 0)
		return user_passwd(ctx, ca);
	return user_unlock(ctx, ca);
}
