#!/usr/bin/python3
"""The outcomes report's report.csv and logrank.csv computed by pandas from a
registry's CSV export: the baseline of bench/report/run.sh. It follows
tests/reference/REPORT.md and the live-registry choices of docs/report.md
(courses not ended left out, goal_reached completed, courses without NRS,
baselines below 2, follow-ups before the first session, same-day NRS
averaged, clinic-added conditions only under ALL), written the way an
analyst would: vectorised pandas, reading only the columns it needs.

usage: report_pandas.py CSV_DIR OUT_DIR"""
import math
import os
import sys

import numpy as np
import pandas as pd

MODS = ["dextrose", "prp", "stem_cell"]
CONDS = ["low_back_pain", "neck_pain", "knee_oa", "tendinopathy", "ligament_sprain"]
COMPLETED = ["completed", "goal_reached"]
NOT_ENDED = ["planned", "active"]
MIN_BASELINE = 2.0
Z = 1.959963984540054
TOL = math.sqrt(2.220446e-16)
AE_KINDS = ["soreness", "stiffness", "infection"]

COLUMNS = ("modality,condition,n_courses,n_completed,n_dropped,pp_resp,pp_rate,pp_lo,"
           "pp_hi,itt_resp,itt_rate,itt_lo,itt_hi,chg_mean,chg_sd,km_n,km_events,"
           "km_median,km_lo,km_hi,n_sessions,soreness_n,stiffness_n,infection_n,"
           "soreness_per100,stiffness_per100,infection_per100,soreness_gt4_n,"
           "soreness_gt4_share").split(",")


def days(s):
    return pd.to_datetime(s, format="%Y-%m-%d").values.astype("datetime64[D]").astype(np.int64)


def load(d):
    """Only the columns the report needs. course_id keeps the type pandas
    infers (integers in a simulated export, text in a clinic's); low-
    cardinality text is read as categories."""
    cat = "category"
    courses = pd.read_csv(os.path.join(d, "courses.csv"),
                          usecols=["course_id", "modality", "condition", "status"],
                          dtype={"modality": cat, "condition": cat, "status": cat})
    sessions = pd.read_csv(os.path.join(d, "sessions.csv"),
                           usecols=["course_id", "session_no", "date"],
                           dtype={"session_no": np.int64, "date": str})
    outcomes = pd.read_csv(os.path.join(d, "outcomes.csv"),
                           usecols=["course_id", "date", "instrument", "score"],
                           dtype={"date": str, "instrument": cat, "score": np.float64})
    aes = pd.read_csv(os.path.join(d, "adverse_events.csv"),
                      usecols=["course_id", "kind", "duration_days"],
                      dtype={"kind": cat, "duration_days": np.float64})
    return courses, sessions, outcomes, aes


def per_course(courses, sessions, outcomes, aes):
    """One row per ended course: status flags, B, L, change, responder, T, E,
    sessions and adverse-event counts. Courses are numbered 0..n-1 once and
    every child row carries that number, so the groupings are on integers."""
    ids = pd.Index(courses["course_id"])
    n = len(ids)
    c = pd.DataFrame({"modality": courses["modality"].astype(str),
                      "condition": courses["condition"].astype(str),
                      "status": courses["status"].astype(str)})

    def code(df):
        return ids.get_indexer(df["course_id"])

    # NRS observations, same-day scores averaged, by course and date; the
    # key (course, day) is one integer.
    SHIFT = 1 << 22
    o = outcomes[(outcomes["instrument"] == "NRS") & outcomes["score"].notna()]
    o = pd.DataFrame({"c": code(o), "d": days(o["date"]), "score": o["score"].values})
    o = o[o["c"] >= 0]  # rows of unknown courses
    o = o.assign(key=o["c"] * SHIFT + o["d"]).groupby("key", sort=True)["score"].mean()
    o = pd.DataFrame({"c": o.index.values // SHIFT, "d": o.index.values % SHIFT,
                      "key": o.index.values, "score": o.values})
    first = ~o["c"].duplicated(keep="first")
    last = ~o["c"].duplicated(keep="last")
    B = pd.Series(o.loc[first, "score"].values, index=o.loc[first, "c"].values)
    L = pd.Series(o.loc[last, "score"].values, index=o.loc[last, "c"].values)
    c["B"] = B.reindex(range(n)).values
    c["L"] = L.reindex(range(n)).values
    c["has_nrs"] = c["B"].notna()
    # Session number of each follow-up: backward as-of join on the date,
    # the largest session_no among sessions dated on or before it. A match
    # in another course means none.
    s = pd.DataFrame({"c": code(sessions), "d": days(sessions["date"]),
                      "no": sessions["session_no"].values})
    s = s[s["c"] >= 0].sort_values(["c", "d", "no"])
    s["k"] = s.groupby("c")["no"].cummax()
    s["key"] = s["c"] * SHIFT + s["d"]
    f = o[~first]
    f = pd.merge_asof(f, s[["key", "c", "k"]].rename(columns={"c": "sc"}), on="key",
                      direction="backward")
    f["k"] = f["k"].where(f["sc"] == f["c"], 0).fillna(0).astype(np.int64)
    f["B"] = c["B"].values[f["c"].values]
    ev = f[(f["B"] >= MIN_BASELINE) & (f["k"] >= 1) & (2 * f["score"] <= f["B"])]
    t_ev = ev.groupby("c")["k"].min().reindex(range(n))
    t_max = f.groupby("c")["k"].max().reindex(range(n))
    c["E"] = t_ev.notna().values
    c["T"] = t_ev.where(c["E"].values, t_max).fillna(0).astype(np.int64).values
    c["responder"] = (c["B"] >= MIN_BASELINE) & (2 * c["L"] <= c["B"])
    c["change"] = c["L"] - c["B"]
    c["n_sessions"] = np.bincount(s["c"].values, minlength=n)
    ac = code(aes)
    known = ac >= 0
    for k in AE_KINDS:
        c[k] = np.bincount(ac[known & (aes["kind"] == k).values], minlength=n)
    sore = known & ((aes["kind"] == "soreness") & (aes["duration_days"] > 4)).values
    c["sore_gt4"] = np.bincount(ac[sore], minlength=n)
    c = c[~c["status"].isin(NOT_ENDED)].copy()
    c["completed"] = c["status"].isin(COMPLETED)
    c["pp"] = c["completed"] & c["responder"]
    return c


def wilson(x, n):
    if n == 0:
        return math.nan, math.nan, math.nan
    p = x / n
    z2 = Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lo = 0.0 if x == 0 else max(0.0, centre - half)
    hi = 1.0 if x == n else min(1.0, centre + half)
    return p, lo, hi


def minmin(times, y):
    keep = [(t, v) for t, v in zip(times, y) if not math.isnan(v) and v < 0.5 + TOL]
    if not keep:
        return math.nan
    t0, y0 = keep[0]
    if abs(y0 - 0.5) < TOL:
        for t, v in keep[1:]:
            if v < y0:
                return (t0 + t) / 2
    return t0


def km_median(tab):
    """tab: DataFrame indexed by T with columns n (courses) and e (events)."""
    tab = tab.sort_index()
    at_risk = tab["n"][::-1].cumsum()[::-1]
    times, S, lo, hi = [], [], [], []
    s, h, zero = 1.0, 0.0, False
    for t, n, d in zip(tab.index, at_risk, tab["e"]):
        if d == 0:
            continue
        s *= 1 - d / n
        if n == d:
            zero = True
        else:
            h += d / (n * (n - d))
        times.append(t)
        S.append(s)
        if zero:
            lo.append(math.nan)
            hi.append(math.nan)
        else:
            se = math.sqrt(h)
            lo.append(s * math.exp(-Z * se))
            hi.append(min(1.0, s * math.exp(Z * se)))
    return minmin(times, S), minmin(times, lo), minmin(times, hi)


def group_rows(c):
    """The 24 groups: every course under (m, c), (ALL, c), (m, ALL), (ALL, ALL);
    clinic-added conditions only under ALL."""
    base = c[["modality", "condition", "completed", "pp", "has_nrs", "change", "T", "E",
              "n_sessions", "sore_gt4"] + AE_KINDS]
    known = base[base["condition"].isin(CONDS)]
    parts = [known, known.assign(modality="ALL"), base.assign(condition="ALL"),
             base.assign(modality="ALL", condition="ALL")]
    return pd.concat(parts, ignore_index=True)


def report(c):
    allg = group_rows(c)
    keys = ["modality", "condition"]
    agg = allg.groupby(keys).agg(
        n_courses=("completed", "size"), n_completed=("completed", "sum"),
        pp_resp=("pp", "sum"), km_events=("E", "sum"), n_sessions=("n_sessions", "sum"),
        soreness_n=("soreness", "sum"), stiffness_n=("stiffness", "sum"),
        infection_n=("infection", "sum"), soreness_gt4_n=("sore_gt4", "sum"))
    chg = allg[allg["has_nrs"]].groupby(keys)["change"].agg(["mean", "std"])
    km = allg.groupby(keys + ["T"]).agg(n=("E", "size"), e=("E", "sum"))
    rows = []
    for m in MODS + ["ALL"]:
        for cd in CONDS + ["ALL"]:
            r = {"modality": m, "condition": cd}
            a = agg.loc[(m, cd)] if (m, cd) in agg.index else None
            n = int(a["n_courses"]) if a is not None else 0
            get = (lambda k: int(a[k])) if a is not None else (lambda k: 0)
            nc, pp = get("n_completed"), get("pp_resp")
            r.update(n_courses=n, n_completed=nc, n_dropped=n - nc, pp_resp=pp, itt_resp=pp)
            r["pp_rate"], r["pp_lo"], r["pp_hi"] = wilson(pp, nc)
            r["itt_rate"], r["itt_lo"], r["itt_hi"] = wilson(pp, n)
            if (m, cd) in chg.index:
                r["chg_mean"], r["chg_sd"] = chg.loc[(m, cd), "mean"], chg.loc[(m, cd), "std"]
            else:
                r["chg_mean"] = r["chg_sd"] = math.nan
            r["km_n"], r["km_events"] = n, get("km_events")
            if n:
                r["km_median"], r["km_lo"], r["km_hi"] = km_median(km.loc[(m, cd)])
            else:
                r["km_median"] = r["km_lo"] = r["km_hi"] = math.nan
            ns = get("n_sessions")
            r["n_sessions"] = ns
            for k in AE_KINDS:
                r[k + "_n"] = get(k + "_n")
                r[k + "_per100"] = 100.0 * r[k + "_n"] / ns if ns else math.nan
            r["soreness_gt4_n"] = get("soreness_gt4_n")
            sn = r["soreness_n"]
            r["soreness_gt4_share"] = r["soreness_gt4_n"] / sn if sn else math.nan
            rows.append(r)
    return rows


def logrank(c):
    out = []
    for stratum in ["ALL"] + CONDS:
        s = c if stratum == "ALL" else c[c["condition"] == stratum]
        tab = s.groupby(["T", "modality"]).agg(n=("E", "size"), e=("E", "sum"))
        tab = tab.unstack("modality", fill_value=0)
        nan = (stratum, math.nan, math.nan, math.nan)
        if tab.empty:
            out.append(nan)
            continue
        tab = tab.sort_index()
        n_g = np.column_stack([tab["n"][m].values if m in tab["n"] else np.zeros(len(tab))
                               for m in MODS]).astype(float)
        d_g = np.column_stack([tab["e"][m].values if m in tab["e"] else np.zeros(len(tab))
                               for m in MODS]).astype(float)
        risk = n_g[::-1].cumsum(axis=0)[::-1]
        d = d_g.sum(axis=1)
        use = d > 0
        risk, d_g, d = risk[use], d_g[use], d[use]
        n = risk.sum(axis=1)
        O = d_g.sum(axis=0)
        E = (d[:, None] * risk / n[:, None]).sum(axis=0)
        part = [g for g in range(len(MODS)) if E[g] > 0]
        if len(part) < 2:
            out.append(nan)
            continue
        w = np.where(n > 1, d * (n - d) / np.where(n > 1, n - 1, 1), 0.0)
        frac = risk / n[:, None]
        V = np.zeros((3, 3))
        for g in range(3):
            for h in range(3):
                V[g, h] = (w * frac[:, g] * ((g == h) - frac[:, h])).sum()
        idx = part[:-1]
        sub = V[np.ix_(idx, idx)]
        if not np.any(sub):
            out.append(nan)
            continue
        diff = (O - E)[idx]
        chisq = float(diff @ np.linalg.solve(sub, diff))
        df = len(part) - 1
        p = math.erfc(math.sqrt(chisq / 2)) if df == 1 else math.exp(-chisq / 2)
        out.append((stratum, chisq, df, p))
    return out


def fmt(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    v = float(v)
    return "NA" if math.isnan(v) else "%.10g" % v


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    c = per_course(*load(src))
    rows = report(c)
    lr = logrank(c)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.csv"), "w") as f:
        f.write(",".join(COLUMNS) + "\n")
        for r in rows:
            f.write(",".join(fmt(r[k]) for k in COLUMNS) + "\n")
    with open(os.path.join(out, "logrank.csv"), "w") as f:
        f.write("stratum,chisq,df,p\n")
        for s, chisq, df, p in lr:
            f.write("%s,%s,%s,%s\n" % (s, fmt(chisq), fmt(df if isinstance(df, int) else float(df)), fmt(p)))


if __name__ == "__main__":
    main()
