"""Runs tests/app/cases.json through the command line and through the JSON
API, each on its own registry holding the same fixture, and checks that
both give each case's code and field. Usage:
  both.py --prolo BIN --cli-db FILE --port N --password PW CASES.json
The API side logs in as "admin"; the registries are prepared by both.sh."""
import argparse
import http.client
import json
import subprocess
import sys

GROUPS = {"patient.add": "patient", "course.add": "course", "outcome.add": "outcome",
          "ae.add": "ae", "session.add": "session"}
PATHS = {"patient.add": "/api/patients", "course.add": "/api/courses", "outcome.add": "/api/outcomes",
         "ae.add": "/api/adverse-events", "session.add": "/api/sessions"}


def text(v):
    return str(v)


def cli_args(action, inp):
    """The command line of one case."""
    if action == "user.role":
        return ["user", "role", inp["name"]] + [x for k in ("role", "clinic") if k in inp for x in (f"--{k}", inp[k])]
    if action == "course.end":
        args = ["course", "end", inp["course_id"], "--status", inp["status"]]
        if "end_date" in inp:
            args += ["--end_date", inp["end_date"]]
        if "reason" in inp:
            args += ["--reason", inp["reason"]]
        return args
    args = [GROUPS[action], "add"]
    for k, v in inp.items():
        if k == "injections":
            for inj in v:
                args += ["--injection", ",".join(f"{a}={text(b)}" for a, b in inj.items())]
        else:
            args += [f"--{k}", text(v)]
    return args


def run_cli(prolo, db, action, inp):
    p = subprocess.run([prolo, "--json", "--db", db] + cli_args(action, inp),
                       capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        return "ok", ""
    try:
        e = json.loads(p.stderr)["error"]
    except (ValueError, KeyError):
        return f"exit {p.returncode} without a JSON error: {p.stderr[:200]!r}", ""
    return e["code"], e["field"]


class Api:
    def __init__(self, port, password):
        self.port = port
        st, h, d = self.raw("POST", "/api/login", {"username": "admin", "password": password}, {})
        if st != 200:
            raise SystemExit(f"login failed: {st} {d[:200]!r}")
        self.cookie = h["set-cookie"].split(";")[0]
        self.csrf = json.loads(d)["csrf_token"]

    def raw(self, method, path, body, headers):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers, **{"Content-Type": "application/json"})
        c.request(method, path, body=json.dumps(body), headers=headers)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def case(self, action, inp):
        if action == "user.role":
            path = f"/api/users/{inp['name']}/role"
            body = {k: v for k, v in inp.items() if k != "name"}
        elif action == "course.end":
            path = f"/api/courses/{inp['course_id']}/end"
            body = {k: v for k, v in inp.items() if k != "course_id"}
        else:
            path, body = PATHS[action], inp
        st, _, d = self.raw("POST", path, body, {"Cookie": self.cookie, "X-CSRF-Token": self.csrf})
        if 200 <= st < 300:
            return "ok", ""
        e = json.loads(d)["error"]
        return e["code"], e["field"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prolo", required=True)
    ap.add_argument("--cli-db", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("cases")
    a = ap.parse_args()
    table = json.load(open(a.cases))
    api = Api(a.port, a.password)
    failed = 0
    for c in table["cases"]:
        want = (c["code"], c.get("field"))
        got_cli = run_cli(a.prolo, a.cli_db, c["action"], c["input"])
        got_api = api.case(c["action"], c["input"])
        for where, got in (("cli", got_cli), ("api", got_api)):
            ok = got[0] == want[0] and (want[1] is None or got[1] == want[1])
            if not ok:
                failed += 1
                print(f"FAIL {where}: {c['name']}: got {got}, expected {want}")
        if got_cli != got_api:
            failed += 1
            print(f"FAIL {c['name']}: the command line says {got_cli}, the API {got_api}")
    print(f"use-case table through both adapters: {len(table['cases'])} cases, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
