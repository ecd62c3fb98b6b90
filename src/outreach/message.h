/* The follow-up e-mail: what goes into it, built by construction without
 * health data (no condition, treatment, score or course id: the patient's
 * first name, the clinic's name, the links and the opt-out) and without a
 * way to inject a header: addresses must pass core/contact.h's checks,
 * every other value is cleaned of control characters, the subject is
 * fixed. Pure. */
#ifndef PROLO_OUTREACH_MESSAGE_H
#define PROLO_OUTREACH_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define OUTREACH_LINKS_MAX 8

struct outreach_msg {
	const char *from;          /* checked address */
	const char *to;            /* checked address */
	const char *first_name;    /* "" = none */
	const char *clinic_name;
	int step;                  /* 0 invitation, k reminder k */
	size_t n_links;
	const char *links[OUTREACH_LINKS_MAX];  /* questionnaire URLs */
	const char *optout_url;
	const char *message_id;    /* "<...@...>" local part and host: letters, digits, . - */
	int64_t date;              /* Unix seconds, for the Date header */
};

/* Appends the whole message (headers, blank line, body; CRLF line ends)
 * to out. PROLO_EINVAL (field "to"/"from"/"message_id") when an address
 * fails its check; PROLO_ENOMEM. */
enum prolo_code outreach_msg_build(const struct outreach_msg *m, struct buf *out,
                                   struct prolo_err *err);

/* The same message as one SMS text (to and from are not used): the first
 * name, the clinic's name, the links and the opt-out, each value cleaned
 * of control characters; no health data. PROLO_ENOMEM. */
enum prolo_code outreach_sms_text(const struct outreach_msg *m, struct buf *out, struct prolo_err *err);

#define OUTREACH_SUBJECT "Your follow-up questionnaire"

#endif
