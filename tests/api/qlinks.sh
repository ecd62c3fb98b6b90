#!/bin/sh
# Questionnaire links can be revoked, and die with their course: staff
# revoke one by its id (returned at creation) or its token; ending a course
# revokes its open links; a link of an ended course is refused (410) even
# when it was not revoked (a course ended by an import, or links from
# before revocation existed), on opening and on answering. Revocations are
# audited; another clinic and the researcher may not revoke.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
api_start
cat >"$T/qlinks.json" <<'JSON'
[
 {"name": "patient", "as": "clin1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "QP1", "sex": "female", "birth_year": 1970, "first_name": "Ann"}, "status": 201},
 {"name": "course", "as": "clin1", "method": "POST", "path": "/api/courses", "body": {"course_id": "QK1", "patient_id": "QP1", "modality": "prp", "condition": "knee_oa", "start_date": "2024-02-01", "planned_sessions": 3, "interval_days": 28}, "status": 201},
 {"name": "second course", "as": "clin1", "method": "POST", "path": "/api/courses", "body": {"course_id": "QK2", "patient_id": "QP1", "modality": "prp", "condition": "knee_oa", "start_date": "2024-02-01", "planned_sessions": 3, "interval_days": 28}, "status": 201},
 {"name": "link 1 with its id", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links", "body": {"patient_id": "QP1", "course_id": "QK1", "instrument": "NRS"}, "status": 201, "save": {"url1": "url", "id1": "id"}},
 {"name": "link 2", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links", "body": {"patient_id": "QP1", "course_id": "QK1", "instrument": "NRS"}, "status": 201, "save": {"url2": "url", "id2": "id"}},
 {"name": "link 3", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links", "body": {"patient_id": "QP1", "course_id": "QK1", "instrument": "NRS"}, "status": 201, "save": {"url3": "url", "id3": "id"}},
 {"name": "link 4 on the second course", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links", "body": {"patient_id": "QP1", "course_id": "QK2", "instrument": "NRS"}, "status": 201, "save": {"url4": "url"}},
 {"name": "link 1 opens", "as": null, "method": "GET", "path": "/api${url1}", "status": 200},
 {"name": "the researcher may not revoke", "as": "res1", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {"id": "${id1}"}, "status": 403},
 {"name": "another clinic may not revoke: as if there were no such link", "as": "clin2", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {"id": "${id1}"}, "status": 404, "expect": {"error": {"message": "no such questionnaire link", "field": "id"}}},
 {"name": "neither token nor id", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {}, "status": 400, "expect": {"error": {"field": "token"}}},
 {"name": "no such id", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {"id": "L0000000000000000"}, "status": 404, "expect": {"error": {"message": "no such questionnaire link", "field": "id"}}},
 {"name": "staff revoke link 1 by its id", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {"id": "${id1}"}, "status": 200, "expect": {"id": "${id1}", "course_id": "QK1"}},
 {"name": "revoked twice", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {"id": "${id1}"}, "status": 409},
 {"name": "a revoked link does not open", "as": null, "method": "GET", "path": "/api${url1}", "status": 410, "absent": ["Ann"]},
 {"name": "a revoked link takes no answer", "as": null, "method": "POST", "path": "/api${url1}", "body": {"items": [3]}, "status": 410},
 {"name": "a clinician revokes link 2 by its token", "as": "clin1", "method": "POST", "path": "/api/questionnaire-links/revoke", "body": {"token": "${url2}"}, "status": 200, "expect": {"id": "${id2}"}},
 {"name": "link 2 is gone", "as": null, "method": "POST", "path": "/api${url2}", "body": {"items": [3]}, "status": 410},
 {"name": "link 3 still opens", "as": null, "method": "GET", "path": "/api${url3}", "status": 200},
 {"name": "ending the course", "as": "clin1", "method": "POST", "path": "/api/courses/QK1/end", "body": {"status": "completed", "end_date": "2024-04-01"}, "status": 200},
 {"name": "ending the course revoked link 3", "as": null, "method": "GET", "path": "/api${url3}", "status": 410,
  "db": {"sql": "SELECT count(*) FROM questionnaire_links WHERE course_id = 'QK1' AND revoked_at IS NOT NULL", "equals": 3}},
 {"name": "link 3 takes no answer", "as": null, "method": "POST", "path": "/api${url3}", "body": {"items": [3]}, "status": 410,
  "db": {"sql": "SELECT count(*) FROM outcomes JOIN courses ON courses.pk = course_pk WHERE course_id = 'QK1'", "equals": 0}},
 {"name": "a course ended behind the server's back", "sql": "UPDATE courses SET status = 'completed', end_date = date('now') WHERE course_id = 'QK2'"},
 {"name": "its link opens no more", "as": null, "method": "GET", "path": "/api${url4}", "status": 410},
 {"name": "and takes no answer", "as": null, "method": "POST", "path": "/api${url4}", "body": {"items": [3]}, "status": 410,
  "db": {"sql": "SELECT count(*) FROM outcomes JOIN courses ON courses.pk = course_pk WHERE course_id = 'QK2'", "equals": 0}},
 {"name": "revocations are audited", "as": "admin", "method": "GET", "path": "/api/audit?action=questionnaire_link.revoke", "status": 200,
  "expect": {"audit": [{"user": "clin1", "record": "course:QK1", "detail": "course ended, 1 links"}, {"user": "clin1", "record": "course:QK1", "detail": "${id2}"}, {"user": "staff1", "record": "course:QK1", "detail": "${id1}"}]}}
]
JSON
api_cases "$T/qlinks.json"
