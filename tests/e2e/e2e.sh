#!/bin/sh
# End-to-end browser tests of the web app: a fresh registry with four users,
# `prolo serve` on a free loopback port, then, in headless Chromium:
# tests/e2e/e2e.mjs drives the clinic's day, a11y.mjs checks every page
# with axe-core (WCAG 2.1 A and AA, at 1280 and 390 px, as each role) and
# keyboard.mjs tabs through every page, patients.mjs a patient's registry
# life (duplicates, pre-filled sessions, merges), users.mjs has an admin
# disable a user and reset a password, booking.mjs books, reschedules and
# cancels appointments (see those files). This script runs
# E2E_TESTS (default e2e); the other scripts here run the others, so that
# the suite runs them side by side. Screenshots are kept in
# build/e2e-artifacts/NAME/. Only the server started here is stopped, by its
# PID; every wait is bounded.
set -u
TOP=${TOP:-$(pwd)}
. "$TOP/tests/e2e/lib/browser.sh"
PROLO=${PROLO_BIN:?PROLO_BIN not set}
browser_require
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-e2e.XXXXXX")
SERVER_PID=""
trap 'stop_server; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
export PROLO_DB="$T/prolo.db"
# One day and one zone for the server, the browser (lib/browser.mjs holds
# its clock on that day; its zone is UTC) and the tests' own dates
# (isoDay): read once, so a run that crosses midnight, or a machine whose
# zone is not UTC, does not give them different days.
TZ=UTC
PROLO_TODAY=${PROLO_TODAY:-$(date -u +%Y-%m-%d)}
export TZ PROLO_TODAY

"$PROLO" init >"$T/log" 2>&1 || { echo "prolo init failed:"; cat "$T/log"; exit 1; }
add_user() { # name role clinic password
	if [ -n "$3" ]; then
		printf '%s\n' "$4" | "$PROLO" user add "$1" --role "$2" --clinic "$3" --password-stdin >"$T/log" 2>&1
	else
		printf '%s\n' "$4" | "$PROLO" user add "$1" --role "$2" --password-stdin >"$T/log" 2>&1
	fi
	if [ $? != 0 ]; then
		if grep -q "unknown command" "$T/log"; then echo "skip: prolo user is not there yet"; exit 77; fi
		echo "prolo user add $1 failed:"; cat "$T/log"; exit 1
	fi
}
add_user admin admin "" admin-pass-1
add_user drsmith clinician C01 clinician-pass-1
add_user nurse staff C01 staff-pass-1
add_user analyst researcher "" researcher-pass-2
# A condition of the clinic's own: the course form must offer it (from
# GET /api/vocab) and the server accept it.
"$PROLO" condition add plantar_fasciitis --icd10 M72.2 --snomed 202882003 --label "Plantar fasciitis" >"$T/log" 2>&1 ||
	{ echo "prolo condition add failed:"; cat "$T/log"; exit 1; }

# A free loopback port: ask the kernel, then start; retry if someone raced us.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
started=no
for attempt in 1 2 3; do
	PORT=$(free_port) || { echo "could not find a free port"; exit 1; }
	"$PROLO" serve --bind 127.0.0.1 --port "$PORT" >"$T/serve.log" 2>&1 &
	SERVER_PID=$!
	i=0
	while [ $i -lt 100 ]; do # at most 20 s
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
		if grep -q "serving http" "$T/serve.log"; then started=yes; break; fi
		sleep 0.2
		i=$((i + 1))
	done
	[ $started = yes ] && break
	if grep -q "unknown command" "$T/serve.log"; then echo "skip: prolo serve is not there yet"; exit 77; fi
	stop_server
	echo "prolo serve did not start (attempt $attempt):"; cat "$T/serve.log"
done
[ $started = yes ] || exit 1
echo "prolo serve on 127.0.0.1:$PORT (pid $SERVER_PID)"

cd "$E2E_DIR" || exit 1
rc=0
for t in ${E2E_TESTS:-e2e}; do
	echo "--- $t.mjs"
	case $t in
	e2e) limit=330 ;;
	*) limit=450 ;;
	esac
	# Each browser test keeps this run's screenshots in a folder of its own
	# (the browser tests run side by side).
	mkdir -p "$ARTIFACTS/$t"
	rm -f "$ARTIFACTS/$t"/*.png
	timeout $limit node "$t.mjs" "http://127.0.0.1:$PORT" "$ARTIFACTS/$t" || rc=1
done
if [ $rc != 0 ]; then
	echo "--- server log"
	tail -n 40 "$T/serve.log"
fi
exit $rc
