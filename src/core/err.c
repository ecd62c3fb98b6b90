/* Error context and the two code → status tables. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum prolo_code prolo_err_set(struct prolo_err *err, enum prolo_code code,
                              const char *field, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof err->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void prolo_err_clear(struct prolo_err *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

static const struct {
	enum prolo_code code;
	int exit_code;
	int http;
	const char *name;
} map[] = {
	{ PROLO_OK, 0, 200, "ok" },
	{ PROLO_EINVAL, 2, 400, "invalid" },
	{ PROLO_ENOTFOUND, 3, 404, "not_found" },
	{ PROLO_ECONFLICT, 4, 409, "conflict" },
	{ PROLO_ETOOBIG, 2, 413, "too_big" },
	{ PROLO_EDB, 5, 500, "storage" },
	{ PROLO_ENOMEM, 5, 500, "internal" },
	{ PROLO_EAUTH, 2, 401, "unauthenticated" },
	{ PROLO_EPERM, 2, 403, "forbidden" },
	{ PROLO_ECONFIRM, 4, 409, "confirm" },
};

int prolo_err_exit_code(enum prolo_code code)
{
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].code == code)
			return map[i].exit_code;
	return 5;
}

int prolo_err_http_status(enum prolo_code code)
{
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].code == code)
			return map[i].http;
	return 500;
}

const char *prolo_err_name(enum prolo_code code)
{
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].code == code)
			return map[i].name;
	return "internal";
}
