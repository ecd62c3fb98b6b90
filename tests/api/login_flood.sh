#!/bin/sh
# A login flood does not hold up a real login. 300 wrong logins at once,
# each from its own loopback address (127.0.2.1 ...), all for clin1; while
# the slow lane still works through them, clin1 logs in from the address
# it logged in from before, and staff1 from an address never seen, and
# each answer must come within 1 s, or within 3 logins' time measured on
# this machine before the flood when that is longer (a loaded machine or
# the sanitizers: one hash takes 0.2-0.7 s, and the real login may wait for
# the one running on its lane thread, then pays its own: about 2). The
# bound shows the real login was not queued behind the flood, not a
# benchmark: behind it, with at least 10 flood logins still waiting on the
# 2 lane threads, it would wait 5 hashes or more.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
PYTHONPATH="$TOP/tests/api" $PY - "$PORT" <<'PYEOF' || exit 1
import sys, threading, time
from peers import Peer, Checks
port = int(sys.argv[1])
ck = Checks()
def timed(peer, user):
    t0 = time.monotonic()
    st = peer.login(user)[0]
    return st, time.monotonic() - t0

home = Peer(port, "127.0.0.1")
st, one = timed(home, "clin1")
ck.eq("clin1 logs in from its usual address first", st, 200)
st, again = timed(Peer(port, "127.0.0.1"), "clin1")
ck.eq("and again", st, 200)
limit = max(1.0, 3 * max(one, again))
print("one login before the flood: %.3f s, %.3f s; the bound: %.3f s" % (one, again, limit))
# The flood's last logins wait for the 64 queued before them, hashed one at
# a time on the lane thread suspect logins may have: their answer may take
# 64 hashes and more on a loaded machine, so they wait as long (bounded).
flood_wait = max(60, 130 * max(one, again))

N = 300
got = [None] * N
sent = threading.Barrier(N + 1, timeout=60)
def flood(i):
    p = Peer(port, "127.0.%d.%d" % (2 + i // 250, 1 + i % 250))
    try:
        sent.wait()
        got[i] = p.req("POST", "/api/login", {"username": "clin1", "password": "flood guess %d" % i}, timeout=flood_wait)[0]
    except Exception as e:  # a refused connection counts as refused
        got[i] = repr(e)
ts = [threading.Thread(target=flood, args=(i,)) for i in range(N)]
for t in ts:
    t.start()
sent.wait()
# The flood is in once the logins the lane has no room for are answered
# (503), the rest wait in its queues, and the one flood login that was
# still "clean" (the first for the account) has been checked (401); from
# then on only "suspect" ones are left, which never take the last lane
# thread: at most 20 s.
for _ in range(200):
    time.sleep(0.1)
    if sum(1 for g in got if g is not None) >= N - 2 * 64 - 8 and 401 in got:
        break
time.sleep(0.2)

st, dt = timed(Peer(port, "127.0.0.1"), "clin1")
pending = sum(1 for g in got if g is None)
print("clin1 from its usual address: %d in %.3f s, %d flood logins still waiting" % (st, dt, pending))
ck.eq("clin1's real login during the flood", st, 200)
ck.true("clin1's real login within the bound", dt < limit, "(%.3f s, bound %.3f s)" % (dt, limit))
ck.true("the flood was still being worked through", pending >= 10, "(%d waiting)" % pending)
st, dt = timed(Peer(port, "127.0.0.77"), "staff1")
print("staff1 from a new address: %d in %.3f s" % (st, dt))
ck.eq("staff1's login during the flood", st, 200)
ck.true("staff1's login within the bound", dt < limit, "(%.3f s, bound %.3f s)" % (dt, limit))
for t in ts:
    t.join(flood_wait + 30)
codes = {}
for g in got:
    codes[g] = codes.get(g, 0) + 1
print("flood answers:", codes)
ck.true("every flood login was answered 401, 429 or 503", set(codes) <= {401, 429, 503}, repr(codes))
sys.exit(ck.done("login flood"))
PYEOF
