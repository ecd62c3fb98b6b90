#!/bin/sh
# The follow-up outbox's speed (issue 13), two figures each against a
# baseline measured in the same run:
#   pass   one outbox pass that queues but sends nothing (`prolo outreach run
#          --no-send`: reads every course, computes every due time point,
#          writes what is due) over a registry of N patients (default
#          1,000,000; 70 % with an e-mail address and consent), against
#          read_rows.c merely reading the rows the pass needs
#          (goal: pass / read <= 2)
#   send   messages per second from `prolo outreach run` to a loopback SMTP
#          server (aiosmtpd, sink.py), SEND of them (default 2000), against
#          the goal of 200 per second
# Each timed contender runs REPS times (default 3), round robin, after one
# untimed warm-up; the median counts. The date is fixed (BENCH_TODAY, default
# 2026-12-15, after the simulated registry's last answers, so many time
# points are due and unanswered) so a registry has the same due points. The registry is cached under
# bench/out/outbox-N/ (git-ignored); delete it to rebuild.
# usage: bench/outbox/run.sh [PATIENTS]    PROLO_BIN overrides ./prolo;
#        PARTS="pass send" (default) or one of them
set -eu
N=${1:-1000000}
REPS=${REPS:-3}
SEND=${SEND:-2000}
PROLO=${PROLO_BIN:-./prolo}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PROLO=$(cd "$(dirname "$PROLO")" && pwd)/$(basename "$PROLO")
[ -x "$PROLO" ] || { echo "build prolo first (make)" >&2; exit 2; }
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "needs $PY with aiosmtpd (apt-get install python3-aiosmtpd)" >&2; exit 2; }
export PROLO_TODAY=${BENCH_TODAY:-2026-12-15}

T=$(mktemp -d "${TMPDIR:-/tmp}/prolo-bench-outbox.XXXXXX")
SINK_PID=""
trap '[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; rm -rf "$T"' EXIT
${CC:-cc} -std=c17 -O2 -o "$T/read_rows" "$HERE/read_rows.c" -lsqlite3
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
conf() { # DB SMTP_PORT
	(umask 077; cat >"$1-outreach.conf" <<EOC
smtp_url = smtp://127.0.0.1:$2
starttls = off
from = clinic@example.org
clinic_name = Bench Clinic
base_url = https://clinic.example
rate_per_minute = 60000
max_per_run = 10000
timeout_seconds = 10
EOC
	)
}
now() { date +%s.%N; }

PARTS=${PARTS:-pass send}
case " $PARTS " in *" pass "*) ;; *) SKIP_PASS=1 ;; esac
# ---- the pass ----
if [ -z "${SKIP_PASS:-}" ]; then
. "$TOP/bench/lib.sh"
bench_registry outbox "$N" "INSERT INTO patient_contacts(patient_pk, email, channel, consent, consent_date, consent_by,
	consent_how, updated_at) SELECT pk, 'p' || pk || '@example.org', 'email', 'given', '2018-01-01', 'bench',
	'written', 0 FROM patients WHERE pk % 10 < 7"
conf "$DB" 1
# The first pass queues what is due on the day (timed once, on a copy).
cp "$DB" "$T/first.db"; cp "$DB-audit.key" "$T/first.db-audit.key"; cp "$DB-audit.anchor" "$T/first.db-audit.anchor"
conf "$T/first.db" 1
cat "$T/first.db" >/dev/null
s=$(now); "$PROLO" --db "$T/first.db" outreach run --no-send >"$T/first.out"; e=$(now)
first=$(echo "$e - $s" | bc)
rm -f "$T"/first.db*
# Then the registry as it is between passes: everything due is queued.
[ -f "$CACHE/.queued-$PROLO_TODAY" ] || { "$PROLO" --db "$DB" outreach run --no-send >/dev/null; : >"$CACHE/.queued-$PROLO_TODAY"; }
cat "$DB" >/dev/null
"$T/read_rows" "$DB" >"$T/read.out"
i=0
while [ "$i" -lt "$REPS" ]; do
	s=$(now); "$PROLO" --db "$DB" outreach run --no-send >"$T/pass.out"; e=$(now); echo "$e - $s" | bc >>"$T/pass"
	s=$(now); "$T/read_rows" "$DB" >/dev/null; e=$(now); echo "$e - $s" | bc >>"$T/read"
	i=$((i + 1))
done
median() { sort -n "$T/$1" | awk '{t[NR] = $1} END {print t[int((NR + 1) / 2)]}'; }
all() { awk '{printf "%s%.2f", sep, $1; sep = " "}' "$T/$1"; }
msgs=$(sqlite3 "$DB" "SELECT count(*) FROM outreach_messages")
tasks=$(sqlite3 "$DB" "SELECT count(*) FROM outreach_tasks")
courses=$(sqlite3 "$DB" "SELECT count(*) FROM courses")
echo "registry: $N patients, $courses courses, $(awk '{print $1}' "$T/read.out") rows read; on $PROLO_TODAY $msgs messages queued, $tasks phone tasks"
echo "first pass (queues them): $(sed 's/, 0 accepted.*//' "$T/first.out") in $first s"
awk -v tp="$(median pass)" -v tr="$(median read)" -v ap="$(all pass)" -v ar="$(all read)" -v r="$REPS" 'BEGIN {
	printf "median of %d runs (all runs):\n", r
	printf "  prolo outreach run --no-send  %6.2f s (%s)\n", tp, ap
	printf "  read the rows (floor)         %6.2f s (%s)\n", tr, ar
	printf "pass / read = %.2fx (goal <= 2)\n", tp / tr
}'

fi

# ---- sending ----
case " $PARTS " in *" send "*) ;; *) exit 0 ;; esac
SDB=$T/send.db
"$PROLO" --db "$SDB" init >/dev/null
start=$(date -d "$PROLO_TODAY - 91 days" +%Y-%m-%d)
sqlite3 "$SDB" "INSERT INTO clinics(code, name) SELECT 'C01', 'Bench' WHERE NOT EXISTS (SELECT 1 FROM clinics WHERE code = 'C01');
	WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $SEND)
	INSERT INTO patients(pk, patient_id, clinic, sex, birth_year, first_name, last_name) SELECT i, 'P' || i, 'C01', 'female', 1970, 'Name' || i, 'Last' FROM k;
	INSERT INTO courses(pk, course_id, patient_pk, modality, condition, start_date, planned_sessions, status)
		SELECT pk, 'K' || pk, pk, 'dextrose', 'low_back_pain', '$start', 3, 'completed' FROM patients;
	INSERT INTO patient_contacts(patient_pk, email, channel, consent, consent_date, consent_by, consent_how, updated_at)
		SELECT pk, 'p' || pk || '@example.org', 'email', 'given', '2018-01-01', 'bench', 'written', 0 FROM patients;"
PORT=$(free_port)
$PY "$HERE/sink.py" "$PORT" "$T/count" >"$T/sink.log" 2>&1 &
SINK_PID=$!
i=0; while [ ! -f "$T/count" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
conf "$SDB" "$PORT"
"$PROLO" --db "$SDB" outreach run --no-send >/dev/null
s=$(now); "$PROLO" --db "$SDB" outreach run >"$T/send.out"; e=$(now)
sleep 0.5
took=$(echo "$e - $s" | bc)
got=$(cat "$T/count")
accepted=$(sqlite3 "$SDB" "SELECT count(*) FROM outreach_messages WHERE state = 'sent'")
echo "send: $accepted accepted ($got received by the server) in $took s"
awk -v n="$accepted" -v t="$took" 'BEGIN { printf "send rate = %.0f messages/s (goal >= 200: %.1fx)\n", n / t, n / t / 200 }'
[ "$got" = "$accepted" ] && [ "$accepted" = "$SEND" ] || { echo "not every message went out once" >&2; exit 1; }
