#!/usr/bin/python3
"""The outcomes at time points, computed independently of prolo.

Reads a registry's CSV export (`prolo export csv DIR`: courses.csv and
outcomes.csv), the protocol library (the courses' follow-up plans) and, for
the invitation funnel, the outbox tables of the registry file itself (the
export does not carry them), and writes report_timepoints.csv and
report_funnel.csv as docs/report.md "Outcomes at time points" defines them.
Nothing here is taken from prolo's code: only from the definitions.

usage: timepoints.py EXPORT_DIR REPORT_DATE PROTOCOLS_FILE REGISTRY_DB OUT_DIR
       (PROTOCOLS_FILE or REGISTRY_DB may be '-' for none)
"""
import datetime
import math
import os
import re
import sqlite3
import sys
from fractions import Fraction

import pandas as pd

MODS = ["dextrose", "prp", "stem_cell"]
CONDS = ["low_back_pain", "neck_pain", "knee_oa", "tendinopathy", "ligament_sprain"]
MONTHS = [3, 6, 12]
ENDINGS = ["all", "completed", "dropped"]
CHANNELS = ["email", "sms", "none"]
COMPLETED = {"completed", "goal_reached"}
DROPPED = {"dropped", "stopped_adverse_event", "stopped_no_improvement"}
DEFAULT_OFFSETS, DEFAULT_WINDOW = [91, 182, 365], 14
Z = 1.959963984540054


def day(s):
    return datetime.date.fromisoformat(s).toordinal()


def read_protocols(path):
    """{name: (sorted offsets in days, window)} from the protocol file."""
    lib, name = {}, None
    if path == "-":
        return lib
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.fullmatch(r"\[(.+)\]", line)
            if m:
                name = m.group(1).strip()
                lib[name] = [set(), DEFAULT_WINDOW]
                continue
            if name is None or "=" not in line:
                continue
            key, val = (x.strip() for x in line.split("=", 1))
            if key == "followup":
                for t in val.split(" at ", 1)[1].split():
                    n, unit = int(t[:-1]), t[-1]
                    lib[name][0].add(n * 7 if unit == "w" else n)
            elif key == "followup_window_days":
                lib[name][1] = int(val)
    return {k: (sorted(v[0]), v[1]) for k, v in lib.items()}


def plan(protocol, lib):
    """The course's follow-up points after the start and their window."""
    if isinstance(protocol, str) and protocol in lib:
        offsets, window = lib[protocol]
        after = [o for o in offsets if o > 0]
        if after:
            return after, window
    return DEFAULT_OFFSETS, DEFAULT_WINDOW


def point_for(months, offsets):
    """The offset standing for `months` months, or None."""
    def in_months(o):  # o * 12 / 365.25 rounded, halves up
        return math.floor(Fraction(o * 12) / Fraction(36525, 100) + Fraction(1, 2))
    cands = [o for o in offsets if in_months(o) == months]
    if not cands:
        return None
    nominal = Fraction(months) * Fraction(36525, 100) / 12
    return min(cands, key=lambda o: (abs(Fraction(o) - nominal), o))


def wilson(x, n):
    if n == 0:
        return float("nan"), float("nan")
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    lo = 0.0 if x == 0 else min(1.0, max(0.0, centre - half))
    hi = 1.0 if x == n else min(1.0, max(0.0, centre + half))
    return lo, hi


def fmt(v):
    if isinstance(v, float):
        return "NA" if math.isnan(v) else format(v, ".10g")
    return str(v)


def main():
    exp, report_day, proto_path, db, out = sys.argv[1:6]
    D = day(report_day)
    lib = read_protocols(proto_path)
    courses = pd.read_csv(os.path.join(exp, "courses.csv"), dtype=str, keep_default_na=False)
    outc = pd.read_csv(os.path.join(exp, "outcomes.csv"), dtype={"course_id": str, "date": str,
                                                                  "instrument": str},
                       keep_default_na=False)
    nrs = outc[(outc["instrument"] == "NRS") & (outc["score"] != "")].copy()
    nrs["score"] = nrs["score"].astype(float)
    nrs["day"] = nrs["date"].map(day)
    # one observation per course and date: the mean of its scores
    obs = nrs.groupby(["course_id", "day"])["score"].mean().reset_index()
    by_course = {cid: g.sort_values("day") for cid, g in obs.groupby("course_id")}

    steps = None
    if db != "-":
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        msgs = pd.read_sql_query("SELECT m.id, c.course_id, m.point_day, m.step, m.channel"
                                 " FROM outreach_messages m JOIN courses c ON c.pk = m.course_pk", con)
        att = pd.read_sql_query("SELECT message_id, result FROM outreach_attempts", con)
        con.close()
        tried = set(att["message_id"])
        # delivered: accepted by the server and not bounced or failed by a
        # receipt since (a bounce turns the attempt's 'accepted' to 'bounced')
        accepted = set(att.loc[att["result"] == "accepted", "message_id"])
        accepted -= set(att.loc[att["result"] == "bounced", "message_id"])
        msgs["sent"] = msgs["id"].isin(tried)
        msgs["delivered"] = msgs["id"].isin(accepted)
        steps = {k: g for k, g in msgs.groupby(["course_id", "point_day"])}

    groups = [(m, c) for m in MODS + ["ALL"] for c in CONDS + ["ALL"]]
    keys = ["due", "not_yet_due", "no_point", "answered", "responders"]
    cells = {(g, mo, e): dict.fromkeys(keys, 0) for g in groups for mo in MONTHS for e in ENDINGS}
    funnel = {(mo, ch): dict.fromkeys(["due", "sent", "delivered", "answered"], 0)
              for mo in MONTHS for ch in CHANNELS}

    for _, c in courses.iterrows():
        if c["status"] in COMPLETED:
            ending = "completed"
        elif c["status"] in DROPPED:
            ending = "dropped"
        else:
            continue  # planned or active
        mine = [(c["modality"], "ALL"), ("ALL", "ALL")]
        if c["condition"] in CONDS:
            mine += [(c["modality"], c["condition"]), ("ALL", c["condition"])]
        o = by_course.get(c["course_id"])
        base = None
        if o is not None and len(o):
            base = (int(o.iloc[0]["day"]), float(o.iloc[0]["score"]))
        offsets, w = plan(c["protocol"], lib)
        start = day(c["start_date"])
        for mo in MONTHS:
            off = point_for(mo, offsets)
            if off is None:
                what = "no_point"
            elif start + off + w >= D:
                what = "not_yet_due"
            else:
                what = "due"
            answered = responder = False
            if what == "due":
                target = start + off
                inside = [] if o is None else [
                    (int(r.day), float(r.score)) for r in o.itertuples()
                    if target - w <= r.day <= target + w]
                if inside:
                    answered = True
                    d, s = min(inside, key=lambda x: (abs(x[0] - target), -x[0]))
                    responder = base is not None and base[1] >= 2 and d > base[0] and 2 * s <= base[1]
                ch, sent, delivered = "none", False, False
                if steps is not None and (c["course_id"], off) in steps:
                    g = steps[(c["course_id"], off)]
                    inv = g[g["step"] == 0]
                    if len(inv):
                        ch = inv.iloc[0]["channel"]
                    sent, delivered = bool(g["sent"].any()), bool(g["delivered"].any())
                f = funnel[(mo, ch)]
                f["due"] += 1
                f["sent"] += sent
                f["delivered"] += delivered
                f["answered"] += answered
            for g in mine:
                for e in ("all", ending):
                    x = cells[(g, mo, e)]
                    x[what] += 1
                    x["answered"] += answered
                    x["responders"] += responder

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report_timepoints.csv"), "w") as f:
        f.write("modality,condition,months,ending,due,not_yet_due,no_point,answered,"
                "completeness,responders,rate,ci_low,ci_high\n")
        for g in groups:
            for mo in MONTHS:
                for e in ENDINGS:
                    x = cells[(g, mo, e)]
                    n = x["due"]
                    comp = x["answered"] / n if n else float("nan")
                    rate = x["responders"] / n if n else float("nan")
                    lo, hi = wilson(x["responders"], n)
                    row = [g[0], g[1], mo, e, n, x["not_yet_due"], x["no_point"], x["answered"], comp,
                           x["responders"], rate, lo, hi]
                    f.write(",".join(fmt(v) for v in row) + "\n")
    with open(os.path.join(out, "report_funnel.csv"), "w") as f:
        f.write("months,channel,due,sent,delivered,answered\n")
        for mo in MONTHS:
            for ch in CHANNELS:
                x = funnel[(mo, ch)]
                f.write(",".join(fmt(v) for v in [mo, ch, x["due"], x["sent"], x["delivered"],
                                                  x["answered"]]) + "\n")


if __name__ == "__main__":
    main()
