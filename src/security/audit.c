/* audit_log_event: fills a store_audit row and appends it, opening a
 * transaction only when the caller has none, so a write and its audit row
 * commit together. Reads use the two halves, audit_row now and
 * audit_append on the group-commit writer, so their rows share commits. */
#include "security/audit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The writer lock is a ticket lock: first come, first served. A plain
 * mutex let the group-commit thread, which takes it batch after batch,
 * starve a worker that needed it for a login or a session refresh, and
 * every connection of that worker stalled (hundreds of ms). */
static pthread_mutex_t writer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_cv = PTHREAD_COND_INITIALIZER;
static unsigned long writer_next, writer_serving; /* tickets */

void audit_writer_enter(void)
{
	pthread_mutex_lock(&writer_mu);
	unsigned long mine = writer_next++;
	while (mine != writer_serving)
		pthread_cond_wait(&writer_cv, &writer_mu);
	pthread_mutex_unlock(&writer_mu);
}

void audit_writer_leave(void)
{
	pthread_mutex_lock(&writer_mu);
	writer_serving++;
	if (writer_next != writer_serving)
		pthread_cond_broadcast(&writer_cv);
	pthread_mutex_unlock(&writer_mu);
}

void audit_row(struct store_audit *e, const char *user, const char *action, const char *record,
               const char *addr, const char *detail)
{
	memset(e, 0, sizeof *e);
	snprintf(e->user, sizeof e->user, "%s", user ? user : "");
	snprintf(e->action, sizeof e->action, "%s", action);
	snprintf(e->record, sizeof e->record, "%s", record ? record : "");
	snprintf(e->addr, sizeof e->addr, "%s", addr ? addr : "");
	snprintf(e->detail, sizeof e->detail, "%s", detail ? detail : "");
}

enum prolo_code audit_append(struct store *st, struct store_audit *e, struct prolo_err *err)
{
	return store_audit_append(st, e, err);
}

enum prolo_code audit_log_event(struct store *st, const char *user, const char *action,
                                const char *record, const char *addr, const char *detail,
                                struct prolo_err *err)
{
	struct store_audit e;
	audit_row(&e, user, action, record, addr, detail);
	bool own = !store_in_transaction(st);
	if (!own)
		return audit_append(st, &e, err);
	/* A row of its own records a read: committed without waiting for the
	 * disk (it survives a crash of the process; the next durable commit
	 * carries it to the disk), so audited reads are not bound by fsync. */
	audit_writer_enter();
	enum prolo_code rc = store_set_durable(st, false, err);
	if (!rc)
		rc = store_begin(st, err);
	if (!rc)
		rc = audit_append(st, &e, err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	store_set_durable(st, true, NULL);
	audit_writer_leave();
	return rc;
}
