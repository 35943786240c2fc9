#!/usr/bin/env python3
"""Compare `code,count` CSVs from several tools.

  compare.py A.csv B.csv [C.csv ...]   (first file is the baseline)

Checks the same set of codes, the same order (sorted by code) and identical counts; lists up to
20 differing codes per pair and prints a one-line verdict per pair. Exit 0 when all agree.
"""
import csv
import sys


def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        rows = [(c, int(n)) for c, n in r]
    return header, rows


def main():
    paths = sys.argv[1:]
    if len(paths) < 2:
        sys.exit(__doc__)
    base_h, base = load(paths[0])
    ok = True
    for p in paths[1:]:
        h, rows = load(p)
        problems = []
        if h != ["code", "count"] or base_h != ["code", "count"]:
            problems.append(f"header {h} vs {base_h}")
        codes = [c for c, _ in rows]
        if codes != sorted(codes):
            problems.append("not sorted by code")
        a, b = dict(base), dict(rows)
        if set(a) != set(b):
            problems.append(f"code sets differ: {len(set(a) - set(b))} only in {paths[0]}, "
                            f"{len(set(b) - set(a))} only in {p}")
        diff = [(c, a.get(c), b.get(c)) for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)]
        tot_a, tot_b = sum(a.values()), sum(b.values())
        if diff:
            problems.append(f"{len(diff)} codes with different counts (totals {tot_a} vs {tot_b}, "
                            f"abs diff sum {sum(abs((x or 0) - (y or 0)) for _, x, y in diff)})")
            for c, x, y in diff[:20]:
                print(f"  {c}: {x} vs {y}")
        if problems:
            ok = False
            print(f"DIFFER {paths[0]} vs {p}: " + "; ".join(problems))
        else:
            print(f"AGREE  {paths[0]} vs {p}: {len(rows)} codes, {tot_b} points assigned, identical counts")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
