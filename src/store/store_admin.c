/* Registry housekeeping: the conditions a clinic adds, and online backups
 * through SQLite's backup API (a consistent copy while others keep
 * working). */
#include "store/store_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/privfile.h"

enum prolo_code store_condition_add(struct store *st, const char *name, const char *icd10,
                                    const char *snomed, const char *label, struct prolo_err *err)
{
	static const char sql[] = "INSERT INTO conditions(name, icd10, snomed, label) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (icd10 && icd10[0])
		sqlite3_bind_text(s, 2, icd10, -1, SQLITE_STATIC);
	if (snomed && snomed[0])
		sqlite3_bind_text(s, 3, snomed, -1, SQLITE_STATIC);
	if (label && label[0])
		sqlite3_bind_text(s, 4, label, -1, SQLITE_STATIC);
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src == SQLITE_DONE)
		return PROLO_OK;
	int ext = sqlite3_extended_errcode(store_sqlite_db(st));
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
		return prolo_err_set(err, PROLO_ECONFLICT, "name", "condition '%s' already exists", name);
	return store_sqlite_err(st, src, "adding a condition", err);
}

enum prolo_code store_condition_scan(struct store *st, store_condition_fn fn, void *ctx,
                                     struct prolo_err *err)
{
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(store_sqlite_db(st),
	                             "SELECT name, coalesce(icd10, ''), coalesce(snomed, ''), coalesce(label, '')"
	                             " FROM conditions ORDER BY name", -1, &s, NULL);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, "reading conditions", err);
	enum prolo_code rc = PROLO_OK;
	while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW)
		rc = fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		        (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3), err);
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "reading conditions", err);
	sqlite3_finalize(s);
	return rc;
}

enum prolo_code store_backup(struct store *st, const char *path, struct prolo_err *err)
{
	sqlite3 *dst = NULL;
	/* Created 0600 (or narrowed to it) before SQLite opens it: its WAL
	 * files take the same mode. */
	if (privfile_prepare(path) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "FILE", "cannot create '%s': %s", path, strerror(errno));
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		enum prolo_code rc = prolo_err_set(err, PROLO_EINVAL, "FILE", "cannot create '%s': %s", path,
		                                   dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return rc;
	}
	enum prolo_code rc = PROLO_OK;
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", store_sqlite_db(st), "main");
	if (!b) {
		rc = prolo_err_set(err, PROLO_EDB, "FILE", "cannot back up into '%s': %s", path, sqlite3_errmsg(dst));
	} else {
		/* In steps, so writers are held up only briefly; bounded retries. */
		int src, tries = 0;
		while ((src = sqlite3_backup_step(b, 1024)) == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED) {
			if (src != SQLITE_OK && ++tries > 200)
				break;
			if (src != SQLITE_OK)
				sqlite3_sleep(50);
		}
		sqlite3_backup_finish(b);
		if (src != SQLITE_DONE)
			rc = prolo_err_set(err, PROLO_EDB, "FILE", "backup into '%s' failed: %s", path,
			                   sqlite3_errstr(src));
	}
	if (!rc && sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
		rc = prolo_err_set(err, PROLO_EDB, "FILE", "backup '%s': %s", path, sqlite3_errmsg(dst));
	sqlite3_close(dst);
	/* The copy's audit chain is checked with the same key. */
	const struct audit_key *k = store_sqlite_audit_key(st, NULL);
	if (!rc && k->have)
		rc = audit_key_write(path, k, err);
	return rc;
}
