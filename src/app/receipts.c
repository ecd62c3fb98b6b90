/* What happens to a message after the server or the provider took it:
 * bounce messages (read by core/dsn.c, found by the Message-ID prolo
 * generated and stored before sending) and an SMS provider's delivery
 * receipts (found by the id the provider gave when it accepted the
 * message, or prolo's reference). A permanent failure is handled as a
 * permanent failure at sending is (app_outbox_contact_fix); the
 * invitation funnel's "delivered" then leaves the attempt out, since it
 * counts attempts still 'accepted'. docs/followup.md, "Bounces and
 * receipts". */
#include "app/app_outreach.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/dsn.h"
#include "core/domain.h"
#include "security/audit.h"

enum want { W_BOUNCE, W_DELIVERED, W_NOTE };

/* Applies what a report said (want, status, from source) to attempt a. */
static enum prolo_code apply(struct app_ctx *cx, const struct store_oattempt *a, enum want want, const char *status,
                             const char *source, const char *action, struct app_receipt_out *out,
                             struct prolo_err *err)
{
	struct store_omsg m;
	enum prolo_code rc = store_omsg_get(cx->st, a->message_id, &m, err);
	if (rc)
		return rc;
	out->message_id = a->message_id;
	out->n = a->n;
	snprintf(out->status, sizeof out->status, "%s", status);
	if (a->result == OR_BOUNCED) {
		out->effect = APP_RECEIPT_ALREADY;
		return PROLO_OK;
	}
	bool sms = a->channel == CH_SMS;
	char text[128];
	snprintf(text, sizeof text, "%s %s (%s)", want == W_BOUNCE ? "bounced" : want == W_DELIVERED ? "delivered" : "noted",
	         status, source);
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_oattempt_receipt(cx->st, a->message_id, a->n, want == W_BOUNCE ? OR_BOUNCED : -1, text, cx->now, err);
	out->effect = want == W_BOUNCE ? APP_RECEIPT_BOUNCED : want == W_DELIVERED ? APP_RECEIPT_DELIVERED : APP_RECEIPT_NOTED;
	if (!rc && want == W_BOUNCE) {
		if (m.state != OM_CANCELLED)
			rc = store_omsg_set(cx->st, m.id, OM_FAILED, m.tries, m.next_try, err);
		/* The address is marked bad only if it is still the one the
		 * message went to: contact details changed since are kept. */
		struct store_contact c;
		enum prolo_code crc = rc ? rc : store_contact_get(cx->st, m.patient_id, &c, err);
		bool mark = crc == PROLO_OK && c.updated_at <= a->at;
		if (crc == PROLO_ENOTFOUND) {
			prolo_err_clear(err);
			crc = PROLO_OK;
		}
		rc = crc;
		out->address_kept = !mark;
		if (!rc)
			rc = app_outbox_contact_fix(cx, &m, mark ? &c : NULL, sms,
			                            sms ? "The SMS provider reported the follow-up SMS as not delivered: check and correct the number."
			                                : "The follow-up e-mail bounced (the receiving mail server refused it): check and correct the address.",
			                            err);
	}
	if (!rc) {
		char detail[96];
		snprintf(detail, sizeof detail, "message %lld try %d %s %s", (long long)a->message_id, a->n,
		         want == W_BOUNCE ? "bounced" : want == W_DELIVERED ? "delivered" : "noted", status);
		rc = app_audit(cx, action, "course", m.course_id, detail, err);
	}
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_outbox_bounce(struct app_ctx *cx, const char *text, size_t len, struct app_receipt_out *out,
                                  struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	enum prolo_code rc = app_permit(cx, CAN_OUTBOX, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct dsn_report d;
	if ((rc = dsn_parse(text, len, &d, err)))
		return rc;
	struct store_oattempt a;
	if ((rc = store_oattempt_find(cx->st, true, d.message_id, &a, err)))
		return rc == PROLO_ENOTFOUND ? prolo_err_set(err, rc, "id", "no e-mail of this registry has the Message-ID of the bounce")
		                             : rc;
	enum want w = d.action == DSN_FAILED ? W_BOUNCE : d.action == DSN_DELIVERED ? W_DELIVERED : W_NOTE;
	return apply(cx, &a, w, d.status, d.action == DSN_DELAYED ? "delayed: delivery report" : "delivery report",
	             "outbox.bounce", out, err);
}

/* ---- SMS receipts ---------------------------------------------------------- */

static const char *const bounced_states[] = { "failed", "undelivered", "rejected" };
static const char *const noted_states[] = { "expired", "queued", "accepted", "sent", "buffered", "unknown" };

static bool in_list(const char *const *l, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i], v) == 0)
			return true;
	return false;
}

/* Constant time whatever the lengths: both sides hashed first. */
static bool secret_ok(const char *want, const char *got)
{
	if (!want || !want[0] || !got)
		return false;
	unsigned char hw[32], hg[32];
	crypto_generichash(hw, sizeof hw, (const unsigned char *)want, strlen(want), NULL, 0);
	crypto_generichash(hg, sizeof hg, (const unsigned char *)got, strlen(got), NULL, 0);
	return sodium_memcmp(hw, hg, sizeof hw) == 0;
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n >= OUTREACH_ID_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/* The last attempt of a message (by its reference "prolo-N"). */
struct last_ctx {
	struct store_oattempt a;
	bool found;
};
static enum prolo_code take_last(void *p, const struct store_oattempt *a, struct prolo_err *err)
{
	(void)err;
	struct last_ctx *l = p;
	l->a = *a;
	l->found = true;
	return PROLO_OK;
}

bool app_sms_receipt_secret_ok(struct app_ctx *cx, const char *secret, const char *given, struct prolo_err *err)
{
	if (!secret || !secret[0]) {
		prolo_err_set(err, PROLO_EAUTH, "secret", "SMS receipts are not configured (sms_receipt_secret)");
		return false;
	}
	if (secret_ok(secret, given))
		return true;
	/* Kept though the request is refused: someone without the secret is
	 * trying (the secret itself goes nowhere). */
	if (cx->audit.later) {
		struct store_audit e;
		audit_row(&e, "sms-provider", "denied", "", cx->who.addr, "outbox.receipt: wrong or missing secret");
		cx->audit.later(cx->audit.ctx, &e);
	}
	prolo_err_set(err, PROLO_EAUTH, "secret", "the receipt's secret is wrong or missing");
	return false;
}

enum prolo_code app_sms_receipt(struct app_ctx *cx, const char *secret, const struct app_sms_receipt_in *in,
                                struct app_receipt_out *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	if (!app_sms_receipt_secret_ok(cx, secret, in->secret, err))
		return err->code;
	snprintf(cx->who.user, sizeof cx->who.user, "sms-provider");
	if (!in->status || !in->status[0])
		return prolo_err_set(err, PROLO_EINVAL, "status", "is required");
	enum want w = strcmp(in->status, "delivered") == 0 ? W_DELIVERED
	              : in_list(bounced_states, 3, in->status) ? W_BOUNCE
	              : in_list(noted_states, 6, in->status)   ? W_NOTE
	                                                       : (enum want)-1;
	if ((int)w < 0)
		return prolo_err_set(err, PROLO_EINVAL, "status",
		                     "is one of delivered, failed, undelivered, rejected, expired, queued, accepted, sent, "
		                     "buffered, unknown");
	if (!in->id && !in->reference)
		return prolo_err_set(err, PROLO_EINVAL, "id", "is required (the provider's message id), or reference");
	enum prolo_code rc;
	struct last_ctx l = { .found = false };
	if (in->id) {
		if (!id_ok(in->id))
			return prolo_err_set(err, PROLO_EINVAL, "id", "is 1-%d printable characters without spaces",
			                     OUTREACH_ID_MAX - 1);
		if ((rc = store_oattempt_find(cx->st, false, in->id, &l.a, err)))
			return rc;
		l.found = true;
	} else {
		long mid;
		const char *r = in->reference;
		if (strncmp(r, "prolo-", 6) != 0 || !dom_parse_long(r + 6, strlen(r + 6), 1, 1L << 40, &mid))
			return prolo_err_set(err, PROLO_EINVAL, "reference", "is prolo's reference of a message, prolo-N");
		if ((rc = store_oattempt_scan(cx->st, mid, take_last, &l, err)))
			return rc;
	}
	if (!l.found || l.a.channel != CH_SMS)
		return prolo_err_set(err, PROLO_ENOTFOUND, "id", "no SMS of this registry has this id");
	return apply(cx, &l.a, w, in->status, "SMS receipt", "outbox.receipt", out, err);
}

bool app_outreach_reminders(const struct outreach_config *conf, struct fu_reminders *r)
{
	followup_reminders_default(r);
	if (!followup_reminders_parse(conf->reminder_days, r)) {
		followup_reminders_default(r);
		return false;
	}
	r->phone_after_days = conf->phone_after_days;
	return true;
}
