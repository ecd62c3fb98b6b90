#!/bin/sh
# Import benchmark (issue 2): `prolo import csv` of a simulated registry
# against the sqlite3 shell's `.import` of the same CSV files into plain
# tables, side by side in one run, alternating, median of REPS runs each.
# Usage: bench/import/run.sh [PATIENTS] [REPS]     (default 1000000 3)
set -eu
N=${1:-1000000}
REPS=${2:-3}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PROLO="$TOP/prolo"
OUT="$TOP/bench/out/import-$N"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }
[ -x "$PROLO" ] || make -C "$TOP" >/dev/null
mkdir -p "$OUT"
# A private copy: a rebuild during the run must not change what is measured.
cp "$PROLO" "$OUT/prolo-bench"
PROLO="$OUT/prolo-bench"
if [ ! -f "$OUT/csv/adverse_events.csv" ]; then
	echo "simulating $N patients into $OUT/csv ..." >&2
	"$PROLO" simulate --patients "$N" --seed 2026 --out "$OUT/csv" >/dev/null
fi
rows=$(cat "$OUT"/csv/*.csv | wc -l)
size=$(du -smL "$OUT/csv" | cut -f1)

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_prolo() {
	rm -f "$OUT/prolo.db" "$OUT/prolo.db-wal" "$OUT/prolo.db-shm"
	"$PROLO" --db "$OUT/prolo.db" init >/dev/null
	t0=$(now)
	"$PROLO" --db "$OUT/prolo.db" import csv "$OUT/csv" >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc
}
run_sqlite() {
	rm -f "$OUT/plain.db"
	t0=$(now)
	sqlite3 "$OUT/plain.db" -cmd ".mode csv" \
		".import $OUT/csv/patients.csv patients" ".import $OUT/csv/courses.csv courses" \
		".import $OUT/csv/sessions.csv sessions" ".import $OUT/csv/outcomes.csv outcomes" \
		".import $OUT/csv/adverse_events.csv adverse_events"
	t1=$(now)
	echo "$t1 - $t0" | bc
}

: > "$OUT/prolo.times"
: > "$OUT/sqlite.times"
i=0
while [ "$i" -lt "$REPS" ]; do
	run_sqlite >> "$OUT/sqlite.times"
	run_prolo >> "$OUT/prolo.times"
	i=$((i + 1))
done
p=$(median < "$OUT/prolo.times")
s=$(median < "$OUT/sqlite.times")
echo "import bench: $N patients, $rows CSV rows, $size MiB, $REPS runs each, $(nproc) cores"
printf 'sqlite3 .import into plain tables: %.1f s (runs: %s)\n' "$s" "$(tr '\n' ' ' < "$OUT/sqlite.times")"
printf 'prolo import csv (checked, constrained, indexed): %.1f s (runs: %s)\n' "$p" "$(tr '\n' ' ' < "$OUT/prolo.times")"
printf 'prolo / sqlite3 .import = %.2f (goal <= 1.00)\n' "$(echo "$p / $s" | bc -l)"
