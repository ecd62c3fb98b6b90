#!/bin/sh
# Findings of a review of the API, each a case in review/cases.json: new
# courses cannot be ended or overridden by staff, refused cross-clinic
# writes leave their `denied` audit row, questionnaire tokens are not kept
# in the idempotency table (whose rows expire after 24 h), and the report's
# clinic filter follows the user's binding. The audit chain stays intact.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
printf '%s\n' "$PASSWORD" | "$PROLO" user add res2 --role researcher --clinic C02 --password-stdin >/dev/null || exit 1
# A stored response older than a day is purged at the next login.
sqlite3 "$PROLO_DB" "INSERT INTO idempotency VALUES ('admin', 'old-key', x'00', 201, '{}', 0)" || exit 1
api_start
api_cases "$API_DIR/review/cases.json" || exit 1
db_count "select count(*) from idempotency where key = 'old-key'" 0
api_stop || { echo "server did not stop cleanly" >&2; exit 1; }
run 0 audit verify
out_has "audit log intact"
echo "ok"
