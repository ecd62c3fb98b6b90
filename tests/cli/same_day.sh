#!/bin/sh
# A patient's answer on a day staff recorded the same instrument is kept
# beside it (outcomes keyed by source too, migration 12), survives export
# and import, and the report uses staff's score where both are scored
# (docs/report.md, "Assessments by staff and by the patient"). Oracle by
# hand, REPORT.md's responder rule 2*last <= baseline:
#   K1: baseline 8 (staff); on 05-01 staff 6 and patient 2. Staff's used:
#       last 6, change -2, not a responder. (The patient's would make it a
#       responder with change -6; the mean of both, 4, a responder too.)
#   K2: baseline 8 (staff); on 05-01 only the patient's 3: used, last 3,
#       change -5, a responder.
# So for dextrose x low_back_pain: 2 courses, 1 responder, chg_mean -3.5.
# Then staff's 05-01 row of K1 is voided: the patient's 2 is used, K1's
# change is -6 and it responds: 2 responders, chg_mean -5.5.
. "$TOP/tests/lib/cli.sh"
export PROLO_TODAY=2025-06-30
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
run 0 init
for k in 1 2; do
	run 0 patient add --patient_id P$k --clinic C01 --sex female
	run 0 course add --course_id K$k --patient_id P$k --modality dextrose --condition low_back_pain \
		--start_date 2025-03-01 --planned_sessions 1
	run 0 session add --course_id K$k --date 2025-03-01
	run 0 outcome add --course_id K$k --date 2025-03-01 --instrument NRS --score 8
done
run 0 outcome add --course_id K1 --date 2025-05-01 --instrument NRS --score 6
run 0 course end K1 --status completed --date 2025-06-01
run 0 course end K2 --status completed --date 2025-06-01
# Staff may not type an answer in as the patient's.
run 2 outcome add --course_id K1 --date 2025-05-01 --instrument NRS --score 2 --source patient
err_has "source: 'patient' marks answers the patient gave through a questionnaire link"
# The patient's answers arrive as a link's would: here through an import.
run 0 export csv "$T/a"
head -n 1 "$T/a/outcomes.csv" | grep -q '^course_id,date,instrument,score,items,source$' || { echo "no source column" >&2; exit 1; }
printf 'K1,2025-05-01,NRS,2,,patient\nK2,2025-05-01,NRS,3,,patient\n' >> "$T/a/outcomes.csv"
export PROLO_DB="$T/b.db"
run 0 init
run 0 import csv "$T/a"
db_count "SELECT count(*) FROM outcomes WHERE source = 'patient'" 2
db_count "SELECT count(*) FROM outcomes JOIN courses c ON c.pk = course_pk WHERE c.course_id = 'K1' AND date = '2025-05-01'" 2
# Both are visible, each by its source.
run 0 outcome list --course K1
out_has "2025-05-01  NRS        patient  2"
out_has "2025-05-01  NRS        staff    6"
run 0 outcome show K1 2025-05-01 NRS patient
out_has "score                    2"
# The same row twice from one source is still refused, naming it.
printf 'K1,2025-05-01,NRS,1,,patient\n' >> "$T/a/outcomes.csv"
export PROLO_DB="$T/c.db"
run 0 init
run 2 import csv "$T/a"
err_has "course 'K1' already has a NRS assessment on 2025-05-01 answered by the patient"
export PROLO_DB="$T/b.db"
run 0 report --format csv --out "$T/r"
check_report() { # responders chg_mean
	$PY - "$T/r/report.csv" "$1" "$2" <<'PYEOF' || exit 1
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["modality"] == "dextrose" and r["condition"] == "low_back_pain":
        assert r["n_courses"] == "2", r
        assert abs(float(r["chg_mean"]) - float(sys.argv[3])) < 1e-9, r["chg_mean"]
        assert r["pp_resp"] == sys.argv[2], r
        break
else:
    sys.exit("no dextrose x low_back_pain row")
PYEOF
}
check_report 1 -3.5
# Round trip: the export of the imported registry gives the rows imported
# (without the refused duplicate, the file's last line).
run 0 export csv "$T/b"
sed '$d' "$T/a/outcomes.csv" | sort >"$T/a.s"
sort "$T/b/outcomes.csv" >"$T/b.s"
cmp "$T/a.s" "$T/b.s" || { echo "outcomes.csv differs after import and export" >&2; exit 1; }
# Staff's score voided: the patient's answer of that day counts.
run 0 outcome void K1 2025-05-01 NRS staff --reason "typed on the wrong course"
rm -rf "$T/r"
run 0 report --format csv --out "$T/r"
check_report 2 -5.5
exit 0
