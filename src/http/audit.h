/* The one way anything is written to the audit log: audit_log_event. Every
 * read of a patient record and every change goes through it, with who,
 * what, which record and from where; the store chains the rows. */
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

/* Fills one row from the same fields, for a caller that appends it later
 * (the audit rows of reads go to the group-commit writer, which appends
 * them with store_audit_append). Cannot fail; long values are cut. */
void audit_row(struct store_audit *e, const char *user, const char *action, const char *record,
               const char *addr, const char *detail);

/* One writer at a time in this process. SQLite admits one write
 * transaction per database; threads that queue on this mutex instead of in
 * SQLite's sleeping busy handler get the lock as soon as it is free. Wrap
 * every store_begin .. store_commit/store_rollback of the server in it.
 * Cannot fail. */
void audit_writer_enter(void);
void audit_writer_leave(void);

#endif
