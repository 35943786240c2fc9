#!/usr/bin/env python3
"""Reference: point-in-polygon counts with DuckDB spatial (SPATIAL_JOIN operator), whole process.

  duckdb_join.py --polygons FILE.geojson --points FILE.csv --out counts.csv [--threads 2]

Reads the polygons (DuckDB's JSON reader + ST_GeomFromGeoJSON, or --loader st_read for GDAL's
ST_Read; key = property `code`, else the feature id), the points CSV (`id,lon,lat`),
joins with ST_Contains(polygon, ST_Point(lon, lat)) (interior only: a point exactly on a boundary
is in no polygon, like geopandas `within`), groups by code and writes `code,count` sorted by code
for every polygon (zero counts included). Points in no polygon are reported on stderr.
The spatial extension is LOADed by path from the `duckdb-extension-spatial` wheel with
autoinstall/autoload switched off, so nothing is fetched from the network.
"""
import argparse
import glob
import importlib.util
import resource
import sys
import time

import duckdb


def spatial_extension_path():
    spec = importlib.util.find_spec("duckdb_extension_spatial")
    if spec is None:
        sys.exit("duckdb-extension-spatial is not installed (see bench/requirements.txt)")
    base = list(spec.submodule_search_locations)[0]
    paths = glob.glob(f"{base}/extensions/v{duckdb.__version__}/spatial.duckdb_extension")
    if not paths:
        sys.exit(f"no spatial extension for duckdb {duckdb.__version__} under {base}")
    return paths[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polygons", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--loader", choices=["json", "st_read"], default="json",
                    help="polygon loader: DuckDB JSON reader (default) or ST_Read (GDAL)")
    a = ap.parse_args()
    t0 = time.perf_counter()

    def log(msg):
        print(f"[duckdb {time.perf_counter() - t0:7.2f}s] {msg}", file=sys.stderr, flush=True)

    con = duckdb.connect(config={
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
    })
    con.execute(f"LOAD '{spatial_extension_path()}'")
    con.execute(f"SET threads={int(a.threads)}")
    if a.loader == "st_read":
        con.execute("CREATE TABLE polys AS SELECT code, geom FROM ST_Read(?)", [a.polygons])
    else:  # DuckDB's JSON reader + ST_GeomFromGeoJSON: about 2x faster than GDAL here
        con.execute("""
            CREATE TABLE polys AS
            SELECT coalesce(json_extract_string(f, '$.properties.code'), json_extract_string(f, '$.id')) AS code,
                   ST_GeomFromGeoJSON(json_extract(f, '$.geometry')) AS geom
            FROM (SELECT unnest(features) AS f
                  FROM read_json(?, columns={'features': 'JSON[]'}, maximum_object_size=2000000000))""",
                    [a.polygons])
    n_poly = con.execute("SELECT count(*) FROM polys").fetchone()[0]
    log(f"read {n_poly} polygons")
    con.execute("CREATE TABLE pts AS SELECT * FROM read_csv(?, header=true, "
                "columns={'id': 'BIGINT', 'lon': 'DOUBLE', 'lat': 'DOUBLE'})", [a.points])
    n_pts = con.execute("SELECT count(*) FROM pts").fetchone()[0]
    log(f"read {n_pts} points")
    con.execute("""
        CREATE TABLE hits AS
        SELECT p.code AS code, count(*) AS n
        FROM polys p JOIN pts ON ST_Contains(p.geom, ST_Point(pts.lon, pts.lat))
        GROUP BY p.code""")
    log("spatial join done")
    con.execute("""
        COPY (SELECT p.code AS code, coalesce(h.n, 0) AS count
              FROM polys p LEFT JOIN hits h USING (code) ORDER BY code)
        TO ? (FORMAT csv, HEADER true)""".replace("?", "'" + a.out.replace("'", "''") + "'"))
    inside = con.execute("SELECT coalesce(sum(n), 0) FROM hits").fetchone()[0]
    log(f"wrote {a.out}")
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"duckdb: {n_pts} points, {inside} assigned, {n_pts - inside} in no polygon; "
          f"wall {wall:.2f} s, peak RSS {rss:.0f} MB (threads={a.threads})", file=sys.stderr)


if __name__ == "__main__":
    main()
