/* Growing an array by doubling: the one copy of the realloc dance that
 * lists of alerts, courses, injections and events all need. */
#ifndef PROLO_GROW_H
#define PROLO_GROW_H

#include <stddef.h>

#include "core/err.h"

/* Makes room for at least need elements of elem bytes in *items (capacity
 * *cap, doubled from first when it must grow). PROLO_OK, or PROLO_ENOMEM
 * (err says so) with *items and *cap unchanged. */
enum prolo_code grow_array(void *items, size_t *cap, size_t need, size_t elem, size_t first,
                           struct prolo_err *err);

#endif
