/* The use-case layer: the only place where a clinic's actions are decided.
 * Each action is one function that takes a context (the store, the acting
 * user and their clinic, the source address, the clock, the protocol
 * library, an audit sink) and typed input, checks the permission and every
 * rule, runs the unit of work and writes the audit rows. The command line
 * and the HTTP API are adapters: they parse into the typed input, call, and
 * print or render. docs/architecture.md says where a new rule goes. */
#ifndef PROLO_APP_H
#define PROLO_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/records.h"
#include "registry/alerts.h"
#include "registry/ics.h"
#include "registry/patient_summary.h"
#include "registry/plan.h"
#include "registry/protocol.h"
#include "security/auth.h"
#include "store/store.h"
#include "store/store_patients.h"
#include "store/store_instr.h"

/* ---- the permission matrix ---------------------------------------------- */

/* Every action a logged-in user may be allowed; the names are the ones
 * docs/security.md, GET /api/me's "can" and the web UI use. */
enum app_action {
	CAN_LOGOUT, CAN_ME, CAN_PASSWORD, CAN_VOCAB,
	CAN_PATIENTS_LIST, CAN_PATIENTS_ADD, CAN_PATIENT_GET,
	CAN_COURSES_LIST, CAN_COURSES_ADD, CAN_COURSE_GET, CAN_COURSE_END,
	CAN_SESSIONS_ADD, CAN_OUTCOMES_ADD, CAN_AES_ADD,
	CAN_ALERTS_LIST, CAN_ALERTS_ACK, CAN_REPORT,
	CAN_USERS_LIST, CAN_USERS_ADD, CAN_AUDIT_LIST,
	CAN_QLINKS_ADD, CAN_IMPORT, CAN_EXPORT,
	CAN_PATIENTS_AMEND, CAN_PATIENTS_VOID, CAN_COURSES_AMEND, CAN_COURSES_VOID,
	CAN_SESSIONS_AMEND, CAN_SESSIONS_VOID, CAN_OUTCOMES_AMEND, CAN_OUTCOMES_VOID,
	CAN_AES_AMEND, CAN_AES_VOID,
	CAN_CONTACTS_GET, CAN_CONTACTS_SET, CAN_OUTBOX, /* follow-up: app/app_outreach.h */
	CAN_USERS_UNLOCK, CAN_QLINKS_REVOKE,
	CAN_PATIENTS_MERGE, CAN_PATIENTS_UNMERGE, CAN_PROTOCOLS, CAN_SETTINGS_GET, CAN_SETTINGS_SET,
	/* users who come and go (src/app/users.c) */
	CAN_USERS_DISABLE, CAN_USERS_ENABLE, CAN_USERS_ROLE, CAN_USERS_RESET,
	CAN_USERS_SESSIONS, CAN_USERS_REVOKE,
	CAN_INSTRUMENTS_LOAD, CAN_INSTRUMENTS_GET, /* instrument wording: app/instruments.c */
	/* the front desk: app/app_frontdesk.h */
	CAN_CALLS_ADD, CAN_CALLS_LIST, CAN_ALERTS_SNOOZE, CAN_ALERTS_ASSIGN, CAN_FOLLOWUP_LIST,
	CAN_BOOKINGS_LIST, CAN_BOOKINGS_ADD, CAN_BOOKINGS_CHANGE, CAN_CLINIC_ZONE, /* app/app_booking.h */
	CAN_PATIENTS_DUPLICATES, /* a patient's possible duplicates, for a merge */
	CAN__COUNT
};

/* "courses.end" etc. Cannot fail ("?" out of range). */
const char *app_action_name(enum app_action a);
/* True when role (enum store_role) may perform a. Cannot fail. */
bool app_role_may(int role, enum app_action a);
/* True when a user who must change their password first (a one-time
 * password) may still perform a: logging out, reading who they are and
 * the vocabularies, and changing the password. Cannot fail. */
bool app_may_before_change(enum app_action a);

/* ---- the context -------------------------------------------------------- */

struct fu_reminders;

/* Who acts. The command line acts as the registry's owner ("cli:LOGIN",
 * role admin, every clinic, from "local"); the server as the logged-in
 * user from the client's address. */
struct app_actor {
	char user[REC_ID_MAX + 8];  /* the audit log's name for them */
	int role;                   /* enum store_role */
	char clinic[REC_ID_MAX];    /* "" = every clinic */
	char addr[64];              /* source address */
	bool on_behalf;             /* records for named clinicians (the command
	                             * line, an import): override_by is theirs to give */
	bool must_change;           /* logged in with a one-time password: only
	                             * app_may_before_change actions until changed */
};

/* Where audit rows go. write: the row joins the current unit of work (it
 * lands with the change, or is the record of a read). later: the row must
 * outlive the unit, which is about to be rolled back (a refusal). Both get
 * a filled row; write returns the store's code, later cannot fail. */
struct app_audit_sink {
	enum prolo_code (*write)(void *ctx, struct store_audit *e, struct prolo_err *err);
	void (*later)(void *ctx, const struct store_audit *e);
	void *ctx;
};

#define APP_LATER_MAX 4

struct app_ctx {
	struct store *st;
	struct app_actor who;
	int32_t today;                        /* the clock's date (core/clock.h) */
	int64_t now;                          /* Unix seconds */
	const struct protocol_lib *protocols; /* NULL or empty = none loaded */
	struct app_audit_sink audit;
	bool in_unit;  /* the adapter already runs the unit of work (the server's
	                * writer batch or read snapshot): use cases neither begin
	                * nor commit */
	int64_t link_ttl_s; /* questionnaire links' lifetime; 0 = 14 days */
	/* app_ctx_local's sink: refusal rows waiting for the end of the unit
	 * (allocated at the first one; app_ctx_flush frees them) */
	struct store_audit *later;
	int n_later;
	int min_cell;       /* researchers' report: smallest group shown;
	                     * 0 = REPORT_MIN_CELL_DEFAULT */
	bool confirm;       /* the user confirmed what the rules only warn of
	                     * (a possible duplicate, an implausible value):
	                     * without it such an entry is PROLO_ECONFIRM */
	int64_t session_idle_s;     /* the server's session policy, for listing */
	int64_t session_absolute_s; /* open sessions; 0 = AUTH_SESSION_* */
	const struct fu_reminders *reminders; /* the outbox's reminder rhythm for
	                     * "what next" on the chart; NULL = the defaults */
};

/* The command line's context: acts as "cli:" + the operating-system login,
 * role admin, from "local", today from the clock; audit rows are appended
 * in the command's transaction (refusals after it). Cannot fail. */
void app_ctx_local(struct app_ctx *cx, struct store *st, const struct protocol_lib *protocols);
/* Appends the rows a local context kept for after its unit (refusals).
 * Cannot fail (a row that cannot be written is dropped). */
void app_ctx_flush(struct app_ctx *cx);

/* THE permission check: PROLO_EPERM (err says why) when the actor's role
 * may not perform a, or record_clinic (NULL = none at stake yet) is not
 * theirs. A refusal on a record writes a "denied" audit row naming kind:id
 * that outlives the unit. */
enum prolo_code app_permit(struct app_ctx *cx, enum app_action a, const char *kind, const char *id,
                           const char *record_clinic, struct prolo_err *err);

/* One audit row by the actor: record "kind:id" (kind NULL = none); detail
 * holds ids, counts and codes only. The sink's code. */
enum prolo_code app_audit(struct app_ctx *cx, const char *action, const char *kind, const char *id,
                          const char *detail, struct prolo_err *err);

/* A unit of work: begins a transaction unless the adapter runs one
 * (in_unit); app_unit_end commits when rc is PROLO_OK, else rolls back, and
 * returns the final code. */
enum prolo_code app_unit_begin(struct app_ctx *cx, struct prolo_err *err);
enum prolo_code app_unit_end(struct app_ctx *cx, enum prolo_code rc, struct prolo_err *err);

/* app_permit for an existing record the actor asks for by id: a record of
 * another clinic is answered exactly as one that is not there
 * (PROLO_ENOTFOUND "no SHOWN_KIND 'SHOWN_ID'", field patient_id or
 * course_id), with the denied row on kind:id; a role that may not perform
 * a at all gets PROLO_EPERM, the same for every record. */
enum prolo_code app_permit_seen(struct app_ctx *cx, enum app_action a, const char *kind, const char *id,
                                const char *record_clinic, const char *shown_kind, const char *shown_id,
                                struct prolo_err *err);

/* Before creating a patient or course with id: PROLO_OK when the id is
 * free; else PROLO_ECONFLICT with the duplicate's message ("patient 'P1'
 * already exists"), the same whichever clinic holds it, and a denied row
 * when it is another clinic's and the actor is bound to one. Ids are
 * unique across the registry (the CSV interchange relies on it), so a
 * refused create tells that an id is in use somewhere, and no more. */
enum prolo_code app_id_free(struct app_ctx *cx, enum app_action a, enum rec_kind kind, const char *id,
                            struct prolo_err *err);

/* An integer input that was not given: the use case applies its default. */
#define APP_INT_NONE INT32_MIN
/* The largest magnitude an integer input may have at the edge. */
#define APP_INT_INPUT_MAX 999999999
/* The type rule of an integer input, the same at every edge (a command-line
 * option, a JSON member): whole says whether the adapter's value parsed as
 * a whole number; it must have at most 9 digits, so no use case meets an
 * overflow. The range is the use case's rule. PROLO_EINVAL naming field
 * ("must be a whole number of at most 9 digits"); *out is set on success. */
enum prolo_code app_int_input(const char *field, bool whole, long long v, int *out, struct prolo_err *err);

/* Reads a patient / a course and its patient, checking that the actor may
 * perform a on them (their clinic). PROLO_EINVAL (field patient_id or
 * course_id) for a malformed id; PROLO_ENOTFOUND for none, and for one of
 * another clinic (app_permit_seen); PROLO_EPERM when the role may not. */
enum prolo_code app_load_patient(struct app_ctx *cx, enum app_action a, const char *id,
                                 struct patient *p, struct prolo_err *err);
enum prolo_code app_load_course(struct app_ctx *cx, enum app_action a, const char *id,
                                struct course *c, struct patient *p, struct prolo_err *err);

/* ---- recording ---------------------------------------------------------- */

/* Registers a patient (clinic defaults to the actor's). A registration
 * that may repeat one waits for the user's confirmation (PROLO_ECONFIRM,
 * unless cx->confirm); *dups (may be NULL) then gets the patients it may
 * be, so no adapter asks again. */
struct app_dups;
enum prolo_code app_patient_add(struct app_ctx *cx, struct patient *p, struct app_dups *dups,
                                struct prolo_err *err);

/* What is known for protocol "auto" besides the course (-1 = unknown). */
struct app_course_case {
	int baseline_nrs;
	int pain_months;
};
/* Plans a course: it starts planned (the default) or active; ending goes
 * through app_course_end (end_date and end_reason are refused here); an
 * override of a blocking contraindication needs a reason and a clinician
 * or admin, in their own name unless the actor records on behalf of
 * others; then the protocol (c->protocol, "auto" allowed) and the
 * contraindication rules (registry/plan.h). pf gets the findings, also on
 * a block. */
enum prolo_code app_course_add(struct app_ctx *cx, struct course *c, const struct app_course_case *cc,
                               struct plan_findings *pf, struct prolo_err *err);

struct app_course_end_in {
	const char *course_id;
	const char *status;    /* an end state's name */
	int32_t end_date;      /* DOM_DATE_NONE = today */
	const char *reason;    /* NULL = none */
};
/* Ends a course and revokes its questionnaire links not yet answered; *out
 * is the course as it now stands. PROLO_EINVAL
 * (status, end_date, reason), PROLO_ENOTFOUND, PROLO_ECONFLICT (ended). */
enum prolo_code app_course_end(struct app_ctx *cx, const struct app_course_end_in *in,
                               struct course *out, struct prolo_err *err);

/* Records a session with its injections (numbered 1..n when missing); a
 * missing session_no is the course's next; the first session makes a
 * planned course active; an ended course takes none. */
enum prolo_code app_session_add(struct app_ctx *cx, struct session *s, struct injection *inj,
                                size_t n_inj, struct prolo_err *err);
/* Records an assessment, scored from its items (core/instruments.h). */
enum prolo_code app_outcome_add(struct app_ctx *cx, struct outcome *o, struct prolo_err *err);
/* Records an adverse event; a missing seq is the course's next. */
enum prolo_code app_ae_add(struct app_ctx *cx, struct adverse_event *a, struct prolo_err *err);

/* Refuses a date after today (cx->today) in a field of what has happened:
 * a session's, an assessment's or an adverse event's date, a course's
 * end_date. PROLO_EINVAL naming the field. Interactive entry only: the CSV
 * import keeps what the interchange format allows. */
enum prolo_code app_not_future(const struct app_ctx *cx, enum rec_kind kind, const void *rec,
                               struct prolo_err *err);

/* ---- the record's life: amend, void, history (app/amend.c) --------------- */

/* One change to one record of kind patient, course, session, outcome or
 * adverse event. key: a record of kind whose key fields are set (the
 * patient_id; the course_id; course_id and session_no; course_id, date and
 * instrument; course_id and seq). */
struct app_change_in {
	enum rec_kind kind;
	const void *key;
	const void *patch;        /* amend: a record of kind with the new values */
	uint64_t set;             /* amend: bit i = field i of rec_tables[kind] is
	                           * given in patch (a missing value clears it) */
	const struct injection *inj; /* amend of a session: its injections, */
	size_t n_inj;             /* replacing the ones it has when set_inj */
	bool set_inj;
	const char *reason;       /* why: required, at most 1,000 bytes */
	int32_t if_version;       /* 0 = any version; else only that one */
	struct app_dups *dups;    /* amend of a patient: NULL, or gets the
	                           * possible duplicates when PROLO_ECONFIRM
	                           * asks about them */
};

/* Changes the fields of in->patch named by in->set: the actor's role must
 * be one that may create such a record, in their clinic; the record is
 * checked as when it is created (an assessment is scored again) and may not
 * be dated after today; keys never change. The previous version is kept
 * with who, when and why; audited as "KIND.amend" with the changed fields
 * (values of numbers and codes only). out (a record of kind) gets the
 * record as it now stands, or as it stands when the version does not
 * match. PROLO_EINVAL (field), PROLO_ENOTFOUND, PROLO_EPERM,
 * PROLO_ECONFLICT (field "version": not that version; or voided). */
enum prolo_code app_amend(struct app_ctx *cx, const struct app_change_in *in, void *out,
                          struct prolo_err *err);
/* Marks a record entered in error: it leaves the report, the alerts and
 * the exports but stays in its history. A patient with live courses is not
 * voided (void them first); a voided course takes its sessions,
 * assessments and adverse events with it; after a session is voided its
 * course is planned again when it has no other session. Codes as app_amend. */
enum prolo_code app_void(struct app_ctx *cx, const struct app_change_in *in, void *out,
                         struct prolo_err *err);

/* The life of one record: *out gets {"record":{…},"history":[{"version",
 * "action","at","by","reason","record":{…},"changes":[{"field","from",
 * "to"}]}…]}, oldest first; each entry is a previous version and the
 * change that ended it. Needs the right to read the record
 * (patients.get / courses.get); audited as "KIND.history". */
struct json_t;
enum prolo_code app_history(struct app_ctx *cx, enum rec_kind kind, const void *key, struct json_t **out,
                            struct prolo_err *err);
/* The record's key as the audit log and the history name it: "P1", "K1",
 * "K1/2", "K1/2025-03-01/NRS", "K1/3". Cannot fail. */
void app_record_key(enum rec_kind kind, const void *rec, char *out, size_t outsz);

/* ---- the morning list --------------------------------------------------- */

/* The alerts of day (DOM_DATE_NONE = today) for clinic (NULL = the
 * actor's, or every clinic for an actor bound to none). Audited. */
enum prolo_code app_alerts_list(struct app_ctx *cx, int32_t day, const char *clinic,
                                struct alert_list *out, struct prolo_err *err);
/* Acknowledges an alert by its key KIND:YYYY-MM-DD:COURSE_ID; the course
 * decides the clinic. Only an alert that is raised on day (the morning
 * list of that day, DOM_DATE_NONE = today; a day after today is refused,
 * PROLO_EINVAL field today) can be acknowledged: any other key is
 * PROLO_ENOTFOUND (field key), so no alert is acknowledged before it is
 * raised. by: who acknowledges, given only by an actor that records on
 * behalf of others (NULL = the actor). */
enum prolo_code app_alert_ack(struct app_ctx *cx, const char *key, int32_t day, const char *by,
                              const char *note, struct prolo_err *err);

/* ---- the outcomes report ----------------------------------------------- */

struct report;
struct report_options;
struct app_report_in {
	int modality;           /* -1 = any */
	const char *condition;  /* NULL = any */
	const char *clinic;     /* NULL = the actor's, or any for an unbound actor */
	int32_t from, to;       /* course start_date bounds; DOM_DATE_NONE = open */
	bool lean;              /* read only what the outcomes table needs */
};
/* Computes the outcomes report (report/report.h) for the courses in; *out
 * is the finished report (report_free it). A user bound to a clinic sees
 * that clinic's courses only. For a researcher the period is widened to
 * whole months (from to the first of its month, to to the last day of
 * its month) and the results pass report_suppress with cx->min_cell, so
 * no group of fewer courses, and no single course, can be read or
 * recovered from a margin. Audited as "report.read". */
enum prolo_code app_report(struct app_ctx *cx, const struct app_report_in *in,
                           const struct report_options *ro, struct report **out,
                           struct prolo_err *err);

/* ---- interchange ------------------------------------------------------ */

struct csvio_import_stats;
/* Imports the CSV interchange folder dir all-or-nothing (every row checked
 * as when it is recorded); stats gets the counts and the first errors.
 * Audited as "import" with the counts. progress may be NULL. */
enum prolo_code app_import_csv(struct app_ctx *cx, const char *dir, struct csvio_import_stats *stats,
                               void (*progress)(void *pctx, const char *line), void *pctx,
                               struct prolo_err *err);
/* Writes the registry as CSV interchange files into dir (deidentify:
 * without identifying columns; spreadsheet: formulas escaped, see
 * docs/csv-format.md); counts per record kind. Audited first. */
enum prolo_code app_export_csv(struct app_ctx *cx, const char *dir, bool deidentify, bool spreadsheet,
                               long counts[REC__COUNT], struct prolo_err *err);

/* ---- accounts ----------------------------------------------------------- */

/* The checks of a new account's name, role and clinic, which app_user_add
 * makes too: adapters call it before the slow password hash, so a bad name
 * is refused before a password is asked for or hashed. PROLO_EINVAL naming
 * the field. */
enum prolo_code app_user_check(const struct store_user *u, struct prolo_err *err);
/* Adds a user whose password the adapter has hashed (security/auth.h,
 * slow, outside any lock). PROLO_EINVAL (name, role, clinic),
 * PROLO_ECONFLICT when the name is taken. */
enum prolo_code app_user_add(struct app_ctx *cx, const struct store_user *u, struct prolo_err *err);

/* Unlocks an account (an admin's): its failed logins are forgotten and
 * no address is locked out of it any more (addresses locked for failures
 * of their own stay locked). PROLO_ENOTFOUND (field name) for no such
 * user. Audited as "user.unlock" on record user:NAME. */
enum prolo_code app_user_unlock(struct app_ctx *cx, const char *name, struct prolo_err *err);

/* The slow half of the actor's password change, outside any unit and any
 * lock; the adapter has counted the attempt (auth_login_reserve, as for
 * a login, so the old password is throttled like a login). Checks the
 * old password (PROLO_EPERM, field old_password), refuses a new one equal
 * to the old (PROLO_EINVAL, field new_password) or breaking the password
 * rule (app_password_rule), and hashes it into new_hash; old_hash gets the stored hash the old
 * password matched. */
enum prolo_code app_password_prepare(struct app_ctx *cx, const char *old_pw, const char *new_pw,
                                     char new_hash[STORE_PWHASH_MAX], char old_hash[STORE_PWHASH_MAX],
                                     struct prolo_err *err);
/* The unit of the change: stores new_hash if the stored hash is still
 * old_hash (else PROLO_ECONFLICT, field old_password), so a one-time
 * password no longer needs changing, closes the actor's
 * other sessions (keep: the session hash to keep, NULL = none), gives back
 * the attempt's throttle count and writes "password.change". */
enum prolo_code app_password_change(struct app_ctx *cx, const char *new_hash, const char *old_hash,
                                    const unsigned char *keep, struct prolo_err *err);

/* Sets a user's password to new_hash (hashed by the adapter) and closes
 * all of their sessions: the owner's reset (the command line). PROLO_ENOTFOUND
 * (field name). Audited as "password.reset" on record user:NAME. */
enum prolo_code app_user_set_password(struct app_ctx *cx, const char *name, const char *new_hash,
                                      struct prolo_err *err);

/* The one password rule, for every password a person chooses (new users,
 * password changes, the command line): AUTH_MIN_PASSWORD to
 * AUTH_MAX_PASSWORD characters, not one of the common passwords shipped
 * with prolo (auth_password_common), not the user name. PROLO_EINVAL naming
 * field. */
enum prolo_code app_password_rule(const char *pw, const char *name, const char *field, struct prolo_err *err);
/* app_password_rule, then the slow Argon2id hash into out (outside any
 * lock). PROLO_EINVAL naming field; PROLO_ENOMEM. */
enum prolo_code app_password_hash(const char *pw, const char *name, const char *field,
                                  char out[STORE_PWHASH_MAX], struct prolo_err *err);

/* An admin's actions on an account (permissions users.disable, users.enable,
 * users.role, users.reset, users.sessions, users.sessions.revoke), each
 * audited on record user:NAME. All: PROLO_EINVAL (field name) for a
 * malformed name, PROLO_ENOTFOUND (field name) for no such user. */

/* The account as it now stands, for the answer of one of these actions
 * (already audited: not audited again); never its password hash.
 * Permission users.list. */
enum prolo_code app_user_view(struct app_ctx *cx, const char *name, struct store_user *out, struct prolo_err *err);

/* Disables (active false) or enables an account. A disabled user cannot
 * log in, and their sessions are ended (*ended: how many): every request
 * reads the account, so the next one is refused (401), in every server
 * process sharing the registry. PROLO_ECONFLICT (field name) when it is
 * so already, or when it is the last active admin. Audited as
 * "user.disable" / "user.enable". */
enum prolo_code app_user_set_active(struct app_ctx *cx, const char *name, bool active, int *ended,
                                    struct prolo_err *err);
/* Gives a user another role (enum store_role) and clinic: clinic NULL
 * keeps theirs, "" clears it; an admin has none; a clinician or staff user
 * needs one (PROLO_EINVAL field clinic). PROLO_EINVAL (role) for an unknown
 * role; PROLO_ECONFLICT (field role) when nothing would change, or for the
 * last active admin's demotion. *out: the account as it now stands. The
 * role counts from the user's next request; their sessions stay.
 * Audited as "user.role" with "old -> new". */
enum prolo_code app_user_role(struct app_ctx *cx, const char *name, int role, const char *clinic,
                              struct store_user *out, struct prolo_err *err);
/* The cut-offs of a session still open under the context's policy: seen
 * since *idle_before and opened since *abs_before. Cannot fail. */
void app_session_cutoffs(const struct app_ctx *cx, int64_t *idle_before, int64_t *abs_before);
#define APP_OTP_MAX 24 /* a one-time password: xxxx-xxxx-xxxx-xxxx + NUL */
/* The slow half of a reset, outside any lock: a random one-time password
 * in otp (shown once, to the admin, never stored) and its hash. */
enum prolo_code app_user_reset_prepare(struct app_ctx *cx, const char *name, char otp[APP_OTP_MAX],
                                       char hash[STORE_PWHASH_MAX], struct prolo_err *err);
/* The unit of a reset: the one-time password's hash replaces the
 * password, which must be changed at the next login (until then only
 * app_may_before_change actions are allowed); the user's sessions end
 * (*ended) and their login locks are lifted. Audited as "user.reset". */
enum prolo_code app_user_reset(struct app_ctx *cx, const char *name, const char *hash, int *ended,
                               struct prolo_err *err);
/* The user's account (*u, with u->open_sessions) and open sessions (not
 * expired under the context's session policy), oldest first, to fn.
 * Audited as "user.sessions". */
enum prolo_code app_user_sessions(struct app_ctx *cx, const char *name, struct store_user *u,
                                  store_session_fn fn, void *ctx, struct prolo_err *err);
/* Ends one session of the user, named by its public id sid, or with all
 * every one of them (*ended: how many): one of the two, not both.
 * PROLO_EINVAL (field session) for both, neither or a malformed id,
 * PROLO_ENOTFOUND (field session) for none of theirs. Audited as
 * "user.sessions.revoke". */
enum prolo_code app_user_revoke(struct app_ctx *cx, const char *name, const char *sid, bool all, int *ended,
                                struct prolo_err *err);

/* ---- reads (src/app/reads.c) --------------------------------------------- */

/* Every account, to fn, with its count of open sessions (under the
 * context's session policy) (permission users.list). Audited as
 * "user.list". */
enum prolo_code app_user_list(struct app_ctx *cx, store_user_fn fn, void *ctx, struct prolo_err *err);
/* The audit log's rows that match f, to fn (permission audit.list).
 * Audited as "audit.read" (the count and which filters, not their values). */
enum prolo_code app_audit_list(struct app_ctx *cx, const struct store_audit_filter *f, store_audit_fn fn,
                               void *ctx, struct prolo_err *err);
/* A patient's summary (registry/patient_summary.h) for the patient's page,
 * checked against the actor's clinic; free with patient_summary_free.
 * Audited as "patient.read" (detail "summary, N courses"). */
enum prolo_code app_patient_summary(struct app_ctx *cx, const char *patient_id, struct patient_summary *out,
                                    struct prolo_err *err);
/* ---- lists of records (src/app/lists.c) ---------------------------------- */

/* A list's length: APP_LIST_DEFAULT rows unless asked, at most APP_LIST_MAX. */
#define APP_LIST_DEFAULT 50
#define APP_LIST_MAX 500
/* A list's search text: at most this many bytes. */
#define APP_SEARCH_MAX 100
/* THE limit rule of every list: limit (APP_INT_NONE = not given) must be
 * 1..APP_LIST_MAX (PROLO_EINVAL, field limit); not given it is
 * APP_LIST_DEFAULT, or 0 (all) when whole (one patient's or one course's
 * records). *out: the store's limit. */
enum prolo_code app_list_limit(int limit, bool whole, int *out, struct prolo_err *err);

struct app_list_in {
	enum rec_kind kind;      /* patient, course, session, outcome or adverse event */
	const char *clinic;      /* NULL = the actor's, or every clinic for an actor
	                          * bound to none; another clinic than the actor's
	                          * is refused (PROLO_EPERM, field clinic) */
	const char *patient_id;  /* NULL = any; else that patient's (checked as a read) */
	const char *course_id;   /* NULL = any; else that course's (checked as a read) */
	const char *search;      /* NULL = none; at most APP_SEARCH_MAX bytes (field q) */
	int limit;               /* APP_INT_NONE = the default (app_list_limit) */
};
/* The records of in->kind, in the store's order, to fn. Permission
 * patients.list for patients, courses.list for the others; one patient's or
 * course's records need that record to be the actor's clinic's
 * (PROLO_ENOTFOUND otherwise, as for a read). Audited as "KIND.list" (record
 * patient:ID or course:ID when scoped) with the count ("3 patients", and
 * ", search" when searched). */
enum prolo_code app_record_list(struct app_ctx *cx, const struct app_list_in *in, store_row_fn fn, void *ctx,
                                struct prolo_err *err);

/* A calendar's events (app_schedule_export_course in app_booking.h). Free
 * with app_schedule_free. */
struct app_schedule {
	struct ics_event *ev;
	size_t n, cap;
	size_t courses;  /* courses with at least one event */
};
void app_schedule_free(struct app_schedule *s);

/* ---- questionnaire links ------------------------------------------------ */

/* A single-use link for a patient's course; token gets the secret (only
 * its hash is stored), id its public id (to revoke it by), *expires_at its
 * end. */
enum prolo_code app_qlink_add(struct app_ctx *cx, const char *patient_id, const char *course_id,
                              const char *instrument, char token[AUTH_TOKEN_HEX],
                              char id[STORE_QLINK_ID_MAX], int64_t *expires_at, struct prolo_err *err);

/* The link of a token (anyone holding it: the token is the credential)
 * if it is live. PROLO_ENOTFOUND (field token) when there is none;
 * PROLO_ECONFLICT with *gone set when it was used, has expired, was
 * revoked or its course has ended (the adapter answers 410). */
enum prolo_code app_qlink_find(struct app_ctx *cx, const char *token, struct store_qlink *q, bool *gone,
                               struct prolo_err *err);

/* A patient's answer through link q (found by app_qlink_find): inside the
 * unit the link is checked again to be live (else PROLO_ECONFLICT with
 * *gone), then used up and the assessment, dated today, recorded; audited
 * as the questionnaire's. */
enum prolo_code app_qlink_answer(struct app_ctx *cx, const struct store_qlink *q, struct outcome *o,
                                 bool *gone, struct prolo_err *err);

/* Revokes a link named by its token or its id (exactly one non-NULL):
 * PROLO_EINVAL (field token) for neither or both, PROLO_ENOTFOUND,
 * PROLO_ECONFLICT when already revoked or answered; the actor's clinic
 * must be the course's (permission questionnaire-links.revoke). *q gets
 * the link. Audited as "questionnaire_link.revoke". */
enum prolo_code app_qlink_revoke(struct app_ctx *cx, const char *token, const char *id,
                                 struct store_qlink *q, struct prolo_err *err);

/* ---- patients: duplicates, merges, warnings (src/app/patients.c) -------- */

#define APP_DUPS_MAX 20
struct app_dups {
	struct store_dup items[APP_DUPS_MAX];
	size_t n;
	unsigned asks;      /* DUP_* keys the warning is about (of items[0]) */
};
/* The live patients of p's clinic (the actor's when p has none), other
 * than p itself, that p may be a second registration of: same first and
 * last name and birth year, or the same phone number, or the same e-mail
 * address (on the record or the contact details). Permission patients.add. */
enum prolo_code app_patient_dups(struct app_ctx *cx, const struct patient *p, struct app_dups *out,
                                 struct prolo_err *err);
/* The possible duplicates an amendment of patient old into nw brings up:
 * those nw matches on a key old did not match them on (a match confirmed
 * once is not asked about again until another key matches). The caller
 * (app_amend) has checked the permission. Store codes. */
enum prolo_code app_patient_dups_new(struct app_ctx *cx, const struct patient *old, const struct patient *nw,
                                     struct app_dups *out, struct prolo_err *err);
/* PROLO_ECONFIRM for the possible duplicates d (at least one), naming the
 * field of the key asked about (last_name, phone or email); verb says
 * what waits ("register", "save"). Returns PROLO_ECONFIRM. */
enum prolo_code app_dups_confirm(const struct app_dups *d, const char *verb, struct prolo_err *err);
/* The possible duplicates of patient id (as app_patient_dups, on its own
 * record), for a merge: permission patients.duplicates, the clinic check
 * (another clinic's patient is not there: PROLO_ENOTFOUND, field
 * patient_id); *p gets the patient (a merged id leads to the survivor).
 * Audited as the read "patient.duplicates" with the count. */
enum prolo_code app_patient_duplicates(struct app_ctx *cx, const char *id, struct patient *p,
                                       struct app_dups *out, struct prolo_err *err);
/* The possible duplicates as the API and --json show them: [{"patient_id",
 * "clinic","first_name","last_name","birth_year" (when known),"matched":
 * ["name_birth_year"|"phone"|"email"…]}] (new reference; NULL only when
 * out of memory). */
struct json_t *app_dups_json(const struct app_dups *d);

/* Merges patient merged into survivor (the same clinic; both live and not
 * merged): every live course of merged moves to survivor (each course's
 * previous version is kept in its history), survivor takes over the
 * contraindications it did not have (re-checked against its open courses,
 * as an amendment), and merged becomes a pointer: reads of it lead to
 * survivor, changes to it are refused. Audited as "patient.merge" on both.
 * reason required. *out gets the merge. PROLO_EINVAL (reason, merged),
 * PROLO_ENOTFOUND, PROLO_EPERM, PROLO_ECONFLICT (merged already, voided,
 * another clinic's). */
enum prolo_code app_patient_merge(struct app_ctx *cx, const char *survivor, const char *merged,
                                  const char *reason, struct store_merge *out, struct prolo_err *err);
/* Undoes the merge in force of patient merged (admins only): the courses
 * the merge moved and that are still the survivor's go back, the
 * contraindications the survivor took over are removed again unless
 * recorded otherwise since, the pointer is cleared. Audited as
 * "patient.unmerge". PROLO_ENOTFOUND (not merged), PROLO_EPERM. */
enum prolo_code app_patient_unmerge(struct app_ctx *cx, const char *merged, const char *reason,
                                    struct store_merge *out, struct prolo_err *err);
/* The merges into or of patient id, oldest first, as a JSON array (new
 * reference). Permission patients.get on the patient. */
/* A merge as JSON: {"id","survivor","merged","courses":[…],"at","by",
 * "reason","undone":{"at","by","reason"} when undone}. NULL when out of
 * memory. */
struct json_t *app_merge_json(const struct store_merge *m);
enum prolo_code app_patient_merges(struct app_ctx *cx, const char *id, struct json_t **out,
                                   struct prolo_err *err);

/* After an amendment gave patient p contraindications it did not have
 * (old: the flags before), the contraindication rules (registry/plan.h)
 * are run again on each of p's planned and active courses; what they find
 * is kept as a course warning (the chart shows it; the morning list raises
 * "contraindication_added") and in the course's history. Inside the
 * caller's unit. *n gets how many were raised (may be NULL). Store codes. */
enum prolo_code app_patient_recheck(struct app_ctx *cx, const struct patient *p, uint32_t old, int *n,
                                    struct prolo_err *err);
/* The warnings raised on a course while it is open (planned or active;
 * none once it has ended), as a JSON array [{"raised_on","rule",
 * "severity","message","by"}] (new reference), for an actor who may read
 * the course (courses.get, its clinic). Codes of app_load_course; store
 * codes; PROLO_ENOMEM. *out is NULL on error. */
enum prolo_code app_course_warnings(struct app_ctx *cx, const char *course_id, struct json_t **out,
                                    struct prolo_err *err);

/* ---- plausibility: what the rules allow but a person should confirm ------
 * (src/app/plausible.c). Each returns PROLO_ECONFIRM naming the field
 * (score / items, concentration_pct, injections) unless cx->confirm. */

/* An NRS jump: an NRS score 8 or more points away from the course's
 * previous or next NRS assessment (by date, voided ones left out). */
#define APP_NRS_JUMP 8
enum prolo_code app_plausible_outcome(struct app_ctx *cx, const struct outcome *o, struct prolo_err *err);
/* A dextrose concentration (the session's or an injection's) outside the
 * range of the course's protocol (protocol.h: concentration_range_pct, or
 * its concentration_pct alone). Courses without a protocol are not
 * checked. */
enum prolo_code app_plausible_session(struct app_ctx *cx, const struct session *s, const struct injection *inj,
                                      size_t n_inj, struct prolo_err *err);

/* ---- a clinic's settings and the protocols (src/app/patients.c) ---------- */

/* The date format of the actor's clinic (clinic NULL) or of clinic: "iso",
 * "dmy" or "mdy". Permission settings.get. */
enum prolo_code app_clinic_date_format(struct app_ctx *cx, const char *clinic, char out[8],
                                       struct prolo_err *err);
/* Sets a clinic's date format (admins; an admin bound to a clinic sets
 * theirs). PROLO_EINVAL (date_format, clinic). Audited as "settings.set". */
enum prolo_code app_clinic_set_date_format(struct app_ctx *cx, const char *clinic, const char *fmt,
                                           struct prolo_err *err);
/* The protocol library the context holds, for reading (permission
 * protocols). *lib may be empty. */
enum prolo_code app_protocols(struct app_ctx *cx, const struct protocol_lib **lib, struct prolo_err *err);
/* ---- instrument wording (app/instruments.c) ------------------------------ */

/* Loads a clinic's wording of an instrument from text[0..len) (the file of
 * docs/instruments.md), replacing the one it had; clinic NULL = the
 * actor's. Admins only. PROLO_EPERM; PROLO_EINVAL with the field at fault
 * (itext_parse: "item K", "labels", "line N", ...) and nothing stored;
 * store codes. On PROLO_OK *out (when out is non-NULL) holds the stored
 * row, out->body malloc'd for the caller to free. */
enum prolo_code app_instrument_load(struct app_ctx *cx, const char *clinic, const char *text, size_t len,
                                    struct store_itext *out, struct prolo_err *err);
/* The wordings loaded: of clinic, else of the actor's clinic, else (an
 * admin) of every clinic. PROLO_EPERM; store codes; fn's. */
enum prolo_code app_instrument_list(struct app_ctx *cx, const char *clinic, store_itext_fn fn, void *ctx,
                                    struct prolo_err *err);
/* One wording, out->body malloc'd. PROLO_ENOTFOUND (field instrument) when
 * the instrument is unknown or its wording not loaded; PROLO_EINVAL (field
 * clinic); PROLO_EPERM. */
enum prolo_code app_instrument_get(struct app_ctx *cx, const char *clinic, const char *instrument,
                                   struct store_itext *out, struct prolo_err *err);
/* An instrument described (itext_describe) for the actor: with the wording
 * of clinic, else of the actor's clinic, marked missing when that clinic
 * loaded none; an actor of no clinic (an admin, the command line) asking
 * for none gets the structure alone, and the store is not read. *out is a
 * new object. PROLO_ENOTFOUND (field instrument) for an unknown name;
 * PROLO_EINVAL (field clinic); PROLO_EPERM; store codes; PROLO_ENOMEM. */
enum prolo_code app_instrument_describe(struct app_ctx *cx, const char *clinic, const char *instrument,
                                        struct json_t **out, struct prolo_err *err);
/* The canonical wording (core/instr_text.h) the patient of link q sees:
 * their clinic's; *canon NULL when the clinic loaded none. No permission:
 * the link is the patient's. Store codes. */
enum prolo_code app_qlink_wording(struct app_ctx *cx, const struct store_qlink *q, struct json_t **canon,
                                  struct prolo_err *err);

#endif
