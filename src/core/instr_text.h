/* A clinic's wording of an instrument: the item texts and answer labels it
 * holds a licence for, loaded from a file (docs/instruments.md, "Loading
 * the wording") and checked against the item structure of instruments.h.
 * prolo ships no licensed text; this module only validates what a clinic
 * brings and reads the validated (canonical) form back. Pure: no I/O. */
#ifndef PROLO_INSTR_TEXT_H
#define PROLO_INSTR_TEXT_H

#include <jansson.h>
#include <stddef.h>

#include "core/domain.h"
#include "core/err.h"

#define ITEXT_FILE_MAX (256 * 1024) /* bytes of a wording file */
#define ITEXT_TEXT_MAX 1000         /* bytes of an item's text or the intro */
#define ITEXT_LABEL_MAX 200         /* bytes of one answer label */
#define ITEXT_META_MAX 200          /* bytes of version, title, licence */
#define ITEXT_LABELS_MAX 11         /* widest scale with labels (NRS 0..10) */

/* Checks a wording file s[0..len) (JSON, UTF-8) against the structure of
 * its instrument: the item count, items numbered 1..n in order, each with a
 * text; answer labels, per scale or per item, one per answer from the
 * lowest; the version, language and licence note. Returns PROLO_OK with
 * *id and *canon (a new object holding only the known keys, to store and
 * to read with itext_item_*; the caller json_decref()s it). On
 * PROLO_EINVAL nothing is returned and err->field names the place at
 * fault: "line N" (not JSON), "instrument", "version", "language",
 * "licence", "labels", "anchors", "items", "item K" (1-based) or an
 * unknown key; err->msg says what is wrong and, for an item, what the
 * instrument expects. */
enum prolo_code itext_parse(const char *s, size_t len, enum instrument *id, json_t **canon,
                            struct prolo_err *err);

/* The text of item k (0-based) of a canonical wording, or NULL when absent.
 * Cannot fail. */
const char *itext_item_text(const json_t *canon, int k);
/* The answer labels of item k (its own, else the scale's): an array of
 * strings, lowest answer first, or NULL when the wording gives none. Cannot
 * fail. */
const json_t *itext_item_labels(const json_t *canon, int k);

/* The wording a page shows for item k: the clinic's (canon, may be NULL),
 * else the text prolo ships (NRS, VAS), else NULL: not loaded. Cannot
 * fail. */
const char *itext_text_or_shipped(enum instrument id, const json_t *canon, int k);

/* The sentence a patient or clinician reads where an item's wording is not
 * loaded. */
extern const char itext_missing_note[];

/* Where the wording a page shows comes from: "clinic" (canon), "shipped"
 * (NRS, VAS) or "none" (not loaded). Cannot fail. */
const char *itext_source(enum instrument id, const json_t *canon);
/* The missing-wording rule: itext_missing_note when the source is "none",
 * else NULL. Cannot fail. */
const char *itext_missing(enum instrument id, const json_t *canon);

/* An instrument described for a person or a program: its structure and
 * scoring range (instr_info), its subscales with their items (1-based,
 * first and last), and its wording: "wording" is the clinic's canonical
 * wording or null, "wording_source" as itext_source, "missing_note" as
 * itext_missing (null when nothing is missing), and "item_texts" one
 * {no, text|null, labels|null} per item. A new object; NULL on out of
 * memory. */
json_t *itext_describe(enum instrument id, const json_t *canon);

#endif
