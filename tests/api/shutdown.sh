#!/bin/sh
# SIGTERM while requests are suspended: another process holds the
# registry's write lock, so user creations (slow lane) and patient
# creations (writer) wait, suspended, longer than the 10 s the server used
# to give them before it stopped libmicrohttpd under them (which aborts,
# exit 134). Now a request after the signal, on a connection that is still
# open, is answered 503 at once; the waiting requests are all answered
# once the lock is gone (created, or a storage error for those that timed
# out on the lock); and the server exits 0.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
$PY - "$PORT" "$PASSWORD" "$API_DIR" "$SERVER_PID" "$T/serve.out" "$PROLO_DB" "$T/created" <<'PYEOF' || exit 1
import http.client, json, os, signal, sqlite3, sys, threading, time
port, password, api_dir, pid, serve_out, db, created = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                                       int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7])
sys.path.insert(0, api_dir)
from client import Client
cl = Client(port, password)
ck, csrf = cl.login("admin")
hdr = {"Cookie": ck, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
reqs = [("/api/users", {"name": "u%d" % i, "role": "researcher", "password": "a long password %d" % i}) for i in range(4)]
reqs += [("/api/patients", {"patient_id": "SD%d" % i, "clinic": "C01", "sex": "female", "birth_year": 1970}) for i in range(2)]
got = [None] * len(reqs)
sent = threading.Semaphore(0)
def post(i):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", reqs[i][0], body=json.dumps(reqs[i][1]), headers=hdr)
        sent.release()
        r = c.getresponse()
        got[i] = (r.status, r.read()[:200])
        c.close()
    except Exception as e:
        got[i] = ("error", repr(e))
keep = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
keep.request("GET", "/api/me", headers={"Cookie": ck})
r = keep.getresponse()
r.read()
if r.status != 200:
    print("FAIL: /api/me before the signal:", r.status, file=sys.stderr)
    sys.exit(1)
lock = sqlite3.connect(db, isolation_level=None, timeout=10)
lock.execute("BEGIN IMMEDIATE")
ts = [threading.Thread(target=post, args=(i,)) for i in range(len(reqs))]
for t in ts:
    t.start()
# every request sent (on a loaded machine the threads may connect late, and
# a stopping server takes no new connection), then a moment to read them
for _ in ts:
    if not sent.acquire(timeout=20):
        print("FAIL: the requests were not sent within 20 s:", got, file=sys.stderr)
        sys.exit(1)
time.sleep(0.5)
os.kill(pid, signal.SIGTERM)
t_sig = time.monotonic()
for _ in range(100):   # at most 5 s for the server to note the signal
    with open(serve_out) as f:
        if "stopping" in f.read():
            break
    time.sleep(0.05)
else:
    print("FAIL: the server did not start stopping", file=sys.stderr)
    sys.exit(1)
t0 = time.monotonic()
keep.request("GET", "/api/me", headers={"Cookie": ck})
r = keep.getresponse()
r.read()
late = (r.status, r.getheader("Retry-After"), time.monotonic() - t0)
keep.close()
if late[0] != 503 or not late[1] or late[2] > 1.0:
    print("FAIL: a request after SIGTERM got %r, expected 503 with Retry-After at once" % (late,), file=sys.stderr)
    sys.exit(1)
# Past the 10 s the server used to wait: requests are still suspended.
while time.monotonic() - t_sig < 11.5:
    time.sleep(0.1)
waiting = sum(1 for g in got if g is None)
lock.execute("ROLLBACK")
lock.close()
for t in ts:
    t.join(60)
bad = [(reqs[i][0], g) for i, g in enumerate(got) if g is None or g[0] not in (201, 500)]
if bad:
    print("FAIL: requests not answered 201 or 500:", bad, file=sys.stderr)
    sys.exit(1)
if waiting == 0:
    print("FAIL: no request was still waiting 11.5 s after the signal", file=sys.stderr)
    sys.exit(1)
with open(created, "w") as f:
    for i, g in enumerate(got):
        if g[0] == 201 and reqs[i][0] == "/api/users":
            f.write(reqs[i][1]["name"] + "\n")
print("ok: %d requests still suspended 11.5 s after SIGTERM were answered: %s"
      % (waiting, [g[0] for g in got]))
PYEOF
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
[ "$rc" = 0 ] || { echo "the server exited $rc after SIGTERM" >&2; tail -n 5 "$SERVER_LOG" >&2; exit 1; }
grep -q "prolo: stopped" "$T/serve.out" || { echo "no 'stopped' line" >&2; exit 1; }
n=$(wc -l <"$T/created")
[ "$n" -gt 0 ] || { echo "no user creation got through once the lock was gone" >&2; exit 1; }
while read -r u; do
	db_count "SELECT count(*) FROM users WHERE name = '$u'" 1
done <"$T/created"
echo "ok: the server stopped cleanly; the $n users it acknowledged are in the registry"
