#!/usr/bin/env python3
"""Optional reference: PostGIS (Debian postgresql-15-postgis-3) on the local server.

  postgis_join.py --polygons FILE.geojson --points FILE.csv --out counts.csv
                  [--host 127.0.0.1 --port 5432 --user postgres --db bench_postgis]

Creates its own database (default bench_postgis; dropped first if it exists and dropped again at
the end), loads the polygons server-side with pg_read_file + jsonb + ST_GeomFromGeoJSON and the
points with server-side COPY (both files must be readable by the postgres OS user), builds a GiST
index, joins with ST_Contains (strict, like DuckDB and geopandas `within`), and writes `code,count`
sorted by code for every polygon. Uses only `psql` (one session), no Python driver.

The work happens in the server backend (and its parallel workers), not in this process, so
/usr/bin/time around this script cannot see it: the script prints the backend's own peak RSS
(VmHWM from /proc/<backend pid>/status, read while the session is open; parallel workers not
included) on stderr.
"""
import argparse
import os
import re
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polygons", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", default="5432")
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--db", default="bench_postgis")
    ap.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    a = ap.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.db):
        sys.exit("--db must be a plain lower-case identifier")
    t0 = time.perf_counter()
    base = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", a.host, "-p", a.port, "-U", a.user]

    def log(msg):
        print(f"[postgis {time.perf_counter() - t0:7.2f}s] {msg}", file=sys.stderr, flush=True)

    def admin(sql):
        subprocess.run(base + ["-d", "postgres", "-qAtc", sql], check=True)

    def lit(s):
        return "'" + s.replace("'", "''") + "'"

    polygons, points, out = (os.path.abspath(p) for p in (a.polygons, a.points, a.out))
    admin(f"DROP DATABASE IF EXISTS {a.db}")
    admin(f"CREATE DATABASE {a.db}")
    script = f"""
\\timing on
CREATE EXTENSION postgis;
CREATE TABLE polys AS
  SELECT coalesce(f->'properties'->>'code', f->>'id') AS code,
         ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326) AS geom
  FROM jsonb_array_elements(pg_read_file({lit(polygons)})::jsonb->'features') AS f;
CREATE INDEX polys_geom ON polys USING gist (geom);
CREATE UNLOGGED TABLE pts (id bigint, lon double precision, lat double precision);
COPY pts FROM {lit(points)} WITH (FORMAT csv, HEADER true);
ANALYZE polys;
ANALYZE pts;
CREATE TABLE hits AS
  SELECT p.code, count(*) AS n
  FROM pts JOIN polys p ON ST_Contains(p.geom, ST_SetSRID(ST_MakePoint(pts.lon, pts.lat), 4326))
  GROUP BY p.code;
\\o {out}
COPY (SELECT p.code, coalesce(h.n, 0) AS count FROM polys p LEFT JOIN hits h USING (code) ORDER BY p.code COLLATE "C")
  TO STDOUT WITH (FORMAT csv, HEADER true);
\\o
SELECT 'summary', (SELECT count(*) FROM polys), (SELECT count(*) FROM pts), (SELECT coalesce(sum(n), 0) FROM hits);
SELECT pg_backend_pid() AS pid \\gset
\\setenv BACKEND_PID :pid
\\! grep VmHWM /proc/$BACKEND_PID/status
"""
    try:
        p = subprocess.run(base + ["-d", a.db, "-qAt", "-F", ","], input=script, text=True,
                           capture_output=True)
        if p.returncode != 0:
            sys.exit(f"psql failed:\n{p.stderr}\n{p.stdout[-2000:]}")
        for line in p.stdout.splitlines():
            if line.startswith("Time:"):
                log(line)
        m = re.search(r"^summary,(\d+),(\d+),(\d+)$", p.stdout, re.M)
        hwm = re.search(r"VmHWM:\s+(\d+) kB", p.stdout)
        n_poly, n_pts, inside = (int(x) for x in m.groups())
        rss = int(hwm.group(1)) / 1024 if hwm else float("nan")
        wall = time.perf_counter() - t0
        print(f"postgis: {n_poly} polygons, {n_pts} points, {inside} assigned, {n_pts - inside} in no polygon; "
              f"wall {wall:.2f} s, backend peak RSS {rss:.0f} MB", file=sys.stderr)
    finally:
        if not a.keep:
            admin(f"DROP DATABASE IF EXISTS {a.db}")


if __name__ == "__main__":
    main()
