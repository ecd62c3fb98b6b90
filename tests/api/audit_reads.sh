#!/bin/sh
# Every read of patient data and every account change is audited, with who,
# from where and what: each read below, on the API and on the command line,
# must leave its row in the audit log, and a create refused for another
# clinic its "denied" row. Command-line rows name the operating-system
# login ("cli:LOGIN", from "local") and the account concerned.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
run 0 patient add --patient_id P1 --clinic C01 --sex female --birth_year 1970 --first_name Ann
run 0 course add --course_id K1 --patient_id P1 --modality prp --condition knee_oa --start_date 2024-03-01 --planned_sessions 3 --interval_days 14 --status active
run 0 patient add --patient_id P2 --clinic C02 --sex male --birth_year 1960
api_start
cat >"$T/reads.json" <<'JSON'
[
 {"name": "users list", "as": "admin", "method": "GET", "path": "/api/users", "status": 200},
 {"name": "audit log", "as": "admin", "method": "GET", "path": "/api/audit?action=login", "status": 200},
 {"name": "report", "as": "clin1", "method": "GET", "path": "/api/report", "status": 200},
 {"name": "report of the researcher", "as": "res1", "method": "GET", "path": "/api/report", "status": 200},
 {"name": "chart", "as": "clin1", "method": "GET", "path": "/api/patients/P1", "status": 200},
 {"name": "alerts", "as": "clin1", "method": "GET", "path": "/api/alerts", "status": 200},
 {"name": "course of another clinic", "as": "clin2", "method": "POST", "path": "/api/courses", "body": {"course_id": "KX", "patient_id": "P1", "modality": "prp", "condition": "knee_oa", "start_date": "2024-03-01", "planned_sessions": 3, "interval_days": 14}},
 {"name": "session of another clinic", "as": "clin2", "method": "POST", "path": "/api/sessions", "body": {"course_id": "K1", "date": "2024-03-02", "proliferant": "prp"}},
 {"name": "outcome of another clinic", "as": "clin2", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "K1", "date": "2024-03-02", "instrument": "NRS", "score": 5}},
 {"name": "adverse event of another clinic", "as": "clin2", "method": "POST", "path": "/api/adverse-events", "body": {"course_id": "K1", "date": "2024-03-02", "kind": "soreness"}},
 {"name": "patient in another clinic", "as": "clin2", "method": "POST", "path": "/api/patients", "body": {"patient_id": "PX", "clinic": "C01", "sex": "female"}},
 {"name": "another clinic's chart", "as": "clin2", "method": "GET", "path": "/api/patients/P1"}
]
JSON
api_cases "$T/reads.json" || exit 1
api_stop || exit 1
# The command line's reads and account changes.
run 0 patient report P1 --html "$T/p1.html"
run 0 schedule export --ics "$T/cal.ics"
run 0 alerts
run 0 report
run 0 user list
printf '%s\n' "$PASSWORD" | "$PROLO" user add nurse9 --role staff --clinic C01 --password-stdin >/dev/null || exit 1
printf '%s\n' "another long secret" | "$PROLO" user passwd nurse9 --password-stdin >/dev/null || exit 1
run 0 audit list --limit 1 # brings in what the server left in its spool
me=$(id -un)
check() { # what, SQL condition, expected count
	got=$(sqlite3 "$PROLO_DB" "SELECT count(*) FROM audit_log WHERE $2")
	if [ "$got" != "$3" ]; then
		echo "FAIL $1: $got rows WHERE $2, expected $3" >&2
		sqlite3 "$PROLO_DB" "SELECT id, user, action, record, addr, detail FROM audit_log ORDER BY id" >&2
		exit 1
	fi
	echo "ok   $1"
}
check "GET /api/users" "action = 'user.list' AND user = 'admin' AND addr = '127.0.0.1'" 1
check "GET /api/audit" "action = 'audit.read' AND user = 'admin' AND addr = '127.0.0.1' AND detail LIKE '% by action'" 1
check "GET /api/report" "action = 'report.read' AND user = 'clin1' AND addr = '127.0.0.1' AND detail = 'clinic C01'" 1
check "GET /api/report, researcher" "action = 'report.read' AND user = 'res1'" 1
check "GET /api/patients/P1" "action = 'patient.read' AND user = 'clin1' AND record = 'patient:P1'" 1
check "GET /api/alerts" "action = 'alerts.list' AND user = 'clin1'" 1
check "POST /api/courses, other clinic" "action = 'denied' AND user = 'clin2' AND record = 'patient:P1' AND detail = 'courses.add'" 1
check "POST /api/sessions, other clinic" "action = 'denied' AND user = 'clin2' AND record = 'patient:P1' AND detail = 'sessions.add'" 1
check "POST /api/outcomes, other clinic" "action = 'denied' AND user = 'clin2' AND record = 'patient:P1' AND detail = 'outcomes.add'" 1
check "POST /api/adverse-events, other clinic" "action = 'denied' AND user = 'clin2' AND record = 'patient:P1' AND detail = 'adverse-events.add'" 1
check "POST /api/patients, other clinic" "action = 'denied' AND user = 'clin2' AND record = 'patient:PX' AND detail = 'patients.add'" 1
check "GET another clinic's chart" "action = 'denied' AND user = 'clin2' AND record = 'patient:P1' AND detail = 'patients.get'" 1
check "patient report --html" "action = 'patient.read' AND user = 'cli:$me' AND addr = 'local' AND record = 'patient:P1' AND detail LIKE 'summary%'" 1
check "schedule export --ics" "action = 'schedule.export' AND user = 'cli:$me' AND addr = 'local'" 1
check "alerts" "action = 'alerts.list' AND user = 'cli:$me' AND addr = 'local'" 1
check "report" "action = 'report.read' AND user = 'cli:$me' AND addr = 'local'" 1
check "user list" "action = 'user.list' AND user = 'cli:$me' AND addr = 'local'" 1
check "user add" "action = 'user.create' AND user = 'cli:$me' AND addr = 'local' AND record = 'user:nurse9'" 1
check "user passwd" "action = 'password.reset' AND user = 'cli:$me' AND addr = 'local' AND record = 'user:nurse9'" 1
# No patient names in the rows.
check "no names in the log" "detail LIKE '%Ann%' OR record LIKE '%Ann%'" 0
