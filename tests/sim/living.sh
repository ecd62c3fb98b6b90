#!/bin/sh
# prolo simulate --living: a clinic as of today. The registry holds what a
# real one holds (names, contacts and consent, injections with their
# injectate, PRP preparation figures, stem-cell sources, every instrument
# of the condition, open courses), nothing is dated after today, and the
# follow-up time points are answered, missed and pending at the rates of
# the simulator's parameter table (docs/simulator.md), within binomial
# tolerance. The output is reproducible for a seed and a today.
. "$(dirname "$0")/../lib/cli.sh"
PY=/usr/bin/python3
TODAY=2026-12-05

run 0 simulate --patients 3000 --living --today "$TODAY" --seed 4 --out "$T/a"
run 0 simulate --patients 3000 --living --today "$TODAY" --seed 4 --out "$T/b"
for f in patients courses sessions injections outcomes adverse_events contacts; do
	[ -s "$T/a/$f.csv" ] || { echo "missing $f.csv" >&2; exit 1; }
	cmp "$T/a/$f.csv" "$T/b/$f.csv" || { echo "$f.csv differs between runs" >&2; exit 1; }
done
# another today moves the clinic in time
run 0 simulate --patients 3000 --living --today 2027-06-01 --seed 4 --out "$T/c"
! cmp -s "$T/a/courses.csv" "$T/c/courses.csv" || { echo "--today changed nothing" >&2; exit 1; }
run 2 simulate --patients 10 --today "$TODAY" --out "$T/x"
err_has "--living"
run 2 simulate --patients 10 --living --today 2026-02-30 --out "$T/x"
err_has "--today"

# into a registry: every file imports, contacts included
run 0 --db "$T/live.db" simulate --patients 3000 --living --today "$TODAY" --seed 4
PROLO_DB="$T/live.db"
rows() { echo $(( $(wc -l < "$1") - 1 )); }
db_count "SELECT count(*) FROM patients" 3000
db_count "SELECT count(*) FROM injections" "$(rows "$T/a/injections.csv")"
db_count "SELECT count(*) FROM patient_contacts" "$(rows "$T/a/contacts.csv")"
db_count "SELECT count(*) FROM outcomes" "$(rows "$T/a/outcomes.csv")"

run 0 export csv "$T/exp"
$PY - "$T/exp" "$T/live.db" "$TODAY" <<'EOF' || exit 1
import csv, datetime, math, sqlite3, sys
from collections import defaultdict
exp, today = sys.argv[1], datetime.date.fromisoformat(sys.argv[3])
db = sqlite3.connect(sys.argv[2])
def rows(name):
    with open("%s/%s.csv" % (exp, name), newline="") as f:
        return list(csv.DictReader(f))
def d(s):
    return datetime.date.fromisoformat(s)
P, C, S, I, O, A = (rows(x) for x in ("patients", "courses", "sessions", "injections", "outcomes", "adverse_events"))
fail = []
def check(ok, what):
    if not ok:
        fail.append(what)

# names and contact details: obviously fake, consent at plausible rates
n = len(P)
check(all(p["first_name"] and p["last_name"] for p in P), "every patient has a synthetic name")
one = lambda sql: db.execute(sql).fetchone()[0]
check(one("SELECT count(*) FROM patient_contacts WHERE email NOT LIKE '%@example.org'") == 0, "e-mail outside example.org")
check(one("SELECT count(*) FROM patient_contacts WHERE mobile NOT LIKE '+447700900___'") == 0, "mobile outside +44 7700 900xxx")
se = lambda p: 4 * math.sqrt(p * (1 - p) / n)
for what, sql, p in (("e-mail on file", "email IS NOT NULL", 0.9),
                     ("mobile on file", "mobile IS NOT NULL", 0.85),
                     ("consent given", "consent = 'given'", 0.88 * 0.96),
                     ("consent withdrawn", "consent = 'withdrawn'", 0.88 * 0.04)):
    got = one("SELECT count(*) FROM patient_contacts WHERE " + sql) / n
    print("%-17s %.3f (parameters give %.3f)" % (what, got, p))
    check(abs(got - p) <= se(p), "%s %.3f, parameters give %.3f" % (what, got, p))

# injectate: dextrose % with lidocaine, PRP preparation figures, stem-cell sources
dex = [s for s in S if s["proliferant"] == "dextrose"]
check(dex and all(12.5 <= float(s["concentration_pct"]) <= 25 for s in dex), "dextrose concentrations")
lido = sum(s["anaesthetic"] == "lidocaine" for s in dex) / len(dex)
check(abs(lido - 0.9) < 0.05, "dextrose with lidocaine %.3f, parameter 0.9" % lido)
prp = [s for s in S if s["proliferant"] == "prp"]
check(prp and all(float(s["prp_platelets"]) > float(s["prp_platelets_baseline"]) and s["prp_leukocytes"]
                  and s["prp_activation"] for s in prp), "PRP figures on every PRP session")
stem = {c["stem_source"] for c in C if c["modality"] == "stem_cell"}
check(stem == {"bmac", "adipose"}, "stem-cell sources %r" % stem)
inj = defaultdict(float)
for i in I:
    inj[(i["course_id"], i["session_no"])] += float(i["volume_ml"])
check(all(abs(inj[(s["course_id"], s["session_no"])] - float(s["volume_ml"])) < 1e-6 for s in S),
      "the injections of a session add up to its volume")

# instruments by condition
cond = {c["course_id"]: c["condition"] for c in C}
have = {(cond[o["course_id"]], o["instrument"]) for o in O}
for pair in (("low_back_pain", "ODI"), ("neck_pain", "NDI"), ("knee_oa", "WOMAC"), ("tendinopathy", "QuickDASH")):
    check(pair in have, "%s has %s rows" % pair)

# nothing after today; open courses
late = [r for r in S + O + A if d(r["date"]) > today]
check(not late, "%d rows dated after today" % len(late))
status = defaultdict(int)
for c in C:
    status[c["status"]] += 1
check(status["active"] > 0 and status["planned"] > 0, "open courses %r" % dict(status))

# follow-up time points (3, 6, 12 months after the start, +/- 14 days)
# whose window has passed and began a week after the course was closed
# (a course that stopped early was closed one interval after its last
# session, give or take the jitter, by the questionnaire that stopped it),
# so that only the follow-up questionnaire can answer them
nrs = defaultdict(list)
for o in O:
    if o["instrument"] == "NRS":
        nrs[o["course_id"]].append(d(o["date"]))
answered = {}
for c in C:
    if c["status"] in ("planned", "active"):
        continue
    for i, off in enumerate((91, 182, 365)):
        due = d(c["start_date"]) + datetime.timedelta(days=off)
        lo, hi = due - datetime.timedelta(days=14), due + datetime.timedelta(days=14)
        if hi >= today or lo <= d(c["end_date"]) + datetime.timedelta(days=7):
            continue
        a = answered.setdefault(("dropped" if c["status"] == "dropped" else "completed", i), [0, 0])
        a[0] += 1
        a[1] += any(lo <= x <= hi for x in nrs[c["course_id"]])
rates = {("completed", 0): 0.92, ("completed", 1): 0.88, ("completed", 2): 0.85,
         ("dropped", 0): 0.40, ("dropped", 1): 0.30, ("dropped", 2): 0.25}
for key, p in rates.items():
    due, ok = answered.get(key, [0, 0])
    if due < 30:
        check(False, "too few time points for %r: %d" % (key, due))
        continue
    got = ok / due
    tol = 4 * math.sqrt(p * (1 - p) / due)
    print("follow-up %-9s %2d months: %4d due, answered %.3f (parameter %.2f, tolerance %.3f)"
          % (key[0], (3, 6, 12)[key[1]], due, got, p, tol))
    check(abs(got - p) <= tol, "answered share %r: %.3f vs %.2f" % (key, got, p))
if fail:
    print("\n".join(fail), file=sys.stderr)
    sys.exit(1)
EOF

# the follow-up states the registry derives: answered, missed and pending
# (upcoming, or not contactable) all occur
id=$(sqlite3 "$PROLO_DB" "SELECT course_id FROM courses WHERE status = 'active' ORDER BY start_date LIMIT 1")
run 0 followup show "$id" --today "$TODAY"
c=$(sqlite3 "$PROLO_DB" "SELECT course_id FROM courses WHERE status = 'dropped' AND start_date < date('$TODAY', '-400 days') LIMIT 40")
: >"$T/states"
for k in $c; do "$PROLO" followup show "$k" --today "$TODAY" >>"$T/states" || exit 1; done
grep -q "answered" "$T/states" || { echo "no answered time point" >&2; exit 1; }
grep -q "missed" "$T/states" || { echo "no missed time point" >&2; exit 1; }
exit 0
