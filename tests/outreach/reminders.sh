#!/bin/sh
# Reminders end to end, the date moved with PROLO_TODAY: the invitation on
# the due day, nothing new before the 3rd day, the first reminder on day 3,
# the second on day 7 (each with fresh links, "Reminder:" in the subject),
# then, 3 days after the last reminder, the followup_unanswered phone task
# on the morning list (prolo alerts) and no further message. A patient who
# answers after the first reminder gets no second one.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

api_setup_db
smtp_start
api_start --no-outbox
write_conf "$SMTP_PORT"
D0=$TODAY
day() { date -d "$D0 + $1 days" +%Y-%m-%d; }
pass() { PROLO_TODAY=$(day "$1") run 0 outreach run; }
newpat P1 Anna anna@example.org
newpat P2 Bert bert@example.org

pass 0
out_has "2 queued, 2 accepted"
[ "$(received)" = 2 ] || fail "invitations: $(received)"
run 0 alerts
out_lacks "followup_unanswered"
for d in 1 2; do pass $d; out_has "0 queued, 0 accepted"; done
PROLO_TODAY=$(day 2) run 0 followup show KP1
out_has "invited"

# Day 3: the first reminder to both.
pass 3
out_has "2 queued, 2 accepted"
[ "$(received)" = 4 ] || fail "first reminders: $(received)"
grep -l "^Subject: Reminder: " "$MAIL"/*.eml | wc -l | grep -qx 2 || fail "reminders lack their subject"
PROLO_TODAY=$(day 3) run 0 followup show KP1
out_has "reminded"
# Fresh links: the reminder's differ from the invitation's.
inv=$(grep -l "To: <anna@example.org>" "$MAIL"/*.eml | head -1)
rem=$(grep -l "To: <anna@example.org>" "$MAIL"/*.eml | tail -1)
[ "$inv" != "$rem" ] || fail "one message for Anna"
[ "$(grep -o '/q/[0-9a-f]*' "$inv" | sort | head -1)" != "$(grep -o '/q/[0-9a-f]*' "$rem" | sort | head -1)" ] ||
	fail "the reminder repeats the invitation's links"

# Bert answers through the reminder's links (dated day 4).
brem=$(grep -l "To: <bert@example.org>" "$MAIL"/*.eml | tail -1)
for url in $(grep -o "http://127.0.0.1:$PORT/q/[0-9a-f]*" "$brem" | sort -u); do
	$PY - "$PORT" "${url##*/}" <<'EOP' || fail "answering"
import http.client, json, sys
port, tok = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.request("GET", "/api/q/" + tok)
r = c.getresponse(); d = json.loads(r.read())
assert r.status == 200, (r.status, d)
c.request("POST", "/api/q/" + tok, json.dumps({"items": [1] * len(d["items"])}),
          {"Content-Type": "application/json", "Origin": "http://127.0.0.1:%d" % port})
r = c.getresponse(); b = r.read()
assert r.status == 201, (r.status, b)
EOP
done

for d in 4 5 6; do pass $d; out_has "0 queued, 0 accepted"; done
# Day 7: the second reminder, to Anna only.
pass 7
out_has "1 queued, 1 accepted"
[ "$(received)" = 5 ] || fail "second reminder: $(received)"
last=$(ls "$MAIL"/*.eml | sort | tail -1)
grep -q "To: <anna@example.org>" "$last" || fail "the second reminder went to the wrong patient"
# Days 8 and 9: nothing; day 10 (3 days after the last reminder): the task.
for d in 8 9; do pass $d; out_has "0 queued, 0 accepted, 0 temporary failures, 0 permanent failures, 0 unknown, 0 cancelled, 0 phone tasks"; done
PROLO_TODAY=$(day 9) run 0 alerts
out_lacks "followup_unanswered"
pass 10
out_has "0 queued, 0 accepted"
out_has "1 phone tasks"
PROLO_TODAY=$(day 10) run 0 alerts
out_has "followup_unanswered"
out_has "KP1"
out_has "not answered after the invitation and 2 reminders"
grep "followup_unanswered" "$OUT" | grep -q KP2 && fail "a task for the patient who answered"
# The task is raised once; nothing more is sent.
pass 11
out_has "0 queued, 0 accepted, 0 temporary failures, 0 permanent failures, 0 unknown, 0 cancelled, 0 phone tasks"
[ "$(received)" = 5 ] || fail "more messages after the phone task: $(received)"
db_count "SELECT count(*) FROM outreach_tasks WHERE kind = 'followup_unanswered'" 1
db_count "SELECT count(*) FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'KP1'" 3
db_count "SELECT count(*) FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'KP2'" 2
PROLO_TODAY=$(day 11) run 0 followup show KP2
out_has "answered"
echo "reminders: all checks passed"
