#!/bin/sh
# The researcher's report cannot be narrowed to single courses: dates are
# widened to whole months (narrow and overlapping ranges inside a month
# give the same answer), every group of fewer than 5 courses is suppressed
# (serve --min-cell N), no line of the table (a modality's conditions and
# their ALL, a condition's modalities and their ALL) has exactly one
# suppressed group, and the filters that would cut the table differently
# (modality, condition) are refused. Other roles see the exact report.
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/api/lib.sh"
api_setup_db
# 12 dextrose courses for low back pain in March 2024, 1 PRP course for knee
# osteoarthritis on 2024-03-15 (the course to protect), 6 stem-cell courses
# for knee osteoarthritis in April; each with a baseline and a last NRS.
course() { # id patient modality condition start end nrs_last
	run 0 patient add --patient_id "$2" --clinic C01 --sex female --birth_year 1970
	run 0 course add --course_id "$1" --patient_id "$2" --modality "$3" --condition "$4" \
		--start_date "$5" --planned_sessions 2 --interval_days 7 --status active
	run 0 session add --course_id "$1" --date "$5"
	run 0 outcome add --course_id "$1" --date "$5" --instrument NRS --score 8
	run 0 outcome add --course_id "$1" --date "$6" --instrument NRS --score "$7"
	run 0 course end "$1" --status completed --date "$6"
}
i=1
while [ $i -le 12 ]; do
	d=$(printf '2024-03-%02d' $((i + 1)))
	course "KD$i" "PD$i" dextrose low_back_pain "$d" 2024-03-28 $((i % 2 * 5 + 2))
	i=$((i + 1))
done
course KP1 PP1 prp knee_oa 2024-03-15 2024-03-29 2
i=1
while [ $i -le 6 ]; do
	course "KS$i" "PS$i" stem_cell knee_oa "2024-04-0$i" 2024-04-20 3
	i=$((i + 1))
done
api_start
cat >"$T/check.py" <<'PYEOF'
import json, sys
sys.path.insert(0, sys.argv[3])
from client import Client
port, password = int(sys.argv[1]), sys.argv[2]
min_cell = int(sys.argv[4])
cl = Client(port, password)
failed = 0
def fail(msg):
    global failed
    failed += 1
    print("FAIL:", msg)
def report(user, q):
    st, _, d = cl.request(user, "GET", "/api/report" + q)
    if st != 200:
        fail(f"{user} {q}: {st} {d[:200]!r}")
        return None
    return json.loads(d)
def groups(doc):
    return {(g["modality"], g["condition"]): g for g in doc["groups"]}
MODS = ["dextrose", "prp", "stem_cell"]
CONDS = ["low_back_pain", "neck_pain", "knee_oa", "tendinopathy", "ligament_sprain"]
def check_table(doc, what):
    g = groups(doc)
    for k, row in g.items():
        n = row["n_courses"]
        if n is not None and 0 < n < min_cell:
            fail(f"{what}: group {k} shows {n} courses")
        if row.get("suppressed") and any(row[f] is not None for f in ("n_courses", "itt_resp", "itt_rate", "pp_rate")):
            fail(f"{what}: suppressed group {k} shows figures")
    lines = [[(m, c) for m in MODS] + [("ALL", c)] for c in CONDS + ["ALL"]]
    lines += [[(m, c) for c in CONDS] + [(m, "ALL")] for m in MODS + ["ALL"]]
    for line in lines:
        hidden = [k for k in line if g[k].get("suppressed")]
        if len(hidden) == 1:
            fail(f"{what}: {hidden[0]} is the only suppressed group of its line, so a margin gives it")
    # the time points (docs/report.md): small cells hidden, hidden groups'
    # time points hidden, no line and no all = completed + dropped with
    # exactly one hidden cell
    def cells(tp):
        return {"all": tp, "completed": tp["completed"], "dropped": tp["dropped"]}
    for k, row in g.items():
        for i, tp in enumerate(row["time_points"]):
            for e, cell in cells(tp).items():
                d = cell["due"]
                if d is not None and 0 < d < min_cell:
                    fail(f"{what}: {k} at {tp['months']} months ({e}) shows {d} courses due")
                if (row.get("suppressed") or cell.get("suppressed")) and any(
                        cell[f] is not None for f in ("due", "answered", "responders", "rate", "completeness")):
                    fail(f"{what}: {k} at {tp['months']} months ({e}) is suppressed but shows figures")
            if sum(1 for c in cells(tp).values() if c.get("suppressed")) == 1:
                fail(f"{what}: {k} at {tp['months']} months: one ending hidden, the others give it")
    for line in lines:
        for i in range(3):
            for e in ("all", "completed", "dropped"):
                hidden = [k for k in line if cells(g[k]["time_points"][i])[e].get("suppressed")]
                if len(hidden) == 1:
                    fail(f"{what}: {hidden[0]} is the only hidden time point {i} ({e}) of its line")
    return g

if min_cell == 5:
    month = report("res1", "?from=2024-03-01&to=2024-03-31")
    day = report("res1", "?from=2024-03-15&to=2024-03-15")
    if day["suppression"]["from"] != "2024-03-01" or day["suppression"]["to"] != "2024-03-31":
        fail(f"a one-day range is not widened to its month: {day['suppression']}")
    if day["groups"] != month["groups"] or day["by_modality"] != month["by_modality"]:
        fail("a one-day range answers otherwise than its whole month")
    a = report("res1", "?from=2024-03-10&to=2024-03-20")
    b = report("res1", "?from=2024-03-14&to=2024-03-16")
    c = report("res1", "?from=2024-03-15")
    if a["groups"] != b["groups"]:
        fail("two overlapping ranges inside March answer differently")
    for doc, what in ((month, "March"), (a, "March 10-20"), (c, "from March 15"), (report("res1", ""), "all time")):
        g = check_table(doc, what)
        if not g[("prp", "knee_oa")].get("suppressed") or not g[("prp", "ALL")].get("suppressed"):
            fail(f"{what}: the single PRP course's groups are shown")
        if doc["by_modality"]["prp"].get("suppressed") is not True:
            fail(f"{what}: the PRP sections are shown")
        if doc["data_notes"]["courses_read"] is not None and 0 < doc["data_notes"]["courses_read"] < min_cell:
            fail(f"{what}: a small count in the data notes")
    if groups(month)[("dextrose", "low_back_pain")]["n_courses"] is None and \
       groups(month)[("dextrose", "low_back_pain")].get("suppressed") is not True:
        fail("a hidden group is not marked")
    # Filters that would cut the table another way are refused.
    for q, field in (("?condition=knee_oa", "condition"), ("?modality=prp", "modality")):
        st, _, d = cl.request("res1", "GET", "/api/report" + q)
        if st != 400 or json.loads(d)["error"]["field"] != field:
            fail(f"researcher {q}: {st} {d[:200]!r}")
    # Other roles see the exact report.
    for user in ("admin", "clin1"):
        doc = report(user, "?from=2024-03-15&to=2024-03-15")
        if "suppression" in doc or groups(doc)[("prp", "knee_oa")]["n_courses"] != 1:
            fail(f"{user}: not the exact report")
    # The researcher's queries are audited with their months.
    st, _, d = cl.request("admin", "GET", "/api/audit?action=report.read&user=res1")
    details = [r["detail"] for r in json.loads(d)["audit"]]
    if not any("from 2024-03-01 to 2024-03-31" in x and "suppressed" in x for x in details):
        fail(f"researcher's report rows: {details}")
else:
    g = check_table(report("res1", "?from=2024-03-01&to=2024-03-31"), f"--min-cell {min_cell}")
    if not g[("dextrose", "low_back_pain")].get("suppressed"):
        fail(f"--min-cell {min_cell}: the group of 12 is shown")
print("report suppression: %d failed" % failed)
sys.exit(1 if failed else 0)
PYEOF
$PY "$T/check.py" "$PORT" "$PASSWORD" "$API_DIR" 5 || exit 1
api_stop || exit 1
api_start --min-cell 13
$PY "$T/check.py" "$PORT" "$PASSWORD" "$API_DIR" 13 || exit 1
