/* prolo user add|list|passwd|unlock|disable|enable|role|reset|sessions|revoke:
 * user accounts of the web app. Passwords come from the terminal without
 * echo (asked twice) or, for scripts, as one line on standard input with
 * --password-stdin; they never appear in argv. A reset's one-time password
 * is printed once, to the operator. */
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
		code = app_password_hash(pw, u.name, "password", u.pwhash, &err);
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
		code = app_password_hash(pw, name, "password", h, &err);
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

/* A time as the tables show it: "2026-03-02 08:15Z", or "never". */
static void show_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm))
		snprintf(out, 32, "never");
	else
		strftime(out, 32, "%Y-%m-%d %H:%MZ", &tm);
}

static enum prolo_code print_user(void *c, const struct store_user *u, struct prolo_err *err)
{
	struct cli_ctx *ctx = c;
	if (ctx->json) {
		cli_print_json_line(ctx, json_pack("{s:s,s:s,s:s,s:b,s:b,s:I,s:s,s:i}", "name", u->name, "role",
		                                   store_role_names[u->role], "clinic", u->clinic, "disabled",
		                                   u->disabled, "must_change_password", u->must_change, "last_login_at",
		                                   (json_int_t)u->last_login_at, "last_login_addr", u->last_login_addr,
		                                   "open_sessions", u->open_sessions));
		return PROLO_OK;
	}
	char last[32];
	show_time(u->last_login_at, last);
	fprintf(ctx->out, "%-24s %-10s %-10s %-8s %-17s %d open%s\n", u->name, store_role_names[u->role],
	        u->clinic[0] ? u->clinic : "-", u->disabled ? "disabled" : "active", last, u->open_sessions,
	        u->must_change ? ", must change password" : "");
	return PROLO_OK;
}

static int user_list(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	return x ? x : cli_end(ctx, &r, app_user_list(&r.cx, print_user, ctx, &r.err));
}

static int user_active(struct cli_ctx *ctx, const struct cli_args *ca, bool active)
{
	const char *name = ca->pos[0];
	struct cli_run r;
	int ended = 0, x = cli_begin(ctx, ca, &r);
	if (x || (x = cli_end(ctx, &r, app_user_set_active(&r.cx, name, active, &ended, &r.err))))
		return x;
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s,s:b,s:i}", "name", name, "disabled", !active, "sessions_ended", ended));
	else if (active)
		fprintf(ctx->out, "%s enabled: they may log in again\n", name);
	else
		fprintf(ctx->out, "%s disabled: they cannot log in; %d open sessions ended\n", name, ended);
	return 0;
}

static int user_role(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *name = ca->pos[0], *role = cli_get(ca, "role"), *clinic = cli_get(ca, "clinic");
	struct store_user u;
	int code = dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role));
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x || (x = cli_end(ctx, &r, app_user_role(&r.cx, name, code, clinic, &u, &r.err))))
		return x;
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s,s:s,s:s?}", "name", u.name, "role", store_role_names[u.role], "clinic",
		                              u.clinic[0] ? u.clinic : NULL));
	else
		fprintf(ctx->out, "%s is now %s%s%s\n", u.name, store_role_names[u.role], u.clinic[0] ? ", clinic " : "",
		        u.clinic);
	return 0;
}

/* The one-time password is made and stored in one step here: the command
 * line holds no lock while it hashes that others wait for. */
static enum prolo_code reset_now(struct app_ctx *cx, const char *name, char otp[APP_OTP_MAX], int *ended,
                                 struct prolo_err *err)
{
	char h[STORE_PWHASH_MAX];
	enum prolo_code rc = auth_init(err);
	if (!rc)
		rc = app_user_reset_prepare(cx, name, otp, h, err);
	if (!rc)
		rc = app_user_reset(cx, name, h, ended, err);
	memset(h, 0, sizeof h);
	return rc;
}

static int user_reset(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *name = ca->pos[0];
	char otp[APP_OTP_MAX] = "";
	struct cli_run r;
	int ended = 0, x = cli_begin(ctx, ca, &r);
	if (!x && !(x = cli_end(ctx, &r, reset_now(&r.cx, name, otp, &ended, &r.err)))) {
		if (ctx->json)
			cli_print_json(ctx, json_pack("{s:s,s:s,s:b,s:i}", "name", name, "one_time_password", otp,
			                              "must_change_password", 1, "sessions_ended", ended));
		else
			fprintf(ctx->out, "one-time password for %s: %s\n"
			                  "(shown once: hand it over in person; %s must change it at the next login;"
			                  " %d open sessions ended)\n", name, otp, name, ended);
	}
	memset(otp, 0, sizeof otp);
	return x;
}

static enum prolo_code print_session(void *c, const struct store_login_session *s, struct prolo_err *err)
{
	struct cli_ctx *ctx = c;
	if (ctx->json) {
		cli_print_json_line(ctx, json_pack("{s:s,s:s,s:I,s:I}", "id", s->sid, "addr", s->addr, "created_at",
		                                   (json_int_t)s->created_at, "last_seen", (json_int_t)s->last_seen));
		return PROLO_OK;
	}
	char opened[32], seen[32];
	show_time(s->created_at, opened);
	show_time(s->last_seen, seen);
	fprintf(ctx->out, "%-18s %-17s %-17s %s\n", s->sid[0] ? s->sid : "-", opened, seen, s->addr[0] ? s->addr : "-");
	return PROLO_OK;
}

static int user_sessions(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct cli_run r;
	struct store_user u;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	if (!ctx->json)
		fprintf(ctx->out, "%-18s %-17s %-17s %s\n", "SESSION", "OPENED", "LAST SEEN", "FROM");
	return cli_end(ctx, &r, app_user_sessions(&r.cx, ca->pos[0], &u, print_session, ctx, &r.err));
}

static int user_revoke(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *name = ca->pos[0], *sid = cli_get(ca, "session");
	bool all = cli_has(ca, "all");
	/* The command's syntax (the rule itself is app_user_revoke's). */
	if (!sid == !all)
		return cli_usage(ctx, "prolo user revoke NAME: give --session ID or --all");
	struct cli_run r;
	int ended = 0, x = cli_begin(ctx, ca, &r);
	if (x || (x = cli_end(ctx, &r, app_user_revoke(&r.cx, name, sid, all, &ended, &r.err))))
		return x;
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s,s:i}", "name", name, "sessions_ended", ended));
	else
		fprintf(ctx->out, "%d sessions of %s ended\n", ended, name);
	return 0;
}

static int user_disable(struct cli_ctx *ctx, const struct cli_args *ca)
{
	return user_active(ctx, ca, false);
}

static int user_enable(struct cli_ctx *ctx, const struct cli_args *ca)
{
	return user_active(ctx, ca, true);
}

int cli_user(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	static const struct {
		const char *verb;
		int (*fn)(struct cli_ctx *ctx, const struct cli_args *ca);
	} verbs[] = {
		{ "add", user_add },         { "list", user_list },       { "passwd", user_passwd },
		{ "unlock", user_unlock },   { "disable", user_disable }, { "enable", user_enable },
		{ "role", user_role },       { "reset", user_reset },     { "sessions", user_sessions },
		{ "revoke", user_revoke },
	};
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(ca->cmd->verb, verbs[i].verb) == 0)
			return verbs[i].fn(ctx, ca);
	return 2; /* the group's table knows no other verb */
}
