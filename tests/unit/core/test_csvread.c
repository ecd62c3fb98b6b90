/* CSV reading (core/csvread.h) against RFC 4180 and the header's promises:
 * quoted commas, quotes and line breaks, LF and CRLF, empty fields as
 * empty, the physical line each row starts on (which import errors name),
 * a byte-order mark skipped, and malformed input refused with its line.
 * Also csv_write_field: what it writes reads back as the same bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvread.h"

#define MAX_ROWS 16

/* The rows seen, each field copied out (rows are valid only in the call). */
struct seen {
	int n;
	long line[MAX_ROWS];
	int nf[MAX_ROWS];
	struct buf f[MAX_ROWS][8];
	int stop_at;               /* 1-based row that returns an error; 0 = none */
};

static enum prolo_code keep(void *ctx, const struct csv_row *row, struct prolo_err *err)
{
	struct seen *s = ctx;
	if (s->n >= MAX_ROWS)
		fail_msg("too many rows");
	s->line[s->n] = row->line;
	s->nf[s->n] = row->n;
	for (int i = 0; i < row->n && i < 8; i++) {
		buf_init(&s->f[s->n][i], 0);
		assert_int_equal(buf_add(&s->f[s->n][i], row->f[i], row->len[i]), PROLO_OK);
	}
	s->n++;
	if (s->stop_at == s->n)
		return prolo_err_set(err, PROLO_ECONFLICT, "row", "stop");
	return PROLO_OK;
}

static void seen_free(struct seen *s)
{
	for (int r = 0; r < s->n; r++)
		for (int i = 0; i < s->nf[r] && i < 8; i++)
			buf_free(&s->f[r][i]);
}

static enum prolo_code read_str(const char *data, size_t len, struct seen *s, struct prolo_err *err)
{
	memset(s, 0, sizeof *s);
	prolo_err_clear(err);
	return csvread_buffer(data, len, keep, s, NULL, err);
}

static void read_ok(const char *data, struct seen *s)
{
	struct prolo_err err;
	if (read_str(data, strlen(data), s, &err) != PROLO_OK)
		fail_msg("refused: %s: %s", err.field, err.msg);
}

/* Field i of row r is exactly want (want_len bytes). */
static void field_is(const struct seen *s, int r, int i, const char *want, size_t want_len)
{
	assert_true(r < s->n);
	assert_true(i < s->nf[r]);
	const struct buf *b = &s->f[r][i];
	if (b->len != want_len || memcmp(buf_str(b), want, want_len) != 0)
		fail_msg("row %d field %d: got '%s' (%zu bytes)", r, i, buf_str(b), b->len);
}
#define FIELD(s, r, i, lit) field_is(s, r, i, lit, sizeof(lit) - 1)

static void refused_at(const char *data, size_t len, const char *where)
{
	struct seen s;
	struct prolo_err err;
	enum prolo_code rc = read_str(data, len, &s, &err);
	seen_free(&s);
	if (rc != PROLO_EINVAL)
		fail_msg("gave %d, want EINVAL at %s", rc, where);
	assert_string_equal(err.field, where);
	assert_true(err.msg[0] != '\0');
}

static void quoting_follows_rfc4180(void **state)
{
	(void)state;
	struct seen s;
	/* RFC 4180 2.5-2.7: quoted commas, doubled quotes, line breaks. */
	read_ok("id,note\n"
	        "a,\"b,c\"\n"
	        "\"d\"\"e\",\"say \"\"hi\"\"\"\n"
	        "f,\"two\nlines\"\n"
	        "g,\"crlf\r\nkept\"\n"
	        "\"\",\"\"\"\"\n",
	        &s);
	assert_int_equal(s.n, 6);
	FIELD(&s, 0, 0, "id");
	FIELD(&s, 0, 1, "note");
	FIELD(&s, 1, 1, "b,c");
	FIELD(&s, 2, 0, "d\"e");
	FIELD(&s, 2, 1, "say \"hi\"");
	FIELD(&s, 3, 1, "two\nlines");
	FIELD(&s, 4, 1, "crlf\r\nkept");
	FIELD(&s, 5, 0, "");
	FIELD(&s, 5, 1, "\"");
	for (int r = 0; r < s.n; r++)
		assert_int_equal(s.nf[r], 2);
	seen_free(&s);

	/* Spaces inside quotes are data. */
	read_ok("\" a \",\"\tb\t\"\n", &s);
	FIELD(&s, 0, 0, " a ");
	FIELD(&s, 0, 1, "\tb\t");
	seen_free(&s);
	/* Inner spaces of unquoted fields are data too. */
	read_ok("a b,c\td\n", &s);
	FIELD(&s, 0, 0, "a b");
	FIELD(&s, 0, 1, "c\td");
	seen_free(&s);
	/* Bytes that are not ASCII pass through. */
	read_ok("Zo\xc3\xab,\xe2\x82\xac\n", &s);
	FIELD(&s, 0, 0, "Zo\xc3\xab");
	FIELD(&s, 0, 1, "\xe2\x82\xac");
	seen_free(&s);
}

static void empty_fields_are_empty(void **state)
{
	(void)state;
	struct seen s;
	read_ok("a,,c\n,\n,,\n\"\",x\n", &s);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.nf[0], 3);
	FIELD(&s, 0, 1, "");
	assert_int_equal(s.nf[1], 2);
	FIELD(&s, 1, 0, "");
	FIELD(&s, 1, 1, "");
	assert_int_equal(s.nf[2], 3);
	FIELD(&s, 2, 2, "");
	FIELD(&s, 3, 0, "");
	FIELD(&s, 3, 1, "x");
	seen_free(&s);
	/* Nothing at all is no row. */
	read_ok("", &s);
	assert_int_equal(s.n, 0);
	seen_free(&s);
}

static void crlf_and_lf_line_ends(void **state)
{
	(void)state;
	struct seen s;
	read_ok("h1,h2\r\na,b\r\nc,d\r\n", &s);
	assert_int_equal(s.n, 3);
	for (int r = 0; r < 3; r++) {
		assert_int_equal(s.nf[r], 2);
		assert_int_equal(s.line[r], r + 1);
	}
	FIELD(&s, 1, 1, "b"); /* no CR left on the last field */
	FIELD(&s, 2, 1, "d");
	seen_free(&s);
	/* A last row without a line end is a row. */
	read_ok("h\nlast", &s);
	assert_int_equal(s.n, 2);
	FIELD(&s, 1, 0, "last");
	assert_int_equal(s.line[1], 2);
	seen_free(&s);
	read_ok("h\r\nlast\r\n", &s);
	FIELD(&s, 1, 0, "last");
	seen_free(&s);
}

static void rows_know_their_physical_line(void **state)
{
	(void)state;
	struct seen s;
	/* A quoted field with line breaks spans lines; the next row starts
	 * after them (docs/csv-format.md: line numbers are physical lines). */
	read_ok("h\n\"a\nb\nc\"\nnext\n\"x\r\ny\"\r\nlast\r\n", &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.line[0], 1);
	assert_int_equal(s.line[1], 2);
	assert_int_equal(s.line[2], 5);
	assert_int_equal(s.line[3], 6);
	assert_int_equal(s.line[4], 8);
	FIELD(&s, 3, 0, "x\r\ny");
	seen_free(&s);
}

static void blank_lines_still_count(void **state)
{
	(void)state;
	struct seen s;
	/* Blank lines make no row, but the rows after them start on later
	 * physical lines, and the import must name those. */
	read_ok("h,i\n\na,b\n\n\nc,d\n", &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.line[0], 1);
	assert_int_equal(s.line[1], 3);
	assert_int_equal(s.line[2], 6);
	seen_free(&s);
	read_ok("\r\n\r\nh,i\r\na,b\r\n", &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.line[0], 3);
	assert_int_equal(s.line[1], 4);
	seen_free(&s);
	/* A blank line inside quotes is data, not a blank line. */
	read_ok("h\n\"a\n\nb\"\nc\n", &s);
	assert_int_equal(s.n, 3);
	FIELD(&s, 1, 0, "a\n\nb");
	assert_int_equal(s.line[1], 2);
	assert_int_equal(s.line[2], 5);
	seen_free(&s);
	/* And an error after blank lines names the right line. */
	refused_at("h\n\n\nx\"y\n", 8, "line 4");
}

static void header_row_and_callback_stop(void **state)
{
	(void)state;
	struct seen s;
	struct prolo_err err;
	/* The header is the first row handed over, like any other. */
	read_ok("patient_id,sex\nP1,female\n", &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.line[0], 1);
	FIELD(&s, 0, 0, "patient_id");
	FIELD(&s, 1, 0, "P1");
	seen_free(&s);
	/* A callback's failure stops the read and is returned as is. */
	const char *data = "a\nb\nc\nd\n";
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	prolo_err_clear(&err);
	assert_int_equal(csvread_buffer(data, strlen(data), keep, &s, NULL, &err), PROLO_ECONFLICT);
	assert_int_equal(s.n, 2);
	assert_string_equal(err.field, "row");
	seen_free(&s);
}

static void bom_is_skipped_once(void **state)
{
	(void)state;
	struct seen s;
	read_ok("\xef\xbb\xbfpatient_id,sex\nP1,male\n", &s);
	assert_int_equal(s.n, 2);
	FIELD(&s, 0, 0, "patient_id");
	assert_int_equal(s.line[0], 1);
	assert_int_equal(s.line[1], 2);
	seen_free(&s);
	/* Only at the very start: later it is data. */
	read_ok("h\n\xef\xbb\xbfx\n", &s);
	FIELD(&s, 1, 0, "\xef\xbb\xbfx");
	seen_free(&s);
	read_ok("\xef\xbb\xbf", &s);
	assert_int_equal(s.n, 0);
	seen_free(&s);
}

static void malformed_input_names_its_line(void **state)
{
	(void)state;
	/* A quote inside an unquoted field, or text after a closing quote. */
	refused_at("h\nok\na\"b,c\n", 11, "line 3");
	refused_at("h\n\"a\"b,c\n", 9, "line 2");
	/* A quote that never closes: the line where its row starts. */
	refused_at("h\nok\n\"open\nmore\nstill\n", 22, "line 3");
	/* A NUL byte. */
	refused_at("h\nab\0c\n", 7, "line 2");
	/* More than CSVREAD_MAX_FIELDS fields; exactly that many is fine. */
	struct buf b = { 0 };
	assert_int_equal(buf_adds(&b, "h\n"), PROLO_OK);
	for (int i = 0; i < CSVREAD_MAX_FIELDS; i++)
		assert_int_equal(buf_adds(&b, i ? ",x" : "x"), PROLO_OK);
	assert_int_equal(buf_adds(&b, "\n"), PROLO_OK);
	struct seen s;
	struct prolo_err err;
	assert_int_equal(read_str(b.data, b.len, &s, &err), PROLO_OK);
	assert_int_equal(s.nf[1], CSVREAD_MAX_FIELDS);
	seen_free(&s);
	b.len--; /* drop the newline, add one field */
	assert_int_equal(buf_adds(&b, ",x\n"), PROLO_OK);
	refused_at(b.data, b.len, "line 2");
	buf_free(&b);
}

static void long_lines_are_refused(void **state)
{
	(void)state;
	size_t big = CSVREAD_MAX_LINE + 16;
	char *data = malloc(big + 256);
	assert_non_null(data);
	/* A line of CSVREAD_MAX_LINE - 1 bytes plus its newline is allowed. */
	memcpy(data, "h\n", 2);
	memset(data + 2, 'x', CSVREAD_MAX_LINE - 1);
	data[2 + CSVREAD_MAX_LINE - 1] = '\n';
	struct seen s;
	struct prolo_err err;
	assert_int_equal(read_str(data, CSVREAD_MAX_LINE + 2, &s, &err), PROLO_OK);
	assert_int_equal(s.n, 2);
	seen_free(&s);
	/* Well past the bound: refused with the line. */
	memset(data + 2, 'x', big);
	data[2 + big] = '\n';
	refused_at(data, big + 3, "line 2");
	/* A quoted row spread over many short lines is bounded as a whole,
	 * refused as input (not as a failed allocation) at its first line. */
	size_t pos = 0;
	memcpy(data, "h\n\"", 3);
	pos = 3;
	while (pos < big) {
		memset(data + pos, 'y', 99);
		data[pos + 99] = '\n';
		pos += 100;
	}
	memcpy(data + pos, "\"\n", 2);
	pos += 2;
	struct seen s2;
	assert_int_equal(read_str(data, pos, &s2, &err), PROLO_EINVAL);
	seen_free(&s2);
	assert_string_equal(err.field, "line 2");
	free(data);
	/* Three times the bound in one quoted field. */
	size_t huge = 3 * CSVREAD_MAX_LINE;
	data = malloc(huge + 256);
	assert_non_null(data);
	memcpy(data, "h\n\"", 3);
	for (pos = 3; pos < huge; pos += 100) {
		memset(data + pos, 'z', 99);
		data[pos + 99] = '\n';
	}
	memcpy(data + pos, "\"\n", 2);
	refused_at(data, pos + 2, "line 2");
	free(data);
}

static enum prolo_code count_rows(void *ctx, const struct csv_row *row, struct prolo_err *err)
{
	(void)row;
	(void)err;
	(*(long *)ctx)++;
	return PROLO_OK;
}

struct progress_seen {
	long rows;
	size_t last_done, last_total;
	int calls;
};

static void on_progress(void *ctx, size_t done, size_t total)
{
	struct progress_seen *p = ctx;
	if (done < p->last_done)
		fail_msg("progress went back");
	p->last_done = done;
	p->last_total = total;
	p->calls++;
}

static void progress_ends_at_the_total(void **state)
{
	(void)state;
	const char *data = "h\na\nb\n";
	struct progress_seen p = { 0 };
	struct prolo_err err;
	assert_int_equal(csvread_buffer(data, strlen(data), count_rows, &p.rows, NULL, &err), PROLO_OK);
	assert_int_equal(p.rows, 3);
	/* The progress callback shares ctx with the row callback. */
	memset(&p, 0, sizeof p);
	assert_int_equal(csvread_buffer(data, strlen(data), count_rows, &p, on_progress, &err), PROLO_OK);
	assert_true(p.calls >= 1);
	assert_int_equal(p.last_done, strlen(data));
	assert_int_equal(p.last_total, strlen(data));
}

static void written_fields_read_back_unchanged(void **state)
{
	(void)state;
	static const char *const v[] = {
		"plain", "", "a,b", "say \"hi\"", "\"", "two\nlines", "cr\rhere", "crlf\r\nhere",
		" leading", "trailing ", "\tindented", "tab end\t", "  ", "Zo\xc3\xab",
	};
	size_t n = sizeof v / sizeof v[0];
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_int_equal(buf_addc(&b, ','), PROLO_OK);
		assert_int_equal(csv_write_field(&b, v[i], strlen(v[i])), PROLO_OK);
	}
	assert_int_equal(buf_adds(&b, "\r\n"), PROLO_OK);
	struct seen s;
	struct prolo_err err;
	if (read_str(b.data, b.len, &s, &err) != PROLO_OK)
		fail_msg("own output refused: %s: %s", err.field, err.msg);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nf[0], (int)n);
	seen_free(&s);
	/* Read one by one to compare (the row keeps at most 8 copies). */
	for (size_t i = 0; i < n; i++) {
		struct buf one = { 0 };
		assert_int_equal(csv_write_field(&one, v[i], strlen(v[i])), PROLO_OK);
		assert_int_equal(buf_adds(&one, ",end\n"), PROLO_OK);
		assert_int_equal(read_str(one.data, one.len, &s, &err), PROLO_OK);
		assert_int_equal(s.n, 1);
		if (s.f[0][0].len != strlen(v[i]) || memcmp(buf_str(&s.f[0][0]), v[i], strlen(v[i])) != 0)
			fail_msg("'%s' written as '%s' read back as '%s'", v[i], buf_str(&one),
			         buf_str(&s.f[0][0]));
		FIELD(&s, 0, 1, "end");
		seen_free(&s);
		buf_free(&one);
	}
	/* Plain fields are not quoted; the others are, quotes doubled. */
	struct buf q = { 0 };
	assert_int_equal(csv_write_field(&q, "plain", 5), PROLO_OK);
	assert_string_equal(buf_str(&q), "plain");
	buf_reset(&q);
	assert_int_equal(csv_write_field(&q, "a\"b", 3), PROLO_OK);
	assert_string_equal(buf_str(&q), "\"a\"\"b\"");
	buf_free(&q);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_follows_rfc4180),
		cmocka_unit_test(empty_fields_are_empty),
		cmocka_unit_test(crlf_and_lf_line_ends),
		cmocka_unit_test(rows_know_their_physical_line),
		cmocka_unit_test(blank_lines_still_count),
		cmocka_unit_test(header_row_and_callback_stop),
		cmocka_unit_test(bom_is_skipped_once),
		cmocka_unit_test(malformed_input_names_its_line),
		cmocka_unit_test(long_lines_are_refused),
		cmocka_unit_test(progress_ends_at_the_total),
		cmocka_unit_test(written_fields_read_back_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
