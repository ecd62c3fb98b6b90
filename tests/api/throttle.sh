#!/bin/sh
# Login throttling by (account, address) pair and by address: a stranger
# cannot lock a person out. After 5 failed logins a pair is locked (429
# with Retry-After, even with the right password, and longer with each
# further failure), after 20 an address; the owner's right password from
# another address still works. A success at the address threshold does not
# leave the address locked. An admin unlocks an account (API and command
# line, audited). The old password of a password change is throttled like
# a login, and a new password equal to the old one is refused.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
PYTHONPATH="$TOP/tests/api" $PY - "$PORT" "$PROLO_DB" <<'PYEOF' || exit 1
import sys
from peers import Peer, Checks, sql
port, db = int(sys.argv[1]), sys.argv[2]
ck = Checks()

# A stranger at 127.0.0.2 guesses clin1's password.
stranger = Peer(port, "127.0.0.2")
for i in range(5):
    st, h, doc = stranger.login("clin1", "guess number %d" % i)
    ck.eq("stranger's wrong login %d" % (i + 1), st, 401)
st, h, doc = stranger.login("clin1", "guess six")
ck.eq("the stranger's pair is locked", st, 429)
ck.true("Retry-After", int(h.get("retry-after", "0")) > 0, repr(h))
ck.eq("code throttled", (doc or {}).get("error", {}).get("code"), "throttled")
st, h, doc = stranger.login("clin1")
ck.eq("locked pair: the right password too", st, 429)
# The owner, from another address, is not locked out.
st, h, doc = Peer(port, "127.0.0.3").login("clin1")
ck.eq("the owner's right password from another address", st, 200)
st, h, doc = Peer(port, "127.0.0.1").login("staff1")
ck.eq("another user logs in", st, 200)

# The pair's lock grows: once it ends, the next failure locks it twice as long.
sql(db, "UPDATE login_failures SET locked_until = 0 WHERE key = 'pair:clin1 127.0.0.2'")
st, h, doc = stranger.login("clin1", "guess seven")
ck.eq("after the lock: one more failure", st, 401)
(lock,) = sql(db, "SELECT locked_until - last_at FROM login_failures WHERE key = 'pair:clin1 127.0.0.2'")[0]
ck.eq("backoff doubles (30 s, then 60 s)", lock, 60)

# Many strangers try to lock the admin out: 8 addresses, 6 guesses each.
for k in range(8):
    p = Peer(port, "127.0.1.%d" % (k + 1))
    codes = [p.login("admin", "not the password %d" % i)[0] for i in range(6)]
    ck.eq("attacker %d: five 401 then 429" % k, codes, [401] * 5 + [429])
admin = Peer(port, "127.0.0.4")
st, h, doc = admin.login("admin")
ck.eq("the admin still logs in from an address without failures", st, 200)

# A success at the address threshold does not leave the address locked:
# 19 failures of different names, then two good logins.
shared = Peer(port, "127.0.0.5")
for i in range(19):
    st, h, doc = shared.login("nobody%d" % i, "wrong wrong wrong")
    ck.eq("shared address failure %d" % (i + 1), st, 401)
st, h, doc = shared.login("staff1")
ck.eq("a good login at the address threshold", st, 200)
st, h, doc = shared.login("staff1")
ck.eq("the address is not left locked after it", st, 200)
st, h, doc = shared.login("nobody-else", "wrong wrong wrong")
ck.eq("the 20th failure of the address", st, 401)
st, h, doc = shared.login("staff1")
ck.eq("then the address is locked", st, 429)

# An admin unlocks clin1: the stranger's pair lock is lifted.
st, h, doc = admin.req("POST", "/api/users/clin1/unlock", {})
ck.eq("admin unlocks clin1", st, 200)
st, h, doc = admin.req("POST", "/api/users/nobody/unlock", {})
ck.eq("unlock of no such user", (st, (doc or {}).get("error", {}).get("field")), (404, "name"))
staff = Peer(port, "127.0.0.6")
staff.login("staff1")
st, h, doc = staff.req("POST", "/api/users/clin1/unlock", {})
ck.eq("staff may not unlock", st, 403)
st, h, doc = stranger.login("clin1")
ck.eq("after the unlock the pair logs in", st, 200)
rows = sql(db, "SELECT user, record, addr FROM audit_log WHERE action = 'user.unlock'")
ck.eq("the unlock is audited", rows, [("admin", "user:clin1", "127.0.0.4")])

# The old password of a password change is throttled like a login.
clin = Peer(port, "127.0.0.7")
ck.eq("clin2 logs in", clin.login("clin2")[0], 200)
for i in range(5):
    st, h, doc = clin.req("POST", "/api/password", {"old_password": "wrong old %d" % i,
                                                    "new_password": "a brand new secret"})
    ck.eq("wrong old password %d" % (i + 1), (st, (doc or {}).get("error", {}).get("field")), (403, "old_password"))
st, h, doc = clin.req("POST", "/api/password", {"old_password": "correct horse battery",
                                                "new_password": "a brand new secret"})
ck.eq("then the old password is throttled, even the right one", st, 429)
ck.true("with Retry-After", int(h.get("retry-after", "0")) > 0, repr(h))
sql(db, "DELETE FROM login_failures")
st, h, doc = clin.req("POST", "/api/password", {"old_password": "correct horse battery",
                                                "new_password": "correct horse battery"})
ck.eq("a new password equal to the old one", (st, (doc or {}).get("error", {}).get("field")), (400, "new_password"))
st, h, doc = clin.req("POST", "/api/password", {"old_password": "correct horse battery",
                                                "new_password": "a brand new secret"})
ck.eq("a real change", st, 200)
sys.exit(ck.done("throttle"))
PYEOF
# The command line unlocks too, as the operating-system login, audited.
"$PROLO" user unlock staff1 >"$T/out" || exit 1
grep -q "staff1 unlocked" "$T/out" || exit 1
n=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = 'user.unlock' AND record = 'user:staff1' AND user LIKE 'cli:%' AND addr = 'local'")
[ "$n" = 1 ] || { echo "CLI unlock not audited ($n)"; exit 1; }
"$PROLO" user unlock nobody 2>/dev/null
[ $? -eq 3 ] || { echo "CLI unlock of no such user must exit 3"; exit 1; }
# Parallel guesses cannot outrun the lock: each attempt is counted before
# its (slow) password check, so of 20 at once from one address at most 5
# are checked (401) and the rest are refused (429, or 503 when the address
# already has its share of logins waiting on the slow lane).
$PY - "$PORT" <<'PYEOF' || exit 1
import http.client, json, sys, threading
port = int(sys.argv[1])
got = []
lock = threading.Lock()
def guess(i):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=("127.0.0.9", 0))
    c.request("POST", "/api/login", body=json.dumps({"username": "res1", "password": "parallel guess %d" % i}),
              headers={"Content-Type": "application/json"})
    st = c.getresponse().status
    c.close()
    with lock:
        got.append(st)
ts = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
for t in ts:
    t.start()
for t in ts:
    t.join(120)
n401, n429, n503 = got.count(401), got.count(429), got.count(503)
print("parallel wrong logins: %d x 401, %d x 429, %d x 503, others %s" % (n401, n429, n503, [s for s in got if s not in (401, 429, 503)]))
if len(got) != 20 or n401 + n429 + n503 != 20 or n401 > 5 or n401 < 1:
    sys.exit(1)
PYEOF
