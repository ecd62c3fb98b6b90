#!/bin/sh
# End to end: every reference case imported with `prolo import csv`, then
# `prolo report --format csv --out DIR`, compared with the expected files
# cell by cell (tests/tools/csvcmp.py; README.md "Comparing").
# Skips (77) while the binary has no `import csv` or `report`.
set -u
PROLO=${PROLO_BIN:?PROLO_BIN not set}
TOP=${TOP:-$(pwd)}
CMP="/usr/bin/python3 $TOP/tests/tools/csvcmp.py"
[ -x "$PROLO" ] || { echo "no prolo binary at $PROLO"; exit 77; }
"$PROLO" import 2>&1 | grep -q "import csv" || { echo "prolo import csv not available"; exit 77; }
"$PROLO" report --format nonsense >/dev/null 2>&1
[ $? = 2 ] || { echo "prolo report not available"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-ref.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0
for case in "$TOP"/tests/reference/registry-10k "$TOP"/tests/reference/edge-cases/*; do
	[ -d "$case/expected" ] || continue
	name=$(basename "$case")
	db="$T/$name.db"
	if ! "$PROLO" --db "$db" init >"$T/log" 2>&1 ||
	   ! "$PROLO" --db "$db" import csv "$case" >>"$T/log" 2>&1; then
		echo "FAIL $name: import"; cat "$T/log"; fail=1; continue
	fi
	if ! "$PROLO" --db "$db" report --format csv --out "$T/$name" >>"$T/log" 2>&1; then
		echo "FAIL $name: report"; cat "$T/log"; fail=1; continue
	fi
	for f in report.csv logrank.csv; do
		if $CMP "$T/$name/$f" "$case/expected/$f"; then
			echo "ok   $name/$f"
		else
			echo "FAIL $name/$f"; fail=1
		fi
	done
done
exit $fail
