/* The outbox's steps in course-key order, merged by the report with the
 * courses it reads (store_outreach.h): one pass over the messages in the
 * order of their UNIQUE (course_pk, point_day, step) index, so SQLite
 * never sorts, and an attempt lookup by its primary key per message. */
#include "store/store_outreach.h"
#include "store/store_sqlite.h"

#include <stdlib.h>
#include <string.h>

#include "core/domain.h"

struct store_ostep_cursor {
	struct store *st;
	sqlite3_stmt *s;
	bool started, done;
	int64_t pk;                  /* course key of the current row */
};

enum prolo_code store_ostep_open(struct store *st, struct store_ostep_cursor **out, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT m.course_pk, m.point_day, m.step, m.channel,"
		" EXISTS (SELECT 1 FROM outreach_attempts a WHERE a.message_id = m.id),"
		" EXISTS (SELECT 1 FROM outreach_attempts a WHERE a.message_id = m.id AND a.result = 'accepted')"
		" FROM outreach_messages m ORDER BY m.course_pk, m.point_day, m.step";
	*out = calloc(1, sizeof **out);
	if (!*out)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	(*out)->st = st;
	int rc = sqlite3_prepare_v2(store_sqlite_db(st), sql, -1, &(*out)->s, NULL);
	if (rc != SQLITE_OK) {
		store_ostep_close(*out);
		*out = NULL;
		return store_sqlite_err(st, rc, "reading the outbox", err);
	}
	return PROLO_OK;
}

static enum prolo_code step(struct store_ostep_cursor *c, struct prolo_err *err)
{
	int rc = sqlite3_step(c->s);
	c->started = true;
	if (rc == SQLITE_ROW) {
		c->pk = sqlite3_column_int64(c->s, 0);
		return PROLO_OK;
	}
	c->done = true;
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(c->st, rc, "reading the outbox", err);
}

enum prolo_code store_ostep_course(struct store_ostep_cursor *c, int64_t course_key, store_ostep_fn fn,
                                   void *ctx, struct prolo_err *err)
{
	enum prolo_code rc = PROLO_OK;
	if (!c->started)
		rc = step(c, err);
	while (!rc && !c->done && c->pk < course_key)
		rc = step(c, err);
	while (!rc && !c->done && c->pk == course_key) {
		const char *ch = (const char *)sqlite3_column_text(c->s, 3);
		struct store_ostep o = {
			.point_day = sqlite3_column_int(c->s, 1),
			.step = sqlite3_column_int(c->s, 2),
			.channel = ch ? dom_lookup(contact_channel_names, CH__COUNT, ch, strlen(ch)) : -1,
			.attempted = sqlite3_column_int(c->s, 4) != 0,
			.accepted = sqlite3_column_int(c->s, 5) != 0,
		};
		if (o.channel < 0)
			o.channel = CH_NONE;
		fn(ctx, &o);
		rc = step(c, err);
	}
	return rc;
}

void store_ostep_close(struct store_ostep_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->s);
	free(c);
}
