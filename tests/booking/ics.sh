#!/bin/sh
# The calendar of bookings: every booking is a timed event in UTC with a
# stable UID; a re-export after moving a booking carries the same UID with
# SEQUENCE one higher and the new time, after cancelling it STATUS:CANCELLED;
# a calendar that takes each export (keeping per UID the highest SEQUENCE, as
# RFC 5546 asks) ends with one event per booking and planned session, never
# two. A planned session's all-day placeholder goes out cancelled once it is
# booked. --course gives one course's. The daylight-saving change of
# Europe/Berlin moves the UTC instant, not the local time.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-20
run 0 init
run 0 booking zone C01 Europe/Berlin
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp --planned_sessions 4
run 0 course add --course_id K2 --patient_id P2 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 2 --interval_days 21
run 0 session add --course_id K1 --session_no 1 --date 2026-03-09
run 0 booking add --course K1 --date 2026-03-27 --time 10:30
run 0 booking add --course K2 --date 2026-03-23 --time 08:00

ics() { # FILE [options]: exports, unfolded, one line per content line
	f=$1
	shift
	run 0 schedule export --ics "$T/$f.ics" --today 2026-03-20 "$@"
	/usr/bin/python3 -c "import sys; sys.stdout.write(open(sys.argv[1],newline='').read().replace('\r\n ','').replace('\r\n','\n'))" "$T/$f.ics" >"$T/$f.txt"
}
ics e1
out_has "wrote 7 events of 2 courses"
ics e1b
cmp -s "$T/e1.ics" "$T/e1b.ics" || { echo "the same registry exported twice differs" >&2; exit 1; }
for want in "UID:K1-booking-1@prolo" "DTSTART:20260327T093000Z" "DTEND:20260327T100000Z" "UID:K2-booking-2@prolo" \
	"DTSTART:20260323T070000Z" "UID:K1-3@prolo" "DTSTART;VALUE=DATE:20260410"; do
	grep -qxF "$want" "$T/e1.txt" || { echo "first export lacks $want" >&2; cat "$T/e1.txt" >&2; exit 1; }
done

# Move K1's booking across the change to summer time: same local time,
# one hour earlier in UTC; same UID, SEQUENCE 1. Cancel K2's.
run 0 booking move 1 --date 2026-03-30
ics e2
run 0 booking cancel 2
ics e3
# one course only
ics k1 --course K1
run 3 schedule export --ics "$T/x.ics" --course NOPE

/usr/bin/python3 - "$T" <<'PYEOF' || exit 1
import sys
T = sys.argv[1]

def events(name):
    evs, cur = [], None
    for line in open(f'{T}/{name}.txt'):
        line = line.rstrip('\n')
        if line == 'BEGIN:VEVENT':
            cur = {}
        elif line == 'END:VEVENT':
            evs.append(cur)
            cur = None
        elif cur is not None:
            k, _, v = line.partition(':')
            cur[k] = v
    return evs

def by_uid(evs):
    d = {}
    for e in evs:
        assert e['UID'] not in d, f"UID {e['UID']} twice in one export"
        d[e['UID']] = e
    return d

e1, e2, e3, k1 = (by_uid(events(n)) for n in ('e1', 'e2', 'e3', 'k1'))
b1, b2 = 'K1-booking-1@prolo', 'K2-booking-2@prolo'
assert e1[b1]['SEQUENCE'] == '0' and e1[b1]['STATUS'] == 'CONFIRMED', e1[b1]
assert e2[b1]['SEQUENCE'] == '1' and e2[b1]['DTSTART'] == '20260330T083000Z', e2[b1]
assert e2[b1]['DTEND'] == '20260330T090000Z', e2[b1]
assert '10:30' in e2[b1]['DESCRIPTION'] and 'Europe/Berlin' in e2[b1]['DESCRIPTION'], e2[b1]
assert e3[b2]['STATUS'] == 'CANCELLED' and e3[b2]['SEQUENCE'] == '1', e3[b2]
assert e3[b2]['SUMMARY'].startswith('Cancelled: '), e3[b2]
# the planned placeholder of a booked session goes out cancelled, and comes
# back (a higher SEQUENCE) when its booking is cancelled
assert e1['K1-2@prolo']['STATUS'] == 'CANCELLED' and e1['K1-2@prolo']['SEQUENCE'] == '1'
assert e1['K2-1@prolo']['STATUS'] == 'CANCELLED' and e1['K2-1@prolo']['SEQUENCE'] == '1'
assert e3['K2-1@prolo']['STATUS'] == 'TENTATIVE' and e3['K2-1@prolo']['SEQUENCE'] == '2', e3['K2-1@prolo']
# the sessions after a booking follow it at the interval (14 days)
assert e1['K1-3@prolo']['DTSTART;VALUE=DATE'] == '20260410', e1['K1-3@prolo']
assert e2['K1-3@prolo']['DTSTART;VALUE=DATE'] == '20260413', e2['K1-3@prolo']
# a calendar importing e1, e2, e3 in turn
cal = {}
for exp in (e1, e2, e3):
    for uid, e in exp.items():
        if uid not in cal or int(e['SEQUENCE']) >= int(cal[uid]['SEQUENCE']):
            cal[uid] = e
live = [e for e in cal.values() if e['STATUS'] != 'CANCELLED']
assert sorted(e['UID'] for e in live) == sorted(
    ['K1-booking-1@prolo', 'K1-3@prolo', 'K1-4@prolo', 'K2-1@prolo', 'K2-2@prolo']), sorted(e['UID'] for e in live)
assert cal[b1]['DTSTART'] == '20260330T083000Z'
# --course K1: K1's only
assert set(k1) == {u for u in e3 if u.startswith('K1-')}, (set(k1), set(e3))
PYEOF

# An independent parser, when npm can provide it (as tests/alerts/ics.sh).
command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || exit 0
NPM="$TOP/$BUILD/npm-booking" # its own: tests/alerts/ics.sh may install at the same time
if [ ! -d "$NPM/node_modules/ical.js" ]; then
	npm install --prefix "$NPM" --no-audit --no-fund ical.js >&2 || exit 0
fi
cat >"$T/parse.mjs" <<'JSEOF'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.argv[2] + '/');
const ICAL = (await import(require.resolve('ical.js'))).default;
const comp = new ICAL.Component(ICAL.parse(readFileSync(process.argv[3], 'utf8')));
const ev = comp.getAllSubcomponents('vevent').map(v => new ICAL.Event(v));
console.log(JSON.stringify(ev.map(e => [e.uid, e.startDate.toString(), e.sequence,
  e.component.getFirstPropertyValue('status')])));
JSEOF
node "$T/parse.mjs" "$NPM/node_modules" "$T/e3.ics" >"$T/parsed.json" || { echo "ical.js rejected the file" >&2; exit 1; }
/usr/bin/python3 - "$T/parsed.json" <<'PYEOF' || exit 1
import json, sys
ev = {e[0]: e for e in json.load(open(sys.argv[1]))}
assert ev['K1-booking-1@prolo'][1] == '2026-03-30T08:30:00Z' and ev['K1-booking-1@prolo'][2] == 1, ev
assert ev['K2-booking-2@prolo'][3] == 'CANCELLED', ev
PYEOF
exit 0
