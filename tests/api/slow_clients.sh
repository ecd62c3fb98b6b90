#!/bin/sh
# Slow clients cannot starve the server: 1,100 connections that trickle one
# header line every second, from 60 loopback addresses (127.0.0.2 ...), are
# open while a real request (GET / and GET /api/me) is answered within 2 s;
# a trickling connection is closed once the whole-request deadline
# (--request-deadline, 4 s here) has passed, although it sent a byte every
# second; one address gets at most --max-conn-per-ip connections.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
run 0 init
api_start --request-deadline 4 --max-conn-per-ip 40
$PY - "$PORT" <<'PY' || exit 1
import http.client, resource, socket, sys, time
port = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < 1300:
    print(f"open-file limit {hard} too low for 1,100 connections; skipped")
    sys.exit(77)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096, hard))
N, ADDRS = 1100, 60
socks = []
t0 = time.monotonic()
for i in range(N):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((f"127.0.0.{2 + i % ADDRS}", 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    socks.append(s)
t_last = time.monotonic()  # the last one's start (a loaded machine takes seconds for them all)
print(f"{N} slow connections open in {t_last - t0:.2f} s")

def trickle():
    for s in socks:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass

def real(path, want):
    t = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", path)
        st = c.getresponse().status
        c.close()
    except OSError as e:
        sys.exit(f"GET {path} while {N} slow connections are open: {e!r}")
    dt = time.monotonic() - t
    if st != want or dt > 2:
        sys.exit(f"GET {path}: {st} after {dt:.2f} s")
    print(f"GET {path}: {st} in {dt * 1000:.0f} ms")

trickle()
real("/", 200)
real("/api/me", 401)
time.sleep(1)
trickle()
real("/api/me", 401)

# One address: at most 40 connections.
extra = []
for i in range(60):
    s = socket.socket()
    s.bind(("127.0.0.99", 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    except OSError:
        pass
    extra.append(s)
# Closed at once: polled for up to 2.5 s (a loaded machine may take more
# than a moment), well before the 4 s deadline closes the 40 let in.
closed_x, answered_x = set(), set()
until = time.monotonic() + 2.5
while True:
    for k, s in enumerate(extra):
        if k in closed_x or k in answered_x:
            continue
        s.settimeout(0.01)
        try:
            if s.recv(4096) == b"":
                closed_x.add(k)
            else:
                answered_x.add(k)
        except (ConnectionResetError, BrokenPipeError):
            closed_x.add(k)
        except socket.timeout:
            pass
    if len(closed_x) >= 20 or time.monotonic() > until:
        break
    time.sleep(0.1)
refused = len(closed_x)
# 60 from one address, 40 allowed: the other 20 are closed at once.
if refused < 20 or refused > 25:
    sys.exit(f"per-address limit 40: {refused} of 60 connections closed at once")
print(f"per-address limit: {refused} of 60 closed at once")

# Trickle on until the deadline: every slow connection must be closed by
# the server within deadline + 3 s of its start, although it kept sending
# (counted from the last one's start).
end = t_last + 4 + 3
while time.monotonic() < end:
    time.sleep(1)
    trickle()
closed = 0
for s in socks:
    s.settimeout(0.05)
    try:
        data = s.recv(4096)
        if data == b"":
            closed += 1
    except (ConnectionResetError, BrokenPipeError):
        closed += 1
    except socket.timeout:
        pass
    s.close()
if closed != N:
    sys.exit(f"only {closed} of {N} trickling connections were closed after the deadline")
print(f"all {N} trickling connections closed by the deadline")
for s in extra:
    s.close()
real("/", 200)
PY
rc=$?
[ $rc = 0 ] || exit $rc
api_stop
echo ok
