/* protocol_lib_load: the protocol library's only contact with the file
 * system. The default file is looked for next to the binary so that an
 * installed prolo and one run from its build tree both find theirs. */
#include "registry/protocol.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

static enum prolo_code read_file(const char *path, struct buf *b, struct prolo_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return prolo_err_set(err, errno == ENOENT ? PROLO_ENOTFOUND : PROLO_EDB, "protocols",
		                     "cannot read '%s': %s", path, strerror(errno));
	enum prolo_code rc = PROLO_OK;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > PROTO_FILE_MAX) {
			rc = prolo_err_set(err, PROLO_ETOOBIG, "protocols", "'%s' is larger than %zu bytes", path,
			                   PROTO_FILE_MAX);
			break;
		}
		if ((rc = buf_add(b, chunk, n))) {
			prolo_err_set(err, rc, "protocols", "out of memory reading '%s'", path);
			break;
		}
	}
	if (!rc && ferror(f))
		rc = prolo_err_set(err, PROLO_EDB, "protocols", "error reading '%s'", path);
	fclose(f);
	return rc;
}

static bool exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* Finds the default file; writes its path into out. */
static bool find_default(char *out, size_t outsz)
{
	const char *env = getenv("PROLO_PROTOCOLS");
	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return true;
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			static const char *const rel[] = { "protocols/default.protocols",
			                                   "../protocols/default.protocols",
			                                   "../share/prolo/default.protocols" };
			for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				int w = snprintf(out, outsz, "%s/%s", exe, rel[i]);
				if (w > 0 && (size_t)w < outsz && exists(out))
					return true;
			}
		}
	}
	snprintf(out, outsz, "protocols/default.protocols");
	return exists(out);
}

enum prolo_code protocol_lib_load(const char *path, struct protocol_lib *lib,
                                  struct prolo_err *err)
{
	memset(lib, 0, sizeof *lib);
	char found[4096];
	if (!path || !*path) {
		if (!find_default(found, sizeof found))
			return prolo_err_set(err, PROLO_ENOTFOUND, "protocols",
			                     "no protocol file found (give --protocols FILE or set PROLO_PROTOCOLS)");
		path = found;
	}
	struct buf b;
	buf_init(&b, PROTO_FILE_MAX + 1);
	enum prolo_code rc = read_file(path, &b, err);
	if (!rc)
		rc = protocol_lib_parse(buf_str(&b), b.len, path, lib, err);
	buf_free(&b);
	return rc;
}
