#!/bin/sh
# Bounces (docs/followup.md "Bounces and delivery receipts"): every e-mail
# the outbox sends carries a Message-ID prolo generated (random, at the
# sender's domain) and stored before sending; `prolo outreach bounce` reads
# a bounce from standard input or a file, finds the message by it and
#  - a 5.x.x report (RFC 3464, the original as headers or whole, CRLF and
#    a mailbox's "From " line; or a plain bounce quoting the headers)
#    turns the attempt to bounced, the message to failed, marks the
#    address bad and raises contact_fix, as a 5xx at sending does;
#  - the same bounce again changes nothing;
#  - a 4.x.x report is noted and changes nothing else;
#  - a bounce for an address changed since keeps the new address;
#  - a report whose parts are encoded (Exchange's base64, or
#    quoted-printable with soft line breaks) is read like a plain one; a
#    status part with broken base64 is refused as unreadable;
#  - garbage, a report without status or Message-ID, an unknown
#    Message-ID: one sentence, nothing changed, non-zero exit;
# and no output holds patient data. A real SMTP server on loopback.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"
DSN="$PY $TOP/tests/outreach/dsn.py"

api_setup_db
smtp_start
write_conf "$SMTP_PORT"
for p in 1 2 3 4 5; do newpat "B$p" "Anna$p" "anna$p@example.org"; done
run 0 outreach run
out_has "5 queued, 5 accepted"
[ "$(received)" = 5 ] || fail "received $(received) messages, expected 5"

# ---- the Message-ID: generated, random, stored, sent ----
msgid() { sqlite3 "$PROLO_DB" "SELECT a.msgid FROM outreach_attempts a JOIN outreach_messages m ON m.id = a.message_id JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'K$1'"; }
mid() { sqlite3 "$PROLO_DB" "SELECT m.id FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'K$1'"; }
db_count "SELECT count(DISTINCT msgid) FROM outreach_attempts WHERE msgid GLOB '[0-9a-f]*@example.org' AND length(msgid) = 44" 5
for p in 1 2 3 4 5; do
	grep -l "^Message-ID: <$(msgid "B$p")>" "$MAIL"/*.eml >/dev/null || fail "no e-mail carries B$p's stored Message-ID"
done

# state: what a refused input must leave as it was
state() { sqlite3 "$PROLO_DB" "SELECT group_concat(x, '|') FROM (SELECT result || coalesce(receipt, '') AS x FROM outreach_attempts UNION ALL SELECT state FROM outreach_messages UNION ALL SELECT email_bad FROM patient_contacts UNION ALL SELECT kind || point_day FROM outreach_tasks UNION ALL SELECT count(*) FROM audit_log)"; }
no_patient_data() {
	for w in Anna Secret example.org K0 B1 B2 B3 B4 B5; do
		! grep -qF "$w" "$OUT" "$ERR" || fail "the output names '$w'"
	done
}

# ---- a permanent failure (RFC 3464, headers only) from standard input ----
$DSN report "$(msgid B1)" 5.1.1 >"$T/b1.eml"
"$PROLO" outreach bounce <"$T/b1.eml" >"$OUT" 2>"$ERR" || { cat "$ERR"; fail "bounce from stdin"; }
out_has "message $(mid B1) (5.1.1): bounced"
no_patient_data
ID1=$(mid B1)
db_count "SELECT result || ' ' || receipt FROM outreach_attempts WHERE message_id = $ID1" "bounced bounced 5.1.1 (delivery report)"
db_count "SELECT state FROM outreach_messages WHERE id = $ID1" failed
db_count "SELECT email_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'B1'" 1
db_count "SELECT count(*) FROM outreach_tasks t JOIN courses c ON c.pk = t.course_pk WHERE c.course_id = 'KB1' AND t.kind = 'contact_fix' AND t.detail LIKE '%bounced%'" 1
db_count "SELECT count(*) FROM audit_log WHERE action = 'outbox.bounce' AND detail = 'message $ID1 try 1 bounced 5.1.1'" 1
run 0 contact show B1
out_has "(refused by the server)"
run 0 alerts
out_has "bounced"
# the same bounce again: nothing changes
before=$(state)
run 0 outreach bounce "$T/b1.eml"
out_has "already recorded as bounced: nothing changed"
[ "$(state)" = "$before" ] || fail "a repeated bounce changed the registry"

# ---- the whole original as message/rfc822, CRLF, a mailbox's From line ----
$DSN rfc822 "$(msgid B2)" 5.2.1 >"$T/b2.eml"
grep -q "^From MAILER-DAEMON" "$T/b2.eml" && grep -q "$(printf '\r')" "$T/b2.eml" || fail "the rfc822 bounce is not as meant"
run 0 outreach bounce "$T/b2.eml"
out_has "(5.2.1): bounced"
db_count "SELECT result FROM outreach_attempts WHERE message_id = $(mid B2)" bounced

# ---- a plain bounce quoting the original's headers ----
B3_MID=$(msgid B3) # read before the pipeline: its prolo runs alongside
$DSN plain "$B3_MID" 5.1.1 | "$PROLO" outreach bounce >"$OUT" 2>"$ERR" || { cat "$ERR"; fail "plain bounce"; }
out_has "(5.1.1): bounced"
db_count "SELECT result FROM outreach_attempts WHERE message_id = $(mid B3)" bounced
db_count "SELECT email_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'B3'" 1

# ---- a delay (4.x.x): noted, nothing else ----
$DSN report "$(msgid B4)" 4.4.7 >"$T/b4.eml"
run 0 outreach bounce "$T/b4.eml"
out_has "a delay: noted, nothing changed"
no_patient_data
db_count "SELECT result || ' ' || receipt FROM outreach_attempts WHERE message_id = $(mid B4)" "accepted noted 4.4.7 (delayed: delivery report)"
db_count "SELECT state FROM outreach_messages WHERE id = $(mid B4)" sent
db_count "SELECT email_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'B4'" 0
db_count "SELECT count(*) FROM outreach_tasks t JOIN courses c ON c.pk = t.course_pk WHERE c.course_id = 'KB4'" 0
run 0 outreach list --json
$PY - "$OUT" "$(mid B4)" <<'EOP' || fail "the list shows the receipt"
import json, sys
m = [x for x in json.load(open(sys.argv[1])) if x["id"] == int(sys.argv[2])][0]
assert m["attempts"][0]["receipt"] == "noted 4.4.7 (delayed: delivery report)", m
EOP

# ---- the address was corrected after the message went out: kept ----
sleep 1
run 0 contact set B5 --email new5@example.org
B5_MID=$(msgid B5) # read before the pipeline: its prolo runs alongside
$DSN report "$B5_MID" 5.1.1 | "$PROLO" outreach bounce >"$OUT" 2>"$ERR" || { cat "$ERR"; fail "bounce B5"; }
out_has "the contact details changed since it was sent, so they are kept"
db_count "SELECT result FROM outreach_attempts WHERE message_id = $(mid B5)" bounced
db_count "SELECT c.email || ' ' || c.email_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'B5'" "new5@example.org 0"
db_count "SELECT count(*) FROM outreach_tasks t JOIN courses c ON c.pk = t.course_pk WHERE c.course_id = 'KB5' AND t.kind = 'contact_fix'" 1

# ---- encoded parts: Exchange's base64, quoted-printable ----
for p in 6 7; do newpat "B$p" "Anna$p" "anna$p@example.org"; done
run 0 outreach run
out_has "2 queued, 2 accepted"
$DSN exchange "$(msgid B6)" 5.1.10 >"$T/b6.eml"
# the Message-ID and the status are only in the base64 parts
grep -q "^Content-Transfer-Encoding: base64" "$T/b6.eml" && ! grep -qF "$(msgid B6)" "$T/b6.eml" &&
	! grep -q "^Status:" "$T/b6.eml" || fail "the Exchange bounce is not as meant"
run 0 outreach bounce "$T/b6.eml"
out_has "message $(mid B6) (5.1.10): bounced"
no_patient_data
db_count "SELECT result || ' ' || receipt FROM outreach_attempts WHERE message_id = $(mid B6)" "bounced bounced 5.1.10 (delivery report)"
db_count "SELECT email_bad FROM patient_contacts c JOIN patients p ON p.pk = c.patient_pk WHERE p.patient_id = 'B6'" 1
$DSN qp "$(msgid B7)" 5.7.1 >"$T/b7.eml"
! grep -qF "$(msgid B7)" "$T/b7.eml" && grep -q "^Status: 5.=$" "$T/b7.eml" || fail "the quoted-printable bounce is not as meant"
"$PROLO" outreach bounce <"$T/b7.eml" >"$OUT" 2>"$ERR" || { cat "$ERR"; fail "quoted-printable bounce"; }
out_has "message $(mid B7) (5.7.1): bounced"
db_count "SELECT result FROM outreach_attempts WHERE message_id = $(mid B7)" bounced

# ---- what cannot be read: one sentence, nothing changed, non-zero ----
before=$(state)
refused() { # EXIT TEXT (input on stdin)
	"$PROLO" outreach bounce >"$OUT" 2>"$ERR"
	got=$?
	[ "$got" = "$1" ] || { cat "$OUT" "$ERR"; fail "exit $got, expected $1 for: $2"; }
	grep -qF "$2" "$ERR" || { cat "$ERR"; fail "stderr lacks '$2'"; }
	[ "$(wc -l <"$ERR")" = 1 ] || { cat "$ERR"; fail "more than one line for: $2"; }
	[ ! -s "$OUT" ] || fail "output on a refused bounce"
	[ "$(state)" = "$before" ] || fail "a refused bounce changed the registry: $2"
}
printf 'hello, this is no mail\n' | refused 2 "it does not start with headers"
printf '' | refused 2 "it does not start with headers"
head -c 20000 /dev/urandom | refused 2 "bounce"
# a report cut before its status part
B4_MID=$(msgid B4) # read before the pipelines below: their prolo runs alongside
[ -n "$B4_MID" ] || fail "no Message-ID stored for B4"
$DSN report "$B4_MID" 5.1.1 | sed '/^Action:/,$d' | grep -v "Message-ID: <$B4_MID>" | refused 2 "no delivery status was found"
# Exchange's report with its status part's base64 broken
$DSN badb64 "$B4_MID" 5.1.1 | refused 2 "message/delivery-status part is unreadable (its base64 is broken)"
# a status but no original Message-ID
$DSN report "$B4_MID" 5.1.1 | grep -v "^Message-ID: <$B4_MID>" | refused 2 "Message-ID was not found"
# a Message-ID prolo never sent (a guess of the right shape)
$DSN report "0123456789abcdef0123456789abcdef@example.org" 5.1.1 | refused 3 "no e-mail of this registry has the Message-ID"
# nested boundaries, a missing closing delimiter, NUL bytes, a huge header
$DSN report "$B4_MID" 5.1.1 | head -n 30 | tr 'M' '\000' | refused 2 "bounce"
{ printf 'Subject: x\nContent-Type: multipart/report; boundary=\n\n'; $PY -c 'print("--\n" * 5000)'; } | refused 2 "no delivery status"
$PY -c 'import sys; sys.stdout.write("X-Long: " + "a" * 5000000 + "\n\nbody\n")' | refused 2 "larger than"
run 2 outreach bounce "$T/does-not-exist.eml"
[ "$(state)" = "$before" ] || fail "a missing file changed the registry"
echo "ok"
