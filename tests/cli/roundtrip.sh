# Import the reference registry, export it: the same rows come back (numbers
# compared as numbers); export -> import into a fresh registry -> export
# gives identical files.
. "$TOP/tests/lib/cli.sh"
REF="$TOP/tests/reference/registry-10k"
run 0 init
run 0 import csv "$REF"
out_has "imported 10000 patients, 11924 courses, 48759 sessions, 0 injections, 58600 outcomes, 20036 adverse_events"
run 0 export csv "$T/a"
python3 "$TOP/tests/tools/csv_same_rows.py" "$REF" "$T/a" || exit 1
# Add records that use the optional columns, then round-trip everything.
run 0 patient add --patient_id X1 --clinic C01 --sex other --first_name "Zoë" --notes "a, b
c" --contraindications "anticoagulants;cancer"
run 0 course add --course_id XK --patient_id X1 --modality stem_cell --stem_source bmac \
	--condition tendinopathy --start_date 2025-01-02 --planned_sessions 2 --status planned \
	--override_reason "cancer in remission; oncologist agrees" --override_by "Dr Round"
run 0 session add --course_id XK --date 2025-01-03 --proliferant bmac --volume_ml 3.25 \
	--injection "site=common extensor origin,side=right,volume_ml=3.25,guidance=ultrasound,lot=L-1"
run 0 outcome add --course_id XK --date 2025-01-02 --instrument QuickDASH --items "1;2;3;4;5;1;2;3;4;5;"
run 0 ae add --course_id XK --date 2025-01-04 --kind vasovagal --grade 1 --seriousness none --relatedness probable
run 0 export csv "$T/b"
export PROLO_DB="$T/second.db"
run 0 init
run 0 import csv "$T/b"
run 0 export csv "$T/c"
for f in patients courses sessions injections outcomes adverse_events; do
	cmp "$T/b/$f.csv" "$T/c/$f.csv" || { echo "$f.csv differs after a round trip" >&2; exit 1; }
done
grep -q "Zoë" "$T/c/patients.csv" || exit 1
grep -q "L-1" "$T/c/injections.csv" || exit 1
