/* The audit spool of audit_spool.h. Appends hold a mutex only around one
 * write(); the file's size is tracked under it so a failed (short) write
 * is cut off again and the file stays whole lines. */
#include "security/audit_spool.h"
#include "core/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "security/audit_line.h"

#define SPOOL_MAGIC "prolo-audit-spool 1 "
#define SPOOL_ID_HEX 32            /* 16 random bytes */
#define SPOOL_LINE_MAX 16384       /* far above the longest row audit_line_format writes */

struct audit_spool {
	pthread_mutex_t mu;
	int fd;                         /* the active file, O_APPEND */
	off_t size;                     /* its length: whole lines */
	long pending;                   /* rows in it */
	int lock_fd;
	bool sealed;                    /* a sealed file waits to be settled */
	char active[PATH_MAX], sealed_path[PATH_MAX], lock_path[PATH_MAX];
};

/* ---- files ---------------------------------------------------------------- */

static enum prolo_code io_err(struct prolo_err *err, const char *what, const char *path)
{
	return prolo_err_set(err, PROLO_EDB, "", "audit spool: cannot %s '%s': %s", what, path,
	                     strerror(errno));
}

/* Writes all of p, or cuts the file back to *size and fails. *cut is
 * false when even that failed: the file may end in part of a row. */
static bool write_whole(int fd, off_t *size, const char *p, size_t n, bool *cut)
{
	size_t done = 0;
	*cut = true;
	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = w == 0 ? ENOSPC : errno;
			*cut = done == 0 || ftruncate(fd, *size) == 0;
			errno = saved;
			return false;
		}
		done += (size_t)w;
	}
	*size += (off_t)n;
	return true;
}

/* Creates path as a fresh spool file with a new id. The fd, or -1. */
static int create_file(const char *path, off_t *size)
{
	unsigned char id[SPOOL_ID_HEX / 2];
	char hdr[sizeof SPOOL_MAGIC + SPOOL_ID_HEX + 2];
	randombytes_buf(id, sizeof id);
	memcpy(hdr, SPOOL_MAGIC, sizeof SPOOL_MAGIC - 1);
	sodium_bin2hex(hdr + sizeof SPOOL_MAGIC - 1, SPOOL_ID_HEX + 1, id, sizeof id);
	size_t n = strlen(hdr);
	hdr[n++] = '\n';
	/* The name is free (renamed or replayed away): never follow or
	 * truncate something planted there. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	*size = 0;
	bool cut;
	if (!write_whole(fd, size, hdr, n, &cut)) {
		int saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	return fd;
}

static bool file_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* Appends the rows of the spool file at path to the log through st (inside
 * its transaction) and marks the file, unless its mark is already there. */
static enum prolo_code replay(struct store *st, const char *path, struct prolo_err *err)
{
	/* Read line by line: a spool that grew while the registry was busy
	 * (another process holding its write lock) may be large. */
	FILE *f = fopen(path, "rb");
	if (!f)
		return io_err(err, "open", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, f);
	size_t magic = sizeof SPOOL_MAGIC - 1;
	enum prolo_code rc = PROLO_OK;
	char id[SPOOL_ID_HEX + 1], done[SPOOL_ID_HEX + 1];
	if (len < 0 || line[len - 1] != '\n') {
		/* Empty, or cut before its header was complete: no row. */
		if (ferror(f))
			rc = io_err(err, "read", path);
		goto out;
	}
	if ((size_t)len != magic + SPOOL_ID_HEX + 1 || memcmp(line, SPOOL_MAGIC, magic) != 0) {
		rc = prolo_err_set(err, PROLO_EDB, "", "%s:1: not an audit spool file", path);
		goto out;
	}
	memcpy(id, line + magic, SPOOL_ID_HEX);
	id[SPOOL_ID_HEX] = '\0';
	if ((rc = store_audit_spool_get(st, done, sizeof done, err)) || strcmp(id, done) == 0)
		goto out;
	long line_no = 1;
	struct store_audit_chain chain = { .known = false };
	while (!rc && (len = getline(&line, &cap, f)) >= 0) {
		line_no++;
		if (line[len - 1] != '\n')
			break; /* cut by a power loss: never acknowledged */
		struct store_audit e;
		if (len > SPOOL_LINE_MAX || !audit_line_parse(line, (size_t)len - 1, &e))
			rc = prolo_err_set(err, PROLO_EDB, "", "%s:%ld: not an audit row", path, line_no);
		else
			rc = store_audit_append_chained(st, &chain, &e, err);
	}
	if (!rc && ferror(f))
		rc = io_err(err, "read", path);
	if (!rc)
		rc = store_audit_spool_mark(st, id, err);
out:
	free(line);
	fclose(f);
	return rc;
}

/* Replays path in a transaction of its own and removes it. */
static enum prolo_code replay_alone(struct store *st, const char *path, struct prolo_err *err)
{
	enum prolo_code rc = store_begin(st, err);
	if (!rc && (rc = replay(st, path, err)) == PROLO_OK)
		rc = store_commit(st, err);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	unlink(path);
	return PROLO_OK;
}

/* ---- the API -------------------------------------------------------------- */

/* The registry's real path: through a symbolic link or another relative
 * path it is still one registry, with one spool and one lock. */
static void real_db_path(const char *db_path, char out[PATH_MAX])
{
	if (!realpath(db_path, out))
		snprintf(out, PATH_MAX, "%s", db_path);
}

bool audit_spool_exists(const char *db_path)
{
	char real[PATH_MAX], p[PATH_MAX + 16];
	real_db_path(db_path, real);
	snprintf(p, sizeof p, "%s-audit", real);
	if (file_exists(p))
		return true;
	snprintf(p, sizeof p, "%s-audit.sealed", real);
	return file_exists(p);
}

enum prolo_code audit_spool_open(const char *db_path, struct store *st, struct audit_spool **out,
                                 struct prolo_err *err)
{
	*out = NULL;
	struct audit_spool *sp = calloc(1, sizeof *sp);
	if (!sp)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	sp->fd = sp->lock_fd = -1;
	char real[PATH_MAX];
	real_db_path(db_path, real);
	db_path = real;
	if (snprintf(sp->active, sizeof sp->active, "%s-audit", db_path) >= (int)sizeof sp->active ||
	    snprintf(sp->sealed_path, sizeof sp->sealed_path, "%s-audit.sealed", db_path) >=
	        (int)sizeof sp->sealed_path ||
	    snprintf(sp->lock_path, sizeof sp->lock_path, "%s-audit.lock", db_path) >=
	        (int)sizeof sp->lock_path) {
		free(sp);
		return prolo_err_set(err, PROLO_EINVAL, "db", "the registry path is too long");
	}
	enum prolo_code rc = PROLO_OK;
	sp->lock_fd = privfile_open(sp->lock_path, O_RDWR);
	if (sp->lock_fd < 0) {
		rc = errno == EACCES || errno == EPERM
		     ? prolo_err_set(err, PROLO_EPERM, "db", "no permission to open '%s'", sp->lock_path)
		     : io_err(err, "create", sp->lock_path);
		goto fail;
	}
	if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK
		     ? prolo_err_set(err, PROLO_ECONFLICT, "db",
		                     "another server is running on this registry (%s is locked)",
		                     sp->lock_path)
		     : io_err(err, "lock", sp->lock_path);
		goto fail;
	}
	/* Left by a server that stopped without draining: the sealed file is
	 * older than the active one. */
	if (file_exists(sp->sealed_path) && (rc = replay_alone(st, sp->sealed_path, err)))
		goto fail;
	if (file_exists(sp->active)) {
		if (rename(sp->active, sp->sealed_path) != 0) {
			rc = io_err(err, "rename", sp->active);
			goto fail;
		}
		if ((rc = replay_alone(st, sp->sealed_path, err)))
			goto fail;
	}
	sp->fd = create_file(sp->active, &sp->size);
	if (sp->fd < 0) {
		rc = io_err(err, "create", sp->active);
		goto fail;
	}
	pthread_mutex_init(&sp->mu, NULL);
	*out = sp;
	return PROLO_OK;
fail:
	if (sp->lock_fd >= 0)
		close(sp->lock_fd);
	free(sp);
	return rc;
}

enum prolo_code audit_spool_add(struct audit_spool *sp, const struct store_audit *rows, int n,
                                long *pending, struct prolo_err *err)
{
	char at[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct buf b;
	buf_init(&b, (size_t)1 << 20);
	enum prolo_code rc = PROLO_OK;
	for (int i = 0; i < n && !rc; i++)
		rc = audit_line_format(&b, &rows[i], at);
	if (rc) {
		buf_free(&b);
		return prolo_err_set(err, rc, "", "audit spool: a row is too large");
	}
	pthread_mutex_lock(&sp->mu);
	bool cut = true;
	bool ok = sp->fd >= 0 && write_whole(sp->fd, &sp->size, b.data, b.len, &cut);
	int saved = sp->fd >= 0 ? errno : EBADF;
	if (!cut) {
		/* Part of a row is left at the end: no row may follow it. Reads
		 * fail (nothing unaudited is shown) until the next drain seals
		 * this file (its cut last line is not a row) and starts a new
		 * one. */
		close(sp->fd);
		sp->fd = -1;
	}
	if (ok)
		sp->pending += n;
	if (pending)
		*pending = sp->pending;
	pthread_mutex_unlock(&sp->mu);
	buf_free(&b);
	if (!ok) {
		errno = saved;
		return io_err(err, "write", sp->active);
	}
	return PROLO_OK;
}

long audit_spool_pending(struct audit_spool *sp)
{
	pthread_mutex_lock(&sp->mu);
	long n = sp->pending + (sp->sealed || sp->fd < 0 ? 1 : 0);
	pthread_mutex_unlock(&sp->mu);
	return n;
}

/* Renames the active file to the sealed name and starts a new one. With
 * sp->mu held. */
static enum prolo_code seal(struct audit_spool *sp, struct prolo_err *err)
{
	if (rename(sp->active, sp->sealed_path) != 0)
		return io_err(err, "rename", sp->active);
	off_t size;
	int fd = create_file(sp->active, &size);
	if (fd < 0) {
		int saved = errno;
		/* Back as it was: the rows stay in the active file. */
		if (rename(sp->sealed_path, sp->active) != 0 && sp->fd >= 0) {
			close(sp->fd);
			sp->fd = -1; /* appends fail from here on: nothing unaudited is shown */
		}
		errno = saved;
		return io_err(err, "create", sp->active);
	}
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = fd;
	sp->size = size;
	sp->pending = 0;
	sp->sealed = true;
	return PROLO_OK;
}

enum prolo_code audit_spool_drain(struct audit_spool *sp, struct store *st, struct prolo_err *err)
{
	pthread_mutex_lock(&sp->mu);
	enum prolo_code rc = PROLO_OK;
	if (!sp->sealed && (sp->pending > 0 || sp->fd < 0))
		rc = seal(sp, err);
	bool sealed = sp->sealed;
	pthread_mutex_unlock(&sp->mu);
	if (rc || !sealed)
		return rc;
	return replay(st, sp->sealed_path, err);
}

void audit_spool_settle(struct audit_spool *sp, bool committed)
{
	pthread_mutex_lock(&sp->mu);
	if (sp->sealed && committed) {
		unlink(sp->sealed_path);
		sp->sealed = false;
	}
	pthread_mutex_unlock(&sp->mu);
}

void audit_spool_close(struct audit_spool *sp)
{
	if (!sp)
		return;
	if (sp->fd >= 0) {
		close(sp->fd);
		if (sp->pending == 0 && !sp->sealed)
			unlink(sp->active);
	}
	pthread_mutex_destroy(&sp->mu);
	close(sp->lock_fd); /* releases the lock; the lock file stays */
	free(sp);
}
