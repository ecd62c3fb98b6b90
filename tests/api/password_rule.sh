#!/bin/sh
# One password rule: the minimum length is AUTH_MIN_PASSWORD in
# src/security/auth.h; GET /api/vocab serves it as "password_min", the
# server refuses a shorter password with that number in its message (new
# users, password changes, the command line) and takes one of exactly that
# length, and the web form's hint reads the served value instead of a
# number of its own.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
$PY - "$PORT" "$PASSWORD" "$API_DIR" "$TOP" <<'PYEOF' || exit 1
import json, re, sys
port, password, api_dir, top = sys.argv[1:]
sys.path.insert(0, api_dir)
from client import Client
def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)
m = re.search(r"#define AUTH_MIN_PASSWORD (\d+)", open(f"{top}/src/security/auth.h").read())
if not m:
    fail("AUTH_MIN_PASSWORD not found in src/security/auth.h")
n = int(m.group(1))
cl = Client(int(port), password)
st, _, d = cl.request("staff1", "GET", "/api/vocab")
v = json.loads(d)
if st != 200 or v.get("password_min") != n:
    fail(f"/api/vocab password_min: {v.get('password_min')!r}, expected {n}")
st, _, d = cl.request("admin", "POST", "/api/users", {"name": "short1", "role": "staff", "clinic": "C01", "password": "x" * (n - 1)})
e = json.loads(d).get("error", {})
if st != 400 or e.get("field") != "password" or str(n) not in e.get("message", ""):
    fail(f"a password of {n - 1} characters: {st} {d[:300]!r}")
st, _, d = cl.request("admin", "POST", "/api/users", {"name": "exact1", "role": "staff", "clinic": "C01", "password": "y" * n})
if st != 201:
    fail(f"a password of {n} characters: {st} {d[:300]!r}")
st, _, d = cl.request("clin1", "POST", "/api/password", {"old_password": password, "new_password": "z" * (n - 1)})
e = json.loads(d).get("error", {})
if st != 400 or e.get("field") != "new_password" or str(n) not in e.get("message", ""):
    fail(f"a new password of {n - 1} characters: {st} {d[:300]!r}")
admin_js = open(f"{top}/web/js/views/admin.js").read()
if re.search(r"At least \d+ characters", admin_js) or "${PASSWORD_MIN}" not in admin_js:
    fail("web/js/views/admin.js must take the minimum from the server (PASSWORD_MIN), not a number of its own")
vocab_js = open(f"{top}/web/js/vocab.js").read()
if "PASSWORD_MIN = v.password_min" not in vocab_js:
    fail("web/js/vocab.js does not read password_min from /api/vocab")
print(f"ok: one password rule of {n} characters, served and used")
PYEOF
n=$(sed -n 's/^#define AUTH_MIN_PASSWORD \([0-9]*\).*/\1/p' "$TOP/src/security/auth.h")
short=$(printf '%*s' $((n - 1)) '' | tr ' ' 'q')
printf '%s\n' "$short" | "$PROLO" user add short2 --role staff --clinic C01 --password-stdin >/dev/null 2>"$T/err"
[ $? -eq 2 ] && grep -q "at least $n characters" "$T/err" || { echo "CLI: a short password must be refused naming $n"; cat "$T/err"; exit 1; }
