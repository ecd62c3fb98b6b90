/* prolo: the one binary. Parses global options (--db, --json) and dispatches
 * to a command group through one table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/privfile.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: prolo [--db FILE] [--json] [--allow-shared-registry] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; cli_groups[i].name; i++)
		fprintf(f, "  %-10s %s\n", cli_groups[i].name, cli_groups[i].help);
	fprintf(f, "\nThe registry is --db FILE, else $PROLO_DB, else ./prolo.db.\n"
	           "Files prolo writes are private (0600); a registry that group or others may\n"
	           "read or write is refused unless --allow-shared-registry (or PROLO_ALLOW_SHARED=1).\n");
}

int main(int argc, char **argv)
{
	/* Everything prolo creates holds patient or account data: private to
	 * the owner whatever the caller's umask (files 0600, folders 0700). */
	umask(077);
	struct cli_ctx ctx = { .out = stdout, .errs = stderr };
	const char *env = getenv("PROLO_DB");
	ctx.db_path = env && *env ? env : "prolo.db";

	/* Global options may precede the command; --db and --json are also
	 * accepted after it and removed from argv before dispatch. */
	char **args = calloc((size_t)argc + 1, sizeof *args);
	if (!args)
		return 5;
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "prolo: --db: needs a file name\n");
				free(args);
				return 2;
			}
			ctx.db_path = argv[++i];
			ctx.db_given = true;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctx.db_path = argv[i] + 5;
			ctx.db_given = true;
		} else if (strcmp(argv[i], "--allow-shared-registry") == 0) {
			privfile_allow_shared(true);
		} else if (strcmp(argv[i], "--json") == 0) {
			ctx.json = true;
		} else if (n == 0 && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			usage(stdout);
			free(args);
			return 0;
		} else {
			args[n++] = argv[i];
		}
	}
	if (n == 0) {
		usage(stderr);
		free(args);
		return 2;
	}
	int rc = -1;
	for (size_t i = 0; cli_groups[i].name; i++) {
		if (strcmp(args[0], cli_groups[i].name) != 0)
			continue;
		for (int k = 1; k < n; k++)
			if (strcmp(args[k], "--help") == 0 || strcmp(args[k], "-h") == 0) {
				cli_print_usage(stdout, cli_groups[i].name, cli_groups[i].cmds);
				cli_record_help(stdout, cli_groups[i].name);
				free(args);
				return 0;
			}
		/* Every command's options are parsed here, by its table. */
		struct cli_args ca;
		rc = cli_parse_group(&ctx, cli_groups[i].name, cli_groups[i].cmds, n, args, &ca);
		if (rc == 0)
			rc = cli_groups[i].fn(&ctx, &ca, n, args);
		free(ca.field);
		break;
	}
	if (rc == -1) {
		fprintf(stderr, "prolo: unknown command '%s'\n", args[0]);
		usage(stderr);
		rc = 2;
	}
	free(args);
	return rc;
}
