/* store_scan_courses: the report's read path. Four cursors (courses and
 * their sessions, assessments and adverse events, each in course-key order,
 * which is the tables' own key order) are merged so every course arrives
 * with all of its rows after one sequential pass over each table. */
#include "store/store_sqlite.h"

#include <stdlib.h>
#include <string.h>

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

struct growbuf {
	void *p;
	size_t cap; /* elements */
};

static bool grow(struct growbuf *g, size_t need, size_t elem)
{
	if (need <= g->cap)
		return true;
	size_t cap = g->cap ? g->cap * 2 : 64;
	while (cap < need)
		cap *= 2;
	void *p = realloc(g->p, cap * elem);
	if (!p)
		return false;
	g->p = p;
	g->cap = cap;
	return true;
}

static int32_t col_date(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	int32_t d;
	if (v && dom_date_parse(v, (size_t)sqlite3_column_bytes(s, i), &d))
		return d;
	return DOM_DATE_NONE;
}

static int col_enum(sqlite3_stmt *s, int i, const char *const *names, int n)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? dom_lookup(names, n, v, (size_t)sqlite3_column_bytes(s, i)) : -1;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);
	return v ? v : "";
}

enum prolo_code store_scan_courses(struct store *st, const struct store_report_filter *f,
                                   store_course_fn fn, void *ctx, struct prolo_err *err)
{
	static const char courses_sql[] =
		"SELECT c.pk, c.course_id, p.patient_id, p.clinic, c.modality, c.condition, c.status,"
		" c.start_date, c.end_date, c.planned_sessions, c.interval_days, c.protocol"
		" FROM courses c JOIN patients p ON p.pk = c.patient_pk"
		" WHERE (?1 IS NULL OR p.clinic = ?1) AND (?2 IS NULL OR c.modality = ?2)"
		" AND (?3 IS NULL OR c.condition = ?3) AND (?4 IS NULL OR c.start_date >= ?4)"
		" AND (?5 IS NULL OR c.start_date <= ?5) ORDER BY c.pk";
	static const char *const child_sql[3] = {
		"SELECT course_pk, session_no, date FROM sessions ORDER BY course_pk, session_no",
		"SELECT course_pk, date, instrument, score FROM outcomes WHERE score IS NOT NULL"
		" ORDER BY course_pk, date, instrument",
		"SELECT course_pk, date, kind, duration_days, grade, seriousness FROM adverse_events"
		" ORDER BY course_pk, date, seq",
	};
	struct cursor cc = { 0 }, kids[3] = { { 0 } };
	struct growbuf sno = { 0 }, sdate = { 0 }, odate = { 0 }, oinstr = { 0 }, oscore = { 0 },
	               aonset = { 0 }, akind = { 0 }, adur = { 0 }, agrade = { 0 }, aser = { 0 };
	enum prolo_code rc = PROLO_OK;
	int src;

	src = sqlite3_prepare_v2(store_sqlite_db(st), courses_sql, -1, &cc.s, NULL);
	for (int k = 0; k < 3 && src == SQLITE_OK; k++)
		src = sqlite3_prepare_v2(store_sqlite_db(st), child_sql[k], -1, &kids[k].s, NULL);
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
	}
	for (int k = 0; k < 3 && !rc; k++)
		rc = cursor_step(st, &kids[k], err);
	while (!rc) {
		if ((rc = cursor_step(st, &cc, err)) || cc.done)
			break;
		struct course_rows r = { 0 };
		r.course_key = cc.pk;
		r.course_id = col_text(cc.s, 1);
		r.patient_id = col_text(cc.s, 2);
		r.clinic = col_text(cc.s, 3);
		r.modality = col_enum(cc.s, 4, dom_modality_names, MOD__COUNT);
		r.condition_name = col_text(cc.s, 5);
		r.condition = dom_lookup(dom_condition_names, COND__COUNT, r.condition_name, strlen(r.condition_name));
		r.status = col_enum(cc.s, 6, dom_status_names, CS__COUNT);
		r.start_date = col_date(cc.s, 7);
		r.end_date = col_date(cc.s, 8);
		r.planned_sessions = sqlite3_column_int(cc.s, 9);
		r.interval_days = sqlite3_column_int(cc.s, 10);
		r.protocol = col_text(cc.s, 11);

		struct cursor *c = &kids[0];
		size_t n = 0;
		if ((rc = cursor_seek(st, c, cc.pk, err)))
			break;
		while (!c->done && c->pk == cc.pk) {
			if (!grow(&sno, n + 1, sizeof(int32_t)) || !grow(&sdate, n + 1, sizeof(int32_t))) {
				rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
				goto done;
			}
			((int32_t *)sno.p)[n] = sqlite3_column_int(c->s, 1);
			((int32_t *)sdate.p)[n] = col_date(c->s, 2);
			n++;
			if ((rc = cursor_step(st, c, err)))
				goto done;
		}
		r.n_sessions = n;
		r.sess_no = sno.p;
		r.sess_date = sdate.p;

		c = &kids[1];
		n = 0;
		if ((rc = cursor_seek(st, c, cc.pk, err)))
			break;
		while (!c->done && c->pk == cc.pk) {
			if (!grow(&odate, n + 1, sizeof(int32_t)) || !grow(&oinstr, n + 1, 1) ||
			    !grow(&oscore, n + 1, sizeof(double))) {
				rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
				goto done;
			}
			((int32_t *)odate.p)[n] = col_date(c->s, 1);
			((uint8_t *)oinstr.p)[n] = (uint8_t)col_enum(c->s, 2, dom_instrument_names, INSTR__COUNT);
			((double *)oscore.p)[n] = sqlite3_column_double(c->s, 3);
			n++;
			if ((rc = cursor_step(st, c, err)))
				goto done;
		}
		r.n_outcomes = n;
		r.out_date = odate.p;
		r.out_instrument = oinstr.p;
		r.out_score = oscore.p;

		c = &kids[2];
		n = 0;
		if ((rc = cursor_seek(st, c, cc.pk, err)))
			break;
		while (!c->done && c->pk == cc.pk) {
			if (!grow(&aonset, n + 1, sizeof(int32_t)) || !grow(&akind, n + 1, 1) ||
			    !grow(&adur, n + 1, sizeof(int32_t)) || !grow(&agrade, n + 1, 1) ||
			    !grow(&aser, n + 1, 1)) {
				rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
				goto done;
			}
			((int32_t *)aonset.p)[n] = col_date(c->s, 1);
			((uint8_t *)akind.p)[n] = (uint8_t)col_enum(c->s, 2, dom_ae_kind_names, AE__COUNT);
			((int32_t *)adur.p)[n] = sqlite3_column_type(c->s, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(c->s, 3);
			((uint8_t *)agrade.p)[n] = (uint8_t)sqlite3_column_int(c->s, 4);
			int ser = col_enum(c->s, 5, dom_seriousness_names, SER__COUNT);
			((uint8_t *)aser.p)[n] = (uint8_t)(ser < 0 ? SER_NONE : ser);
			n++;
			if ((rc = cursor_step(st, c, err)))
				goto done;
		}
		r.n_aes = n;
		r.ae_onset = aonset.p;
		r.ae_kind = akind.p;
		r.ae_duration = adur.p;
		r.ae_grade = agrade.p;
		r.ae_serious = aser.p;

		rc = fn(ctx, &r, err);
	}
done:
	sqlite3_finalize(cc.s);
	for (int k = 0; k < 3; k++)
		sqlite3_finalize(kids[k].s);
	free(sno.p);
	free(sdate.p);
	free(odate.p);
	free(oinstr.p);
	free(oscore.p);
	free(aonset.p);
	free(akind.p);
	free(adur.p);
	free(agrade.p);
	free(aser.p);
	return rc;
}
