/* One audit row as a line of the audit spool (audit_spool.h): AT, USER,
 * ACTION, RECORD, ADDR, DETAIL separated by tabs and ended by a newline,
 * each field with backslash, tab, newline and other control bytes escaped
 * (\\ \t \n \xHH). Pure: no I/O, so the parser can be fuzzed. */
#ifndef PROLO_AUDIT_LINE_H
#define PROLO_AUDIT_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "store/store.h"

/* Appends e's line to b, with at_default when e->at is empty. Buffer
 * codes (PROLO_ETOOBIG, PROLO_ENOMEM). */
enum prolo_code audit_line_format(struct buf *b, const struct store_audit *e, const char *at_default);

/* Parses one line (without its newline) into e (id and hash left zero).
 * False when it is not six well-escaped fields that fit e, or AT or
 * ACTION is empty. */
bool audit_line_parse(const char *line, size_t len, struct store_audit *e);

#endif
