#!/bin/sh
# kill -9 in the middle of a batch, then a restart: a real `prolo outreach
# run` process sends 8 invitations to a real SMTP server slowed to 3 s a
# message, and is killed (SIGKILL) while a message is with the server. The
# restart settles the interrupted 'sending' row as 'unknown' (never resent)
# and sends the rest. The received mail is then checked against the
# outbox's rows: no message twice, every 'sent' one received once, every
# attempt on record, none left 'sending'.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
. "$TOP/tests/outreach/lib.sh"

api_setup_db
smtp_start
write_conf "$SMTP_PORT"
for n in 1 2 3 4 5 6 7 8; do newpat "P$n" "Name$n" "p$n@example.org"; done
echo slow >"$MODE"
"$PROLO" outreach run >"$T/run.out" 2>&1 &
RUN_PID=$!; EXTRA_PIDS=$RUN_PID
wait_for received 2 150
# the second message's answer recorded and the third one sending (the slow
# server holds it 3 s): polled, not assumed after a fixed second, which a
# loaded machine may need for the commits
progress() { sqlite3 "$PROLO_DB" "SELECT (SELECT count(*) FROM outreach_messages WHERE state = 'sent') || ' ' || (SELECT count(*) FROM outreach_messages WHERE state = 'sending')"; }
wait_for progress "2 1" 100
kill -9 "$RUN_PID"; wait "$RUN_PID" 2>/dev/null; EXTRA_PIDS=""
db_count "SELECT count(*) FROM outreach_messages" 8
db_count "SELECT count(*) FROM outreach_messages WHERE state = 'sending'" 1
db_count "SELECT count(*) FROM outreach_attempts WHERE result = 'sending'" 1
db_count "SELECT count(*) FROM outreach_messages WHERE state = 'sent'" 2
echo ok >"$MODE"
sleep 3 # the slow server finishes (or drops) what it had
run 0 outreach run
out_has "0 queued, 5 accepted"
out_has "1 interrupted sends settled"
run 0 outreach run
out_has "0 queued, 0 accepted"
run 0 outreach list --state unknown
out_has "the sending process stopped before the server's answer was recorded; not resent"
# The mail against the rows.
sqlite3 -separator ' ' "$PROLO_DB" "SELECT m.id, m.state, m.tries, (SELECT count(*) FROM outreach_attempts a WHERE a.message_id = m.id), (SELECT group_concat(result) FROM outreach_attempts a WHERE a.message_id = m.id) FROM outreach_messages m" >"$T/rows"
# Each e-mail's Message-ID is the one stored with its attempt (random).
sqlite3 -separator ' ' "$PROLO_DB" "SELECT msgid, message_id FROM outreach_attempts" >"$T/ids"
$PY - "$MAIL" "$T/rows" "$T/ids" <<'EOP' || fail "the received mail does not match the outbox"
import collections, os, re, sys
mail, rows = sys.argv[1], sys.argv[2]
ids = dict(line.split() for line in open(sys.argv[3]))
got = collections.Counter()
for f in os.listdir(mail):
    if f.endswith(".eml"):
        m = re.search(r"^Message-ID: <([^>]+)>", open(os.path.join(mail, f)).read(), re.M)
        got[int(ids[m.group(1)])] += 1
state = {}
for line in open(rows):
    mid, st, tries, n_att, results = line.split()
    state[int(mid)] = st
    assert int(tries) == int(n_att) == 1, ("one attempt each", line)
    assert "sending" not in results, line
dups = [k for k, v in got.items() if v > 1]
assert not dups, ("received twice", dups)
assert set(got) <= set(state), ("mail for no row", set(got) - set(state))
sent = [k for k, s in state.items() if s == "sent"]
unknown = [k for k, s in state.items() if s == "unknown"]
assert len(sent) == 7 and len(unknown) == 1, state
lost = [k for k in sent if got[k] != 1]
assert not lost, ("sent but not received", lost)
assert sum(got.values()) == len(sent) + got[unknown[0]], (got, state)
print("kill -9: %d rows, %d sent and received once, 1 unknown (%s)" %
      (len(state), len(sent), "arrived" if got[unknown[0]] else "did not arrive"))
EOP
echo "kill9: all checks passed"
