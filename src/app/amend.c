/* The record's life: amend a record, void one entered in error, and read
 * its history. A change keeps the previous version (store_history_add)
 * with who, when and why, in the unit of work that makes it. */
#include "app/app.h"
#include "app/app_booking.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/domain.h"
#include "core/rec_json.h"
#include "registry/registry.h"

/* Per kind: the actions and the names of the audit log. */
static const struct {
	enum app_action amend, void_, read;
	const char *name;   /* record_history.kind and the audit's "KIND:" */
} kinds[REC__COUNT] = {
	[REC_PATIENT] = { CAN_PATIENTS_AMEND, CAN_PATIENTS_VOID, CAN_PATIENT_GET, "patient" },
	[REC_COURSE] = { CAN_COURSES_AMEND, CAN_COURSES_VOID, CAN_COURSE_GET, "course" },
	[REC_SESSION] = { CAN_SESSIONS_AMEND, CAN_SESSIONS_VOID, CAN_COURSE_GET, "session" },
	[REC_INJECTION] = { CAN__COUNT, CAN__COUNT, CAN__COUNT, NULL },
	[REC_OUTCOME] = { CAN_OUTCOMES_AMEND, CAN_OUTCOMES_VOID, CAN_COURSE_GET, "outcome" },
	[REC_AE] = { CAN_AES_AMEND, CAN_AES_VOID, CAN_COURSE_GET, "adverse_event" },
};

void app_record_key(enum rec_kind kind, const void *rec, char *out, size_t outsz)
{
	char d[11];
	switch (kind) {
	case REC_PATIENT:
		snprintf(out, outsz, "%s", ((const struct patient *)rec)->patient_id);
		break;
	case REC_COURSE:
		snprintf(out, outsz, "%s", ((const struct course *)rec)->course_id);
		break;
	case REC_SESSION:
		snprintf(out, outsz, "%s/%d", ((const struct session *)rec)->course_id,
		         (int)((const struct session *)rec)->session_no);
		break;
	case REC_OUTCOME: {
		const struct outcome *o = rec;
		dom_date_format(o->date, d);
		snprintf(out, outsz, "%s/%s/%s%s", o->course_id, d,
		         o->instrument >= 0 && o->instrument < INSTR__COUNT ? dom_instrument_names[o->instrument] : "?",
		         o->source == OSRC_PATIENT ? "/patient" : "");
		break;
	}
	case REC_AE:
		snprintf(out, outsz, "%s/%d", ((const struct adverse_event *)rec)->course_id,
		         (int)((const struct adverse_event *)rec)->seq);
		break;
	default:
		snprintf(out, outsz, "?");
		break;
	}
}

enum prolo_code app_not_future(const struct app_ctx *cx, enum rec_kind kind, const void *rec,
                               struct prolo_err *err)
{
	int32_t d = DOM_DATE_NONE;
	const char *field = "date";
	switch (kind) {
	case REC_SESSION:
		d = ((const struct session *)rec)->date;
		break;
	case REC_OUTCOME:
		d = ((const struct outcome *)rec)->date;
		break;
	case REC_AE:
		d = ((const struct adverse_event *)rec)->date;
		break;
	case REC_COURSE:
		d = ((const struct course *)rec)->end_date;
		field = "end_date";
		break;
	default:
		break;
	}
	if (d == DOM_DATE_NONE || d <= cx->today)
		return PROLO_OK;
	char ds[11], ts[11];
	dom_date_format(d, ds);
	dom_date_format(cx->today, ts);
	return prolo_err_set(err, PROLO_EINVAL, field, "%s is after today (%s): record what has happened", ds, ts);
}

static void iso_now(const struct app_ctx *cx, char out[32])
{
	time_t t = (time_t)cx->now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static enum prolo_code check_reason(const char *reason, struct prolo_err *err)
{
	if (!reason || !reason[0])
		return prolo_err_set(err, PROLO_EINVAL, "reason", "is required: say why the record is changed");
	size_t n = strlen(reason);
	if (n >= REC_TEXT_MAX || !dom_utf8_valid(reason, n))
		return prolo_err_set(err, PROLO_EINVAL, "reason", "must be UTF-8 text of at most %d bytes",
		                     REC_TEXT_MAX - 1);
	return PROLO_OK;
}

/* The bytes a field holds in its record. */
static size_t field_bytes(const struct field_def *f)
{
	switch (f->type) {
	case FT_ID:
	case FT_TEXT:
		return f->size;
	case FT_REAL:
		return sizeof(double);
	case FT_FLAGS:
		return sizeof(uint32_t);
	default:
		return sizeof(int32_t);
	}
}

static bool field_equal(const void *a, const void *b, const struct field_def *f)
{
	const char *pa = (const char *)a + f->off, *pb = (const char *)b + f->off;
	if (rec_has(a, f) != rec_has(b, f))
		return false;
	if (!rec_has(a, f))
		return true;
	if (f->type == FT_ID || f->type == FT_TEXT)
		return strcmp(pa, pb) == 0;
	return memcmp(pa, pb, field_bytes(f)) == 0;
}

/* The record a change is about, with the clinic check; *cur is malloc'd. */
static enum prolo_code load_target(struct app_ctx *cx, enum app_action a, enum rec_kind kind, const void *key,
                                   void **cur, struct prolo_err *err)
{
	*cur = NULL;
	struct patient p;
	struct course c;
	enum prolo_code rc;
	if (kind == REC_PATIENT) {
		rc = app_load_patient(cx, a, ((const struct patient *)key)->patient_id, &p, err);
	} else {
		rc = app_load_course(cx, a, kind == REC_COURSE ? ((const struct course *)key)->course_id
		                                               : (const char *)key /* course_id first */, &c, &p, err);
		/* A voided course's records are no longer changed; their history
		 * is still read. */
		if (!rc && kind != REC_COURSE && c.meta.voided && a != kinds[kind].read)
			rc = prolo_err_set(err, PROLO_ECONFLICT, "course_id", "course '%s' was voided", c.course_id);
	}
	if (rc)
		return rc;
	size_t size = rec_tables[kind].size;
	void *r = malloc(size);
	if (!r)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (kind == REC_PATIENT) {
		memcpy(r, &p, size);
	} else if (kind == REC_COURSE) {
		memcpy(r, &c, size);
	} else {
		memcpy(r, key, size);
		if ((rc = store_get(cx->st, kind, r, err))) {
			free(r);
			return rc;
		}
	}
	*cur = r;
	return PROLO_OK;
}

/* Checks that cur may change: live, and at the version asked for. */
static enum prolo_code check_live(enum rec_kind kind, const void *cur, int32_t if_version, void *out,
                                  struct prolo_err *err)
{
	const struct rec_meta *m = rec_meta_get(kind, cur);
	if (m->voided)
		return prolo_err_set(err, PROLO_ECONFLICT, "", "this %s was voided; it cannot be changed",
		                     rec_tables[kind].name);
	if (if_version > 0 && m->version != if_version) {
		if (out)
			memcpy(out, cur, rec_tables[kind].size);
		return prolo_err_set(err, PROLO_ECONFLICT, "version",
		                     "the %s is at version %d now, not %d: someone changed it meanwhile; read it "
		                     "again", rec_tables[kind].name, (int)m->version, (int)if_version);
	}
	return PROLO_OK;
}

/* The record as JSON text for its history; a session with its injections. */
static char *old_json(struct app_ctx *cx, enum rec_kind kind, const void *cur, struct prolo_err *err);

struct inj_collect {
	json_t *arr;
};

static enum prolo_code collect_inj(void *ctx, const void *rec, struct prolo_err *err)
{
	struct inj_collect *ic = ctx;
	if (json_array_append_new(ic->arr, rec_to_json(REC_INJECTION, rec, false, false)))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

static char *old_json(struct app_ctx *cx, enum rec_kind kind, const void *cur, struct prolo_err *err)
{
	json_t *o = rec_to_json(kind, cur, false, false);
	if (o && kind == REC_SESSION) {
		const struct session *s = cur;
		struct inj_collect ic = { json_array() };
		/* Its injections as they are, also those voided with it. */
		struct store_filter f = { .course_id = s->course_id, .session_no = s->session_no, .include_voided = true };
		if (!ic.arr || store_scan(cx->st, REC_INJECTION, &f, collect_inj, &ic, err) ||
		    json_object_set_new(o, "injections", ic.arr)) {
			json_decref(o);
			return NULL;
		}
	}
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text)
		prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return text;
}

/* The audit detail of an amendment: "v2 score:8>3 notes": the names of
 * the fields that changed, with the values of numbers, dates and codes
 * only (never free text, names or contact details). */
static void change_detail(enum rec_kind kind, const void *a, const void *b, int32_t version, bool inj,
                          char *out, size_t outsz)
{
	const struct rec_table *t = &rec_tables[kind];
	size_t used = 0;
	int w = snprintf(out, outsz, "v%d", (int)version);
	used = w > 0 ? (size_t)w : 0;
	struct buf va, vb;
	buf_init(&va, 64);
	buf_init(&vb, 64);
	for (int i = 0; i < t->n_fields && used < outsz; i++) {
		const struct field_def *f = &t->fields[i];
		if (field_equal(a, b, f))
			continue;
		bool plain = f->type == FT_TEXT || f->identifying;
		buf_reset(&va);
		buf_reset(&vb);
		if (!plain && (rec_format(a, f, &va) || rec_format(b, f, &vb)))
			plain = true;
		if (plain || va.len > 24 || vb.len > 24)
			w = snprintf(out + used, outsz - used, " %s", f->name);
		else
			w = snprintf(out + used, outsz - used, " %s:%s>%s", f->name, buf_str(&va), buf_str(&vb));
		used = w > 0 && (size_t)w < outsz - used ? used + (size_t)w : outsz;
	}
	if (inj && used < outsz)
		snprintf(out + used, outsz - used, " injections");
	buf_free(&va);
	buf_free(&vb);
}

static enum prolo_code count_row(void *ctx, const void *rec, struct prolo_err *err)
{
	(void)rec;
	(void)err;
	++*(int64_t *)ctx;
	return PROLO_OK;
}

/* A course's state after one of its sessions was voided: planned again
 * when no live session is left (an ended course keeps its end). */
static enum prolo_code course_state_again(struct app_ctx *cx, const char *course_id, int session_no,
                                          struct prolo_err *err)
{
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "%s", course_id);
	enum prolo_code rc = store_get(cx->st, REC_COURSE, &c, err);
	if (rc || dom_status_ended((enum course_status)c.status))
		return rc;
	int64_t live = 0;
	struct store_filter f = { .course_id = course_id, .limit = 1 };
	if ((rc = store_scan(cx->st, REC_SESSION, &f, count_row, &live, err)))
		return rc;
	int want = live ? CS_ACTIVE : CS_PLANNED;
	if (want == c.status)
		return PROLO_OK;
	char detail[64];
	snprintf(detail, sizeof detail, "session %d voided", session_no);
	rc = store_course_set_status(cx->st, course_id, want, err);
	return rc ? rc : store_course_history_add(cx->st, course_id, dom_status_names[want], detail, err);
}

/* Rules of a course's amendment beyond its fields: planned and active are
 * the course's to compute, an end goes through course end; an ended course
 * may have its end corrected; only a clinician or an admin overrides. */
static enum prolo_code course_amend_rules(struct app_ctx *cx, const struct course *cur, const struct course *nw,
                                          struct prolo_err *err)
{
	bool ended = dom_status_ended((enum course_status)cur->status);
	if (!ended) {
		if (nw->status != cur->status)
			return prolo_err_set(err, PROLO_EINVAL, "status",
			                     "follows the sessions; end the course through course end");
		if (nw->end_date != DOM_DATE_NONE || nw->end_reason[0])
			return prolo_err_set(err, PROLO_EINVAL, nw->end_date != DOM_DATE_NONE ? "end_date" : "end_reason",
			                     "is set when the course ends (course end)");
	} else {
		if (nw->status < 0 || !dom_status_ended((enum course_status)nw->status))
			return prolo_err_set(err, PROLO_EINVAL, "status", "an ended course keeps an end state");
		if (nw->end_date == DOM_DATE_NONE)
			return prolo_err_set(err, PROLO_EINVAL, "end_date", "is required for an ended course");
	}
	bool override_changed = strcmp(cur->override_reason, nw->override_reason) != 0 ||
	                        strcmp(cur->override_by, nw->override_by) != 0;
	if (override_changed && !cx->who.on_behalf && cx->who.role != ROLE_CLINICIAN && cx->who.role != ROLE_ADMIN)
		return prolo_err_set(err, PROLO_EPERM, "override_reason",
		                     "only a clinician or an admin may override a contraindication");
	return PROLO_OK;
}

/* An amended patient that may now be another patient's second
 * registration waits for confirmation, as a registration does
 * (app_patient_dups_new); *dups (may be NULL) gets the matches. */
static enum prolo_code patient_dup_check(struct app_ctx *cx, const struct patient *cur, const struct patient *nw,
                                         struct app_dups *dups, struct prolo_err *err)
{
	static const char *const keys[] = { "first_name", "last_name", "birth_year", "phone", "email", "clinic" };
	bool changed = false;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		changed = changed || !field_equal(cur, nw, rec_field(REC_PATIENT, keys[i], strlen(keys[i])));
	if (cx->confirm || !changed)
		return PROLO_OK;
	struct app_dups local;
	struct app_dups *d = dups ? dups : &local;
	enum prolo_code rc = app_patient_dups_new(cx, cur, nw, d, err);
	if (rc || !d->n)
		return rc;
	return app_dups_confirm(d, "save the change", err);
}

/* The rules every amended record passes, as when it is created. */
static enum prolo_code amend_rules(struct app_ctx *cx, const struct app_change_in *in, const void *cur, void *nw,
                                   struct injection *inj, struct prolo_err *err)
{
	enum rec_kind kind = in->kind;
	enum prolo_code rc = PROLO_OK;
	if (kind == REC_PATIENT && strcmp(((const struct patient *)nw)->clinic, ((const struct patient *)cur)->clinic))
		rc = app_permit(cx, kinds[kind].amend, "patient", ((const struct patient *)nw)->patient_id,
		                ((const struct patient *)nw)->clinic, err);
	if (!rc && kind == REC_COURSE)
		rc = course_amend_rules(cx, cur, nw, err);
	if (!rc)
		rc = registry_prepare(kind, nw, err);
	if (!rc)
		rc = app_not_future(cx, kind, nw, err);
	if (!rc && kind == REC_COURSE) {
		const struct course *c = nw;
		if (c->end_date != DOM_DATE_NONE && c->end_date < c->start_date)
			rc = prolo_err_set(err, PROLO_EINVAL, "end_date", "is before the course's start_date");
	}
	for (size_t i = 0; !rc && in->set_inj && i < in->n_inj; i++) {
		rc = registry_prepare(REC_INJECTION, &inj[i], err);
		if (rc && err) {
			char msg[sizeof err->msg];
			snprintf(msg, sizeof msg, "injection %zu: %s", i + 1, err->msg);
			snprintf(err->msg, sizeof err->msg, "%s", msg);
		}
	}
	return rc;
}

enum prolo_code app_amend(struct app_ctx *cx, const struct app_change_in *in, void *out, struct prolo_err *err)
{
	enum rec_kind kind = in->kind;
	if ((unsigned)kind >= REC__COUNT || !kinds[kind].name)
		return prolo_err_set(err, PROLO_EINVAL, "", "this kind of record is not amended on its own");
	enum prolo_code rc = app_permit(cx, kinds[kind].amend, NULL, NULL, NULL, err);
	if (rc || (rc = check_reason(in->reason, err)))
		return rc;
	if (in->if_version < 0)
		return prolo_err_set(err, PROLO_EINVAL, "version", "must be a positive whole number");
	const struct rec_table *t = &rec_tables[kind];
	bool any = in->set_inj;
	for (int i = 0; i < t->n_fields && i < 64; i++) {
		if (!(in->set >> i & 1))
			continue;
		if (store_field_is_key(kind, t->fields[i].name))
			return prolo_err_set(err, PROLO_EINVAL, t->fields[i].name,
			                     "names the record and cannot be amended; void the record and enter it again");
		any = true;
	}
	if (!any)
		return prolo_err_set(err, PROLO_EINVAL, "", "no field to change");
	if (in->set_inj && kind != REC_SESSION)
		return prolo_err_set(err, PROLO_EINVAL, "injections", "belong to a session");
	void *cur = NULL, *nw = NULL;
	struct injection *inj = NULL;
	char *old = NULL;
	if ((rc = load_target(cx, kinds[kind].amend, kind, in->key, &cur, err)))
		return rc;
	if ((rc = check_live(kind, cur, in->if_version, out, err)))
		goto done;
	nw = malloc(t->size);
	inj = in->n_inj ? calloc(in->n_inj, sizeof *inj) : NULL;
	if (!nw || (in->n_inj && !inj)) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		goto done;
	}
	memcpy(nw, cur, t->size);
	for (int i = 0; i < t->n_fields && i < 64; i++)
		if (in->set >> i & 1) {
			const struct field_def *f = &t->fields[i];
			memcpy((char *)nw + f->off, (const char *)in->patch + f->off, field_bytes(f));
		}
	if (kind == REC_OUTCOME) {
		/* Scored again: new answers give the score, a new score alone
		 * replaces the answers it no longer matches. */
		struct outcome *o = nw;
		const struct field_def *fi = rec_field(REC_OUTCOME, "items", 5);
		const struct field_def *fs = rec_field(REC_OUTCOME, "score", 5);
		bool items = in->set >> (fi - t->fields) & 1, score = in->set >> (fs - t->fields) & 1;
		if (score && !items)
			o->items[0] = '\0';
		else if (items && !score)
			o->score = NAN;
	}
	for (size_t i = 0; i < in->n_inj; i++) {
		inj[i] = in->inj[i];
		snprintf(inj[i].course_id, sizeof inj[i].course_id, "%s", (const char *)cur);
		inj[i].session_no = ((const struct session *)cur)->session_no;
		if (inj[i].seq == REC_INT_NONE)
			inj[i].seq = (int32_t)(i + 1);
	}
	if ((rc = amend_rules(cx, in, cur, nw, inj, err)) ||
	    (kind == REC_OUTCOME && (rc = app_plausible_outcome(cx, nw, err))) ||
	    (kind == REC_SESSION &&
	     (rc = app_plausible_session(cx, nw, in->set_inj ? inj : NULL, in->set_inj ? in->n_inj : 0, err))))
		goto done;
	bool same = !in->set_inj;
	for (int i = 0; same && i < t->n_fields; i++)
		same = field_equal(cur, nw, &t->fields[i]);
	if (same) {
		rc = prolo_err_set(err, PROLO_EINVAL, "", "nothing changes: the record already holds these values");
		goto done;
	}
	if (kind == REC_PATIENT && (rc = patient_dup_check(cx, cur, nw, in->dups, err)))
		goto done;
	char key[2 * REC_ID_MAX + 32], at[32], detail[200];
	app_record_key(kind, cur, key, sizeof key);
	iso_now(cx, at);
	int32_t version = rec_meta_get(kind, cur)->version;
	change_detail(kind, cur, nw, version + 1, in->set_inj, detail, sizeof detail);
	if ((rc = app_unit_begin(cx, err)))
		goto done;
	if (!(old = old_json(cx, kind, cur, err)))
		rc = err ? err->code : PROLO_ENOMEM;
	if (!rc) {
		struct store_history_row h = { kinds[kind].name, key, version, "amend", old, cx->who.user, at,
		                               in->reason };
		rc = store_history_add(cx->st, &h, err);
	}
	if (!rc)
		rc = store_update(cx->st, kind, nw, version, err);
	if (!rc && in->set_inj)
		rc = store_injections_replace(cx->st, nw, inj, in->n_inj, err);
	/* A session moved to another day takes the booking of that day. */
	if (!rc && kind == REC_SESSION)
		rc = app_booking_session_moved(cx, cur, nw, err);
	/* A contraindication recorded later is checked against the open courses. */
	if (!rc && kind == REC_PATIENT)
		rc = app_patient_recheck(cx, nw, ((const struct patient *)cur)->contraindications, NULL, err);
	if (!rc) {
		char action[48];
		snprintf(action, sizeof action, "%s.amend", kinds[kind].name);
		rc = app_audit(cx, action, kinds[kind].name, key, detail, err);
	}
	rc = app_unit_end(cx, rc, err);
	if (!rc && out) {
		rec_meta_of(kind, nw)->version = version + 1;
		memcpy(out, nw, t->size);
	}
done:
	free(old);
	free(inj);
	free(nw);
	free(cur);
	return rc;
}

enum prolo_code app_void(struct app_ctx *cx, const struct app_change_in *in, void *out, struct prolo_err *err)
{
	enum rec_kind kind = in->kind;
	if ((unsigned)kind >= REC__COUNT || !kinds[kind].name)
		return prolo_err_set(err, PROLO_EINVAL, "", "this kind of record is not voided on its own");
	enum prolo_code rc = app_permit(cx, kinds[kind].void_, NULL, NULL, NULL, err);
	if (rc || (rc = check_reason(in->reason, err)))
		return rc;
	if (in->if_version < 0)
		return prolo_err_set(err, PROLO_EINVAL, "version", "must be a positive whole number");
	void *cur = NULL;
	char *old = NULL;
	if ((rc = load_target(cx, kinds[kind].void_, kind, in->key, &cur, err)))
		return rc;
	if ((rc = check_live(kind, cur, in->if_version, out, err)))
		goto done;
	if (kind == REC_PATIENT) {
		int64_t n = 0;
		struct store_filter f = { .patient_id = ((const struct patient *)cur)->patient_id, .limit = 1 };
		if ((rc = store_scan(cx->st, REC_COURSE, &f, count_row, &n, err)))
			goto done;
		if (n) {
			rc = prolo_err_set(err, PROLO_ECONFLICT, "patient_id",
			                   "the patient has courses that are not voided; void them first");
			goto done;
		}
	}
	char key[2 * REC_ID_MAX + 32], at[32];
	app_record_key(kind, cur, key, sizeof key);
	iso_now(cx, at);
	int32_t version = rec_meta_get(kind, cur)->version;
	if ((rc = app_unit_begin(cx, err)))
		goto done;
	if (!(old = old_json(cx, kind, cur, err)))
		rc = err ? err->code : PROLO_ENOMEM;
	if (!rc) {
		struct store_history_row h = { kinds[kind].name, key, version, "void", old, cx->who.user, at,
		                               in->reason };
		rc = store_history_add(cx->st, &h, err);
	}
	/* A voided course's appointments to come are cancelled (before the
	 * void hides them); a voided session's booking is open again. */
	if (!rc && kind == REC_COURSE)
		rc = app_booking_course_closed(cx, ((const struct course *)cur)->course_id, DOM_DATE_NONE, "course voided",
		                               err);
	if (!rc)
		rc = store_void(cx->st, kind, cur, version, at, in->reason, err);
	if (!rc && kind == REC_SESSION)
		rc = course_state_again(cx, (const char *)cur, ((const struct session *)cur)->session_no, err);
	if (!rc && kind == REC_SESSION)
		rc = app_booking_session_voided(cx, cur, err);
	if (!rc) {
		char action[48], detail[32];
		snprintf(action, sizeof action, "%s.void", kinds[kind].name);
		snprintf(detail, sizeof detail, "v%d", (int)version + 1);
		rc = app_audit(cx, action, kinds[kind].name, key, detail, err);
	}
	rc = app_unit_end(cx, rc, err);
	if (!rc && out) {
		struct rec_meta *m = rec_meta_of(kind, cur);
		m->version = version + 1;
		m->voided = true;
		memcpy(out, cur, rec_tables[kind].size);
	}
done:
	free(old);
	free(cur);
	return rc;
}

/* ---- history ------------------------------------------------------------ */

struct hist {
	json_t *arr;
};

static enum prolo_code hist_row(void *ctx, const struct store_history_row *h, struct prolo_err *err)
{
	struct hist *hs = ctx;
	json_t *old = json_loads(h->old, 0, NULL);
	json_t *e = json_pack("{s:i,s:s,s:s,s:s,s:s,s:o}", "version", (int)h->version, "action", h->action, "at",
	                      h->at, "by", h->by, "reason", h->reason, "record", old ? old : json_object());
	if (!e || json_array_append_new(hs->arr, e))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

/* changes: the fields whose values differ between a and b (both records
 * as JSON), with both values (null = none). */
static json_t *diff(const json_t *a, const json_t *b)
{
	json_t *ch = json_array();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v) {
		if (!strcmp(k, "version") || !strcmp(k, "voided"))
			continue;
		json_t *w = json_object_get(b, k);
		if (!w || !json_equal(v, w))
			json_array_append_new(ch, json_pack("{s:s,s:O,s:O}", "field", k, "from", v, "to", w ? w : json_null()));
	}
	json_object_foreach((json_t *)b, k, v) {
		if (!strcmp(k, "version") || !strcmp(k, "voided") || json_object_get(a, k))
			continue;
		json_array_append_new(ch, json_pack("{s:s,s:n,s:O}", "field", k, "from", "to", v));
	}
	return ch;
}

enum prolo_code app_history(struct app_ctx *cx, enum rec_kind kind, const void *key, json_t **out,
                            struct prolo_err *err)
{
	*out = NULL;
	if ((unsigned)kind >= REC__COUNT || !kinds[kind].name)
		return prolo_err_set(err, PROLO_EINVAL, "", "this kind of record has no history of its own");
	enum prolo_code rc = app_permit(cx, kinds[kind].read, NULL, NULL, NULL, err);
	void *cur = NULL;
	char *curtext = NULL;
	if (rc || (rc = load_target(cx, kinds[kind].read, kind, key, &cur, err)))
		return rc;
	char rkey[2 * REC_ID_MAX + 32];
	app_record_key(kind, cur, rkey, sizeof rkey);
	struct hist hs = { json_array() };
	if (!hs.arr || !(curtext = old_json(cx, kind, cur, err))) {
		rc = err ? err->code : PROLO_ENOMEM;
		goto done;
	}
	if ((rc = store_history_list(cx->st, kinds[kind].name, rkey, hist_row, &hs, err)))
		goto done;
	json_t *now = json_loads(curtext, 0, NULL);
	const struct rec_meta *m = rec_meta_get(kind, cur);
	if (now) {
		json_object_set_new(now, "version", json_integer(m->version));
		if (m->voided)
			json_object_set_new(now, "voided", json_true());
	}
	size_t n = json_array_size(hs.arr);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(hs.arr, i);
		json_t *next = i + 1 < n ? json_object_get(json_array_get(hs.arr, i + 1), "record") : now;
		bool is_void = strcmp(json_string_value(json_object_get(e, "action")), "void") == 0;
		json_object_set_new(e, "changes", is_void || !next ? json_array()
		                                                   : diff(json_object_get(e, "record"), next));
	}
	char action[48];
	snprintf(action, sizeof action, "%s.history", kinds[kind].name);
	if (!(rc = app_audit(cx, action, kinds[kind].name, rkey, "", err))) {
		*out = json_pack("{s:o,s:O}", "record", now ? now : json_object(), "history", hs.arr);
		now = NULL;
		if (!*out)
			rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	json_decref(now);
done:
	json_decref(hs.arr);
	free(curtext);
	free(cur);
	return rc;
}
