/* The audit log: one append function and one verifier. Each row's hash is
 * BLAKE2b-256 over the previous row's hash and the row's own canonical
 * content (id and every column, each length-prefixed), so editing, deleting
 * or reordering a row breaks the chain at that row. Ids are dense (1, 2,
 * ...) so a deleted row is also named by the gap it leaves. Triggers in the
 * schema refuse UPDATE and DELETE; the chain catches what goes around them. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_sqlite.h"

static void put_field(crypto_generichash_state *h, const char *s)
{
	size_t n = strlen(s);
	unsigned char len[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                         (unsigned char)(n >> 8), (unsigned char)n };
	crypto_generichash_update(h, len, sizeof len);
	crypto_generichash_update(h, (const unsigned char *)s, n);
}

/* The canonical hash of a row given the previous row's hash. Cannot fail. */
static void row_hash(const unsigned char *prev, const struct store_audit *e, unsigned char *out)
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, STORE_HASH_LEN);
	crypto_generichash_update(&h, prev, STORE_HASH_LEN);
	unsigned char id[8];
	for (int i = 0; i < 8; i++)
		id[i] = (unsigned char)((uint64_t)e->id >> (56 - 8 * i));
	crypto_generichash_update(&h, id, sizeof id);
	put_field(&h, e->at);
	put_field(&h, e->user);
	put_field(&h, e->action);
	put_field(&h, e->record);
	put_field(&h, e->addr);
	put_field(&h, e->detail);
	crypto_generichash_final(&h, out, STORE_HASH_LEN);
}

static void copy_col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", v ? v : "");
}

/* Columns 0..7: id, at, user, action, record, addr, detail, hash. */
static void read_row(sqlite3_stmt *s, struct store_audit *e)
{
	memset(e, 0, sizeof *e);
	e->id = sqlite3_column_int64(s, 0);
	copy_col(s, 1, e->at, sizeof e->at);
	copy_col(s, 2, e->user, sizeof e->user);
	copy_col(s, 3, e->action, sizeof e->action);
	copy_col(s, 4, e->record, sizeof e->record);
	copy_col(s, 5, e->addr, sizeof e->addr);
	copy_col(s, 6, e->detail, sizeof e->detail);
	const void *b = sqlite3_column_blob(s, 7);
	if (b && sqlite3_column_bytes(s, 7) == STORE_HASH_LEN)
		memcpy(e->hash, b, STORE_HASH_LEN);
}

bool store_in_transaction(struct store *st)
{
	return sqlite3_get_autocommit(store_sqlite_db(st)) == 0;
}

enum prolo_code store_set_durable(struct store *st, bool full, struct prolo_err *err)
{
	int rc = sqlite3_exec(store_sqlite_db(st), full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
	                      NULL, NULL, NULL);
	return rc == SQLITE_OK ? PROLO_OK : store_sqlite_err(st, rc, "setting durability", err);
}

enum prolo_code store_audit_append_chained(struct store *st, struct store_audit_chain *ch,
                                           struct store_audit *e, struct prolo_err *err)
{
	static const char last_sql[] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
	static const char ins_sql[] =
		"INSERT INTO audit_log(id, at, user, action, record, addr, detail, hash)"
		" VALUES (?,?,?,?,?,?,?,?)";
	sqlite3 *db = store_sqlite_db(st);
	if (sqlite3_get_autocommit(db))
		return prolo_err_set(err, PROLO_EDB, "", "audit rows are written inside a transaction");
	sqlite3_stmt *s;
	int rc;
	if (!ch->known) {
		memset(ch->prev, 0, sizeof ch->prev);
		ch->last = 0;
		if (!(s = store_stmt(st, last_sql, err)))
			return err ? err->code : PROLO_EDB;
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			ch->last = sqlite3_column_int64(s, 0);
			const void *b = sqlite3_column_blob(s, 1);
			if (b && sqlite3_column_bytes(s, 1) == STORE_HASH_LEN)
				memcpy(ch->prev, b, STORE_HASH_LEN);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_sqlite_err(st, rc, "reading the audit log", err);
		ch->known = true;
	}
	e->id = ch->last + 1;
	if (!e->at[0]) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(e->at, sizeof e->at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	row_hash(ch->prev, e, e->hash);
	s = store_stmt(st, ins_sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_int64(s, 1, e->id);
	sqlite3_bind_text(s, 2, e->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->record, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, e->detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, e->hash, STORE_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		ch->known = false;
		return store_sqlite_err(st, rc, "appending to the audit log", err);
	}
	ch->last = e->id;
	memcpy(ch->prev, e->hash, STORE_HASH_LEN);
	return PROLO_OK;
}

enum prolo_code store_audit_append(struct store *st, struct store_audit *e, struct prolo_err *err)
{
	struct store_audit_chain ch = { .known = false };
	return store_audit_append_chained(st, &ch, e, err);
}

enum prolo_code store_audit_scan(struct store *st, const struct store_audit_filter *f,
                                 store_audit_fn fn, void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT id, at, user, action, record, addr, detail, hash FROM audit_log"
		" WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR action = ?2)"
		" AND (?3 IS NULL OR record = ?3) AND (?4 IS NULL OR substr(at, 1, 10) >= ?4)"
		" AND (?5 IS NULL OR substr(at, 1, 10) <= ?5) ORDER BY id DESC LIMIT ?6";
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_err(st, rc, "reading the audit log", err);
	const char *v[5] = { f->user, f->action, f->record, f->from, f->to };
	for (int i = 0; i < 5; i++)
		if (v[i] && v[i][0])
			sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, f->limit > 0 ? f->limit : 1000);
	enum prolo_code res = PROLO_OK;
	struct store_audit e;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_row(s, &e);
		if ((res = fn(ctx, &e, err)))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = store_sqlite_err(st, rc, "reading the audit log", err);
	sqlite3_finalize(s);
	return res;
}

enum prolo_code store_audit_verify(struct store *st, int64_t *n_rows, int64_t *bad_id,
                                   unsigned char *head, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT id, at, user, action, record, addr, detail, hash FROM audit_log ORDER BY id";
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_err(st, rc, "reading the audit log", err);
	unsigned char prev[STORE_HASH_LEN] = { 0 }, want[STORE_HASH_LEN];
	int64_t expect = 1;
	enum prolo_code res = PROLO_OK;
	struct store_audit e;
	*n_rows = 0;
	*bad_id = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_row(s, &e);
		if (e.id != expect) {
			*bad_id = e.id > expect ? expect : e.id;
			res = e.id > expect
			      ? prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
			                      "row %lld is missing (the next row is %lld)",
			                      (long long)expect, (long long)e.id)
			      : prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
			                      "row %lld is out of order", (long long)e.id);
			break;
		}
		row_hash(prev, &e, want);
		if (sodium_memcmp(want, e.hash, STORE_HASH_LEN) != 0) {
			*bad_id = e.id;
			res = prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
			                    "row %lld does not match the chain (edited, reordered, or a "
			                    "row before it was removed)", (long long)e.id);
			break;
		}
		memcpy(prev, e.hash, STORE_HASH_LEN);
		(*n_rows)++;
		expect++;
	}
	if (!res && rc != SQLITE_DONE)
		res = store_sqlite_err(st, rc, "reading the audit log", err);
	sqlite3_finalize(s);
	if (head)
		memcpy(head, prev, STORE_HASH_LEN);
	return res;
}

enum prolo_code store_audit_spool_get(struct store *st, char *id, size_t idsz, struct prolo_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT last_file FROM audit_spool WHERE one = 1", err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	int rc = sqlite3_step(s);
	const char *v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	snprintf(id, idsz, "%s", v ? v : "");
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PROLO_OK
	                                             : store_sqlite_err(st, rc, "reading the audit spool mark", err);
}

enum prolo_code store_audit_spool_mark(struct store *st, const char *id, struct prolo_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO audit_spool(one, last_file) VALUES (1, ?)"
	                                 " ON CONFLICT(one) DO UPDATE SET last_file = excluded.last_file", err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, "writing the audit spool mark", err);
}
