/* The audit log: one append function and one verifier. Each row's hash is
 * BLAKE2b-256 over the previous row's hash and the row's own canonical
 * content (id and every column, each length-prefixed), so editing, deleting
 * or reordering a row breaks the chain at that row. Ids are dense (1, 2,
 * ...) so a deleted row is also named by the gap it leaves. Triggers in the
 * schema refuse UPDATE and DELETE; the chain catches what goes around them.
 * The hash is keyed with the secret of REGISTRY-audit.key from the row the
 * key file names on (rows of a registry from before keyed chains stay
 * unkeyed up to there), so the chain cannot be recomputed without the key;
 * each commit's head is appended to REGISTRY-audit.anchor, so a cut tail
 * is caught too (store/audit_anchor.h). */
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

/* The canonical hash of a row given the previous row's hash, keyed when
 * key is not NULL. Cannot fail. */
static void row_hash(const unsigned char *prev, const struct store_audit *e,
                     const unsigned char *key, unsigned char *out)
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, key, key ? AUDIT_KEY_LEN : 0, STORE_HASH_LEN);
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
	const struct audit_key *k = store_sqlite_audit_key(st, NULL);
	if (!k->have)
		return prolo_err_set(err, PROLO_EDB, "db", "audit rows need the audit key, which was not loaded");
	row_hash(ch->prev, e, e->id >= k->from ? k->key : NULL, e->hash);
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
	store_sqlite_audit_touched(st);
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

/* The id of the row that says a key was made ("audit.key_created" by
 * "prolo"), 0 when none. */
static int64_t key_marker(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	if (sqlite3_prepare_v2(store_sqlite_db(st),
	                       "SELECT min(id) FROM audit_log WHERE action = 'audit.key_created' AND user = 'prolo'",
	                       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

enum prolo_code store_audit_key_ensure(struct store *st, struct prolo_err *err)
{
	const char *path = store_sqlite_path(st);
	struct audit_key *k = store_sqlite_audit_key(st, NULL);
	enum prolo_code rc = audit_key_load(path, k, err);
	if (rc || k->have)
		return rc;
	if ((rc = store_begin(st, err)))
		return rc;
	/* Under the write lock: no row is appended meanwhile, and another
	 * process may have made the key since. */
	if ((rc = audit_key_load(path, k, err)) || k->have) {
		store_rollback(st);
		return rc;
	}
	int64_t marker = key_marker(st);
	if (marker) {
		store_rollback(st);
		char kp[4200];
		audit_side_path(path, "-audit.key", kp, sizeof kp, NULL);
		return prolo_err_set(err, PROLO_EDB, "db",
		                     "the audit key '%s' is missing, but audit row %lld says the log was keyed: "
		                     "restore the key file (a copy of a registry needs its key)",
		                     kp, (long long)marker);
	}
	int64_t last = 0;
	sqlite3_stmt *s = store_stmt(st, "SELECT coalesce(max(id), 0) FROM audit_log", err);
	if (!s) {
		store_rollback(st);
		return err ? err->code : PROLO_EDB;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		last = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	bool existed = false;
	if ((rc = audit_key_create(path, last + 1, k, &existed, err)) || existed) {
		store_rollback(st);
		return rc ? rc : audit_key_load(path, k, err);
	}
	struct store_audit e;
	memset(&e, 0, sizeof e);
	snprintf(e.user, sizeof e.user, "prolo");
	snprintf(e.action, sizeof e.action, "audit.key_created");
	snprintf(e.addr, sizeof e.addr, "local");
	if (last)
		snprintf(e.detail, sizeof e.detail, "rows 1-%lld are chained without a key, from %lld on with it",
		         (long long)last, (long long)last + 1);
	else
		snprintf(e.detail, sizeof e.detail, "the chain is keyed from row 1");
	rc = store_audit_append(st, &e, err);
	if (!rc)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	return rc;
}

/* The append-only triggers as migration 2 made them, compared with
 * whitespace runs taken as one space. */
static bool trigger_intact(struct store *st, const char *name, const char *want)
{
	sqlite3_stmt *s = NULL;
	bool ok = false;
	if (sqlite3_prepare_v2(store_sqlite_db(st),
	                       "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = 'audit_log'",
	                       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			const char *got = (const char *)sqlite3_column_text(s, 0);
			ok = got != NULL;
			while (ok && (*got || *want)) {
				bool gs = *got == ' ' || *got == '\n' || *got == '\t' || *got == '\r';
				bool ws = *want == ' ';
				if (gs && ws) {
					while (*got == ' ' || *got == '\n' || *got == '\t' || *got == '\r')
						got++;
					want++;
				} else if (*got == *want) {
					got++;
					want++;
				} else {
					ok = false;
				}
			}
		}
	}
	sqlite3_finalize(s);
	return ok;
}

enum prolo_code store_audit_verify(struct store *st, int64_t *n_rows, int64_t *bad_id,
                                   unsigned char *head, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT id, at, user, action, record, addr, detail, hash FROM audit_log ORDER BY id";
	*n_rows = 0;
	*bad_id = 0;
	const char *path = store_sqlite_path(st);
	const struct prolo_err *key_err = NULL;
	const struct audit_key *k = store_sqlite_audit_key(st, &key_err);
	if (key_err)
		return prolo_err_set(err, key_err->code, key_err->field, "%s", key_err->msg);
	if (!k->have) {
		int64_t marker = key_marker(st);
		if (marker) {
			*bad_id = marker;
			char kp[4200];
			audit_side_path(path, "-audit.key", kp, sizeof kp, NULL);
			return prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
			                     "the audit key '%s' is missing, but row %lld says the log was keyed "
			                     "from there: the keyed rows cannot be checked", kp, (long long)marker);
		}
	}
	struct audit_anchor *anchors = NULL;
	size_t n_anchors = 0, next_anchor = 0;
	enum prolo_code res = audit_anchor_read(path, &anchors, &n_anchors, err);
	if (res)
		return res;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		free(anchors);
		return store_sqlite_err(st, rc, "reading the audit log", err);
	}
	unsigned char prev[STORE_HASH_LEN] = { 0 }, want[STORE_HASH_LEN];
	int64_t expect = 1;
	struct store_audit e;
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
		row_hash(prev, &e, k->have && e.id >= k->from ? k->key : NULL, want);
		if (sodium_memcmp(want, e.hash, STORE_HASH_LEN) != 0) {
			*bad_id = e.id;
			res = prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
			                    "row %lld does not match the %schain (edited, reordered, rehashed, or a "
			                    "row before it was removed)", (long long)e.id,
			                    k->have && e.id >= k->from ? "keyed " : "");
			break;
		}
		while (next_anchor < n_anchors && anchors[next_anchor].id == e.id) {
			if (sodium_memcmp(anchors[next_anchor].hash, e.hash, STORE_HASH_LEN) != 0) {
				*bad_id = e.id;
				res = prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
				                    "row %lld differs from the head anchored for it in the anchor file",
				                    (long long)e.id);
				break;
			}
			next_anchor++;
		}
		if (res)
			break;
		memcpy(prev, e.hash, STORE_HASH_LEN);
		(*n_rows)++;
		expect++;
	}
	if (!res && rc != SQLITE_DONE)
		res = store_sqlite_err(st, rc, "reading the audit log", err);
	sqlite3_finalize(s);
	if (!res && next_anchor < n_anchors) {
		*bad_id = *n_rows + 1;
		res = prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
		                    "the log ends at row %lld, but row %lld was anchored: rows were cut from the end",
		                    (long long)*n_rows, (long long)anchors[n_anchors - 1].id);
	}
	free(anchors);
	static const char *const trig[][2] = {
		{ "audit_log_no_update", "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
		                         "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END" },
		{ "audit_log_no_delete", "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
		                         "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END" },
	};
	for (size_t i = 0; !res && i < sizeof trig / sizeof trig[0]; i++)
		if (!trigger_intact(st, trig[i][0], trig[i][1]))
			res = prolo_err_set(err, PROLO_ECONFLICT, "audit_log",
			                    "the append-only trigger %s is missing or altered: rows could be "
			                    "changed without an error", trig[i][0]);
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
	static const char sql[] = "INSERT INTO audit_spool(one, last_file) VALUES (1, ?)"
	                          " ON CONFLICT(one) DO UPDATE SET last_file = excluded.last_file";
	return store_exec_text(st, sql, id, "writing the audit spool mark", err);
}
