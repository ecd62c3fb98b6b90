"""A small SMS provider for the outreach tests, on a loopback port.

Usage: smsd.py PORT DIR MODEFILE. It implements the interface of
docs/followup.md ("The SMS interface"): POST with a JSON body; it answers
by MODEFILE, read for each request: "ok" (200 {"id": ...}), "500",
"400", "401", "garbage" (200 with a body that is not JSON and echoes the
request's headers, as a broken proxy might), "timeout" (answers after
10 s). Every request is appended to DIR/requests.jsonl (headers, body,
the answer given); a request accepted with an Idempotency-Key already
accepted is answered 200 again but not delivered twice: DIR/delivered.jsonl
holds what went out, one line per message. DIR/ready appears when it
listens. Like a provider's delivery receipts: when DIR/callback exists
(three lines: the receipt URL, the shared secret, the status to report),
each message delivered is followed by a POST of {"id": ID, "status":
STATUS} to the URL with the secret in X-Receipt-Secret, retried while it
is answered 404 (the sender may not have recorded the id yet; at most 40
times, 0.25 s apart); each final answer is appended to
DIR/callbacks.jsonl. Runs until killed.
"""
import http.client
import http.server
import json
import threading
import urllib.parse
import os
import sys
import time

port, outdir, modefile = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def mode():
    try:
        with open(modefile) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def append(name, obj):
    with open(os.path.join(outdir, name), "a") as f:
        f.write(json.dumps(obj) + "\n")


def delivered_keys():
    try:
        with open(os.path.join(outdir, "delivered.jsonl")) as f:
            return {json.loads(l)["key"] for l in f if l.strip()}
    except OSError:
        return set()


def receipt(pid):
    try:
        with open(os.path.join(outdir, "callback")) as f:
            url, secret, status = f.read().split("\n")[:3]
    except (OSError, ValueError):
        return
    u = urllib.parse.urlsplit(url)
    body = json.dumps({"id": pid, "status": status, "timestamp": "2026-01-01T00:00:00Z"})
    code, text = 0, ""
    for _ in range(40):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
        c.request("POST", u.path, body, {"Content-Type": "application/json", "X-Receipt-Secret": secret})
        r = c.getresponse()
        code, text = r.status, r.read().decode()
        c.close()
        if code != 404:
            break
        time.sleep(0.25)
    append("callbacks.jsonl", {"id": pid, "status": status, "code": code, "answer": text})


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("utf-8", "replace")
        m = mode()
        append("requests.jsonl", {"path": self.path, "headers": dict(self.headers), "body": raw, "mode": m})
        if m == "timeout":
            time.sleep(10)
            return self.answer(200, '{"id": "late"}')
        if m == "500":
            return self.answer(500, '{"error": "internal"}')
        if m == "400":
            return self.answer(400, '{"error": "invalid destination number"}')
        if m == "401":
            return self.answer(401, '{"error": "bad credentials"}')
        if m == "garbage":
            echo = "".join("%s: %s; " % kv for kv in self.headers.items())
            return self.answer(200, "<html>proxy error " + echo + "</html>", "text/html")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.answer(400, '{"error": "not JSON"}')
        key = self.headers.get("Idempotency-Key", "")
        first = key not in delivered_keys()
        if first:
            append("delivered.jsonl", {"key": key, "body": body})
        self.answer(200, json.dumps({"id": "sms-" + key, "status": "queued"}))
        if first:
            threading.Thread(target=receipt, args=("sms-" + key,), daemon=True).start()


srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
with open(os.path.join(outdir, "ready"), "w") as f:
    f.write("ok")
srv.serve_forever()
