/* A growable byte buffer with a hard ceiling (curl dynbuf style): appends fail
 * with PROLO_ETOOBIG instead of growing without bound. Always NUL-terminated. */
#ifndef PROLO_BUF_H
#define PROLO_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct buf {
	char *data;   /* NUL-terminated; NULL until the first append */
	size_t len;   /* bytes used, excluding the NUL */
	size_t cap;   /* bytes allocated */
	size_t limit; /* ceiling on len; 0 = BUF_DEFAULT_LIMIT */
};

#define BUF_DEFAULT_LIMIT ((size_t)1 << 30)

/* Zero-initialised struct buf is a valid empty buffer. Cannot fail. */
void buf_init(struct buf *b, size_t limit);
/* Frees the bytes; buf_free on an empty buffer is a no-op. */
void buf_free(struct buf *b);
/* Empties without freeing. Cannot fail. */
void buf_reset(struct buf *b);
/* Append; PROLO_ETOOBIG past the limit, PROLO_ENOMEM; buffer unchanged then. */
enum prolo_code buf_add(struct buf *b, const void *p, size_t n);
enum prolo_code buf_adds(struct buf *b, const char *s);
enum prolo_code buf_addc(struct buf *b, char c);
enum prolo_code buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum prolo_code buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* An appender that remembers its first failure, for writers that append
 * many pieces and check once at the end (the report formats): after a
 * failure, further appends do nothing and rc keeps the first code. */
struct buf_out {
	struct buf *b;
	enum prolo_code rc;
};
void buf_outf(struct buf_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hands the bytes to the caller (free() them) and resets the buffer; returns
 * an empty allocated string for an empty buffer, NULL only on ENOMEM. */
char *buf_take(struct buf *b);
/* Never NULL: "" for an empty buffer. Valid until the next call on b. */
const char *buf_str(const struct buf *b);

#endif
