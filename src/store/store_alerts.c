/* SQLite side of alert acknowledgements: one small table keyed by the
 * alert key, with the course it belongs to so that a course's history and
 * its acknowledgements stay together. */
#include "store/store_alerts.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_sqlite.h"

const char store_alerts_migration_sql[] =
	"CREATE TABLE alert_acks ("
	"  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  acked_by TEXT NOT NULL CHECK (length(acked_by) BETWEEN 1 AND 100),"
	"  acked_at TEXT NOT NULL,"
	"  note TEXT"
	") STRICT;"
	"CREATE INDEX alert_acks_course ON alert_acks(course_pk);";

enum prolo_code store_alert_ack_add(struct store *st, const char *key, const char *course_id,
                                    const char *by, const char *note, struct prolo_err *err)
{
	static const char find[] =
		"SELECT a.acked_by, a.acked_at FROM alert_acks a WHERE a.key = ?";
	static const char course[] = "SELECT pk FROM courses WHERE course_id = ?";
	static const char ins[] =
		"INSERT INTO alert_acks(key, course_pk, acked_by, acked_at, note) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *s;
	enum prolo_code pc = store_row_by_text(st, course, course_id, "looking up a course", &s, err);
	if (pc || !s)
		return pc ? pc : prolo_err_set(err, PROLO_ENOTFOUND, "key", "no course '%s'", course_id);
	sqlite3_int64 pk = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	if ((pc = store_row_by_text(st, find, key, "reading acknowledgements", &s, err)))
		return pc;
	if (s) {
		pc = prolo_err_set(err, PROLO_ECONFLICT, "key", "'%s' was already acknowledged by %s at %s", key,
		                   (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
		sqlite3_reset(s);
		return pc;
	}

	char at[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return store_execf(st, ins, "recording an acknowledgement", err, "tItto", key, (int64_t)pk, by, at, note);
}

enum prolo_code store_alert_acked(struct store *st, const char *key, bool *acked,
                                  struct prolo_err *err)
{
	static const char sql[] = "SELECT 1 FROM alert_acks WHERE key = ?";
	sqlite3_stmt *s;
	enum prolo_code rc = store_row_by_text(st, sql, key, "reading acknowledgements", &s, err);
	*acked = s != NULL;
	if (s)
		sqlite3_reset(s);
	return rc;
}
