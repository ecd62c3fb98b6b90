#!/bin/sh
# Sessions expire after --session-idle seconds without requests; the
# expired session is refused and removed.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start --session-idle 5
cat >"$T/expiry.json" <<'JSON'
[
 {"name": "fresh session works", "as": "clin1", "method": "GET", "path": "/api/me", "status": 200},
 {"name": "still alive after 1 s", "sleep": 1, "as": "clin1", "method": "GET", "path": "/api/me", "status": 200},
 {"name": "idle for 7 s: expired", "sleep": 7, "as": "clin1", "method": "GET", "path": "/api/me", "status": 401,
  "expect": {"error": {"code": "unauthenticated"}},
  "db": {"sql": "SELECT count(*) FROM auth_sessions WHERE user = 'clin1'", "equals": 0}}
]
JSON
api_cases "$T/expiry.json"
