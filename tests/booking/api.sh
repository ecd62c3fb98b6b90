#!/bin/sh
# Bookings through the JSON API on a real server (the day fixed at
# 2026-03-20): the default of a new booking, conflicts and refusals naming
# the field with nothing written, other clinics' bookings unseen, moving
# across a daylight-saving change, the calendar download, cancelling, the
# session that keeps a booking, the clinics' zones (api_cases.json). The
# routes' roles are in tests/api/permissions.txt.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
API_DIR="$TOP/tests/api" # the client lives there
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-20
api_setup_db
run 0 booking zone C01 Europe/Berlin
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C02 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp
run 0 course add --course_id K2 --patient_id P2 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 6 --interval_days 21
run 0 session add --course_id K1 --session_no 1 --date 2026-03-09
api_start
api_cases "$TOP/tests/booking/api_cases.json" || exit 1
api_stop || exit 1
run 0 audit verify
for a in booking.create booking.move booking.cancel booking.attended booking.list schedule.export clinic.zone; do
	n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = '$a'")
	[ "$n" -gt 0 ] || { echo "no audit row $a" >&2; exit 1; }
done
exit 0
