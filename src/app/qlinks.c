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
                              const char *instrument, char token[AUTH_TOKEN_HEX], int64_t *expires_at,
                              struct prolo_err *err)
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

enum prolo_code app_qlink_answer(struct app_ctx *cx, const struct store_qlink *q, struct outcome *o,
                                 struct prolo_err *err)
{
	o->date = cx->today;
	enum prolo_code rc = app_unit_begin(cx, err);
	if (rc)
		return rc;
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
