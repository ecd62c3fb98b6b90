/* store_scan_followup (store/store_outreach.h): the outbox's read of the
 * whole registry. Like the report's read, one cursor per table in course
 * key order (courses with their patient and contact; scored assessments;
 * outbox messages; outbox tasks), merged, so SQLite never sorts and each
 * table is read once from end to end. */
#include "store/store_outreach.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"
#include "core/grow.h"
#include "store/store_sqlite.h"

static const char *const fu_sql[4] = {
	"SELECT c.pk, c.course_id, p.patient_id, c.condition, ifnull(c.protocol, ''), c.start_date,"
	" k.patient_pk IS NOT NULL, k.email, k.mobile, k.channel, k.consent, k.email_bad, k.mobile_bad"
	" FROM courses c JOIN patients p ON p.pk = c.patient_pk"
	" LEFT JOIN patient_contacts k ON k.patient_pk = c.patient_pk"
	" WHERE c.voided_at IS NULL AND p.voided_at IS NULL ORDER BY c.pk",
	"SELECT course_pk, date, instrument FROM outcomes WHERE score IS NOT NULL AND voided_at IS NULL"
	" ORDER BY course_pk, date, instrument",
	"SELECT course_pk, id, point_day, step, state, tries, next_try, created_on FROM outreach_messages"
	" ORDER BY course_pk, point_day, step",
	"SELECT course_pk, kind, point_day FROM outreach_tasks ORDER BY course_pk, kind, point_day",
};

struct fu_cursor {
	sqlite3_stmt *s;
	bool done;
	int64_t pk;
};

/* The next row; at the end, done and a key above every course's. */
static enum prolo_code step(struct store *st, struct fu_cursor *c, struct prolo_err *err)
{
	int rc = sqlite3_step(c->s);
	c->done = rc != SQLITE_ROW;
	c->pk = c->done ? INT64_MAX : sqlite3_column_int64(c->s, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, "reading the registry for the outbox", err);
	return PROLO_OK;
}

/* Room for need elements in two parallel arrays of one capacity. */
static enum prolo_code grow2(void *a, size_t ea, void *b, size_t eb, size_t *cap, size_t need,
                             struct prolo_err *err)
{
	if (need <= *cap)
		return PROLO_OK;
	size_t cap_a = *cap;
	enum prolo_code rc = grow_array(a, &cap_a, need, ea, 64, err);
	return rc ? rc : grow_array(b, cap, need, eb, 64, err);
}

static int32_t date_of(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	int32_t d;
	return t && dom_date_parse(t, (size_t)sqlite3_column_bytes(s, i), &d) ? d : DOM_DATE_NONE;
}

static int name_at(sqlite3_stmt *s, int i, const char *const *names, int n)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	return t ? dom_lookup(names, n, t, (size_t)sqlite3_column_bytes(s, i)) : -1;
}

static void text_at(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
	if (n >= outsz)
		n = outsz - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

struct fu_bufs {
	int32_t *date;
	uint8_t *instr;
	size_t cap_o;
	struct store_fu_msg *msgs;
	size_t cap_m;
	int *kind, *day;
	size_t cap_t;
};

static void bufs_free(struct fu_bufs *b)
{
	free(b->date);
	free(b->instr);
	free(b->msgs);
	free(b->kind);
	free(b->day);
}

enum prolo_code store_scan_followup(struct store *st, store_fu_fn fn, void *ctx, struct prolo_err *err)
{
	struct fu_cursor cur[4] = { { 0 } };
	struct fu_bufs b = { 0 };
	enum prolo_code rc = PROLO_OK;
	for (int k = 0; k < 4 && !rc; k++) {
		int src = sqlite3_prepare_v2(store_sqlite_db(st), fu_sql[k], -1, &cur[k].s, NULL);
		if (src != SQLITE_OK)
			rc = store_sqlite_err(st, src, "preparing the outbox's read", err);
	}
	for (int k = 0; k < 4 && !rc; k++)
		rc = step(st, &cur[k], err);
	char course_id[REC_ID_MAX], patient_id[REC_ID_MAX], cond[REC_NAME_MAX], proto[REC_NAME_MAX];
	while (!rc && !cur[0].done) {
		sqlite3_stmt *s = cur[0].s;
		int64_t pk = cur[0].pk;
		struct store_fu_course c;
		memset(&c, 0, sizeof c);
		text_at(s, 1, course_id, sizeof course_id);
		text_at(s, 2, patient_id, sizeof patient_id);
		text_at(s, 3, cond, sizeof cond);
		text_at(s, 4, proto, sizeof proto);
		c.course_id = course_id;
		c.patient_id = patient_id;
		c.condition_name = cond;
		c.protocol = proto;
		c.start_date = date_of(s, 5);
		c.have_contact = sqlite3_column_int(s, 6) != 0;
		if (c.have_contact) {
			text_at(s, 7, c.contact.email, sizeof c.contact.email);
			text_at(s, 8, c.contact.mobile, sizeof c.contact.mobile);
			c.contact.channel = name_at(s, 9, contact_channel_names, CH__COUNT);
			c.contact.consent = name_at(s, 10, contact_consent_names, CONSENT__COUNT);
			if (c.contact.channel < 0)
				c.contact.channel = CH_NONE;
			if (c.contact.consent < 0)
				c.contact.consent = CONSENT_NONE;
			c.contact.email_bad = sqlite3_column_int(s, 11) != 0;
			c.contact.mobile_bad = sqlite3_column_int(s, 12) != 0;
			c.contact.consent_date = DOM_DATE_NONE;
		}
		/* The children of this course; rows of courses not listed (voided)
		 * are passed over. */
		for (int k = 1; k < 4 && !rc; k++)
			while (!rc && !cur[k].done && cur[k].pk < pk)
				rc = step(st, &cur[k], err);
		while (!rc && !cur[1].done && cur[1].pk == pk) {
			if ((rc = grow2(&b.date, sizeof *b.date, &b.instr, sizeof *b.instr, &b.cap_o, c.n_outcomes + 1, err)))
				break;
			int in = name_at(cur[1].s, 2, dom_instrument_names, INSTR__COUNT);
			if (in >= 0) {
				b.date[c.n_outcomes] = date_of(cur[1].s, 1);
				b.instr[c.n_outcomes++] = (uint8_t)in;
			}
			rc = step(st, &cur[1], err);
		}
		while (!rc && !cur[2].done && cur[2].pk == pk) {
			sqlite3_stmt *m = cur[2].s;
			if ((rc = grow_array(&b.msgs, &b.cap_m, c.n_msgs + 1, sizeof *b.msgs, 16, err)))
				break;
			struct store_fu_msg *o = &b.msgs[c.n_msgs++];
			o->id = sqlite3_column_int64(m, 1);
			o->point_day = sqlite3_column_int(m, 2);
			o->step = sqlite3_column_int(m, 3);
			o->state = name_at(m, 4, store_omsg_state_names, OM__COUNT);
			o->tries = sqlite3_column_int(m, 5);
			o->next_try = sqlite3_column_int64(m, 6);
			o->created_on = date_of(m, 7);
			rc = step(st, &cur[2], err);
		}
		while (!rc && !cur[3].done && cur[3].pk == pk) {
			if ((rc = grow2(&b.kind, sizeof *b.kind, &b.day, sizeof *b.day, &b.cap_t, c.n_tasks + 1, err)))
				break;
			b.kind[c.n_tasks] = name_at(cur[3].s, 1, store_otask_kind_names, OT__COUNT);
			b.day[c.n_tasks++] = sqlite3_column_int(cur[3].s, 2);
			rc = step(st, &cur[3], err);
		}
		if (rc)
			break;
		c.out_date = b.date;
		c.out_instrument = b.instr;
		c.msgs = b.msgs;
		c.task_kind = b.kind;
		c.task_point_day = b.day;
		if (c.start_date != DOM_DATE_NONE && (rc = fn(ctx, &c, err)))
			break;
		rc = step(st, &cur[0], err);
	}
	for (int k = 0; k < 4; k++)
		sqlite3_finalize(cur[k].s);
	bufs_free(&b);
	return rc;
}
