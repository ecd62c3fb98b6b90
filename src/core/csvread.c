/* libcsv wrapper: fed one physical line at a time so each row knows the
 * line it started on, which import errors must name. */
#include "core/csvread.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct state {
	struct buf fields;         /* bytes of the current row's fields, NUL-separated */
	size_t off[CSVREAD_MAX_FIELDS];
	size_t flen[CSVREAD_MAX_FIELDS];
	int n;
	bool too_many;
	long cur_line;             /* line being fed */
	long row_start;            /* line where the current row began */
	csvread_fn fn;
	void *ctx;
	struct prolo_err *err;
	enum prolo_code rc;        /* first failure, stops the feed */
};

static void on_field(void *s, size_t len, void *data)
{
	struct state *st = data;
	if (st->rc)
		return;
	if (st->n >= CSVREAD_MAX_FIELDS) {
		st->too_many = true;
		return;
	}
	st->off[st->n] = st->fields.len;
	st->flen[st->n] = len;
	if (buf_add(&st->fields, s ? s : "", s ? len : 0) || buf_addc(&st->fields, '\0')) {
		st->rc = prolo_err_set(st->err, PROLO_ENOMEM, "", "out of memory");
		return;
	}
	st->n++;
}

static void on_row(int c, void *data)
{
	struct state *st = data;
	(void)c;
	if (!st->rc) {
		if (st->too_many) {
			char where[32];
			snprintf(where, sizeof where, "line %ld", st->row_start);
			st->rc = prolo_err_set(st->err, PROLO_EINVAL, where, "more than %d fields",
			                       CSVREAD_MAX_FIELDS);
		} else {
			struct csv_row row;
			row.line = st->row_start;
			row.n = st->n;
			for (int i = 0; i < st->n; i++) {
				row.f[i] = st->fields.data + st->off[i];
				row.len[i] = st->flen[i];
			}
			st->rc = st->fn(st->ctx, &row, st->err);
		}
	}
	st->n = 0;
	st->too_many = false;
	buf_reset(&st->fields);
	/* The row ended on the current line; the next one starts after it. */
	st->row_start = st->cur_line + 1;
}

enum prolo_code csvread_buffer(const char *data, size_t len, csvread_fn fn, void *ctx,
                               void (*progress)(void *ctx, size_t done, size_t total),
                               struct prolo_err *err)
{
	struct csv_parser p;
	struct state st = { .fn = fn, .ctx = ctx, .err = err, .cur_line = 1, .row_start = 1 };
	buf_init(&st.fields, CSVREAD_MAX_LINE * 2);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	size_t pos = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* UTF-8 byte-order mark */
	size_t next_report = 4u << 20;
	while (pos < len && !st.rc) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) + 1 : len;
		size_t n = end - pos;
		char where[32];
		if (n > CSVREAD_MAX_LINE || memchr(data + pos, '\0', n))
			snprintf(where, sizeof where, "line %ld", st.cur_line);
		if (n > CSVREAD_MAX_LINE) {
			st.rc = prolo_err_set(err, PROLO_EINVAL, where, "line is longer than %zu bytes",
			                      CSVREAD_MAX_LINE);
			break;
		}
		if (memchr(data + pos, '\0', n)) {
			st.rc = prolo_err_set(err, PROLO_EINVAL, where, "contains a NUL byte");
			break;
		}
		if (csv_parse(&p, data + pos, n, on_field, on_row, &st) != n && !st.rc) {
			snprintf(where, sizeof where, "line %ld", st.cur_line);
			st.rc = prolo_err_set(err, PROLO_EINVAL, where, "malformed CSV (%s)",
			                      csv_strerror(csv_error(&p)));
			break;
		}
		if (st.fields.len > CSVREAD_MAX_LINE && !st.rc) {
			snprintf(where, sizeof where, "line %ld", st.cur_line);
			st.rc = prolo_err_set(err, PROLO_EINVAL, where, "row is longer than %zu bytes",
			                      CSVREAD_MAX_LINE);
			break;
		}
		pos = end;
		st.cur_line++;
		if (progress && pos >= next_report) {
			progress(ctx, pos, len);
			next_report = pos + (4u << 20);
		}
	}
	if (!st.rc) {
		st.cur_line--; /* a final row without newline ends on the last line */
		if (csv_fini(&p, on_field, on_row, &st) != 0 && !st.rc) {
			char where[32];
			snprintf(where, sizeof where, "line %ld", st.row_start);
			st.rc = prolo_err_set(err, PROLO_EINVAL, where,
			                      "malformed CSV (a quoted field is not closed)");
		}
	}
	csv_free(&p);
	buf_free(&st.fields);
	if (progress && !st.rc)
		progress(ctx, len, len);
	return st.rc;
}

enum prolo_code csv_write_field(struct buf *out, const char *s, size_t len)
{
	/* A reader trims blanks around an unquoted field (libcsv does): a
	 * leading or trailing space or tab is kept only inside quotes. */
	bool quote = len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote)
		return buf_add(out, s, len);
	enum prolo_code rc = buf_addc(out, '"');
	size_t start = 0;
	for (size_t i = 0; i < len && !rc; i++)
		if (s[i] == '"') {
			rc = buf_add(out, s + start, i - start + 1);
			if (!rc)
				rc = buf_addc(out, '"');
			start = i + 1;
		}
	if (!rc)
		rc = buf_add(out, s + start, len - start);
	if (!rc)
		rc = buf_addc(out, '"');
	return rc;
}
