#!/bin/sh
# The morning list with a fixed --today: one course per alert kind, the
# comparables of slow progress, acknowledgement and "something new" bringing
# an alert back. Uses the shipped protocol dextrose-lbp (every 14 days +/- 3;
# NRS ODI at 0d 12w 26w 52w, NRS at 6w; silent after 14 days; review: 30 %
# lower after 3 sessions).
. "$TOP/tests/lib/cli.sh"
PY=/usr/bin/python3
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
run 0 init
pat() { run 0 patient add --patient_id "$1" --clinic C01 --sex female; }
course() { run 0 course add --course_id "$1" --patient_id "$2" --start_date "$3" --protocol dextrose-lbp; }
sess() { run 0 session add --course_id "$1" --session_no "$2" --date "$3"; }
nrs() { run 0 outcome add --course_id "$1" --date "$2" --instrument NRS --score "$3"; }
odi() { run 0 outcome add --course_id "$1" --date "$2" --instrument ODI --score 40; }

# session_due: session 2 due today
pat P1; course DUE P1 2024-05-20; sess DUE 1 2024-05-20; nrs DUE 2024-05-20 6; odi DUE 2024-05-20
# session_overdue: session 2 was due 14 days ago (silent only after that)
pat P2; course OVER P2 2024-05-06; sess OVER 1 2024-05-06; nrs OVER 2024-05-06 6; odi OVER 2024-05-06
# questionnaire_due: the 6-week NRS (due 2024-05-27) is missing
pat P3; course QUEST P3 2024-04-15
for s in 1:2024-04-15 2:2024-04-29 3:2024-05-13 4:2024-05-27; do sess QUEST "${s%%:*}" "${s#*:}"; done
nrs QUEST 2024-04-15 6; odi QUEST 2024-04-15; nrs QUEST 2024-04-29 2
# silent: session 3 was due 2024-03-29, no contact since 2024-03-15
pat P4; course SILENT P4 2024-03-01; sess SILENT 1 2024-03-01; sess SILENT 2 2024-03-15
nrs SILENT 2024-03-01 7; odi SILENT 2024-03-01
# slow_progress: 8 -> 7 after 3 sessions
pat P5; course SLOW P5 2024-05-06
for s in 1:2024-05-06 2:2024-05-20 3:2024-06-03; do sess SLOW "${s%%:*}" "${s#*:}"; done
nrs SLOW 2024-05-06 8; odi SLOW 2024-05-06; nrs SLOW 2024-06-03 7
# ... and three finished courses of the same clinic: two as slow (one of
# which responded in the end), one fast
for k in 6:7:3 7:7:7 8:4:2; do
	id=${k%%:*}; rest=${k#*:}; mid=${rest%%:*}; last=${rest#*:}
	pat "P$id"; course "K$id" "P$id" 2022-01-03
	for s in 1:2022-01-03 2:2022-01-17 3:2022-01-31 4:2022-02-14; do sess "K$id" "${s%%:*}" "${s#*:}"; done
	nrs "K$id" 2022-01-03 8; nrs "K$id" 2022-01-31 "$mid"; nrs "K$id" 2022-03-01 "$last"
	run 0 course end "K$id" --status completed --date 2022-03-01
done
# side effects: prolonged soreness, an infection, a serious event
pat P9; course AE P9 2024-05-27; sess AE 1 2024-05-27; nrs AE 2024-05-27 5; odi AE 2024-05-27
run 0 ae add --course_id AE --date 2024-05-27 --kind vasovagal --grade 2 --seriousness hospitalisation --session_no 1
run 0 ae add --course_id AE --date 2024-05-28 --kind soreness --duration_days 6 --grade 1 --session_no 1
run 0 ae add --course_id AE --date 2024-05-28 --kind stiffness --duration_days 3 --grade 1 --session_no 1
run 0 ae add --course_id AE --date 2024-05-30 --kind infection --grade 2 --session_no 1

run 0 --json alerts --today 2024-06-03
cp "$OUT" "$T/alerts.json"
$PY - "$T/alerts.json" <<'PYEOF' || exit 1
import json, sys
a = json.load(open(sys.argv[1]))
keys = [x["key"] for x in a]
want = [
    "serious_adverse_event:2024-05-27:AE",  # urgent first, by date
    "infection:2024-05-30:AE",
    "silent:2024-03-29:SILENT",
    "session_overdue:2024-05-20:OVER",
    "questionnaire_due:2024-05-27:QUEST",
    "prolonged_side_effect:2024-05-28:AE",
    "session_due:2024-06-03:DUE",
    "slow_progress:2024-06-03:SLOW",
]
assert sorted(keys) == sorted(want), keys
assert keys[:2] == want[:2], keys
for x in a:
    for f in ("kind", "patient_id", "course_id", "due", "reason", "key", "urgent", "clinic"):
        assert f in x, (f, x)
    assert x["key"].startswith(x["kind"] + ":" + x["due"] + ":" + x["course_id"]), x
    assert x["urgent"] == (x["kind"] in ("infection", "serious_adverse_event")), x
    assert len(x["reason"]) > 30 and x["reason"][0].isupper(), x
k = {x["kind"]: x for x in a}
assert set(k) == {"session_due", "session_overdue", "questionnaire_due", "silent", "slow_progress",
                  "prolonged_side_effect", "infection", "serious_adverse_event"}
assert k["session_due"]["session_no"] == 2 and k["session_due"]["patient_id"] == "P1"
assert k["session_overdue"]["session_no"] == 2 and "14 days late" in k["session_overdue"]["reason"]
assert k["questionnaire_due"]["instruments"] == ["NRS"], k["questionnaire_due"]
assert "No contact since 2024-03-15" in k["silent"]["reason"]
assert k["slow_progress"]["comparable"] == {"slow": 2, "responded": 1}, k["slow_progress"]
assert "Pain 8 -> 7 (12 % lower) after 3 sessions" in k["slow_progress"]["reason"], k["slow_progress"]
assert "Of 2 finished dextrose courses" in k["slow_progress"]["reason"]
assert "lasted 6 days" in k["prolonged_side_effect"]["reason"]
PYEOF

# human output names every alert with its key
run 0 alerts --today 2024-06-03
out_has "8 alerts for 2024-06-03"
out_has "URGENT infection  patient P9  course AE"
out_has "key: session_due:2024-06-03:DUE"
# another clinic sees nothing
run 0 alerts --today 2024-06-03 --clinic C02
out_has "no alerts for 2024-06-03"

# acknowledgement
run 2 alerts ack session_due:2024-06-03:DUE
err_has "--by NAME is required"
run 2 alerts ack not-a-key --by "Nurse Ann"
err_has "key"
run 3 alerts ack session_due:2024-06-03:NOPE --by "Nurse Ann" --today 2024-06-03
# only an alert raised on the day can be acknowledged: not the overdue one
# of the same session before it is overdue, not a session due later, not
# on a day after today
run 3 alerts ack session_overdue:2024-06-03:DUE --by "Nurse Ann" --today 2024-06-03
err_has "key"
run 3 alerts ack session_due:2024-07-01:DUE --by "Nurse Ann" --today 2024-06-03
run 3 alerts ack session_due:2024-06-03:DUE --by "Nurse Ann" --today 2024-05-01
run 2 alerts ack session_due:2024-06-03:DUE --by "Nurse Ann" --today 2999-01-01
err_has "today"
db_count "SELECT count(*) FROM alert_acks" 0
run 0 alerts ack session_due:2024-06-03:DUE --by "Nurse Ann" --note "booked for 14:00" --today 2024-06-03
out_has "acknowledged session_due:2024-06-03:DUE"
run 4 alerts ack session_due:2024-06-03:DUE --by "Nurse Bo" --today 2024-06-03
err_has "already acknowledged by Nurse Ann"
db_count "SELECT count(*) FROM alert_acks WHERE acked_by = 'Nurse Ann' AND note = 'booked for 14:00'" 1
run 0 alerts ack infection:2024-05-30:AE --by "Dr C" --today 2024-06-03
run 0 --json alerts --today 2024-06-03
$PY -c "import json,sys; k=[x['key'] for x in json.load(open('$OUT'))]; assert len(k)==6 and 'session_due:2024-06-03:DUE' not in k and 'infection:2024-05-30:AE' not in k, k" || exit 1
# something new: four days on the session is overdue, a new key
run 0 --json alerts --today 2024-06-07
$PY -c "import json,sys; k=[x['key'] for x in json.load(open('$OUT'))]; assert 'session_overdue:2024-06-03:DUE' in k, k" || exit 1
run 0 alerts ack session_overdue:2024-06-03:DUE --by "Nurse Ann" --today 2024-06-07
# the infection stays acknowledged; a new infection is a new alert
run 0 ae add --course_id AE --date 2024-06-05 --kind infection --grade 3 --session_no 1
run 0 --json alerts --today 2024-06-07
$PY -c "import json,sys; k=[x['key'] for x in json.load(open('$OUT'))]; assert 'infection:2024-06-05:AE' in k and 'infection:2024-05-30:AE' not in k, k" || exit 1
# bad --today
run 2 alerts --today 2024-02-30
err_has "--today"
exit 0
