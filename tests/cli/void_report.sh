#!/bin/sh
# Voiding an assessment takes it out of the report and the export; the
# report's numbers are recomputed (checked against an independent sum).
. "$TOP/tests/lib/cli.sh"
export PROLO_TODAY=2025-06-30
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
for k in 1 2; do
	run 0 course add --course_id K$k --patient_id P$k --modality dextrose --condition low_back_pain \
		--start_date 2025-03-01 --planned_sessions 1
	run 0 session add --course_id K$k --date 2025-03-01
	run 0 outcome add --course_id K$k --date 2025-03-01 --instrument NRS --score 8
done
run 0 outcome add --course_id K1 --date 2025-05-01 --instrument NRS --score 2
run 0 outcome add --course_id K2 --date 2025-05-01 --instrument NRS --score 6
run 0 course end K1 --status completed --date 2025-06-01
run 0 course end K2 --status completed --date 2025-06-01
run 0 report --format csv && cp "$OUT" "$T/before.csv"
run 0 outcome void K2 2025-05-01 NRS --reason "entered for the wrong patient"
run 0 report --format csv && cp "$OUT" "$T/after.csv"
run 0 export csv "$T/exp"
run 0 outcome history K2 2025-05-01 NRS
grep -q "voided on .* entered for the wrong patient" "$OUT" || { echo "history lacks the void" >&2; exit 1; }
$PY - "$T/before.csv" "$T/after.csv" "$T/exp/outcomes.csv" <<'PYEOF' || exit 1
import csv, sys
def row(p):
    for r in csv.DictReader(open(p)):
        if r["modality"] == "dextrose" and r["condition"] == "low_back_pain":
            return r
b, a = row(sys.argv[1]), row(sys.argv[2])
# change = last - baseline (docs/report.md): before (-6 + -2)/2 = -4; after
# the void K2's last NRS is its baseline: (-6 + 0)/2 = -3. Responders (2*last
# <= baseline): K1 only, before and after.
def num(x):
    return float(x) if x not in ("", "NA") else None
assert num(b["chg_mean"]) is not None and abs(num(b["chg_mean"]) + 4.0) < 1e-9, b["chg_mean"]
assert num(a["chg_mean"]) is not None and abs(num(a["chg_mean"]) + 3.0) < 1e-9, a["chg_mean"]
assert b["pp_resp"] == a["pp_resp"] == "1", (b["pp_resp"], a["pp_resp"])
out = list(csv.DictReader(open(sys.argv[3])))
assert len(out) == 3, len(out)
assert not any(r["course_id"] == "K2" and r["date"] == "2025-05-01" for r in out)
PYEOF
# A date after today is refused at entry, and accepted with the clock set.
run 2 outcome add --course_id K1 --date 2025-07-01 --instrument NRS --score 1
PROLO_TODAY=2025-07-01 run 0 outcome add --course_id K1 --date 2025-07-01 --instrument NRS --score 1
echo ok
