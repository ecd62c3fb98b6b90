/* store_scan_courses: the report's read path. Four cursors (courses and
 * their sessions, assessments and adverse events, each in course-key order,
 * which is the tables' own key order, so SQLite never sorts) are merged so
 * every course arrives with all of its rows after one sequential pass over
 * each table. The per-row work is the budget of the report on a large
 * registry (bench/report/), so stored text is decoded by table lookups:
 * dates through a table of month starts, enum names through a small hash. */
#include "store/store_sqlite.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/domain.h"

struct cursor {
	sqlite3_stmt *s;
	bool done;
	int64_t pk; /* course key of the current row */
};

static enum prolo_code cursor_step(struct store *st, struct cursor *c, struct prolo_err *err)
{
	int rc = sqlite3_step(c->s);
	if (rc == SQLITE_ROW) {
		c->pk = sqlite3_column_int64(c->s, 0);
		return PROLO_OK;
	}
	c->done = true;
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, "reading the registry", err);
}

/* Moves the cursor to the first row whose course key is >= pk. */
static enum prolo_code cursor_seek(struct store *st, struct cursor *c, int64_t pk,
                                   struct prolo_err *err)
{
	while (!c->done && c->pk < pk) {
		enum prolo_code rc = cursor_step(st, c, err);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}

/* ---- decoding stored text ---- */

#define YEAR_MIN 1900 /* the years dom_date_parse accepts */
#define YEAR_MAX 2199
#define N_MONTHS ((YEAR_MAX - YEAR_MIN + 1) * 12)

/* Day number of the first of every month YEAR_MIN-01 .. YEAR_MAX-12, plus
 * the month after, so a month's length is the difference of neighbours. */
struct date_table {
	int32_t first[N_MONTHS + 1];
};

static void date_table_init(struct date_table *t)
{
	for (int i = 0; i <= N_MONTHS; i++)
		t->first[i] = dom_days_from_civil(YEAR_MIN + i / 12, i % 12 + 1, 1);
}

/* A stored date as a day number; DOM_DATE_NONE for NULL or anything
 * dom_date_parse would reject (same rules, a table read instead of the
 * calendar arithmetic). Cannot fail. */
static int32_t col_date(const struct date_table *t, sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	/* v is NUL-terminated: each test fails at the NUL of a shorter text
	 * before a later byte is read, so no length call is needed. */
	if (!v || v[0] - 48u > 9 || v[1] - 48u > 9 || v[2] - 48u > 9 || v[3] - 48u > 9 ||
	    v[4] != '-' || v[5] - 48u > 9 || v[6] - 48u > 9 || v[7] != '-' ||
	    v[8] - 48u > 9 || v[9] - 48u > 9 || v[10] != '\0')
		return DOM_DATE_NONE;
	unsigned y0 = v[0] - 48u, y1 = v[1] - 48u, y2 = v[2] - 48u, y3 = v[3] - 48u;
	unsigned m0 = v[5] - 48u, m1 = v[6] - 48u, d0 = v[8] - 48u, d1 = v[9] - 48u;
	int y = (int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
	int m = (int)(m0 * 10 + m1), d = (int)(d0 * 10 + d1);
	if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1)
		return DOM_DATE_NONE;
	size_t k = (size_t)(y - YEAR_MIN) * 12 + (size_t)(m - 1);
	if (d > t->first[k + 1] - t->first[k])
		return DOM_DATE_NONE;
	return t->first[k] + d - 1;
}

/* An enum's names hashed by their first two bytes (a NUL-terminated text
 * has them, the second perhaps the NUL), each slot listing the names that
 * start so; a text is then matched with strcmp and never needs its length. */
#define ENUM_SLOTS 64
#define ENUM_PER_SLOT 4
struct enum_index {
	const char *const *names;
	int n;
	signed char slot[ENUM_SLOTS][ENUM_PER_SLOT]; /* name indexes, -1 = none */
	bool overflow; /* some slot was full: fall back to dom_lookup */
};

static unsigned enum_hash(const unsigned char *s)
{
	return (unsigned)(s[0] * 5 + (s[0] ? s[1] : 0)) % ENUM_SLOTS;
}

static void enum_index_init(struct enum_index *e, const char *const *names, int n)
{
	e->names = names;
	e->n = n;
	e->overflow = false;
	memset(e->slot, -1, sizeof e->slot);
	for (int i = 0; i < n; i++) {
		signed char *sl = e->slot[enum_hash((const unsigned char *)names[i])];
		int j = 0;
		while (j < ENUM_PER_SLOT && sl[j] >= 0)
			j++;
		if (j == ENUM_PER_SLOT)
			e->overflow = true;
		else
			sl[j] = (signed char)i;
	}
}

/* Index of the NUL-terminated name v, -1 if it is none of them. Cannot fail. */
static int enum_find(const struct enum_index *e, const unsigned char *v)
{
	if (e->overflow)
		return dom_lookup(e->names, e->n, (const char *)v, strlen((const char *)v));
	const signed char *sl = e->slot[enum_hash(v)];
	for (int j = 0; j < ENUM_PER_SLOT && sl[j] >= 0; j++)
		if (strcmp(e->names[sl[j]], (const char *)v) == 0)
			return sl[j];
	return -1;
}

/* A stored enum name as its index; -1 for NULL or an unknown name. Read up
 * to its first NUL: a text with a NUL inside cannot be stored, the schema's
 * CHECKs list the names. Cannot fail. */
static int col_enum(const struct enum_index *e, sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return v ? enum_find(e, v) : -1;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? v : "";
}

/* ---- per-course row buffers, reused from course to course ---- */

struct sess_buf {
	size_t cap;
	int32_t *no, *date;
};
struct out_buf {
	size_t cap;
	int32_t *date;
	uint8_t *instr;
	double *score;
};
struct ae_buf {
	size_t cap;
	int32_t *onset, *dur;
	uint8_t *kind, *grade, *ser;
};

/* realloc that leaves p alone and clears *ok on failure, so a buffer's
 * arrays can be grown in a row and checked once. */
static void *regrow(void *p, size_t n, size_t elem, bool *ok)
{
	if (!*ok)
		return p;
	void *q = realloc(p, n * elem);
	if (!q) {
		*ok = false;
		return p;
	}
	return q;
}

static size_t next_cap(size_t cap)
{
	return cap ? cap * 2 : 64;
}

/* Each _grow doubles the capacity; false on ENOMEM with the capacity (and
 * the rows held) unchanged. */
static bool sess_grow(struct sess_buf *b)
{
	size_t c = next_cap(b->cap);
	bool ok = true;
	b->no = regrow(b->no, c, sizeof *b->no, &ok);
	b->date = regrow(b->date, c, sizeof *b->date, &ok);
	if (ok)
		b->cap = c;
	return ok;
}

static bool out_grow(struct out_buf *b)
{
	size_t c = next_cap(b->cap);
	bool ok = true;
	b->date = regrow(b->date, c, sizeof *b->date, &ok);
	b->instr = regrow(b->instr, c, sizeof *b->instr, &ok);
	b->score = regrow(b->score, c, sizeof *b->score, &ok);
	if (ok)
		b->cap = c;
	return ok;
}

static bool ae_grow(struct ae_buf *b)
{
	size_t c = next_cap(b->cap);
	bool ok = true;
	b->onset = regrow(b->onset, c, sizeof *b->onset, &ok);
	b->dur = regrow(b->dur, c, sizeof *b->dur, &ok);
	b->kind = regrow(b->kind, c, sizeof *b->kind, &ok);
	b->grade = regrow(b->grade, c, sizeof *b->grade, &ok);
	b->ser = regrow(b->ser, c, sizeof *b->ser, &ok);
	if (ok)
		b->cap = c;
	return ok;
}

/* Adverse events arrive by (course, seq); course_rows wants them by onset
 * date. A stable insertion sort keeps seq order within a date; a course has
 * a handful, usually already in order. Cannot fail. */
static void ae_sort_by_onset(struct ae_buf *b, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (b->onset[i] >= b->onset[i - 1])
			continue;
		int32_t on = b->onset[i], du = b->dur[i];
		uint8_t ki = b->kind[i], gr = b->grade[i], se = b->ser[i];
		size_t j = i;
		for (; j > 0 && b->onset[j - 1] > on; j--) {
			b->onset[j] = b->onset[j - 1];
			b->dur[j] = b->dur[j - 1];
			b->kind[j] = b->kind[j - 1];
			b->grade[j] = b->grade[j - 1];
			b->ser[j] = b->ser[j - 1];
		}
		b->onset[j] = on;
		b->dur[j] = du;
		b->kind[j] = ki;
		b->grade[j] = gr;
		b->ser[j] = se;
	}
}

/* Everything a scan decodes with, built once per scan. */
struct scan_tables {
	struct date_table dates;
	struct enum_index modality, condition, status, instrument, ae_kind, seriousness;
};

/* The courses query with only the filters in use, so an unfiltered report
 * evaluates no condition per row. Parameters keep their numbers. */
static enum prolo_code courses_sql(const struct store_report_filter *f, bool voids, struct buf *sql,
                                   struct prolo_err *err)
{
	static const char base[] =
		"SELECT c.pk, c.course_id, p.patient_id, p.clinic, c.modality, c.condition, c.status,"
		" c.start_date, c.end_date, c.planned_sessions, c.interval_days, c.protocol"
		" FROM courses c JOIN patients p ON p.pk = c.patient_pk";
	/* Same columns; the patient join only when a clinic is asked for. */
	static const char lean_base[] =
		"SELECT c.pk, c.course_id, NULL, NULL, c.modality, c.condition, c.status,"
		" c.start_date, NULL, 0, 0, c.protocol FROM courses c";
	static const char lean_clinic[] =
		"SELECT c.pk, c.course_id, NULL, NULL, c.modality, c.condition, c.status,"
		" c.start_date, NULL, 0, 0, c.protocol FROM courses c JOIN patients p ON p.pk = c.patient_pk";
	const char *cond[6] = { NULL };
	if (f) {
		cond[5] = f->course_id ? "c.course_id = ?6" : NULL;
		cond[0] = f->clinic ? "p.clinic = ?1" : NULL;
		cond[1] = f->modality >= 0 && f->modality < MOD__COUNT ? "c.modality = ?2" : NULL;
		cond[2] = f->condition ? "c.condition = ?3" : NULL;
		cond[3] = f->from != DOM_DATE_NONE ? "c.start_date >= ?4" : NULL;
		cond[4] = f->to != DOM_DATE_NONE ? "c.start_date <= ?5" : NULL;
	}
	const char *from = base;
	if (f && f->lean)
		from = f->clinic ? lean_clinic : lean_base;
	/* Voided courses are not in the report (nor their children, which
	 * are read only for the courses read). */
	enum prolo_code rc = buf_adds(sql, from);
	if (!rc && voids)
		rc = buf_adds(sql, " WHERE c.voided_at IS NULL");
	const char *sep = voids ? " AND " : " WHERE ";
	for (int i = 0; i < 6 && !rc; i++)
		if (cond[i]) {
			rc = buf_printf(sql, "%s%s", sep, cond[i]);
			sep = " AND ";
		}
	if (!rc)
		rc = buf_printf(sql, " ORDER BY c.pk");
	return rc ? prolo_err_set(err, rc, "", "building the report query") : PROLO_OK;
}

/* A child table's query (sessions, assessments, adverse events) as is,
 * or for one course alone: its rows by the course's key, so one course's
 * read costs an index lookup, not the registry. */
static enum prolo_code child_sql_for(const char *sql, const struct store_report_filter *f, struct buf *out,
                                     struct prolo_err *err)
{
	buf_reset(out);
	if (!f || !f->course_id)
		return buf_adds(out, sql) ? prolo_err_set(err, PROLO_ENOMEM, "", "building the report query") : PROLO_OK;
	const char *order = strstr(sql, " ORDER BY ");
	enum prolo_code rc = buf_printf(out, "%.*s%s course_pk = (SELECT pk FROM courses WHERE course_id = ?1)%s",
	                                (int)(order - sql), sql, strstr(sql, " WHERE ") ? " AND" : " WHERE", order);
	return rc ? prolo_err_set(err, rc, "", "building the report query") : PROLO_OK;
}

/* *voids = 1 when any record of the registry was ever voided: every void
 * leaves a row in record_history (store_history.c), in the same
 * transaction. PROLO_EDB. */
static enum prolo_code any_voided(struct store *st, int *voids, struct prolo_err *err)
{
	sqlite3_stmt *s = NULL;
	int src = sqlite3_prepare_v2(store_sqlite_db(st),
	                             "SELECT 1 FROM record_history WHERE action = 'void' LIMIT 1", -1, &s, NULL);
	if (src == SQLITE_OK) {
		src = sqlite3_step(s);
		*voids = src == SQLITE_ROW;
		if (src == SQLITE_ROW || src == SQLITE_DONE)
			src = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return src == SQLITE_OK ? PROLO_OK : store_sqlite_err(st, src, "reading the registry's voids", err);
}

/* One assessment per course, day and instrument: where staff recorded a
 * score and the patient also answered through a link, the report uses
 * staff's (docs/report.md, "Assessments"); the patient's row counts only
 * on a day without a scored (and, where voids are read, live) staff row.
 * The rows come in the key's order, which ends in source, and 'patient'
 * sorts before 'staff': so a row with the day and instrument of the row
 * before it is staff's, and takes that row's place (below). The rule
 * costs no subquery per row. */
enum prolo_code store_scan_courses(struct store *st, const struct store_report_filter *f,
                                   store_course_fn fn, void *ctx, struct prolo_err *err)
{
	/* [0]: a registry where nothing was ever voided (the usual case): the
	 * rows' last columns (voided_at) need not be decoded at all, which
	 * costs a tenth of the read; [1]: voided records left out. */
	static const char *const child_sql[2][3] = {
		{ "SELECT course_pk, session_no, date FROM sessions ORDER BY course_pk, session_no",
		  "SELECT course_pk, date, instrument, score FROM outcomes WHERE score IS NOT NULL"
		  " ORDER BY course_pk, date, instrument, source",
		  "SELECT course_pk, date, kind, ifnull(duration_days, -1), grade, seriousness FROM adverse_events"
		  " ORDER BY course_pk, seq" },
		{ "SELECT course_pk, session_no, date FROM sessions WHERE voided_at IS NULL"
		  " ORDER BY course_pk, session_no",
		  "SELECT course_pk, date, instrument, score FROM outcomes WHERE score IS NOT NULL"
		  " AND voided_at IS NULL ORDER BY course_pk, date, instrument, source",
		  "SELECT course_pk, date, kind, ifnull(duration_days, -1), grade, seriousness FROM adverse_events"
		  " WHERE voided_at IS NULL ORDER BY course_pk, seq" },
	};
	static const char *const lean_ae_sql[2] = {
		"SELECT course_pk, NULL, kind, ifnull(duration_days, -1), 0, NULL FROM adverse_events"
		" ORDER BY course_pk, seq",
		"SELECT course_pk, NULL, kind, ifnull(duration_days, -1), 0, NULL FROM adverse_events"
		" WHERE voided_at IS NULL ORDER BY course_pk, seq",
	};
	bool lean = f && f->lean;
	struct cursor cc = { 0 }, kids[3] = { { 0 } };
	struct sess_buf sb = { 0 };
	struct out_buf ob = { 0 };
	struct ae_buf ab = { 0 };
	struct buf sql;
	buf_init(&sql, 4096);
	struct scan_tables *tb = malloc(sizeof *tb);
	enum prolo_code rc = PROLO_OK;
	int src;

	if (!tb) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		goto done;
	}
	date_table_init(&tb->dates);
	enum_index_init(&tb->modality, dom_modality_names, MOD__COUNT);
	enum_index_init(&tb->condition, dom_condition_names, COND__COUNT);
	enum_index_init(&tb->status, dom_status_names, CS__COUNT);
	enum_index_init(&tb->instrument, dom_instrument_names, INSTR__COUNT);
	enum_index_init(&tb->ae_kind, dom_ae_kind_names, AE__COUNT);
	enum_index_init(&tb->seriousness, dom_seriousness_names, SER__COUNT);

	int voids = 0;
	if ((rc = any_voided(st, &voids, err)) || (rc = courses_sql(f, voids, &sql, err)))
		goto done;
	src = sqlite3_prepare_v2(store_sqlite_db(st), buf_str(&sql), -1, &cc.s, NULL);
	for (int k = 0; k < 3 && src == SQLITE_OK; k++) {
		if ((rc = child_sql_for(k == 2 && lean ? lean_ae_sql[voids] : child_sql[voids][k], f, &sql, err)))
			goto done;
		src = sqlite3_prepare_v2(store_sqlite_db(st), buf_str(&sql), -1, &kids[k].s, NULL);
		if (src == SQLITE_OK && f && f->course_id)
			sqlite3_bind_text(kids[k].s, 1, f->course_id, -1, SQLITE_STATIC);
	}
	if (src != SQLITE_OK) {
		rc = store_sqlite_err(st, src, "preparing the report read", err);
		goto done;
	}
	if (f) {
		char from[11], to[11];
		if (f->clinic)
			sqlite3_bind_text(cc.s, 1, f->clinic, -1, SQLITE_STATIC);
		if (f->modality >= 0 && f->modality < MOD__COUNT)
			sqlite3_bind_text(cc.s, 2, dom_modality_names[f->modality], -1, SQLITE_STATIC);
		if (f->condition)
			sqlite3_bind_text(cc.s, 3, f->condition, -1, SQLITE_STATIC);
		if (f->from != DOM_DATE_NONE) {
			dom_date_format(f->from, from);
			sqlite3_bind_text(cc.s, 4, from, 10, SQLITE_TRANSIENT);
		}
		if (f->to != DOM_DATE_NONE) {
			dom_date_format(f->to, to);
			sqlite3_bind_text(cc.s, 5, to, 10, SQLITE_TRANSIENT);
		}
		if (f->course_id)
			sqlite3_bind_text(cc.s, 6, f->course_id, -1, SQLITE_STATIC);
	}
	for (int k = 0; k < 3 && !rc; k++)
		rc = cursor_step(st, &kids[k], err);
	while (!rc) {
		if ((rc = cursor_step(st, &cc, err)) || cc.done)
			break;
		sqlite3_stmt *s = cc.s;
		struct course_rows r = { 0 };
		r.course_key = cc.pk;
		r.course_id = col_text(s, 1);
		r.patient_id = col_text(s, 2);
		r.clinic = col_text(s, 3);
		r.modality = col_enum(&tb->modality, s, 4);
		r.condition_name = col_text(s, 5);
		r.condition = enum_find(&tb->condition, (const unsigned char *)r.condition_name);
		r.status = col_enum(&tb->status, s, 6);
		r.start_date = col_date(&tb->dates, s, 7);
		r.end_date = col_date(&tb->dates, s, 8);
		r.planned_sessions = sqlite3_column_int(s, 9);
		r.interval_days = sqlite3_column_int(s, 10);
		r.protocol = col_text(s, 11);

		struct cursor *c = &kids[0];
		size_t n = 0;
		if ((rc = cursor_seek(st, c, cc.pk, err)))
			break;
		for (; !c->done && c->pk == cc.pk; n++) {
			if (n == sb.cap && !sess_grow(&sb))
				goto nomem;
			sb.no[n] = sqlite3_column_int(c->s, 1);
			sb.date[n] = col_date(&tb->dates, c->s, 2);
			if ((rc = cursor_step(st, c, err)))
				goto done;
		}
		r.n_sessions = n;
		r.sess_no = sb.no;
		r.sess_date = sb.date;

		c = &kids[1];
		n = 0;
		if ((rc = cursor_seek(st, c, cc.pk, err)))
			break;
		for (; !c->done && c->pk == cc.pk; n++) {
			if (n == ob.cap && !out_grow(&ob))
				goto nomem;
			ob.date[n] = col_date(&tb->dates, c->s, 1);
			ob.instr[n] = (uint8_t)col_enum(&tb->instrument, c->s, 2);
			ob.score[n] = sqlite3_column_double(c->s, 3);
			if (n > 0 && ob.date[n] == ob.date[n - 1] && ob.instr[n] == ob.instr[n - 1]) {
				/* staff's row after the patient's (above) */
				ob.score[n - 1] = ob.score[n];
				n--;
			}
			if ((rc = cursor_step(st, c, err)))
				goto done;
		}
		r.n_outcomes = n;
		r.out_date = ob.date;
		r.out_instrument = ob.instr;
		r.out_score = ob.score;

		c = &kids[2];
		n = 0;
		if ((rc = cursor_seek(st, c, cc.pk, err)))
			break;
		for (; !c->done && c->pk == cc.pk; n++) {
			if (n == ab.cap && !ae_grow(&ab))
				goto nomem;
			ab.onset[n] = col_date(&tb->dates, c->s, 1);
			ab.kind[n] = (uint8_t)col_enum(&tb->ae_kind, c->s, 2);
			ab.dur[n] = sqlite3_column_int(c->s, 3); /* NULL read as -1 by the query */
			ab.grade[n] = (uint8_t)sqlite3_column_int(c->s, 4);
			int ser = col_enum(&tb->seriousness, c->s, 5);
			ab.ser[n] = (uint8_t)(ser < 0 ? SER_NONE : ser);
			if ((rc = cursor_step(st, c, err)))
				goto done;
		}
		if (!lean)
			ae_sort_by_onset(&ab, n);
		r.n_aes = n;
		r.ae_onset = ab.onset;
		r.ae_kind = ab.kind;
		r.ae_duration = ab.dur;
		r.ae_grade = ab.grade;
		r.ae_serious = ab.ser;

		rc = fn(ctx, &r, err);
	}
	goto done;
nomem:
	rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
done:
	sqlite3_finalize(cc.s);
	for (int k = 0; k < 3; k++)
		sqlite3_finalize(kids[k].s);
	free(sb.no);
	free(sb.date);
	free(ob.date);
	free(ob.instr);
	free(ob.score);
	free(ab.onset);
	free(ab.dur);
	free(ab.kind);
	free(ab.grade);
	free(ab.ser);
	free(tb);
	buf_free(&sql);
	return rc;
}
