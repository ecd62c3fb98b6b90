#!/bin/sh
# The slow lane's two queues. To see them, the lane is held up first:
# another process takes the registry's write lock and two logins wait for
# it on both lane threads; everything sent meanwhile queues. Then:
#  1. logins queued after reports are run before them (hashes first);
#  2. each queue holds 64 jobs: past that, 503 with Retry-After at once.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
$PY - "$PORT" "$PASSWORD" "$API_DIR" "$PROLO_DB" <<'PYEOF' || exit 1
import http.client, json, sqlite3, sys, threading, time
port, password, api_dir, db = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, api_dir)
from client import Client
cl = Client(port, password)
done = []   # (tag, status, retry-after, seconds), in the order answers came
mu = threading.Lock()

def call(tag, method, path, body=None, headers=None):
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = dict(headers or {})
    if body is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = c.getresponse()
    r.read()
    with mu:
        done.append((tag, r.status, r.getheader("Retry-After"), time.monotonic() - t0))
    c.close()

def start(tag, method, path, body=None, headers=None):
    t = threading.Thread(target=call, args=(tag, method, path, body, headers))
    t.start()
    return t

def as_user(user):
    ck, csrf = cl.sessions.get(user) or cl.login(user)
    return {"Cookie": ck, "X-CSRF-Token": csrf}

def hold_lane():
    """Another process's write lock, and two logins waiting for it on both lane threads."""
    lock = sqlite3.connect(db, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    ts = [start("blocker", "POST", "/api/login", {"username": "admin", "password": password}) for _ in range(2)]
    time.sleep(0.3)
    return lock, ts

def fail(*msg):
    print("FAIL:", *msg, file=sys.stderr)
    sys.exit(1)

admin = as_user("admin")

# 1. Precedence: 6 reports, then 10 logins, all queued behind the blockers.
lock, ts = hold_lane()
for _ in range(6):
    ts.append(start("report", "GET", "/api/report", None, admin))
time.sleep(0.2)
for _ in range(10):
    ts.append(start("login", "POST", "/api/login", {"username": "clin2", "password": password}))
time.sleep(0.3)
lock.execute("ROLLBACK")
for t in ts:
    t.join(60)
order = [d[0] for d in done if d[0] in ("report", "login")]
if len(order) != 16 or any(d[1] != 200 for d in done):
    fail("statuses", done)
first = order.index("report")
if first < 8:
    fail("only %d of 10 logins were answered before the first report: %s" % (first, order))
print("ok: %d of 10 logins queued after 6 reports were answered before the first of them" % first)

# 2. Bounds: 100 reports and 100 password changes (refused once run: no
# new password) while the lane is held: 64 of each queue, 36 refused.
done.clear()
lock, ts = hold_lane()
for _ in range(100):
    ts.append(start("report", "GET", "/api/report", None, admin))
    ts.append(start("password", "POST", "/api/password", {"old_password": "x"}, admin))
t0 = time.monotonic()
while time.monotonic() - t0 < 3.5:
    with mu:
        if sum(1 for d in done if d[1] == 503) >= 72:
            break
    time.sleep(0.05)
lock.execute("ROLLBACK")
for t in ts:
    t.join(60)
for tag, ok in (("report", 200), ("password", 400)):
    mine = [d for d in done if d[0] == tag]
    full = [d for d in mine if d[1] == 503]
    if len(mine) != 100 or len(full) != 36 or any(d[1] not in (ok, 503) for d in mine):
        fail(tag, "expected 64 x %d and 36 x 503:" % ok, sorted(set(d[1] for d in mine)), len(full))
    if any(not d[2] for d in full) or max(d[3] for d in full) > 1.0:
        fail(tag, "503 without Retry-After or not at once:", full[:3])
print("ok: each queue took 64 jobs; 36 reports and 36 password changes were refused at once (503, Retry-After)")
PYEOF
