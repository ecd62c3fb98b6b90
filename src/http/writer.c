/* The group-commit thread of writer.h. Jobs queue under a mutex; the thread
 * takes everything queued (up to BATCH_MAX), runs it in one transaction and
 * commits with synchronous=FULL when any job of the batch is a write
 * (NORMAL when the batch holds only the audit rows of reads). While it
 * commits, new jobs queue up for the next batch, so the batch grows with
 * the load and one fsync serves many requests. Batches of reads' audit
 * rows alone have no fsync to wait behind, so the thread gives them up to
 * WINDOW_US to gather BATCH_TARGET rows: one commit (a few WAL pages) then
 * serves many reads instead of one. */
#include "http/writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "http/audit.h"

#define BATCH_MAX 256
#define BATCH_TARGET 16  /* a batch of reads' audit rows worth committing at once */
#define WINDOW_US 1000   /* the longest a read's audit row waits for company */
#define CHECKPOINT_FRAMES 1000 /* WAL pages that call for a checkpoint (SQLite's default) */

struct writer {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;               /* jobs queued, or stopping */
	pthread_cond_t done_cv;          /* waited jobs finished */
	struct writer_job *head, *tail; /* queued, oldest first */
	int n_queued, n_durable;        /* queued jobs, and how many are durable */
	bool stopping;
	int durable;                    /* synchronous setting of st: 1 FULL, 0 NORMAL */
};

/* Runs one batch; every job gets its done call. Cannot fail (failures go
 * to the jobs). */
static void run_batch(struct writer *w, struct writer_job *batch)
{
	struct prolo_err err;
	prolo_err_clear(&err);
	bool durable = false;
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

/* Waits, with w->mu held, until jobs are queued (false when stopping with
 * none). A queue of reads' audit rows alone may wait up to WINDOW_US for
 * BATCH_TARGET of them; a write or a full target ends the wait. */
static bool wait_for_batch(struct writer *w)
{
	while (!w->head && !w->stopping)
		pthread_cond_wait(&w->cv, &w->mu);
	if (!w->head)
		return false;
	if (w->n_durable || w->n_queued >= BATCH_TARGET || w->stopping)
		return true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += WINDOW_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!w->n_durable && w->n_queued < BATCH_TARGET && !w->stopping)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
			break;
	return true;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	while (wait_for_batch(w)) {
		struct writer_job *batch = w->head, *last = w->head;
		int n = 1;
		for (; n < BATCH_MAX && last->next; n++)
			last = last->next;
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		w->n_queued -= n;
		for (struct writer_job *j = batch; j; j = j->next)
			w->n_durable -= j->durable;
		pthread_mutex_unlock(&w->mu);
		run_batch(w, batch);
		pthread_mutex_lock(&w->mu);
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
	store_checkpoint_manually(w->st);
	w->durable = 1; /* store_open sets synchronous=FULL */
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->done_cv);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		store_close(w->st);
		free(w);
		return prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the writer thread");
	}
	*out = w;
	return PROLO_OK;
}

/* With w->mu held. The thread is woken only when it has something new to
 * decide: a first job, a write, or a full batch. */
static void enqueue(struct writer *w, struct writer_job *j)
{
	bool wake = !w->head || j->durable || w->n_queued + 1 == BATCH_TARGET;
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

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	store_close(w->st);
	free(w);
}
