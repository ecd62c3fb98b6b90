#!/bin/sh
# Browser test of a clinic's questionnaire wording (tests/e2e/instruments.mjs):
# a registry with the made-up WOMAC wording loaded for clinic C01 (the test
# fixture, not the real text), a staff WOMAC of today, `prolo serve` on a
# free loopback port; in headless Chromium the patient page shows the
# loaded wording, points out skipped items and sends; a KOOS page says its
# wording is missing; the chart shows both answers of the day with their
# subscales; the admin's Questionnaires page lists the wording. Only the
# server started here is stopped, by its PID; every wait is bounded.
set -u
TOP=${TOP:-$(pwd)}
. "$TOP/tests/e2e/lib/browser.sh"
PROLO=${PROLO_BIN:?PROLO_BIN not set}
browser_require
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-e2e-instr.XXXXXX")
SERVER_PID=""
trap 'stop_server; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
export PROLO_DB="$T/prolo.db"
PROLO_TODAY=${PROLO_TODAY:-$(date -u +%Y-%m-%d)}
export PROLO_TODAY
step() { "$PROLO" "$@" >"$T/log" 2>&1 || { echo "prolo $* failed:"; cat "$T/log"; exit 1; }; }
step init
printf '%s\n' admin-pass-1 | "$PROLO" user add admin --role admin --password-stdin >"$T/log" 2>&1 || { cat "$T/log"; exit 1; }
printf '%s\n' clinician-pass-1 | "$PROLO" user add drsmith --role clinician --clinic C01 --password-stdin >"$T/log" 2>&1 || { cat "$T/log"; exit 1; }
step patient add --patient_id IP1 --clinic C01 --sex female --first_name Iris --last_name Example
step course add --course_id IK1 --patient_id IP1 --modality prp --condition knee_oa --start_date "$PROLO_TODAY" \
	--planned_sessions 3 --status active
step instrument load "$TOP/tests/fixtures/instruments/womac-made-up.json" --clinic C01
step outcome add --course_id IK1 --date "$PROLO_TODAY" --instrument WOMAC --items "1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1"

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
	stop_server
done
[ $started = yes ] || { echo "prolo serve did not start:"; cat "$T/serve.log"; exit 1; }
cd "$E2E_DIR" || exit 1
timeout 240 node instruments.mjs "http://127.0.0.1:$PORT" "$ARTIFACTS" "$TOP/tests/fixtures/instruments/womac-made-up.json"
rc=$?
[ $rc = 0 ] || { echo "--- server log"; tail -n 30 "$T/serve.log"; }
exit $rc
