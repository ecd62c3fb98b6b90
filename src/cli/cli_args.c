/* The option tables of the commands: one parser and one usage printer for
 * every table, so what a command accepts and what its --help says cannot
 * drift apart. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Option names compare with '-' and '_' alike; n is the length of a. */
static bool same_name(const char *a, size_t n, const char *b)
{
	if (!b || strlen(b) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

static int find_opt(const struct cli_command *cmd, const char *name, size_t n)
{
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (same_name(name, n, cmd->opts[i].name) || same_name(name, n, cmd->opts[i].alias))
			return i;
	return -1;
}

static void command_name(const char *group, const struct cli_command *cmd, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s", group, cmd->verb ? " " : "", cmd->verb ? cmd->verb : "");
}

int cli_parse(struct cli_ctx *ctx, const char *group, const struct cli_command *cmd, int argc,
              char **argv, int start, struct cli_args *a)
{
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	char name[80];
	command_name(group, cmd, name, sizeof name);
	if (cmd->fields && !(a->field = calloc((size_t)argc + 1, sizeof *a->field)))
		return 5;
	for (int i = start; i < argc; i++) {
		const char *s = argv[i];
		if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
			if (a->n_pos >= cmd->max_args || a->n_pos >= CLI_ARGS_MAX)
				return cli_usage(ctx, "%s: unexpected argument '%s'", name, s);
			a->pos[a->n_pos++] = s;
			if (a->field)
				a->field[i] = true;
			continue;
		}
		const char *eq = strchr(s, '=');
		size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
		int k = find_opt(cmd, s + 2, n);
		if (k < 0) {
			if (cmd->fields) { /* a record field, or an error of parse_fields */
				if (!eq && i + 1 < argc)
					i++;
				continue;
			}
			return cli_usage(ctx, "%s: unknown option '%.*s' (prolo %s --help)", name, (int)n + 2, s, group);
		}
		assert(k < CLI_OPTS_MAX);
		const struct cli_option *o = &cmd->opts[k];
		const char *v;
		if (a->field)
			a->field[i] = true;
		if (o->flags & CLI_FLAG) {
			if (eq)
				return cli_usage(ctx, "%s: --%s takes no value", name, o->name);
			v = "";
		} else if (eq) {
			v = eq + 1;
		} else {
			if (i + 1 >= argc)
				return cli_usage(ctx, "%s: --%s needs a value (%s)", name, o->name, o->arg ? o->arg : "");
			if (a->field)
				a->field[i + 1] = true;
			v = argv[++i];
		}
		if (o->flags & CLI_MULTI) {
			if (a->n_multi >= CLI_MULTI_MAX)
				return cli_usage(ctx, "%s: --%s given too often (at most %d)", name, o->name, CLI_MULTI_MAX);
			a->multi_opt[a->n_multi] = k;
			a->multi[a->n_multi++] = v;
		}
		a->val[k] = v;
	}
	for (int k = 0; cmd->opts && cmd->opts[k].name; k++)
		if ((cmd->opts[k].flags & CLI_REQUIRED) && !a->val[k])
			return cli_usage(ctx, "%s: --%s %s is required", name, cmd->opts[k].name,
			                 cmd->opts[k].arg ? cmd->opts[k].arg : "");
	if (a->n_pos < cmd->min_args)
		return cli_usage(ctx, "usage: prolo %s%s%s", name, cmd->args ? " " : "", cmd->args ? cmd->args : "");
	return 0;
}

const char *cli_get(const struct cli_args *a, const char *name)
{
	int k = find_opt(a->cmd, name, strlen(name));
	assert(k >= 0);
	return k >= 0 ? a->val[k] : NULL;
}

bool cli_has(const struct cli_args *a, const char *name)
{
	return cli_get(a, name) != NULL;
}

const char *cli_get_opt(const struct cli_args *a, const char *name)
{
	int k = find_opt(a->cmd, name, strlen(name));
	return k >= 0 ? a->val[k] : NULL;
}

const struct cli_command *cli_find(const struct cli_command *cmds, int argc, char **argv)
{
	const struct cli_command *dflt = NULL;
	for (const struct cli_command *c = cmds; c->help; c++) {
		if (!c->verb)
			dflt = c;
		else if (argc >= 2 && strcmp(argv[1], c->verb) == 0)
			return c;
	}
	return dflt;
}

int cli_parse_group(struct cli_ctx *ctx, const char *group, const struct cli_command *cmds, int argc,
                    char **argv, struct cli_args *ca)
{
	memset(ca, 0, sizeof *ca);
	const struct cli_command *cmd = cli_find(cmds, argc, argv);
	if (!cmd) {
		char verbs[200] = "";
		size_t n = 0;
		for (const struct cli_command *c = cmds; c->help && n < sizeof verbs; c++)
			if (c->verb)
				n += (size_t)snprintf(verbs + n, sizeof verbs - n, "%s%s", n ? ", " : "", c->verb);
		return cli_usage(ctx, "%s: expected %s (prolo %s --help)", group, verbs, group);
	}
	return cli_parse(ctx, group, cmd, argc, argv, cmd->verb ? 2 : 1, ca);
}

void cli_print_usage(FILE *f, const char *group, const struct cli_command *cmds)
{
	const char *lead = "usage: ";
	for (const struct cli_command *c = cmds; c->help; c++) {
		char name[80];
		command_name(group, c, name, sizeof name);
		fprintf(f, "%sprolo %s%s%s", lead, name, c->args ? " " : "", c->args ? c->args : "");
		for (int k = 0; c->opts && c->opts[k].name; k++) {
			const struct cli_option *o = &c->opts[k];
			bool req = o->flags & CLI_REQUIRED;
			fprintf(f, " %s--%s%s%s%s%s", req ? "" : "[", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
			        req ? "" : "]", (o->flags & CLI_MULTI) ? "..." : "");
		}
		if (c->fields)
			fprintf(f, " [--FIELD VALUE ...]");
		fputc('\n', f);
		lead = "       ";
	}
	for (const struct cli_command *c = cmds; c->help; c++) {
		char name[80];
		command_name(group, c, name, sizeof name);
		fprintf(f, "\nprolo %s: %s\n", name, c->help);
		for (int k = 0; c->opts && c->opts[k].name; k++)
			fprintf(f, "  --%-22s %s\n", c->opts[k].name, c->opts[k].help);
	}
}
