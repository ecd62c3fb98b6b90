#!/bin/sh
# Runs the whole suite and ends with "N passed, N failed".
# Unit tests are the cmocka binaries under $BUILD/tests; every other test is
# an executable script under tests/*/ named *.sh (CLI cases, reference
# comparisons, API and browser tests) that exits 0 on success and 77 to skip.
#
# Tests run PROLO_TEST_JOBS at a time (default: the number of cores); each
# uses its own temporary folder and a free loopback port, so they do not
# meet. The tests named in tests/serial.txt measure time or load the
# machine on purpose and run afterwards, one at a time. With CI=1 a skipped
# test counts as failed: on CI every tool a test needs is installed.
set -u
BUILD=${BUILD:-build}
PROLO_BIN=${PROLO_BIN:-$(pwd)/prolo}
TOP=$(pwd)
export PROLO_BIN TOP BUILD
LOGDIR=$BUILD/test-logs
JOBS=${PROLO_TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
export LOGDIR

# One test: its log, its status file (pass|skip|fail SECONDS), one line out.
run_one() { # name, command...
	name=$1
	shift
	key=$(echo "$name" | tr '/' '_')
	start=$(date +%s)
	"$@" >"$LOGDIR/$key.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) st=pass; echo "ok   $name (${secs}s)" ;;
	77) st=skip; echo "skip $name (${secs}s)" ;;
	*) st=fail; echo "FAIL $name (exit $rc, ${secs}s; log: $LOGDIR/$key.log)"
	   tail -n 20 "$LOGDIR/$key.log" | sed 's/^/     /' ;;
	esac
	echo "$st $secs $name" >"$LOGDIR/$key.status"
}

if [ "${1:-}" = --one ]; then # the worker's entry: --one NAME
	case $2 in
	unit/*) run_one "$2" "$BUILD/tests/${2#unit/}" ;;
	*) run_one "$2" sh "$2" ;;
	esac
	exit 0
fi

rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
list=$LOGDIR/list
serial=$LOGDIR/serial
: >"$list"
: >"$serial"
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && echo "unit/$(basename "$t")" >>"$list"
done
# Every folder of tests/ but the libraries and tools holds test scripts.
for dir in tests/*/; do
	dir=${dir%/}
	case $dir in tests/lib | tests/tools | tests/unit) continue ;; esac
	for t in "$dir"/*.sh; do
		[ -f "$t" ] || continue
		[ "$(basename "$t")" = lib.sh ] && continue # a helper library, not a test
		if grep -qx "$t" tests/serial.txt 2>/dev/null; then
			echo "$t" >>"$serial"
		else
			echo "$t" >>"$list"
		fi
	done
done
xargs -P "$JOBS" -n 1 sh "$0" --one <"$list"
xargs -n 1 sh "$0" --one <"$serial"

pass=$(cat "$LOGDIR"/*.status | grep -c '^pass')
skip=$(cat "$LOGDIR"/*.status | grep -c '^skip')
fail=$(cat "$LOGDIR"/*.status | grep -c '^fail')
failed=$(grep -h '^fail' "$LOGDIR"/*.status | cut -d' ' -f3 | tr '\n' ' ')
if [ "${CI:-}" = 1 ] && [ "$skip" -gt 0 ]; then
	echo "skipped on CI (a tool is missing):" $(grep -h '^skip' "$LOGDIR"/*.status | cut -d' ' -f3)
	fail=$((fail + skip))
fi
echo "slowest:" $(sort -k2 -n -r "$LOGDIR"/*.status | head -5 | awk '{printf "%s %ss; ", $3, $2}')
[ -n "$failed" ] && echo "failed: $failed"
echo "$pass passed, $fail failed${skip:+, $skip skipped}"
[ "$fail" = 0 ]
