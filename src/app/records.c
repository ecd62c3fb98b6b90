/* Recording use cases: register a patient, plan and end a course, record a
 * session with its injections, an assessment or a side effect. Each checks
 * the permission and the rules, writes in one unit of work, and audits. */
#include "app/app.h"
#include "app/app_booking.h"

#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "registry/registry.h"

/* The audit log's id of a record: "P1", "K1/2", "K1/2025-03-01/NRS". */
static void session_key(const struct session *s, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%d", s->course_id, (int)s->session_no);
}

/* A registration that may repeat one (app_patient_dups) waits for the
 * user's confirmation; the field is the first key that matched. */
static enum prolo_code dup_check(struct app_ctx *cx, const struct patient *p, struct app_dups *dups,
                                 struct prolo_err *err)
{
	if (cx->confirm)
		return PROLO_OK;
	struct app_dups local;
	struct app_dups *d = dups ? dups : &local;
	enum prolo_code rc = app_patient_dups(cx, p, d, err);
	if (rc || !d->n)
		return rc;
	return app_dups_confirm(d, "register", err);
}

enum prolo_code app_patient_add(struct app_ctx *cx, struct patient *p, struct app_dups *dups,
                                struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_PATIENTS_ADD, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!p->clinic[0] && cx->who.clinic[0])
		snprintf(p->clinic, sizeof p->clinic, "%s", cx->who.clinic);
	if ((rc = app_permit(cx, CAN_PATIENTS_ADD, "patient", p->patient_id,
	                     p->clinic[0] ? p->clinic : NULL, err)) ||
	    (rc = app_id_free(cx, CAN_PATIENTS_ADD, REC_PATIENT, p->patient_id, err)))
		return rc;
	if ((rc = dup_check(cx, p, dups, err)))
		return rc;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = registry_add(cx->st, REC_PATIENT, p, REG_INTERACTIVE, err);
	if (!rc)
		rc = app_audit(cx, "patient.create", "patient", p->patient_id, "", err);
	if (!(rc = app_unit_end(cx, rc, err)))
		p->meta.version = 1;
	return rc;
}

/* What a new course may carry beyond its plan: it starts planned or
 * active, ending is app_course_end's, and only a clinician or an admin
 * overrides a block, in their own name (unless the actor records on
 * behalf of named clinicians). */
static enum prolo_code course_create_rules(struct app_ctx *cx, struct course *c, struct prolo_err *err)
{
	if (c->status < 0)
		c->status = CS_PLANNED;
	if (c->status != CS_PLANNED && c->status != CS_ACTIVE)
		return prolo_err_set(err, PROLO_EINVAL, "status",
		                     "a new course is planned or active; end it afterwards (course end)");
	if (c->end_date != DOM_DATE_NONE)
		return prolo_err_set(err, PROLO_EINVAL, "end_date", "is set when the course ends, not on creation");
	if (c->end_reason[0])
		return prolo_err_set(err, PROLO_EINVAL, "end_reason", "is set when the course ends, not on creation");
	if (!c->override_reason[0] && !c->override_by[0])
		return PROLO_OK;
	if (!c->override_reason[0])
		return prolo_err_set(err, PROLO_EINVAL, "override_reason", "is required with override_by");
	if (cx->who.on_behalf) {
		if (!c->override_by[0])
			return prolo_err_set(err, PROLO_EINVAL, "override_by", "is required with override_reason");
		return PROLO_OK;
	}
	if (cx->who.role != ROLE_CLINICIAN && cx->who.role != ROLE_ADMIN)
		return prolo_err_set(err, PROLO_EPERM, "override_reason",
		                     "only a clinician or an admin may override a contraindication");
	if (c->override_by[0] && strcmp(c->override_by, cx->who.user) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "override_by",
		                     "must be the logged-in user (it defaults to them)");
	if (strlen(cx->who.user) >= sizeof c->override_by)
		return prolo_err_set(err, PROLO_EINVAL, "override_by", "the user name is too long");
	snprintf(c->override_by, sizeof c->override_by, "%s", cx->who.user);
	return PROLO_OK;
}

enum prolo_code app_course_add(struct app_ctx *cx, struct course *c, const struct app_course_case *cc,
                               struct plan_findings *pf, struct prolo_err *err)
{
	memset(pf, 0, sizeof *pf);
	enum prolo_code rc = app_permit(cx, CAN_COURSES_ADD, NULL, NULL, NULL, err);
	if (rc || (rc = course_create_rules(cx, c, err)))
		return rc;
	struct patient p;
	if ((rc = app_load_patient(cx, CAN_COURSES_ADD, c->patient_id, &p, err)) ||
	    (rc = app_id_free(cx, CAN_COURSES_ADD, REC_COURSE, c->course_id, err)))
		return rc;
	if (p.meta.voided)
		return prolo_err_set(err, PROLO_ECONFLICT, "patient_id", "patient '%s' was voided", p.patient_id);
	/* A named protocol is filled in by the protocol itself. */
	char name[PROTO_NAME_MAX];
	snprintf(name, sizeof name, "%s", c->protocol);
	c->protocol[0] = '\0';
	struct protocol_case pc = { -1, NULL, cc ? cc->baseline_nrs : -1, cc ? cc->pain_months : -1 };
	const struct protocol_lib *lib = cx->protocols && cx->protocols->n ? cx->protocols : NULL;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = plan_course_case(cx->st, c, name[0] ? name : NULL, lib, &pc, pf, err);
	if (!rc)
		rc = app_audit(cx, "course.create", "course", c->course_id, "", err);
	if (!(rc = app_unit_end(cx, rc, err)))
		c->meta.version = 1;
	return rc;
}

enum prolo_code app_course_end(struct app_ctx *cx, const struct app_course_end_in *in,
                               struct course *out, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_COURSE_END, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!in->status || !in->status[0])
		return prolo_err_set(err, PROLO_EINVAL, "status",
		                     "is required (completed, goal_reached, dropped, stopped_adverse_event, "
		                     "stopped_no_improvement)");
	int st = dom_lookup(dom_status_names, CS__COUNT, in->status, strlen(in->status));
	if (st < 0 || !dom_status_ended((enum course_status)st))
		return prolo_err_set(err, PROLO_EINVAL, "status",
		                     "'%.40s' is not an end state (completed, goal_reached, dropped, "
		                     "stopped_adverse_event, stopped_no_improvement)", in->status);
	if (in->reason && (strlen(in->reason) >= REC_TEXT_MAX || !dom_utf8_valid(in->reason, strlen(in->reason))))
		return prolo_err_set(err, PROLO_EINVAL, "reason", "must be UTF-8 text of at most %d bytes",
		                     REC_TEXT_MAX - 1);
	int32_t day = in->end_date == DOM_DATE_NONE ? cx->today : in->end_date;
	struct patient p;
	if ((rc = app_load_course(cx, CAN_COURSE_END, in->course_id, out, &p, err)))
		return rc;
	if (dom_status_ended((enum course_status)out->status))
		return prolo_err_set(err, PROLO_ECONFLICT, "status", "course '%s' already ended (%s)",
		                     out->course_id, dom_status_names[out->status]);
	if (out->start_date != DOM_DATE_NONE && day < out->start_date)
		return prolo_err_set(err, PROLO_EINVAL, "end_date", "is before the course's start_date");
	if (out->meta.voided)
		return prolo_err_set(err, PROLO_ECONFLICT, "course_id", "course '%s' was voided", out->course_id);
	struct course ending = *out;
	ending.end_date = day;
	if ((rc = app_not_future(cx, REC_COURSE, &ending, err)))
		return rc;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_course_end(cx->st, out->course_id, st, day, in->reason, err);
	if (!rc)
		rc = app_audit(cx, "course.end", "course", out->course_id, dom_status_names[st], err);
	/* An ended course takes no appointments: those to come are cancelled. */
	if (!rc)
		rc = app_booking_course_closed(cx, out->course_id, day, "course ended", err);
	/* An ended course takes no more answers: its open links are revoked. */
	int n_links = 0;
	if (!rc)
		rc = store_qlink_revoke_course(cx->st, out->course_id, cx->now, &n_links, err);
	if (!rc && n_links > 0) {
		char detail[48];
		snprintf(detail, sizeof detail, "course ended, %d links", n_links);
		rc = app_audit(cx, "questionnaire_link.revoke", "course", out->course_id, detail, err);
	}
	if (!rc)
		rc = store_get(cx->st, REC_COURSE, out, err);
	return app_unit_end(cx, rc, err);
}

/* The course a child record belongs to, with the clinic check; a voided
 * course takes no more records. */
static enum prolo_code child_course(struct app_ctx *cx, enum app_action a, const char *course_id,
                                    struct prolo_err *err)
{
	struct course c;
	struct patient p;
	enum prolo_code rc = app_permit(cx, a, NULL, NULL, NULL, err);
	if (!rc)
		rc = app_load_course(cx, a, course_id, &c, &p, err);
	if (!rc && c.meta.voided)
		rc = prolo_err_set(err, PROLO_ECONFLICT, "course_id", "course '%s' was voided", course_id);
	return rc;
}

enum prolo_code app_session_add(struct app_ctx *cx, struct session *s, struct injection *inj,
                                size_t n_inj, struct prolo_err *err)
{
	enum prolo_code rc = child_course(cx, CAN_SESSIONS_ADD, s->course_id, err);
	if (rc || (rc = app_not_future(cx, REC_SESSION, s, err)) ||
	    (rc = app_plausible_session(cx, s, inj, n_inj, err)) || (rc = app_unit_begin(cx, err)))
		return rc;
	if (s->session_no == REC_INT_NONE) {
		int32_t last = 0;
		rc = store_last_session_no(cx->st, s->course_id, &last, err);
		s->session_no = last + 1;
	}
	if (!rc)
		rc = registry_session_add(cx->st, s, inj, n_inj, REG_INTERACTIVE, err);
	if (!rc) /* the booking it keeps, if any, is attended (app/bookings.c) */
		rc = app_booking_session_recorded(cx, s, err);
	if (!rc) {
		char key[2 * REC_ID_MAX], detail[32];
		session_key(s, key, sizeof key);
		snprintf(detail, sizeof detail, "%zu injections", n_inj);
		rc = app_audit(cx, "session.create", "session", key, detail, err);
	}
	if (!(rc = app_unit_end(cx, rc, err)))
		s->meta.version = 1;
	return rc;
}

enum prolo_code app_outcome_add(struct app_ctx *cx, struct outcome *o, struct prolo_err *err)
{
	enum prolo_code rc = child_course(cx, CAN_OUTCOMES_ADD, o->course_id, err);
	if (rc)
		return rc;
	/* The patient's own answers arrive through a questionnaire link
	 * (app_qlink_answer) or an import, never typed in by staff. */
	if (o->source == OSRC_PATIENT)
		return prolo_err_set(err, PROLO_EINVAL, "source", "'patient' marks answers the patient gave through "
		                     "a questionnaire link; answers recorded by the clinic are staff's");
	struct outcome scored = *o; /* scored as it will be stored, for the plausibility rule */
	if ((rc = app_not_future(cx, REC_OUTCOME, o, err)) || (rc = registry_prepare(REC_OUTCOME, &scored, err)) ||
	    (rc = app_plausible_outcome(cx, &scored, err)) || (rc = app_unit_begin(cx, err)))
		return rc;
	rc = registry_add(cx->st, REC_OUTCOME, o, REG_INTERACTIVE, err);
	if (!rc) {
		char key[2 * REC_ID_MAX + 48];
		app_record_key(REC_OUTCOME, o, key, sizeof key);
		rc = app_audit(cx, "outcome.create", "outcome", key, "", err);
	}
	if (!(rc = app_unit_end(cx, rc, err)))
		o->meta.version = 1;
	return rc;
}

enum prolo_code app_ae_add(struct app_ctx *cx, struct adverse_event *a, struct prolo_err *err)
{
	if (a->seq == REC_INT_NONE)
		a->seq = 0; /* the store numbers it */
	enum prolo_code rc = child_course(cx, CAN_AES_ADD, a->course_id, err);
	if (rc || (rc = app_not_future(cx, REC_AE, a, err)) || (rc = app_unit_begin(cx, err)))
		return rc;
	rc = registry_add(cx->st, REC_AE, a, REG_INTERACTIVE, err);
	if (!rc) {
		char key[2 * REC_ID_MAX];
		snprintf(key, sizeof key, "%s/%d", a->course_id, (int)a->seq);
		rc = app_audit(cx, "adverse_event.create", "adverse_event", key, dom_ae_kind_names[a->kind], err);
	}
	if (!(rc = app_unit_end(cx, rc, err)))
		a->meta.version = 1;
	return rc;
}
