#!/bin/sh
# prolo serve --tls-cert/--tls-key: the web app over HTTPS with a
# self-signed pair made here; a login works and its cookie is Secure; plain
# HTTP on the same port gets no answer; a key file others may read is
# refused before the server starts.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "openssl is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
api_setup_db
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=localhost >/dev/null 2>&1 || exit 1
chmod 600 "$T/key.pem"
chmod 644 "$T/cert.pem"
# a port of its own (api_start retries when another test took it first)
api_start --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
$PY - "$PORT" "$PASSWORD" "$T/cert.pem" <<'PY' || { cat "$SERVER_LOG" >&2; exit 1; }
import http.client, json, ssl, sys, time
port, pw, cert = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cert)
ctx.check_hostname = False
def req(method, path, body=None, headers={}):
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers=dict(headers, **{"Content-Type": "application/json"}))
    r = c.getresponse(); d = r.read(); h = {k.lower(): v for k, v in r.getheaders()}; c.close()
    return r.status, h, d
for _ in range(50):  # bounded: 5 s for the server to come up
    try:
        st, _, _ = req("GET", "/api/me"); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("FAIL: the HTTPS server did not answer")
assert st == 401, st
st, h, d = req("POST", "/api/login", {"username": "admin", "password": pw},
               {"Origin": f"https://127.0.0.1:{port}"})
assert st == 200, (st, d)
assert "secure" in h["set-cookie"].lower(), h["set-cookie"]
cookie = h["set-cookie"].split(";")[0]
st, _, d = req("GET", "/api/me", None, {"Cookie": cookie})
assert st == 200 and json.loads(d)["user"]["name"] == "admin", (st, d)
try:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    c.request("GET", "/api/me")
    got = c.getresponse().status
except (OSError, http.client.HTTPException):
    got = None
assert got is None, f"plain HTTP was answered with {got}"
print("ok: HTTPS login, Secure cookie, plain HTTP refused")
PY
api_stop || exit 1
chmod 644 "$T/key.pem"
if "$PROLO" serve --bind 127.0.0.1 --port "$PORT" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
	>"$T/out2" 2>"$T/err2"; then
	echo "FAIL: a key file others may read was accepted" >&2
	exit 1
fi
grep -q "key" "$T/err2" || { echo "FAIL: the refusal does not name the key:" >&2; cat "$T/err2" >&2; exit 1; }
echo ok
