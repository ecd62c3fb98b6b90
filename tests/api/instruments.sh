#!/bin/sh
# A clinic's questionnaire wording over the API, and what the patient's page
# and the chart receive: only an admin loads a wording (a bad one is refused
# naming the item, nothing stored); staff list and read their clinic's; the
# questionnaire page of a C01 patient gets the loaded item texts and labels,
# a page without a loaded wording gets null texts and the note saying so;
# a patient's answer on a day staff recorded the same instrument is kept
# beside it (both on the chart, marked by source); the chart's assessments
# carry their range, subscales and why a form is not scorable. The wording
# is the made-up test fixture (tests/fixtures/instruments/README.md).
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
export PROLO_TODAY=2025-03-03
api_setup_db
api_start
$PY - "$TOP/tests/fixtures/instruments/womac-made-up.json" "$T/cases.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
short = dict(w, items=w["items"][:23])
all1 = [1] * 24
cases = [
 {"name": "patient", "as": "clin1", "method": "POST", "path": "/api/patients", "body": {"patient_id": "WP1", "sex": "female", "birth_year": 1950, "first_name": "Wendy"}, "status": 201},
 {"name": "course", "as": "clin1", "method": "POST", "path": "/api/courses", "body": {"course_id": "WK1", "patient_id": "WP1", "modality": "dextrose", "condition": "knee_oa", "start_date": "2025-03-01", "planned_sessions": 3, "interval_days": 28}, "status": 201},
 {"name": "staff may not load a wording", "as": "staff1", "method": "POST", "path": "/api/instruments", "body": {"clinic": "C01", "wording": w}, "status": 403},
 {"name": "the researcher may not read one", "as": "res1", "method": "GET", "path": "/api/instruments", "status": 403},
 {"name": "a wording with 23 items is refused, naming the count", "as": "admin", "method": "POST", "path": "/api/instruments", "body": {"clinic": "C01", "wording": short}, "status": 400,
  "expect": {"error": {"field": "items", "message": "the WOMAC has 24 items; the file gives 23"}},
  "db": {"sql": "SELECT count(*) FROM instrument_texts", "equals": 0}},
 {"name": "a bad label is refused, naming the item", "as": "admin", "method": "POST", "path": "/api/instruments", "body": {"clinic": "C01", "wording": dict(w, items=w["items"][:4] + [dict(w["items"][4], labels=["a", "b"])] + w["items"][5:])}, "status": 400,
  "expect": {"error": {"field": "item 5"}}, "db": {"sql": "SELECT count(*) FROM instrument_texts", "equals": 0}},
 {"name": "the admin loads C01's WOMAC wording", "as": "admin", "method": "POST", "path": "/api/instruments", "body": {"clinic": "C01", "wording": w}, "status": 201,
  "expect": {"wording": {"clinic": "C01", "instrument": "WOMAC", "version": "made-up test wording 1", "language": "en", "loaded_by": "admin"}},
  "db": {"sql": "SELECT count(*) FROM audit_log WHERE action = 'instrument.load' AND user = 'admin'", "equals": 1}},
 {"name": "staff list their clinic's wordings", "as": "staff1", "method": "GET", "path": "/api/instruments", "status": 200,
  "expect": {"wordings": [{"clinic": "C01", "instrument": "WOMAC"}]}},
 {"name": "C01 reads the WOMAC with its wording", "as": "clin1", "method": "GET", "path": "/api/instruments/WOMAC", "status": 200,
  "expect": {"wording_source": "clinic", "subscales": [{"name": "pain", "first_item": 1, "last_item": 5, "max": 20}], "item_texts": [{"no": 1, "text": w["items"][0]["text"], "labels": w["labels"]}]}},
 {"name": "C02 has none: the note says so", "as": "clin2", "method": "GET", "path": "/api/instruments/WOMAC", "status": 200,
  "expect": {"wording_source": "none", "wording": None, "item_texts": [{"no": 1, "text": None}]}, "absent": ["Made-up test question"]},
 {"name": "another clinic's wording is not C02's to read", "as": "clin2", "method": "GET", "path": "/api/instruments/WOMAC?clinic=C01", "status": 403},
 {"name": "a WOMAC link", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links", "body": {"patient_id": "WP1", "course_id": "WK1", "instrument": "WOMAC"}, "status": 201, "save": {"womac": "url"}},
 {"name": "a KOOS link", "as": "staff1", "method": "POST", "path": "/api/questionnaire-links", "body": {"patient_id": "WP1", "course_id": "WK1", "instrument": "KOOS"}, "status": 201, "save": {"koos": "url"}},
 {"name": "the WOMAC page receives the loaded texts and labels", "as": None, "method": "GET", "path": "/api${womac}", "status": 200,
  "expect": {"instrument": "WOMAC", "wording": "clinic", "title": w["title"], "intro": w["intro"], "licence": w["licence"],
             "items": [{"no": 1, "text": w["items"][0]["text"], "min": 0, "max": 4, "labels": w["labels"]}] + [{}] * 22 + [{"no": 24, "text": w["items"][23]["text"]}],
             "missing_note": None}},
 {"name": "the KOOS page (not loaded) says the wording is missing", "as": None, "method": "GET", "path": "/api${koos}", "status": 200,
  "expect": {"instrument": "KOOS", "wording": "none", "items": [{"no": 1, "text": None, "min": 0, "max": 4}], "missing_note": "The clinic has not put the wording of these questions on this page. Answer only if you have the clinic's paper questionnaire in front of you, question by question by its number. Please do not guess: without the paper form, close this page and contact the clinic."}},
 {"name": "staff record the WOMAC today", "as": "staff1", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "WK1", "date": "2025-03-03", "instrument": "WOMAC", "items": all1}, "status": 201},
 {"name": "the patient answers the same day, two pain items skipped: kept", "as": None, "method": "POST", "path": "/api${womac}",
  "body": {"items": [2, None, None, 2, 2] + [3, 3] + [1] * 17}, "status": 201, "expect": {"outcome": {"date": "2025-03-03", "instrument": "WOMAC", "score": None}},
  "db": {"sql": "SELECT group_concat(source || ':' || ifnull(score, 'none'), ' ') FROM (SELECT source, score FROM outcomes ORDER BY source)", "equals": "patient:none staff:24.0"}},
 {"name": "the chart shows both, by source, with range, subscales and the reason", "as": "clin1", "method": "GET", "path": "/api/patients/WP1", "status": 200,
  "expect": {"courses": [{"outcomes": [
     {"source": "patient", "instrument": "WOMAC", "range": {"min": 0, "max": 96, "unit": "points", "higher_is_worse": True},
      "subscales": [{"name": "pain", "score": None, "max": 20}, {"name": "stiffness", "score": 6.0, "max": 8}, {"name": "function", "score": 17.0, "max": 68}],
      "not_scorable_reason": "pain: 2 of 5 items unanswered; the WOMAC user guide scores this subscale with at most 1 missing; the total needs all three subscales"},
     {"source": "staff", "score": 24.0, "subscales": [{"name": "pain", "score": 5.0}, {"name": "stiffness", "score": 2.0}, {"name": "function", "score": 17.0}], "not_scorable_reason": None}]}]}},
 {"name": "the patient's record has its own key", "as": "clin1", "method": "GET", "path": "/api/outcomes/WK1/2025-03-03/WOMAC/patient/history", "status": 200,
  "expect": {"record": {"source": "patient", "version": 1}}},
 {"name": "staff may not enter answers as the patient's", "as": "staff1", "method": "POST", "path": "/api/outcomes", "body": {"course_id": "WK1", "date": "2025-03-02", "instrument": "NRS", "score": 3, "source": "patient"}, "status": 400,
  "expect": {"error": {"field": "source"}}},
 {"name": "the patient's record can be voided alone", "as": "clin1", "method": "POST", "path": "/api/outcomes/WK1/2025-03-03/WOMAC/patient/void", "body": {"reason": "test of the key"}, "status": 200,
  "db": {"sql": "SELECT count(*) FROM outcomes WHERE voided_at IS NULL AND source = 'staff'", "equals": 1}},
]
json.dump(cases, open(sys.argv[2], "w"))
PY
api_cases "$T/cases.json"
# One description, whichever adapter asks (app_instrument_describe): the
# command line's JSON is what the API answers for the same clinic, the
# wording marked missing (with the note) where the clinic loaded none and
# nowhere else (NRS's wording is shipped: nothing missing).
"$PROLO" --json instrument show WOMAC --clinic C02 >"$T/c02.json" || exit 1
"$PROLO" --json instrument show WOMAC --clinic C01 >"$T/c01.json" || exit 1
"$PROLO" --json instrument show NRS >"$T/nrs.json" || exit 1
"$PROLO" --json instrument show KOOS >"$T/koos.json" || exit 1
$PY - "$T" <<'PY' || exit 1
import json, sys
t = sys.argv[1]
d = {k: json.load(open(f"{t}/{k}.json")) for k in ("c02", "c01", "nrs", "koos")}
assert d["c02"]["wording_source"] == "none" and d["c02"]["missing_note"].startswith("The clinic has not put"), d["c02"]
assert d["c01"]["wording_source"] == "clinic" and d["c01"]["missing_note"] is None, d["c01"]["missing_note"]
assert d["nrs"]["wording_source"] == "shipped" and d["nrs"]["missing_note"] is None, d["nrs"]
assert d["koos"]["wording_source"] == "none" and d["koos"]["wording"] is None, d["koos"]
cases = [
 {"name": "C02's WOMAC: as the command line describes it", "as": "clin2", "method": "GET", "path": "/api/instruments/WOMAC", "status": 200, "expect": d["c02"]},
 {"name": "C01's WOMAC: as the command line describes it", "as": "admin", "method": "GET", "path": "/api/instruments/WOMAC?clinic=C01", "status": 200, "expect": d["c01"]},
 {"name": "NRS, shipped wording, nothing missing", "as": "clin1", "method": "GET", "path": "/api/instruments/NRS", "status": 200, "expect": d["nrs"]},
 {"name": "the admin asking for no clinic gets the structure alone", "as": "admin", "method": "GET", "path": "/api/instruments/KOOS", "status": 200, "expect": d["koos"]},
 {"name": "an unknown instrument", "as": "clin1", "method": "GET", "path": "/api/instruments/HOOS", "status": 404, "expect": {"error": {"field": "instrument", "message": "unknown instrument 'HOOS'"}}},
]
json.dump(cases, open(f"{t}/same.json", "w"))
PY
api_cases "$T/same.json"
# One scoring description (outcome_scoring_describe): what the chart says of
# each assessment (range, subscales, why not scorable) is what "prolo
# outcome show" says of it. One more, not scorable, recorded by staff.
$PY - "$TOP" "$PORT" "$PASSWORD" "$PROLO" <<'PY' || exit 1
import json, subprocess, sys
sys.path.insert(0, sys.argv[1] + "/tests/api")
from client import Client
c = Client(int(sys.argv[2]), sys.argv[3])
items = [2, None, None, 2, 2] + [3, 3] + [1] * 17
st, _, d = c.request("staff1", "POST", "/api/outcomes", {"course_id": "WK1", "date": "2025-03-02", "instrument": "WOMAC", "items": items})
assert st == 201, (st, d)
st, _, d = c.request("clin1", "GET", "/api/courses/WK1")
assert st == 200, (st, d)
outs = json.loads(d)["course"]["outcomes"]
keys = ("range", "subscales", "not_scorable_reason", "partial_reason")
seen = 0
for o in outs:
    p = subprocess.run([sys.argv[4], "--json", "outcome", "show", "WK1", o["date"], o["instrument"], o["source"]],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    cli = json.loads(p.stdout)
    for k in keys:
        assert cli[k] == o[k], (o["date"], o["source"], k, cli[k], o[k])
    seen += o["not_scorable_reason"] is not None
assert len(outs) >= 2 and seen >= 1, outs
print(f"scoring: {len(outs)} assessments alike on the chart and the command line")
PY
