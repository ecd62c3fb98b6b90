/* Group commit: one thread owns the server's write connection and runs the
 * writes of many requests in one transaction, each request in its own
 * savepoint, then commits once (one fsync) and only then reports every
 * request of the batch as done. A request that fails rolls back only its
 * savepoint; a commit that fails fails every request of the batch. So an
 * acknowledged write is on the disk, and the fsync is shared. */
#ifndef PROLO_WRITER_H
#define PROLO_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

struct writer;
struct writer_job;

/* Runs inside the job's savepoint on the writer's connection. PROLO_OK
 * keeps the job's changes; any other code rolls back to the savepoint
 * (the job has set its own response). */
typedef enum prolo_code (*writer_run_fn)(struct writer_job *j, struct store *st,
                                         struct prolo_err *err);
/* Called once per job after its batch ended, on the writer thread. lost is
 * true when the job's kept changes did not reach the disk (the commit
 * failed, err says why); the job must then answer with an error. The job
 * may be freed by this call. */
typedef void (*writer_done_fn)(struct writer_job *j, bool lost, const struct prolo_err *err);

struct writer_job {
	writer_run_fn run;
	writer_run_fn undone;      /* NULL, or runs after run failed and its savepoint
	                            * was rolled back, in the batch's transaction: what
	                            * a refused request must leave all the same (its
	                            * audit row). Its failure is ignored. */
	writer_done_fn done;
	bool durable;              /* needs a synchronous=FULL commit (writes); false
	                            * for session refreshes */
	bool single;               /* run changes at most one row in one statement, so
	                            * a failure leaves nothing to undo: no savepoint */
	/* the slow lane's, for a hash (slowlane.h): how soon (enum auth_tier,
	 * 0 first) and the hashes of the login's address and account (0: not
	 * a login) */
	int lane_tier;
	uint64_t lane_addr, lane_acct;
	/* the writer's */
	bool kept;                 /* run returned PROLO_OK */
	bool waited;               /* writer_run is waiting for it */
	bool finished;             /* done was called (waited jobs) */
	struct writer_job *next;
};

/* Opens the writer's connection to db_path and its audit spool (appending
 * what a crashed server left in it) and starts its thread. Codes of
 * store_open and audit_spool_open; PROLO_ENOMEM when the thread cannot
 * start. */
enum prolo_code writer_start(const char *db_path, struct writer **out, struct prolo_err *err);
/* Queues j (its run, done and durable set). j must stay valid until its
 * done call. Cannot fail. */
void writer_submit(struct writer *w, struct writer_job *j);
/* Queues j and waits until its done call has returned: for short jobs
 * (removing an expired session), where blocking the calling thread for one
 * batch costs less than suspending and resuming its connection. Cannot
 * fail. */
void writer_run(struct writer *w, struct writer_job *j);
/* The audit rows of a read (audit_spool_add): when this returns PROLO_OK
 * they survive a crash of the process and reach the log within DRAIN_MS
 * (writer.c); the read may be answered. PROLO_EDB (nothing kept): the read
 * must fail. Thread-safe, does not wait for the thread. */
enum prolo_code writer_audit(struct writer *w, const struct store_audit *rows, int n,
                             struct prolo_err *err);
/* Waits until every row spooled before the call is in the log (one batch).
 * Cannot fail (a failed drain leaves them spooled). */
void writer_sync(struct writer *w);
/* Runs what is queued and what is spooled, stops the thread and closes the connection. NULL is
 * a no-op. */
void writer_stop(struct writer *w);

#endif
