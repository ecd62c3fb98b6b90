#!/bin/sh
# The follow-up end to end, with real parts: a real SMTP server on a
# loopback port (aiosmtpd, tests/outreach/smtpd.py, writing each message it
# accepts to a file), `prolo serve`, and `prolo outreach run`, which sends
# the invitation of a time point that is due. Then, in headless Chromium
# (followup.mjs): the patient opens the links of the received e-mail on a
# phone-sized screen and answers; staff find the assessment scored on the
# chart and the time point answered in its follow-up timeline; the front
# desk logs calls from the outbox view in one click, snoozes and assigns
# an alert on the morning list, and sees the drop-outs still to reach;
# axe-core checks those pages with their content. Afterwards the command
# line must agree (call list, followup show, one message sent). Only the
# processes started here are stopped, by their PIDs; every wait is bounded.
set -u
TOP=${TOP:-$(pwd)}
. "$TOP/tests/e2e/lib/browser.sh"
PROLO=${PROLO_BIN:?PROLO_BIN not set}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
browser_require
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "skip: python3-aiosmtpd is not installed"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-fu.XXXXXX")
SERVER_PID=""
SMTP_PID=""
stop() { # pid
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
trap 'stop "$SERVER_PID"; stop "$SMTP_PID"; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*" >&2; exit 1; }
export PROLO_DB="$T/prolo.db"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ---- the mail server ----
MAIL="$T/mail"
mkdir -p "$MAIL"
echo ok >"$T/mode"
. "$TOP/tests/lib/fakeserver.sh"
fake_start "$TOP/tests/outreach/smtpd.py" "$MAIL" "$T/mode" "$T/smtpd.log" || { cat "$T/smtpd.log"; fail "the SMTP server did not start"; }
SMTP_PORT=$FAKE_PORT; SMTP_PID=$FAKE_PID

# ---- the registry: users, and three patients whose 3-month point is due ----
"$PROLO" init >"$T/log" 2>&1 || { cat "$T/log"; fail "prolo init"; }
add_user() { # name role clinic password
	if [ -n "$3" ]; then
		printf '%s\n' "$4" | "$PROLO" user add "$1" --role "$2" --clinic "$3" --password-stdin >"$T/log" 2>&1
	else
		printf '%s\n' "$4" | "$PROLO" user add "$1" --role "$2" --password-stdin >"$T/log" 2>&1
	fi || { cat "$T/log"; fail "prolo user add $1"; }
}
add_user admin admin "" admin-pass-1
add_user drsmith clinician C01 clinician-pass-1
add_user nurse staff C01 staff-pass-1
add_user analyst researcher "" researcher-pass-2
TODAY=${PROLO_TODAY:-$(date -u +%Y-%m-%d)}
export PROLO_TODAY="$TODAY"
START=$(date -u -d "$TODAY - 91 days" +%Y-%m-%d)
ENDED=$(date -u -d "$START + 20 days" +%Y-%m-%d)
cli() { "$PROLO" "$@" >"$T/log" 2>&1 || { cat "$T/log"; fail "prolo $*"; }; }
# FU1 answers by e-mail; FU2 and FU3 dropped out and cannot be reached by
# machine (no consent), so their due time point is a phone task; FU4
# (below) has an address the mail server refuses.
cli patient add --patient_id FU1 --clinic C01 --sex female --birth_year 1971 --first_name Ada --last_name Quill --phone "+41 79 555 01 01"
cli course add --course_id KFU1 --patient_id FU1 --modality dextrose --condition low_back_pain --start_date "$START" --planned_sessions 3 --interval_days 14
cli outcome add --course_id KFU1 --date "$START" --instrument NRS --items 7
cli course end KFU1 --status completed --date "$ENDED"
cli contact set FU1 --email ada.quill@example.org --channel email --consent given --consent-by "Dr Smith" --consent-how written
cli patient add --patient_id FU2 --clinic C01 --sex male --birth_year 1964 --first_name Bert --last_name Caller --phone "+41 79 555 02 02"
cli course add --course_id KFU2 --patient_id FU2 --modality prp --condition low_back_pain --start_date "$START" --planned_sessions 3 --interval_days 14
cli course end KFU2 --status dropped --date "$ENDED"
cli patient add --patient_id FU3 --clinic C01 --sex female --birth_year 1980 --first_name Cleo --last_name Later --phone "+41 79 555 03 03"
cli course add --course_id KFU3 --patient_id FU3 --modality dextrose --condition low_back_pain --start_date "$START" --planned_sessions 3 --interval_days 14
cli course end KFU3 --status stopped_no_improvement --date "$ENDED"

# ---- the server, then one pass of the outbox ----
started=no
for attempt in 1 2 3; do
	PORT=$(free_port)
	"$PROLO" serve --bind 127.0.0.1 --port "$PORT" --web "$TOP/web" >"$T/serve.log" 2>&1 &
	SERVER_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		if grep -q "serving http" "$T/serve.log"; then started=yes; break; fi
		sleep 0.2
		i=$((i + 1))
	done
	[ $started = yes ] && break
	stop "$SERVER_PID"
	SERVER_PID=""
done
[ $started = yes ] || { cat "$T/serve.log"; fail "prolo serve did not start"; }
umask 077
cat >"$PROLO_DB-outreach.conf" <<EOC
smtp_url = smtp://127.0.0.1:$SMTP_PORT
starttls = off
from = clinic@example.org
clinic_name = Example Pain Clinic
base_url = http://127.0.0.1:$PORT
rate_per_minute = 6000
timeout_seconds = 5
EOC
umask 022
"$PROLO" outreach run >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "prolo outreach run"; }
grep -q "1 queued, 1 accepted" "$T/run.out" || { cat "$T/run.out"; fail "the invitation was not sent"; }
grep -q "2 phone tasks" "$T/run.out" || { cat "$T/run.out"; fail "no phone tasks for the drop-outs"; }
n=$(ls "$MAIL" | grep -c '\.eml$')
[ "$n" = 1 ] || fail "expected 1 message at the SMTP server, got $n"
# FU4's address is refused for good (550): a failed delivery and a task.
cli patient add --patient_id FU4 --clinic C01 --sex male --birth_year 1975 --first_name Finn --last_name Bounce --phone "+41 79 555 04 04"
cli course add --course_id KFU4 --patient_id FU4 --modality prp --condition knee_oa --start_date "$START" --planned_sessions 3 --interval_days 14
cli contact set FU4 --email finn.bounce@example.org --channel email --consent given --consent-by "Dr Smith" --consent-how written
echo 550 >"$T/mode"
"$PROLO" outreach run >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "prolo outreach run (550)"; }
grep -q "1 permanent failures" "$T/run.out" || { cat "$T/run.out"; fail "the refused address was not a permanent failure"; }
# FU5's message: the server drops the connection after the whole message,
# so its outcome is unknown (never resent): listed with its label.
cli patient add --patient_id FU5 --clinic C01 --sex female --birth_year 1966 --first_name Una --last_name Known --phone "+41 79 555 05 05"
cli course add --course_id KFU5 --patient_id FU5 --modality prp --condition knee_oa --start_date "$START" --planned_sessions 3 --interval_days 14
cli contact set FU5 --email una.known@example.org --channel email --consent given --consent-by "Dr Smith" --consent-how written
echo drop >"$T/mode"
"$PROLO" outreach run >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "prolo outreach run (drop)"; }
grep -q "1 unknown" "$T/run.out" || { cat "$T/run.out"; fail "the dropped message's outcome is not unknown"; }
echo ok >"$T/mode"

# ---- the browser ----
mkdir -p "$ARTIFACTS/followup"
rm -f "$ARTIFACTS/followup"/*.png
cd "$E2E_DIR" || exit 1
rc=0
timeout 300 node followup.mjs "http://127.0.0.1:$PORT" "$ARTIFACTS/followup" "$MAIL/0001.eml" "$START" || rc=1
cd "$TOP" || exit 1
if [ $rc != 0 ]; then
	echo "--- server log"
	tail -n 40 "$T/serve.log"
	exit 1
fi

# ---- the command line agrees ----
"$PROLO" followup show KFU1 >"$T/out" 2>&1 || { cat "$T/out"; fail "followup show"; }
grep -q "^day 91 .*answered" "$T/out" || { cat "$T/out"; fail "the 3-month point of KFU1 is not answered"; }
"$PROLO" call list --course KFU2 >"$T/out" 2>&1 || { cat "$T/out"; fail "call list"; }
grep -q "reached  by nurse" "$T/out" || { cat "$T/out"; fail "the call that reached FU2 is not logged"; }
grep -q "no_answer  by nurse" "$T/out" || { cat "$T/out"; fail "the unanswered call to FU2 is not logged"; }
# (FU5's dropped message did arrive: the server had it all)
before=$(ls "$MAIL" | grep -c '\.eml$')
[ "$before" -le 2 ] || fail "more messages than sent: $before at the SMTP server"
"$PROLO" outreach run >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "second outreach run"; }
n=$(ls "$MAIL" | grep -c '\.eml$')
[ "$n" = "$before" ] || fail "a message was sent again: $n at the SMTP server, $before before"
echo "follow-up in the browser: all checks passed"
