/* A hash map from clinic ids to internal keys, used by the store during bulk
 * loads so that every child row does not cost an index lookup for its
 * course. Keys are copied into one arena; the map only grows until reset. */
#ifndef PROLO_IDMAP_H
#define PROLO_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct idmap_val {
	int64_t pk;
	int32_t start_date; /* courses: DOM_DATE_NONE if unknown */
	int32_t next_ae;    /* courses: next adverse event number; 0 = unknown */
};

struct idmap {
	struct buf arena;   /* NUL-terminated keys */
	size_t *key_off;    /* slot -> offset into arena + 1; 0 = empty */
	struct idmap_val *val;
	size_t cap;         /* slots, a power of two */
	size_t n;
};

/* A zeroed struct idmap is an empty map. */
/* Returns the value for id, or NULL. Cannot fail. */
struct idmap_val *idmap_get(struct idmap *m, const char *id);
/* Inserts or replaces; PROLO_ENOMEM/PROLO_ETOOBIG leave the map unchanged. */
enum prolo_code idmap_put(struct idmap *m, const char *id, struct idmap_val v);
/* Empties the map and frees its memory. Cannot fail. */
void idmap_reset(struct idmap *m);

#endif
