"""Runs tests/app/cases.json through the command line and through the JSON
API, each on its own registry holding the same fixture, and checks that
both give each case's code and field, and its message when the case names
one (the API as the case's role). Usage:
  both.py --prolo BIN --cli-db FILE --port N --password PW CASES.json
The API side logs in as "admin"; the registries are prepared by both.sh."""
import argparse
import http.client
import json
import subprocess
import sys
import urllib.parse

GROUPS = {"patient.add": "patient", "course.add": "course", "outcome.add": "outcome",
          "ae.add": "ae", "session.add": "session"}
PATHS = {"patient.add": "/api/patients", "course.add": "/api/courses", "outcome.add": "/api/outcomes",
         "ae.add": "/api/adverse-events", "session.add": "/api/sessions", "call.add": "/api/calls"}
# The record's life: the command group, the API collection and the key
# fields of each kind, in the order the command line and the path take them.
KINDS = {"patient": ("patient", "patients", ["patient_id"]),
         "course": ("course", "courses", ["course_id"]),
         "session": ("session", "sessions", ["course_id", "session_no"]),
         "outcome": ("outcome", "outcomes", ["course_id", "date", "instrument"]),
         "ae": ("ae", "adverse-events", ["course_id", "seq"])}
# The API's user of each role (tests/api/lib.sh: clinic C01).
USERS = {"admin": "admin", "clinician": "clin1", "staff": "staff1", "researcher": "res1"}


def text(v):
    if isinstance(v, list):
        return ";".join("" if x is None else str(x) for x in v)
    return str(v)


def field_args(inp):
    args = []
    for k, v in inp.items():
        if k == "injections":
            for inj in v:
                args += ["--injection", ",".join(f"{a}={text(b)}" for a, b in inj.items())]
        elif k == "confirm":
            args += ["--confirm"] if v else []
        elif k == "if_version":
            args += ["--if-version", str(v)]
        else:
            args += [f"--{k}", text(v)]
    return args


def life_args(action, case):
    """The command line of an amend, void, merge or unmerge case."""
    kind, verb = action.split(".")
    inp = case["input"]
    if verb == "merge":
        return ["patient", "merge", inp["survivor"], inp["merged"], "--reason", inp["reason"]]
    if verb == "unmerge":
        return ["patient", "unmerge", inp["merged"], "--reason", inp["reason"]]
    group, _, keys = KINDS[kind]
    return [group, verb] + [str(case["key"][k]) for k in keys] + field_args(inp)


BOOKING_FLAGS = {"course_id": "--course", "session_no": "--session"}
BOOKING_VERBS = {"move": "move", "cancel": "cancel", "noshow": "no-show"}


def booking_args(verb, inp):
    """The command line of a booking case."""
    if verb == "add":
        return ["booking", "add"] + [x for k, v in inp.items() for x in (BOOKING_FLAGS.get(k, f"--{k}"), text(v))]
    return ["booking", verb, str(inp["id"])] + [x for k, v in inp.items() if k != "id" for x in (f"--{k}", text(v))]


# A list's input: the command line's option and the API's query parameter.
LIST_FLAGS = {"limit": "--limit", "q": "--search", "clinic": "--clinic", "patient_id": "--patient",
              "course_id": "--course"}


def cli_args(action, inp):
    """The command line of one case."""
    if action.endswith(".list"):
        return [action.split(".")[0], "list"] + [x for k, v in inp.items() for x in (LIST_FLAGS[k], text(v))]
    if action.startswith("booking."):
        return booking_args(action.split(".")[1], inp)
    if action == "user.role":
        return ["user", "role", inp["name"]] + [x for k in ("role", "clinic") if k in inp for x in (f"--{k}", inp[k])]
    if action == "course.end":
        args = ["course", "end", inp["course_id"], "--status", inp["status"]]
        if "end_date" in inp:
            args += ["--end_date", inp["end_date"]]
        if "reason" in inp:
            args += ["--reason", inp["reason"]]
        return args
    if action == "call.add":
        flag = {"alert_key": "--alert", "point_day": "--point-day"}
        return ["call", "add", inp["course_id"], "--by", "Front Desk"] + [
            x for k, v in inp.items() if k != "course_id" for x in (flag.get(k, f"--{k}"), text(v))]
    return [GROUPS[action], "add"] + field_args(inp)


def run_cli(prolo, db, case):
    action = case["action"]
    direct = (action in GROUPS or action in ("course.end", "call.add", "user.role") or action.startswith("booking.")
              or action.endswith(".list"))
    args = cli_args(action, case["input"]) if direct else life_args(action, case)
    p = subprocess.run([prolo, "--json", "--db", db] + args, capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        return "ok", "", ""
    try:
        e = json.loads(p.stderr)["error"]
    except (ValueError, KeyError):
        return f"exit {p.returncode} without a JSON error: {p.stderr[:200]!r}", "", ""
    return e["code"], e["field"], e["message"]


class Api:
    def __init__(self, port, password, user="admin"):
        self.port = port
        st, h, d = self.raw("POST", "/api/login", {"username": user, "password": password}, {})
        if st != 200:
            raise SystemExit(f"login failed: {st} {d[:200]!r}")
        self.cookie = h["set-cookie"].split(";")[0]
        self.csrf = json.loads(d)["csrf_token"]

    def raw(self, method, path, body, headers):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers, **{"Content-Type": "application/json"})
        c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def case(self, case):
        action, inp = case["action"], case["input"]
        method, headers = "POST", {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        kind, verb = action.split(".")
        if verb == "list":
            method, body = "GET", None
            path = f"/api/{KINDS[kind][1]}?" + urllib.parse.urlencode({k: text(v) for k, v in inp.items()})
        elif action == "user.role":
            path = f"/api/users/{inp['name']}/role"
            body = {k: v for k, v in inp.items() if k != "name"}
        elif action == "course.end":
            path = f"/api/courses/{inp['course_id']}/end"
            body = {k: v for k, v in inp.items() if k != "course_id"}
        elif kind == "booking":
            if verb == "add":
                path, body = "/api/bookings", inp
            else:
                path = f"/api/bookings/{inp['id']}/{BOOKING_VERBS[verb]}"
                body = {k: v for k, v in inp.items() if k != "id"}
        elif verb == "merge":
            path, body = f"/api/patients/{inp['survivor']}/merge", {"merged": inp["merged"], "reason": inp["reason"]}
        elif verb == "unmerge":
            path, body = f"/api/patients/{inp['merged']}/unmerge", {"reason": inp["reason"]}
        elif verb in ("amend", "void"):
            _, coll, keys = KINDS[kind]
            path = f"/api/{coll}/" + "/".join(str(case["key"][k]) for k in keys)
            body = {k: v for k, v in inp.items() if k != "if_version"}
            if "if_version" in inp:
                headers["If-Match"] = f'"{inp["if_version"]}"'
            if verb == "amend":
                method = "PATCH"
            else:
                path += "/void"
        else:
            path, body = PATHS[action], inp
        st, _, d = self.raw(method, path, body, headers)
        if 200 <= st < 300:
            return "ok", "", ""
        e = json.loads(d)["error"]
        return e["code"], e["field"], e["message"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prolo", required=True)
    ap.add_argument("--cli-db", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("cases")
    a = ap.parse_args()
    table = json.load(open(a.cases))
    apis = {role: Api(a.port, a.password, user) for role, user in USERS.items()}
    failed = 0
    for c in table["cases"]:
        want = (c["code"], c.get("field"), c.get("message"))
        role = c.get("role", "admin")
        got_api = apis[role].case(c)
        # The command line acts as the registry's owner: a case of another
        # role runs there only when allowed, so both registries stay alike.
        got_cli = run_cli(a.prolo, a.cli_db, c) if role == "admin" or c["code"] == "ok" else None
        for where, got in (("cli", got_cli), ("api", got_api)):
            if got is None:
                continue
            ok = got[0] == want[0] and all(w is None or g == w for g, w in zip(got[1:], want[1:]))
            if not ok:
                failed += 1
                print(f"FAIL {where}: {c['name']}: got {got}, expected {want}")
        if got_cli is not None and role == "admin" and got_cli[:2] != got_api[:2]:
            failed += 1
            print(f"FAIL {c['name']}: the command line says {got_cli}, the API {got_api}")
    print(f"use-case table through both adapters: {len(table['cases'])} cases, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
