#!/usr/bin/env python3
"""Explain per-code count differences between wijkveilig and a strict reference (geopandas `within`).

  explain_diff.py --polygons P.geojson --points Q.csv --wijkveilig W.csv --reference R.csv [--bin BIN]

Only the polygons whose counts differ are examined: the points inside their bounding boxes are
classified with shapely (within / intersects). A point that intersects a polygon but is within
none lies exactly on a boundary. With --bin, those boundary points are written to a small CSV and
run through `wijkveilig join` to learn where wijkveilig puts them; the script then checks that
reference counts + those assignments reproduce wijkveilig's counts for every differing code.
Prints a short report; exit 0 when every difference is explained by boundary points.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import geopandas as gpd
import numpy as np
import pandas as pd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polygons", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--wijkveilig", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--bin")
    a = ap.parse_args()
    w = pd.read_csv(a.wijkveilig, dtype={"code": str}).set_index("code")["count"]
    r = pd.read_csv(a.reference, dtype={"code": str}).set_index("code")["count"]
    diff = (w - r.reindex(w.index, fill_value=0))
    diff = diff[diff != 0]
    if diff.empty:
        print("no differences")
        return
    print(f"{len(diff)} codes differ; wijkveilig - reference: total {int(diff.sum())}, "
          f"{ {k: int(v) for k, v in diff.head(20).items()} }")
    polys = gpd.read_file(a.polygons, engine="pyogrio")[["code", "geometry"]]
    polys["code"] = polys["code"].astype(str)
    sel = polys[polys.code.isin(diff.index)]
    pts = pd.read_csv(a.points)
    mask = np.zeros(len(pts), dtype=bool)
    for x0, y0, x1, y1 in sel.geometry.bounds.itertuples(index=False):
        mask |= (pts.lon.values >= x0) & (pts.lon.values <= x1) & (pts.lat.values >= y0) & (pts.lat.values <= y1)
    cand = pts[mask]
    g = gpd.GeoDataFrame(cand, geometry=gpd.points_from_xy(cand.lon, cand.lat), crs=polys.crs)
    within = gpd.sjoin(g, polys, predicate="within")
    inter = gpd.sjoin(g, polys, predicate="intersects")
    edge_idx = sorted(set(inter.index) - set(within.index))
    touch = inter.loc[edge_idx].groupby(level=0)["code"].apply(lambda s: ",".join(sorted(s)))
    edges = cand.loc[edge_idx].assign(touching=touch)
    print(f"{len(cand)} points in the bboxes of the differing polygons; {len(edges)} lie exactly on a boundary:")
    print(edges.to_string(index=False))
    if not a.bin or edges.empty:
        sys.exit(0 if int(diff.sum()) == len(edges) else 1)
    with tempfile.TemporaryDirectory() as td:
        q, o = os.path.join(td, "edge.csv"), os.path.join(td, "out.csv")
        with open(q, "w") as f:
            f.write("id,lon,lat\n")
            f.writelines(f"{i},{x!r},{y!r}\n" for i, x, y in zip(edges.id, edges.lon.tolist(), edges.lat.tolist()))
        subprocess.run([a.bin, "join", "--polygons", a.polygons, "--points", q, "--out", o], check=True,
                       stderr=subprocess.DEVNULL)
        e = pd.read_csv(o, dtype={"code": str}).set_index("code")["count"]
    e = e[e != 0]
    explained = e.reindex(diff.index, fill_value=0)
    ok = (explained == diff).all() and int(e.sum()) == int(diff.sum())
    print(f"wijkveilig on the boundary points alone: { {k: int(v) for k, v in e.items()} }")
    print("EXPLAINED: every difference is a boundary point" if ok else "NOT EXPLAINED by boundary points")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
