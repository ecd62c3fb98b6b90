/* The group-commit writer (http/writer.h) on a real registry file: the jobs
 * of a batch are on the disk before any of them is told it is done, a job
 * that fails takes back only its own changes, jobs run and finish in the
 * order they were queued (across batches too), writer_run returns after
 * done, a stop runs what is queued, and when the transaction is lost every
 * kept job hears so. Waits are bounded: a hang fails the test. */
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

#include "http/writer.h"
#include "store/store.h"

#define WAIT_S 20 /* the longest any wait may take before the test fails */
#define MAX_JOBS 400

struct fx;

struct job {
	struct writer_job wj;      /* first: the writer hands this pointer back */
	struct fx *fx;
	int idx;
	char patient[16];          /* inserted by run when set */
	char course_of[16];        /* with patient: insert a course of this patient instead */
	enum prolo_code result;    /* what run returns after its insert */
	bool abort_tx;             /* run ends the whole transaction, as a storage error does */
	bool gate;                 /* run blocks until fx->open */
	int runs, dones, undones;
	bool lost;
	enum prolo_code done_code;
	int64_t visible_at_done;   /* patients another connection sees at done */
};

struct fx {
	char dir[64], path[96];
	struct writer *w;
	struct store *reader;      /* a second connection, as a worker has */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool open, started;
	int n_done;
	int run_order[MAX_JOBS], n_run;
	int done_order[MAX_JOBS], n_done_order;
	struct job jobs[MAX_JOBS];
};

static void deadline(struct timespec *t)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += WAIT_S;
}

/* Waits under fx->mu until *flag or the deadline; false on the deadline. */
static bool wait_flag(struct fx *fx, const bool *flag)
{
	struct timespec t;
	deadline(&t);
	bool ok = true;
	pthread_mutex_lock(&fx->mu);
	while (!*flag && ok)
		ok = pthread_cond_timedwait(&fx->cv, &fx->mu, &t) != ETIMEDOUT || *flag;
	pthread_mutex_unlock(&fx->mu);
	return ok;
}

static bool wait_done(struct fx *fx, int n)
{
	struct timespec t;
	deadline(&t);
	bool ok = true;
	pthread_mutex_lock(&fx->mu);
	while (fx->n_done < n && ok)
		ok = pthread_cond_timedwait(&fx->cv, &fx->mu, &t) != ETIMEDOUT || fx->n_done >= n;
	pthread_mutex_unlock(&fx->mu);
	return ok;
}

static void open_gate(struct fx *fx)
{
	pthread_mutex_lock(&fx->mu);
	fx->open = true;
	pthread_cond_broadcast(&fx->cv);
	pthread_mutex_unlock(&fx->mu);
}

static int64_t patients(struct store *st)
{
	int64_t n = -1;
	struct prolo_err err;
	if (store_count(st, REC_PATIENT, &n, &err) != PROLO_OK)
		fail_msg("count: %s", err.msg);
	return n;
}

static bool patient_exists(struct fx *fx, const char *id)
{
	struct patient p;
	struct prolo_err err;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "%s", id);
	return store_get(fx->reader, REC_PATIENT, &p, &err) == PROLO_OK;
}

static enum prolo_code insert_patient(struct store *st, const char *id, struct prolo_err *err)
{
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "%s", id);
	snprintf(p.clinic, sizeof p.clinic, "C01");
	p.sex = SEX_UNKNOWN;
	return store_insert(st, REC_PATIENT, &p, err);
}

static enum prolo_code insert_course(struct store *st, const char *id, const char *patient,
                                     struct prolo_err *err)
{
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "%s", id);
	snprintf(c.patient_id, sizeof c.patient_id, "%s", patient);
	c.modality = MOD_DEXTROSE;
	snprintf(c.condition, sizeof c.condition, "knee_oa");
	c.start_date = dom_days_from_civil(2024, 1, 10);
	c.planned_sessions = 3;
	c.status = CS_ACTIVE;
	return store_insert(st, REC_COURSE, &c, err);
}

static enum prolo_code job_run(struct writer_job *wj, struct store *st, struct prolo_err *err)
{
	struct job *j = (struct job *)wj;
	struct fx *fx = j->fx;
	pthread_mutex_lock(&fx->mu);
	j->runs++;
	if (fx->n_run < MAX_JOBS)
		fx->run_order[fx->n_run++] = j->idx;
	if (j->gate) {
		struct timespec t;
		deadline(&t);
		fx->started = true;
		pthread_cond_broadcast(&fx->cv);
		while (!fx->open && pthread_cond_timedwait(&fx->cv, &fx->mu, &t) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&fx->mu);
	if (!store_in_transaction(st))
		fail_msg("job %d runs outside a transaction", j->idx);
	if (j->patient[0]) {
		enum prolo_code rc = j->course_of[0] ? insert_course(st, j->patient, j->course_of, err)
		                                     : insert_patient(st, j->patient, err);
		if (rc)
			return rc;
	}
	if (j->abort_tx) {
		store_rollback(st);
		return prolo_err_set(err, PROLO_EDB, "", "disk full (simulated)");
	}
	if (j->result)
		return prolo_err_set(err, j->result, "", "refused by the test");
	return PROLO_OK;
}

static enum prolo_code job_undone(struct writer_job *wj, struct store *st, struct prolo_err *err)
{
	struct job *j = (struct job *)wj;
	pthread_mutex_lock(&j->fx->mu);
	j->undones++;
	pthread_mutex_unlock(&j->fx->mu);
	char id[24];
	snprintf(id, sizeof id, "%s-undone", j->patient);
	return insert_patient(st, id, err);
}

static void job_done(struct writer_job *wj, bool lost, const struct prolo_err *err)
{
	struct job *j = (struct job *)wj;
	struct fx *fx = j->fx;
	/* Read before taking the lock: a commit must already be visible. */
	int64_t seen = patients(fx->reader);
	pthread_mutex_lock(&fx->mu);
	j->dones++;
	j->lost = lost;
	j->done_code = err ? err->code : PROLO_OK;
	j->visible_at_done = seen;
	if (fx->n_done_order < MAX_JOBS)
		fx->done_order[fx->n_done_order++] = j->idx;
	fx->n_done++;
	pthread_cond_broadcast(&fx->cv);
	pthread_mutex_unlock(&fx->mu);
}

static struct job *job(struct fx *fx, int idx, const char *patient)
{
	struct job *j = &fx->jobs[idx];
	memset(j, 0, sizeof *j);
	j->wj.run = job_run;
	j->wj.done = job_done;
	j->wj.durable = true;
	j->fx = fx;
	j->idx = idx;
	if (patient)
		snprintf(j->patient, sizeof j->patient, "%s", patient);
	return j;
}

/* Queues a job that holds the writer thread until open_gate, and waits
 * until it runs: what is queued after it forms the next batch. */
static void hold_writer(struct fx *fx, int idx)
{
	struct job *g = job(fx, idx, NULL);
	g->gate = true;
	g->wj.durable = false;
	writer_submit(fx->w, &g->wj);
	if (!wait_flag(fx, &fx->started))
		fail_msg("the writer never ran the first job");
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct prolo_err err;
	struct store *st;
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/prolo-writer.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/r.db", fx->dir);
	if (store_open(fx->path, STORE_CREATE, &st, &err))
		return -1;
	store_close(st);
	if (writer_start(fx->path, &fx->w, &err) != PROLO_OK)
		return -1;
	if (store_open(fx->path, 0, &fx->reader, &err))
		return -1;
	pthread_mutex_init(&fx->mu, NULL);
	pthread_cond_init(&fx->cv, NULL);
	*state = fx;
	return 0;
}

/* Removes the registry folder (flat: the file, its WAL and the spool). */
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
	open_gate(fx); /* a failed test may have left the writer held */
	writer_stop(fx->w);
	store_close(fx->reader);
	int rc = remove_dir(fx->dir);
	pthread_cond_destroy(&fx->cv);
	pthread_mutex_destroy(&fx->mu);
	free(fx);
	return rc;
}

static void a_batch_is_on_disk_before_any_done(void **state)
{
	struct fx *fx = *state;
	hold_writer(fx, 0);
	const int n = 6;
	char id[16];
	for (int i = 1; i <= n; i++) {
		snprintf(id, sizeof id, "P%d", i);
		writer_submit(fx->w, &job(fx, i, id)->wj);
	}
	assert_int_equal(patients(fx->reader), 0);
	open_gate(fx);
	if (!wait_done(fx, n + 1))
		fail_msg("only %d of %d jobs done", fx->n_done, n + 1);
	for (int i = 1; i <= n; i++) {
		struct job *j = &fx->jobs[i];
		assert_int_equal(j->runs, 1);
		assert_int_equal(j->dones, 1);
		assert_false(j->lost);
		/* One commit for the batch, and only then the answers: every
		 * job's done already sees all six rows. */
		if (j->visible_at_done != n)
			fail_msg("job %d saw %lld rows at its done", i, (long long)j->visible_at_done);
	}
	/* All runs of the batch came before its first done. */
	for (int i = 0; i <= n; i++)
		assert_int_equal(fx->run_order[i], i);
	assert_int_equal(fx->done_order[0], 0);
	assert_int_equal(patients(fx->reader), n);
}

static void a_failed_job_takes_back_only_its_own_changes(void **state)
{
	struct fx *fx = *state;
	hold_writer(fx, 0);
	struct job *a = job(fx, 1, "PA");
	struct job *b = job(fx, 2, "PB");
	b->result = PROLO_EINVAL;          /* inserts, then refuses */
	b->wj.undone = job_undone;         /* and leaves its audit-like row */
	struct job *c = job(fx, 3, "PA");  /* a duplicate: the store refuses it */
	c->wj.undone = job_undone;
	struct job *d = job(fx, 4, "PD");
	struct job *e = job(fx, 5, "PE");
	e->result = PROLO_ECONFLICT;       /* the last job of the batch fails */
	writer_submit(fx->w, &a->wj);
	writer_submit(fx->w, &b->wj);
	writer_submit(fx->w, &c->wj);
	writer_submit(fx->w, &d->wj);
	writer_submit(fx->w, &e->wj);
	open_gate(fx);
	if (!wait_done(fx, 6))
		fail_msg("only %d of 6 jobs done", fx->n_done);
	assert_true(patient_exists(fx, "PA"));
	assert_false(patient_exists(fx, "PB"));
	assert_true(patient_exists(fx, "PB-undone"));
	assert_true(patient_exists(fx, "PA-undone"));
	assert_true(patient_exists(fx, "PD"));
	assert_false(patient_exists(fx, "PE"));
	assert_int_equal(patients(fx->reader), 4);
	assert_int_equal(a->undones, 0);
	assert_int_equal(b->undones, 1);
	assert_int_equal(c->undones, 1);
	assert_int_equal(d->undones, 0);
	/* The commit succeeded: nobody's kept changes were lost. */
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(fx->jobs[i].dones, 1);
		assert_false(fx->jobs[i].lost);
	}
}

static void jobs_run_and_finish_in_queue_order(void **state)
{
	struct fx *fx = *state;
	hold_writer(fx, 0);
	/* More than one batch holds (BATCH_MAX is 256 in writer.c). */
	const int n = 300;
	/* Job 2 needs job 1's row: it must run after it, in the same batch. */
	struct job *first = job(fx, 1, "PX");
	struct job *second = job(fx, 2, "KX");
	snprintf(second->course_of, sizeof second->course_of, "PX");
	writer_submit(fx->w, &first->wj);
	writer_submit(fx->w, &second->wj);
	for (int i = 3; i <= n; i++) {
		struct job *j = job(fx, i, NULL);
		j->wj.durable = i % 2 == 0; /* mixed durability in one batch */
		writer_submit(fx->w, &j->wj);
	}
	open_gate(fx);
	if (!wait_done(fx, n + 1))
		fail_msg("only %d of %d jobs done", fx->n_done, n + 1);
	assert_int_equal(fx->n_run, n + 1);
	for (int i = 0; i <= n; i++) {
		if (fx->run_order[i] != i)
			fail_msg("run #%d was job %d", i, fx->run_order[i]);
		if (fx->done_order[i] != i)
			fail_msg("done #%d was job %d", i, fx->done_order[i]);
		assert_int_equal(fx->jobs[i].dones, 1);
		assert_false(fx->jobs[i].lost);
	}
	struct course k;
	struct prolo_err err;
	rec_init(REC_COURSE, &k);
	snprintf(k.course_id, sizeof k.course_id, "KX");
	assert_int_equal(store_get(fx->reader, REC_COURSE, &k, &err), PROLO_OK);
	assert_string_equal(k.patient_id, "PX");
}

static void writer_run_returns_after_done(void **state)
{
	struct fx *fx = *state;
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof id, "R%d", i);
		struct job *j = job(fx, i, id);
		writer_run(fx->w, &j->wj);
		/* No waiting here: the call itself waited. */
		assert_int_equal(j->dones, 1);
		assert_false(j->lost);
		assert_true(j->wj.finished);
		assert_true(patient_exists(fx, id));
	}
	/* A refused waited job is done too, with nothing kept. */
	struct job *r = job(fx, 20, "RX");
	r->result = PROLO_EINVAL;
	writer_run(fx->w, &r->wj);
	assert_int_equal(r->dones, 1);
	assert_false(patient_exists(fx, "RX"));
	assert_int_equal(patients(fx->reader), 20);
}

static void *stopper(void *arg)
{
	struct fx *fx = arg;
	writer_stop(fx->w);
	return NULL;
}

static void stop_runs_what_is_queued(void **state)
{
	struct fx *fx = *state;
	hold_writer(fx, 0);
	const int n = 25;
	for (int i = 1; i <= n; i++) {
		char id[16];
		snprintf(id, sizeof id, "S%d", i);
		writer_submit(fx->w, &job(fx, i, id)->wj);
	}
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stopper, fx), 0);
	/* Let the stop begin while the jobs are still queued (if it has not,
	 * the test is weaker but still right). */
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	open_gate(fx);
	assert_int_equal(pthread_join(t, NULL), 0);
	fx->w = NULL; /* stopped; teardown's writer_stop(NULL) is a no-op */
	assert_int_equal(fx->n_done, n + 1);
	for (int i = 1; i <= n; i++) {
		assert_int_equal(fx->jobs[i].runs, 1);
		assert_int_equal(fx->jobs[i].dones, 1);
		assert_false(fx->jobs[i].lost);
	}
	assert_int_equal(patients(fx->reader), n);
}

static void a_lost_transaction_fails_every_kept_job(void **state)
{
	struct fx *fx = *state;
	hold_writer(fx, 0);
	struct job *a = job(fx, 1, "LA");
	struct job *b = job(fx, 2, "LB");
	b->abort_tx = true; /* as SQLite does on a full disk or an I/O error */
	struct job *c = job(fx, 3, "LC");
	writer_submit(fx->w, &a->wj);
	writer_submit(fx->w, &b->wj);
	writer_submit(fx->w, &c->wj);
	open_gate(fx);
	if (!wait_done(fx, 4))
		fail_msg("only %d of 4 jobs done", fx->n_done);
	/* A's run succeeded but its row never reached the disk: A must not
	 * answer "saved". */
	assert_int_equal(a->runs, 1);
	assert_int_equal(a->dones, 1);
	assert_true(a->lost);
	assert_int_not_equal(a->done_code, PROLO_OK);
	/* C never ran, and is failed with the batch. */
	assert_int_equal(c->runs, 0);
	assert_int_equal(c->dones, 1);
	assert_true(c->lost);
	assert_int_equal(b->dones, 1);
	assert_false(patient_exists(fx, "LA"));
	assert_false(patient_exists(fx, "LC"));
	assert_int_equal(patients(fx->reader), 0);
	/* The writer goes on: the next batch commits normally. */
	struct job *z = job(fx, 4, "LZ");
	writer_run(fx->w, &z->wj);
	assert_false(z->lost);
	assert_true(patient_exists(fx, "LZ"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_batch_is_on_disk_before_any_done, setup, teardown),
		cmocka_unit_test_setup_teardown(a_failed_job_takes_back_only_its_own_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(jobs_run_and_finish_in_queue_order, setup, teardown),
		cmocka_unit_test_setup_teardown(writer_run_returns_after_done, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_runs_what_is_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(a_lost_transaction_fails_every_kept_job, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
