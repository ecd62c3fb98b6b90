/* The command line: one file per command group, each exporting one entry
 * point. main.c parses the global options and dispatches through one table. */
#ifndef PROLO_CLI_H
#define PROLO_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct cli_ctx {
	const char *db_path; /* --db, else $PROLO_DB, else ./prolo.db */
	bool db_given;       /* --db was on the command line */
	bool json;           /* --json anywhere on the line */
	FILE *out;           /* stdout */
	FILE *errs;          /* stderr */
};

/* Each returns a process exit status (docs/architecture.md, contracts); argv[0] is the group
 * name ("patient", "report", ...). Errors are printed by the command. */
typedef int (*cli_cmd_fn)(struct cli_ctx *ctx, int argc, char **argv);

int cli_init(struct cli_ctx *ctx, int argc, char **argv);
int cli_patient(struct cli_ctx *ctx, int argc, char **argv);
int cli_course(struct cli_ctx *ctx, int argc, char **argv);
int cli_session(struct cli_ctx *ctx, int argc, char **argv);
int cli_outcome(struct cli_ctx *ctx, int argc, char **argv);
int cli_ae(struct cli_ctx *ctx, int argc, char **argv);
int cli_import(struct cli_ctx *ctx, int argc, char **argv);
int cli_export(struct cli_ctx *ctx, int argc, char **argv);
int cli_condition(struct cli_ctx *ctx, int argc, char **argv);
int cli_backup(struct cli_ctx *ctx, int argc, char **argv);
int cli_simulate(struct cli_ctx *ctx, int argc, char **argv);
int cli_demo(struct cli_ctx *ctx, int argc, char **argv);
int cli_report(struct cli_ctx *ctx, int argc, char **argv);
int cli_serve(struct cli_ctx *ctx, int argc, char **argv);
int cli_user(struct cli_ctx *ctx, int argc, char **argv);
int cli_audit(struct cli_ctx *ctx, int argc, char **argv);
/* Treatment planning (src/cli/cli_protocol.c, cli_alerts.c, cli_schedule.c,
 * cli_patient_report.c): "protocol list|show|check", "alerts [ack]",
 * "schedule export --ics FILE", "patient report ID --html FILE". */
int cli_protocol(struct cli_ctx *ctx, int argc, char **argv);
int cli_alerts(struct cli_ctx *ctx, int argc, char **argv);
int cli_schedule(struct cli_ctx *ctx, int argc, char **argv);
int cli_patient_report(struct cli_ctx *ctx, int argc, char **argv);
/* Follow-up outreach (src/cli/cli_outreach.c): "contact set|show",
 * "followup show COURSE", "outreach run|list|retry|cancel|test". */
int cli_contact(struct cli_ctx *ctx, int argc, char **argv);
int cli_followup(struct cli_ctx *ctx, int argc, char **argv);
int cli_outreach(struct cli_ctx *ctx, int argc, char **argv);

/* Simulates patients (seed, clinics, opts of sim/sim_csv.h) into the
 * registry db, created when missing, through the import use case
 * (all-or-nothing). Returns an exit status after printing any error. */
struct sim_csv_opts;
int cli_simulate_registry(struct cli_ctx *ctx, const char *db, uint64_t patients, uint64_t seed,
                          int clinics, const struct sim_csv_opts *opts, bool progress);

/* For the record groups (patient, course, session, outcome, ae): prints
 * the field options with their meaning. Nothing for other commands. */
void cli_record_help(FILE *f, const char *group);

/* Appends an audit row for a command: who is "cli:" + the login running it,
 * from "local". Inside the caller's transaction it lands with the change;
 * outside one (a read) it commits on its own. Returns the store's code. */
struct store;
enum prolo_code cli_audit_event(struct store *st, const char *action, const char *record,
                          const char *detail, struct prolo_err *err);

/* Prints "prolo: FIELD: MESSAGE" (or JSON with --json) to ctx->errs and
 * returns the exit status for err->code. */
int cli_fail(struct cli_ctx *ctx, const struct prolo_err *err);
/* --json output: prints j, indented, keys in order, to ctx->out and
 * releases it. NULL (out of memory) prints nothing. */
void cli_print_json(struct cli_ctx *ctx, json_t *j);
/* Usage error: prints the message and a hint, returns 2. */
int cli_usage(struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Small option parser shared by commands: "--name value" / "--name=value".
 * Returns the value of --name or NULL; marks the consumed argv slots in used[]. */
const char *cli_opt(int argc, char **argv, bool *used, const char *name);
bool cli_flag(int argc, char **argv, bool *used, const char *name);
/* First unused, non-option argument after index start, or NULL. */
const char *cli_arg(int argc, char **argv, bool *used, int start);
/* Fails (returns 2) if any argv slot after start is unused. */
int cli_no_extra(struct cli_ctx *ctx, int argc, char **argv, bool *used, int start);

#endif
