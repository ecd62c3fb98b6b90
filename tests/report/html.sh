#!/bin/sh
# The HTML outcomes report opens offline in headless Chromium and its charts
# are drawn: builds a registry from the reference data, renders
# `prolo report --format html`, screenshots it (kept under
# build/e2e-artifacts/) and checks the SVG charts and their pixels.
set -u
TOP=${TOP:-$(pwd)}
. "$TOP/tests/e2e/lib/browser.sh"
PROLO=${PROLO_BIN:?PROLO_BIN not set}
browser_require
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-report-html.XXXXXX")
trap 'rm -rf "$T"' EXIT
export PROLO_DB="$T/prolo.db"
"$PROLO" init >"$T/log" 2>&1 || { echo "prolo init failed:"; cat "$T/log"; exit 1; }
if ! "$PROLO" import csv "$TOP/tests/reference/registry-10k" >"$T/log" 2>&1; then
	if grep -q "unknown command" "$T/log"; then echo "skip: prolo import is not there yet"; exit 77; fi
	echo "prolo import csv failed:"; cat "$T/log"; exit 1
fi
if ! "$PROLO" report --format html --out "$T/report.html" >"$T/log" 2>&1; then
	if grep -q "unknown command\|unknown format\|not supported\|not implemented" "$T/log"; then
		echo "skip: prolo report --format html is not there yet"; cat "$T/log"; exit 77
	fi
	echo "prolo report --format html failed:"; cat "$T/log"; exit 1
fi
cp "$T/report.html" "$ARTIFACTS/report.html"
cd "$E2E_DIR" && timeout 180 node report-html.mjs "$T/report.html" "$ARTIFACTS"
