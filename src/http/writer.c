/* The group-commit thread of writer.h. Jobs queue under a mutex; the thread
 * takes everything queued (up to BATCH_MAX), runs it in one transaction and
 * commits with synchronous=FULL when any job of the batch is a write
 * (NORMAL when the batch holds only the audit rows of reads). While it
 * commits, new jobs queue up for the next batch, so the batch grows with
 * the load and one fsync serves many requests. */
#include "http/writer.h"

#include <pthread.h>
#include <stdlib.h>

#include "http/audit.h"

#define BATCH_MAX 256

struct writer {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct writer_job *head, *tail; /* queued, oldest first */
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
		if (store_savepoint(w->st, &jerr) != PROLO_OK) {
			rc = jerr.code;
			err = jerr;
			break;
		}
		if (j->run(j, w->st, &jerr) == PROLO_OK) {
			j->kept = store_release(w->st, &jerr) == PROLO_OK;
			if (!j->kept)
				store_rollback_to(w->st);
		} else {
			store_rollback_to(w->st);
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
	while (batch) {
		struct writer_job *next = batch->next;
		batch->done(batch, rc != PROLO_OK && batch->kept, &err);
		batch = next;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		struct writer_job *batch = w->head, *last = w->head;
		for (int n = 1; n < BATCH_MAX && last->next; n++)
			last = last->next;
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&w->mu);
		run_batch(w, batch);
	}
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
	w->durable = 1; /* store_open sets synchronous=FULL */
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		store_close(w->st);
		free(w);
		return prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the writer thread");
	}
	*out = w;
	return PROLO_OK;
}

void writer_submit(struct writer *w, struct writer_job *j)
{
	j->next = NULL;
	j->kept = false;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->cv);
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
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	store_close(w->st);
	free(w);
}
