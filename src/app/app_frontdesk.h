/* The front desk's use cases: phone calls logged on a course, alerts
 * snoozed or assigned to a colleague, the follow-up timeline of a course,
 * the work list of the outbox (failed deliveries, patients to call) and
 * the drop-outs still to be reached. Same context and steps as app/app.h;
 * docs/followup.md ("The front desk") describes them. */
#ifndef PROLO_APP_FRONTDESK_H
#define PROLO_APP_FRONTDESK_H

#include "app/app.h"
#include "store/store_calls.h"
#include "store/store_outreach.h"

struct json_t;

/* ---- calls (app/calls.c) ------------------------------------------------ */

/* The latest follow-up time point a call may name, in days. */
#define CALL_POINT_DAY_MAX 36500

struct app_call_in {
	const char *course_id;
	const char *result;     /* a store_call_result_names name */
	const char *note;       /* NULL = none; at most 1,000 bytes */
	const char *alert_key;  /* the task the call answers; NULL = none */
	int point_day;          /* the follow-up time point (offset in days,
	                         * 1..CALL_POINT_DAY_MAX); APP_INT_NONE = none */
	const char *by;         /* who called: only an actor recording on behalf of
	                         * others names someone; NULL = the actor */
};
/* Logs a call on a course. A call that settles its task (reached,
 * wrong_number, declined) acknowledges the alert it names. PROLO_EINVAL
 * naming the field (result, note, point_day, alert_key, by), PROLO_ENOTFOUND
 * (course_id), PROLO_EPERM. Audited as "call.add" (the result, no note). */
enum prolo_code app_call_add(struct app_ctx *cx, const struct app_call_in *in, struct store_call *out,
                             struct prolo_err *err);
/* The calls of course_id (NULL = every course of the actor's clinic),
 * newest first, at most limit (app_list_limit: APP_INT_NONE = the default;
 * PROLO_EINVAL field limit out of 1..APP_LIST_MAX). Audited as "call.list". */
enum prolo_code app_call_list(struct app_ctx *cx, const char *course_id, int limit, store_call_fn fn,
                              void *ctx, struct prolo_err *err);
/* True when a call with this result settles the task it answers. */
bool app_call_settles(int result);

/* ---- snoozing and assigning alerts (app/alerts.c) ------------------------ */

/* Snoozes the alert key (raised on today's list) until the day until (after
 * today, within a year): it leaves the morning list and comes back that
 * day. PROLO_EINVAL (key, until), PROLO_ENOTFOUND (key). Audited as
 * "alert.snooze". */
enum prolo_code app_alert_snooze(struct app_ctx *cx, const char *key, int32_t until, struct prolo_err *err);
/* Assigns the alert key (raised on today's list) to the user named to
 * ("" = nobody): an active account that may see the morning list of the
 * course's clinic. PROLO_EINVAL (key, to), PROLO_ENOTFOUND (key).
 * Audited as "alert.assign". */
enum prolo_code app_alert_assign(struct app_ctx *cx, const char *key, const char *to, struct prolo_err *err);
/* The course id part of a well-formed alert key KIND:YYYY-MM-DD:COURSE_ID
 * (a known kind, a valid date and id), else NULL. Cannot fail. */
const char *app_alert_key_course(const char *key);
/* The colleagues the actor may assign alerts to (the actor's clinic, or
 * every clinic for one bound to none), to fn. */
enum prolo_code app_alert_assignees(struct app_ctx *cx, store_user_fn fn, void *ctx, struct prolo_err *err);
/* The morning list as app_alerts_list, annotated for the front desk
 * (name and phone where the alert says to call, the assignee); snoozed
 * alerts are left out unless with_snoozed (then marked). */
enum prolo_code app_alerts_desk(struct app_ctx *cx, int32_t day, const char *clinic, bool with_snoozed,
                                struct alert_list *out, struct prolo_err *err);

/* ---- follow-up views (app/frontdesk.c) ----------------------------------- */

/* A course's follow-up timeline: each time point with its window,
 * instruments, status, the messages sent with their attempts, the answers
 * in its window and what happens next; the patient's contact state and the
 * calls logged on the course. *out: see docs/api.md (GET
 * /api/courses/{id}/followup). Audited as "followup.read". */
enum prolo_code app_followup_timeline(struct app_ctx *cx, const char *course_id, struct json_t **out,
                                      struct prolo_err *err);
/* The front desk's follow-up work list on day: the phone tasks of the
 * follow-up (to call, with name, phone and the last call) and the
 * messages that could not be delivered (with the last attempt's reply).
 * Audited as "followup.desk". */
enum prolo_code app_followup_desk(struct app_ctx *cx, int32_t day, struct json_t **out, struct prolo_err *err);
/* The drop-outs still to be reached: courses that ended as a drop-out
 * (dropped, stopped) with a follow-up time point neither answered nor
 * missed, with the patient's name, phone, the pending points and what
 * happens next. Audited as "followup.dropouts". */
enum prolo_code app_followup_dropouts(struct app_ctx *cx, struct json_t **out, struct prolo_err *err);
/* The day the patient of questionnaire link q will next hear from the
 * clinic: the due day of the course's first follow-up time point after
 * today (DOM_DATE_NONE when none is left). No permission: the link is the
 * authority. Store codes. */
enum prolo_code app_qlink_next_contact(struct app_ctx *cx, const struct store_qlink *q, int32_t *day,
                                       struct prolo_err *err);

/* ---- internal to the front desk's use cases ------------------------------ */

/* A patient's contact details as JSON, with whether the outbox may
 * contact them and why not (docs/api.md). NULL on no memory. */
struct json_t *app_contact_json(const struct store_contact *c);
/* A call as JSON (docs/api.md). NULL on no memory. */
struct json_t *app_call_json(const struct store_call *c);
/* The follow-up plan of course c (its protocol's, else the defaults). */
struct fu_plan;
void app_course_plan(const struct app_ctx *cx, const struct course *c, struct fu_plan *pl);
/* A patient as the front desk reaches them: the record, the contact
 * (channel none when there is none), whether the outbox may contact them,
 * "First Last" and the number to ring (the record's phone, else the
 * contact's mobile). No permission check (the caller made it). Store codes;
 * PROLO_ENOTFOUND. */
struct app_reach {
	struct patient p;
	struct store_contact sc;
	bool contactable;
	char name[2 * REC_NAME_MAX];
	char phone[REC_NAME_MAX];
};
enum prolo_code app_patient_reach(struct app_ctx *cx, const char *patient_id, struct app_reach *r,
                                  struct prolo_err *err);

#endif
