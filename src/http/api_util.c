/* The API's shared parts: responses, query and header access, strict
 * bodies, the use-case context of a request and its audit sink, records as
 * JSON trees. */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/instruments.h"
#include "core/rec_json.h"
#include "http/api_int.h"
#include "http/chart_cache.h"
#include "http/hjson.h"
#include "registry/alerts.h"
#include "report/report.h"
#include "security/audit.h"
#include "security/auth.h"

/* ---- responses --------------------------------------------------------- */

void api_error(struct http_req *rq, int status, const char *code_name, const struct prolo_err *err)
{
	struct prolo_err e = *err;
	rq->status = status;
	rq->content_type = "application/json";
	buf_reset(&rq->out);
	json_t *o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
	                      code_name ? code_name : prolo_err_name(e.code), "message",
	                      e.msg[0] ? e.msg : "error", "field", e.field);
	if (o) {
		hjson_dump(&rq->out, o);
		json_decref(o);
	} else {
		hjson_error(&rq->out, &e);
	}
}

void api_fail(struct http_req *rq, const struct prolo_err *err)
{
	/* A throttled attempt (a login, an old password) set Retry-After. */
	if (err->code == PROLO_ECONFLICT && rq->retry_after[0]) {
		api_error(rq, 429, "throttled", err);
		return;
	}
	api_error(rq, prolo_err_http_status(err->code), NULL, err);
}

/* Takes ownership of v. */
enum prolo_code api_reply(struct http_req *rq, int status, json_t *v, struct prolo_err *err)
{
	if (!v)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	buf_reset(&rq->out);
	enum prolo_code rc = hjson_dump(&rq->out, v);
	json_decref(v);
	if (rc)
		return prolo_err_set(err, rc, "", "the response is too large");
	rq->status = status;
	return PROLO_OK;
}

const char *api_query(struct http_req *rq, const char *name)
{
	const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
	return v && v[0] ? v : NULL;
}

const char *api_header(struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *api_cookie_token(struct http_req *rq)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, COOKIE);
}

/* The audit row of a request. A write's row joins the write on the
 * writer's connection (same savepoint, same commit). A read's row waits in
 * rq: api_dispatch spools it (writer_audit) before the response goes out. PROLO_OK, or the store's code. */
enum prolo_code api_audit_as(struct http_req *rq, const char *user, const char *action,
                                const char *record, const char *detail, struct prolo_err *err)
{
	if (rq->in_writer)
		return audit_log_event(rq->st, user, action, record, rq->addr, detail, err);
	assert(rq->n_audits < HTTP_AUDITS_MAX);
	if (rq->n_audits >= HTTP_AUDITS_MAX)
		return prolo_err_set(err, PROLO_EDB, "", "too many audit rows for one request");
	audit_row(&rq->audits[rq->n_audits++], user, action, record, rq->addr, detail);
	return PROLO_OK;
}

enum prolo_code api_audit(struct http_req *rq, const char *action, const char *kind,
                             const char *id, const char *detail, struct prolo_err *err)
{
	char record[2 * REC_ID_MAX + 16];
	if (kind)
		snprintf(record, sizeof record, "%s:%s", kind, id);
	else
		record[0] = '\0';
	return api_audit_as(rq, rq->authed ? rq->user.name : "anonymous", action, record, detail, err);
}

/* The user and, in "can", the names of the routes their role may use
 * (from the one permission matrix), so the UI offers nothing the server
 * would refuse. */
/* Each role's "can" list, built once from the matrix and then shared by
 * every answer (jansson's reference counts are atomic; the lists are never
 * changed after they are built). */
/* The last list is the one of a user who must change a one-time
 * password first (app_may_before_change), whatever the role. */
static json_t *can_lists[ROLE__COUNT + 1];
static pthread_once_t can_once = PTHREAD_ONCE_INIT;

static void build_can_lists(void)
{
	for (int r = 0; r <= ROLE__COUNT; r++) {
		json_t *can = json_array();
		for (int a = 0; can && a < CAN__COUNT; a++)
			if (r < ROLE__COUNT ? app_role_may(r, (enum app_action)a) : app_may_before_change((enum app_action)a))
				json_array_append_new(can, json_string(app_action_name((enum app_action)a)));
		can_lists[r] = can;
	}
}

json_t *api_user_json_can(const struct store_user *u, bool with_can)
{
	json_t *can = NULL;
	if (with_can && u->role >= 0 && u->role < ROLE__COUNT) {
		pthread_once(&can_once, build_can_lists);
		can = json_incref(can_lists[u->must_change ? ROLE__COUNT : u->role]);
	}
	return json_pack("{s:s,s:s,s:s?,s:b,s:o*}", "name", u->name, "role", store_role_names[u->role],
	                 "clinic", u->clinic[0] ? u->clinic : NULL, "must_change_password", u->must_change,
	                 "can", can);
}

json_t *api_user_json(const struct store_user *u)
{
	return api_user_json_can(u, false);
}

/* Rejects members of body other than the listed keys (NULL-terminated). */
enum prolo_code api_only_keys(const json_t *body, const char *const *keys, struct prolo_err *err)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)body, key, v) {
		bool ok = false;
		for (const char *const *k = keys; *k && !ok; k++)
			ok = strcmp(*k, key) == 0;
		if (!ok) {
			char shown[64];
			snprintf(shown, sizeof shown, "%s", key);
			return prolo_err_set(err, PROLO_EINVAL, shown, "unknown field '%s'", shown);
		}
	}
	return PROLO_OK;
}

enum prolo_code api_need_str(const json_t *body, const char *key, const char **out,
                                struct prolo_err *err)
{
	enum prolo_code rc = hjson_str(body, key, out, err);
	if (!rc && (!*out || !**out))
		return prolo_err_set(err, PROLO_EINVAL, key, "is required");
	return rc;
}

enum prolo_code api_body_int(const json_t *body, const char *key, int *out, struct prolo_err *err)
{
	const json_t *v = json_object_get(body, key);
	*out = APP_INT_NONE;
	if (!v || json_is_null(v))
		return PROLO_OK;
	return app_int_input(key, json_is_integer(v), json_is_integer(v) ? json_integer_value(v) : 0, out, err);
}

/* ---- the use-case context -------------------------------------------- */

static enum prolo_code sink_write(void *ctx, struct store_audit *e, struct prolo_err *err)
{
	return api_audit_as(ctx, e->user, e->action, e->record, e->detail, err);
}

/* A refusal: a write's savepoint is rolled back with it, so its row waits
 * in rq like a read's, appended after the rollback. */
static void sink_later(void *ctx, const struct store_audit *e)
{
	struct http_req *rq = ctx;
	struct prolo_err ignore;
	bool w = rq->in_writer;
	rq->in_writer = false;
	api_audit_as(rq, e->user, e->action, e->record, e->detail, &ignore);
	rq->in_writer = w;
}

void api_ctx(struct http_req *rq, struct app_ctx *cx)
{
	memset(cx, 0, sizeof *cx);
	cx->st = rq->st;
	snprintf(cx->who.user, sizeof cx->who.user, "%s", rq->authed ? rq->user.name : "anonymous");
	cx->who.role = rq->authed ? rq->user.role : -1;
	cx->who.must_change = rq->authed && rq->user.must_change;
	cx->session_idle_s = rq->opt->session_idle_s;
	cx->session_absolute_s = rq->opt->session_absolute_s;
	snprintf(cx->who.clinic, sizeof cx->who.clinic, "%s", rq->authed ? rq->user.clinic : "");
	snprintf(cx->who.addr, sizeof cx->who.addr, "%s", rq->addr);
	cx->today = clock_today();
	cx->now = rq->now;
	cx->protocols = rq->opt->protocols;
	cx->audit = (struct app_audit_sink){ sink_write, sink_later, rq };
	cx->in_unit = true;
	cx->link_ttl_s = rq->opt->link_ttl_s;
	cx->min_cell = rq->opt->min_cell;
	cx->reminders = rq->opt->reminders;
}

/* ---- records as JSON trees --------------------------------------------- */

enum prolo_code api_collect_row(void *ctx, const void *rec, struct prolo_err *err)
{
	struct collect *cl = ctx;
	json_t *o = rec_to_json(cl->kind, rec, false, false);
	if (!o)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (cl->kind == REC_SESSION) {
		char paw[64], mishra[64];
		rec_session_paw(rec, paw, sizeof paw);
		rec_session_mishra(rec, mishra, sizeof mishra);
		json_object_set_new(o, "prp_paw", paw[0] ? json_string(paw) : json_null());
		json_object_set_new(o, "prp_mishra", mishra[0] ? json_string(mishra) : json_null());
		json_object_set_new(o, "injections", json_array());
	}
	if (cl->kind == REC_INJECTION) {
		const struct injection *in = rec;
		size_t i;
		json_t *s;
		json_array_foreach(cl->arr, i, s) {
			json_t *no = json_object_get(s, "session_no");
			if (no && json_integer_value(no) == in->session_no) {
				json_array_append_new(json_object_get(s, "injections"), o);
				return PROLO_OK;
			}
		}
		json_decref(o);
		return PROLO_OK;
	}
	json_array_append_new(cl->arr, o);
	return PROLO_OK;
}

