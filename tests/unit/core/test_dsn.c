/* Reading bounces (core/dsn.h): an RFC 3464 report (Postfix's shape, the
 * original as headers), the status deciding failed / delayed / delivered,
 * folded headers and a quoted boundary, CRLF, a plain bounce quoting the
 * original's headers with only an SMTP reply code, and refusals: no
 * headers, no status, no Message-ID, an id without '@', a boundary that
 * never closes, too large. Parts sent in base64 (as Exchange does) or
 * quoted-printable are decoded; broken base64 is refused as unreadable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dsn.h"

static const char report[] =
	"From: MAILER-DAEMON@mx.example.org\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"Message-ID: <bounce-1@mx.example.org>\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"XYZ/mx\"\n"
	"\n"
	"--XYZ/mx\n"
	"Content-Type: text/plain\n"
	"\n"
	"Your message to <a@example.org> with id <decoy@example.org> failed.\n"
	"\n"
	"--XYZ/mx\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx.example.org\n"
	"\n"
	"Final-Recipient: rfc822; a@example.org\n"
	"Action: %s\n"
	"Status: %s (the diagnostic)\n"
	"\n"
	"--XYZ/mx\n"
	"Content-Type: text/rfc822-headers\n"
	"\n"
	"From: <clinic@example.org>\n"
	"Message-ID:\n"
	" <0123abcd@example.org>\n"
	"\n"
	"--XYZ/mx--\n";

static enum prolo_code parse(const char *text, struct dsn_report *r, struct prolo_err *err)
{
	return dsn_parse(text, strlen(text), r, err);
}

static void t_report(void **st)
{
	(void)st;
	static const struct { const char *action, *status, *want; int act; } cases[] = {
		{ "failed", "5.1.1", "5.1.1", DSN_FAILED },
		{ "delayed", "4.4.7", "4.4.7", DSN_DELAYED },
		{ "delivered", "2.0.0", "2.0.0", DSN_DELIVERED },
		{ "failed", "5.7.26", "5.7.26", DSN_FAILED },
		/* a server giving up after its queue's lifetime: Action decides */
		{ "failed", "4.4.1", "4.4.1", DSN_FAILED },
		{ "delayed", "5.0.0", "5.0.0", DSN_DELAYED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[2048];
		snprintf(buf, sizeof buf, report, cases[i].action, cases[i].status);
		struct dsn_report r;
		struct prolo_err err = { 0 };
		assert_int_equal(parse(buf, &r, &err), PROLO_OK);
		assert_string_equal(r.message_id, "0123abcd@example.org");
		assert_string_equal(r.status, cases[i].want);
		assert_int_equal(r.action, cases[i].act);
		assert_int_equal(r.structured, 1);
	}
}

static void t_crlf(void **st)
{
	(void)st;
	char buf[2048], crlf[4096];
	snprintf(buf, sizeof buf, report, "failed", "5.2.2");
	size_t k = 0;
	for (const char *p = buf; *p; p++) {
		if (*p == '\n')
			crlf[k++] = '\r';
		crlf[k++] = *p;
	}
	crlf[k] = '\0';
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(crlf, &r, &err), PROLO_OK);
	assert_string_equal(r.message_id, "0123abcd@example.org");
	assert_string_equal(r.status, "5.2.2");
}

static void t_plain(void **st)
{
	(void)st;
	const char *text =
		"From: MAILER-DAEMON@mx.example.org\n"
		"Subject: failure notice\n"
		"\n"
		"Hi. This is the qmail-send program at mx.example.org (10.4.2.1).\n"
		"<a@example.org>:\n"
		"Remote host said: 550 no such user here\n"
		"\n"
		"--- Below this line is a copy of the message.\n"
		"\n"
		"Return-Path: <clinic@example.org>\n"
		"> Message-ID: <ffee@example.org>\n";
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(text, &r, &err), PROLO_OK);
	assert_string_equal(r.message_id, "ffee@example.org");
	assert_string_equal(r.status, "5.0.0");
	assert_int_equal(r.action, DSN_FAILED);
	assert_int_equal(r.structured, 0);
}

/* A crafted bounce of a quarter million indented "message-id:" lines
 * (each a candidate that reads on through the rest) is read in linear
 * time: tried at most a few times, then refused. Quadratic, this took
 * minutes. */
static void t_many_candidates(void **st)
{
	(void)st;
	static const char head[] = "Subject: x\n\n550 5.1.1 no\nMessage-ID: x\n";
	static const char line[] = " message-id: x\n";
	size_t n = 250000, len = strlen(head) + n * strlen(line);
	char *text = malloc(len + 1);
	assert_non_null(text);
	strcpy(text, head);
	for (size_t i = 0, at = strlen(head); i < n; i++, at += strlen(line))
		memcpy(text + at, line, strlen(line));
	text[len] = '\0';
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(dsn_parse(text, len, &r, &err), PROLO_EINVAL);
	free(text);
}

/* Exchange's shape: CRLF, the status and the original's headers each in
 * base64 wrapped at 76 columns. The plain-text part holds no status, so
 * only the decoded parts can give it. */
static const char exchange[] =
	"From: postmaster@example.org\r\n"
	"To: clinic@example.org\r\n"
	"Subject: Undeliverable: Your follow-up questionnaire\r\n"
	"Content-Type: multipart/report; report-type=delivery-status;\r\n"
	"\tboundary=\"_000_EX01_\"\r\n"
	"MIME-Version: 1.0\r\n"
	"\r\n"
	"--_000_EX01_\r\n"
	"Content-Type: text/plain; charset=\"us-ascii\"\r\n"
	"Content-Transfer-Encoding: 7bit\r\n"
	"\r\n"
	"Delivery has failed to these recipients or groups.\r\n"
	"\r\n"
	"--_000_EX01_\r\n"
	"Content-Type: message/delivery-status\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"UmVwb3J0aW5nLU1UQTogZG5zO0VYMDEubWFpbC5leGFtcGxlLm9yZw0KUmVjZWl2ZWQtRnJvbS1N\r\n"
	"VEE6IGRuczttYWlsLmV4YW1wbGUub3JnDQpBcnJpdmFsLURhdGU6IE1vbiwgNyBBcHIgMjAyNSAw\r\n"
	"OTowMDowMCArMDAwMA0KDQpGaW5hbC1SZWNpcGllbnQ6IHJmYzgyMjtwYXRpZW50QGV4YW1wbGUu\r\n"
	"b3JnDQpBY3Rpb246IGZhaWxlZA0KU3RhdHVzOiA1LjEuMTANCkRpYWdub3N0aWMtQ29kZTogc210\r\n"
	"cDs1NTAgNS4xLjEwIFJFU09MVkVSLkFEUi5SZWNpcGllbnROb3RGb3VuZDsgUmVjaXBpZW50IG5v\r\n"
	"dCBmb3VuZCBieSBTTVRQIGFkZHJlc3MgbG9va3VwDQo=\r\n"
	"\r\n"
	"--_000_EX01_\r\n"
	"Content-Type: text/rfc822-headers\r\n"
	"Content-Transfer-Encoding: BASE64\r\n"
	"\r\n"
	"RnJvbTogPGNsaW5pY0BleGFtcGxlLm9yZz4NClRvOiA8cGF0aWVudEBleGFtcGxlLm9yZz4NClN1\r\n"
	"YmplY3Q6IFlvdXIgZm9sbG93LXVwIHF1ZXN0aW9ubmFpcmUNCk1lc3NhZ2UtSUQ6IDw1ZTFmMGMy\r\n"
	"YTliQGV4YW1wbGUub3JnPg0KTUlNRS1WZXJzaW9uOiAxLjANCg==\r\n"
	"\r\n"
	"--_000_EX01_--\r\n";

static void t_base64(void **st)
{
	(void)st;
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(exchange, &r, &err), PROLO_OK);
	assert_string_equal(r.message_id, "5e1f0c2a9b@example.org");
	assert_string_equal(r.status, "5.1.10");
	assert_int_equal(r.action, DSN_FAILED);
	assert_int_equal(r.structured, 1);
}

/* Quoted-printable: soft line breaks (one inside the status, one inside
 * the Message-ID), =XX escapes, a lone '=' kept as it is. */
static void t_quoted_printable(void **st)
{
	(void)st;
	const char *text =
		"Subject: Delivery Status Notification (Delay)\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=qp1\n"
		"\n"
		"--qp1\n"
		"Content-Type: message/delivery-status\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"Reporting-MTA: dns; mx.example.org\n"
		"\n"
		"Final-Recipient: rfc822; a=3Db@example.org\n"
		"Action: del=\n"
		"ayed\n"
		"Status: 4.=   \n"
		"4.7 (a lone = stays)\n"
		"\n"
		"--qp1\n"
		"Content-Type: text/rfc822-headers\n"
		"Content-Transfer-Encoding: Quoted-Printable\n"
		"\n"
		"Subject: =3D?utf-8?q?x?=3D\n"
		"Message-ID: <0a1b2c3d=\n"
		"4e@example.org>\n"
		"\n"
		"--qp1--\n";
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(text, &r, &err), PROLO_OK);
	assert_string_equal(r.message_id, "0a1b2c3d4e@example.org");
	assert_string_equal(r.status, "4.4.7");
	assert_int_equal(r.action, DSN_DELAYED);
	assert_int_equal(r.structured, 1);
}

/* Broken base64 in the status part or in the original's headers: refused
 * as unreadable, naming the part, with no crash and *out zeroed. */
static void t_base64_broken(void **st)
{
	(void)st;
	static const char *const cuts[][2] = {
		/* a character outside the alphabet */
		{ "b3JnDQpBY3Rpb246IGZhaWxlZA0KU3RhdHVz", "b3JnDQpBY3Rpb246IGZhaWxl!A0KU3RhdHVz" },
		/* cut inside a quantum (no padding) */
		{ "dCBmb3VuZCBieSBTTVRQIGFkZHJlc3MgbG9va3VwDQo=", "dCBmb3VuZCBieSBTTVRQIGFkZHJlc3MgbG9va3VwDQ" },
		/* text after the padding */
		{ "YTliQGV4YW1wbGUub3JnPg0KTUlNRS1WZXJzaW9uOiAxLjANCg==", "YTliQGV4YW1wbGUub3JnPg0KTUlNRS1WZXJzaW9uOiAxLjANCg==QQ" },
	};
	static const char *const part[] = { "delivery-status", "delivery-status", "rfc822-headers" };
	for (size_t i = 0; i < 3; i++) {
		char buf[4096];
		const char *at = strstr(exchange, cuts[i][0]);
		assert_non_null(at);
		int n = snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - exchange), exchange, cuts[i][1],
		                 at + strlen(cuts[i][0]));
		assert_true(n > 0 && (size_t)n < sizeof buf);
		struct dsn_report r;
		struct prolo_err err = { 0 };
		assert_int_equal(parse(buf, &r, &err), PROLO_EINVAL);
		assert_string_equal(err.field, "bounce");
		if (!strstr(err.msg, "unreadable") || !strstr(err.msg, part[i]) || !strstr(err.msg, "base64"))
			fail_msg("case %zu: '%s'", i, err.msg);
		assert_string_equal(r.message_id, "");
		assert_string_equal(r.status, "");
	}
	/* an empty base64 part decodes to nothing: no status, said as such */
	const char *empty = "Content-Type: multipart/report; boundary=e\n\n--e\nContent-Type: message/delivery-status\n"
	                    "Content-Transfer-Encoding: base64\n\n\n--e--\n";
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(parse(empty, &r, &err), PROLO_EINVAL);
	assert_non_null(strstr(err.msg, "no delivery status"));
}

static void refused(const char *text, size_t len, const char *says)
{
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(dsn_parse(text, len, &r, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "bounce");
	if (!strstr(err.msg, says))
		fail_msg("'%s' lacks '%s'", err.msg, says);
}

static void t_refused(void **st)
{
	(void)st;
	refused("", 0, "does not start with headers");
	refused("just text\n", 10, "does not start with headers");
	const char *nostatus = "Subject: x\n\nMessage-ID: <a@b.c>\nnothing to see\n";
	refused(nostatus, strlen(nostatus), "no delivery status");
	const char *noid = "Subject: x\n\nRemote host said: 550 5.1.1 no\n";
	refused(noid, strlen(noid), "Message-ID was not found");
	const char *noat = "Subject: x\n\n550 5.1.1 no\nMessage-ID: <abc>\n";
	refused(noat, strlen(noat), "Message-ID was not found");
	const char *open = "Content-Type: multipart/report; boundary=q\n\n--q\nContent-Type: message/delivery-status\n\n"
	                   "Status: 5.1.1\n";
	refused(open, strlen(open), "Message-ID was not found");
	/* cut after the original's headers began: still read */
	const char *cut = "Content-Type: multipart/report; boundary=q\n\n--q\nContent-Type: message/delivery-status\n\n"
	                  "Status: 4.2.2\n\n--q\nContent-Type: text/rfc822-headers\n\nMessage-ID: <x@y.z>\n";
	struct dsn_report r;
	struct prolo_err err = { 0 };
	assert_int_equal(dsn_parse(cut, strlen(cut), &r, &err), PROLO_OK);
	assert_string_equal(r.message_id, "x@y.z");
	assert_string_equal(r.status, "4.2.2");
	assert_int_equal(r.structured, 1);
	refused("X: y\n", DSN_MAX + 1, "larger than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_report),
		cmocka_unit_test(t_crlf),
		cmocka_unit_test(t_plain),
		cmocka_unit_test(t_many_candidates),
		cmocka_unit_test(t_refused),
		cmocka_unit_test(t_base64),
		cmocka_unit_test(t_quoted_printable),
		cmocka_unit_test(t_base64_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
