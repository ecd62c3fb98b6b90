#!/bin/sh
# The Host header must name this server (DNS rebinding): the bind address,
# localhost, 127.0.0.1 or [::1], with or without the port, or a name given
# with --allowed-host; anything else gets 421, JSON under /api/ and a plain
# page elsewhere, before any route runs.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
run 0 init
api_start --allowed-host clinic.example.org --allowed-host 10.0.0.7:8443
$PY - "$PORT" <<'PY' || exit 1
import http.client, json, sys
port = int(sys.argv[1])
def get(path, host):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.putrequest("GET", path, skip_host=True)
    if host is not None:
        c.putheader("Host", host)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Content-Type", ""), body
ok_hosts = ["127.0.0.1", f"127.0.0.1:{port}", "localhost", f"LocalHost:{port}", "[::1]",
            f"[::1]:{port}", "clinic.example.org", f"clinic.example.org:{port}", "10.0.0.7:8443"]
bad_hosts = ["evil.example", f"evil.example:{port}", "localhost:1", "127.0.0.1.evil.example",
             "attacker.localhost", "10.0.0.7", "clinic.example.org:1", "[::2]", "", "a:b:c"]
for h in ok_hosts:
    for path, want in (("/", 200), ("/api/me", 401)):
        st, _, _ = get(path, h)
        if st != want:
            sys.exit(f"Host {h!r} {path}: {st}, expected {want}")
for h in bad_hosts:
    st, ct, body = get("/api/me", h)
    if st not in (400, 421) or not ct.startswith("application/json"):
        sys.exit(f"Host {h!r} /api/me: {st} {ct}")
    if st == 421 and json.loads(body)["error"]["code"] != "misdirected":
        sys.exit(f"Host {h!r}: {body!r}")
    for path in ("/", "/static/app.js", "/q/abc"):
        st, ct, body = get(path, h)
        if st not in (400, 421) or (st == 421 and not ct.startswith("text/plain")):
            sys.exit(f"Host {h!r} {path}: {st} {ct}")
# A login from a rebinding page never reaches the handler.
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.putrequest("POST", "/api/login", skip_host=True)
c.putheader("Host", "evil.example")
c.putheader("Content-Type", "application/json")
b = json.dumps({"user": "admin", "password": "x" * 12}).encode()
c.putheader("Content-Length", str(len(b)))
c.endheaders(b)
r = c.getresponse()
if r.status != 421:
    sys.exit(f"login via evil.example: {r.status}")
print("host checks ok")
PY
grep -q "POST /api/login" "$SERVER_LOG" && { echo "the refused login reached its route" >&2; exit 1; }
api_stop
echo ok
