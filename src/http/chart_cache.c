/* The chart cache of chart_cache.h: an open-addressing table of patient
 * ids, all entries of one data version. Replacing the whole table when the
 * version moves or the budget is spent keeps it free of eviction lists;
 * a clinic's reads cluster on today's patients, which come back at once. */
#include "http/chart_cache.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS 1024 /* a power of two; at most SLOTS / 2 entries */

struct entry {
	char *key;       /* NULL = empty slot */
	char *clinic;
	int32_t tag;         /* the record's own version, for the ETag */
	char *body;
	size_t len;
};

struct chart_cache {
	size_t max_bytes, used;
	int n;
	uint64_t version;
	struct entry slot[SLOTS];
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void clear(struct chart_cache *c)
{
	for (int i = 0; i < SLOTS; i++) {
		free(c->slot[i].key);
		free(c->slot[i].clinic);
		free(c->slot[i].body);
		c->slot[i] = (struct entry){ 0 };
	}
	c->n = 0;
	c->used = 0;
}

struct chart_cache *chart_cache_new(size_t max_bytes)
{
	if (max_bytes == 0)
		return NULL;
	struct chart_cache *c = calloc(1, sizeof *c);
	if (c)
		c->max_bytes = max_bytes;
	return c;
}

void chart_cache_free(struct chart_cache *c)
{
	if (!c)
		return;
	clear(c);
	free(c);
}

/* The slot holding key, or the empty slot where it belongs. */
static struct entry *find(struct chart_cache *c, const char *key)
{
	for (uint64_t i = hash(key) & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1))
		if (!c->slot[i].key || strcmp(c->slot[i].key, key) == 0)
			return &c->slot[i];
}

bool chart_cache_get(struct chart_cache *c, const char *key, uint64_t version, struct buf *out,
                     char *clinic, size_t clinic_sz, int32_t *tag)
{
	if (!c || version == 0 || c->n == 0 || c->version != version)
		return false;
	struct entry *e = find(c, key);
	if (!e->key || strlen(e->clinic) >= clinic_sz || buf_add(out, e->body, e->len) != PROLO_OK)
		return false;
	memcpy(clinic, e->clinic, strlen(e->clinic) + 1);
	*tag = e->tag;
	return true;
}

void chart_cache_put(struct chart_cache *c, const char *key, const char *clinic, int32_t tag,
                     uint64_t version,
                     const char *body, size_t len)
{
	if (!c || version == 0 || len > c->max_bytes / 4)
		return;
	if (c->version != version || c->n >= SLOTS / 2 || c->used + len > c->max_bytes) {
		clear(c);
		c->version = version;
	}
	struct entry *e = find(c, key);
	if (e->key)
		return; /* the same chart: it is kept already */
	char *k = strdup(key), *cl = strdup(clinic), *b = malloc(len ? len : 1);
	if (!k || !cl || !b) {
		free(k);
		free(cl);
		free(b);
		return;
	}
	memcpy(b, body, len);
	*e = (struct entry){ .key = k, .clinic = cl, .tag = tag, .body = b, .len = len };
	c->n++;
	c->used += len;
}
