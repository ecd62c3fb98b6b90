#!/bin/sh
# Outcomes report speed and memory (issue 3): `prolo report --format csv
# --out DIR` end to end from the database, against two baselines measured in
# the same run:
#   pandas  bench/report/report_pandas.py computing the same report.csv and
#           logrank.csv from the registry's CSV export (goal: prolo >= 10x faster)
#   read    bench/report/read_columns.c merely reading the columns the report
#           needs from the database (goal: prolo within 1.3x)
# and peak memory (goal: prolo under 256 MiB). Each contender runs REPS times
# (default 3), round robin, after one untimed warm-up read of its input;
# the median wall time counts, peak RSS is the largest of the runs.
# The registry (prolo simulate --seed 1) and its export are cached under
# bench/out/report-N/ (git-ignored); delete that folder to rebuild them.
# usage: bench/report/run.sh [PATIENTS]    (default 1000000)
#        PROLO_BIN overrides ./prolo; REPS the number of runs; CC the compiler
set -eu
N=${1:-1000000}
REPS=${REPS:-3}
PROLO=${PROLO_BIN:-./prolo}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ -x "$PROLO" ] || { echo "build prolo first (make)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
$PY -c 'import pandas' 2>/dev/null || { echo "needs $PY with pandas (apt-get install python3-pandas)" >&2; exit 2; }

CACHE=$TOP/bench/out/report-$N
DB=$CACHE/registry.db
CSV=$CACHE/export
mkdir -p "$CACHE"
if [ ! -f "$DB" ]; then
	echo "making a registry of $N patients (seed 1) in $DB ..."
	rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm" "$DB.tmp-audit.key" "$DB.tmp-audit.anchor"
	"$PROLO" --db "$DB.tmp" simulate --patients "$N" --seed 1 >/dev/null
	[ ! -s "$DB.tmp-wal" ] || { echo "the new registry left a WAL file behind" >&2; exit 1; }
	rm -f "$DB.tmp-wal" "$DB.tmp-shm"
	# the audit chain's key and anchors go with the registry
	for f in -audit.key -audit.anchor; do
		[ ! -f "$DB.tmp$f" ] || mv "$DB.tmp$f" "$DB$f"
	done
	mv "$DB.tmp" "$DB"
fi
if [ ! -f "$CSV/.complete" ]; then
	echo "exporting it to $CSV ..."
	rm -rf "$CSV"
	"$PROLO" --db "$DB" export csv "$CSV" >/dev/null
	: >"$CSV/.complete"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-bench-report.XXXXXX")
trap 'rm -rf "$T"' EXIT
${CC:-cc} -std=c17 -O2 -o "$T/read_columns" "$HERE/read_columns.c" -lsqlite3

# The report's read connection uses these; the floor gets the same.
export READ_COLUMNS_PRAGMAS="${READ_COLUMNS_PRAGMAS:-}"

# run NAME CMD...: one timed run; appends "wall_s cpu_s maxrss_kib" to $T/NAME
# (cpu = user + system, less sensitive than wall time to other load)
run() {
	name=$1
	shift
	s=$(date +%s.%N)
	/usr/bin/time -v -o "$T/time.txt" "$@" >"$T/$name.out" 2>"$T/$name.err" ||
		{ echo "$name failed:" >&2; cat "$T/$name.err" >&2; exit 1; }
	e=$(date +%s.%N)
	awk -F': ' -v s="$s" -v e="$e" '
		/User time/ {u = $2} /System time/ {y = $2} /Maximum resident set size/ {m = $2}
		END {printf "%.3f %.2f %d\n", e - s, u + y, m}' "$T/time.txt" >>"$T/$name"
}

# warm-up: the inputs into the page cache, as they would be on a busy server
cat "$DB" "$CSV"/*.csv >/dev/null
i=0
while [ "$i" -lt "$REPS" ]; do
	run prolo "$PROLO" --db "$DB" report --format csv --out "$T/prolo-report"
	run read "$T/read_columns" "$DB"
	run pandas "$PY" "$HERE/report_pandas.py" "$CSV" "$T/pandas-report"
	i=$((i + 1))
done

# the two reports must agree (README "Comparing")
for f in report.csv logrank.csv; do
	$PY "$TOP/tests/tools/csvcmp.py" "$T/prolo-report/$f" "$T/pandas-report/$f" >/dev/null ||
		{ echo "prolo and pandas disagree on $f" >&2; exit 1; }
done

median() { # FILE COLUMN
	sort -n -k"$2" "$T/$1" | awk -v c="$2" '{t[NR] = $c} END {print t[int((NR + 1) / 2)]}'
}
peak() { sort -k3 -n "$T/$1" | tail -n 1 | awk '{print $3}'; }
all() { awk -v c="$2" '{printf "%s%s", sep, $c; sep = " "}' "$T/$1"; }
rows=$(awk '{print $1}' "$T/read.out")
awk -v n="$N" -v reps="$REPS" -v rows="$rows" \
    -v tp="$(median prolo 1)" -v tr="$(median read 1)" -v td="$(median pandas 1)" \
    -v cp="$(median prolo 2)" -v cr="$(median read 2)" -v cd="$(median pandas 2)" \
    -v mp="$(peak prolo)" -v mr="$(peak read)" -v md="$(peak pandas)" \
    -v ap="$(all prolo 1)" -v ar="$(all read 1)" -v ad="$(all pandas 1)" '
function x(a, b, f) { return b > 0 ? sprintf(f, a / b) : "n/a" }
BEGIN {
	printf "registry: %d patients, %d rows read by the report\n", n, rows
	printf "median of %d runs: wall time (all runs), cpu time (user+sys), peak RSS\n", reps
	printf "  prolo report --format csv  %7.2f s (%s)  cpu %7.2f s  %7.1f MiB\n", tp, ap, cp, mp / 1024
	printf "  read columns (floor)       %7.2f s (%s)  cpu %7.2f s  %7.1f MiB\n", tr, ar, cr, mr / 1024
	printf "  pandas from CSV export     %7.2f s (%s)  cpu %7.2f s  %7.1f MiB\n", td, ad, cd, md / 1024
	printf "pandas / prolo = %s wall, %s cpu (goal >= 10x)\n", x(td, tp, "%5.1fx"), x(cd, cp, "%5.1fx")
	printf "prolo / read   = %s wall, %s cpu (goal <= 1.3x)\n", x(tp, tr, "%5.2fx"), x(cp, cr, "%5.2fx")
	printf "prolo peak RSS = %.1f MiB (goal < 256 MiB)\n", mp / 1024
}'
