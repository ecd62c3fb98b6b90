/* The morning list: computing it for a clinic and acknowledging an alert.
 * The rules themselves are pure (registry/alerts.h); here are the
 * permission, the clinic scoping and the audit. */
#include "app/app.h"

#include <stdio.h>
#include <string.h>

#include "app/app_frontdesk.h"
#include "core/domain.h"
#include "store/store_alerts.h"
#include "store/store_calls.h"
#include "store/store_outreach.h"

/* Users bound to a clinic see their clinic's; others what they ask for. */
static const char *scoped_clinic(const struct app_ctx *cx, const char *asked)
{
	return cx->who.clinic[0] && cx->who.role != ROLE_ADMIN ? cx->who.clinic : asked;
}

enum prolo_code app_alerts_list(struct app_ctx *cx, int32_t day, const char *clinic,
                                struct alert_list *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	clinic = scoped_clinic(cx, clinic);
	enum prolo_code rc = app_permit(cx, CAN_ALERTS_LIST, NULL, NULL, clinic, err);
	if (rc)
		return rc;
	rc = alerts_compute(cx->st, day == DOM_DATE_NONE ? cx->today : day, clinic, cx->protocols, out, err);
	if (rc)
		return rc;
	char detail[64];
	snprintf(detail, sizeof detail, "%zu alerts%s%s", out->n, clinic ? " clinic " : "", clinic ? clinic : "");
	if ((rc = app_audit(cx, "alerts.list", NULL, NULL, detail, err)))
		alert_list_free(out);
	return rc;
}

/* True when key is among the alerts of the course's clinic on day. */
static enum prolo_code alert_raised(struct app_ctx *cx, const char *key, const char *clinic, int32_t day,
                                    bool *raised, struct prolo_err *err)
{
	struct alert_list l;
	*raised = false;
	enum prolo_code rc = alerts_compute(cx->st, day, clinic, cx->protocols, &l, err);
	for (size_t i = 0; !rc && i < l.n && !*raised; i++)
		*raised = strcmp(l.items[i].key, key) == 0;
	alert_list_free(&l);
	return rc;
}

enum prolo_code app_alert_ack(struct app_ctx *cx, const char *key, int32_t day, const char *by,
                              const char *note, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_ALERTS_ACK, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!key || !key[0])
		return prolo_err_set(err, PROLO_EINVAL, "key", "is required");
	if (by && !cx->who.on_behalf && strcmp(by, cx->who.user) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "by", "must be the logged-in user");
	if (!by || !by[0])
		by = cx->who.on_behalf ? NULL : cx->who.user;
	if (!by)
		return prolo_err_set(err, PROLO_EINVAL, "by", "is required (who acknowledges)");
	if (day == DOM_DATE_NONE)
		day = cx->today;
	if (day > cx->today)
		return prolo_err_set(err, PROLO_EINVAL, "today", "is after today: an alert is acknowledged once it is raised");
	/* KIND:YYYY-MM-DD:COURSE_ID: the course decides the clinic. */
	const char *c1 = strchr(key, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || !c2[1])
		return prolo_err_set(err, PROLO_EINVAL, "key", "is not KIND:YYYY-MM-DD:COURSE_ID");
	struct course c;
	struct patient p;
	bool raised;
	if ((rc = app_load_course(cx, CAN_ALERTS_ACK, c2 + 1, &c, &p, err)) ||
	    (rc = app_unit_begin(cx, err)))
		return rc;
	rc = alert_raised(cx, key, p.clinic, day, &raised, err);
	if (!rc && !raised) {
		/* An acknowledged alert is no longer on the list: say so. */
		bool acked = false;
		if (!(rc = store_alert_acked(cx->st, key, &acked, err)))
			rc = acked ? alerts_ack(cx->st, key, by, note, err)
			           : prolo_err_set(err, PROLO_ENOTFOUND, "key", "no such alert on the morning list of this day");
	} else if (!rc) {
		rc = alerts_ack(cx->st, key, by, note, err);
	}
	if (!rc)
		rc = app_audit(cx, "alert.ack", "course", c.course_id, "", err);
	return app_unit_end(cx, rc, err);
}

/* ---- the front desk: snooze, assign, who to call ------------------------ */

const char *app_alert_key_course(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	const char *c1 = n ? memchr(key, ':', n) : NULL;
	int32_t d;
	if (!c1 || dom_lookup(alert_kind_names, ALERT__COUNT, key, (size_t)(c1 - key)) < 0 ||
	    (size_t)(c1 - key) + 13 > n || c1[11] != ':' || !dom_date_parse(c1 + 1, 10, &d) ||
	    !dom_id_valid(c1 + 12, strlen(c1 + 12)))
		return NULL;
	return c1 + 12;
}

/* The steps shared by snooze and assign, after the permission: a well-formed
 * key of an alert raised on today's list of the course's clinic, its
 * current state (or none) in *s. Leaves the unit open on PROLO_OK. */
static enum prolo_code alert_state_begin(struct app_ctx *cx, enum app_action a, const char *key,
                                         struct patient *p, struct store_alert_state *s,
                                         struct prolo_err *err)
{
	enum prolo_code rc;
	const char *cid = key && key[0] ? app_alert_key_course(key) : NULL;
	if (!key || !key[0])
		return prolo_err_set(err, PROLO_EINVAL, "key", "is required");
	if (!cid || strlen(key) >= STORE_KEY_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "key", "is not KIND:YYYY-MM-DD:COURSE_ID");
	struct course c;
	bool raised;
	if ((rc = app_load_course(cx, a, cid, &c, p, err)) || (rc = app_unit_begin(cx, err)))
		return rc;
	rc = alert_raised(cx, key, p->clinic, cx->today, &raised, err);
	if (!rc && !raised)
		rc = prolo_err_set(err, PROLO_ENOTFOUND, "key", "no such alert on today's morning list");
	if (!rc && (rc = store_alert_state_get(cx->st, key, s, err)) == PROLO_ENOTFOUND) {
		memset(s, 0, sizeof *s);
		snprintf(s->key, sizeof s->key, "%s", key);
		snprintf(s->course_id, sizeof s->course_id, "%s", c.course_id);
		s->snoozed_until = DOM_DATE_NONE;
		rc = PROLO_OK;
	}
	if (rc)
		return app_unit_end(cx, rc, err);
	return PROLO_OK;
}

static enum prolo_code alert_state_end(struct app_ctx *cx, const char *action, struct store_alert_state *s,
                                       const char *detail, struct prolo_err *err)
{
	s->updated_at = cx->now;
	enum prolo_code rc = store_alert_state_put(cx->st, s, err);
	if (!rc)
		rc = app_audit(cx, action, "course", s->course_id, detail, err);
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_alert_snooze(struct app_ctx *cx, const char *key, int32_t until, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_ALERTS_SNOOZE, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (until == DOM_DATE_NONE)
		return prolo_err_set(err, PROLO_EINVAL, "until", "is required (YYYY-MM-DD, the day it comes back)");
	if (until <= cx->today)
		return prolo_err_set(err, PROLO_EINVAL, "until", "must be after today");
	if (until > cx->today + 365)
		return prolo_err_set(err, PROLO_EINVAL, "until", "must be within a year");
	struct patient p;
	struct store_alert_state s;
	if ((rc = alert_state_begin(cx, CAN_ALERTS_SNOOZE, key, &p, &s, err)))
		return rc;
	s.snoozed_until = until;
	snprintf(s.snoozed_by, sizeof s.snoozed_by, "%s", cx->who.user);
	char d[11];
	dom_date_format(until, d);
	return alert_state_end(cx, "alert.snooze", &s, d, err);
}

/* May user u take the alerts of clinic? */
static bool may_take(const struct store_user *u, const char *clinic)
{
	return !u->disabled && app_role_may(u->role, CAN_ALERTS_LIST) &&
	       (!u->clinic[0] || strcmp(u->clinic, clinic) == 0);
}

enum prolo_code app_alert_assign(struct app_ctx *cx, const char *key, const char *to, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_ALERTS_ASSIGN, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	if (!to)
		return prolo_err_set(err, PROLO_EINVAL, "to", "is required (a colleague's user name, or \"\" for nobody)");
	if (to[0] && !dom_id_valid(to, strlen(to)))
		return prolo_err_set(err, PROLO_EINVAL, "to", "is not a user name");
	struct patient p;
	struct store_alert_state s;
	if ((rc = alert_state_begin(cx, CAN_ALERTS_ASSIGN, key, &p, &s, err)))
		return rc;
	if (to[0]) {
		struct store_user u;
		rc = store_user_get(cx->st, to, &u, err);
		if (rc == PROLO_ENOTFOUND || (!rc && !may_take(&u, p.clinic)))
			rc = prolo_err_set(err, PROLO_EINVAL, "to", "'%s' is not a colleague who sees this clinic's morning list", to);
		if (rc)
			return app_unit_end(cx, rc, err);
	}
	snprintf(s.assigned_to, sizeof s.assigned_to, "%s", to);
	snprintf(s.assigned_by, sizeof s.assigned_by, "%s", cx->who.user);
	return alert_state_end(cx, "alert.assign", &s, to[0] ? "assigned" : "unassigned", err);
}

struct assignees {
	store_user_fn fn;
	void *ctx;
	const char *clinic; /* NULL: any */
};

static enum prolo_code one_assignee(void *p, const struct store_user *u, struct prolo_err *err)
{
	struct assignees *a = p;
	if (!may_take(u, a->clinic ? a->clinic : u->clinic))
		return PROLO_OK;
	return a->fn(a->ctx, u, err);
}

enum prolo_code app_alert_assignees(struct app_ctx *cx, store_user_fn fn, void *ctx, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_ALERTS_ASSIGN, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct assignees a = { fn, ctx, cx->who.clinic[0] ? cx->who.clinic : NULL };
	return store_user_scan(cx->st, 0, 0, one_assignee, &a, err); /* sessions not counted here */
}

/* Name and phone of the patient an alert says to call. */
static enum prolo_code who_to_call(struct app_ctx *cx, struct alert *a, struct prolo_err *err)
{
	struct app_reach r;
	enum prolo_code rc = app_patient_reach(cx, a->patient_id, &r, err);
	if (rc)
		return rc == PROLO_ENOTFOUND ? PROLO_OK : rc;
	a->call = true;
	snprintf(a->name, sizeof a->name, "%s", r.name);
	snprintf(a->phone, sizeof a->phone, "%s", r.phone);
	return PROLO_OK;
}

enum prolo_code app_alerts_desk(struct app_ctx *cx, int32_t day, const char *clinic, bool with_snoozed,
                                struct alert_list *out, struct prolo_err *err)
{
	enum prolo_code rc = app_alerts_list(cx, day, clinic, out, err);
	if (rc)
		return rc;
	if (day == DOM_DATE_NONE)
		day = cx->today;
	size_t kept = 0;
	for (size_t i = 0; !rc && i < out->n; i++) {
		struct alert *a = &out->items[i];
		struct store_alert_state s;
		rc = store_alert_state_get(cx->st, a->key, &s, err);
		if (rc == PROLO_ENOTFOUND) {
			rc = PROLO_OK;
		} else if (!rc) {
			snprintf(a->assigned_to, sizeof a->assigned_to, "%s", s.assigned_to);
			a->snoozed = s.snoozed_until != DOM_DATE_NONE && s.snoozed_until > day;
			a->snoozed_until = s.snoozed_until;
			if (a->snoozed && !with_snoozed)
				continue;
		}
		if (!rc && alert_says_call(a->kind))
			rc = who_to_call(cx, a, err);
		if (!rc && kept != i)
			out->items[kept] = *a;
		kept++;
	}
	if (rc) {
		alert_list_free(out);
		return rc;
	}
	out->n = kept;
	return PROLO_OK;
}
