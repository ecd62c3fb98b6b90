/* prolo: the one binary. Parses global options (--db, --json) and dispatches
 * to a command group through one table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/privfile.h"

static const struct {
	const char *name;
	cli_cmd_fn fn;
	const char *help;
	const char *usage; /* shown by "prolo COMMAND --help" when there is no table */
	const struct cli_command *cmds; /* the group's option tables (cli_args.c) */
} commands[] = {
	{ "init", cli_init, "create a registry", NULL, cli_init_cmds },
	{ "patient", cli_patient, "add|list|show patients", NULL, cli_patient_cmds },
	{ "course", cli_course, "add|list|show|end courses", NULL, cli_course_cmds },
	{ "session", cli_session, "add|list|show sessions and their injections", NULL, cli_session_cmds },
	{ "outcome", cli_outcome, "add|list|show questionnaire answers", NULL, cli_outcome_cmds },
	{ "ae", cli_ae, "add|list|show adverse events", NULL, cli_ae_cmds },
	{ "import", cli_import, "import csv DIR (all-or-nothing)", NULL, cli_import_cmds },
	{ "export", cli_export, "export csv DIR", NULL, cli_export_cmds },
	{ "simulate", cli_simulate, "simulate a registry (CSV or --db), a trial, calibrate", NULL, cli_simulate_cmds },
	{ "demo", cli_demo, "simulated clinic network: registry, report, web app", NULL, cli_demo_cmds },
	{ "report", cli_report, "outcomes report: text|csv|json|html", NULL, cli_report_cmds },
	{ "serve", cli_serve, "the web app and JSON API (--bind, --port, --tls-cert/--tls-key)", NULL, cli_serve_cmds },
	{ "user", cli_user, "add|list|passwd users of the web app", "prolo user add NAME --role admin|clinician|staff|researcher [--clinic C] [--password-stdin]\n  prolo user list\n  prolo user passwd NAME [--password-stdin]", NULL },
	{ "audit", cli_audit, "verify|list the hash-chained audit log", NULL, cli_audit_cmds },
	{ "protocol", cli_protocol, "list|show|check treatment protocols", NULL, cli_protocol_cmds },
	{ "alerts", cli_alerts, "the morning list (--today D); alerts ack KEY --by NAME", NULL, cli_alerts_cmds },
	{ "condition", cli_condition, "add|list conditions with their ICD-10-CM and SNOMED CT codes", NULL, cli_condition_cmds },
	{ "backup", cli_backup, "an online copy of the registry into a new file", NULL, cli_backup_cmds },
	{ "schedule", cli_schedule, "export --ics FILE: upcoming sessions as a calendar", "prolo schedule export --ics FILE [--today YYYY-MM-DD]", NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: prolo [--db FILE] [--json] [--allow-shared-registry] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nThe registry is --db FILE, else $PROLO_DB, else ./prolo.db.\n"
	           "Files prolo writes are private (0600); a registry that group or others may\n"
	           "read or write is refused unless --allow-shared-registry (or PROLO_ALLOW_SHARED=1).\n");
}

int main(int argc, char **argv)
{
	/* Everything prolo creates holds patient or account data: private to
	 * the owner whatever the caller's umask (files 0600, folders 0700). */
	umask(077);
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
		} else if (strcmp(argv[i], "--allow-shared-registry") == 0) {
			privfile_allow_shared(true);
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
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(args[0], commands[i].name) != 0)
			continue;
		for (int k = 1; k < n; k++)
			if (strcmp(args[k], "--help") == 0 || strcmp(args[k], "-h") == 0) {
				if (commands[i].cmds)
					cli_print_usage(stdout, commands[i].name, commands[i].cmds);
				else
					printf("usage: %s\n", commands[i].usage);
				cli_record_help(stdout, commands[i].name);
				free(args);
				return 0;
			}
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
