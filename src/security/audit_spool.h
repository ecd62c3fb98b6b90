/* The audit spool: how the rows of reads reach the hash-chained audit log
 * without holding the reads back. A read's rows are appended to a file
 * next to the registry (REGISTRY-audit) with one write() before its answer
 * is sent, so they survive a crash of the process from that moment: the
 * same promise as a commit with synchronous=NORMAL, which is what they had
 * before. The group-commit writer moves them into audit_log within 20 ms
 * (writer.c), in its transaction: it seals the file (renames it to
 * REGISTRY-audit.sealed and starts a new one), appends the sealed rows in
 * order and records the file's id in the same transaction, and removes the
 * file after the commit. A server that starts after a crash appends what
 * it finds, skipping a file whose id is already recorded, so no row is lost
 * and none is appended twice. A lock file (REGISTRY-audit.lock) keeps a
 * second server off the same registry.
 *
 * File format, one row per line: a header "prolo-audit-spool 1 ID", then
 * AT TAB USER TAB ACTION TAB RECORD TAB ADDR TAB DETAIL, each field with
 * backslash, tab, newline and other control bytes escaped (\\ \t \n \xHH).
 * A last line without its newline (a write cut by a power loss) is
 * ignored. */
#ifndef PROLO_AUDIT_SPOOL_H
#define PROLO_AUDIT_SPOOL_H

#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

struct audit_spool;

/* Opens the spool of the registry at db_path and appends, through st, the
 * rows a previous server left behind (each file in a transaction of its
 * own). PROLO_ECONFLICT when another server holds the lock; PROLO_EPERM
 * when this account may not open the lock file; PROLO_EDB
 * with "FILE:LINE: ..." for a damaged spool file (nothing is appended from
 * it); PROLO_EDB when the files cannot be created or read; store codes. */
enum prolo_code audit_spool_open(const char *db_path, struct store *st, struct audit_spool **out,
                                 struct prolo_err *err);

/* True when the registry at db_path has spool files (a server is running
 * on it, or one stopped without draining them). Cannot fail. */
bool audit_spool_exists(const char *db_path);

/* Appends n rows (their at is set to now when empty). When this returns
 * PROLO_OK the rows survive a crash of the process. On PROLO_EDB (a write error) nothing
 * of them was kept. *pending, if given, is the number of rows waiting for
 * the next drain, these included. Thread-safe. */
enum prolo_code audit_spool_add(struct audit_spool *sp, const struct store_audit *rows, int n,
                                long *pending, struct prolo_err *err);

/* Rows waiting for the next drain (a sealed file counts as one). */
long audit_spool_pending(struct audit_spool *sp);

/* Inside st's transaction (the writer's): seals the spool if nothing is
 * sealed yet, and appends the sealed rows to the audit log with the file's
 * mark. Then audit_spool_settle(sp, committed) after the transaction: a
 * committed drain removes the sealed file, a failed one keeps it for the
 * next drain. PROLO_OK also when there is nothing to drain. Store codes;
 * PROLO_EDB for a damaged or unreadable file. Writer thread only. */
enum prolo_code audit_spool_drain(struct audit_spool *sp, struct store *st, struct prolo_err *err);
void audit_spool_settle(struct audit_spool *sp, bool committed);

/* Closes the spool, removing its file if every row was drained. NULL is a
 * no-op. */
void audit_spool_close(struct audit_spool *sp);

#endif
