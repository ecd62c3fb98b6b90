/* The record's life on the command line: "GROUP amend KEY... --FIELD VALUE
 * ... --reason TEXT [--if-version N]", "GROUP void KEY... --reason TEXT
 * [--if-version N]" and "GROUP history KEY..." for patient, course,
 * session, outcome and ae. The use cases decide (app/amend.c). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/rec_json.h"
#include "store/store.h"

#define LIFE_INJ_MAX 50

bool cli_life_verb(const char *verb)
{
	return strcmp(verb, "amend") == 0 || strcmp(verb, "void") == 0 || strcmp(verb, "history") == 0;
}

/* The key fields of each kind, in the order the command line takes them. */
static const struct {
	const char *group;
	const char *keys[4];
	int n;              /* required; one more may follow (an outcome's source) */
	const char *usage;
} life[REC__COUNT] = {
	[REC_PATIENT] = { "patient", { "patient_id" }, 1, "PATIENT_ID" },
	[REC_COURSE] = { "course", { "course_id" }, 1, "COURSE_ID" },
	[REC_SESSION] = { "session", { "course_id", "session_no" }, 2, "COURSE_ID SESSION_NO" },
	[REC_OUTCOME] = { "outcome", { "course_id", "date", "instrument", "source" }, 3, "COURSE_ID DATE INSTRUMENT [SOURCE]" },
	[REC_AE] = { "ae", { "course_id", "seq" }, 2, "COURSE_ID SEQ" },
};

static void print_history(struct cli_ctx *ctx, const char *what, json_t *h)
{
	json_t *rec = json_object_get(h, "record");
	fprintf(ctx->out, "%s, version %lld%s\n", what, (long long)json_integer_value(json_object_get(rec, "version")),
	        json_is_true(json_object_get(rec, "voided")) ? " (voided)" : "");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(h, "history"), i, e) {
		fprintf(ctx->out, "  version %lld %s on %s by %s: %s\n",
		        (long long)json_integer_value(json_object_get(e, "version")),
		        strcmp(json_string_value(json_object_get(e, "action")), "void") == 0 ? "voided" : "amended",
		        json_string_value(json_object_get(e, "at")), json_string_value(json_object_get(e, "by")),
		        json_string_value(json_object_get(e, "reason")));
		size_t k;
		json_t *c;
		json_array_foreach(json_object_get(e, "changes"), k, c) {
			char *from = json_dumps(json_object_get(c, "from"), JSON_ENCODE_ANY | JSON_COMPACT);
			char *to = json_dumps(json_object_get(c, "to"), JSON_ENCODE_ANY | JSON_COMPACT);
			fprintf(ctx->out, "    %s: %s -> %s\n", json_string_value(json_object_get(c, "field")),
			        from ? from : "?", to ? to : "?");
			free(from);
			free(to);
		}
	}
}

int cli_life(struct cli_ctx *ctx, int kind_i, const struct cli_args *ca, int argc, char **argv)
{
	enum rec_kind kind = (enum rec_kind)kind_i;
	const char *verb = argv[1];
	int x = 0;
	bool *used = ca->field ? ca->field : (bool[2]){ true, true };
	if (ca->field)
		used[0] = used[1] = true;
	union rec_any key, patch, out;
	rec_init(kind, &key);
	rec_init(kind, &patch);
	rec_init(kind, &out);
	const char *const *val = ca->pos;
	struct prolo_err err = { 0 };
	for (int k = 0; k < ca->n_pos && k < 4 && life[kind].keys[k]; k++) {
		const char *name = life[kind].keys[k];
		if (rec_set(kind, &key, rec_field(kind, name, strlen(name)), val[k], strlen(val[k]), &err))
			return cli_fail(ctx, &err);
	}
	struct app_dups dups = { .n = 0 };
	struct app_change_in in = { .kind = kind, .key = &key, .patch = &patch, .dups = &dups };
	struct injection inj[LIFE_INJ_MAX];
	if (strcmp(verb, "history") != 0) {
		in.reason = cli_get(ca, "reason");
		const char *ifv = cli_get(ca, "if-version");
		if (ifv) {
			char *end = NULL;
			long v = strtol(ifv, &end, 10);
			if (!ifv[0] || *end || v < 1 || v > INT32_MAX)
				return cli_usage(ctx, "--if-version: expected a version number, not '%s'", ifv);
			in.if_version = (int32_t)v;
		}
	}
	if (strcmp(verb, "amend") == 0) {
		if (kind == REC_SESSION) {
			for (int i = 0; i < ca->n_multi && !x; i++) {
				if (in.n_inj >= LIFE_INJ_MAX)
					x = cli_usage(ctx, "at most %d injections", LIFE_INJ_MAX);
				else if (!(x = cli_parse_injection(ctx, ca->multi[i], (int)in.n_inj + 1, &inj[in.n_inj])))
					in.n_inj++;
			}
			if (cli_has(ca, "no-injections"))
				in.set_inj = true;
			if (in.n_inj)
				in.set_inj = true;
			in.inj = inj;
		}
		if (!x)
			x = cli_parse_fields(ctx, kind, &patch, argc, argv, used, &in.set);
	}
	if (x)
		return x;
	/* A session's amendment reads the protocols (--protocols) for the
	 * concentration check. */
	struct cli_run r;
	if ((x = cli_begin(ctx, ca, &r)))
		return x;
	r.cx.confirm = strcmp(verb, "history") != 0 && cli_has(ca, "confirm");
	char what[2 * REC_ID_MAX + 64];
	enum prolo_code rc;
	json_t *h = NULL;
	if (strcmp(verb, "history") == 0)
		rc = app_history(&r.cx, kind, &key, &h, &r.err);
	else if (strcmp(verb, "amend") == 0)
		rc = app_amend(&r.cx, &in, &out, &r.err);
	else
		rc = app_void(&r.cx, &in, &out, &r.err);
	app_record_key(kind, &key, what, sizeof what);
	if (rc == PROLO_ECONFIRM && dups.n && !ctx->json)
		cli_print_dups(ctx->errs, &dups, "possible duplicates (save anyway with --confirm):");
	if ((x = cli_end(ctx, &r, rc)))
		return x; /* a stale --if-version: the message says the version now */
	if (h) {
		if (ctx->json) {
			cli_print_json(ctx, h);
		} else {
			char title[2 * REC_ID_MAX + 80];
			snprintf(title, sizeof title, "%s %s", life[kind].group, what);
			print_history(ctx, title, h);
			json_decref(h);
		}
		return 0;
	}
	const struct rec_meta *m = rec_meta_get(kind, &out);
	if (ctx->json)
		cli_print_json(ctx, rec_to_json(kind, &out, false, false));
	else
		fprintf(ctx->out, "%s %s %s: now version %d\n", life[kind].group, what,
		        strcmp(verb, "amend") == 0 ? "amended" : "voided", (int)m->version);
	return 0;
}
