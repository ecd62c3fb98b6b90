/* Instrument wording on the API (docs/api.md): list what a clinic loaded,
 * describe one instrument with its wording, and load a wording (admins).
 * Each parses, calls one use case (app/instruments.c) and renders. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/instr_text.h"
#include "http/api_int.h"

static enum prolo_code list_row(void *ctx, const struct store_itext *t, struct prolo_err *err)
{
	json_t *arr = ctx;
	if (json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "clinic", t->clinic, "instrument",
	                                         t->instrument >= 0 ? dom_instrument_names[t->instrument] : "?",
	                                         "version", t->version, "language", t->language, "loaded_by",
	                                         t->loaded_by, "loaded_at", t->loaded_at)))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

enum prolo_code h_instruments_list(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *arr = json_array();
	if (!arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	enum prolo_code rc = app_instrument_list(&cx, api_query(rq, "clinic"), list_row, arr, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	json_t *names = json_array();
	for (int i = 0; i < INSTR__COUNT; i++)
		json_array_append_new(names, json_string(dom_instrument_names[i]));
	return api_reply(rq, 200, json_pack("{s:o,s:o}", "wordings", arr, "instruments", names), err);
}

enum prolo_code h_instrument_get(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_ctx cx;
	api_ctx(rq, &cx);
	json_t *d;
	enum prolo_code rc = app_instrument_describe(&cx, api_query(rq, "clinic"), rq->param, &d, err);
	return rc ? rc : api_reply(rq, 200, d, err);
}

enum prolo_code h_instruments_load(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "clinic", "wording", NULL };
	enum prolo_code rc = api_only_keys(body, keys, err);
	if (rc)
		return rc;
	const json_t *w = json_object_get(body, "wording");
	if (!json_is_object(w))
		return prolo_err_set(err, PROLO_EINVAL, "wording", "is required: the wording file's object "
		                     "(docs/instruments.md)");
	const json_t *c = json_object_get(body, "clinic");
	if (c && !json_is_string(c))
		return prolo_err_set(err, PROLO_EINVAL, "clinic", "must be a clinic code");
	char *text = json_dumps(w, JSON_COMPACT);
	if (!text)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_itext t;
	rc = app_instrument_load(&cx, json_string_value(c), text, strlen(text), &t, err);
	free(text);
	if (rc)
		return rc;
	free(t.body);
	return api_reply(rq, 201, json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "wording", "clinic", t.clinic,
	                                    "instrument", dom_instrument_names[t.instrument], "version", t.version,
	                                    "language", t.language, "loaded_by", t.loaded_by, "loaded_at",
	                                    t.loaded_at), err);
}
