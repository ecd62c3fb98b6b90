/* The follow-up plan of a course and the state of each of its time points.
 * Pure: rows and a date in, plan and status out; no I/O. The outbox
 * (src/app/outbox.c) reads the registry, asks these rules what to do for
 * each time point, and does it. docs/followup.md gives the rules in words
 * and their sources. */
#ifndef PROLO_FOLLOWUP_H
#define PROLO_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/protocol.h"

#define FU_POINTS_MAX PROTO_FOLLOWUPS_MAX
#define FU_REMINDERS_MAX 4

/* One time point after the start of a course. */
struct fu_point {
	int32_t offset_days;  /* days after the course's start date, > 0 */
	int32_t due;          /* start + offset: the invitation goes out this day */
	int32_t window_start; /* an answer dated in [window_start, window_end] counts */
	int32_t window_end;   /* the last day; the link expires at its end */
	uint32_t instruments; /* bit (1 << enum instrument); NRS always */
};

struct fu_plan {
	struct fu_point pts[FU_POINTS_MAX];
	size_t n;
	bool from_protocol;   /* false: the defaults (3, 6, 12 months) */
};

/* Default rhythm when a course has no protocol (or one without follow-up
 * after the start): 3, 6 and 12 months, +/- the default window. */
#define FU_DEFAULT_OFFSETS { 91, 182, 365 }
#define FU_DEFAULT_WINDOW_DAYS 14

/* The instruments of a condition: NRS always; ODI for low back pain, NDI
 * for neck pain, WOMAC for knee OA, QuickDASH for tendinopathy (upper
 * limb); NRS alone otherwise. Cannot fail. */
uint32_t followup_default_instruments(const char *condition);

/* The plan of a course started on start_date for condition: the follow-up
 * points of protocol p (may be NULL) that lie after the start (offset > 0),
 * each with NRS added, else the defaults. The plan does not depend on how
 * or whether the course ended. Cannot fail. */
void followup_plan(const struct protocol *p, const char *condition, int32_t start_date,
                   struct fu_plan *out);

/* The point of a plan that stands for `months` months after the start
 * (the report's 3, 6 and 12 months): among the points whose offset,
 * counted in months of 365.25 / 12 days and rounded (halves up), is
 * `months`, the one nearest to months * 365.25 / 12 days, the earlier of
 * two as near. Its index in pl->pts, or -1 when the plan has none.
 * docs/report.md "Outcomes at time points". Cannot fail. */
int followup_point_at_months(const struct fu_plan *pl, int months);

/* The instruments of pt answered in its window, from a course's
 * assessments (dates and instruments, n of them). Cannot fail. */
uint32_t followup_answered(const struct fu_point *pt, const int32_t *out_date,
                           const uint8_t *out_instrument, size_t n);

enum fu_status { FU_UPCOMING, FU_INVITED, FU_REMINDED, FU_ANSWERED, FU_MISSED,
                 FU_NOT_CONTACTABLE, FU__COUNT };
/* "upcoming", "invited", "reminded", "answered", "missed", "not_contactable" */
extern const char *const fu_status_names[FU__COUNT];

/* What was already done for a time point (from the outbox's rows). */
struct fu_sent {
	int steps;            /* messages queued or sent: 0 none, 1 the invitation,
	                       * 1 + k with k reminders */
	int32_t invited_on;   /* the invitation's date; DOM_DATE_NONE if none */
	int32_t last_on;      /* the last step's date; DOM_DATE_NONE if none */
};

/* The reminder rule: reminder k (1-based) goes out days[k-1] days after
 * the invitation; a phone task follows phone_after_days after the last
 * reminder. Defaults: 3 and 7 days, then 3. */
struct fu_reminders {
	int n;
	int days[FU_REMINDERS_MAX];  /* increasing, 1..90 */
	int phone_after_days;        /* 0..90 */
};
void followup_reminders_default(struct fu_reminders *r);

/* A time point's status on day today. contactable: the patient may be
 * reached by machine (consent given, a channel, a good address). Answered
 * wins, then missed (window passed), then not contactable, then reminded,
 * invited, upcoming. Cannot fail. */
enum fu_status followup_status(const struct fu_point *pt, uint32_t answered, bool contactable,
                               const struct fu_sent *s, int32_t today);

enum fu_action { FU_NOTHING, FU_SEND, FU_PHONE_TASK };
/* What to do for a time point today: FU_SEND with *step = the next step
 * (0 = invitation, k = reminder k), FU_PHONE_TASK (the patient cannot be
 * reached by machine, or the last reminder went unanswered), or nothing.
 * The caller keeps both idempotent (one message per step, one task per
 * time point). Cannot fail. */
enum fu_action followup_next(const struct fu_point *pt, uint32_t answered, bool contactable,
                             const struct fu_sent *s, const struct fu_reminders *r, int32_t today,
                             int *step);

/* What happens next for a time point, and on which day (*day, never
 * before today): nothing (answered, or the window has passed); the
 * invitation (on the due day); reminder *step (its day after the
 * invitation); or a call by the front desk (the patient cannot be reached
 * by machine, or the reminders went unanswered; a reminder that would
 * fall after the window becomes a call). The same rules as followup_next,
 * looking ahead instead of at today. Cannot fail. */
enum fu_next { FU_NEXT_NONE, FU_NEXT_INVITE, FU_NEXT_REMIND, FU_NEXT_CALL, FU_NEXT__COUNT };
/* "none", "invite", "remind", "call" */
extern const char *const fu_next_names[FU_NEXT__COUNT];
enum fu_next followup_next_step(const struct fu_point *pt, uint32_t answered, bool contactable,
                                const struct fu_sent *s, const struct fu_reminders *r, int32_t today,
                                int32_t *day, int *step);

/* Parses "3,7" (increasing days, at most FU_REMINDERS_MAX) into r->days
 * and r->n; "" or "none" means no reminders. False when malformed. */
bool followup_reminders_parse(const char *s, struct fu_reminders *r);

#endif
