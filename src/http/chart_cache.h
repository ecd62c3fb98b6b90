/* A worker thread's cache of rendered patient charts. The chart is the
 * most read response and the same bytes serve every user allowed to see
 * it, so its JSON is kept per patient together with the store's data
 * version (store_data_version) it was rendered at. Any change to the
 * registry, by this server or any other process, changes that number, and
 * every entry rendered before it is then dropped: a cached chart is never
 * older than the read snapshot it is served in. Each entry keeps the
 * patient's clinic too, so a hit needs no read at all: the caller checks
 * the permission against it and writes the audit row on every read.
 * One cache per store connection (data versions are per connection);
 * not thread-safe. Version 0 means unknown: nothing is cached for it. */
#ifndef PROLO_CHART_CACHE_H
#define PROLO_CHART_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct chart_cache;

/* A cache holding up to max_bytes of charts; NULL when max_bytes is 0 (no
 * cache: get misses, put does nothing) or out of memory. */
struct chart_cache *chart_cache_new(size_t max_bytes);
void chart_cache_free(struct chart_cache *c);

/* Appends the chart of key rendered at version to out and copies its
 * clinic and tag (the record's own version, for the ETag): true on a hit.
 * A miss (absent, or rendered at another version) leaves them as they were. */
bool chart_cache_get(struct chart_cache *c, const char *key, uint64_t version, struct buf *out,
                     char *clinic, size_t clinic_sz, int32_t *tag);

/* Keeps body as the chart of key (of clinic) at version, dropping every entry of an
 * older version first. Entries are dropped wholesale when the cache is
 * full; a body larger than a quarter of the cache is not kept. Cannot fail
 * (out of memory: not kept). */
void chart_cache_put(struct chart_cache *c, const char *key, const char *clinic, int32_t tag,
                     uint64_t version, const char *body, size_t len);

#endif
