#!/bin/sh
# Bad values of the server's and the audit commands' options are refused
# before anything starts or is read: exit 2, the option named, the registry
# unchanged and no audit spool or lock file created.
. "$TOP/tests/lib/cli.sh"
run 0 init
sqlite3 "$PROLO_DB" .dump >"$T/before.sql"
for case in "--port 0|--port" "--port 70000|--port" "--port 8x|--port" \
	"--threads 0|--threads" "--threads 257|--threads" \
	"--chart-cache-mb -1|--chart-cache-mb" "--chart-cache-mb 2048|--chart-cache-mb" \
	"--chart-cache-mb many|--chart-cache-mb" "--session-idle 0|--session-idle" \
	"--link-ttl 99999999999|--link-ttl" "--public-origin clinic.example|--public-origin" \
	"--public-origin https://clinic.example/app|--public-origin"; do
	args=${case%%|*}
	name=${case##*|}
	# bounded: a value wrongly taken would start a server that runs on
	# shellcheck disable=SC2086
	timeout 10 "$PROLO" serve --bind 127.0.0.1 $args >"$OUT" 2>"$ERR"
	got=$?
	[ "$got" = 2 ] || { echo "serve $args: exit $got, expected 2" >&2; cat "$ERR" >&2; exit 1; }
	err_has "$name"
done
for v in 0 -3 abc 100001 ""; do
	run 2 audit list --limit "$v"
	err_has "limit"
done
sqlite3 "$PROLO_DB" .dump >"$T/after.sql"
cmp -s "$T/before.sql" "$T/after.sql" || { echo "a refused command changed the registry" >&2; exit 1; }
for f in "$PROLO_DB-audit" "$PROLO_DB-audit.lock" "$PROLO_DB-audit.sealed"; do
	[ ! -e "$f" ] || { echo "a refused command created $f" >&2; exit 1; }
done
echo ok
