/* The command line: one file per command group, each exporting one entry
 * point. main.c parses the global options and dispatches through one table. */
#ifndef PROLO_CLI_H
#define PROLO_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/app.h"
#include "registry/protocol.h"

#include "core/err.h"
#include "core/records.h"

struct cli_ctx {
	const char *db_path; /* --db, else $PROLO_DB, else ./prolo.db */
	bool db_given;       /* --db was on the command line */
	bool json;           /* --json anywhere on the line */
	FILE *out;           /* stdout */
	FILE *errs;          /* stderr */
};

/* Each returns a process exit status (docs/architecture.md, contracts); argv[0] is the group
 * name ("patient", "report", ...). Errors are printed by the command. */
struct cli_args;
typedef int (*cli_cmd_fn)(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);

int cli_init(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_patient(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_course(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_session(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_outcome(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_ae(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_import(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_export(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_condition(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_backup(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_simulate(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_demo(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_report(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_serve(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_user(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_audit(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
/* Treatment planning (src/cli/cli_protocol.c, cli_alerts.c, cli_schedule.c,
 * cli_patient_report.c): "protocol list|show|check", "alerts [ack]",
 * "schedule export --ics FILE", "patient report ID --html FILE". */
int cli_protocol(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_alerts(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_schedule(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_patient_report(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
/* Follow-up outreach (src/cli/cli_outreach.c): "contact set|show",
 * "followup show COURSE", "outreach run|list|retry|cancel|test". */
int cli_contact(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_followup(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_outreach(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
/* Patients registered twice and a clinic's settings (src/cli/cli_patients.c):
 * "patient merge SURVIVOR MERGED", "patient unmerge MERGED",
 * "settings show|set --clinic C". */
int cli_patient_merge(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
/* "prolo patient duplicates ID" (cli_patients.c). */
int cli_patient_duplicates(struct cli_ctx *ctx, const struct cli_args *ca);
/* Prints title, then one line per possible duplicate of d. Cannot fail. */
struct app_dups;
void cli_print_dups(FILE *f, const struct app_dups *d, const char *title);
int cli_settings(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_instrument(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
/* The front desk (src/cli/cli_calls.c): "call add|list"; the alerts'
 * "snooze" and "assign" (called by cli_alerts). */
int cli_call(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);
int cli_alerts_desk(struct cli_ctx *ctx, const struct cli_args *ca);
/* Loads and checks the outreach configuration: path, else
 * $PROLO_OUTREACH, else REGISTRY-outreach.conf. *missing (then 0) when
 * the default file is absent; else 0, or the exit code after saying why. */
struct outreach_config;
int cli_outreach_conf(struct cli_ctx *ctx, const char *path, struct outreach_config *conf, bool *missing, bool quiet);
/* Appointments (src/cli/cli_booking.c): "booking add|list|move|cancel|noshow|day|week|zone". */
int cli_booking(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv);

/* Simulates patients (cfg of sim/sim.h, opts of sim/sim_csv.h) into the
 * registry db, created when missing, through the import use case
 * (all-or-nothing; a living clinic's import runs on its today). Returns
 * an exit status after printing any error. */
struct sim_csv_opts;
struct sim_config;
int cli_simulate_registry(struct cli_ctx *ctx, const char *db, uint64_t patients,
                          const struct sim_config *cfg, const struct sim_csv_opts *opts, bool progress);

/* The record's life (src/cli/cli_amend.c): "GROUP amend|void|history KEY..."
 * for patient, course, session, outcome and ae (kind: enum rec_kind). */
bool cli_life_verb(const char *verb);
int cli_life(struct cli_ctx *ctx, int kind, const struct cli_args *ca, int argc, char **argv);
/* "site=L5-S1,side=left,volume_ml=2" into in (the idx-th --injection).
 * 0, or an exit status after printing the error. */
struct injection;
int cli_parse_injection(struct cli_ctx *ctx, const char *spec, int idx, struct injection *in);

/* Sets fields of rec from every "--FIELD VALUE" / "--FIELD=VALUE" of argv
 * whose slot is not marked in used (the options of the command's table
 * are); set, when not NULL, gets each field's bit (its row in the record's
 * table). Returns 0, or an exit status after printing the error. */
int cli_parse_fields(struct cli_ctx *ctx, enum rec_kind kind, void *rec, int argc, char **argv,
                     bool *used, uint64_t *set);

/* For the record groups (patient, course, session, outcome, ae): prints
 * the field options with their meaning. Nothing for other commands. */
void cli_record_help(FILE *f, const char *group);

/* Appends an audit row for a command: who is "cli:" + the login running it,
 * from "local". Inside the caller's transaction it lands with the change;
 * outside one (a read) it commits on its own. Returns the store's code. */
struct store;
enum prolo_code cli_audit_event(struct store *st, const char *action, const char *record,
                          const char *detail, struct prolo_err *err);

/* What a command holds while it runs a use case: the protocol library
 * (when asked for), the registry and the local actor's context
 * (app_ctx_local), and the error of the use case. */
struct cli_run {
	struct protocol_lib lib;
	struct store *st;
	struct app_ctx cx;
	struct prolo_err err;
};
/* Loads the protocols when the command has --protocols (its value, else
 * the default search; a missing default file leaves the library empty),
 * opens the registry and makes the local actor's context, whose day is
 * --today when the command has it and it is given. 0, or the exit status
 * after printing the error (nothing left open). */
int cli_begin(struct cli_ctx *ctx, const struct cli_args *ca, struct cli_run *r);
/* Appends the context's waiting audit rows, closes the registry, frees the
 * library; 0, or the exit status of rc after printing r->err. */
int cli_end(struct cli_ctx *ctx, struct cli_run *r, enum prolo_code rc);

/* Prints "prolo: FIELD: MESSAGE" (or JSON with --json) to ctx->errs and
 * returns the exit status for err->code. */
int cli_fail(struct cli_ctx *ctx, const struct prolo_err *err);
/* --json output: prints j, indented, keys in order, to ctx->out and
 * releases it. NULL (out of memory) prints nothing. */
void cli_print_json(struct cli_ctx *ctx, json_t *j);
/* The same on one line (JSON lines: a row of a list). */
void cli_print_json_line(struct cli_ctx *ctx, json_t *j);
/* Usage error: prints the message and a hint, returns 2. */
int cli_usage(struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- option tables (cli_args.c) ----------------------------------------
 * Each command declares its options and arguments once, in a table; the
 * parser and the usage text ("prolo GROUP --help") both come from it. */

enum cli_opt_flags {
	CLI_FLAG = 1,     /* takes no value */
	CLI_REQUIRED = 2, /* must be given */
	CLI_MULTI = 4,    /* may be repeated; every value is kept */
};

struct cli_option {
	const char *name;  /* "end_date" for --end_date; '-' and '_' are alike on the line */
	const char *arg;   /* the value as the usage shows it ("YYYY-MM-DD"); NULL for a flag */
	const char *help;  /* one line */
	int flags;         /* enum cli_opt_flags */
	const char *alias; /* another name for the same option, or NULL */
};

struct cli_command {
	const char *verb;  /* "end" in "prolo course end"; NULL = the group itself */
	const char *args;  /* the positional arguments as shown ("ID"), or NULL */
	int min_args, max_args;
	const struct cli_option *opts; /* ends with a { NULL } row; NULL = none */
	const char *help;  /* one line */
	bool fields;       /* also takes the record's fields as options (add) */
};

#define CLI_ARGS_MAX 8
#define CLI_OPTS_MAX 40
#define CLI_MULTI_MAX 64

/* What the line said, by the command's table. Pointers into argv. */
struct cli_args {
	const struct cli_command *cmd;
	const char *pos[CLI_ARGS_MAX];
	int n_pos;
	const char *val[CLI_OPTS_MAX];    /* by option row; NULL = not given; "" = a flag given */
	const char *multi[CLI_MULTI_MAX]; /* the values of CLI_MULTI options, in order */
	int multi_opt[CLI_MULTI_MAX];     /* their option rows */
	int n_multi;
	bool *field;                      /* for cmd->fields: argv slots not taken (unused = a field) */
};

/* Parses argv[start..] by cmd's table. Options not in the table are a
 * usage error, unless cmd->fields: then they are left for the record's
 * fields (a->field marks the slots taken; free() it). Returns 0, or the
 * exit status after printing the error (2). */
int cli_parse(struct cli_ctx *ctx, const char *group, const struct cli_command *cmd, int argc,
              char **argv, int start, struct cli_args *a);
/* The value of --name, NULL when not given; for a flag, whether it was
 * given. name must be in the table (asserted). */
const char *cli_get(const struct cli_args *a, const char *name);
bool cli_has(const struct cli_args *a, const char *name);
/* The value of --name when the command has that option, else NULL. */
const char *cli_get_opt(const struct cli_args *a, const char *name);
/* The whole number of option name (without "--") in [lo, hi] into *out;
 * *out is left alone when the option is absent. Returns 0, or the usage
 * error's status naming the option and the range. */
int cli_opt_long(struct cli_ctx *ctx, const struct cli_args *ca, const char *name, long lo, long hi,
                 long *out);
/* The integer of option name (without "--") by the type rule of
 * app_int_input, the error naming field; APP_INT_NONE when the option is
 * absent. The range is the use case's. Returns 0, or the error's status. */
int cli_opt_int(struct cli_ctx *ctx, const struct cli_args *ca, const char *name, const char *field, int *out);
/* The command of group whose verb is argv[1] (cmds ends with a row whose
 * help is NULL); a row with verb NULL matches when no verb row does. NULL
 * when none matches. */
const struct cli_command *cli_find(const struct cli_command *cmds, int argc, char **argv);
/* cli_find and cli_parse in one: the command of argv[1] in cmds (an
 * unknown verb is a usage error listing the group's verbs), its arguments
 * from argv[2] (argv[1] for a group without verbs). Returns 0 with ca->cmd
 * set, or the exit status after printing the error. */
int cli_parse_group(struct cli_ctx *ctx, const char *group, const struct cli_command *cmds, int argc,
                    char **argv, struct cli_args *ca);
/* "prolo GROUP VERB ARGS --opt ARG [--opt ARG]..." for every command of
 * the group, then each option with its help. Cannot fail. */
void cli_print_usage(FILE *f, const char *group, const struct cli_command *cmds);

/* A command group of "prolo": its entry point, a line for "prolo --help",
 * and its option tables. */
struct cli_group {
	const char *name;
	cli_cmd_fn fn;
	const char *help;
	const struct cli_command *cmds;
};
/* Every group, in the order "prolo --help" lists them; ends with a NULL name. */
extern const struct cli_group cli_groups[];

/* The option tables of the command groups (cli_tables.c). */
extern const struct cli_command cli_init_cmds[], cli_patient_cmds[], cli_course_cmds[],
	cli_session_cmds[], cli_outcome_cmds[], cli_ae_cmds[], cli_import_cmds[], cli_export_cmds[],
	cli_simulate_cmds[], cli_demo_cmds[], cli_report_cmds[], cli_serve_cmds[], cli_user_cmds[],
	cli_audit_cmds[], cli_protocol_cmds[], cli_alerts_cmds[], cli_condition_cmds[], cli_backup_cmds[],
	cli_schedule_cmds[], cli_contact_cmds[], cli_followup_cmds[], cli_outreach_cmds[],
	cli_instrument_cmds[], cli_call_cmds[];
extern const struct cli_command cli_settings_cmds[];
extern const struct cli_command cli_booking_cmds[];


#endif
