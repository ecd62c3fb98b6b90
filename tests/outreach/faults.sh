#!/bin/sh
# Mail server faults made with real servers on loopback ports (rawsmtp.py
# fails on purpose; smtpd.py is aiosmtpd): one that never answers, one that
# is slow, one that greets with 421, one that closes at DATA, one that drops
# the connection in the middle of the message, one that never answers the
# end of the message, a misconfigured one; then quiet hours and the rate
# limit, with the time of day fixed by PROLO_TIME. Each fault gives a clear
# state and message, keeps its attempt record, and nothing is sent twice.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

RAW="$T/raw"; mkdir -p "$RAW"; RMODE="$T/rmode"
fake_start "$TOP/tests/outreach/rawsmtp.py" "$RAW" "$RMODE" "$T/raw.out" || { cat "$T/raw.out"; fail "the raw server did not start"; }
RAW_PORT=$FAKE_PORT; FAKE_PIDS=$FAKE_PID
raw_got() { ls "$RAW" | grep -c '^raw-.*\.eml$'; }
api_setup_db
smtp_start
raw_conf() { write_conf "$RAW_PORT" "timeout_seconds = 2" "$@"; }
# attempt COURSE: "result|reply" of the course's last attempt
attempt() {
	sqlite3 "$PROLO_DB" "SELECT a.result || '|' || a.reply FROM outreach_attempts a JOIN outreach_messages m ON m.id = a.message_id JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = '$1' ORDER BY a.n DESC LIMIT 1"
}
state() { sqlite3 "$PROLO_DB" "SELECT m.state FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = '$1'"; }
timed_run() { # MAX_SECONDS: one pass, bounded
	t0=$(date +%s); run 0 outreach run; t1=$(date +%s)
	[ $((t1 - t0)) -le "$1" ] || fail "the run took $((t1 - t0)) s (more than $1)"
}
raw_conf

# ---- never answers: the connection times out; temporary, queued again ----
echo stall >"$RMODE"
newpat F1 Fay f1@example.org
timed_run 6
out_has "1 temporary failures"
case $(attempt KF1) in temporary_failure\|*"could not reach the mail server"*) ;; *) fail "stall: $(attempt KF1)" ;; esac
[ "$(state KF1)" = queued ] || fail "stall: $(state KF1)"

# ---- 421 at the greeting: temporary ----
echo greet421 >"$RMODE"
newpat F2 Gus f2@example.org
run 0 outreach run
out_has "1 temporary failures"
case $(attempt KF2) in temporary_failure\|*421*) ;; *) fail "421: $(attempt KF2)" ;; esac

# ---- closed at DATA, before the message: temporary (nothing delivered) ----
echo drop-data >"$RMODE"
newpat F3 Hal f3@example.org
run 0 outreach run
out_has "1 temporary failures"
case $(attempt KF3) in temporary_failure\|*"lost before the message was sent"*) ;; *) fail "drop-data: $(attempt KF3)" ;; esac

# ---- dropped in the middle of the message, or the end never answered:
# the whole message was handed over, so it may have arrived: unknown,
# never resent ----
echo drop-mid >"$RMODE"
newpat F4 Ida f4@example.org
run 0 outreach run
out_has "1 unknown"
case $(attempt KF4) in unknown\|*"may have arrived"*) ;; *) fail "drop-mid: $(attempt KF4)" ;; esac
echo stall-end >"$RMODE"
newpat F5 Jon f5@example.org
timed_run 6
out_has "1 unknown"
case $(attempt KF5) in unknown\|*"may have arrived"*) ;; *) fail "stall-end: $(attempt KF5)" ;; esac

# ---- slow (aiosmtpd waits 3 s before accepting) beyond timeout_seconds:
# unknown (whether it arrived is the server's business: at most once) ----
write_conf "$SMTP_PORT" "timeout_seconds = 2"
echo slow >"$MODE"
newpat F6 Kim f6@example.org
timed_run 6
out_has "1 unknown"
sleep 2
slow_got=$(received)
[ "$slow_got" -le 1 ] || fail "received $slow_got, expected at most 1"
# ---- slow within timeout_seconds: accepted ----
write_conf "$SMTP_PORT" "timeout_seconds = 5"
newpat F7 Lou f7@example.org
timed_run 8
out_has "1 accepted"
[ "$(received)" = $((slow_got + 1)) ] || fail "received $(received), expected $((slow_got + 1))"

# ---- the servers work again: what was temporary goes once; unknown never ----
echo ok >"$RMODE"
raw_conf
for c in KF1 KF2 KF3; do
	run 0 outreach retry "$(sqlite3 "$PROLO_DB" "SELECT m.id FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = '$c'")"
done
run 0 outreach run
out_has "3 accepted"
run 0 outreach run
out_has "0 queued, 0 accepted"
[ "$(raw_got)" = 3 ] || fail "the working raw server got $(raw_got), expected 3"
for c in KF1 KF2 KF3; do [ "$(state $c)" = sent ] || fail "$c: $(state $c)"; done
for c in KF4 KF5 KF6; do [ "$(state $c)" = unknown ] || fail "$c: $(state $c)"; done
# Every attempt is on record: 2 for each temporary one, 1 for the others.
db_count "SELECT count(*) FROM outreach_attempts" 10
db_count "SELECT count(*) FROM outreach_attempts WHERE result = 'sending'" 0
db_count "SELECT count(*) FROM outreach_messages" 7

# ---- misconfigured ----
# smtp_url naming a web server, not a mail server
api_start --no-outbox
write_conf "$PORT" "timeout_seconds = 2"
run 5 outreach test someone@example.org
err_has "not sent:"
newpat F8 Max f8@example.org
run 0 outreach run
out_has "1 temporary failures"
case $(attempt KF8) in temporary_failure\|?*) ;; *) fail "not a mail server: $(attempt KF8)" ;; esac
# STARTTLS required of a server that offers none: explained in one sentence
write_conf "$SMTP_PORT" "starttls = required" "timeout_seconds = 2"
run 5 outreach test someone@example.org
err_has "not sent: no secure connection to the mail server (starttls)"
# nothing to send with, a key that is not one, a file others may read
write_conf "$SMTP_PORT" "smtp_url ="
sed -i '/^smtp_url = *$/d' "$CONF"
sed -i "s|^smtp_url = .*||" "$CONF"
run 2 outreach run
err_has "neither smtp_url nor sms_url"
write_conf "$SMTP_PORT" "smtp_pasword = x"
run 2 outreach run
err_has "unknown key 'smtp_pasword'"
write_conf "$SMTP_PORT"
chmod 644 "$CONF"
run 2 outreach run
err_has "chmod 600"
chmod 600 "$CONF"
before=$(received)

# ---- quiet hours (local time, over midnight) ----
write_conf "$SMTP_PORT" "quiet_hours = 22:00-07:00"
newpat Q1 Ned q1@example.org
PROLO_TIME=23:30 run 0 outreach run
out_has "1 queued, 0 accepted"
out_has "quiet hours: nothing sent"
PROLO_TIME=06:59 run 0 outreach run
out_has "quiet hours"
[ "$(state KQ1)" = queued ] || fail "quiet hours: $(state KQ1)"
PROLO_TIME=07:00 run 0 outreach run
out_has "1 accepted"
out_lacks "quiet hours"
[ "$(received)" = $((before + 1)) ] || fail "quiet hours: received $(received)"

# ---- the rate limit: per minute, across runs (a registry of its own, so
# the attempts above do not count) ----
export PROLO_DB="$T/rate.db"; CONF="$PROLO_DB-outreach.conf"
"$PROLO" init >/dev/null
write_conf "$SMTP_PORT" "rate_per_minute = 3"
before=$(received)
for n in 1 2 3 4 5; do newpat "R$n" "R$n" "r$n@example.org"; done
newpat R6 R6 r6@example.org "$(date -d "$START + 1 day" +%Y-%m-%d)"
run 0 outreach run
out_has "5 queued, 3 accepted"
out_has "rate limit reached"
# R6's time point comes due tomorrow; the minute is not over: nothing goes.
PROLO_TODAY=$(date -d "$TODAY + 1 day" +%Y-%m-%d) run 0 outreach run
out_has "1 queued, 0 accepted"
out_has "rate limit reached"
run 0 outreach run
out_has "0 accepted"
out_has "rate limit reached"
[ "$(msgs "state = 'queued'")" = 3 ] || fail "rate limit: $(msgs "state = 'queued'") queued"
db_count "SELECT count(*) FROM outreach_attempts" 3
[ "$(received)" = $((before + 3)) ] || fail "rate limit: received $(received)"
echo "faults: all checks passed"
