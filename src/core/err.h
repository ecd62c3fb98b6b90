/* One error type for all of prolo: a small code plus a user-safe context.
 * Codes map to CLI exit statuses and HTTP statuses in one table each
 * (prolo_err_exit_code, prolo_err_http_status), never elsewhere. */
#ifndef PROLO_ERR_H
#define PROLO_ERR_H

#include <stddef.h>

enum prolo_code {
	PROLO_OK = 0,
	PROLO_EINVAL,    /* bad input: field names what */
	PROLO_ENOTFOUND, /* a referenced record does not exist */
	PROLO_ECONFLICT, /* duplicate id, state conflict */
	PROLO_ETOOBIG,   /* a bounded buffer or input limit was hit */
	PROLO_EDB,       /* storage error */
	PROLO_ENOMEM,    /* allocation failed */
	PROLO_EAUTH,     /* not authenticated */
	PROLO_EPERM,     /* authenticated, not allowed */
	PROLO_ECONFIRM,  /* allowed, but unusual enough to need a confirmation */
};

/* Safe to show to a user: never holds patient data beyond the value at
 * fault in the user's own input. */
struct prolo_err {
	enum prolo_code code;
	char field[64]; /* column, option or JSON field at fault; "" if none */
	char msg[256];  /* one sentence */
};

/* Fills *err (if not NULL) and returns code. Cannot fail. */
enum prolo_code prolo_err_set(struct prolo_err *err, enum prolo_code code,
                              const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void prolo_err_clear(struct prolo_err *err);

/* docs/architecture.md (contracts): 0 ok, 2 usage/invalid, 3 not found, 4 conflict, 5 storage. */
int prolo_err_exit_code(enum prolo_code code);
int prolo_err_http_status(enum prolo_code code);
/* Stable machine name for JSON errors, e.g. "invalid", "not_found". */
const char *prolo_err_name(enum prolo_code code);

#endif
