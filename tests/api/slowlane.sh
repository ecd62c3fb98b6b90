#!/bin/sh
# Logins compute an Argon2id hash (about 150 ms) on the slow lane, not on
# the worker thread that holds the connection: with a single worker, the
# requests of other users sent while two logins are being checked are
# answered before either login is; and the logins (one right, one wrong)
# still answer 200 and 401, and a password change (a slow write) works.
# The hashes of new users and password changes are computed before the
# write lock is taken: a write sent while two users are being created is
# answered before either; of two changes of one password at once, the
# second finds the hash it checked replaced and gets 409. A lane thread
# that cannot open the registry answers with a generic message, not the
# store's (which names the file).
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
$PY - "$PORT" "$PASSWORD" "$API_DIR" <<'PYEOF' || exit 1
import json, sys, threading, time
port, password, api_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, api_dir)
from client import Client
cl = Client(port, password)
admin, staff1 = cl.login("admin"), cl.login("staff1")
def hdr(s):
    return {"Cookie": s[0], "X-CSRF-Token": s[1], "Content-Type": "application/json"}
done = []
lock = threading.Lock()
def post(tag, path, body, s):
    st, _, d = cl.raw("POST", path, json.dumps(body), hdr(s))
    with lock:
        done.append((tag, st, d[:200]))
ts = [threading.Thread(target=post, args=("user", "/api/users",
                                          {"name": "new%d" % i, "role": "researcher", "password": "a long password %d" % i}, admin))
      for i in range(2)]
for t in ts:
    t.start()
time.sleep(0.05)
post("patient", "/api/patients", {"patient_id": "SL1", "sex": "female", "birth_year": 1970}, staff1)
for t in ts:
    t.join()
order = [w for w, _, _ in done]
if order[0] != "patient" or [s for _, s, _ in done] != [201, 201, 201]:
    print("FAIL: a write waited for the hashes of new users:", done, file=sys.stderr)
    sys.exit(1)
cl.login("new0", "a long password 0")
print("ok: a write sent while two users were being created was answered first")

# Two changes of one password at once, in one session: both check the old
# password against the same hash; the second to store finds it replaced.
done.clear()
s = cl.login("clin2")
ts = [threading.Thread(target=post, args=("pw%d" % i, "/api/password",
                                          {"old_password": password, "new_password": "new password number %d" % i}, s))
      for i in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
got = sorted(st for _, st, _ in done)
if got != [200, 409]:
    print("FAIL: two changes of one password:", done, file=sys.stderr)
    sys.exit(1)
won = [w for w, st, _ in done if st == 200][0]
cl.login("clin2", "new password number %s" % won[2:])
print("ok: of two changes of one password, one stored and one got 409")
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
