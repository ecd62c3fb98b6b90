/* Use cases that record things, shared by the CLI, the HTTP API and the CSV
 * import so a record is checked by the same rules wherever it enters:
 * field rules (core/records), instrument scoring (core/instruments), then
 * the store's cross-record rules, in one transaction owned by the caller. */
#ifndef PROLO_REGISTRY_H
#define PROLO_REGISTRY_H

#include <stddef.h>

#include "core/records.h"
#include "store/store.h"

enum registry_flags {
	/* Interactive recording: the first session turns a planned course
	 * active, and the course history notes the plan. Import keeps the
	 * states it is given. */
	REG_INTERACTIVE = 1,
};

/* Pure checks of one record: required fields, cross-field rules, and for
 * assessments the score computed from the item answers (a given score must
 * agree with them) or, without items, a score in the instrument's range.
 * Normalises rec (outcome score/items). PROLO_EINVAL with err->field. */
enum prolo_code registry_prepare(enum rec_kind kind, void *rec, struct prolo_err *err);

/* registry_prepare, then store_insert, then the side effects of flags.
 * Runs inside the caller's transaction; on error nothing of this record is
 * written (the caller rolls back the rest). Codes as store_insert. */
enum prolo_code registry_add(struct store *st, enum rec_kind kind, void *rec, int flags,
                             struct prolo_err *err);

/* A session with its injections (numbered 1..n when seq is missing). */
enum prolo_code registry_session_add(struct store *st, struct session *s,
                                     struct injection *inj, size_t n_inj, int flags,
                                     struct prolo_err *err);

#endif
