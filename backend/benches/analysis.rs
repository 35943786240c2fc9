//! Timings of the analysis hot paths against their targets (issue #4), on real national
//! polygons where we have them:
//!
//! - queen contiguity + Gi* for the 11,691 CBS buurten of 2014: < 200 ms;
//! - KDE of 1,000,000 points on a 100 m grid over 20 × 20 km: < 1 s;
//! - greedy placement of 10 cameras from 10,000 candidates over 1,000,000 points: < 2 s.
//!
//! Run with `cargo bench -p wijkveilig --bench analysis` (release profile). Plain `Instant`
//! timing, best of a few runs, so that it needs no benchmark framework.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::Read;
use std::time::{Duration, Instant};

use geo::{Coord, Geometry};
use wijkveilig::analysis::coverage::{Camera, greedy_placement};
use wijkveilig::analysis::hotspot::gistar::{GiStarOptions, gi_star};
use wijkveilig::analysis::kde::{GridSpec, KdeOptions, kde};
use wijkveilig::analysis::stats::SplitMix64;
use wijkveilig::spatial::contiguity::{QueenOptions, queen_contiguity, queen_contiguity_wgs84};
use wijkveilig::spatial::frame::MetricFrame;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

fn report(name: &str, took: Duration, target_ms: Option<u128>) {
    let ms = took.as_secs_f64() * 1e3;
    match target_ms {
        Some(t) if took.as_millis() < t => {
            println!("{name:<58} {ms:>9.1} ms   (target < {t} ms: ok)")
        }
        Some(t) => println!("{name:<58} {ms:>9.1} ms   (target < {t} ms: OVER TARGET)"),
        None => println!("{name:<58} {ms:>9.1} ms   (no target)"),
    }
}

fn uniform(rng: &mut SplitMix64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn national_buurten() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/nl-buurten-2014-coarse.geojson.gz"
    );
    let Ok(file) = std::fs::File::open(path) else {
        println!("skipping national contiguity + Gi*: {path} is not available");
        return;
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip GeoJSON");
    let fc: geojson::FeatureCollection = text.parse().expect("GeoJSON");
    let mut codes = Vec::new();
    let mut geoms: Vec<Option<Geometry<f64>>> = Vec::new();
    let mut unreadable = 0;
    for f in fc.features {
        codes.push(
            f.property("code")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
        );
        geoms.push(f.geometry.and_then(|g| match Geometry::<f64>::try_from(g) {
            Ok(g) => Some(g),
            Err(_) => {
                unreadable += 1;
                None
            }
        }));
    }
    let rd = MetricFrame::rd_new();
    let (t_proj, projected) = best_of(1, || {
        geoms
            .iter()
            .map(|g| g.as_ref().map(|g| rd.project(g)))
            .collect::<Vec<Option<Geometry<f64>>>>()
    });

    // Values: 2024 population where the 2014 code still exists (CBS codes change), else 0.
    let pop_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/nl-bevolking-buurt-85984NED-2024.csv"
    );
    let mut pop: HashMap<String, f64> = HashMap::new();
    if let Ok(mut rdr) = csv::Reader::from_path(pop_path) {
        for rec in rdr.records().flatten() {
            if let Ok(v) = rec[2].trim().parse::<f64>() {
                pop.insert(rec[1].trim().to_string(), v);
            }
        }
    }
    let values: Vec<f64> = codes
        .iter()
        .map(|c| pop.get(c).copied().unwrap_or(0.0))
        .collect();
    let matched = codes.iter().filter(|c| pop.contains_key(*c)).count();

    let opts = QueenOptions::default();
    let (t_queen, (w, rep)) = best_of(5, || queen_contiguity(black_box(&projected), &opts));
    let (t_gi, gi) = best_of(5, || {
        gi_star(black_box(&values), &w, &GiStarOptions::default()).expect("Gi*")
    });
    let (t_both, _) = best_of(5, || {
        let (w, _) = queen_contiguity(black_box(&projected), &opts);
        gi_star(&values, &w, &GiStarOptions::default()).expect("Gi*")
    });
    // The whole path from the WGS84 file: lattice projection, contiguity and Gi*.
    let (t_from_wgs84, (w_wgs84, _)) = best_of(5, || {
        let (w, r) = queen_contiguity_wgs84(black_box(&geoms), &rd, &opts);
        gi_star(&values, &w, &GiStarOptions::default()).expect("Gi*");
        (w, r)
    });
    let same_links = (0..w.len()).all(|i| w.neighbors(i) == w_wgs84.neighbors(i));
    println!("lattice-projected weights identical to exactly projected ones: {same_links}");
    let (t_perm, _) = best_of(1, || {
        gi_star(
            &values,
            &w,
            &GiStarOptions {
                permutations: 999,
                ..Default::default()
            },
        )
        .expect("Gi*")
    });
    let validity = QueenOptions {
        check_validity: true,
        ..opts
    };
    let (t_valid, (_, rep_valid)) = best_of(1, || queen_contiguity(&projected, &validity));

    println!(
        "national buurten 2014: {} features, {} null/empty, {} not polygonal, {} unreadable, {} invalid (OGC), \
         {} islands, {} links, {} with a 2024 population, {} hot / {} cold (Gi_Bin != 0)",
        geoms.len(),
        rep.empty.len(),
        rep.not_polygonal.len(),
        unreadable,
        rep_valid.invalid.len(),
        rep.islands.len(),
        w.links(),
        matched,
        gi.bin.iter().filter(|&&b| b > 0).count(),
        gi.bin.iter().filter(|&&b| b < 0).count(),
    );
    report(
        "project 11,691 buurten WGS84 -> RD New (proj4rs)",
        t_proj,
        None,
    );
    report("queen contiguity (0.5 m tolerance)", t_queen, Some(200));
    report("Gi* analytic + BH FDR", t_gi, Some(200));
    report(
        "WGS84 file -> lattice projection + queen contiguity + Gi* (issue #4 target, whole path)",
        t_from_wgs84,
        Some(200),
    );
    report(
        "queen contiguity + Gi* (issue #4 target)",
        t_both,
        Some(200),
    );
    report("Gi* with 999 conditional permutations", t_perm, None);
    report("queen contiguity with OGC validity check", t_valid, None);
}

fn kde_million() {
    let mut rng = SplitMix64::new(1);
    // A realistic mix: half spread over the town, half in a few dense clusters.
    let centres: Vec<Coord<f64>> = (0..20)
        .map(|_| Coord {
            x: uniform(&mut rng, 2_000.0, 18_000.0),
            y: uniform(&mut rng, 2_000.0, 18_000.0),
        })
        .collect();
    let pts: Vec<Coord<f64>> = (0..1_000_000)
        .map(|i| {
            if i % 2 == 0 {
                Coord {
                    x: uniform(&mut rng, 0.0, 20_000.0),
                    y: uniform(&mut rng, 0.0, 20_000.0),
                }
            } else {
                let c = centres[i % centres.len()];
                Coord {
                    x: c.x + uniform(&mut rng, -800.0, 800.0),
                    y: c.y + uniform(&mut rng, -800.0, 800.0),
                }
            }
        })
        .collect();
    let spec = GridSpec {
        origin: Coord { x: 0.0, y: 0.0 },
        cell_size: 100.0,
        nx: 200,
        ny: 200,
    };
    let opts = KdeOptions {
        bandwidth_m: None,
        cell_size_m: 100.0,
        extent: Some(spec),
    };
    let (t, out) = best_of(3, || kde(black_box(&pts), &opts).expect("KDE"));
    println!(
        "KDE: default bandwidth {:.0} m, grid {}x{}, integral {:.0} of 1,000,000 points",
        out.bandwidth_m,
        out.grid.nx,
        out.grid.ny,
        out.grid.total_count()
    );
    report(
        "KDE 1M points, 100 m grid, 20x20 km (default bandwidth)",
        t,
        Some(1_000),
    );
    let wide = KdeOptions {
        bandwidth_m: Some(1_000.0),
        ..opts
    };
    let (t, _) = best_of(3, || kde(black_box(&pts), &wide).expect("KDE"));
    report(
        "KDE 1M points, 100 m grid, 20x20 km, h = 1 km",
        t,
        Some(1_000),
    );
}

fn greedy_million() {
    let mut rng = SplitMix64::new(2);
    let centres: Vec<Coord<f64>> = (0..30)
        .map(|_| Coord {
            x: uniform(&mut rng, 1_000.0, 19_000.0),
            y: uniform(&mut rng, 1_000.0, 19_000.0),
        })
        .collect();
    let pts: Vec<Coord<f64>> = (0..1_000_000)
        .map(|i| {
            if i % 3 == 0 {
                Coord {
                    x: uniform(&mut rng, 0.0, 20_000.0),
                    y: uniform(&mut rng, 0.0, 20_000.0),
                }
            } else {
                let c = centres[i % centres.len()];
                Coord {
                    x: c.x + uniform(&mut rng, -500.0, 500.0),
                    y: c.y + uniform(&mut rng, -500.0, 500.0),
                }
            }
        })
        .collect();
    let candidates: Vec<Coord<f64>> = (0..10_000)
        .map(|_| Coord {
            x: uniform(&mut rng, 0.0, 20_000.0),
            y: uniform(&mut rng, 0.0, 20_000.0),
        })
        .collect();
    let existing: Vec<Camera> = (0..50)
        .map(|_| {
            Camera::active(
                Coord {
                    x: uniform(&mut rng, 0.0, 20_000.0),
                    y: uniform(&mut rng, 0.0, 20_000.0),
                },
                75.0,
            )
        })
        .collect();
    let (t, p) = best_of(3, || {
        greedy_placement(black_box(&pts), &existing, &candidates, 100.0, 10)
    });
    println!(
        "greedy: coverage {:.2}% -> {:.2}%, gains {:?}",
        p.before.share * 100.0,
        p.after.share * 100.0,
        p.gains
    );
    report(
        "greedy 10 of 10,000 candidates over 1M points (r = 100 m)",
        t,
        Some(2_000),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    national_buurten();
    kde_million();
    greedy_million();
}
