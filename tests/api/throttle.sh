#!/bin/sh
# Login throttling: after 5 failed logins a user is locked (429 with
# Retry-After), even with the right password; other users are not.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
cat >"$T/throttle.json" <<'JSON'
[
 {"name": "wrong 1", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess number one"}, "status": 401,
  "expect": {"error": {"message": "wrong user name or password"}}},
 {"name": "unknown user: same answer", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "nobody", "password": "guess number one"}, "status": 401,
  "expect": {"error": {"message": "wrong user name or password"}}},
 {"name": "wrong 2", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 2"}, "status": 401},
 {"name": "wrong 3", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 3"}, "status": 401},
 {"name": "wrong 4", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 4"}, "status": 401},
 {"name": "wrong 5", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 5"}, "status": 401},
 {"name": "locked", "as": null, "method": "POST", "path": "/api/login", "body": {"username": "clin1", "password": "guess 6"}, "status": 429,
  "expect": {"error": {"code": "throttled"}}, "header": {"Retry-After": ""}},
 {"name": "locked even with the right password", "as": null, "method": "POST", "path": "/api/login",
  "body": {"username": "clin1", "password": "correct horse battery"}, "status": 429},
 {"name": "another user may log in", "as": null, "method": "POST", "path": "/api/login",
  "body": {"username": "staff1", "password": "correct horse battery"}, "status": 200},
 {"name": "failures were audited", "as": "admin", "method": "GET", "path": "/api/audit?action=login.failed&user=clin1", "status": 200,
  "expect": {"audit": [{"action": "login.failed"}, {}, {}, {}, {}]}},
 {"name": "the lock ends", "sql": "UPDATE login_failures SET locked_until = 0, failures = 0", "as": null, "method": "POST", "path": "/api/login",
  "body": {"username": "clin1", "password": "correct horse battery"}, "status": 200}
]
JSON
api_cases "$T/throttle.json"
