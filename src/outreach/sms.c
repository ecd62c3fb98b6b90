/* SMS through a provider's HTTP/JSON interface (outreach/outreach.h). The
 * clinic plugs its provider in by configuration: a URL, one credentials
 * header and a JSON body template. Values go into the template JSON-escaped,
 * so a name with a quote cannot end its string, and the result is parsed
 * before it is sent. The credentials header is secret: it is only handed to
 * libcurl, and removed from a provider's answer before that is kept. */
#include "outreach/outreach.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SMS_BODY_MAX ((size_t)16 * 1024)
#define SMS_ANSWER_MAX ((size_t)64 * 1024)

static const char *const placeholders[] = { "{{to}}", "{{from}}", "{{text}}", "{{ref}}" };
#define N_PLACEHOLDERS 4

/* Appends v as the inside of a JSON string. */
static enum prolo_code json_escape(struct buf *b, const char *v)
{
	enum prolo_code rc = PROLO_OK;
	for (const unsigned char *p = (const unsigned char *)v; !rc && *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			rc = buf_add(b, e, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			rc = buf_printf(b, "\\u%04x", *p);
		} else {
			rc = buf_add(b, (const char *)p, 1);
		}
	}
	return rc;
}

enum prolo_code outreach_sms_body(const char *template, const char *to, const char *from,
                                  const char *text, const char *ref, struct buf *out,
                                  struct prolo_err *err)
{
	const char *vals[N_PLACEHOLDERS] = { to, from, text, ref };
	struct buf b = { 0 };
	buf_init(&b, SMS_BODY_MAX);
	enum prolo_code rc = PROLO_OK;
	for (const char *p = template; !rc && *p;) {
		int which = -1;
		if (p[0] == '{' && p[1] == '{') {
			for (int i = 0; i < N_PLACEHOLDERS && which < 0; i++)
				if (strncmp(p, placeholders[i], strlen(placeholders[i])) == 0)
					which = i;
			if (which < 0) {
				buf_free(&b);
				return prolo_err_set(err, PROLO_EINVAL, "outreach",
				                     "unknown placeholder (use {{to}}, {{from}}, {{text}}, {{ref}})");
			}
		}
		if (which >= 0) {
			rc = json_escape(&b, vals[which] ? vals[which] : "");
			p += strlen(placeholders[which]);
		} else {
			rc = buf_add(&b, p, 1);
			p++;
		}
	}
	if (rc) {
		buf_free(&b);
		return prolo_err_set(err, PROLO_ETOOBIG, "outreach", "the SMS request is larger than 16 KiB");
	}
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	bool ok = j && (json_is_object(j) || json_is_array(j));
	json_decref(j);
	if (!ok) {
		buf_free(&b);
		return prolo_err_set(err, PROLO_EINVAL, "outreach",
		                     "the template does not give a JSON object (a placeholder outside quotes?)");
	}
	rc = buf_add(out, b.data, b.len);
	buf_free(&b);
	return rc ? prolo_err_set(err, rc, "outreach", "the SMS request is too large") : PROLO_OK;
}

enum prolo_code outreach_sms_template_check(const char *template, struct prolo_err *err)
{
	/* Values that break JSON if the template does not quote them. */
	struct buf b = { 0 };
	buf_init(&b, SMS_BODY_MAX);
	enum prolo_code rc = outreach_sms_body(template, "+4915112345678", "x y", "a \"b\"\n{c}", "1.1", &b, err);
	buf_free(&b);
	return rc;
}

struct answer {
	struct buf b;
	bool cut;
};

static size_t write_cb(char *data, size_t size, size_t nmemb, void *p)
{
	struct answer *a = p;
	size_t n = size * nmemb;
	if (!a->cut && buf_add(&a->b, data, n) != PROLO_OK)
		a->cut = true; /* kept what fits; the rest is read and dropped */
	return n;
}

static void say(struct outreach_outcome *out, const char *secret, const char *what, const char *detail, size_t dn)
{
	char d[200] = "";
	size_t k = 0;
	for (size_t i = 0; detail && i < dn && k + 1 < sizeof d; i++)
		d[k++] = (unsigned char)detail[i] < 0x20 || (unsigned char)detail[i] == 0x7f ? ' ' : detail[i];
	d[k] = '\0';
	snprintf(out->reply, sizeof out->reply, "%s%s%s", what, d[0] ? ": " : "", d);
	/* A provider that echoes the request must not put the credentials into
	 * the outbox's record. */
	if (secret && secret[0]) {
		size_t sl = strlen(secret);
		char *from = out->reply, *hit;
		while ((hit = strstr(from, secret)) != NULL) {
			memset(hit, '*', sl);
			from = hit + sl;
		}
	}
	for (char *q = out->reply; *q; q++)
		if ((unsigned char)*q < 0x20)
			*q = ' ';
}

/* What an HTTP answer means (docs/followup.md, "The SMS interface"). */
struct answer_class {
	long lo, hi;            /* status codes */
	enum outreach_result result;
	const char *what;       /* one sentence; the status follows */
};
static const struct answer_class classes[] = {
	{ 200, 299, ORES_ACCEPTED, "accepted" },
	{ 500, 599, ORES_TEMPORARY, "the SMS provider failed" },
	{ 401, 401, ORES_TEMPORARY, "the SMS provider refused the credentials, check sms_header" },
	{ 403, 403, ORES_TEMPORARY, "the SMS provider refused the credentials, check sms_header" },
	{ 407, 407, ORES_TEMPORARY, "the SMS provider refused the credentials, check sms_header" },
	{ 404, 405, ORES_TEMPORARY, "the SMS provider has no such service, check sms_url" },
	{ 408, 408, ORES_TEMPORARY, "the SMS provider asks to try later" },
	{ 429, 429, ORES_TEMPORARY, "the SMS provider asks to try later" },
	{ 400, 499, ORES_PERMANENT, "the SMS provider refused the message for good" },
};
static const struct answer_class not_json = { 200, 299, ORES_TEMPORARY,
                                              "the SMS provider's answer is not JSON" };
static const struct answer_class other = { 0, 0, ORES_TEMPORARY,
                                           "the SMS provider's answer is not one of the interface" };

/* The provider's id of the message from its answer j: the configured key,
 * else the first of id, message_id, messageId, sid; a string or a whole
 * number of printable characters (no space). "" when none. */
static void provider_id(const struct outreach_config *c, json_t *j, char out[OUTREACH_ID_MAX])
{
	static const char *const keys[] = { "id", "message_id", "messageId", "sid" };
	out[0] = '\0';
	if (!json_is_object(j))
		return;
	json_t *v = NULL;
	if (c->sms_id_field[0])
		v = json_object_get(j, c->sms_id_field);
	for (size_t i = 0; !c->sms_id_field[0] && !v && i < sizeof keys / sizeof keys[0]; i++)
		v = json_object_get(j, keys[i]);
	if (json_is_integer(v))
		snprintf(out, OUTREACH_ID_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) < OUTREACH_ID_MAX)
		snprintf(out, OUTREACH_ID_MAX, "%s", json_string_value(v));
	for (const char *q = out; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f) {
			out[0] = '\0';
			return;
		}
}

static const struct answer_class *classify(long code, bool json)
{
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (code >= classes[i].lo && code <= classes[i].hi)
			return classes[i].result == ORES_ACCEPTED && !json ? &not_json : &classes[i];
	return &other;
}

void outreach_sms_send(const struct outreach_config *c, struct outreach_conn *k, const char *to,
                       const char *text, const char *ref, struct outreach_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->result = ORES_TEMPORARY;
	const char *colon = strchr(c->sms_header, ':');
	const char *secret = colon ? colon + 1 : NULL;
	while (secret && *secret == ' ')
		secret++;
	if (!c->sms_url[0]) {
		say(out, NULL, "no SMS provider is configured (sms_url)", NULL, 0);
		return;
	}
	struct buf body = { 0 };
	buf_init(&body, SMS_BODY_MAX);
	struct prolo_err e = { 0 };
	if (outreach_sms_body(c->sms_body, to, c->sms_from, text, ref, &body, &e)) {
		out->result = ORES_PERMANENT;
		say(out, NULL, "the SMS request could not be built (sms_body)", e.msg, strlen(e.msg));
		buf_free(&body);
		return;
	}
	CURL *h = k->sms;
	if (!h && !(h = k->sms = curl_easy_init())) {
		say(out, NULL, "could not start the HTTP client", NULL, 0);
		buf_free(&body);
		return;
	}
	curl_easy_reset(h);
	char idem[96];
	snprintf(idem, sizeof idem, "Idempotency-Key: %s", ref);
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
	hd = curl_slist_append(hd, "Accept: application/json");
	hd = curl_slist_append(hd, idem);
	if (c->sms_header[0])
		hd = curl_slist_append(hd, c->sms_header);
	struct answer a = { { 0 }, false };
	buf_init(&a.b, SMS_ANSWER_MAX);
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, c->sms_url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(c->timeout_s < 10 ? c->timeout_s : 10));
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	out->code = code;
	const char *ad = a.b.data ? a.b.data : "";
	size_t an = a.b.len;
	if (rc != CURLE_OK) {
		const char *why = ebuf[0] ? ebuf : curl_easy_strerror(rc);
		say(out, secret, rc == CURLE_OPERATION_TIMEDOUT ? "the SMS provider did not answer in time"
		                                                 : "could not reach the SMS provider", why, strlen(why));
	} else {
		bool json = false;
		if (code >= 200 && code < 300) {
			json_error_t je;
			json_t *j = json_loadb(ad, an, 0, &je);
			json = j && (json_is_object(j) || json_is_array(j));
			provider_id(c, j, out->provider_id);
			json_decref(j);
		}
		const struct answer_class *cls = classify(code, json);
		char what[128];
		out->result = cls->result;
		snprintf(what, sizeof what, "%s (HTTP %ld)", cls->what, code);
		say(out, secret, what, ad, an);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hd); /* holds the secret: libcurl copies nothing we must wipe */
	buf_free(&a.b);
	buf_free(&body);
}
