/* Follow-up outreach over HTTP: the patient's one-click opt-out. The
 * token in the path (from a message's link) is the only authority; the
 * use case (app_optout) records the withdrawal. */
#include <jansson.h>

#include "app/app_outreach.h"
#include "http/api_int.h"

enum prolo_code h_optout(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { NULL };
	enum prolo_code rc = body ? api_only_keys(body, keys, err) : PROLO_OK;
	if (rc)
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	if ((rc = app_optout(&cx, rq->param, err)))
		return rc;
	return api_reply(rq, 200, json_pack("{s:b}", "withdrawn", 1), err);
}
