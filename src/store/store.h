/* The only door to the database. Callers speak in domain records
 * (core/records.h) and clinic ids; the backend (SQLite today, PostgreSQL
 * later) owns the SQL, the internal keys and the transactions. Every
 * function that writes expects to run inside store_begin/store_commit so a
 * command lands whole or not at all. */
#ifndef PROLO_STORE_H
#define PROLO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/course_rows.h"
#include "core/err.h"
#include "core/records.h"

struct store;

enum store_flags {
	STORE_CREATE = 1,   /* create the file and the schema (prolo init) */
	STORE_READONLY = 2, /* open for reading only */
};

/* Opens (and with STORE_CREATE creates) a registry, applies pending
 * migrations, sets WAL, synchronous=FULL and foreign keys.
 * PROLO_ENOTFOUND when the file does not exist and STORE_CREATE is not set;
 * PROLO_ECONFLICT when STORE_CREATE is set and a registry is already there;
 * PROLO_EDB otherwise. *out is NULL on error. */
enum prolo_code store_open(const char *path, int flags, struct store **out,
                           struct prolo_err *err);
/* Rolls back an open transaction and closes. NULL is a no-op. */
void store_close(struct store *st);

/* One write transaction (BEGIN IMMEDIATE). PROLO_EDB if busy past the
 * timeout. store_rollback cannot fail and is a no-op without a transaction. */
enum prolo_code store_begin(struct store *st, struct prolo_err *err);
enum prolo_code store_commit(struct store *st, struct prolo_err *err);
void store_rollback(struct store *st);
/* Bulk loads (CSV import): rows are checked at once and written in
 * batches. Errors found when a batch is written go to on_error with the tag
 * the caller gave the row (its line). Also sets a page cache (256 MiB) so a
 * long transaction does not spill to the log. Lasts until commit/rollback. */
typedef void (*store_bulk_error_fn)(void *ctx, enum rec_kind kind, long tag,
                                    const struct prolo_err *err);
void store_bulk_begin(struct store *st, store_bulk_error_fn on_error, void *ctx);
/* Like store_insert, but may only queue the row: PROLO_OK then means "no
 * fault found yet". Errors of the row's own checks are returned at once.
 * The store keeps the pointer: rec must stay unchanged until the next
 * store_bulk_flush (or commit/rollback). */
enum prolo_code store_bulk_insert(struct store *st, enum rec_kind kind, void *rec, long tag,
                                  struct prolo_err *err);
/* Writes what is queued; PROLO_EINVAL if any queued row was refused (each
 * was reported to on_error), PROLO_EDB on storage failure. store_commit
 * calls it and refuses to commit a load with refused rows. */
enum prolo_code store_bulk_flush(struct store *st, struct prolo_err *err);
/* Highest applied migration. */
int store_schema_version(struct store *st);

/* Inserts one record of any kind. References are resolved by clinic id:
 * PROLO_ENOTFOUND with err->field = "patient_id"/"course_id"/"session_no"
 * when the referenced record is missing; PROLO_ECONFLICT on a duplicate id
 * or key; PROLO_EINVAL for rules that need other records (a session or
 * assessment dated before its course starts, an unknown condition). A
 * patient's clinic is created on first use. An adverse event with seq 0 gets
 * the next number of its course, written back into the record. */
enum prolo_code store_insert(struct store *st, enum rec_kind kind, void *rec,
                             struct prolo_err *err);

/* Writes a course's end (status, end_date, reason) and its history row.
 * The rules (an end state, not ended yet, not before the start) are the
 * use case's (app_course_end). PROLO_EDB. */
enum prolo_code store_course_end(struct store *st, const char *course_id, int status,
                                 int32_t end_date, const char *reason,
                                 struct prolo_err *err);
/* Updates a course's status from planned to active (first session). */
enum prolo_code store_course_set_status(struct store *st, const char *course_id,
                                        int status, struct prolo_err *err);
/* Appends to a course's history (plan, overrides, end). */
enum prolo_code store_course_history_add(struct store *st, const char *course_id,
                                         const char *event, const char *detail,
                                         struct prolo_err *err);

/* Streams a course's history (plan, overrides, state changes) oldest first:
 * fn(ctx, at (ISO timestamp), event, detail ("" if none)). */
typedef enum prolo_code (*store_history_fn)(void *ctx, const char *at, const char *event,
                                            const char *detail, struct prolo_err *err);
enum prolo_code store_course_history_scan(struct store *st, const char *course_id,
                                          store_history_fn fn, void *ctx, struct prolo_err *err);
/* Largest session_no of a course, 0 when it has none. */
enum prolo_code store_last_session_no(struct store *st, const char *course_id, int32_t *n,
                                      struct prolo_err *err);

/* Reads one record by key: patient/course by id; session by course_id and
 * session_no; adverse event by course_id and seq; outcome by course_id,
 * date and instrument. The key fields of *rec are read, the rest filled,
 * with its meta (version; voided records are read too, meta.voided set).
 * PROLO_ENOTFOUND when absent. */
enum prolo_code store_get(struct store *st, enum rec_kind kind, void *rec,
                          struct prolo_err *err);

/* ---- amendments, voids and the history of a record ----------------------
 * A record's version (rec_meta) is 1 when created and one more at each
 * change. The rules (who, which fields, validation) are the use cases'
 * (app/amend.c); these write what they decided. */

/* True when the field names the record (patient_id, course_id, session_no,
 * an assessment's date and instrument, seq): it never changes. */
bool store_field_is_key(enum rec_kind kind, const char *name);
/* "staff" or "patient": the source an outcome is stored under (a missing
 * source is staff's). Cannot fail. */
const char *store_outcome_source(const struct outcome *o);
/* Writes every field of rec (not its key) over the live record with the
 * same key whose version is version; its version becomes version + 1.
 * Not for injections (store_injections_replace). The store's insert rules
 * apply (known condition, dates not before the course's start).
 * PROLO_ECONFLICT (field "version") when the record is not at that version
 * or is voided; PROLO_EINVAL, PROLO_ENOTFOUND as store_insert. */
enum prolo_code store_update(struct store *st, enum rec_kind kind, const void *rec, int32_t version,
                             struct prolo_err *err);
/* Marks the live record with rec's key and that version voided (at: ISO
 * time, reason: why); its version becomes version + 1. A session's
 * injections are voided with it. PROLO_ECONFLICT as store_update. */
enum prolo_code store_void(struct store *st, enum rec_kind kind, const void *rec, int32_t version,
                           const char *at, const char *reason, struct prolo_err *err);
/* Replaces the injections of session s by inj[0..n) (numbered 1..n when
 * seq is missing). Store codes as store_insert. */
enum prolo_code store_injections_replace(struct store *st, const struct session *s,
                                         struct injection *inj, size_t n, struct prolo_err *err);

/* One previous version of a record (store_history.c). */
struct store_history_row {
	const char *kind;     /* "patient", "course", "session", "outcome", "adverse_event" */
	const char *record;   /* its key as the audit log names it: "K1/2025-03-01/NRS" */
	int32_t version;      /* the version this was */
	const char *action;   /* what ended it: "amend" or "void" */
	const char *old;      /* the record as it was (JSON object text) */
	const char *by;       /* the user who changed it */
	const char *at;       /* ISO 8601 UTC */
	const char *reason;   /* why */
};
/* Keeps a previous version. PROLO_ECONFLICT when that version was kept
 * already; PROLO_EDB. */
enum prolo_code store_history_add(struct store *st, const struct store_history_row *h,
                                  struct prolo_err *err);
typedef enum prolo_code (*store_history_row_fn)(void *ctx, const struct store_history_row *h,
                                                struct prolo_err *err);
/* The previous versions of one record, oldest first (valid during the call). */
enum prolo_code store_history_list(struct store *st, const char *kind, const char *record,
                                   store_history_row_fn fn, void *ctx, struct prolo_err *err);

/* Filter for listing; NULL/empty members match everything. */
struct store_filter {
	const char *patient_id;
	const char *course_id;
	const char *clinic;
	int32_t session_no;     /* 0 = any (injections of one session) */
	const char *search;     /* patients: substring of id or name */
	int limit;              /* 0 = no limit */
	bool include_voided;    /* also voided records and the children of a
	                           voided course (history views); scans leave
	                           them out by default, so the report, the
	                           alerts and the exports never see them */
};

/* Called once per row in key order; a non-OK return stops the scan and is
 * returned by store_scan. The record is valid only during the call. */
typedef enum prolo_code (*store_row_fn)(void *ctx, const void *rec, struct prolo_err *err);

/* Streams records of one kind in a stable order (insertion order of
 * patients and courses; children by course then their key). */
enum prolo_code store_scan(struct store *st, enum rec_kind kind,
                           const struct store_filter *f, store_row_fn fn, void *ctx,
                           struct prolo_err *err);
/* Counts records of one kind (for "prolo demo" and summaries). */
enum prolo_code store_count(struct store *st, enum rec_kind kind, int64_t *n,
                            struct prolo_err *err);

/* The report's view: one course at a time with all of its sessions,
 * assessments and adverse events, in course insertion order. */
struct store_report_filter {
	const char *clinic;     /* NULL = any */
	int modality;           /* -1 = any */
	const char *condition;  /* NULL = any */
	int32_t from, to;       /* course start_date bounds; DOM_DATE_NONE = open */
	const char *course_id;  /* one course (its rows alone are read); NULL = any */
	bool lean;              /* read only what the outcomes report uses: course
	                           id, modality, condition, status, start date and
	                           protocol; sessions; assessments; adverse event
	                           kind and duration. patient_id, clinic, end date,
	                           plan and adverse event onset, grade and
	                           seriousness are left empty / 0 (a quarter less
	                           to read). */
};
typedef enum prolo_code (*store_course_fn)(void *ctx, const struct course_rows *rows,
                                           struct prolo_err *err);
enum prolo_code store_scan_courses(struct store *st, const struct store_report_filter *f,
                                   store_course_fn fn, void *ctx, struct prolo_err *err);

/* ==== The web server's records (store_auth.c, store_audit.c) ============
 * Users, login sessions, login throttling, idempotent responses,
 * questionnaire links and the hash-chained audit log. Times are Unix
 * seconds. Secrets never reach the store: sessions and links are keyed by a
 * 32-byte hash of the token, users hold an Argon2id string. */

#define STORE_HASH_LEN 32
#define STORE_PWHASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define STORE_CSRF_MAX 65    /* 64 hex digits + NUL */

enum store_role { ROLE_ADMIN, ROLE_CLINICIAN, ROLE_STAFF, ROLE_RESEARCHER, ROLE__COUNT };
extern const char *const store_role_names[ROLE__COUNT];

struct store_user {
	char name[REC_ID_MAX];
	int role;                   /* enum store_role */
	char clinic[REC_ID_MAX];    /* "" for admins and all-clinic researchers */
	char pwhash[STORE_PWHASH_MAX];
	int64_t created_at;
	bool disabled;
	bool must_change;           /* a one-time password: change it before anything else */
	int64_t last_login_at;      /* Unix seconds; 0 = never */
	char last_login_addr[64];   /* "" = never */
	int open_sessions;          /* store_user_scan only: sessions not expired */
};

/* PROLO_ECONFLICT when the name is taken; PROLO_EINVAL when a clinician or
 * staff user has no clinic. */
enum prolo_code store_user_add(struct store *st, const struct store_user *u, struct prolo_err *err);
/* PROLO_ENOTFOUND (field "username") when absent. */
enum prolo_code store_user_get(struct store *st, const char *name, struct store_user *out,
                               struct prolo_err *err);
/* Sets the password and whether it must be changed at the next login.
 * PROLO_ENOTFOUND (field "username") when absent. */
enum prolo_code store_user_set_password(struct store *st, const char *name, const char *pwhash,
                                        bool must_change, struct prolo_err *err);
/* A change to an account: each member set changes that column, the others
 * are left as they are. */
struct store_user_change {
	int disabled;            /* 0 or 1; -1 = keep */
	int role;                /* enum store_role; -1 = keep */
	const char *clinic;      /* with role: "" = none */
	int64_t last_login_at;   /* a login: when (0 = keep) */
	const char *last_login_addr; /* ... and from where */
};
/* Applies c to the account name. The table's checks refuse a clinician or
 * staff user without a clinic (PROLO_EINVAL, field clinic).
 * PROLO_ENOTFOUND (field "username"). */
enum prolo_code store_user_change(struct store *st, const char *name, const struct store_user_change *c,
                                  struct prolo_err *err);
/* *n gets the number of admins not disabled, leaving out the one named
 * except (NULL = none). Store codes. */
enum prolo_code store_user_count_admins(struct store *st, const char *except, int *n,
                                        struct prolo_err *err);
typedef enum prolo_code (*store_user_fn)(void *ctx, const struct store_user *u,
                                         struct prolo_err *err);
/* Users by name; the pwhash member is left empty; open_sessions counts
 * the sessions seen since idle_before and created since abs_before. */
enum prolo_code store_user_scan(struct store *st, int64_t idle_before, int64_t abs_before,
                                store_user_fn fn, void *ctx, struct prolo_err *err);

#define STORE_SID_MAX 33 /* a session's public id: 16 hex digits, with room */
struct store_login_session {
	unsigned char id_hash[STORE_HASH_LEN];
	char user[REC_ID_MAX];
	char csrf[STORE_CSRF_MAX];
	int64_t created_at, last_seen;
	char sid[STORE_SID_MAX];    /* public id, to name it by ("" before ids) */
	char addr[64];              /* where it was opened ("" before addresses) */
};
enum prolo_code store_login_session_add(struct store *st, const struct store_login_session *s,
                                        struct prolo_err *err);
/* PROLO_ENOTFOUND when no session has that hash. */
enum prolo_code store_login_session_get(struct store *st, const unsigned char *id_hash,
                                        struct store_login_session *out, struct prolo_err *err);
enum prolo_code store_login_session_touch(struct store *st, const unsigned char *id_hash,
                                          int64_t now, struct prolo_err *err);
/* Deletes one session (id_hash) or, with id_hash NULL, every session of user
 * except keep (NULL = none). Deleting nothing is not an error. */
enum prolo_code store_login_session_delete(struct store *st, const unsigned char *id_hash,
                                           const char *user, const unsigned char *keep,
                                           struct prolo_err *err);
/* The sessions of user seen since idle_before and created since
 * abs_before, oldest first, to fn (csrf and id_hash left empty); *n gets
 * how many. */
typedef enum prolo_code (*store_session_fn)(void *ctx, const struct store_login_session *s,
                                            struct prolo_err *err);
enum prolo_code store_login_session_list(struct store *st, const char *user, int64_t idle_before,
                                         int64_t abs_before, store_session_fn fn, void *ctx, int *n,
                                         struct prolo_err *err);
/* Ends the session of user whose public id is sid, or with sid NULL every
 * session of user; *n gets how many ended. PROLO_ENOTFOUND (field
 * session) when sid names none of the user's. */
enum prolo_code store_login_session_end(struct store *st, const char *user, const char *sid, int *n,
                                        struct prolo_err *err);
/* Drops sessions idle since before idle_before or created before abs_before. */
enum prolo_code store_login_session_purge(struct store *st, int64_t idle_before,
                                          int64_t abs_before, struct prolo_err *err);
/* Drops stored idempotent responses created before before (seconds): a
 * retry comes within minutes, and responses must not pile up. */
enum prolo_code store_idem_purge(struct store *st, int64_t before, struct prolo_err *err);

/* Failed-login counters by key ("pair:NAME ADDR", "addr:ADDR", "user:NAME",
 * and "known:NAME ADDR" for a pair that logged in; security/auth.c). get fills zeros
 * for an unknown key; clear of an unknown key is not an error. */
struct store_throttle {
	int failures;
	int64_t last_at, locked_until;
};
enum prolo_code store_throttle_get(struct store *st, const char *key, struct store_throttle *out,
                                   struct prolo_err *err);
enum prolo_code store_throttle_put(struct store *st, const char *key,
                                   const struct store_throttle *t, struct prolo_err *err);
enum prolo_code store_throttle_clear(struct store *st, const char *key, struct prolo_err *err);
/* Clears every key that begins with prefix. */
enum prolo_code store_throttle_clear_prefix(struct store *st, const char *prefix,
                                            struct prolo_err *err);

/* Stored first response of an idempotent POST. get: PROLO_ENOTFOUND when
 * the key is new; else *body is malloc'd (free it). */
enum prolo_code store_idem_get(struct store *st, const char *user, const char *key,
                               unsigned char *req_hash, int *status, char **body,
                               struct prolo_err *err);
enum prolo_code store_idem_put(struct store *st, const char *user, const char *key,
                               const unsigned char *req_hash, int status, const char *body,
                               int64_t now, struct prolo_err *err);

#define STORE_QLINK_ID_MAX 24 /* "L" + 16 hex digits + NUL, with room */
struct store_qlink {
	unsigned char token_hash[STORE_HASH_LEN];
	char patient_id[REC_ID_MAX];
	char course_id[REC_ID_MAX];
	int instrument;             /* enum instrument */
	char created_by[REC_ID_MAX];
	int64_t created_at, expires_at;
	int64_t used_at;            /* 0 = not used */
	int64_t revoked_at;         /* 0 = not revoked */
	char id[STORE_QLINK_ID_MAX]; /* public id ("" for links from before ids) */
};
enum prolo_code store_qlink_add(struct store *st, const struct store_qlink *q, struct prolo_err *err);
/* PROLO_ENOTFOUND when no link has that hash. */
enum prolo_code store_qlink_get(struct store *st, const unsigned char *token_hash,
                                struct store_qlink *out, struct prolo_err *err);
/* PROLO_ENOTFOUND (field id) when no link has that id. */
enum prolo_code store_qlink_get_by_id(struct store *st, const char *id, struct store_qlink *out,
                                      struct prolo_err *err);
/* Revokes one link (PROLO_ECONFLICT when it was revoked already), or every
 * link of a course not revoked yet (*n gets how many; n may be NULL). */
enum prolo_code store_qlink_revoke(struct store *st, const unsigned char *token_hash, int64_t now,
                                   struct prolo_err *err);
enum prolo_code store_qlink_revoke_course(struct store *st, const char *course_id, int64_t now,
                                          int *n, struct prolo_err *err);
/* Marks the link used; PROLO_ECONFLICT when it already was. */
enum prolo_code store_qlink_use(struct store *st, const unsigned char *token_hash, int64_t now,
                                struct prolo_err *err);

/* True while a transaction is open on st. Cannot fail. */
bool store_in_transaction(struct store *st);
/* Durability of the following commits on st: true = synchronous=FULL (the
 * default: a commit survives power loss), false = NORMAL (WAL: survives a
 * crash of the process, may lose the last commits on power loss; the next
 * FULL commit makes them durable too). Used for the audit rows of reads.
 * Outside a transaction only. PROLO_EDB. */
enum prolo_code store_set_durable(struct store *st, bool full, struct prolo_err *err);

/* One audit row. The store assigns id, at (if empty) and hash. */
struct store_audit {
	int64_t id;
	char at[32];                /* ISO 8601 UTC, e.g. 2024-05-01T09:30:00Z */
	char user[REC_ID_MAX];
	char action[64];            /* e.g. "patient.read" */
	char record[2 * REC_ID_MAX];/* e.g. "patient:P001"; "" if none */
	char addr[64];              /* source address */
	char detail[256];           /* short, no free text from records */
	unsigned char hash[STORE_HASH_LEN];
};
/* Appends e to the chain: hash = BLAKE2b-256(previous hash, id, at, user,
 * action, record, addr, detail). Must run inside store_begin/store_commit so
 * the chain cannot fork. Fills e->id, e->at, e->hash. */
enum prolo_code store_audit_append(struct store *st, struct store_audit *e, struct prolo_err *err);
/* The same for many rows in one transaction: ch remembers the chain's head
 * between calls, so the log's last row is read once. Start with
 * ch->known = false; ch is valid only within the transaction. */
struct store_audit_chain {
	bool known;
	int64_t last;
	unsigned char prev[STORE_HASH_LEN];
};
enum prolo_code store_audit_append_chained(struct store *st, struct store_audit_chain *ch,
                                           struct store_audit *e, struct prolo_err *err);
struct store_audit_filter {
	const char *user, *action, *record; /* exact; NULL/"" = any */
	const char *from, *to;              /* YYYY-MM-DD inclusive; NULL = open */
	int limit;                          /* 0 = 1000 */
};
typedef enum prolo_code (*store_audit_fn)(void *ctx, const struct store_audit *e,
                                          struct prolo_err *err);
/* Newest first. */
enum prolo_code store_audit_scan(struct store *st, const struct store_audit_filter *f,
                                 store_audit_fn fn, void *ctx, struct prolo_err *err);
/* Walks the chain from the first row. PROLO_OK when intact (*n_rows rows,
 * head = the last hash, zeros when empty); PROLO_ECONFLICT with *bad_id =
 * the first row that was edited, reordered or follows a deleted row (or
 * the missing id), err->msg saying which; PROLO_EDB on a read error. */
enum prolo_code store_audit_verify(struct store *st, int64_t *n_rows, int64_t *bad_id,
                                   unsigned char *head, struct prolo_err *err);

/* The audit spool's mark (src/security/audit_spool.c): the id of the last
 * spool file whose rows were appended, "" when none. The mark is set in the
 * transaction that appends the rows. PROLO_EDB. */
enum prolo_code store_audit_spool_get(struct store *st, char *id, size_t idsz, struct prolo_err *err);
enum prolo_code store_audit_spool_mark(struct store *st, const char *id, struct prolo_err *err);

/* ==== Group commit and read snapshots (the web server) ==================
 * store_savepoint starts a nested unit inside store_begin's transaction
 * (and forgets cached id -> key entries, so it starts from the database);
 * store_release keeps its changes in the transaction, store_rollback_to
 * undoes only them and forgets the cached keys. The transaction's
 * store_commit makes every released unit durable at once. PROLO_EDB on a
 * storage error; store_rollback_to cannot fail. */
enum prolo_code store_savepoint(struct store *st, struct prolo_err *err);
enum prolo_code store_release(struct store *st, struct prolo_err *err);
void store_rollback_to(struct store *st);
/* One read snapshot over several reads (a deferred BEGIN): every read
 * until store_read_end sees the same state and takes the locks once.
 * store_read_begin: PROLO_EDB. store_read_end cannot fail and is a no-op
 * outside a transaction. Do not write in between. */
enum prolo_code store_read_begin(struct store *st, struct prolo_err *err);
void store_read_end(struct store *st);
/* A number that changes whenever the database changes, through st or any
 * other connection or process. Read inside a snapshot after its first
 * read: equal numbers mean the same content. Cannot fail (0 if unknown). */
uint64_t store_data_version(struct store *st);
/* A server connection: a larger page cache (32 MiB). Memory-mapped reads
 * were measured and gave nothing here (the pages a chart reads are cached
 * or in the WAL). Errors are ignored (the defaults work, only slower). */
void store_tune_server(struct store *st);
/* The group-commit writer takes WAL checkpoints itself, after it has
 * answered a batch, instead of inside a commit (which would hold the
 * batch's answers back): store_checkpoint_manually turns the automatic
 * ones off on st; store_checkpoint, once the WAL has min_frames pages (the
 * automatic ones use 1000), copies what it can to the database without
 * waiting for readers. Neither can fail in a way that matters (errors are
 * ignored; the next checkpoint catches up). */
void store_checkpoint_manually(struct store *st);
void store_checkpoint(struct store *st, int min_frames);

/* ---- housekeeping (store_admin.c) ---- */

/* Adds a clinic's own condition. PROLO_ECONFLICT if the name exists. The
 * caller validates the name and codes. */
enum prolo_code store_condition_add(struct store *st, const char *name, const char *icd10,
                                    const char *snomed, const char *label, struct prolo_err *err);
typedef enum prolo_code (*store_condition_fn)(void *ctx, const char *name, const char *icd10,
                                              const char *snomed, const char *label,
                                              struct prolo_err *err);
/* Every condition, built-in and added, by name. */
enum prolo_code store_condition_scan(struct store *st, store_condition_fn fn, void *ctx,
                                     struct prolo_err *err);
/* A consistent copy of the registry into path (a new file) while others
 * may keep working: SQLite's online backup API. PROLO_EINVAL if path cannot
 * be created, PROLO_EDB if the copy fails. */
enum prolo_code store_backup(struct store *st, const char *path, struct prolo_err *err);

#endif
