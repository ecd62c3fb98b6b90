/* CSV interchange (docs/csv-format.md): a folder of
 * patients.csv, courses.csv, sessions.csv, injections.csv, outcomes.csv and
 * adverse_events.csv whose columns are the record field names. Import is
 * all-or-nothing inside the caller's transaction; export is stable, so
 * export -> import -> export gives identical files. */
#ifndef PROLO_CSVIO_H
#define PROLO_CSVIO_H

#include <stdio.h>

#include "core/buf.h"
#include "store/store.h"

#define CSVIO_MAX_REPORTED 20 /* errors listed before only counting */

struct csvio_import_stats {
	long rows[REC__COUNT];   /* rows imported per record kind */
	long side_rows;          /* rows of the side files (csvio_side) imported */
	long errors;             /* bad rows found (all are counted) */
	struct buf messages;     /* "FILE:LINE: column: what is wrong\n" lines */
};

/* Imports every interchange file present in dir (at least one must be),
 * checking every row through registry_add. Runs inside the caller's
 * transaction and keeps going after a bad row so that all of them are
 * reported (the first CSVIO_MAX_REPORTED in stats->messages).
 * Returns PROLO_OK when every row landed; PROLO_EINVAL (or the first row
 * error's code) when any row was bad — the caller must roll back; err
 * summarises. progress (may be NULL) receives one line of text at a time. */
enum prolo_code csvio_import(struct store *st, const char *dir,
                             struct csvio_import_stats *stats,
                             void (*progress)(void *pctx, const char *line), void *pctx,
                             struct prolo_err *err);
void csvio_import_stats_free(struct csvio_import_stats *stats);

/* A side file of the interchange whose rows are not records of the field
 * tables and whose rules belong to the use cases (contacts.csv: the
 * follow-up's contact and consent). The import reads it after the record
 * files, in the same run and transaction, and hands each row to row()
 * with the values of columns[] (NUL-terminated; "" for an empty cell or a
 * column the file lacks). A row() error with err->field is reported as
 * "FILE:LINE: FIELD: MESSAGE" like a bad record row (nothing is imported);
 * PROLO_EDB or PROLO_ENOMEM stops the import. Headers are checked as the
 * record files' are (unknown or repeated column, required one missing). */
#define CSVIO_SIDE_MAX_COLUMNS 16
#define CSVIO_SIDE_MAX_VALUE 1024
typedef enum prolo_code (*csvio_side_fn)(void *ctx, long line, const char *const values[],
                                         struct prolo_err *err);
struct csvio_side {
	const char *file;              /* "contacts.csv" */
	const char *const *columns;    /* NULL-terminated, at most CSVIO_SIDE_MAX_COLUMNS */
	unsigned required;             /* bit i: columns[i] must be in the header */
	csvio_side_fn row;
	void *ctx;
};
/* csvio_import with side files (may be NULL when n_side is 0): the folder
 * may then hold only side files. */
enum prolo_code csvio_import_with(struct store *st, const char *dir, const struct csvio_side *side,
                                  size_t n_side, struct csvio_import_stats *stats,
                                  void (*progress)(void *pctx, const char *line), void *pctx,
                                  struct prolo_err *err);

/* Writes every interchange file into dir (created if missing), each first
 * to a temporary name and then renamed. PROLO_EDB/PROLO_EINVAL on I/O errors
 * with err->field naming the file. With deidentify, identifying columns
 * (names, contact details, free text) are left out. With spreadsheet, a
 * non-numeric cell a spreadsheet would evaluate as a formula gets a single
 * quote in front (core/csvsafe.h): the files are then for reading in a
 * spreadsheet, not for import. Without it, values are written unchanged
 * and export -> import -> export is exact. */
enum prolo_code csvio_export(struct store *st, const char *dir, bool deidentify, bool spreadsheet,
                             long counts[REC__COUNT], struct prolo_err *err);

/* A side file the export writes (contacts.csv): columns[] as its header,
 * then each row rows() hands to emit (values in the columns' order, NULL
 * or "" for an empty cell), inside the export's read snapshot. rows()
 * returns emit's code or its own. */
typedef enum prolo_code (*csvio_emit_fn)(void *ectx, const char *const values[], struct prolo_err *err);
struct csvio_side_out {
	const char *file;
	const char *const *columns;    /* NULL-terminated */
	enum prolo_code (*rows)(void *ctx, csvio_emit_fn emit, void *ectx, struct prolo_err *err);
	void *ctx;
};
/* csvio_export, then the side files, in the same snapshot and the same
 * way (0600, a temporary name renamed, quoted for a spreadsheet with
 * spreadsheet). A side file without rows (NULL) is not written, and one
 * an earlier export left in dir is removed: a de-identified export must
 * not sit beside an older file of contact details. *side_rows (may be
 * NULL) gets their rows. */
enum prolo_code csvio_export_with(struct store *st, const char *dir, bool deidentify, bool spreadsheet,
                                  const struct csvio_side_out *side, size_t n_side, long counts[REC__COUNT],
                                  long *side_rows, struct prolo_err *err);

#endif
