/* Files that hold patient or account data are private to their owner:
 * created 0600 (folders 0700) whatever the umask, and a file that already
 * exists with group or other bits is narrowed to 0600 when it is opened for
 * writing. The registry itself is refused when group or others may read or
 * write it, unless the owner allowed a shared registry
 * (--allow-shared-registry or PROLO_ALLOW_SHARED=1; docs/security.md). */
#ifndef PROLO_PRIVFILE_H
#define PROLO_PRIVFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"

/* Opens path with flags (O_WRONLY, O_RDWR, O_APPEND, O_TRUNC, ...) plus
 * O_CREAT and O_CLOEXEC, mode 0600 when created; an existing regular file
 * that group or others may use is fchmod'ed to 0600 first (when that
 * fails, the file is closed and -1 returned with errno set). -1 and errno
 * on failure. */
int privfile_open(const char *path, int flags);
/* fopen(path, "wb") through privfile_open: truncated or created, 0600. */
FILE *privfile_fopen(const char *path);
/* Creates path (if missing) as an empty private file, or narrows an
 * existing one to 0600, for a file another library then opens by name
 * (SQLite: a backup). 0 or -1 with errno. */
int privfile_prepare(const char *path);
/* mkdir(path, 0700); an existing folder is left as it is. 0 or -1 with
 * errno (EEXIST is success). */
int privfile_mkdir(const char *path);

/* The owner's allowance to use a registry that group or others may read
 * or write. Set by --allow-shared-registry; also true when the environment
 * has PROLO_ALLOW_SHARED=1. */
void privfile_allow_shared(bool allow);
bool privfile_shared_allowed(void);
/* PROLO_OK when path is missing or gives group and others no access (or a
 * shared registry is allowed); else PROLO_EDB naming the file, its mode
 * and the way out. what: "registry", "audit key", ... */
enum prolo_code privfile_check(const char *path, const char *what, struct prolo_err *err);

#endif
