/* Questionnaire links: a single-use link for one patient's course and
 * instrument. Only the hash of its token is stored. */
#include "app/app.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "registry/registry.h"
#include "security/audit.h"
#include "security/auth.h"

enum prolo_code app_qlink_add(struct app_ctx *cx, const char *patient_id, const char *course_id,
                              const char *instrument, char token[AUTH_TOKEN_HEX],
                              char id[STORE_QLINK_ID_MAX], int64_t *expires_at, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_QLINKS_ADD, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	int in = instrument ? dom_lookup(dom_instrument_names, INSTR__COUNT, instrument, strlen(instrument)) : -1;
	if (in < 0)
		return prolo_err_set(err, PROLO_EINVAL, "instrument", "unknown instrument");
	struct course c;
	struct patient p;
	if ((rc = app_load_course(cx, CAN_QLINKS_ADD, course_id, &c, &p, err)))
		return rc;
	if (!patient_id || strcmp(c.patient_id, patient_id) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "course_id", "is not a course of patient '%.64s'",
		                     patient_id ? patient_id : "");
	if (dom_status_ended((enum course_status)c.status))
		return prolo_err_set(err, PROLO_ECONFLICT, "course_id", "the course has ended");
	struct store_qlink q;
	memset(&q, 0, sizeof q);
	auth_new_token(token);
	auth_token_hash(token, q.token_hash);
	unsigned char raw[8];
	randombytes_buf(raw, sizeof raw);
	q.id[0] = 'L';
	sodium_bin2hex(q.id + 1, sizeof q.id - 1, raw, sizeof raw);
	snprintf(id, STORE_QLINK_ID_MAX, "%s", q.id);
	snprintf(q.patient_id, sizeof q.patient_id, "%s", c.patient_id);
	snprintf(q.course_id, sizeof q.course_id, "%s", c.course_id);
	q.instrument = in;
	snprintf(q.created_by, sizeof q.created_by, "%s", cx->who.user);
	q.created_at = cx->now;
	q.expires_at = cx->now + (cx->link_ttl_s > 0 ? cx->link_ttl_s : 14 * 86400);
	*expires_at = q.expires_at;
	if ((rc = app_unit_begin(cx, err)))
		goto fail;
	rc = store_qlink_add(cx->st, &q, err);
	if (!rc)
		rc = app_audit(cx, "questionnaire_link.create", "course", c.course_id, dom_instrument_names[in], err);
	if ((rc = app_unit_end(cx, rc, err)))
		goto fail;
	return PROLO_OK;
fail:
	sodium_memzero(token, AUTH_TOKEN_HEX);
	return rc;
}

/* PROLO_OK when q is live; else PROLO_ECONFLICT with *gone. */
static enum prolo_code check_live(struct app_ctx *cx, const struct store_qlink *q, bool *gone,
                                  struct prolo_err *err)
{
	*gone = false;
	const char *why = NULL;
	if (q->used_at)
		why = "this questionnaire has already been answered";
	else if (q->revoked_at)
		why = "this questionnaire link was withdrawn";
	else if (q->expires_at <= cx->now)
		why = "this questionnaire link has expired";
	if (!why) {
		struct course c;
		rec_init(REC_COURSE, &c);
		snprintf(c.course_id, sizeof c.course_id, "%s", q->course_id);
		enum prolo_code rc = store_get(cx->st, REC_COURSE, &c, err);
		if (rc && rc != PROLO_ENOTFOUND)
			return rc;
		/* A link sent during the course ends with it (ending revokes its
		 * open links; this also covers links from before revocation).
		 * Follow-up links, sent after the end, live on: the follow-up of a
		 * course continues whatever its ending (docs/followup.md). */
		if (rc || (dom_status_ended((enum course_status)c.status) && c.end_date != DOM_DATE_NONE &&
		           q->created_at / 86400 <= c.end_date))
			why = "this course of treatment has ended";
	}
	if (!why)
		return PROLO_OK;
	*gone = true;
	return prolo_err_set(err, PROLO_ECONFLICT, "token", "%s", why);
}

enum prolo_code app_qlink_find(struct app_ctx *cx, const char *token, struct store_qlink *q, bool *gone,
                               struct prolo_err *err)
{
	*gone = false;
	if (!token || strlen(token) != AUTH_TOKEN_HEX - 1)
		return prolo_err_set(err, PROLO_ENOTFOUND, "token", "no such questionnaire link");
	unsigned char h[STORE_HASH_LEN];
	auth_token_hash(token, h);
	enum prolo_code rc = store_qlink_get(cx->st, h, q, err);
	return rc ? rc : check_live(cx, q, gone, err);
}

enum prolo_code app_qlink_answer(struct app_ctx *cx, const struct store_qlink *q, struct outcome *o,
                                 bool *gone, struct prolo_err *err)
{
	*gone = false;
	o->date = cx->today;
	o->source = OSRC_PATIENT; /* kept beside a staff record of the same day */
	enum prolo_code rc = app_unit_begin(cx, err);
	if (rc)
		return rc;
	/* Live now, inside the unit: not answered, revoked, expired or ended
	 * since the adapter found it. */
	struct store_qlink now;
	rc = store_qlink_get(cx->st, q->token_hash, &now, err);
	if (!rc)
		rc = check_live(cx, &now, gone, err);
	if (!rc)
		rc = store_qlink_use(cx->st, q->token_hash, cx->now, err);
	if (!rc)
		rc = registry_add(cx->st, REC_OUTCOME, o, REG_INTERACTIVE, err);
	if (!rc) {
		struct store_audit e;
		audit_row(&e, "questionnaire", "questionnaire.answer", "", cx->who.addr, q->course_id);
		rc = cx->audit.write(cx->audit.ctx, &e, err);
	}
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_qlink_revoke(struct app_ctx *cx, const char *token, const char *id,
                                 struct store_qlink *q, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_QLINKS_REVOKE, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!token == !id)
		return prolo_err_set(err, PROLO_EINVAL, "token", "give the link's token or its id (one of them)");
	if (token) {
		const char *t = strncmp(token, "/q/", 3) == 0 ? token + 3 : token;
		if (strlen(t) != AUTH_TOKEN_HEX - 1)
			return prolo_err_set(err, PROLO_ENOTFOUND, "token", "no such questionnaire link");
		unsigned char h[STORE_HASH_LEN];
		auth_token_hash(t, h);
		rc = store_qlink_get(cx->st, h, q, err);
	} else {
		if (strlen(id) >= STORE_QLINK_ID_MAX)
			return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no such questionnaire link");
		rc = store_qlink_get_by_id(cx->st, id, q, err);
	}
	if (rc)
		return rc;
	/* Another clinic's link is answered as a link that is not there (its
	 * course is not named), with the denied row. */
	struct course c;
	struct patient p;
	rec_init(REC_COURSE, &c);
	rec_init(REC_PATIENT, &p);
	snprintf(c.course_id, sizeof c.course_id, "%s", q->course_id);
	if ((rc = store_get(cx->st, REC_COURSE, &c, err)))
		return rc;
	snprintf(p.patient_id, sizeof p.patient_id, "%s", c.patient_id);
	if ((rc = store_get(cx->st, REC_PATIENT, &p, err)))
		return rc;
	if (app_permit(cx, CAN_QLINKS_REVOKE, "patient", p.patient_id, p.clinic, err))
		return prolo_err_set(err, PROLO_ENOTFOUND, token ? "token" : "id", "no such questionnaire link");
	if (q->used_at)
		return prolo_err_set(err, PROLO_ECONFLICT, token ? "token" : "id", "this link has been answered");
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_qlink_revoke(cx->st, q->token_hash, cx->now, err);
	if (!rc)
		rc = app_audit(cx, "questionnaire_link.revoke", "course", q->course_id, q->id, err);
	if (!rc)
		q->revoked_at = cx->now;
	return app_unit_end(cx, rc, err);
}
