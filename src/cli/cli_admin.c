/* prolo condition add|list (a clinic's own conditions with their codes) and
 * prolo backup FILE (an online copy of the registry). */
#include <ctype.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/domain.h"
#include "store/store.h"

#define DIGITS "0123456789"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* True when s has min..max characters, all from set. */
static bool made_of(const char *s, size_t min, size_t max, const char *set)
{
	size_t n = strlen(s);
	return n >= min && n <= max && strspn(s, set) == n;
}

/* ICD-10-CM: letter, two characters, optional dot and 1-4 more (M54.50). */
static bool icd10_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 8 || !isupper((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isalnum((unsigned char)s[2]))
		return false;
	return n == 3 || (s[3] == '.' && made_of(s + 4, 1, 4, DIGITS UPPER));
}

/* SNOMED CT concept ids: 6 to 18 digits. */
static bool snomed_valid(const char *s)
{
	return made_of(s, 6, 18, DIGITS);
}

static bool name_valid(const char *s)
{
	return made_of(s, 2, 64, DIGITS "abcdefghijklmnopqrstuvwxyz_");
}

static enum prolo_code print_condition(void *ctx, const char *name, const char *icd10,
                                       const char *snomed, const char *label, struct prolo_err *err)
{
	struct cli_ctx *c = ctx;
	if (c->json)
		cli_print_json_line(c, json_pack("{s:s,s:s,s:s,s:s}", "name", name, "icd10", icd10, "snomed",
		                                 snomed, "label", label));
	else
		fprintf(c->out, "%-20s %-8s %-12s %s\n", name, icd10, snomed, label);
	return PROLO_OK;
}

int cli_condition(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const struct cli_command *cmd = ca->cmd;
	struct prolo_err err = { 0 };
	if (strcmp(cmd->verb, "list") == 0) {
		struct store *st = NULL;
		if (store_open(ctx->db_path, STORE_READONLY, &st, &err))
			return cli_fail(ctx, &err);
		enum prolo_code rc = store_condition_scan(st, print_condition, ctx, &err);
		store_close(st);
		return rc ? cli_fail(ctx, &err) : 0;
	}
	const char *icd10 = cli_get(ca, "icd10");
	const char *snomed = cli_get(ca, "snomed");
	const char *label = cli_get(ca, "label");
	const char *name = ca->pos[0];
	if (!name_valid(name))
		prolo_err_set(&err, PROLO_EINVAL, "name", "'%.64s' is not a condition name (2-64 of a-z 0-9 _)", name);
	else if (!icd10 || !icd10_valid(icd10))
		prolo_err_set(&err, PROLO_EINVAL, "icd10", "an ICD-10-CM code is required, e.g. M54.50");
	else if (!snomed || !snomed_valid(snomed))
		prolo_err_set(&err, PROLO_EINVAL, "snomed", "a SNOMED CT concept id (6-18 digits) is required");
	else if (label && (strlen(label) > 100 || !dom_utf8_valid(label, strlen(label)) || strpbrk(label, "\"\\\n\r\t")))
		prolo_err_set(&err, PROLO_EINVAL, "label", "must be one line of text, at most 100 bytes, without quotes");
	if (err.code)
		return cli_fail(ctx, &err);
	struct store *st = NULL;
	if (store_open(ctx->db_path, 0, &st, &err))
		return cli_fail(ctx, &err);
	enum prolo_code rc = store_begin(st, &err);
	if (!rc)
		rc = store_condition_add(st, name, icd10, snomed, label, &err);
	if (!rc)
		rc = store_commit(st, &err);
	if (rc)
		store_rollback(st);
	store_close(st);
	if (rc)
		return cli_fail(ctx, &err);
	return print_condition(ctx, name, icd10, snomed, label ? label : "", &err);
}

int cli_backup(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const char *path = ca->pos[0];
	struct prolo_err err = { 0 };
	struct stat sb;
	if (stat(path, &sb) == 0) {
		prolo_err_set(&err, PROLO_ECONFLICT, "FILE", "'%s' exists; a backup goes into a new file", path);
		return cli_fail(ctx, &err);
	}
	struct store *st = NULL;
	if (store_open(ctx->db_path, STORE_READONLY, &st, &err))
		return cli_fail(ctx, &err);
	enum prolo_code rc = store_backup(st, path, &err);
	store_close(st);
	if (rc) {
		remove(path);
		return cli_fail(ctx, &err);
	}
	fprintf(ctx->out, "backed up %s to %s\n", ctx->db_path, path);
	return 0;
}
