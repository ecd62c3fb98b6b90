# Recording from the command line: every add/list/show, course end, JSON
# output, exit codes, and that a refused command leaves nothing behind.
. "$TOP/tests/lib/cli.sh"

run 3 patient list                      # no registry yet: not found
err_has "prolo init"
run 0 init
out_has "created registry"
run 4 init                              # a second init does not clobber it

run 0 patient add --patient_id P1 --clinic C01 --sex female --birth_year 1970 \
	--first-name Ada --last_name Lovelace --contraindications "nsaids_48h;pregnancy"
out_has "added patient"
run 4 patient add --patient_id P1 --clinic C01 --sex female
err_has "patient_id: patient 'P1' already exists"
run 2 patient add --patient_id P2 --clinic C01 --sex robot
err_has "sex: unknown value 'robot'"
run 2 patient add --patient_id P2 --clinic C01
err_has "sex: is required"
run 2 patient add --patient_id P2 --clinic C01 --sex male --birth_year 1850
err_has "birth_year: 1850 is out of range"
run 2 patient add --patient_id P2 --clinic C01 --sex male --colour blue
err_has "unknown option '--colour'"
run 2 patient add --patient_id 'P 2' --clinic C01 --sex male
err_has "patient_id:"
db_count "select count(*) from patients" 1

run 0 --json patient show P1
out_has '"first_name": "Ada"'
out_has '"nsaids_48h"'
run 3 patient show NOPE
err_has "no patient 'NOPE'"

run 3 course add --course_id K1 --patient_id P9 --modality prp --condition knee_oa \
	--start_date 2025-03-01 --planned_sessions 3 --status planned
err_has "patient_id: no patient 'P9'"
run 2 course add --course_id K1 --patient_id P1 --modality prp --condition elbow \
	--start_date 2025-03-01 --planned_sessions 3 --status planned
err_has "condition: unknown condition 'elbow'"
run 2 course add --course_id K1 --patient_id P1 --modality prp --condition knee_oa \
	--start_date 2025-02-30 --planned_sessions 3 --status planned
err_has "start_date: '2025-02-30' is not a valid date"
run 0 course add --course_id K1 --patient_id P1 --modality prp --condition knee_oa \
	--start_date 2025-03-01 --planned_sessions 3 --interval_days 21 --status planned
run 0 course list --patient P1
out_has "knee_oa"
# A list is the API's use case: audited with its count, scoped to the patient.
db_count "SELECT count(*) FROM audit_log WHERE action = 'course.list' AND record = 'patient:P1' AND detail = '1 courses'" 1
run 0 patient list --search lovelace
out_has "P1"
db_count "SELECT count(*) FROM audit_log WHERE action = 'patient.list' AND record = '' AND detail = '1 patients, search'" 1
run 3 course list --patient P9
err_has "patient_id: no patient 'P9'"
run 2 patient list --limit 501
err_has "limit: must be a whole number 1..500"
# a clinic's list that stops at its limit says so; one patient's never does
run 0 patient add --patient_id P3 --clinic C01 --sex male --birth_year 1980 --first_name Alan --last_name Turing
run 0 patient list --limit 1
err_has "(1 shown, the limit: there may be more; --limit N shows up to 500, prolo export csv every record)"
run 0 patient list --limit 3
[ ! -s "$ERR" ] || { cat "$ERR"; echo "a complete list said it stopped"; exit 1; }
run 0 course list --patient P1
[ ! -s "$ERR" ] || { cat "$ERR"; echo "one patient's list said it stopped"; exit 1; }

run 2 session add --course_id K1 --session_no 1 --date 2025-02-27 --proliferant prp
err_has "date: 2025-02-27 is before the course's start_date 2025-03-01"
run 3 session add --course_id K9 --session_no 1 --date 2025-03-02
err_has "course_id: no course 'K9'"
run 2 session add --course_id K1 --date 2025-03-02 --proliferant prp \
	--injection "site=medial joint line,side=left,volume_ml=4,guidance=ultrasound" \
	--injection "site=pes anserine,side=left,volume_ml=900"
err_has "injection 2"
db_count "select count(*) from sessions" 0
run 0 session add --course_id K1 --date 2025-03-02 --proliferant prp --volume_ml 5 \
	--prp_platelets 1100 --prp_platelets_baseline 220 --prp_leukocytes 1 \
	--prp_leukocytes_baseline 6 --prp_activation none \
	--injection "site=medial joint line,side=left,volume_ml=4,guidance=ultrasound,lot=A17"
out_has "added session 1 of course K1 with 1 injection"
db_count "select status from courses where course_id = 'K1'" active
run 4 session add --course_id K1 --session_no 1 --date 2025-03-03
err_has "session_no: course 'K1' already has session 1"
run 0 --json session show K1 1
out_has '"prp_mishra": "3A"'
out_has '"lot": "A17"'
run 0 session add --course_id K1 --date 2025-03-23 --proliferant prp

run 2 outcome add --course_id K1 --date 2025-03-01 --instrument NRS --score 11
err_has "score: 11 is out of range"
run 2 outcome add --course_id K1 --date 2025-03-01 --instrument NRS --score 6.5
err_has "score:"
run 0 outcome add --course_id K1 --date 2025-03-01 --instrument NRS --score 7
run 4 outcome add --course_id K1 --date 2025-03-01 --instrument NRS --score 6
run 2 outcome add --course_id K1 --date 2025-03-01 --instrument ODI --items "1;2;3;4;5;6;0;1;2;3"
err_has "items: item 6"
run 0 --json outcome add --course_id K1 --date 2025-03-01 --instrument ODI --items "1;2;3;4;5;0;0;1;2;"
out_has '"score": 40'
run 2 outcome add --course_id K1 --date 2025-03-02 --instrument ODI --items "1;2;3;4;5;0;0;1;2;" --score 50
err_has "score: 50 does not match the item answers"
run 0 outcome list --course K1
out_has "ODI"

run 0 ae add --course_id K1 --date 2025-03-02 --kind soreness --duration_days 3 --grade 1 --session_no 1
run 0 --json ae add --course_id K1 --date 2025-03-03 --kind stiffness --duration_days 2 --grade 1
out_has '"seq": 2'
run 3 ae add --course_id K1 --date 2025-03-03 --kind soreness --session_no 7
err_has "session_no"
run 2 ae add --course_id K1 --date 2025-03-03 --kind soreness --grade 6
err_has "grade: 6 is out of range"
run 0 ae show K1 1
out_has "soreness"

run 2 course end K1 --status active
err_has "not an end state"
run 2 course end K1 --status dropped --date 2025-01-01
err_has "end_date"
run 0 course end K1 --status goal_reached --date 2025-04-01 --reason "pain gone"
run 4 course end K1 --status dropped
err_has "already ended"
run 4 session add --course_id K1 --date 2025-04-05
err_has "has ended"
run 0 course show K1
out_has "goal_reached"
out_has "pain gone"
out_has "planned"

# Every change and every read of a record from the command line is in the
# audit log, as the operating-system account that ran it, and the chain holds.
db_count "select count(*) from audit_log where user like 'cli:%' and action = 'patient.create' and record = 'patient:P1'" 1
db_count "select count(*) from audit_log where action = 'patient.read' and record = 'patient:P1'" 1
db_count "select count(*) from audit_log where action = 'session.create' and record = 'session:K1/1'" 1
db_count "select count(*) from audit_log where action = 'course.end' and record = 'course:K1'" 1
db_count "select count(*) from audit_log where action = 'patient.create' and record = 'patient:P2'" 0
run 0 audit verify
