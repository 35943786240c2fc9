"""Reference Getis-Ord Gi* values from PySAL for the Almelo 2023 buurt crime counts.

Why: wijkveilig computes Gi* and queen contiguity in Rust. This script produces the numbers the
Rust test (`analysis::hotspot::gistar`, test `matches_pysal_on_almelo_2023`) compares against,
so that our statistic is the one analysts know from PySAL, to 1e-6.

Pinned versions (requirements), installed in a venv *outside* the repository:

    esda==2.9.0
    libpysal==4.14.1
    geopandas==1.2.0
    shapely==2.2.0
    pandas==3.1.1
    numpy==2.4.6
    scipy==1.17.1

Exact commands, from the repository root (/work/main), with the shared data beside it:

    python3 -m venv /work/venv-pysal
    /work/venv-pysal/bin/pip install esda==2.9.0 libpysal==4.14.1 geopandas==1.2.0 \
        shapely==2.2.0 pandas==3.1.1 numpy==2.4.6 scipy==1.17.1
    /work/venv-pysal/bin/python scripts/pysal_fixture.py \
        ../shared/data tests/fixtures/pysal/almelo_2023_gistar.csv

Output columns: `code` (CBS buurt code, in the order of the GeoJSON features), `y` (registered
crimes 2023), `g` (Gi* statistic), `z` (z-score), `p_norm` (esda's `p_norm`, which is the
*one-sided* normal tail `norm.sf(|z|)`; the two-sided p-value is twice it), `neighbors`
(queen neighbours, buurt codes separated by `;`, without the buurt itself), so that a
contiguity mismatch shows up as a diff of one column.

PySAL settings: `libpysal.weights.Queen.from_dataframe(df, ids="code")` (polygons are
neighbours when they share at least one exactly equal vertex), and
`esda.G_Local(y, w, transform="B", star=True, permutations=0)`.
"""

import csv
import sys
from pathlib import Path

import esda
import geopandas
import libpysal
import numpy as np
import pandas as pd


def main(data_dir: Path, out: Path) -> None:
    buurten = geopandas.read_file(data_dir / "almelo-buurten.geojson")
    crimes = pd.read_csv(data_dir / "almelo-misdrijven-47018NED-2023.csv", dtype=str)
    crimes["WijkenEnBuurten"] = crimes["WijkenEnBuurten"].str.strip()
    counts = dict(
        zip(crimes["WijkenEnBuurten"], crimes["GeregistreerdeMisdrijven_1"].astype(float))
    )
    missing = [c for c in buurten["code"] if c not in counts]
    if missing:
        sys.exit(f"no 2023 count for buurten {missing}")
    y = np.array([counts[c] for c in buurten["code"]], dtype=float)

    w = libpysal.weights.Queen.from_dataframe(buurten, ids="code", use_index=False)
    g = esda.G_Local(y, w, transform="B", star=True, permutations=0)

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "y", "g", "z", "p_norm", "neighbors"])
        for i, code in enumerate(buurten["code"]):
            neighbors = ";".join(sorted(w.neighbors[code]))
            writer.writerow(
                [code, f"{y[i]:.0f}", repr(float(g.Gs[i])), repr(float(g.Zs[i])),
                 repr(float(g.p_norm[i])), neighbors]
            )
    print(f"wrote {len(y)} rows to {out}; islands: {w.islands}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: pysal_fixture.py DATA_DIR OUT_CSV")
    main(Path(sys.argv[1]), Path(sys.argv[2]))
