#!/bin/sh
# prolo audit verify: intact after real traffic; then an edited, a deleted
# and a reordered row (made with the sqlite3 shell, past the append-only
# triggers) are each detected and named.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
cat >"$T/traffic.json" <<'JSON'
[
 {"as": "clin1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A1", "sex": "male"}, "status": 201},
 {"as": "clin1", "method": "GET", "path": "/api/patients/A1", "status": 200},
 {"as": "staff1", "method": "GET", "path": "/api/patients/A1", "status": 200},
 {"as": "clin1", "method": "GET", "path": "/api/patients?q=A", "status": 200}
]
JSON
api_cases "$T/traffic.json" || exit 1
api_stop
run 0 audit verify
out_has "audit log intact"
rows=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log")
[ "$rows" -ge 8 ] || { echo "only $rows audit rows" >&2; exit 1; }

# The triggers refuse edits through SQL.
if sqlite3 "$PROLO_DB" "UPDATE audit_log SET user = 'x' WHERE id = 3" 2>/dev/null; then
	echo "the audit log accepted an UPDATE" >&2
	exit 1
fi
if sqlite3 "$PROLO_DB" "DELETE FROM audit_log WHERE id = 3" 2>/dev/null; then
	echo "the audit log accepted a DELETE" >&2
	exit 1
fi

tamper() { # name, sql (a copy of a registry takes its audit key and anchors along)
	cp "$PROLO_DB" "$T/$1.db"
	cp "$PROLO_DB-audit.key" "$T/$1.db-audit.key"
	cp "$PROLO_DB-audit.anchor" "$T/$1.db-audit.anchor"
	sqlite3 "$T/$1.db" "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; $2" || exit 1
}
tamper edited "UPDATE audit_log SET user = 'someone_else' WHERE id = 5"
tamper deleted "DELETE FROM audit_log WHERE id = 4"
tamper reordered "UPDATE audit_log SET id = -1 WHERE id = 6; UPDATE audit_log SET id = 6 WHERE id = 7; UPDATE audit_log SET id = 7 WHERE id = -1"
tamper rehashed "UPDATE audit_log SET action = 'patient.list', hash = zeroblob(32) WHERE id = 3"

run 4 --db "$T/edited.db" audit verify
out_has "BROKEN at row 5"
run 4 --db "$T/deleted.db" audit verify
out_has "BROKEN at row 4"
err_has "row 4 is missing"
run 4 --db "$T/reordered.db" audit verify
out_has "BROKEN at row 6"
run 4 --db "$T/rehashed.db" --json audit verify
out_has '"bad_row": 3'

# A stopped server's spool is brought in by verify; one that cannot be
# (damaged) makes verify fail although the chain itself is intact.
"$PROLO" --db "$T/spool.db" init >/dev/null || exit 1
printf 'prolo-audit-spool 1 00112233445566778899aabbccddeeff\n2024-01-01T00:00:00Z\tclin1\tpatient.read\tpatient:P1\t127.0.0.1\tchart\n' >"$T/spool.db-audit"
run 0 --db "$T/spool.db" audit list --action patient.read --limit 5
out_has "patient:P1"
[ ! -e "$T/spool.db-audit" ] || { echo "the spool was not brought in" >&2; exit 1; }
printf 'prolo-audit-spool 1 ffeeddccbbaa99887766554433221100\nnot a row\n' >"$T/spool.db-audit"
run 5 --db "$T/spool.db" audit verify
out_has "audit log intact"
err_has "could not be brought into the log"
err_has "-audit.sealed:2: not an audit row"
echo ok
