/* Phone calls logged on a course: the front desk's record of calling a
 * patient (the result and a note), shown on the chart. A call that
 * settles the task it answers (the patient was reached, the number is
 * wrong, the patient declines) acknowledges that alert in the same unit,
 * so the morning list and the call log never disagree. */
#include "app/app_frontdesk.h"

#include <stdio.h>
#include <string.h>

#include "core/domain.h"
#include "registry/followup.h"
#include "store/store_alerts.h"

bool app_call_settles(int result)
{
	return result == CALL_REACHED || result == CALL_WRONG_NUMBER || result == CALL_DECLINED;
}

/* The rules that need no record: result, note, time point, key, caller. */
static enum prolo_code call_input(const struct app_ctx *cx, const struct app_call_in *in, int *result,
                                  const char **by, struct prolo_err *err)
{
	*result = in->result ? dom_lookup(store_call_result_names, CALL__COUNT, in->result, strlen(in->result)) : -1;
	if (*result < 0)
		return prolo_err_set(err, PROLO_EINVAL, "result",
		                     "must be reached, no_answer, left_message, wrong_number, declined or call_back");
	if (in->note && (strlen(in->note) >= REC_TEXT_MAX || !dom_utf8_valid(in->note, strlen(in->note))))
		return prolo_err_set(err, PROLO_EINVAL, "note", "is longer than %d bytes or not UTF-8 text",
		                     REC_TEXT_MAX - 1);
	if (in->point_day != APP_INT_NONE && (in->point_day < 1 || in->point_day > CALL_POINT_DAY_MAX))
		return prolo_err_set(err, PROLO_EINVAL, "point_day",
		                     "must be a follow-up time point, 1..%d days after the start", CALL_POINT_DAY_MAX);
	if (in->alert_key && in->alert_key[0]) {
		const char *kc = app_alert_key_course(in->alert_key);
		if (!kc || strlen(in->alert_key) >= STORE_KEY_MAX)
			return prolo_err_set(err, PROLO_EINVAL, "alert_key",
			                     "is not an alert key (KIND:YYYY-MM-DD:COURSE_ID)");
		if (!in->course_id || strcmp(kc, in->course_id) != 0)
			return prolo_err_set(err, PROLO_EINVAL, "alert_key", "is an alert of another course");
	}
	if (in->by && in->by[0] && !cx->who.on_behalf && strcmp(in->by, cx->who.user) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "by", "must be the logged-in user");
	*by = in->by && in->by[0] ? in->by : (cx->who.on_behalf ? NULL : cx->who.user);
	if (!*by)
		return prolo_err_set(err, PROLO_EINVAL, "by", "is required (who called)");
	if (strlen(*by) >= REC_NAME_MAX || !dom_utf8_valid(*by, strlen(*by)))
		return prolo_err_set(err, PROLO_EINVAL, "by", "must be a name of 1 to %d bytes", REC_NAME_MAX - 1);
	return PROLO_OK;
}

/* A time point of the course's follow-up plan, or PROLO_EINVAL. */
static enum prolo_code check_point(struct app_ctx *cx, const struct course *c, int point_day,
                                   struct prolo_err *err)
{
	struct fu_plan pl;
	app_course_plan(cx, c, &pl);
	for (size_t i = 0; i < pl.n; i++)
		if (pl.pts[i].offset_days == point_day)
			return PROLO_OK;
	return prolo_err_set(err, PROLO_EINVAL, "point_day", "%d is not a follow-up time point of course '%s'",
	                     point_day, c->course_id);
}

enum prolo_code app_call_add(struct app_ctx *cx, const struct app_call_in *in, struct store_call *out,
                             struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_CALLS_ADD, NULL, NULL, NULL, err);
	int result = -1;
	const char *by = NULL;
	if (rc || (rc = call_input(cx, in, &result, &by, err)))
		return rc;
	struct course c;
	struct patient p;
	if ((rc = app_load_course(cx, CAN_CALLS_ADD, in->course_id, &c, &p, err)))
		return rc;
	int point_day = in->point_day == APP_INT_NONE ? 0 : in->point_day; /* 0 = none */
	if (point_day && (rc = check_point(cx, &c, point_day, err)))
		return rc;
	struct store_call sc;
	memset(&sc, 0, sizeof sc);
	snprintf(sc.course_id, sizeof sc.course_id, "%s", c.course_id);
	snprintf(sc.patient_id, sizeof sc.patient_id, "%s", p.patient_id);
	snprintf(sc.clinic, sizeof sc.clinic, "%s", p.clinic);
	sc.at = cx->now;
	sc.day = cx->today;
	snprintf(sc.by, sizeof sc.by, "%s", by);
	sc.result = result;
	snprintf(sc.note, sizeof sc.note, "%s", in->note ? in->note : "");
	sc.point_day = point_day;
	snprintf(sc.alert_key, sizeof sc.alert_key, "%s", in->alert_key ? in->alert_key : "");
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_call_add(cx->st, &sc, err);
	if (!rc && sc.alert_key[0] && app_call_settles(result)) {
		bool acked = false;
		char note[64];
		snprintf(note, sizeof note, "call: %s", store_call_result_names[result]);
		if (!(rc = store_alert_acked(cx->st, sc.alert_key, &acked, err)) && !acked)
			rc = alerts_ack(cx->st, sc.alert_key, by, note, err);
		if ((rc == PROLO_EINVAL || rc == PROLO_ENOTFOUND) && err)
			snprintf(err->field, sizeof err->field, "alert_key");
	}
	if (!rc)
		rc = app_audit(cx, "call.add", "course", c.course_id, store_call_result_names[result], err);
	if ((rc = app_unit_end(cx, rc, err)))
		return rc;
	if (out)
		*out = sc;
	return PROLO_OK;
}

enum prolo_code app_call_list(struct app_ctx *cx, const char *course_id, int limit, store_call_fn fn,
                              void *ctx, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_CALLS_LIST, NULL, NULL, NULL, err);
	if (rc || (rc = app_list_limit(limit, false, &limit, err)))
		return rc;
	const char *clinic = cx->who.clinic[0] ? cx->who.clinic : NULL;
	if (course_id) {
		struct course c;
		struct patient p;
		if ((rc = app_load_course(cx, CAN_CALLS_LIST, course_id, &c, &p, err)))
			return rc;
		clinic = NULL;
	}
	if ((rc = store_call_scan(cx->st, course_id, clinic, limit, fn, ctx, err)))
		return rc;
	return app_audit(cx, "call.list", course_id ? "course" : NULL, course_id, "", err);
}
