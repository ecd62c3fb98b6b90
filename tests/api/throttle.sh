#!/bin/sh
# Login throttling: after 5 failed logins a user is locked (429 with
# Retry-After), even with the right password; other users are not.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
cat >"$T/throttle.json" <<'JSON'
[
 {"name": "wrong 1", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess number one"}, "status": 401,
  "expect": {"error": {"message": "wrong user name or password"}}},
 {"name": "unknown user: same answer", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "nobody", "password": "guess number one"}, "status": 401,
  "expect": {"error": {"message": "wrong user name or password"}}},
 {"name": "wrong 2", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 2"}, "status": 401},
 {"name": "wrong 3", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 3"}, "status": 401},
 {"name": "wrong 4", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 4"}, "status": 401},
 {"name": "wrong 5", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 5"}, "status": 401},
 {"name": "locked", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 6"}, "status": 429,
  "expect": {"error": {"code": "throttled"}}, "header": {"Retry-After": ""}},
 {"name": "locked even with the right password", "as": null, "method": "POST", "path": "/api/login",
  "body": {"username": "clin1", "password": "correct horse battery"}, "status": 429},
 {"name": "another user may log in", "as": null, "method": "POST", "path": "/api/login",
  "body": {"username": "staff1", "password": "correct horse battery"}, "status": 200},
 {"name": "failures were audited", "as": "admin", "method": "GET", "path": "/api/audit?action=login.failed&user=clin1", "status": 200,
  "expect": {"audit": [{"action": "login.failed"}, {}, {}, {}, {}]}},
 {"name": "the lock ends", "sql": "UPDATE login_failures SET locked_until = 0, failures = 0", "as": null, "method": "POST", "path": "/api/login",
  "body": {"username": "clin1", "password": "correct horse battery"}, "status": 200}
]
JSON
api_cases "$T/throttle.json"
[ $? -eq 0 ] || exit 1
# Parallel guesses cannot outrun the lock: each attempt is counted before
# its (slow) password check, so of 20 at once at most 5 are checked (401)
# and the rest are refused (429).
$PY - "$PORT" <<'PYEOF' || exit 1
import http.client, json, sys, threading
port = int(sys.argv[1])
got = []
lock = threading.Lock()
def guess(i):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/api/login", body=json.dumps({"username": "res1", "password": "parallel guess %d" % i}),
              headers={"Content-Type": "application/json"})
    st = c.getresponse().status
    c.close()
    with lock:
        got.append(st)
ts = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
for t in ts:
    t.start()
for t in ts:
    t.join(120)
n401, n429 = got.count(401), got.count(429)
print("parallel wrong logins: %d x 401, %d x 429, others %s" % (n401, n429, [s for s in got if s not in (401, 429)]))
if len(got) != 20 or n401 + n429 != 20 or n401 > 5 or n401 < 1:
    sys.exit(1)
PYEOF
