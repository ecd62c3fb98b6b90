#!/bin/sh
# The Origin of a state-changing request must be this server, scheme
# included: over plain http an https:// origin with the same host is
# another origin, and so is another port; host names compare without
# case; with --public-origin (a proxy that ends TLS) only that origin passes.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
check() { # EXPECTED-STATUS ORIGIN
	$PY - "$PORT" "$PASSWORD" "$1" "$2" <<'PY' || exit 1
import http.client, json, sys
port, pw, want, origin = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
def req(method, path, body, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=json.dumps(body), headers=dict(headers, **{"Content-Type": "application/json"}))
    r = c.getresponse(); d = r.read(); h = dict((k.lower(), v) for k, v in r.getheaders()); c.close()
    return r.status, h, d
st, h, d = req("POST", "/api/login", {"username": "admin", "password": pw}, {})
assert st == 200, (st, d)
cookie = h["set-cookie"].split(";")[0]; csrf = json.loads(d)["csrf_token"]
st, _, d = req("POST", "/api/patients", {"patient_id": "O%d" % abs(hash(origin)) , "clinic": "C01", "sex": "male"},
               {"Cookie": cookie, "X-CSRF-Token": csrf, "Origin": origin})
if st != want:
    sys.exit(f"Origin {origin}: {st} {d[:200]!r}, expected {want}")
PY
}
api_start
check 201 "http://127.0.0.1:$PORT"
check 201 "HTTP://127.0.0.1:$PORT"
check 403 "https://127.0.0.1:$PORT"
check 403 "http://127.0.0.1:1"
check 403 "http://evil.example"
check 403 "null"
api_stop || exit 1
api_start --public-origin "https://clinic.example"
check 201 "https://clinic.example"
check 403 "http://127.0.0.1:$PORT"
api_stop || exit 1
echo ok
