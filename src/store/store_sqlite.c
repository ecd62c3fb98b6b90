/* SQLite backend of store.h: connection set-up, migrations, and generic
 * insert/get/scan driven by the record field tables, so a field added to
 * core/records.c needs only its column here in a new migration. Clinic ids
 * are resolved to internal keys through a one-entry cache: rows arrive
 * grouped by course in imports, which makes the lookups nearly free. */
#include "store/store_sqlite.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/privfile.h"
#include "store/idmap.h"

#define STMT_CACHE 64

/* store_insert reads the course id of every child record from its start. */
_Static_assert(offsetof(struct session, course_id) == 0, "course_id first");
_Static_assert(offsetof(struct injection, course_id) == 0, "course_id first");
_Static_assert(offsetof(struct outcome, course_id) == 0, "course_id first");
_Static_assert(offsetof(struct adverse_event, course_id) == 0, "course_id first");

struct parent_cache {
	char id[REC_ID_MAX];
	int64_t pk;
	int32_t start_date; /* courses only */
	int32_t next_ae;    /* courses only: next adverse event seq; 0 = unknown */
};

#define SH__COUNT 512 /* scan shapes: combinations of the SH_ filter bits below */

struct scan_slot {
	sqlite3_stmt *stmt; /* prepared on first use; NULL until then */
	bool busy;          /* being stepped by a scan in progress */
};

struct store {
	sqlite3 *db;
	bool in_tx;
	bool readonly;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[STMT_CACHE];
	int n_cache;
	char *insert_sql[REC__COUNT];
	struct scan_slot scans[REC__COUNT][SH__COUNT]; /* reads: one statement per shape */
	struct scan_slot history;    /* store_course_history_scan */
	sqlite3_stmt *changes[REC__COUNT][2]; /* change_stmt: amend, void; prepared on first use */
	int wal_frames;              /* store_checkpoint_manually: WAL size after the last commit */
	struct parent_cache patient, course;
	char last_clinic[REC_ID_MAX];
	char **conditions; /* known condition names */
	int n_conditions;
	bool bulk;                   /* store_bulk_begin: ids resolved from maps */
	struct idmap patients, courses; /* bulk only; cleared on commit/rollback */
	struct bulk *pending;        /* bulk only: rows waiting for a multi-row insert */
	char *path;                  /* as opened: the audit key and anchor files are beside it */
	struct audit_key akey;       /* the audit chain's key (have = false: none) */
	struct prolo_err akey_err;   /* why a read-only open could not load it */
	bool audit_dirty;            /* audit rows appended in the open transaction */
};

const char *store_sqlite_path(struct store *st)
{
	return st->path;
}

struct audit_key *store_sqlite_audit_key(struct store *st, const struct prolo_err **load_err)
{
	if (load_err)
		*load_err = st->akey_err.msg[0] ? &st->akey_err : NULL;
	return &st->akey;
}

void store_sqlite_audit_touched(struct store *st)
{
	st->audit_dirty = true;
}

/* After a commit that appended audit rows: the chain's head goes to the
 * anchor file. A failure is not the commit's: the rows are in, and the
 * anchor only helps to catch a cut tail later. */
static void anchor_head(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", NULL);
	if (!s)
		return;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 1) == AUDIT_HASH_LEN) {
		unsigned char h[AUDIT_HASH_LEN];
		memcpy(h, sqlite3_column_blob(s, 1), AUDIT_HASH_LEN);
		audit_anchor_append(st->path, sqlite3_column_int64(s, 0), h, NULL);
	}
	sqlite3_reset(s);
}

sqlite3 *store_sqlite_db(struct store *st)
{
	return st->db;
}

enum prolo_code store_sqlite_err(struct store *st, int rc, const char *what,
                                 struct prolo_err *err)
{
	int ext = sqlite3_extended_errcode(st->db);
	const char *m = sqlite3_errmsg(st->db);
	switch (ext) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return prolo_err_set(err, PROLO_ECONFLICT, "", "%s: already recorded", what);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return prolo_err_set(err, PROLO_ENOTFOUND, "", "%s: refers to a record that does not exist", what);
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return prolo_err_set(err, PROLO_EINVAL, "", "%s: violates a registry rule (%s)", what, m);
	default:
		break;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return prolo_err_set(err, PROLO_EDB, "", "%s: the registry is busy; try again", what);
	return prolo_err_set(err, PROLO_EDB, "", "%s: storage error: %s", what, m);
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct prolo_err *err)
{
	for (int i = 0; i < st->n_cache; i++)
		if (st->cache[i].sql == sql) {
			sqlite3_reset(st->cache[i].stmt);
			sqlite3_clear_bindings(st->cache[i].stmt);
			return st->cache[i].stmt;
		}
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		store_sqlite_err(st, rc, "preparing a statement", err);
		return NULL;
	}
	if (st->n_cache < STMT_CACHE) {
		st->cache[st->n_cache].sql = sql;
		st->cache[st->n_cache].stmt = stmt;
		st->n_cache++;
	} else {
		/* Full cache: evict the oldest entry rather than grow. */
		sqlite3_finalize(st->cache[0].stmt);
		memmove(&st->cache[0], &st->cache[1], sizeof st->cache[0] * (STMT_CACHE - 1));
		st->cache[STMT_CACHE - 1].sql = sql;
		st->cache[STMT_CACHE - 1].stmt = stmt;
	}
	return stmt;
}

static void bindv(sqlite3_stmt *s, const char *fmt, va_list ap)
{
	for (int i = 1; *fmt; fmt++, i++) {
		switch (*fmt) {
		case 't':
		case 'o': {
			const char *v = va_arg(ap, const char *);
			if (v && (v[0] || *fmt == 't'))
				sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(s, i);
			break;
		}
		case 'i':
			sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		case 'I':
			sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'd': {
			int32_t d = va_arg(ap, int32_t);
			char b[11];
			if (d == DOM_DATE_NONE) {
				sqlite3_bind_null(s, i);
				break;
			}
			dom_date_format(d, b);
			sqlite3_bind_text(s, i, b, -1, SQLITE_TRANSIENT);
			break;
		}
		case 'h':
			sqlite3_bind_blob(s, i, va_arg(ap, const unsigned char *), STORE_HASH_LEN, SQLITE_STATIC);
			break;
		default:
			assert(!"store_bindf: unknown letter");
		}
	}
}

void store_bindf(sqlite3_stmt *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bindv(s, fmt, ap);
	va_end(ap);
}

enum prolo_code store_step_done(struct store *st, sqlite3_stmt *s, const char *what, struct prolo_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, what, err);
}

enum prolo_code store_execf(struct store *st, const char *sql, const char *what, struct prolo_err *err,
                            const char *fmt, ...)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	va_list ap;
	va_start(ap, fmt);
	bindv(s, fmt, ap);
	va_end(ap);
	return store_step_done(st, s, what, err);
}

enum prolo_code store_row_by_text(struct store *st, const char *sql, const char *key, const char *what,
                                  sqlite3_stmt **row, struct prolo_err *err)
{
	*row = NULL;
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*row = s;
		return PROLO_OK;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, what, err);
}

enum prolo_code store_exec_text(struct store *st, const char *sql, const char *key, const char *what,
                                struct prolo_err *err)
{
	sqlite3_stmt *s = NULL;
	enum prolo_code rc = store_row_by_text(st, sql, key, what, &s, err);
	if (s)
		sqlite3_reset(s);
	return rc;
}

static enum prolo_code exec(struct store *st, const char *sql, const char *what,
                            struct prolo_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? PROLO_OK : store_sqlite_err(st, rc, what, err);
}

static void bulk_free(struct store *st);

static void invalidate_caches(struct store *st)
{
	memset(&st->patient, 0, sizeof st->patient);
	memset(&st->course, 0, sizeof st->course);
	idmap_reset(&st->patients);
	idmap_reset(&st->courses);
	st->last_clinic[0] = '\0';
}

static void free_conditions(struct store *st)
{
	for (int i = 0; i < st->n_conditions; i++)
		free(st->conditions[i]);
	free(st->conditions);
	st->conditions = NULL;
	st->n_conditions = 0;
}

static enum prolo_code load_conditions(struct store *st, struct prolo_err *err)
{
	static const char sql[] = "SELECT name FROM conditions ORDER BY name";
	free_conditions(st);
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char **grown = realloc(st->conditions, sizeof *grown * (size_t)(st->n_conditions + 1));
		if (!grown)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		st->conditions = grown;
		const char *name = (const char *)sqlite3_column_text(s, 0);
		st->conditions[st->n_conditions] = strdup(name ? name : "");
		if (!st->conditions[st->n_conditions])
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		st->n_conditions++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, "reading conditions", err);
}

static void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* True when migration version is recorded as applied. Numbers are
 * reserved ahead for work in progress, so a registry may hold 10 and not
 * yet 9: each one is looked up, not compared with the highest. */
static bool migration_applied(struct store *st, int version)
{
	sqlite3_stmt *s = NULL;
	bool yes = false;
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM schema_migrations WHERE version = ?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int(s, 1, version);
		yes = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return yes;
}

static enum prolo_code migrate(struct store *st, struct prolo_err *err)
{
	enum prolo_code rc = exec(st,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		"  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
		"creating the migration table", err);
	if (rc)
		return rc;
	for (int i = 0; i < store_n_migrations; i++) {
		const struct store_migration *m = &store_migrations[i];
		if (migration_applied(st, m->version))
			continue;
		if ((rc = exec(st, "BEGIN IMMEDIATE", "starting a migration", err)))
			return rc;
		rc = exec(st, m->sql, m->name, err);
		if (!rc) {
			static const char ins[] =
				"INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)";
			sqlite3_stmt *s = store_stmt(st, ins, err);
			char at[32];
			now_iso(at);
			if (!s) {
				rc = err ? err->code : PROLO_EDB;
			} else {
				sqlite3_bind_int(s, 1, m->version);
				sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
				sqlite3_bind_text(s, 3, at, -1, SQLITE_TRANSIENT);
				int src = sqlite3_step(s);
				sqlite3_reset(s);
				if (src != SQLITE_DONE)
					rc = store_sqlite_err(st, src, "recording a migration", err);
			}
		}
		if (!rc)
			rc = exec(st, "COMMIT", "committing a migration", err);
		if (rc) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return PROLO_OK;
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int v = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(version) FROM schema_migrations", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static bool has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s = NULL;
	bool found = false;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
	                       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		found = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return found;
}

/* Once per process, before SQLite starts: no allocation statistics, so
 * SQLite's allocator takes no global mutex (measured: 2-3 % of a served
 * request's time went to that lock). Errors are ignored (SQLite already
 * started: it keeps its defaults). */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum prolo_code store_open(const char *path, int flags, struct store **out,
                           struct prolo_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_sqlite);
	*out = NULL;
	struct stat sb;
	bool exists = stat(path, &sb) == 0;
	if (!exists && !(flags & STORE_CREATE))
		return prolo_err_set(err, PROLO_ENOTFOUND, "db",
		                     "no registry at '%s' (create one with 'prolo init')", path);
	if (exists) {
		/* Patient data: refused when group or others may read or write
		 * the registry or its WAL files (privfile.h). */
		static const char *const sfx[] = { "", "-wal", "-shm" };
		for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
			char p[4200];
			if ((size_t)snprintf(p, sizeof p, "%s%s", path, sfx[i]) >= sizeof p)
				return prolo_err_set(err, PROLO_EINVAL, "db", "the registry path is too long");
			enum prolo_code prc = privfile_check(p, "registry file", err);
			if (prc)
				return prc;
		}
	}
	/* A new registry is made private here, whatever the umask of the
	 * process that creates it; SQLite gives its -wal and -shm the mode of
	 * the database file. */
	if (!exists && privfile_prepare(path) != 0)
		return prolo_err_set(err, PROLO_EDB, "db", "cannot create '%s': %s", path, strerror(errno));
	struct store *st = calloc(1, sizeof *st);
	if (!st)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	st->readonly = flags & STORE_READONLY;
	int oflags = st->readonly ? SQLITE_OPEN_READONLY
	                          : SQLITE_OPEN_READWRITE | (flags & STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_NOMUTEX;
	enum prolo_code rc = PROLO_OK;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		rc = prolo_err_set(err, PROLO_EDB, "db", "cannot open '%s': %s", path,
		                   st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		rc = prolo_err_set(err, PROLO_EDB, "db", "'%s' is not a prolo registry", path);
		goto fail;
	}
	if ((flags & STORE_CREATE) && has_table(st->db, "schema_migrations")) {
		rc = prolo_err_set(err, PROLO_ECONFLICT, "db", "a registry already exists at '%s'", path);
		goto fail;
	}
	if (!(flags & STORE_CREATE) && !has_table(st->db, "schema_migrations")) {
		rc = prolo_err_set(err, PROLO_EDB, "db", "'%s' is not a prolo registry", path);
		goto fail;
	}
	if (!st->readonly) {
		if ((rc = exec(st, "PRAGMA journal_mode=WAL", "setting WAL mode", err)) ||
		    (rc = exec(st, "PRAGMA synchronous=FULL", "setting synchronous", err)))
			goto fail;
	}
	if ((rc = exec(st, "PRAGMA foreign_keys=ON", "enabling foreign keys", err)))
		goto fail;
	if (!st->readonly && (rc = migrate(st, err)))
		goto fail;
	if (!(st->path = strdup(path))) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		goto fail;
	}
	/* The audit chain's key: made now if the registry has none (at init,
	 * or the first read-write open of an older registry). A read-only
	 * open only reads it; verify reports why it could not. */
	if (st->readonly) {
		if (audit_key_load(path, &st->akey, &st->akey_err) != PROLO_OK && !st->akey_err.msg[0])
			prolo_err_set(&st->akey_err, PROLO_EDB, "db", "cannot read the audit key");
	} else if ((rc = store_audit_key_ensure(st, err))) {
		goto fail;
	}
	if ((rc = load_conditions(st, err)))
		goto fail;
	*out = st;
	return PROLO_OK;
fail:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_tx)
		store_rollback(st);
	for (int i = 0; i < st->n_cache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	for (int k = 0; k < REC__COUNT; k++) {
		free(st->insert_sql[k]);
		for (int h = 0; h < SH__COUNT; h++)
			sqlite3_finalize(st->scans[k][h].stmt);
	}
	sqlite3_finalize(st->history.stmt);
	for (int k = 0; k < REC__COUNT; k++)
		for (int w = 0; w < 2; w++)
			sqlite3_finalize(st->changes[k][w]);
	free_conditions(st);
	idmap_reset(&st->patients);
	idmap_reset(&st->courses);
	bulk_free(st);
	sqlite3_close(st->db);
	sodium_memzero(&st->akey, sizeof st->akey);
	free(st->path);
	free(st);
}

enum prolo_code store_begin(struct store *st, struct prolo_err *err)
{
	enum prolo_code rc = exec(st, "BEGIN IMMEDIATE", "starting a transaction", err);
	if (!rc)
		st->in_tx = true;
	/* Another connection may have recorded adverse events since: the
	 * cached next number is only good within one transaction. */
	st->course.next_ae = 0;
	return rc;
}

enum prolo_code store_commit(struct store *st, struct prolo_err *err)
{
	/* A bulk load lands whole or not at all. */
	enum prolo_code rc = store_bulk_flush(st, err);
	if (rc)
		return rc;
	rc = exec(st, "COMMIT", "committing", err);
	if (!rc) {
		st->in_tx = false;
		idmap_reset(&st->patients);
		idmap_reset(&st->courses);
		bulk_free(st); /* a later load reads its keys afresh */
		st->bulk = false;
		if (st->audit_dirty) {
			st->audit_dirty = false;
			anchor_head(st);
		}
	}
	return rc;
}

void store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) == 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = false;
	st->audit_dirty = false;
	invalidate_caches(st);
	bulk_free(st);
	st->bulk = false;
	load_conditions(st, NULL);
}

/* ---- table descriptions ------------------------------------------------ */

struct table_sql {
	const char *table;     /* SQL table */
	const char *parent;    /* field resolved to a key: "patient_id"/"course_id"/NULL */
	const char *parent_col;/* column holding the key */
	const char *from;      /* FROM clause with joins, alias x for the table */
	const char *order;     /* ORDER BY */
};

static const struct table_sql tables[REC__COUNT] = {
	[REC_PATIENT] = { "patients", NULL, NULL, "patients x", "x.pk" },
	[REC_COURSE] = { "courses", "patient_id", "patient_pk",
	                 "courses x JOIN patients p ON p.pk = x.patient_pk", "x.pk" },
	[REC_SESSION] = { "sessions", "course_id", "course_pk",
	                  "sessions x JOIN courses c ON c.pk = x.course_pk JOIN patients p ON p.pk = c.patient_pk",
	                  "x.course_pk, x.session_no" },
	[REC_INJECTION] = { "injections", "course_id", "course_pk",
	                    "injections x JOIN courses c ON c.pk = x.course_pk JOIN patients p ON p.pk = c.patient_pk",
	                    "x.course_pk, x.session_no, x.seq" },
	[REC_OUTCOME] = { "outcomes", "course_id", "course_pk",
	                  "outcomes x JOIN courses c ON c.pk = x.course_pk JOIN patients p ON p.pk = c.patient_pk",
	                  "x.course_pk, x.date, x.instrument, x.source" },
	[REC_AE] = { "adverse_events", "course_id", "course_pk",
	             "adverse_events x JOIN courses c ON c.pk = x.course_pk JOIN patients p ON p.pk = c.patient_pk",
	             "x.course_pk, x.seq" },
};

static bool is_parent(enum rec_kind kind, const struct field_def *f)
{
	return tables[kind].parent && strcmp(f->name, tables[kind].parent) == 0;
}

/* Column expression for reading a field. */
static enum prolo_code select_col(enum rec_kind kind, const struct field_def *f, struct buf *b)
{
	if (is_parent(kind, f))
		return buf_printf(b, "%s.%s", kind == REC_COURSE ? "p" : "c", f->name);
	return buf_printf(b, "x.%s", f->name);
}

static const char *insert_sql(struct store *st, enum rec_kind kind, struct prolo_err *err)
{
	if (st->insert_sql[kind])
		return st->insert_sql[kind];
	const struct rec_table *t = &rec_tables[kind];
	struct buf b = { 0 };
	enum prolo_code rc = buf_printf(&b, "INSERT INTO %s (", tables[kind].table);
	for (int i = 0; i < t->n_fields && !rc; i++)
		rc = buf_printf(&b, "%s%s", i ? ", " : "",
		                is_parent(kind, &t->fields[i]) ? tables[kind].parent_col : t->fields[i].name);
	if (!rc)
		rc = buf_adds(&b, ") VALUES (");
	for (int i = 0; i < t->n_fields && !rc; i++)
		rc = buf_printf(&b, "%s?", i ? ", " : "");
	if (!rc)
		rc = buf_adds(&b, ")");
	if (rc) {
		buf_free(&b);
		prolo_err_set(err, rc, "", "out of memory");
		return NULL;
	}
	st->insert_sql[kind] = buf_take(&b);
	return st->insert_sql[kind];
}

/* Filters a scan uses; each combination ("shape") gets its own statement,
 * built with only those filters so that SQLite can use the key indexes
 * (a generic "?1 IS NULL OR col = ?1" filter hides them), and prepared once
 * per connection. Parameters keep fixed numbers (?1 patient_id, ?2
 * course_id, ?3 clinic, ?4 session_no, ?5 search, ?6/?7/?10 outcome date,
 * instrument and source, ?8 adverse event seq, ?9 limit) whatever the shape. */
enum {
	SH_PID = 1, SH_CID = 2, SH_CLINIC = 4, SH_SNO = 8, SH_SEARCH = 16,
	SH_OUTKEY = 32, SH_AESEQ = 64, SH_LIMIT = 128,
	SH_VOIDED = 256, /* voided records too (history views, reads by key) */
};

static enum prolo_code add_cond(struct buf *b, bool *first, const char *cond)
{
	enum prolo_code rc = buf_adds(b, *first ? " WHERE " : " AND ");
	*first = false;
	return rc ? rc : buf_adds(b, cond);
}

/* The SQL of one (kind, shape); malloc'd, or NULL on out of memory. Keyed
 * lookups go through scalar subqueries so they are index searches whatever
 * the planner thinks of the join: courses of a patient by courses_patient,
 * children of a course by their primary key (course_pk, ...). Rows come in
 * key order straight from those indexes, without a sort. */
static char *select_sql(enum rec_kind kind, int shape)
{
	const struct rec_table *t = &rec_tables[kind];
	bool child = kind != REC_PATIENT && kind != REC_COURSE;
	bool join_p = kind == REC_COURSE || (child && (shape & (SH_PID | SH_CLINIC)));
	struct buf b = { 0 };
	enum prolo_code rc = buf_adds(&b, "SELECT ");
	for (int i = 0; i < t->n_fields && !rc; i++) {
		if (i)
			rc = buf_adds(&b, ", ");
		if (!rc)
			rc = select_col(kind, &t->fields[i], &b);
	}
	/* Then the record's meta: its version and whether it is voided. */
	if (!rc)
		rc = buf_adds(&b, kind == REC_INJECTION ? ", 0, x.voided_at IS NOT NULL"
		                                        : ", x.version, x.voided_at IS NOT NULL");
	if (!rc)
		rc = buf_printf(&b, " FROM %s x", tables[kind].table);
	if (!rc && child)
		rc = buf_adds(&b, " JOIN courses c ON c.pk = x.course_pk");
	if (!rc && join_p)
		rc = buf_printf(&b, " JOIN patients p ON p.pk = %s.patient_pk", child ? "c" : "x");
	bool first = true;
	if (!rc && (shape & SH_PID))
		rc = add_cond(&b, &first, kind == REC_PATIENT ? "x.patient_id = ?1"
		              : kind == REC_COURSE ? "x.patient_pk = (SELECT pk FROM patients WHERE patient_id = ?1)"
		              : "p.patient_id = ?1");
	if (!rc && (shape & SH_CID) && kind != REC_PATIENT)
		rc = add_cond(&b, &first, kind == REC_COURSE ? "x.course_id = ?2"
		              : "x.course_pk = (SELECT pk FROM courses WHERE course_id = ?2)");
	if (!rc && (shape & SH_CLINIC))
		rc = add_cond(&b, &first, kind == REC_PATIENT ? "x.clinic = ?3" : "p.clinic = ?3");
	if (!rc && (shape & SH_SNO) && (kind == REC_SESSION || kind == REC_INJECTION))
		rc = add_cond(&b, &first, "x.session_no = ?4");
	if (!rc && (shape & SH_SEARCH) && kind == REC_PATIENT)
		rc = add_cond(&b, &first, "instr(lower(x.patient_id || ' ' || coalesce(x.first_name, '') || ' ' ||"
		                          " coalesce(x.last_name, '')), lower(?5)) > 0");
	if (!rc && (shape & SH_OUTKEY) && kind == REC_OUTCOME)
		rc = add_cond(&b, &first, "x.date = ?6 AND x.instrument = ?7 AND x.source = ?10");
	if (!rc && (shape & SH_AESEQ) && kind == REC_AE)
		rc = add_cond(&b, &first, "x.seq = ?8");
	/* Voided records, and the children of a voided course, are left out
	 * (a patient is voided only without live courses). */
	if (!rc && !(shape & SH_VOIDED))
		rc = add_cond(&b, &first, kind == REC_PATIENT ? "x.voided_at IS NULL AND x.merged_into IS NULL"
		              : kind == REC_COURSE ? "x.voided_at IS NULL AND p.voided_at IS NULL"
		              : "x.voided_at IS NULL AND c.voided_at IS NULL");
	/* One record by its whole key needs no order (SQLite would sort it
	 * all the same in a temporary tree). */
	bool one = (kind == REC_SESSION && (shape & SH_CID) && (shape & SH_SNO)) ||
	           (kind == REC_OUTCOME && (shape & SH_CID) && (shape & SH_OUTKEY)) ||
	           (kind == REC_AE && (shape & SH_CID) && (shape & SH_AESEQ));
	if (!rc && !one)
		rc = buf_printf(&b, " ORDER BY %s", tables[kind].order);
	if (!rc && (shape & SH_LIMIT))
		rc = buf_adds(&b, " LIMIT ?9");
	if (rc) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Binds one field's value (NULL when missing). Text is bound without a
 * copy: rec and datebuf outlive the statement's step. */
static void bind_field(sqlite3_stmt *s, int idx, const void *rec, const struct field_def *f,
                       char datebuf[11])
{
	const char *p = (const char *)rec + f->off;
	if (!rec_has(rec, f) && f->type != FT_FLAGS) {
		sqlite3_bind_null(s, idx);
		return;
	}
	switch (f->type) {
	case FT_ID:
	case FT_TEXT:
		sqlite3_bind_text(s, idx, p, -1, SQLITE_STATIC);
		break;
	case FT_ENUM:
		sqlite3_bind_text(s, idx, f->names[*(const int32_t *)p], -1, SQLITE_STATIC);
		break;
	case FT_INT:
		sqlite3_bind_int(s, idx, *(const int32_t *)p);
		break;
	case FT_REAL:
		sqlite3_bind_double(s, idx, *(const double *)p);
		break;
	case FT_DATE:
		dom_date_format(*(const int32_t *)p, datebuf);
		sqlite3_bind_text(s, idx, datebuf, 10, SQLITE_STATIC);
		break;
	case FT_FLAGS:
		sqlite3_bind_int64(s, idx, *(const uint32_t *)p);
		break;
	}
}

/* Reads column idx into the field; values come from our own writes, so a
 * value that does not parse is left missing rather than failing the read. */
static void read_field(sqlite3_stmt *s, int idx, void *rec, const struct field_def *f)
{
	char *p = (char *)rec + f->off;
	if (sqlite3_column_type(s, idx) == SQLITE_NULL)
		return; /* stays missing from rec_init */
	switch (f->type) {
	case FT_ID:
	case FT_TEXT: {
		const char *v = (const char *)sqlite3_column_text(s, idx);
		int n = sqlite3_column_bytes(s, idx);
		size_t len = (size_t)n < f->size - 1 ? (size_t)n : f->size - 1;
		if (v)
			memcpy(p, v, len);
		p[len] = '\0';
		break;
	}
	case FT_ENUM: {
		const char *v = (const char *)sqlite3_column_text(s, idx);
		int k = v ? dom_lookup(f->names, f->n_names, v, (size_t)sqlite3_column_bytes(s, idx)) : -1;
		*(int32_t *)p = k;
		break;
	}
	case FT_INT:
		*(int32_t *)p = sqlite3_column_int(s, idx);
		break;
	case FT_REAL:
		*(double *)p = sqlite3_column_double(s, idx);
		break;
	case FT_DATE: {
		const char *v = (const char *)sqlite3_column_text(s, idx);
		int32_t d;
		if (v && dom_date_parse(v, (size_t)sqlite3_column_bytes(s, idx), &d))
			*(int32_t *)p = d;
		break;
	}
	case FT_FLAGS:
		*(uint32_t *)p = (uint32_t)sqlite3_column_int64(s, idx);
		break;
	}
}

/* ---- reference resolution ---------------------------------------------- */

static enum prolo_code patient_pk(struct store *st, const char *id, int64_t *pk,
                                  struct prolo_err *err)
{
	if (st->patient.pk && strcmp(st->patient.id, id) == 0) {
		*pk = st->patient.pk;
		return PROLO_OK;
	}
	struct idmap_val *hit = st->bulk ? idmap_get(&st->patients, id) : NULL;
	if (hit && hit->pk) {
		*pk = hit->pk;
		return PROLO_OK;
	}
	static const char sql[] = "SELECT pk FROM patients WHERE patient_id = ?";
	sqlite3_stmt *s;
	enum prolo_code rc = store_row_by_text(st, sql, id, "looking up a patient", &s, err);
	if (rc || !s)
		return rc ? rc : prolo_err_set(err, PROLO_ENOTFOUND, "patient_id", "no patient '%s'", id);
	*pk = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	snprintf(st->patient.id, sizeof st->patient.id, "%s", id);
	st->patient.pk = *pk;
	return PROLO_OK;
}

static enum prolo_code course_ref(struct store *st, const char *id, struct parent_cache **out,
                                  struct prolo_err *err)
{
	if (st->course.pk && strcmp(st->course.id, id) == 0) {
		*out = &st->course;
		return PROLO_OK;
	}
	if (st->bulk) {
		/* Keep the adverse-event number of the course we leave. */
		struct idmap_val *prev = st->course.pk ? idmap_get(&st->courses, st->course.id) : NULL;
		if (prev)
			prev->next_ae = st->course.next_ae;
		struct idmap_val *hit = idmap_get(&st->courses, id);
		if (hit && hit->pk) {
			snprintf(st->course.id, sizeof st->course.id, "%s", id);
			st->course.pk = hit->pk;
			st->course.start_date = hit->start_date;
			st->course.next_ae = hit->next_ae;
			*out = &st->course;
			return PROLO_OK;
		}
	}
	static const char sql[] = "SELECT pk, start_date FROM courses WHERE course_id = ?";
	sqlite3_stmt *s;
	enum prolo_code rc = store_row_by_text(st, sql, id, "looking up a course", &s, err);
	if (rc || !s)
		return rc ? rc : prolo_err_set(err, PROLO_ENOTFOUND, "course_id", "no course '%s'", id);
	st->course.pk = sqlite3_column_int64(s, 0);
	const char *d = (const char *)sqlite3_column_text(s, 1);
	if (!d || !dom_date_parse(d, strlen(d), &st->course.start_date))
		st->course.start_date = DOM_DATE_NONE;
	st->course.next_ae = 0;
	snprintf(st->course.id, sizeof st->course.id, "%s", id);
	sqlite3_reset(s);
	if (st->bulk && idmap_put(&st->courses, id, (struct idmap_val){ st->course.pk, st->course.start_date, 0 }))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	*out = &st->course;
	return PROLO_OK;
}

static enum prolo_code ensure_clinic(struct store *st, const char *code, struct prolo_err *err)
{
	if (strcmp(st->last_clinic, code) == 0)
		return PROLO_OK;
	static const char sql[] = "INSERT INTO clinics(code) VALUES (?) ON CONFLICT DO NOTHING";
	enum prolo_code rc = store_exec_text(st, sql, code, "recording a clinic", err);
	if (rc)
		return rc;
	snprintf(st->last_clinic, sizeof st->last_clinic, "%s", code);
	return PROLO_OK;
}

static bool known_condition(struct store *st, const char *name)
{
	for (int i = 0; i < st->n_conditions; i++)
		if (strcmp(st->conditions[i], name) == 0)
			return true;
	return false;
}

static enum prolo_code next_ae_seq(struct store *st, struct parent_cache *c, int32_t *seq,
                                   struct prolo_err *err)
{
	if (!c->next_ae) {
		static const char sql[] = "SELECT coalesce(max(seq), 0) + 1 FROM adverse_events WHERE course_pk = ?";
		sqlite3_stmt *s = store_stmt(st, sql, err);
		if (!s)
			return err ? err->code : PROLO_EDB;
		sqlite3_bind_int64(s, 1, c->pk);
		int rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			return store_sqlite_err(st, rc, "numbering an adverse event", err);
		}
		c->next_ae = sqlite3_column_int(s, 0);
		sqlite3_reset(s);
	}
	*seq = c->next_ae;
	return PROLO_OK;
}

static const char *rec_label(enum rec_kind kind)
{
	return rec_tables[kind].name;
}

/* Date-order rules that need the course: nothing happens before the start. */
static enum prolo_code check_dates(enum rec_kind kind, const void *rec, int32_t start,
                                   struct prolo_err *err)
{
	int32_t d = DOM_DATE_NONE;
	const char *field = "date";
	if (kind == REC_SESSION)
		d = ((const struct session *)rec)->date;
	else if (kind == REC_AE)
		d = ((const struct adverse_event *)rec)->date;
	if (d == DOM_DATE_NONE || start == DOM_DATE_NONE || d >= start)
		return PROLO_OK;
	char ds[11], ss[11];
	dom_date_format(d, ds);
	dom_date_format(start, ss);
	return prolo_err_set(err, PROLO_EINVAL, field, "%s is before the course's start_date %s", ds, ss);
}

/* Maps a failed insert of rec to a message naming the field at fault. */
static enum prolo_code insert_error(struct store *st, enum rec_kind kind, const void *rec, int src,
                                    struct prolo_err *err)
{
	const char *cid = (const char *)rec; /* child records start with course_id */
	int ext = sqlite3_extended_errcode(st->db);
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
		switch (kind) {
		case REC_PATIENT:
			return prolo_err_set(err, PROLO_ECONFLICT, "patient_id", "patient '%s' already exists",
			                     ((struct patient *)rec)->patient_id);
		case REC_COURSE:
			return prolo_err_set(err, PROLO_ECONFLICT, "course_id", "course '%s' already exists",
			                     ((struct course *)rec)->course_id);
		case REC_SESSION:
			return prolo_err_set(err, PROLO_ECONFLICT, "session_no", "course '%s' already has session %d",
			                     cid, ((struct session *)rec)->session_no);
		case REC_INJECTION:
			return prolo_err_set(err, PROLO_ECONFLICT, "seq", "session %d of course '%s' already has injection %d",
			                     ((struct injection *)rec)->session_no, cid,
			                     ((struct injection *)rec)->seq);
		case REC_OUTCOME: {
			const struct outcome *o = rec;
			char d[11];
			dom_date_format(o->date, d);
			return prolo_err_set(err, PROLO_ECONFLICT, "date", "course '%s' already has a %s assessment on %s%s",
			                     cid, dom_instrument_names[o->instrument], d,
			                     o->source == OSRC_PATIENT ? " answered by the patient" : "");
		}
		case REC_AE:
			return prolo_err_set(err, PROLO_ECONFLICT, "seq", "course '%s' already has adverse event %d",
			                     cid, ((struct adverse_event *)rec)->seq);
		default:
			break;
		}
	}
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY && (kind == REC_INJECTION || kind == REC_AE))
		return prolo_err_set(err, PROLO_ENOTFOUND, "session_no", "course '%s' has no such session",
		                     cid);
	return store_sqlite_err(st, src, rec_label(kind), err);
}

/* The rules that need other records, and the keys a row refers to:
 * *parent is the patient's or course's key, *course the course (children). */
static enum prolo_code insert_check(struct store *st, enum rec_kind kind, void *rec, int64_t *parent,
                                    struct parent_cache **course, struct prolo_err *err)
{
	*parent = 0;
	*course = NULL;
	switch (kind) {
	case REC_PATIENT:
		return ensure_clinic(st, ((struct patient *)rec)->clinic, err);
	case REC_COURSE: {
		struct course *c = rec;
		/* Another process (prolo condition add) may have added it since
		 * the list was read: read it again before refusing. */
		if (!known_condition(st, c->condition) &&
		    (load_conditions(st, NULL) != PROLO_OK || !known_condition(st, c->condition))) {
			char list[512] = "";
			size_t used = 0;
			for (int i = 0; i < st->n_conditions && used < sizeof list; i++) {
				int w = snprintf(list + used, sizeof list - used, "%s%s", i ? "|" : "", st->conditions[i]);
				if (w < 0)
					break;
				used += (size_t)w;
			}
			return prolo_err_set(err, PROLO_EINVAL, "condition",
			                     "unknown condition '%s' (expected %s)", c->condition, list);
		}
		return patient_pk(st, c->patient_id, parent, err);
	}
	default: {
		enum prolo_code rc = course_ref(st, ((const char *)rec) /* course_id is first */, course, err);
		if (!rc) {
			*parent = (*course)->pk;
			rc = check_dates(kind, rec, (*course)->start_date, err);
		}
		if (!rc && kind == REC_AE && ((struct adverse_event *)rec)->seq <= 0)
			rc = next_ae_seq(st, *course, &((struct adverse_event *)rec)->seq, err);
		if (kind == REC_OUTCOME && ((struct outcome *)rec)->source < 0)
			((struct outcome *)rec)->source = OSRC_STAFF; /* the column's default */
		return rc;
	}
	}
}

/* Binds one row from parameter base + 1 on: the explicit key first when pk
 * is not 0, then every field. dates holds the date texts until the step.
 * Returns the number of parameters bound. */
static int bind_row(sqlite3_stmt *s, int base, enum rec_kind kind, const void *rec, int64_t parent,
                    int64_t pk, char dates[8][11])
{
	const struct rec_table *t = &rec_tables[kind];
	int idx = base;
	int n_dates = 0;
	if (pk)
		sqlite3_bind_int64(s, ++idx, pk);
	for (int i = 0; i < t->n_fields; i++) {
		if (is_parent(kind, &t->fields[i]))
			sqlite3_bind_int64(s, ++idx, parent);
		else
			bind_field(s, ++idx, rec, &t->fields[i],
			           dates[t->fields[i].type == FT_DATE && n_dates < 7 ? n_dates++ : 7]);
	}
	return idx - base;
}

static enum prolo_code bulk_flush(struct store *st, struct prolo_err *err);

enum prolo_code store_insert(struct store *st, enum rec_kind kind, void *rec,
                             struct prolo_err *err)
{
	int64_t parent = 0;
	struct parent_cache *course = NULL;
	enum prolo_code rc = bulk_flush(st, err);
	if (!rc)
		rc = insert_check(st, kind, rec, &parent, &course, err);
	if (rc)
		return rc;

	const char *sql = insert_sql(st, kind, err);
	if (!sql)
		return err ? err->code : PROLO_ENOMEM;
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	char dates[8][11]; /* bound without a copy, so one per date field */
	bind_row(s, 0, kind, rec, parent, 0, dates);
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src == SQLITE_DONE) {
		if (kind == REC_AE && course)
			course->next_ae = ((struct adverse_event *)rec)->seq + 1;
		return PROLO_OK;
	}
	return insert_error(st, kind, rec, src, err);
}

/* ---- bulk loads ----------------------------------------------------------
 * Rows are checked at once but written BULK_ROWS at a time with one
 * multi-row INSERT: per-statement work (cursors, journal bookkeeping) was
 * a third of an import. Patients and courses get their keys here, so their
 * children can refer to them before they are written. When a multi-row
 * INSERT fails, its rows are written one by one to find and report the bad
 * ones. */

#define BULK_ROWS 32

struct bulk {
	store_bulk_error_fn on_error;
	void *ctx;
	bool failed;                 /* a queued row was refused */
	enum rec_kind kind;
	int n;
	const void *rec[BULK_ROWS];  /* the caller's records, valid until a flush */
	int64_t parent[BULK_ROWS];
	int64_t pk[BULK_ROWS];       /* patients and courses: assigned key */
	long tag[BULK_ROWS];
	int64_t next_pk[2];          /* patients, courses; 0 = not read yet */
	char dates[BULK_ROWS][8][11]; /* date texts bound without a copy */
	char *sql[REC__COUNT][BULK_ROWS]; /* INSERT of 1..BULK_ROWS rows, with keys */
	sqlite3_stmt *stmt[REC__COUNT][BULK_ROWS]; /* prepared from sql, kept here */
};

static bool keyed(enum rec_kind kind)
{
	return kind == REC_PATIENT || kind == REC_COURSE;
}

static const char *bulk_sql(struct store *st, enum rec_kind kind, int rows, struct prolo_err *err)
{
	char **slot = &st->pending->sql[kind][rows - 1];
	if (*slot)
		return *slot;
	const struct rec_table *t = &rec_tables[kind];
	struct buf b = { 0 };
	enum prolo_code rc = buf_printf(&b, "INSERT INTO %s (%s", tables[kind].table, keyed(kind) ? "pk, " : "");
	for (int i = 0; i < t->n_fields && !rc; i++)
		rc = buf_printf(&b, "%s%s", i ? ", " : "",
		                is_parent(kind, &t->fields[i]) ? tables[kind].parent_col : t->fields[i].name);
	if (!rc)
		rc = buf_adds(&b, ") VALUES ");
	int per_row = t->n_fields + (keyed(kind) ? 1 : 0);
	for (int r = 0; r < rows && !rc; r++) {
		rc = buf_adds(&b, r ? ", (" : "(");
		for (int i = 0; i < per_row && !rc; i++)
			rc = buf_adds(&b, i ? ", ?" : "?");
		if (!rc)
			rc = buf_addc(&b, ')');
	}
	if (rc) {
		buf_free(&b);
		prolo_err_set(err, rc, "", "out of memory");
		return NULL;
	}
	*slot = buf_take(&b);
	return *slot;
}

/* The prepared INSERT of rows rows of kind, reset. NULL with *err filled. */
static sqlite3_stmt *bulk_stmt(struct store *st, enum rec_kind kind, int rows, struct prolo_err *err)
{
	sqlite3_stmt **slot = &st->pending->stmt[kind][rows - 1];
	if (*slot) {
		sqlite3_reset(*slot);
		return *slot;
	}
	const char *sql = bulk_sql(st, kind, rows, err);
	if (!sql)
		return NULL;
	int src = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
	if (src != SQLITE_OK) {
		store_sqlite_err(st, src, "preparing a bulk insert", err);
		return NULL;
	}
	return *slot;
}

static void bulk_free(struct store *st)
{
	if (!st->pending)
		return;
	for (int k = 0; k < REC__COUNT; k++)
		for (int r = 0; r < BULK_ROWS; r++) {
			sqlite3_finalize(st->pending->stmt[k][r]);
			free(st->pending->sql[k][r]);
		}
	free(st->pending);
	st->pending = NULL;
}

void store_bulk_begin(struct store *st, store_bulk_error_fn on_error, void *ctx)
{
	st->bulk = true;
	if (!st->pending)
		st->pending = calloc(1, sizeof *st->pending);
	if (st->pending) {
		st->pending->on_error = on_error;
		st->pending->ctx = ctx;
	}
	sqlite3_exec(st->db, "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
}

/* A queued patient or course that was refused: its children must not find it. */
static void bulk_forget(struct store *st, enum rec_kind kind, const void *rec)
{
	struct idmap_val *v = kind == REC_PATIENT ? idmap_get(&st->patients, ((const struct patient *)rec)->patient_id)
	                                          : idmap_get(&st->courses, ((const struct course *)rec)->course_id);
	if (v)
		v->pk = 0;
	if (kind == REC_PATIENT)
		memset(&st->patient, 0, sizeof st->patient);
	else
		memset(&st->course, 0, sizeof st->course);
}

/* Writes the queued rows. Refused rows go to the error callback; the return
 * is not OK only for storage failures. */
static enum prolo_code bulk_flush(struct store *st, struct prolo_err *err)
{
	struct bulk *b = st->pending;
	if (!b || b->n == 0)
		return PROLO_OK;
	enum rec_kind kind = b->kind;
	int n = b->n;
	b->n = 0;
	if (n > 1) {
		sqlite3_stmt *s = bulk_stmt(st, kind, n, err);
		if (!s)
			return err ? err->code : PROLO_EDB;
		int base = 0;
		for (int r = 0; r < n; r++)
			base += bind_row(s, base, kind, b->rec[r], b->parent[r], b->pk[r], b->dates[r]);
		int src = sqlite3_step(s);
		sqlite3_reset(s);
		if (src == SQLITE_DONE)
			return PROLO_OK;
		if ((sqlite3_extended_errcode(st->db) & 0xff) != SQLITE_CONSTRAINT)
			return store_sqlite_err(st, src, rec_label(kind), err);
		/* The statement was undone whole: find the bad rows one by one. */
	}
	sqlite3_stmt *s = bulk_stmt(st, kind, 1, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	for (int r = 0; r < n; r++) {
		bind_row(s, 0, kind, b->rec[r], b->parent[r], b->pk[r], b->dates[0]);
		int src = sqlite3_step(s);
		sqlite3_reset(s);
		if (src == SQLITE_DONE)
			continue;
		if ((sqlite3_extended_errcode(st->db) & 0xff) != SQLITE_CONSTRAINT)
			return store_sqlite_err(st, src, rec_label(kind), err);
		struct prolo_err e = { 0 };
		insert_error(st, kind, b->rec[r], src, &e);
		b->failed = true;
		if (keyed(kind))
			bulk_forget(st, kind, b->rec[r]);
		if (b->on_error)
			b->on_error(b->ctx, kind, b->tag[r], &e);
	}
	return PROLO_OK;
}

static enum prolo_code next_key(struct store *st, enum rec_kind kind, int64_t *pk, struct prolo_err *err)
{
	int64_t *next = &st->pending->next_pk[kind == REC_PATIENT ? 0 : 1];
	if (!*next) {
		sqlite3_stmt *s = NULL;
		const char *sql = kind == REC_PATIENT ? "SELECT coalesce(max(pk), 0) + 1 FROM patients"
		                                      : "SELECT coalesce(max(pk), 0) + 1 FROM courses";
		int src = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
		if (src == SQLITE_OK && (src = sqlite3_step(s)) == SQLITE_ROW)
			*next = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (!*next)
			return store_sqlite_err(st, src, "numbering records", err);
	}
	*pk = (*next)++;
	return PROLO_OK;
}

enum prolo_code store_bulk_insert(struct store *st, enum rec_kind kind, void *rec, long tag,
                                  struct prolo_err *err)
{
	struct bulk *b = st->pending;
	if (!b)
		return store_insert(st, kind, rec, err);
	enum prolo_code rc = PROLO_OK;
	if (b->n && b->kind != kind && (rc = bulk_flush(st, err)))
		return rc;
	int64_t parent = 0, pk = 0;
	struct parent_cache *course = NULL;
	if ((rc = insert_check(st, kind, rec, &parent, &course, err)))
		return rc;
	if (keyed(kind)) {
		if ((rc = next_key(st, kind, &pk, err)))
			return rc;
		const char *id = kind == REC_PATIENT ? ((struct patient *)rec)->patient_id
		                                     : ((struct course *)rec)->course_id;
		struct idmap *m = kind == REC_PATIENT ? &st->patients : &st->courses;
		struct idmap_val *old = idmap_get(m, id);
		if (old && old->pk) {
			/* Queued earlier in this load: the insert would be refused. */
			return prolo_err_set(err, PROLO_ECONFLICT, kind == REC_PATIENT ? "patient_id" : "course_id",
			                     "%s '%s' already exists", rec_label(kind), id);
		}
		struct idmap_val v = { pk, kind == REC_COURSE ? ((struct course *)rec)->start_date : 0, 1 };
		if (idmap_put(m, id, v))
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	} else if (kind == REC_AE && course) {
		course->next_ae = ((struct adverse_event *)rec)->seq + 1;
	}
	b->kind = kind;
	b->rec[b->n] = rec;
	b->parent[b->n] = parent;
	b->pk[b->n] = pk;
	b->tag[b->n] = tag;
	b->n++;
	return b->n == BULK_ROWS ? bulk_flush(st, err) : PROLO_OK;
}

enum prolo_code store_bulk_flush(struct store *st, struct prolo_err *err)
{
	enum prolo_code rc = bulk_flush(st, err);
	if (!rc && st->pending && st->pending->failed)
		rc = prolo_err_set(err, PROLO_EINVAL, "", "some rows were refused");
	return rc;
}

/* ---- reads ------------------------------------------------------------- */

/* The shape of a scan: which filters of f and of the key are in use. */
static int scan_shape(enum rec_kind kind, const struct store_filter *f, const void *key)
{
	int shape = 0;
	if (f) {
		if (f->patient_id && f->patient_id[0])
			shape |= SH_PID;
		if (f->course_id && f->course_id[0] && kind != REC_PATIENT)
			shape |= SH_CID;
		if (f->clinic && f->clinic[0])
			shape |= SH_CLINIC;
		if (f->session_no > 0 && (kind == REC_SESSION || kind == REC_INJECTION))
			shape |= SH_SNO;
		if (kind == REC_PATIENT && f->search && f->search[0])
			shape |= SH_SEARCH;
		if (f->limit > 0)
			shape |= SH_LIMIT;
		if (f->include_voided)
			shape |= SH_VOIDED;
	}
	if (key) {
		shape |= SH_VOIDED;
		switch (kind) {
		case REC_PATIENT:
			shape |= SH_PID;
			break;
		case REC_COURSE:
			shape |= SH_CID;
			break;
		case REC_SESSION:
		case REC_INJECTION:
			shape |= SH_CID | SH_SNO;
			break;
		case REC_OUTCOME:
			shape |= SH_CID | SH_OUTKEY;
			break;
		case REC_AE:
			shape |= SH_CID | SH_AESEQ;
			break;
		default:
			break;
		}
	}
	return shape;
}

/* A reset statement for (kind, shape), prepared on first use and kept.
 * Scans may nest (a callback reading another record); a shape already
 * being stepped gets a private statement, *private set, to finalize after.
 * NULL on error with *err filled. */
static sqlite3_stmt *scan_stmt(struct store *st, enum rec_kind kind, int shape, bool *private,
                               struct prolo_err *err)
{
	assert((unsigned)kind < REC__COUNT && (unsigned)shape < SH__COUNT);
	struct scan_slot *slot = &st->scans[kind][shape];
	*private = slot->busy;
	if (slot->stmt && !slot->busy) {
		slot->busy = true;
		return slot->stmt;
	}
	char *sql = select_sql(kind, shape);
	if (!sql) {
		prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		return NULL;
	}
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v3(st->db, sql, -1, *private ? 0 : SQLITE_PREPARE_PERSISTENT, &s, NULL);
	free(sql);
	if (src != SQLITE_OK) {
		store_sqlite_err(st, src, "preparing a read", err);
		return NULL;
	}
	if (!*private) {
		slot->stmt = s;
		slot->busy = true;
	}
	return s;
}

static void scan_done(struct store *st, enum rec_kind kind, int shape, sqlite3_stmt *s, bool private)
{
	if (private) {
		sqlite3_finalize(s);
		return;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	assert((unsigned)kind < REC__COUNT && (unsigned)shape < SH__COUNT);
	st->scans[kind][shape].busy = false;
}

static enum prolo_code run_select(struct store *st, enum rec_kind kind, const struct store_filter *f,
                                  const void *key, store_row_fn fn, void *ctx, struct prolo_err *err)
{
	int shape = scan_shape(kind, f, key);
	bool private;
	sqlite3_stmt *s = scan_stmt(st, kind, shape, &private, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	/* Parameters the shape does not use are absent from the statement;
	 * binding them fails harmlessly with SQLITE_RANGE. */
	if (f) {
		if (shape & SH_PID)
			sqlite3_bind_text(s, 1, f->patient_id, -1, SQLITE_STATIC);
		if (f->course_id && f->course_id[0])
			sqlite3_bind_text(s, 2, f->course_id, -1, SQLITE_STATIC);
		if (shape & SH_CLINIC)
			sqlite3_bind_text(s, 3, f->clinic, -1, SQLITE_STATIC);
		if (f->session_no > 0)
			sqlite3_bind_int(s, 4, f->session_no);
		if (shape & SH_SEARCH)
			sqlite3_bind_text(s, 5, f->search, -1, SQLITE_STATIC);
		if (shape & SH_LIMIT)
			sqlite3_bind_int64(s, 9, f->limit);
	}
	char d[11];
	if (key) {
		switch (kind) {
		case REC_PATIENT:
			sqlite3_bind_text(s, 1, ((const struct patient *)key)->patient_id, -1, SQLITE_STATIC);
			break;
		case REC_COURSE:
			sqlite3_bind_text(s, 2, ((const struct course *)key)->course_id, -1, SQLITE_STATIC);
			break;
		case REC_SESSION:
			sqlite3_bind_text(s, 2, ((const struct session *)key)->course_id, -1, SQLITE_STATIC);
			sqlite3_bind_int(s, 4, ((const struct session *)key)->session_no);
			break;
		case REC_INJECTION:
			sqlite3_bind_text(s, 2, ((const struct injection *)key)->course_id, -1, SQLITE_STATIC);
			sqlite3_bind_int(s, 4, ((const struct injection *)key)->session_no);
			break;
		case REC_OUTCOME: {
			const struct outcome *o = key;
			dom_date_format(o->date, d);
			sqlite3_bind_text(s, 2, o->course_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 6, d, 10, SQLITE_STATIC);
			sqlite3_bind_text(s, 7, dom_instrument_names[o->instrument], -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 10, store_outcome_source(o), -1, SQLITE_STATIC);
			break;
		}
		case REC_AE:
			sqlite3_bind_text(s, 2, ((const struct adverse_event *)key)->course_id, -1, SQLITE_STATIC);
			sqlite3_bind_int(s, 8, ((const struct adverse_event *)key)->seq);
			break;
		default:
			break;
		}
	}

	const struct rec_table *t = &rec_tables[kind];
	/* Records are a few KiB; one on the heap serves the whole scan. */
	void *rec = malloc(t->size);
	enum prolo_code rc = PROLO_OK;
	int src = SQLITE_DONE;
	if (!rec) {
		scan_done(st, kind, shape, s, private);
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		rec_init(kind, rec);
		for (int i = 0; i < t->n_fields; i++)
			read_field(s, i, rec, &t->fields[i]);
		struct rec_meta *m = rec_meta_of(kind, rec);
		m->version = sqlite3_column_int(s, t->n_fields);
		m->voided = sqlite3_column_int(s, t->n_fields + 1) != 0;
		if ((rc = fn(ctx, rec, err)))
			break;
	}
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "reading the registry", err);
	free(rec);
	scan_done(st, kind, shape, s, private);
	return rc;
}

enum prolo_code store_scan(struct store *st, enum rec_kind kind, const struct store_filter *f,
                           store_row_fn fn, void *ctx, struct prolo_err *err)
{
	return run_select(st, kind, f, NULL, fn, ctx, err);
}

struct get_ctx {
	void *out;
	size_t size;
	bool found;
};

static enum prolo_code get_one(void *ctx, const void *rec, struct prolo_err *err)
{
	struct get_ctx *g = ctx;
	memcpy(g->out, rec, g->size);
	g->found = true;
	return PROLO_OK;
}

enum prolo_code store_get(struct store *st, enum rec_kind kind, void *rec, struct prolo_err *err)
{
	const struct rec_table *t = &rec_tables[kind];
	void *key = malloc(t->size);
	if (!key)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	memcpy(key, rec, t->size);
	struct get_ctx g = { rec, t->size, false };
	struct store_filter one = { .limit = 1 };
	enum prolo_code rc = run_select(st, kind, &one, key, get_one, &g, err);
	if (!rc && !g.found) {
		switch (kind) {
		case REC_PATIENT:
			rc = prolo_err_set(err, PROLO_ENOTFOUND, "patient_id", "no patient '%s'",
			                   ((struct patient *)key)->patient_id);
			break;
		case REC_COURSE:
			rc = prolo_err_set(err, PROLO_ENOTFOUND, "course_id", "no course '%s'",
			                   ((struct course *)key)->course_id);
			break;
		case REC_SESSION:
			rc = prolo_err_set(err, PROLO_ENOTFOUND, "session_no", "course '%s' has no session %d",
			                   ((struct session *)key)->course_id, ((struct session *)key)->session_no);
			break;
		case REC_AE:
			rc = prolo_err_set(err, PROLO_ENOTFOUND, "seq", "course '%s' has no adverse event %d",
			                   ((struct adverse_event *)key)->course_id, ((struct adverse_event *)key)->seq);
			break;
		case REC_OUTCOME: {
			const struct outcome *o = key;
			char d[11];
			dom_date_format(o->date, d);
			rc = prolo_err_set(err, PROLO_ENOTFOUND, "date", "course '%s' has no %s assessment on %s%s",
			                   o->course_id, dom_instrument_names[o->instrument], d,
			                   o->source == OSRC_PATIENT ? " answered by the patient" : "");
			break;
		}
		default:
			rc = prolo_err_set(err, PROLO_ENOTFOUND, "", "no such %s", rec_label(kind));
			break;
		}
	}
	free(key);
	return rc;
}

enum prolo_code store_count(struct store *st, enum rec_kind kind, int64_t *n, struct prolo_err *err)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[kind].table);
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (src == SQLITE_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return PROLO_OK;
	}
	sqlite3_finalize(s);
	return store_sqlite_err(st, src, "counting", err);
}

/* ---- course state ------------------------------------------------------ */

enum prolo_code store_course_history_add(struct store *st, const char *course_id,
                                         const char *event, const char *detail,
                                         struct prolo_err *err)
{
	struct parent_cache *c;
	enum prolo_code rc = course_ref(st, course_id, &c, err);
	if (rc)
		return rc;
	static const char sql[] =
		"INSERT INTO course_history(course_pk, at, event, detail) VALUES (?, ?, ?, ?)";
	char at[32];
	now_iso(at);
	return store_execf(st, sql, "recording course history", err, "Itto", (int64_t)c->pk, at, event, detail);
}

enum prolo_code store_course_set_status(struct store *st, const char *course_id, int status,
                                        struct prolo_err *err)
{
	static const char sql[] = "UPDATE courses SET status = ? WHERE course_id = ?";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_text(s, 1, dom_status_names[status], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, course_id, -1, SQLITE_STATIC);
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src != SQLITE_DONE)
		return store_sqlite_err(st, src, "updating a course", err);
	if (sqlite3_changes(st->db) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "course_id", "no course '%s'", course_id);
	return PROLO_OK;
}

enum prolo_code store_course_end(struct store *st, const char *course_id, int status,
                                 int32_t end_date, const char *reason, struct prolo_err *err)
{
	assert(status >= 0 && status < CS__COUNT);
	static const char sql[] =
		"UPDATE courses SET status = ?, end_date = ?, end_reason = ? WHERE course_id = ?";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	char d[11];
	dom_date_format(end_date, d);
	sqlite3_bind_text(s, 1, dom_status_names[status], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d, 10, SQLITE_TRANSIENT);
	if (reason && reason[0])
		sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, course_id, -1, SQLITE_STATIC);
	int src = sqlite3_step(s);
	sqlite3_reset(s);
	if (src != SQLITE_DONE)
		return store_sqlite_err(st, src, "ending a course", err);
	char detail[REC_TEXT_MAX + 64];
	snprintf(detail, sizeof detail, "%s on %s%s%s", dom_status_names[status], d,
	         reason && reason[0] ? ": " : "", reason ? reason : "");
	return store_course_history_add(st, course_id, "end", detail, err);
}

enum prolo_code store_course_history_scan(struct store *st, const char *course_id,
                                          store_history_fn fn, void *ctx, struct prolo_err *err)
{
	struct parent_cache *c;
	enum prolo_code rc = course_ref(st, course_id, &c, err);
	if (rc)
		return rc;
	int64_t pk = c->pk;
	/* Kept prepared like the scans; a nested call gets a private one. */
	static const char sql[] =
		"SELECT at, event, coalesce(detail, '') FROM course_history WHERE course_pk = ? ORDER BY pk";
	bool private = st->history.busy;
	sqlite3_stmt *s = private ? NULL : st->history.stmt;
	int src = SQLITE_OK;
	if (!s) {
		src = sqlite3_prepare_v3(st->db, sql, -1, private ? 0 : SQLITE_PREPARE_PERSISTENT, &s, NULL);
		if (src != SQLITE_OK)
			return store_sqlite_err(st, src, "reading course history", err);
		if (!private)
			st->history.stmt = s;
	}
	if (!private)
		st->history.busy = true;
	sqlite3_bind_int64(s, 1, pk);
	while ((src = sqlite3_step(s)) == SQLITE_ROW && !rc)
		rc = fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		        (const char *)sqlite3_column_text(s, 2), err);
	if (!rc && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = store_sqlite_err(st, src, "reading course history", err);
	if (private) {
		sqlite3_finalize(s);
	} else {
		sqlite3_reset(s);
		st->history.busy = false;
	}
	return rc;
}

enum prolo_code store_last_session_no(struct store *st, const char *course_id, int32_t *n,
                                      struct prolo_err *err)
{
	struct parent_cache *c;
	enum prolo_code rc = course_ref(st, course_id, &c, err);
	if (rc)
		return rc;
	static const char sql[] = "SELECT coalesce(max(session_no), 0) FROM sessions WHERE course_pk = ?";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	sqlite3_bind_int64(s, 1, c->pk);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return src == SQLITE_ROW ? PROLO_OK : store_sqlite_err(st, src, "numbering a session", err);
}

/* ==== Savepoints, read snapshots and server tuning ======================
 * For the web server's group commit: a batch of requests shares one
 * transaction and each request runs in its own savepoint, so a failing one
 * rolls back only itself. Rolling back to a savepoint also forgets the
 * cached id -> key entries (patient, course and its next adverse-event
 * number, clinic), which may name rows that no longer exist. */

static enum prolo_code step_once(struct store *st, const char *sql, const char *what,
                                 struct prolo_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, what, err);
}

static const char sp_begin[] = "SAVEPOINT request";
static const char sp_release[] = "RELEASE request";
static const char sp_rollback[] = "ROLLBACK TO request";

enum prolo_code store_savepoint(struct store *st, struct prolo_err *err)
{
	assert(st->in_tx);
	/* Start each request from what the database says, not from keys
	 * cached by an earlier request or another connection's writes. */
	invalidate_caches(st);
	return step_once(st, sp_begin, "starting a savepoint", err);
}

enum prolo_code store_release(struct store *st, struct prolo_err *err)
{
	return step_once(st, sp_release, "releasing a savepoint", err);
}

void store_rollback_to(struct store *st)
{
	step_once(st, sp_rollback, "rolling back a savepoint", NULL);
	step_once(st, sp_release, "releasing a savepoint", NULL);
	invalidate_caches(st);
}

static const char rd_begin[] = "BEGIN";
static const char rd_end[] = "COMMIT";

enum prolo_code store_read_begin(struct store *st, struct prolo_err *err)
{
	return step_once(st, rd_begin, "starting a read", err);
}

void store_read_end(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) == 0 && step_once(st, rd_end, "ending a read", NULL) != PROLO_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

uint64_t store_data_version(struct store *st)
{
	unsigned int v = 0;
	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v) != SQLITE_OK)
		return 0;
	return v;
}

void store_tune_server(struct store *st)
{
	sqlite3_exec(st->db, "PRAGMA cache_size=-32768", NULL, NULL, NULL);
}

enum prolo_code store_explain_scan(struct store *st, enum rec_kind kind, const struct store_filter *f,
                                   const void *key, struct buf *plan, struct prolo_err *err)
{
	char *sql = select_sql(kind, scan_shape(kind, f, key));
	if (!sql)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct buf q = { 0 };
	enum prolo_code rc = buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql);
	free(sql);
	sqlite3_stmt *s = NULL;
	int src = rc ? SQLITE_NOMEM : sqlite3_prepare_v2(st->db, buf_str(&q), -1, &s, NULL);
	buf_free(&q);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, "explaining a read", err);
	while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW)
		rc = buf_printf(plan, "%s\n", (const char *)sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	if (!rc && src != SQLITE_DONE)
		rc = store_sqlite_err(st, src, "explaining a read", err);
	return rc;
}

static int note_wal_frames(void *ctx, sqlite3 *db, const char *name, int frames)
{
	((struct store *)ctx)->wal_frames = frames;
	return SQLITE_OK;
}

void store_checkpoint_manually(struct store *st)
{
	/* Replaces SQLite's own hook, which checkpoints inside the commit. */
	sqlite3_wal_hook(st->db, note_wal_frames, st);
}

void store_checkpoint(struct store *st, int min_frames)
{
	if (st->wal_frames < min_frames)
		return;
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	st->wal_frames = 0;
}

/* ---- amendments and voids ----------------------------------------------
 * A record is changed in place, its version one more; the use case keeps
 * the previous version in record_history (store_history.c) in the same
 * transaction. Ids and keys never change. */

/* The fields that name a record (never amended). */
static bool is_key(enum rec_kind kind, const struct field_def *f)
{
	static const char *const keys[REC__COUNT][4] = {
		[REC_PATIENT] = { "patient_id" },
		[REC_COURSE] = { "course_id", "patient_id" },
		[REC_SESSION] = { "course_id", "session_no" },
		[REC_INJECTION] = { "course_id", "session_no", "seq" },
		[REC_OUTCOME] = { "course_id", "date", "instrument", "source" },
		[REC_AE] = { "course_id", "seq" },
	};
	for (int i = 0; i < 4 && keys[kind][i]; i++)
		if (strcmp(f->name, keys[kind][i]) == 0)
			return true;
	return false;
}

bool store_field_is_key(enum rec_kind kind, const char *name)
{
	const struct field_def *f = rec_field(kind, name, strlen(name));
	return f && is_key(kind, f);
}

/* " WHERE key = ..." of one record of kind (not injections). */
static enum prolo_code where_key(enum rec_kind kind, struct buf *b)
{
	switch (kind) {
	case REC_PATIENT:
		return buf_adds(b, " WHERE patient_id = ?");
	case REC_COURSE:
		return buf_adds(b, " WHERE course_id = ?");
	case REC_SESSION:
		return buf_adds(b, " WHERE course_pk = (SELECT pk FROM courses WHERE course_id = ?) AND session_no = ?");
	case REC_OUTCOME:
		return buf_adds(b, " WHERE course_pk = (SELECT pk FROM courses WHERE course_id = ?)"
		                   " AND date = ? AND instrument = ? AND source = ?");
	default:
		return buf_adds(b, " WHERE course_pk = (SELECT pk FROM courses WHERE course_id = ?) AND seq = ?");
	}
}

enum { CHG_AMEND, CHG_VOID };

/* The UPDATE that amends (CHG_AMEND: every field but the key and the
 * parent, in field order) or voids (CHG_VOID: voided_at, void_reason) one
 * record of kind, found by its key and the version it must still have.
 * Prepared on first use and kept: an amendment is as frequent as an
 * insert, and preparing it cost more than running it. NULL on error with
 * *err filled. */
static sqlite3_stmt *change_stmt(struct store *st, enum rec_kind kind, int which, struct prolo_err *err)
{
	sqlite3_stmt **slot = &st->changes[kind][which];
	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return *slot;
	}
	const struct rec_table *t = &rec_tables[kind];
	struct buf b = { 0 };
	enum prolo_code rc = buf_printf(&b, "UPDATE %s SET ", tables[kind].table);
	if (!rc && which == CHG_VOID)
		rc = buf_adds(&b, "voided_at = ?, void_reason = ?");
	bool first = true;
	for (int i = 0; which == CHG_AMEND && i < t->n_fields && !rc; i++) {
		if (is_key(kind, &t->fields[i]) || is_parent(kind, &t->fields[i]))
			continue;
		rc = buf_printf(&b, "%s%s = ?", first ? "" : ", ", t->fields[i].name);
		first = false;
	}
	if (!rc)
		rc = buf_adds(&b, ", version = version + 1");
	if (!rc)
		rc = where_key(kind, &b);
	if (!rc)
		rc = buf_adds(&b, " AND version = ? AND voided_at IS NULL");
	if (rc) {
		buf_free(&b);
		prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		return NULL;
	}
	int src = sqlite3_prepare_v3(st->db, buf_str(&b), -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
	buf_free(&b);
	if (src != SQLITE_OK) {
		sqlite3_finalize(*slot);
		*slot = NULL;
		store_sqlite_err(st, src, which == CHG_VOID ? "preparing a void" : "preparing an amendment", err);
		return NULL;
	}
	return *slot;
}

/* Binds the key fields of rec from idx + 1 on, in where_key's order. */
static int bind_key(sqlite3_stmt *s, int idx, enum rec_kind kind, const void *rec, char datebuf[11])
{
	const struct rec_table *t = &rec_tables[kind];
	static const char *const order[REC__COUNT][3] = {
		[REC_PATIENT] = { "patient_id" },
		[REC_COURSE] = { "course_id" },
		[REC_SESSION] = { "course_id", "session_no" },
		[REC_OUTCOME] = { "course_id", "date", "instrument" },
		[REC_AE] = { "course_id", "seq" },
	};
	for (int k = 0; k < 3 && order[kind][k]; k++)
		for (int i = 0; i < t->n_fields; i++)
			if (strcmp(t->fields[i].name, order[kind][k]) == 0)
				bind_field(s, ++idx, rec, &t->fields[i], datebuf);
	if (kind == REC_OUTCOME) /* missing means staff (registry_prepare) */
		sqlite3_bind_text(s, ++idx, store_outcome_source(rec), -1, SQLITE_STATIC);
	return idx;
}

/* Runs change_stmt's UPDATE of one record and resets it; PROLO_ECONFLICT
 * (field version) when no row had that version (changed meanwhile, or
 * voided). */
static enum prolo_code step_change(struct store *st, sqlite3_stmt *s, enum rec_kind kind, const void *rec,
                                   struct prolo_err *err)
{
	int src = sqlite3_step(s);
	int n = sqlite3_changes(st->db);
	enum prolo_code rc = PROLO_OK;
	if (src != SQLITE_DONE)
		rc = insert_error(st, kind, rec, src, err);
	else if (n != 1)
		rc = prolo_err_set(err, PROLO_ECONFLICT, "version",
		                   "the %s was changed or voided meanwhile; read it again", rec_label(kind));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

enum prolo_code store_update(struct store *st, enum rec_kind kind, const void *rec, int32_t version,
                             struct prolo_err *err)
{
	if (kind == REC_INJECTION)
		return prolo_err_set(err, PROLO_EINVAL, "", "injections change with their session");
	/* The rules of an insert that need other records. */
	enum prolo_code rc = PROLO_OK;
	if (kind == REC_PATIENT) {
		rc = ensure_clinic(st, ((const struct patient *)rec)->clinic, err);
	} else if (kind == REC_COURSE) {
		const struct course *c = rec;
		if (!known_condition(st, c->condition) &&
		    (load_conditions(st, NULL) != PROLO_OK || !known_condition(st, c->condition)))
			rc = prolo_err_set(err, PROLO_EINVAL, "condition", "unknown condition '%s'", c->condition);
	} else {
		struct parent_cache *course = NULL;
		rc = course_ref(st, (const char *)rec, &course, err);
		if (!rc)
			rc = check_dates(kind, rec, course->start_date, err);
	}
	if (rc)
		return rc;

	const struct rec_table *t = &rec_tables[kind];
	sqlite3_stmt *s = change_stmt(st, kind, CHG_AMEND, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	char dates[8][11];
	int idx = 0, nd = 0;
	for (int i = 0; i < t->n_fields; i++) {
		const struct field_def *f = &t->fields[i];
		if (is_key(kind, f) || is_parent(kind, f))
			continue;
		bind_field(s, ++idx, rec, f, dates[f->type == FT_DATE && nd < 6 ? nd++ : 6]);
	}
	idx = bind_key(s, idx, kind, rec, dates[7]);
	sqlite3_bind_int(s, ++idx, version);
	rc = step_change(st, s, kind, rec, err);
	/* A course's start may have moved: forget the cached one. */
	if (kind == REC_COURSE) {
		st->course.pk = 0;
		st->course.id[0] = '\0';
	}
	return rc;
}

/* Runs sql over one session's injection rows: its parameters are the
 * optional text at, then the session's course id and number. */
static enum prolo_code session_rows_exec(struct store *st, const char *sql, const char *at,
                                         const struct session *se, const char *what, struct prolo_err *err)
{
	sqlite3_stmt *q = store_stmt(st, sql, err);
	if (!q)
		return err ? err->code : PROLO_EDB;
	int idx = 0;
	if (at)
		sqlite3_bind_text(q, ++idx, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, ++idx, se->course_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, ++idx, se->session_no);
	int src = sqlite3_step(q);
	sqlite3_reset(q);
	return src == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, src, what, err);
}

enum prolo_code store_void(struct store *st, enum rec_kind kind, const void *rec, int32_t version,
                           const char *at, const char *reason, struct prolo_err *err)
{
	if (kind == REC_INJECTION)
		return prolo_err_set(err, PROLO_EINVAL, "", "injections are voided with their session");
	sqlite3_stmt *s = change_stmt(st, kind, CHG_VOID, err);
	if (!s)
		return err ? err->code : PROLO_EDB;
	char d[11];
	sqlite3_bind_text(s, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
	int idx = bind_key(s, 2, kind, rec, d);
	sqlite3_bind_int(s, ++idx, version);
	enum prolo_code rc = step_change(st, s, kind, rec, err);
	if (!rc && kind == REC_SESSION) {
		static const char sql[] =
			"UPDATE injections SET voided_at = ?"
			" WHERE course_pk = (SELECT pk FROM courses WHERE course_id = ?) AND session_no = ?";
		rc = session_rows_exec(st, sql, at, rec, "voiding injections", err);
	}
	return rc;
}

enum prolo_code store_injections_replace(struct store *st, const struct session *s,
                                         struct injection *inj, size_t n, struct prolo_err *err)
{
	static const char sql[] =
		"DELETE FROM injections WHERE course_pk = (SELECT pk FROM courses WHERE course_id = ?)"
		" AND session_no = ?";
	enum prolo_code rc = session_rows_exec(st, sql, NULL, s, "replacing injections", err);
	for (size_t i = 0; i < n && !rc; i++) {
		snprintf(inj[i].course_id, sizeof inj[i].course_id, "%s", s->course_id);
		inj[i].session_no = s->session_no;
		if (inj[i].seq == REC_INT_NONE)
			inj[i].seq = (int32_t)(i + 1);
		rc = store_insert(st, REC_INJECTION, &inj[i], err);
	}
	return rc;
}
