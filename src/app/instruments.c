/* Instrument wording as use cases: an admin loads the item texts and answer
 * labels a clinic holds a licence for (checked against the instrument's
 * structure, core/instr_text.h), staff read them for the chart, and a
 * patient's questionnaire link shows the wording of their clinic. */
#include "app/app.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/instr_text.h"
#include "store/store_instr.h"

/* The clinic an action is about: the one named, else the actor's own.
 * PROLO_EINVAL (field clinic) when neither says one or it is no id. */
static enum prolo_code which_clinic(const struct app_ctx *cx, const char *clinic, const char **out,
                                    struct prolo_err *err)
{
	*out = clinic && clinic[0] ? clinic : cx->who.clinic[0] ? cx->who.clinic : NULL;
	if (!*out)
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "is required: the clinic whose wording it is");
	if (!dom_id_valid(*out, strlen(*out)))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "is not a clinic code");
	return PROLO_OK;
}

enum prolo_code app_instrument_load(struct app_ctx *cx, const char *clinic, const char *text, size_t len,
                                    struct store_itext *out, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_INSTRUMENTS_LOAD, NULL, NULL, NULL, err);
	const char *c;
	if (rc || (rc = which_clinic(cx, clinic, &c, err)) || (rc = app_permit(cx, CAN_INSTRUMENTS_LOAD, NULL, NULL, c, err)))
		return rc;
	enum instrument id;
	json_t *canon = NULL;
	if ((rc = itext_parse(text, len, &id, &canon, err)))
		return rc;
	struct store_itext t;
	memset(&t, 0, sizeof t);
	snprintf(t.clinic, sizeof t.clinic, "%s", c);
	t.instrument = (int)id;
	snprintf(t.version, sizeof t.version, "%s", json_string_value(json_object_get(canon, "version")));
	snprintf(t.language, sizeof t.language, "%s", json_string_value(json_object_get(canon, "language")));
	snprintf(t.loaded_by, sizeof t.loaded_by, "%s", cx->who.user);
	time_t now = (time_t)cx->now;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(t.loaded_at, sizeof t.loaded_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	t.body = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(canon);
	if (!t.body)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	char detail[300];
	snprintf(detail, sizeof detail, "clinic=%s version=%s language=%s", t.clinic, t.version, t.language);
	if (!(rc = app_unit_begin(cx, err))) {
		rc = store_itext_put(cx->st, &t, err);
		if (!rc)
			rc = app_audit(cx, "instrument.load", "instrument", dom_instrument_names[id], detail, err);
		rc = app_unit_end(cx, rc, err);
	}
	if (rc || !out)
		free(t.body);
	else
		*out = t;
	return rc;
}

enum prolo_code app_instrument_list(struct app_ctx *cx, const char *clinic, store_itext_fn fn, void *ctx,
                                    struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_INSTRUMENTS_GET, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	/* Staff see their clinic's; an admin every clinic's unless one is named. */
	const char *c = clinic && clinic[0] ? clinic : cx->who.clinic[0] ? cx->who.clinic : NULL;
	if (c && (rc = app_permit(cx, CAN_INSTRUMENTS_GET, NULL, NULL, c, err)))
		return rc;
	return store_itext_scan(cx->st, c, fn, ctx, err);
}

/* The permission to read wordings, then the instrument by name:
 * PROLO_EPERM, or PROLO_ENOTFOUND (field instrument) for an unknown one. */
static enum prolo_code instrument_named(struct app_ctx *cx, const char *instrument, int *id, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_INSTRUMENTS_GET, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	*id = instrument ? dom_lookup(dom_instrument_names, INSTR__COUNT, instrument, strlen(instrument)) : -1;
	if (*id < 0)
		return prolo_err_set(err, PROLO_ENOTFOUND, "instrument", "unknown instrument '%.40s'",
		                     instrument ? instrument : "");
	return PROLO_OK;
}

enum prolo_code app_instrument_get(struct app_ctx *cx, const char *clinic, const char *instrument,
                                   struct store_itext *out, struct prolo_err *err)
{
	int id;
	enum prolo_code rc = instrument_named(cx, instrument, &id, err);
	if (rc)
		return rc;
	const char *c;
	if ((rc = which_clinic(cx, clinic, &c, err)) || (rc = app_permit(cx, CAN_INSTRUMENTS_GET, NULL, NULL, c, err)))
		return rc;
	return store_itext_get(cx->st, c, id, out, err);
}

enum prolo_code app_instrument_describe(struct app_ctx *cx, const char *clinic, const char *instrument,
                                        struct json_t **out, struct prolo_err *err)
{
	*out = NULL;
	int id;
	enum prolo_code rc = instrument_named(cx, instrument, &id, err);
	if (rc)
		return rc;
	json_t *canon = NULL;
	if ((clinic && clinic[0]) || cx->who.clinic[0]) { /* else the structure alone */
		struct store_itext t;
		rc = app_instrument_get(cx, clinic, instrument, &t, err);
		if (rc == PROLO_ENOTFOUND)
			rc = PROLO_OK; /* not loaded: described as missing */
		else if (!rc) {
			canon = json_loads(t.body, 0, NULL);
			free(t.body);
		}
		if (rc)
			return rc;
	}
	*out = itext_describe((enum instrument)id, canon);
	json_decref(canon);
	return *out ? PROLO_OK : prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
}

enum prolo_code app_qlink_wording(struct app_ctx *cx, const struct store_qlink *q, struct json_t **canon,
                                  struct prolo_err *err)
{
	*canon = NULL;
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "%s", q->patient_id);
	enum prolo_code rc = store_get(cx->st, REC_PATIENT, &p, err);
	if (rc)
		return rc;
	struct store_itext t;
	rc = store_itext_get(cx->st, p.clinic, q->instrument, &t, err);
	if (rc == PROLO_ENOTFOUND)
		return PROLO_OK; /* not loaded: the page says so */
	if (rc)
		return rc;
	*canon = json_loads(t.body, 0, NULL);
	free(t.body);
	return PROLO_OK;
}
