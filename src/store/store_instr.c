/* Instrument wording per clinic, and migration 12 (store_instr.h). */
#include "store/store_instr.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite.h"

#define VALID_DATE(c) "CHECK (length(" c ") = 10 AND " c " BETWEEN '1900-01-01' AND '2199-12-31')"
#define INSTRUMENTS(c) "CHECK ((" c " = 'NRS' OR " c " = 'VAS' OR " c " = 'ODI' OR " c " = 'NDI' OR " \
	c " = 'WOMAC' OR " c " = 'QuickDASH' OR " c " = 'KOOS'))"

/* Migration 12. The outcomes table is rebuilt (a WITHOUT ROWID table's key
 * cannot be altered) with a source column in its key; every assessment
 * recorded so far was recorded by staff. Then the clinics' wordings. */
const char store_instr_migration_sql[] =
	"CREATE TABLE outcomes_v12 ("
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  date TEXT NOT NULL " VALID_DATE("date") ","
	"  instrument TEXT NOT NULL " INSTRUMENTS("instrument") ","
	"  source TEXT NOT NULL DEFAULT 'staff' CHECK ((source = 'staff' OR source = 'patient')),"
	"  score REAL CHECK (score BETWEEN 0 AND 100),"
	"  items TEXT,"
	"  version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
	"  voided_at TEXT,"
	"  void_reason TEXT,"
	"  CHECK (instrument <> 'NRS' OR (score = CAST(score AS INTEGER) AND score <= 10)),"
	"  PRIMARY KEY (course_pk, date, instrument, source)"
	") STRICT, WITHOUT ROWID;"
	"INSERT INTO outcomes_v12 (course_pk, date, instrument, source, score, items, version, voided_at, void_reason)"
	"  SELECT course_pk, date, instrument, 'staff', score, items, version, voided_at, void_reason FROM outcomes;"
	"DROP TABLE outcomes;"
	"ALTER TABLE outcomes_v12 RENAME TO outcomes;"
	"CREATE TABLE instrument_texts ("
	"  clinic TEXT NOT NULL CHECK (length(clinic) BETWEEN 1 AND 64),"
	"  instrument TEXT NOT NULL " INSTRUMENTS("instrument") ","
	"  version TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 200),"
	"  language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 35),"
	"  body TEXT NOT NULL CHECK (json_valid(body)),"
	"  loaded_by TEXT NOT NULL,"
	"  loaded_at TEXT NOT NULL,"
	"  PRIMARY KEY (clinic, instrument)"
	") STRICT, WITHOUT ROWID;";

const char *store_outcome_source(const struct outcome *o)
{
	return o->source == OSRC_PATIENT ? "patient" : "staff";
}

#define STMT(st, sql, err)                          \
	sqlite3_stmt *s = store_stmt((st), (sql), (err)); \
	if (!s)                                         \
		return (err) ? (err)->code : PROLO_EDB

enum prolo_code store_itext_put(struct store *st, const struct store_itext *t, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO instrument_texts (clinic, instrument, version, language, body, loaded_by,"
		" loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	STMT(st, sql, err);
	const char *const v[7] = { t->clinic, dom_instrument_names[t->instrument], t->version, t->language,
		                   t->body, t->loaded_by, t->loaded_at };
	for (int i = 0; i < 7; i++)
		sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, "storing an instrument's wording", err);
}

static void text_col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", v ? (const char *)v : "");
}

/* Columns 0..5: clinic, instrument, version, language, loaded_by, loaded_at. */
static void read_row(sqlite3_stmt *s, struct store_itext *t)
{
	memset(t, 0, sizeof *t);
	char *const out[6] = { t->clinic, NULL, t->version, t->language, t->loaded_by, t->loaded_at };
	const size_t size[6] = { sizeof t->clinic, 0, sizeof t->version, sizeof t->language, sizeof t->loaded_by,
		                 sizeof t->loaded_at };
	for (int i = 0; i < 6; i++)
		if (out[i])
			text_col(s, i, out[i], size[i]);
	const char *in = (const char *)sqlite3_column_text(s, 1);
	t->instrument = in ? dom_lookup(dom_instrument_names, INSTR__COUNT, in, strlen(in)) : -1;
}

enum prolo_code store_itext_get(struct store *st, const char *clinic, int instrument,
                                struct store_itext *out, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT clinic, instrument, version, language, loaded_by, loaded_at, body FROM instrument_texts"
		" WHERE clinic = ? AND instrument = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, dom_instrument_names[instrument], -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	enum prolo_code r = PROLO_OK;
	if (rc == SQLITE_ROW) {
		read_row(s, out);
		const char *b = (const char *)sqlite3_column_text(s, 6);
		out->body = strdup(b ? b : "{}");
		if (!out->body)
			r = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	} else if (rc == SQLITE_DONE) {
		r = prolo_err_set(err, PROLO_ENOTFOUND, "instrument", "clinic '%s' has loaded no wording of the %s",
		                  clinic, dom_instrument_names[instrument]);
	} else {
		r = store_sqlite_err(st, rc, "reading an instrument's wording", err);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}

enum prolo_code store_itext_scan(struct store *st, const char *clinic, store_itext_fn fn, void *ctx,
                                 struct prolo_err *err)
{
	static const char sql[] =
		"SELECT clinic, instrument, version, language, loaded_by, loaded_at FROM instrument_texts"
		" WHERE ?1 IS NULL OR clinic = ?1 ORDER BY clinic, instrument";
	STMT(st, sql, err); /* fn reads nothing else from the store */
	sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC); /* NULL: every clinic */
	enum prolo_code r = PROLO_OK;
	int rc;
	struct store_itext t;
	while (!r && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_row(s, &t);
		r = fn(ctx, &t, err); /* the row's strings live in t, not in s */
	}
	if (!r && rc != SQLITE_DONE)
		r = store_sqlite_err(st, rc, "reading instrument wordings", err);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return r;
}
