/* Patient-reported outcome instruments: item structure and the published
 * scoring rules, in one pure module so that every score in prolo (CLI, CSV,
 * HTTP, report) comes from the same code. Item answers are stored, scores are
 * derived; a form with too many missing items is kept with a missing score
 * (NAN) rather than rejected. Sources are cited per instrument in the .c file
 * and in docs/instruments.md. */
#ifndef PROLO_INSTRUMENTS_H
#define PROLO_INSTRUMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/domain.h"
#include "core/err.h"

/* An unanswered item. Every other value must lie in [item_min, item_max]. */
#define INSTR_MISSING (-1)
/* Largest item count of any instrument (KOOS); size item arrays with it. */
#define INSTR_MAX_ITEMS 42
#define INSTR_MAX_SUBSCALES 5
/* Longest text instr_format_items can produce for a valid answer set, plus
 * the NUL ("100" for VAS; 42 one-digit items and 41 separators for KOOS). */
#define INSTR_ITEMS_TEXT_MAX 128
/* Size of instr_score.reason, with the NUL. */
#define INSTR_REASON_MAX 320

struct instr_info {
	enum instrument id;
	const char *name;          /* "ODI", as in dom_instrument_names */
	const char *title;         /* "Oswestry Disability Index v2.1a" */
	int n_items;               /* answers per form */
	int item_min, item_max;    /* range of one answer */
	double score_min, score_max; /* range of instr_score.total */
	const char *unit;          /* of total: "points", "mm", "%" */
	bool higher_is_worse;      /* false for KOOS (100 = no problems) */
	int n_subscales;           /* 0 when the total is the only score */
	const char *subscale_names[INSTR_MAX_SUBSCALES];
	int sub_first[INSTR_MAX_SUBSCALES]; /* 0-based index of first item */
	int sub_count[INSTR_MAX_SUBSCALES]; /* items in the subscale */
	double sub_max[INSTR_MAX_SUBSCALES]; /* subscale score range is 0..max */
};

struct instr_score {
	double total;   /* NAN when the missing-item rule forbids a score */
	double pct;     /* total as percent of [score_min, score_max]; NAN too */
	double sub[INSTR_MAX_SUBSCALES]; /* per info->subscale_names; NAN if
	                                   not computable or no such subscale */
	int n_answered; /* items not INSTR_MISSING */
	/* Why total (or a subscale) has no score, in a sentence naming the
	 * manual's rule ("pain: 2 of 5 items unanswered; the WOMAC user guide
	 * scores a subscale with at most 1 missing"); "" when every score
	 * could be computed. Safe to show a patient's clinician. */
	char reason[INSTR_REASON_MAX];
};

/* How an assessment is scored, for whoever shows it (the chart, "prolo
 * outcome show"): its subscales scored again from its answers, as its
 * score was, and in words why it has no score or lacks a subscale. */
struct outcome_scoring {
	const struct instr_info *info;   /* range, unit, subscales' names, maxima */
	double sub[INSTR_MAX_SUBSCALES]; /* per info->subscale_names; NAN where not scored */
	/* Why the assessment has no score ("" when it has one): the rule that
	 * forbade it, or that no answers were kept with it. */
	char not_scorable_reason[INSTR_REASON_MAX];
	/* A subscale left out though the total stands (KOOS's ADL); "" if none. */
	char partial_reason[INSTR_REASON_MAX];
};
struct outcome;
/* Fills *out for assessment o (its instrument, score and item text).
 * Cannot fail. */
void outcome_scoring_describe(const struct outcome *o, struct outcome_scoring *out);

/* Item structure and ranges of an instrument. Never NULL for a valid enum
 * value; asserts on anything else. Cannot fail. */
const struct instr_info *instr_info(enum instrument id);

/* Scores one form. items[0..n) are the answers in questionnaire order, each
 * INSTR_MISSING or in [item_min, item_max]. Returns PROLO_OK and fills *out
 * (total/sub NAN where the instrument's missing-item rule says "no score",
 * and out->reason saying which rule, for each subscale or total left out);
 * on PROLO_EINVAL (n is not n_items, or an answer out of range) err->field
 * is "items" or "item K" (1-based), err->msg says what is wrong, and *out is
 * not written. */
enum prolo_code instr_score(enum instrument id, const int *items, size_t n,
                            struct instr_score *out, struct prolo_err *err);

/* Parses the item text used in CSV files and on the command line:
 * answers separated by ';', an empty field for a missing answer, e.g.
 * "3;2;;4". A field holds decimal digits only, with optional spaces or
 * tabs around them; a blank field is a missing answer. Requires
 * cap >= instr_info(id)->n_items. Returns PROLO_OK with items[0..*n) filled
 * and *n == n_items; on PROLO_EINVAL err->field is "items" (wrong count) or
 * "item K" (not a whole number, out of range) and *n and items[] are
 * unspecified. s need not be NUL-terminated. */
enum prolo_code instr_parse_items(enum instrument id, const char *s,
                                  size_t len, int *items, size_t cap,
                                  size_t *n, struct prolo_err *err);

/* Writes items[0..n) as item text ("3;2;;4") with a NUL into out. Returns
 * PROLO_OK; PROLO_ETOOBIG when out is too small (out then holds ""). A
 * buffer of INSTR_ITEMS_TEXT_MAX bytes always fits answers that
 * instr_parse_items accepted. */
enum prolo_code instr_format_items(const int *items, size_t n, char *out,
                                   size_t outsz, struct prolo_err *err);

/* The text of item `item` (0-based) for the patient questionnaire page, for
 * instruments whose wording may be shipped (NRS, VAS). Returns NULL for the
 * licensed instruments (ODI, NDI, WOMAC, QuickDASH, KOOS): a clinic that
 * holds a licence loads its own texts into the store. Cannot fail. */
const char *instr_item_text(enum instrument id, int item);
/* Labels of the two ends of the NRS/VAS scale ("No pain", "Worst pain
 * imaginable"); NULL for other instruments. Cannot fail. */
const char *instr_anchor_low(enum instrument id);
const char *instr_anchor_high(enum instrument id);

#endif
