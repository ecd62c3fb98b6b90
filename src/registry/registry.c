/* Recording use cases: validate, score, insert, and the small state changes
 * that follow (a planned course becomes active at its first session). */
#include "registry/registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/instruments.h"

static enum prolo_code prepare_outcome(struct outcome *o, struct prolo_err *err)
{
	const struct instr_info *info = instr_info((enum instrument)o->instrument);
	if (o->source < 0)
		o->source = OSRC_STAFF; /* recorded by the clinic unless said otherwise */
	if (o->items[0]) {
		int items[INSTR_MAX_ITEMS];
		size_t n = 0;
		struct instr_score sc;
		enum prolo_code rc = instr_parse_items((enum instrument)o->instrument, o->items,
		                                       strlen(o->items), items, INSTR_MAX_ITEMS, &n, err);
		if (!rc)
			rc = instr_score((enum instrument)o->instrument, items, n, &sc, err);
		if (rc) {
			/* Point at the column, keep the item in the message. */
			if (err && strcmp(err->field, "items") != 0) {
				char msg[sizeof err->msg];
				snprintf(msg, sizeof msg, "%s: %s", err->field, err->msg);
				prolo_err_set(err, rc, "items", "%s", msg);
			}
			return rc;
		}
		if (!isnan(o->score) && !(fabs(o->score - sc.total) <= 1e-9 * fmax(1.0, fabs(sc.total))))
			return prolo_err_set(err, PROLO_EINVAL, "score",
			                     "%.10g does not match the item answers (they score %.10g)",
			                     o->score, sc.total);
		o->score = sc.total;
		return instr_format_items(items, n, o->items, sizeof o->items, err);
	}
	if (isnan(o->score))
		return prolo_err_set(err, PROLO_EINVAL, "score", "is required when no item answers are given");
	if (o->score < info->score_min || o->score > info->score_max)
		return prolo_err_set(err, PROLO_EINVAL, "score", "%.10g is out of range for %s (%g..%g)",
		                     o->score, info->name, info->score_min, info->score_max);
	if (info->n_items == 1 && o->score != floor(o->score))
		return prolo_err_set(err, PROLO_EINVAL, "score", "%.10g: %s is a whole number", o->score,
		                     info->name);
	return PROLO_OK;
}

enum prolo_code registry_prepare(enum rec_kind kind, void *rec, struct prolo_err *err)
{
	enum prolo_code rc = rec_check(kind, rec, err);
	if (rc)
		return rc;
	if (kind == REC_OUTCOME)
		return prepare_outcome(rec, err);
	return PROLO_OK;
}

/* Before a session is recorded interactively: its course must not have
 * ended. *was_planned tells whether the session will make it active. */
static enum prolo_code check_course_open(struct store *st, const char *course_id, bool *was_planned,
                                         struct prolo_err *err)
{
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "%s", course_id);
	enum prolo_code rc = store_get(st, REC_COURSE, &c, err);
	if (rc)
		return rc;
	if (dom_status_ended((enum course_status)c.status))
		return prolo_err_set(err, PROLO_ECONFLICT, "course_id",
		                     "course '%s' has ended (%s); sessions cannot be added",
		                     course_id, dom_status_names[c.status]);
	*was_planned = c.status == CS_PLANNED;
	return PROLO_OK;
}

enum prolo_code registry_add(struct store *st, enum rec_kind kind, void *rec, int flags,
                             struct prolo_err *err)
{
	enum prolo_code rc = registry_prepare(kind, rec, err);
	if (rc)
		return rc;
	bool was_planned = false;
	if (kind == REC_SESSION && (flags & REG_INTERACTIVE)) {
		rc = check_course_open(st, ((struct session *)rec)->course_id, &was_planned, err);
		if (rc)
			return rc;
	}
	rc = store_insert(st, kind, rec, err);
	if (rc)
		return rc;
	if (!(flags & REG_INTERACTIVE))
		return PROLO_OK;
	if (kind == REC_SESSION && was_planned) {
		/* The first session turns a planned course active. */
		const char *id = ((struct session *)rec)->course_id;
		rc = store_course_set_status(st, id, CS_ACTIVE, err);
		if (!rc)
			rc = store_course_history_add(st, id, "active", "first session recorded", err);
		return rc;
	}
	if (kind == REC_COURSE) {
		const struct course *c = rec;
		char detail[256];
		char d[11];
		dom_date_format(c->start_date, d);
		snprintf(detail, sizeof detail, "%s for %s, %d sessions from %s%s%s",
		         dom_modality_names[c->modality], c->condition, c->planned_sessions, d,
		         c->protocol[0] ? ", protocol " : "", c->protocol);
		rc = store_course_history_add(st, c->course_id, "planned", detail, err);
		if (!rc && c->override_reason[0]) {
			char ov[REC_TEXT_MAX + REC_NAME_MAX + 8];
			snprintf(ov, sizeof ov, "%s: %s", c->override_by, c->override_reason);
			rc = store_course_history_add(st, c->course_id, "override", ov, err);
		}
		return rc;
	}
	return PROLO_OK;
}

enum prolo_code registry_session_add(struct store *st, struct session *s, struct injection *inj,
                                     size_t n_inj, int flags, struct prolo_err *err)
{
	enum prolo_code rc = registry_add(st, REC_SESSION, s, flags, err);
	for (size_t i = 0; i < n_inj && !rc; i++) {
		snprintf(inj[i].course_id, sizeof inj[i].course_id, "%s", s->course_id);
		inj[i].session_no = s->session_no;
		if (inj[i].seq == REC_INT_NONE)
			inj[i].seq = (int32_t)(i + 1);
		rc = registry_add(st, REC_INJECTION, &inj[i], flags, err);
		if (rc && err) {
			char msg[sizeof err->msg];
			snprintf(msg, sizeof msg, "injection %zu: %s", i + 1, err->msg);
			snprintf(err->msg, sizeof err->msg, "%s", msg);
		}
	}
	return rc;
}
