/* Contact details, consent, the opt-out and a course's follow-up plan
 * (app/app_outreach.h). */
#include "app/app_outreach.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "security/audit.h"
#include "security/auth.h"

static void contact_none(struct store_contact *c, const char *patient_id)
{
	memset(c, 0, sizeof *c);
	snprintf(c->patient_id, sizeof c->patient_id, "%s", patient_id);
	c->channel = CH_NONE;
	c->consent = CONSENT_NONE;
	c->consent_date = DOM_DATE_NONE;
}

bool app_contactable(const struct store_contact *c, bool have, const char **why)
{
	const char *w = NULL;
	if (!have)
		w = "no contact details";
	else if (c->consent == CONSENT_WITHDRAWN)
		w = "consent to be contacted was withdrawn";
	else if (c->consent != CONSENT_GIVEN)
		w = "no consent to be contacted";
	else if (c->channel == CH_NONE)
		w = "preferred channel is none";
	else if (c->channel == CH_SMS && !c->mobile[0])
		w = "no mobile number";
	else if (c->channel == CH_SMS && c->mobile_bad)
		w = "the mobile number was refused by the SMS provider";
	else if (c->channel == CH_SMS)
		w = NULL;
	else if (!c->email[0])
		w = "no e-mail address";
	else if (c->email_bad)
		w = "the e-mail address was refused by the mail server";
	if (why)
		*why = w;
	return w == NULL;
}

enum prolo_code app_contact_get(struct app_ctx *cx, const char *patient_id, struct store_contact *out,
                                struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_CONTACTS_GET, NULL, NULL, NULL, err);
	struct patient p;
	if (rc || (rc = app_load_patient(cx, CAN_CONTACTS_GET, patient_id, &p, err)))
		return rc;
	rc = store_contact_get(cx->st, p.patient_id, out, err);
	if (rc == PROLO_ENOTFOUND) {
		contact_none(out, p.patient_id);
		rc = PROLO_OK;
	}
	return rc ? rc : app_audit(cx, "contact.read", "patient", p.patient_id, "", err);
}

enum prolo_code app_contact_set(struct app_ctx *cx, const struct app_contact_in *in,
                                struct store_contact *out, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_CONTACTS_SET, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	/* Input rules that need no record. */
	if (in->email && in->email[0] && (rc = contact_email_check(in->email, "email", err)))
		return rc;
	if (in->mobile && in->mobile[0] && (rc = contact_mobile_check(in->mobile, "mobile", err)))
		return rc;
	int ch = -1, co = -1;
	if (in->channel && (ch = dom_lookup(contact_channel_names, CH__COUNT, in->channel, strlen(in->channel))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "channel", "must be email, sms or none");
	if (in->consent && (co = dom_lookup(contact_consent_names, CONSENT__COUNT, in->consent, strlen(in->consent))) < 0)
		return prolo_err_set(err, PROLO_EINVAL, "consent", "must be given or withdrawn");
	if (co == CONSENT_NONE)
		return prolo_err_set(err, PROLO_EINVAL, "consent", "must be given or withdrawn");
	if ((rc = contact_text_check(in->consent_by, REC_NAME_MAX, "consent_by", err)) ||
	    (rc = contact_text_check(in->consent_how, REC_NAME_MAX, "consent_how", err)))
		return rc;
	if (co >= 0 && (!in->consent_by || !in->consent_by[0]))
		return prolo_err_set(err, PROLO_EINVAL, "consent_by", "is required with consent (who recorded it)");
	if (co >= 0 && (!in->consent_how || !in->consent_how[0]))
		return prolo_err_set(err, PROLO_EINVAL, "consent_how", "is required with consent (e.g. written, verbal)");
	if (co < 0 && (in->consent_by || in->consent_how || in->consent_date != DOM_DATE_NONE))
		return prolo_err_set(err, PROLO_EINVAL, "consent", "is required with consent_by, consent_how or consent_date");
	if (in->consent_date != DOM_DATE_NONE && in->consent_date > cx->today)
		return prolo_err_set(err, PROLO_EINVAL, "consent_date", "is in the future");
	struct patient p;
	if ((rc = app_load_patient(cx, CAN_CONTACTS_SET, in->patient_id, &p, err)))
		return rc;
	struct store_contact c;
	rc = store_contact_get(cx->st, p.patient_id, &c, err);
	if (rc == PROLO_ENOTFOUND)
		contact_none(&c, p.patient_id);
	else if (rc)
		return rc;
	if (in->email) {
		if (strcmp(c.email, in->email) != 0)
			c.email_bad = false; /* a new address is tried afresh */
		snprintf(c.email, sizeof c.email, "%s", in->email);
	}
	if (in->mobile) {
		if (strcmp(c.mobile, in->mobile) != 0)
			c.mobile_bad = false;
		snprintf(c.mobile, sizeof c.mobile, "%s", in->mobile);
	}
	if (ch >= 0)
		c.channel = ch;
	if (co >= 0) {
		c.consent = co;
		c.consent_date = in->consent_date != DOM_DATE_NONE ? in->consent_date : cx->today;
		snprintf(c.consent_by, sizeof c.consent_by, "%s", in->consent_by);
		snprintf(c.consent_how, sizeof c.consent_how, "%s", in->consent_how);
	}
	/* Rules that need the record: a channel needs its address. */
	if (c.channel == CH_EMAIL && !c.email[0])
		return prolo_err_set(err, PROLO_EINVAL, "email", "is required for the channel email");
	if (c.channel == CH_SMS && !c.mobile[0])
		return prolo_err_set(err, PROLO_EINVAL, "mobile", "is required for the channel sms");
	c.updated_at = cx->now;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_contact_put(cx->st, &c, err);
	if (!rc)
		rc = app_audit(cx, "contact.set", "patient", p.patient_id,
		               co >= 0 ? contact_consent_names[co] : "", err);
	if ((rc = app_unit_end(cx, rc, err)))
		return rc;
	if (out)
		*out = c;
	return PROLO_OK;
}

enum prolo_code app_optout(struct app_ctx *cx, const char *token, struct prolo_err *err)
{
	if (!token || strlen(token) != AUTH_TOKEN_HEX - 1)
		return prolo_err_set(err, PROLO_ENOTFOUND, "token", "no such opt-out link");
	unsigned char h[STORE_HASH_LEN];
	auth_token_hash(token, h);
	char pid[REC_ID_MAX];
	enum prolo_code rc = store_optout_find(cx->st, h, pid, err);
	if (rc)
		return rc;
	struct store_contact c;
	if ((rc = store_contact_get(cx->st, pid, &c, err)))
		return rc;
	if (c.consent == CONSENT_WITHDRAWN)
		return PROLO_OK;
	c.consent = CONSENT_WITHDRAWN;
	c.consent_date = cx->today;
	snprintf(c.consent_by, sizeof c.consent_by, "patient");
	snprintf(c.consent_how, sizeof c.consent_how, "opt-out link");
	c.updated_at = cx->now;
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_contact_put(cx->st, &c, err);
	if (!rc) {
		char record[REC_ID_MAX + 16];
		snprintf(record, sizeof record, "patient:%s", pid);
		struct store_audit e;
		audit_row(&e, "patient", "contact.optout", record, cx->who.addr, "withdrawn");
		rc = cx->audit.write(cx->audit.ctx, &e, err);
	}
	return app_unit_end(cx, rc, err);
}

/* ---- a course's plan ---------------------------------------------------- */

struct steps_ctx {
	const struct fu_point *pt;
	struct fu_sent *s;
};

static enum prolo_code count_steps(void *p, const struct store_omsg *m, struct prolo_err *err)
{
	struct steps_ctx *sc = p;
	if (m->point_day != sc->pt->offset_days)
		return PROLO_OK;
	if (m->step + 1 > sc->s->steps)
		sc->s->steps = m->step + 1;
	if (m->step == 0)
		sc->s->invited_on = m->created_on;
	if (sc->s->last_on == DOM_DATE_NONE || m->created_on > sc->s->last_on)
		sc->s->last_on = m->created_on;
	return PROLO_OK;
}

enum prolo_code app_followup_sent(struct app_ctx *cx, const char *course_id, const struct fu_point *pt,
                                  struct fu_sent *s, struct prolo_err *err)
{
	*s = (struct fu_sent){ 0, DOM_DATE_NONE, DOM_DATE_NONE };
	struct steps_ctx sc = { pt, s };
	struct store_omsg_filter f = { .course_id = course_id, .state = -1 };
	return store_omsg_scan(cx->st, &f, count_steps, &sc, err);
}

enum prolo_code app_followup_points(struct app_ctx *cx, const struct course_rows *r, bool contactable,
                                    struct app_fu_point out[FU_POINTS_MAX], size_t *n, struct prolo_err *err)
{
	*n = 0;
	const struct protocol *proto = cx->protocols && r->protocol && r->protocol[0]
	                                   ? protocol_find(cx->protocols, r->protocol) : NULL;
	struct fu_plan pl;
	followup_plan(proto, r->condition_name, r->start_date, &pl);
	for (size_t i = 0; i < pl.n; i++) {
		struct app_fu_point *o = &out[(*n)++];
		enum prolo_code rc = app_followup_sent(cx, r->course_id, &pl.pts[i], &o->sent, err);
		if (rc)
			return rc;
		o->pt = pl.pts[i];
		o->answered = followup_answered(&pl.pts[i], r->out_date, r->out_instrument, r->n_outcomes);
		o->steps = o->sent.steps;
		o->status = followup_status(&pl.pts[i], o->answered, contactable, &o->sent, cx->today);
	}
	return PROLO_OK;
}

struct one_course {
	const char *course_id;
	app_rows_fn fn;
	void *ctx;
};

static enum prolo_code only_course(void *p, const struct course_rows *r, struct prolo_err *err)
{
	struct one_course *oc = p;
	return strcmp(r->course_id, oc->course_id) == 0 ? oc->fn(oc->ctx, r, err) : PROLO_OK;
}

enum prolo_code app_course_rows(struct app_ctx *cx, const struct course *c, const struct patient *p,
                                app_rows_fn fn, void *ctx, struct prolo_err *err)
{
	struct one_course oc = { c->course_id, fn, ctx };
	struct store_report_filter f = { .clinic = p->clinic, .modality = -1, .from = DOM_DATE_NONE,
	                                 .to = DOM_DATE_NONE, .course_id = c->course_id };
	return store_scan_courses(cx->st, &f, only_course, &oc, err);
}

bool app_patient_contactable(struct app_ctx *cx, const char *patient_id, struct store_contact *sc,
                             const char **why, enum prolo_code *rc, struct prolo_err *err)
{
	*rc = store_contact_get(cx->st, patient_id, sc, err);
	bool have = *rc == PROLO_OK;
	if (*rc == PROLO_ENOTFOUND) {
		contact_none(sc, patient_id);
		*rc = PROLO_OK;
	}
	return app_contactable(sc, have, why);
}

struct show_ctx {
	struct app_ctx *cx;
	bool contactable;
	struct app_fu_point *out;
	size_t *n;
};

static enum prolo_code show_course(void *p, const struct course_rows *r, struct prolo_err *err)
{
	struct show_ctx *sc = p;
	return app_followup_points(sc->cx, r, sc->contactable, sc->out, sc->n, err);
}

enum prolo_code app_followup_begin(struct app_ctx *cx, const char *course_id, struct app_fu_course *fc,
                                   struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_COURSE_GET, NULL, NULL, NULL, err);
	if (rc || (rc = app_load_course(cx, CAN_COURSE_GET, course_id, &fc->c, &fc->p, err)))
		return rc;
	fc->why = NULL;
	fc->contactable = app_patient_contactable(cx, fc->p.patient_id, &fc->sc, &fc->why, &rc, err);
	return rc;
}

enum prolo_code app_followup_show(struct app_ctx *cx, const char *course_id,
                                  struct app_fu_point out[FU_POINTS_MAX], size_t *n,
                                  struct prolo_err *err)
{
	*n = 0;
	struct app_fu_course fc;
	enum prolo_code rc = app_followup_begin(cx, course_id, &fc, err);
	if (rc)
		return rc;
	struct show_ctx shc = { cx, fc.contactable, out, n };
	if ((rc = app_course_rows(cx, &fc.c, &fc.p, show_course, &shc, err)))
		return rc;
	return app_audit(cx, "followup.read", "course", fc.c.course_id, "", err);
}
