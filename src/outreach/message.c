/* Building the follow-up e-mail (outreach/message.h). */
#include "outreach/message.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/contact.h"

static enum prolo_code line(struct buf *b, const char *s)
{
	enum prolo_code rc = buf_adds(b, s);
	return rc ? rc : buf_adds(b, "\r\n");
}

/* A value cleaned of control characters, then one line. */
static enum prolo_code text_line(struct buf *b, const char *pre, const char *v, const char *post)
{
	char clean[512];
	contact_clean(v ? v : "", clean, sizeof clean);
	enum prolo_code rc = buf_adds(b, pre);
	if (!rc)
		rc = buf_adds(b, clean);
	if (!rc)
		rc = buf_adds(b, post);
	return rc ? rc : buf_adds(b, "\r\n");
}

static bool id_ok(const char *s)
{
	if (!s || !s[0] || strlen(s) > 200)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '@'))
			return false;
	return true;
}

enum prolo_code outreach_msg_build(const struct outreach_msg *m, struct buf *out,
                                   struct prolo_err *err)
{
	enum prolo_code rc;
	if ((rc = contact_email_check(m->from, "from", err)) || (rc = contact_email_check(m->to, "to", err)))
		return rc;
	if (!id_ok(m->message_id))
		return prolo_err_set(err, PROLO_EINVAL, "message_id", "is not a message id");
	for (size_t i = 0; i < m->n_links; i++)
		if (!id_ok(m->links[i] ? "x" : NULL))
			return prolo_err_set(err, PROLO_EINVAL, "links", "a link is missing");
	char date[64];
	time_t t = (time_t)m->date;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	struct buf h = { 0 };
	buf_init(&h, 64 * 1024);
	rc = buf_printf(&h, "From: <%s>\r\nTo: <%s>\r\nSubject: %s%s\r\nDate: %s\r\nMessage-ID: <%s>\r\n",
	                m->from, m->to, m->step ? "Reminder: " : "", OUTREACH_SUBJECT, date, m->message_id);
	if (!rc && m->optout_url)
		rc = text_line(&h, "List-Unsubscribe: <", m->optout_url, ">");
	if (!rc)
		rc = line(&h, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		              "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n");
	/* The body. */
	if (!rc)
		rc = m->first_name && m->first_name[0] ? text_line(&h, "Dear ", m->first_name, ",")
		                                       : line(&h, "Hello,");
	if (!rc)
		rc = line(&h, "");
	if (!rc)
		rc = text_line(&h, m->step ? "A reminder from " : "", m->clinic_name,
		               m->step ? ": we have not yet had your answers. How are you doing now?"
		                       : " would like to know how you are doing.");
	if (!rc)
		rc = line(&h, m->n_links == 1 ? "Please answer a few short questions here:"
		                              : "Please answer a few short questions, one link per questionnaire:");
	if (!rc)
		rc = line(&h, "");
	for (size_t i = 0; !rc && i < m->n_links; i++)
		rc = text_line(&h, "  ", m->links[i], "");
	if (!rc)
		rc = line(&h, "");
	if (!rc)
		rc = line(&h, "Each link works once and only for you; it expires after a few days.");
	if (!rc)
		rc = line(&h, "");
	if (!rc)
		rc = text_line(&h, "With kind regards,\r\n", m->clinic_name, "");
	if (!rc && m->optout_url) {
		rc = line(&h, "");
		if (!rc)
			rc = line(&h, "If you no longer want these messages, stop them with one click here:");
		if (!rc)
			rc = text_line(&h, "  ", m->optout_url, "");
	}
	if (!rc)
		rc = buf_add(out, h.data, h.len);
	buf_free(&h);
	return rc ? prolo_err_set(err, rc, "", "out of memory building a message") : PROLO_OK;
}

enum prolo_code outreach_sms_text(const struct outreach_msg *m, struct buf *out, struct prolo_err *err)
{
	char name[128], clinic[128];
	contact_clean(m->first_name ? m->first_name : "", name, sizeof name);
	contact_clean(m->clinic_name ? m->clinic_name : "", clinic, sizeof clinic);
	enum prolo_code rc = name[0] ? buf_printf(out, "Dear %s, ", name) : buf_adds(out, "Hello, ");
	if (!rc)
		rc = buf_printf(out, m->step ? "a reminder from %s: how are you doing now? " :
		                               "%s would like to know how you are doing. ", clinic);
	if (!rc)
		rc = buf_adds(out, m->n_links == 1 ? "Please answer here:" : "Please answer here (one link each):");
	for (size_t i = 0; !rc && i < m->n_links; i++) {
		char link[512];
		contact_clean(m->links[i] ? m->links[i] : "", link, sizeof link);
		rc = buf_printf(out, " %s", link);
	}
	if (!rc && m->optout_url) {
		char link[512];
		contact_clean(m->optout_url, link, sizeof link);
		rc = buf_printf(out, " Stop these messages: %s", link);
	}
	return rc ? prolo_err_set(err, rc, "", "out of memory building a message") : PROLO_OK;
}
