/* prolo: the one binary. Parses global options (--db, --json) and dispatches
 * to a command group through one table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	cli_cmd_fn fn;
	const char *help;
} commands[] = {
	{ "init", cli_init, "create a registry" },
	{ "patient", cli_patient, "add|list|show patients" },
	{ "course", cli_course, "add|list|show|end courses" },
	{ "session", cli_session, "add|list|show sessions and their injections" },
	{ "outcome", cli_outcome, "add|list|show questionnaire answers" },
	{ "ae", cli_ae, "add|list|show adverse events" },
	{ "import", cli_import, "import csv DIR (all-or-nothing)" },
	{ "export", cli_export, "export csv DIR" },
	{ "simulate", cli_simulate, "simulate a registry (CSV or --db), a trial, calibrate" },
	{ "demo", cli_demo, "simulated clinic network: registry, report, web app" },
	{ "report", cli_report, "outcomes report: text|csv|json|html" },
	{ "serve", cli_serve, "the web app and JSON API (--bind, --port, --tls-cert/--tls-key)" },
	{ "user", cli_user, "add|list|passwd users of the web app" },
	{ "audit", cli_audit, "verify|list the hash-chained audit log" },
	{ "protocol", cli_protocol, "list|show|check treatment protocols" },
	{ "alerts", cli_alerts, "the morning list (--today D); alerts ack KEY --by NAME" },
	{ "schedule", cli_schedule, "export --ics FILE: upcoming sessions as a calendar" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: prolo [--db FILE] [--json] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nThe registry is --db FILE, else $PROLO_DB, else ./prolo.db.\n");
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = { .out = stdout, .errs = stderr };
	const char *env = getenv("PROLO_DB");
	ctx.db_path = env && *env ? env : "prolo.db";

	/* Global options may precede the command; --db and --json are also
	 * accepted after it and removed from argv before dispatch. */
	char **args = calloc((size_t)argc + 1, sizeof *args);
	if (!args)
		return 5;
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "prolo: --db: needs a file name\n");
				free(args);
				return 2;
			}
			ctx.db_path = argv[++i];
			ctx.db_given = true;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctx.db_path = argv[i] + 5;
			ctx.db_given = true;
		} else if (strcmp(argv[i], "--json") == 0) {
			ctx.json = true;
		} else if (n == 0 && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			usage(stdout);
			free(args);
			return 0;
		} else {
			args[n++] = argv[i];
		}
	}
	if (n == 0) {
		usage(stderr);
		free(args);
		return 2;
	}
	int rc = -1;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(args[0], commands[i].name) == 0) {
			rc = commands[i].fn(&ctx, n, args);
			break;
		}
	if (rc == -1) {
		fprintf(stderr, "prolo: unknown command '%s'\n", args[0]);
		usage(stderr);
		rc = 2;
	}
	free(args);
	return rc;
}
