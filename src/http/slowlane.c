/* The slow lane of slowlane.h: a queue under a mutex and n threads taking
 * jobs from it in arrival order. */
#include "http/slowlane.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LANE_MAX 8

struct slowlane {
	const char *db_path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct writer_job *head, *tail;
	bool stopping;
	int n;
	pthread_t thread[LANE_MAX];
};

static void *lane_main(void *arg)
{
	struct slowlane *sl = arg;
	struct store *st = NULL;
	bool told = false;
	pthread_mutex_lock(&sl->mu);
	for (;;) {
		while (!sl->head && !sl->stopping)
			pthread_cond_wait(&sl->cv, &sl->mu);
		struct writer_job *j = sl->head;
		if (!j)
			break; /* stopping, nothing queued */
		sl->head = j->next;
		if (!sl->head)
			sl->tail = NULL;
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
	for (; sl->n < n; sl->n++)
		if (pthread_create(&sl->thread[sl->n], NULL, lane_main, sl) != 0)
			break;
	if (sl->n == 0) {
		slowlane_stop(sl);
		return prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the slow lane's threads");
	}
	*out = sl;
	return PROLO_OK;
}

void slowlane_submit(struct slowlane *sl, struct writer_job *j)
{
	pthread_mutex_lock(&sl->mu);
	j->next = NULL;
	if (sl->tail)
		sl->tail->next = j;
	else
		sl->head = j;
	sl->tail = j;
	pthread_cond_signal(&sl->cv);
	pthread_mutex_unlock(&sl->mu);
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
