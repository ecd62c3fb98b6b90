#!/bin/sh
# Simulator throughput: patients per minute into CSV on one core.
# Goal (issue 4): at least 1,000,000 simulated patients per minute.
# usage: bench/sim/run.sh [PATIENTS]   (PROLO_BIN overrides ./prolo)
set -eu
N=${1:-1000000}
PROLO=${PROLO_BIN:-./prolo}
[ -x "$PROLO" ] || { echo "build prolo first (make)" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/prolo-bench-sim.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
start=$(date +%s.%N)
"$PROLO" simulate --patients "$N" --seed 1 --out "$OUT" >/dev/null
end=$(date +%s.%N)
# baseline in the same run: writing the same bytes with cat (the I/O floor)
b0=$(date +%s.%N)
cat "$OUT"/*.csv > "$OUT/copy"
b1=$(date +%s.%N)
rm -f "$OUT/copy"
bytes=$(cat "$OUT"/*.csv | wc -c)
rows=$(cat "$OUT"/*.csv | wc -l)
awk -v n="$N" -v s="$start" -v e="$end" -v b="$bytes" -v r="$rows" -v b0="$b0" -v b1="$b1" 'BEGIN {
	t = e - s
	printf "simulate: %d patients in %.2f s = %.0f patients/minute (goal 1000000: %.1fx)\n", n, t, n * 60 / t, n * 60 / t / 1000000
	printf "          %d CSV rows, %.1f MiB, %.0f rows/s\n", r, b / 1048576, r / t
	printf "baseline: writing the same bytes with cat took %.2f s; simulate / baseline = %.1fx\n", b1 - b0, t / (b1 - b0)
}'
