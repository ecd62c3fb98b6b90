/* clock_today and clock_now: the local calendar date and Unix time, with
 * PROLO_TODAY as the one switch that fixes the date for tests. */
#include "core/clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/domain.h"

int32_t clock_today(void)
{
	const char *fixed = getenv("PROLO_TODAY");
	int32_t d;
	if (fixed && dom_date_parse(fixed, strlen(fixed), &d))
		return d;
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return dom_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}
