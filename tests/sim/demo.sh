#!/bin/sh
# prolo demo: simulates a living clinic network into ./demo/prolo.db,
# prints the outcomes report, writes demo/report.html, starts a local mail
# catcher (python3-aiosmtpd on a loopback port) that receives the
# follow-up invitations of one outbox pass, and serves the web app; a
# second run replaces the registry instead of adding to it. When the demo
# stops (on its own with --no-serve, or on SIGTERM while serving) the
# processes it started are gone.
. "$(dirname "$0")/../lib/cli.sh"
PY=/usr/bin/python3
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "python3-aiosmtpd is missing"; exit 77; }
export PROLO_TODAY=2026-12-05
DEMO_PID=""
cleanup() {
	[ -n "$DEMO_PID" ] && kill "$DEMO_PID" 2>/dev/null && wait "$DEMO_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# gone PID...: every pid has ended
gone() {
	for p in "$@"; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		! kill -0 "$p" 2>/dev/null || { echo "process $p is still running" >&2; exit 1; }
	done
}

cd "$T" || exit 1
mkdir tmp && export TMPDIR="$T/tmp"
run 0 demo --no-serve
out_has "outcomes report"
out_has "demo/report.html"
out_has "Mail catcher: pid"
out_has "Mail catcher stopped."
out_has "Morning list:"
[ -s demo/prolo.db ] || { echo "no demo/prolo.db" >&2; exit 1; }
[ -s demo/report.html ] || { echo "no demo/report.html" >&2; exit 1; }
grep -qi "<html" demo/report.html || { echo "report.html is not HTML" >&2; exit 1; }
PROLO_DB=demo/prolo.db

# the outreach configuration points at the loopback catcher, mode 0600
conf=demo/prolo.db-outreach.conf
[ "$(stat -c %a "$conf")" = 600 ] || { echo "$conf is not 0600" >&2; exit 1; }
grep -q '^smtp_url = smtp://127\.0\.0\.1:[0-9]*$' "$conf" || { echo "smtp_url is not loopback" >&2; exit 1; }

# the catcher received the invitations the outbox accepted, each to a
# synthetic example.org address with a link to the local web app
sent=$(sed -n 's/^outbox: [0-9]* queued, \([0-9]*\) accepted.*/\1/p' "$OUT")
[ -n "$sent" ] && [ "$sent" -ge 1 ] || { echo "no invitation accepted: $(grep outbox: "$OUT")" >&2; exit 1; }
got=$(ls demo/mail/new | wc -l)
[ "$got" = "$sent" ] || { echo "catcher holds $got messages, the outbox accepted $sent" >&2; exit 1; }
db_count "SELECT count(*) FROM outreach_messages WHERE state = 'sent'" "$sent"
for m in demo/mail/new/*; do
	grep -q '^To: .*@example\.org' "$m" || { echo "$m: not to an example.org address" >&2; exit 1; }
	grep -q 'http://127\.0\.0\.1:8080/' "$m" || { echo "$m: no link to the local web app" >&2; exit 1; }
done
# the morning list and the outbox have work on them
[ "$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM outreach_tasks")" -ge 1 ] || { echo "no phone task" >&2; exit 1; }
grep -q '^Morning list: [1-9][0-9]* alerts' "$OUT" || { echo "empty morning list" >&2; exit 1; }
# the catcher the demo started is gone
pid=$(sed -n 's/^Mail catcher: pid \([0-9]*\) .*/\1/p' "$OUT")
[ -n "$pid" ] || { echo "no catcher pid printed" >&2; exit 1; }
gone "$pid"

# a second run replaces the registry and the caught mail
n1=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM courses")
run 0 demo --no-serve
db_count "SELECT count(*) FROM courses" "$n1"
db_count "SELECT count(*) FROM patients" 2000
[ "$(ls demo/mail/new | wc -l)" = "$sent" ] || { echo "old mail kept" >&2; exit 1; }
[ -z "$(ls "$TMPDIR")" ] || { echo "temporary CSV left behind: $(ls "$TMPDIR")" >&2; exit 1; }

# serving: the web app answers; SIGTERM to the demo stops it and the catcher.
# The port is picked free, but another test may take it first: the demo
# then exits saying it cannot listen, and it is tried on another (5 tries).
serve_demo() { # 0 when the demo serves on $PORT, 1 when the port was taken
	PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	rm -rf served
	"$PROLO" demo --dir served --port "$PORT" >"$T/served.out" 2>"$T/served.err" &
	DEMO_PID=$!
	i=0
	# its own server's line, not merely an answer on the port (which
	# another test's server could give)
	until grep -q "^prolo: serving http://127.0.0.1:$PORT/" "$T/served.out" &&
		$PY -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1',$PORT,timeout=1); c.request('GET','/api/me'); sys.exit(0 if c.getresponse().status==401 else 1)" 2>/dev/null; do
		if ! kill -0 "$DEMO_PID" 2>/dev/null; then
			wait "$DEMO_PID"
			DEMO_PID=""
			grep -q "cannot listen" "$T/served.err" && return 1
			cat "$T/served.out" "$T/served.err" >&2
			echo "demo did not serve" >&2
			exit 1
		fi
		[ $i -lt 400 ] || { echo "web app does not answer on $PORT" >&2; exit 1; }
		sleep 0.1; i=$((i + 1))
	done
	grep -q '^Serving' "$T/served.out" || { cat "$T/served.out" >&2; echo "no Serving line" >&2; exit 1; }
}
tries=0
until serve_demo; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { echo "no free port for the demo in 5 tries" >&2; exit 1; }
done
grep -q "base_url = http://127.0.0.1:$PORT" served/prolo.db-outreach.conf || { echo "base_url not the served port" >&2; exit 1; }
[ "$(ls served/mail/new | wc -l)" -ge 1 ] || { echo "no mail caught while serving" >&2; exit 1; }
catcher=$(sed -n 's/^Mail catcher: pid \([0-9]*\) .*/\1/p' "$T/served.out")
web=$(sed -n 's/^web app: pid \([0-9]*\)$/\1/p' "$T/served.out")
[ -n "$catcher" ] && [ -n "$web" ] || { echo "pids not printed" >&2; cat "$T/served.out" >&2; exit 1; }
kill -0 "$catcher" && kill -0 "$web" || { echo "catcher or web app not running" >&2; exit 1; }
kill -TERM "$DEMO_PID"
wait "$DEMO_PID"
rc=$?
DEMO_PID=""
[ "$rc" = 0 ] || { echo "demo exited $rc after SIGTERM" >&2; cat "$T/served.err" >&2; exit 1; }
gone "$catcher" "$web"
grep -q "Mail catcher stopped." "$T/served.out" || { echo "no stop message" >&2; exit 1; }
exit 0
