/* Follow-up outreach in the registry: a patient's contact details and
 * consent, the outbox's messages (one per course, time point and step),
 * every attempt to send one, and the phone tasks the outbox raises for
 * the morning list. Part of the store's door (store.h); its own header
 * because only the follow-up use cases and the alerts read it. Rules
 * (who may be contacted, when, what) are the use cases'. */
#ifndef PROLO_STORE_OUTREACH_H
#define PROLO_STORE_OUTREACH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/contact.h"
#include "store/store.h"

struct store_contact {
	char patient_id[REC_ID_MAX];
	char email[CONTACT_EMAIL_MAX];   /* "" = none */
	char mobile[CONTACT_MOBILE_MAX]; /* "" = none */
	int channel;                     /* enum contact_channel */
	int consent;                     /* enum contact_consent */
	int32_t consent_date;            /* DOM_DATE_NONE = none */
	char consent_by[REC_NAME_MAX];
	char consent_how[REC_NAME_MAX];
	bool email_bad, mobile_bad;      /* a permanent failure was seen */
	int64_t updated_at;
};
/* Writes (inserts or replaces) the contact of c->patient_id.
 * PROLO_ENOTFOUND (field patient_id). */
enum prolo_code store_contact_put(struct store *st, const struct store_contact *c, struct prolo_err *err);
/* PROLO_ENOTFOUND (field patient_id) when the patient has none. */
enum prolo_code store_contact_get(struct store *st, const char *patient_id, struct store_contact *out,
                                  struct prolo_err *err);
typedef enum prolo_code (*store_contact_fn)(void *ctx, const struct store_contact *c, struct prolo_err *err);
/* Every contact, by patient id, to fn (which must not use the store); a
 * non-OK return of fn stops the scan. PROLO_EDB. */
enum prolo_code store_contact_scan(struct store *st, store_contact_fn fn, void *ctx, struct prolo_err *err);

enum store_omsg_state { OM_QUEUED, OM_SENDING, OM_SENT, OM_FAILED, OM_UNKNOWN, OM_CANCELLED,
                        OM__COUNT };
/* "queued", "sending", "sent", "failed", "unknown", "cancelled" */
extern const char *const store_omsg_state_names[OM__COUNT];

struct store_omsg {
	int64_t id;                  /* assigned by store_omsg_add */
	char course_id[REC_ID_MAX];
	char patient_id[REC_ID_MAX]; /* read only */
	int point_day;               /* the time point's offset in days */
	int step;                    /* 0 invitation, k reminder k */
	int32_t due, window_end;
	uint32_t instruments;        /* the ones asked for */
	int channel;                 /* enum contact_channel */
	int state;                   /* enum store_omsg_state */
	int tries;
	int64_t next_try;            /* Unix seconds */
	int64_t created_at;
	int32_t created_on;          /* the day it was queued */
};
/* Queues a message; m->id is set. PROLO_ECONFLICT when this course, time
 * point and step already has one (a step is never queued twice). */
enum prolo_code store_omsg_add(struct store *st, struct store_omsg *m, struct prolo_err *err);
/* PROLO_ENOTFOUND (field id). */
enum prolo_code store_omsg_get(struct store *st, int64_t id, struct store_omsg *out, struct prolo_err *err);
/* Sets state, tries and next_try of message id. PROLO_ENOTFOUND. */
enum prolo_code store_omsg_set(struct store *st, int64_t id, int state, int tries, int64_t next_try,
                               struct prolo_err *err);
struct store_omsg_filter {
	const char *course_id;  /* NULL = any */
	int state;              /* -1 = any */
	int64_t ready_at;       /* > 0: only next_try <= this */
	int limit;              /* 0 = none */
	bool undelivered;       /* only 'failed' and 'unknown' ones */
};
typedef enum prolo_code (*store_omsg_fn)(void *ctx, const struct store_omsg *m, struct prolo_err *err);
/* By id (the order they were queued). */
enum prolo_code store_omsg_scan(struct store *st, const struct store_omsg_filter *f, store_omsg_fn fn,
                                void *ctx, struct prolo_err *err);

enum store_oresult { OR_SENDING, OR_ACCEPTED, OR_TEMPORARY, OR_PERMANENT, OR_BOUNCED, OR_UNKNOWN,
                     OR__COUNT };
/* "sending", "accepted", "temporary_failure", "permanent_failure", "bounced", "unknown" */
extern const char *const store_oresult_names[OR__COUNT];

#define STORE_MSGID_MAX 251
struct store_oattempt {
	int64_t message_id;
	int n;                       /* 1, 2, ... per message */
	int channel;
	int64_t at;
	int result;                  /* enum store_oresult */
	char reply[256];             /* the server's reply or the error, "" if none */
	int64_t next_try;            /* 0 = none */
	unsigned char optout_hash[STORE_HASH_LEN]; /* hash of the message's opt-out token */
	char msgid[STORE_MSGID_MAX]; /* e-mail: the Message-ID sent (without <>), "" = none */
	char provider_id[STORE_MSGID_MAX]; /* SMS: the provider's id of the message, "" = none */
	char receipt[128];           /* the last bounce or receipt read, in words; "" = none */
	int64_t receipt_at;          /* when it was read, 0 = none */
};
/* Records a new attempt (msgid kept when not ""). PROLO_EDB (also for a
 * msgid already used). */
enum prolo_code store_oattempt_add(struct store *st, const struct store_oattempt *a, struct prolo_err *err);
/* Sets result, reply and next_try of attempt (message_id, n), and its
 * provider_id when that is neither NULL nor "". */
enum prolo_code store_oattempt_settle(struct store *st, int64_t message_id, int n, int result,
                                      const char *reply, int64_t next_try, const char *provider_id,
                                      struct prolo_err *err);
/* The attempt that sent the e-mail with Message-ID ref (by_msgid), or the
 * SMS the provider knows as ref (the latest such attempt). PROLO_ENOTFOUND
 * (field id). */
enum prolo_code store_oattempt_find(struct store *st, bool by_msgid, const char *ref, struct store_oattempt *out,
                                    struct prolo_err *err);
/* Notes a bounce or receipt on attempt (message_id, n): receipt and
 * receipt_at, and result unless it is -1. PROLO_ENOTFOUND (field id). */
enum prolo_code store_oattempt_receipt(struct store *st, int64_t message_id, int n, int result,
                                       const char *receipt, int64_t at, struct prolo_err *err);
typedef enum prolo_code (*store_oattempt_fn)(void *ctx, const struct store_oattempt *a,
                                             struct prolo_err *err);
enum prolo_code store_oattempt_scan(struct store *st, int64_t message_id, store_oattempt_fn fn, void *ctx,
                                    struct prolo_err *err);
/* How many attempts started at or after since (the rate limit across
 * runs). PROLO_EDB. */
enum prolo_code store_oattempt_count_since(struct store *st, int64_t since, int64_t *n, struct prolo_err *err);
/* The patient of the message whose opt-out token hashes to h.
 * PROLO_ENOTFOUND (field token). */
enum prolo_code store_optout_find(struct store *st, const unsigned char *h, char patient_id[REC_ID_MAX],
                                  struct prolo_err *err);

enum store_otask_kind { OT_FOLLOWUP_UNANSWERED, OT_CONTACT_FIX, OT__COUNT };
extern const char *const store_otask_kind_names[OT__COUNT];
struct store_otask {
	char course_id[REC_ID_MAX];
	char patient_id[REC_ID_MAX]; /* read only */
	char clinic[REC_ID_MAX];     /* read only */
	int kind;                    /* enum store_otask_kind */
	int point_day;
	int32_t due;
	char detail[200];            /* no patient data: why, in words */
};
/* Raises a task; one per course, kind and time point (a second is not an
 * error and changes nothing). */
enum prolo_code store_otask_add(struct store *st, const struct store_otask *t, struct prolo_err *err);
typedef enum prolo_code (*store_otask_fn)(void *ctx, const struct store_otask *t, struct prolo_err *err);
/* Tasks of clinic (NULL = all) due on or before day. */
enum prolo_code store_otask_scan(struct store *st, const char *clinic, int32_t day, store_otask_fn fn,
                                 void *ctx, struct prolo_err *err);

/* The outbox lease: at most one row, naming the process that runs the
 * outbox of this registry and until when (Unix seconds). */
struct store_olease {
	char holder[96];   /* "HOST pid PID #RANDOM": unique per process */
	char host[64];
	int pid;
	int64_t since, expires_at;
};
/* Takes the lease for l->holder until l->expires_at, or renews it, when
 * there is none, it is l->holder's already, it expired (expires_at <= now),
 * or its holder is stale_holder (non-NULL: a holder known to be dead).
 * *got says whether l->holder holds it now; *cur gets the row as it is
 * after the attempt (zeroed when none). PROLO_EDB. */
enum prolo_code store_olease_take(struct store *st, const struct store_olease *l, int64_t now,
                                  const char *stale_holder, bool *got, struct store_olease *cur,
                                  struct prolo_err *err);
/* Reads the lease; *found false when nobody holds one. PROLO_EDB. */
enum prolo_code store_olease_get(struct store *st, struct store_olease *cur, bool *found,
                                 struct prolo_err *err);
/* Gives the lease up if holder holds it (else nothing). PROLO_EDB. */
enum prolo_code store_olease_release(struct store *st, const char *holder, struct prolo_err *err);
/* Moves message id from 'queued' with tries to 'sending' with tries + 1;
 * PROLO_ECONFLICT when it is no longer so (another run took it). */
enum prolo_code store_omsg_claim(struct store *st, int64_t id, int tries, struct prolo_err *err);

/* The outbox's view of the registry: each course with a start date, its
 * patient's contact, its assessments and its outbox rows, one course at
 * a time in course key order (four sequential reads merged, so a pass over
 * a large registry costs about as much as reading those rows). */
struct store_fu_msg {
	int64_t id;
	int point_day, step, state, tries; /* state: enum store_omsg_state */
	int64_t next_try;
	int32_t created_on;
};
struct store_fu_course {
	const char *course_id, *patient_id, *condition_name, *protocol; /* protocol "" = none */
	int32_t start_date;
	bool have_contact;
	struct store_contact contact;        /* valid when have_contact (patient_id, consent_by/how, dates not read) */
	size_t n_outcomes;                   /* scored assessments, by date then instrument */
	const int32_t *out_date;
	const uint8_t *out_instrument;
	size_t n_msgs;                       /* by time point, then step */
	const struct store_fu_msg *msgs;
	size_t n_tasks;                      /* phone tasks raised already */
	const int *task_kind, *task_point_day;
};
typedef enum prolo_code (*store_fu_fn)(void *ctx, const struct store_fu_course *c, struct prolo_err *err);
/* Calls fn for every course that is not voided (valid during the call;
 * fn must not use the store). A non-OK return of fn stops the scan.
 * PROLO_EDB, PROLO_ENOMEM. */
enum prolo_code store_scan_followup(struct store *st, store_fu_fn fn, void *ctx, struct prolo_err *err);

/* The SQL of the migrations that create the tables (store_migrations). */
/* What the outbox did for each step of a course's time points, read in
 * course-key order beside store_scan_courses (the report's invitation
 * funnel; store_ostep.c). */
struct store_ostep {
	int point_day;               /* the time point's offset in days */
	int step;                    /* 0 invitation, k reminder k */
	int channel;                 /* enum contact_channel */
	bool attempted;              /* an attempt to send it was recorded */
	bool accepted;               /* an attempt was accepted by the server */
};
struct store_ostep_cursor;
/* Opens a cursor over every message (PROLO_EDB; *out NULL then). */
enum prolo_code store_ostep_open(struct store *st, struct store_ostep_cursor **out, struct prolo_err *err);
typedef void (*store_ostep_fn)(void *ctx, const struct store_ostep *s);
/* Calls fn for each message of the course with key course_key (course_rows'
 * course_key), by time point and step, skipping those of smaller keys:
 * call it with ascending keys. PROLO_EDB. */
enum prolo_code store_ostep_course(struct store_ostep_cursor *c, int64_t course_key, store_ostep_fn fn,
                                   void *ctx, struct prolo_err *err);
/* NULL is a no-op. */
void store_ostep_close(struct store_ostep_cursor *c);

/* The SQL of the migration that creates the tables (store_migrations). */
extern const char store_outreach_migration_sql[];
extern const char store_olease_migration_sql[];
extern const char store_receipts_migration_sql[];

#endif
