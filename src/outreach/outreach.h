/* The outreach channels and their configuration: e-mail over SMTP
 * (libcurl), the outbox's settings, and the lock that keeps one outbox
 * run per registry. docs/followup.md documents the configuration file.
 * Secrets (the SMTP password) are never logged or printed: only whether
 * one is set. */
#ifndef PROLO_OUTREACH_H
#define PROLO_OUTREACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define OUTREACH_CONF_MAX ((size_t)64 * 1024)

enum outreach_tls { OTLS_OFF, OTLS_TRY, OTLS_REQUIRED };

struct outreach_config {
	char smtp_url[256];       /* smtp://host[:port] or smtps://host[:port] */
	int starttls;             /* enum outreach_tls */
	char smtp_user[128];
	char smtp_password[256];  /* secret: never printed */
	char from[255];           /* checked address */
	char clinic_name[128];    /* "" = the clinic's name in the registry, else its code */
	char base_url[256];       /* where patients open links, e.g. https://clinic.example */
	int quiet_from, quiet_to; /* minutes of the day, local time; equal = no quiet hours */
	int rate_per_minute;      /* 1..6000 */
	int max_per_run;          /* 1..10000 */
	char reminder_days[64];   /* "3,7" (registry/followup.h's parser) */
	int phone_after_days;     /* 0..90 */
	int timeout_s;            /* per message, 1..300 */
	int max_tries;            /* temporary failures before giving up, 1..20 */
	int backoff_s;            /* first retry after this, doubled each time, 1..86400 */
};

/* The defaults (no SMTP server: smtp_url ""). Cannot fail. */
void outreach_config_defaults(struct outreach_config *c);
/* Parses "key = value" lines (# comments, blank lines) over the defaults.
 * PROLO_EINVAL (field "outreach") naming ORIGIN:LINE and the key. */
enum prolo_code outreach_config_parse(const char *text, size_t len, const char *origin,
                                      struct outreach_config *c, struct prolo_err *err);
/* Reads path: PROLO_ENOTFOUND when missing; PROLO_EINVAL when group or
 * others may read it (it holds a password) or it does not parse. */
enum prolo_code outreach_config_load(const char *path, struct outreach_config *c, struct prolo_err *err);
/* True when local time minute-of-day now_min is within quiet hours. */
bool outreach_quiet(const struct outreach_config *c, int now_min);

/* The result of handing one message to the server. */
enum outreach_result { ORES_ACCEPTED, ORES_TEMPORARY, ORES_PERMANENT, ORES_UNKNOWN };
struct outreach_outcome {
	enum outreach_result result;
	long code;            /* the server's last reply code, 0 if none */
	char reply[256];      /* one sentence: the server's answer or what went wrong */
};
/* Sends message (headers and body, CRLF) from c->from to the address to.
 * Temporary: no connection, a 4xx reply, or the connection lost before the
 * whole message was handed over (nothing was delivered: safe to retry).
 * Permanent: a 5xx reply. Unknown: the connection was lost after the whole
 * message was handed over (it may have been delivered: never resent).
 * Cannot fail otherwise. */
void outreach_smtp_send(const struct outreach_config *c, const char *to, const char *message,
                        size_t len, struct outreach_outcome *out);
/* Global libcurl set-up, once per process before threads. */
void outreach_global_init(void);

/* One outbox run per registry at a time, across processes: an exclusive
 * lock (flock) on path, released at exit even on a crash. PROLO_ECONFLICT
 * when another holds it. *fd gets the descriptor for outreach_unlock. */
enum prolo_code outreach_lock(const char *path, int *fd, struct prolo_err *err);
void outreach_unlock(int fd);

#endif
