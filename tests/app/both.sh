#!/bin/sh
# One table of use-case cases (tests/app/cases.json) through the command
# line and through the JSON API: the same input is refused with the same
# code and the same field by both, and accepted by both.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
CLI_DB="$T/cli.db"
PROLO_DB="$CLI_DB" "$PROLO" init >/dev/null || exit 1
# The fixture, on both registries, through the command line.
# Each line: the day the row runs on, then its command line.
$PY - "$TOP/tests/app/cases.json" <<'PYEOF' >"$T/fixture.sh" || exit 1
import json, shlex, sys
t = json.load(open(sys.argv[1]))
flag = {"course_id": "--course", "session_no": "--session"}
for f in t["fixture"]:
    grp = {"patient.add": "patient", "course.add": "course", "booking.add": "booking"}[f["action"]]
    opt = (lambda k: flag.get(k, f"--{k}")) if grp == "booking" else (lambda k: f"--{k}")
    args = [grp, "add"] + [x for k, v in f["input"].items() for x in (opt(k), str(v))]
    print(f.get("today", t["today"]), " ".join(shlex.quote(a) for a in args))
PYEOF
while read -r day line; do
	for db in "$PROLO_DB" "$CLI_DB"; do
		eval "PROLO_TODAY=$day \"\$PROLO\" --db \"\$db\" $line" >/dev/null || { echo "fixture failed: $line" >&2; exit 1; }
	done
done <"$T/fixture.sh"
# The table's day, for the server and the command line alike.
PROLO_TODAY=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["today"])' "$TOP/tests/app/cases.json") || exit 1
export PROLO_TODAY
api_start
$PY "$TOP/tests/app/both.py" --prolo "$PROLO" --cli-db "$CLI_DB" --port "$PORT" --password "$PASSWORD" \
	"$TOP/tests/app/cases.json" || exit 1
api_stop || exit 1
