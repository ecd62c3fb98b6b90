#!/bin/sh
# Every file prolo writes that holds patient or account data is private to
# its owner (0600, folders it creates 0700) whatever the umask, also when
# the file was already there with a wider mode; a registry that group or
# others may read or write is refused (exit 5, naming the file and its
# mode) unless --allow-shared-registry or PROLO_ALLOW_SHARED=1.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
API_DIR="$TOP/tests/api"
umask 022
mode() { stat -c %a "$1"; }
want() { # mode, file...
	m=$1
	shift
	for f in "$@"; do
		[ -e "$f" ] || { echo "missing: $f" >&2; exit 1; }
		got=$(mode "$f")
		[ "$got" = "$m" ] || { echo "$f: mode $got, expected $m" >&2; exit 1; }
	done
}

run 0 init
want 600 "$PROLO_DB"
run 0 patient add --patient_id P1 --clinic C01 --sex female --birth_year 1970 --first_name Ann
run 0 course add --course_id K1 --patient_id P1 --modality prp --condition knee_oa \
	--start_date 2030-03-01 --planned_sessions 3 --interval_days 14 --status planned
PROLO_TODAY=2030-03-05 run 0 session add --course_id K1 --date 2030-03-02 --proliferant prp

# The WAL files, while another connection keeps them (SQLite gives them the
# registry's own mode).
$PY - "$PROLO_DB" "$PROLO" <<'PY' || exit 1
import os, sqlite3, subprocess, sys
db, prolo = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("SELECT count(*) FROM patients").fetchall()
subprocess.run([prolo, "--db", db, "patient", "add", "--patient_id", "P2", "--clinic", "C01",
                "--sex", "male"], check=True, stdout=subprocess.DEVNULL)
for sfx in ("-wal", "-shm"):
    m = os.stat(db + sfx).st_mode & 0o777
    if m != 0o600:
        sys.exit(f"{sfx}: mode {m:o}, expected 600")
c.close()
PY

run 0 backup "$T/copy.db"
want 600 "$T/copy.db"

run 0 patient report P1 --html "$T/p1.html" --today 2030-03-05
want 600 "$T/p1.html"
echo old >"$T/p1-old.html"
run 0 patient report P1 --html "$T/p1-old.html" --today 2030-03-05
want 600 "$T/p1-old.html"
run 0 schedule export --ics "$T/cal.ics" --today 2030-03-05
want 600 "$T/cal.ics"

for fmt in text json html; do
	echo old >"$T/report.$fmt"
	run 0 report --format "$fmt" --out "$T/report.$fmt"
	want 600 "$T/report.$fmt"
done
run 0 report --format csv --out "$T/rep"
want 700 "$T/rep"
want 600 "$T/rep/report.csv" "$T/rep/logrank.csv"
mkdir "$T/shared"
echo old >"$T/shared/report.csv"
run 0 report --format csv --out "$T/shared"
want 600 "$T/shared/report.csv" "$T/shared/logrank.csv"

run 0 export csv "$T/exp"
want 700 "$T/exp"
mkdir "$T/exp2"
echo old >"$T/exp2/patients.csv"
run 0 export csv "$T/exp2"
for f in "$T/exp2"/*.csv; do want 600 "$f"; done
want 755 "$T/exp2" # the user's own folder is left as it is

run 0 simulate --patients 20 --out "$T/sim"
want 700 "$T/sim"
for f in "$T/sim"/*.csv; do want 600 "$f"; done
run 0 simulate --patients 20 --db "$T/sim.db"
want 600 "$T/sim.db"

# The audit spool's lock file, also when it was left with a wider mode.
"$PROLO" --db "$T/spool.db" init >/dev/null || exit 1
printf 'prolo-audit-spool 1 00112233445566778899aabbccddeeff\n2024-01-01T00:00:00Z\tclin1\tpatient.read\tpatient:P1\t127.0.0.1\tchart\n' >"$T/spool.db-audit"
: >"$T/spool.db-audit.lock"
chmod 644 "$T/spool.db-audit.lock"
run 0 --db "$T/spool.db" audit list --limit 1
want 600 "$T/spool.db-audit.lock"

# The server's spool file, while it holds a read's audit row.
printf '%s\n' "$PASSWORD" | "$PROLO" user add admin --role admin --password-stdin >/dev/null || exit 1
api_start
cat >"$T/read.json" <<'JSON'
[{"as": "admin", "method": "GET", "path": "/api/patients/P1", "status": 200}]
JSON
api_cases "$T/read.json" || exit 1
want 600 "$PROLO_DB-audit" "$PROLO_DB-audit.lock"
api_stop

# A registry that group or others may read is refused, naming the file.
chmod 640 "$PROLO_DB"
run 5 patient list
err_has "$PROLO_DB"
err_has "mode 0640"
err_has "--allow-shared-registry"
run 5 audit verify
run 0 --allow-shared-registry patient list
out_has "P1"
PROLO_ALLOW_SHARED=1 run 0 patient list
chmod 600 "$PROLO_DB"
chmod 606 "$T/copy.db"
run 5 --db "$T/copy.db" patient show P1
err_has "mode 0606"
chmod 600 "$T/copy.db"
run 0 --db "$T/copy.db" patient show P1
echo ok
