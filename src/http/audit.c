/* audit_log_event: fills a store_audit row and appends it, opening a
 * transaction only when the caller has none, so a write and its audit row
 * commit together. */
#include "http/audit.h"

#include <stdio.h>
#include <string.h>

enum prolo_code audit_log_event(struct store *st, const char *user, const char *action,
                                const char *record, const char *addr, const char *detail,
                                struct prolo_err *err)
{
	struct store_audit e;
	memset(&e, 0, sizeof e);
	snprintf(e.user, sizeof e.user, "%s", user ? user : "");
	snprintf(e.action, sizeof e.action, "%s", action);
	snprintf(e.record, sizeof e.record, "%s", record ? record : "");
	snprintf(e.addr, sizeof e.addr, "%s", addr ? addr : "");
	snprintf(e.detail, sizeof e.detail, "%s", detail ? detail : "");
	bool own = !store_in_transaction(st);
	enum prolo_code rc = own ? store_begin(st, err) : PROLO_OK;
	if (rc)
		return rc;
	rc = store_audit_append(st, &e, err);
	if (own) {
		if (!rc)
			rc = store_commit(st, err);
		if (rc)
			store_rollback(st);
	}
	return rc;
}
