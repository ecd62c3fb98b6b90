#!/bin/sh
# Builds every libFuzzer harness under fuzz/ and runs each for a bounded
# time. No make needed: each harness links the few pure core sources it
# fuzzes directly.
#
#   sh fuzz/run.sh [SECONDS_PER_HARNESS] [HARNESS...]
#
# SECONDS_PER_HARNESS defaults to 30. Output goes to build/fuzz/ (binaries,
# the growing corpus, crash files); the seed corpus in fuzz/corpus/ is read,
# never written. Exits non-zero if a harness fails to build or finds a crash.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
CC=${FUZZ_CC:-clang}
out=$top/build/fuzz
mkdir -p "$out"

# The pure modules a harness may need; all are I/O-free.
core="$top/src/core/instruments.c $top/src/core/err.c $top/src/core/domain.c
      $top/src/core/buf.c $top/src/core/records.c $top/src/core/csvread.c $top/src/core/rec_json.c
      $top/src/security/audit_line.c $top/src/core/dsn.c"
flags="-std=c17 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I$top/src"

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found (set FUZZ_CC to a clang with libFuzzer)" >&2
	exit 77
fi

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(cd "$top/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi

status=0
for name in $names; do
	src=$top/fuzz/fuzz_$name.c
	bin=$out/fuzz_$name
	echo "== $name: build"
	# shellcheck disable=SC2086
	$CC $flags -o "$bin" "$src" $core -lcsv -ljansson -lsodium -lm
	corpus=$out/corpus-$name
	mkdir -p "$corpus" "$out/crashes-$name"
	dict=
	[ -f "$top/fuzz/$name.dict" ] && dict=-dict=$top/fuzz/$name.dict
	seeds=
	[ -d "$top/fuzz/corpus/$name" ] && seeds=$top/fuzz/corpus/$name
	echo "== $name: run ${secs}s"
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 \
		-print_final_stats=1 $dict \
		-artifact_prefix="$out/crashes-$name/" "$corpus" $seeds \
		>"$out/$name.log" 2>&1; then
		echo "== $name: ok ($(grep -E '^stat::number_of_executed_units' "$out/$name.log" | awk '{print $2}') runs, corpus $(ls "$corpus" | wc -l) files)"
	else
		status=1
		echo "== $name: FAILED, see $out/$name.log and $out/crashes-$name/" >&2
		tail -n 30 "$out/$name.log" >&2
	fi
done
exit $status
