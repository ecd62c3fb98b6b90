/* SQLite side of store_patients.h: possible duplicates, merges, the
 * warnings raised on open courses, a clinic's settings (migration 10). */
#include "store/store_patients.h"

#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "store/store_sqlite.h"

#define DAY(c) "CHECK (length(" c ") = 10 AND " c " BETWEEN '1900-01-01' AND '2199-12-31')"

/* A patient merged into another points at it (merged_into); the merge
 * itself, with the courses it moved and what the survivor took over, is a
 * row of patient_merges that an undo closes. A contraindication recorded
 * after a course was planned leaves a row of course_warnings for each
 * rule it now meets. clinic_settings holds how a clinic's screens show
 * dates (the API keeps ISO 8601). */
const char store_patients_migration_sql[] =
	"ALTER TABLE patients ADD COLUMN merged_into INTEGER REFERENCES patients(pk);"
	"CREATE TABLE patient_merges ("
	"  pk INTEGER PRIMARY KEY,"
	"  survivor_pk INTEGER NOT NULL REFERENCES patients(pk),"
	"  merged_pk INTEGER NOT NULL REFERENCES patients(pk),"
	"  courses TEXT NOT NULL CHECK (json_valid(courses) AND json_type(courses) = 'array'),"
	"  ci_added INTEGER NOT NULL DEFAULT 0 CHECK (ci_added >= 0),"
	"  at TEXT NOT NULL,"
	"  by TEXT NOT NULL,"
	"  reason TEXT NOT NULL CHECK (length(reason) >= 1),"
	"  undone_at TEXT,"
	"  undone_by TEXT,"
	"  undo_reason TEXT,"
	"  CHECK (survivor_pk <> merged_pk),"
	"  CHECK ((undone_at IS NULL) = (undone_by IS NULL))"
	") STRICT;"
	"CREATE INDEX patient_merges_merged ON patient_merges(merged_pk);"
	"CREATE INDEX patient_merges_survivor ON patient_merges(survivor_pk);"
	"CREATE TABLE course_warnings ("
	"  pk INTEGER PRIMARY KEY,"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  raised_on TEXT NOT NULL " DAY("raised_on") ","
	"  rule TEXT NOT NULL CHECK (length(rule) BETWEEN 1 AND 39),"
	"  severity TEXT NOT NULL CHECK (severity = 'block' OR severity = 'warn'),"
	"  message TEXT NOT NULL,"
	"  by TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX course_warnings_course ON course_warnings(course_pk);"
	"CREATE TABLE clinic_settings ("
	"  clinic TEXT PRIMARY KEY REFERENCES clinics(code),"
	"  date_format TEXT NOT NULL CHECK (date_format = 'iso' OR date_format = 'dmy' OR date_format = 'mdy')"
	") STRICT;";

static void text_at(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

/* The cached statement sql, or NULL with *rc set. */
static sqlite3_stmt *cached(struct store *st, const char *sql, enum prolo_code *rc, struct prolo_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	*rc = s ? PROLO_OK : err ? err->code : PROLO_EDB;
	return s;
}

/* Steps a write once; PROLO_ENOTFOUND (field, message missing) when it
 * changed no row and one was required. */
static enum prolo_code step_write(struct store *st, sqlite3_stmt *s, const char *what, const char *field,
                                  const char *missing, struct prolo_err *err)
{
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src != SQLITE_DONE)
		return store_sqlite_err(st, src, what, err);
	if (missing && sqlite3_changes(store_sqlite_db(st)) != 1)
		return prolo_err_set(err, field && !strcmp(field, "version") ? PROLO_ECONFLICT : PROLO_ENOTFOUND, field,
		                     "%s", missing);
	return PROLO_OK;
}

/* The cached statement sql with v[0..n) bound as text (NULL = none),
 * stepped once: step_write's codes. */
static enum prolo_code write_texts(struct store *st, const char *sql, const char *const *v, int n, const char *what,
                                   const char *field, const char *missing, struct prolo_err *err)
{
	enum prolo_code rc;
	sqlite3_stmt *s = cached(st, sql, &rc, err);
	for (int i = 0; !rc && i < n; i++)
		if (v[i])
			sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	return rc ? rc : step_write(st, s, what, field, missing, err);
}

/* The caller's function and context, passed through each_row. */
struct relay {
	union {
		store_dup_fn dup;
		store_merge_fn merge;
		store_cwarn_fn cwarn;
	} fn;
	void *ctx;
};

/* Rows of a statement prepared for this call (fn may read meanwhile),
 * each to row(s, ctx); the statement is finalized. */
typedef enum prolo_code (*row_fn)(sqlite3_stmt *s, void *ctx, struct prolo_err *err);
static enum prolo_code each_row(struct store *st, sqlite3_stmt *s, row_fn row, void *ctx, const char *what,
                                struct prolo_err *err)
{
	enum prolo_code rc = PROLO_OK;
	int src = SQLITE_DONE;
	while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW)
		rc = row(s, ctx, err);
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, what, err);
	sqlite3_finalize(s);
	return rc;
}

static sqlite3_stmt *fresh(struct store *st, const char *sql, const char *what, enum prolo_code *rc,
                           struct prolo_err *err)
{
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	*rc = src == SQLITE_OK ? PROLO_OK : store_sqlite_err(st, src, what, err);
	return s;
}

/* ---- possible duplicates ------------------------------------------------- */

/* The digits of a phone number, the last 9 of them (a national and an
 * international form of the same number agree there). */
static void phone_key(const char *phone, char out[16])
{
	char d[REC_NAME_MAX];
	size_t n = 0;
	for (const char *p = phone; *p && n + 1 < sizeof d; p++)
		if (*p >= '0' && *p <= '9')
			d[n++] = *p;
	d[n] = '\0';
	snprintf(out, 16, "%s", n > 9 ? d + n - 9 : d);
}

#define DIGITS(c) "replace(replace(replace(replace(replace(replace(replace(" c ", ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '')"
#define NAME_YEAR "(?2 IS NOT NULL AND ?3 IS NOT NULL AND ?4 IS NOT NULL AND lower(p.first_name) = lower(?2)" \
	" AND lower(p.last_name) = lower(?3) AND p.birth_year = ?4)"
#define PHONE "(?5 IS NOT NULL AND (substr(" DIGITS("p.phone") ", -9) = ?5 OR substr(" DIGITS("k.mobile") ", -9) = ?5))"
#define EMAIL "(?6 IS NOT NULL AND (lower(p.email) = lower(?6) OR lower(k.email) = lower(?6)))"

static enum prolo_code dup_row(sqlite3_stmt *s, void *p, struct prolo_err *err)
{
	struct store_dup d = { .why = 0 };
	char *const text[] = { d.patient_id, d.clinic, d.first_name, d.last_name };
	const size_t size[] = { sizeof d.patient_id, sizeof d.clinic, sizeof d.first_name, sizeof d.last_name };
	for (int i = 0; i < 4; i++)
		text_at(s, i, text[i], size[i]);
	d.birth_year = sqlite3_column_type(s, 4) == SQLITE_NULL ? REC_INT_NONE : sqlite3_column_int(s, 4);
	for (int i = 0; i < 3; i++)
		d.why |= sqlite3_column_int(s, 5 + i) ? 1u << i : 0; /* DUP_NAME_YEAR, DUP_PHONE, DUP_EMAIL */
	struct relay *r = p;
	return r->fn.dup(r->ctx, &d, err);
}

enum prolo_code store_patient_dups(struct store *st, const char *clinic, const char *exclude, const char *first_name,
                                   const char *last_name, int32_t birth_year, const char *phone,
                                   const char *email, store_dup_fn fn, void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT p.patient_id, p.clinic, p.first_name, p.last_name, p.birth_year, " NAME_YEAR ", " PHONE ", " EMAIL
		" FROM patients p LEFT JOIN patient_contacts k ON k.patient_pk = p.pk"
		" WHERE p.clinic = ?1 AND p.voided_at IS NULL AND p.merged_into IS NULL"
		" AND (?7 IS NULL OR p.patient_id <> ?7)"
		" AND (" NAME_YEAR " OR " PHONE " OR " EMAIL ") ORDER BY p.patient_id LIMIT 20";
	enum prolo_code rc;
	sqlite3_stmt *s = fresh(st, sql, "looking for duplicates", &rc, err);
	if (rc)
		return rc;
	char pk[16] = "";
	if (phone && phone[0])
		phone_key(phone, pk);
	sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	if (first_name && first_name[0])
		sqlite3_bind_text(s, 2, first_name, -1, SQLITE_STATIC);
	if (last_name && last_name[0])
		sqlite3_bind_text(s, 3, last_name, -1, SQLITE_STATIC);
	if (birth_year != REC_INT_NONE)
		sqlite3_bind_int(s, 4, birth_year);
	if (strlen(pk) >= 6)
		sqlite3_bind_text(s, 5, pk, -1, SQLITE_STATIC);
	if (email && email[0])
		sqlite3_bind_text(s, 6, email, -1, SQLITE_STATIC);
	if (exclude && exclude[0])
		sqlite3_bind_text(s, 7, exclude, -1, SQLITE_STATIC);
	struct relay r = { .fn.dup = fn, .ctx = ctx };
	return each_row(st, s, dup_row, &r, "looking for duplicates", err);
}

/* ---- merges ----------------------------------------------------------------- */

enum prolo_code store_patient_merged_into(struct store *st, const char *id, char out[REC_ID_MAX],
                                          struct prolo_err *err)
{
	static const char sql[] =
		"SELECT s.patient_id FROM patients p JOIN patients s ON s.pk = p.merged_into WHERE p.patient_id = ?";
	sqlite3_stmt *row = NULL;
	out[0] = '\0';
	enum prolo_code rc = store_row_by_text(st, sql, id, "reading a merge", &row, err);
	if (row) {
		text_at(row, 0, out, REC_ID_MAX);
		sqlite3_reset(row);
	}
	return rc;
}

enum prolo_code store_merge_add(struct store *st, struct store_merge *m, struct prolo_err *err)
{
	static const char point[] =
		"UPDATE patients SET merged_into = (SELECT pk FROM patients WHERE patient_id = ?1),"
		" version = version + 1 WHERE patient_id = ?2 AND merged_into IS NULL AND voided_at IS NULL";
	static const char keep[] =
		"INSERT INTO patient_merges(survivor_pk, merged_pk, courses, ci_added, at, by, reason)"
		" SELECT s.pk, p.pk, ?3, ?4, ?5, ?6, ?7 FROM patients s, patients p"
		" WHERE s.patient_id = ?1 AND p.patient_id = ?2";
	sqlite3_stmt *s;
	enum prolo_code rc = write_texts(st, point, (const char *[]){ m->survivor, m->merged }, 2, "merging patients",
	                                 "patient_id", "the patient is not there to merge", err);
	if (rc || !(s = cached(st, keep, &rc, err)))
		return rc;
	const char *v[] = { m->survivor, m->merged, m->courses, NULL, m->at, m->by, m->reason };
	for (int i = 0; i < 7; i++)
		if (v[i])
			sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, m->ci_added);
	if (!(rc = step_write(st, s, "keeping a merge", NULL, NULL, err)))
		m->id = sqlite3_last_insert_rowid(store_sqlite_db(st));
	return rc;
}

enum prolo_code store_course_move(struct store *st, const char *course_id, int32_t version,
                                  const char *patient_id, struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE courses SET patient_pk = (SELECT pk FROM patients WHERE patient_id = ?1),"
		" version = version + 1 WHERE course_id = ?2 AND version = CAST(?3 AS INTEGER) AND voided_at IS NULL";
	char v[16];
	snprintf(v, sizeof v, "%d", (int)version);
	return write_texts(st, sql, (const char *[]){ patient_id, course_id, v }, 3, "moving a course", "version",
	                   "a course changed meanwhile; try again", err);
}

/* A row of MERGE_COLS. */
static void merge_row(sqlite3_stmt *s, struct store_merge *m)
{
	char *const text[] = { m->survivor, m->merged, m->courses, NULL, m->at, m->by, m->reason, m->undone_at,
	                       m->undone_by, m->undo_reason };
	const size_t size[] = { sizeof m->survivor, sizeof m->merged, sizeof m->courses, 0, sizeof m->at,
	                        sizeof m->by, sizeof m->reason, sizeof m->undone_at, sizeof m->undone_by,
	                        sizeof m->undo_reason };
	for (int i = 0; i < 10; i++)
		if (text[i])
			text_at(s, i + 1, text[i], size[i]);
	m->id = sqlite3_column_int64(s, 0);
	m->ci_added = (uint32_t)sqlite3_column_int64(s, 4);
}

#define MERGE_COLS                                                                                     \
	"SELECT m.pk, s.patient_id, p.patient_id, m.courses, m.ci_added, m.at, m.by, m.reason,"          \
	" coalesce(m.undone_at, ''), coalesce(m.undone_by, ''), coalesce(m.undo_reason, '')"             \
	" FROM patient_merges m JOIN patients s ON s.pk = m.survivor_pk JOIN patients p ON p.pk = m.merged_pk"

enum prolo_code store_merge_get(struct store *st, const char *merged, struct store_merge *out,
                                struct prolo_err *err)
{
	static const char sql[] = MERGE_COLS " WHERE p.patient_id = ? AND m.undone_at IS NULL"
	                                     " AND p.merged_into = m.survivor_pk ORDER BY m.pk DESC LIMIT 1";
	sqlite3_stmt *row = NULL;
	enum prolo_code rc = store_row_by_text(st, sql, merged, "reading a merge", &row, err);
	if (rc)
		return rc;
	if (!row)
		return prolo_err_set(err, PROLO_ENOTFOUND, "patient_id", "patient '%s' is not merged into another",
		                     merged);
	merge_row(row, out);
	sqlite3_reset(row);
	return PROLO_OK;
}

enum prolo_code store_merge_undo(struct store *st, const struct store_merge *m, struct prolo_err *err)
{
	static const char close_sql[] =
		"UPDATE patient_merges SET undone_at = ?2, undone_by = ?3, undo_reason = ?4 WHERE pk = CAST(?1 AS INTEGER)";
	static const char unpoint[] =
		"UPDATE patients SET merged_into = NULL, version = version + 1 WHERE patient_id = ?";
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)m->id);
	enum prolo_code rc = write_texts(st, close_sql, (const char *[]){ id, m->undone_at, m->undone_by, m->undo_reason },
	                                 4, "undoing a merge", NULL, NULL, err);
	return rc ? rc : store_exec_text(st, unpoint, m->merged, "undoing a merge", err);
}

static enum prolo_code merge_cb(sqlite3_stmt *s, void *p, struct prolo_err *err)
{
	struct store_merge m;
	merge_row(s, &m);
	struct relay *r = p;
	return r->fn.merge(r->ctx, &m, err);
}

enum prolo_code store_merge_scan(struct store *st, const char *patient_id, store_merge_fn fn, void *ctx,
                                 struct prolo_err *err)
{
	static const char sql[] = MERGE_COLS " WHERE s.patient_id = ?1 OR p.patient_id = ?1 ORDER BY m.pk";
	enum prolo_code rc;
	sqlite3_stmt *s = fresh(st, sql, "reading merges", &rc, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, patient_id, -1, SQLITE_STATIC);
	struct relay r = { .fn.merge = fn, .ctx = ctx };
	return each_row(st, s, merge_cb, &r, "reading merges", err);
}

/* ---- warnings on open courses ------------------------------------------------ */

enum prolo_code store_course_warning_add(struct store *st, const struct store_course_warning *w,
                                         struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO course_warnings(course_pk, raised_on, rule, severity, message, by)"
		" SELECT pk, ?2, ?3, ?4, ?5, ?6 FROM courses WHERE course_id = ?1";
	char day[11];
	dom_date_format(w->raised_on, day);
	const char *v[] = { w->course_id, day, w->rule, w->block ? "block" : "warn", w->message, w->by };
	return write_texts(st, sql, v, 6, "keeping a course warning", "course_id", "no such course", err);
}

static enum prolo_code cwarn_row(sqlite3_stmt *s, void *p, struct prolo_err *err)
{
	struct store_course_warning w = { .block = sqlite3_column_int(s, 5) != 0 };
	char on[16];
	char *const text[] = { w.course_id, w.patient_id, w.clinic, on, w.rule, NULL, w.message, w.by };
	const size_t size[] = { sizeof w.course_id, sizeof w.patient_id, sizeof w.clinic, sizeof on, sizeof w.rule, 0,
	                        sizeof w.message, sizeof w.by };
	for (int i = 0; i < 8; i++)
		if (text[i])
			text_at(s, i, text[i], size[i]);
	if (!dom_date_parse(on, strlen(on), &w.raised_on))
		w.raised_on = DOM_DATE_NONE;
	struct relay *r = p;
	return r->fn.cwarn(r->ctx, &w, err);
}

enum prolo_code store_course_warning_scan(struct store *st, const char *clinic, const char *course_id,
                                          int32_t day, store_cwarn_fn fn, void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT c.course_id, p.patient_id, p.clinic, w.raised_on, w.rule, w.severity = 'block', w.message, w.by"
		" FROM course_warnings w JOIN courses c ON c.pk = w.course_pk JOIN patients p ON p.pk = c.patient_pk"
		" WHERE (?1 IS NULL OR p.clinic = ?1) AND (?2 IS NULL OR c.course_id = ?2)"
		" AND (?3 IS NULL OR w.raised_on <= ?3) AND c.voided_at IS NULL"
		" AND (c.status = 'planned' OR c.status = 'active')"
		" ORDER BY w.raised_on, c.course_id, w.pk";
	enum prolo_code rc;
	sqlite3_stmt *s = fresh(st, sql, "reading course warnings", &rc, err);
	if (rc)
		return rc;
	char d[11];
	if (clinic && clinic[0])
		sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	if (course_id)
		sqlite3_bind_text(s, 2, course_id, -1, SQLITE_STATIC);
	if (day != DOM_DATE_NONE) {
		dom_date_format(day, d);
		sqlite3_bind_text(s, 3, d, -1, SQLITE_STATIC);
	}
	struct relay r = { .fn.cwarn = fn, .ctx = ctx };
	return each_row(st, s, cwarn_row, &r, "reading course warnings", err);
}

/* ---- a clinic's settings ----------------------------------------------------- */

enum prolo_code store_clinic_date_format(struct store *st, const char *clinic, char out[8],
                                         struct prolo_err *err)
{
	static const char sql[] = "SELECT date_format FROM clinic_settings WHERE clinic = ?";
	sqlite3_stmt *row = NULL;
	snprintf(out, 8, "iso");
	enum prolo_code rc = store_row_by_text(st, sql, clinic ? clinic : "", "reading a clinic's settings", &row, err);
	if (row) {
		text_at(row, 0, out, 8);
		sqlite3_reset(row);
	}
	return rc;
}

enum prolo_code store_clinic_set_date_format(struct store *st, const char *clinic, const char *fmt,
                                             struct prolo_err *err)
{
	static const char add_clinic[] = "INSERT OR IGNORE INTO clinics(code) VALUES (?)";
	static const char sql[] =
		"INSERT INTO clinic_settings(clinic, date_format) VALUES (?1, ?2)"
		" ON CONFLICT(clinic) DO UPDATE SET date_format = excluded.date_format";
	enum prolo_code rc = store_exec_text(st, add_clinic, clinic, "adding a clinic", err);
	return rc ? rc : write_texts(st, sql, (const char *[]){ clinic, fmt }, 2, "setting a clinic's date format", NULL,
	                             NULL, err);
}
