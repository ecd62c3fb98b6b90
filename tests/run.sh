#!/bin/sh
# Runs the whole suite and ends with "N passed, N failed".
# Unit tests are the cmocka binaries under $BUILD/tests; every other test is
# an executable script under tests/*/ named *.sh (CLI cases, reference
# comparisons, API and browser tests) that exits 0 on success and 77 to skip.
set -u
BUILD=${BUILD:-build}
PROLO_BIN=${PROLO_BIN:-$(pwd)/prolo}
TOP=$(pwd)
export PROLO_BIN TOP BUILD
pass=0
fail=0
failed=""
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
run_one() { # name, command...
	name=$1
	shift
	log="$LOGDIR/$(echo "$name" | tr '/' '_').log"
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		rc=$?
		if [ "$rc" = 77 ]; then
			echo "skip $name"
			return
		fi
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL $name (exit $rc; log: $log)"
		tail -n 20 "$log" | sed 's/^/     /'
	fi
}
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for dir in tests/cli tests/app tests/reference tests/api tests/e2e tests/sim tests/alerts tests/report tests/outreach; do
	[ -d "$dir" ] || continue
	for t in "$dir"/*.sh; do
		[ -f "$t" ] || continue
		[ "$(basename "$t")" = lib.sh ] && continue # a helper library, not a test
		run_one "$t" sh "$t"
	done
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
