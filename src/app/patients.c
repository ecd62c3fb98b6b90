/* A patient's registry life beyond one record: the possible duplicates a
 * registration is checked against, merging two patients registered twice
 * (and undoing it), the warnings a contraindication recorded later raises
 * on the patient's open courses, a clinic's date format and the protocol
 * library as the screens read it. A merge keeps every earlier version
 * (the courses' in their history, the merge itself in patient_merges), so
 * an admin can put everything back. */
#include "app/app.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/domain.h"
#include "core/grow.h"
#include "core/rec_json.h"

/* ---- possible duplicates ------------------------------------------------- */

static enum prolo_code dup_row(void *ctx, const struct store_dup *d, struct prolo_err *err)
{
	(void)err;
	struct app_dups *out = ctx;
	if (out->n < APP_DUPS_MAX)
		out->items[out->n++] = *d;
	return PROLO_OK;
}

/* The possible duplicates of p in clinic (p itself left out); asks: the
 * keys the first one matched. */
static enum prolo_code dups_of(struct app_ctx *cx, const struct patient *p, const char *clinic,
                               struct app_dups *out, struct prolo_err *err)
{
	out->n = 0;
	out->asks = 0;
	enum prolo_code rc = store_patient_dups(cx->st, clinic, p->patient_id, p->first_name, p->last_name,
	                                        p->birth_year, p->phone, p->email, dup_row, out, err);
	if (!rc && out->n)
		out->asks = out->items[0].why;
	return rc;
}

enum prolo_code app_patient_dups(struct app_ctx *cx, const struct patient *p, struct app_dups *out,
                                 struct prolo_err *err)
{
	out->n = 0;
	out->asks = 0;
	const char *clinic = p->clinic[0] ? p->clinic : cx->who.clinic;
	enum prolo_code rc = app_permit(cx, CAN_PATIENTS_ADD, NULL, NULL, clinic[0] ? clinic : NULL, err);
	if (rc || !clinic[0])
		return rc;
	return dups_of(cx, p, clinic, out, err);
}

enum prolo_code app_patient_dups_new(struct app_ctx *cx, const struct patient *old, const struct patient *nw,
                                     struct app_dups *out, struct prolo_err *err)
{
	struct app_dups before;
	enum prolo_code rc = dups_of(cx, nw, nw->clinic, out, err);
	if (rc || !out->n || (rc = dups_of(cx, old, old->clinic, &before, err)))
		return rc;
	/* Keep those that match on a key they did not match on before. */
	size_t k = 0;
	out->asks = 0;
	for (size_t i = 0; i < out->n; i++) {
		unsigned was = 0;
		for (size_t j = 0; j < before.n; j++)
			if (strcmp(before.items[j].patient_id, out->items[i].patient_id) == 0)
				was = before.items[j].why;
		if (!(out->items[i].why & ~was))
			continue;
		if (!k)
			out->asks = out->items[i].why & ~was;
		out->items[k++] = out->items[i];
	}
	out->n = k;
	return PROLO_OK;
}

enum prolo_code app_dups_confirm(const struct app_dups *d, const char *verb, struct prolo_err *err)
{
	unsigned why = d->asks;
	return prolo_err_set(err, PROLO_ECONFIRM,
	                     why & DUP_NAME_YEAR ? "last_name" : why & DUP_PHONE ? "phone" : "email",
	                     "possibly registered already: %zu patient%s of the clinic with the same %s (first: "
	                     "'%s'); %s only with confirmation that this is another person",
	                     d->n, d->n == 1 ? "" : "s",
	                     why & DUP_NAME_YEAR ? "name and birth year" : why & DUP_PHONE ? "phone" : "e-mail",
	                     d->items[0].patient_id, verb);
}

enum prolo_code app_patient_duplicates(struct app_ctx *cx, const char *id, struct patient *p,
                                       struct app_dups *out, struct prolo_err *err)
{
	out->n = 0;
	out->asks = 0;
	enum prolo_code rc = app_permit(cx, CAN_PATIENTS_DUPLICATES, NULL, NULL, NULL, err);
	if (rc || (rc = app_load_patient(cx, CAN_PATIENTS_DUPLICATES, id, p, err)) ||
	    (rc = dups_of(cx, p, p->clinic, out, err)))
		return rc;
	char detail[48];
	snprintf(detail, sizeof detail, "%zu possible duplicates", out->n);
	return app_audit(cx, "patient.duplicates", "patient", p->patient_id, detail, err);
}

json_t *app_dups_json(const struct app_dups *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < d->n; i++) {
		const struct store_dup *x = &d->items[i];
		json_t *why = json_array();
		if (x->why & DUP_NAME_YEAR)
			json_array_append_new(why, json_string("name_birth_year"));
		if (x->why & DUP_PHONE)
			json_array_append_new(why, json_string("phone"));
		if (x->why & DUP_EMAIL)
			json_array_append_new(why, json_string("email"));
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "patient_id", x->patient_id, "clinic", x->clinic,
		                      "first_name", x->first_name, "last_name", x->last_name, "matched", why);
		if (o && x->birth_year != REC_INT_NONE)
			json_object_set_new(o, "birth_year", json_integer(x->birth_year));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* ---- the record as its history keeps it -------------------------------- */

static char *rec_text(enum rec_kind kind, const void *rec)
{
	json_t *o = rec_to_json(kind, rec, false, false);
	char *t = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return t;
}

static void now_iso(const struct app_ctx *cx, char out[32])
{
	time_t t = (time_t)cx->now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Keeps rec's version (kind, key) as amended by the actor for why. */
static enum prolo_code keep_version(struct app_ctx *cx, enum rec_kind kind, const void *rec, const char *why,
                                    struct prolo_err *err)
{
	char key[2 * REC_ID_MAX + 32], at[32];
	app_record_key(kind, rec, key, sizeof key);
	now_iso(cx, at);
	char *old = rec_text(kind, rec);
	if (!old)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct store_history_row h = { kind == REC_PATIENT ? "patient" : "course", key,
	                               rec_meta_get(kind, rec)->version, "amend", old, cx->who.user, at, why };
	enum prolo_code rc = store_history_add(cx->st, &h, err);
	free(old);
	return rc;
}

/* The patient's contraindications become flags (its earlier version kept);
 * new ones are checked against its open courses. */
static enum prolo_code set_flags(struct app_ctx *cx, struct patient *p, uint32_t flags, const char *why,
                                 struct prolo_err *err)
{
	uint32_t old = p->contraindications;
	if (flags == old)
		return PROLO_OK;
	enum prolo_code rc = keep_version(cx, REC_PATIENT, p, why, err);
	struct patient nw = *p;
	nw.contraindications = flags;
	if (!rc)
		rc = store_update(cx->st, REC_PATIENT, &nw, p->meta.version, err);
	if (!rc) {
		nw.meta.version = p->meta.version + 1;
		*p = nw;
		rc = app_patient_recheck(cx, p, old, NULL, err);
	}
	return rc;
}

/* ---- courses of a patient ------------------------------------------------ */

struct courses {
	struct course *items;
	size_t n, cap;
};

static enum prolo_code course_row(void *ctx, const void *rec, struct prolo_err *err)
{
	struct courses *cs = ctx;
	enum prolo_code rc = grow_array(&cs->items, &cs->cap, cs->n + 1, sizeof *cs->items, 8, err);
	if (!rc)
		cs->items[cs->n++] = *(const struct course *)rec;
	return rc;
}

/* The live courses of patient id (a copy: the caller may write). */
static enum prolo_code live_courses(struct app_ctx *cx, const char *id, struct courses *cs, struct prolo_err *err)
{
	memset(cs, 0, sizeof *cs);
	struct store_filter f = { .patient_id = id };
	enum prolo_code rc = store_scan(cx->st, REC_COURSE, &f, course_row, cs, err);
	if (rc) {
		free(cs->items);
		memset(cs, 0, sizeof *cs);
	}
	return rc;
}

/* Moves course c to patient to, keeping its version (why). */
static enum prolo_code move_course(struct app_ctx *cx, const struct course *c, const char *to, const char *why,
                                   struct prolo_err *err)
{
	enum prolo_code rc = keep_version(cx, REC_COURSE, c, why, err);
	return rc ? rc : store_course_move(cx->st, c->course_id, c->meta.version, to, err);
}

static enum prolo_code reason_ok(const char *reason, struct prolo_err *err)
{
	size_t n = reason ? strlen(reason) : 0;
	if (!n)
		return prolo_err_set(err, PROLO_EINVAL, "reason", "is required: say why");
	if (n >= REC_TEXT_MAX || !dom_utf8_valid(reason, n))
		return prolo_err_set(err, PROLO_EINVAL, "reason", "must be UTF-8 text of at most %d bytes",
		                     REC_TEXT_MAX - 1);
	return PROLO_OK;
}

/* ---- merge and undo ------------------------------------------------------- */

enum prolo_code app_patient_merge(struct app_ctx *cx, const char *survivor, const char *merged,
                                  const char *reason, struct store_merge *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	enum prolo_code rc = app_permit(cx, CAN_PATIENTS_MERGE, NULL, NULL, NULL, err);
	if (rc || (rc = reason_ok(reason, err)))
		return rc;
	if (!merged || !merged[0])
		return prolo_err_set(err, PROLO_EINVAL, "merged", "is required: the patient registered twice");
	if (survivor && strcmp(survivor, merged) == 0)
		return prolo_err_set(err, PROLO_EINVAL, "merged", "a patient is not merged into itself");
	struct patient s, m;
	if ((rc = app_load_patient(cx, CAN_PATIENTS_MERGE, survivor, &s, err)) ||
	    (rc = app_load_patient(cx, CAN_PATIENTS_MERGE, merged, &m, err)))
		return rc;
	if (s.meta.voided || m.meta.voided)
		return prolo_err_set(err, PROLO_ECONFLICT, s.meta.voided ? "patient_id" : "merged",
		                     "patient '%s' was voided", s.meta.voided ? s.patient_id : m.patient_id);
	if (strcmp(s.clinic, m.clinic) != 0)
		return prolo_err_set(err, PROLO_ECONFLICT, "merged",
		                     "patients of two clinics are not merged ('%s' is %s's, '%s' is %s's)", s.patient_id,
		                     s.clinic, m.patient_id, m.clinic);
	struct courses cs;
	if ((rc = live_courses(cx, m.patient_id, &cs, err)))
		return rc;
	if (cs.n > STORE_MERGE_COURSES_MAX) {
		free(cs.items);
		return prolo_err_set(err, PROLO_ETOOBIG, "merged", "more than %d courses", STORE_MERGE_COURSES_MAX);
	}
	json_t *ids = json_array();
	for (size_t i = 0; ids && i < cs.n; i++)
		json_array_append_new(ids, json_string(cs.items[i].course_id));
	char *ids_text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
	json_decref(ids);
	if (!ids_text || strlen(ids_text) >= sizeof out->courses) {
		free(ids_text);
		free(cs.items);
		return prolo_err_set(err, PROLO_ETOOBIG, "merged", "too many courses to merge at once");
	}
	snprintf(out->survivor, sizeof out->survivor, "%s", s.patient_id);
	snprintf(out->merged, sizeof out->merged, "%s", m.patient_id);
	snprintf(out->courses, sizeof out->courses, "%s", ids_text);
	free(ids_text);
	out->ci_added = m.contraindications & ~s.contraindications;
	now_iso(cx, out->at);
	snprintf(out->by, sizeof out->by, "%s", cx->who.user);
	snprintf(out->reason, sizeof out->reason, "%s", reason);
	char why[REC_TEXT_MAX + 2 * REC_ID_MAX + 32];
	snprintf(why, sizeof why, "merged: patient %s into %s: %s", m.patient_id, s.patient_id, reason);
	why[REC_TEXT_MAX - 1] = '\0';
	if ((rc = app_unit_begin(cx, err))) {
		free(cs.items);
		return rc;
	}
	/* The contraindications first: the survivor's own open courses are
	 * checked against the ones it takes over (the moved courses were
	 * planned with them). */
	rc = set_flags(cx, &s, s.contraindications | out->ci_added, why, err);
	for (size_t i = 0; !rc && i < cs.n; i++)
		rc = move_course(cx, &cs.items[i], s.patient_id, why, err);
	if (!rc)
		rc = store_merge_add(cx->st, out, err);
	char detail[2 * REC_ID_MAX + 32];
	if (!rc) {
		snprintf(detail, sizeof detail, "into %s, %zu courses", s.patient_id, cs.n);
		rc = app_audit(cx, "patient.merge", "patient", m.patient_id, detail, err);
	}
	if (!rc) {
		snprintf(detail, sizeof detail, "from %s, %zu courses", m.patient_id, cs.n);
		rc = app_audit(cx, "patient.merge", "patient", s.patient_id, detail, err);
	}
	free(cs.items);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_patient_unmerge(struct app_ctx *cx, const char *merged, const char *reason,
                                    struct store_merge *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	enum prolo_code rc = app_permit(cx, CAN_PATIENTS_UNMERGE, NULL, NULL, NULL, err);
	if (rc || (rc = reason_ok(reason, err)))
		return rc;
	if (!merged || !merged[0] || !dom_id_valid(merged, strlen(merged)))
		return prolo_err_set(err, PROLO_EINVAL, "patient_id", "is required");
	struct patient m, s;
	rec_init(REC_PATIENT, &m);
	snprintf(m.patient_id, sizeof m.patient_id, "%s", merged);
	if ((rc = store_get(cx->st, REC_PATIENT, &m, err)))
		return rc == PROLO_ENOTFOUND ? prolo_err_set(err, rc, "patient_id", "no patient '%s'", merged) : rc;
	if ((rc = app_permit_seen(cx, CAN_PATIENTS_UNMERGE, "patient", merged, m.clinic, "patient", merged, err)) ||
	    (rc = store_merge_get(cx->st, merged, out, err)))
		return rc;
	rec_init(REC_PATIENT, &s);
	snprintf(s.patient_id, sizeof s.patient_id, "%s", out->survivor);
	if ((rc = store_get(cx->st, REC_PATIENT, &s, err)))
		return rc;
	json_t *ids = json_loads(out->courses, 0, NULL);
	char why[REC_TEXT_MAX + 2 * REC_ID_MAX + 32];
	snprintf(why, sizeof why, "merge of %s into %s undone: %s", merged, s.patient_id, reason);
	why[REC_TEXT_MAX - 1] = '\0';
	now_iso(cx, out->undone_at);
	snprintf(out->undone_by, sizeof out->undone_by, "%s", cx->who.user);
	snprintf(out->undo_reason, sizeof out->undo_reason, "%s", reason);
	if ((rc = app_unit_begin(cx, err))) {
		json_decref(ids);
		return rc;
	}
	/* The courses the merge moved go back, unless voided or moved since. */
	int back = 0;
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		struct course c;
		rec_init(REC_COURSE, &c);
		snprintf(c.course_id, sizeof c.course_id, "%s", json_string_value(v) ? json_string_value(v) : "");
		if (rc || !c.course_id[0])
			continue;
		rc = store_get(cx->st, REC_COURSE, &c, err);
		if (rc == PROLO_ENOTFOUND) {
			rc = PROLO_OK;
			continue;
		}
		if (!rc && !c.meta.voided && strcmp(c.patient_id, s.patient_id) == 0) {
			rc = move_course(cx, &c, merged, why, err);
			back++;
		}
	}
	json_decref(ids);
	if (!rc)
		rc = store_merge_undo(cx->st, out, err);
	if (!rc && out->ci_added)
		rc = set_flags(cx, &s, s.contraindications & ~out->ci_added, why, err);
	char detail[2 * REC_ID_MAX + 32];
	if (!rc) {
		snprintf(detail, sizeof detail, "from %s, %d courses back", s.patient_id, back);
		rc = app_audit(cx, "patient.unmerge", "patient", merged, detail, err);
	}
	if (!rc) {
		snprintf(detail, sizeof detail, "%s split off, %d courses back", merged, back);
		rc = app_audit(cx, "patient.unmerge", "patient", s.patient_id, detail, err);
	}
	return app_unit_end(cx, rc, err);
}

json_t *app_merge_json(const struct store_merge *m)
{
	json_t *courses = json_loads(m->courses, 0, NULL);
	json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:s}", "id", (json_int_t)m->id, "survivor", m->survivor,
	                      "merged", m->merged, "courses", courses ? courses : json_array(), "at", m->at, "by",
	                      m->by, "reason", m->reason);
	if (o && m->undone_at[0])
		json_object_set_new(o, "undone", json_pack("{s:s,s:s,s:s}", "at", m->undone_at, "by", m->undone_by,
		                                           "reason", m->undo_reason));
	return o;
}

static enum prolo_code merge_json(void *ctx, const struct store_merge *m, struct prolo_err *err)
{
	json_t *o = app_merge_json(m);
	if (!o || json_array_append_new(ctx, o))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

enum prolo_code app_patient_merges(struct app_ctx *cx, const char *id, json_t **out, struct prolo_err *err)
{
	*out = NULL;
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = store_merge_scan(cx->st, id, merge_json, arr, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return PROLO_OK;
}

/* ---- a contraindication recorded later --------------------------------- */

enum prolo_code app_patient_recheck(struct app_ctx *cx, const struct patient *p, uint32_t old, int *n,
                                    struct prolo_err *err)
{
	if (n)
		*n = 0;
	uint32_t added = p->contraindications & ~old;
	if (!added)
		return PROLO_OK;
	struct courses cs;
	enum prolo_code rc = live_courses(cx, p->patient_id, &cs, err);
	struct patient only = *p;
	only.contraindications = added;
	for (size_t i = 0; !rc && i < cs.n; i++) {
		const struct course *c = &cs.items[i];
		if (c->status != CS_PLANNED && c->status != CS_ACTIVE)
			continue;
		struct plan_findings pf;
		memset(&pf, 0, sizeof pf);
		plan_check(&only, c, &pf);
		for (size_t k = 0; !rc && k < pf.n; k++) {
			struct store_course_warning w;
			memset(&w, 0, sizeof w);
			snprintf(w.course_id, sizeof w.course_id, "%s", c->course_id);
			w.raised_on = cx->today;
			snprintf(w.rule, sizeof w.rule, "%s", pf.items[k].rule);
			w.block = pf.items[k].severity == PLAN_BLOCK;
			snprintf(w.message, sizeof w.message, "%s", pf.items[k].message);
			snprintf(w.by, sizeof w.by, "%s", cx->who.user);
			rc = store_course_warning_add(cx->st, &w, err);
			char detail[320];
			snprintf(detail, sizeof detail, "recorded later: %s %s: %s", w.block ? "block" : "warning", w.rule,
			         w.message);
			if (!rc)
				rc = store_course_history_add(cx->st, c->course_id, "contraindication", detail, err);
			if (!rc && n)
				++*n;
		}
	}
	free(cs.items);
	return rc;
}

static enum prolo_code warning_json(void *ctx, const struct store_course_warning *w, struct prolo_err *err)
{
	char d[11];
	dom_date_format(w->raised_on, d);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "raised_on", d, "rule", w->rule, "severity",
	                      w->block ? "block" : "warn", "message", w->message, "by", w->by);
	if (!o || json_array_append_new(ctx, o))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

enum prolo_code app_course_warnings(struct app_ctx *cx, const char *course_id, json_t **out,
                                    struct prolo_err *err)
{
	struct course c;
	struct patient p;
	*out = NULL;
	enum prolo_code rc = app_load_course(cx, CAN_COURSE_GET, course_id, &c, &p, err);
	if (rc)
		return rc;
	*out = json_array();
	if (!*out)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (c.status != CS_PLANNED && c.status != CS_ACTIVE)
		return PROLO_OK; /* an ended course: they no longer apply */
	rc = store_course_warning_scan(cx->st, NULL, c.course_id, DOM_DATE_NONE, warning_json, *out, err);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- a clinic's settings, the protocols ------------------------------- */

enum prolo_code app_clinic_date_format(struct app_ctx *cx, const char *clinic, char out[8], struct prolo_err *err)
{
	snprintf(out, 8, "iso");
	if (!clinic || !clinic[0])
		clinic = cx->who.clinic;
	enum prolo_code rc = app_permit(cx, CAN_SETTINGS_GET, NULL, NULL, clinic[0] ? clinic : NULL, err);
	if (rc || !clinic[0])
		return rc;
	return store_clinic_date_format(cx->st, clinic, out, err);
}

enum prolo_code app_clinic_set_date_format(struct app_ctx *cx, const char *clinic, const char *fmt,
                                           struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_SETTINGS_SET, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!clinic || !clinic[0])
		clinic = cx->who.clinic;
	if (!clinic[0] || !dom_id_valid(clinic, strlen(clinic)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "is required: the clinic whose screens change");
	if (!fmt || (strcmp(fmt, "iso") != 0 && strcmp(fmt, "dmy") != 0 && strcmp(fmt, "mdy") != 0))
		return prolo_err_set(err, PROLO_EINVAL, "date_format",
		                     "is iso (2026-03-02), dmy (02.03.2026) or mdy (03/02/2026)");
	if ((rc = app_permit(cx, CAN_SETTINGS_SET, "clinic", clinic, clinic, err)) || (rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_clinic_set_date_format(cx->st, clinic, fmt, err);
	if (!rc)
		rc = app_audit(cx, "settings.set", "clinic", clinic, fmt, err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_protocols(struct app_ctx *cx, const struct protocol_lib **lib, struct prolo_err *err)
{
	static const struct protocol_lib none = { 0 };
	*lib = &none;
	enum prolo_code rc = app_permit(cx, CAN_PROTOCOLS, NULL, NULL, NULL, err);
	if (!rc && cx->protocols)
		*lib = cx->protocols;
	return rc;
}
