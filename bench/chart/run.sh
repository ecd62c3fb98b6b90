#!/bin/sh
# One course's reads (a chart's follow-up, a course's calendar) against a
# registry's size: `prolo followup show ID` and `prolo schedule export --ics
# F --course ID` for the registry's last course, against the baseline
# `prolo course show ID` (one record by its key: process start, opening
# the registry, one index search), measured in the same run. Goal: each
# costs a small constant times the baseline, whatever the registry's size
# (it used to read every later course's sessions and answers).
# CPU time (user + system) of REPS batches (default 7) of 10 runs per
# contender, round robin; the median batch counts, per run.
# The registry (prolo simulate --seed 1) is cached under bench/out/chart-N/
# (git-ignored); delete that folder to rebuild it.
# usage: bench/chart/run.sh [PATIENTS]    (default 100000)
#        PROLO_BIN overrides ./prolo; REPS the number of runs
set -eu
N=${1:-100000}
REPS=${REPS:-7}
PROLO=${PROLO_BIN:-./prolo}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ -x "$PROLO" ] || { echo "build prolo first (make)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }

. "$TOP/bench/lib.sh"
bench_registry chart "$N"
LAST=$(sqlite3 "$DB" "SELECT course_id FROM courses ORDER BY pk DESC LIMIT 1")
[ -n "$LAST" ] || { echo "no course in $DB" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cpu() { # name, command...: appends ten runs' user+system seconds, per run, to $T/name
	name=$1
	shift
	/usr/bin/time -f "%U %S" -o "$T/t" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do "$@" >/dev/null 2>&1 || exit 1; done' sh "$@"
	awk '{ printf "%.4f\n", ($1 + $2) / 10 }' "$T/t" >>"$T/$name"
}
i=0
while [ "$i" -lt "$REPS" ]; do
	cpu show "$PROLO" --db "$DB" course show "$LAST"
	cpu followup "$PROLO" --db "$DB" followup show "$LAST"
	cpu calendar "$PROLO" --db "$DB" schedule export --ics "$T/c.ics" --course "$LAST"
	i=$((i + 1))
done
median() { sort -n "$T/$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
b=$(median show)
echo "registry: $N patients; course $LAST (the last); median of $REPS batches of 10 runs, CPU seconds per run"
for k in followup calendar; do
	m=$(median "$k")
	awk -v k="$k" -v m="$m" -v b="$b" 'BEGIN { printf "%-9s %.4f s   baseline (course show) %.4f s   ratio %.2f\n", k, m, b, (b > 0 ? m / b : 0) }'
done
