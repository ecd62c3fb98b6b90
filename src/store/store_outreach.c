/* SQLite side of follow-up outreach (store/store_outreach.h). */
#include "store/store_outreach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"
#include "store/store_sqlite.h"

#define VD(c) "CHECK (" c " IS NULL OR (length(" c ") = 10 AND " c " BETWEEN '1900-01-01' AND '2199-12-31'))"
/* No control character (CR, LF, TAB ...) in a value that may reach a message. */
#define NOCTL(c) "CHECK (" c " IS NULL OR " c " NOT GLOB ('*[' || char(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,127) || ']*'))"

const char store_outreach_migration_sql[] =
	"CREATE TABLE patient_contacts ("
	"  patient_pk INTEGER PRIMARY KEY REFERENCES patients(pk),"
	"  email TEXT CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1)) " NOCTL("email") ","
	"  mobile TEXT CHECK (mobile IS NULL OR (length(mobile) BETWEEN 9 AND 16 AND substr(mobile, 1, 1) = '+' AND substr(mobile, 2) NOT GLOB '*[^0-9]*')),"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms' OR channel = 'none'),"
	"  consent TEXT NOT NULL CHECK (consent = 'none' OR consent = 'given' OR consent = 'withdrawn'),"
	"  consent_date TEXT " VD("consent_date") ","
	"  consent_by TEXT " NOCTL("consent_by") ","
	"  consent_how TEXT " NOCTL("consent_how") ","
	"  email_bad INTEGER NOT NULL DEFAULT 0 CHECK (email_bad IN (0, 1)),"
	"  mobile_bad INTEGER NOT NULL DEFAULT 0 CHECK (mobile_bad IN (0, 1)),"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK (channel <> 'email' OR email IS NOT NULL),"
	"  CHECK (channel <> 'sms' OR mobile IS NOT NULL),"
	"  CHECK (consent = 'none' OR consent_date IS NOT NULL)"
	") STRICT;"
	"CREATE TABLE outreach_messages ("
	"  id INTEGER PRIMARY KEY,"
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  point_day INTEGER NOT NULL CHECK (point_day BETWEEN 1 AND 36500),"
	"  step INTEGER NOT NULL CHECK (step BETWEEN 0 AND 9),"
	"  due TEXT NOT NULL " VD("due") ","
	"  window_end TEXT NOT NULL " VD("window_end") ","
	"  instruments INTEGER NOT NULL CHECK (instruments > 0),"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms'),"
	"  state TEXT NOT NULL CHECK (state = 'queued' OR state = 'sending' OR state = 'sent' OR state = 'failed' OR state = 'unknown' OR state = 'cancelled'),"
	"  tries INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),"
	"  next_try INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  created_on TEXT NOT NULL " VD("created_on") ","
	"  UNIQUE (course_pk, point_day, step)"
	") STRICT;"
	"CREATE INDEX outreach_messages_state ON outreach_messages(state, next_try);"
	"CREATE TABLE outreach_attempts ("
	"  message_id INTEGER NOT NULL REFERENCES outreach_messages(id),"
	"  n INTEGER NOT NULL CHECK (n >= 1),"
	"  channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms'),"
	"  at INTEGER NOT NULL,"
	"  result TEXT NOT NULL CHECK (result = 'sending' OR result = 'accepted' OR result = 'temporary_failure' OR result = 'permanent_failure' OR result = 'bounced' OR result = 'unknown'),"
	"  reply TEXT,"
	"  next_try INTEGER,"
	"  optout_hash BLOB NOT NULL UNIQUE CHECK (length(optout_hash) = 32),"
	"  PRIMARY KEY (message_id, n)"
	") STRICT;"
	"CREATE TABLE outreach_tasks ("
	"  course_pk INTEGER NOT NULL REFERENCES courses(pk),"
	"  kind TEXT NOT NULL CHECK (kind = 'followup_unanswered' OR kind = 'contact_fix'),"
	"  point_day INTEGER NOT NULL,"
	"  due TEXT NOT NULL " VD("due") ","
	"  detail TEXT NOT NULL,"
	"  PRIMARY KEY (course_pk, kind, point_day)"
	") STRICT;";

const char store_olease_migration_sql[] =
	"CREATE TABLE outbox_lease ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  holder TEXT NOT NULL CHECK (length(holder) BETWEEN 1 AND 95),"
	"  host TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX outreach_attempts_at ON outreach_attempts(at);";

/* Bounces and delivery receipts: which attempt a report is about (the
 * e-mail's Message-ID, the SMS provider's id) and what it said. */
const char store_receipts_migration_sql[] =
	"ALTER TABLE outreach_attempts ADD COLUMN msgid TEXT CHECK (msgid IS NULL OR length(msgid) BETWEEN 3 AND 250);"
	"ALTER TABLE outreach_attempts ADD COLUMN provider_id TEXT"
	"  CHECK (provider_id IS NULL OR length(provider_id) BETWEEN 1 AND 250);"
	"ALTER TABLE outreach_attempts ADD COLUMN receipt TEXT " NOCTL("receipt") ";"
	"ALTER TABLE outreach_attempts ADD COLUMN receipt_at INTEGER;"
	"CREATE UNIQUE INDEX outreach_attempts_msgid ON outreach_attempts(msgid) WHERE msgid IS NOT NULL;"
	"CREATE INDEX outreach_attempts_provider ON outreach_attempts(provider_id) WHERE provider_id IS NOT NULL;";

/* The columns read_contact and read_oattempt read, in their order. */
#define CONTACT_COLS \
	"SELECT p.patient_id, c.email, c.mobile, c.channel, c.consent, c.consent_date, c.consent_by, c.consent_how," \
	" c.email_bad, c.mobile_bad, c.updated_at FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk "
#define OATTEMPT_COLS \
	"SELECT message_id, n, channel, at, result, reply, coalesce(next_try, 0), msgid, provider_id, receipt," \
	" coalesce(receipt_at, 0) FROM outreach_attempts "

const char *const store_omsg_state_names[OM__COUNT] = { "queued", "sending", "sent", "failed", "unknown",
                                                        "cancelled" };
const char *const store_oresult_names[OR__COUNT] = { "sending", "accepted", "temporary_failure",
                                                     "permanent_failure", "bounced", "unknown" };
const char *const store_otask_kind_names[OT__COUNT] = { "followup_unanswered", "contact_fix" };

#define STMT(st, sql, err)                          \
	sqlite3_stmt *s = store_stmt((st), (sql), (err)); \
	if (!s)                                         \
		return (err) ? (err)->code : PROLO_EDB

static enum prolo_code done(struct store *st, sqlite3_stmt *s, const char *what, struct prolo_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, what, err);
}

/* done, for a statement that must change message id: else none
 * (PROLO_ENOTFOUND: there is none; PROLO_ECONFLICT: it is no longer as
 * the statement required), field id. */
static enum prolo_code done_one(struct store *st, sqlite3_stmt *s, const char *what, enum prolo_code none,
                                int64_t id, struct prolo_err *err)
{
	enum prolo_code rc = done(st, s, what, err);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return none == PROLO_ECONFLICT
		       ? prolo_err_set(err, none, "id", "message %lld was taken by another run", (long long)id)
		       : prolo_err_set(err, none, "id", "no message %lld", (long long)id);
	return rc;
}

/* Steps s for at most one row, read by rd into out, and resets it.
 * PROLO_ENOTFOUND (err untouched: the caller says what is missing) when
 * there is none, the store's code on an error. */
static enum prolo_code one_row(struct store *st, sqlite3_stmt *s, void (*rd)(sqlite3_stmt *s, void *out), void *out,
                               const char *what, struct prolo_err *err)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rd(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PROLO_OK : rc == SQLITE_DONE ? PROLO_ENOTFOUND : store_sqlite_err(st, rc, what, err);
}

/* Steps s to its end, each row handed to one (which reads it and calls
 * the caller's function), until one returns an error; resets s. */
static enum prolo_code each_row(struct store *st, sqlite3_stmt *s,
                                enum prolo_code (*one)(sqlite3_stmt *s, void *ctx, struct prolo_err *err), void *ctx,
                                const char *what, struct prolo_err *err)
{
	int rc = SQLITE_DONE;
	enum prolo_code out = PROLO_OK;
	while (!out && (rc = sqlite3_step(s)) == SQLITE_ROW)
		out = one(s, ctx, err);
	sqlite3_reset(s);
	if (!out && rc != SQLITE_DONE && rc != SQLITE_ROW)
		out = store_sqlite_err(st, rc, what, err);
	return out;
}

static void col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

static int32_t col_date(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	int32_t d;
	return t && dom_date_parse(t, strlen(t), &d) ? d : DOM_DATE_NONE;
}

static void bind_date(sqlite3_stmt *s, int i, int32_t d)
{
	if (d == DOM_DATE_NONE) {
		sqlite3_bind_null(s, i);
		return;
	}
	char b[11];
	dom_date_format(d, b);
	sqlite3_bind_text(s, i, b, -1, SQLITE_TRANSIENT);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int name_of(const char *const *names, int n, const char *v)
{
	return v ? dom_lookup(names, n, v, strlen(v)) : -1;
}

/* ---- contacts ----------------------------------------------------------- */

enum prolo_code store_contact_put(struct store *st, const struct store_contact *c, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO patient_contacts(patient_pk, email, mobile, channel, consent,"
		" consent_date, consent_by, consent_how, email_bad, mobile_bad, updated_at)"
		" SELECT pk, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM patients WHERE patient_id = ?";
	enum prolo_code rc = store_execf(st, sql, "writing a contact", err, "oottdooiiIt", c->email, c->mobile,
	                                 contact_channel_names[c->channel], contact_consent_names[c->consent],
	                                 c->consent_date, c->consent_by, c->consent_how, (int)c->email_bad,
	                                 (int)c->mobile_bad, (int64_t)c->updated_at, c->patient_id);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "patient_id", "no patient '%s'", c->patient_id);
	return rc;
}

static void read_contact(sqlite3_stmt *s, void *p)
{
	struct store_contact *out = p;
	memset(out, 0, sizeof *out);
	col(s, 0, out->patient_id, sizeof out->patient_id);
	col(s, 1, out->email, sizeof out->email);
	col(s, 2, out->mobile, sizeof out->mobile);
	out->channel = name_of(contact_channel_names, CH__COUNT, (const char *)sqlite3_column_text(s, 3));
	out->consent = name_of(contact_consent_names, CONSENT__COUNT, (const char *)sqlite3_column_text(s, 4));
	out->consent_date = col_date(s, 5);
	col(s, 6, out->consent_by, sizeof out->consent_by);
	col(s, 7, out->consent_how, sizeof out->consent_how);
	out->email_bad = sqlite3_column_int(s, 8) != 0;
	out->mobile_bad = sqlite3_column_int(s, 9) != 0;
	out->updated_at = sqlite3_column_int64(s, 10);
	if (out->channel < 0)
		out->channel = CH_NONE;
	if (out->consent < 0)
		out->consent = CONSENT_NONE;
}

enum prolo_code store_contact_get(struct store *st, const char *patient_id, struct store_contact *out,
                                  struct prolo_err *err)
{
	static const char sql[] = CONTACT_COLS "WHERE p.patient_id = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, patient_id, -1, SQLITE_STATIC);
	enum prolo_code rc = one_row(st, s, read_contact, out, "reading a contact", err);
	if (rc == PROLO_ENOTFOUND)
		return prolo_err_set(err, rc, "patient_id", "no contact details for '%s'", patient_id);
	return rc;
}

/* each_row's one for the scans of contacts and attempts: reads the row
 * and hands it to the caller's function. */
struct typed_scan {
	bool attempts;
	union {
		store_contact_fn contact;
		store_oattempt_fn attempt;
	} fn;
	void *ctx;
};
static void read_oattempt(sqlite3_stmt *s, void *p);
static enum prolo_code typed_one(sqlite3_stmt *s, void *p, struct prolo_err *err)
{
	struct typed_scan *t = p;
	union {
		struct store_contact c;
		struct store_oattempt a;
	} row;
	if (!t->attempts) {
		read_contact(s, &row.c);
		return t->fn.contact(t->ctx, &row.c, err);
	}
	read_oattempt(s, &row.a);
	return t->fn.attempt(t->ctx, &row.a, err);
}

enum prolo_code store_contact_scan(struct store *st, store_contact_fn fn, void *ctx, struct prolo_err *err)
{
	/* The patients the export's patients.csv holds: not voided, not merged
	 * into another (whose contacts would otherwise name no patient). */
	static const char sql[] = CONTACT_COLS "WHERE p.voided_at IS NULL AND p.merged_into IS NULL ORDER BY p.patient_id";
	STMT(st, sql, err);
	struct typed_scan t = { .attempts = false, .fn.contact = fn, .ctx = ctx };
	return each_row(st, s, typed_one, &t, "reading contacts", err);
}

/* ---- messages ----------------------------------------------------------- */

enum prolo_code store_omsg_add(struct store *st, struct store_omsg *m, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO outreach_messages(course_pk, point_day, step, due, window_end, instruments,"
		" channel, state, tries, next_try, created_at, created_on)"
		" SELECT pk, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM courses WHERE course_id = ?";
	STMT(st, sql, err);
	store_bindf(s, "iiddIttiIIdt", m->point_day, m->step, m->due, m->window_end, (int64_t)m->instruments,
	            contact_channel_names[m->channel], store_omsg_state_names[m->state], m->tries,
	            (int64_t)m->next_try, (int64_t)m->created_at, m->created_on, m->course_id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT)
		return prolo_err_set(err, PROLO_ECONFLICT, "step", "this step of the time point is already queued");
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, "queueing a message", err);
	if (sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "course_id", "no course '%s'", m->course_id);
	m->id = sqlite3_last_insert_rowid(store_sqlite_db(st));
	return PROLO_OK;
}

#define OMSG_COLS                                                                              \
	"SELECT m.id, c.course_id, p.patient_id, m.point_day, m.step, m.due, m.window_end,"        \
	" m.instruments, m.channel, m.state, m.tries, m.next_try, m.created_at, m.created_on"      \
	" FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk"                           \
	" JOIN patients p ON p.pk = c.patient_pk "

static void read_omsg(sqlite3_stmt *s, void *p)
{
	struct store_omsg *m = p;
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(s, 0);
	col(s, 1, m->course_id, sizeof m->course_id);
	col(s, 2, m->patient_id, sizeof m->patient_id);
	m->point_day = sqlite3_column_int(s, 3);
	m->step = sqlite3_column_int(s, 4);
	m->due = col_date(s, 5);
	m->window_end = col_date(s, 6);
	m->instruments = (uint32_t)sqlite3_column_int64(s, 7);
	m->channel = name_of(contact_channel_names, CH__COUNT, (const char *)sqlite3_column_text(s, 8));
	m->state = name_of(store_omsg_state_names, OM__COUNT, (const char *)sqlite3_column_text(s, 9));
	m->tries = sqlite3_column_int(s, 10);
	m->next_try = sqlite3_column_int64(s, 11);
	m->created_at = sqlite3_column_int64(s, 12);
	m->created_on = col_date(s, 13);
}

enum prolo_code store_omsg_get(struct store *st, int64_t id, struct store_omsg *out, struct prolo_err *err)
{
	static const char sql[] = OMSG_COLS "WHERE m.id = ?";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, id);
	enum prolo_code rc = one_row(st, s, read_omsg, out, "reading a message", err);
	if (rc == PROLO_ENOTFOUND)
		return prolo_err_set(err, rc, "id", "no message %lld", (long long)id);
	return rc;
}

enum prolo_code store_omsg_set(struct store *st, int64_t id, int state, int tries, int64_t next_try,
                               struct prolo_err *err)
{
	static const char sql[] = "UPDATE outreach_messages SET state = ?, tries = ?, next_try = ? WHERE id = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, store_omsg_state_names[state], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, tries);
	sqlite3_bind_int64(s, 3, next_try);
	sqlite3_bind_int64(s, 4, id);
	return done_one(st, s, "updating a message", PROLO_ENOTFOUND, id, err);
}

enum prolo_code store_omsg_scan(struct store *st, const struct store_omsg_filter *f, store_omsg_fn fn,
                                void *ctx, struct prolo_err *err)
{
	static const char sql[] = OMSG_COLS
		"WHERE (?1 IS NULL OR c.course_id = ?1) AND (?2 IS NULL OR m.state = ?2)"
		" AND (?3 = 0 OR m.next_try <= ?3) AND (?5 = 0 OR m.state IN ('failed', 'unknown')) ORDER BY m.id LIMIT ?4";
	/* Rows are collected first: fn may write (and so reuse statements). */
	STMT(st, sql, err);
	if (f->course_id)
		sqlite3_bind_text(s, 1, f->course_id, -1, SQLITE_STATIC);
	if (f->state >= 0 && f->state < OM__COUNT)
		sqlite3_bind_text(s, 2, store_omsg_state_names[f->state], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, f->ready_at);
	sqlite3_bind_int64(s, 4, f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int(s, 5, f->undelivered ? 1 : 0);
	struct store_omsg *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	enum prolo_code out = PROLO_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct store_omsg *g = realloc(rows, nc * sizeof *g);
			if (!g) {
				out = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
				break;
			}
			rows = g;
			cap = nc;
		}
		read_omsg(s, &rows[n++]);
	}
	sqlite3_reset(s);
	if (!out && rc != SQLITE_DONE)
		out = store_sqlite_err(st, rc, "reading messages", err);
	for (size_t i = 0; !out && i < n; i++)
		out = fn(ctx, &rows[i], err);
	free(rows);
	return out;
}

/* ---- attempts ----------------------------------------------------------- */

enum prolo_code store_oattempt_add(struct store *st, const struct store_oattempt *a, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT INTO outreach_attempts(message_id, n, channel, at, result, reply, next_try, optout_hash, msgid)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, a->message_id);
	sqlite3_bind_int(s, 2, a->n);
	sqlite3_bind_text(s, 3, contact_channel_names[a->channel], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, a->at);
	sqlite3_bind_text(s, 5, store_oresult_names[a->result], -1, SQLITE_STATIC);
	bind_opt(s, 6, a->reply);
	if (a->next_try)
		sqlite3_bind_int64(s, 7, a->next_try);
	sqlite3_bind_blob(s, 8, a->optout_hash, STORE_HASH_LEN, SQLITE_STATIC);
	bind_opt(s, 9, a->msgid);
	return done(st, s, "recording an attempt", err);
}

enum prolo_code store_oattempt_settle(struct store *st, int64_t message_id, int n, int result,
                                      const char *reply, int64_t next_try, const char *provider_id,
                                      struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE outreach_attempts SET result = ?1, reply = ?2, next_try = ?3,"
		" provider_id = coalesce(?6, provider_id) WHERE message_id = ?4 AND n = ?5";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, store_oresult_names[result], -1, SQLITE_STATIC);
	bind_opt(s, 2, reply);
	if (next_try)
		sqlite3_bind_int64(s, 3, next_try);
	sqlite3_bind_int64(s, 4, message_id);
	sqlite3_bind_int(s, 5, n);
	bind_opt(s, 6, provider_id);
	return done(st, s, "settling an attempt", err);
}

static void read_oattempt(sqlite3_stmt *s, void *p)
{
	struct store_oattempt *a = p;
	memset(a, 0, sizeof *a);
	a->message_id = sqlite3_column_int64(s, 0);
	a->n = sqlite3_column_int(s, 1);
	a->channel = name_of(contact_channel_names, CH__COUNT, (const char *)sqlite3_column_text(s, 2));
	a->at = sqlite3_column_int64(s, 3);
	a->result = name_of(store_oresult_names, OR__COUNT, (const char *)sqlite3_column_text(s, 4));
	a->next_try = sqlite3_column_int64(s, 6);
	a->receipt_at = sqlite3_column_int64(s, 10);
	/* The texts: the reply, the ids and the receipt. */
	const struct { int i; char *dst; size_t n; } texts[] = {
		{ 5, a->reply, sizeof a->reply }, { 7, a->msgid, sizeof a->msgid },
		{ 8, a->provider_id, sizeof a->provider_id }, { 9, a->receipt, sizeof a->receipt },
	};
	for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
		col(s, texts[k].i, texts[k].dst, texts[k].n);
}

enum prolo_code store_oattempt_find(struct store *st, bool by_msgid, const char *ref, struct store_oattempt *out,
                                    struct prolo_err *err)
{
	static const char sql_msgid[] = OATTEMPT_COLS "WHERE msgid = ?";
	static const char sql_provider[] = OATTEMPT_COLS "WHERE provider_id = ? ORDER BY at DESC, message_id DESC LIMIT 1";
	STMT(st, by_msgid ? sql_msgid : sql_provider, err);
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	enum prolo_code rc = one_row(st, s, read_oattempt, out, "reading an attempt", err);
	if (rc == PROLO_ENOTFOUND)
		return prolo_err_set(err, rc, "id", "no message sent by this registry has this id");
	return rc;
}

enum prolo_code store_oattempt_receipt(struct store *st, int64_t message_id, int n, int result,
                                       const char *receipt, int64_t at, struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE outreach_attempts SET result = coalesce(?1, result), receipt = ?2, receipt_at = ?3"
		" WHERE message_id = ?4 AND n = ?5";
	STMT(st, sql, err);
	if (result >= 0 && result < OR__COUNT)
		sqlite3_bind_text(s, 1, store_oresult_names[result], -1, SQLITE_STATIC);
	bind_opt(s, 2, receipt);
	sqlite3_bind_int64(s, 3, at);
	sqlite3_bind_int64(s, 4, message_id);
	sqlite3_bind_int(s, 5, n);
	enum prolo_code rc = done(st, s, "recording a receipt", err);
	if (!rc && sqlite3_changes(store_sqlite_db(st)) == 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no attempt %d of message %lld", n, (long long)message_id);
	return rc;
}

enum prolo_code store_oattempt_scan(struct store *st, int64_t message_id, store_oattempt_fn fn, void *ctx,
                                    struct prolo_err *err)
{
	static const char sql[] = OATTEMPT_COLS "WHERE ?1 = 0 OR message_id = ?1 ORDER BY message_id, n";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, message_id);
	struct typed_scan t = { .attempts = true, .fn.attempt = fn, .ctx = ctx };
	return each_row(st, s, typed_one, &t, "reading attempts", err);
}

enum prolo_code store_oattempt_count_since(struct store *st, int64_t since, int64_t *n, struct prolo_err *err)
{
	static const char sql[] = "SELECT count(*) FROM outreach_attempts WHERE at >= ?";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, since);
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PROLO_OK : store_sqlite_err(st, rc, "counting attempts", err);
}

enum prolo_code store_optout_find(struct store *st, const unsigned char *h, char patient_id[REC_ID_MAX],
                                  struct prolo_err *err)
{
	static const char sql[] =
		"SELECT p.patient_id FROM outreach_attempts a JOIN outreach_messages m ON m.id = a.message_id"
		" JOIN courses c ON c.pk = m.course_pk JOIN patients p ON p.pk = c.patient_pk"
		" WHERE a.optout_hash = ?";
	STMT(st, sql, err);
	sqlite3_bind_blob(s, 1, h, STORE_HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		col(s, 0, patient_id, REC_ID_MAX);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PROLO_OK;
	if (rc == SQLITE_DONE)
		return prolo_err_set(err, PROLO_ENOTFOUND, "token", "no such opt-out link");
	return store_sqlite_err(st, rc, "reading an opt-out link", err);
}

/* ---- tasks -------------------------------------------------------------- */

enum prolo_code store_otask_add(struct store *st, const struct store_otask *t, struct prolo_err *err)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO outreach_tasks(course_pk, kind, point_day, due, detail)"
		" SELECT pk, ?, ?, ?, ? FROM courses WHERE course_id = ?";
	return store_execf(st, sql, "raising a task", err, "tidtt", store_otask_kind_names[t->kind], t->point_day,
	                   t->due, t->detail, t->course_id);
}

enum prolo_code store_otask_scan(struct store *st, const char *clinic, int32_t day, store_otask_fn fn,
                                 void *ctx, struct prolo_err *err)
{
	static const char sql[] =
		"SELECT c.course_id, p.patient_id, p.clinic, t.kind, t.point_day, t.due, t.detail"
		" FROM outreach_tasks t JOIN courses c ON c.pk = t.course_pk JOIN patients p ON p.pk = c.patient_pk"
		" WHERE (?1 IS NULL OR p.clinic = ?1) AND t.due <= ?2 ORDER BY t.due, c.course_id";
	STMT(st, sql, err);
	if (clinic)
		sqlite3_bind_text(s, 1, clinic, -1, SQLITE_STATIC);
	bind_date(s, 2, day);
	int rc;
	enum prolo_code out = PROLO_OK;
	while (!out && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_otask t;
		memset(&t, 0, sizeof t);
		col(s, 0, t.course_id, sizeof t.course_id);
		col(s, 1, t.patient_id, sizeof t.patient_id);
		col(s, 2, t.clinic, sizeof t.clinic);
		t.kind = name_of(store_otask_kind_names, OT__COUNT, (const char *)sqlite3_column_text(s, 3));
		t.point_day = sqlite3_column_int(s, 4);
		t.due = col_date(s, 5);
		col(s, 6, t.detail, sizeof t.detail);
		out = fn(ctx, &t, err);
	}
	sqlite3_reset(s);
	if (!out && rc != SQLITE_DONE)
		out = store_sqlite_err(st, rc, "reading tasks", err);
	return out;
}

/* ---- the lease ---------------------------------------------------------- */

enum prolo_code store_olease_get(struct store *st, struct store_olease *cur, bool *found,
                                 struct prolo_err *err)
{
	static const char sql[] = "SELECT holder, host, pid, since, expires_at FROM outbox_lease WHERE id = 1";
	STMT(st, sql, err);
	memset(cur, 0, sizeof *cur);
	int rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		col(s, 0, cur->holder, sizeof cur->holder);
		col(s, 1, cur->host, sizeof cur->host);
		cur->pid = sqlite3_column_int(s, 2);
		cur->since = sqlite3_column_int64(s, 3);
		cur->expires_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PROLO_OK : store_sqlite_err(st, rc, "reading the outbox lease", err);
}

enum prolo_code store_olease_take(struct store *st, const struct store_olease *l, int64_t now,
                                  const char *stale_holder, bool *got, struct store_olease *cur,
                                  struct prolo_err *err)
{
	/* One statement: SQLite's write lock makes take-or-leave atomic across
	 * processes. */
	static const char sql[] =
		"INSERT INTO outbox_lease(id, holder, host, pid, since, expires_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT(id) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid,"
		" since = CASE WHEN outbox_lease.holder = excluded.holder THEN outbox_lease.since ELSE excluded.since END,"
		" expires_at = excluded.expires_at"
		" WHERE outbox_lease.holder = excluded.holder OR outbox_lease.expires_at <= ?4"
		" OR outbox_lease.holder = ?6";
	enum prolo_code rc;
	{
		STMT(st, sql, err);
		sqlite3_bind_text(s, 1, l->holder, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, l->host, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, l->pid);
		sqlite3_bind_int64(s, 4, now);
		sqlite3_bind_int64(s, 5, l->expires_at);
		bind_opt(s, 6, stale_holder);
		rc = done(st, s, "taking the outbox lease", err);
	}
	bool found = false;
	if (!rc)
		rc = store_olease_get(st, cur, &found, err);
	*got = !rc && found && strcmp(cur->holder, l->holder) == 0;
	return rc;
}

enum prolo_code store_olease_release(struct store *st, const char *holder, struct prolo_err *err)
{
	static const char sql[] = "DELETE FROM outbox_lease WHERE id = 1 AND holder = ?";
	STMT(st, sql, err);
	sqlite3_bind_text(s, 1, holder, -1, SQLITE_STATIC);
	return done(st, s, "giving up the outbox lease", err);
}

enum prolo_code store_omsg_claim(struct store *st, int64_t id, int tries, struct prolo_err *err)
{
	static const char sql[] =
		"UPDATE outreach_messages SET state = 'sending', tries = ?2 + 1 WHERE id = ?1 AND state = 'queued'"
		" AND tries = ?2";
	STMT(st, sql, err);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, tries);
	return done_one(st, s, "claiming a message", PROLO_ECONFLICT, id, err);
}
