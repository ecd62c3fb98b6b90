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
	const char *usage; /* shown by "prolo COMMAND --help" */
} commands[] = {
	{ "init", cli_init, "create a registry", "prolo init" },
	{ "patient", cli_patient, "add|list|show patients", "prolo patient add --patient_id ID --clinic C --sex S [--FIELD VALUE ...]\n  prolo patient list [--clinic C] [--search TEXT] [--limit N]\n  prolo patient show ID\n  prolo patient report ID --html FILE" },
	{ "course", cli_course, "add|list|show|end courses", "prolo course add --course_id ID --patient_id P --modality M --condition X --start_date D [--planned_sessions N] [--status S] [--protocol NAME|auto] [--override_reason TEXT --override_by NAME] [--FIELD VALUE ...]\n  prolo course list [--patient P] [--clinic C]\n  prolo course show ID\n  prolo course end ID --status completed|goal_reached|dropped|stopped_adverse_event|stopped_no_improvement [--date D] [--reason TEXT]" },
	{ "session", cli_session, "add|list|show sessions and their injections", "prolo session add --course_id ID [--session_no N] --date D [--FIELD VALUE ...] [--injection \"site=...,side=...,volume_ml=...\"]...\n  prolo session list [--course ID]\n  prolo session show COURSE_ID SESSION_NO" },
	{ "outcome", cli_outcome, "add|list|show questionnaire answers", "prolo outcome add --course_id ID --date D --instrument NRS|VAS|ODI|NDI|WOMAC|QuickDASH|KOOS (--score X | --items \"a;b;;c\")\n  prolo outcome list [--course ID]\n  prolo outcome show COURSE_ID DATE INSTRUMENT" },
	{ "ae", cli_ae, "add|list|show adverse events", "prolo ae add --course_id ID --date D --kind K [--duration_days N] [--grade 1-5] [--FIELD VALUE ...]\n  prolo ae list [--course ID]\n  prolo ae show COURSE_ID SEQ" },
	{ "import", cli_import, "import csv DIR (all-or-nothing)", "prolo import csv DIR [--progress]     (docs/csv-format.md)" },
	{ "export", cli_export, "export csv DIR", "prolo export csv DIR [--deidentify]   (docs/csv-format.md)" },
	{ "simulate", cli_simulate, "simulate a registry (CSV or --db), a trial, calibrate", "prolo simulate --patients N [--seed S] [--clinics K] (--out DIR | --db FILE) [--progress]\n  prolo simulate trial --arms A,B --condition X --per-arm N [--months 12] [--reps R] [--seed S]\n  prolo simulate calibrate\n  prolo simulate params     (docs/simulator.md)" },
	{ "demo", cli_demo, "simulated clinic network: registry, report, web app", "prolo demo [--no-serve]" },
	{ "report", cli_report, "outcomes report: text|csv|json|html", "prolo report [--format text|csv|json|html] [--out PATH] [--clinic C] [--modality M] [--condition X] [--from D] [--to D]     (docs/report.md)" },
	{ "serve", cli_serve, "the web app and JSON API (--bind, --port, --tls-cert/--tls-key)", "prolo serve [--bind ADDR] [--port N] [--threads N] [--tls-cert FILE --tls-key FILE] [--web DIR] [--session-idle SECONDS] [--link-ttl SECONDS] [--chart-cache-mb N] [--min-cell N]     (docs/api.md, docs/security.md)" },
	{ "user", cli_user, "add|list|passwd|unlock users of the web app", "prolo user add NAME --role admin|clinician|staff|researcher [--clinic C] [--password-stdin]\n  prolo user list\n  prolo user passwd NAME [--password-stdin]\n  prolo user unlock NAME" },
	{ "audit", cli_audit, "verify|list the hash-chained audit log", "prolo audit verify\n  prolo audit list [--user U] [--action A] [--record R] [--limit N]" },
	{ "protocol", cli_protocol, "list|show|check treatment protocols", "prolo protocol list|show NAME|check FILE [--protocols FILE]     (docs/protocols.md)" },
	{ "alerts", cli_alerts, "the morning list (--today D); alerts ack KEY --by NAME", "prolo alerts [--today YYYY-MM-DD] [--clinic C] [--protocols FILE]\n  prolo alerts ack KEY --by NAME [--note TEXT]     (docs/alerts.md)" },
	{ "condition", cli_condition, "add|list conditions with their ICD-10-CM and SNOMED CT codes", "prolo condition add NAME --icd10 CODE --snomed ID [--label TEXT]\n  prolo condition list" },
	{ "backup", cli_backup, "an online copy of the registry into a new file", "prolo backup FILE" },
	{ "schedule", cli_schedule, "export --ics FILE: upcoming sessions as a calendar", "prolo schedule export --ics FILE [--today YYYY-MM-DD]" },
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
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(args[0], commands[i].name) != 0)
			continue;
		for (int k = 1; k < n; k++)
			if (strcmp(args[k], "--help") == 0 || strcmp(args[k], "-h") == 0) {
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
