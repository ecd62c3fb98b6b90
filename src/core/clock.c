/* clock_today and clock_now: the local calendar date and Unix time, with
 * PROLO_TODAY as the one switch that fixes the date for tests, and
 * PROLO_TIME the time of day. */
#include "core/clock.h"

#include <stdbool.h>
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

int clock_local_minute(int64_t now)
{
	const char *fixed = getenv("PROLO_TIME");
	if (fixed && strlen(fixed) == 5 && fixed[2] == ':') {
		int h = 0, m = 0;
		bool ok = true;
		for (int i = 0; i < 5; i++)
			if (i != 2 && (fixed[i] < '0' || fixed[i] > '9'))
				ok = false;
		if (ok) {
			h = (fixed[0] - '0') * 10 + (fixed[1] - '0');
			m = (fixed[3] - '0') * 10 + (fixed[4] - '0');
			if (h < 24 && m < 60)
				return h * 60 + m;
		}
	}
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}
