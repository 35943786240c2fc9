#!/usr/bin/env python3
"""Agreement check: `wijkveilig join` against geopandas `sjoin(predicate="within")` on real polygons.

  agreement.py --bin target/release/wijkveilig [--polygons ../shared/data/twente-buurten-2021.geojson]
               [--out bench/out/agreement] [--points 1000000]

1. Writes 1,000,000 deterministic points over the bounding box of the polygons (40 % uniform over
   the bbox, so the corners fall outside Twente; 60 % in Gaussian clusters around random buurt
   centroids) to random.csv, 6 decimals.
2. Writes a few hundred points placed *exactly* on the polygon boundaries to edge.csv, in four
   classes: vertices shared by >= 2 polygons, points on shared segments (kept only when shapely's
   exact predicate says they lie on the segment), vertices and segment points on the outer boundary
   (one polygon only). Coordinates are written with repr() so they parse to the very doubles of the
   GeoJSON vertices.
3. geopandas: per-point `within` (strict interior) and `intersects` (closed polygon). A point that
   intersects a polygon but is within none lies on a boundary ("edge point", distance 0).
4. wijkveilig: one run on each file (per-code counts); then one run per edge point (one-point files,
   only while there are at most --max-single edge points) to learn exactly which polygon, if any,
   it assigns each boundary point to.
5. Verdict: wijkveilig's per-code counts must equal geopandas `within` counts plus the per-point
   wijkveilig assignments of the edge points; every edge point must go to a polygon it touches (or
   to none); no interior point may move. Writes summary.json and prints a report.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED = 20240609


def read_counts(path):
    df = pd.read_csv(path, dtype={"code": str, "count": "int64"})
    return df


def run_join(binary, polygons, points, out):
    t0 = time.perf_counter()
    p = subprocess.run([binary, "join", "--polygons", polygons, "--points", points, "--out", out],
                       capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"wijkveilig join failed (rc={p.returncode}) on {points}:\n{p.stderr[-3000:]}")
    return p.stderr, dt


def make_random_points(polys, n, rng):
    x0, y0, x1, y1 = polys.total_bounds
    n_uni = int(n * 0.4)
    n_hot = n - n_uni
    k = 60
    cent = shapely.point_on_surface(polys.geometry.values[rng.choice(len(polys), k, replace=False)])
    cx, cy = shapely.get_x(cent), shapely.get_y(cent)
    sig = np.exp(rng.uniform(np.log(0.002), np.log(0.03), k))
    lab = rng.choice(k, n_hot, p=rng.dirichlet(np.ones(k)))
    z = rng.standard_normal((n_hot, 2))
    lon = np.concatenate([rng.uniform(x0, x1, n_uni), cx[lab] + z[:, 0] * sig[lab] / 0.61])
    lat = np.concatenate([rng.uniform(y0, y1, n_uni), cy[lab] + z[:, 1] * sig[lab]])
    order = rng.permutation(n)
    lon, lat = np.round(lon[order], 6), np.round(lat[order], 6)
    return pd.DataFrame({"id": np.arange(1, n + 1), "lon": lon, "lat": lat})


def boundary_segments(polys):
    """Map each undirected boundary segment and each vertex to the set of polygon indices using it."""
    seg_owner, vert_owner = {}, {}
    for i, g in enumerate(polys.geometry.values):
        for part in getattr(g, "geoms", [g]):
            for ring in [part.exterior, *part.interiors]:
                c = list(ring.coords)
                for a, b in zip(c[:-1], c[1:]):
                    if a == b:
                        continue
                    key = (a, b) if a < b else (b, a)
                    seg_owner.setdefault(key, set()).add(i)
                    vert_owner.setdefault(a, set()).add(i)
    return seg_owner, vert_owner


def make_edge_points(polys, rng, n_shared_v=150, n_shared_e=150, n_outer_v=50, n_outer_e=50):
    seg_owner, vert_owner = boundary_segments(polys)
    shared_v = sorted(v for v, s in vert_owner.items() if len(s) >= 2)
    outer_v = sorted(v for v, s in vert_owner.items() if len(s) == 1)
    shared_s = sorted(k for k, s in seg_owner.items() if len(s) >= 2)
    outer_s = sorted(k for k, s in seg_owner.items() if len(s) == 1)
    rows = []

    def take_vertices(cands, n, cls):
        for j in rng.choice(len(cands), min(n, len(cands)), replace=False):
            rows.append((cls, cands[j][0], cands[j][1]))

    def take_on_segments(cands, n, cls):
        # points at t = k/16 along segments; keep only those exactly on the segment (exact predicate)
        got = 0
        for j in rng.permutation(len(cands)):
            (ax, ay), (bx, by) = cands[j]
            for t in (0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875):
                x, y = ax + t * (bx - ax), ay + t * (by - ay)
                if (x, y) in ((ax, ay), (bx, by)):
                    continue
                if shapely.intersects(shapely.LineString([(ax, ay), (bx, by)]), shapely.Point(x, y)):
                    rows.append((cls, x, y))
                    got += 1
                    break
            if got >= n:
                break

    take_vertices(shared_v, n_shared_v, "shared_vertex")
    take_on_segments(shared_s, n_shared_e, "shared_edge")
    take_vertices(outer_v, n_outer_v, "outer_vertex")
    take_on_segments(outer_s, n_outer_e, "outer_edge")
    df = pd.DataFrame(rows, columns=["cls", "lon", "lat"])
    df.insert(0, "id", np.arange(1, len(df) + 1))
    info = {"shared_vertices": len(shared_v), "outer_vertices": len(outer_v),
            "shared_segments": len(shared_s), "outer_segments": len(outer_s)}
    return df, info


def write_points(df, path, exact):
    with open(path, "w") as f:
        f.write("id,lon,lat\n")
        if exact:  # repr(): shortest string that parses back to the same double
            f.writelines(f"{i},{x!r},{y!r}\n" for i, x, y in zip(df.id, df.lon.tolist(), df.lat.tolist()))
        else:
            f.writelines(f"{i},{x:.6f},{y:.6f}\n" for i, x, y in zip(df.id, df.lon.tolist(), df.lat.tolist()))


def classify(polys, df):
    """Per point: `within` code (or None), number of `within` matches, set of `intersects` codes."""
    pts = gpd.GeoDataFrame({"id": df.id.values}, geometry=gpd.points_from_xy(df.lon, df.lat), crs=polys.crs)
    w = gpd.sjoin(pts, polys, how="inner", predicate="within")
    n_within = w.index.value_counts().reindex(pts.index, fill_value=0)
    within = w[~w.index.duplicated()]["code"].reindex(pts.index)
    it = gpd.sjoin(pts, polys, how="inner", predicate="intersects")
    touch = it.groupby(level=0)["code"].apply(lambda s: tuple(sorted(s))).reindex(pts.index)
    return pd.DataFrame({"id": df.id.values, "within": within.values, "n_within": n_within.values,
                         "touch": touch.values}, index=df.index)


def outside_from_stderr(text):
    """Best-effort: the number of outside points wijkveilig reports on stderr, e.g.
    'joined N points to M polygons: X inside a polygon, Y outside every polygon'."""
    m = re.search(r"(\d[\d,_]*)\s+(?:points?\s+)?(?:outside|in no polygon|unassigned|unmatched)", text, re.I)
    return int(re.sub(r"[,_]", "", m.group(1))) if m else None


def single_point_assignments(binary, polygons, df, workdir):
    """Run wijkveilig once per point; return code (or None) per row."""
    res = []
    p_in, p_out = os.path.join(workdir, "one.csv"), os.path.join(workdir, "one-out.csv")
    for i, x, y in zip(df.id, df.lon.tolist(), df.lat.tolist()):
        with open(p_in, "w") as f:
            f.write(f"id,lon,lat\n{i},{x!r},{y!r}\n")
        run_join(binary, polygons, p_in, p_out)
        c = read_counts(p_out)
        hit = c[c["count"] > 0]
        assert hit["count"].sum() <= 1, f"one point counted {hit['count'].sum()} times: {hit}"
        res.append(hit["code"].iloc[0] if len(hit) else None)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/wijkveilig"))
    ap.add_argument("--polygons", default=os.path.join(REPO, "../shared/data/twente-buurten-2021.geojson"))
    ap.add_argument("--out", default=os.path.join(HERE, "out/agreement"))
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--max-single", type=int, default=2000,
                    help="run wijkveilig once per edge point only while there are at most this many")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    polygons = os.path.abspath(a.polygons)
    t0 = time.perf_counter()

    def log(msg):
        print(f"[agreement {time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    polys = gpd.read_file(polygons, engine="pyogrio")[["code", "geometry"]]
    log(f"{len(polys)} polygons from {polygons}; valid: {bool(shapely.is_valid(polys.geometry.values).all())}, "
        f"coverage_is_valid: {bool(shapely.coverage_is_valid(polys.geometry.values))}")
    rng = np.random.default_rng(SEED)
    rnd = make_random_points(polys, a.points, rng)
    edge, edge_info = make_edge_points(polys, rng)
    f_rnd, f_edge = os.path.join(a.out, "random.csv"), os.path.join(a.out, "edge.csv")
    write_points(rnd, f_rnd, exact=False)
    write_points(edge, f_edge, exact=True)
    edge[["id", "cls", "lon", "lat"]].to_csv(os.path.join(a.out, "edge-classes.csv"), index=False)
    log(f"wrote {len(rnd)} random points and {len(edge)} edge points "
        f"({dict(Counter(edge.cls))}); boundary inventory {edge_info}")
    # read the points back as the tools see them (pandas 3 parses these exactly like float())
    rnd = pd.read_csv(f_rnd)
    edge_read = pd.read_csv(f_edge)
    assert (edge_read.lon.values == edge.lon.values).all() and (edge_read.lat.values == edge.lat.values).all()

    summary = {"polygons": polygons, "n_polygons": len(polys), "binary": a.bin}
    all_codes = sorted(polys.code)
    for name, df, path in (("random", rnd, f_rnd), ("edge", edge, f_edge)):
        cl = classify(polys, df)
        gp = cl.within.value_counts().reindex(all_codes, fill_value=0)
        is_edge = cl.within.isna() & cl.touch.notna()
        n_multi = int((cl.n_within > 1).sum())
        log(f"{name}: geopandas within assigns {int(cl.within.notna().sum())}, edge points (distance 0, "
            f"within none) {int(is_edge.sum())}, outside (intersects none) {int(cl.touch.isna().sum())}, "
            f"within >1 polygon {n_multi}")
        out_csv = os.path.join(a.out, f"wijkveilig-{name}.csv")
        stderr, dt = run_join(a.bin, polygons, path, out_csv)
        wv = read_counts(out_csv)
        log(f"{name}: wijkveilig join {dt:.2f} s; stderr tail: {stderr.strip().splitlines()[-3:] if stderr.strip() else '(empty)'}")
        problems = []
        if list(wv.code) != all_codes:
            problems.append("code list/order differs from the sorted polygon codes")
        wvc = wv.set_index("code")["count"].reindex(all_codes, fill_value=0)
        # per-point wijkveilig assignment of the edge points
        edge_rows = df[is_edge.values]
        if len(edge_rows) <= a.max_single:
            assign = single_point_assignments(a.bin, polygons, edge_rows, a.out)
        else:
            assign = None
            problems.append(f"{len(edge_rows)} edge points > --max-single; no per-point check")
        rec = {"points": len(df), "geopandas_within_assigned": int(cl.within.notna().sum()),
               "edge_points": int(is_edge.sum()), "outside_points": int(cl.touch.isna().sum()),
               "within_multi": n_multi, "wijkveilig_assigned": int(wvc.sum()),
               "wijkveilig_reported_outside": outside_from_stderr(stderr), "wijkveilig_s": round(dt, 3)}
        if assign is not None:
            touch = cl.touch[is_edge.values].tolist()
            bad = [(int(i), c, t) for i, c, t in zip(edge_rows.id, assign, touch) if c is not None and c not in t]
            if bad:
                problems.append(f"{len(bad)} edge points assigned to a polygon they do not touch: {bad[:5]}")
            extra = Counter(c for c in assign if c is not None)
            expected = gp + pd.Series(extra).reindex(all_codes, fill_value=0)
            diff = (wvc - expected)
            ndiff = int((diff != 0).sum())
            rec["edge_assigned_by_wijkveilig"] = sum(extra.values())
            rec["edge_unassigned_by_wijkveilig"] = sum(1 for c in assign if c is None)
            rec["codes_differing_after_edge_correction"] = ndiff
            rec["abs_count_difference_after_edge_correction"] = int(diff.abs().sum())
            rec["non_edge_points_agree"] = ndiff == 0
            if ndiff:
                problems.append(f"{ndiff} codes differ after accounting for edge points, "
                                f"e.g. {diff[diff != 0].head(10).to_dict()}")
            if name == "edge":
                e = edge.assign(assigned=[None] * len(edge))
                e.loc[is_edge.values, "assigned"] = assign
                e["is_edge"] = is_edge.values
                e["n_touch"] = cl.touch.apply(lambda t: len(t) if isinstance(t, tuple) else 0).values
                by = {}
                for cls, g in e.groupby("cls"):
                    by[cls] = {"placed": len(g), "on_boundary_per_shapely": int(g.is_edge.sum()),
                               "wijkveilig_in_one_polygon": int(g.assigned.notna().sum()),
                               "wijkveilig_in_none": int((g.is_edge & g.assigned.isna()).sum()),
                               "geopandas_within_any": int((~g.is_edge).sum()),
                               "touching_polygons_mean": round(float(g.n_touch.mean()), 2)}
                rec["by_class"] = by
                e.to_csv(os.path.join(a.out, "edge-assignments.csv"), index=False)
        rec["problems"] = problems
        summary[name] = rec
        log(f"{name}: " + json.dumps(rec))
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    ok = not summary["random"]["problems"] and not summary["edge"]["problems"]
    print(("AGREEMENT OK" if ok else "AGREEMENT PROBLEMS") + f" (details in {a.out}/summary.json)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
