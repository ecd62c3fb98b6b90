/* The slow lane of slowlane.h: two queues under one mutex and n threads
 * taking jobs from them, hashes first, each queue in arrival order. */
#include "http/slowlane.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LANE_MAX 8

struct lane_queue {
	struct writer_job *head, *tail;
	int n;
};

struct slowlane {
	const char *db_path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct lane_queue hashes, rest;
	int rest_running;          /* threads running a job of rest */
	bool stopping;
	int n;
	pthread_t thread[LANE_MAX];
};

static struct writer_job *pop(struct lane_queue *q)
{
	struct writer_job *j = q->head;
	q->head = j->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	return j;
}

/* The next job for an idle thread, under mu: a hash, else a job of rest
 * unless it would take the last thread that is free for hashes. NULL when
 * there is none; *rest says which queue it came from. */
static struct writer_job *next_job(struct slowlane *sl, bool *rest)
{
	*rest = false;
	if (sl->hashes.head)
		return pop(&sl->hashes);
	if (sl->rest.head && (sl->n == 1 || sl->rest_running < sl->n - 1)) {
		*rest = true;
		sl->rest_running++;
		return pop(&sl->rest);
	}
	return NULL;
}

static void *lane_main(void *arg)
{
	struct slowlane *sl = arg;
	struct store *st = NULL;
	bool told = false;
	pthread_mutex_lock(&sl->mu);
	for (;;) {
		bool rest;
		struct writer_job *j;
		while (!(j = next_job(sl, &rest)) && !(sl->stopping && !sl->hashes.head && !sl->rest.head))
			pthread_cond_wait(&sl->cv, &sl->mu);
		if (!j)
			break; /* stopping, nothing queued */
		pthread_mutex_unlock(&sl->mu);
		struct prolo_err err;
		prolo_err_clear(&err);
		if (!st && store_open(sl->db_path, 0, &st, &err) == PROLO_OK)
			store_tune_server(st);
		if (st) {
			prolo_err_clear(&err);
			(void)j->run(j, st, &err); /* run sets the response, error or not */
			j->done(j, false, &err);
		} else {
			/* The store's message names the registry's file: for the
			 * server's log, not for the client (as on a worker). */
			if (!told)
				fprintf(stderr, "prolo: a slow-lane thread cannot open the registry: %s\n", err.msg);
			told = true;
			prolo_err_set(&err, PROLO_EDB, "", "the registry cannot be opened");
			j->done(j, true, &err);
		}
		pthread_mutex_lock(&sl->mu);
		if (rest) {
			/* Threads that left a job of rest waiting may take it now,
			 * or, when stopping, see that nothing is left. */
			sl->rest_running--;
			pthread_cond_broadcast(&sl->cv);
		}
	}
	pthread_mutex_unlock(&sl->mu);
	store_close(st);
	return NULL;
}

enum prolo_code slowlane_start(const char *db_path, int n, struct slowlane **out,
                               struct prolo_err *err)
{
	*out = NULL;
	struct slowlane *sl = calloc(1, sizeof *sl);
	if (!sl)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	sl->db_path = db_path;
	pthread_mutex_init(&sl->mu, NULL);
	pthread_cond_init(&sl->cv, NULL);
	if (n < 1)
		n = 1;
	if (n > LANE_MAX)
		n = LANE_MAX;
	/* sl->n is read by running threads (next_job): set before they start. */
	pthread_mutex_lock(&sl->mu);
	for (; sl->n < n; sl->n++)
		if (pthread_create(&sl->thread[sl->n], NULL, lane_main, sl) != 0)
			break;
	pthread_mutex_unlock(&sl->mu);
	if (sl->n == 0) {
		slowlane_stop(sl);
		return prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the slow lane's threads");
	}
	*out = sl;
	return PROLO_OK;
}

bool slowlane_submit(struct slowlane *sl, struct writer_job *j, bool hash)
{
	struct lane_queue *q = hash ? &sl->hashes : &sl->rest;
	pthread_mutex_lock(&sl->mu);
	bool room = q->n < SLOWLANE_QUEUE_MAX;
	if (room) {
		j->next = NULL;
		if (q->tail)
			q->tail->next = j;
		else
			q->head = j;
		q->tail = j;
		q->n++;
		pthread_cond_signal(&sl->cv);
	}
	pthread_mutex_unlock(&sl->mu);
	return room;
}

void slowlane_refuse_rest(struct slowlane *sl, void (*refuse)(struct writer_job *j))
{
	pthread_mutex_lock(&sl->mu);
	struct writer_job *j = sl->rest.head;
	sl->rest = (struct lane_queue){ 0 };
	pthread_cond_broadcast(&sl->cv); /* a stopping thread may see an empty lane now */
	pthread_mutex_unlock(&sl->mu);
	while (j) {
		struct writer_job *next = j->next;
		refuse(j); /* may free j */
		j = next;
	}
}

void slowlane_stop(struct slowlane *sl)
{
	if (!sl)
		return;
	pthread_mutex_lock(&sl->mu);
	sl->stopping = true;
	pthread_cond_broadcast(&sl->cv);
	pthread_mutex_unlock(&sl->mu);
	for (int i = 0; i < sl->n; i++)
		pthread_join(sl->thread[i], NULL);
	pthread_cond_destroy(&sl->cv);
	pthread_mutex_destroy(&sl->mu);
	free(sl);
}
