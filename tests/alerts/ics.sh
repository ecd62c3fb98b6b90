#!/bin/sh
# prolo schedule export --ics: CRLF, folding at 75 octets, escaping, stable
# UIDs, one VEVENT per remaining session; then parsed by an independent
# iCalendar library (ical.js from npm, installed under $BUILD/npm). Skips
# (77) only when npm cannot provide the parser.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C02 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2024-05-06 --protocol dextrose-lbp
run 0 session add --course_id K1 --session_no 1 --date 2024-05-06
run 0 session add --course_id K1 --session_no 2 --date 2024-05-22
# a course id long enough to fold the description, and a clinic-added condition
sqlite3 "$PROLO_DB" "INSERT INTO conditions(name) VALUES ('shoulder_pain')"
run 0 course add --course_id K-a-rather-long-course-id.for-folding:2024 --patient_id P2 --modality prp \
	--condition shoulder_pain --start_date 2024-06-10 --protocol prp-general
run 0 course add --course_id K3 --patient_id P2 --modality dextrose --condition knee_oa --start_date 2024-01-01 --planned_sessions 3 --interval_days 14
run 0 course end K3 --status dropped --date 2024-02-01
run 0 schedule export --ics "$T/cal.ics" --today 2024-06-01
out_has "wrote 6 events of 2 courses"
ICS="$T/cal.ics"
# every line ends in CRLF, none is longer than 75 octets, folded lines exist
/usr/bin/python3 - "$ICS" <<'PYEOF' || exit 1
import sys
data = open(sys.argv[1], 'rb').read()
assert data.endswith(b'\r\n')
lines = data.split(b'\r\n')[:-1]
assert all(b'\n' not in l and b'\r' not in l for l in lines)
assert max(len(l) for l in lines) <= 75, max(len(l) for l in lines)
assert any(l.startswith(b' ') for l in lines), 'nothing folded'
text = data.decode('utf-8').replace('\r\n ', '')
uids = [l[4:] for l in text.split('\r\n') if l.startswith('UID:')]
assert uids == ['K1-3@prolo', 'K1-4@prolo', 'K1-5@prolo', 'K1-6@prolo',
                'K-a-rather-long-course-id.for-folding:2024-1@prolo',
                'K-a-rather-long-course-id.for-folding:2024-2@prolo'], uids
assert 'DTSTART;VALUE=DATE:20240605' in text      # session 2 + 14 days
assert 'DTSTAMP:20240601T000000Z' in text
assert 'SUMMARY:Session 3/6: dextrose\\, low_back_pain (patient P1)' in text
assert '\\n' in text and '\\;' in text
PYEOF
# the same registry exports the same file (stable UIDs: a re-import updates)
cp "$ICS" "$T/first.ics"
run 0 schedule export --ics "$ICS" --today 2024-06-01
cmp -s "$ICS" "$T/first.ics" || { echo "export is not reproducible" >&2; exit 1; }
run 0 schedule export --ics "$T/c02.ics" --today 2024-06-01 --clinic C02
out_has "wrote 2 events of 1 course"
run 2 schedule export
run 2 schedule export --ics "$T/x.ics" --today nope

# an independent parser
command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || { echo "npm/node not available" >&2; exit 77; }
NPM="$TOP/$BUILD/npm"
if [ ! -d "$NPM/node_modules/ical.js" ]; then
	npm install --prefix "$NPM" --no-audit --no-fund ical.js >&2 || { echo "cannot install ical.js" >&2; exit 77; }
fi
cat >"$T/parse.mjs" <<'JSEOF'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.argv[2] + '/');
const ICAL = (await import(require.resolve('ical.js'))).default;
const comp = new ICAL.Component(ICAL.parse(readFileSync(process.argv[3], 'utf8')));
const ev = comp.getAllSubcomponents('vevent').map(v => new ICAL.Event(v));
const out = ev.map(e => [e.uid, e.startDate.toString(), e.endDate.toString(), e.summary, e.description]);
console.log(JSON.stringify({ version: comp.getFirstPropertyValue('version'), events: out }));
JSEOF
node "$T/parse.mjs" "$NPM/node_modules" "$ICS" >"$T/parsed.json" || { echo "ical.js rejected the file" >&2; exit 1; }
/usr/bin/python3 - "$T/parsed.json" <<'PYEOF' || exit 1
import json, sys
j = json.load(open(sys.argv[1]))
assert j['version'] == '2.0'
ev = j['events']
assert len(ev) == 6, ev
uid, start, end, summary, desc = ev[0]
assert uid == 'K1-3@prolo' and start == '2024-06-05' and end == '2024-06-06', ev[0]
assert summary == 'Session 3/6: dextrose, low_back_pain (patient P1)', summary
assert 'planned session 3 of 6, protocol dextrose-lbp.\nPlanned for 2024-06-05; it may move between 2024-06-02 and 2024-06-08.' in desc, desc
assert ev[4][0] == 'K-a-rather-long-course-id.for-folding:2024-1@prolo' and ev[4][1] == '2024-06-10', ev[4]
assert 'K-a-rather-long-course-id.for-folding:2024' in ev[4][4], ev[4]
PYEOF
exit 0
