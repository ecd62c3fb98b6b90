#!/bin/sh
# Cached charts are never stale: after a write through the API, and after a
# write by another process (the command line) while the server runs, every
# worker thread serves the new chart. Cached reads are still checked
# (another clinic: 404, as for no such patient) and audited (one row each). The same holds with the
# cache turned off.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
for opts in "" "--chart-cache-mb 0"; do
	api_start $opts
	suffix=$([ -n "$opts" ] && echo N || echo C)
	$PY - "$PORT" "$PASSWORD" "$API_DIR" "$PROLO" "$PROLO_DB" "$suffix" <<'PYEOF' || exit 1
import json, subprocess, sys
port, password, api_dir, prolo, db, sfx = sys.argv[1:]
sys.path.insert(0, api_dir)
from client import Client
cl = Client(int(port), password)
ck, csrf = cl.login("clin1")
H = {"Cookie": ck, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
P, K = "CC" + sfx, "CK" + sfx
def post(path, body):
    st, _, d = cl.raw("POST", path, json.dumps(body), H)
    assert st == 201, (path, st, d)
def charts(n=24):
    # fresh connections: the reads spread over the worker threads
    out = []
    for _ in range(n):
        st, _, d = cl.raw("GET", "/api/patients/" + P, None, {"Cookie": ck})
        assert st == 200, (st, d)
        out.append(json.loads(d))
    return out
def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)
post("/api/patients", {"patient_id": P, "sex": "female", "first_name": "Cora"})
post("/api/courses", {"course_id": K, "patient_id": P, "modality": "dextrose", "condition": "low_back_pain",
                      "start_date": "2024-01-08", "planned_sessions": 4})
for c in charts():
    if c["courses"][0]["sessions"] != []:
        fail("a session before any was recorded")
post("/api/sessions", {"course_id": K, "session_no": 1, "date": "2024-01-08", "proliferant": "dextrose",
                       "concentration_pct": 15, "volume_ml": 10})
for c in charts():
    if [s["session_no"] for s in c["courses"][0]["sessions"]] != [1]:
        fail("stale chart after an API write: %r" % c["courses"][0]["sessions"])
r = subprocess.run([prolo, "--db", db, "outcome", "add", "--course_id", K, "--date", "2024-01-09",
                    "--instrument", "NRS", "--score", "6"], capture_output=True, text=True)
if r.returncode != 0:
    fail("cli: " + r.stderr)
for c in charts():
    if [o["score"] for o in c["courses"][0]["outcomes"]] != [6]:
        fail("stale chart after a write by another process: %r" % c["courses"][0]["outcomes"])
ck2, _ = cl.login("clin2")
for _ in range(8):  # on every worker, whose caches hold the chart by now
    st, _, d = cl.raw("GET", "/api/patients/" + P, None, {"Cookie": ck2})
    if st != 404 or b"courses" in d:  # answered as no such patient (docs/security.md)
        fail("another clinic's clinician got the chart: %d %r" % (st, d[:80]))
cka, _ = cl.login("admin")
st, _, d = cl.raw("GET", "/api/audit?action=patient.read&record=patient:" + P + "&limit=500", None, {"Cookie": cka})
assert st == 200, (st, d)
rows = json.loads(d)["audit"]
if len([r for r in rows if r["user"] == "clin1"]) != 72:
    fail("%d chart reads audited, 72 made" % len([r for r in rows if r["user"] == "clin1"]))
st, _, d = cl.raw("GET", "/api/audit?action=denied&record=patient:" + P, None, {"Cookie": cka})
if len(json.loads(d)["audit"]) != 8:
    fail("%d of 8 refused reads audited" % len(json.loads(d)["audit"]))
print("ok: charts fresh after API and command-line writes; reads checked and audited (%s)" % sfx)
PYEOF
	api_stop || exit 1
done
