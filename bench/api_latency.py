#!/usr/bin/env python3
"""Helper for bench/api_latency.sh (python3 standard library only).

  api_latency.py national BUURTEN.geojson WIJKEN.geojson OUTDIR [--screen [LABEL=]BINARY ...]
      Writes the national input set into OUTDIR and prints what it did (JSON):
        nl-areas-2014.geojson  buurten + wijken as ONE FeatureCollection, minus
                               (1) features whose geometry is null (older binaries refuse them
                                   even with --repair), and
                               (2) features that a --screen binary refuses with --repair: each
                                   binary dry-runs the zero-area features (rings the quantisation
                                   collapsed onto a line) one refusal at a time, then the whole
                                   file, and every feature it names is dropped. So the filter is
                                   minimal and the same file goes to every binary;
        offences.csv           StatLine-shaped 47018NED totals (0.0.0) per buurt, 2022JJ00 and
                               2023JJ00, synthetic and deterministic;
        incidents.csv          20,000 synthetic incidents in 2023, each inside a buurt polygon;
        cameras.csv            40 synthetic cameras around ten city centres (30 active, 10 planned).
      Counts follow a smooth "urban intensity" (Gaussian bumps on ten city centres) plus noise,
      so the hotspot statistics find real clusters. Everything comes from SEED: the same bytes
      every run, as long as the same features are dropped (the printed JSON lists them).

  api_latency.py table RESULTS.jsonl OUT.md [--dataset NAME]
      Renders the Markdown tables (all datasets into OUT.md; with --dataset, prints only that
      dataset's section to standard output as well).
"""
import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

SEED = 20240917
N_INCIDENTS = 20_000
YEARS = (2022, 2023)
# (name, lon, lat, weight): centres of the synthetic intensity surface.
CITIES = [
    ("Amsterdam", 4.8952, 52.3702, 6.0),
    ("Rotterdam", 4.4777, 51.9244, 5.0),
    ("Den Haag", 4.3007, 52.0705, 4.5),
    ("Utrecht", 5.1214, 52.0907, 4.0),
    ("Eindhoven", 5.4697, 51.4416, 3.0),
    ("Groningen", 6.5665, 53.2194, 2.5),
    ("Almelo", 6.6625, 52.3570, 2.0),
    ("Enschede", 6.8937, 52.2215, 2.0),
    ("Maastricht", 5.6909, 50.8514, 2.0),
    ("Arnhem", 5.8987, 51.9851, 2.0),
]
SIGMA_KM = 9.0
INCIDENT_TYPES = ["1.1.1", "1.2.1", "1.2.2", "1.2.3", "1.4.5", "2.2.1", "2.5.2", "3.7.4"]


# ---------------------------------------------------------------- geometry (lon/lat, planar)

def polygons_of(geometry):
    """List of polygons (each a list of rings) of a Polygon/MultiPolygon geometry."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def inside_ring(x, y, ring):
    """Even-odd ray casting; tolerant of the self-intersecting rings in the coarse data."""
    hit = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


def inside(x, y, polys):
    for rings in polys:
        if rings and inside_ring(x, y, rings[0]) and not any(inside_ring(x, y, h) for h in rings[1:]):
            return True
    return False


def bbox(polys):
    xs = [p[0] for rings in polys for p in rings[0]]
    ys = [p[1] for rings in polys for p in rings[0]]
    return min(xs), min(ys), max(xs), max(ys)


def km(lon1, lat1, lon2, lat2):
    kx = 111.32 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon1 - lon2) * kx, (lat1 - lat2) * 110.57)


def intensity(lon, lat):
    s = 1.0
    for _, clon, clat, w in CITIES:
        d = km(lon, lat, clon, clat)
        s += w * math.exp(-d * d / (2 * SIGMA_KM * SIGMA_KM))
    return s


# ---------------------------------------------------------------- national input set

def ring_area(ring):
    return abs(sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2)


def code_of(feat):
    return feat["properties"].get("code") or feat.get("id")


def write_fc(path, features):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "name": "nl_areas_2014_coarse_filtered",
                   "features": features}, f, separators=(",", ":"))


REFUSED = re.compile(r"feature \d+ \(((?:BU|WK|GM)\d+)\): (.*?)\. fix")


def refusals(binary, features, scratch, limit):
    """Dry-runs `import areas --repair` with BINARY, dropping each feature it refuses, until the
    rest imports. Returns {code: reason}; raises if the error names no feature or after LIMIT."""
    env = {**os.environ, "DATABASE_URL": f"sqlite://{scratch}/screen.sqlite"}
    refused = {}
    path = f"{scratch}/screen.geojson"
    while True:
        write_fc(path, [f for f in features if code_of(f) not in refused])
        r = subprocess.run([binary, "import", "areas", path, "--repair", "--dry-run"],
                           env=env, capture_output=True, text=True)
        if r.returncode == 0:
            return refused
        m = REFUSED.search(r.stderr)
        if not m or len(refused) >= limit:
            raise SystemExit(f"{binary} refuses the national areas: {r.stderr.strip()[:600]}")
        refused[m.group(1)] = m.group(2)


def national(args):
    rng = random.Random(SEED)
    features, inputs = [], {}
    for path in (args.buurten, args.wijken):
        with open(path, encoding="utf-8") as f:
            fc = json.load(f)
        nulls = 0
        for feat in fc["features"]:
            if feat.get("geometry") is None:
                nulls += 1
            else:
                features.append(feat)
        inputs[path.rsplit("/", 1)[-1]] = {"features": len(fc["features"]), "null_geometry": nulls}

    # Screen: zero-area features first (cheap: a few hundred tiny dry runs), then the whole file.
    zero_area = [f for f in features
                 if all(ring_area(p[0]) < 1e-12 for p in polygons_of(f["geometry"]))]
    refused = {}  # code -> {"reason": ..., "by": [labels]}
    with tempfile.TemporaryDirectory() as scratch:
        for spec in args.screen or []:
            label, binary = spec.split("=", 1) if "=" in spec else (spec, spec)
            found = refusals(binary, zero_area, scratch, len(zero_area))
            rest = [f for f in features if code_of(f) not in found]
            found.update(refusals(binary, rest, scratch, 50))
            for code, reason in found.items():
                refused.setdefault(code, {"reason": reason, "by": []})["by"].append(label)
    features = [f for f in features if code_of(f) not in refused]
    write_fc(f"{args.out}/nl-areas-2014.geojson", features)

    buurten = []  # (code, polys, bbox, weight)
    for feat in features:
        code = feat["properties"]["code"]
        if not code.startswith("BU"):
            continue
        polys = polygons_of(feat["geometry"])
        b = bbox(polys)
        buurten.append((code, polys, b, intensity((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)))

    # Offences: yearly totals per buurt, intensity times noise, 2023 a few percent off 2022.
    with open(f"{args.out}/offences.csv", "w", encoding="utf-8", newline="") as f:
        f.write('"WijkenEnBuurten","SoortMisdrijf","Perioden","GeregistreerdeMisdrijven_1"\n')
        for code, _, _, w in buurten:
            base = w * rng.uniform(4, 30)
            for year in YEARS:
                count = max(0, round(base * rng.uniform(0.85, 1.15)))
                f.write(f'"{code}","0.0.0 ","{year}JJ00",{count}\n')

    # Incidents: a buurt drawn by intensity, then a uniform point inside its polygon.
    weights = [b[3] for b in buurten]
    placed, outside = 0, 0
    with open(f"{args.out}/incidents.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,time,crime_type,lon,lat\n")
        while placed < N_INCIDENTS:
            code, polys, (x0, y0, x1, y1), _ = rng.choices(buurten, weights)[0]
            for _ in range(50):
                x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
                if inside(x, y, polys):
                    break
            else:
                outside += 1  # a sliver polygon: try another buurt
                continue
            placed += 1
            day = rng.randrange(365)
            month, dom = month_day(2023, day)
            t = f"2023-{month:02d}-{dom:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}"
            f.write(f"i-{placed:06d},{t},{rng.choice(INCIDENT_TYPES)},{x:.6f},{y:.6f}\n")

    # Cameras: four per city centre, within ~1 km of it; the fourth of each is planned.
    with open(f"{args.out}/cameras.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,name,lon,lat,radius_m,status,installed\n")
        n = 0
        for name, clon, clat, _ in CITIES:
            for k in range(4):
                n += 1
                lon = clon + rng.uniform(-0.012, 0.012)
                lat = clat + rng.uniform(-0.008, 0.008)
                status = "planned" if k == 3 else "active"
                installed = "" if status == "planned" else f"20{rng.randrange(15, 23)}-0{rng.randrange(1, 10)}-01"
                f.write(f"cam-{n:03d},{name} {k + 1},{lon:.6f},{lat:.6f},{rng.choice([60, 80, 100, 150])},{status},{installed}\n")

    reasons = {}
    for v in refused.values():
        key = f"{v['reason']} (refused by {', '.join(v['by'])})"
        reasons[key] = reasons.get(key, 0) + 1
    print(json.dumps({
        "inputs": inputs,
        "dropped_null_geometry": sum(v["null_geometry"] for v in inputs.values()),
        "zero_area_features": len(zero_area),
        "dropped_refused": {"buurten": sum(c.startswith("BU") for c in refused),
                            "wijken": sum(c.startswith("WK") for c in refused), "reasons": reasons},
        "dropped_refused_codes": sorted(refused),
        "kept_features": len(features),
        "buurten": len(buurten),
        "offence_rows": len(buurten) * len(YEARS),
        "incidents": placed,
        "incident_retries_sliver": outside,
        "cameras": n,
        "seed": SEED,
    }))


def month_day(year, day_of_year):
    lengths = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for m, n in enumerate(lengths, 1):
        if day_of_year < n:
            return m, day_of_year + 1
        day_of_year -= n
    raise ValueError(day_of_year)


# ---------------------------------------------------------------- Markdown tables

def fmt_us(us):
    if us is None:
        return "–"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e3:
        return f"{us / 1e3:.2f} ms"
    return f"{us:.0f} µs"


def fmt_errors(r):
    w = r.get("wrk")
    if not w:
        return "wrk failed"
    parts = []
    if w["status"]:
        parts.append(f"non-2xx {w['status']}")
    for k in ("connect", "read", "write", "timeout"):
        if w[k]:
            parts.append(f"{k} {w[k]}")
    return ", ".join(parts) or "0"


def section(name, rows):
    out = [f"### Dataset `{name}`", ""]
    for r in rows:
        if r["kind"] == "inputs":
            out.append(f"- inputs: {inputs_summary(r['data'])}")
        elif r["kind"] == "setup":
            out.append(f"- `{r['label']}`: {r['text']}")
    probes = [r for r in rows if r["kind"] == "probe"]
    if probes:
        out += ["", "Warm-up requests (curl, one at a time, before the cells; the first one also builds the "
                "area index; 000 = no answer within the probe timeout):", "",
                "| endpoint | binary | HTTP status | 1st request | 2nd request | response bytes |",
                "|---|---|---|---|---|---|"]
        for p in probes:
            cells = []
            for k in range(2):
                if k >= len(p["statuses"]):
                    cells.append("–")
                elif p["statuses"][k] == "000":
                    cells.append(f"> {p['timeout_s']} s")
                else:
                    cells.append(fmt_us(p["times_s"][k] * 1e6))
            out.append(f"| `{p['endpoint']}` | {p['label']} | {' '.join(p['statuses'])} | {cells[0]} | {cells[1]} | "
                       f"{p['bytes']:,} |")
    out += ["", "wrk --latency --timeout 60s, fixed duration per cell, all servers idle at its start; "
            "load = 1-minute load average just before the cell.", "",
            "| endpoint | connections | binary | req/s | p50 | p99 | errors | requests | duration | load |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in (r for r in rows if r["kind"] == "wrk"):
        w = r.get("wrk")
        load = r["loadavg"].split()[0]
        head = f"| `{r['endpoint']}` | {r['connections']} | {r['label']} |"
        if w:
            secs = w["duration_us"] / 1e6
            rps = w["requests"] / secs if secs else 0
            p50 = fmt_us(w["p50_us"]) if w["requests"] else "–"
            p99 = fmt_us(w["p99_us"]) if w["requests"] else "–"
            out.append(f"{head} {rps:.2f} | {p50} | {p99} | {fmt_errors(r)} | {w['requests']} | {secs:.0f} s | {load} |")
        else:
            why = f"not run: {r['skipped']}" if r.get("skipped") else "wrk failed"
            out.append(f"{head} – | – | – | {why} | – | – | {load} |")
    return "\n".join(out) + "\n"


def inputs_summary(d):
    r = d["dropped_refused"]
    total = sum(v["features"] for v in d["inputs"].values())
    why = "; ".join(f"{n}× {reason}" for reason, n in r["reasons"].items()) or "none"
    return (f"{total:,} features in; dropped {d['dropped_null_geometry']:,} with null geometry and "
            f"{r['buurten'] + r['wijken']} ({r['buurten']} buurten, {r['wijken']} wijken) that a binary "
            f"refuses even with --repair ({why}); imported as one area file: {d['kept_features']:,} "
            f"features ({d['buurten']:,} buurten). Synthetic, seed {d['seed']}: {d['offence_rows']:,} "
            f"offence rows (0.0.0, 2022JJ00 and 2023JJ00), {d['incidents']:,} incidents (2023, inside "
            f"buurten), {d['cameras']} cameras.")


def table(args):
    rows = [json.loads(line) for line in open(args.results, encoding="utf-8") if line.strip()]
    header = [r for r in rows if r["kind"] == "run"]
    datasets = []
    for r in rows:
        if r["kind"] != "run" and r["dataset"] not in datasets:
            datasets.append(r["dataset"])
    text = ["# API latency (bench/api_latency.sh)", ""]
    for h in header:
        text.append(h["text"])
    text.append("")
    for d in datasets:
        text.append(section(d, [r for r in rows if r.get("dataset") == d]))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(text))
    if args.dataset:
        sys.stdout.write(section(args.dataset, [r for r in rows if r.get("dataset") == args.dataset]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("national")
    n.add_argument("buurten")
    n.add_argument("wijken")
    n.add_argument("out")
    n.add_argument("--screen", action="append", metavar="[LABEL=]BINARY",
                   help="drop the features this binary refuses with --repair (repeatable)")
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("out")
    t.add_argument("--dataset")
    args = ap.parse_args()
    {"national": national, "table": table}[args.cmd](args)


if __name__ == "__main__":
    main()
