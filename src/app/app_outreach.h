/* Follow-up that reaches the patient: contact details and consent, the
 * follow-up plan of a course, the outbox that invites, reminds and raises
 * phone tasks, and the patient's opt-out. Use cases like those of
 * app/app.h (same context, same steps); kept in their own header.
 * docs/followup.md describes them. */
#ifndef PROLO_APP_OUTREACH_H
#define PROLO_APP_OUTREACH_H

#include <stdio.h>

#include "app/app.h"
#include "outreach/outreach.h"
#include "registry/followup.h"
#include "store/store_outreach.h"

/* Setting a patient's contact details. NULL members keep what is stored
 * ("" clears an address). Consent changes need consent_by and
 * consent_how; consent_date DOM_DATE_NONE = today. PROLO_EINVAL naming
 * the field (email, mobile, channel, consent, consent_date, consent_by,
 * consent_how). Audited as "contact.set" (no values in the row). */
struct app_contact_in {
	const char *patient_id;
	const char *email, *mobile, *channel, *consent;
	int32_t consent_date;
	const char *consent_by, *consent_how;
};
enum prolo_code app_contact_set(struct app_ctx *cx, const struct app_contact_in *in,
                                struct store_contact *out, struct prolo_err *err);
/* A patient's contact (a patient without one gets channel none, no
 * consent). Audited as "contact.read". */
enum prolo_code app_contact_get(struct app_ctx *cx, const char *patient_id, struct store_contact *out,
                                struct prolo_err *err);
/* True when the outbox may contact the patient by machine: consent
 * given, channel email with an address not marked bad, or channel sms
 * with a mobile number not marked bad (the outbox also needs an SMS
 * provider configured). why gets the reason when not. Cannot fail. */
bool app_contactable(const struct store_contact *c, bool have, const char **why);

/* The patient's one-click opt-out by the token of a message: consent
 * withdrawn (today, by "patient", how "opt-out link"). Needs no login: the
 * token is the authority. PROLO_ENOTFOUND (field token). Idempotent. */
enum prolo_code app_optout(struct app_ctx *cx, const char *token, struct prolo_err *err);

/* A course's follow-up plan on today with each time point's status. */
struct app_fu_point {
	struct fu_point pt;
	enum fu_status status;
	int steps;              /* messages queued or sent for it */
	struct fu_sent sent;    /* what the outbox did for it */
	uint32_t answered;      /* its instruments answered in the window */
};
enum prolo_code app_followup_show(struct app_ctx *cx, const char *course_id,
                                  struct app_fu_point out[FU_POINTS_MAX], size_t *n,
                                  struct prolo_err *err);

/* One pass of the outbox (for cron, or the server's thread): settles
 * messages left 'sending' by a stopped run as 'unknown' (never resent),
 * queues the due invitations and reminders, raises phone tasks, then
 * sends what is ready within the rate limit, outside quiet hours. */
struct app_outbox_stats {
	int resolved;   /* 'sending' rows of a stopped run, settled as unknown */
	int queued;     /* new invitations and reminders */
	int cancelled;  /* queued messages no longer needed */
	int tasks;      /* phone tasks raised (new or again) */
	int accepted, temporary, permanent, unknown;
	int skipped;    /* taken by another run meanwhile (not sent here) */
	bool quiet;     /* quiet hours: nothing was sent */
	bool rate_limited; /* the rate limit left some ready messages for later */
	bool stopped;   /* the server is stopping: the pass ended early */
	bool lease_lost;/* another process took the lease: the pass ended early */
};
/* One pass for the command line (cron): takes the outbox lease, runs
 * app_outbox_pass and gives the lease up. PROLO_ECONFLICT (field
 * outreach) while another process holds the lease; PROLO_EINVAL (field
 * outreach) when the configuration lacks smtp_url and sms_url, from (with
 * smtp_url) or base_url, or reminder_days is malformed. send=false queues
 * and raises tasks only. */
enum prolo_code app_outbox_run(struct app_ctx *cx, const struct outreach_config *conf, bool send,
                               struct app_outbox_stats *stats, struct prolo_err *err);

/* The configuration's checks a pass makes first: PROLO_EINVAL (field
 * outreach) as app_outbox_run's. */
enum prolo_code app_outbox_check(const struct outreach_config *conf, struct prolo_err *err);

/* Who runs the outbox: this process as the lease's holder, and how it
 * waits between messages (the rate limit). */
struct app_outbox_runner {
	struct store_olease lease;  /* holder, host, pid; expires_at set when taken */
	int lease_s;                /* how long a taken lease lasts */
	int64_t renewed_at;         /* Unix seconds */
	/* Sleeps up to ms (<= 0: not at all); true when the pass must stop. */
	bool (*wait)(void *ctx, long ms);
	void *ctx;
};
/* This process as a holder (tag names it, e.g. "serve"); lease_s from the
 * configuration's timeout. wait must be set by the caller. Cannot fail. */
void app_outbox_runner_init(struct app_outbox_runner *r, const struct outreach_config *conf, const char *tag);
/* Takes or renews the lease: *got says whether r holds it now, *cur who
 * does. Taken over when it expired, or its holder ran on this machine and
 * is gone. Audited ("outbox.lease") when the holder changes. PROLO_EDB. */
enum prolo_code app_outbox_lease(struct app_ctx *cx, struct app_outbox_runner *r, bool *got,
                                 struct store_olease *cur, struct prolo_err *err);
/* Gives the lease up (if r holds it). PROLO_EDB. */
enum prolo_code app_outbox_release(struct app_ctx *cx, struct app_outbox_runner *r, struct prolo_err *err);
/* One pass by the lease's holder r: as app_outbox_run's. Renews the lease
 * while it sends, and stops early when it is lost or r->wait says stop. */
enum prolo_code app_outbox_pass(struct app_ctx *cx, const struct outreach_config *conf, bool send,
                                struct app_outbox_runner *r, struct app_outbox_stats *stats,
                                struct prolo_err *err);

/* The outbox inside the server: one thread that, every interval_s, takes
 * or renews the lease and runs a pass when it holds it (another process
 * holding it: it stands by). Its own store connection; acts as "outbox"
 * (role admin). Lines about what it does (counts only, never patient
 * data or secrets) go to log. */
struct app_outbox_worker;
struct app_outbox_worker_opts {
	const char *db_path;
	const struct outreach_config *conf;   /* copied */
	const struct protocol_lib *protocols; /* kept: must outlive the worker */
	int interval_s;                       /* between passes, >= 1 */
	FILE *log;
};
/* PROLO_EINVAL (field outreach) for a configuration a pass would refuse;
 * PROLO_ENOMEM when the thread cannot start. */
enum prolo_code app_outbox_worker_start(const struct app_outbox_worker_opts *o, struct app_outbox_worker **out,
                                        struct prolo_err *err);
/* Stops the thread: a wait ends at once, a message being sent is finished
 * (bounded by timeout_seconds) and settled, the lease is given up. NULL is
 * a no-op. */
void app_outbox_worker_stop(struct app_outbox_worker *w);
/* A failed, unknown or queued message is queued again for now (a new
 * step is not created: the same message). PROLO_ENOTFOUND,
 * PROLO_ECONFLICT (sent, sending, cancelled). */
enum prolo_code app_outbox_retry(struct app_ctx *cx, int64_t id, struct prolo_err *err);
/* A queued or failed message is cancelled (it is not sent). */
enum prolo_code app_outbox_cancel(struct app_ctx *cx, int64_t id, struct prolo_err *err);
/* The messages (state -1 = any, APP_OUTBOX_UNDELIVERED = failed or
 * unknown: the ones a person must check), with each one's attempts. */
#define APP_OUTBOX_UNDELIVERED (-2)
/* What an 'unknown' message means for the people at the front desk. */
#define APP_OUTBOX_UNKNOWN_LABEL "outcome unknown: it may have arrived; never resent: check with the patient"

enum prolo_code app_outbox_list(struct app_ctx *cx, int state, store_omsg_fn fn, void *ctx,
                                struct prolo_err *err);
/* Sends a test message (no patient data) to address: an e-mail address,
 * or a mobile number (E.164) for an SMS through the provider; *out says
 * what happened. PROLO_EINVAL (field address, outreach). */
enum prolo_code app_outbox_test(struct app_ctx *cx, const struct outreach_config *conf,
                                const char *address, struct outreach_outcome *out,
                                struct prolo_err *err);

/* What a bounce or a delivery receipt did to the attempt it is about. */
enum app_receipt_effect {
	APP_RECEIPT_BOUNCED,   /* a permanent failure: the attempt is bounced, the message failed,
	                        * the address marked bad (unless changed since), contact_fix raised */
	APP_RECEIPT_DELIVERED, /* recorded on the attempt; nothing else changes */
	APP_RECEIPT_NOTED,     /* a delay or an interim state: noted on the attempt, nothing else */
	APP_RECEIPT_ALREADY,   /* the attempt was bounced before: nothing changed */
};
struct app_receipt_out {
	int64_t message_id;    /* the outbox's message */
	int n;                 /* its attempt */
	char status[16];       /* "5.1.1" (a bounce) or the receipt's status */
	int effect;            /* enum app_receipt_effect */
	bool address_kept;     /* bounced, but the contact changed after the message went out */
};
/* Reads one bounce message (core/dsn.h: an RFC 3464 report or a plain
 * bounce quoting the original headers) and applies it to the e-mail it is
 * about, found by the Message-ID prolo gave it. 5.x.x: bounced (as a
 * permanent SMTP failure: the address marked bad, a contact_fix task);
 * 4.x.x: noted only; 2.x.x: recorded as delivered. PROLO_EINVAL (field
 * bounce) for input that is not a readable bounce; PROLO_ENOTFOUND (field
 * id) for a Message-ID this registry did not send. Nothing changes on
 * error. Audited as "outbox.bounce" (message id and status only). */
enum prolo_code app_outbox_bounce(struct app_ctx *cx, const char *text, size_t len, struct app_receipt_out *out,
                                  struct prolo_err *err);
/* An SMS provider's delivery receipt (POST /api/outreach/sms-receipt).
 * secret is the configuration's sms_receipt_secret ("" or NULL: receipts
 * are refused), given the one the request carries: compared in constant
 * time, PROLO_EAUTH when they differ. id is the provider's id of the
 * message (stored when it accepted it) or reference prolo's "prolo-N"
 * (one of the two); status one of delivered, failed, undelivered,
 * rejected (bounced, as a permanent failure), expired, queued, accepted,
 * sent, buffered, unknown (noted). PROLO_EINVAL naming the field (id,
 * status); PROLO_ENOTFOUND (field id). Audited as "outbox.receipt" by
 * "sms-provider". */
struct app_sms_receipt_in {
	const char *secret;    /* what the request carried; NULL = none */
	const char *id;        /* the provider's message id; NULL = none */
	const char *reference; /* prolo's reference "prolo-N"; NULL = none */
	const char *status;
};
enum prolo_code app_sms_receipt(struct app_ctx *cx, const char *secret, const struct app_sms_receipt_in *in,
                                struct app_receipt_out *out, struct prolo_err *err);
/* Whether given is the configured secret (constant time), before anything
 * of the request is read. False with PROLO_EAUTH (field secret) when not
 * or when none is configured; a wrong one is audited as "denied". */
bool app_sms_receipt_secret_ok(struct app_ctx *cx, const char *secret, const char *given, struct prolo_err *err);
/* The reminder rhythm of a configuration (reminder_days, phone_after_days)
 * for the chart's "what next" (cx->reminders). False when reminder_days
 * is malformed (then *r holds the defaults). */
bool app_outreach_reminders(const struct outreach_config *conf, struct fu_reminders *r);

/* Internal to the follow-up use cases. Inside the caller's unit: marks
 * the address of *bad (its mobile when sms) as refused (NULL: no address
 * is marked) and raises the contact_fix task of m's time point, saying
 * why. Store codes. */
enum prolo_code app_outbox_contact_fix(struct app_ctx *cx, const struct store_omsg *m, struct store_contact *bad,
                                       bool sms, const char *why, struct prolo_err *err);
/* Internal to the follow-up use cases. The plan of the course of rows r
 * with each time point's status on cx->today (n of them). Store codes. */
enum prolo_code app_followup_points(struct app_ctx *cx, const struct course_rows *r, bool contactable,
                                    struct app_fu_point out[FU_POINTS_MAX], size_t *n, struct prolo_err *err);
/* The rows (sessions, assessments ...) of course c of patient p, to fn
 * once. Store codes. */
typedef enum prolo_code (*app_rows_fn)(void *ctx, const struct course_rows *r, struct prolo_err *err);
enum prolo_code app_course_rows(struct app_ctx *cx, const struct course *c, const struct patient *p,
                                app_rows_fn fn, void *ctx, struct prolo_err *err);
/* The patient's contact (*sc; channel none when there is none) and
 * whether the outbox may reach them (why not in *why). *rc gets a store
 * error. */
bool app_patient_contactable(struct app_ctx *cx, const char *patient_id, struct store_contact *sc,
                             const char **why, enum prolo_code *rc, struct prolo_err *err);
/* The first steps of reading a course's follow-up: the permission
 * (courses.get), the course and its patient (their clinic), the contact
 * and whether the outbox may reach the patient (why not). Codes of
 * app_load_course and the store. */
struct app_fu_course {
	struct course c;
	struct patient p;
	struct store_contact sc;
	bool contactable;
	const char *why;
};
enum prolo_code app_followup_begin(struct app_ctx *cx, const char *course_id, struct app_fu_course *fc,
                                   struct prolo_err *err);
/* The steps already taken for pt of
 * course_id (from the outbox's rows). */
enum prolo_code app_followup_sent(struct app_ctx *cx, const char *course_id, const struct fu_point *pt,
                                  struct fu_sent *s, struct prolo_err *err);

#endif
