#!/bin/sh
# The outbox inside `prolo serve`: one worker per registry across
# processes. A server and a second long-running outbox process (`prolo
# outreach run --every 1`; a second server on one registry is refused
# outright) share a registry: only the lease's holder sends (every message
# once); the other stands by, and takes over when the first stops (SIGTERM
# gives the lease up) or dies (kill -9: its lease is taken over at once on
# this machine); a cron run refuses while another holds the lease. A
# SIGTERM stops the worker promptly.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

api_setup_db
smtp_start
write_conf "$SMTP_PORT"
for n in 1 2 3; do newpat "P$n" "Name$n" "p$n@example.org"; done
lease_pid() { sqlite3 "$PROLO_DB" "SELECT ifnull((SELECT pid FROM outbox_lease), 0)"; }

# The pass's interval, refused at the edge (naming the option), nothing
# queued and no lease taken.
for v in 0 86401 abc; do
	run 2 serve --bind 127.0.0.1 --port "$(free_port)" --outbox-interval "$v"
	err_has "--outbox-interval: seconds, 1..86400"
	run 2 outreach run --every "$v"
	err_has "outreach run: --every is seconds, 1..86400"
done
db_count "SELECT count(*) FROM outreach_messages" 0
db_count "SELECT count(*) FROM outbox_lease" 0

# Server A, then server B on the same registry.
api_start --outbox-interval 1
A_PID=$SERVER_PID; A_OUT="$T/serve.out"
wait_for received 3
wait_for lease_pid "$A_PID"
run 4 serve --bind 127.0.0.1 --port "$(free_port)" --outbox-interval 1
err_has "another server is running on this registry"
"$PROLO" outreach run --every 1 >"$T/b.out" 2>"$T/b.log" &
B_PID=$!; EXTRA_PIDS="$B_PID"
wait_for "grep -c 'standing by' '$T/b.out'" 1
grep -q "running here" "$A_OUT" || fail "server A does not say it runs the outbox"
grep -q "outbox every 1 s" "$T/b.out" || fail "process B did not start its outbox"
# While A holds the lease, a cron run does nothing and says why.
run 4 outreach run
err_has "is being run by"
# New work is done by A alone; B never sends.
newpat P4 Name4 p4@example.org
wait_for received 4
# The server writes its own audit rows meanwhile (a login).
$PY - "$PORT" "$PASSWORD" <<'EOP' || fail "login while the outbox runs"
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("POST", "/api/login", json.dumps({"username": "admin", "password": sys.argv[2]}),
          {"Content-Type": "application/json", "Origin": "http://127.0.0.1:" + sys.argv[1]})
r = c.getresponse(); r.read()
assert r.status == 200, r.status
EOP
sleep 2.5 # several intervals of both processes
[ "$(received)" = 4 ] || fail "received $(received) messages, expected 4"
[ "$(msgs "state = 'sent'")" = 4 ] || fail "not every message is sent once"
[ "$(lease_pid)" = "$A_PID" ] || fail "the lease left A while it runs"
grep -q "running here" "$T/b.out" && fail "process B ran the outbox while A held the lease"
[ "$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE action = 'outbox.lease'")" = 1 ] ||
	fail "the lease was taken more than once"

# A stops (SIGTERM): promptly, and it gives the lease up; B takes over.
t0=$(date +%s)
api_stop || fail "server A did not stop cleanly"
t1=$(date +%s)
[ $((t1 - t0)) -le 5 ] || fail "server A took $((t1 - t0)) s to stop"
grep -q "lease given up" "$A_OUT" || fail "A did not give the lease up"
wait_for lease_pid "$B_PID" 50
grep -q "running here" "$T/b.out" || fail "B did not say it runs the outbox"
newpat P5 Name5 p5@example.org
wait_for received 5

# B dies (kill -9): its lease stays behind, but a cron run on this machine
# sees its holder is gone and takes over at once.
kill -9 "$B_PID"; wait "$B_PID" 2>/dev/null; EXTRA_PIDS=""
[ "$(lease_pid)" = "$B_PID" ] || fail "the dead server's lease is gone already"
newpat P6 Name6 p6@example.org
run 0 outreach run
out_has "1 queued, 1 accepted"
[ "$(received)" = 6 ] || fail "received $(received), expected 6"
db_count "SELECT count(*) FROM outbox_lease" 0
# Every course got exactly one message; no Message-ID twice.
db_count "SELECT count(*) FROM outreach_messages" 6
dups=$(mail_ids | sort | uniq -d)
! mail_ids | grep -qx '?' || fail "an e-mail with a Message-ID the outbox did not store"
[ -z "$dups" ] || fail "a message was received twice: $dups"
# The audit chain holds with the server's rows and the outbox thread's.
run 0 audit verify
# No configuration: the server says the outbox does not run.
rm -f "$CONF"
api_start --outbox-interval 1
grep -q "the outbox does not run" "$T/serve.out" || fail "no word that the outbox is off"
api_stop
# A configuration that is wrong stops the server from starting.
write_conf "$SMTP_PORT" "rate_per_minute = 0"
run 2 serve --port "$(free_port)"
err_has "rate_per_minute"
echo "serve: all checks passed"
