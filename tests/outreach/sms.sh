#!/bin/sh
# SMS through the provider interface (docs/followup.md) against a small
# HTTP provider on a loopback port (smsd.py, started here, killed by its
# PID): a patient who prefers SMS gets the invitation as a JSON request
# built from the template, values JSON-escaped; the provider's 500, a
# timeout (bounded), garbage, a 401 and a 400 each leave a clear state and
# their attempt record; retries carry the same Idempotency-Key, so the
# provider delivers each message once; the credentials header never shows
# in the output, the list, the records, the audit log or the server's log.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

sms_start
SECRET='Bearer s3cr3t-TOKEN-9f8e7d'
api_setup_db
smtp_start
api_start --no-outbox
sms_conf() {
	write_conf "$SMTP_PORT" "sms_url = http://127.0.0.1:$SMS_PORT/v1/messages" "sms_header = Authorization: $SECRET" \
		"sms_from = ExampleClinic" "timeout_seconds = 2" "$@"
}
sms_conf
smspat() { # ID FIRST MOBILE
	run 0 patient add --patient_id "$1" --clinic C01 --sex female --birth_year 1970 --first_name "$2" --last_name Secret
	run 0 course add --course_id "K$1" --patient_id "$1" --modality dextrose --condition low_back_pain \
		--start_date "$START" --planned_sessions 3 --interval_days 14 --status planned
	run 0 contact set "$1" --mobile "$3" --channel sms --consent given --consent-by "Dr. Who" --consent-how verbal
}
requests() { [ -f "$SMS/requests.jsonl" ] && wc -l <"$SMS/requests.jsonl" || echo 0; }
delivered() { [ -f "$SMS/delivered.jsonl" ] && wc -l <"$SMS/delivered.jsonl" || echo 0; }

# ---- a template that would let a value out of its string is refused ----
sms_conf 'sms_body = {"to": {{to}}, "text": "{{text}}"}'
run 2 outreach run
err_has "sms_body"
sms_conf 'sms_body = {"to": "{{to}}", "text": "{{text}}", "x": "{{nope}}"}'
run 2 outreach run
err_has "placeholder"
sms_conf 'sms_body = {"destination": "{{to}}", "sender": "{{from}}", "message": {"text": "{{text}}"}, "ref": "{{ref}}"}'

# ---- accepted: a name that would break JSON goes in escaped ----
smspat S1 'An"na\ {x}' +4915112345678
run 0 outreach run
out_has "1 queued, 1 accepted"
[ "$(delivered)" = 1 ] || fail "delivered $(delivered), expected 1"
$PY - "$SMS/requests.jsonl" "$SECRET" "$PORT" <<'EOP' || fail "the SMS request"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["path"] == "/v1/messages", r["path"]
assert r["headers"]["Authorization"] == sys.argv[2]
assert r["headers"]["Content-Type"] == "application/json"
b = json.loads(r["body"])
assert b["destination"] == "+4915112345678" and b["sender"] == "ExampleClinic", b
t = b["message"]["text"]
assert t.startswith('Dear An"na\\ {x}, Example Pain Clinic would like to know'), t
assert "http://127.0.0.1:%s/q/" % sys.argv[3] in t and "/optout/" in t, t
# (the links left out: a port or a random token may hold "1970")
import re
bare = re.sub(r"https?://\S+", "", t)
for word in ("Secret", "low_back", "dextrose", "ODI", "KS1", "1970"):
    assert word not in bare, word
assert b["ref"] == r["headers"]["Idempotency-Key"] and b["ref"].startswith("prolo-"), b
EOP
run 0 followup show KS1
out_has "invited"
run 0 outreach test +4915112345678
out_has "sent: accepted (HTTP 200)"

# ---- 500: temporary, the reply kept, queued again ----
echo 500 >"$SMODE"
smspat S2 Bert +4915112345679
run 0 outreach run
out_has "1 temporary failures"
ID2=$(sqlite3 "$PROLO_DB" "SELECT m.id FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'KS2'")
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2 AND result = 'temporary_failure' AND channel = 'sms' AND reply LIKE '%HTTP 500%internal%'" 1
db_count "SELECT state FROM outreach_messages WHERE id = $ID2" queued
# ---- timeout: bounded by timeout_seconds, temporary ----
echo timeout >"$SMODE"
run 0 outreach retry "$ID2"
t0=$(date +%s)
run 0 outreach run
t1=$(date +%s)
[ $((t1 - t0)) -le 6 ] || fail "a provider that stalls held the run $((t1 - t0)) s"
out_has "1 temporary failures"
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2 AND reply LIKE '%did not answer in time%'" 1
# ---- garbage: temporary, the reply kept, the echoed secret masked ----
echo garbage >"$SMODE"
run 0 outreach retry "$ID2"
run 0 outreach run
out_has "1 temporary failures"
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2 AND reply LIKE '%not JSON%proxy error%'" 1
# ---- 401: the configuration, not the number: temporary ----
echo 401 >"$SMODE"
run 0 outreach retry "$ID2"
run 0 outreach run
out_has "1 temporary failures"
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2 AND reply LIKE '%refused the credentials, check sms_header%'" 1
# ---- ok again: the same reference on every try; delivered once ----
echo ok >"$SMODE"
run 0 outreach retry "$ID2"
run 0 outreach run
out_has "1 accepted"
db_count "SELECT count(*) FROM outreach_attempts WHERE message_id = $ID2" 5
db_count "SELECT state FROM outreach_messages WHERE id = $ID2" sent
$PY - "$SMS/requests.jsonl" "prolo-$ID2" <<'EOP' || fail "retries must carry the message's reference"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
mine = [r for r in rs if json.loads(r["body"]).get("ref") == sys.argv[2]]
assert len(mine) == 5, len(mine)
assert all(r["headers"]["Idempotency-Key"] == sys.argv[2] for r in mine)
EOP
# The garbage answer was taken (200) and the retry carried its reference:
# the provider delivered the message once.
[ "$(delivered)" = 3 ] || fail "delivered $(delivered), expected 3 (S1, the test, S2 once)"
run 0 outreach run
[ "$(delivered)" = 3 ] || fail "a message went out twice"

# ---- 400: the number is refused for good ----
echo 400 >"$SMODE"
smspat S3 Cora +4915112345670
run 0 outreach run
out_has "1 permanent failures"
db_count "SELECT mobile_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'S3'" 1
run 0 alerts
out_has "contact_fix"
run 0 contact show S3
out_has "refused by the SMS provider"
run 0 followup show KS3
out_has "not_contactable"

# ---- no SMS provider configured: an SMS patient is a phone task ----
write_conf "$SMTP_PORT"
smspat S4 Dora +4915112345671
run 0 outreach run
out_has "0 queued"
run 0 alerts
out_has "no SMS provider is configured"

# ---- the secret shows nowhere ----
sms_conf
run 0 outreach list
out_lacks "s3cr3t"
out_has "not JSON"
run 0 --json outreach list
out_lacks "s3cr3t"
for f in "$SERVER_LOG" "$T/serve.out"; do
	grep -q "s3cr3t" "$f" && fail "the secret is in $f"
done
[ "$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM outreach_attempts WHERE reply LIKE '%s3cr3t%'")" = 0 ] ||
	fail "the secret is in an attempt's reply"
[ "$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE detail LIKE '%s3cr3t%' OR record LIKE '%s3cr3t%'")" = 0 ] ||
	fail "the secret is in the audit log"
echo "sms: all checks passed"
