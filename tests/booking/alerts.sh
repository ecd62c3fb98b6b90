#!/bin/sh
# The morning list follows the bookings: a booked session is not "due"
# before its day (it is booked), is due on its booking's date and overdue
# once that day passed without a session; a no-show makes the session
# overdue from the day missed, two in a row with no contact since make the
# course silent at once, one is silent after the protocol's silent days; a
# session recorded clears them. Then the report's drop-out analysis counts
# the no-shows per modality (text and JSON), and report.csv keeps its
# columns.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-16
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp
run 0 course add --course_id K2 --patient_id P2 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 2 --interval_days 21
run 0 session add --course_id K1 --session_no 1 --date 2026-03-02
run 0 session add --course_id K2 --session_no 1 --date 2026-03-02
run 0 outcome add --course_id K1 --date 2026-03-02 --instrument NRS --score 8
run 0 outcome add --course_id K2 --date 2026-03-02 --instrument NRS --score 7

# session_alerts DAY COURSE: "KIND DUE SESSION" of the course's session and
# silent alerts on the list of DAY, one per line, sorted.
session_alerts() {
	"$PROLO" --json alerts --today "$1" >"$T/al.json" || { echo "alerts --today $1 failed" >&2; exit 1; }
	/usr/bin/python3 - "$T/al.json" "$2" <<'PYEOF'
import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows['alerts'] if isinstance(rows, dict) else rows
out = sorted(f"{a['kind']} {a['due']} {a.get('session_no', '-')}" for a in rows
             if a['course_id'] == sys.argv[2] and a['kind'] in ('session_due', 'session_overdue', 'silent'))
print('|'.join(out))
PYEOF
}
expect() { # DAY COURSE WANT
	got=$(session_alerts "$1" "$2")
	[ "$got" = "$3" ] || { echo "alerts of $2 on $1: '$got', expected '$3'" >&2; cat "$T/al.json" >&2; exit 1; }
}

# Without a booking: due by the protocol (session 1 + 14 days, +/- 3).
expect 2026-03-16 K1 "session_due 2026-03-16 2"
run 0 booking add --course K1 --date 2026-03-25 --time 10:00
# booked: nothing to do until the day; due on it; overdue after it
expect 2026-03-16 K1 ""
expect 2026-03-24 K1 ""
expect 2026-03-25 K1 "session_due 2026-03-25 2"
grep -q "booked for today at 10:00" "$T/al.json" || { echo "no booked-for-today reason" >&2; exit 1; }
expect 2026-03-26 K1 "session_overdue 2026-03-25 2"
# the patient did not come
export PROLO_TODAY=2026-03-26
run 0 booking noshow 1
expect 2026-03-26 K1 "session_overdue 2026-03-25 2"
grep -q "did not come to the booking on 2026-03-25" "$T/al.json" || { echo "no no-show reason" >&2; exit 1; }
# booked again: the list follows the new booking
run 0 booking add --course K1 --date 2026-03-30 --time 09:00
expect 2026-03-27 K1 ""
expect 2026-03-30 K1 "session_due 2026-03-30 2"
# missed again: two in a row and no contact since: silent at once
export PROLO_TODAY=2026-03-30
run 0 booking noshow 2
expect 2026-03-30 K1 "silent 2026-03-30 -"
grep -q "Did not come to 2 bookings in a row (2026-03-25 to 2026-03-30)" "$T/al.json" || { echo "no silent reason" >&2; exit 1; }
# an acknowledged silence stays away until something new happens
run 0 alerts ack silent:2026-03-30:K1 --by nurse1 --today 2026-03-30
expect 2026-03-31 K1 ""
# a contact (the session recorded) ends it: due again by the protocol
export PROLO_TODAY=2026-04-01
run 0 session add --course_id K1 --date 2026-04-01
expect 2026-04-15 K1 "session_due 2026-04-15 3"

# One no-show is silent after the protocol's silent days (default 14).
export PROLO_TODAY=2026-03-23
run 0 booking add --course K2 --date 2026-03-23 --time 08:00
run 0 booking noshow 3
expect 2026-03-23 K2 "session_overdue 2026-03-23 2"
expect 2026-04-06 K2 "session_overdue 2026-03-23 2"
expect 2026-04-07 K2 "silent 2026-03-23 -"

# The report: K1 dropped after its two no-shows, K2 completed with one.
export PROLO_TODAY=2026-04-20
run 0 outcome add --course_id K1 --date 2026-04-01 --instrument NRS --score 6
run 0 course end K1 --status dropped --date 2026-04-20
run 0 session add --course_id K2 --date 2026-04-20
run 0 outcome add --course_id K2 --date 2026-04-20 --instrument NRS --score 2
run 0 course end K2 --status completed --date 2026-04-20
run 0 report
out_has "no-shows: 2 bookings missed by 1 courses, 1 of them drop-outs"
out_has "no-shows: 1 bookings missed by 1 courses, 0 of them drop-outs"
out_has "no-shows: 3 bookings missed by 2 courses, 1 of them drop-outs"
run 0 report --format json
/usr/bin/python3 - "$OUT" <<'PYEOF' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
mods = r['by_modality'] if 'by_modality' in r else r['modalities']
def find(name):
    if isinstance(mods, dict):
        return mods[name]
    return next(m for m in mods if m.get('modality') == name)
for name, want in (('dextrose', (2, 1, 1)), ('prp', (1, 1, 0)), ('ALL', (3, 2, 1))):
    d = find(name)['dropout']
    got = (d['no_shows'], d['courses_with_no_show'], d['dropped_with_no_show'])
    assert got == want, (name, got, want)
PYEOF
# report.csv keeps exactly the columns of REPORT.md (the same header as a
# registry without bookings)
run 0 report --format csv --out "$T/csv"
sqlite3 "$PROLO_DB" "DELETE FROM bookings"
run 0 report --format csv --out "$T/csv0"
cmp -s "$T/csv/report.csv" "$T/csv0/report.csv" || { echo "report.csv changed with bookings" >&2; exit 1; }
head -1 "$T/csv/report.csv" | grep -q show && { echo "report.csv has a no-show column" >&2; exit 1; }
exit 0
