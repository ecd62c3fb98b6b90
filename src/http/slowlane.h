/* The slow lane: a few threads, each with its own store connection, for
 * requests that compute for long — the Argon2id hash of a login, a
 * password change or a new user (about 150-600 ms each), the report and
 * the alerts (they read every course). libmicrohttpd serves a connection
 * from one worker thread, so a request that computes there holds up every
 * other connection of that worker; instead the worker suspends the
 * connection and hands the request here (as it hands writes to the
 * group-commit writer), and goes on serving.
 *
 * Four bounded queues, taken in this order: the hashes of known logins
 * (the account logged in from this address before and has no failures
 * from it since), the hashes of clean logins (no failures of the pair,
 * and the account neither under attack nor already in the lane) and of
 * password changes and new users, the rest (reports, alerts), and the
 * suspect logins (everything else: an account under attack, a pair with
 * failures). A person at a form waits for the first two; with more than
 * one thread the last two never occupy all of them, so a flood of wrong
 * logins or reports never holds up a known or clean login by more than
 * the hash that is running. A full queue refuses the job (the server
 * answers 503), and so does the suspect queue for an address that has
 * SLOWLANE_SUSPECT_PER_ADDR logins in the lane already. */
#ifndef PROLO_SLOWLANE_H
#define PROLO_SLOWLANE_H

#include <stdbool.h>

#include "core/err.h"
#include "http/writer.h"

#define SLOWLANE_QUEUE_MAX 64 /* jobs waiting in each queue */
#define SLOWLANE_SUSPECT_PER_ADDR 2 /* suspect logins of one address in the lane */

struct slowlane;

/* Starts n threads; each opens db_path when it takes its first job.
 * PROLO_ENOMEM when a thread cannot start. */
enum prolo_code slowlane_start(const char *db_path, int n, struct slowlane **out,
                               struct prolo_err *err);
/* Queues j (a hash when hash is true; its lane_tier, lane_addr and
 * lane_acct say which queue, see above): a thread calls
 * j->run(j, its store, &err) and then j->done(j, false, &err) (done with
 * lost = true and a generic store error when its connection cannot be
 * opened). j must stay valid until its done call. False, with nothing
 * queued and no call to come, when that queue holds SLOWLANE_QUEUE_MAX
 * jobs. */
bool slowlane_submit(struct slowlane *sl, struct writer_job *j, bool hash);
/* Takes every job of the reports' and alerts' queue that has not started
 * and hands it to refuse (outside the lane's lock), which must answer and
 * finish it: when the server stops, a person waits for a login more than
 * for a report, and up to SLOWLANE_QUEUE_MAX reports on a large registry
 * would hold the stop for minutes. Hashes still run. Cannot fail. */
void slowlane_refuse_rest(struct slowlane *sl, void (*refuse)(struct writer_job *j));
/* Runs what is queued, stops the threads and closes their connections.
 * NULL is a no-op. */
void slowlane_stop(struct slowlane *sl);

#endif
