/* Private files: see privfile.h. */
#include "core/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_bool shared_ok;

int privfile_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077) && fchmod(fd, 0600) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

FILE *privfile_fopen(const char *path)
{
	int fd = privfile_open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

int privfile_prepare(const char *path)
{
	int fd = privfile_open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	return close(fd);
}

int privfile_mkdir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

void privfile_allow_shared(bool allow)
{
	atomic_store(&shared_ok, allow);
}

bool privfile_shared_allowed(void)
{
	if (atomic_load(&shared_ok))
		return true;
	const char *e = getenv("PROLO_ALLOW_SHARED");
	return e && strcmp(e, "1") == 0;
}

enum prolo_code privfile_check(const char *path, const char *what, struct prolo_err *err)
{
	struct stat sb;
	if (stat(path, &sb) != 0 || !(sb.st_mode & 077) || privfile_shared_allowed())
		return PROLO_OK;
	return prolo_err_set(err, PROLO_EDB, "db",
	                     "the %s '%s' has mode %04o: group or others may read or write it "
	                     "(chmod 600 it, or allow a shared registry with --allow-shared-registry)",
	                     what, path, (unsigned)(sb.st_mode & 07777));
}
