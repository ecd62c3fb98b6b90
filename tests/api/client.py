"""A small HTTP client for the API tests: runs data-driven cases (JSON files
under tests/api/cases/) and the permission matrix (tests/api/permissions.txt)
against a running prolo server on loopback. Standard library only.

Case file: a JSON array of objects, run in order. Keys:
  name      what the case checks (shown on failure)
  as        user name to act as (logged in on first use), or null: anonymous
  method    GET | POST | ...;  path: may use ${var}
  body      JSON value to send;  raw: a string sent as is (e.g. duplicate keys)
  csrf      true (default: send the session's token) | false | "wrong"
  headers   extra request headers
  status    expected HTTP status
  expect    JSON the response must contain (objects: subset; arrays: the
            listed elements, by position)
  header    {"Name": "substring"} expected in response headers
  absent    strings the response body must not contain
  has       strings the response body must contain (non-JSON answers too)
  save      {"var": "dotted.path"} keeps values for later ${var}
  sql       statements run on the registry before the request (then no request
            unless method is given)
  sleep     seconds to wait before the request
  raw_repeat [TEXT, N]: sends TEXT repeated N times as the body
  db        {"sql": "SELECT ...", "equals": value} checked after the request
"""
import argparse
import http.client
import json
import re
import sqlite3
import sys
import time

ROLES = ["admin", "clin1", "staff1", "res1"]


class Client:
    def __init__(self, port, password):
        self.port = port
        self.password = password
        self.sessions = {}  # user -> (cookie, csrf)
        self.vars = {"password": password}

    def raw(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if body is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=body, headers=h)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early (413) and closed; read its answer
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def login(self, user, password=None):
        st, h, d = self.raw("POST", "/api/login",
                            json.dumps({"username": user, "password": password or self.password}))
        if st != 200:
            raise AssertionError(f"login {user}: {st} {d[:300]!r}")
        cookie = h["set-cookie"].split(";")[0]
        self.sessions[user] = (cookie, json.loads(d)["csrf_token"])
        return self.sessions[user]

    def request(self, user, method, path, body=None, csrf=True, headers=None, raw=None):
        h = dict(headers or {})
        if user:
            cookie, token = self.sessions.get(user) or self.login(user)
            h.setdefault("Cookie", cookie)
            if csrf is True:
                h.setdefault("X-CSRF-Token", token)
            elif csrf == "wrong":
                h["X-CSRF-Token"] = "0" * 64
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.raw(method, path, data, h)

    def subst(self, v):
        if isinstance(v, str):
            return re.sub(r"\$\{(\w+)\}", lambda m: str(self.vars[m.group(1)]), v)
        if isinstance(v, list):
            return [self.subst(x) for x in v]
        if isinstance(v, dict):
            return {k: self.subst(x) for k, x in v.items()}
        return v


def contains(want, got, where="$"):
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{where}: expected an object, got {got!r}"
        for k, v in want.items():
            if k not in got:
                return f"{where}.{k}: missing"
            e = contains(v, got[k], f"{where}.{k}")
            if e:
                return e
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) < len(want):
            return f"{where}: expected at least {len(want)} elements, got {got!r}"
        for i, v in enumerate(want):
            e = contains(v, got[i], f"{where}[{i}]")
            if e:
                return e
        return None
    if isinstance(want, float) or isinstance(got, float):
        return None if isinstance(got, (int, float)) and abs(want - got) < 1e-9 else \
            f"{where}: expected {want!r}, got {got!r}"
    return None if want == got else f"{where}: expected {want!r}, got {got!r}"


def dig(doc, path):
    for part in path.split("."):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def run_cases(cl, db, files):
    passed = failed = 0
    for f in files:
        cases = json.load(open(f))
        for i, case in enumerate(cases):
            name = f"{f}#{i + 1} {case.get('name', '')}"
            try:
                run_case(cl, db, case)
                passed += 1
            except AssertionError as e:
                failed += 1
                print(f"FAIL {name}: {e}")
    return passed, failed


def run_case(cl, db, case):
    case = cl.subst(case)
    if "sql" in case:
        con = sqlite3.connect(db, timeout=10)
        for s in case["sql"] if isinstance(case["sql"], list) else [case["sql"]]:
            con.execute(s)
        con.commit()
        con.close()
        if "method" not in case:
            return
    if case.get("sleep"):
        time.sleep(case["sleep"])
    raw = case.get("raw")
    if "raw_repeat" in case:
        raw = case["raw_repeat"][0] * case["raw_repeat"][1]
    st, h, d = cl.request(case.get("as"), case["method"], case["path"], case.get("body"),
                          case.get("csrf", True), case.get("headers"), raw)
    text = d.decode("utf-8", "replace")
    if "status" in case and st != case["status"]:
        raise AssertionError(f"status {st}, expected {case['status']}: {text[:400]}")
    doc = None
    if "expect" in case or "save" in case:
        try:
            doc = json.loads(d)
        except ValueError:
            raise AssertionError(f"not JSON: {text[:200]}")
    if "expect" in case:
        e = contains(case["expect"], doc)
        if e:
            raise AssertionError(f"{e}\n  body: {text[:600]}")
    for k, sub in case.get("header", {}).items():
        if sub not in h.get(k.lower(), ""):
            raise AssertionError(f"header {k}: {h.get(k.lower())!r} lacks {sub!r}")
    for s in case.get("absent", []):
        if s in text:
            raise AssertionError(f"body contains {s!r}")
    for s in case.get("has", []):
        if s not in text:
            raise AssertionError(f"body lacks {s!r}: {text[:600]}")
    if "db" in case:
        con = sqlite3.connect(db, timeout=10)
        got = con.execute(case["db"]["sql"]).fetchone()[0]
        con.close()
        if got != case["db"]["equals"]:
            raise AssertionError(f"{case['db']['sql']} -> {got!r}, expected {case['db']['equals']!r}")
    for var, path in case.get("save", {}).items():
        cl.vars[var] = dig(doc, path)


def run_matrix(cl, path):
    """Lines: METHOD PATH ROLES [BODY]; ROLES is a comma list of the roles
    allowed (admin,clinician,staff,researcher) or "public". Every role not
    listed must get 403, anonymous 401; allowed roles anything else."""
    who = {"admin": "admin", "clinician": "clin1", "staff": "staff1", "researcher": "res1"}
    passed = failed = 0
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 3)
        method, p, roles = parts[0], parts[1], parts[2].split(",")
        body = parts[3] if len(parts) > 3 else ("{}" if method == "POST" else None)
        for role, user in list(who.items()) + [("anonymous", None)]:
            st, _, d = cl.request(user, method, p, raw=body)
            if roles == ["public"]:
                ok = st not in (401, 403)
                want = "not 401/403"
            elif role == "anonymous":
                ok, want = st == 401, "401"
            elif role in roles:
                ok, want = st not in (401, 403), "not 401/403"
            else:
                ok, want = st == 403, "403"
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {method} {p} as {role}: {st}, expected {want}: {d[:200]!r}")
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--matrix")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    cl = Client(a.port, a.password)
    p, f = run_cases(cl, a.db, a.files)
    if a.matrix:
        p2, f2 = run_matrix(cl, a.matrix)
        p, f = p + p2, f + f2
    print(f"api checks: {p} passed, {f} failed")
    sys.exit(1 if f else 0)


if __name__ == "__main__":
    main()
