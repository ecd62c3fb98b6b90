#!/usr/bin/env python3
"""Checks that every row of the reference CSV files reappears in an export:
same rows in the same order, reference columns only, numbers compared as
numbers. Usage: csv_same_rows.py REFERENCE_DIR EXPORT_DIR"""
import csv
import sys

FILES = ["patients.csv", "courses.csv", "sessions.csv", "outcomes.csv", "adverse_events.csv"]


def same(a, b):
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def main(ref, out):
    bad = 0
    for name in FILES:
        with open(f"{ref}/{name}", newline="", encoding="utf-8") as f:
            want = list(csv.DictReader(f))
        with open(f"{out}/{name}", newline="", encoding="utf-8") as f:
            got = list(csv.DictReader(f))
        if len(want) != len(got):
            print(f"{name}: {len(got)} rows, expected {len(want)}")
            bad += 1
            continue
        for i, (w, g) in enumerate(zip(want, got), start=2):
            for col, v in w.items():
                if not same(v, g.get(col)):
                    print(f"{name}:{i}: {col}: {g.get(col)!r}, expected {v!r}")
                    bad += 1
                    break
            if bad > 20:
                break
    print("same rows" if not bad else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
