#!/bin/sh
# Logins compute an Argon2id hash (about 150 ms) on the slow lane, not on
# the worker thread that holds the connection: with a single worker, the
# requests of other users sent while two logins are being checked are
# answered before either login is; and the logins (one right, one wrong)
# still answer 200 and 401, and a password change (a slow write) works.
# A lane thread that cannot open the registry answers with a generic
# message, not the store's (which names the file).
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start --threads 1
$PY - "$PORT" "$PASSWORD" "$API_DIR" <<'PYEOF' || exit 1
import json, sys, threading, time
port, password, api_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, api_dir)
from client import Client
cl = Client(port, password)
ck, csrf = cl.login("clin1")
done = []   # (what, status) in the order answers arrived
lock = threading.Lock()
def login(user, pw, tag):
    st, _, _ = cl.raw("POST", "/api/login", json.dumps({"username": user, "password": pw}))
    with lock:
        done.append((tag, st))
ts = [threading.Thread(target=login, args=("staff1", password, "login-ok")),
      threading.Thread(target=login, args=("clin2", "not the password", "login-bad"))]
for t in ts:
    t.start()
time.sleep(0.01)
for i in range(5):
    st, _, _ = cl.raw("GET", "/api/me", None, {"Cookie": ck})
    with lock:
        done.append(("me", st))
for t in ts:
    t.join()
order = [w for w, _ in done]
status = dict((w, s) for w, s in done)
if order[:5] != ["me"] * 5:
    print("FAIL: requests waited for the logins:", order, file=sys.stderr)
    sys.exit(1)
if status["login-ok"] != 200 or status["login-bad"] != 401 or status["me"] != 200:
    print("FAIL: statuses", done, file=sys.stderr)
    sys.exit(1)
st, _, d = cl.raw("POST", "/api/password", json.dumps({"old_password": password, "new_password": "another long secret"}),
                  {"Cookie": ck, "X-CSRF-Token": csrf, "Content-Type": "application/json"})
if st != 200:
    print("FAIL: password change", st, d[:200], file=sys.stderr)
    sys.exit(1)
cl.login("clin1", "another long secret")
print("ok: 5 requests answered while 2 logins were hashed; login and password change work on the slow lane")
PYEOF
api_stop || { echo "the server did not stop cleanly" >&2; exit 1; }

# A lane thread that cannot open the registry (it opens on its first job;
# the file is moved away meanwhile).
api_start --threads 1
mv "$PROLO_DB" "$PROLO_DB.away"
$PY - "$PORT" "$PROLO_DB" <<'PYEOF'
import http.client, json, sys
port, db = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/api/login", body=json.dumps({"username": "admin", "password": "x" * 12}),
          headers={"Content-Type": "application/json"})
r = c.getresponse()
d = r.read().decode()
if r.status != 500 or json.loads(d)["error"]["message"] != "the registry cannot be opened" or db in d or "prolo.db" in d:
    print("FAIL: a lane that cannot open the registry answered", r.status, d, file=sys.stderr)
    sys.exit(1)
print("ok: a lane that cannot open the registry answers 500 'the registry cannot be opened'")
PYEOF
rc=$?
mv "$PROLO_DB.away" "$PROLO_DB"
[ "$rc" = 0 ] || exit 1
grep -q "slow-lane thread cannot open the registry" "$SERVER_LOG" || { echo "the reason is not in the server's log" >&2; exit 1; }
api_stop || { echo "the server did not stop cleanly" >&2; exit 1; }
