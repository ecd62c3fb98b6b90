/* The audit chain's secret and its anchors, kept outside the registry.
 *
 * The key: 32 random bytes in REGISTRY-audit.key (mode 0600), with the id
 * of the first row chained with it ("from"): rows before it (a registry
 * from before keyed chains) are chained without a key. Written once, never
 * changed; only the account that writes the registry (the server) needs to
 * read it.
 *
 * The anchors: REGISTRY-audit.anchor (0600), opened O_APPEND, one line
 * "ID HASH" per commit that appended audit rows, the head of the chain
 * after it. prolo audit verify checks that the chain still holds every
 * anchored head, so rows cut from the end are caught. */
#ifndef PROLO_AUDIT_ANCHOR_H
#define PROLO_AUDIT_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define AUDIT_KEY_LEN 32
#define AUDIT_HASH_LEN 32

struct audit_key {
	bool have;                        /* false: no key file */
	int64_t from;                     /* first row chained with the key */
	unsigned char key[AUDIT_KEY_LEN];
};

struct audit_anchor {
	int64_t id;
	unsigned char hash[AUDIT_HASH_LEN];
};

/* REGISTRY + suffix ("-audit.key", "-audit.anchor"), beside the registry's
 * real file (a symbolic link is the same registry). PROLO_EINVAL if too
 * long. */
enum prolo_code audit_side_path(const char *db_path, const char *suffix, char *out, size_t outsz,
                                struct prolo_err *err);
/* Reads the key. PROLO_OK with k->have = false when there is no key file;
 * PROLO_EDB (naming the file) when it cannot be read, is malformed, or
 * group or others may use it (core/privfile.h). */
enum prolo_code audit_key_load(const char *db_path, struct audit_key *k, struct prolo_err *err);
/* Creates the key file (O_EXCL, 0600) with a fresh random key chaining
 * rows from `from` on, written and synced before it returns. *existed =
 * true (and PROLO_OK, k untouched) when another process made one first. */
enum prolo_code audit_key_create(const char *db_path, int64_t from, struct audit_key *k,
                                 bool *existed, struct prolo_err *err);
/* Writes k as the key file of another registry (a backup). */
enum prolo_code audit_key_write(const char *db_path, const struct audit_key *k, struct prolo_err *err);
/* Appends "ID HASH\n" to the anchor file with one write(). */
enum prolo_code audit_anchor_append(const char *db_path, int64_t id,
                                    const unsigned char hash[AUDIT_HASH_LEN], struct prolo_err *err);
/* Every anchor, sorted by id (*n = 0 and *out = NULL when there is no
 * anchor file). PROLO_EDB naming the file and line when one is malformed.
 * Free *out with free(). */
enum prolo_code audit_anchor_read(const char *db_path, struct audit_anchor **out, size_t *n,
                                  struct prolo_err *err);

#endif
