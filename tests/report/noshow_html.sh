#!/bin/sh
# The HTML report's drop-out table has the no-show counts the text and JSON
# reports have (bookings missed, courses with a no-show, drop-outs among
# them), per modality and for all: the numbers read from the HTML table
# equal the JSON report's, and the ones this registry must give.
. "$TOP/tests/lib/cli.sh"
export PROLO_PROTOCOLS="$TOP/protocols/default.protocols"
export PROLO_TODAY=2026-03-16
run 0 init
run 0 patient add --patient_id P1 --clinic C01 --sex female
run 0 patient add --patient_id P2 --clinic C01 --sex male
run 0 course add --course_id K1 --patient_id P1 --start_date 2026-03-02 --protocol dextrose-lbp
run 0 course add --course_id K2 --patient_id P2 --modality prp --condition knee_oa --start_date 2026-03-02 --planned_sessions 2 --interval_days 21
run 0 session add --course_id K1 --session_no 1 --date 2026-03-02
run 0 session add --course_id K2 --session_no 1 --date 2026-03-02
run 0 outcome add --course_id K1 --date 2026-03-02 --instrument NRS --score 8
run 0 outcome add --course_id K2 --date 2026-03-02 --instrument NRS --score 7
# K1 (dextrose): two no-shows, then dropped; K2 (prp): one, then completed.
run 0 booking add --course K1 --date 2026-03-25 --time 10:00
run 0 booking add --course K1 --date 2026-03-30 --time 09:00 --session 3
run 0 booking add --course K2 --date 2026-03-23 --time 08:00
export PROLO_TODAY=2026-03-30
run 0 booking noshow 1
run 0 booking noshow 2
run 0 booking noshow 3
export PROLO_TODAY=2026-04-20
run 0 outcome add --course_id K1 --date 2026-04-01 --instrument NRS --score 6
run 0 course end K1 --status dropped --date 2026-04-20
run 0 session add --course_id K2 --date 2026-04-20
run 0 outcome add --course_id K2 --date 2026-04-20 --instrument NRS --score 2
run 0 course end K2 --status completed --date 2026-04-20
run 0 report --format json --out "$T/report.json"
run 0 report --format html --out "$T/report.html"
/usr/bin/python3 - "$T/report.json" "$T/report.html" <<'PYEOF' || exit 1
import json, sys
from html.parser import HTMLParser

class Table(HTMLParser):
    """The rows (lists of cell texts) of <table id="dropout-table">."""
    def __init__(self):
        super().__init__()
        self.rows, self.depth, self.cell = [], 0, None
    def handle_starttag(self, tag, attrs):
        if tag == 'table' and ('id', 'dropout-table') in attrs:
            self.depth = 1
        elif self.depth and tag == 'tr':
            self.rows.append([])
        elif self.depth and tag in ('td', 'th'):
            self.cell = ''
    def handle_endtag(self, tag):
        if self.depth and tag in ('td', 'th') and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None
        elif tag == 'table':
            self.depth = 0
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

r = json.load(open(sys.argv[1]))
mods = r['by_modality'] if 'by_modality' in r else r['modalities']
def dropout(name):
    m = mods[name] if isinstance(mods, dict) else next(m for m in mods if m.get('modality') == name)
    return m['dropout']
t = Table()
t.feed(open(sys.argv[2]).read())
head, body = t.rows[0], {row[0]: row for row in t.rows[1:]}
cols = {'no_shows': 'no-shows', 'courses_with_no_show': 'courses with a no-show',
        'dropped_with_no_show': 'drop-outs with a no-show'}
for key, label in cols.items():
    assert label in head, (label, head)
want = {'dextrose': (2, 1, 1), 'prp': (1, 1, 0), 'stem_cell': (0, 0, 0), 'ALL': (3, 2, 1)}
for name, numbers in want.items():
    d = dropout(name)
    from_json = tuple(d[k] for k in cols)
    from_html = tuple(int(body[name][head.index(label)]) for label in cols.values())
    assert from_json == numbers, (name, 'json', from_json, numbers)
    assert from_html == from_json, (name, 'html', from_html, from_json)
print('no-shows in the HTML drop-out table agree with the JSON report')
PYEOF
exit 0
