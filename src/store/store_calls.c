/* SQLite side of the front desk's records (store/store_calls.h): the call
 * log and the alerts' snooze and assignment, each row tied to its course
 * so that a course's history keeps them. */
#include "store/store_calls.h"

#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "store/store_sqlite.h"

#define DAY(c) "CHECK (" c " IS NULL OR (length(" c ") = 10 AND " c " BETWEEN '1900-01-01' AND '2199-12-31'))"

const char store_calls_migration_sql[] =
	"CREATE TABLE call_log ("
	"  id INTEGER PRIMARY KEY,"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  at INTEGER NOT NULL,"
	"  day TEXT NOT NULL " DAY("day") ","
	"  by_user TEXT NOT NULL CHECK (length(by_user) BETWEEN 1 AND 100),"
	"  result TEXT NOT NULL CHECK (result IN ('reached', 'no_answer', 'left_message', 'wrong_number',"
	"    'declined', 'call_back')),"
	"  note TEXT CHECK (note IS NULL OR length(note) <= 1000),"
	"  point_day INTEGER CHECK (point_day IS NULL OR point_day BETWEEN 1 AND 36500),"
	"  alert_key TEXT CHECK (alert_key IS NULL OR length(alert_key) BETWEEN 1 AND 127)"
	") STRICT;"
	"CREATE INDEX call_log_course ON call_log(course_pk, at);"
	"CREATE TABLE alert_states ("
	"  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 127),"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  snoozed_until TEXT " DAY("snoozed_until") ","
	"  snoozed_by TEXT CHECK (snoozed_by IS NULL OR length(snoozed_by) BETWEEN 1 AND 100),"
	"  assigned_to TEXT CHECK (assigned_to IS NULL OR length(assigned_to) BETWEEN 1 AND 64),"
	"  assigned_by TEXT CHECK (assigned_by IS NULL OR length(assigned_by) BETWEEN 1 AND 100),"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK ((snoozed_until IS NULL) = (snoozed_by IS NULL)),"
	"  CHECK ((assigned_to IS NULL) = (assigned_by IS NULL))"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX alert_states_course ON alert_states(course_pk);";

const char *const store_call_result_names[CALL__COUNT] = { "reached", "no_answer", "left_message",
                                                           "wrong_number", "declined", "call_back" };

/* Text column i into out ("" for NULL). */
static void text_at(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

/* A day column; DOM_DATE_NONE for NULL. */
static int32_t day_at(sqlite3_stmt *s, int i)
{
	int32_t d = DOM_DATE_NONE;
	const char *t = (const char *)sqlite3_column_text(s, i);
	if (t && !dom_date_parse(t, strlen(t), &d))
		d = DOM_DATE_NONE;
	return d;
}

/* rc of a write whose row comes from its course: PROLO_ENOTFOUND (field)
 * when it changed no row (no course course_id). */
static enum prolo_code course_write(struct store *st, enum prolo_code rc, const char *course_id,
                                    const char *field, struct prolo_err *err)
{
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, field, "no course '%s'", course_id);
	return rc;
}

/* ---- the call log ------------------------------------------------------- */

enum prolo_code store_call_add(struct store *st, struct store_call *c, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO call_log(course_pk, day, by_user, result, note, alert_key, at, point_day)"
		" SELECT pk, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, 0) FROM courses WHERE course_id = ?1";
	enum prolo_code rc = store_execf(st, sql, "logging a call", err, "tdttooIi", c->course_id, c->day, c->by,
	                                 store_call_result_names[c->result], c->note, c->alert_key, c->at,
	                                 c->point_day);
	if (!(rc = course_write(st, rc, c->course_id, "course_id", err)))
		c->id = sqlite3_last_insert_rowid(store_sqlite_db(st));
	return rc;
}

static void read_call(sqlite3_stmt *s, struct store_call *c)
{
	memset(c, 0, sizeof *c);
	c->at = sqlite3_column_int64(s, 4);
	c->point_day = sqlite3_column_int(s, 9);
	c->day = day_at(s, 5);
	c->id = sqlite3_column_int64(s, 0);
	text_at(s, 1, c->course_id, sizeof c->course_id);
	text_at(s, 2, c->patient_id, sizeof c->patient_id);
	text_at(s, 3, c->clinic, sizeof c->clinic);
	text_at(s, 6, c->by, sizeof c->by);
	const char *r = (const char *)sqlite3_column_text(s, 7);
	c->result = r ? dom_lookup(store_call_result_names, CALL__COUNT, r, strlen(r)) : -1;
	if (c->result < 0)
		c->result = CALL_NO_ANSWER;
	text_at(s, 8, c->note, sizeof c->note);
	text_at(s, 10, c->alert_key, sizeof c->alert_key);
}

enum prolo_code store_call_scan(struct store *st, const char *course_id, const char *clinic, int limit,
                                store_call_fn fn, void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT l.id, c.course_id, p.patient_id, p.clinic, l.at, l.day, l.by_user, l.result,"
		" coalesce(l.note, ''), coalesce(l.point_day, 0), coalesce(l.alert_key, '')"
		" FROM call_log l JOIN courses c ON c.pk = l.course_pk JOIN patients p ON p.pk = c.patient_pk"
		" WHERE (?1 IS NULL OR c.course_id = ?1) AND (?2 IS NULL OR p.clinic = ?2)"
		" ORDER BY l.at DESC, l.id DESC LIMIT ?3";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	store_bindf(s, "ooi", course_id, clinic, limit > 0 ? limit : -1);
	enum prolo_code out = PROLO_OK;
	int rc;
	struct store_call c;
	/* fn only reads (it renders), so the statement may stay open. */
	while (!out && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_call(s, &c);
		out = fn(ctx, &c, err);
	}
	sqlite3_reset(s);
	return out || rc == SQLITE_DONE ? out : store_sqlite_err(st, rc, "reading the call log", err);
}

/* ---- the alerts' state -------------------------------------------------- */

enum prolo_code store_alert_state_get(struct store *st, const char *key, struct store_alert_state *out,
                                      struct prolo_err *err)
{
	sqlite3_stmt *row;
	static const char sql[] =
		"SELECT c.course_id, a.snoozed_until, coalesce(a.snoozed_by, ''), coalesce(a.assigned_to, ''),"
		" coalesce(a.assigned_by, ''), a.updated_at FROM alert_states a JOIN courses c ON c.pk = a.course_pk"
		" WHERE a.key = ?";
	enum prolo_code rc = store_row_by_text(st, sql, key, "reading an alert's state", &row, err);
	if (rc)
		return rc;
	if (!row)
		return prolo_err_set(err, PROLO_ENOTFOUND, "key", "the alert has no snooze or assignment");
	memset(out, 0, sizeof *out);
	snprintf(out->key, sizeof out->key, "%s", key);
	text_at(row, 0, out->course_id, sizeof out->course_id);
	out->snoozed_until = day_at(row, 1);
	text_at(row, 2, out->snoozed_by, sizeof out->snoozed_by);
	text_at(row, 3, out->assigned_to, sizeof out->assigned_to);
	text_at(row, 4, out->assigned_by, sizeof out->assigned_by);
	out->updated_at = sqlite3_column_int64(row, 5);
	sqlite3_reset(row);
	return PROLO_OK;
}

enum prolo_code store_alert_state_put(struct store *st, const struct store_alert_state *a,
                                      struct prolo_err *err)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO alert_states(course_pk, key, snoozed_until, snoozed_by, assigned_to,"
		" assigned_by, updated_at) SELECT pk, ?2, ?3, ?4, ?5, ?6, ?7 FROM courses WHERE course_id = ?1";
	bool snoozed = a->snoozed_until != DOM_DATE_NONE, assigned = a->assigned_to[0] != '\0';
	enum prolo_code rc = store_execf(st, sql, "writing an alert's state", err, "ttdoooI", a->course_id, a->key,
	                                 a->snoozed_until, snoozed ? a->snoozed_by : NULL, a->assigned_to,
	                                 assigned ? a->assigned_by : NULL, a->updated_at);
	return course_write(st, rc, a->course_id, "key", err);
}
