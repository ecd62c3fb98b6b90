#!/bin/sh
# SMS receipts and guessed secrets (docs/api.md POST /api/outreach/sms-receipt):
# refused secrets are counted per source address; after 10 refusals from
# one address its receipts are answered 429 with Retry-After, unread: the
# secret is not checked (no further "denied" audit row), a right secret
# from there is refused too and the outbox is not touched. A right secret
# from another address (127.0.0.2, also loopback) still works; twenty
# guesses sent at once from a third address get exactly ten 401s (the
# throttle cannot be outrun); logins from the locked address still work.
# Once the lock has passed (moved into the past in the registry), the
# address's right receipt is taken. A real server and provider on loopback.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0)); s.close()' 2>/dev/null ||
	{ echo "skip: no 127.0.0.2 on this host's loopback"; exit 77; }
sms_start
RSECRET='rcpt-0a1b2c3d4e5f6789-secret'
api_setup_db
smtp_start
write_conf "$SMTP_PORT" "sms_url = http://127.0.0.1:$SMS_PORT/v1/messages" "sms_header = Authorization: Bearer xyz" \
	"sms_receipt_secret = $RSECRET"
api_start --no-outbox
run 0 patient add --patient_id T1 --clinic C01 --sex female --birth_year 1970 --first_name Tina --last_name Secret
run 0 course add --course_id KT1 --patient_id T1 --modality dextrose --condition low_back_pain \
	--start_date "$START" --planned_sessions 3 --interval_days 14 --status planned
run 0 contact set T1 --mobile +4915112345611 --channel sms --consent given --consent-by "Dr. Who" --consent-how verbal
run 0 outreach run
out_has "1 queued, 1 accepted"
ID=$(sqlite3 "$PROLO_DB" "SELECT id FROM outreach_messages")
PID_SMS=$(sqlite3 "$PROLO_DB" "SELECT provider_id FROM outreach_attempts WHERE message_id = $ID")
[ -n "$PID_SMS" ] || fail "no provider id stored"
outbox() { sqlite3 "$PROLO_DB" "SELECT result || ' ' || coalesce(receipt, '-') FROM outreach_attempts WHERE message_id = $ID"; }
denied() { sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = 'denied' AND detail = 'outbox.receipt: wrong or missing secret' AND record = '' AND user = 'sms-provider'"; }
GOOD="{\"id\": \"$PID_SMS\", \"status\": \"delivered\"}"

# post FROM SECRET BODY [COUNT]: COUNT requests at once from source address
# FROM; prints "STATUS FIELD RETRY-AFTER" for each, sorted.
post() {
	$PY - "$PORT" "$@" <<'EOP'
import http.client, json, sys, threading
port, src, secret, body = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 1
out = []
def one():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(src, 0))
    h = {"Content-Type": "application/json"}
    if secret != "-":
        h["X-Receipt-Secret"] = secret
    c.request("POST", "/api/outreach/sms-receipt", body.encode(), h)
    r = c.getresponse()
    d = r.read().decode()
    try:
        field = (json.loads(d).get("error") or {}).get("field") or "-"
    except ValueError:
        field = "?"
    out.append(f"{r.status} {field} {r.getheader('Retry-After') or '-'}")
ts = [threading.Thread(target=one) for _ in range(n)]
for t in ts:
    t.start()
for t in ts:
    t.join(30)
print("\n".join(sorted(out)))
EOP
}

# ---- ten refused secrets from 127.0.0.1: each 401, each audited ----
i=0
while [ $i -lt 10 ]; do
	i=$((i + 1))
	got=$(post 127.0.0.1 "guess-$i-0123456789" "$GOOD")
	[ "$got" = "401 secret -" ] || fail "guess $i: got '$got', expected a 401"
done
[ "$(denied)" = 10 ] || fail "$(denied) denied rows after ten guesses, expected 10"
db_count "SELECT failures FROM login_failures WHERE key = 'receipt:127.0.0.1'" 10
# logins' keys are apart: the address is not locked for logins
db_count "SELECT count(*) FROM login_failures WHERE key NOT LIKE 'receipt:%'" 0

# ---- the eleventh: 429 with Retry-After, the secret not checked ----
got=$(post 127.0.0.1 "guess-11-0123456789" "$GOOD")
case $got in
"429 secret "[1-9]*) ;;
*) fail "after ten refusals: got '$got', expected 429 with Retry-After" ;;
esac
retry=${got##* }
[ "$retry" -ge 1 ] && [ "$retry" -le 30 ] || fail "Retry-After is $retry, expected 1-30 s"
[ "$(denied)" = 10 ] || fail "a throttled receipt was checked and audited"
db_count "SELECT failures FROM login_failures WHERE key = 'receipt:127.0.0.1'" 10
# even the right secret from the locked address: 429, the outbox untouched
before=$(outbox)
[ "$before" = "accepted -" ] || fail "the attempt is '$before' before any receipt"
got=$(post 127.0.0.1 "$RSECRET" "$GOOD")
case $got in "429 secret "[1-9]*) ;; *) fail "the right secret from the locked address: got '$got'" ;; esac
[ "$(outbox)" = "$before" ] || fail "a throttled receipt changed the outbox: $(outbox)"
# no secret at all: 429 too
got=$(post 127.0.0.1 - "$GOOD")
case $got in "429 secret "[1-9]*) ;; *) fail "no secret from the locked address: got '$got'" ;; esac

# ---- the right secret from another address still works ----
got=$(post 127.0.0.2 "$RSECRET" "$GOOD")
[ "$got" = "200 - -" ] || fail "the right secret from 127.0.0.2: got '$got'"
[ "$(outbox)" = "accepted delivered delivered (SMS receipt)" ] || fail "the receipt from 127.0.0.2 was not recorded: $(outbox)"

# ---- a login from the locked address still works ----
$PY - "$PORT" "$PASSWORD" <<'EOP' || fail "a login from the address locked for receipts"
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=20)
c.request("POST", "/api/login", json.dumps({"username": "staff1", "password": sys.argv[2]}),
          {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{sys.argv[1]}"})
r = c.getresponse()
assert r.status == 200, (r.status, r.read())
EOP

# ---- twenty guesses at once from a third address: exactly ten 401s ----
got=$(post 127.0.0.3 "burst-0123456789" "$GOOD" 20)
n401=$(printf '%s\n' "$got" | grep -c '^401 secret -$')
n429=$(printf '%s\n' "$got" | grep -c '^429 secret [1-9]')
[ "$n401" = 10 ] && [ "$n429" = 10 ] || fail "a burst of twenty guesses: $n401 refused, $n429 throttled, expected 10 and 10: $got"
db_count "SELECT failures FROM login_failures WHERE key = 'receipt:127.0.0.3'" 10

# ---- once the lock has passed, the address's right receipt is taken ----
sqlite3 "$PROLO_DB" "UPDATE login_failures SET locked_until = locked_until - 3600 WHERE key = 'receipt:127.0.0.1'"
got=$(post 127.0.0.1 "$RSECRET" "{\"id\": \"$PID_SMS\", \"status\": \"queued\"}")
[ "$got" = "200 - -" ] || fail "after the lock: got '$got'"
[ "$(outbox)" = "accepted noted queued (SMS receipt)" ] || fail "after the lock: $(outbox)"
# and a further guess locks it again at once, longer (60 s)
got=$(post 127.0.0.1 "guess-12-0123456789" "$GOOD")
[ "$got" = "401 secret -" ] || fail "a guess after the lock: got '$got'"
got=$(post 127.0.0.1 "guess-13-0123456789" "$GOOD")
case $got in "429 secret "[3-6][0-9]) ;; *) fail "the second lock: got '$got', expected 429 for about 60 s" ;; esac

# ---- the secret is nowhere ----
for f in "$SERVER_LOG" "$T/serve.out"; do
	! grep -qF "$RSECRET" "$f" || fail "the receipt secret shows in $f"
done
echo "ok"
