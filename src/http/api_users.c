/* Account administration routes: disable, enable, a new role, a one-time
 * password, the open sessions and their revocation (docs/api.md, "Users
 * and audit"). Each parses, calls its use case in src/app/users.c and
 * renders. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "http/api_int.h"
#include "core/domain.h"
#include "http/hjson.h"

json_t *api_user_admin_json(const struct store_user *u)
{
	json_t *o = api_user_json(u);
	if (!o)
		return NULL;
	json_object_set_new(o, "created_at", json_integer(u->created_at));
	json_object_set_new(o, "disabled", json_boolean(u->disabled));
	json_object_set_new(o, "last_login_at", u->last_login_at ? json_integer(u->last_login_at) : json_null());
	json_object_set_new(o, "last_login_addr", u->last_login_addr[0] ? json_string(u->last_login_addr) : json_null());
	json_object_set_new(o, "open_sessions", json_integer(u->open_sessions));
	return o;
}

/* The answer of an action on one account: the account as it now stands
 * and, for the actions that end sessions, how many ended. */
static enum prolo_code reply_user(struct http_req *rq, struct app_ctx *cx, const char *name, int ended,
                                  struct prolo_err *err)
{
	struct store_user u;
	enum prolo_code rc = app_user_view(cx, name, &u, err);
	if (rc)
		return rc;
	json_t *o = api_user_admin_json(&u);
	json_object_del(o, "open_sessions"); /* not counted here */
	return api_reply(rq, 200, json_pack("{s:o,s:i}", "user", o, "sessions_ended", ended), err);
}

enum prolo_code api_empty_body(struct http_req *rq, const json_t *body, struct app_ctx *cx, struct prolo_err *err)
{
	static const char *const keys[] = { NULL };
	api_ctx(rq, cx);
	return api_only_keys(body, keys, err);
}

static enum prolo_code set_active(struct http_req *rq, json_t *body, bool active, struct prolo_err *err)
{
	struct app_ctx cx;
	int ended = 0;
	enum prolo_code rc = api_empty_body(rq, body, &cx, err);
	if (rc || (rc = app_user_set_active(&cx, rq->param, active, &ended, err)))
		return rc;
	return reply_user(rq, &cx, rq->param, ended, err);
}

enum prolo_code h_user_disable(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	return set_active(rq, body, false, err);
}

enum prolo_code h_user_enable(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	return set_active(rq, body, true, err);
}

enum prolo_code h_user_role(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "role", "clinic", NULL };
	const char *role, *clinic = NULL;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = api_need_str(body, "role", &role, err)) ||
	    (rc = hjson_str(body, "clinic", &clinic, err)))
		return rc;
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_user u;
	int r = dom_lookup(store_role_names, ROLE__COUNT, role, strlen(role));
	if ((rc = app_user_role(&cx, rq->param, r, clinic, &u, err)))
		return rc;
	return reply_user(rq, &cx, rq->param, 0, err);
}

/* The prep of a reset, outside the write lock: the one-time password and
 * its hash (rq->prep_old holds the password until the answer is built; it
 * is wiped when the request is done). */
enum prolo_code p_user_reset(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct app_ctx cx;
	enum prolo_code rc = api_empty_body(rq, body, &cx, err);
	if (rc)
		return rc;
	_Static_assert(sizeof rq->prep_old >= APP_OTP_MAX, "a one-time password fits");
	return app_user_reset_prepare(&cx, rq->param, rq->prep_old, rq->prep_user.pwhash, err);
}

enum prolo_code h_user_reset(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	if (rq->prep_rc) {
		*err = rq->prep_err;
		return rq->prep_rc;
	}
	struct app_ctx cx;
	api_ctx(rq, &cx);
	int ended = 0;
	enum prolo_code rc = app_user_reset(&cx, rq->param, rq->prep_user.pwhash, &ended, err);
	if (rc)
		return rc;
	return api_reply(rq, 200,
	                 json_pack("{s:s,s:s,s:b,s:i}", "name", rq->param, "one_time_password", rq->prep_old,
	                           "must_change_password", 1, "sessions_ended", ended),
	                 err);
}

struct sessions_out {
	json_t *arr;
	const char *mine; /* the requester's own session id */
};

static enum prolo_code add_session_json(void *ctx, const struct store_login_session *s, struct prolo_err *err)
{
	struct sessions_out *so = ctx;
	json_t *o = json_pack("{s:s,s:s?,s:I,s:I,s:b}", "id", s->sid, "addr", s->addr[0] ? s->addr : NULL,
	                      "created_at", (json_int_t)s->created_at, "last_seen", (json_int_t)s->last_seen,
	                      "current", so->mine[0] && strcmp(so->mine, s->sid) == 0);
	if (!o || json_array_append_new(so->arr, o))
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	return PROLO_OK;
}

enum prolo_code h_user_sessions(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	struct sessions_out so = { json_array(), rq->sess.sid };
	if (!so.arr)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	struct store_user u;
	enum prolo_code rc = app_user_sessions(&cx, rq->param, &u, add_session_json, &so, err);
	if (rc) {
		json_decref(so.arr);
		return rc;
	}
	return api_reply(rq, 200, json_pack("{s:o,s:o}", "user", api_user_admin_json(&u), "sessions", so.arr), err);
}

enum prolo_code h_user_revoke(struct http_req *rq, json_t *body, struct prolo_err *err)
{
	static const char *const keys[] = { "session", "all", NULL };
	const char *sid = NULL;
	enum prolo_code rc;
	if ((rc = api_only_keys(body, keys, err)) || (rc = hjson_str(body, "session", &sid, err)))
		return rc;
	const json_t *all = json_object_get(body, "all");
	if (all && !json_is_boolean(all))
		return prolo_err_set(err, PROLO_EINVAL, "all", "must be true or false");
	struct app_ctx cx;
	api_ctx(rq, &cx);
	int ended = 0;
	if ((rc = app_user_revoke(&cx, rq->param, sid, json_is_true(all), &ended, err)))
		return rc;
	return reply_user(rq, &cx, rq->param, ended, err);
}
