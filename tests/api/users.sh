#!/bin/sh
# Users who come and go, through a real server and real login cookies:
#  1. disabling a user ends their open sessions at once: their next request
#     is 401, also after `prolo user disable` from the command line (another
#     process; the server reads the account at every request); they cannot log in
#     (told so only with the right password); enabling lets them back;
#  2. the last active admin can be neither disabled nor demoted (409
#     naming the field); a role change counts from the user's next request;
#     roles are an admin's only (403 for others);
#  3. a reset gives a one-time password (shown once, not replayed for an
#     Idempotency-Key) that ends the user's sessions and must be changed at
#     the next login: the login answer says so, and everything but the
#     password change, logout, me and vocab is 403 (field password) until
#     then; a common password is refused naming the field;
#  4. open sessions are listed with their id, address and times; one or
#     all are revoked;
#  5. every action is in the audit log.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
$PY - "$PORT" "$PASSWORD" "$API_DIR" "$PROLO" "$PROLO_DB" <<'PYEOF'
import time, json, re, subprocess, sys
port, password, api_dir, prolo, db = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
sys.path.insert(0, api_dir)
from client import Client
a, b = Client(port, password), Client(port, password)
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL:", what[:400], file=sys.stderr)
def call(cl, user, method, path, body=None, headers=None):
    st, h, d = cl.request(user, method, path, body, headers=headers)
    try:
        return st, json.loads(d) if d else {}
    except ValueError:
        return st, {}
def err(j):
    return (j.get("error") or {})

# ---- 1. disable ends the session at once ---------------------------------
st, _ = call(a, "clin1", "GET", "/api/patients")
check(st == 200, f"clin1 works before: {st}")
st, _ = call(a, "staff1", "GET", "/api/patients")
st2, _ = call(b, "staff1", "GET", "/api/patients")
check(st == 200 and st2 == 200, f"staff1's two sessions work before: {st} {st2}")
st, j = call(a, "admin", "POST", "/api/users/clin1/disable", {})
check(st == 200 and j["user"]["disabled"] is True and j["sessions_ended"] >= 1, f"disable clin1: {st} {j}")
st, _ = call(a, "clin1", "GET", "/api/patients")
check(st == 401, f"clin1's next request after disable must be 401, got {st}")
st, _, d = a.raw("POST", "/api/login", json.dumps({"username": "clin1", "password": password}))
check(st == 401 and "disabled" in d.decode(), f"a disabled user logs in: {st} {d[:200]!r}")
st, _, d = a.raw("POST", "/api/login", json.dumps({"username": "clin1", "password": "not the password"}))
check(st == 401 and "disabled" not in d.decode(), f"a wrong password must not tell the account is disabled: {d[:200]!r}")
st, j = call(a, "admin", "POST", "/api/users/clin1/disable", {})
check(st == 409 and err(j).get("field") == "name", f"disable twice: {st} {j}")
# two sessions of one user (two clients) end together
st, j = call(a, "admin", "POST", "/api/users/staff1/disable", {})
check(st == 200, f"disable staff1: {st} {j}")
st, _ = call(a, "staff1", "GET", "/api/patients")
st2, _ = call(b, "staff1", "GET", "/api/patients")
check(st == 401 and st2 == 401, f"staff1's two sessions after disable: {st} {st2}")
# and by the command line, another process
st, _ = call(a, "res1", "GET", "/api/report")
check(st == 200, f"res1 works before: {st}")
r = subprocess.run([prolo, "--db", db, "user", "disable", "res1"], capture_output=True, text=True)
check(r.returncode == 0 and "res1 disabled" in r.stdout, f"prolo user disable res1: {r.returncode} {r.stdout} {r.stderr}")
st, _ = call(a, "res1", "GET", "/api/report")
check(st == 401, f"res1's next request after the command line's disable: {st}")
for u in ("clin1", "staff1", "res1"):
    st, j = call(a, "admin", "POST", f"/api/users/{u}/enable", {})
    check(st == 200 and j["user"]["disabled"] is False, f"enable {u}: {st} {j}")
    for cl in (a, b):
        cl.sessions.pop(u, None)
st, _ = call(a, "clin1", "GET", "/api/patients")
check(st == 200, f"clin1 logs in again after enable: {st}")

# ---- 2. last admin, roles -------------------------------------------------
st, j = call(a, "admin", "POST", "/api/users/admin/disable", {})
check(st == 409 and err(j).get("field") == "name" and "last active admin" in err(j).get("message", ""),
      f"the last admin disabled: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/admin/role", {"role": "clinician", "clinic": "C01"})
check(st == 409 and err(j).get("field") == "role" and "last active admin" in err(j).get("message", ""),
      f"the last admin demoted: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users", {"name": "admin2", "role": "admin", "password": password})
check(st == 201, f"a second admin: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/admin2/disable", {})
check(st == 200, f"a second admin may be disabled: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/admin/role", {"role": "researcher"})
check(st == 409 and err(j).get("field") == "role", f"the last active admin (the other is disabled) demoted: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/admin2/enable", {})
check(st == 200, f"enable admin2: {st}")
st, j = call(a, "clin1", "POST", "/api/users/staff1/role", {"role": "admin"})
check(st == 403, f"a clinician changes a role: {st} {j}")
st, j = call(a, "staff1", "POST", "/api/users/staff1/role", {"role": "admin"})
check(st == 403, f"staff promotes themselves: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/clin2/role", {"role": "wizard"})
check(st == 400 and err(j).get("field") == "role", f"an unknown role: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/res1/role", {"role": "clinician"})
check(st == 400 and err(j).get("field") == "clinic", f"a clinician without a clinic: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/nobody/role", {"role": "staff", "clinic": "C01"})
check(st == 404 and err(j).get("field") == "name", f"no such user: {st} {j}")
st, _ = call(a, "clin2", "GET", "/api/me")
st, j = call(a, "admin", "POST", "/api/users/clin2/role", {"role": "staff"})
check(st == 200 and j["user"]["role"] == "staff" and j["user"]["clinic"] == "C02", f"clin2 to staff: {st} {j}")
st, j = call(a, "clin2", "GET", "/api/me")
check(st == 200 and j["user"]["role"] == "staff" and "sessions.add" not in j["user"]["can"],
      f"the new role counts from the next request: {st} {j}")
st, j = call(a, "clin2", "POST", "/api/sessions", {})
check(st == 403, f"staff records a session: {st}")
st, j = call(a, "admin", "POST", "/api/users/clin2/role", {"role": "staff"})
check(st == 409 and err(j).get("field") == "role", f"the same role again: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/clin2/role", {"role": "clinician"})
check(st == 200, f"clin2 back: {st} {j}")

# ---- 3. one-time password --------------------------------------------------
st, _ = call(a, "staff1", "GET", "/api/patients")
check(st == 200, f"staff1 before the reset: {st}")
key = {"Idempotency-Key": "reset-staff1-1"}
st, j = call(a, "admin", "POST", "/api/users/staff1/reset", {}, headers=key)
otp = j.get("one_time_password", "")
check(st == 200 and re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", otp) and j.get("must_change_password") is True
      and j.get("sessions_ended", 0) >= 1, f"reset: {st} {j}")
st, j2 = call(a, "admin", "POST", "/api/users/staff1/reset", {}, headers=key)
check(st == 409 and otp not in json.dumps(j2), f"a replayed reset must not show the password again: {st} {j2}")
st, _ = call(a, "staff1", "GET", "/api/patients")
check(st == 401, f"staff1's session after the reset: {st}")
st, _, d = a.raw("POST", "/api/login", json.dumps({"username": "staff1", "password": password}))
check(st == 401, f"the old password after a reset: {st}")
a.sessions.pop("staff1", None)
a.login("staff1", otp)
st, h, d = a.raw("POST", "/api/login", json.dumps({"username": "staff1", "password": otp}))
lj = json.loads(d)
check(st == 200 and lj["user"]["must_change_password"] is True and sorted(lj["user"]["can"]) == ["logout", "me", "password", "vocab"],
      f"the login answer says the password must change: {st} {lj}")
for m, p in (("GET", "/api/patients"), ("GET", "/api/report"), ("POST", "/api/patients"), ("GET", "/api/alerts")):
    st, j = call(a, "staff1", m, p, {} if m == "POST" else None)
    check(st == 403 and err(j).get("field") == "password", f"{m} {p} before the change: {st} {j}")
for p in ("/api/me", "/api/vocab"):
    st, j = call(a, "staff1", "GET", p)
    check(st == 200, f"GET {p} before the change: {st}")
st, j = call(a, "staff1", "POST", "/api/password", {"old_password": otp, "new_password": "Password12345!"})
check(st == 400 and err(j).get("field") == "new_password" and "common" in err(j).get("message", ""),
      f"a common new password: {st} {j}")
st, j = call(a, "staff1", "POST", "/api/password", {"old_password": otp, "new_password": "staff1"})
check(st == 400 and err(j).get("field") == "new_password", f"a short new password: {st} {j}")
st, j = call(a, "staff1", "POST", "/api/password", {"old_password": otp, "new_password": "a calm lake at noon"})
check(st == 200, f"the change: {st} {j}")
st, j = call(a, "staff1", "GET", "/api/patients")
check(st == 200, f"after the change: {st} {j}")
st, j = call(a, "staff1", "GET", "/api/me")
check(j["user"]["must_change_password"] is False and "patients.list" in j["user"]["can"], f"me after the change: {j}")
st, j = call(a, "admin", "POST", "/api/users", {"name": "weak1", "role": "staff", "clinic": "C01", "password": "qwertyuiop"})
check(st == 400 and err(j).get("field") == "password" and "common" in err(j).get("message", ""), f"a common first password: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/nobody/reset", {})
check(st == 404 and err(j).get("field") == "name", f"reset of no one: {st} {j}")
st, j = call(a, "clin1", "POST", "/api/users/staff1/reset", {})
check(st == 403, f"a clinician resets a password: {st}")

# ---- 4. sessions -----------------------------------------------------------
c1, c2 = Client(port, "a calm lake at noon"), Client(port, "a calm lake at noon")
c1.login("staff1")
time.sleep(1.1)  # sessions list by their opening second: c2's must come last
c2.login("staff1")
st, j = call(a, "admin", "GET", "/api/users/staff1/sessions")
ss = j.get("sessions", [])
check(st == 200 and len(ss) >= 2 and all(s["id"] and s["addr"] == "127.0.0.1" and s["last_seen"] >= s["created_at"] for s in ss)
      and j["user"]["open_sessions"] == len(ss) and j["user"]["last_login_at"], f"sessions: {st} {j}")
st, j = call(a, "admin", "GET", "/api/users")
row = [u for u in j["users"] if u["name"] == "staff1"][0]
check(row["open_sessions"] == len(ss) and row["last_login_at"] and row["last_login_addr"] == "127.0.0.1", f"the list: {row}")
newest = ss[-1]["id"]  # c2's
st, j = call(a, "admin", "POST", "/api/users/staff1/sessions/revoke", {"session": newest})
check(st == 200 and j["sessions_ended"] == 1, f"revoke one: {st} {j}")
st, _ = call(c2, "staff1", "GET", "/api/patients")
check(st == 401, f"the revoked session: {st}")
st, _ = call(c1, "staff1", "GET", "/api/patients")
check(st == 200, f"the other session stays: {st}")
st, j = call(a, "admin", "POST", "/api/users/staff1/sessions/revoke", {"session": newest})
check(st == 404 and err(j).get("field") == "session", f"revoke it again: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/staff1/sessions/revoke", {"session": newest, "all": True})
check(st == 400 and err(j).get("field") == "session", f"one and all: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/staff1/sessions/revoke", {})
check(st == 400 and err(j).get("field") == "session", f"neither one nor all: {st} {j}")
st, j = call(a, "admin", "POST", "/api/users/staff1/sessions/revoke", {"all": True})
check(st == 200 and j["sessions_ended"] >= 1, f"revoke all: {st} {j}")
st, _ = call(c1, "staff1", "GET", "/api/patients")
check(st == 401, f"after revoke all: {st}")
st, j = call(a, "clin1", "GET", "/api/users/staff1/sessions")
check(st == 403, f"a clinician reads sessions: {st}")

# ---- 5. the audit log ------------------------------------------------------
st, j = call(a, "admin", "GET", "/api/audit?limit=500")
rows = j.get("audit", [])
def has(action, record, detail=""):
    return any(r["action"] == action and r["record"] == record and detail in r["detail"] for r in rows)
for action, record, detail in (("user.disable", "user:clin1", "sessions ended"), ("user.enable", "user:clin1", ""),
                               ("user.disable", "user:res1", ""), ("user.role", "user:clin2", "clinician/C02 -> staff/C02"),
                               ("user.reset", "user:staff1", "one-time password"), ("login", "", "one-time password"),
                               ("password.change", "user:staff1", "one-time password replaced"),
                               ("user.sessions", "user:staff1", "sessions"), ("user.sessions.revoke", "user:staff1", "session "),
                               ("user.sessions.revoke", "user:staff1", "all, "), ("login.failed", "", "disabled")):
    check(has(action, record, detail), f"audit row {action} {record} {detail!r}")
check(not any(otp in json.dumps(r) for r in rows), "the one-time password is in the audit log")
if fails:
    sys.exit(1)
print("ok: users come and go")
PYEOF
rc=$?
grep -q "$PASSWORD\|a calm lake" "$SERVER_LOG" && { echo "FAIL: a password in the server log"; rc=1; }
[ $rc -eq 0 ] || exit 1
api_stop || exit 1
