/* Reading a bounce: a delivery status notification (RFC 3464: a
 * multipart/report with a message/delivery-status part and the original
 * message or its headers), or the common unstructured bounce that quotes
 * the original headers in plain text. What it yields is the original
 * Message-ID (how the outbox finds the message it sent) and the status.
 * A status or header part sent in base64 or quoted-printable is decoded.
 * Pure: bytes in, a report out, no I/O; the only allocation is the
 * decoded copy of such a part, freed before it returns; bounded by the
 * input. */
#ifndef PROLO_DSN_H
#define PROLO_DSN_H

#include <stddef.h>

#include "core/err.h"

#define DSN_MAX ((size_t)4 * 1024 * 1024) /* a bounce larger than this is refused */
#define DSN_ID_MAX 251                    /* a Message-ID without <>, NUL included */

enum dsn_action {
	DSN_FAILED,    /* permanent: 5.x.x, or Action: failed */
	DSN_DELAYED,   /* still trying: 4.x.x, or Action: delayed */
	DSN_DELIVERED, /* a success notice: 2.x.x, or Action: delivered, relayed, expanded */
	DSN__COUNT
};
/* "failed", "delayed", "delivered" */
extern const char *const dsn_action_names[DSN__COUNT];

struct dsn_report {
	char message_id[DSN_ID_MAX]; /* the original message's Message-ID, without <> */
	char status[16];             /* "5.1.1"; "5.0.0" when only an SMTP reply code (550) was found */
	int action;                  /* enum dsn_action */
	int structured;              /* 1: an RFC 3464 report; 0: read from plain text */
};

/* Reads one bounce message (headers and body, CRLF or LF line ends) of
 * len bytes. PROLO_EINVAL with a one-sentence message and field "bounce"
 * when it is not a bounce prolo can read: larger than DSN_MAX, no header
 * block, no status (neither a Status field nor an enhanced status code or
 * SMTP reply in the text), no original Message-ID, or a status or header
 * part whose base64 is broken ("... part is unreadable"); PROLO_ENOMEM
 * (field "bounce") when a part's decoded copy cannot be allocated. *out
 * is zeroed first and left zeroed on an error. */
enum prolo_code dsn_parse(const char *text, size_t len, struct dsn_report *out, struct prolo_err *err);

#endif
