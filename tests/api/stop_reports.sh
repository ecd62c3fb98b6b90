#!/bin/sh
# A stop (SIGTERM) answers the reports still queued on the slow lane with
# 503 at once instead of computing them all first; the report already
# running finishes, and the server exits cleanly. The registry is the
# 10,000-patient reference, so 16 reports queue for about a second.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
"$PROLO" import csv "$TOP/tests/reference/registry-10k" >/dev/null || { echo "import failed" >&2; exit 1; }
api_start
$PY - "$PORT" "$PASSWORD" "$API_DIR" "$SERVER_PID" <<'PYEOF' || exit 1
import http.client, os, signal, sys, threading, time
port, password, api_dir, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, api_dir)
from client import Client
cl = Client(port, password)
ck, _ = cl.login("admin")
got = []
sent = threading.Barrier(17)
def report():
    # Connected and sent before the stop: a stopping server takes no new
    # connection, but must answer every request it has.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.connect()
    c.request("GET", "/api/report", headers={"Cookie": ck})
    sent.wait(30)
    try:
        r = c.getresponse()
        r.read()
        got.append((r.status, r.getheader("Retry-After")))
    except OSError as e:
        got.append(("dropped: %s" % e, None))
    c.close()
ts = [threading.Thread(target=report) for _ in range(16)]
for t in ts:
    t.start()
sent.wait(30)
time.sleep(0.1)
os.kill(pid, signal.SIGTERM)
for t in ts:
    t.join(60)
statuses = [s for s, _ in got]
if len(got) != 16 or any(s not in (200, 503) for s in statuses):
    print("FAIL: every report must be answered 200 or 503:", statuses, file=sys.stderr)
    sys.exit(1)
if statuses.count(503) < 4 or statuses.count(200) < 1:
    print("FAIL: queued reports were not refused at the stop:", statuses, file=sys.stderr)
    sys.exit(1)
if any(s == 503 and not ra for s, ra in got):
    print("FAIL: a 503 without Retry-After", got, file=sys.stderr)
    sys.exit(1)
print("ok: %d reports answered, %d refused (503) at the stop" % (statuses.count(200), statuses.count(503)))
PYEOF
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
[ "$rc" = 0 ] || { echo "the server exited with $rc" >&2; cat "$SERVER_LOG" >&2; exit 1; }
