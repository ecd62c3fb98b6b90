#!/bin/sh
# The front desk with the outbox's own configuration:
#  - the chart's "what next" follows the configured reminder_days and
#    phone_after_days (2,5,9 and 4 here), not the defaults (3,7 and 3):
#    the same course shows reminder 1 two days after the invitation while
#    the server has this configuration, three days after with none;
#  - a message whose outcome is unknown (the mail server dropped the
#    connection after the whole message: never resent) is listed with the
#    failed ones, labelled, on the outbox view (GET /api/followup/desk),
#    in GET /api/outbox?state=undelivered and `prolo outreach list
#    --state undelivered`.
# A real SMTP server on loopback makes the failures.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

api_setup_db
smtp_start
write_conf "$SMTP_PORT" "reminder_days = 2,5,9" "phone_after_days = 4"
newpat D1 Dora dora@example.org
run 0 outreach run
out_has "1 accepted"
echo drop >"$MODE"
newpat D2 Dirk dirk@example.org
run 0 outreach run
out_has "1 unknown"
echo 550 >"$MODE"
newpat D3 Dana dana@example.org
run 0 outreach run
out_has "1 permanent failures"
echo ok >"$MODE"

run 0 outreach list --state undelivered
out_has "course KD2"
out_has "unknown (tries 1)  outcome unknown: it may have arrived; never resent: check with the patient"
out_has "course KD3"
out_lacks "course KD1"
run 2 outreach list --state lost
err_has "undelivered"

D2=$(date -d "$TODAY + 2 days" +%Y-%m-%d)
D3=$(date -d "$TODAY + 3 days" +%Y-%m-%d)
# desk DAY_OF_REMINDER: the chart's next step and the outbox view
check() {
	$PY - "$TOP/tests/api" "$PORT" "$PASSWORD" "$1" <<'EOP'
import sys
sys.path.insert(0, sys.argv[1])
import json
from client import Client
cl = Client(int(sys.argv[2]), sys.argv[3])
st, _, d = cl.request("clin1", "GET", "/api/courses/KD1/followup")
assert st == 200, (st, d)
pt = json.loads(d)["points"][0]
assert pt["status"] == "invited", pt
assert pt["next"] == {"action": "remind", "date": sys.argv[4], "step": 1}, pt["next"]
st, _, d = cl.request("staff1", "GET", "/api/followup/desk")
assert st == 200, (st, d)
rows = {m["course_id"]: m for m in json.loads(d)["failed"]}
assert set(rows) == {"KD2", "KD3"}, rows
assert rows["KD2"]["state"] == "unknown" and "never resent" in rows["KD2"]["label"], rows["KD2"]
assert rows["KD2"]["last_attempt"]["result"] == "unknown", rows["KD2"]
assert rows["KD3"]["state"] == "failed" and rows["KD3"]["label"] == "not delivered", rows["KD3"]
st, _, d = cl.request("admin", "GET", "/api/outbox?state=undelivered")
assert st == 200, (st, d)
ms = {m["course_id"]: m for m in json.loads(d)["messages"]}
assert set(ms) == {"KD2", "KD3"}, ms
assert "never resent" in ms["KD2"]["label"] and ms["KD3"]["label"] is None, ms
EOP
}
# with the configuration (the outbox runs in the server, once a day here)
api_start --outbox-interval 86400
check "$D2" || fail "with reminder_days = 2,5,9"
api_stop
# with --no-outbox the configuration is still the server's rhythm
api_start --no-outbox
check "$D2" || fail "with --no-outbox"
api_stop
# without one, the defaults
mv "$CONF" "$CONF.off"
api_start
check "$D3" || fail "without a configuration"
echo ok
