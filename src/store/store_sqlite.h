/* Internals shared by the SQLite backend's files (src/store/ only): the
 * handle, the migration list and statement helpers. Nothing outside
 * src/store/ includes this. */
#ifndef PROLO_STORE_SQLITE_H
#define PROLO_STORE_SQLITE_H

#include <sqlite3.h>

#include "store/audit_anchor.h"
#include "store/store.h"

struct store_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct store_migration store_migrations[];
extern const int store_n_migrations;

/* The path the store was opened with. */
const char *store_sqlite_path(struct store *st);
/* The audit chain's key as loaded at open (have = false: no key file).
 * *load_err (if given) is set when a read-only open could not read it. */
struct audit_key *store_sqlite_audit_key(struct store *st, const struct prolo_err **load_err);
/* store_audit.c: an audit row was appended in the open transaction; the
 * commit then anchors the chain's head (store/audit_anchor.h). */
void store_sqlite_audit_touched(struct store *st);
/* store_audit.c, called by store_open for a read-write open: loads the
 * audit key, or creates it (chaining from the next row, with a first row
 * "audit.key_created" saying so) when the registry has none. Refuses
 * (PROLO_EDB) when the key is missing but the chain says there was one. */
enum prolo_code store_audit_key_ensure(struct store *st, struct prolo_err *err);

/* The connection; valid while the store is open. */
sqlite3 *store_sqlite_db(struct store *st);
/* Maps a failed sqlite3 call to a prolo error naming what was attempted.
 * Constraint failures become EINVAL/ECONFLICT/ENOTFOUND. Returns the code. */
enum prolo_code store_sqlite_err(struct store *st, int rc, const char *what,
                                 struct prolo_err *err);
/* Prepares a statement once per connection and returns it reset, with its
 * bindings cleared. The cache is keyed by the address of sql, so pass a
 * string that lives as long as the store (a static constant). NULL on error
 * with *err filled. Do not finalize the result. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct prolo_err *err);

/* The cached statement sql with key bound to its one parameter, stepped
 * once. PROLO_OK with *row set: a row to read, then sqlite3_reset(*row);
 * PROLO_OK with *row NULL: no row; else the error naming what. */
enum prolo_code store_row_by_text(struct store *st, const char *sql, const char *key, const char *what,
                                  sqlite3_stmt **row, struct prolo_err *err);
/* The same for a statement whose row, if any, is not read (a write). */
enum prolo_code store_exec_text(struct store *st, const char *sql, const char *key, const char *what,
                                struct prolo_err *err);
/* Binds the parameters of s in order from fmt, one letter each:
 *   t text, NULL binds NULL (const char *)
 *   o optional text, NULL or "" binds NULL (const char *)
 *   i int; I 64-bit int (int64_t)
 *   d date (int32_t days; DOM_DATE_NONE binds NULL)
 *   h a hash of STORE_HASH_LEN bytes (const unsigned char *)
 * Text and hashes are bound without a copy: they must outlive the step. */
void store_bindf(sqlite3_stmt *s, const char *fmt, ...);
/* The cached statement sql, bound by fmt (store_bindf), stepped to its end
 * and reset: a write. PROLO_OK, or the error naming what. */
enum prolo_code store_execf(struct store *st, const char *sql, const char *what, struct prolo_err *err,
                            const char *fmt, ...);
/* Steps a statement that returns no row and resets it. */
enum prolo_code store_step_done(struct store *st, sqlite3_stmt *s, const char *what, struct prolo_err *err);
/* The query plan (EXPLAIN QUERY PLAN detail lines, one per line) of the
 * statement store_scan (key NULL) or store_get (key = the record) would
 * use, appended to plan; for tests that the chart's reads are index
 * searches. Store codes. */
struct buf;
enum prolo_code store_explain_scan(struct store *st, enum rec_kind kind, const struct store_filter *f,
                                   const void *key, struct buf *plan, struct prolo_err *err);

#endif
