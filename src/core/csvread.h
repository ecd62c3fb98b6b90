/* RFC 4180 reading on top of libcsv (strict mode) with what libcsv lacks:
 * the physical line each row starts on, a UTF-8 byte-order mark skipped, a
 * bound on line length, and rows handed over as (pointer, length) arrays.
 * Pure over a memory buffer; the caller maps or reads the file. */
#ifndef PROLO_CSVREAD_H
#define PROLO_CSVREAD_H

#include <stddef.h>

#include "core/err.h"

#define CSVREAD_MAX_FIELDS 128
#define CSVREAD_MAX_LINE ((size_t)1 << 20) /* 1 MiB */

struct csv_row {
	long line;                 /* physical line where the row starts (1-based) */
	int n;                     /* fields in the row */
	const char *f[CSVREAD_MAX_FIELDS];
	size_t len[CSVREAD_MAX_FIELDS];
};

/* Called once per row, header included. A non-OK return stops reading and
 * is returned by csvread_buffer. The row is valid only during the call. */
typedef enum prolo_code (*csvread_fn)(void *ctx, const struct csv_row *row, struct prolo_err *err);

/* Parses data[0..len). progress (may be NULL) is called with bytes consumed
 * about every 4 MiB. PROLO_EINVAL with err->field = "line N" for malformed
 * quoting, a line longer than CSVREAD_MAX_LINE, more than
 * CSVREAD_MAX_FIELDS fields or a NUL byte; PROLO_ENOMEM. */
enum prolo_code csvread_buffer(const char *data, size_t len, csvread_fn fn, void *ctx,
                               void (*progress)(void *ctx, size_t done, size_t total),
                               struct prolo_err *err);

/* Appends one field to out, quoted when it holds , " CR or LF or begins or
 * ends with a space or tab. */
#include "core/buf.h"
enum prolo_code csv_write_field(struct buf *out, const char *s, size_t len);

#endif
