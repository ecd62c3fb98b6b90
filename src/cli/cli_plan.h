/* Helpers shared by the planning commands (protocol, course add with a
 * plan, alerts, schedule, patient report): --today, --protocols, and the
 * planning hook that "course add" calls. */
#ifndef PROLO_CLI_PLAN_H
#define PROLO_CLI_PLAN_H

#include <stdint.h>

#include "cli/cli.h"
#include "core/records.h"
#include "registry/protocol.h"

/* Options of "course add" that are not course fields. */
struct cli_plan_opts {
	const char *protocols; /* --protocols FILE; NULL = default search */
	int baseline_nrs;      /* --baseline-nrs 0..10 for --protocol auto; -1 */
	int pain_months;       /* --pain-months N for --protocol auto; -1 */
};

/* The values of --protocols, --baseline-nrs, --pain-months (NULL = not
 * given) into po. Returns 0, or an exit status after printing the error. */
int cli_plan_values(struct cli_ctx *ctx, const char *protocols, const char *baseline_nrs,
                    const char *pain_months, struct cli_plan_opts *po);

/* Plans and adds a course (plan_course) in one transaction and prints the
 * course with its findings and schedule. Returns an exit status. */
int cli_course_add_planned(struct cli_ctx *ctx, struct course *c, const struct cli_plan_opts *po);

/* The value of --today (NULL = not given: the clock's date). Returns 0, or
 * 2 after printing when it is not a date. */
int cli_today_value(struct cli_ctx *ctx, const char *value, int32_t *today);

/* Loads the protocol library from path (NULL = default search). When
 * required is false a missing default file leaves *lib empty and returns 0.
 * Returns 0 or an exit status after printing. */
int cli_plan_protocols(struct cli_ctx *ctx, const char *path, bool required, struct protocol_lib *lib);

#endif
