#!/bin/sh
# The follow-up outbox against a real SMTP server on a loopback port
# (aiosmtpd, started here and killed by its PID): an invitation arrives
# without health data, its links are answered over HTTP and the time point
# is answered; a second run sends nothing twice; the server down, 4xx, 5xx
# and a dropped connection each leave a clear state and their attempt
# record; kill -9 in the middle of a batch resends nothing.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "python3-aiosmtpd is missing"; exit 77; }
SMTP_PID=""
cleanup() {
	[ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"
	[ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null && wait "$SMTP_PID" 2>/dev/null
	[ -n "${RUN_PID:-}" ] && kill "$RUN_PID" 2>/dev/null
	api_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

MAIL="$T/mail"; mkdir -p "$MAIL"; MODE="$T/mode"; echo ok >"$MODE"
. "$TOP/tests/lib/fakeserver.sh"
fake_start "$TOP/tests/outreach/smtpd.py" "$MAIL" "$MODE" "$T/smtpd.log" || { cat "$T/smtpd.log"; fail "smtp server did not start"; }
SMTP_PORT=$FAKE_PORT; SMTP_PID=$FAKE_PID
received() { ls "$MAIL" | grep -c '\.eml$'; }

api_setup_db
TODAY=$(date +%Y-%m-%d)
export PROLO_TODAY="$TODAY" # read once: the same day for every process, also across midnight
START=$(date -d "$TODAY - 91 days" +%Y-%m-%d)
ENDED=$(date -d "$START + 20 days" +%Y-%m-%d)
CONF="$PROLO_DB-outreach.conf"
write_conf() { # SMTP_PORT
	umask 077
	cat >"$CONF" <<EOC
# test configuration
smtp_url = smtp://127.0.0.1:$1
starttls = off
smtp_user =
from = clinic@example.org
clinic_name = Example Pain Clinic
base_url = http://127.0.0.1:${PORT:-1}
rate_per_minute = 6000
timeout_seconds = 5
backoff_seconds = 60
EOC
}
newpat() { # ID FIRST EMAIL
	run 0 patient add --patient_id "$1" --clinic C01 --sex female --birth_year 1970 --first_name "$2" --last_name Secret
	run 0 course add --course_id "K$1" --patient_id "$1" --modality dextrose --condition low_back_pain \
		--start_date "$START" --planned_sessions 3 --interval_days 14 --status planned
	run 0 contact set "$1" --email "$3" --channel email --consent given --consent-by "Dr. Who" --consent-how written
}

# ---- contact checks at the edge ----
run 0 patient add --patient_id P1 --clinic C01 --sex female --birth_year 1970 --first_name Anna --last_name Secret
run 2 contact set P1 --email 'anna@example.org
Bcc: x@evil.org' --channel email
err_has "email"
run 2 contact set P1 --email 'anna@example' --channel email
err_has "email"
run 2 contact set P1 --mobile '0151 123' --channel sms
err_has "mobile"
run 2 contact set P1 --channel email
err_has "email"
run 2 contact set P1 --consent given
err_has "consent_by"
run 2 contact set P1 --email anna@example.org --consent given --consent-by 'x
Bcc: y' --consent-how written
err_has "consent_by"
run 0 course add --course_id KP1 --patient_id P1 --modality dextrose --condition low_back_pain \
	--start_date "$START" --planned_sessions 3 --interval_days 14 --status planned
run 0 course end KP1 --status dropped --date "$ENDED"
run 0 followup show KP1
out_has "not_contactable"
run 0 contact set P1 --email anna@example.org --channel email --consent given --consent-by "Dr. Who" --consent-how written
run 0 followup show KP1
out_has "upcoming"

# ---- one invitation, answered through its links ----
api_start
write_conf "$SMTP_PORT"
run 0 outreach run
out_has "1 queued, 1 accepted"
[ "$(received)" = 1 ] || fail "expected 1 message, got $(received)"
M="$MAIL/0001.eml"
grep -q "Dear Anna," "$M" || fail "no first name"
grep -q "Example Pain Clinic" "$M" || fail "no clinic name"
for word in Secret low_back_pain dextrose ODI NRS KP1 P1 "back pain" 1970; do
	grep -qwi -- "$word" "$M" && fail "health or identifying data in the message: $word"
done
grep -q "^List-Unsubscribe: <http://127.0.0.1:$PORT/optout/" "$M" || fail "no opt-out header"
run 0 outreach run
out_has "0 queued, 0 accepted"
[ "$(received)" = 1 ] || fail "sent twice"
# Answer every link as the patient.
for url in $(grep -o "http://127.0.0.1:$PORT/q/[0-9a-f]*" "$M" | sort -u); do
	tok=${url##*/}
	$PY - "$PORT" "$tok" <<'EOP' || fail "answering $tok"
import http.client, json, sys
port, tok = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.request("GET", "/api/q/" + tok)
r = c.getresponse(); d = json.loads(r.read())
assert r.status == 200, (r.status, d)
items = [1] * len(d["items"])
c.request("POST", "/api/q/" + tok, json.dumps({"items": items}),
          {"Content-Type": "application/json", "Origin": "http://127.0.0.1:%d" % port})
r = c.getresponse(); body = r.read()
assert r.status == 201, (r.status, body)
EOP
done
run 0 followup show KP1
out_has "answered"

# ---- faults, each on its own patient ----
# Server down: temporary, queued again with its attempt recorded. (Port 1,
# where nothing listens: a port merely free now may be another test's
# server by the time the run connects.)
newpat P2 Bert bert@example.org
write_conf 1
run 0 outreach run
out_has "1 temporary failures"
db_count "SELECT count(*) FROM outreach_attempts a JOIN outreach_messages m ON m.id = a.message_id WHERE m.state = 'queued' AND a.result = 'temporary_failure' AND a.reply LIKE '%reach%'" 1
run 0 outreach list
out_has "temporary_failure"
# 4xx: temporary, the server's reply stored.
write_conf "$SMTP_PORT"
echo 451 >"$MODE"
ID2=$(sqlite3 "$PROLO_DB" "SELECT id FROM outreach_messages WHERE state = 'queued'")
run 0 outreach retry "$ID2"
run 0 outreach run
out_has "1 temporary failures"
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2" 2
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2 AND reply LIKE '%451%'" 1
# 5xx: permanent; the address is marked bad and a task raised.
echo 550 >"$MODE"
run 0 outreach retry "$ID2"
run 0 outreach run
out_has "1 permanent failures"
db_count "SELECT count(*) FROM outreach_messages WHERE id = $ID2 AND state = 'failed'" 1
db_count "SELECT email_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'P2'" 1
run 0 alerts
out_has "contact_fix"
run 0 followup show KP2
out_has "not_contactable"
[ "$(received)" = 1 ] || fail "a refused message was counted as received"
# Dropped connection after the whole message: unknown, never resent.
echo drop >"$MODE"
newpat P3 Cora cora@example.org
run 0 outreach run
out_has "1 unknown"
run 0 outreach run
out_has "0 queued, 0 accepted"
db_count "SELECT count(*) FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'KP3'" 1
db_count "SELECT count(*) FROM outreach_attempts a JOIN outreach_messages m ON m.id = a.message_id JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'KP3' AND a.result = 'unknown'" 1

# ---- kill -9 in the middle of a batch ----
echo slow >"$MODE"
for n in 4 5 6 7; do newpat "P$n" "Name$n" "p$n@example.org"; done
before=$(received)
"$PROLO" outreach run >"$T/run.out" 2>&1 &
RUN_PID=$!
i=0; while [ "$(received)" -le "$before" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1 # the second message is now with the server
kill -9 "$RUN_PID"; wait "$RUN_PID" 2>/dev/null; RUN_PID=""
db_count "SELECT count(*) FROM outreach_messages WHERE state = 'sending'" 1
db_count "SELECT count(*) FROM outreach_attempts WHERE result = 'sending'" 1
echo ok >"$MODE"
run 0 outreach run
out_has "1 interrupted sends settled"
db_count "SELECT count(*) FROM outreach_messages WHERE state = 'sending'" 0
sleep 3 # the slow server finishes what it had
# Every course got exactly one message for its step; no Message-ID twice.
db_count "SELECT count(*) FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id IN ('KP4','KP5','KP6','KP7')" 4
dups=$(mail_ids | sort | uniq -d)
! mail_ids | grep -qx '?' || fail "an e-mail with a Message-ID the outbox did not store"
[ -z "$dups" ] || fail "a message was received twice: $dups"
sent=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM outreach_messages WHERE state IN ('sent','unknown')")
[ "$(received)" -le "$sent" ] || fail "received $(received) > sent or unknown $sent"
run 0 outreach list --state unknown
out_has "unknown"

# ---- opt-out: the patient is never contacted again by machine ----
tok=$(grep -o "/optout/[0-9a-f]*" "$MAIL/0001.eml" | head -1)
# The page the link opens (GET changes nothing), then the one click.
$PY -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1',$PORT,timeout=5); c.request('GET','$tok'); r=c.getresponse(); b=r.read(); sys.exit(0 if r.status==200 and b'Stop the messages' in b else 1)" || fail "opt-out page"
run 0 contact show P1
out_has "consent: given"
tok=${tok##*/}
$PY - "$PORT" "$tok" <<'EOP' || fail "opt-out"
import http.client, sys
port, tok = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.request("POST", "/api/optout/" + tok, "{}", {"Content-Type": "application/json", "Origin": "http://127.0.0.1:%d" % port})
r = c.getresponse(); b = r.read()
assert r.status == 200, (r.status, b)
EOP
run 0 contact show P1
out_has "withdrawn"
run 0 contact show P1
out_has "opt-out link"
# A later time point of P1 becomes a phone task, not a message.
run 0 course add --course_id KP1B --patient_id P1 --modality prp --condition knee_oa \
	--start_date "$START" --planned_sessions 1 --interval_days 14 --status planned
before=$(received)
run 0 outreach run
[ "$(received)" = "$before" ] || fail "an opted-out patient was contacted"
run 0 alerts
out_has "followup_unanswered"
out_has "withdrawn"
echo "outbox: all checks passed"
