"""Concurrent writes against a running server (tests/api/concurrent.sh):
many session POSTs at once from many connections, so the group-commit
writer puts several in one batch. Valid requests must each land exactly
once; failing ones (a duplicate session, a date before the course, an
unknown course) must get their own error without disturbing the rest of
their batch; replays of the valid ones (same Idempotency-Key) return the
stored response and add nothing. Prints the acknowledged sessions for the
shell to check after a kill -9. Standard library only."""
import argparse
import json
import sqlite3
import sys
import threading

sys.path.insert(0, __import__("os").path.dirname(__file__))
from client import Client  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--password", required=True)
ap.add_argument("--db", required=True)
ap.add_argument("--acked", required=True, help="file to write acknowledged course/session pairs to")
ap.add_argument("--reads", required=True, help="file to write the number of answered chart reads to")
a = ap.parse_args()

cl = Client(a.port, a.password)
cookie, csrf = cl.login("clin1")
H = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}

def post(path, body, key=None):
    h = dict(H)
    if key:
        h["Idempotency-Key"] = key
    return cl.raw("POST", path, json.dumps(body), h)

def check(cond, msg):
    if not cond:
        print("FAIL:", msg, file=sys.stderr)
        sys.exit(1)

st, _, d = post("/api/patients", {"patient_id": "GC1", "sex": "male"})
check(st == 201, f"patient: {st} {d[:200]!r}")
COURSES = ["GK%d" % i for i in range(4)]
for c in COURSES:
    st, _, d = post("/api/courses", {"course_id": c, "patient_id": "GC1", "modality": "prp",
                                     "condition": "knee_oa", "start_date": "2024-01-01", "planned_sessions": 50})
    check(st == 201, f"course {c}: {st} {d[:200]!r}")

# 4 courses x 40 sessions valid; every 5th request a failing one.
jobs = []
for c in COURSES:
    for n in range(1, 41):
        jobs.append(("ok", c, n))
for i in range(0, len(jobs), 4):
    c = COURSES[(i // 4) % 4]
    jobs.insert(i, ("dup", c, 1))            # session 1 exists (or will): 409 for all but one
for i in range(0, 40, 2):
    jobs.append(("early", COURSES[i % 4], 900 + i))   # dated before the course: 400
    jobs.append(("nocourse", "NOPE%d" % i, 1))         # 404
# "dup" requests race with the valid session 1 of their course: exactly one
# of all requests for (course, 1) may succeed, whichever comes first.

def body(kind, c, n):
    date = "2023-12-01" if kind == "early" else "2024-02-01"
    return {"course_id": c, "session_no": n, "date": date, "proliferant": "prp", "volume_ml": 4,
            "injections": [{"site": "medial knee", "side": "left", "volume_ml": 2},
                           {"site": "lateral knee", "side": "left", "volume_ml": 2}]}

results = [None] * len(jobs)
keys = ["gc-%d" % i for i in range(len(jobs))]

def worker(idx):
    for i in idx:
        kind, c, n = jobs[i]
        st, h, d = post("/api/sessions", body(kind, c, n), keys[i])
        results[i] = (st, h, d)

def run_all(n_threads=32):
    ts = [threading.Thread(target=worker, args=(range(t, len(jobs), n_threads),)) for t in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()

run_all()
acked = set()
first_ok = {}
for i, (kind, c, n) in enumerate(jobs):
    st, h, d = results[i]
    if kind == "ok" and n > 1:
        check(st == 201, f"valid {c}/{n}: {st} {d[:200]!r}")
    elif kind in ("ok", "dup"):
        check(st in (201, 409), f"{kind} {c}/{n}: {st} {d[:200]!r}")
        if st == 409:
            check(json.loads(d)["error"]["field"] == "session_no", f"{kind} {c}/{n}: {d[:200]!r}")
    elif kind == "early":
        check(st == 400 and json.loads(d)["error"]["field"] == "date", f"early {c}/{n}: {st} {d[:200]!r}")
    else:
        check(st == 404 and json.loads(d)["error"]["field"] == "course_id", f"nocourse {c}: {st} {d[:200]!r}")
    if st == 201:
        s = json.loads(d)["session"]
        check(s["course_id"] == c and s["session_no"] == n and len(s["injections"]) == 2, f"response {d[:200]!r}")
        check((c, n) not in acked, f"{c}/{n} acknowledged twice")
        acked.add((c, n))
        first_ok[i] = d
for c in COURSES:
    check((c, 1) in acked, f"{c}/1 never recorded")
check(len(acked) == 4 * 40, f"{len(acked)} sessions acknowledged, expected 160")

db = sqlite3.connect(a.db)
def q(sql):
    return db.execute(sql).fetchone()[0]
check(q("SELECT count(*) FROM sessions s JOIN courses c ON c.pk = s.course_pk WHERE c.course_id LIKE 'GK%'") == 160,
      "sessions in the registry")
check(q("SELECT count(*) FROM injections i JOIN courses c ON c.pk = i.course_pk WHERE c.course_id LIKE 'GK%'") == 320,
      "injections in the registry")
check(q("SELECT count(*) FROM audit_log WHERE action = 'session.create' AND record LIKE 'session:GK%'") == 160,
      "one audit row per recorded session")
check(q("SELECT count(*) FROM idempotency") >= 160, "idempotency keys stored with the writes")
db.close()

# Replays: the same keys give the stored first response and add nothing.
results = [None] * len(jobs)
run_all()
for i in first_ok:
    st, h, d = results[i]
    check(st == 201 and h.get("idempotent-replayed") == "true" and d == first_ok[i], f"replay {i}: {st} {h} {d[:120]!r}")
db = sqlite3.connect(a.db)
check(db.execute("SELECT count(*) FROM sessions s JOIN courses c ON c.pk = s.course_pk WHERE c.course_id LIKE 'GK%'").fetchone()[0] == 160,
      "replays added sessions")
db.close()

with open(a.acked, "w") as f:
    for c, n in sorted(acked):
        f.write(f"{c} {n}\n")
# Chart reads from many connections at once, the last thing before the
# shell kills the server: each answered read must have its audit row after
# the kill (the rows wait in the audit spool, not in the server's memory).
answered = [0] * 16
def reader(t):
    for _ in range(25):
        st, _, d = cl.raw("GET", "/api/patients/GC1", None, {"Cookie": cookie})
        check(st == 200 and b'"GK3"' in d, f"chart: {st} {d[:120]!r}")
        answered[t] += 1
ts = [threading.Thread(target=reader, args=(t,)) for t in range(16)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(a.reads, "w") as f:
    f.write(f"{sum(answered)}\n")

print(f"ok: {len(jobs)} concurrent requests, {len(acked)} sessions recorded once, failures isolated, replays stored")
