/* E-mail over SMTP with libcurl (outreach/outreach.h). The read callback
 * notes when the whole message was handed to libcurl: a failure after that
 * without a reply code may have delivered it, so it is "unknown" and never
 * resent; before that nothing was delivered and a retry is safe. */
#include "outreach/outreach.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct upload {
	const char *data;
	size_t len, pos;
	bool all_read;
};

static size_t read_cb(char *out, size_t size, size_t nmemb, void *p)
{
	struct upload *u = p;
	size_t room = size * nmemb, left = u->len - u->pos;
	size_t n = left < room ? left : room;
	memcpy(out, u->data + u->pos, n);
	u->pos += n;
	if (u->pos == u->len)
		u->all_read = true; /* libcurl need not ask again at the end */
	return n;
}

void outreach_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* One sentence from libcurl's error and the server's code, without the
 * configuration's secrets (libcurl's messages never hold the password). */
static void say(struct outreach_outcome *out, const char *what, const char *detail)
{
	snprintf(out->reply, sizeof out->reply, "%s%s%s", what, detail && detail[0] ? ": " : "",
	         detail ? detail : "");
	for (char *p = out->reply; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

void outreach_conn_close(struct outreach_conn *k)
{
	if (k->smtp)
		curl_easy_cleanup(k->smtp);
	if (k->sms)
		curl_easy_cleanup(k->sms);
	k->smtp = k->sms = NULL;
}

/* The handle (and so the connection) of the previous message is reused:
 * libcurl checks it is alive before the next MAIL FROM, and opens a new
 * one when the server closed it. */
void outreach_smtp_send(const struct outreach_config *c, struct outreach_conn *k, const char *to,
                        const char *message, size_t len, struct outreach_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->result = ORES_TEMPORARY;
	if (!c->smtp_url[0]) {
		say(out, "no SMTP server is configured (smtp_url)", NULL);
		return;
	}
	CURL *h = k->smtp;
	if (!h && !(h = k->smtp = curl_easy_init())) {
		say(out, "could not start the mail client", NULL);
		return;
	}
	curl_easy_reset(h);
	char from[300], rcpt_addr[300], ebuf[CURL_ERROR_SIZE] = "";
	snprintf(from, sizeof from, "<%s>", c->from);
	snprintf(rcpt_addr, sizeof rcpt_addr, "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_addr);
	struct upload u = { message, len, 0, false };
	curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(c->timeout_s < 10 ? c->timeout_s : 10));
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)c->timeout_s);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL, c->starttls == OTLS_REQUIRED ? (long)CURLUSESSL_ALL
	                                     : c->starttls == OTLS_TRY    ? (long)CURLUSESSL_TRY
	                                                                  : (long)CURLUSESSL_NONE);
	if (c->smtp_user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_password);
	}
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	out->code = code;
	if (rc == CURLE_OK) {
		out->result = ORES_ACCEPTED;
		char r[32];
		snprintf(r, sizeof r, "%ld", code ? code : 250);
		say(out, "accepted", r);
	} else if (code >= 500 && code < 600) {
		out->result = ORES_PERMANENT;
		say(out, "the server refused the message for good", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else if (code >= 400 && code < 500) {
		out->result = ORES_TEMPORARY;
		say(out, "the server refused the message for now", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	           (rc == CURLE_OPERATION_TIMEDOUT && !u.all_read)) {
		out->result = ORES_TEMPORARY;
		say(out, "could not reach the mail server", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else if (rc == CURLE_LOGIN_DENIED) {
		out->result = ORES_TEMPORARY;
		say(out, "the mail server refused the login (smtp_user, smtp_password)", NULL);
	} else if (rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CONNECT_ERROR ||
	           rc == CURLE_PEER_FAILED_VERIFICATION) {
		out->result = ORES_TEMPORARY;
		say(out, "no secure connection to the mail server (starttls)", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else if (u.all_read) {
		out->result = ORES_UNKNOWN;
		say(out, "the connection was lost after the whole message was sent; it may have arrived",
		    ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else {
		out->result = ORES_TEMPORARY;
		say(out, "the connection was lost before the message was sent", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	}
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	if (rc != CURLE_OK) {
		/* After a failure the connection's state is unknown: a fresh one
		 * next time. Shut down first: libcurl would otherwise say QUIT to a
		 * server that stopped answering and wait for its reply. */
		curl_socket_t fd = CURL_SOCKET_BAD;
		if (curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK && fd != CURL_SOCKET_BAD)
			shutdown(fd, SHUT_RDWR);
		curl_easy_cleanup(h);
		k->smtp = NULL;
	}
}
