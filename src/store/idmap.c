/* Open addressing with linear probing and FNV-1a; grown at 50 % load. */
#include "store/idmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t find_slot(const struct idmap *m, const char *id, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask)
		if (!m->key_off[i] || strcmp(m->arena.data + m->key_off[i] - 1, id) == 0)
			return i;
}

struct idmap_val *idmap_get(struct idmap *m, const char *id)
{
	if (!m->cap)
		return NULL;
	size_t i = find_slot(m, id, hash(id));
	return m->key_off[i] ? &m->val[i] : NULL;
}

static enum prolo_code grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	size_t *off = calloc(cap, sizeof *off);
	struct idmap_val *val = calloc(cap, sizeof *val);
	if (!off || !val) {
		free(off);
		free(val);
		return PROLO_ENOMEM;
	}
	struct idmap old = *m;
	m->key_off = off;
	m->val = val;
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.key_off[i]) {
			const char *k = m->arena.data + old.key_off[i] - 1;
			size_t j = find_slot(m, k, hash(k));
			m->key_off[j] = old.key_off[i];
			m->val[j] = old.val[i];
		}
	free(old.key_off);
	free(old.val);
	return PROLO_OK;
}

enum prolo_code idmap_put(struct idmap *m, const char *id, struct idmap_val v)
{
	if (m->n + 1 > m->cap / 2) {
		enum prolo_code rc = grow(m);
		if (rc)
			return rc;
	}
	uint64_t h = hash(id);
	size_t i = find_slot(m, id, h);
	if (!m->key_off[i]) {
		size_t off = m->arena.len;
		enum prolo_code rc = buf_add(&m->arena, id, strlen(id) + 1);
		if (rc)
			return rc;
		m->key_off[i] = off + 1;
		m->n++;
	}
	m->val[i] = v;
	return PROLO_OK;
}

void idmap_reset(struct idmap *m)
{
	buf_free(&m->arena);
	free(m->key_off);
	free(m->val);
	memset(m, 0, sizeof *m);
}
