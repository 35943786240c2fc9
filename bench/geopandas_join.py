#!/usr/bin/env python3
"""Reference: point-in-polygon counts with geopandas `sjoin(points, polygons, predicate="within")`.

  geopandas_join.py --polygons FILE.geojson --points FILE.csv --out counts.csv [--per-point FILE]

Whole process: read the polygons (pyogrio; key = property `code`, else the feature id), read the
points CSV (`id,lon,lat`) with pandas, sjoin (shapely STRtree, single thread), count per code and
write `code,count` sorted by code for every polygon (zero counts included). `within` is strict: a
point exactly on a polygon boundary is within no polygon. Points in no polygon go to stderr.
--per-point writes `id,code` for every point (code empty when none) for per-point comparisons.
"""
import argparse
import resource
import sys
import time

import geopandas as gpd
import pandas as pd


def read_polygons(path):
    polys = gpd.read_file(path, engine="pyogrio", fid_as_index=False)
    if "code" not in polys.columns:
        ids = gpd.read_file(path, engine="pyogrio", columns=[], read_geometry=False, fid_as_index=True)
        polys["code"] = ids.index.astype(str)
    return polys[["code", "geometry"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polygons", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-point")
    a = ap.parse_args()
    t0 = time.perf_counter()

    def log(msg):
        print(f"[geopandas {time.perf_counter() - t0:7.2f}s] {msg}", file=sys.stderr, flush=True)

    polys = read_polygons(a.polygons)
    log(f"read {len(polys)} polygons")
    df = pd.read_csv(a.points, dtype={"id": "int64", "lon": "float64", "lat": "float64"})
    pts = gpd.GeoDataFrame({"id": df["id"].to_numpy()},
                           geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=polys.crs)
    del df
    log(f"read {len(pts)} points")
    joined = gpd.sjoin(pts, polys, how="inner", predicate="within")
    log(f"sjoin done: {len(joined)} (point, polygon) pairs")
    counts = joined["code"].value_counts()
    out = pd.DataFrame({"code": sorted(polys["code"].astype(str))})
    out["count"] = out["code"].map(counts).fillna(0).astype("int64")
    out.to_csv(a.out, index=False)
    n_multi = int(joined.index.duplicated().sum())
    n_assigned = len(pts) - int((~pts.index.isin(joined.index)).sum())
    if a.per_point:
        first = joined[~joined.index.duplicated()]
        pp = pd.DataFrame({"id": pts["id"], "code": first["code"].reindex(pts.index)})
        pp.to_csv(a.per_point, index=False)
    log(f"wrote {a.out}")
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"geopandas: {len(pts)} points, {n_assigned} assigned, {len(pts) - n_assigned} in no polygon, "
          f"{n_multi} extra matches in >1 polygon; wall {wall:.2f} s, peak RSS {rss:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
