/* The group-commit thread of writer.h. Jobs queue under a mutex; the thread
 * takes everything queued (up to BATCH_MAX), runs it in one transaction and
 * commits with synchronous=FULL when any job of the batch is a write or
 * it drains the audit spool (NORMAL for session refreshes alone).
 * While it commits, new jobs queue up for the next batch, so the batch
 * grows with the load and one fsync serves many requests.
 *
 * The audit rows of reads do not wait for a commit: they go to the audit
 * spool (audit_spool.h), which this thread drains into the log at the start
 * of every batch, and at least every DRAIN_MS while rows wait. So while
 * the server only reads, the database changes only at those commits, and
 * the workers' page caches and chart caches stay valid in between. */
#include "http/writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "security/audit.h"
#include "security/audit_spool.h"

#define BATCH_MAX 256
#define CHECKPOINT_FRAMES 1000 /* WAL pages that call for a checkpoint (SQLite's default) */
/* The longest spooled audit rows wait for the log. Short, so each drain is
 * a short burst of the writer (6.5 us a row): at 20,000 reads/s, 20 ms
 * is 400 rows, about 3 ms of one core; 100 ms gave bursts of 14 ms and a
 * read p99 1-2 ms higher (bench/RESULTS.md). */
#define DRAIN_MS 20
#define DRAIN_ROWS 1024    /* spooled rows that call for a drain at once */

struct writer {
	struct store *st;
	struct audit_spool *spool;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;               /* jobs queued, or stopping */
	pthread_cond_t done_cv;          /* waited jobs finished */
	struct writer_job *head, *tail; /* queued, oldest first */
	int n_queued, n_durable;        /* queued jobs, and how many are durable */
	bool stopping;
	bool spooled;                   /* rows were spooled since the last drain */
	bool spool_due;                 /* ... DRAIN_ROWS of them: drain now */
	_Atomic long drain_complained, add_complained; /* complain()'s clocks */
	int durable;                    /* synchronous setting of st: 1 FULL, 0 NORMAL */
};

/* A complaint to the server's log at most every 10 s per *last: a spool
 * that cannot be drained, or a full disk, would write one a batch or one
 * a read. */
static void complain(_Atomic long *last, const char *what, const char *why)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long prev = atomic_load(last);
	if (prev && now.tv_sec - prev < 10)
		return;
	if (!atomic_compare_exchange_strong(last, &prev, (long)now.tv_sec))
		return;
	fprintf(stderr, "prolo: %s: %s\n", what, why);
}

/* Inside the batch's transaction: the spooled audit rows, in a savepoint
 * of their own so a failure leaves the batch's jobs alone (the rows stay
 * spooled for the next batch). True when rows were appended and the spool
 * must be settled after the commit. */
static bool drain_spool(struct writer *w)
{
	if (!w->spool || audit_spool_pending(w->spool) == 0)
		return false;
	struct prolo_err err;
	if (store_savepoint(w->st, &err) != PROLO_OK)
		return false;
	if (audit_spool_drain(w->spool, w->st, &err) == PROLO_OK && store_release(w->st, &err) == PROLO_OK)
		return true;
	store_rollback_to(w->st);
	complain(&w->drain_complained, "the audit spool could not be moved to the log (retrying)", err.msg);
	return false;
}

/* Runs one batch (NULL: only the spool); every job gets its done call. Cannot fail (failures go
 * to the jobs). */
static void run_batch(struct writer *w, struct writer_job *batch)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	/* A drain is durable too: its sealed spool file is removed after the
	 * commit, so the commit must be on the disk first. */
	bool durable = w->spool && audit_spool_pending(w->spool) > 0;
	for (struct writer_job *j = batch; j; j = j->next)
		durable = durable || j->durable;
	audit_writer_enter();
	enum prolo_code rc = PROLO_OK;
	if (w->durable != (int)durable) {
		rc = store_set_durable(w->st, durable, &err);
		w->durable = rc ? -1 : (int)durable;
	}
	if (!rc)
		rc = store_begin(w->st, &err);
	bool drained = !rc && drain_spool(w);
	for (struct writer_job *j = batch; j && !rc; j = j->next) {
		struct prolo_err jerr;
		prolo_err_clear(&jerr);
		j->kept = false;
		if (j->single) {
			j->kept = j->run(j, w->st, &jerr) == PROLO_OK;
		} else if (store_savepoint(w->st, &jerr) != PROLO_OK) {
			rc = jerr.code;
			err = jerr;
			break;
		} else if (j->run(j, w->st, &jerr) == PROLO_OK) {
			j->kept = store_release(w->st, &jerr) == PROLO_OK;
			if (!j->kept)
				store_rollback_to(w->st);
		} else {
			store_rollback_to(w->st);
			if (j->undone && store_in_transaction(w->st)) {
				struct prolo_err ignore;
				(void)j->undone(j, w->st, &ignore);
			}
		}
		/* Some errors (disk full, I/O) end the whole transaction: what
		 * earlier jobs kept is gone, and later jobs must not run in
		 * autocommit mode. */
		if (!store_in_transaction(w->st)) {
			rc = prolo_err_set(&err, PROLO_EDB, "", "storage error: the transaction was aborted");
			break;
		}
	}
	if (!rc)
		rc = store_commit(w->st, &err);
	if (rc)
		store_rollback(w->st);
	if (drained)
		audit_spool_settle(w->spool, rc == PROLO_OK);
	audit_writer_leave();
	if (rc) {
		/* Jobs after the failure never ran: report them as lost too. */
		for (struct writer_job *j = batch; j; j = j->next)
			j->kept = true;
	}
	struct writer_job *waited = NULL; /* done may free a job that is not waited for */
	while (batch) {
		struct writer_job *next = batch->next;
		bool w8 = batch->waited;
		batch->done(batch, rc != PROLO_OK && batch->kept, &err);
		if (w8) {
			batch->next = waited;
			waited = batch;
		}
		batch = next;
	}
	if (waited) {
		pthread_mutex_lock(&w->mu);
		for (struct writer_job *j = waited; j;) {
			struct writer_job *next = j->next;
			j->finished = true; /* j belongs to its waiter from here on */
			j = next;
		}
		pthread_cond_broadcast(&w->done_cv);
		pthread_mutex_unlock(&w->mu);
	}
	/* The batch is answered; now the WAL may be copied back. */
	audit_writer_enter();
	store_checkpoint(w->st, CHECKPOINT_FRAMES);
	audit_writer_leave();
}

static void deadline(struct timespec *until, long us)
{
	clock_gettime(CLOCK_MONOTONIC, until); /* w->cv waits on this clock */
	until->tv_nsec += us * 1000L;
	while (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* Waits, with w->mu held, until jobs are queued or spooled audit rows are
 * due (false when stopping with none of either). Spooled rows are due
 * DRAIN_MS after the first of them, or at once past DRAIN_ROWS. */
static bool wait_for_batch(struct writer *w)
{
	struct timespec until;
	bool timing = false;
	while (!w->head && !w->stopping) {
		if (!w->spooled) {
			timing = false;
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		if (!timing) {
			deadline(&until, DRAIN_MS * 1000L);
			timing = true;
		}
		if (w->spool_due || pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
			break;
	}
	return w->head || !w->stopping;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	while (wait_for_batch(w)) {
		struct writer_job *batch = w->head, *last = w->head;
		int n = 1;
		for (; last && n < BATCH_MAX && last->next; n++)
			last = last->next;
		if (batch) {
			w->head = last->next;
			if (!w->head)
				w->tail = NULL;
			last->next = NULL;
			w->n_queued -= n;
		}
		for (struct writer_job *j = batch; j; j = j->next)
			w->n_durable -= j->durable;
		w->spooled = w->spool_due = false; /* this batch drains them */
		pthread_mutex_unlock(&w->mu);
		run_batch(w, batch);
		pthread_mutex_lock(&w->mu);
		/* Rows the drain could not move (an error) are still due. */
		if (w->spool && audit_spool_pending(w->spool) > 0)
			w->spooled = true;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

enum prolo_code writer_start(const char *db_path, struct writer **out, struct prolo_err *err)
{
	*out = NULL;
	struct writer *w = calloc(1, sizeof *w);
	if (!w)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = store_open(db_path, 0, &w->st, err);
	if (rc) {
		free(w);
		return rc;
	}
	store_tune_server(w->st);
	if ((rc = audit_spool_open(db_path, w->st, &w->spool, err))) {
		store_close(w->st);
		free(w);
		return rc;
	}
	store_checkpoint_manually(w->st);
	w->durable = 1; /* store_open sets synchronous=FULL */
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a clock step does not hold drains back */
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->done_cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->done_cv);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		audit_spool_close(w->spool);
		store_close(w->st);
		free(w);
		return prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the writer thread");
	}
	*out = w;
	return PROLO_OK;
}

/* With w->mu held. The thread is woken by the first job: later ones join
 * the batch it takes. */
static void enqueue(struct writer *w, struct writer_job *j)
{
	bool wake = !w->head;
	j->next = NULL;
	j->kept = false;
	j->finished = false;
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->n_queued++;
	w->n_durable += j->durable;
	if (wake)
		pthread_cond_signal(&w->cv);
}

void writer_submit(struct writer *w, struct writer_job *j)
{
	pthread_mutex_lock(&w->mu);
	j->waited = false;
	enqueue(w, j);
	pthread_mutex_unlock(&w->mu);
}

void writer_run(struct writer *w, struct writer_job *j)
{
	pthread_mutex_lock(&w->mu);
	j->waited = true;
	enqueue(w, j);
	while (!j->finished)
		pthread_cond_wait(&w->done_cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

enum prolo_code writer_audit(struct writer *w, const struct store_audit *rows, int n,
                             struct prolo_err *err)
{
	long pending = 0;
	enum prolo_code rc = audit_spool_add(w->spool, rows, n, &pending, err);
	if (rc) {
		/* The details (a path, errno) are for the server's log only. */
		complain(&w->add_complained, "reads fail", err ? err->msg : "audit spool: write failed");
		return prolo_err_set(err, PROLO_EDB, "", "the audit log cannot be written; nothing is shown");
	}
	/* The thread is told only what changes its plans: the first rows (its
	 * DRAIN_MS clock starts) and a full spool. */
	if (pending == n || (pending >= DRAIN_ROWS && pending - n < DRAIN_ROWS)) {
		pthread_mutex_lock(&w->mu);
		w->spooled = true;
		w->spool_due = w->spool_due || pending >= DRAIN_ROWS;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	return PROLO_OK;
}

static enum prolo_code run_nothing(struct writer_job *j, struct store *st, struct prolo_err *err)
{
	(void)j;
	(void)st;
	(void)err;
	return PROLO_OK;
}

static void done_nothing(struct writer_job *j, bool lost, const struct prolo_err *err)
{
	(void)j;
	(void)lost;
	(void)err;
}

void writer_sync(struct writer *w)
{
	/* One batch drains one spool file; a file left sealed by a failed
	 * drain takes a batch of its own before the rows spooled since. */
	for (int i = 0; i < 3; i++) {
		struct writer_job j = { .run = run_nothing, .done = done_nothing, .single = true };
		writer_run(w, &j);
		if (audit_spool_pending(w->spool) == 0)
			break;
	}
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	run_batch(w, NULL); /* the last spooled rows */
	audit_spool_close(w->spool);
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	store_close(w->st);
	free(w);
}
