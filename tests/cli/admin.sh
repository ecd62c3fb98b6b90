# A clinic adds its own conditions (with codes) and backs the registry up.
. "$TOP/tests/lib/cli.sh"
run 0 init
run 0 condition add plantar_fasciitis --icd10 M72.2 --snomed 202882003 --label "Plantar fasciitis"
run 4 condition add plantar_fasciitis --icd10 M72.2 --snomed 202882003
err_has "already exists"
run 2 condition add Elbow --icd10 M77.1 --snomed 202855006
err_has "name:"
run 2 condition add elbow --icd10 77.1 --snomed 202855006
err_has "icd10:"
run 2 condition add elbow --icd10 M77.1 --snomed 12ab
err_has "snomed:"
# The codes' shapes at their edges: a dot needs 1-4 capitals or digits after
# it; SNOMED CT ids have 6 to 18 digits.
for bad in M77. M77.1x M7 M771 M77.ABCDE; do run 2 condition add elbow --icd10 "$bad" --snomed 202855006; err_has "icd10:"; done
for bad in 12345 1234567890123456789; do run 2 condition add elbow --icd10 M77.1 --snomed "$bad"; err_has "snomed:"; done
run 2 condition add e --icd10 M77.1 --snomed 202855006
err_has "name:"
run 0 condition add tennis_elbow_2 --icd10 M77.ABCD --snomed 123456 --label "Edge codes"
run 0 condition list
out_has "low_back_pain        M54.50   279039007"
out_has "plantar_fasciitis"
run 0 patient add --patient_id P1 --clinic C1 --sex male
run 0 course add --course_id K1 --patient_id P1 --modality prp --condition plantar_fasciitis \
	--start_date 2025-01-01 --planned_sessions 2 --status planned
run 0 backup "$T/copy.db"
PROLO_DB="$T/copy.db" run 0 course show K1
out_has "plantar_fasciitis"
run 4 backup "$T/copy.db"
err_has "exists"
run 2 backup "$T/no/such/dir/x.db"
