#!/bin/sh
# A merge changes no number of the report: the report counts courses, and
# a merge moves a patient's courses to the survivor without adding,
# dropping or changing one, so merging two patients whose courses were
# already separate courses leaves the report (text, CSV, JSON) byte for
# byte as it was, and so does its undo. The merged patient leaves the
# patient list and the exported patients.csv (counted once, as the
# survivor); courses.csv keeps every course, the moved ones under the
# survivor. Undone, everything is as before.
. "$TOP/tests/lib/cli.sh"
# The reports compared byte for byte carry their day (as_of): read once, so
# that a run crossing midnight compares like with like.
export PROLO_TODAY="$(date +%Y-%m-%d)"
run 0 simulate --patients 300 --seed 7 --clinics 3 --db "$PROLO_DB"
# Two patients of one clinic with ended courses (they are in report.csv).
pair=$(sqlite3 "$PROLO_DB" "SELECT p.patient_id FROM patients p JOIN courses c ON c.patient_pk = p.pk
	WHERE p.clinic = (SELECT clinic FROM patients ORDER BY pk LIMIT 1) AND c.status <> 'planned' AND c.status <> 'active'
	GROUP BY p.pk ORDER BY p.pk LIMIT 2")
set -- $pair
[ $# = 2 ] || { echo "no two patients with ended courses in one clinic: $pair" >&2; exit 1; }
S=$1
M=$2
moved=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM courses c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = '$M'")
[ "$moved" -ge 1 ] || { echo "$M has no course" >&2; exit 1; }
snapshot() { # DIR: the report in three formats and the export
	mkdir -p "$1"
	run 0 report --format csv --out "$1/csv"
	run 0 report --format json --out "$1/report.json"
	run 0 report --format text --out "$1/report.txt"
	run 0 export csv "$1/export"
}
snapshot "$T/before"
run 0 patient merge "$S" "$M" --reason "registered twice"
out_has "merged patient $M into $S: $moved course"
snapshot "$T/merged"
for f in csv/report.csv csv/logrank.csv report.json report.txt; do
	cmp -s "$T/before/$f" "$T/merged/$f" || { echo "the merge changed $f" >&2; diff "$T/before/$f" "$T/merged/$f" | head >&2; exit 1; }
done
# The merged patient is counted once: as the survivor.
n0=$(wc -l <"$T/before/export/patients.csv")
n1=$(wc -l <"$T/merged/export/patients.csv")
[ "$n1" = $((n0 - 1)) ] || { echo "patients.csv: $n0 rows before, $n1 after the merge" >&2; exit 1; }
grep -q "^$M," "$T/merged/export/patients.csv" && { echo "$M is still exported" >&2; exit 1; }
c0=$(wc -l <"$T/before/export/courses.csv")
c1=$(wc -l <"$T/merged/export/courses.csv")
[ "$c0" = "$c1" ] || { echo "courses.csv: $c0 rows before, $c1 after the merge" >&2; exit 1; }
db_count "SELECT count(*) FROM courses c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = '$M'" 0
run 0 --json patient list --search "$M"
out_lacks "\"patient_id\": \"$M\""
# Reads of the merged id lead to the survivor; changes are refused.
run 0 --json patient show "$M"
out_has "\"patient_id\": \"$S\""
run 4 patient amend "$M" --notes x --reason y
err_has "was merged into '$S'"
# Undone by the owner (an admin): the courses go back, the report is unchanged.
run 0 patient unmerge "$M" --reason "two people after all"
snapshot "$T/undone"
for f in csv/report.csv csv/logrank.csv report.json report.txt export/patients.csv export/courses.csv; do
	cmp -s "$T/before/$f" "$T/undone/$f" || { echo "the undo left $f changed" >&2; diff "$T/before/$f" "$T/undone/$f" | head >&2; exit 1; }
done
db_count "SELECT count(*) FROM courses c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = '$M'" "$moved"
db_count "SELECT count(*) FROM audit_log WHERE action IN ('patient.merge', 'patient.unmerge')" 4
run 0 audit verify
