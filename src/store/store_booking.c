/* SQLite side of appointments (store/store_booking.h): the bookings table
 * and the clinics' zones. A booking keeps its local date and time and the
 * zone they are in, and the UTC instant they meant when it was made, so the
 * day view shows what the front desk typed and the calendar gets the
 * instant. */
#include "store/store_booking.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"
#include "core/grow.h"
#include "store/store_sqlite.h"

#define BK_DATE(c) "CHECK (length(" c ") = 10 AND " c " BETWEEN '1900-01-01' AND '2199-12-31')"

const char store_booking_migration_sql[] =
	"ALTER TABLE clinics ADD COLUMN tz TEXT CHECK (tz IS NULL OR (length(tz) BETWEEN 1 AND 63"
	"  AND tz NOT GLOB '*[^A-Za-z0-9/_+-]*' AND tz NOT LIKE '%..%'));"
	"CREATE TABLE bookings ("
	"  id INTEGER PRIMARY KEY,"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  session_no INTEGER NOT NULL CHECK (session_no BETWEEN 1 AND 10000),"
	"  date TEXT NOT NULL " BK_DATE("date") ","
	"  minute INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),"
	"  minutes INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),"
	"  tz TEXT NOT NULL CHECK (length(tz) BETWEEN 1 AND 63),"
	"  utc INTEGER NOT NULL,"
	"  status TEXT NOT NULL CHECK (status = 'booked' OR status = 'attended' OR status = 'cancelled' OR status = 'no_show'),"
	"  seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0),"
	"  attended_session_no INTEGER CHECK (attended_session_no IS NULL OR attended_session_no >= 1),"
	"  note TEXT CHECK (note IS NULL OR length(note) <= 200),"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK ((status = 'attended') = (attended_session_no IS NOT NULL))"
	") STRICT;"
	"CREATE INDEX bookings_course ON bookings(course_pk, date, minute);"
	"CREATE INDEX bookings_day ON bookings(date, minute);";

const char *const store_booking_status_names[BK__COUNT] = { "booked", "attended", "cancelled", "no_show" };

/* A text column into out ("" for NULL). */
static void text_col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", t ? t : "");
}

/* The columns a write sets, in the order session_no, date, minute,
 * minutes, tz, utc, status, seq, attended_session_no (0 = NULL), note,
 * updated_at, then the booking's id (update) or its course, creator and
 * time (add): one format for store_execf. */
#define BK_FIELDS "idiitItiioI"
#define BK_ARGS(b)                                                                                       \
	(b)->session_no, (b)->date, (b)->minute, (b)->minutes, (b)->tz, (b)->utc,                        \
		store_booking_status_names[(b)->status], (b)->seq, (b)->attended_session_no, (b)->note,        \
		(b)->updated_at

enum prolo_code store_booking_add(struct store *st, struct store_booking *b, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO bookings(session_no, date, minute, minutes, tz, utc, status, seq, attended_session_no,"
		" note, updated_at, course_pk, created_by, created_at)"
		" SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULLIF(?9, 0), ?10, ?11, pk, ?13, ?14 FROM courses"
		" WHERE course_id = ?12 AND voided_at IS NULL";
	enum prolo_code rc = store_execf(st, sql, "adding a booking", err, BK_FIELDS "ttI", BK_ARGS(b), b->course_id,
	                                 b->created_by, b->created_at);
	if (rc)
		return rc;
	if (sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "course_id", "no course '%s'", b->course_id);
	b->id = sqlite3_last_insert_rowid(store_sqlite_db(st));
	return PROLO_OK;
}

enum prolo_code store_booking_update(struct store *st, const struct store_booking *b, struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE bookings SET session_no = ?1, date = ?2, minute = ?3, minutes = ?4, tz = ?5, utc = ?6,"
		" status = ?7, seq = ?8, attended_session_no = NULLIF(?9, 0), note = ?10, updated_at = ?11"
		" WHERE id = ?12";
	enum prolo_code rc = store_execf(st, sql, "changing a booking", err, BK_FIELDS "I", BK_ARGS(b), b->id);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no booking %lld", (long long)b->id);
	return rc;
}

static void read_row(sqlite3_stmt *s, struct store_booking *b)
{
	memset(b, 0, sizeof *b);
	text_col(s, 2, b->course_id, sizeof b->course_id);
	text_col(s, 3, b->patient_id, sizeof b->patient_id);
	text_col(s, 4, b->clinic, sizeof b->clinic);
	b->id = sqlite3_column_int64(s, 0);
	b->course_key = sqlite3_column_int64(s, 1);
	b->session_no = sqlite3_column_int(s, 5);
	const char *d = (const char *)sqlite3_column_text(s, 6);
	if (!d || !dom_date_parse(d, strlen(d), &b->date))
		b->date = DOM_DATE_NONE;
	b->minute = sqlite3_column_int(s, 7);
	b->minutes = sqlite3_column_int(s, 8);
	text_col(s, 9, b->tz, sizeof b->tz);
	b->utc = sqlite3_column_int64(s, 10);
	const char *stt = (const char *)sqlite3_column_text(s, 11);
	b->status = stt ? dom_lookup(store_booking_status_names, BK__COUNT, stt, strlen(stt)) : BK_BOOKED;
	if (b->status < 0)
		b->status = BK_BOOKED;
	b->seq = sqlite3_column_int(s, 12);
	b->attended_session_no = sqlite3_column_int(s, 13);
	text_col(s, 14, b->note, sizeof b->note);
	text_col(s, 15, b->created_by, sizeof b->created_by);
	b->created_at = sqlite3_column_int64(s, 16);
	b->updated_at = sqlite3_column_int64(s, 17);
}

/* The columns read_row reads, of bookings of courses not voided (of
 * voided ones with BOOKING_VOIDED). */
#define BOOKING_SELECT                                                                                 \
	"SELECT b.id, c.pk, c.course_id, p.patient_id, p.clinic, b.session_no, b.date, b.minute, b.minutes," \
	" b.tz, b.utc, b.status, b.seq, b.attended_session_no, b.note, b.created_by, b.created_at,"        \
	" b.updated_at FROM bookings b JOIN courses c ON c.pk = b.course_pk"                              \
	" JOIN patients p ON p.pk = c.patient_pk "
#define BOOKING_COLS BOOKING_SELECT "WHERE c.voided_at IS NULL "
#define BOOKING_VOIDED BOOKING_SELECT "WHERE c.voided_at IS NOT NULL "

enum prolo_code store_booking_get(struct store *st, int64_t id, struct store_booking *out,
                                  struct prolo_err *err)
{
	static const char sql[] = BOOKING_COLS "AND b.id = CAST(?1 AS INTEGER)";
	char key[24];
	sqlite3_stmt *row;
	snprintf(key, sizeof key, "%lld", (long long)id);
	enum prolo_code rc = store_row_by_text(st, sql, key, "reading a booking", &row, err);
	if (rc)
		return rc;
	if (!row)
		return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no booking %lld", (long long)id);
	read_row(row, out);
	sqlite3_reset(row);
	return PROLO_OK;
}

enum prolo_code store_booking_collect(struct store *st, const struct store_booking_filter *f, bool by_course,
                                      struct store_booking **out, size_t *n, struct prolo_err *err)
{
#define BOOKING_WHERE                                                                              \
	"AND (?1 IS NULL OR p.clinic = ?1) AND (?2 IS NULL OR c.course_id = ?2)"                       \
	" AND (?3 IS NULL OR p.patient_id = ?3) AND (?4 IS NULL OR b.date >= ?4)"                      \
	" AND (?5 IS NULL OR b.date <= ?5) AND (?6 IS NULL OR b.status = ?6)"
#define BY_TIME " ORDER BY b.date, b.minute, b.id"
	/* Ordered by the bookings' own column, so SQLite walks bookings_course
	 * (a few rows) rather than every course (ordering by c.pk did). */
#define BY_KEY " ORDER BY b.course_pk, b.date, b.minute, b.id"
	static const char *const sql[2][2] = {
		{ BOOKING_COLS BOOKING_WHERE BY_TIME, BOOKING_COLS BOOKING_WHERE BY_KEY },
		{ BOOKING_VOIDED BOOKING_WHERE BY_TIME, BOOKING_VOIDED BOOKING_WHERE BY_KEY },
	};
#undef BOOKING_WHERE
#undef BY_TIME
#undef BY_KEY
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_stmt(st, sql[f->voided_courses][by_course], err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	store_bindf(s, "ooodd", f->clinic, f->course_id, f->patient_id, f->from, f->to);
	if (f->status >= 0 && f->status < BK__COUNT)
		sqlite3_bind_text(s, 6, store_booking_status_names[f->status], -1, SQLITE_STATIC);
	size_t cap = 0;
	enum prolo_code rc = PROLO_OK;
	int src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW && !(rc = grow_array(out, &cap, *n + 1, sizeof **out, 32, err)))
		read_row(s, &(*out)[(*n)++]);
	sqlite3_reset(s);
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "reading bookings", err);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

enum prolo_code store_booking_scan(struct store *st, const struct store_booking_filter *f, bool by_course,
                                   store_booking_fn fn, void *ctx, struct prolo_err *err)
{
	/* Rows are collected first: fn may write (and so reuse statements). */
	struct store_booking *rows;
	size_t n;
	enum prolo_code rc = store_booking_collect(st, f, by_course, &rows, &n, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = fn(ctx, &rows[i], err);
	free(rows);
	return rc;
}

enum prolo_code store_clinic_tz_get(struct store *st, const char *clinic, char out[TZ_NAME_MAX],
                                    struct prolo_err *err)
{
	static const char sql[] = "SELECT tz FROM clinics WHERE code = ?1";
	sqlite3_stmt *row;
	out[0] = '\0';
	enum prolo_code rc = store_row_by_text(st, sql, clinic, "reading a clinic", &row, err);
	if (!rc && row) {
		text_col(row, 0, out, TZ_NAME_MAX);
		sqlite3_reset(row);
	}
	return rc;
}

enum prolo_code store_clinic_tz_set(struct store *st, const char *clinic, const char *tz, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO clinics(code, tz) VALUES (?1, ?2) ON CONFLICT(code) DO UPDATE SET tz = excluded.tz";
	return store_execf(st, sql, "setting a clinic's time zone", err, "to", clinic, tz);
}
