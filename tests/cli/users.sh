# prolo user disable|enable|role|reset|sessions|revoke: the rules of
# src/app/users.c from the command line (the same use cases as the API),
# each change in the audit log; then against a real server: a reset's
# one-time password logs in only to change the password, and a session
# the command line revokes or a user it disables is refused at the next
# request.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
run 0 init
pw() { printf '%s\n' "$1" >"$T/pw"; }
pw 'correct horse battery'
run 0 user add boss --role admin --password-stdin <"$T/pw"
# the password rule: length, the common list (with digits added), the name
pw 'short'
run 2 user add nina --role staff --clinic C01 --password-stdin <"$T/pw"
err_has "password: must have at least"
pw 'Password2024!'
run 2 user add nina --role staff --clinic C01 --password-stdin <"$T/pw"
err_has "password: is one of the most common passwords"
pw 'qwertyuiop'
run 2 user add nina --role staff --clinic C01 --password-stdin <"$T/pw"
err_has "password: is one of the most common passwords"
pw 'NinaNinaNina'
run 2 user add ninaninanina --role staff --clinic C01 --password-stdin <"$T/pw"
err_has "password: must differ from the user name"
pw 'correct horse battery'
run 0 user add nina --role staff --clinic C01 --password-stdin <"$T/pw"
db_count "SELECT count(*) FROM users WHERE name LIKE 'nina%'" 1
# the last active admin
run 4 user disable boss
err_has "name: boss is the last active admin"
run 4 user role boss --role clinician --clinic C01
err_has "role: boss is the last active admin"
run 2 user role nina --role wizard
err_has "role:"
run 2 user role nina
err_has "--role"
run 3 user disable nobody
err_has "name: no user 'nobody'"
run 0 user role nina --role clinician
out_has "nina is now clinician, clinic C01"
run 4 user role nina --role clinician
err_has "role: nina is clinician already"
run 0 user disable nina
out_has "nina disabled"
run 4 user disable nina
err_has "name: nina is disabled already"
run 0 --json user list
out_has '"name":"nina","role":"clinician","clinic":"C01","disabled":true'
run 0 user enable nina
run 0 user reset nina
out_has "one-time password for nina: "
otp=$(sed -n 's/^one-time password for nina: \([a-z2-9-]*\)$/\1/p' "$OUT")
echo "$otp" | grep -qE '^[a-z2-9]{4}(-[a-z2-9]{4}){3}$' || { echo "not a one-time password: '$otp'"; exit 1; }
run 0 --json user list
out_has '"name":"nina","role":"clinician","clinic":"C01","disabled":false,"must_change_password":true'
run 2 user revoke nina
err_has "--session ID or --all"
run 2 user revoke nina --session 'a b'
err_has "session:"
run 3 user revoke nina --session 0123456789abcdef
err_has "session: no open session"
# each change is audited, on record user:NAME
run 0 audit list --user "cli:$(id -un)"
for a in user.create user.role user.disable user.enable user.reset; do out_has "$a	user:nina"; done
out_lacks "$otp"

# a registry from before migration 16: its open sessions are numbered in
# the order they were opened (created_at, then sid), and listed so
now=$(date +%s)
sqlite3 "$PROLO_DB" "DROP INDEX auth_sessions_opened; ALTER TABLE auth_sessions DROP COLUMN opened;
 DELETE FROM schema_migrations WHERE version = 16;
 INSERT INTO auth_sessions(id_hash, user, csrf, created_at, last_seen, sid, addr) VALUES
  (randomblob(32), 'nina', 'c', $now, $now, 'bbbb', '10.0.0.2'),
  (randomblob(32), 'nina', 'c', $now - 5, $now, 'ffff', '10.0.0.1'),
  (randomblob(32), 'nina', 'c', $now, $now, 'aaaa', '10.0.0.3');"
run 0 --json user sessions nina
[ "$(sed -n 's/.*"id":"\([a-f]*\)".*/\1/p' "$OUT" | tr '\n' ' ')" = "ffff aaaa bbbb " ] ||
	{ cat "$OUT"; echo "sessions not in the order they were opened"; exit 1; }
db_count "SELECT group_concat(sid || '=' || opened, ' ') FROM (SELECT sid, opened FROM auth_sessions ORDER BY opened)" "ffff=1 aaaa=2 bbbb=3"
run 0 user revoke nina --all

# against a real server
api_start
$PY - "$PORT" "$otp" "$PROLO" "$PROLO_DB" <<'PYEOF' || exit 1
import json, subprocess, sys, http.client
port, otp, prolo, db = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def req(method, path, body=None, cookie=None, csrf=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"}
    if cookie: h["Cookie"] = cookie
    if csrf: h["X-CSRF-Token"] = csrf
    c.request(method, path, None if body is None else json.dumps(body), h)
    r = c.getresponse()
    d = r.read()
    return r.status, r.getheader("Set-Cookie"), json.loads(d) if d else {}
def login(name, pw):
    st, ck, j = req("POST", "/api/login", {"username": name, "password": pw})
    assert st == 200, (name, st, j)
    return ck.split(";")[0], j["csrf_token"], j["user"]
def cli(*args):
    return subprocess.run([prolo, "--db", db, *args], capture_output=True, text=True)
ck, csrf, user = login("nina", otp)
assert user["must_change_password"] is True, user
st, _, j = req("GET", "/api/patients", cookie=ck)
assert st == 403 and j["error"]["field"] == "password", (st, j)
st, _, j = req("POST", "/api/password", {"old_password": otp, "new_password": "a fresh quiet river"}, ck, csrf)
assert st == 200, (st, j)
st, _, j = req("GET", "/api/patients", cookie=ck)
assert st == 200, (st, j)
ck2, _, _ = login("nina", "a fresh quiet river")
r = cli("--json", "user", "sessions", "nina")
rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
assert r.returncode == 0 and len(rows) == 2 and all(x["addr"] == "127.0.0.1" for x in rows), r
r = cli("user", "revoke", "nina", "--session", rows[1]["id"])
assert r.returncode == 0 and "1 sessions of nina ended" in r.stdout, r
# listed in the order they were opened, also within one second: the
# second is ck2's
st, _, _ = req("GET", "/api/patients", cookie=ck2)
assert st == 401, st
st, _, _ = req("GET", "/api/patients", cookie=ck)
assert st == 200, st
r = cli("user", "disable", "nina")
assert r.returncode == 0 and "1 open sessions ended" in r.stdout, r
st, _, _ = req("GET", "/api/patients", cookie=ck)
assert st == 401, st
r = cli("user", "list")
assert r.returncode == 0 and "disabled" in [l for l in r.stdout.splitlines() if l.startswith("nina")][0], r.stdout
print("ok: the command line's user administration against a real server")
PYEOF
api_stop || exit 1
