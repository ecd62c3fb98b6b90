/* The morning list: computing it for a clinic and acknowledging an alert.
 * The rules themselves are pure (registry/alerts.h); here are the
 * permission, the clinic scoping and the audit. */
#include "app/app.h"

#include <stdio.h>
#include <string.h>

#include "store/store_alerts.h"

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
