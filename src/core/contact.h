/* A patient's contact details for follow-up: the checks at the edge. An
 * e-mail address or a mobile number either passes a strict shape check or
 * is refused naming the field; what passes holds no space, control
 * character, CR or LF, so it cannot inject a header into a message.
 * Pure. */
#ifndef PROLO_CONTACT_H
#define PROLO_CONTACT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define CONTACT_EMAIL_MAX 255  /* 254 characters + NUL (RFC 5321 path limit) */
#define CONTACT_MOBILE_MAX 17  /* "+" and 15 digits (E.164) + NUL */

enum contact_channel { CH_EMAIL, CH_SMS, CH_NONE, CH__COUNT };
extern const char *const contact_channel_names[CH__COUNT];
enum contact_consent { CONSENT_NONE, CONSENT_GIVEN, CONSENT_WITHDRAWN, CONSENT__COUNT };
extern const char *const contact_consent_names[CONSENT__COUNT];

/* An address the registry will send to: local@domain, ASCII only; the
 * local part of letters, digits and ! # $ % & ' * + / = ? ^ _ ` { | } ~ -
 * and single inner dots (1..64); the domain of at least two dot-separated
 * labels of letters, digits and inner hyphens (1..63 each), the last one
 * letters only. PROLO_EINVAL with err->field = field. */
enum prolo_code contact_email_check(const char *s, const char *field, struct prolo_err *err);
/* E.164: "+", a first digit 1-9, 8 to 15 digits in all, nothing else. */
enum prolo_code contact_mobile_check(const char *s, const char *field, struct prolo_err *err);
/* A free-text value that goes into a message (a name, a consent note):
 * UTF-8, at most max-1 bytes, no control character (so no CR or LF). */
enum prolo_code contact_text_check(const char *s, size_t max, const char *field,
                                   struct prolo_err *err);
/* Copies s into out (outsz > 0) with every control character (below 0x20,
 * 0x7f) replaced by a space: the last guard of a value put into a
 * message. Cannot fail; truncates. */
void contact_clean(const char *s, char *out, size_t outsz);

#endif
