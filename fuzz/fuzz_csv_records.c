/* Fuzzes the CSV import's pure half: csvread_buffer splits arbitrary bytes
 * into rows, the first row names columns, every other row is set field by
 * field through rec_set and checked by rec_check, as the importer does.
 * Byte 0 picks the record kind. Beyond memory safety: every error names a
 * field, an accepted value prints (rec_format) and parses back to the same
 * text, and a row that passed rec_check still passes after that round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvread.h"
#include "core/records.h"

struct ctx {
	enum rec_kind kind;
	const struct field_def *col[CSVREAD_MAX_FIELDS];
	int n_cols;
	void *rec;
	void *again;
};

static enum prolo_code on_row(void *p, const struct csv_row *row, struct prolo_err *err)
{
	struct ctx *c = p;
	if (c->n_cols == 0) {
		c->n_cols = row->n;
		for (int i = 0; i < row->n; i++)
			c->col[i] = rec_field(c->kind, row->f[i], row->len[i]);
		return PROLO_OK;
	}
	if (row->n != c->n_cols)
		return PROLO_OK;
	rec_init(c->kind, c->rec);
	for (int i = 0; i < row->n; i++) {
		if (!c->col[i])
			continue;
		struct prolo_err e = { 0 };
		if (rec_set(c->kind, c->rec, c->col[i], row->f[i], row->len[i], &e)) {
			if (!e.field[0] || !e.msg[0])
				abort(); /* every error names its field */
			return PROLO_OK;
		}
	}
	struct prolo_err e = { 0 };
	bool ok = rec_check(c->kind, c->rec, &e) == PROLO_OK;
	if (!ok && !e.field[0])
		abort();
	/* Print every field and parse it back: same text, same verdict. */
	const struct rec_table *t = &rec_tables[c->kind];
	rec_init(c->kind, c->again);
	struct buf a = { 0 }, b = { 0 };
	for (int i = 0; i < t->n_fields; i++) {
		buf_reset(&a);
		rec_format(c->rec, &t->fields[i], &a);
		if (rec_set(c->kind, c->again, &t->fields[i], buf_str(&a), a.len, &e))
			abort(); /* what prolo writes, prolo reads */
		buf_reset(&b);
		rec_format(c->again, &t->fields[i], &b);
		if (a.len != b.len || memcmp(buf_str(&a), buf_str(&b), a.len) != 0)
			abort();
	}
	buf_free(&a);
	buf_free(&b);
	if (ok && rec_check(c->kind, c->again, &e) != PROLO_OK)
		abort();
	(void)err;
	return PROLO_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct ctx c = { .kind = (enum rec_kind)(data[0] % REC__COUNT) };
	c.rec = malloc(rec_tables[c.kind].size);
	c.again = malloc(rec_tables[c.kind].size);
	struct prolo_err err = { 0 };
	enum prolo_code rc = csvread_buffer((const char *)data + 1, size - 1, on_row, &c, NULL, &err);
	if (rc == PROLO_EINVAL && !err.field[0])
		abort(); /* malformed CSV is reported at a line */
	free(c.rec);
	free(c.again);
	return 0;
}
