#!/bin/sh
# The slow lane's two queues. To see them, the lane is held up first:
# another process takes the registry's write lock and two logins wait for
# it on both lane threads; everything sent meanwhile queues. Then:
#  1. logins queued after reports are run before them (hashes first);
#  2. each queue holds 64 jobs: past that, 503 with Retry-After at once;
#  3. a queued request is checked against its session again when it runs:
#     after a logout or with the account disabled meanwhile, 401;
#  4. and a password change once more after its hash, in its transaction.
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
done = []   # (tag, status, retry-after, seconds from sent to answered), in the order answers came
mu = threading.Lock()
count = {"started": 0, "sent": 0}

def call(tag, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = dict(headers or {})
    if body is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    t0 = time.monotonic()
    with mu:
        count["sent"] += 1
    r = c.getresponse()
    r.read()
    with mu:
        done.append((tag, r.status, r.getheader("Retry-After"), time.monotonic() - t0))
    c.close()

def start(tag, method, path, body=None, headers=None):
    t = threading.Thread(target=call, args=(tag, method, path, body, headers))
    with mu:
        count["started"] += 1
    t.start()
    return t

def all_sent():
    """Until every request started has been sent (bounded): on a loaded
    machine the client's threads may connect late, and the short pauses
    below are then only the server's time to queue what it has."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < 20:
        with mu:
            if count["sent"] >= count["started"]:
                return
        time.sleep(0.01)
    fail("requests not sent within 20 s")

def as_user(user):
    ck, csrf = cl.sessions.get(user) or cl.login(user)
    return {"Cookie": ck, "X-CSRF-Token": csrf}

def hold_lane():
    """Another process's write lock, and two logins waiting for it on both lane threads."""
    lock = sqlite3.connect(db, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    ts = [start("blocker", "POST", "/api/login", {"username": "admin", "password": password}) for _ in range(2)]
    all_sent()
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
all_sent()
time.sleep(0.2)
# (admin's, from the address it logged in from: "known" logins, which the
# lane never moves behind others; docs/security.md, "Login flood")
for _ in range(10):
    ts.append(start("login", "POST", "/api/login", {"username": "admin", "password": password}))
all_sent()
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

# 3. Sessions checked again on the lane: queued, then the session ends.
# The logouts wait for the write lock too, but they take their turn for it
# before the lane threads take theirs again (each still hashes its blocker
# login first), so they land before the queued requests run.
done.clear()
clin1, staff1, res1 = as_user("clin1"), as_user("staff1"), as_user("res1")
lock, ts = hold_lane()
ts.append(start("clin1 report", "GET", "/api/report", None, clin1))
ts.append(start("res1 report", "GET", "/api/report", None, res1))
ts.append(start("admin report", "GET", "/api/report", None, admin))
ts.append(start("staff1 password", "POST", "/api/password",
                {"old_password": password, "new_password": "a new long password"}, staff1))
all_sent()
time.sleep(0.2)
ts.append(start("staff1 logout", "POST", "/api/logout", {}, staff1))
ts.append(start("clin1 logout", "POST", "/api/logout", {}, clin1))
all_sent()
time.sleep(0.3)
lock.execute("UPDATE users SET disabled = 1 WHERE name = 'res1'")
lock.execute("COMMIT")
for t in ts:
    t.join(60)
got = dict((d[0], d[1]) for d in done)
want = {"clin1 report": 401, "res1 report": 401, "staff1 password": 401, "admin report": 200,
        "staff1 logout": 200, "clin1 logout": 200, "blocker": 200}
if got != want:
    fail("after logout or disable:", got)
con = sqlite3.connect(db)
if con.execute("SELECT count(*) FROM audit_log WHERE action = 'password.change'").fetchone()[0] != 0:
    fail("the password of a closed session was changed")
print("ok: requests queued before a logout or a disabled account were refused (401) on the lane")

# 4. A logout while a password change hashes: the change, which takes its
# turn for the write lock only after its hash, finds the session gone.
done.clear()
clin2 = as_user("clin2")
lock = sqlite3.connect(db, isolation_level=None, timeout=10)
lock.execute("BEGIN IMMEDIATE")
ts = [start("clin2 password", "POST", "/api/password",
            {"old_password": password, "new_password": "a new long password"}, clin2)]
all_sent()
time.sleep(0.05)
ts.append(start("clin2 logout", "POST", "/api/logout", {}, clin2))
all_sent()
time.sleep(1.0)
lock.execute("ROLLBACK")
for t in ts:
    t.join(60)
got = dict((d[0], d[1]) for d in done)
if got != {"clin2 password": 401, "clin2 logout": 200}:
    fail("a logout during the hash of a password change:", got)
print("ok: a password change whose session ended during its hash was refused (401)")
PYEOF
api_stop || { echo "the server did not stop cleanly" >&2; tail -n 20 "$SERVER_LOG" >&2; exit 1; }
