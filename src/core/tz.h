/* Time zones for bookings: a clinic's IANA zone read from the system's zone
 * files (TZif, RFC 8536, with the POSIX TZ rule of their footer for instants
 * past the last listed change), and a local date and time turned into the
 * UTC instant. Read once by tz_load, then pure: no TZ variable is set and
 * nothing process-wide changes, so a server thread may convert while
 * another one does the same for another zone. */
#ifndef PROLO_TZ_H
#define PROLO_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define TZ_NAME_MAX 64 /* "Europe/Berlin": 1..63 bytes + NUL */

struct tz_zone;

/* True for a name that may be looked up: 1..63 bytes of letters, digits,
 * '/', '_', '+', '-', no leading '/', no "..". Cannot fail. */
bool tz_name_valid(const char *name);

/* Reads the zone file of name under $TZDIR (default /usr/share/zoneinfo).
 * PROLO_EINVAL (field) for a name that is not valid, not a zone file or a
 * file that cannot be read as one; PROLO_ENOMEM. *out is NULL on error. */
enum prolo_code tz_load(const char *name, const char *field, struct tz_zone **out, struct prolo_err *err);
/* NULL is a no-op. */
void tz_free(struct tz_zone *z);
/* The zone's name as loaded. Cannot fail. */
const char *tz_name(const struct tz_zone *z);

/* Seconds east of UTC in effect at the instant utc (Unix seconds). Pure;
 * cannot fail. */
int32_t tz_offset_at(const struct tz_zone *z, int64_t utc);

enum tz_local { TZ_LOCAL_OK, TZ_LOCAL_GAP, TZ_LOCAL_TWICE };
/* The instant of the local date (days since 1970-01-01) and minute after
 * midnight in zone z. TZ_LOCAL_GAP: that local time is skipped (clocks go
 * forward over it), *utc unset; TZ_LOCAL_TWICE: it happens twice (clocks go
 * back), *utc is the earlier. Pure; cannot fail. */
enum tz_local tz_local_to_utc(const struct tz_zone *z, int32_t date, int minute, int64_t *utc);

/* The local date and minute of the instant utc in zone z. Pure; cannot fail. */
void tz_utc_to_local(const struct tz_zone *z, int64_t utc, int32_t *date, int *minute);

/* The zone used where a clinic has none: $TZ when it names a zone
 * ("Europe/Berlin" or ":Europe/Berlin"), else "UTC". Cannot fail. */
const char *tz_default_name(void);

/* "HH:MM" (00:00..23:59) as minutes after midnight; -1 when it is not one.
 * tz_minute_format writes "HH:MM". Cannot fail. */
int tz_minute_parse(const char *s);
void tz_minute_format(int minute, char out[6]);

#endif
