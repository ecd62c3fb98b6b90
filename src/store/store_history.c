/* The previous versions of records (record_history, migration 6): kept when
 * a record is amended or voided, read for its history. */
#include <string.h>

#include "store/store_sqlite.h"

enum prolo_code store_history_add(struct store *st, const struct store_history_row *h,
                                  struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO record_history(kind, record, version, action, old, by, at, reason)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, h->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, h->record, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, h->version);
	sqlite3_bind_text(s, 4, h->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, h->old, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, h->by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, h->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, h->reason, -1, SQLITE_STATIC);
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src != SQLITE_DONE)
		return store_sqlite_err(st, src, "keeping the previous version", err);
	return PROLO_OK;
}

static const char *col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? v : "";
}

enum prolo_code store_history_list(struct store *st, const char *kind, const char *record,
                                   store_history_row_fn fn, void *ctx, struct prolo_err *err)
{
	/* Prepared per call: a callback may read other records meanwhile. */
	static const char sql[] =
		"SELECT kind, record, version, action, old, by, at, reason FROM record_history"
		" WHERE kind = ? AND record = ? ORDER BY version, pk";
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, "reading a record's history", err);
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, record, -1, SQLITE_STATIC);
	enum prolo_code rc = PROLO_OK;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_history_row h = {
			col(s, 0), col(s, 1), sqlite3_column_int(s, 2), col(s, 3), col(s, 4), col(s, 5), col(s, 6),
			col(s, 7),
		};
		if ((rc = fn(ctx, &h, err)))
			break;
	}
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "reading a record's history", err);
	sqlite3_finalize(s);
	return rc;
}
