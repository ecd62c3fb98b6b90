/* The slow lane: a few threads, each with its own store connection, for
 * requests that compute for long — the Argon2id hash of a login, a
 * password change or a new user (about 150 ms each). libmicrohttpd serves
 * a connection from one worker thread, so a request that computes there
 * holds up every other connection of that worker; instead the worker
 * suspends the connection and hands the request here (as it hands writes
 * to the group-commit writer), and goes on serving. */
#ifndef PROLO_SLOWLANE_H
#define PROLO_SLOWLANE_H

#include "core/err.h"
#include "http/writer.h"

struct slowlane;

/* Starts n threads; each opens db_path when it takes its first job.
 * PROLO_ENOMEM when a thread cannot start. */
enum prolo_code slowlane_start(const char *db_path, int n, struct slowlane **out,
                               struct prolo_err *err);
/* Queues j: a thread calls j->run(j, its store, &err) and then
 * j->done(j, false, &err) (done with lost = true and a generic store
 * error when its connection cannot be opened). j must stay valid until its done
 * call. Cannot fail. */
void slowlane_submit(struct slowlane *sl, struct writer_job *j);
/* Runs what is queued, stops the threads and closes their connections.
 * NULL is a no-op. */
void slowlane_stop(struct slowlane *sl);

#endif
