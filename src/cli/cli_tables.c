/* The command line's grammar in one place: every command's options and
 * arguments (struct cli_command, cli.h). The parser (cli_args.c) and each
 * group's --help read these tables, so what a command accepts and what its
 * usage says cannot drift apart; the commands read the values by name. */
#include "cli/cli.h"

/* ---- records --------------------------------------------------------------- */

static const struct cli_option list_opts[] = {
	{ "patient", "ID", "one patient's", 0, "patient_id" },
	{ "course", "ID", "one course's", 0, "course_id" },
	{ "clinic", "C", "one clinic's", 0, NULL },
	{ "search", "TEXT", "patients whose id or name holds TEXT (at most 100 bytes)", 0, NULL },
	{ "limit", "N", "at most N, 1..500 (default 50; all of one patient's or course's)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option course_add_opts[] = {
	{ "protocols", "FILE", "the protocol library for --protocol", 0, NULL },
	{ "baseline-nrs", "0-10", "for --protocol auto: the pain at the start", 0, NULL },
	{ "pain-months", "N", "for --protocol auto: how long the pain has lasted", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option course_end_opts[] = {
	{ "status", "STATE", "completed|goal_reached|dropped|stopped_adverse_event|stopped_no_improvement",
	  0, NULL },
	{ "end_date", "YYYY-MM-DD", "the day it ended (default: today)", 0, "date" },
	{ "reason", "TEXT", "why, in a sentence", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option session_add_opts[] = {
	{ "injection", "\"site=...,side=...,volume_ml=...\"", "one injection's fields (repeat for each)", CLI_MULTI, NULL },
	{ "confirm", NULL, "save a value the rules only warn of (e.g. a dextrose concentration outside the protocol)", CLI_FLAG, NULL },
	{ "protocols", "FILE", "the protocol library the concentration is checked against", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

/* What the rules only warn of is saved with --confirm (docs/patients.md). */
static const struct cli_option confirm_opts[] = {
	{ "confirm", NULL, "save it though the rules warn (a possible duplicate, an NRS jump of 8 points)", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option merge_opts[] = {
	{ "reason", "TEXT", "why (kept with the merge)", CLI_REQUIRED, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option report_html_opts[] = {
	{ "html", "FILE", "the summary as one HTML file", CLI_REQUIRED, NULL },
	{ "today", "YYYY-MM-DD", "the day of the summary (default: today)", 0, NULL },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

/* The record's life (cli_amend.c): amend and void need a reason. */
static const struct cli_option amend_opts[] = {
	{ "reason", "TEXT", "why the record is changed (kept with the earlier version)", CLI_REQUIRED, NULL },
	{ "if-version", "N", "only if the record is still at version N (else exit 4)", 0, NULL },
	{ "confirm", NULL, "save a value the rules only warn of (an NRS jump of 8 points, a concentration outside the protocol)", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option session_amend_opts[] = {
	{ "reason", "TEXT", "why the record is changed (kept with the earlier version)", CLI_REQUIRED, NULL },
	{ "if-version", "N", "only if the record is still at version N (else exit 4)", 0, NULL },
	{ "injection", "\"site=...,side=...\"", "the session's injections, replacing the old ones", CLI_MULTI, NULL },
	{ "no-injections", NULL, "the session had no injections", CLI_FLAG, NULL },
	{ "confirm", NULL, "save a value the rules only warn of (a concentration outside the protocol)", CLI_FLAG, NULL },
	{ "protocols", "FILE", "the protocol library the concentration is checked against", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

#define LIFE_ROWS_N(KEYS, MIN, MAX, OPTS) \
	{ "amend", KEYS, MIN, MAX, OPTS, "changes fields of a record, with a reason; the earlier version is kept", true }, \
	{ "void", KEYS, MIN, MAX, amend_opts, "marks a record entered in error, with a reason", false }, \
	{ "history", KEYS, MIN, MAX, NULL, "the record's versions: who changed what, when and why", false }
#define LIFE_ROWS(KEYS, N, OPTS) LIFE_ROWS_N(KEYS, N, N, OPTS)

const struct cli_command cli_init_cmds[] = {
	{ NULL, NULL, 0, 0, NULL, "creates a registry (--db FILE, else $PROLO_DB, else ./prolo.db)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

const struct cli_command cli_patient_cmds[] = {
	{ "add", NULL, 0, 0, confirm_opts, "registers a patient (a possible duplicate needs --confirm)", true },
	{ "list", NULL, 0, 0, list_opts, "patients", false },
	{ "show", "ID", 1, 1, NULL, "one patient with their courses", false },
	{ "report", "ID", 1, 1, report_html_opts, "a summary for the patient", false },
	LIFE_ROWS("ID", 1, amend_opts),
	{ "merge", "SURVIVOR_ID MERGED_ID", 2, 2, merge_opts, "merges a patient registered twice into the other", false },
	{ "unmerge", "MERGED_ID", 1, 1, merge_opts, "undoes a merge: the courses go back (admins)", false },
	{ "duplicates", "ID", 1, 1, NULL, "the patients of the clinic that may be the same person (to merge)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

const struct cli_command cli_course_cmds[] = {
	{ "add", NULL, 0, 0, course_add_opts, "plans a course: protocol, contraindications, schedule", true },
	{ "list", NULL, 0, 0, list_opts, "courses", false },
	{ "show", "ID", 1, 1, NULL, "one course with its sessions, assessments, side effects and history", false },
	{ "end", "ID", 1, 1, course_end_opts, "ends a course", false },
	LIFE_ROWS("ID", 1, amend_opts),
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

const struct cli_command cli_session_cmds[] = {
	{ "add", NULL, 0, 0, session_add_opts, "records a session with its injections", true },
	{ "list", NULL, 0, 0, list_opts, "sessions", false },
	{ "show", "COURSE_ID SESSION_NO", 2, 2, NULL, "one session with its injections", false },
	LIFE_ROWS("COURSE_ID SESSION_NO", 2, session_amend_opts),
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

const struct cli_command cli_outcome_cmds[] = {
	{ "add", NULL, 0, 0, confirm_opts, "records an assessment, scored from its item answers", true },
	{ "list", NULL, 0, 0, list_opts, "assessments", false },
	/* SOURCE: staff (the default) or patient (answered through a link). */
	{ "show", "COURSE_ID DATE INSTRUMENT [SOURCE]", 3, 4, NULL, "one assessment", false },
	LIFE_ROWS_N("COURSE_ID DATE INSTRUMENT [SOURCE]", 3, 4, amend_opts),
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

const struct cli_command cli_ae_cmds[] = {
	{ "add", NULL, 0, 0, NULL, "records an adverse event", true },
	{ "list", NULL, 0, 0, list_opts, "adverse events", false },
	{ "show", "COURSE_ID SEQ", 2, 2, NULL, "one adverse event", false },
	LIFE_ROWS("COURSE_ID SEQ", 2, amend_opts),
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- report ---------------------------------------------------------------- */

static const struct cli_option report_opts[] = {
	{ "format", "text|csv|json|html", "what to write (default text; json with --json)", 0, NULL },
	{ "out", "PATH", "write to a file (csv: a folder for report.csv, logrank.csv, report_timepoints.csv and report_funnel.csv)", 0, NULL },
	{ "clinic", "C", "one clinic's courses", 0, NULL },
	{ "modality", "M", "dextrose|prp|stem_cell", 0, NULL },
	{ "condition", "X", "one condition", 0, NULL },
	{ "from", "YYYY-MM-DD", "courses started on or after", 0, NULL },
	{ "to", "YYYY-MM-DD", "courses started on or before", 0, NULL },
	{ "today", "YYYY-MM-DD", "the report's date for the time points (default: today)", 0, NULL },
	{ "protocols", "FILE", "the protocol library (the courses' follow-up plans)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_report_cmds[] = {
	{ NULL, NULL, 0, 0, report_opts, "the outcomes report (docs/report.md)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- admin ----------------------------------------------------------------- */

static const struct cli_option condition_add_opts[] = {
	{ "icd10", "CODE", "its ICD-10-CM code, e.g. M54.50", CLI_REQUIRED, NULL },
	{ "snomed", "ID", "its SNOMED CT concept id", CLI_REQUIRED, NULL },
	{ "label", "TEXT", "a name for people (one line)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_condition_cmds[] = {
	{ "add", "NAME", 1, 1, condition_add_opts, "adds a clinic's own condition", false },
	{ "list", NULL, 0, 0, NULL, "every condition, built-in and added", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

static const struct cli_option settings_opts[] = {
	{ "clinic", "C", "the clinic (required)", CLI_REQUIRED, NULL },
	{ "date-format", "iso|dmy|mdy", "how the clinic's screens show dates (2026-03-02, 02.03.2026, 03/02/2026)", 0, NULL },
	{ "tz", "ZONE", "the clinic's time zone, an IANA name such as Europe/Berlin (its bookings' zone)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_settings_cmds[] = {
	{ "show", NULL, 0, 0, settings_opts, "a clinic's settings", false },
	{ "set", NULL, 0, 0, settings_opts, "changes a clinic's settings", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false } };

const struct cli_command cli_backup_cmds[] = {
	{ NULL, "FILE", 1, 1, NULL, "an online copy of the registry into a new file", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- audit ----------------------------------------------------------------- */

static const struct cli_option audit_list_opts[] = {
	{ "user", "U", "rows of one user (\"cli:LOGIN\" for the command line)", 0, NULL },
	{ "action", "A", "rows of one action, e.g. patient.read", 0, NULL },
	{ "record", "R", "rows about one record, e.g. patient:P1", 0, NULL },
	{ "limit", "N", "at most N rows, newest first (default 50)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_audit_cmds[] = {
	{ "verify", NULL, 0, 0, NULL, "checks the keyed hash chain, its anchors and the append-only triggers", false },
	{ "list", NULL, 0, 0, audit_list_opts, "the audit log's rows", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- protocol -------------------------------------------------------------- */

static const struct cli_option protocol_opts[] = {
	{ "protocols", "FILE", "the protocol library (default: the one found beside the registry or installed)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_protocol_cmds[] = {
	{ "list", NULL, 0, 0, protocol_opts, "the protocols of the library (docs/protocols.md)", false },
	{ "show", "NAME", 1, 1, protocol_opts, "one protocol, whole", false },
	{ "check", "FILE", 1, 1, NULL, "checks a protocol file", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- alerts ---------------------------------------------------------------- */

static const struct cli_option alerts_opts[] = {
	{ "today", "YYYY-MM-DD", "the day of the list (default: today)", 0, NULL },
	{ "clinic", "C", "one clinic's alerts", 0, NULL },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option ack_opts[] = {
	{ "by", "NAME", "who acknowledges", CLI_REQUIRED, NULL },
	{ "note", "TEXT", "a note kept with the acknowledgement", 0, NULL },
	{ "today", "YYYY-MM-DD", "the day of the list the alert is on (default: today)", 0, NULL },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

/* snooze and assign: one required value, and the protocol library the
 * morning list is computed with. */
#define ALERT_DESK_OPTS(NAME, OPT, ARG, HELP)                                   \
	static const struct cli_option NAME[] = {                                  \
		{ OPT, ARG, HELP, CLI_REQUIRED, NULL },                                \
		{ "protocols", "FILE", "the protocol library", 0, NULL },              \
		{ NULL, NULL, NULL, 0, NULL },                                         \
	}
ALERT_DESK_OPTS(snooze_opts, "until", "YYYY-MM-DD", "the day it comes back on the list (after today, within a year)");
ALERT_DESK_OPTS(assign_opts, "to", "USER", "the colleague's user name (\"\" for nobody)");

const struct cli_command cli_alerts_cmds[] = {
	{ NULL, NULL, 0, 0, alerts_opts, "the morning list: due, overdue, silent, slow progress, side effects (docs/alerts.md)", false },
	{ "ack", "KEY", 1, 1, ack_opts, "acknowledges one alert by the key the list prints", false },
	{ "snooze", "KEY", 1, 1, snooze_opts, "takes an alert off the list until a day", false },
	{ "assign", "KEY", 1, 1, assign_opts, "assigns an alert to a colleague", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- demo ------------------------------------------------------------------ */

static const struct cli_option demo_opts[] = {
	{ "no-serve", NULL, "stop after the report", CLI_FLAG, NULL },
	{ "dir", "DIR", "where the registry, the HTML report and the caught mail go (default demo/)", 0, NULL },
	{ "port", "N", "the web app's port (default 8080)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_demo_cmds[] = {
	{ NULL, NULL, 0, 0, demo_opts, "a simulated clinic network: registry, report and web app", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- csv ------------------------------------------------------------------- */

static const struct cli_option import_opts[] = {
	{ "progress", NULL, "a line per file and every 100,000 rows", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option export_opts[] = {
	{ "deidentify", NULL, "leave out names, contact details and free text", CLI_FLAG, NULL },
	{ "spreadsheet", NULL, "for spreadsheets: cells that would be formulas are escaped", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_import_cmds[] = {
	{ NULL, "csv DIR", 2, 2, import_opts, "imports a folder of interchange files, all or nothing (docs/csv-format.md)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

const struct cli_command cli_export_cmds[] = {
	{ NULL, "csv DIR", 2, 2, export_opts, "writes the registry as interchange files (docs/csv-format.md)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- serve ----------------------------------------------------------------- */

static const struct cli_option serve_opts[] = {
	{ "bind", "ADDR", "the address to listen on (default 127.0.0.1)", 0, NULL },
	{ "port", "N", "the port (default 8080)", 0, NULL },
	{ "threads", "N", "worker threads (default one per CPU, at least 2)", 0, NULL },
	{ "tls-cert", "FILE", "PEM certificate (with --tls-key)", 0, NULL },
	{ "tls-key", "FILE", "PEM private key (with --tls-cert)", 0, NULL },
	{ "web", "DIR", "the web UI's files (default web/ beside the binary)", 0, NULL },
	{ "session-idle", "SECONDS", "log out after this long idle (default 1800)", 0, NULL },
	{ "link-ttl", "SECONDS", "questionnaire links' lifetime (default 14 days)", 0, NULL },
	{ "chart-cache-mb", "N", "rendered charts kept per worker, MiB (0: none; default 8)", 0, NULL },
	{ "allowed-host", "NAME[:PORT]", "a Host name answered besides the bind address and localhost", CLI_MULTI, NULL },
	{ "request-deadline", "SECONDS", "time to receive a whole request (default 10)", 0, NULL },
	{ "max-connections", "N", "connections at once (default 4000)", 0, NULL },
	{ "max-conn-per-ip", "N", "connections at once from one address (default 256)", 0, NULL },
	{ "public-origin", "URL", "behind a proxy that ends TLS: the origin browsers use", 0, NULL },
	{ "trusted-proxy", "ADDR", "behind a reverse proxy at ADDR: a client's address is the X-Forwarded-For hop it adds", 0, NULL },
	{ "min-cell", "N", "the smallest group a researcher's report shows (default 5)", 0, NULL },
	{ "outbox-config", "FILE", "the outreach configuration (default REGISTRY-outreach.conf)", 0, NULL },
	{ "outbox-interval", "SECONDS", "between the outbox's passes (default 60)", 0, NULL },
	{ "no-outbox", NULL, "do not run the follow-up outbox here", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_serve_cmds[] = {
	{ NULL, NULL, 0, 0, serve_opts, "the web app and the JSON API (docs/api.md, docs/security.md)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- simulate -------------------------------------------------------------- */

static const struct cli_option registry_opts[] = {
	{ "patients", "N", "how many patients (required)", 0, NULL },
	{ "seed", "S", "the random seed (default 1): the same seed, the same registry", 0, NULL },
	{ "clinics", "K", "how many clinics (default 40)", 0, NULL },
	{ "out", "DIR", "write CSV interchange files (else into --db FILE)", 0, NULL },
	{ "progress", NULL, "show progress", CLI_FLAG, NULL },
	{ "all-instruments", NULL, "every instrument of the condition, not only NRS", CLI_FLAG, NULL },
	{ "no-goal-reached", NULL, "no course ends early as goal_reached", CLI_FLAG, NULL },
	{ "living", NULL, "a living clinic as of today: names, contacts, injections, open courses, pending follow-up", CLI_FLAG, NULL },
	{ "today", "YYYY-MM-DD", "the living clinic's today (default the clock)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option trial_opts[] = {
	{ "arms", "A,B", "the arms: dextrose, prp, stem_cell, saline (required)", 0, NULL },
	{ "condition", "X", "the condition treated (required)", 0, NULL },
	{ "per-arm", "N", "participants per arm (required)", 0, NULL },
	{ "months", "M", "follow-up in months (default 12)", 0, NULL },
	{ "reps", "R", "repetitions, for power (default 1)", 0, NULL },
	{ "seed", "S", "the random seed", 0, NULL },
	{ "sessions", "N", "injection sessions per participant", 0, NULL },
	{ "interval", "DAYS", "days between sessions", 0, NULL },
	{ "baseline-min", "NRS", "the lowest baseline pain admitted", 0, NULL },
	{ "responder", "FRACTION", "responder: last NRS at most this share of baseline (default 0.5)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option seed_opts[] = {
	{ "seed", "S", "the random seed", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_simulate_cmds[] = {
	{ NULL, NULL, 0, 0, registry_opts, "a simulated registry (docs/simulator.md)", false },
	{ "trial", NULL, 0, 0, trial_opts, "a simulated randomised trial, and its power over repetitions", false },
	{ "calibrate", NULL, 0, 0, seed_opts, "checks the simulator against the published figures it is tuned to", false },
	{ "params", NULL, 0, 0, NULL, "prints the model's parameters with their sources", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- user ---------------------------------------------------------------- */

static const struct cli_option user_add_opts[] = {
	{ "role", "admin|clinician|staff|researcher", "what the user may do (docs/security.md)", 0, NULL },
	{ "clinic", "C", "the clinic of a clinician or staff user (required for them)", 0, NULL },
	{ "password-stdin", NULL, "read the password from standard input, not the terminal", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option password_opts[] = {
	{ "password-stdin", NULL, "read the password from standard input, not the terminal", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option user_role_opts[] = {
	{ "role", "admin|clinician|staff|researcher", "the new role", CLI_REQUIRED, NULL },
	{ "clinic", "C", "the clinic of a clinician or staff user (default: the user's own)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option user_revoke_opts[] = {
	{ "session", "ID", "the session's id (prolo user sessions NAME)", 0, NULL },
	{ "all", NULL, "every session of the user", CLI_FLAG, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_user_cmds[] = {
	{ "add", "NAME", 1, 1, user_add_opts, "adds a user of the web app", false },
	{ "list", NULL, 0, 0, NULL, "the users, their roles and clinics", false },
	{ "passwd", "NAME", 1, 1, password_opts, "sets a user's password and ends their sessions", false },
	{ "unlock", "NAME", 1, 1, NULL, "lifts the login locks on a user's account", false },
	{ "disable", "NAME", 1, 1, NULL, "disables an account: no more logins, its sessions end at once", false },
	{ "enable", "NAME", 1, 1, NULL, "enables a disabled account again", false },
	{ "role", "NAME", 1, 1, user_role_opts, "gives a user another role (not the last active admin's)", false },
	{ "reset", "NAME", 1, 1, NULL, "a one-time password, printed once, to be changed at the next login", false },
	{ "sessions", "NAME", 1, 1, NULL, "a user's last login and open sessions", false },
	{ "revoke", "NAME", 1, 1, user_revoke_opts, "ends one of a user's sessions (--session ID) or all (--all)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- schedule -------------------------------------------------------------- */

static const struct cli_option schedule_opts[] = {
	{ "ics", "FILE", "the calendar file to write", CLI_REQUIRED, NULL },
	{ "clinic", "C", "one clinic's sessions", 0, NULL },
	{ "course", "ID", "one course's sessions and bookings", 0, "course_id" },
	{ "today", "YYYY-MM-DD", "from this day (default: today; fixes the file's stamp too)", 0, NULL },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_schedule_cmds[] = {
	{ "export", NULL, 0, 0, schedule_opts, "bookings and upcoming sessions as an iCalendar file", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- follow-up ------------------------------------------------------------ */

static const struct cli_option contact_set_opts[] = {
	{ "email", "ADDR", "the patient's e-mail address", 0, NULL },
	{ "mobile", "+E164", "the patient's mobile number, e.g. +41791234567", 0, NULL },
	{ "channel", "email|sms|none", "how the patient wants to hear from the clinic", 0, NULL },
	{ "consent", "given|withdrawn", "consent to be contacted", 0, NULL },
	{ "consent-by", "NAME", "who recorded the consent", 0, NULL },
	{ "consent-how", "HOW", "how it was given (form, phone, ...)", 0, NULL },
	{ "consent-date", "YYYY-MM-DD", "when (default: today)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_contact_cmds[] = {
	{ "set", "PATIENT_ID", 1, 1, contact_set_opts, "sets a patient's contact details and consent (docs/followup.md)", false },
	{ "show", "PATIENT_ID", 1, 1, NULL, "a patient's contact details and consent", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

static const struct cli_option followup_opts[] = {
	{ "today", "YYYY-MM-DD", "the day the statuses are for (default: today)", 0, NULL },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_followup_cmds[] = {
	{ "show", "COURSE_ID", 1, 1, followup_opts, "a course's follow-up time points and their status", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

static const struct cli_option outreach_run_opts[] = {
	{ "config", "FILE", "the outreach configuration (docs/followup.md)", 0, NULL },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ "no-send", NULL, "queue and settle, send nothing", CLI_FLAG, NULL },
	{ "every", "SECONDS", "a pass every SECONDS until stopped (as prolo serve does)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option outreach_list_opts[] = {
	{ "state", "S", "queued|sending|sent|failed|unknown|cancelled, or undelivered (failed and unknown)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option outreach_test_opts[] = {
	{ "config", "FILE", "the outreach configuration", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_outreach_cmds[] = {
	{ "run", NULL, 0, 0, outreach_run_opts, "one pass of the follow-up outbox (for cron)", false },
	{ "list", NULL, 0, 0, outreach_list_opts, "the outbox's messages", false },
	{ "retry", "MESSAGE_ID", 1, 1, NULL, "queues a failed message again", false },
	{ "cancel", "MESSAGE_ID", 1, 1, NULL, "cancels a message", false },
	{ "test", "ADDRESS", 1, 1, outreach_test_opts, "sends a test message and explains a failure", false },
	{ "bounce", "[FILE]", 0, 1, NULL, "reads one bounce message (FILE or standard input) and applies it", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- instrument wording ----------------------------------------------------- */

static const struct cli_option instrument_opts[] = {
	{ "clinic", "C", "the clinic whose wording it is", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_instrument_cmds[] = {
	{ "load", "FILE", 1, 1, instrument_opts, "loads the item texts and answer labels a clinic holds a licence for (docs/instruments.md)", false },
	{ "list", NULL, 0, 0, instrument_opts, "the wordings loaded, per clinic", false },
	{ "show", "NAME", 1, 1, instrument_opts, "an instrument's items, scoring and (with --clinic) the clinic's wording", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- calls ------------------------------------------------------------------ */

static const struct cli_option call_add_opts[] = {
	{ "result", "R", "reached|no_answer|left_message|wrong_number|declined|call_back", CLI_REQUIRED, NULL },
	{ "by", "NAME", "who called", CLI_REQUIRED, NULL },
	{ "note", "TEXT", "what was said, in a sentence", 0, NULL },
	{ "alert", "KEY", "the phone task the call answers (reached, wrong_number and declined settle it)", 0, "alert_key" },
	{ "point-day", "N", "the follow-up time point it was about (days after the start)", 0, "point_day" },
	{ "protocols", "FILE", "the protocol library", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option call_list_opts[] = {
	{ "course", "ID", "one course's calls", 0, "course_id" },
	{ "limit", "N", "at most N, newest first, 1..500 (default 50)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_call_cmds[] = {
	{ "list", NULL, 0, 0, call_list_opts, "the calls logged, newest first", false },
	{ "add", "COURSE_ID", 1, 1, call_add_opts, "logs a phone call on a course (docs/followup.md)", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- booking (cli_booking.c) --------------------------------------------- */

static const struct cli_option booking_add_opts[] = {
	{ "course", "ID", "the course (required)", CLI_REQUIRED, "course_id" },
	{ "time", "HH:MM", "the clinic's local time (required)", CLI_REQUIRED, NULL },
	{ "session", "N", "the session booked (default: the next one)", 0, "session_no" },
	{ "date", "YYYY-MM-DD", "the day (default: the protocol's interval after the last session or booking)", 0, NULL },
	{ "minutes", "N", "the slot's length (default 30)", 0, NULL },
	{ "note", "TEXT", "one line for the front desk", 0, NULL },
	{ "protocols", "FILE", "the protocol library (for the default date)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option booking_list_opts[] = {
	{ "clinic", "C", "one clinic's", 0, NULL },
	{ "from", "YYYY-MM-DD", "on or after", 0, NULL },
	{ "to", "YYYY-MM-DD", "on or before", 0, NULL },
	{ "status", "S", "booked|attended|cancelled|no_show", 0, NULL },
	{ "course", "ID", "one course's", 0, "course_id" },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option booking_view_opts[] = {
	{ "clinic", "C", "one clinic's", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_option booking_move_opts[] = {
	{ "date", "YYYY-MM-DD", "the new day (default: the same)", 0, NULL },
	{ "time", "HH:MM", "the new time (default: the same)", 0, NULL },
	{ "minutes", "N", "the new length (default: the same)", 0, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

const struct cli_command cli_booking_cmds[] = {
	{ "add", NULL, 0, 0, booking_add_opts, "books a course's next session (docs/bookings.md)", false },
	{ "day", "[YYYY-MM-DD]", 0, 1, booking_view_opts, "the front desk's day (default: today)", false },
	{ "week", "[YYYY-MM-DD]", 0, 1, booking_view_opts, "the week (Monday to Sunday) of a day", false },
	{ "list", NULL, 0, 0, booking_list_opts, "bookings, by date and time", false },
	{ "move", "ID", 1, 1, booking_move_opts, "moves a booking to another day or time", false },
	{ "cancel", "ID", 1, 1, NULL, "cancels a booking", false },
	{ "noshow", "ID", 1, 1, NULL, "marks a booking of today or before as missed", false },
	{ "zone", "CLINIC [ZONE]", 1, 2, NULL, "shows or sets the time zone of a clinic's bookings", false },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

/* ---- the groups, as "prolo --help" lists them -------------------------- */

const struct cli_group cli_groups[] = {
	{ "init", cli_init, "create a registry", cli_init_cmds },
	{ "patient", cli_patient, "add|list|show|merge patients", cli_patient_cmds },
	{ "course", cli_course, "add|list|show|end courses", cli_course_cmds },
	{ "session", cli_session, "add|list|show sessions and their injections", cli_session_cmds },
	{ "outcome", cli_outcome, "add|list|show questionnaire answers", cli_outcome_cmds },
	{ "ae", cli_ae, "add|list|show adverse events", cli_ae_cmds },
	{ "import", cli_import, "import csv DIR (all-or-nothing)", cli_import_cmds },
	{ "export", cli_export, "export csv DIR", cli_export_cmds },
	{ "simulate", cli_simulate, "simulate a registry (CSV or --db), a trial, calibrate", cli_simulate_cmds },
	{ "demo", cli_demo, "simulated clinic network: registry, report, web app", cli_demo_cmds },
	{ "report", cli_report, "outcomes report: text|csv|json|html", cli_report_cmds },
	{ "serve", cli_serve, "the web app and JSON API (--bind, --port, --tls-cert/--tls-key)", cli_serve_cmds },
	{ "user", cli_user, "add|list|passwd|unlock|disable|enable|role|reset|sessions|revoke users of the web app", cli_user_cmds },
	{ "audit", cli_audit, "verify|list the hash-chained audit log", cli_audit_cmds },
	{ "protocol", cli_protocol, "list|show|check treatment protocols", cli_protocol_cmds },
	{ "alerts", cli_alerts, "the morning list (--today D); alerts ack|snooze|assign KEY", cli_alerts_cmds },
	{ "condition", cli_condition, "add|list conditions with their ICD-10-CM and SNOMED CT codes", cli_condition_cmds },
	{ "backup", cli_backup, "an online copy of the registry into a new file", cli_backup_cmds },
	{ "contact", cli_contact, "set|show a patient's contact details and consent", cli_contact_cmds },
	{ "followup", cli_followup, "show a course's follow-up time points and their status", cli_followup_cmds },
	{ "outreach", cli_outreach, "run|list|retry|cancel|test|bounce the follow-up outbox", cli_outreach_cmds },
	{ "call", cli_call, "add|list phone calls logged on a course", cli_call_cmds },
	{ "schedule", cli_schedule, "export --ics FILE: upcoming sessions as a calendar", cli_schedule_cmds },
	{ "settings", cli_settings, "show|set a clinic's settings (the date format of its screens, its time zone)", cli_settings_cmds },
	{ "instrument", cli_instrument, "load|list|show a clinic's questionnaire wording", cli_instrument_cmds },
	{ "booking", cli_booking, "add|list|move|cancel|noshow|day|week appointments", cli_booking_cmds },
	{ NULL, NULL, NULL, NULL },
};
