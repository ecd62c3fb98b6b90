#!/bin/sh
# Bookings follow the record's life (command line): voiding a session puts
# the booking it kept back to booked (the morning list follows it again);
# amending a session's date moves its link to a booking of the new date;
# ending or voiding a course cancels its bookings of today or later (the
# calendar's SEQUENCE grows, a re-export cancels them); a merge moves the
# bookings with the courses, and its undo moves them back. Each is audited.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-09
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 patient add --patient_id P3 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp
run 0 course add --course_id K2 --patient_id P2 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 3 --interval_days 7
run 0 course add --course_id K3 --patient_id P3 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 4 --interval_days 7
run 0 session add --course_id K1 --session_no 1 --date 2026-03-02

# session_alerts DAY COURSE: "KIND DUE SESSION" of the course's session
# alerts on the list of DAY, sorted, joined by '|'.
expect() { # DAY COURSE WANT
	"$PROLO" --json alerts --today "$1" >"$T/al.json" || { echo "alerts --today $1 failed" >&2; exit 1; }
	got=$(/usr/bin/python3 - "$T/al.json" "$2" <<'PYEOF'
import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows['alerts'] if isinstance(rows, dict) else rows
print('|'.join(sorted(f"{a['kind']} {a['due']} {a.get('session_no', '-')}" for a in rows
                      if a['course_id'] == sys.argv[2] and a['kind'] in ('session_due', 'session_overdue'))))
PYEOF
)
	[ "$got" = "$3" ] || { echo "alerts of $2 on $1: '$got', expected '$3'" >&2; cat "$T/al.json" >&2; exit 1; }
}
booking() { # ID WANT: "status attended_session_no seq"
	db_count "SELECT status || ' ' || coalesce(attended_session_no, '-') || ' ' || seq FROM bookings WHERE id = $1" "$2"
}
audit_has() { # ACTION RECORD DETAIL-SUBSTRING
	n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = '$1' AND record = '$2' AND instr(detail, '$3') > 0")
	[ "$n" -ge 1 ] || { echo "no audit row $1 $2 '$3':" >&2; sqlite3 "$PROLO_DB" "SELECT action, record, detail FROM audit_log WHERE record LIKE 'booking:%'" >&2; exit 1; }
}

# ---- 1. voiding a session reopens the booking it kept -----------------------
run 0 booking add --course K1 --date 2026-03-16 --time 10:00
out_has "booking 1 booked: course K1 session 2 on 2026-03-16"
export PROLO_TODAY=2026-03-16
run 0 session add --course_id K1 --session_no 2 --date 2026-03-16
booking 1 "attended 2 0"
expect 2026-03-17 K1 ""
run 2 session void K1 2
err_has "reason"
booking 1 "attended 2 0"
run 0 session void K1 2 --reason "recorded for the wrong patient"
booking 1 "booked - 0"
audit_has booking.reopen booking:1 "session 2 voided"
# the morning list follows the booking again: due today, overdue tomorrow
expect 2026-03-16 K1 "session_due 2026-03-16 2"
expect 2026-03-17 K1 "session_overdue 2026-03-16 2"
run 0 --json booking list --course K1
grep -q '"attended_session_no": null' "$OUT" || { echo "the booking still names a session" >&2; cat "$OUT" >&2; exit 1; }
# the reopened booking is kept again by the session recorded for it
run 0 session add --course_id K1 --date 2026-03-16
booking 1 "attended 3 0"

# ---- amending a session's date moves its link ------------------------------
export PROLO_TODAY=2026-03-09
run 0 booking add --course K2 --session 1 --date 2026-03-09 --time 09:00
out_has "booking 2 booked"
run 0 booking add --course K2 --session 2 --date 2026-03-16 --time 09:00
out_has "booking 3 booked"
export PROLO_TODAY=2026-03-16
# typed as 03-16, it was the visit of 03-09: the booking of 03-16 keeps it first
run 0 session add --course_id K2 --session_no 1 --date 2026-03-16
booking 3 "attended 1 0"
booking 2 "booked - 0"
run 0 session amend K2 1 --date 2026-03-09 --reason "typing error"
booking 2 "attended 1 0"
booking 3 "booked - 0"
audit_has booking.reopen booking:3 "session 1 moved"
audit_has booking.attended booking:2 "session 1 moved to 2026-03-09"
expect 2026-03-16 K2 "session_due 2026-03-16 2"
# a date no booking is on: the session keeps its booking
run 0 session amend K2 1 --date 2026-03-10 --reason "typing error again"
booking 2 "attended 1 0"
booking 3 "booked - 0"

# ---- 2. ending a course cancels its bookings of today or later -------------
export PROLO_TODAY=2026-03-02
run 0 booking add --course K3 --session 1 --date 2026-03-09 --time 08:00
out_has "booking 4 booked"
run 0 booking add --course K3 --session 2 --date 2026-03-16 --time 08:00
out_has "booking 5 booked"
run 0 booking add --course K3 --session 3 --date 2026-03-23 --time 08:00
out_has "booking 6 booked"
run 0 booking move 6 --time 08:30
booking 6 "booked - 1"
export PROLO_TODAY=2026-03-16
run 0 schedule export --ics "$T/before.ics" --course K3
run 0 course end K3 --status dropped --reason "moved away"
# the missed one of 03-09 stays as it was (keep it or mark it missed)
booking 4 "booked - 0"
booking 5 "cancelled - 1"
booking 6 "cancelled - 2"
audit_has booking.cancel booking:5 "course ended"
audit_has booking.cancel booking:6 "course ended"
run 0 schedule export --ics "$T/after.ics" --course K3
/usr/bin/python3 - "$T/before.ics" "$T/after.ics" <<'PYEOF' || exit 1
import sys
def events(path):
    text = open(path, newline='').read().replace('\r\n ', '')
    out = {}
    for block in text.split('BEGIN:VEVENT')[1:]:
        f = dict(l.split(':', 1) for l in block.split('\r\n') if ':' in l)
        out[f['UID']] = (f.get('STATUS'), int(f.get('SEQUENCE', '0')))
    return out
before, after = events(sys.argv[1]), events(sys.argv[2])
for b, seq in (('K3-booking-5@prolo', 1), ('K3-booking-6@prolo', 2)):
    assert before[b][0] == 'CONFIRMED', before[b]
    assert after[b] == ('CANCELLED', seq), (b, after.get(b))
    assert after[b][1] > before[b][1]
PYEOF
run 4 booking add --course K3 --date 2026-03-30 --time 08:00
err_has "course_id: course K3 has ended"

# A voided course's bookings of today or later are cancelled as well; a
# voided course takes no bookings.
run 0 patient add --patient_id P4 --clinic C01 --sex female
run 0 course add --course_id K4 --patient_id P4 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 3 --interval_days 7
run 0 booking add --course K4 --session 1 --date 2026-03-20 --time 08:00
out_has "booking 7 booked"
run 0 schedule export --ics "$T/clinic-before.ics"
run 0 course void K4 --reason "entered for the wrong patient"
booking 7 "cancelled - 1"
audit_has booking.cancel booking:7 "course voided"
# The clinic's calendar sends it out cancelled (a voided course's other
# events are not read again), one SEQUENCE above what it said before.
run 0 schedule export --ics "$T/clinic-after.ics"
/usr/bin/python3 - "$T/clinic-before.ics" "$T/clinic-after.ics" <<'PYEOF' || exit 1
import sys
def events(path):
    text = open(path, newline='').read().replace('\r\n ', '')
    out = {}
    for block in text.split('BEGIN:VEVENT')[1:]:
        f = dict(l.split(':', 1) for l in block.split('\r\n') if ':' in l)
        out[f['UID']] = (f.get('STATUS'), int(f.get('SEQUENCE', '0')), f.get('SUMMARY', ''))
    return out
before, after = events(sys.argv[1]), events(sys.argv[2])
b = 'K4-booking-7@prolo'
assert before[b][:2] == ('CONFIRMED', 0), before.get(b)
assert after[b][:2] == ('CANCELLED', 2), after.get(b)
assert 'entered in error' in after[b][2], after[b]
# the other courses' events are as they were
for uid, ev in before.items():
    if not uid.startswith('K4-'):
        assert after.get(uid) == ev, (uid, ev, after.get(uid))
PYEOF
run 4 booking add --course K4 --date 2026-03-27 --time 08:00
err_has "course_id: course 'K4' was voided"

# ---- a merge moves the bookings with the courses ---------------------------
run 0 patient add --patient_id P5 --clinic C01 --sex female --first_name Ann --last_name Lee --birth_year 1970
run 0 patient add --patient_id P6 --clinic C01 --sex female --first_name Ann --last_name Lee --birth_year 1970 --confirm
run 0 course add --course_id K6 --patient_id P6 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 3 --interval_days 7
run 0 booking add --course K6 --session 1 --date 2026-03-20 --time 11:00
out_has "booking 8 booked"
run 0 patient merge P5 P6 --reason "registered twice"
run 0 --json booking list --course K6
grep -q '"patient_id": "P5"' "$OUT" || { echo "the booking did not move with its course" >&2; cat "$OUT" >&2; exit 1; }
# the survivor's other bookings count for conflicts now
run 0 course add --course_id K5 --patient_id P5 --modality dextrose --condition knee_oa --start_date 2026-03-02 --planned_sessions 3 --interval_days 7
run 4 booking add --course K5 --session 1 --date 2026-03-20 --time 11:15
err_has "time: patient P5 is booked already at 11:00 on 2026-03-20"
run 0 patient unmerge P6 --reason "two people after all"
run 0 --json booking list --course K6
grep -q '"patient_id": "P6"' "$OUT" || { echo "the booking did not go back with its course" >&2; cat "$OUT" >&2; exit 1; }
run 0 booking add --course K5 --session 1 --date 2026-03-20 --time 11:15

# A course ended afterwards with an earlier end date: a booking between its
# end and today cannot have been kept, so it is cancelled too (and so is
# not a no-show); one before the end stays for the front desk.
export PROLO_TODAY=2026-03-02
run 0 patient add --patient_id P9 --clinic C01 --sex female
run 0 course add --course_id K9 --patient_id P9 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 3 --interval_days 7
run 0 booking add --course K9 --session 1 --date 2026-03-02 --time 10:00
b_before=$(sqlite3 "$PROLO_DB" "SELECT max(id) FROM bookings")
run 0 booking add --course K9 --session 2 --date 2026-03-09 --time 10:00
b_after=$(sqlite3 "$PROLO_DB" "SELECT max(id) FROM bookings")
export PROLO_TODAY=2026-03-16
run 0 course end K9 --status dropped --date 2026-03-03 --reason "stopped coming"
booking "$b_before" "booked - 0"
booking "$b_after" "cancelled - 1"
audit_has booking.cancel "booking:$b_after" "course ended"
run 4 booking noshow "$b_after"

run 0 audit verify
exit 0
