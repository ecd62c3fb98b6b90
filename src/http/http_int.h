/* Internals shared by src/http/ only: one request as the server hands it to
 * the API router. Nothing outside src/http/ includes this. */
#ifndef PROLO_HTTP_INT_H
#define PROLO_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/login.h"
#include "http/server.h"
#include "http/writer.h"
#include "store/store.h"

/* Every route of the server; the router maps method + path to one. */
enum route_id {
	RT_LOGIN, RT_LOGOUT, RT_ME, RT_PASSWORD, RT_VOCAB,
	RT_PATIENTS_LIST, RT_PATIENTS_ADD, RT_PATIENT_GET,
	RT_COURSES_LIST, RT_COURSES_ADD, RT_COURSE_GET, RT_COURSE_END,
	RT_SESSIONS_ADD, RT_OUTCOMES_ADD, RT_AES_ADD,
	RT_ALERTS_LIST, RT_ALERTS_ACK, RT_REPORT,
	RT_USERS_LIST, RT_USERS_ADD, RT_AUDIT_LIST,
	RT_QLINKS_ADD, RT_Q_PAGE, RT_USER_UNLOCK, RT_QLINKS_REVOKE, RT_Q_GET, RT_Q_POST, RT_OPTOUT, RT_STATIC,
	/* the record's life (api_amend.c): amend, void, history per kind */
	RT_PATIENT_AMEND, RT_PATIENT_VOID, RT_PATIENT_HISTORY,
	RT_COURSE_AMEND, RT_COURSE_VOID, RT_COURSE_HISTORY,
	RT_SESSION_AMEND, RT_SESSION_VOID, RT_SESSION_HISTORY,
	RT_OUTCOME_AMEND, RT_OUTCOME_VOID, RT_OUTCOME_HISTORY,
	RT_AE_AMEND, RT_AE_VOID, RT_AE_HISTORY,
	/* api_patients.c */
	RT_PATIENT_MERGE, RT_PATIENT_UNMERGE, RT_PROTOCOLS_LIST, RT_PROTOCOL_GET, RT_SETTINGS_GET, RT_SETTINGS_SET,
	/* users who come and go (api_users.c) */
	RT_USER_DISABLE, RT_USER_ENABLE, RT_USER_ROLE, RT_USER_RESET, RT_USER_SESSIONS, RT_USER_REVOKE,
	RT_INSTRUMENTS_LIST, RT_INSTRUMENT_GET, RT_INSTRUMENTS_LOAD,
	/* the front desk (api_frontdesk.c) */
	RT_CONTACT_GET, RT_CONTACT_SET, RT_FOLLOWUP_GET, RT_FOLLOWUP_DESK, RT_FOLLOWUP_DROPOUTS,
	RT_OUTBOX_LIST, RT_OUTBOX_RETRY, RT_OUTBOX_CANCEL, RT_SMS_RECEIPT, RT_CALLS_ADD, RT_CALLS_LIST, RT_ALERTS_SNOOZE, RT_ALERTS_ASSIGN, RT_ALERTS_ASSIGNEES,
	/* appointments (api_booking.c) */
	RT_BOOKINGS_LIST, RT_BOOKINGS_ADD, RT_BOOKING_PROPOSAL, RT_BOOKING_MOVE, RT_BOOKING_CANCEL,
	RT_BOOKING_NOSHOW, RT_SCHEDULE_ICS, RT_CLINIC_ZONE_GET, RT_CLINIC_ZONE_SET,
	RT_PATIENT_DUPLICATES, /* api_patients.c */
	RT__COUNT
};

#define HTTP_PARAM_MAX 128
#define HTTP_AUDITS_MAX 4 /* audit rows one read request may leave */

struct http_req {
	/* filled by the server */
	struct MHD_Connection *conn;
	const struct http_options *opt;
	const char *method;
	const char *path;            /* without the query string */
	const char *body;            /* the whole request body */
	size_t body_len;
	char addr[64];               /* client address */
	char req_id[17];             /* hex; also in X-Request-Id */
	struct store *st;            /* this worker's connection; NULL if it failed */
	struct chart_cache *charts;  /* this worker's rendered charts; NULL = none */
	int64_t now;                 /* Unix seconds at arrival */
	bool tls;
	/* filled by the router */
	const char *pattern;         /* route pattern for the log ("/api/patients/{id}") */
	enum route_id route;
	char param[HTTP_PARAM_MAX];  /* the {id} segment, or the {key} segments */
	bool authed;
	struct store_user user;
	struct store_login_session sess;
	/* the response */
	int status;
	struct buf out;
	const char *content_type;    /* NULL = application/json */
	char set_cookie[256];
	char retry_after[24];
	char etag[24];               /* ETag: a record's version, "" = none */
	bool replayed;               /* Idempotent-Replayed */
	/* work handed to the group-commit writer (api_dispatch returned true) */
	struct writer_job job;       /* the request is found from it by offsetof */
	bool slow;                   /* job goes to the slow lane, not the writer */
	bool slow_hash;              /* ... to its queue for hashes (slowlane.h) */
	const void *route_def;       /* the route (api.c's) */
	json_t *json;                /* the parsed body; released when the job is done */
	const char *idem_key;        /* Idempotency-Key header, NULL if none */
	bool in_writer;              /* handler runs inside a write transaction on st */
	/* a slow write's hashing, done on the slow lane before its transaction */
	enum prolo_code prep_rc;     /* PROLO_OK, or the refusal its handler returns */
	struct prolo_err prep_err;
	struct store_user prep_user; /* the user with the new hash */
	char prep_old[STORE_PWHASH_MAX]; /* the hash the old password matched */
	int n_audits;                /* audit rows of a read, spooled at its end */
	/* set by a write's handler: what to write after its savepoint was
	 * rolled back (a refusal that must count, as a throttle's failure) */
	enum prolo_code (*undone)(struct http_req *rq, struct store *st, struct prolo_err *err);
	struct store_audit audits[HTTP_AUDITS_MAX];
	struct writer *writer;       /* the server's group-commit writer */
	void (*resume)(struct http_req *rq); /* set by the server for a suspended
	                              * request: the job is done */
	void *server_ctx;            /* the server's, for resume */
};

/* Routes an /api/ or /q/ request: authentication, the permission check,
 * CSRF, body parsing, the transaction and the idempotency key, then the
 * handler. Returns false when rq holds the response (status and body); a
 * read's audit rows are in rq->writer's audit spool by then.
 * Returns true when rq->job must run on another thread: the caller
 * suspends the connection, sets rq->resume and calls
 * slowlane_submit(..., &rq->job) when rq->slow (a request that computes
 * for long; in its queue for hashes when rq->slow_hash), else
 * writer_submit(rq->writer, &rq->job) (a write); the response is in rq
 * when the job calls rq->resume(rq), from that thread. When the lane
 * refuses the job, the caller answers with api_unavailable instead.
 * Cannot fail. */
bool api_dispatch(struct http_req *rq);

/* Answers 503 (with Retry-After) without running rq: the server is
 * stopping, or the slow lane's queue is full (why says which). Releases
 * what api_dispatch kept for the job. Cannot fail. */
void api_unavailable(struct http_req *rq, const char *why);

/* Renders an error response: status and {"error":{code,message,field}}.
 * code_name NULL = prolo_err_name(err->code). Cannot fail. */
void api_error(struct http_req *rq, int status, const char *code_name, const struct prolo_err *err);

#endif
