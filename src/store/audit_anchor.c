/* The audit chain's key file and anchor file: see audit_anchor.h. */
#include "store/audit_anchor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/privfile.h"

#define KEY_MAGIC "prolo-audit-key 1 "
#define MAX_ANCHORS ((size_t)1 << 26)

enum prolo_code audit_side_path(const char *db_path, const char *suffix, char *out, size_t outsz,
                                struct prolo_err *err)
{
	char real[PATH_MAX];
	const char *base = realpath(db_path, real) ? real : db_path;
	int n = snprintf(out, outsz, "%s%s", base, suffix);
	if (n < 0 || (size_t)n >= outsz)
		return prolo_err_set(err, PROLO_EINVAL, "db", "the registry path is too long");
	return PROLO_OK;
}

static enum prolo_code key_err(struct prolo_err *err, const char *path, const char *why)
{
	return prolo_err_set(err, PROLO_EDB, "db", "audit key '%s': %s", path, why);
}

enum prolo_code audit_key_load(const char *db_path, struct audit_key *k, struct prolo_err *err)
{
	char path[PATH_MAX + 32];
	memset(k, 0, sizeof *k);
	enum prolo_code rc = audit_side_path(db_path, "-audit.key", path, sizeof path, err);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return PROLO_OK;
		return key_err(err, path, strerror(errno));
	}
	if ((rc = privfile_check(path, "audit key", err))) {
		close(fd);
		return rc;
	}
	char text[160];
	ssize_t got = read(fd, text, sizeof text - 1);
	close(fd);
	if (got < 0)
		return key_err(err, path, strerror(errno));
	text[got] = '\0';
	size_t ml = strlen(KEY_MAGIC);
	char *end = NULL;
	long long from = 0;
	if (strncmp(text, KEY_MAGIC, ml) == 0) {
		errno = 0;
		from = strtoll(text + ml, &end, 10);
	}
	size_t bin_len = 0;
	if (!end || errno || from < 1 || *end != ' ' ||
	    sodium_hex2bin(k->key, sizeof k->key, end + 1, 2 * AUDIT_KEY_LEN, NULL, &bin_len, NULL) != 0 ||
	    bin_len != AUDIT_KEY_LEN || (end[1 + 2 * AUDIT_KEY_LEN] != '\n' && end[1 + 2 * AUDIT_KEY_LEN] != '\0')) {
		sodium_memzero(text, sizeof text);
		sodium_memzero(k, sizeof *k);
		return key_err(err, path, "not a prolo audit key file");
	}
	sodium_memzero(text, sizeof text);
	k->from = from;
	k->have = true;
	return PROLO_OK;
}

static enum prolo_code write_key(const char *path, int extra_flags, const struct audit_key *k,
                                 bool *existed, struct prolo_err *err)
{
	char text[160], hex[2 * AUDIT_KEY_LEN + 1];
	sodium_bin2hex(hex, sizeof hex, k->key, AUDIT_KEY_LEN);
	int len = snprintf(text, sizeof text, KEY_MAGIC "%lld %s\n", (long long)k->from, hex);
	sodium_memzero(hex, sizeof hex);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | extra_flags, 0600);
	if (fd < 0) {
		sodium_memzero(text, sizeof text);
		if (errno == EEXIST && existed) {
			*existed = true;
			return PROLO_OK;
		}
		return key_err(err, path, strerror(errno));
	}
	bool ok = fchmod(fd, 0600) == 0 && write(fd, text, (size_t)len) == (ssize_t)len && fsync(fd) == 0;
	int e = errno;
	sodium_memzero(text, sizeof text);
	if (close(fd) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		unlink(path);
		return key_err(err, path, strerror(e));
	}
	return PROLO_OK;
}

enum prolo_code audit_key_create(const char *db_path, int64_t from, struct audit_key *k,
                                 bool *existed, struct prolo_err *err)
{
	char path[PATH_MAX + 32];
	*existed = false;
	enum prolo_code rc = audit_side_path(db_path, "-audit.key", path, sizeof path, err);
	if (rc)
		return rc;
	struct audit_key fresh = { .have = true, .from = from };
	randombytes_buf(fresh.key, sizeof fresh.key);
	rc = write_key(path, O_EXCL, &fresh, existed, err);
	if (!rc && !*existed)
		*k = fresh;
	sodium_memzero(&fresh, sizeof fresh);
	return rc;
}

enum prolo_code audit_key_write(const char *db_path, const struct audit_key *k, struct prolo_err *err)
{
	char path[PATH_MAX + 32];
	enum prolo_code rc = audit_side_path(db_path, "-audit.key", path, sizeof path, err);
	if (rc)
		return rc;
	return write_key(path, O_TRUNC, k, NULL, err);
}

enum prolo_code audit_anchor_append(const char *db_path, int64_t id,
                                    const unsigned char hash[AUDIT_HASH_LEN], struct prolo_err *err)
{
	char path[PATH_MAX + 32], line[128], hex[2 * AUDIT_HASH_LEN + 1];
	enum prolo_code rc = audit_side_path(db_path, "-audit.anchor", path, sizeof path, err);
	if (rc)
		return rc;
	sodium_bin2hex(hex, sizeof hex, hash, AUDIT_HASH_LEN);
	int len = snprintf(line, sizeof line, "%lld %s\n", (long long)id, hex);
	int fd = privfile_open(path, O_WRONLY | O_APPEND | O_NOFOLLOW);
	if (fd < 0)
		return prolo_err_set(err, PROLO_EDB, "db", "audit anchor '%s': %s", path, strerror(errno));
	bool ok = write(fd, line, (size_t)len) == (ssize_t)len;
	int e = errno;
	close(fd);
	return ok ? PROLO_OK
	          : prolo_err_set(err, PROLO_EDB, "db", "audit anchor '%s': %s", path, strerror(e));
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct audit_anchor *)a)->id, y = ((const struct audit_anchor *)b)->id;
	return (x > y) - (x < y);
}

enum prolo_code audit_anchor_read(const char *db_path, struct audit_anchor **out, size_t *n,
                                  struct prolo_err *err)
{
	char path[PATH_MAX + 32];
	*out = NULL;
	*n = 0;
	enum prolo_code rc = audit_side_path(db_path, "-audit.anchor", path, sizeof path, err);
	if (rc)
		return rc;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return PROLO_OK;
		return prolo_err_set(err, PROLO_EDB, "db", "audit anchor '%s': %s", path, strerror(errno));
	}
	struct audit_anchor *a = NULL;
	size_t len = 0, cap = 0;
	char line[256];
	long lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *end = NULL;
		errno = 0;
		long long id = strtoll(line, &end, 10);
		size_t bin_len = 0;
		struct audit_anchor x = { .id = id };
		if (errno || id < 1 || !end || *end != ' ' ||
		    sodium_hex2bin(x.hash, sizeof x.hash, end + 1, 2 * AUDIT_HASH_LEN, NULL, &bin_len, NULL) != 0 ||
		    bin_len != AUDIT_HASH_LEN || end[1 + 2 * AUDIT_HASH_LEN] != '\n') {
			/* A last line cut by a crash mid-write is no anchor. */
			if (feof(f) || fgetc(f) == EOF)
				break;
			rc = prolo_err_set(err, PROLO_EDB, "db", "audit anchor '%s': line %ld is malformed",
			                   path, lineno);
			break;
		}
		if (len == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct audit_anchor *na = ncap <= MAX_ANCHORS ? realloc(a, ncap * sizeof *a) : NULL;
			if (!na) {
				rc = prolo_err_set(err, PROLO_ENOMEM, "db", "audit anchor '%s': too many lines", path);
				break;
			}
			a = na;
			cap = ncap;
		}
		a[len++] = x;
	}
	fclose(f);
	if (rc) {
		free(a);
		return rc;
	}
	if (len)
		qsort(a, len, sizeof *a, by_id);
	*out = a;
	*n = len;
	return PROLO_OK;
}
