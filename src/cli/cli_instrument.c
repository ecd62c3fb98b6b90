/* "prolo instrument load|list|show": a clinic's wording of the licensed
 * questionnaires (docs/instruments.md). The use cases decide
 * (app/instruments.c); this file reads the file and prints. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/instr_text.h"
#include "core/instruments.h"

/* Reads at most ITEXT_FILE_MAX bytes of path into *out (malloc'd).
 * PROLO_EINVAL (field FILE) when it cannot be read or is larger. */
static enum prolo_code read_file(const char *path, char **out, size_t *len, struct prolo_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return prolo_err_set(err, PROLO_EINVAL, "FILE", "cannot read '%s': %s", path, strerror(errno));
	char *b = malloc(ITEXT_FILE_MAX + 1);
	size_t n = b ? fread(b, 1, ITEXT_FILE_MAX + 1, f) : 0;
	bool bad = ferror(f);
	fclose(f);
	if (!b)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	if (bad || n > ITEXT_FILE_MAX) {
		free(b);
		return prolo_err_set(err, PROLO_EINVAL, "FILE", bad ? "cannot read '%s'" : "'%s' is larger than %d KiB",
		                     path, ITEXT_FILE_MAX / 1024);
	}
	*out = b;
	*len = n;
	return PROLO_OK;
}

static int load(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct cli_run r;
	char *text = NULL;
	size_t len = 0;
	memset(&r, 0, sizeof r);
	if (read_file(ca->pos[0], &text, &len, &r.err))
		return cli_fail(ctx, &r.err);
	int x = cli_begin(ctx, ca, &r);
	if (x) {
		free(text);
		return x;
	}
	struct store_itext t;
	enum prolo_code rc = app_instrument_load(&r.cx, cli_get(ca, "clinic"), text, len, &t, &r.err);
	free(text);
	if (!rc) {
		if (ctx->json)
			cli_print_json(ctx, json_pack("{s:s,s:s,s:s,s:s,s:s}", "clinic", t.clinic, "instrument",
			                              dom_instrument_names[t.instrument], "version", t.version,
			                              "language", t.language, "loaded_at", t.loaded_at));
		else
			fprintf(ctx->out, "loaded the %s wording (version %s, language %s) for clinic %s: %d items\n",
			        dom_instrument_names[t.instrument], t.version, t.language, t.clinic,
			        instr_info((enum instrument)t.instrument)->n_items);
		free(t.body);
	}
	return cli_end(ctx, &r, rc);
}

struct list_out {
	struct cli_ctx *ctx;
	json_t *arr;
	int n;
};

static enum prolo_code list_row(void *p, const struct store_itext *t, struct prolo_err *err)
{
	struct list_out *l = p;
	const char *name = t->instrument >= 0 ? dom_instrument_names[t->instrument] : "?";
	if (l->arr)
		json_array_append_new(l->arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "clinic", t->clinic, "instrument",
		                                        name, "version", t->version, "language", t->language,
		                                        "loaded_by", t->loaded_by, "loaded_at", t->loaded_at));
	else
		fprintf(l->ctx->out, "%-8s %-10s %-24s %-6s %s by %s\n", t->clinic, name, t->version, t->language,
		        t->loaded_at, t->loaded_by);
	l->n++;
	return PROLO_OK;
}

static int list(struct cli_ctx *ctx, const struct cli_args *ca)
{
	struct cli_run r;
	int x = cli_begin(ctx, ca, &r);
	if (x)
		return x;
	struct list_out l = { ctx, ctx->json ? json_array() : NULL, 0 };
	enum prolo_code rc = app_instrument_list(&r.cx, cli_get(ca, "clinic"), list_row, &l, &r.err);
	if (!rc && l.arr)
		cli_print_json(ctx, json_pack("{s:o}", "wordings", l.arr));
	else if (l.arr)
		json_decref(l.arr);
	else if (!rc && l.n == 0)
		fprintf(ctx->out, "no wording loaded: questionnaires other than NRS and VAS show item numbers only "
		                  "(load one with: prolo instrument load FILE --clinic C)\n");
	return cli_end(ctx, &r, rc);
}

static void print_described(struct cli_ctx *ctx, const json_t *d)
{
	fprintf(ctx->out, "%s: %s\n", json_string_value(json_object_get(d, "instrument")),
	        json_string_value(json_object_get(d, "title")));
	fprintf(ctx->out, "  %lld items, answers %lld to %lld; score %g to %g %s (%s is worse)\n",
	        json_integer_value(json_object_get(d, "items")), json_integer_value(json_object_get(d, "answer_min")),
	        json_integer_value(json_object_get(d, "answer_max")), json_real_value(json_object_get(d, "score_min")),
	        json_real_value(json_object_get(d, "score_max")), json_string_value(json_object_get(d, "unit")),
	        json_is_true(json_object_get(d, "higher_is_worse")) ? "higher" : "lower");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d, "subscales"), i, v)
		fprintf(ctx->out, "  subscale %-10s items %lld-%lld, 0 to %g\n", json_string_value(json_object_get(v, "name")),
		        json_integer_value(json_object_get(v, "first_item")),
		        json_integer_value(json_object_get(v, "last_item")), json_real_value(json_object_get(v, "max")));
	const json_t *w = json_object_get(d, "wording");
	if (json_is_object(w))
		fprintf(ctx->out, "  wording: version %s, language %s; licence: %s\n",
		        json_string_value(json_object_get(w, "version")), json_string_value(json_object_get(w, "language")),
		        json_string_value(json_object_get(w, "licence")));
	else if (strcmp(json_string_value(json_object_get(d, "wording_source")), "none") == 0)
		fprintf(ctx->out, "  wording: not loaded; the patient page shows item numbers only\n");
	json_array_foreach(json_object_get(d, "item_texts"), i, v) {
		const char *t = json_string_value(json_object_get(v, "text"));
		fprintf(ctx->out, "  %3zu. %s\n", i + 1, t ? t : "(wording not loaded)");
	}
}

static int show(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *clinic = cli_get(ca, "clinic");
	struct cli_run r;
	memset(&r, 0, sizeof r);
	if (clinic) { /* the structure alone needs no registry */
		int x = cli_begin(ctx, ca, &r);
		if (x)
			return x;
	} else {
		app_ctx_local(&r.cx, NULL, NULL);
	}
	json_t *d = NULL;
	enum prolo_code rc = app_instrument_describe(&r.cx, clinic, ca->pos[0], &d, &r.err);
	if (!rc && ctx->json)
		cli_print_json(ctx, d);
	else if (!rc)
		print_described(ctx, d);
	if (!ctx->json)
		json_decref(d);
	if (clinic)
		return cli_end(ctx, &r, rc);
	return rc ? cli_fail(ctx, &r.err) : 0;
}

int cli_instrument(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const char *verb = ca->cmd->verb;
	if (strcmp(verb, "load") == 0)
		return load(ctx, ca);
	if (strcmp(verb, "list") == 0)
		return list(ctx, ca);
	return show(ctx, ca);
}
