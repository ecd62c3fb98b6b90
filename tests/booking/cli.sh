#!/bin/sh
# prolo booking from the command line: booking a course's next session (the
# default date from the protocol's interval), the rules (a day before today
# refused, a session recorded or booked already, one patient twice at
# overlapping times refused naming the field, the registry unchanged), the
# front desk's day and week, moving, cancelling and missing a booking, a
# session recorded for a booking keeps it, and the clinic's zone across
# Europe/Berlin's daylight-saving changes of 2026 (the local time is kept,
# the UTC instant shifts; a time the clocks skip is refused).
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-20
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp
run 0 course add --course_id K2 --patient_id P1 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 3 --interval_days 21
run 0 course add --course_id K3 --patient_id P2 --modality dextrose --condition knee_oa --start_date 2026-03-02 --planned_sessions 3
run 0 session add --course_id K1 --session_no 1 --date 2026-03-09
run 0 booking zone C01
out_has "clinic C01: bookings in UTC"
run 0 booking zone C01 Europe/Berlin
out_has "clinic C01: bookings in Europe/Berlin"
run 2 booking zone C01 Mars/Olympus
err_has "tz:"
run 2 booking zone C01 ../../etc/passwd
db_count "SELECT tz FROM clinics WHERE code = 'C01'" "Europe/Berlin"

# The default: session 2, the protocol's 14 days after session 1 (2026-03-23).
run 0 --json booking add --course K1 --time 10:30
cat "$OUT" >"$T/b1.json"
/usr/bin/python3 - "$T/b1.json" <<'PYEOF' || exit 1
import json, sys
b = json.load(open(sys.argv[1]))['booking']
assert (b['id'], b['session_no'], b['date'], b['time'], b['minutes'], b['tz']) == \
    (1, 2, '2026-03-23', '10:30', 30, 'Europe/Berlin'), b
assert b['start'] == '2026-03-23T09:30:00Z', b          # CET, UTC+1
assert b['status'] == 'booked' and b['sequence'] == 0 and b['uid'] == 'K1-booking-1@prolo', b
PYEOF
# the next default follows the booking: session 3, 14 days after it
run 0 booking add --course K1 --time 09:00
out_has "booking 2 booked: course K1 session 3 on 2026-04-06 at 09:00 (Europe/Berlin), 30 minutes"
# a course without any interval needs a date
run 0 booking add --course K3 --time 08:00 --date 2026-03-23
out_has "booking 3 booked: course K3 session 1"
run 2 booking add --course K3 --time 08:00
err_has "date: is required"

# Refusals name the field and leave the registry as it was.
before=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM bookings")
run 2 booking add --course K2 --time 10:00 --date 2026-03-19
err_has "date: is before today"
run 2 booking add --course K2 --date 2026-03-24
err_has "time"
run 2 booking add --course K2 --time 25:00 --date 2026-03-24
err_has "time:"
run 2 booking add --course K2 --time 10:00 --date 2026-03-24 --minutes 2
err_has "minutes: must be a whole number of minutes, 5..480"
run 2 booking add --course K2 --time 10:00 --date 2026-03-24 --minutes 0
err_has "minutes: must be a whole number of minutes, 5..480"
run 2 booking add --course K2 --time 10:00 --date 2026-03-24 --session 10001
err_has "session_no: must be a session number, 1..10000"
run 2 booking add --course K2 --time 10:00 --date 2026-03-24 --session 99999999999
err_has "session_no: must be a whole number of at most 9 digits"
run 2 booking add --course K2 --time 10:00 --date 2026-03-24 --minutes 1e30
err_has "minutes: must be a whole number of at most 9 digits"
run 2 booking add --course K1 --time 10:00 --date 2026-03-24 --session 1
err_has "session_no: session 1 of course K1 is recorded already"
run 4 booking add --course K1 --time 10:00 --date 2026-03-24 --session 2
err_has "session_no: session 2 of course K1 is booked already (booking 1)"
# the same patient, another course, an overlapping time: refused, field time
run 4 booking add --course K2 --time 10:45 --date 2026-03-23
err_has "time: patient P1 is booked already at 10:30 on 2026-03-23 for 30 minutes (booking 1, course K1)"
run 4 booking add --course K2 --time 10:15 --date 2026-03-23 --minutes 20
err_has "time:"
run 3 booking add --course NOPE --time 10:00 --date 2026-03-24
err_has "course_id"
db_count "SELECT count(*) FROM bookings" "$before"
# back to back is no overlap; another patient at the same time is fine
run 0 booking add --course K2 --time 11:00 --date 2026-03-23
out_has "booking 4 booked: course K2 session 1"
run 0 booking add --course K3 --time 10:30 --date 2026-03-24 --session 2
out_has "booking 5 booked"

# The front desk's day and week.
run 0 booking day 2026-03-23
out_has "Monday 2026-03-23"
out_has "10:30  30 min  patient P1         course K1         session 2   booked"
out_has "11:00  30 min  patient P1         course K2         session 1   booked"
out_lacks "2026-03-24"
run 0 booking week 2026-03-25
out_has "Monday 2026-03-23"
out_has "Tuesday 2026-03-24"
out_lacks "2026-04-06"
run 0 --json booking week 2026-04-08
n=$(/usr/bin/python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['bookings']))" "$OUT")
[ "$n" = 1 ] || { echo "week of 2026-04-06 has $n bookings" >&2; exit 1; }
run 0 booking list --course K1
out_has "2026-03-23 10:30"
out_has "2026-04-06 09:00"
run 2 booking list --status maybe

# Moving keeps the booking (and its calendar UID), counts the change.
run 0 booking move 2 --date 2026-04-07 --time 09:15
out_has "booking 2 moved: course K1 session 3 on 2026-04-07 at 09:15"
db_count "SELECT seq || ' ' || date || ' ' || minute FROM bookings WHERE id = 2" "1 2026-04-07 555"
run 4 booking move 4 --time 10:40
err_has "time: patient P1 is booked already at 10:30"
db_count "SELECT seq || ' ' || minute FROM bookings WHERE id = 4" "0 660"
run 3 booking move 99 --time 10:00
err_has "id: no booking 99"
# a no-show is for a day that has come
run 2 booking noshow 1
err_has "date: booking 1 is for 2026-03-23, after today"

# Later: the day of booking 1 is past; it can only be kept or missed.
export PROLO_TODAY=2026-03-24
run 2 booking move 1 --date 2026-03-30
err_has "date: booking 1 was for 2026-03-23, before today: it can only be kept"
run 2 booking cancel 1
err_has "date: booking 1 was for 2026-03-23"
# a session recorded on the booked day keeps the booking
run 0 session add --course_id K1 --date 2026-03-23
db_count "SELECT status || ' ' || attended_session_no FROM bookings WHERE id = 1" "attended 2"
run 4 booking noshow 1
err_has "status: booking 1 is attended, not booked"
run 0 booking noshow 4
out_has "booking 4 marked a no-show"
db_count "SELECT status FROM bookings WHERE id = 4" "no_show"
run 0 booking cancel 5
out_has "booking 5 cancelled"
db_count "SELECT status || ' ' || seq FROM bookings WHERE id = 5" "cancelled 1"
run 4 booking move 5 --time 12:00
err_has "status: booking 5 is cancelled"
# the freed slot takes another booking
run 0 booking add --course K3 --time 10:30 --date 2026-03-24 --session 2
out_has "booking 6 booked"

# Daylight saving in Europe/Berlin: clocks go forward on 2026-03-29 at
# 02:00 and back on 2026-10-25 at 03:00.
run 0 booking add --course K2 --session 2 --date 2026-03-27 --time 10:30
out_has "booking 7 booked"
db_count "SELECT datetime(utc, 'unixepoch') FROM bookings WHERE id = 7" "2026-03-27 09:30:00"
run 0 booking move 7 --date 2026-03-30
db_count "SELECT date || ' ' || minute || ' ' || datetime(utc, 'unixepoch') FROM bookings WHERE id = 7" "2026-03-30 630 2026-03-30 08:30:00"
run 2 booking move 7 --date 2026-03-29 --time 02:30
err_has "time: 02:30 does not exist on 2026-03-29 in Europe/Berlin"
db_count "SELECT date || ' ' || minute FROM bookings WHERE id = 7" "2026-03-30 630"
run 0 booking move 7 --date 2026-03-29 --time 03:00
db_count "SELECT datetime(utc, 'unixepoch') FROM bookings WHERE id = 7" "2026-03-29 01:00:00"
# 02:30 on 2026-10-25 happens twice: the first (summer time) is booked
run 0 booking move 7 --date 2026-10-25 --time 02:30
db_count "SELECT datetime(utc, 'unixepoch') FROM bookings WHERE id = 7" "2026-10-25 00:30:00"
run 0 booking move 7 --date 2026-10-26 --time 02:30
db_count "SELECT datetime(utc, 'unixepoch') FROM bookings WHERE id = 7" "2026-10-26 01:30:00"
run 0 --json booking list --course K2 --status booked
grep -q '"start": "2026-10-26T01:30:00Z"' "$OUT" || { echo "start not in UTC" >&2; cat "$OUT" >&2; exit 1; }
grep -q '"time": "02:30"' "$OUT" || { echo "local time not kept" >&2; exit 1; }
db_count "SELECT seq FROM bookings WHERE id = 7" "4"

# An ended course takes no booking; every action is in the audit log.
run 0 course end K3 --status dropped --date 2026-03-24
run 4 booking add --course K3 --time 15:00 --date 2026-03-30
err_has "course_id: course K3 has ended"
for a in booking.create booking.move booking.cancel booking.no_show booking.attended booking.list clinic.zone; do
	n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = '$a'")
	[ "$n" -gt 0 ] || { echo "no audit row $a" >&2; exit 1; }
done
db_count "SELECT record FROM audit_log WHERE action = 'booking.no_show'" "booking:4"
run 0 audit verify

# A registry that has a later migration (10) but not 9 (made while 9 was
# reserved) gets 9 when it is opened.
export PROLO_DB="$T/late.db"
run 0 init
sqlite3 "$PROLO_DB" "DROP TABLE bookings; ALTER TABLE clinics DROP COLUMN tz; DELETE FROM schema_migrations WHERE version = 9"
later=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM schema_migrations WHERE version > 9")
[ "$later" -ge 1 ] || { echo "no migration after 9 to test with" >&2; exit 1; }
run 0 booking list
out_has "no bookings"
db_count "SELECT count(*) FROM schema_migrations WHERE version = 9" "1"
db_count "SELECT count(*) FROM pragma_table_info('clinics') WHERE name = 'tz'" "1"
exit 0
