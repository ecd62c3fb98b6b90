/* Growable bounded buffer. */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

void buf_free(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum prolo_code reserve(struct buf *b, size_t extra)
{
	size_t limit = b->limit ? b->limit : BUF_DEFAULT_LIMIT;
	if (extra > limit || b->len > limit - extra)
		return PROLO_ETOOBIG;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return PROLO_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return PROLO_ENOMEM;
	b->data = p;
	b->cap = cap;
	return PROLO_OK;
}

enum prolo_code buf_add(struct buf *b, const void *p, size_t n)
{
	enum prolo_code rc = reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return PROLO_OK;
}

enum prolo_code buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum prolo_code buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

enum prolo_code buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return PROLO_EINVAL;
	enum prolo_code rc = reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return PROLO_OK;
}

enum prolo_code buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum prolo_code rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *buf_take(struct buf *b)
{
	char *p = b->data;
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

void buf_outf(struct buf_out *o, const char *fmt, ...)
{
	if (o->rc != PROLO_OK)
		return;
	va_list ap;
	va_start(ap, fmt);
	o->rc = buf_vprintf(o->b, fmt, ap);
	va_end(ap);
}
