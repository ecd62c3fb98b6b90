#!/bin/sh
# A patient's record over its life, through the API: a registration that
# may repeat a patient waits for confirmation and lists the matches; an
# amendment's history is in order and holds what changed; a stale If-Match
# is 409 with the current ETag and changes nothing; a voided course's
# records keep their history; a contraindication recorded later warns on
# the chart and the morning list; implausible values wait for
# confirmation; a merged patient's id leads to the survivor, and an admin
# undoes the merge; the protocols and the clinic's date format.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
export PROLO_TODAY=2026-03-10
api_setup_db
api_start
cat >"$T/patients.json" <<'JSON'
[
 {"name": "a patient", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A1", "sex": "female", "birth_year": 1958, "first_name": "Maria", "last_name": "Lopez", "phone": "+34 612 345 678", "email": "maria@example.org"}, "status": 201},
 {"name": "the same name and birth year: 409 with the match, nothing written", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A2", "sex": "female", "birth_year": 1958, "first_name": "MARIA", "last_name": "lopez"}, "status": 409,
  "expect": {"error": {"code": "confirm", "field": "last_name", "matches": [{"patient_id": "A1", "first_name": "Maria", "last_name": "Lopez", "birth_year": 1958, "matched": ["name_birth_year"]}]}},
  "db": {"sql": "SELECT count(*) FROM patients WHERE patient_id = 'A2'", "equals": 0}},
 {"name": "the same e-mail, another case", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A2", "sex": "female", "email": "MARIA@example.org"}, "status": 409,
  "expect": {"error": {"code": "confirm", "field": "email", "matches": [{"patient_id": "A1", "matched": ["email"]}]}}},
 {"name": "the same phone in its national form", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A2", "sex": "female", "phone": "612-345-678"}, "status": 409,
  "expect": {"error": {"field": "phone", "matches": [{"patient_id": "A1", "matched": ["phone"]}]}}},
 {"name": "confirm must be a boolean", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A2", "sex": "female", "phone": "612-345-678", "confirm": "yes"}, "status": 400, "expect": {"error": {"field": "confirm"}}},
 {"name": "another clinic's patient is no match", "as": "clin2", "method": "POST", "path": "/api/patients", "body": {"patient_id": "B1", "sex": "female", "birth_year": 1958, "first_name": "Maria", "last_name": "Lopez"}, "status": 201},
 {"name": "registered twice, confirmed", "as": "staff1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "A2", "sex": "female", "birth_year": 1958, "first_name": "Maria", "last_name": "Lopez", "confirm": true}, "status": 201},
 {"name": "a course of the first", "as": "clin1", "method": "POST", "path": "/api/courses", "body": {"course_id": "KA1", "patient_id": "A1", "modality": "prp", "condition": "knee_oa", "start_date": "2026-01-10", "planned_sessions": 3, "interval_days": 28}, "status": 201},
 {"name": "a course of the second", "as": "clin1", "method": "POST", "path": "/api/courses", "body": {"course_id": "KA2", "patient_id": "A2", "modality": "dextrose", "condition": "low_back_pain", "start_date": "2026-02-01", "planned_sessions": 6, "interval_days": 14, "protocol": "dextrose-lbp"}, "status": 201},
 {"name": "an NRS", "as": "clin1", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "KA1", "date": "2026-01-10", "instrument": "NRS", "items": [8]}, "status": 201},
 {"name": "an NRS 8 points lower waits for confirmation", "as": "clin1", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "KA1", "date": "2026-02-07", "instrument": "NRS", "items": [0]}, "status": 409,
  "expect": {"error": {"code": "confirm", "field": "score"}}, "db": {"sql": "SELECT count(*) FROM outcomes", "equals": 1}},
 {"name": "7 points is no jump", "as": "clin1", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "KA1", "date": "2026-02-07", "instrument": "NRS", "items": [1]}, "status": 201},
 {"name": "dextrose 30 % on a 12.5-25 % protocol waits for confirmation", "as": "clin1", "method": "POST", "path": "/api/sessions", "body": {"course_id": "KA2", "date": "2026-02-01", "proliferant": "dextrose", "concentration_pct": 30, "injections": [{"site": "iliolumbar ligament", "volume_ml": 1}]}, "status": 409,
  "expect": {"error": {"code": "confirm", "field": "concentration_pct"}}, "db": {"sql": "SELECT count(*) FROM sessions", "equals": 0}},
 {"name": "confirmed", "as": "clin1", "method": "POST", "path": "/api/sessions", "body": {"course_id": "KA2", "date": "2026-02-01", "proliferant": "dextrose", "concentration_pct": 30, "confirm": true, "injections": [{"site": "iliolumbar ligament", "volume_ml": 1}]}, "status": 201},

 {"name": "amend the NRS: version 2", "as": "clin1", "method": "PATCH", "path": "/api/outcomes/KA1/2026-02-07/NRS", "headers": {"If-Match": "\"1\""}, "body": {"items": [2], "reason": "typing error"}, "status": 200, "header": {"ETag": "\"2\""}, "expect": {"outcome": {"score": 2, "version": 2}}},
 {"name": "a stale If-Match: 409 with the current ETag", "as": "staff1", "method": "PATCH", "path": "/api/outcomes/KA1/2026-02-07/NRS", "headers": {"If-Match": "\"1\""}, "body": {"items": [3], "reason": "my change"}, "status": 409, "header": {"ETag": "\"2\""},
  "expect": {"error": {"code": "conflict", "field": "version"}}},
 {"name": "an NRS of 11 on amendment names the field", "as": "clin1", "method": "PATCH", "path": "/api/outcomes/KA1/2026-02-07/NRS", "body": {"score": 11, "reason": "typo"}, "status": 400, "expect": {"error": {"field": "score"}}},
 {"name": "neither changed anything", "as": "clin1", "method": "GET", "path": "/api/outcomes/KA1/2026-02-07/NRS/history", "status": 200, "header": {"ETag": "\"2\""},
  "expect": {"record": {"score": 2, "items": [2], "version": 2}, "history": [{"version": 1, "action": "amend", "by": "clin1", "reason": "typing error", "record": {"score": 1, "items": [1]}, "changes": [{"field": "items", "from": [1], "to": [2]}, {"field": "score", "from": 1, "to": 2}]}]},
  "db": {"sql": "SELECT count(*) FROM record_history WHERE record = 'KA1/2026-02-07/NRS'", "equals": 1}},
 {"name": "amend again", "as": "staff1", "method": "PATCH", "path": "/api/outcomes/KA1/2026-02-07/NRS", "headers": {"If-Match": "\"2\""}, "body": {"items": [3], "reason": "the patient corrected it"}, "status": 200},
 {"name": "then void it", "as": "staff1", "method": "POST", "path": "/api/outcomes/KA1/2026-02-07/NRS/void", "body": {"reason": "entered for the wrong course"}, "status": 200, "expect": {"outcome": {"version": 4, "voided": true}}},
 {"name": "the history, oldest first: two amendments and the void", "as": "clin1", "method": "GET", "path": "/api/outcomes/KA1/2026-02-07/NRS/history", "status": 200,
  "expect": {"record": {"score": 3, "version": 4, "voided": true}, "history": [
    {"version": 1, "action": "amend", "by": "clin1", "reason": "typing error", "record": {"score": 1}, "changes": [{"field": "items"}, {"field": "score", "from": 1, "to": 2}]},
    {"version": 2, "action": "amend", "by": "staff1", "reason": "the patient corrected it", "record": {"score": 2}, "changes": [{"field": "items"}, {"field": "score", "from": 2, "to": 3}]},
    {"version": 3, "action": "void", "by": "staff1", "reason": "entered for the wrong course", "record": {"score": 3}, "changes": []}]}},
 {"name": "a voided assessment's key is taken", "as": "clin1", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "KA1", "date": "2026-02-07", "instrument": "NRS", "items": [3]}, "status": 409},
 {"name": "a session to void with its course", "as": "clin1", "method": "POST", "path": "/api/sessions", "body": {"course_id": "KA1", "date": "2026-01-10", "injections": [{"site": "pes anserine", "volume_ml": 3}]}, "status": 201},
 {"name": "amend the session", "as": "clin1", "method": "PATCH", "path": "/api/sessions/KA1/1", "body": {"notes": "ultrasound guided", "reason": "forgot the note"}, "status": 200},
 {"name": "void the course", "as": "clin1", "method": "POST", "path": "/api/courses/KA1/void", "body": {"reason": "planned for the wrong patient"}, "status": 200},
 {"name": "its session is not changed any more", "as": "clin1", "method": "PATCH", "path": "/api/sessions/KA1/1", "body": {"notes": "x", "reason": "late"}, "status": 409, "expect": {"error": {"field": "course_id"}}},
 {"name": "but its history is read", "as": "clin1", "method": "GET", "path": "/api/sessions/KA1/1/history", "status": 200,
  "expect": {"record": {"session_no": 1, "notes": "ultrasound guided", "version": 2}, "history": [{"version": 1, "action": "amend", "reason": "forgot the note", "changes": [{"field": "notes", "from": null, "to": "ultrasound guided"}]}]}},
 {"name": "and the voided course's", "as": "clin1", "method": "GET", "path": "/api/courses/KA1/history", "status": 200, "expect": {"record": {"voided": true}, "history": [{"action": "void", "reason": "planned for the wrong patient"}]}},

 {"name": "a contraindication recorded later", "as": "staff1", "method": "PATCH", "path": "/api/patients/A2", "body": {"contraindications": ["anticoagulants"], "reason": "told us at the visit"}, "status": 200},
 {"name": "the course it now blocks warns on the chart", "as": "clin1", "method": "GET", "path": "/api/patients/A2", "status": 200,
  "expect": {"courses": [{"course_id": "KA2", "warnings": [{"raised_on": "2026-03-10", "rule": "anticoagulants_spinal", "severity": "block", "by": "staff1"}]}]}},
 {"name": "and on the morning list, urgent", "as": "staff1", "method": "GET", "path": "/api/alerts?today=2026-03-10", "status": 200,
  "expect": {"alerts": [{"key": "contraindication_added:2026-03-10:KA2", "kind": "contraindication_added", "urgent": true, "course_id": "KA2"}]}},
 {"name": "it is acknowledged like any alert", "as": "clin1", "method": "POST", "path": "/api/alerts/ack", "body": {"key": "contraindication_added:2026-03-10:KA2", "note": "stopping apixaban 48 h before", "today": "2026-03-10"}, "status": 200},

 {"name": "a researcher may not merge", "as": "res1", "method": "POST", "path": "/api/patients/A1/merge", "body": {"merged": "A2", "reason": "same"}, "status": 403},
 {"name": "another clinic's patient is not there to merge", "as": "staff1", "method": "POST", "path": "/api/patients/A1/merge", "body": {"merged": "B1", "reason": "same"}, "status": 404},
 {"name": "staff merge the second registration into the first", "as": "staff1", "method": "POST", "path": "/api/patients/A1/merge", "body": {"merged": "A2", "reason": "registered twice"}, "status": 200,
  "expect": {"merge": {"survivor": "A1", "merged": "A2", "courses": ["KA2"], "by": "staff1", "reason": "registered twice"}},
  "db": {"sql": "SELECT count(*) FROM courses c JOIN patients p ON p.pk = c.patient_pk WHERE c.course_id = 'KA2' AND p.patient_id = 'A1'", "equals": 1}},
 {"name": "the merged id leads to the survivor's chart", "as": "clin1", "method": "GET", "path": "/api/patients/A2", "status": 200,
  "expect": {"merged_from": "A2", "patient": {"patient_id": "A1", "contraindications": ["anticoagulants"]}, "courses": [{"course_id": "KA2"}], "merges": [{"survivor": "A1", "merged": "A2"}]}},
 {"name": "the merged patient leaves the list", "as": "staff1", "method": "GET", "path": "/api/patients?q=lopez", "status": 200, "expect": {"patients": [{"patient_id": "A1"}]}, "absent": ["\"A2\""]},
 {"name": "the merged patient is not changed", "as": "staff1", "method": "PATCH", "path": "/api/patients/A2", "body": {"notes": "x", "reason": "y"}, "status": 409, "expect": {"error": {"field": "patient_id"}}},
 {"name": "the merge is audited on both", "as": "admin", "method": "GET", "path": "/api/audit?action=patient.merge", "status": 200,
  "expect": {"audit": [{"user": "staff1", "record": "patient:A1", "detail": "from A2, 1 courses"}, {"user": "staff1", "record": "patient:A2", "detail": "into A1, 1 courses"}]}},
 {"name": "a clinician may not undo it", "as": "clin1", "method": "POST", "path": "/api/patients/A2/unmerge", "body": {"reason": "not the same"}, "status": 403},
 {"name": "an admin undoes it", "as": "admin", "method": "POST", "path": "/api/patients/A2/unmerge", "body": {"reason": "different mothers' names"}, "status": 200,
  "expect": {"merge": {"survivor": "A1", "merged": "A2", "undone": {"by": "admin", "reason": "different mothers' names"}}},
  "db": {"sql": "SELECT count(*) FROM courses c JOIN patients p ON p.pk = c.patient_pk WHERE c.course_id = 'KA2' AND p.patient_id = 'A2'", "equals": 1}},
 {"name": "the courses went back", "as": "clin1", "method": "GET", "path": "/api/patients/A2", "status": 200, "expect": {"patient": {"patient_id": "A2"}, "courses": [{"course_id": "KA2"}]}, "absent": ["merged_from"]},
 {"name": "the course's history holds its move and its return", "as": "clin1", "method": "GET", "path": "/api/courses/KA2/history", "status": 200,
  "expect": {"record": {"patient_id": "A2"}, "history": [{"reason": "merged: patient A2 into A1: registered twice", "changes": [{"field": "patient_id", "from": "A2", "to": "A1"}]}, {"reason": "merge of A2 into A1 undone: different mothers' names", "changes": [{"field": "patient_id", "from": "A1", "to": "A2"}]}]}},

 {"name": "the protocols", "as": "staff1", "method": "GET", "path": "/api/protocols", "status": 200,
  "expect": {"protocols": [{"name": "dextrose-lbp", "sessions": 6, "interval_days": 14, "proliferant": "dextrose", "concentration_pct": 20, "concentration_range_pct": [12.5, 25], "volume_ml_per_site": [0.5, 2], "sites_from": "condition"}]}},
 {"name": "one protocol, with its condition's sites", "as": "clin1", "method": "GET", "path": "/api/protocols/dextrose-knee-oa", "status": 200,
  "expect": {"protocol": {"name": "dextrose-knee-oa", "condition": "knee_oa", "sites": ["intra-articular knee", "medial collateral ligament"]}}},
 {"name": "no such protocol", "as": "clin1", "method": "GET", "path": "/api/protocols/nope", "status": 404},
 {"name": "the researcher has no protocol page", "as": "res1", "method": "GET", "path": "/api/protocols", "status": 403},
 {"name": "the clinic's date format: ISO until set", "as": "staff1", "method": "GET", "path": "/api/settings", "status": 200, "expect": {"clinic": "C01", "date_format": "iso"}},
 {"name": "only an admin sets it", "as": "clin1", "method": "PATCH", "path": "/api/settings", "body": {"date_format": "dmy"}, "status": 403},
 {"name": "an unknown format", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "date_format": "yyyy"}, "status": 400, "expect": {"error": {"field": "date_format"}}},
 {"name": "an admin sets C01's", "as": "admin", "method": "PATCH", "path": "/api/settings", "body": {"clinic": "C01", "date_format": "dmy"}, "status": 200},
 {"name": "C01 reads it", "as": "staff1", "method": "GET", "path": "/api/settings", "status": 200, "expect": {"clinic": "C01", "date_format": "dmy"}},
 {"name": "C02 keeps ISO", "as": "clin2", "method": "GET", "path": "/api/settings", "status": 200, "expect": {"clinic": "C02", "date_format": "iso"}},
 {"name": "the API keeps ISO dates", "as": "clin1", "method": "GET", "path": "/api/patients/A2", "status": 200, "expect": {"courses": [{"start_date": "2026-02-01"}]}}
]
JSON
api_cases "$T/patients.json" || exit 1
api_stop
