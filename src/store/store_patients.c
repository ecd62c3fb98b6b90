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

static enum prolo_code step_done(struct store *st, sqlite3_stmt *s, const char *what, struct prolo_err *err)
{
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	return src == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, src, what, err);
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

enum prolo_code store_patient_dups(struct store *st, const char *clinic, const char *first_name,
                                   const char *last_name, int32_t birth_year, const char *phone,
                                   const char *email, store_dup_fn fn, void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT p.patient_id, p.clinic, p.first_name, p.last_name, p.birth_year,"
		"  (?2 IS NOT NULL AND ?3 IS NOT NULL AND ?4 IS NOT NULL AND lower(p.first_name) = lower(?2)"
		"   AND lower(p.last_name) = lower(?3) AND p.birth_year = ?4),"
		"  (?5 IS NOT NULL AND (substr(" DIGITS("p.phone") ", -9) = ?5"
		"   OR substr(" DIGITS("k.mobile") ", -9) = ?5)),"
		"  (?6 IS NOT NULL AND (lower(p.email) = lower(?6) OR lower(k.email) = lower(?6)))"
		" FROM patients p LEFT JOIN patient_contacts k ON k.patient_pk = p.pk"
		" WHERE p.clinic = ?1 AND p.voided_at IS NULL AND p.merged_into IS NULL"
		" AND ((?2 IS NOT NULL AND ?3 IS NOT NULL AND ?4 IS NOT NULL AND lower(p.first_name) = lower(?2)"
		"       AND lower(p.last_name) = lower(?3) AND p.birth_year = ?4)"
		"   OR (?5 IS NOT NULL AND (substr(" DIGITS("p.phone") ", -9) = ?5"
		"       OR substr(" DIGITS("k.mobile") ", -9) = ?5))"
		"   OR (?6 IS NOT NULL AND (lower(p.email) = lower(?6) OR lower(k.email) = lower(?6))))"
		" ORDER BY p.patient_id LIMIT 20";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
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
	int src;
	enum prolo_code rc = PROLO_OK;
	while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_dup d;
		memset(&d, 0, sizeof d);
		text_at(s, 0, d.patient_id, sizeof d.patient_id);
		text_at(s, 1, d.clinic, sizeof d.clinic);
		text_at(s, 2, d.first_name, sizeof d.first_name);
		text_at(s, 3, d.last_name, sizeof d.last_name);
		d.birth_year = sqlite3_column_type(s, 4) == SQLITE_NULL ? REC_INT_NONE : sqlite3_column_int(s, 4);
		d.why = (sqlite3_column_int(s, 5) ? DUP_NAME_YEAR : 0) | (sqlite3_column_int(s, 6) ? DUP_PHONE : 0) |
		        (sqlite3_column_int(s, 7) ? DUP_EMAIL : 0);
		rc = fn(ctx, &d, err);
	}
	sqlite3_reset(s);
	if (!rc && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = store_sqlite_err(st, src, "looking for duplicates", err);
	return rc;
}

/* ---- merges ----------------------------------------------------------------- */

enum prolo_code store_patient_merged_into(struct store *st, const char *id, char out[REC_ID_MAX],
                                          struct prolo_err *err)
{
	static const char sql[] =
		"SELECT s.patient_id FROM patients p JOIN patients s ON s.pk = p.merged_into WHERE p.patient_id = ?";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	out[0] = '\0';
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		text_at(s, 0, out, REC_ID_MAX);
	sqlite3_reset(s);
	return src == SQLITE_ROW || src == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, src, "reading a merge", err);
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
	sqlite3_stmt *s = store_stmt(st, point, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, m->survivor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->merged, -1, SQLITE_STATIC);
	enum prolo_code rc = step_done(st, s, "merging patients", err);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) != 1)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "patient_id", "patient '%s' is not there to merge", m->merged);
	if (rc)
		return rc;
	if (!(s = store_stmt(st, keep, err)))
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, m->survivor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->merged, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->courses, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, m->ci_added);
	sqlite3_bind_text(s, 5, m->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, m->by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, m->reason, -1, SQLITE_STATIC);
	if (!(rc = step_done(st, s, "keeping a merge", err)))
		m->id = sqlite3_last_insert_rowid(store_sqlite_db(st));
	return rc;
}

enum prolo_code store_course_move(struct store *st, const char *course_id, int32_t version,
                                  const char *patient_id, struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE courses SET patient_pk = (SELECT pk FROM patients WHERE patient_id = ?1),"
		" version = version + 1 WHERE course_id = ?2 AND version = ?3 AND voided_at IS NULL";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, patient_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, course_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, version);
	enum prolo_code rc = step_done(st, s, "moving a course", err);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) != 1)
		rc = prolo_err_set(err, PROLO_ECONFLICT, "version", "course '%s' changed meanwhile; try again",
		                   course_id);
	return rc;
}

#define MERGE_COLS                                                                                     \
	"SELECT m.pk, s.patient_id, p.patient_id, m.courses, m.ci_added, m.at, m.by, m.reason,"          \
	" coalesce(m.undone_at, ''), coalesce(m.undone_by, ''), coalesce(m.undo_reason, '')"             \
	" FROM patient_merges m JOIN patients s ON s.pk = m.survivor_pk JOIN patients p ON p.pk = m.merged_pk"

static void merge_row(sqlite3_stmt *s, struct store_merge *m)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(s, 0);
	text_at(s, 1, m->survivor, sizeof m->survivor);
	text_at(s, 2, m->merged, sizeof m->merged);
	text_at(s, 3, m->courses, sizeof m->courses);
	m->ci_added = (uint32_t)sqlite3_column_int64(s, 4);
	text_at(s, 5, m->at, sizeof m->at);
	text_at(s, 6, m->by, sizeof m->by);
	text_at(s, 7, m->reason, sizeof m->reason);
	text_at(s, 8, m->undone_at, sizeof m->undone_at);
	text_at(s, 9, m->undone_by, sizeof m->undone_by);
	text_at(s, 10, m->undo_reason, sizeof m->undo_reason);
}

enum prolo_code store_merge_get(struct store *st, const char *merged, struct store_merge *out,
                                struct prolo_err *err)
{
	static const char sql[] = MERGE_COLS " WHERE p.patient_id = ? AND m.undone_at IS NULL"
	                                     " AND p.merged_into = m.survivor_pk ORDER BY m.pk DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, merged, -1, SQLITE_STATIC);
	int src = sqlite3_step(s);
	enum prolo_code rc = PROLO_OK;
	if (src == SQLITE_ROW)
		merge_row(s, out);
	else if (src == SQLITE_DONE)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "patient_id", "patient '%s' is not merged into another",
		                   merged);
	else
		rc = store_sqlite_err(st, src, "reading a merge", err);
	sqlite3_reset(s);
	return rc;
}

enum prolo_code store_merge_undo(struct store *st, const struct store_merge *m, struct prolo_err *err)
{
	static const char close_sql[] =
		"UPDATE patient_merges SET undone_at = ?2, undone_by = ?3, undo_reason = ?4 WHERE pk = ?1";
	static const char unpoint[] =
		"UPDATE patients SET merged_into = NULL, version = version + 1 WHERE patient_id = ?";
	sqlite3_stmt *s = store_stmt(st, close_sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_text(s, 2, m->undone_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->undone_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, m->undo_reason, -1, SQLITE_STATIC);
	enum prolo_code rc = step_done(st, s, "undoing a merge", err);
	if (rc || !(s = store_stmt(st, unpoint, err)))
		return rc ? rc : err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, m->merged, -1, SQLITE_STATIC);
	return step_done(st, s, "undoing a merge", err);
}

enum prolo_code store_merge_scan(struct store *st, const char *patient_id, store_merge_fn fn, void *ctx,
                                 struct prolo_err *err)
{
	/* Prepared per call: fn may read meanwhile. */
	static const char sql[] = MERGE_COLS " WHERE s.patient_id = ?1 OR p.patient_id = ?1 ORDER BY m.pk";
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, "reading merges", err);
	sqlite3_bind_text(s, 1, patient_id, -1, SQLITE_STATIC);
	enum prolo_code rc = PROLO_OK;
	struct store_merge m;
	while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
		merge_row(s, &m);
		rc = fn(ctx, &m, err);
	}
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "reading merges", err);
	sqlite3_finalize(s);
	return rc;
}

/* ---- warnings on open courses ------------------------------------------------ */

enum prolo_code store_course_warning_add(struct store *st, const struct store_course_warning *w,
                                         struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO course_warnings(course_pk, raised_on, rule, severity, message, by)"
		" SELECT pk, ?2, ?3, ?4, ?5, ?6 FROM courses WHERE course_id = ?1";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	char day[11];
	dom_date_format(w->raised_on, day);
	sqlite3_bind_text(s, 1, w->course_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, w->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, w->block ? "block" : "warn", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, w->message, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, w->by, -1, SQLITE_STATIC);
	enum prolo_code rc = step_done(st, s, "keeping a course warning", err);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) != 1)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "course_id", "no course '%s'", w->course_id);
	return rc;
}

enum prolo_code store_course_warning_scan(struct store *st, const char *clinic, const char *course_id,
                                          int32_t day, store_cwarn_fn fn, void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT c.course_id, p.patient_id, p.clinic, w.raised_on, w.rule, w.severity, w.message, w.by"
		" FROM course_warnings w JOIN courses c ON c.pk = w.course_pk JOIN patients p ON p.pk = c.patient_pk"
		" WHERE (?1 IS NULL OR p.clinic = ?1) AND (?2 IS NULL OR c.course_id = ?2)"
		" AND (?3 IS NULL OR w.raised_on <= ?3) AND c.voided_at IS NULL"
		" AND (c.status = 'planned' OR c.status = 'active')"
		" ORDER BY w.raised_on, c.course_id, w.pk";
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, "reading course warnings", err);
	char d[11];
	if (clinic && clinic[0])
		sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	if (course_id)
		sqlite3_bind_text(s, 2, course_id, -1, SQLITE_STATIC);
	if (day != DOM_DATE_NONE) {
		dom_date_format(day, d);
		sqlite3_bind_text(s, 3, d, -1, SQLITE_STATIC);
	}
	enum prolo_code rc = PROLO_OK;
	while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_course_warning w;
		memset(&w, 0, sizeof w);
		char on[16];
		text_at(s, 0, w.course_id, sizeof w.course_id);
		text_at(s, 1, w.patient_id, sizeof w.patient_id);
		text_at(s, 2, w.clinic, sizeof w.clinic);
		text_at(s, 3, on, sizeof on);
		if (!dom_date_parse(on, strlen(on), &w.raised_on))
			w.raised_on = DOM_DATE_NONE;
		text_at(s, 4, w.rule, sizeof w.rule);
		w.block = strcmp((const char *)sqlite3_column_text(s, 5), "block") == 0;
		text_at(s, 6, w.message, sizeof w.message);
		text_at(s, 7, w.by, sizeof w.by);
		rc = fn(ctx, &w, err);
	}
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "reading course warnings", err);
	sqlite3_finalize(s);
	return rc;
}

/* ---- a clinic's settings ----------------------------------------------------- */

enum prolo_code store_clinic_date_format(struct store *st, const char *clinic, char out[8],
                                         struct prolo_err *err)
{
	static const char sql[] = "SELECT date_format FROM clinic_settings WHERE clinic = ?";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, clinic ? clinic : "", -1, SQLITE_STATIC);
	snprintf(out, 8, "iso");
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		text_at(s, 0, out, 8);
	sqlite3_reset(s);
	return src == SQLITE_ROW || src == SQLITE_DONE ? PROLO_OK
	                                                : store_sqlite_err(st, src, "reading a clinic's settings", err);
}

enum prolo_code store_clinic_set_date_format(struct store *st, const char *clinic, const char *fmt,
                                             struct prolo_err *err)
{
	static const char add_clinic[] = "INSERT OR IGNORE INTO clinics(code) VALUES (?)";
	static const char sql[] =
		"INSERT INTO clinic_settings(clinic, date_format) VALUES (?1, ?2)"
		" ON CONFLICT(clinic) DO UPDATE SET date_format = excluded.date_format";
	sqlite3_stmt *s = store_stmt(st, add_clinic, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	enum prolo_code rc = step_done(st, s, "adding a clinic", err);
	if (rc || !(s = store_stmt(st, sql, err)))
		return rc ? rc : err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, fmt, -1, SQLITE_STATIC);
	return step_done(st, s, "setting a clinic's date format", err);
}
