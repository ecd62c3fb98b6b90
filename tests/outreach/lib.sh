# Helpers for the outreach tests: a real SMTP server (aiosmtpd, smtpd.py) on
# a free loopback port, killed by its PID; the configuration file; patients
# with a due follow-up time point. Source after tests/lib/cli.sh and
# tests/api/lib.sh. Sets SMTP_PORT, MAIL (received messages), MODE (the
# SMTP server's behaviour for the next message), CONF.
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "python3-aiosmtpd is missing"; exit 77; }
. "$TOP/tests/lib/fakeserver.sh"
SMTP_PID=""
EXTRA_PIDS=""
FAKE_PIDS="" # the stand-in servers started with fake_start
outreach_cleanup() {
	[ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"
	for p in $SMTP_PID $FAKE_PIDS $EXTRA_PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	api_cleanup
}
trap outreach_cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

MAIL="$T/mail"; mkdir -p "$MAIL"; MODE="$T/mode"; echo ok >"$MODE"
smtp_start() {
	fake_start "$TOP/tests/outreach/smtpd.py" "$MAIL" "$MODE" "$T/smtpd.log" || { cat "$T/smtpd.log"; fail "smtp server did not start"; }
	SMTP_PORT=$FAKE_PORT
	SMTP_PID=$FAKE_PID
}
# sms_start: the stand-in SMS provider (smsd.py) on a loopback port; its
# messages land in $SMS, its behaviour is the word in $SMODE (ok at first).
# Sets SMS_PORT; killed on exit.
sms_start() {
	SMS="$T/sms"; mkdir -p "$SMS"; SMODE="$T/smode"; echo ok >"$SMODE"
	fake_start "$TOP/tests/outreach/smsd.py" "$SMS" "$SMODE" "$T/smsd.log" || { cat "$T/smsd.log"; fail "the SMS provider did not start"; }
	SMS_PORT=$FAKE_PORT
	FAKE_PIDS="$FAKE_PIDS $FAKE_PID"
}
received() { ls "$MAIL" | grep -c '\.eml$'; }
# wait_for CMD VALUE [TENTHS]: until the output of CMD is VALUE (bounded).
wait_for() {
	n=0; lim=${3:-100}
	while [ "$(eval "$1")" != "$2" ] && [ $n -lt "$lim" ]; do sleep 0.1; n=$((n + 1)); done
	[ "$(eval "$1")" = "$2" ] || fail "waited for '$1' to be $2, got $(eval "$1")"
}

TODAY=${PROLO_TODAY:-$(date +%Y-%m-%d)}
# The day is read once, for the dates written here and for every prolo
# process the test starts: a run that crosses midnight would otherwise
# compute "today" two ways.
PROLO_TODAY=$TODAY
export PROLO_TODAY
START=$(date -d "$TODAY - 91 days" +%Y-%m-%d)
CONF="$PROLO_DB-outreach.conf"
# write_conf SMTP_PORT [more lines]: the configuration, mode 0600.
write_conf() {
	(umask 077
	cat >"$CONF" <<EOC
# test configuration
smtp_url = smtp://127.0.0.1:$1
starttls = off
from = clinic@example.org
clinic_name = Example Pain Clinic
base_url = http://127.0.0.1:${PORT:-1}
rate_per_minute = 6000
timeout_seconds = 5
backoff_seconds = 60
EOC
	shift
	for l in "$@"; do echo "$l" >>"$CONF"; done)
}
# newpat ID FIRST EMAIL [START]: a patient whose 91-day time point is due today.
newpat() {
	run 0 patient add --patient_id "$1" --clinic C01 --sex female --birth_year 1970 --first_name "$2" --last_name Secret
	run 0 course add --course_id "K$1" --patient_id "$1" --modality dextrose --condition low_back_pain \
		--start_date "${4:-$START}" --planned_sessions 3 --interval_days 14 --status planned
	run 0 contact set "$1" --email "$3" --channel email --consent given --consent-by "Dr. Who" --consent-how written
}
msgs() { sqlite3 "$PROLO_DB" "SELECT count(*) FROM outreach_messages WHERE $1"; }
# mail_ids: the outbox's message id of each received e-mail, one a line,
# found by the Message-ID stored with its attempt ("?" for none).
mail_ids() {
	sqlite3 -separator ' ' "$PROLO_DB" "SELECT msgid, message_id FROM outreach_attempts WHERE msgid IS NOT NULL" >"$T/msgids"
	grep -h '^Message-ID:' "$MAIL"/*.eml | sed 's/^Message-ID: <\([^>]*\)>.*/\1/' | while read -r id; do
		awk -v id="$id" '$1 == id { print $2; f = 1 } END { if (!f) print "?" }' "$T/msgids"
	done
}
