#!/usr/bin/env python3
"""Deterministic benchmark inputs for `wijkveilig join`.

Writes (into --out, default bench/out/):
  polygons.geojson  ~14,000 Voronoi-like cells over the Netherlands' bounding box with wiggly
                    shared edges (an exact coverage: no gaps, no overlaps), property `code`.
  points.csv        10,000,000 points, header `id,lon,lat`, 90 % Gaussian hotspots, 10 % uniform,
                    in random (not spatial) order.

Everything is derived from fixed seeds, so the same numpy/scipy versions (bench/requirements.txt)
give the same bytes on every run. The sha256 of both files is printed and written to
<out>/inputs.sha256.

How the tessellation stays gap- and overlap-free: cells are Voronoi cells of a jittered hexagonal
seed grid (computed in a locally isotropic plane x = lon*cos(52.15 deg), y = lat). Every Voronoi
edge is densified and perturbed exactly once, with parameters that are a pure function of the
edge's endpoints in canonical (lexicographic) order, then rounded to 6 decimals; both neighbouring
cells reuse that one vertex list (one of them reversed). Only cells whose seed lies inside REGION
and outside the HOLES are written, so the covered area is smaller than the point extent and a few
percent of the points fall outside every polygon.
"""
import argparse
import hashlib
import math
import os
import sys
import time

import numpy as np
from scipy.spatial import Voronoi

BBOX = (3.3, 50.7, 7.3, 53.6)  # lon_min, lat_min, lon_max, lat_max: the point extent
REGION = (3.4, 50.78, 7.2, 53.5)  # seeds inside this (and outside HOLES) become polygons
HOLES = [  # (lon, lat, radius in planar degrees): uncovered "lakes"
    (5.35, 52.75, 0.16),
    (4.30, 51.65, 0.08),
    (6.45, 53.10, 0.06),
    (6.10, 51.30, 0.05),
]
KX = math.cos(math.radians(52.15))  # planar x = lon * KX
TARGET_CELLS = 14_000
SEG_PER_EDGE = 30
DECIMALS = 6
POLY_SEED = 20240607
POINT_SEED = 20240608
N_HOTSPOTS = 300


def splitmix64(x):
    """Vectorised splitmix64 finaliser on uint64 arrays (wrap-around arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)).astype(np.uint64)
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)).astype(np.uint64)
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)).astype(np.uint64)
        return x ^ (x >> np.uint64(31))


def edge_hash(a, b):
    """uint64 hash of canonical edges a->b (arrays (m,2) of planar coords)."""
    q = np.rint(np.concatenate([a, b], axis=1) * 1e7).astype(np.int64).view(np.uint64)
    h = np.full(len(a), 0x12345678, dtype=np.uint64)
    for j in range(4):
        h = splitmix64(h ^ q[:, j])
    return h


def hash_uniform(h, salt):
    """Deterministic uniform [0,1) from hash + salt."""
    return (splitmix64(h ^ np.uint64(salt)) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def build_cells(log):
    rng = np.random.default_rng(POLY_SEED)
    lon0, lat0, lon1, lat1 = REGION
    # hexagonal spacing s so that ~TARGET_CELLS seeds fall in the region minus holes
    region_area = (lon1 - lon0) * KX * (lat1 - lat0) - sum(math.pi * r * r for _, _, r in HOLES)
    s = math.sqrt(region_area / TARGET_CELLS / (math.sqrt(3) / 2))
    pad = 4 * s
    bx0, by0, bx1, by1 = BBOX[0] * KX - pad, BBOX[1] - pad, BBOX[2] * KX + pad, BBOX[3] + pad
    ys = np.arange(by0, by1, s * math.sqrt(3) / 2)
    xs = np.arange(bx0, bx1, s)
    gx, gy = np.meshgrid(xs, ys)
    gx = gx + (np.arange(len(ys))[:, None] % 2) * (s / 2)
    seeds = np.column_stack([gx.ravel(), gy.ravel()])
    seeds += rng.uniform(-0.35 * s, 0.35 * s, size=seeds.shape)
    vor = Voronoi(seeds)
    V = vor.vertices

    sx, sy = seeds[:, 0] / KX, seeds[:, 1]
    keep = (sx > lon0) & (sx < lon1) & (sy > lat0) & (sy < lat1)
    for hx, hy, r in HOLES:
        keep &= (seeds[:, 0] - hx * KX) ** 2 + (seeds[:, 1] - hy) ** 2 > r * r
    cells = []
    for i in np.flatnonzero(keep):
        reg = vor.regions[vor.point_region[i]]
        assert reg and min(reg) >= 0, "selected cell is unbounded; increase pad"
        reg = np.array(reg)
        p = V[reg]
        area2 = np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
        if area2 < 0:
            reg = reg[::-1]
        cells.append(reg)
    log(f"seed spacing {s:.5f} planar deg, {len(seeds)} seeds, {len(cells)} cells kept")

    # unique edges, canonical orientation = lexicographically smaller endpoint first
    pairs = np.concatenate([np.column_stack([c, np.roll(c, -1)]) for c in cells])
    pa, pb = V[pairs[:, 0]], V[pairs[:, 1]]
    swap = (pa[:, 0] > pb[:, 0]) | ((pa[:, 0] == pb[:, 0]) & (pa[:, 1] > pb[:, 1]))
    canon = np.where(swap[:, None], pairs[:, ::-1], pairs)
    edges, edge_of_pair = np.unique(canon, axis=0, return_inverse=True)
    edge_of_pair = edge_of_pair.ravel()
    log(f"{len(edges)} unique edges")
    return V, cells, pairs, swap, edges, edge_of_pair


def densify_edges(V, edges, scale):
    """Perturbed, rounded vertex lists (lon/lat) for each canonical edge; scale in [0,1] per edge."""
    a, b = V[edges[:, 0]], V[edges[:, 1]]
    d = b - a
    L = np.hypot(d[:, 0], d[:, 1])
    nrm = np.column_stack([-d[:, 1], d[:, 0]]) / np.maximum(L, 1e-300)[:, None]
    h = edge_hash(a, b)
    # number of segments: ~30, fewer for edges too short to hold 30 distinct 6-decimal vertices
    n = np.clip(np.floor(L / 3e-5), 1, SEG_PER_EDGE).astype(np.int64)
    amps = [0.030 / (k * k) * (2 * hash_uniform(h, 1000 + k) - 1) for k in range(1, 6)]
    out = []
    for e in range(len(edges)):
        t = np.linspace(0.0, 1.0, n[e] + 1)
        off = np.zeros_like(t)
        for k in range(5):
            off += amps[k][e] * np.sin((k + 1) * math.pi * t)
        off *= L[e] * scale[e]
        off[0] = off[-1] = 0.0
        pts = a[e] + t[:, None] * d[e] + off[:, None] * nrm[e]
        ll = np.column_stack([pts[:, 0] / KX, pts[:, 1]])
        out.append(np.round(ll, DECIMALS))
    return out


def assemble(cells, pairs, swap, edge_of_pair, edge_pts):
    rings = []
    k = 0
    for c in cells:
        parts = []
        for _ in range(len(c)):
            e = edge_pts[edge_of_pair[k]]
            parts.append((e[::-1] if swap[k] else e)[:-1])
            k += 1
        ring = np.concatenate(parts)
        # drop consecutive duplicates that rounding may create on very short edges
        keep = np.any(ring != np.roll(ring, 1, axis=0), axis=1)
        ring = ring[keep]
        rings.append(np.vstack([ring, ring[:1]]))
    return rings


def make_polygons(out_path, check, log):
    import shapely

    V, cells, pairs, swap, edges, edge_of_pair = build_cells(log)
    scale = np.ones(len(edges))
    for it in range(8):
        edge_pts = densify_edges(V, edges, scale)
        rings = assemble(cells, pairs, swap, edge_of_pair, edge_pts)
        polys = shapely.polygons([shapely.linearrings(r) for r in rings])
        bad = np.flatnonzero(~shapely.is_valid(polys))
        log(f"iteration {it}: {len(bad)} invalid polygons")
        if len(bad) == 0:
            break
        # halve the wiggle amplitude of every edge of an invalid polygon (deterministic)
        starts = np.concatenate([[0], np.cumsum([len(c) for c in cells])])
        for i in bad:
            scale[edge_of_pair[starts[i]:starts[i + 1]]] *= 0.5 if it < 6 else 0.0
    else:
        sys.exit("could not make all polygons valid")
    assert all(shapely.is_ccw(shapely.get_exterior_ring(polys))), "exterior rings must be CCW"
    nv = np.array([len(r) for r in rings])
    log(f"{len(rings)} polygons, vertices/polygon mean {nv.mean():.1f} min {nv.min()} max {nv.max()}")
    if check:
        t0 = time.time()
        ok = shapely.coverage_is_valid(polys)
        log(f"coverage_is_valid (no overlaps, matching shared edges): {ok} [{time.time() - t0:.1f}s]")
        if not ok:
            sys.exit("tessellation is not a valid coverage")

    fmt = f"[{{:.{DECIMALS}f}},{{:.{DECIMALS}f}}]"
    with open(out_path, "w", encoding="ascii", newline="\n") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i, r in enumerate(rings):
            code = f"P{i + 1:05d}"
            coords = ",".join(fmt.format(x, y) for x, y in r.tolist())
            sep = ",\n" if i + 1 < len(rings) else "\n"
            f.write('{"type":"Feature","properties":{"code":"%s"},'
                    '"geometry":{"type":"Polygon","coordinates":[[%s]]}}%s' % (code, coords, sep))
        f.write("]}\n")
    return len(rings)


def _digits(buf, col, values, width):
    """Write `values` (int64) as zero-padded decimal digits into buf[:, col:col+width]."""
    v = values.copy()
    for j in range(width - 1, -1, -1):
        buf[:, col + j] = 48 + (v % 10)
        v //= 10


def format_rows(ids, lon_u, lat_u):
    """Rows 'id,D.dddddd,DD.dddddd\\n' for ids of one digit width; coords in micro-degrees."""
    w = len(str(int(ids[0])))
    n = len(ids)
    rowlen = w + 1 + 8 + 1 + 9 + 1
    buf = np.empty((n, rowlen), dtype=np.uint8)
    _digits(buf, 0, ids, w)
    c = w
    buf[:, c] = ord(",")
    _digits(buf, c + 1, lon_u // 1_000_000, 1)
    buf[:, c + 2] = ord(".")
    _digits(buf, c + 3, lon_u % 1_000_000, 6)
    c += 9
    buf[:, c] = ord(",")
    _digits(buf, c + 1, lat_u // 1_000_000, 2)
    buf[:, c + 3] = ord(".")
    _digits(buf, c + 4, lat_u % 1_000_000, 6)
    buf[:, c + 10] = ord("\n")
    return buf.tobytes()


def make_points(out_path, n_points, log):
    rng = np.random.default_rng(POINT_SEED)
    lon0, lat0, lon1, lat1 = BBOX
    # hotspot centres inside the polygon REGION (those near its edge or a hole spill outside)
    hc = np.column_stack([rng.uniform(REGION[0], REGION[2], N_HOTSPOTS),
                          rng.uniform(REGION[1], REGION[3], N_HOTSPOTS)])
    sigma = np.exp(rng.uniform(math.log(0.003), math.log(0.06), N_HOTSPOTS))  # planar degrees
    w = rng.lognormal(0.0, 1.0, N_HOTSPOTS)
    w /= w.sum()
    n_uni = n_points // 10
    label = np.concatenate([rng.choice(N_HOTSPOTS, size=n_points - n_uni, p=w),
                            np.full(n_uni, -1, dtype=np.int64)])
    label = rng.permutation(label)  # file order is random, not spatial
    z = rng.standard_normal((n_points, 2))
    u = rng.random((n_points, 2))
    hot = label >= 0
    lab = np.where(hot, label, 0)
    lon = np.where(hot, hc[lab, 0] + z[:, 0] * sigma[lab] / KX, lon0 + u[:, 0] * (lon1 - lon0))
    lat = np.where(hot, hc[lab, 1] + z[:, 1] * sigma[lab], lat0 + u[:, 1] * (lat1 - lat0))
    del z, u, label, lab
    lon_u = np.rint(lon * 1e6).astype(np.int64)
    lat_u = np.rint(lat * 1e6).astype(np.int64)
    del lon, lat
    assert lon_u.min() >= 0 and lon_u.max() < 10_000_000, "lon must be a single-digit degree"
    assert lat_u.min() >= 10_000_000 and lat_u.max() < 100_000_000, "lat must be two digits"
    ids = np.arange(1, n_points + 1, dtype=np.int64)
    with open(out_path, "wb") as f:
        f.write(b"id,lon,lat\n")
        chunk = 1_000_000
        for a in range(0, n_points, chunk):
            b = min(a + chunk, n_points)
            # split the chunk where the id digit width changes
            # (id = index + 1, so the first id with k+1 digits sits at index 10**k - 1)
            cuts = sorted({a, b} | {10 ** k - 1 for k in range(1, 12) if a < 10 ** k - 1 < b})
            for s, e in zip(cuts[:-1], cuts[1:]):
                f.write(format_rows(ids[s:e], lon_u[s:e], lat_u[s:e]))
    inb = ((lon_u >= lon0 * 1e6) & (lon_u <= lon1 * 1e6) & (lat_u >= lat0 * 1e6) & (lat_u <= lat1 * 1e6))
    log(f"{n_points} points, {n_uni} uniform, {np.count_nonzero(~inb)} outside the bbox (hotspot tails)")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(1 << 22), b""):
            h.update(blk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--points", type=int, default=10_000_000, help="number of points (default 10M)")
    ap.add_argument("--check", action="store_true", help="also verify the coverage with shapely (slow)")
    ap.add_argument("--only", choices=["polygons", "points"], help="generate only one of the files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    def log(msg):
        print(f"[generate {time.time() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    files = []
    if args.only in (None, "polygons"):
        p = os.path.join(args.out, "polygons.geojson")
        make_polygons(p + ".tmp", args.check, log)
        os.replace(p + ".tmp", p)
        files.append(p)
    if args.only in (None, "points"):
        name = "points.csv" if args.points == 10_000_000 else f"points-{args.points}.csv"
        p = os.path.join(args.out, name)
        make_points(p + ".tmp", args.points, log)
        os.replace(p + ".tmp", p)
        files.append(p)
    lines = []
    for p in files:
        line = f"{sha256(p)}  {os.path.basename(p)}  ({os.path.getsize(p)} bytes)"
        print(line)
        lines.append(line)
    manifest = os.path.join(args.out, "inputs.sha256")
    names = {ln.split()[1] for ln in lines}
    old = open(manifest).read().splitlines() if os.path.exists(manifest) else []
    keep = [ln for ln in old if ln.split() and ln.split()[1] not in names]
    with open(manifest, "w") as f:
        f.write("\n".join(sorted(keep + lines, key=lambda ln: ln.split()[1])) + "\n")
    log("done")


if __name__ == "__main__":
    main()
