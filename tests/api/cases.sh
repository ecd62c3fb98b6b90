#!/bin/sh
# The API against a real server on loopback: records and validation
# (cases/01_records.json), CSRF, idempotency, other clinics, questionnaire
# links, password and logout (cases/02_security.json), then the whole
# permission matrix (permissions.txt). Afterwards: no patient data in the
# server log, the audit chain is intact, and SIGTERM stops the server cleanly.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
api_cases "$API_DIR"/cases/*.json --matrix "$API_DIR/permissions.txt" || exit 1
for secret in Annabel Zyx P1 K1 "$PASSWORD" csrf prolo_session; do
	if grep -q -- "$secret" "$SERVER_LOG"; then
		echo "server log contains '$secret'" >&2
		exit 1
	fi
done
grep -q 'GET /api/patients/{id} 200' "$SERVER_LOG" || { echo "no request lines in the log" >&2; exit 1; }
api_stop || { echo "server did not stop cleanly" >&2; exit 1; }
grep -q "prolo: stopped" "$T/serve.out" || { echo "no clean stop message" >&2; exit 1; }
run 0 audit verify
out_has "audit log intact"
echo "ok"
