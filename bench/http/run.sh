#!/bin/sh
# HTTP benchmark (issue 6, Speed): wrk on loopback against `prolo serve`:
#   1. an authenticated GET of a patient chart (audited read),
#   2. a POST recording a session with two injections (durable write),
#   3. a POST recording an NRS assessment, then a PATCH amending those
#      assessments (If-Match: the version each thread knows, a reason):
#      the amend goal of issue 14 against the create in the same run,
# and nginx serving a static file of the chart's size in the same run as
# the baseline; GET /api/me (the session check alone) shows the server's
# fixed cost per request, and the chart again from a server without its
# chart cache (--chart-cache-mb 0) shows the cost of rendering it.
# SERVE_OPTS adds options to both servers (e.g. --threads 2).
# Prints requests/s, p99 latency and the ratios to the goals:
# reads >= 1/3 of nginx's static rate with p99 < 10 ms at 64 connections;
# >= 1000 durable session writes/s; amends >= 1/2 of the creates.
# Any non-2xx answer or socket error makes the run fail (exit 1).
# Usage: bench/http/run.sh [SECONDS per run, default 10] [CONNECTIONS, default 64]
# BENCH_SMOKE=1: 1-second runs, 8 connections (checks the script, not the speed).
set -eu
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
	DUR=${1:-1}
	CONNS=${2:-8}
else
	DUR=${1:-10}
	CONNS=${2:-64}
fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PROLO=${PROLO_BIN:-$TOP/prolo}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y wrk nginx-light >/dev/null 2>&1 ||
			{ apt-get update >/dev/null && apt-get install -y wrk nginx-light >/dev/null; }
	else
		echo "bench: needs wrk and nginx (apt-get install wrk nginx-light)" >&2
		exit 77
	fi
fi
[ -x "$PROLO" ] || (cd "$TOP" && make -s)
T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-bench.XXXXXX")
# nginx's workers run as another user when it is started as root: its
# document root is a folder of its own that they may read.
WWW=$(mktemp -d "${TMPDIR:-/tmp}/prolo-bench-www.XXXXXX")
chmod 755 "$WWW"
SPID=""
NPID=""
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null && wait "$NPID" 2>/dev/null
	rm -rf "$T" "$WWW"
}
trap cleanup EXIT INT TERM
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

export PROLO_DB="$T/bench.db"
"$PROLO" init >/dev/null
echo 'bench password 123' | "$PROLO" user add bench --role clinician --clinic C01 --password-stdin >/dev/null
PORT=$(free_port)
start_server() { # extra serve options...
	"$PROLO" serve --port "$PORT" --web "$TOP/web" ${SERVE_OPTS:-} "$@" >"$T/serve.out" 2>/dev/null &
	SPID=$!
	i=0
	until $PY -c "import http.client; c=http.client.HTTPConnection('127.0.0.1',$PORT,timeout=1); c.request('GET','/api/me'); c.getresponse()" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 50 ] || { echo "server did not start" >&2; exit 1; }
		sleep 0.1
	done
}
start_server

# A patient with a typical chart (one course, 4 sessions with 3 injections,
# 6 NRS answers, 2 side effects) and 2 x 200 empty courses to write sessions
# into (each wrk thread its own 200, up to 1000 sessions each: room for
# 400,000 writes); and 2 x OCOURSES courses to record NRS assessments into,
# 20 to a course as a chart holds them (each thread its own courses; when
# all hold 20, each takes 20 more).
OCOURSES=${OCOURSES:-$((DUR * 250))}
$PY - "$PORT" "$T" "$OCOURSES" <<'PYEOF'
import http.client, json, sys, threading
from concurrent.futures import ThreadPoolExecutor
port, tmp, ocourses = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def req(m, p, b=None, h={}):
    c = http.client.HTTPConnection("127.0.0.1", port); c.request(m, p, json.dumps(b) if b is not None else None, h)
    r = c.getresponse(); d = r.read(); return r.status, r.getheader("Set-Cookie"), d
st, ck, d = req("POST", "/api/login", {"username": "bench", "password": "bench password 123"})
cookie = ck.split(";")[0]; csrf = json.loads(d)["csrf_token"]
H = {"Cookie": cookie, "X-CSRF-Token": csrf}
def post(p, b):
    st, _, d = req("POST", p, b, H)
    assert st == 201, (p, st, d)
post("/api/patients", {"patient_id": "P1", "sex": "female", "birth_year": 1968, "first_name": "Ann", "last_name": "Example"})
post("/api/courses", {"course_id": "K1", "patient_id": "P1", "modality": "dextrose", "condition": "low_back_pain",
                      "start_date": "2024-01-08", "planned_sessions": 4, "interval_days": 28})
for s in range(1, 5):
    d = "2024-%02d-08" % s
    post("/api/sessions", {"course_id": "K1", "session_no": s, "date": d, "proliferant": "dextrose", "concentration_pct": 15,
         "volume_ml": 12, "anaesthetic": "lidocaine", "anaesthetic_pct": 0.5, "clinician": "Dr Who",
         "injections": [{"site": "L5-S1 iliolumbar ligament", "side": "bilateral", "volume_ml": 4, "guidance": "landmark"} for _ in range(3)]})
for k, sc in enumerate([8, 7, 6, 5, 4, 3]):
    post("/api/outcomes", {"course_id": "K1", "date": "2024-%02d-10" % (k + 1), "instrument": "NRS", "score": sc})
post("/api/adverse-events", {"course_id": "K1", "date": "2024-01-09", "kind": "soreness", "duration_days": 2, "grade": 1})
post("/api/adverse-events", {"course_id": "K1", "date": "2024-02-09", "kind": "stiffness", "duration_days": 1, "grade": 1})
post("/api/patients", {"patient_id": "P2", "sex": "male"})
for t in range(1, 3):
    for n in range(200):
        post("/api/courses", {"course_id": "B%d_%d" % (t, n), "patient_id": "P2", "modality": "prp", "condition": "knee_oa",
                              "start_date": "2024-01-01", "planned_sessions": 50})
# The assessment courses, 16 clients at a time (one connection each).
local = threading.local()
def post_course(cid):
    if not hasattr(local, "c"):
        local.c = http.client.HTTPConnection("127.0.0.1", port)
    local.c.request("POST", "/api/courses", json.dumps({"course_id": cid, "patient_id": "P2", "modality": "dextrose",
                    "condition": "knee_oa", "start_date": "2022-01-01", "planned_sessions": 3}), H)
    r = local.c.getresponse(); d = r.read()
    assert r.status == 201, (cid, r.status, d)
with ThreadPoolExecutor(16) as ex:
    list(ex.map(post_course, ["O%d_%d" % (t, n) for t in range(1, 3) for n in range(ocourses)]))
st, _, chart = req("GET", "/api/patients/P1", None, H)
assert st == 200
open(tmp + "/chart.json", "wb").write(chart)
open(tmp + "/cookie", "w").write(cookie)
open(tmp + "/csrf", "w").write(csrf)
PYEOF
COOKIE=$(cat "$T/cookie")
CSRF=$(cat "$T/csrf")
SIZE=$(wc -c <"$T/chart.json")

# nginx: the same number of bytes as a static file.
mkdir -p "$T/nginx"
cp "$T/chart.json" "$WWW/chart.json"
chmod 644 "$WWW/chart.json"
NPORT=$(free_port)
cat >"$T/nginx.conf" <<NGX
worker_processes auto;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $T/nginx; proxy_temp_path $T/nginx; fastcgi_temp_path $T/nginx;
  uwsgi_temp_path $T/nginx; scgi_temp_path $T/nginx;
  server { listen 127.0.0.1:$NPORT; root $WWW; location / { default_type application/json; } }
}
NGX
nginx -c "$T/nginx.conf" -g 'daemon off;' &
NPID=$!
sleep 0.5

cat >"$T/post.lua" <<'LUA'
local counter = 1
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
request = function()
  local c = math.floor((counter - 1) / 1000)
  local s = (counter - 1) % 1000 + 1
  counter = counter + 1
  local body = string.format('{"course_id":"B%d_%d","session_no":%d,"date":"2024-02-01","proliferant":"prp",' ..
    '"volume_ml":4,"injections":[{"site":"medial knee","side":"left","volume_ml":2},' ..
    '{"site":"lateral knee","side":"left","volume_ml":2}]}', tid, c, s)
  return wrk.format("POST", "/api/sessions", nil, body)
end
LUA

# Creates: NRS assessments, thread t into its courses O<t>_<c>, 20 to a
# course, a day apart from 2022-01-01.
cat >"$T/outcome.lua" <<LUA
local ocourses = $OCOURSES
LUA
cat >>"$T/outcome.lua" <<'LUA'
local threads = {}
local counter = 0
local base = os.time({ year = 2022, month = 1, day = 1, hour = 12 })
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
request = function()
  local n = counter
  counter = counter + 1
  local room = ocourses * 20
  local c = math.floor(n / 20) % ocourses
  local day = math.floor(n / room) * 20 + n % 20
  local body = string.format('{"course_id":"O%d_%d","date":"%s","instrument":"NRS","score":5}', tid, c,
    os.date("%Y-%m-%d", base + day * 86400))
  return wrk.format("POST", "/api/outcomes", nil, body)
end
LUA

# Amends: each thread amends the assessments it created (listed from the
# registry after the create run, so none is missing), in turns: the k-th
# turn sends If-Match k and NRS 4, then 5, then 4 again (never a jump the
# rules ask to confirm). A record comes round again only after all of its
# thread's others, so its previous amend has long been answered and its
# version is known: no answer may be 409. wrk calls request() once on its
# first thread's state to check the script and sends nothing of it, so
# each thread's first call is a GET of the session, which that loses
# nothing (one GET more on the second thread).
cat >"$T/amend.lua" <<LUA
local dir = "$T"
LUA
cat >>"$T/amend.lua" <<'LUA'
local threads = {}
local recs = {}
local hdr = {}
local counter = 0
local checked = false
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  for line in io.lines(dir .. "/amend" .. tid .. ".txt") do
    recs[#recs + 1] = "/api/outcomes/" .. line .. "/NRS"
  end
  for k, v in pairs(wrk.headers) do hdr[k] = v end
end
request = function()
  if not checked then
    checked = true
    return wrk.format("GET", "/api/me", hdr)
  end
  local n = #recs
  local turn = math.floor(counter / n)
  local path = recs[counter % n + 1]
  counter = counter + 1
  hdr["If-Match"] = '"' .. (turn + 1) .. '"'
  local body = string.format('{"score":%d,"reason":"typing error"}', turn % 2 == 0 and 4 or 5)
  return wrk.format("PATCH", path, hdr, body)
end
LUA

# wrk prints latency percentiles with --latency; pick rps and p99.
measure() { # name, wrk args...
	name=$1; shift
	wrk --latency -t2 -c"$CONNS" -d"${DUR}s" "$@" >"$T/$name.txt" 2>&1
	rps=$(awk '/^Requests\/sec/ {print $2}' "$T/$name.txt")
	p99=$(awk '$1 == "99%" {print $2}' "$T/$name.txt")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$T/$name.txt")
	errs=$(awk '/Socket errors/ {n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n}' "$T/$name.txt")
	total=$(awk '/requests in/ {print $1}' "$T/$name.txt")
	[ $(( ${non2xx:-0} + ${errs:-0} )) -eq 0 ] || { echo "bench: $name:" && cat "$T/$name.txt"; } >&2
	echo "$name $rps $p99 $(( ${non2xx:-0} + ${errs:-0} )) $total"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub("us","",v); print v/1000 } else if (v ~ /ms$/) { sub("ms","",v); print v+0 } else if (v ~ /s$/) { sub("s","",v); print v*1000 } else print v }'; }

set -- $(measure nginx "http://127.0.0.1:$NPORT/chart.json"); N_RPS=$2; N_P99=$3; N_BAD=$4
set -- $(measure me -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/me"); M_RPS=$2; M_P99=$3; M_BAD=$4
set -- $(measure chart -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/patients/P1"); R_RPS=$2; R_P99=$3; R_BAD=$4; R_N=$5
set -- $(measure post -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H "Content-Type: application/json" -s "$T/post.lua" "http://127.0.0.1:$PORT/"); W_RPS=$2; W_P99=$3; W_BAD=$4; W_N=$5
set -- $(measure ocreate -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H "Content-Type: application/json" -s "$T/outcome.lua" "http://127.0.0.1:$PORT/"); C_RPS=$2; C_P99=$3; C_BAD=$4; C_N=$5
for t in 1 2; do
	sqlite3 "$PROLO_DB" "SELECT c.course_id || '/' || o.date FROM outcomes o JOIN courses c ON c.pk = o.course_pk
		WHERE c.course_id LIKE 'O${t}\_%' ESCAPE '\' AND o.instrument = 'NRS'" >"$T/amend$t.txt"
	[ -s "$T/amend$t.txt" ] || { echo "bench: thread $t created no assessment to amend" >&2; exit 1; }
done
set -- $(measure amend -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H "Content-Type: application/json" -s "$T/amend.lua" "http://127.0.0.1:$PORT/"); A_RPS=$2; A_P99=$3; A_BAD=$4; A_N=$5
kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""
start_server --chart-cache-mb 0
set -- $(measure nocache -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/patients/P1"); U_RPS=$2; U_P99=$3; U_BAD=$4; U_N=$5
kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""
rows=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM sessions s JOIN courses c ON c.pk = s.course_pk WHERE c.course_id LIKE 'B%'")
audit=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log")
reads=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND record = 'patient:P1'")
orows=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM outcomes o JOIN courses c ON c.pk = o.course_pk WHERE c.course_id LIKE 'O%'")
# Every amend adds one version to its record and one history row.
aver=$(sqlite3 "$PROLO_DB" "SELECT coalesce(sum(o.version - 1), 0) FROM outcomes o JOIN courses c ON c.pk = o.course_pk WHERE c.course_id LIKE 'O%'")
ahist=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM record_history WHERE kind = 'outcome' AND action = 'amend'")
aaudit=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = 'outcome.amend'")
"$PROLO" audit verify >/dev/null || { echo "bench: audit chain broken" >&2; exit 1; }

echo "http bench: ${DUR}s per run, $CONNS connections, 2 wrk threads, chart $SIZE bytes, $(nproc) cores"
echo "nginx static ($SIZE B):  $N_RPS req/s  p99 $N_P99  failed ${N_BAD}"
echo "GET /api/me (floor):   $M_RPS req/s  p99 $M_P99  (session check only: the server's fixed cost)"
echo "GET chart (audited):   $R_RPS req/s  p99 $R_P99  failed ${R_BAD}"
echo "GET chart, no cache:   $U_RPS req/s  p99 $U_P99  failed ${U_BAD}  (every read renders the chart)"
echo "POST session (durable): $W_RPS req/s  p99 $W_P99  failed ${W_BAD}; $W_N answered, $rows sessions stored; audit rows $audit, chain intact"
echo "POST NRS (durable):    $C_RPS req/s  p99 $C_P99  failed ${C_BAD}; $C_N answered, $orows assessments stored"
echo "PATCH NRS (amend):     $A_RPS req/s  p99 $A_P99  failed ${A_BAD}; $A_N answered, $aver versions added, $ahist history rows, $aaudit audit rows"
# Every answered chart read must have its audit row (one more per read of
# the setup script).
[ "$reads" -ge $((R_N + U_N - R_BAD - U_BAD)) ] || { echo "bench: $((R_N + U_N)) chart reads answered but $reads audited" >&2; exit 1; }
echo "chart reads answered: $((R_N + U_N)); patient.read audit rows: $reads"
# Every answered POST must have stored its session (requests still in flight
# when wrk stops may add a few more rows, never fewer).
[ "$rows" -ge $((W_N - W_BAD)) ] || { echo "bench: $((W_N - W_BAD)) sessions acknowledged but $rows stored" >&2; exit 1; }
[ "$orows" -ge $((C_N - C_BAD)) ] || { echo "bench: $((C_N - C_BAD)) assessments acknowledged but $orows stored" >&2; exit 1; }
[ "$aver" -ge $((A_N - A_BAD)) ] && [ "$ahist" -eq "$aver" ] && [ "$aaudit" -eq "$aver" ] ||
	{ echo "bench: $((A_N - A_BAD)) amends acknowledged; $aver versions, $ahist history rows, $aaudit audit rows" >&2; exit 1; }
awk -v r="$R_RPS" -v n="$N_RPS" -v p="$(to_ms "$R_P99")" -v w="$W_RPS" -v rb="$R_BAD" -v wb="$W_BAD" \
    -v c="$C_RPS" -v a="$A_RPS" -v cb="$C_BAD" -v ab="$A_BAD" -v nb="$N_BAD" 'BEGIN {
	printf "reads / nginx static = %.3f (goal >= 0.333: %s)\n", r / n, (r / n >= 1/3 && rb == 0 && nb == 0) ? "met" : "not met";
	printf "read p99 = %.2f ms (goal < 10 ms: %s)\n", p, (p < 10 && rb == 0) ? "met" : "not met";
	printf "durable session writes = %.0f/s (goal >= 1000: %.2fx, %s)\n", w, w / 1000, (w >= 1000 && wb == 0) ? "met" : "not met";
	printf "amends / creates = %.0f / %.0f = %.3f (goal >= 0.5: %s)\n", a, c, a / c, (a / c >= 0.5 && cb == 0 && ab == 0) ? "met" : "not met";
	if (nb || rb || wb || cb || ab) printf "failed requests do not count: the run is invalid\n" }'
[ $((N_BAD + M_BAD + R_BAD + U_BAD + W_BAD + C_BAD + A_BAD)) -eq 0 ] || exit 1
