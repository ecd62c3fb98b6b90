#!/bin/sh
# Possible duplicates through the API: a PATCH of a patient's name, birth
# year, phone or e-mail that makes it match another patient of the clinic
# waits for "confirm": true (409 "confirm" naming the field, with the
# matches; nothing written), as a registration does; GET
# /api/patients/{id}/duplicates lists a patient's possible duplicates for
# the merge page (staff, clinicians, admins; the clinic's patients only;
# audited as a read).
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
export PROLO_TODAY=2026-03-10
api_setup_db
api_start
cat >"$T/dups.json" <<'JSON'
[
 {"name": "a patient", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A1", "sex": "female", "birth_year": 1958, "first_name": "Maria", "last_name": "Lopez", "phone": "+34 612 345 678", "email": "maria@example.org"}, "status": 201},
 {"name": "another", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A2", "sex": "female", "birth_year": 1960, "first_name": "Ana", "last_name": "Diaz"}, "status": 201},
 {"name": "the same person in another clinic", "as": "clin2", "method": "POST", "path": "/api/patients", "body": {"patient_id": "B1", "sex": "female", "birth_year": 1958, "first_name": "Maria", "last_name": "Lopez"}, "status": 201},
 {"name": "no duplicates yet", "as": "staff1", "method": "GET", "path": "/api/patients/A1/duplicates", "status": 200, "expect": {"patient_id": "A1", "duplicates": []}},
 {"name": "an amendment to the first's name and birth year: 409 confirm with the match, nothing written", "as": "staff1", "method": "PATCH", "path": "/api/patients/A2", "headers": {"If-Match": "\"1\""}, "body": {"first_name": "Maria", "last_name": "Lopez", "birth_year": 1958, "reason": "married name"}, "status": 409,
  "expect": {"error": {"code": "confirm", "field": "last_name", "matches": [{"patient_id": "A1", "first_name": "Maria", "last_name": "Lopez", "birth_year": 1958, "matched": ["name_birth_year"]}]}},
  "absent": ["B1"],
  "db": {"sql": "SELECT last_name || ' ' || version FROM patients WHERE patient_id = 'A2'", "equals": "Diaz 1"}},
 {"name": "the first's phone in its national form", "as": "clin1", "method": "PATCH", "path": "/api/patients/A2", "body": {"phone": "612-345-678", "reason": "new phone"}, "status": 409,
  "expect": {"error": {"code": "confirm", "field": "phone", "matches": [{"patient_id": "A1", "matched": ["phone"]}]}}},
 {"name": "confirm must be a boolean", "as": "staff1", "method": "PATCH", "path": "/api/patients/A2", "body": {"phone": "612-345-678", "reason": "new phone", "confirm": 1}, "status": 400, "expect": {"error": {"field": "confirm"}}},
 {"name": "the patient itself is no match", "as": "staff1", "method": "PATCH", "path": "/api/patients/A1", "body": {"email": "MARIA@example.org", "reason": "typing"}, "status": 200},
 {"name": "confirmed, it is saved", "as": "staff1", "method": "PATCH", "path": "/api/patients/A2", "headers": {"If-Match": "\"1\""}, "body": {"first_name": "Maria", "last_name": "Lopez", "birth_year": 1958, "reason": "married name", "confirm": true}, "status": 200,
  "expect": {"patient": {"last_name": "Lopez", "version": 2}}},
 {"name": "the duplicates of a patient, for the merge", "as": "staff1", "method": "GET", "path": "/api/patients/A1/duplicates", "status": 200,
  "expect": {"patient_id": "A1", "duplicates": [{"patient_id": "A2", "first_name": "Maria", "last_name": "Lopez", "birth_year": 1958, "matched": ["name_birth_year"]}]},
  "absent": ["B1"]},
 {"name": "another clinic's patient is not there", "as": "clin2", "method": "GET", "path": "/api/patients/A1/duplicates", "status": 404},
 {"name": "an unknown patient", "as": "clin1", "method": "GET", "path": "/api/patients/NOPE/duplicates", "status": 404, "expect": {"error": {"field": "patient_id"}}},
 {"name": "a researcher sees no patients", "as": "res1", "method": "GET", "path": "/api/patients/A1/duplicates", "status": 403},
 {"name": "the clinician's own clinic", "as": "clin2", "method": "GET", "path": "/api/patients/B1/duplicates", "status": 200, "expect": {"duplicates": []}},
 {"name": "GET /api/me lists the action", "as": "staff1", "method": "GET", "path": "/api/me", "status": 200, "has": ["patients.duplicates"]},
 {"name": "merged, the duplicate leaves the list", "as": "staff1", "method": "POST", "path": "/api/patients/A1/merge", "body": {"merged": "A2", "reason": "registered twice"}, "status": 200},
 {"name": "the list after the merge", "as": "staff1", "method": "GET", "path": "/api/patients/A1/duplicates", "status": 200, "expect": {"duplicates": []}}
]
JSON
api_cases "$T/dups.json" || exit 1
api_stop || exit 1
# each look is audited as a read, with the count
db_count "SELECT group_concat(detail, '|') FROM audit_log WHERE action = 'patient.duplicates' AND user = 'staff1' AND record = 'patient:A1'" "0 possible duplicates|1 possible duplicates|0 possible duplicates"
run 0 audit verify
exit 0
