#!/bin/sh
# make lint: the rules docs/style.md and docs/architecture.md promise and a
# compiler does not check.
#  1. No unbounded string calls in src/ (bounded buffers only).
#  2. The layers: which folders of src/ may include which, and which
#     libraries may appear where (SQLite only in the store, libmicrohttpd
#     only in the HTTP layer; nothing below the use cases includes them).
set -u
cd "$(dirname "$0")/.."
status=0

bad=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|gets)[[:space:]]*\(' src --include='*.c' --include='*.h' || true)
if [ -n "$bad" ]; then
	echo "lint: unbounded string calls are not allowed:" >&2
	echo "$bad" >&2
	status=1
fi

# FOLDER: the folders of src/ its files may include (besides its own).
# Adapters (cli, http) on top, then the use cases (app), then security and
# the store, then the pure modules, which do no I/O.
allowed() {
	case $1 in
	core) echo "" ;;
	stats) echo "core" ;;
	sim) echo "core stats" ;;
	report) echo "core stats" ;;
	store) echo "core" ;;
	outreach) echo "core" ;;
	security) echo "core store" ;;
	registry) echo "core stats store" ;;
	app) echo "core stats sim report registry security store outreach" ;;
	http) echo "core stats report registry security store outreach app" ;;
	cli) echo "core stats sim report registry security store outreach app http" ;;
	*) echo "?" ;;
	esac
}
for dir in src/*/; do
	layer=$(basename "$dir")
	ok=$(allowed "$layer")
	if [ "$ok" = "?" ]; then
		echo "lint: src/$layer/ has no place in the layers (scripts/lint.sh, docs/architecture.md)" >&2
		status=1
		continue
	fi
	grep -rnoE '#include "[a-z_]+/[a-z_0-9]+\.h"' "$dir" | while IFS= read -r hit; do
		inc=${hit#*#include \"}
		to=${inc%%/*}
		[ "$to" = "$layer" ] && continue
		case " $ok " in *" $to "*) ;; *)
			echo "lint: ${hit%%:#include*} includes $to/ (src/$layer/ may include: ${ok:-nothing of src/})" ;;
		esac
		# The command line starts the server; nothing else of the HTTP layer.
		if [ "$layer" = cli ] && [ "$to" = http ] && [ "$inc" != "http/server.h\"" ]; then
			echo "lint: ${hit%%:#include*} includes $inc (the command line may include http/server.h only)"
		fi
	done
done >"${TMPDIR:-/tmp}/prolo-lint.$$"
if [ -s "${TMPDIR:-/tmp}/prolo-lint.$$" ]; then
	cat "${TMPDIR:-/tmp}/prolo-lint.$$" >&2
	status=1
fi
rm -f "${TMPDIR:-/tmp}/prolo-lint.$$"

# Libraries with one home each.
only_in() { # HEADER-REGEX FOLDER...
	pat=$1
	shift
	hits=$(grep -rlE "#include <$pat>" src || true)
	for f in $hits; do
		home=no
		for d in "$@"; do
			case $f in src/$d/*) home=yes ;; esac
		done
		if [ $home = no ]; then
			echo "lint: $f includes <$(echo "$pat" | tr -d '\\')>, which belongs in src/$* only" >&2
			status=1
		fi
	done
}
only_in 'sqlite3\.h' store
only_in 'microhttpd\.h' http
only_in 'gsl/[a-z_]+\.h' stats sim
only_in 'csv\.h' core
only_in 'curl/curl\.h' outreach

[ $status = 0 ] && echo "lint: ok"
exit $status
