#!/bin/sh
# Group commit: concurrent session POSTs land exactly once, a failing
# request does not disturb the others of its batch, replays add nothing
# (concurrent.py); then the server is killed with SIGKILL and every
# acknowledged session is still in the registry, and every answered chart
# read has its audit row (from the audit spool, brought in by the next
# server or by `prolo audit verify`).
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
$PY "$API_DIR/concurrent.py" --port "$PORT" --password "$PASSWORD" --db "$PROLO_DB" --acked "$T/acked" --reads "$T/reads" || exit 1
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
n=$(wc -l <"$T/acked")
while read -r c s; do
	got=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM sessions s JOIN courses c ON c.pk = s.course_pk WHERE c.course_id = '$c' AND s.session_no = $s")
	[ "$got" = 1 ] || { echo "acknowledged session $c/$s: $got rows after kill -9" >&2; exit 1; }
done <"$T/acked"
reads=$(cat "$T/reads")
[ "$reads" = 400 ] || { echo "expected 400 answered reads, got $reads" >&2; exit 1; }
logged() { sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE user = 'clin1' AND action = 'patient.read' AND record = 'patient:GC1'"; }
run 0 audit verify
out_has "audit log intact"
got=$(logged)
[ "$got" -ge "$reads" ] || { echo "$reads reads answered, $got audited after kill -9" >&2; exit 1; }
[ ! -e "$PROLO_DB-audit" ] && [ ! -e "$PROLO_DB-audit.sealed" ] || { echo "spool files left after recovery" >&2; exit 1; }

# Again, recovered by the next server this time; and a second server on the
# same registry is refused while the first runs.
api_start
$PY -c "
import sys; sys.path.insert(0, '$API_DIR')
from client import Client
cl = Client($PORT, '$PASSWORD'); ck, _ = cl.login('clin1')
for _ in range(50):
    st, _, d = cl.raw('GET', '/api/patients/GC1', None, {'Cookie': ck})
    assert st == 200, st
" || exit 1
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
api_start
got2=$(logged)
[ "$got2" -ge $((got + 50)) ] || { echo "50 more reads answered, $((got2 - got)) more audited after the restart" >&2; exit 1; }
if timeout 10 "$PROLO" serve --bind 127.0.0.1 --port "$PORT" >"$T/second.out" 2>&1; then
	echo "a second server started on the same registry" >&2; exit 1
fi
grep -q "another server is running on this registry" "$T/second.out" || { cat "$T/second.out" >&2; exit 1; }
api_stop || exit 1
run 0 audit verify
out_has "audit log intact"
echo "ok: $n acknowledged sessions and $reads + 50 answered reads' audit rows survive kill -9"
