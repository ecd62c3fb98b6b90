#!/bin/sh
# SMS delivery receipts (docs/followup.md "Bounces and delivery receipts",
# docs/api.md POST /api/outreach/sms-receipt): the provider on loopback
# (smsd.py) answers each SMS with its id, which prolo stores, and then
# calls the receipt route back with the shared secret, as a provider does.
# "delivered" is recorded; "failed" bounces the attempt as a permanent
# failure does (message failed, number marked bad, contact_fix), and the
# report's funnel no longer counts it delivered. A wrong or missing secret
# is 401, an unknown id 404, garbage 400 naming the field: nothing
# changes. The secret shows in no output, log or audit row.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

sms_start
RSECRET='rcpt-9f8e7d6c5b4a3210-secret'
api_setup_db
smtp_start
write_conf "$SMTP_PORT" "sms_url = http://127.0.0.1:$SMS_PORT/v1/messages" "sms_header = Authorization: Bearer xyz" \
	"sms_receipt_secret = $RSECRET"
api_start --no-outbox
URL="http://127.0.0.1:$PORT/api/outreach/sms-receipt"
smspat() { # ID FIRST MOBILE
	run 0 patient add --patient_id "$1" --clinic C01 --sex female --birth_year 1970 --first_name "$2" --last_name Secret
	run 0 course add --course_id "K$1" --patient_id "$1" --modality dextrose --condition low_back_pain \
		--start_date "$START" --planned_sessions 3 --interval_days 14 --status planned
	run 0 contact set "$1" --mobile "$3" --channel sms --consent given --consent-by "Dr. Who" --consent-how verbal
}
mid() { sqlite3 "$PROLO_DB" "SELECT m.id FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'K$1'"; }
callbacks() { [ -f "$SMS/callbacks.jsonl" ] && wc -l <"$SMS/callbacks.jsonl" || echo 0; }

# ---- delivered: the provider's id stored, the receipt recorded ----
printf '%s\n%s\n%s\n' "$URL" "$RSECRET" delivered >"$SMS/callback"
smspat R1 Rita +4915112345601
run 0 outreach run
out_has "1 queued, 1 accepted"
ID1=$(mid R1)
db_count "SELECT provider_id FROM outreach_attempts WHERE message_id = $ID1" "sms-prolo-$ID1"
wait_for callbacks 1
grep -q '"code": 200' "$SMS/callbacks.jsonl" || { cat "$SMS/callbacks.jsonl"; fail "the receipt was not taken"; }
db_count "SELECT result || ' ' || receipt FROM outreach_attempts WHERE message_id = $ID1" "accepted delivered delivered (SMS receipt)"
db_count "SELECT state FROM outreach_messages WHERE id = $ID1" sent
db_count "SELECT count(*) FROM audit_log WHERE user = 'sms-provider' AND action = 'outbox.receipt' AND detail = 'message $ID1 try 1 delivered delivered'" 1

# ---- failed: like a bounce ----
printf '%s\n%s\n%s\n' "$URL" "$RSECRET" failed >"$SMS/callback"
smspat R2 Rolf +4915112345602
run 0 outreach run
ID2=$(mid R2)
wait_for callbacks 2
db_count "SELECT result || ' ' || receipt FROM outreach_attempts WHERE message_id = $ID2" "bounced bounced failed (SMS receipt)"
db_count "SELECT state FROM outreach_messages WHERE id = $ID2" failed
db_count "SELECT mobile_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'R2'" 1
db_count "SELECT count(*) FROM outreach_tasks t JOIN courses c ON c.pk = t.course_pk WHERE c.course_id = 'KR2' AND t.kind = 'contact_fix'" 1
rm -f "$SMS/callback"

# The funnel (of ended courses): both sent, one delivered.
run 0 course end KR1 --status completed
run 0 course end KR2 --status dropped
run 0 report --json --today "$(date -d "$TODAY + 20 days" +%Y-%m-%d)"
$PY - "$OUT" <<'EOP' || fail "the funnel"
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["invitation_funnel"] if x["months"] == 3 and x["channel"] == "sms"][0]
assert (f["due"], f["sent"], f["delivered"]) == (2, 2, 1), f
EOP

# ---- refusals: nothing changes ----
state() { sqlite3 "$PROLO_DB" "SELECT group_concat(x, '|') FROM (SELECT result || coalesce(receipt, '') AS x FROM outreach_attempts UNION ALL SELECT state FROM outreach_messages UNION ALL SELECT mobile_bad FROM patient_contacts UNION ALL SELECT count(*) FROM outreach_tasks)"; }
before=$(state)
# post SECRET BODY -> "STATUS FIELD"
post() {
	$PY - "$PORT" "$1" "$2" <<'EOP'
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
h = {"Content-Type": "application/json"}
if sys.argv[2] != "-":
    h["X-Receipt-Secret"] = sys.argv[2]
c.request("POST", "/api/outreach/sms-receipt", sys.argv[3].encode(), h)
r = c.getresponse()
d = r.read().decode()
try:
    field = json.loads(d).get("error", {}).get("field", "-")
except ValueError:
    field = "?"
print(r.status, field or "-")
EOP
}
check() { # SECRET BODY EXPECTED
	got=$(post "$1" "$2")
	[ "$got" = "$3" ] || fail "receipt $2 with secret '$1': got '$got', expected '$3'"
	[ "$(state)" = "$before" ] || fail "a refused receipt changed the registry: $2"
}
check wrong-secret-0123456789 "{\"id\": \"sms-prolo-$ID1\", \"status\": \"failed\"}" "401 secret"
check - "{\"id\": \"sms-prolo-$ID1\", \"status\": \"failed\"}" "401 secret"
check "${RSECRET}x" "{\"id\": \"sms-prolo-$ID1\", \"status\": \"failed\"}" "401 secret"
# the secret is checked before anything else: a wrong one with a bad field
# is 401 too, and tells nothing of the fields
check wrong-secret-0123456789 '{"id": 5, "status": ["x"]}' "401 secret"
# each refusal is audited (who tries without the secret), the secret nowhere
db_count "SELECT count(*) FROM audit_log WHERE user = 'sms-provider' AND action = 'denied' AND detail = 'outbox.receipt: wrong or missing secret'" 4
check "$RSECRET" '{"id": "sms-nobody", "status": "failed"}' "404 id"
check "$RSECRET" '{"reference": "prolo-99999", "status": "failed"}' "404 id"
check "$RSECRET" 'this is not json' "400 body"
check "$RSECRET" '[1, 2]' "400 body"
check "$RSECRET" '{"id": 5, "status": "failed"}' "400 id"
check "$RSECRET" "{\"id\": \"sms-prolo-$ID1\"}" "400 status"
check "$RSECRET" "{\"id\": \"sms-prolo-$ID1\", \"status\": \"exploded\"}" "400 status"
check "$RSECRET" '{"status": "failed"}' "400 id"
check "$RSECRET" '{"id": "has space", "status": "failed"}' "400 id"
check "$RSECRET" '{"reference": "nope-1", "status": "failed"}' "400 reference"
# an e-mail's attempt is not an SMS's
newpat E1 Emma emma@example.org
run 0 outreach run
before=$(state)
check "$RSECRET" "{\"reference\": \"prolo-$(mid E1)\", \"status\": \"failed\"}" "404 id"
# by prolo's reference: an interim state is noted only
got=$(post "$RSECRET" "{\"reference\": \"prolo-$ID1\", \"status\": \"queued\", \"extra\": {\"x\": 1}}")
[ "$got" = "200 -" ] || fail "a receipt by reference: $got"
db_count "SELECT result || ' ' || receipt FROM outreach_attempts WHERE message_id = $ID1" "accepted noted queued (SMS receipt)"

# ---- a server without sms_receipt_secret refuses every receipt ----
api_stop
write_conf "$SMTP_PORT" "sms_url = http://127.0.0.1:$SMS_PORT/v1/messages"
api_start --no-outbox
before=$(state)
check "$RSECRET" "{\"id\": \"sms-prolo-$ID1\", \"status\": \"failed\"}" "401 secret"

# ---- the secret is nowhere ----
for f in "$SERVER_LOG" "$T/serve.out" "$OUT" "$ERR"; do
	! grep -qF "$RSECRET" "$f" || fail "the receipt secret shows in $f"
done
db_count "SELECT count(*) FROM audit_log WHERE detail LIKE '%$RSECRET%' OR record LIKE '%$RSECRET%'" 0
echo "ok"
