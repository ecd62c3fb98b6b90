/* The command line's option tables (src/cli/cli_args.c): what a table
 * declares is what the parser accepts and what the usage shows, so the two
 * cannot drift. Also every table of every command group: each option is
 * accepted under its name and its usage line names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const struct cli_option opts[] = {
	{ "status", "STATE", "the end state", CLI_REQUIRED, NULL },
	{ "end_date", "YYYY-MM-DD", "when", 0, "date" },
	{ "dry-run", NULL, "nothing written", CLI_FLAG, NULL },
	{ "tag", "T", "repeatable", CLI_MULTI, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};

static const struct cli_command cmds[] = {
	{ "end", "ID", 1, 1, opts, "ends it", false },
	{ "add", NULL, 0, 0, NULL, "adds one", true },
	{ NULL, NULL, 0, 0, NULL, NULL, false },
};

static struct cli_ctx quiet(void)
{
	struct cli_ctx c = { .out = fopen("/dev/null", "w"), .errs = fopen("/dev/null", "w") };
	return c;
}

static void done(struct cli_ctx *c)
{
	fclose(c->out);
	fclose(c->errs);
}

static int parse(const char *const *line, struct cli_args *a)
{
	char *argv[32];
	int argc = 0;
	for (; line[argc]; argc++)
		argv[argc] = (char *)line[argc];
	struct cli_ctx c = quiet();
	const struct cli_command *cmd = cli_find(cmds, argc, argv);
	int rc = cmd ? cli_parse(&c, "thing", cmd, argc, argv, 2, a) : -1;
	done(&c);
	return rc;
}

static void test_values(void **state)
{
	(void)state;
	struct cli_args a;
	const char *line[] = { "thing", "end", "K1", "--status", "dropped", "--date=2025-01-02", "--dry_run",
	                       "--tag", "x", "--tag", "y", NULL };
	assert_int_equal(parse(line, &a), 0);
	assert_string_equal(a.pos[0], "K1");
	assert_string_equal(cli_get(&a, "status"), "dropped");
	assert_string_equal(cli_get(&a, "end_date"), "2025-01-02"); /* by its alias */
	assert_true(cli_has(&a, "dry-run"));                        /* '-' and '_' alike */
	assert_int_equal(a.n_multi, 2);
	assert_string_equal(a.multi[0], "x");
	assert_string_equal(a.multi[1], "y");
}

static void test_refusals(void **state)
{
	(void)state;
	struct cli_args a;
	const char *unknown[] = { "thing", "end", "K1", "--status", "x", "--colour", "red", NULL };
	const char *missing_value[] = { "thing", "end", "K1", "--status", NULL };
	const char *required[] = { "thing", "end", "K1", NULL };
	const char *flag_value[] = { "thing", "end", "K1", "--status", "x", "--dry-run=yes", NULL };
	const char *extra_arg[] = { "thing", "end", "K1", "K2", "--status", "x", NULL };
	const char *no_arg[] = { "thing", "end", "--status", "x", NULL };
	assert_int_equal(parse(unknown, &a), 2);
	assert_int_equal(parse(missing_value, &a), 2);
	assert_int_equal(parse(required, &a), 2);
	assert_int_equal(parse(flag_value, &a), 2);
	assert_int_equal(parse(extra_arg, &a), 2);
	assert_int_equal(parse(no_arg, &a), 2);
}

/* A command that takes a record's fields leaves unknown options to them. */
static void test_fields(void **state)
{
	(void)state;
	struct cli_args a;
	const char *line[] = { "thing", "add", "--patient_id", "P1", "--sex=male", NULL };
	assert_int_equal(parse(line, &a), 0);
	assert_non_null(a.field);
	assert_false(a.field[2]);
	assert_false(a.field[4]);
	free(a.field);
}

/* Every option of every group's table is accepted by its own name (a
 * value given where it takes one) and named by its usage. */
static void test_every_table(void **state)
{
	(void)state;
	static const struct {
		const char *group;
		const struct cli_command *cmds;
	} groups[] = {
		{ "init", cli_init_cmds }, { "patient", cli_patient_cmds }, { "course", cli_course_cmds },
		{ "session", cli_session_cmds }, { "outcome", cli_outcome_cmds }, { "ae", cli_ae_cmds },
		{ "import", cli_import_cmds }, { "export", cli_export_cmds }, { "simulate", cli_simulate_cmds },
		{ "demo", cli_demo_cmds }, { "report", cli_report_cmds }, { "serve", cli_serve_cmds },
		{ "audit", cli_audit_cmds }, { "protocol", cli_protocol_cmds }, { "alerts", cli_alerts_cmds },
		{ "condition", cli_condition_cmds }, { "backup", cli_backup_cmds }, { "user", cli_user_cmds },
		{ "schedule", cli_schedule_cmds }, { "contact", cli_contact_cmds }, { "followup", cli_followup_cmds },
		{ "outreach", cli_outreach_cmds },
	};
	int n_checked = 0;
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		char *usage = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&usage, &len);
		cli_print_usage(f, groups[g].group, groups[g].cmds);
		fclose(f);
		for (const struct cli_command *c = groups[g].cmds; c->help; c++) {
			for (int k = 0; c->opts && c->opts[k].name; k++) {
				const struct cli_option *o = &c->opts[k];
				char *argv[16];
				int argc = 0;
				char opt[64];
				snprintf(opt, sizeof opt, "--%s", o->name);
				argv[argc++] = (char *)groups[g].group;
				if (c->verb)
					argv[argc++] = (char *)c->verb;
				for (int p = 0; p < c->min_args; p++)
					argv[argc++] = (char *)"ARG";
				/* required options of the command, then this one */
				for (int r = 0; c->opts[r].name; r++)
					if ((c->opts[r].flags & CLI_REQUIRED) && r != k) {
						static char buf[8][64];
						snprintf(buf[r % 8], sizeof buf[0], "--%s", c->opts[r].name);
						argv[argc++] = buf[r % 8];
						argv[argc++] = (char *)"V";
					}
				argv[argc++] = opt;
				if (!(o->flags & CLI_FLAG))
					argv[argc++] = (char *)"V";
				struct cli_ctx cc = quiet();
				struct cli_args a;
				int rc = cli_parse(&cc, groups[g].group, c, argc, argv, c->verb ? 2 : 1, &a);
				done(&cc);
				free(a.field);
				if (rc != 0)
					fail_msg("%s %s: %s refused", groups[g].group, c->verb ? c->verb : "", opt);
				if (!strstr(usage, opt))
					fail_msg("%s: usage lacks %s", groups[g].group, opt);
				n_checked++;
			}
		}
		free(usage);
	}
	assert_true(n_checked > 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_every_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
