#!/bin/sh
# Group commit: concurrent session POSTs land exactly once, a failing
# request does not disturb the others of its batch, replays add nothing
# (concurrent.py); then the server is killed with SIGKILL and every
# acknowledged session is still in the registry.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
$PY "$API_DIR/concurrent.py" --port "$PORT" --password "$PASSWORD" --db "$PROLO_DB" --acked "$T/acked" || exit 1
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
n=$(wc -l <"$T/acked")
while read -r c s; do
	got=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM sessions s JOIN courses c ON c.pk = s.course_pk WHERE c.course_id = '$c' AND s.session_no = $s")
	[ "$got" = 1 ] || { echo "acknowledged session $c/$s: $got rows after kill -9" >&2; exit 1; }
done <"$T/acked"
run 0 audit verify
out_has "audit log intact"
echo "ok: $n acknowledged sessions survive kill -9"
