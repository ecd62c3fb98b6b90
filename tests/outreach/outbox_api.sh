#!/bin/sh
# The outbox over the JSON API (admins only): GET /api/outbox lists the
# messages, POST /api/outbox/{id}/cancel and /retry change one. A bad state,
# a bad id, an unknown message and a change the message's state forbids
# each name their field and change nothing.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
TODAY=$(date +%Y-%m-%d)
export PROLO_TODAY="$TODAY" # read once: the same day for every process, also across midnight
START=$(date -d "$TODAY - 91 days" +%Y-%m-%d)
ENDED=$(date -d "$START + 20 days" +%Y-%m-%d)
umask 077
cat >"$PROLO_DB-outreach.conf" <<EOC
smtp_url = smtp://127.0.0.1:1
starttls = off
from = clinic@example.org
clinic_name = Example Pain Clinic
base_url = http://127.0.0.1:1
EOC
run 0 patient add --patient_id P1 --clinic C01 --sex female --birth_year 1970 --first_name Anna --last_name Lee
run 0 course add --course_id K1 --patient_id P1 --modality dextrose --condition low_back_pain \
	--start_date "$START" --planned_sessions 3 --interval_days 14 --status planned
run 0 course end K1 --status dropped --date "$ENDED"
run 0 contact set P1 --email anna@example.org --channel email --consent given --consent-by "Dr. Who" --consent-how written
run 0 outreach run --no-send
out_has "1 queued"
api_start --no-outbox
cat >"$T/outbox.json" <<'JSON'
[
 {"name": "admin lists the outbox", "as": "admin", "method": "GET", "path": "/api/outbox", "status": 200,
  "expect": {"messages": [{"id": 1, "course_id": "K1", "patient_id": "P1", "step": "invitation", "state": "queued"}]}},
 {"name": "by state", "as": "admin", "method": "GET", "path": "/api/outbox?state=sent", "status": 200, "expect": {"messages": []}},
 {"name": "a state that is none", "as": "admin", "method": "GET", "path": "/api/outbox?state=lost", "status": 400,
  "expect": {"error": {"field": "state"}}},
 {"name": "staff may not see the outbox", "as": "staff1", "method": "GET", "path": "/api/outbox", "status": 403},
 {"name": "staff may not cancel", "as": "staff1", "method": "POST", "path": "/api/outbox/1/cancel", "body": {}, "status": 403,
  "db": {"sql": "SELECT state FROM outreach_messages WHERE id = 1", "equals": "queued"}},
 {"name": "an id that is no number", "as": "admin", "method": "POST", "path": "/api/outbox/x/cancel", "body": {}, "status": 400,
  "expect": {"error": {"field": "id"}}},
 {"name": "an unknown message", "as": "admin", "method": "POST", "path": "/api/outbox/99/cancel", "body": {}, "status": 404},
 {"name": "an unknown key in the body", "as": "admin", "method": "POST", "path": "/api/outbox/1/cancel", "body": {"now": true}, "status": 400,
  "db": {"sql": "SELECT state FROM outreach_messages WHERE id = 1", "equals": "queued"}},
 {"name": "admin cancels the message", "as": "admin", "method": "POST", "path": "/api/outbox/1/cancel", "body": {}, "status": 200,
  "expect": {"id": 1, "state": "cancelled"},
  "db": {"sql": "SELECT state FROM outreach_messages WHERE id = 1", "equals": "cancelled"}},
 {"name": "a cancelled message is not retried", "as": "admin", "method": "POST", "path": "/api/outbox/1/retry", "body": {}, "status": 409,
  "db": {"sql": "SELECT state FROM outreach_messages WHERE id = 1", "equals": "cancelled"}},
 {"name": "the list audited", "as": "admin", "method": "GET", "path": "/api/outbox", "status": 200,
  "db": {"sql": "SELECT count(*) > 0 FROM audit_log WHERE action = 'outbox.list'", "equals": 1}}
]
JSON
$PY "$TOP/tests/api/client.py" --port "$PORT" --password "$PASSWORD" --db "$PROLO_DB" "$T/outbox.json"
