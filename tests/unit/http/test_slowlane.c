/* The slow lane (http/slowlane.h) on a real registry file: every job gets
 * run then done on a store connection, a thread takes hashes before the
 * rest, the rest never hold the last thread, each queue refuses its 65th
 * waiting job with no call to come, refuse_rest hands back only unstarted
 * reports, a stop runs what is queued, and an unopenable registry is
 * answered as lost without naming the file. Waits are bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/slowlane.h"
#include "store/store.h"

#define WAIT_S 20
#define MAX_JOBS 200

struct fx;

struct job {
	struct writer_job wj;      /* first: the lane hands this pointer back */
	struct fx *fx;
	int idx;
	int gate;                  /* 0, or the gate (1..2) run waits on */
	int runs, dones, refusals;
	bool had_store, lost;
	enum prolo_code done_code;
	char done_msg[256];
};

struct fx {
	char dir[64], path[96];
	struct slowlane *sl;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool open[3];              /* gates 1 and 2 */
	int started[3];            /* runs that reached gate 1 / 2 */
	int n_done;
	int order[MAX_JOBS], n_order; /* run order */
	struct job jobs[MAX_JOBS];
};

static void deadline(struct timespec *t)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += WAIT_S;
}

/* Waits under fx->mu until *v >= n; false at the deadline. */
static bool wait_count(struct fx *fx, const int *v, int n)
{
	struct timespec t;
	deadline(&t);
	bool ok = true;
	pthread_mutex_lock(&fx->mu);
	while (*v < n && ok)
		ok = pthread_cond_timedwait(&fx->cv, &fx->mu, &t) != ETIMEDOUT || *v >= n;
	pthread_mutex_unlock(&fx->mu);
	return ok;
}

static void open_gate(struct fx *fx, int g)
{
	pthread_mutex_lock(&fx->mu);
	fx->open[g] = true;
	pthread_cond_broadcast(&fx->cv);
	pthread_mutex_unlock(&fx->mu);
}

static enum prolo_code job_run(struct writer_job *wj, struct store *st, struct prolo_err *err)
{
	struct job *j = (struct job *)wj;
	struct fx *fx = j->fx;
	/* A usable connection: the registry can be read through it. */
	int64_t n = -1;
	j->had_store = st && store_count(st, REC_PATIENT, &n, err) == PROLO_OK && n == 0;
	pthread_mutex_lock(&fx->mu);
	j->runs++;
	if (fx->n_order < MAX_JOBS)
		fx->order[fx->n_order++] = j->idx;
	if (j->gate) {
		struct timespec t;
		deadline(&t);
		fx->started[j->gate]++;
		pthread_cond_broadcast(&fx->cv);
		while (!fx->open[j->gate] && pthread_cond_timedwait(&fx->cv, &fx->mu, &t) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&fx->mu);
	return PROLO_OK;
}

static void job_done(struct writer_job *wj, bool lost, const struct prolo_err *err)
{
	struct job *j = (struct job *)wj;
	struct fx *fx = j->fx;
	pthread_mutex_lock(&fx->mu);
	j->dones++;
	j->lost = lost;
	j->done_code = err ? err->code : PROLO_OK;
	snprintf(j->done_msg, sizeof j->done_msg, "%s", err ? err->msg : "");
	fx->n_done++;
	pthread_cond_broadcast(&fx->cv);
	pthread_mutex_unlock(&fx->mu);
}

static void job_refused(struct writer_job *wj)
{
	struct job *j = (struct job *)wj;
	j->refusals++; /* on the caller's thread */
}

static struct job *job(struct fx *fx, int idx, int gate)
{
	struct job *j = &fx->jobs[idx];
	memset(j, 0, sizeof *j);
	j->wj.run = job_run;
	j->wj.done = job_done;
	j->fx = fx;
	j->idx = idx;
	j->gate = gate;
	return j;
}

static bool submit(struct fx *fx, int idx, int gate, bool hash)
{
	return slowlane_submit(fx->sl, &job(fx, idx, gate)->wj, hash);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct prolo_err err;
	struct store *st;
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/prolo-slowlane.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/r.db", fx->dir);
	if (store_open(fx->path, STORE_CREATE, &st, &err))
		return -1;
	store_close(st);
	pthread_mutex_init(&fx->mu, NULL);
	pthread_cond_init(&fx->cv, NULL);
	*state = fx;
	return 0;
}

static int remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	char p[256];
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
	closedir(d);
	return rmdir(dir);
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	open_gate(fx, 1); /* a failed test may have left threads held */
	open_gate(fx, 2);
	slowlane_stop(fx->sl);
	int rc = remove_dir(fx->dir);
	pthread_cond_destroy(&fx->cv);
	pthread_mutex_destroy(&fx->mu);
	free(fx);
	return rc;
}

static void start(struct fx *fx, int n)
{
	struct prolo_err err;
	if (slowlane_start(fx->path, n, &fx->sl, &err) != PROLO_OK)
		fail_msg("start: %s", err.msg);
}

static void every_job_runs_then_is_done(void **state)
{
	struct fx *fx = *state;
	start(fx, 3);
	const int n = 40;
	for (int i = 0; i < n; i++)
		assert_true(submit(fx, i, 0, i % 3 == 0));
	if (!wait_count(fx, &fx->n_done, n))
		fail_msg("only %d of %d done", fx->n_done, n);
	for (int i = 0; i < n; i++) {
		struct job *j = &fx->jobs[i];
		assert_int_equal(j->runs, 1);
		assert_int_equal(j->dones, 1);
		assert_true(j->had_store);
		assert_false(j->lost);
	}
}

static void a_thread_takes_hashes_first(void **state)
{
	struct fx *fx = *state;
	start(fx, 1);
	/* The only thread is held by a report; then reports and hashes queue. */
	assert_true(submit(fx, 0, 1, false));
	assert_true(wait_count(fx, &fx->started[1], 1));
	assert_true(submit(fx, 1, 0, false));
	assert_true(submit(fx, 2, 0, false));
	assert_true(submit(fx, 3, 0, true));
	assert_true(submit(fx, 4, 0, false));
	assert_true(submit(fx, 5, 0, true));
	open_gate(fx, 1);
	assert_true(wait_count(fx, &fx->n_done, 6));
	/* Hashes in arrival order, then the rest in arrival order. */
	static const int want[] = { 0, 3, 5, 1, 2, 4 };
	assert_int_equal(fx->n_order, 6);
	for (int i = 0; i < 6; i++)
		if (fx->order[i] != want[i])
			fail_msg("run #%d was job %d, want %d", i, fx->order[i], want[i]);
}

static void reports_leave_a_thread_for_hashes(void **state)
{
	struct fx *fx = *state;
	start(fx, 2);
	/* One report holds a thread; a second report must wait rather than
	 * take the last one. */
	assert_true(submit(fx, 0, 1, false));
	assert_true(wait_count(fx, &fx->started[1], 1));
	assert_true(submit(fx, 1, 2, false));
	/* A login arriving now is served while both reports wait. */
	assert_true(submit(fx, 2, 0, true));
	if (!wait_count(fx, &fx->n_done, 1))
		fail_msg("a hash waited for a report");
	pthread_mutex_lock(&fx->mu);
	assert_int_equal(fx->jobs[2].dones, 1);
	assert_int_equal(fx->jobs[1].runs, 0); /* the second report has not started */
	pthread_mutex_unlock(&fx->mu);
	/* More hashes take the free thread in turn; the report still waits. */
	for (int i = 3; i < 8; i++)
		assert_true(submit(fx, i, 0, true));
	assert_true(wait_count(fx, &fx->n_done, 6));
	assert_int_equal(fx->jobs[1].runs, 0);
	open_gate(fx, 1);
	assert_true(wait_count(fx, &fx->started[2], 1));
	open_gate(fx, 2);
	assert_true(wait_count(fx, &fx->n_done, 8));
	for (int i = 0; i < 8; i++)
		assert_int_equal(fx->jobs[i].dones, 1);
}

static void a_full_queue_refuses(void **state)
{
	struct fx *fx = *state;
	start(fx, 1);
	assert_true(submit(fx, 0, 1, true)); /* running, not waiting */
	assert_true(wait_count(fx, &fx->started[1], 1));
	int idx = 1;
	for (int i = 0; i < SLOWLANE_QUEUE_MAX; i++)
		assert_true(submit(fx, idx++, 0, true));
	int refused_hash = idx;
	assert_false(submit(fx, idx++, 0, true));
	/* The other queue has its own room. */
	for (int i = 0; i < SLOWLANE_QUEUE_MAX; i++)
		assert_true(submit(fx, idx++, 0, false));
	int refused_rest = idx;
	assert_false(submit(fx, idx++, 0, false));
	assert_false(submit(fx, idx++, 0, true));
	open_gate(fx, 1);
	int want = 1 + 2 * SLOWLANE_QUEUE_MAX;
	assert_true(wait_count(fx, &fx->n_done, want));
	/* Room again once the queues have drained. */
	assert_true(submit(fx, idx, 0, false));
	assert_true(wait_count(fx, &fx->n_done, want + 1));
	slowlane_stop(fx->sl);
	fx->sl = NULL;
	/* A refused job is never called. */
	assert_int_equal(fx->jobs[refused_hash].runs + fx->jobs[refused_hash].dones, 0);
	assert_int_equal(fx->jobs[refused_rest].runs + fx->jobs[refused_rest].dones, 0);
	assert_int_equal(fx->jobs[refused_rest + 1].runs + fx->jobs[refused_rest + 1].dones, 0);
	assert_int_equal(fx->n_done, want + 1);
}

static void refuse_rest_hands_back_unstarted_reports(void **state)
{
	struct fx *fx = *state;
	start(fx, 1);
	assert_true(submit(fx, 0, 1, false)); /* a report already running */
	assert_true(wait_count(fx, &fx->started[1], 1));
	for (int i = 1; i <= 5; i++)
		assert_true(submit(fx, i, 0, i % 2 == 0)); /* 2, 4 hashes; 1, 3, 5 reports */
	slowlane_refuse_rest(fx->sl, job_refused);
	/* Refused at once, on this thread, before the gate opens. */
	assert_int_equal(fx->jobs[1].refusals, 1);
	assert_int_equal(fx->jobs[3].refusals, 1);
	assert_int_equal(fx->jobs[5].refusals, 1);
	assert_int_equal(fx->jobs[2].refusals, 0);
	assert_int_equal(fx->jobs[0].refusals, 0);
	open_gate(fx, 1);
	slowlane_stop(fx->sl);
	fx->sl = NULL;
	/* The running report and the hashes finish; refused reports never run. */
	assert_int_equal(fx->n_done, 3);
	assert_int_equal(fx->jobs[0].dones, 1);
	assert_int_equal(fx->jobs[2].dones, 1);
	assert_int_equal(fx->jobs[4].dones, 1);
	for (int i = 1; i <= 5; i += 2)
		assert_int_equal(fx->jobs[i].runs + fx->jobs[i].dones, 0);
}

static void stop_runs_what_is_queued(void **state)
{
	struct fx *fx = *state;
	start(fx, 2);
	assert_true(submit(fx, 0, 1, false));
	assert_true(wait_count(fx, &fx->started[1], 1));
	const int n = 30;
	for (int i = 1; i <= n; i++)
		assert_true(submit(fx, i, 0, i % 2 == 0));
	open_gate(fx, 1);
	slowlane_stop(fx->sl);
	fx->sl = NULL;
	/* Returned only after every queued job was run and done. */
	assert_int_equal(fx->n_done, n + 1);
	for (int i = 0; i <= n; i++) {
		assert_int_equal(fx->jobs[i].runs, 1);
		assert_int_equal(fx->jobs[i].dones, 1);
	}
}

static void an_unopenable_registry_is_answered_as_lost(void **state)
{
	struct fx *fx = *state;
	char missing[128];
	snprintf(missing, sizeof missing, "%s/not-there.db", fx->dir);
	struct prolo_err err;
	assert_int_equal(slowlane_start(missing, 1, &fx->sl, &err), PROLO_OK);
	assert_true(submit(fx, 0, 0, true));
	assert_true(submit(fx, 1, 0, false));
	assert_true(wait_count(fx, &fx->n_done, 2));
	for (int i = 0; i < 2; i++) {
		struct job *j = &fx->jobs[i];
		assert_int_equal(j->runs, 0);
		assert_int_equal(j->dones, 1);
		assert_true(j->lost);
		assert_int_equal(j->done_code, PROLO_EDB);
		/* The client's message does not name the server's files. */
		assert_null(strstr(j->done_msg, fx->dir));
	}
	/* No file was created by trying. */
	assert_int_not_equal(access(missing, F_OK), 0);
}

static void stop_of_nothing(void **state)
{
	struct fx *fx = *state;
	slowlane_stop(NULL);
	/* A lane that never had a job stops at once, for any thread count. */
	for (int n = 0; n <= 9; n += 3) {
		start(fx, n);
		slowlane_stop(fx->sl);
		fx->sl = NULL;
	}
	assert_int_equal(fx->n_done, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_job_runs_then_is_done, setup, teardown),
		cmocka_unit_test_setup_teardown(a_thread_takes_hashes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(reports_leave_a_thread_for_hashes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_full_queue_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(refuse_rest_hands_back_unstarted_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_runs_what_is_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(an_unopenable_registry_is_answered_as_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_of_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
