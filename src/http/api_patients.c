/* Patients beyond one record on the API: the confirmation a possible
 * duplicate or an implausible value waits for, merging two patients and
 * undoing it, the protocol library, a clinic's date format. Each handler
 * parses, calls one use case (app/patients.c) and renders. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_booking.h"
#include "core/domain.h"
#include "http/api_int.h"
#include "http/hjson.h"

enum prolo_code api_confirm_flag(const json_t *body, struct app_ctx *cx, struct prolo_err *err)
{
	const json_t *v = body ? json_object_get(body, "confirm") : NULL;
	if (!v || json_is_null(v))
		return PROLO_OK;
	if (!json_is_boolean(v))
		return prolo_err_set(err, PROLO_EINVAL, "confirm", "must be true or false");
	cx->confirm = json_is_true(v);
	return PROLO_OK;
}

enum prolo_code api_confirm_fail(struct http_req *rq, const struct prolo_err *e, json_t *matches,
                                 struct prolo_err *err)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "code", prolo_err_name(e->code), "message", e->msg, "field", e->field);
	if (o && matches)
		json_object_set(o, "matches", matches);
	enum prolo_code rc = api_reply(rq, prolo_err_http_status(e->code), json_pack("{s:o*}", "error", o), err);
	return rc ? rc : e->code;
}

/* ---- merge ------------------------------------------------------------------ */

/* The body's keys, each a string or absent (NULL), into out[] in the
 * order of keys; any other key is refused. PROLO_EINVAL naming it. */
static enum prolo_code body_strs(const json_t *body, const char *const *keys, const char **out,
                                 struct prolo_err *err)
{
	enum prolo_code rc = api_only_keys(body, keys, err);
	for (int i = 0; !rc && keys[i]; i++)
		rc = hjson_str(body, keys[i], &out[i], err);
	return rc;
}

enum prolo_code h_patient_merge(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "merged", "reason", NULL };
	static const char *const undo_keys[] = { "reason", NULL };
	bool undo = rq->route == RT_PATIENT_UNMERGE;
	const char *v[2] = { NULL, NULL };
	struct app_ctx cx;
	struct store_merge m;
	enum prolo_code rc = body_strs(body, undo ? undo_keys : keys, v, err);
	if (rc)
		return rc;
	api_ctx(rq, &cx);
	rc = undo ? app_patient_unmerge(&cx, rq->param, v[0], &m, err)
	          : app_patient_merge(&cx, rq->param, v[0], v[1], &m, err);
	return rc ? rc : api_reply(rq, 200, json_pack("{s:o}", "merge", app_merge_json(&m)), err);
}

/* GET /api/patients/{id}/duplicates: a patient's possible duplicates, for
 * the merge page. */
enum prolo_code h_patient_duplicates(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	struct app_dups d;
	struct patient p;
	api_ctx(rq, &cx);
	enum prolo_code rc = app_patient_duplicates(&cx, rq->param, &p, &d, err);
	if (rc)
		return rc;
	return api_reply(rq, 200, json_pack("{s:s,s:o}", "patient_id", p.patient_id, "duplicates", app_dups_json(&d)),
	                 err);
}

/* ---- protocols ------------------------------------------------------------- */

/* GET /api/protocols and GET /api/protocols/{name} (the route says which). */
enum prolo_code h_protocols(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	const struct protocol_lib *lib;
	enum prolo_code rc = app_protocols(&cx, &lib, err);
	if (rc)
		return rc;
	if (rq->route == RT_PROTOCOL_GET) {
		const struct protocol *p = protocol_find(lib, rq->param);
		if (!p)
			return prolo_err_set(err, PROLO_ENOTFOUND, "protocol", "no protocol '%.64s'", rq->param);
		return api_reply(rq, 200, json_pack("{s:o*}", "protocol", protocol_to_json(p)), err);
	}
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < lib->n; i++)
		json_array_append_new(arr, protocol_to_json(&lib->items[i]));
	return api_reply(rq, 200, json_pack("{s:o*}", "protocols", arr), err);
}

/* ---- a clinic's settings ------------------------------------------------------ */

/* The clinic's settings: how its screens show dates, and its time zone
 * (its bookings' local time, app/bookings.c). */
static enum prolo_code settings_reply(struct http_req *rq, struct app_ctx *cx, const char *clinic,
                                      struct prolo_err *err)
{
	char fmt[8], zone[TZ_NAME_MAX];
	enum prolo_code rc = app_clinic_date_format(cx, clinic, fmt, err);
	if (!rc)
		rc = app_clinic_zone(cx, clinic, zone, err);
	if (rc)
		return rc;
	return api_reply(rq, 200, json_pack("{s:s?,s:s,s:s}", "clinic", clinic[0] ? clinic : NULL, "date_format", fmt,
	                                    "tz", zone),
	                 err);
}

enum prolo_code h_settings_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	(void)body;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	const char *clinic = api_query(rq, "clinic");
	if (!clinic)
		clinic = rq->user.clinic;
	return settings_reply(rq, &cx, clinic, err);
}

/* date_format, tz or both (app_clinic_settings_set). */
enum prolo_code h_settings_set(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "clinic", "date_format", "tz", NULL };
	const char *v[3] = { NULL, NULL, NULL };
	struct app_ctx cx;
	enum prolo_code rc = body_strs(body, keys, v, err);
	if (rc)
		return rc;
	api_ctx(rq, &cx);
	const char *clinic = v[0] && v[0][0] ? v[0] : rq->user.clinic;
	if ((rc = app_clinic_settings_set(&cx, clinic, v[1], v[2], err)))
		return rc;
	return settings_reply(rq, &cx, clinic, err);
}
