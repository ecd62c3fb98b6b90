#!/usr/bin/python3
"""Compares two CSV files cell by cell as tests/reference/README.md
"Comparing" says: same shape, text cells exactly, numbers to a relative
1e-9 (two values both below 1e-290 in magnitude are equal), NA only equals
NA. Usage: csvcmp.py GOT EXPECTED. Exit 0 when equal, 1 with the
differences listed, 2 on usage or file errors."""
import csv
import math
import sys


def num(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def same(g, w):
    if g == "NA" or w == "NA":
        return g == w
    gv, wv = num(g), num(w)
    if gv is None or wv is None:
        return g == w
    if gv == wv or (abs(gv) < 1e-290 and abs(wv) < 1e-290):
        return True
    return abs(gv - wv) <= 1e-9 * max(abs(gv), abs(wv))


def main():
    if len(sys.argv) != 3:
        print("usage: csvcmp.py GOT EXPECTED", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], newline="") as f:
            got = list(csv.reader(f))
        with open(sys.argv[2], newline="") as f:
            want = list(csv.reader(f))
    except OSError as e:
        print(f"csvcmp: {e}", file=sys.stderr)
        return 2
    if len(got) != len(want) or any(len(a) != len(b) for a, b in zip(got, want)):
        print(f"{sys.argv[1]}: shape {len(got)} rows, expected {len(want)}")
        return 1
    bad = 0
    for i, (gr, wr) in enumerate(zip(got, want)):
        for j, (g, w) in enumerate(zip(gr, wr)):
            if not same(g, w):
                bad += 1
                if bad <= 20:
                    print(f"{sys.argv[1]} row {i} ({','.join(wr[:2])}) column {want[0][j]}: got {g}, expected {w}")
    if bad:
        print(f"{bad} cells differ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
