#!/bin/sh
# Behind a reverse proxy (docs/security.md "Behind a reverse proxy"):
# serve --trusted-proxy ADDR takes a request's client address from the
# last X-Forwarded-For hop when the request comes from ADDR, so the audit
# log names the client and the throttles count per client, not all of
# them as the proxy. Earlier hops (the client's to write), a hop that is
# no address, and a header sent by anyone but the proxy are not believed.
# Without the option nothing is read from the header. The SMS receipt
# throttle shows it: ten guesses from one client behind the proxy lock
# that client, not the provider behind the same proxy. A real server on
# loopback; 127.0.0.1 is the proxy, 127.0.0.2 a client reaching prolo
# directly.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0)); s.close()' 2>/dev/null ||
	{ echo "skip: no 127.0.0.2 on this host's loopback"; exit 77; }
run 2 serve --trusted-proxy 'not-an-ip' --no-outbox
err_has "trusted-proxy: 'not-an-ip' is not an IP address"
api_setup_db
(umask 077; cat >"$PROLO_DB-outreach.conf" <<EOC
sms_url = http://127.0.0.1:1/v1/messages
sms_header = Authorization: Bearer xyz
sms_receipt_secret = rcpt-0a1b2c3d4e5f6789-secret
base_url = http://127.0.0.1:1
clinic_name = Example Pain Clinic
EOC
)
api_start --no-outbox --trusted-proxy 127.0.0.1
$PY - "$PORT" "$PROLO_DB" <<'PYEOF' || exit 1
import http.client, json, sqlite3, sys
port, db = int(sys.argv[1]), sys.argv[2]
def req(path, body, headers=(), source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    c.putrequest("POST", path)
    c.putheader("Content-Type", "application/json")
    data = json.dumps(body).encode()
    c.putheader("Content-Length", str(len(data)))
    for k, v in headers:
        c.putheader(k, v)
    c.endheaders()
    c.send(data)
    r = c.getresponse()
    r.read()
    return r.status
def failed_from():
    con = sqlite3.connect(db)
    a = con.execute("SELECT addr FROM audit_log WHERE action = 'login.failed' ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.close()
    return a
bad = {"username": "clin1", "password": "wrong"}
cases = [
    ([("X-Forwarded-For", "198.51.100.7")], "127.0.0.1", "198.51.100.7"),
    # the proxy appends its client to what the client sent: the last hop
    ([("X-Forwarded-For", "10.9.9.9, 198.51.100.8")], "127.0.0.1", "198.51.100.8"),
    ([("X-Forwarded-For", "10.9.9.9,2001:0db8:0:0::1 ")], "127.0.0.1", "2001:db8::1"),
    # two headers: the last one's last hop
    ([("X-Forwarded-For", "198.51.100.66"), ("X-Forwarded-For", "198.51.100.9")], "127.0.0.1", "198.51.100.9"),
    # no address: the proxy's own
    ([("X-Forwarded-For", "198.51.100.10, evil")], "127.0.0.1", "127.0.0.1"),
    ([], "127.0.0.1", "127.0.0.1"),
    # not from the proxy: the header is the client's word, not believed
    ([("X-Forwarded-For", "198.51.100.11")], "127.0.0.2", "127.0.0.2"),
]
for headers, source, want in cases:
    st = req("/api/login", bad, headers, source)
    assert st == 401, (headers, st)
    got = failed_from()
    assert got == want, (headers, source, got, want)
# receipts: ten wrong guesses from one client behind the proxy lock that
# client; the provider behind the same proxy is not locked (404: no such
# message, the secret was right); the guesser stays locked
guess = [("X-Receipt-Secret", "not-the-secret"), ("X-Forwarded-For", "203.0.113.9")]
for i in range(10):
    assert req("/api/outreach/sms-receipt", {"id": "x", "status": "delivered"}, guess) == 401, i
assert req("/api/outreach/sms-receipt", {"id": "x", "status": "delivered"}, guess) == 429
right = [("X-Receipt-Secret", "rcpt-0a1b2c3d4e5f6789-secret"), ("X-Forwarded-For", "198.51.100.20")]
st = req("/api/outreach/sms-receipt", {"id": "sms-none", "status": "delivered"}, right)
assert st == 404, st
print("ok: the client's address behind the trusted proxy")
PYEOF
api_stop || exit 1
# without the option the header is not read
api_start --no-outbox
$PY - "$PORT" "$PROLO_DB" <<'PYEOF' || exit 1
import http.client, json, sqlite3, sys
port, db = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/api/login", json.dumps({"username": "clin2", "password": "wrong"}),
          {"Content-Type": "application/json", "X-Forwarded-For": "198.51.100.30"})
assert c.getresponse().status == 401
con = sqlite3.connect(db)
a = con.execute("SELECT addr FROM audit_log WHERE action = 'login.failed' ORDER BY id DESC LIMIT 1").fetchone()[0]
assert a == "127.0.0.1", a
print("ok: no trusted proxy, no header read")
PYEOF
api_stop
