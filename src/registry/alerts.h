/* The morning list: who is due, overdue, silent, slow to improve, or has a
 * side effect that needs a call. The rules are pure (alerts_rules over
 * course rows, the protocol library and a date) so they are tested with
 * plain arrays; alerts_compute reads the registry and drops acknowledged
 * alerts; alerts_ack records an acknowledgement. Every alert has a stable
 * key "KIND:YYYY-MM-DD:COURSE_ID" (the date is the alert's due date), so an
 * acknowledged alert stays away until something new happens, which makes a
 * new key. docs/alerts.md gives the rules in words.
 *
 * Stable interface (the CLI and GET /api/alerts, POST /api/alerts/ack):
 * alerts_compute, alerts_ack, alerts_to_json, alert_list_free. */
#ifndef PROLO_ALERTS_H
#define PROLO_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/course_rows.h"
#include "core/err.h"
#include "core/records.h"
#include "registry/protocol.h"
#include "store/store.h"

enum alert_kind { ALERT_SESSION_DUE, ALERT_SESSION_OVERDUE, ALERT_QUESTIONNAIRE_DUE,
                  ALERT_SILENT, ALERT_SLOW_PROGRESS, ALERT_PROLONGED_SIDE_EFFECT,
                  ALERT_INFECTION, ALERT_SERIOUS_AE,
                  /* phone tasks the follow-up outbox raised (docs/followup.md) */
                  ALERT_FOLLOWUP_UNANSWERED, ALERT_CONTACT_FIX,
                  /* a contraindication recorded after the course was planned */
                  ALERT_CONTRAINDICATION_ADDED, ALERT__COUNT };
/* "session_due", ..., "serious_adverse_event" */
extern const char *const alert_kind_names[ALERT__COUNT];

#define ALERT_KEY_MAX 96
/* Adverse events older than this (onset) no longer raise alerts: the
 * 16 weeks an injection-site infection is watched for. */
#define ALERT_AE_LOOKBACK_DAYS 112
/* A course silent for longer than this past its missed contact has left the
 * morning list: by then it is lost, and the report counts it as such. */
#define ALERT_SILENT_HORIZON_DAYS 182
/* This many no-shows in a row (bookings missed with no contact since)
 * make a course silent at once. */
#define ALERT_NOSHOWS_SILENT 2
/* Soreness or stiffness lasting longer than this is flagged. */
#define ALERT_EXPECTED_SORENESS_DAYS 4

struct alert {
	enum alert_kind kind;
	bool urgent;                    /* infection, serious adverse event */
	char key[ALERT_KEY_MAX];        /* "KIND:YYYY-MM-DD:COURSE_ID" */
	char patient_id[REC_ID_MAX];
	char course_id[REC_ID_MAX];
	char clinic[REC_ID_MAX];
	int32_t due;                    /* days; the date the alert is about */
	char reason[512];               /* one or two sentences for a person */
	int session_no;                 /* session_due/_overdue: which; else 0 */
	uint32_t instruments;           /* questionnaire_due: bit (1 << enum instrument) */
	int comparable_slow;            /* slow_progress: comparable courses as slow; else -1 */
	int comparable_responded;       /* ... of which responded by their end; else -1 */
	/* Set by the alerts use case (app/alerts.c) for the front desk, not
	 * by the rules (zero from them): */
	bool call;                      /* the reason says to call the patient */
	char name[2 * REC_NAME_MAX];    /* when call: the patient's name */
	char phone[REC_NAME_MAX];       /* when call: the number to ring ("" = none known) */
	char assigned_to[REC_ID_MAX];   /* the colleague it is assigned to; "" = nobody */
	bool snoozed;                   /* listed although snoozed ... */
	int32_t snoozed_until;          /* ... until this day (it is back on the list then) */
};

/* True when an alert of this kind asks someone to phone the patient
 * (silent, overdue, a long side effect, the follow-up's phone tasks).
 * Cannot fail. */
bool alert_says_call(enum alert_kind kind);

struct alert_list {
	struct alert *items;            /* sorted: urgent first, then due, kind, course */
	size_t n, cap;
};

/* Frees the items; a zeroed list is a no-op. */
void alert_list_free(struct alert_list *l);

/* The rules. courses[0..n) are every course of one clinic (or of all
 * clinics): comparables for slow_progress are looked up among them. A
 * course's protocol (by name in lib, may be NULL) gives its window,
 * follow-up schedule and review rule; without one the defaults of
 * docs/alerts.md apply. Appends to *out and sorts it. PROLO_ENOMEM only. */
enum prolo_code alerts_rules(const struct course_rows *const *courses, size_t n,
                             const struct protocol_lib *lib, int32_t today,
                             struct alert_list *out, struct prolo_err *err);

/* Sorts l as alerts_rules leaves it: urgent first, then by due date, kind
 * and key. Cannot fail. */
void alerts_sort(struct alert_list *l);

/* Reads the registry (clinic NULL = all clinics), applies alerts_rules and
 * leaves out the acknowledged alerts. Read-only. PROLO_OK and *out filled
 * (free with alert_list_free); PROLO_EDB / PROLO_ENOMEM with *out empty. */
enum prolo_code alerts_compute(struct store *st, int32_t today, const char *clinic,
                               const struct protocol_lib *lib, struct alert_list *out,
                               struct prolo_err *err);

/* Records that `by` acknowledged the alert `key` (with an optional note),
 * inside the caller's transaction. PROLO_EINVAL (field "key") for a key
 * that is not KIND:YYYY-MM-DD:COURSE_ID, (field "by") for a missing or too
 * long name, (field "note") for a too long note; PROLO_ENOTFOUND (field
 * "key") when the course does not exist; PROLO_ECONFLICT (field "key")
 * when it was already acknowledged. Nothing is written on error. */
enum prolo_code alerts_ack(struct store *st, const char *key, const char *by, const char *note,
                           struct prolo_err *err);

/* The list as a new JSON array (caller json_decref()s it). Each object has
 * key, kind, urgent, patient_id, course_id, clinic, due ("YYYY-MM-DD" or
 * null), reason; plus session_no (session alerts), instruments (array of
 * names; questionnaire_due) and comparable {"slow":n,"responded":k}
 * (slow_progress). NULL only when out of memory. */
json_t *alerts_to_json(const struct alert_list *l);

#endif
