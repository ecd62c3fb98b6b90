#!/bin/sh
# prolo simulate: the same seed gives byte-identical CSV, another seed a
# different registry, and the output imports into a registry whose counts
# match the files.
. "$(dirname "$0")/../lib/cli.sh"

run 0 simulate --patients 500 --out "$T/a"
out_has "simulated 500 patients"
run 0 simulate --patients 500 --out "$T/b"
for f in patients courses sessions outcomes adverse_events; do
	[ -s "$T/a/$f.csv" ] || { echo "missing $f.csv" >&2; exit 1; }
	cmp "$T/a/$f.csv" "$T/b/$f.csv" || { echo "$f.csv differs between runs" >&2; exit 1; }
done
run 0 simulate --patients 500 --seed 2 --out "$T/c"
! cmp -s "$T/a/courses.csv" "$T/c/courses.csv" || { echo "seed 2 gave seed 1's courses" >&2; exit 1; }
# the first 500 patients do not depend on how many follow
run 0 simulate --patients 700 --out "$T/d"
head -n 501 "$T/d/patients.csv" | cmp - "$T/a/patients.csv" || { echo "patients depend on N" >&2; exit 1; }

# exact reference columns
[ "$(head -n 1 "$T/a/courses.csv")" = "course_id,patient_id,modality,condition,start_date,planned_sessions,status" ] || exit 1
[ "$(head -n 1 "$T/a/outcomes.csv")" = "course_id,date,instrument,score" ] || exit 1

# usage errors
run 2 simulate --patients 0 --out "$T/x"
run 2 simulate --patients 10
err_has "--out DIR"
run 2 simulate --patients 10 --out "$T/x" --bogus
run 2 simulate trial --arms dextrose,water --condition knee_oa --per-arm 10
err_has "--arms"

# import: --db straight into a registry, and import of the CSV folder
run 0 --db "$T/sim.db" simulate --patients 500
rows() { echo $(( $(wc -l < "$1") - 1 )); }
PROLO_DB="$T/sim.db"
db_count "SELECT count(*) FROM patients" "$(rows "$T/a/patients.csv")"
db_count "SELECT count(*) FROM courses" "$(rows "$T/a/courses.csv")"
db_count "SELECT count(*) FROM sessions" "$(rows "$T/a/sessions.csv")"
run 0 --db "$T/imp.db" init
run 0 --db "$T/imp.db" import csv "$T/a"
exit 0
