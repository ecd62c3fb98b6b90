/* The slow lane of slowlane.h: four queues under one mutex and n threads
 * taking jobs from them, each queue in arrival order: the hashes of known
 * logins, of clean logins (and of password changes and new users), then
 * the reports and alerts, then the suspect logins; the last two never take
 * every thread between them. */
#include "http/slowlane.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LANE_MAX 8

struct lane_queue {
	struct writer_job *head, *tail;
	int n;
};

/* Logins queued or running per address and per account (keys: hashes of
 * them). At most 4 x SLOWLANE_QUEUE_MAX + LANE_MAX jobs are in the lane,
 * each with two keys, so a fixed table is enough. */
#define PENDING_MAX (2 * (4 * SLOWLANE_QUEUE_MAX + LANE_MAX))
struct pending {
	uint64_t key;
	int n;
};

enum { Q_KNOWN, Q_CLEAN, Q_REST, Q_SUSPECT, Q__COUNT };

struct slowlane {
	const char *db_path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct lane_queue q[Q__COUNT];
	int low_running;           /* threads running a job of Q_REST or Q_SUSPECT */
	struct pending pending[PENDING_MAX];
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

static struct pending *pending_find(struct slowlane *sl, uint64_t key, bool make)
{
	struct pending *free_slot = NULL;
	for (int i = 0; i < PENDING_MAX; i++) {
		if (sl->pending[i].n > 0 && sl->pending[i].key == key)
			return &sl->pending[i];
		if (!free_slot && sl->pending[i].n == 0)
			free_slot = &sl->pending[i];
	}
	if (make && free_slot)
		free_slot->key = key;
	return make ? free_slot : NULL;
}

static int pending_n(struct slowlane *sl, uint64_t key)
{
	struct pending *p = key ? pending_find(sl, key, false) : NULL;
	return p ? p->n : 0;
}

static void pending_add(struct slowlane *sl, uint64_t key, int d)
{
	struct pending *p = key ? pending_find(sl, key, d > 0) : NULL;
	if (p)
		p->n += d;
}

/* True when the queue is one the low jobs (reports, alerts, suspect
 * logins) wait in. */
static bool low_queue(int q)
{
	return q == Q_REST || q == Q_SUSPECT;
}

/* The next job for an idle thread, under mu: a known login's hash, a clean
 * one's, else a job of rest or a suspect login unless it would take the
 * last thread that is free for the first two. NULL when there is none; *qi
 * says which queue it came from. */
static struct writer_job *next_job(struct slowlane *sl, int *qi)
{
	for (int q = 0; q < Q__COUNT; q++) {
		if (!sl->q[q].head)
			continue;
		if (low_queue(q)) {
			if (sl->n > 1 && sl->low_running >= sl->n - 1)
				return NULL;
			sl->low_running++;
		}
		*qi = q;
		return pop(&sl->q[q]);
	}
	return NULL;
}

static bool lane_empty(const struct slowlane *sl)
{
	for (int q = 0; q < Q__COUNT; q++)
		if (sl->q[q].head)
			return false;
	return true;
}

static void *lane_main(void *arg)
{
	struct slowlane *sl = arg;
	struct store *st = NULL;
	bool told = false;
	pthread_mutex_lock(&sl->mu);
	for (;;) {
		int qi = 0;
		struct writer_job *j;
		while (!(j = next_job(sl, &qi)) && !(sl->stopping && lane_empty(sl)))
			pthread_cond_wait(&sl->cv, &sl->mu);
		if (!j)
			break; /* stopping, nothing queued */
		/* j may be gone after its done call: keep its keys. */
		uint64_t addr_key = j->lane_addr, acct_key = j->lane_acct;
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
		pending_add(sl, addr_key, -1);
		pending_add(sl, acct_key, -1);
		if (low_queue(qi)) {
			/* Threads that left a low job waiting may take it now, or,
			 * when stopping, see that nothing is left. */
			sl->low_running--;
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

/* The queue of a job, under mu: a login of an account that already has a
 * login in the lane goes behind, unless known; others by their tier. */
static int queue_of(struct slowlane *sl, const struct writer_job *j, bool hash)
{
	if (!hash)
		return Q_REST;
	if (!j->lane_acct)
		return Q_CLEAN; /* a password change or a new user */
	if (j->lane_tier == 0)
		return Q_KNOWN;
	if (j->lane_tier == 1 && pending_n(sl, j->lane_acct) == 0)
		return Q_CLEAN;
	return Q_SUSPECT;
}

bool slowlane_submit(struct slowlane *sl, struct writer_job *j, bool hash)
{
	pthread_mutex_lock(&sl->mu);
	int qi = queue_of(sl, j, hash);
	struct lane_queue *q = &sl->q[qi];
	bool room = q->n < SLOWLANE_QUEUE_MAX &&
	            !(qi == Q_SUSPECT && pending_n(sl, j->lane_addr) >= SLOWLANE_SUSPECT_PER_ADDR);
	if (room) {
		j->next = NULL;
		if (q->tail)
			q->tail->next = j;
		else
			q->head = j;
		q->tail = j;
		q->n++;
		pending_add(sl, j->lane_addr, 1);
		pending_add(sl, j->lane_acct, 1);
		pthread_cond_signal(&sl->cv);
	}
	pthread_mutex_unlock(&sl->mu);
	return room;
}

void slowlane_refuse_rest(struct slowlane *sl, void (*refuse)(struct writer_job *j))
{
	pthread_mutex_lock(&sl->mu);
	struct writer_job *j = sl->q[Q_REST].head;
	sl->q[Q_REST] = (struct lane_queue){ 0 };
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
