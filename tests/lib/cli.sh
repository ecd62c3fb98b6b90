# Helpers for CLI case scripts: source this, then call the checks.
# Every check prints what it expected on failure and exits 1.
set -u
PROLO=${PROLO_BIN:?PROLO_BIN not set}
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export PROLO_DB="$T/prolo.db"
OUT="$T/out"
ERR="$T/err"

# The sqlite3 shell waits for a lock (up to 10 s) instead of failing at
# once with "database is locked": a test's read may meet a prolo process
# that runs alongside it (a server, a worker, the other end of a pipe).
sqlite3() { command sqlite3 -cmd ".timeout 10000" "$@"; }

# run EXPECTED_STATUS prolo-args...: runs prolo, checks the exit status.
run() {
	want=$1
	shift
	"$PROLO" "$@" >"$OUT" 2>"$ERR"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "prolo $*: exit $got, expected $want" >&2
		echo "--- stdout" >&2; head -c 4000 "$OUT" >&2
		echo "--- stderr" >&2; head -c 4000 "$ERR" >&2
		exit 1
	fi
}
# out_has TEXT / err_has TEXT: fixed-string match in the last run's output.
out_has() { grep -qF -- "$1" "$OUT" || { echo "stdout lacks '$1':" >&2; head -c 4000 "$OUT" >&2; exit 1; }; }
err_has() { grep -qF -- "$1" "$ERR" || { echo "stderr lacks '$1':" >&2; head -c 4000 "$ERR" >&2; exit 1; }; }
out_lacks() { ! grep -qF -- "$1" "$OUT" || { echo "stdout has '$1'" >&2; exit 1; }; }
# db_count SQL EXPECTED: checks a count in the registry with the sqlite3 shell.
db_count() {
	got=$(sqlite3 "$PROLO_DB" "$1")
	[ "$got" = "$2" ] || { echo "$1 -> $got, expected $2" >&2; exit 1; }
}
