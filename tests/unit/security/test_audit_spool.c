/* The audit spool against a real registry file: spooled rows reach the
 * hash-chained log in order with every field intact (odd bytes included),
 * a crash at any point loses no acknowledged row and appends none twice,
 * a damaged file is refused with its line, and a second server is kept
 * off the registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "security/audit.h"
#include "security/audit_spool.h"
#include "store/store.h"

struct fx {
	char dir[64], path[96], active[128], sealed[128];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct prolo_err err;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/prolo-spool.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/r.db", fx->dir);
	snprintf(fx->active, sizeof fx->active, "%s-audit", fx->path);
	snprintf(fx->sealed, sizeof fx->sealed, "%s-audit.sealed", fx->path);
	if (store_open(fx->path, STORE_CREATE, &fx->st, &err))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];
	store_close(fx->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static void row(struct store_audit *e, const char *user, const char *action, const char *record,
                const char *detail)
{
	audit_row(e, user, action, record, "127.0.0.1", detail);
}

static void add(struct audit_spool *sp, const char *user, const char *record, const char *detail)
{
	struct store_audit e;
	struct prolo_err err;
	row(&e, user, "patient.read", record, detail);
	if (audit_spool_add(sp, &e, 1, NULL, &err))
		fail_msg("add: %s", err.msg);
}

static void drain(struct fx *fx, struct audit_spool *sp)
{
	struct prolo_err err;
	assert_int_equal(store_begin(fx->st, &err), PROLO_OK);
	if (audit_spool_drain(sp, fx->st, &err))
		fail_msg("drain: %s", err.msg);
	assert_int_equal(store_commit(fx->st, &err), PROLO_OK);
	audit_spool_settle(sp, true);
}

struct rows {
	struct store_audit e[16];
	int n;
};

static enum prolo_code keep(void *ctx, const struct store_audit *e, struct prolo_err *err)
{
	struct rows *r = ctx;
	(void)err;
	if (r->n < 16)
		r->e[r->n] = *e;
	r->n++;
	return PROLO_OK;
}

/* The log, oldest first, after checking its chain. */
static struct rows log_rows(struct fx *fx)
{
	struct rows r = { .n = 0 }, rev;
	struct prolo_err err;
	int64_t n, bad;
	if (store_audit_verify(fx->st, &n, &bad, NULL, &err))
		fail_msg("verify: %s", err.msg);
	struct store_audit_filter f = { .limit = 16 };
	assert_int_equal(store_audit_scan(fx->st, &f, keep, &r, &err), PROLO_OK);
	assert_int_equal(r.n, n);
	/* Row 1 is the store's own: the audit key was made (at STORE_CREATE). */
	assert_true(r.n >= 1);
	assert_string_equal(r.e[r.n - 1].action, "audit.key_created");
	r.n--;
	rev = r;
	for (int i = 0; i < r.n; i++)
		rev.e[i] = r.e[r.n - 1 - i];
	return rev;
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static void rows_reach_the_chain_in_order(void **state)
{
	struct fx *fx = *state;
	struct audit_spool *sp;
	struct prolo_err err;
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	assert_true(exists(fx->active));
	add(sp, "ann", "patient:P1", "chart");
	/* Every byte that needs escaping, in every field that can hold it. */
	struct store_audit odd[2];
	row(&odd[0], "b\\o\tb", "patient.read", "patient:P\n2", "x\x01y\x7fz\\t");
	row(&odd[1], "carl", "course.read", "course:K1", "");
	long pending = 0;
	assert_int_equal(audit_spool_add(sp, odd, 2, &pending, &err), PROLO_OK);
	assert_int_equal(pending, 3);
	assert_int_equal(audit_spool_pending(sp), 3);
	assert_int_equal(log_rows(fx).n, 0); /* nothing in the log before a drain */
	drain(fx, sp);
	assert_int_equal(audit_spool_pending(sp), 0);
	assert_false(exists(fx->sealed));
	struct rows r = log_rows(fx);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.e[0].user, "ann");
	assert_string_equal(r.e[0].record, "patient:P1");
	assert_string_equal(r.e[0].addr, "127.0.0.1");
	assert_int_equal(strlen(r.e[0].at), 20); /* set when spooled */
	assert_string_equal(r.e[1].user, "b\\o\tb");
	assert_string_equal(r.e[1].record, "patient:P\n2");
	assert_string_equal(r.e[1].detail, "x\x01y\x7fz\\t");
	assert_string_equal(r.e[2].action, "course.read");
	assert_string_equal(r.e[2].detail, "");
	/* A drain with nothing spooled changes nothing. */
	drain(fx, sp);
	assert_int_equal(log_rows(fx).n, 3);
	audit_spool_close(sp);
	assert_false(exists(fx->active)); /* all drained: no file left */
}

static void a_crash_loses_nothing_and_repeats_nothing(void **state)
{
	struct fx *fx = *state;
	struct audit_spool *sp;
	struct prolo_err err;
	/* 1. Rows spooled, then the process dies (no drain, no close). */
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	add(sp, "ann", "patient:P1", "chart");
	add(sp, "ann", "patient:P2", "chart");
	audit_spool_close(sp); /* keeps the file: rows were pending */
	assert_true(exists(fx->active));
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	assert_int_equal(log_rows(fx).n, 2);

	char cmd[512];
	/* 2. A drain committed, but the sealed file was not removed: the mark
	 * keeps its rows from being appended twice. */
	add(sp, "bob", "patient:P3", "chart");
	assert_int_equal(store_begin(fx->st, &err), PROLO_OK);
	assert_int_equal(audit_spool_drain(sp, fx->st, &err), PROLO_OK);
	assert_int_equal(store_commit(fx->st, &err), PROLO_OK);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.keep'", fx->sealed, fx->sealed);
	assert_int_equal(system(cmd), 0);
	audit_spool_settle(sp, true);
	audit_spool_close(sp);
	snprintf(cmd, sizeof cmd, "mv '%s.keep' '%s'", fx->sealed, fx->sealed);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	assert_false(exists(fx->sealed));
	assert_int_equal(log_rows(fx).n, 3);

	/* 3. A drain rolled back: the sealed file stays and the next drain
	 * appends it, then the rows spooled meanwhile. */
	add(sp, "carl", "patient:P4", "chart");
	assert_int_equal(store_begin(fx->st, &err), PROLO_OK);
	assert_int_equal(audit_spool_drain(sp, fx->st, &err), PROLO_OK);
	store_rollback(fx->st);
	audit_spool_settle(sp, false);
	assert_true(exists(fx->sealed));
	add(sp, "dora", "patient:P5", "chart");
	drain(fx, sp);
	assert_int_equal(log_rows(fx).n, 4);
	assert_int_equal(audit_spool_pending(sp), 1);
	drain(fx, sp);
	struct rows r = log_rows(fx);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.e[3].user, "carl");
	assert_string_equal(r.e[4].user, "dora");

	/* 4. A last line cut by a power loss is not a row; the lines before it
	 * are. */
	add(sp, "eve", "patient:P6", "chart");
	audit_spool_close(sp);
	FILE *f = fopen(fx->active, "ab");
	assert_non_null(f);
	fputs("2024-01-01T00:00:00Z\tmal\tpatient.re", f);
	fclose(f);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	r = log_rows(fx);
	assert_int_equal(r.n, 6);
	assert_string_equal(r.e[5].user, "eve");
	audit_spool_close(sp);
}

static void a_damaged_file_is_refused_with_its_line(void **state)
{
	struct fx *fx = *state;
	struct audit_spool *sp;
	struct prolo_err err;
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	add(sp, "ann", "patient:P1", "chart");
	audit_spool_close(sp);
	FILE *f = fopen(fx->active, "ab");
	assert_non_null(f);
	fputs("2024-01-01T00:00:00Z\tmallory\tpatient.read\tpatient:P9\n", f); /* 4 fields */
	fclose(f);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_EDB);
	assert_non_null(strstr(err.msg, "-audit.sealed:3: not an audit row"));
	assert_int_equal(log_rows(fx).n, 0); /* nothing from it, not even line 2 */

	/* A line far longer than any row is damage too, not a reason to read
	 * without end. */
	f = fopen(fx->sealed, "wb");
	assert_non_null(f);
	fputs("prolo-audit-spool 1 0123456789abcdef0123456789abcdef\n", f);
	for (int i = 0; i < 20000; i++)
		fputc('x', f);
	fputc('\n', f);
	fclose(f);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_EDB);
	assert_non_null(strstr(err.msg, "-audit.sealed:2: not an audit row"));

	f = fopen(fx->sealed, "wb");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_EDB);
	assert_non_null(strstr(err.msg, ":1: not an audit spool file"));
	unlink(fx->sealed);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	audit_spool_close(sp);
}

/* A full disk (here: a file size limit) refuses the rows that do not fit,
 * leaves no partial line behind, and keeps every row it acknowledged. */
static void a_full_disk_refuses_whole_rows(void **state)
{
	struct fx *fx = *state;
	struct audit_spool *sp;
	struct prolo_err err;
	assert_int_equal(audit_spool_open(fx->path, fx->st, &sp, &err), PROLO_OK);
	struct stat sb;
	assert_int_equal(stat(fx->active, &sb), 0);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size + 150; /* two rows of 65 bytes; the third is cut */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int ok = 0, refused = 0;
	for (int i = 0; i < 5; i++) {
		struct store_audit e;
		char rec[32];
		snprintf(rec, sizeof rec, "patient:P%d", i);
		row(&e, "ann", "patient.read", rec, "chart");
		if (audit_spool_add(sp, &e, 1, NULL, &err) == PROLO_OK)
			ok++;
		else
			refused++;
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(ok, 2);
	assert_int_equal(refused, 3);
	assert_int_equal(err.code, PROLO_EDB);
	assert_int_equal(audit_spool_pending(sp), 2);
	/* Room again: the next row lands after the two whole ones. */
	add(sp, "bob", "patient:P9", "chart");
	drain(fx, sp);
	struct rows r = log_rows(fx);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.e[0].record, "patient:P0");
	assert_string_equal(r.e[1].record, "patient:P1");
	assert_string_equal(r.e[2].user, "bob");
	audit_spool_close(sp);
}

static void one_server_per_registry(void **state)
{
	struct fx *fx = *state;
	struct audit_spool *a, *b;
	struct prolo_err err;
	char link[160];
	snprintf(link, sizeof link, "%s/link.db", fx->dir);
	assert_int_equal(symlink(fx->path, link), 0);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &a, &err), PROLO_OK);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &b, &err), PROLO_ECONFLICT);
	assert_non_null(strstr(err.msg, "another server is running on this registry"));
	/* The same registry by another name is the same registry. */
	assert_int_equal(audit_spool_open(link, fx->st, &b, &err), PROLO_ECONFLICT);
	audit_spool_close(a);
	assert_int_equal(audit_spool_open(fx->path, fx->st, &b, &err), PROLO_OK);
	audit_spool_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(rows_reach_the_chain_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(a_crash_loses_nothing_and_repeats_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_damaged_file_is_refused_with_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(a_full_disk_refuses_whole_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(one_server_per_registry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
