#!/bin/sh
# The front desk over the API and the command line, on a fixed day
# (PROLO_TODAY): two drop-outs whose 3-month follow-up is a phone task;
# calls logged (bad input refused naming the field, nothing written; a
# call that reaches the patient settles the task), alerts snoozed and
# assigned (to colleagues of the clinic only), contact details set, the
# work list and the drop-outs; each role gets what the permission matrix
# gives (tests/api/frontdesk.json). The command line refuses the same
# input with the same field.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
export PROLO_TODAY=2026-03-02
api_setup_db
for n in 1 2; do
	name=$([ $n = 1 ] && echo Dora || echo Emil)
	run 0 patient add --patient_id "FD$n" --clinic C01 --sex female --birth_year 1970 --first_name "$name" --last_name Desk --phone "+41 79 000 1$n 1$n"
	run 0 course add --course_id "FD${n}K" --patient_id "FD$n" --modality dextrose --condition low_back_pain \
		--start_date 2025-12-01 --planned_sessions 3 --interval_days 14
	run 0 course end "FD${n}K" --status dropped --date 2025-12-20
done
umask 077
printf 'smtp_url = smtp://127.0.0.1:1\nfrom = clinic@example.org\nbase_url = http://127.0.0.1:1\n' >"$PROLO_DB-outreach.conf"
umask 022
run 0 outreach run --no-send
out_has "2 phone tasks"
api_start
LONG=$($PY -c 'print("x" * 1001)')
sed "s/\${long}/$LONG/" "$API_DIR/frontdesk.json" >"$T/frontdesk.json"
api_cases "$T/frontdesk.json" || exit 1

# The command line: the same rules, the same fields.
run 2 call add FD1K --result maybe --by "Front Desk"
err_has "result"
run 2 call add FD1K --result reached --by "Front Desk" --point-day 92
err_has "point_day"
run 2 call add FD1K --result reached --by "Front Desk" --alert nonsense
err_has "alert_key"
run 2 call add FD1K --result reached
err_has "--by"
run 3 call add NOPE --result reached --by "Front Desk"
err_has "course_id"
db_count "SELECT count(*) FROM call_log" 2
run 0 call add FD2K --result left_message --by "Front Desk" --note "voicemail" --point-day 91
out_has "logged on course FD2K: left_message"
run 0 call list --course FD2K
out_has "left_message  by Front Desk"
out_has "voicemail"
run 0 --json call list
out_has '"result":"reached"'
run 2 alerts snooze followup_unanswered:2026-03-02:FD2K --until 2026-03-01
err_has "until"
run 2 alerts snooze followup_unanswered:2026-03-02:FD2K --until soon
err_has "until"
run 2 alerts assign followup_unanswered:2026-03-02:FD2K --to res1
err_has "to"
run 0 alerts assign followup_unanswered:2026-03-02:FD2K --to staff1
run 0 alerts snooze followup_unanswered:2026-03-02:FD2K --until 2026-03-10
run 0 alerts --today 2026-03-05
out_lacks "FD2K"
run 0 alerts --today 2026-03-10
out_has "FD2K"
out_has "assigned to: staff1"
out_has "call: Emil Desk, +41 79 000 12 12"
api_stop || exit 1
echo "front desk: all checks passed"
