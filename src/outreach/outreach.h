/* The outreach channels and their configuration: e-mail over SMTP and
 * SMS through a provider's HTTP/JSON interface (both libcurl), the
 * outbox's settings, and who this process is as the holder of the outbox
 * lease. docs/followup.md documents the configuration file and the SMS
 * interface. Secrets (the SMTP password, the SMS credentials header) are
 * never logged or printed: only whether one is set. */
#ifndef PROLO_OUTREACH_H
#define PROLO_OUTREACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define OUTREACH_CONF_MAX ((size_t)64 * 1024)
/* The SMS request body when the configuration names none. */
#define OUTREACH_SMS_BODY_DEFAULT \
	"{\"to\": \"{{to}}\", \"from\": \"{{from}}\", \"text\": \"{{text}}\", \"reference\": \"{{ref}}\"}"

#define OUTREACH_ID_MAX 251 /* a provider's message id or a Message-ID, NUL included */
#define OUTREACH_RECEIPT_SECRET_MIN 16

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
	int rate_per_minute;      /* 1..60000 */
	int max_per_run;          /* 1..10000 */
	char reminder_days[64];   /* "3,7" (registry/followup.h's parser) */
	int phone_after_days;     /* 0..90 */
	int timeout_s;            /* per message, 1..300 */
	int max_tries;            /* temporary failures before giving up, 1..20 */
	int backoff_s;            /* first retry after this, doubled each time, 1..86400 */
	/* SMS through a provider's HTTP/JSON interface (sms.c) */
	char sms_url[256];        /* http(s)://host[:port]/path; "" = no SMS channel */
	char sms_header[512];     /* secret: "Name: value", sent with every request */
	char sms_body[1024];      /* JSON template: {{to}} {{from}} {{text}} {{ref}} inside strings */
	char sms_from[64];        /* the sender name or number, for {{from}} */
	char sms_id_field[64];    /* the provider's answer's key holding its message id; "" = id, message_id, messageId or sid */
	char sms_receipt_secret[256]; /* secret: the provider's delivery receipts carry it; "" = receipts refused */
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
	char provider_id[OUTREACH_ID_MAX]; /* SMS accepted: the provider's id of the message, "" = none given */
};
/* One connection per channel, kept open between messages of a pass
 * (libcurl handles). Zero-initialised = none yet; outreach_conn_close
 * closes what is open. */
struct outreach_conn {
	void *smtp, *sms;
};
void outreach_conn_close(struct outreach_conn *k);

/* Sends message (headers and body, CRLF) from c->from to the address to.
 * Temporary: no connection, a 4xx reply, or the connection lost before the
 * whole message was handed over (nothing was delivered: safe to retry).
 * Permanent: a 5xx reply. Unknown: the connection was lost after the whole
 * message was handed over (it may have been delivered: never resent).
 * Cannot fail otherwise. */
void outreach_smtp_send(const struct outreach_config *c, struct outreach_conn *k, const char *to,
                        const char *message, size_t len, struct outreach_outcome *out);

/* Sends one SMS through the provider (docs/followup.md, "The SMS
 * interface"): POSTs c->sms_body with {{to}}, {{from}}, {{text}} and
 * {{ref}} replaced by the JSON-escaped values, with c->sms_header and an
 * Idempotency-Key header of ref (the same on every try of one message).
 * Accepted: a 2xx answer holding JSON. Temporary: no connection, a
 * timeout, a 5xx, 401/403/404/405/407/408/429 (the provider or its
 * configuration, not the number), or an answer that is not JSON (kept in
 * the reply). Permanent: any other 4xx (the number is refused). The reply
 * never holds the credentials header. Cannot fail otherwise. */
void outreach_sms_send(const struct outreach_config *c, struct outreach_conn *k, const char *to,
                       const char *text, const char *ref, struct outreach_outcome *out);
/* PROLO_EINVAL (field "outreach") when template is not JSON once its
 * placeholders are filled with any values (a placeholder outside a JSON
 * string, an unknown one, a syntax error). */
enum prolo_code outreach_sms_template_check(const char *template, struct prolo_err *err);
/* The request body: template with each placeholder replaced by its
 * JSON-escaped value (so a value cannot end the string it is in).
 * PROLO_ETOOBIG past 16 KiB, PROLO_EINVAL when the result is not JSON. */
enum prolo_code outreach_sms_body(const char *template, const char *to, const char *from,
                                  const char *text, const char *ref, struct buf *out,
                                  struct prolo_err *err);
/* Global libcurl set-up, once per process before threads. */
void outreach_global_init(void);

/* This process as the holder of the outbox lease: the machine's host name
 * and the process id. Cannot fail ("localhost" when the name is unknown). */
void outreach_self(char *host, size_t hostsz, int *pid);
/* False only when host is this machine and no process pid runs: a lease
 * holder that died (a kill -9, a crash). Cannot fail. */
bool outreach_holder_alive(const char *host, int pid);

#endif
