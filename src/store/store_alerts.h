/* Alert acknowledgements in the registry: who acknowledged which alert key,
 * when, with what note. Part of the store's door (see store.h); kept in its
 * own header because only the alerts use case needs it. */
#ifndef PROLO_STORE_ALERTS_H
#define PROLO_STORE_ALERTS_H

#include <stdbool.h>

#include "store/store.h"

/* Records an acknowledgement of key for the course course_id, stamped with
 * the current UTC time. Runs inside the caller's transaction.
 * PROLO_ENOTFOUND (field "key") when the course does not exist;
 * PROLO_ECONFLICT (field "key") when key was already acknowledged, with
 * who and when in the message; PROLO_EDB otherwise. */
enum prolo_code store_alert_ack_add(struct store *st, const char *key, const char *course_id,
                                    const char *by, const char *note, struct prolo_err *err);

/* Sets *acked to whether key has been acknowledged. PROLO_EDB on error. */
enum prolo_code store_alert_acked(struct store *st, const char *key, bool *acked,
                                  struct prolo_err *err);

/* The SQL of the migration that creates the table (listed in
 * store_migrations). */
extern const char store_alerts_migration_sql[];

#endif
