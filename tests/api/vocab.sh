#!/bin/sh
# GET /api/vocab against the server's own tables: every code list in the
# order of src/core/domain.c (and the roles of src/store/store_auth.c), the
# instruments' item counts and ranges of src/core/instruments.c, and the
# registry's conditions, including two a clinic added with `prolo condition
# add` before the server started (as `prolo condition list` shows them).
# Every role may read it, nobody without a session; it writes no audit row,
# and a course may be planned for a clinic-added condition it lists, also
# for one added while the server runs (every worker's connection).
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
run 0 condition add plantar_fasciitis --icd10 M72.2 --snomed 202882003 --label "Plantar fasciitis"
run 0 condition add lateral_epicondylitis --icd10 M77.1 --snomed 202855006
"$PROLO" --json condition list >"$T/conditions.jsonl" || { echo "prolo condition list failed" >&2; exit 1; }
api_start
$PY - "$PORT" "$PASSWORD" "$API_DIR" "$TOP" "$T/conditions.jsonl" "$PROLO" <<'PYEOF' || exit 1
import json, re, sys
port, password, api_dir, top, cond_file, prolo = sys.argv[1:]
sys.path.insert(0, api_dir)
from client import Client

def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)

def c_names(path, array):
    """The strings of `const char *const ARRAY[N] = { ... };` in a C file."""
    src = open(f"{top}/{path}").read()
    m = re.search(r"\b%s\[[A-Z_]+\]\s*=\s*\{(.*?)\};" % re.escape(array), src, re.S)
    if not m:
        fail(f"{array} not found in {path}")
    return re.findall(r'"([^"]*)"', m.group(1))

LISTS = {
    "modalities": "dom_modality_names", "statuses": "dom_status_names", "sexes": "dom_sex_names",
    "proliferants": "dom_proliferant_names", "adverse_event_kinds": "dom_ae_kind_names",
    "guidance": "dom_guidance_names", "sides": "dom_side_names",
    "seriousness": "dom_seriousness_names", "relatedness": "dom_relatedness_names",
    "stem_cell_sources": "dom_stem_source_names", "activations": "dom_activation_names",
    "contraindications": "dom_contraindication_names",
}
want = {k: c_names("src/core/domain.c", v) for k, v in LISTS.items()}
want["roles"] = c_names("src/store/store_auth.c", "store_role_names")
want["end_statuses"] = [s for s in want["statuses"] if s not in ("planned", "active")]
if want["modalities"] != ["dextrose", "prp", "stem_cell"]:
    fail("reading domain.c: modalities %r" % want["modalities"])

# Instruments: one designated initializer block per instrument, in enum order.
isrc = open(f"{top}/src/core/instruments.c").read()
order = c_names("src/core/domain.c", "dom_instrument_names")
instruments = []
for name in order:
    m = re.search(r'\.name = "%s",.*?\.n_items = (\d+), \.item_min = (\d+), \.item_max = (\d+)' % re.escape(name),
                  isrc, re.S)
    if not m:
        fail(f"instrument {name} not found in instruments.c")
    instruments.append({"name": name, "items": int(m[1]), "min": int(m[2]), "max": int(m[3])})

builtin = c_names("src/core/domain.c", "dom_condition_names")
icd10 = dict(zip(builtin, c_names("src/core/domain.c", "dom_condition_icd10")))
stored = [json.loads(line) for line in open(cond_file) if line.strip()]
by_name = {c["name"]: c for c in stored}
own = sorted(n for n in by_name if n not in builtin)
if own != ["lateral_epicondylitis", "plantar_fasciitis"]:
    fail("prolo condition list: %r" % own)

cl = Client(int(port), password)
for user in ["admin", "clin1", "staff1", "res1"]:
    st, h, d = cl.request(user, "GET", "/api/vocab")
    if st != 200:
        fail(f"{user}: {st} {d[:200]!r}")
    if "application/json" not in h.get("content-type", ""):
        fail("content type %r" % h.get("content-type"))
    v = json.loads(d)
    for key, codes in want.items():
        if v.get(key) != codes:
            fail(f"{key}: {v.get(key)!r}, the server's table says {codes!r}")
    got = [{k: i.get(k) for k in ("name", "items", "min", "max")} for i in v.get("instruments", [])]
    if got != instruments:
        fail(f"instruments: {got!r}, instruments.c says {instruments!r}")
    names = [c["name"] for c in v.get("conditions", [])]
    if names != builtin + own:
        fail(f"conditions {names!r}, expected the built-in ones in order then {own!r}")
    for c in v["conditions"]:
        s = by_name[c["name"]]
        if c.get("icd10", "") != s["icd10"] or c.get("snomed", "") != s["snomed"] or c.get("label", "") != s["label"]:
            fail(f"condition {c!r}; the registry stores {s!r}")
        if c["builtin"] != (c["name"] in builtin) or (c["name"] in builtin and c["icd10"] != icd10[c["name"]]):
            fail(f"condition {c!r}: built-in flag or code differs from domain.c")
    if [c.get("label") for c in v["conditions"][-2:]] != [None, "Plantar fasciitis"]:
        fail("labels of the clinic's conditions: %r" % v["conditions"][-2:])

# No session, a forged one, a closed one: 401 and no vocabulary.
st, _, d = cl.raw("GET", "/api/vocab")
if st != 401 or b"modalities" in d:
    fail(f"anonymous: {st} {d[:200]!r}")
st, _, d = cl.raw("GET", "/api/vocab", None, {"Cookie": "prolo_session=" + "0" * 64})
if st != 401:
    fail(f"forged cookie: {st}")
ck, csrf = cl.login("staff1")
st, _, _ = cl.raw("POST", "/api/logout", "{}", {"Cookie": ck, "X-CSRF-Token": csrf})
if st != 200:
    fail(f"logout: {st}")
st, _, d = cl.raw("GET", "/api/vocab", None, {"Cookie": ck})
if st != 401 or b"modalities" in d:
    fail(f"after logout: {st} {d[:200]!r}")

# Reading it writes no audit row (GET /api/audit drains the read spool).
def audit_rows():
    st, _, d = cl.request("admin", "GET", "/api/audit?limit=500")
    if st != 200:
        fail(f"audit: {st}")
    # (reading the log is audited itself: those rows are not the vocabularies')
    return [r for r in json.loads(d)["audit"] if r["action"] != "audit.read"]
before = audit_rows()
for _ in range(5):
    st, _, _ = cl.request("clin1", "GET", "/api/vocab")
    if st != 200:
        fail(f"vocab: {st}")
after = audit_rows()
if len(after) != len(before):
    fail("reading the vocabularies wrote audit rows: %r" % after[: len(after) - len(before)])

# What it lists is what the server accepts: a course for the clinic's own condition.
H = {"Content-Type": "application/json"}
for path, body in [("/api/patients", {"patient_id": "VP1", "sex": "female"}),
                   ("/api/courses", {"course_id": "VK1", "patient_id": "VP1", "modality": "prp",
                                     "condition": "plantar_fasciitis", "start_date": "2024-05-06",
                                     "planned_sessions": 3})]:
    st, _, d = cl.request("clin1", "POST", path, body, headers=H)
    if st != 201:
        fail(f"POST {path}: {st} {d[:300]!r}")
st, _, d = cl.request("clin1", "GET", "/api/courses/VK1")
if st != 200 or json.loads(d)["course"]["condition"] != "plantar_fasciitis":
    fail(f"the course: {st} {d[:300]!r}")

# A condition added by the command line while the server runs is listed
# and accepted at once; the courses go to the writer and, for a failure,
# must not be refused by any connection's stale list.
import subprocess
r = subprocess.run([prolo, "condition", "add", "achilles_tendinopathy", "--icd10", "M76.6", "--snomed", "11654001"], capture_output=True, text=True)
if r.returncode != 0:
    fail("condition add while serving: " + r.stderr)
st, _, d = cl.request("clin1", "GET", "/api/vocab")
if "achilles_tendinopathy" not in [c["name"] for c in json.loads(d)["conditions"]]:
    fail("a condition added while serving is not listed")
for i in range(4):
    st, _, d = cl.request("clin1", "POST", "/api/courses", {"course_id": "VA%d" % i, "patient_id": "VP1",
                          "modality": "dextrose", "condition": "achilles_tendinopathy", "start_date": "2024-06-03",
                          "planned_sessions": 3}, headers=H)
    if st != 201:
        fail(f"course for a condition added while serving: {st} {d[:300]!r}")
print("ok: /api/vocab matches the server's tables and the registry's conditions")
PYEOF
api_stop || { echo "server did not stop cleanly" >&2; exit 1; }
