/* Planning a course: fill the plan from a protocol, compute the session
 * schedule, and check the patient's contraindications, some of which block
 * and some warn. A block is lifted only by a recorded override (reason and
 * clinician), which stays on the course and in its history. The rules are
 * pure (plan_check, plan_schedule); plan_course is the one use case the CLI
 * and the HTTP API both call. docs/protocols.md lists the rules. */
#ifndef PROLO_PLAN_H
#define PROLO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/records.h"
#include "registry/protocol.h"
#include "store/store.h"

enum plan_severity { PLAN_WARN, PLAN_BLOCK };

struct plan_finding {
	enum plan_severity severity;
	int contraindication;  /* enum contraindication behind it */
	char rule[40];         /* stable id, e.g. "anticoagulants_spinal" */
	char message[256];     /* one sentence for the clinician */
};

#define PLAN_FINDINGS_MAX 16
#define PLAN_SESSIONS_MAX 50

struct plan_findings {
	struct plan_finding items[PLAN_FINDINGS_MAX]; /* blocks first, then warnings */
	size_t n;
	int n_blocks, n_warnings;
	bool overridden;                 /* blocks were overridden (course has a reason) */
	char protocol[PROTO_NAME_MAX];   /* protocol applied; "" if none */
	/* the schedule: planned date of each session, from start_date */
	int n_sessions;
	int32_t session_date[PLAN_SESSIONS_MAX];
	int window_days;                 /* each date may move +/- this */
};

/* True for the spinal conditions (low_back_pain, neck_pain), where
 * anticoagulants and bleeding disorders block. Cannot fail. */
bool plan_is_spinal(const char *condition);

/* The contraindication rules: appends a finding for each of the patient's
 * flags that matters for the course's modality and condition (blocks
 * first). Resets out's findings, leaves its schedule alone. Pure; cannot
 * fail. */
void plan_check(const struct patient *p, const struct course *c, struct plan_findings *out);

/* Session dates start_date + i * interval_days for the planned sessions
 * (at most PLAN_SESSIONS_MAX); none when the interval is unknown. Pure;
 * cannot fail. */
void plan_schedule(const struct course *c, int window_days, struct plan_findings *out);

/* Fills the course's missing plan fields from the protocol (modality,
 * condition unless "*", planned_sessions, interval_days; protocol name).
 * Values the caller gave win. PROLO_EINVAL (field "protocol") when the
 * protocol is for another modality or condition. Pure. */
enum prolo_code plan_apply_protocol(struct course *c, const struct protocol *p,
                                    struct prolo_err *err);

/* Plans and records a course, inside the caller's transaction:
 *  1. protocol_name (NULL/"" = none; "auto" = protocol_select by modality,
 *     condition and *pc) fills the plan from lib;
 *  2. a missing status becomes "planned"; the record is checked;
 *  3. the patient's contraindications are checked (plan_check);
 *  4. the course is added through registry_add (history "planned", and
 *     "override" when overridden) and each finding is written to the
 *     course history as "contraindication";
 *  5. *out gets the findings and the schedule (also on a block, so the
 *     caller can show them).
 * Errors, with nothing written: PROLO_ENOTFOUND (field "protocol" for an
 * unknown protocol, "patient_id" for an unknown patient); PROLO_ECONFLICT
 * (field "contraindications") when a rule blocks and the course has no
 * override_reason/override_by; PROLO_EINVAL (field "override_reason") for
 * an override when nothing blocks; otherwise the codes of registry_add. */
enum prolo_code plan_course(struct store *st, struct course *c, const char *protocol_name,
                            const struct protocol_lib *lib, struct plan_findings *out,
                            struct prolo_err *err);
/* plan_course with what is known of severity and history for "auto"
 * (pc may be NULL: unknown). */
enum prolo_code plan_course_case(struct store *st, struct course *c, const char *protocol_name,
                                 const struct protocol_lib *lib, const struct protocol_case *pc,
                                 struct plan_findings *out, struct prolo_err *err);

/* Findings and schedule as a new JSON object (caller json_decref()s it):
 * {"protocol":"..." or null, "overridden":bool,
 *  "blocks":[{"rule","contraindication","message"}], "warnings":[...],
 *  "window_days":n, "sessions":[{"session_no":1,"date":"YYYY-MM-DD"}]}.
 * NULL only when out of memory. */
json_t *plan_findings_to_json(const struct plan_findings *f);

#endif
