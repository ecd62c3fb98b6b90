#!/bin/sh
# Outcomes at time points (docs/report.md "Outcomes at time points"):
# prolo's report_timepoints.csv and report_funnel.csv against an
# independent computation from the registry's CSV export
# (tests/report/timepoints.py, pandas), cell by cell (counts exactly, reals
# to a relative 1e-9), on a simulated registry and on a small one built by
# hand with the edge cases, whose key cells are also checked against the
# numbers worked out below. The outbox of the small one is filled by
# `prolo outreach run` against a real SMTP server on a loopback port that
# accepts some invitations and refuses one for good; one accepted
# invitation bounces later (`prolo outreach bounce`).
. "$TOP/tests/lib/cli.sh"
PY=/usr/bin/python3
$PY -c 'import pandas' 2>/dev/null || { echo "skip: $PY has no pandas"; exit 77; }
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "skip: python3-aiosmtpd is missing"; exit 77; }
ORACLE="$TOP/tests/report/timepoints.py"
CMP="$TOP/tests/tools/csvcmp.py"
PROTOCOLS="$TOP/protocols/default.protocols"
SMTP_PID=""
cleanup() {
	[ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null && wait "$SMTP_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# compare DB REPORT_DAY: prolo's two files against the oracle's
compare() {
	PROLO_DB=$1 run 0 report --format csv --out "$T/prolo" --today "$2" --protocols "$PROTOCOLS"
	PROLO_DB=$1 run 0 export csv "$T/export"
	$PY "$ORACLE" "$T/export" "$2" "$PROTOCOLS" "$1" "$T/oracle" || fail "the oracle failed"
	for f in report_timepoints.csv report_funnel.csv; do
		$PY "$CMP" "$T/prolo/$f" "$T/oracle/$f" || fail "prolo and the oracle disagree on $f"
	done
	# report.csv keeps its 29 columns
	head -n 1 "$T/prolo/report.csv" | grep -qx "modality,condition,n_courses,n_completed,n_dropped,pp_resp,pp_rate,pp_lo,pp_hi,itt_resp,itt_rate,itt_lo,itt_hi,chg_mean,chg_sd,km_n,km_events,km_median,km_lo,km_hi,n_sessions,soreness_n,stiffness_n,infection_n,soreness_per100,stiffness_per100,infection_per100,soreness_gt4_n,soreness_gt4_share" ||
		fail "report.csv changed its columns"
}

# ---- a simulated registry --------------------------------------------------
SIM="$T/sim.db"
run 0 simulate --patients 400 --seed 11 --db "$SIM"
compare "$SIM" 2026-06-01
# every ended course is due at every time point by then, and the three
# counts add up to report.csv's ended courses
$PY - "$T/prolo" <<'PYEOF' || fail "simulated registry: the counts do not add up"
import csv, sys
d = sys.argv[1]
rep = {(r["modality"], r["condition"]): r for r in csv.DictReader(open(d + "/report.csv"))}
n = 0
for r in csv.DictReader(open(d + "/report_timepoints.csv")):
    w = rep[(r["modality"], r["condition"])]
    want = {"all": w["n_courses"], "completed": w["n_completed"], "dropped": w["n_dropped"]}[r["ending"]]
    got = int(r["due"]) + int(r["not_yet_due"]) + int(r["no_point"])
    assert got == int(want), (r, want)
    n += 1
assert n == 216, n
tot = [r for r in csv.DictReader(open(d + "/report_timepoints.csv"))
       if r["modality"] == "ALL" and r["condition"] == "ALL" and r["ending"] == "all"]
assert all(int(r["due"]) > 300 and 0 < int(r["answered"]) for r in tot[:2]), tot
PYEOF
# a report date before every window closed: nothing is due, all NA
compare "$SIM" 2000-01-01
grep -q "^ALL,ALL,3,all,0," "$T/prolo/report_timepoints.csv" || fail "nothing should be due in 2000"

# ---- a small registry built by hand ------------------------------------------
# Courses start on 2025-01-06 (S): the default 3-month point aims at
# 2025-04-07 (window 2025-03-24..2025-04-21), the 6-month one at 2025-07-07
# (06-23..07-21), the 12-month one at 2026-01-06 (2025-12-23..2026-01-20);
# the protocol dextrose-lbp's 12-week point at 2025-03-31 (03-17..04-14).
# The report is made on 2026-03-01.
export PROLO_DB="$T/hand.db"
R=2026-03-01
D="$T/hand"
mkdir -p "$D"
cat >"$D/patients.csv" <<'CSV'
patient_id,clinic,sex,birth_year,first_name,last_name
P01,C01,female,1970,Ann,Example
P02,C01,male,1971,Bob,Example
P03,C01,female,1972,Cid,Example
P04,C01,male,1973,Dee,Example
P05,C01,female,1974,Eve,Example
P06,C01,male,1975,Fay,Example
P07,C01,female,1976,Gus,Example
P08,C01,male,1977,Hal,Example
P09,C01,female,1978,Ivy,Example
P10,C01,male,1979,Jon,Example
P11,C01,female,1980,Kit,Example
P12,C01,male,1981,Lou,Example
P13,C01,female,1982,Max,Example
P14,C01,male,1983,Ned,Example
P15,C01,female,1984,Ola,Example
P16,C01,male,1985,Pam,Example
CSV
cat >"$D/courses.csv" <<'CSV'
course_id,patient_id,modality,condition,start_date,planned_sessions,status,protocol,end_date
K01,P01,dextrose,low_back_pain,2025-01-06,3,completed,,2025-02-03
K02,P02,dextrose,low_back_pain,2025-01-06,3,completed,,2025-02-03
K03,P03,dextrose,low_back_pain,2025-01-06,3,completed,,2025-02-03
K04,P04,prp,knee_oa,2025-01-06,3,completed,,2025-02-03
K05,P05,prp,knee_oa,2025-01-06,3,dropped,,2025-01-20
K06,P06,prp,knee_oa,2025-01-06,3,completed,,2025-02-03
K07,P07,dextrose,low_back_pain,2025-12-01,2,completed,,2025-12-15
K08,P08,dextrose,low_back_pain,2025-01-06,3,active,,
K09,P09,dextrose,low_back_pain,2025-01-06,3,completed,dextrose-lbp,2025-02-03
K10,P10,dextrose,tendinopathy,2025-01-06,3,completed,dextrose-tendinopathy,2025-03-03
K11,P11,stem_cell,neck_pain,2025-01-06,1,completed,,2025-01-06
K12,P12,stem_cell,neck_pain,2025-01-06,1,goal_reached,,2025-01-06
K13,P13,stem_cell,neck_pain,2025-01-06,1,stopped_no_improvement,,2025-01-06
K14,P14,prp,tendinopathy,2025-01-06,2,dropped,,2025-01-20
K15,P15,dextrose,ligament_sprain,2025-11-16,1,completed,,2025-11-16
K16,P16,dextrose,ligament_sprain,2025-11-15,1,completed,,2025-11-15
CSV
cat >"$D/sessions.csv" <<'CSV'
course_id,session_no,date
K01,1,2025-01-06
K02,1,2025-01-06
K03,1,2025-01-06
K04,1,2025-01-06
K05,1,2025-01-06
K06,1,2025-01-06
K07,1,2025-12-01
K08,1,2025-01-06
K09,1,2025-01-06
K10,1,2025-01-06
K11,1,2025-01-06
K12,1,2025-01-06
K13,1,2025-01-06
K14,1,2025-01-06
K15,1,2025-11-16
K16,1,2025-11-15
CSV
# K01: on the 3-month window's first day (4 of 8: responds) and the
#      12-month window's last day
# K02: its 3-month answer (on the window's last day) comes after the
#      invitation (below); one the day after the window does not count
# K03: the day before the window: not answered
# K04: 7 days before (2: would respond) and 7 days after (7) the target:
#      the later counts, no response
# K05: a drop-out answering at 6 months, responding
# K06: an answer at 3 months that is voided below
# K07: started 2025-12-01, its 3-month window (2026-02-16..03-16) is open
#      on 2026-03-01: not yet due, although answered
# K08: still active: not counted
# K09: protocol dextrose-lbp: answered on its 12-week window's first day,
#      which is outside the default window
# K10: protocol dextrose-tendinopathy (8, 16, 52 weeks): no 3- or 6-month
#      point
# K11: baseline 1: answers, never responds
# K12: goal reached: responds at 3 months, not at 6
# K13: stopped, no NRS at all
# K14: a drop-out, exactly half its baseline at 3 months: responds
# K15: its 3-month window ends on the report's day: not yet due
# K16: a day earlier, its window ended the day before: due
cat >"$D/outcomes.csv" <<'CSV'
course_id,date,instrument,score
K01,2025-01-06,NRS,8
K01,2025-03-24,NRS,4
K01,2026-01-20,NRS,4
K02,2025-01-06,NRS,8
K02,2025-04-22,NRS,1
K03,2025-01-06,NRS,8
K03,2025-03-23,NRS,2
K04,2025-01-06,NRS,8
K04,2025-03-31,NRS,2
K04,2025-04-14,NRS,7
K05,2025-01-06,NRS,8
K05,2025-07-07,NRS,2
K06,2025-01-06,NRS,8
K06,2025-04-07,NRS,1
K07,2025-12-01,NRS,8
K07,2026-02-20,NRS,2
K08,2025-01-06,NRS,8
K08,2025-04-07,NRS,1
K09,2025-01-06,NRS,8
K09,2025-03-17,NRS,3
K10,2025-01-06,NRS,8
K10,2026-01-05,NRS,2
K11,2025-01-06,NRS,1
K11,2025-04-07,NRS,0
K12,2025-01-06,NRS,9
K12,2025-04-07,NRS,4
K12,2025-07-07,NRS,5
K14,2025-01-06,NRS,6
K14,2025-04-07,NRS,3
K15,2025-11-16,NRS,7
K16,2025-11-15,NRS,7
CSV
echo "course_id,date,kind,duration_days,grade" >"$D/adverse_events.csv"
PROLO_TODAY=$R run 0 init
PROLO_TODAY=$R run 0 import csv "$D"

# The outbox on 2025-04-07 and 2025-07-07, against a real SMTP server.
MAIL="$T/mail"; mkdir -p "$MAIL"; MODE="$T/mode"
. "$TOP/tests/lib/fakeserver.sh"
fake_start "$TOP/tests/outreach/smtpd.py" "$MAIL" "$MODE" "$T/smtpd.log" || { cat "$T/smtpd.log"; fail "the SMTP server did not start"; }
SMTP_PORT=$FAKE_PORT; SMTP_PID=$FAKE_PID
(umask 077; cat >"$PROLO_DB-outreach.conf" <<EOC
smtp_url = smtp://127.0.0.1:$SMTP_PORT
starttls = off
from = clinic@example.org
clinic_name = Example Pain Clinic
base_url = http://127.0.0.1:1
rate_per_minute = 6000
timeout_seconds = 5
EOC
)
contact() { PROLO_TODAY=2025-01-06 run 0 contact set "$1" --email "$2" --channel email --consent given --consent-by "Dr. Who" --consent-how written; }
# K03's address is refused for good (550); then K02's and K05's go through
contact P03 cid@example.org
echo 550 >"$MODE"
PROLO_TODAY=2025-04-07 run 0 outreach run
contact P02 bob@example.org
contact P05 eve@example.org
PROLO_TODAY=2025-01-06 run 0 contact set P14 --mobile +4915112345678 --channel sms --consent given --consent-by "Dr. Who" --consent-how written
echo ok >"$MODE"
PROLO_TODAY=2025-04-07 run 0 outreach run
PROLO_TODAY=2025-07-07 run 0 outreach run
# invitations: K03, K02, K05 at 3 months; K02 and K05 at 6 months (K05's
# NRS does not answer the point for the outbox, which waits for WOMAC too)
db_count "SELECT count(*) FROM outreach_messages" 5
db_count "SELECT count(*) FROM outreach_attempts WHERE result = 'accepted'" 4
db_count "SELECT count(*) FROM outreach_attempts WHERE result = 'permanent_failure'" 1
# K05's 6-month invitation bounces later (an RFC 3464 report): accepted
# by the server, not delivered
K05_6=$(sqlite3 "$PROLO_DB" "SELECT a.msgid FROM outreach_attempts a JOIN outreach_messages m ON m.id = a.message_id JOIN courses c ON c.pk = m.course_pk WHERE c.course_id = 'K05' ORDER BY m.point_day DESC LIMIT 1")
$PY "$TOP/tests/outreach/dsn.py" report "$K05_6" 5.1.1 >"$T/k05.eml"
PROLO_TODAY=2025-07-08 run 0 outreach bounce "$T/k05.eml"
out_has "(5.1.1): bounced"
db_count "SELECT count(*) FROM outreach_attempts WHERE result = 'bounced'" 1
# K02 answers its invitation; K06's answer is voided
PROLO_TODAY=$R run 0 outcome add --course_id K02 --date 2025-04-21 --instrument NRS --score 3
PROLO_TODAY=$R run 0 outcome void K06 2025-04-07 NRS --reason "entered for the wrong patient"

compare "$PROLO_DB" "$R"
# The numbers worked out by hand (modality,condition,months,ending: due,
# not_yet_due, no_point, answered, responders):
$PY - "$T/prolo/report_timepoints.csv" "$T/prolo/report_funnel.csv" <<'PYEOF' || fail "the hand-made registry's numbers"
import csv, sys
tp = {(r["modality"], r["condition"], r["months"], r["ending"]): r for r in csv.DictReader(open(sys.argv[1]))}
want = {
    # K01, K02, K03, K09 due (K07 open, K08 active); K01, K02, K09 answer and respond
    ("dextrose", "low_back_pain", "3", "all"): (4, 1, 0, 3, 3),
    # 12 months: K09's protocol point (2025-12-22..2026-01-19) and the
    # default ones: K01 answers on its window's last day
    ("dextrose", "low_back_pain", "12", "all"): (4, 1, 0, 1, 1),
    # K10 has no 3- or 6-month point; at 12 months (52 weeks) it responds
    ("dextrose", "ALL", "3", "all"): (5, 2, 1, 3, 3),
    ("dextrose", "tendinopathy", "6", "all"): (0, 0, 1, 0, 0),
    ("dextrose", "tendinopathy", "12", "completed"): (1, 0, 0, 1, 1),
    # K04 answers without response (the later of two), K05 not at 3
    # months, K06's answer was voided
    ("prp", "knee_oa", "3", "all"): (3, 0, 0, 1, 0),
    ("prp", "knee_oa", "3", "dropped"): (1, 0, 0, 0, 0),
    ("prp", "knee_oa", "6", "dropped"): (1, 0, 0, 1, 1),
    # K11 (baseline 1) and K12 (4 of 9) answer, K12 responds; K13 no NRS
    ("stem_cell", "neck_pain", "3", "all"): (3, 0, 0, 2, 1),
    ("stem_cell", "neck_pain", "3", "completed"): (2, 0, 0, 2, 1),
    ("stem_cell", "neck_pain", "6", "completed"): (2, 0, 0, 1, 0),
    ("stem_cell", "neck_pain", "3", "dropped"): (1, 0, 0, 0, 0),
    # K14: exactly half
    ("prp", "tendinopathy", "3", "dropped"): (1, 0, 0, 1, 1),
    # K16 due, K15 not yet
    ("dextrose", "ligament_sprain", "3", "all"): (1, 1, 0, 0, 0),
    # 15 ended courses (K08 active)
    ("ALL", "ALL", "3", "all"): (12, 2, 1, 7, 5),
}
for k, v in want.items():
    r = tp[k]
    got = tuple(int(r[c]) for c in ("due", "not_yet_due", "no_point", "answered", "responders"))
    assert got == v, (k, got, v)
r = tp[("prp", "knee_oa", "3", "all")]
assert abs(float(r["completeness"]) - 1 / 3) < 1e-9 and r["responders"] == "0" and float(r["ci_low"]) == 0, r
fu = {(r["months"], r["channel"]): tuple(int(r[c]) for c in ("due", "sent", "delivered", "answered"))
      for r in csv.DictReader(open(sys.argv[2]))}
# 3 months: K03 refused, K02 and K05 accepted, K02 answered; the other
# nine due points had no message (K14 prefers SMS, which is not built)
assert fu[("3", "email")] == (3, 3, 2, 1), fu
assert fu[("3", "sms")] == (0, 0, 0, 0), fu
assert fu[("3", "none")] == (9, 0, 0, 6), fu
# 6 months: K02 and K05 invited and accepted, K05's bounced; K05's NRS
# answers for the report
assert fu[("6", "email")] == (2, 2, 1, 1), fu
PYEOF

# Text, JSON and HTML carry the same numbers.
PROLO_TODAY=$R run 0 report --json --protocols "$PROTOCOLS"
$PY - "$OUT" <<'PYEOF' || fail "JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["as_of"] == "2026-03-01"
g = [x for x in j["groups"] if x["modality"] == "ALL" and x["condition"] == "ALL"][0]
t3 = g["time_points"][0]
assert (t3["months"], t3["due"], t3["answered"], t3["responders"]) == (3, 12, 7, 5), t3
assert t3["completed"]["due"] + t3["dropped"]["due"] == 12
f = [x for x in j["invitation_funnel"] if x["months"] == 3 and x["channel"] == "email"][0]
assert (f["due"], f["sent"], f["delivered"], f["answered"]) == (3, 3, 2, 1), f
PYEOF
PROLO_TODAY=$R run 0 report --protocols "$PROTOCOLS"
out_has "Outcomes at 3, 6 and 12 months after the start (as of 2026-03-01)"
out_has "ALL / ALL, 3"
PROLO_TODAY=$R run 0 report --format html --out "$T/r.html" --protocols "$PROTOCOLS"
for id in tp-chart tp-completeness-chart tp-summary tp-completeness-summary tp-funnel-table; do
	grep -q "id=\"$id\"" "$T/r.html" || fail "the HTML lacks #$id"
done
# the same registry on the same day renders the same bytes
PROLO_TODAY=$R run 0 report --format html --out "$T/r2.html" --protocols "$PROTOCOLS"
cmp -s "$T/r.html" "$T/r2.html" || fail "two renderings differ"
# --today is checked at the edge
run 2 report --today 2026-02-30
err_has "--today"
echo ok
