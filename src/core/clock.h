/* The one clock of prolo: today's date and the time now. Every "today" in
 * the program comes from here (through the use-case context), so a test or
 * a demo fixes the date everywhere at once with PROLO_TODAY=YYYY-MM-DD. */
#ifndef PROLO_CLOCK_H
#define PROLO_CLOCK_H

#include <stdint.h>

/* Today's local date as days since 1970-01-01, or PROLO_TODAY's date when
 * that is set to a valid YYYY-MM-DD (an invalid value is ignored). Cannot
 * fail. */
int32_t clock_today(void);
/* Unix seconds now. Cannot fail. */
int64_t clock_now(void);

/* The local time of day of Unix time now, in minutes after midnight
 * (0..1439), or PROLO_TIME's when that is set to a valid HH:MM (tests fix
 * the time of day with it, e.g. for quiet hours). Cannot fail. */
int clock_local_minute(int64_t now);

#endif
