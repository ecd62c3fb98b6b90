/* Instrument wording in the registry: the item texts and answer labels a
 * clinic loaded (one wording per clinic and instrument; loading again
 * replaces it), and migration 12, which also lets an assessment exist
 * twice on a day, once recorded by staff and once answered by the patient
 * (outcomes keyed by course, date, instrument and source). The wording is
 * stored as the canonical JSON of core/instr_text.h; the rules are the
 * use cases' (app/instruments.c). */
#ifndef PROLO_STORE_INSTR_H
#define PROLO_STORE_INSTR_H

#include <stdint.h>

#include "store/store.h"

extern const char store_instr_migration_sql[];

struct store_itext {
	char clinic[REC_ID_MAX];
	int instrument;           /* enum instrument */
	char version[201];
	char language[36];
	char loaded_by[REC_NAME_MAX];
	char loaded_at[32];       /* ISO 8601 UTC */
	char *body;               /* canonical JSON; malloc'd by get/scan, NULL in scans */
};

/* Inserts or replaces the wording of (t->clinic, t->instrument) with
 * t->body. PROLO_EDB on a storage error. */
enum prolo_code store_itext_put(struct store *st, const struct store_itext *t, struct prolo_err *err);
/* The wording of clinic and instrument into *out, out->body malloc'd (the
 * caller frees it). PROLO_ENOTFOUND (field instrument) when none is
 * loaded; PROLO_EDB. */
enum prolo_code store_itext_get(struct store *st, const char *clinic, int instrument,
                                struct store_itext *out, struct prolo_err *err);
typedef enum prolo_code (*store_itext_fn)(void *ctx, const struct store_itext *t, struct prolo_err *err);
/* Every wording (of one clinic when clinic is non-NULL), by clinic and
 * instrument, without bodies; fn must not read the store. Store codes, or
 * fn's. */
enum prolo_code store_itext_scan(struct store *st, const char *clinic, store_itext_fn fn, void *ctx,
                                 struct prolo_err *err);

#endif
