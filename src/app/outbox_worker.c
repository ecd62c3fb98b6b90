/* The outbox inside the server (app/app_outreach.h): one thread, its own
 * store connection, a pass every interval when this process holds the
 * outbox lease. Waiting (between passes and between messages under the
 * rate limit) is a timed wait on a condition the stop signals, so the
 * server's shutdown never waits for more than the message being sent. */
#include "app/app_outreach.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

struct app_outbox_worker {
	struct app_outbox_worker_opts o;
	struct outreach_config conf;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

/* Waits up to ms or until the stop; true when stopping. */
static bool worker_wait(void *p, long ms)
{
	struct app_outbox_worker *w = p;
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	if (ms > 0) {
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&w->mu);
	while (!w->stop && ms > 0 && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
		;
	bool stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

/* One line: "TIME outbox: WHAT[A]". */
static void say(struct app_outbox_worker *w, const char *what, const char *a)
{
	if (!w->o.log)
		return;
	time_t t = time(NULL);
	struct tm tm;
	char at[32];
	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(w->o.log, "%s outbox: %s%s\n", at, what, a);
	fflush(w->o.log);
}

static void report(struct app_outbox_worker *w, const struct app_outbox_stats *s)
{
	if (!w->o.log || !(s->queued || s->accepted || s->temporary || s->permanent || s->unknown || s->cancelled ||
	                   s->tasks || s->resolved || s->skipped))
		return;
	char line[256];
	snprintf(line, sizeof line,
	         "%d queued, %d accepted, %d temporary failures, %d permanent failures, %d unknown, %d cancelled, "
	         "%d phone tasks, %d interrupted sends settled%s%s",
	         s->queued, s->accepted, s->temporary, s->permanent, s->unknown, s->cancelled, s->tasks, s->resolved,
	         s->quiet ? "; quiet hours" : "", s->rate_limited ? "; rate limit reached" : "");
	say(w, line, "");
}

static void *worker_main(void *p)
{
	struct app_outbox_worker *w = p;
	struct store *st = NULL;
	struct app_outbox_runner r;
	app_outbox_runner_init(&r, &w->conf, "serve");
	r.wait = worker_wait;
	r.ctx = w;
	bool holding = false, said_standby = false;
	char last_err[256] = "";
	do {
		struct prolo_err err = { 0 };
		enum prolo_code rc = PROLO_OK;
		if (!st && (rc = store_open(w->o.db_path, 0, &st, &err)))
			st = NULL;
		struct app_ctx cx;
		if (st) {
			app_ctx_local(&cx, st, w->o.protocols);
			snprintf(cx.who.user, sizeof cx.who.user, "outbox");
			bool got = false;
			struct store_olease cur;
			rc = app_outbox_lease(&cx, &r, &got, &cur, &err);
			if (!rc && got) {
				if (!holding)
					say(w, "running here: ", r.lease.holder);
				holding = true;
				said_standby = false;
				struct app_outbox_stats s;
				rc = app_outbox_pass(&cx, &w->conf, true, &r, &s, &err);
				if (!rc)
					report(w, &s);
			} else if (!rc) {
				if (holding || !said_standby)
					say(w, "standing by: the outbox is run by ", cur.holder);
				holding = false;
				said_standby = true;
			}
			app_ctx_flush(&cx);
		}
		if (rc) {
			/* Said once until it changes (a registry that stays locked
			 * would fill the log otherwise). */
			if (strcmp(last_err, err.msg) != 0)
				say(w, "a pass failed (tried again later): ", err.msg);
			snprintf(last_err, sizeof last_err, "%s", err.msg);
		} else {
			last_err[0] = '\0';
		}
	} while (!worker_wait(w, (long)w->o.interval_s * 1000));
	if (st) {
		struct app_ctx cx;
		app_ctx_local(&cx, st, w->o.protocols);
		struct prolo_err err = { 0 };
		if (holding && app_outbox_release(&cx, &r, &err) == PROLO_OK)
			say(w, "stopped; lease given up", "");
		store_close(st);
	}
	return NULL;
}

/* After the thread (or when it never started): the configuration's
 * secrets wiped. */
static void worker_free(struct app_outbox_worker *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	explicit_bzero(&w->conf, sizeof w->conf);
	free(w);
}

enum prolo_code app_outbox_worker_start(const struct app_outbox_worker_opts *o, struct app_outbox_worker **out,
                                        struct prolo_err *err)
{
	*out = NULL;
	struct app_outbox_worker *w = calloc(1, sizeof *w);
	if (!w)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	w->o = *o;
	w->conf = *o->conf;
	if (w->o.interval_s < 1)
		w->o.interval_s = 60;
	enum prolo_code rc = app_outbox_check(&w->conf, err);
	if (rc) {
		free(w);
		return rc;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->mu, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		worker_free(w);
		return prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the outbox thread");
	}
	*out = w;
	return PROLO_OK;
}

void app_outbox_worker_stop(struct app_outbox_worker *w)
{
	if (w && pthread_mutex_lock(&w->mu) == 0) {
		w->stop = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		worker_free(w);
	}
}
