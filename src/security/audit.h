/* The one way anything is written to the audit log: audit_log_event (or
 * its two halves audit_row + audit_append, for reads). Every read of a
 * patient record and every change goes through it, with who, what, which
 * record and from where; the store chains the rows. */
#ifndef PROLO_AUDIT_H
#define PROLO_AUDIT_H

#include "core/err.h"
#include "store/store.h"

/* Appends one row. Inside a transaction (a write request) the row lands or
 * not with the write; outside one (a read) it runs its own transaction,
 * committed with store_set_durable(false): safe against a crash of the
 * process, carried to the disk by the next durable commit. detail must
 * hold no free text from records (ids, counts and codes only). Returns the
 * store's code; the caller fails the request on error. */
enum prolo_code audit_log_event(struct store *st, const char *user, const char *action,
                                const char *record, const char *addr, const char *detail,
                                struct prolo_err *err);

/* The same in two steps, for the rows of reads, which wait for the
 * group-commit writer: audit_row fills a row (cannot fail; long values are
 * cut), audit_append appends it inside the writer's transaction (the
 * store's code). */
void audit_row(struct store_audit *e, const char *user, const char *action, const char *record,
               const char *addr, const char *detail);
enum prolo_code audit_append(struct store *st, struct store_audit *e, struct prolo_err *err);

/* One writer at a time in this process, in arrival order. SQLite admits
 * one write transaction per database; threads that queue here instead of
 * in SQLite's sleeping busy handler get the lock as soon as it is their
 * turn. Wrap every store_begin .. store_commit/store_rollback of the server
 * in it. Not reentrant. Cannot fail. */
void audit_writer_enter(void);
void audit_writer_leave(void);

#endif
