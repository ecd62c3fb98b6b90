/* Spreadsheet formula injection (CSV injection): a cell that starts with
 * '=', '+', '-', '@', a tab or a carriage return is read by spreadsheet
 * programs as a formula (=HYPERLINK(...), +cmd|...). For files meant to be
 * opened in a spreadsheet, such a text cell is written with a single quote
 * in front, as OWASP recommends; the spreadsheet shows the text and does
 * not evaluate it. The interchange format (prolo export/import csv) keeps
 * values unchanged so that it round-trips (docs/csv-format.md). */
#ifndef PROLO_CSVSAFE_H
#define PROLO_CSVSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* True when a spreadsheet would take the cell s[0..len) for a formula. */
bool csv_formula_risk(const char *s, size_t len);
/* Appends s[0..len) to out as one CSV field (RFC 4180 quoting), with a
 * single quote in front when csv_formula_risk. PROLO_ETOOBIG/ENOMEM. */
enum prolo_code csv_write_sheet_field(struct buf *out, const char *s, size_t len);

#endif
