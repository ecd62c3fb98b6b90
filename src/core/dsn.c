/* Reading a bounce (core/dsn.h). No full MIME parser: the header blocks
 * are read line by line (folded lines joined), the parts of a
 * multipart/report are found by their boundary, and a status or header
 * part sent in base64 (Exchange does, though RFC 3464 has it plain text)
 * or quoted-printable is decoded into a copy of its own before it is read.
 * Everything is bounded by the input's length. */
#include "core/dsn.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *const dsn_action_names[DSN__COUNT] = { "failed", "delayed", "delivered" };

struct span {
	const char *p, *end;
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool prefix_ci(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - p) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lower(word[i]))
			return false;
	return true;
}

/* The line at *at (without its CR LF or LF) in [*at, end); *at moves past
 * it. False at the end. */
static bool next_line(const char **at, const char *end, struct span *line)
{
	if (*at >= end)
		return false;
	const char *p = *at, *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	*at = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	line->p = p;
	line->end = e;
	return true;
}

static bool blank(const struct span *l)
{
	for (const char *p = l->p; p < l->end; p++)
		if (*p != ' ' && *p != '\t')
			return false;
	return true;
}

/* A header field's first line: a name of printable characters, then ':'. */
static bool field_line(const struct span *l)
{
	const char *p = l->p;
	while (p < l->end && *p > ' ' && *p < 0x7f && *p != ':')
		p++;
	return p > l->p && p < l->end && *p == ':';
}

/* The header block starting at b: up to its blank line (or the end).
 * *body gets where the body starts. */
static struct span header_block(struct span b, const char **body)
{
	const char *at = b.p;
	struct span l;
	while (next_line(&at, b.end, &l))
		if (blank(&l)) {
			*body = at;
			return (struct span){ b.p, l.p };
		}
	*body = b.end;
	return b;
}

/* The value of field name in header block h (folded lines joined by one
 * space, ends trimmed), cut to outsz - 1 bytes. False when absent. */
static bool header_get(struct span h, const char *name, char *out, size_t outsz)
{
	const char *at = h.p;
	struct span l;
	size_t nl = strlen(name);
	while (next_line(&at, h.end, &l)) {
		if (!(prefix_ci(l.p, l.end, name) && l.p + nl < l.end && l.p[nl] == ':'))
			continue;
		size_t k = 0;
		const char *v = l.p + nl + 1;
		for (;;) {
			for (; v < l.end; v++) {
				char c = *v == '\t' ? ' ' : *v;
				if ((c == ' ' && (k == 0 || out[k - 1] == ' ')) || (unsigned char)c < 0x20 || c == 0x7f)
					continue;
				if (k + 1 < outsz)
					out[k++] = c;
			}
			const char *save = at;
			struct span c;
			if (!next_line(&at, h.end, &c) || c.p == c.end || (*c.p != ' ' && *c.p != '\t')) {
				at = save;
				break;
			}
			if (k > 0 && out[k - 1] != ' ' && k + 1 < outsz)
				out[k++] = ' ';
			l = c;
			v = c.p;
		}
		while (k > 0 && out[k - 1] == ' ')
			k--;
		out[k] = '\0';
		return true;
	}
	return false;
}

/* Parameter name of a Content-Type value (quoted or not), into out. */
static bool param_get(const char *v, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	for (const char *p = strchr(v, ';'); p; p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ')
			q++;
		if (!prefix_ci(q, q + strlen(q), name) || q[nl] != '=')
			continue;
		q += nl + 1;
		bool quoted = *q == '"';
		q += quoted;
		size_t k = 0;
		while (*q && (quoted ? *q != '"' : (*q != ';' && *q != ' ')) && k + 1 < outsz)
			out[k++] = *q++;
		out[k] = '\0';
		return k > 0;
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An enhanced status code (RFC 3463: class 2, 4 or 5, then 1-3 digits
 * twice) at p, not inside a longer number: its length, else 0. */
static size_t status_at(const char *start, const char *p, const char *end)
{
	if (p > start && (is_digit(p[-1]) || p[-1] == '.' || (p[-1] >= 'A' && p[-1] <= 'Z') ||
	                  (p[-1] >= 'a' && p[-1] <= 'z')))
		return 0;
	if (p >= end || (*p != '2' && *p != '4' && *p != '5') || p + 1 >= end || p[1] != '.')
		return 0;
	const char *q = p + 2;
	for (int part = 0; part < 2; part++) {
		const char *d = q;
		while (q < end && is_digit(*q) && q - d < 4)
			q++;
		if (q == d || q - d > 3)
			return 0;
		if (part == 0) {
			if (q >= end || *q != '.')
				return 0;
			q++;
		}
	}
	if (q < end && (is_digit(*q) || (*q == '.' && q + 1 < end && is_digit(q[1]))))
		return 0;
	return (size_t)(q - p);
}

/* An SMTP reply code 4xx or 5xx standing alone at p (after a space, a
 * colon, a parenthesis or the line's start; before a space, '-' or the
 * end): true. */
static bool reply_at(const char *start, const char *p, const char *end)
{
	if (p > start && p[-1] != ' ' && p[-1] != ':' && p[-1] != '(' && p[-1] != '\t')
		return false;
	if (end - p < 3 || (*p != '4' && *p != '5') || !is_digit(p[1]) || !is_digit(p[2]))
		return false;
	return p + 3 == end || p[3] == ' ' || p[3] == '-' || p[3] == '\t';
}

static int action_of_class(char c)
{
	return c == '5' ? DSN_FAILED : c == '4' ? DSN_DELAYED : DSN_DELIVERED;
}

/* The first status in the text of s, line by line: an enhanced status
 * code anywhere, else an SMTP reply code. */
static bool text_status(struct span s, struct dsn_report *out)
{
	const char *at = s.p;
	struct span l;
	char reply = 0;
	while (next_line(&at, s.end, &l)) {
		for (const char *p = l.p; p < l.end; p++) {
			size_t n = status_at(l.p, p, l.end);
			if (n) {
				memcpy(out->status, p, n < sizeof out->status ? n : sizeof out->status - 1);
				out->action = action_of_class(*p);
				return true;
			}
			if (!reply && reply_at(l.p, p, l.end))
				reply = *p;
		}
	}
	if (!reply)
		return false;
	memcpy(out->status, reply == '5' ? "5.0.0" : "4.0.0", 6);
	out->action = action_of_class(reply);
	return true;
}

/* The id between < and > of a Message-ID value: printable, no space, with
 * an '@'. */
static bool take_id(const char *v, char *out)
{
	const char *a = strchr(v, '<');
	const char *b = a ? strchr(a + 1, '>') : NULL;
	if (!a || !b || b - a - 1 < 3 || b - a - 1 >= DSN_ID_MAX)
		return false;
	bool at = false;
	for (const char *p = a + 1; p < b; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == '<')
			return false;
		at |= *p == '@';
	}
	if (!at)
		return false;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
	return true;
}

/* Candidates tried at most: each try reads on to its header block's end,
 * so an unbounded number would make a crafted bounce cost quadratic time. */
#define MESSAGE_ID_TRIES 16

/* The first quoted "Message-ID:" line in s (after any "> " quoting or
 * indentation), folded value joined. *where gets its line's start. */
static bool text_message_id(struct span s, char *out, const char **where)
{
	const char *at = s.p;
	struct span l;
	int tries = 0;
	while (tries < MESSAGE_ID_TRIES && next_line(&at, s.end, &l)) {
		const char *p = l.p;
		while (p < l.end && (*p == ' ' || *p == '\t' || *p == '>'))
			p++;
		if (!prefix_ci(p, l.end, "message-id:"))
			continue;
		tries++;
		char v[DSN_ID_MAX + 64];
		if (header_get((struct span){ p, s.end }, "message-id", v, sizeof v) && take_id(v, out)) {
			*where = l.p;
			return true;
		}
	}
	return false;
}

/* The fields of a message/delivery-status part: the first recipient's
 * Status (and Action when there is no Status). */
static bool dsn_fields(struct span b, struct dsn_report *out)
{
	const char *at = b.p;
	while (at < b.end) {
		const char *body;
		struct span g = header_block((struct span){ at, b.end }, &body);
		char status[64] = "", action[32] = "";
		header_get(g, "status", status, sizeof status);
		header_get(g, "action", action, sizeof action);
		/* Action is the verdict (RFC 3464 2.3.3): a server that gives up
		 * after its queue's lifetime says "failed" with the last
		 * temporary code, 4.4.1. Status is the code shown, and decides
		 * only without a known Action. */
		static const char *const acts[] = { "failed", "delayed", "delivered", "relayed", "expanded" };
		int act = -1;
		for (int i = 0; action[0] && act < 0 && i < 5; i++)
			if (prefix_ci(action, action + strlen(action), acts[i]))
				act = i < 2 ? i : DSN_DELIVERED;
		size_t n = status[0] ? status_at(status, status, status + strlen(status)) : 0;
		if (n) {
			memcpy(out->status, status, n);
			out->status[n] = '\0';
			out->action = act >= 0 ? act : action_of_class(status[0]);
			return true;
		}
		if (act >= 0) {
			out->action = act;
			memcpy(out->status, act == DSN_FAILED ? "5.0.0" : act == DSN_DELAYED ? "4.0.0" : "2.0.0", 6);
			return true;
		}
		if (body <= at)
			break;
		at = body;
	}
	return false;
}

/* What the parts of a multipart/report have given so far. */
struct parts {
	struct dsn_report *out;
	bool have_status;
	const char *unreadable; /* the part whose base64 is broken, else NULL */
	bool no_memory;
};

static int hex_value(char c)
{
	return is_digit(c) ? c - '0' : lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10 : -1;
}

/* Quoted-printable (RFC 2045 6.7) of [p, end) into out (room for
 * end - p bytes): =XX is the byte, '=' before the line's end (spaces
 * allowed between) joins the lines, anything else is kept as it is, a
 * lone '=' too. Its length; cannot fail. */
static size_t qp_decode(const char *p, const char *end, char *out)
{
	size_t k = 0;
	while (p < end) {
		if (*p != '=') {
			out[k++] = *p++;
			continue;
		}
		const char *q = p + 1;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q == end || *q == '\n' || (*q == '\r' && q + 1 < end && q[1] == '\n')) {
			p = q == end ? q : q + (*q == '\r' ? 2 : 1); /* a soft line break */
			continue;
		}
		int hi = end - p > 2 ? hex_value(p[1]) : -1, lo = hi >= 0 ? hex_value(p[2]) : -1;
		if (lo >= 0) {
			out[k++] = (char)(hi << 4 | lo);
			p += 3;
		} else {
			out[k++] = *p++;
		}
	}
	return k;
}

/* The body [p, end) of a part as its Content-Transfer-Encoding (in the
 * part's header block h) gives it: *dec is NULL and *body unchanged when
 * it is neither base64 nor quoted-printable; else *dec holds the decoded
 * copy (free it) and *body spans it. False (nothing allocated) when the
 * base64 is broken (ps->unreadable names the part) or memory ran out. */
static bool decode_part(struct span h, const char *name, struct span *body, char **dec, struct parts *ps)
{
	char cte[32] = "";
	*dec = NULL;
	header_get(h, "content-transfer-encoding", cte, sizeof cte);
	const char *ce = cte + strlen(cte);
	bool b64 = prefix_ci(cte, ce, "base64"), qp = prefix_ci(cte, ce, "quoted-printable");
	if (!b64 && !qp)
		return true;
	size_t n = (size_t)(body->end - body->p), got = 0;
	*dec = malloc(n + 1);
	if (!*dec) {
		ps->no_memory = true;
		return false;
	}
	if (qp) {
		got = qp_decode(body->p, body->end, *dec);
	} else if (n > 0 && sodium_base642bin((unsigned char *)*dec, n + 1, body->p, n, "\r\n \t", &got, NULL,
	                                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(*dec);
		*dec = NULL;
		if (!ps->unreadable)
			ps->unreadable = name;
		return false;
	}
	*body = (struct span){ *dec, *dec + got };
	return true;
}

/* One part of a multipart/report, [p, end): the status fields or the
 * original's headers. */
static void report_part(const char *p, const char *end, struct parts *ps)
{
	const char *pb;
	struct span ph = header_block((struct span){ p, end }, &pb);
	char ct[128] = "";
	header_get(ph, "content-type", ct, sizeof ct);
	const char *ce = ct + strlen(ct);
	struct span pbody = { pb, end };
	char *dec = NULL;
	if (prefix_ci(ct, ce, "message/delivery-status") || prefix_ci(ct, ce, "message/global-delivery-status")) {
		if (!ps->have_status && decode_part(ph, "message/delivery-status", &pbody, &dec, ps))
			ps->have_status = dsn_fields(pbody, ps->out);
	} else if (prefix_ci(ct, ce, "message/") || prefix_ci(ct, ce, "text/rfc822-headers")) {
		const char *ob;
		char v[DSN_ID_MAX + 64];
		if (!ps->out->message_id[0] &&
		    decode_part(ph, prefix_ci(ct, ce, "text/") ? "text/rfc822-headers" : "message/rfc822", &pbody, &dec, ps) &&
		    header_get(header_block(pbody, &ob), "message-id", v, sizeof v))
			take_id(v, ps->out->message_id);
	}
	free(dec);
}

/* The parts of a multipart body, each handed to the report; a last part
 * without its closing delimiter (a cut message) too. */
static void report_parts(struct span body, const char *boundary, struct parts *ps)
{
	size_t bl = strlen(boundary);
	const char *at = body.p, *part = NULL;
	struct span l;
	while (next_line(&at, body.end, &l)) {
		bool delim = l.end - l.p >= (ptrdiff_t)bl + 2 && l.p[0] == '-' && l.p[1] == '-' &&
		             memcmp(l.p + 2, boundary, bl) == 0;
		if (!delim)
			continue;
		if (part)
			report_part(part, l.p, ps);
		part = NULL;
		const char *rest = l.p + 2 + bl;
		if (l.end - rest >= 2 && rest[0] == '-' && rest[1] == '-')
			return; /* the closing delimiter */
		part = at;
	}
	if (part)
		report_part(part, body.end, ps);
}

enum prolo_code dsn_parse(const char *text, size_t len, struct dsn_report *out, struct prolo_err *err)
{
	memset(out, 0, sizeof *out);
	if (len > DSN_MAX)
		return prolo_err_set(err, PROLO_EINVAL, "bounce", "the message is larger than %zu bytes", DSN_MAX);
	struct span all = { text, text + len };
	const char *at = text;
	struct span first;
	/* A mailbox's envelope line ("From sender date"), as a pipe may get it. */
	if (text && len > 5 && memcmp(text, "From ", 5) == 0 && next_line(&at, all.end, &first))
		all.p = at;
	if (!text || !next_line(&at, all.end, &first) || !field_line(&first))
		return prolo_err_set(err, PROLO_EINVAL, "bounce", "this is not a mail message (it does not start with headers)");
	const char *body_p;
	struct span h = header_block(all, &body_p);
	struct span body = { body_p, all.end };
	char ct[512] = "", boundary[128] = "";
	header_get(h, "content-type", ct, sizeof ct);
	struct parts ps = { .out = out };
	if (prefix_ci(ct, ct + strlen(ct), "multipart/") && param_get(ct, "boundary", boundary, sizeof boundary)) {
		report_parts(body, boundary, &ps);
		if (ps.no_memory || ps.unreadable) {
			memset(out, 0, sizeof *out);
			if (ps.no_memory)
				return prolo_err_set(err, PROLO_ENOMEM, "bounce", "out of memory decoding the bounce");
			return prolo_err_set(err, PROLO_EINVAL, "bounce",
			                     "the bounce's %s part is unreadable (its base64 is broken)", ps.unreadable);
		}
		out->structured = ps.have_status && prefix_ci(ct, ct + strlen(ct), "multipart/report");
	}
	bool have_status = ps.have_status;
	/* The plain-text way: the original's quoted headers, and the status
	 * the text gives before them. */
	const char *quoted = body.end;
	if (!out->message_id[0])
		text_message_id(body, out->message_id, &quoted);
	if (!have_status)
		have_status = text_status((struct span){ body.p, quoted }, out) || text_status(body, out);
	if (have_status && out->message_id[0])
		return PROLO_OK;
	bool no_id = have_status;
	memset(out, 0, sizeof *out);
	if (no_id)
		return prolo_err_set(err, PROLO_EINVAL, "bounce",
		                     "the original message's Message-ID was not found in the bounce");
	return prolo_err_set(err, PROLO_EINVAL, "bounce",
	                     "no delivery status was found (neither a Status field nor a code such as 5.1.1 or 550)");
}
