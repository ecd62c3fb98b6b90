#!/bin/sh
# Bookings follow the record's life through the JSON API as on the command
# line (tests/booking/life.sh): a session voided by POST .../void puts the
# booking it kept back to booked; a session's date amended by PATCH moves
# the link to the booking of the new day; a course ended by POST
# /api/courses/{id}/end or voided cancels its bookings of today or later
# (SEQUENCE one more); a merge moves the bookings with the courses.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
API_DIR="$TOP/tests/api" # the client lives there
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-09
api_setup_db
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp
run 0 course add --course_id K2 --patient_id P2 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 4 --interval_days 7
run 0 course add --course_id K3 --patient_id P2 --modality dextrose --condition low_back_pain --start_date 2026-03-02 --planned_sessions 4 --interval_days 7
run 0 booking add --course K1 --session 1 --date 2026-03-09 --time 09:00
run 0 booking add --course K1 --session 2 --date 2026-03-16 --time 09:00
run 0 booking add --course K2 --session 1 --date 2026-03-16 --time 10:00
run 0 booking add --course K2 --session 2 --date 2026-03-23 --time 10:00
run 0 booking add --course K3 --session 1 --date 2026-03-17 --time 10:00
export PROLO_TODAY=2026-03-16
api_start
cat >"$T/life.json" <<'JSON'
[
 {"name": "the visit typed as today's keeps today's booking", "as": "clin1", "method": "POST", "path": "/api/sessions", "body": {"course_id": "K1", "session_no": 1, "date": "2026-03-16"}, "status": 201,
  "db": {"sql": "SELECT group_concat(id || ' ' || status || ' ' || coalesce(attended_session_no, '-'), '|') FROM bookings WHERE id IN (1, 2)", "equals": "1 booked -|2 attended 1"}},
 {"name": "amended to the day it was: the booking of that day keeps it, today's is booked again", "as": "clin1", "method": "PATCH", "path": "/api/sessions/K1/1", "body": {"date": "2026-03-09", "reason": "typing error"}, "status": 200,
  "db": {"sql": "SELECT group_concat(id || ' ' || status || ' ' || coalesce(attended_session_no, '-'), '|') FROM bookings WHERE id IN (1, 2)", "equals": "1 attended 1|2 booked -"}},
 {"name": "the session of K2", "as": "clin1", "method": "POST", "path": "/api/sessions", "body": {"course_id": "K2", "session_no": 1, "date": "2026-03-16"}, "status": 201,
  "db": {"sql": "SELECT status || ' ' || attended_session_no FROM bookings WHERE id = 3", "equals": "attended 1"}},
 {"name": "voided: its booking is booked again", "as": "clin1", "method": "POST", "path": "/api/sessions/K2/1/void", "body": {"reason": "recorded for the wrong patient"}, "status": 200,
  "db": {"sql": "SELECT status || ' ' || coalesce(attended_session_no, '-') || ' ' || seq FROM bookings WHERE id = 3", "equals": "booked - 0"}},
 {"name": "the list says so", "as": "staff1", "method": "GET", "path": "/api/bookings?course_id=K2", "status": 200,
  "expect": {"bookings": [{"id": 3, "status": "booked", "attended_session_no": null}, {"id": 4, "status": "booked"}]}},
 {"name": "the morning list follows the booking again", "as": "staff1", "method": "GET", "path": "/api/alerts", "status": 200, "has": ["session_due"]},
 {"name": "K2 ends: its bookings of today and later are cancelled", "as": "clin1", "method": "POST", "path": "/api/courses/K2/end", "body": {"status": "dropped", "reason": "moved away"}, "status": 200,
  "db": {"sql": "SELECT group_concat(id || ' ' || status || ' ' || seq, '|') FROM bookings WHERE id IN (3, 4)", "equals": "3 cancelled 1|4 cancelled 1"}},
 {"name": "the calendar cancels them", "as": "staff1", "method": "GET", "path": "/api/schedule.ics?course_id=K2", "status": 200, "has": ["UID:K2-booking-4@prolo", "STATUS:CANCELLED", "SEQUENCE:1"]},
 {"name": "an ended course takes no booking", "as": "staff1", "method": "POST", "path": "/api/bookings", "body": {"course_id": "K2", "date": "2026-03-30", "time": "10:00"}, "status": 409, "expect": {"error": {"field": "course_id"}}},
 {"name": "K3 voided: its booking to come is cancelled", "as": "staff1", "method": "POST", "path": "/api/courses/K3/void", "body": {"reason": "entered in error"}, "status": 200,
  "db": {"sql": "SELECT status || ' ' || seq FROM bookings WHERE id = 5", "equals": "cancelled 1"}},
 {"name": "a voided course takes no booking", "as": "staff1", "method": "POST", "path": "/api/bookings", "body": {"course_id": "K3", "date": "2026-03-30", "time": "10:00"}, "status": 409, "expect": {"error": {"field": "course_id"}}},
 {"name": "P1 registered twice as P9", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "P9", "sex": "female"}, "status": 201},
 {"name": "P1 merged into P9", "as": "staff1", "method": "POST", "path": "/api/patients/P9/merge", "body": {"merged": "P1", "reason": "registered twice"}, "status": 200},
 {"name": "the bookings moved with the course", "as": "staff1", "method": "GET", "path": "/api/bookings?course_id=K1", "status": 200,
  "expect": {"bookings": [{"id": 1, "patient_id": "P9"}, {"id": 2, "patient_id": "P9"}]}}
]
JSON
api_cases "$T/life.json" || exit 1
api_stop || exit 1
for a in booking.reopen booking.cancel booking.attended; do
	n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = '$a' AND user = 'clin1'")
	[ "$n" -gt 0 ] || { echo "no audit row $a by clin1" >&2; exit 1; }
done
run 0 audit verify
exit 0
