#!/usr/bin/env python3
"""Run one command under GNU time (`/usr/bin/time -v`) and record wall time and peak RSS.

  timed.py --label NAME --record results.jsonl [--points N] -- CMD ARGS...

Prints the command, its stderr passes through, then one line with wall seconds, peak RSS (MB,
= "Maximum resident set size" of the process, children included as GNU time reports it) and
points/s; appends the same as a JSON line to --record. Exit code is the command's.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--points", type=int, default=0)
    ap.add_argument("--note", default="")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not os.path.exists("/usr/bin/time"):
        sys.exit("GNU time missing: apt-get install -y time")
    fd, tpath = tempfile.mkstemp(prefix="timed-", suffix=".txt")
    os.close(fd)
    print(f"$ {shlex.join(cmd)}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    rc = subprocess.call(["/usr/bin/time", "-v", "-o", tpath] + cmd)
    outer = time.perf_counter() - t0
    txt = open(tpath).read()
    os.unlink(tpath)
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", txt)
    parts = [float(x) for x in m.group(1).split(":")] if m else [outer]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1))
    user = float(re.search(r"User time \(seconds\): (\S+)", txt).group(1))
    sys_t = float(re.search(r"System time \(seconds\): (\S+)", txt).group(1))
    rec = {"label": a.label, "cmd": shlex.join(cmd), "rc": rc, "wall_s": round(wall, 2),
           "user_s": user, "sys_s": sys_t, "peak_rss_mb": round(rss_kb / 1024, 1),
           "points": a.points, "points_per_s": round(a.points / wall) if a.points and wall else None,
           "note": a.note}
    print(f"[{a.label}] rc={rc} wall {wall:.2f} s (user {user:.1f} s, sys {sys_t:.1f} s), "
          f"peak RSS {rss_kb / 1024:.0f} MB"
          + (f", {a.points / wall:,.0f} points/s" if a.points and wall else ""), file=sys.stderr, flush=True)
    with open(a.record, "a") as f:
        f.write(json.dumps(rec) + "\n")
    sys.exit(rc)


if __name__ == "__main__":
    main()
