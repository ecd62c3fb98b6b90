"""Requests from chosen loopback addresses (127.x.y.z), for the throttling
tests: the server sees the peer address, so binding the client socket to
127.0.0.2 etc. makes each a different client. Standard library only."""
import http.client
import json
import sqlite3

PASSWORD = "correct horse battery"


class Peer:
    def __init__(self, port, addr="127.0.0.1"):
        self.port = port
        self.addr = addr
        self.cookie = None
        self.csrf = None

    def req(self, method, path, body=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                       source_address=(self.addr, 0))
        h = {}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body)
        if self.cookie:
            h["Cookie"] = self.cookie
            if method == "POST":
                h["X-CSRF-Token"] = self.csrf
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return r.status, hdrs, doc

    def login(self, user, password=PASSWORD):
        st, h, doc = self.req("POST", "/api/login", {"username": user, "password": password})
        if st == 200:
            self.cookie = h["set-cookie"].split(";")[0]
            self.csrf = doc["csrf_token"]
        return st, h, doc


class Checks:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}: got {got!r}, expected {want!r}")

    def true(self, what, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what} {detail}")

    def done(self, name):
        print(f"{name}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def sql(db, statement, args=()):
    con = sqlite3.connect(db, timeout=10)
    rows = con.execute(statement, args).fetchall()
    con.commit()
    con.close()
    return rows
