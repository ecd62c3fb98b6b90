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

/* Ends a course: status must be an end state; end_date not before start.
 * PROLO_ENOTFOUND, PROLO_EINVAL, or PROLO_ECONFLICT if it already ended. */
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

/* Reads one record by key: patient/course by id; session by course_id and
 * session_no; adverse event by course_id and seq; outcome by course_id,
 * date and instrument. The key fields of *rec are read, the rest filled.
 * PROLO_ENOTFOUND when absent. */
enum prolo_code store_get(struct store *st, enum rec_kind kind, void *rec,
                          struct prolo_err *err);

/* Filter for listing; NULL/empty members match everything. */
struct store_filter {
	const char *patient_id;
	const char *course_id;
	const char *clinic;
	int32_t session_no;     /* 0 = any (injections of one session) */
	const char *search;     /* patients: substring of id or name */
	int limit;              /* 0 = no limit */
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
};
typedef enum prolo_code (*store_course_fn)(void *ctx, const struct course_rows *rows,
                                           struct prolo_err *err);
enum prolo_code store_scan_courses(struct store *st, const struct store_report_filter *f,
                                   store_course_fn fn, void *ctx, struct prolo_err *err);

#endif
