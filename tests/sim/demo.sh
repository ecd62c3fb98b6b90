#!/bin/sh
# prolo demo --no-serve: simulates a clinic network into ./demo/prolo.db,
# prints the outcomes report, writes demo/report.html and returns; a second
# run replaces the registry instead of adding to it.
. "$(dirname "$0")/../lib/cli.sh"

cd "$T" || exit 1
run 0 demo --no-serve
out_has "outcomes report"
out_has "demo/report.html"
[ -s demo/prolo.db ] || { echo "no demo/prolo.db" >&2; exit 1; }
[ -s demo/report.html ] || { echo "no demo/report.html" >&2; exit 1; }
grep -qi "<html" demo/report.html || { echo "report.html is not HTML" >&2; exit 1; }
PROLO_DB=demo/prolo.db
n1=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM courses")
run 0 demo --no-serve
db_count "SELECT count(*) FROM courses" "$n1"
db_count "SELECT count(*) FROM patients" 2000
[ -z "$(ls -d demo/csv.* 2>/dev/null)" ] || { echo "temporary CSV left behind" >&2; exit 1; }
exit 0
