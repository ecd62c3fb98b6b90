/* The front desk's records in the registry: each phone call logged on a
 * course (its result and note), and the state a person gave an alert of
 * the morning list (snoozed until a day, assigned to a colleague). Part of
 * the store's door (store.h); its own header because only the follow-up
 * and alerts use cases read it. Rules (who may, which results close a
 * task) are the use cases'. */
#ifndef PROLO_STORE_CALLS_H
#define PROLO_STORE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_KEY_MAX 128 /* an alert key, KIND:YYYY-MM-DD:COURSE_ID */

enum store_call_result { CALL_REACHED, CALL_NO_ANSWER, CALL_LEFT_MESSAGE, CALL_WRONG_NUMBER,
                         CALL_DECLINED, CALL_CALL_BACK, CALL__COUNT };
/* "reached", "no_answer", "left_message", "wrong_number", "declined", "call_back" */
extern const char *const store_call_result_names[CALL__COUNT];

struct store_call {
	int64_t id;                   /* assigned by store_call_add */
	char course_id[REC_ID_MAX];
	char patient_id[REC_ID_MAX];  /* read only */
	char clinic[REC_ID_MAX];      /* read only */
	int64_t at;                   /* Unix seconds */
	int32_t day;                  /* the clinic's day of the call */
	char by[REC_NAME_MAX];        /* who called */
	int result;                   /* enum store_call_result */
	char note[REC_TEXT_MAX];      /* "" = none */
	int point_day;                /* the follow-up time point it was about; 0 = none */
	char alert_key[STORE_KEY_MAX]; /* the task it answered; "" = none */
};
/* Logs a call; c->id is set. PROLO_ENOTFOUND (field course_id). */
enum prolo_code store_call_add(struct store *st, struct store_call *c, struct prolo_err *err);
typedef enum prolo_code (*store_call_fn)(void *ctx, const struct store_call *c, struct prolo_err *err);
/* The calls of course_id (NULL = any) of clinic (NULL = any), newest
 * first, at most limit (0 = all). */
enum prolo_code store_call_scan(struct store *st, const char *course_id, const char *clinic, int limit,
                                store_call_fn fn, void *ctx, struct prolo_err *err);

struct store_alert_state {
	char key[STORE_KEY_MAX];
	char course_id[REC_ID_MAX];
	int32_t snoozed_until;        /* DOM_DATE_NONE = not snoozed */
	char snoozed_by[REC_NAME_MAX];
	char assigned_to[REC_ID_MAX]; /* a user's name; "" = nobody */
	char assigned_by[REC_NAME_MAX];
	int64_t updated_at;
};
/* PROLO_ENOTFOUND (field key) when the alert has no state. */
enum prolo_code store_alert_state_get(struct store *st, const char *key, struct store_alert_state *out,
                                      struct prolo_err *err);
/* Writes (inserts or replaces) the state of s->key. PROLO_ENOTFOUND
 * (field key) when the course does not exist. */
enum prolo_code store_alert_state_put(struct store *st, const struct store_alert_state *s,
                                      struct prolo_err *err);

/* The SQL of the migration that creates the tables (store_migrations). */
extern const char store_calls_migration_sql[];

#endif
