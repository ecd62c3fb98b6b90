/* prolo init and the recording command groups (patient, course, session,
 * outcome, ae): add | list | show, plus course end. Options are the field
 * names of core/records.c (--patient_id or --patient-id), so the CLI accepts
 * exactly what the CSV and the API accept, checked by the same code. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_plan.h"
#include "core/instruments.h"
#include "core/rec_json.h"
#include "app/app.h"
#include "store/store.h"

/* ---- shared helpers ---------------------------------------------------- */

static int open_store(struct cli_ctx *ctx, int flags, struct store **st)
{
	struct prolo_err err = { 0 };
	if (store_open(ctx->db_path, flags, st, &err))
		return cli_fail(ctx, &err);
	return 0;
}

/* "--patient-id" -> "patient_id" into out. */
static void option_name(const char *arg, char *out, size_t outsz)
{
	size_t j = 0;
	for (const char *p = arg + 2; *p && *p != '=' && j + 1 < outsz; p++)
		out[j++] = *p == '-' ? '_' : *p;
	out[j] = '\0';
}

int cli_parse_fields(struct cli_ctx *ctx, enum rec_kind kind, void *rec, int argc, char **argv,
                     bool *used, uint64_t *set)
{
	for (int i = 1; i < argc; i++) {
		if (used[i] || strncmp(argv[i], "--", 2) != 0)
			continue;
		char name[64];
		option_name(argv[i], name, sizeof name);
		const struct field_def *f = rec_field(kind, name, strlen(name));
		if (!f)
			return cli_usage(ctx, "unknown option '%s' for %s", argv[i], rec_tables[kind].name);
		const char *eq = strchr(argv[i], '=');
		const char *v;
		if (eq) {
			v = eq + 1;
			used[i] = true;
		} else {
			if (i + 1 >= argc)
				return cli_usage(ctx, "%s needs a value", argv[i]);
			v = argv[i + 1];
			used[i] = used[i + 1] = true;
			i++;
		}
		struct prolo_err err = { 0 };
		if (rec_set(kind, rec, f, v, strlen(v), &err))
			return cli_fail(ctx, &err);
		if (set)
			*set |= 1ull << (f - rec_tables[kind].fields);
	}
	return 0;
}

/* "field: value" lines for a person. */
static void print_record(struct cli_ctx *ctx, enum rec_kind kind, const void *rec, const char *indent)
{
	const struct rec_table *t = &rec_tables[kind];
	struct buf b = { 0 };
	for (int i = 0; i < t->n_fields; i++) {
		if (!rec_has(rec, &t->fields[i]))
			continue;
		buf_reset(&b);
		rec_format(rec, &t->fields[i], &b);
		fprintf(ctx->out, "%s%-24s %s\n", indent, t->fields[i].name, buf_str(&b));
	}
	buf_free(&b);
}

/* The columns of a list for a person, with widths. */
static const struct {
	const char *cols[8];
	int width[8];
} list_cols[REC__COUNT] = {
	[REC_PATIENT] = { { "patient_id", "clinic", "sex", "birth_year", "last_name", "first_name" },
	                  { 12, 8, 8, 10, 16, 16 } },
	[REC_COURSE] = { { "course_id", "patient_id", "modality", "condition", "start_date",
	                   "planned_sessions", "status" },
	                 { 12, 12, 10, 16, 11, 8, 12 } },
	[REC_SESSION] = { { "course_id", "session_no", "date", "proliferant", "concentration_pct",
	                    "volume_ml", "clinician" },
	                  { 12, 4, 11, 12, 6, 7, 16 } },
	[REC_INJECTION] = { { "course_id", "session_no", "seq", "site", "side", "volume_ml", "guidance" },
	                    { 12, 4, 4, 24, 10, 7, 12 } },
	[REC_OUTCOME] = { { "course_id", "date", "instrument", "source", "score", "items" },
	                  { 12, 11, 10, 8, 8, 30 } },
	[REC_AE] = { { "course_id", "seq", "date", "kind", "duration_days", "grade", "seriousness" },
	             { 12, 4, 11, 14, 5, 5, 14 } },
};

struct list_ctx {
	struct cli_ctx *cli;
	enum rec_kind kind;
	json_t *arr; /* --json */
	struct buf line;
	long n;
};

static void list_header(struct cli_ctx *ctx, enum rec_kind kind)
{
	for (int c = 0; c < 8 && list_cols[kind].cols[c]; c++) {
		const char *name = list_cols[kind].cols[c];
		int w = list_cols[kind].width[c];
		fprintf(ctx->out, "%-*.*s ", w, w, name);
	}
	fputc('\n', ctx->out);
}

static enum prolo_code list_row(void *p, const void *rec, struct prolo_err *err)
{
	struct list_ctx *l = p;
	l->n++;
	if (l->arr) {
		json_t *o = rec_to_json(l->kind, rec, false, false);
		if (!o || json_array_append_new(l->arr, o))
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		return PROLO_OK;
	}
	if (l->n == 1)
		list_header(l->cli, l->kind);
	buf_reset(&l->line);
	for (int c = 0; c < 8 && list_cols[l->kind].cols[c]; c++) {
		const char *name = list_cols[l->kind].cols[c];
		const struct field_def *f = rec_field(l->kind, name, strlen(name));
		size_t before = l->line.len;
		rec_format(rec, f, &l->line);
		size_t w = l->line.len - before;
		for (size_t k = w; k < (size_t)list_cols[l->kind].width[c] + 1; k++)
			buf_addc(&l->line, ' ');
		if (w >= (size_t)list_cols[l->kind].width[c] + 1)
			buf_addc(&l->line, ' ');
	}
	fprintf(l->cli->out, "%s\n", buf_str(&l->line));
	return PROLO_OK;
}

/* "GROUP list": the list use case (app/lists.c) over the options, its
 * rows printed as they come. */
static int list_filtered(struct cli_ctx *ctx, enum rec_kind kind, const struct cli_args *ca)
{
	struct app_list_in in = { .kind = kind, .clinic = cli_get(ca, "clinic"), .patient_id = cli_get(ca, "patient"),
	                          .course_id = cli_get(ca, "course"), .search = cli_get(ca, "search") };
	int x = cli_opt_int(ctx, ca, "limit", "limit", &in.limit);
	struct cli_run r;
	if (x || (x = cli_begin(ctx, ca, &r)))
		return x;
	struct list_ctx l = { .cli = ctx, .kind = kind };
	if (ctx->json)
		l.arr = json_array();
	enum prolo_code rc = app_record_list(&r.cx, &in, list_row, &l, &r.err);
	buf_free(&l.line);
	if ((x = cli_end(ctx, &r, rc))) {
		json_decref(l.arr);
		return x;
	}
	if (l.arr)
		cli_print_json(ctx, l.arr);
	else if (l.n == 0) {
		list_header(ctx, kind);
		fprintf(ctx->out, "(none)\n");
	}
	/* A clinic's list stops at its limit: say so, so that a full page is
	 * not taken for the whole registry. */
	int limit = in.limit == APP_INT_NONE ? APP_LIST_DEFAULT : in.limit;
	if (!in.patient_id && !in.course_id && l.n >= limit)
		fprintf(ctx->errs, "(%ld shown, the limit: there may be more; --limit N shows up to %d, prolo export csv every record)\n", l.n,
		        APP_LIST_MAX);
	return 0;
}

/* "kind:id" as the audit log names records (the same form as the API). */
static void audit_record(enum rec_kind kind, const void *rec, char *out, size_t outsz)
{
	static const char *const names[REC__COUNT] = { "patient", "course", "session", "injection",
	                                               "outcome", "adverse_event" };
	char d[11];
	switch (kind) {
	case REC_PATIENT:
		snprintf(out, outsz, "patient:%s", ((const struct patient *)rec)->patient_id);
		return;
	case REC_COURSE:
		snprintf(out, outsz, "course:%s", ((const struct course *)rec)->course_id);
		return;
	case REC_SESSION:
		snprintf(out, outsz, "session:%s/%d", ((const struct session *)rec)->course_id,
		         (int)((const struct session *)rec)->session_no);
		return;
	case REC_OUTCOME:
		dom_date_format(((const struct outcome *)rec)->date, d);
		snprintf(out, outsz, "outcome:%s/%s/%s%s", ((const struct outcome *)rec)->course_id, d,
		         dom_instrument_names[((const struct outcome *)rec)->instrument],
		         ((const struct outcome *)rec)->source == OSRC_PATIENT ? "/patient" : "");
		return;
	case REC_AE:
		snprintf(out, outsz, "adverse_event:%s/%d", ((const struct adverse_event *)rec)->course_id,
		         (int)((const struct adverse_event *)rec)->seq);
		return;
	default:
		snprintf(out, outsz, "%s:%s", names[kind], (const char *)rec);
		return;
	}
}

/* Audits a read of one record; prints the error and returns its exit status,
 * or 0. */
static int audit_read(struct cli_ctx *ctx, struct store *st, enum rec_kind kind, const void *rec)
{
	static const char *const actions[REC__COUNT] = { "patient.read", "course.read", "session.read",
	                                                 "injection.read", "outcome.read", "adverse_event.read" };
	char record[2 * REC_ID_MAX + 48];
	struct prolo_err err = { 0 };
	audit_record(kind, rec, record, sizeof record);
	if (cli_audit_event(st, actions[kind], record, "", &err))
		return cli_fail(ctx, &err);
	return 0;
}

/* The patients a registration may repeat, after its refusal (stderr). */
/* Records one patient, assessment or adverse event through its use case,
 * then prints it. */
static int add_one(struct cli_ctx *ctx, enum rec_kind kind, void *rec, bool confirm)
{
	struct store *st = NULL;
	int rcx = open_store(ctx, 0, &st);
	if (rcx)
		return rcx;
	struct prolo_err err = { 0 };
	struct app_ctx cx;
	app_ctx_local(&cx, st, NULL);
	cx.confirm = confirm;
	struct app_dups dups;
	enum prolo_code rc = kind == REC_PATIENT ? app_patient_add(&cx, rec, &dups, &err)
	                   : kind == REC_OUTCOME ? app_outcome_add(&cx, rec, &err)
	                                         : app_ae_add(&cx, rec, &err);
	app_ctx_flush(&cx);
	if (rc == PROLO_ECONFIRM && kind == REC_PATIENT && !ctx->json)
		cli_print_dups(ctx->errs, &dups, "possible duplicates (register anyway with --confirm):");
	store_close(st);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json)
		cli_print_json(ctx, rec_to_json(kind, rec, false, false));
	else {
		fprintf(ctx->out, "added %s\n", rec_tables[kind].name);
		print_record(ctx, kind, rec, "  ");
	}
	return 0;
}

void cli_record_help(FILE *f, const char *group)
{
	static const struct {
		const char *group;
		enum rec_kind kind;
	} groups[] = { { "patient", REC_PATIENT }, { "course", REC_COURSE }, { "session", REC_SESSION },
	               { "outcome", REC_OUTCOME }, { "ae", REC_AE } };
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		if (strcmp(group, groups[g].group) != 0)
			continue;
		const struct rec_table *t = &rec_tables[groups[g].kind];
		fprintf(f, "\nfields (--name VALUE; * = required):\n");
		for (int i = 0; i < t->n_fields; i++)
			fprintf(f, "  --%-24s %s%s\n", t->fields[i].name, t->fields[i].required ? "* " : "",
			        t->fields[i].help);
		if (groups[g].kind == REC_SESSION) {
			t = &rec_tables[REC_INJECTION];
			fprintf(f, "\n--injection keys (key=value,...):\n");
			for (int i = 3; i < t->n_fields; i++)
				fprintf(f, "  %-26s %s\n", t->fields[i].name, t->fields[i].help);
		}
	}
}

/* ---- init ------------------------------------------------------------------ */

int cli_init(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	int x = 0;
	struct store *st = NULL;
	if ((x = open_store(ctx, STORE_CREATE, &st)))
		return x;
	int v = store_schema_version(st);
	store_close(st);
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s,s:i}", "db", ctx->db_path, "schema_version", v));
	else
		fprintf(ctx->out, "created registry %s (schema version %d)\n", ctx->db_path, v);
	return 0;
}

/* ---- show helpers ---------------------------------------------------------- */

struct collect {
	enum rec_kind kind;
	json_t *arr;
	struct cli_ctx *cli;
	const char *indent;
};

static enum prolo_code collect_row(void *p, const void *rec, struct prolo_err *err)
{
	struct collect *c = p;
	if (c->arr) {
		json_t *o = rec_to_json(c->kind, rec, false, false);
		if (c->kind == REC_SESSION && o) {
			char label[32];
			rec_session_paw(rec, label, sizeof label);
			if (label[0])
				json_object_set_new(o, "prp_paw", json_string(label));
			rec_session_mishra(rec, label, sizeof label);
			if (label[0])
				json_object_set_new(o, "prp_mishra", json_string(label));
		}
		if (!o || json_array_append_new(c->arr, o))
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		return PROLO_OK;
	}
	fprintf(c->cli->out, "%s-\n", c->indent);
	print_record(c->cli, c->kind, rec, c->indent);
	if (c->kind == REC_SESSION) {
		char label[32];
		rec_session_paw(rec, label, sizeof label);
		if (label[0])
			fprintf(c->cli->out, "%s%-24s %s\n", c->indent, "prp_paw (derived)", label);
		rec_session_mishra(rec, label, sizeof label);
		if (label[0])
			fprintf(c->cli->out, "%s%-24s %s\n", c->indent, "prp_mishra (derived)", label);
	}
	return PROLO_OK;
}

static enum prolo_code history_row(void *p, const char *at, const char *event, const char *detail,
                                   struct prolo_err *err)
{
	struct collect *c = p;
	if (c->arr) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "at", at, "event", event, "detail", detail);
		if (!o || json_array_append_new(c->arr, o))
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		return PROLO_OK;
	}
	fprintf(c->cli->out, "%s%s  %-10s %s\n", c->indent, at, event, detail);
	return PROLO_OK;
}

/* Children of a course, under "sessions", "outcomes", ... */
static enum prolo_code show_children(struct cli_ctx *ctx, struct store *st, const char *course_id,
                                     json_t *obj, struct prolo_err *err)
{
	static const struct {
		enum rec_kind kind;
		const char *key;
	} kids[] = { { REC_SESSION, "sessions" }, { REC_INJECTION, "injections" },
	             { REC_OUTCOME, "outcomes" }, { REC_AE, "adverse_events" } };
	struct store_filter f = { .course_id = course_id };
	for (size_t k = 0; k < sizeof kids / sizeof kids[0]; k++) {
		struct collect c = { kids[k].kind, obj ? json_array() : NULL, ctx, "    " };
		if (!obj)
			fprintf(ctx->out, "  %s:\n", kids[k].key);
		enum prolo_code rc = store_scan(st, kids[k].kind, &f, collect_row, &c, err);
		if (rc) {
			json_decref(c.arr);
			return rc;
		}
		if (obj)
			json_object_set_new(obj, kids[k].key, c.arr);
	}
	struct collect h = { REC_COURSE, obj ? json_array() : NULL, ctx, "    " };
	if (!obj)
		fprintf(ctx->out, "  history:\n");
	enum prolo_code rc = store_course_history_scan(st, course_id, history_row, &h, err);
	if (obj)
		json_object_set_new(obj, "history", h.arr);
	return rc;
}

/* The course's warnings (app_course_warnings: an open course's), under
 * "warnings" when there are any, as the API's chart gives them. */
static enum prolo_code show_warnings(struct cli_ctx *ctx, struct store *st, const char *course_id, json_t *obj,
                                     struct prolo_err *err)
{
	struct app_ctx cx;
	json_t *w = NULL, *v;
	size_t i;
	app_ctx_local(&cx, st, NULL);
	enum prolo_code rc = app_course_warnings(&cx, course_id, &w, err);
	app_ctx_flush(&cx);
	if (rc || !json_array_size(w)) {
		json_decref(w);
		return rc;
	}
	if (obj) /* takes w over */
		return json_object_set_new(obj, "warnings", w) ? prolo_err_set(err, PROLO_ENOMEM, "", "out of memory")
		                                               : PROLO_OK;
	fprintf(ctx->out, "  warnings:\n");
	json_array_foreach(w, i, v)
		fprintf(ctx->out, "    %s  %-5s %s: %s (by %s)\n", json_string_value(json_object_get(v, "raised_on")),
		        json_string_value(json_object_get(v, "severity")), json_string_value(json_object_get(v, "rule")),
		        json_string_value(json_object_get(v, "message")), json_string_value(json_object_get(v, "by")));
	json_decref(w);
	return PROLO_OK;
}

/* ---- patient ---------------------------------------------------------------- */

static int show_patient(struct cli_ctx *ctx, const char *id)
{
	struct store *st = NULL;
	int x = open_store(ctx, 0, &st);
	if (x)
		return x;
	struct prolo_err err = { 0 };
	struct patient p;
	struct app_ctx cx;
	app_ctx_local(&cx, st, NULL);
	/* Through the use case's read: a merged patient's id leads to the survivor. */
	if (app_load_patient(&cx, CAN_PATIENT_GET, id, &p, &err)) {
		store_close(st);
		return cli_fail(ctx, &err);
	}
	if ((x = audit_read(ctx, st, REC_PATIENT, &p))) {
		store_close(st);
		return x;
	}
	if (strcmp(p.patient_id, id) != 0 && !ctx->json)
		fprintf(ctx->out, "(patient %s was merged into %s)\n", id, p.patient_id);
	struct store_filter f = { .patient_id = p.patient_id };
	struct collect c = { REC_COURSE, NULL, ctx, "    " };
	enum prolo_code rc;
	if (ctx->json) {
		json_t *o = json_object();
		json_object_set_new(o, "patient", rec_to_json(REC_PATIENT, &p, false, false));
		c.arr = json_array();
		rc = store_scan(st, REC_COURSE, &f, collect_row, &c, &err);
		json_object_set_new(o, "courses", c.arr);
		if (!rc)
			cli_print_json(ctx, o);
		else
			json_decref(o);
	} else {
		fprintf(ctx->out, "patient %s\n", p.patient_id);
		print_record(ctx, REC_PATIENT, &p, "  ");
		fprintf(ctx->out, "  courses:\n");
		rc = store_scan(st, REC_COURSE, &f, collect_row, &c, &err);
	}
	store_close(st);
	return rc ? cli_fail(ctx, &err) : 0;
}

static int session_add(struct cli_ctx *ctx, struct session *s, const struct cli_args *ca);

/* Dispatches "GROUP add|list|show" by the group's table; add takes the
 * record's fields as options. show gets the positional arguments. */
static int group(struct cli_ctx *ctx, enum rec_kind kind, const struct cli_args *ca, int argc,
                 char **argv, int (*show)(struct cli_ctx *, const struct cli_args *))
{
	int x = 0;
	const struct cli_command *cmd = ca->cmd;
	if (strcmp(cmd->verb, "list") == 0)
		return list_filtered(ctx, kind, ca);
	if (strcmp(cmd->verb, "show") == 0)
		return show(ctx, ca);
	void *rec = malloc(rec_tables[kind].size);
	if (!rec)
		return 5;
	rec_init(kind, rec);
	/* Courses are planned: protocol, contraindications, overrides
	 * (src/cli/cli_protocol.c). */
	struct cli_plan_opts po = { 0 };
	if (kind == REC_COURSE)
		x = cli_plan_values(ctx, cli_get(ca, "protocols"), cli_get(ca, "baseline-nrs"),
		                    cli_get(ca, "pain-months"), &po);
	ca->field[0] = ca->field[1] = true;
	if (!x)
		x = cli_parse_fields(ctx, kind, rec, argc, argv, ca->field, NULL);
	if (!x && kind == REC_COURSE)
		x = cli_course_add_planned(ctx, rec, &po);
	else if (!x && kind == REC_SESSION)
		x = session_add(ctx, rec, ca);
	else if (!x)
		x = add_one(ctx, kind, rec, kind != REC_AE && cli_has(ca, "confirm"));
	free(rec);
	return x;
}

static int patient_show(struct cli_ctx *ctx, const struct cli_args *ca)
{
	return show_patient(ctx, ca->pos[0]);
}

int cli_patient(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return cli_patient_report(ctx, ca, argc, argv); /* src/cli/cli_patient_report.c */
	if (argc >= 2 && cli_life_verb(argv[1]))
		return cli_life(ctx, REC_PATIENT, ca, argc, argv); /* src/cli/cli_amend.c */
	if (argc >= 2 && (strcmp(argv[1], "merge") == 0 || strcmp(argv[1], "unmerge") == 0))
		return cli_patient_merge(ctx, ca, argc, argv); /* src/cli/cli_patients.c */
	if (argc >= 2 && strcmp(argv[1], "duplicates") == 0)
		return cli_patient_duplicates(ctx, ca);
	return group(ctx, REC_PATIENT, ca, argc, argv, patient_show);
}

/* ---- course ------------------------------------------------------------------ */

static int course_show(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *id = ca->pos[0];
	int x;
	struct store *st = NULL;
	if ((x = open_store(ctx, 0, &st)))
		return x;
	struct prolo_err err = { 0 };
	struct course c;
	rec_init(REC_COURSE, &c);
	enum prolo_code rc = rec_set(REC_COURSE, &c, rec_field(REC_COURSE, "course_id", 9), id, strlen(id), &err);
	if (!rc)
		rc = store_get(st, REC_COURSE, &c, &err);
	if (!rc && (x = audit_read(ctx, st, REC_COURSE, &c))) {
		store_close(st);
		return x;
	}
	if (!rc) {
		if (ctx->json) {
			json_t *o = rec_to_json(REC_COURSE, &c, false, false);
			rc = show_children(ctx, st, c.course_id, o, &err);
			if (!rc)
				rc = show_warnings(ctx, st, c.course_id, o, &err);
			if (!rc)
				cli_print_json(ctx, o);
			else
				json_decref(o);
		} else {
			fprintf(ctx->out, "course %s\n", c.course_id);
			print_record(ctx, REC_COURSE, &c, "  ");
			rc = show_children(ctx, st, c.course_id, NULL, &err);
			if (!rc)
				rc = show_warnings(ctx, st, c.course_id, NULL, &err);
		}
	}
	store_close(st);
	return rc ? cli_fail(ctx, &err) : 0;
}

static int course_end(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *status = cli_get(ca, "status");
	const char *date = cli_get(ca, "end_date");
	const char *reason = cli_get(ca, "reason");
	const char *id = ca->pos[0];
	int x;
	struct prolo_err err = { 0 };
	struct app_course_end_in in = { .course_id = id, .status = status, .reason = reason,
	                                 .end_date = DOM_DATE_NONE };
	if (date && !dom_date_parse(date, strlen(date), &in.end_date)) {
		prolo_err_set(&err, PROLO_EINVAL, "end_date", "'%s' is not a valid date (YYYY-MM-DD)", date);
		return cli_fail(ctx, &err);
	}
	struct store *st = NULL;
	if ((x = open_store(ctx, 0, &st)))
		return x;
	struct app_ctx cx;
	struct course c;
	app_ctx_local(&cx, st, NULL);
	enum prolo_code rc = app_course_end(&cx, &in, &c, &err);
	app_ctx_flush(&cx);
	store_close(st);
	if (rc)
		return cli_fail(ctx, &err);
	char ds[11];
	dom_date_format(c.end_date, ds);
	if (ctx->json)
		cli_print_json(ctx, json_pack("{s:s,s:s,s:s}", "course_id", c.course_id, "status",
		                              dom_status_names[c.status], "end_date", ds));
	else
		fprintf(ctx->out, "course %s ended: %s on %s\n", c.course_id, dom_status_names[c.status], ds);
	return 0;
}

int cli_course(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "end") == 0)
		return course_end(ctx, ca);
	if (argc >= 2 && cli_life_verb(argv[1]))
		return cli_life(ctx, REC_COURSE, ca, argc, argv); /* src/cli/cli_amend.c */
	return group(ctx, REC_COURSE, ca, argc, argv, course_show);
}

/* ---- session ----------------------------------------------------------------- */

#define MAX_INJECTIONS 50

/* "site=L5-S1,side=left,volume_ml=2" -> injection fields. */
int cli_parse_injection(struct cli_ctx *ctx, const char *spec, int idx, struct injection *in)
{
	rec_init(REC_INJECTION, in);
	const char *p = spec;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		struct prolo_err err = { 0 };
		if (!eq)
			return cli_usage(ctx, "--injection %d: expected key=value pairs separated by commas", idx);
		const struct field_def *f = rec_field(REC_INJECTION, p, (size_t)(eq - p));
		if (!f || strcmp(f->name, "course_id") == 0 || strcmp(f->name, "session_no") == 0) {
			prolo_err_set(&err, PROLO_EINVAL, "injection",
			              "injection %d: unknown key '%.*s'", idx, (int)(eq - p), p);
			return cli_fail(ctx, &err);
		}
		if (rec_set(REC_INJECTION, in, f, eq + 1, len - (size_t)(eq - p) - 1, &err)) {
			char msg[sizeof err.msg];
			snprintf(msg, sizeof msg, "injection %d: %s", idx, err.msg);
			snprintf(err.msg, sizeof err.msg, "%s", msg);
			return cli_fail(ctx, &err);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Records session s (its fields parsed) with the injections of its
 * --injection options. Returns an exit status. */
static int session_add(struct cli_ctx *ctx, struct session *s, const struct cli_args *ca)
{
	struct injection *inj = calloc(MAX_INJECTIONS, sizeof *inj);
	int n_inj = 0, x = 0;
	if (!inj)
		return 5;
	for (int i = 0; i < ca->n_multi && !x; i++) {
		if (n_inj >= MAX_INJECTIONS)
			x = cli_usage(ctx, "at most %d injections per session", MAX_INJECTIONS);
		else
			x = cli_parse_injection(ctx, ca->multi[i], n_inj + 1, &inj[n_inj]);
		n_inj++;
	}
	/* The protocols (--protocols) for the concentration check. */
	struct cli_run r;
	if (!x && !(x = cli_begin(ctx, ca, &r))) {
		r.cx.confirm = cli_has(ca, "confirm");
		x = cli_end(ctx, &r, app_session_add(&r.cx, s, inj, (size_t)n_inj, &r.err));
	}
	if (!x) {
		if (ctx->json) {
			json_t *o = rec_to_json(REC_SESSION, s, false, false);
			json_t *a = json_array();
			for (int i = 0; i < n_inj; i++)
				json_array_append_new(a, rec_to_json(REC_INJECTION, &inj[i], false, false));
			json_object_set_new(o, "injections", a);
			cli_print_json(ctx, o);
		} else {
			fprintf(ctx->out, "added session %d of course %s with %d injection%s\n", s->session_no,
			        s->course_id, n_inj, n_inj == 1 ? "" : "s");
		}
	}
	free(inj);
	return x;
}

static int session_show(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *cid = ca->pos[0];
	const char *no = ca->pos[1];
	int x;
	struct prolo_err err = { 0 };
	struct session s;
	rec_init(REC_SESSION, &s);
	if (rec_set(REC_SESSION, &s, rec_field(REC_SESSION, "course_id", 9), cid, strlen(cid), &err) ||
	    rec_set(REC_SESSION, &s, rec_field(REC_SESSION, "session_no", 10), no, strlen(no), &err))
		return cli_fail(ctx, &err);
	struct store *st = NULL;
	if ((x = open_store(ctx, 0, &st)))
		return x;
	enum prolo_code rc = store_get(st, REC_SESSION, &s, &err);
	if (!rc && (x = audit_read(ctx, st, REC_SESSION, &s))) {
		store_close(st);
		return x;
	}
	struct store_filter f = { .course_id = s.course_id, .session_no = s.session_no };
	if (!rc) {
		struct collect c = { REC_INJECTION, ctx->json ? json_array() : NULL, ctx, "    " };
		json_t *o = NULL;
		if (ctx->json) {
			struct collect one = { REC_SESSION, json_array(), ctx, "" };
			collect_row(&one, &s, &err);
			o = json_incref(json_array_get(one.arr, 0));
			json_decref(one.arr);
		} else {
			fprintf(ctx->out, "session %d of course %s\n", s.session_no, s.course_id);
			struct collect one = { REC_SESSION, NULL, ctx, "  " };
			collect_row(&one, &s, &err);
			fprintf(ctx->out, "  injections:\n");
		}
		rc = store_scan(st, REC_INJECTION, &f, collect_row, &c, &err);
		if (o) {
			json_object_set_new(o, "injections", c.arr);
			if (!rc)
				cli_print_json(ctx, o);
			else
				json_decref(o);
		}
	}
	store_close(st);
	return rc ? cli_fail(ctx, &err) : 0;
}

int cli_session(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	if (argc >= 2 && cli_life_verb(argv[1]))
		return cli_life(ctx, REC_SESSION, ca, argc, argv); /* src/cli/cli_amend.c */
	return group(ctx, REC_SESSION, ca, argc, argv, session_show);
}

/* ---- outcome and adverse events: shown by their key ------------------------ */

/* "GROUP show KEY..." for a record read whole by its key fields, given in
 * order on the command line. */
/* An assessment's scoring as the chart gives it (outcome_scoring_describe):
 * "range", "subscales", "not_scorable_reason", "partial_reason". */
static void add_scoring(json_t *o, const struct outcome *rec)
{
	struct outcome_scoring sc;
	outcome_scoring_describe(rec, &sc);
	const struct instr_info *in = sc.info;
	json_t *subs = json_array();
	for (int s = 0; subs && s < in->n_subscales; s++)
		json_array_append_new(subs, json_pack("{s:s,s:f,s:o}", "name", in->subscale_names[s], "max", in->sub_max[s],
		                                      "score", isnan(sc.sub[s]) ? json_null() : json_real(sc.sub[s])));
	json_object_set_new(o, "range", json_pack("{s:f,s:f,s:s,s:b}", "min", in->score_min, "max", in->score_max,
	                                          "unit", in->unit, "higher_is_worse", in->higher_is_worse));
	json_object_set_new(o, "subscales", subs);
	json_object_set_new(o, "not_scorable_reason",
	                    sc.not_scorable_reason[0] ? json_string(sc.not_scorable_reason) : json_null());
	json_object_set_new(o, "partial_reason", sc.partial_reason[0] ? json_string(sc.partial_reason) : json_null());
}

static void print_scoring(struct cli_ctx *ctx, const struct outcome *rec)
{
	struct outcome_scoring sc;
	outcome_scoring_describe(rec, &sc);
	for (int s = 0; s < sc.info->n_subscales; s++) {
		if (isnan(sc.sub[s]))
			fprintf(ctx->out, "subscale %-20s not scored (of %g)\n", sc.info->subscale_names[s], sc.info->sub_max[s]);
		else
			fprintf(ctx->out, "subscale %-20s %g of %g\n", sc.info->subscale_names[s], sc.sub[s], sc.info->sub_max[s]);
	}
	if (sc.not_scorable_reason[0])
		fprintf(ctx->out, "not scorable: %s\n", sc.not_scorable_reason);
	if (sc.partial_reason[0])
		fprintf(ctx->out, "partly scored: %s\n", sc.partial_reason);
}

static int show_by_key(struct cli_ctx *ctx, enum rec_kind kind, const char *const *keys, int n_keys,
                       const struct cli_args *ca)
{
	int x;
	struct prolo_err err = { 0 };
	union {
		struct outcome o;
		struct adverse_event a;
	} rec;
	rec_init(kind, &rec);
	for (int k = 0; k < n_keys && k < ca->n_pos; k++)
		if (rec_set(kind, &rec, rec_field(kind, keys[k], strlen(keys[k])), ca->pos[k], strlen(ca->pos[k]), &err))
			return cli_fail(ctx, &err);
	struct store *st = NULL;
	if ((x = open_store(ctx, 0, &st)))
		return x;
	enum prolo_code rc = store_get(st, kind, &rec, &err);
	if (!rc && (x = audit_read(ctx, st, kind, &rec))) {
		store_close(st);
		return x;
	}
	store_close(st);
	if (rc)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *o = rec_to_json(kind, &rec, false, false);
		if (o && kind == REC_OUTCOME)
			add_scoring(o, &rec.o);
		cli_print_json(ctx, o);
	} else {
		print_record(ctx, kind, &rec, "");
		if (kind == REC_OUTCOME)
			print_scoring(ctx, &rec.o);
	}
	return 0;
}

static int outcome_show(struct cli_ctx *ctx, const struct cli_args *ca)
{
	static const char *const keys[] = { "course_id", "date", "instrument", "source" };
	return show_by_key(ctx, REC_OUTCOME, keys, 4, ca);
}

int cli_outcome(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	if (argc >= 2 && cli_life_verb(argv[1]))
		return cli_life(ctx, REC_OUTCOME, ca, argc, argv); /* src/cli/cli_amend.c */
	return group(ctx, REC_OUTCOME, ca, argc, argv, outcome_show);
}

static int ae_show(struct cli_ctx *ctx, const struct cli_args *ca)
{
	static const char *const keys[] = { "course_id", "seq" };
	return show_by_key(ctx, REC_AE, keys, 2, ca);
}

int cli_ae(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	if (argc >= 2 && cli_life_verb(argv[1]))
		return cli_life(ctx, REC_AE, ca, argc, argv); /* src/cli/cli_amend.c */
	return group(ctx, REC_AE, ca, argc, argv, ae_show);
}
