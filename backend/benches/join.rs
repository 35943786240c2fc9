//! Throughput of the spatial join hot path: index build, `locate` on points in file order,
//! and the streaming CSV join.
//!
//! Generates ~14,000 quadrilateral-ish polygons of ~180 vertices with wiggly shared edges over
//! the Netherlands' bounding box and random points (in random order, as in a real file, so
//! cache misses count). If `bench/out/polygons.geojson` and `bench/out/points.csv` exist (the
//! shared benchmark inputs), they are timed as well.
//!
//! `cargo bench -p wijkveilig --bench join` (set `JOIN_BENCH_POINTS` to change the count).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use wijkveilig::commands::join::{join_points_csv, run_join};
use wijkveilig::spatial::index::AreaIndex;

const X0: f64 = 3.3;
const X1: f64 = 7.3;
const Y0: f64 = 50.7;
const Y1: f64 = 53.6;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A jittered `g × g` grid whose cell edges are wiggly polylines of `seg` segments, shared
/// exactly by the two cells on either side.
fn polygons(g: usize, seg: usize) -> Vec<MultiPolygon<f64>> {
    let mut rng = Rng(42);
    let (dx, dy) = ((X1 - X0) / g as f64, (Y1 - Y0) / g as f64);
    let node: Vec<Coord<f64>> = (0..=g)
        .flat_map(|j| (0..=g).map(move |i| (i, j)))
        .map(|(i, j)| {
            let inner = |k: usize| k > 0 && k < g;
            let jx = if inner(i) {
                (rng.next() - 0.5) * 0.5 * dx
            } else {
                0.0
            };
            let jy = if inner(j) {
                (rng.next() - 0.5) * 0.5 * dy
            } else {
                0.0
            };
            Coord {
                x: X0 + i as f64 * dx + jx,
                y: Y0 + j as f64 * dy + jy,
            }
        })
        .collect();
    let id = |i: usize, j: usize| j * (g + 1) + i;
    // Points of the edge from node a to node b, excluding b; the wiggle depends only on the
    // unordered pair, so both neighbours get identical vertices.
    let edge = |a: usize, b: usize| -> Vec<Coord<f64>> {
        let (lo, hi) = (a.min(b), a.max(b));
        let (p, q) = (node[lo], node[hi]);
        let (nx, ny) = (-(q.y - p.y), q.x - p.x);
        let phase = (lo * 7919 + hi * 104729) as f64;
        let mut pts: Vec<Coord<f64>> = (0..=seg)
            .map(|s| {
                let t = s as f64 / seg as f64;
                let w = if s == 0 || s == seg {
                    0.0
                } else {
                    0.04 * (t * 9.0 + phase).sin() * (t * std::f64::consts::PI).sin()
                };
                Coord {
                    x: p.x + t * (q.x - p.x) + w * nx,
                    y: p.y + t * (q.y - p.y) + w * ny,
                }
            })
            .collect();
        if a != lo {
            pts.reverse();
        }
        pts.pop();
        pts
    };
    let mut out = Vec::with_capacity(g * g);
    for j in 0..g {
        for i in 0..g {
            let corners = [id(i, j), id(i + 1, j), id(i + 1, j + 1), id(i, j + 1)];
            let mut ring: Vec<Coord<f64>> = (0..4)
                .flat_map(|k| edge(corners[k], corners[(k + 1) % 4]))
                .collect();
            ring.push(ring[0]);
            out.push(MultiPolygon::new(vec![Polygon::new(
                LineString(ring),
                vec![],
            )]));
        }
    }
    out
}

fn points(n: usize) -> Vec<Coord<f64>> {
    let mut rng = Rng(7);
    // A margin around the polygons, so some points fall outside.
    (0..n)
        .map(|_| Coord {
            x: X0 - 0.1 + rng.next() * (X1 - X0 + 0.2),
            y: Y0 - 0.1 + rng.next() * (Y1 - Y0 + 0.2),
        })
        .collect()
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:.1} M points/s", n as f64 / secs / 1e6)
}

fn locate_all(index: &AreaIndex, pts: &[Coord<f64>], threads: usize) -> (u64, f64) {
    let t = Instant::now();
    let chunk = pts.len().div_ceil(threads);
    let found: u64 = std::thread::scope(|s| {
        let hs: Vec<_> = pts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || part.iter().filter(|&&p| index.locate(p).is_some()).count() as u64)
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    (found, t.elapsed().as_secs_f64())
}

fn main() {
    let n_points: usize = std::env::var("JOIN_BENCH_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    let t = Instant::now();
    let polys = polygons(118, 45);
    let vertices: usize = polys.iter().map(|p| p.0[0].exterior().0.len()).sum();
    println!(
        "generated {} polygons, {} vertices in {:.2} s",
        polys.len(),
        vertices,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let index = AreaIndex::build(&polys);
    println!("index build: {:.3} s", t.elapsed().as_secs_f64());

    let pts = points(n_points);
    let (found1, s1) = locate_all(&index, &pts, 1);
    println!(
        "locate, 1 thread, random order: {} ({} of {} inside)",
        rate(pts.len(), s1),
        found1,
        pts.len()
    );
    let (found, s) = locate_all(&index, &pts, threads);
    assert_eq!(found, found1);
    println!(
        "locate, {threads} threads, random order: {}",
        rate(pts.len(), s)
    );

    // Cross-check a sample against the R-tree path, so a fast wrong answer cannot pass.
    for p in pts.iter().step_by(997) {
        assert_eq!(index.locate(*p), index.locate_by_tree(*p));
    }
    let sample = 200_000.min(pts.len());
    let t = Instant::now();
    let by_tree = pts[..sample]
        .iter()
        .filter(|&&p| index.locate_by_tree(p).is_some())
        .count();
    println!(
        "for comparison, R-tree + exact test of every edge, 1 thread: {} ({by_tree})",
        rate(sample, t.elapsed().as_secs_f64())
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("points.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        writeln!(w, "id,lon,lat").unwrap();
        for (i, p) in pts.iter().enumerate() {
            writeln!(w, "{i},{:.6},{:.6}", p.x, p.y).unwrap();
        }
    }
    drop(pts);
    let size = std::fs::metadata(&csv).unwrap().len();
    for th in [1, threads] {
        let t = Instant::now();
        let counts = join_points_csv(&index, &csv, th).expect("join");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "join_points_csv, {th} threads, {:.0} MB CSV: {:.3} s, {} ({} outside)",
            size as f64 / 1e6,
            secs,
            rate(counts.rows as usize, secs),
            counts.outside
        );
    }

    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/out");
    let (gj, pc) = (shared.join("polygons.geojson"), shared.join("points.csv"));
    if gj.exists() && pc.exists() {
        let t = Instant::now();
        let set = wijkveilig::ingest::geojson::read_features(&gj).expect("read polygons");
        println!(
            "read_features {}: {} features in {:.3} s",
            gj.display(),
            set.features.len(),
            t.elapsed().as_secs_f64()
        );
        drop(set);
        let out = dir.path().join("counts.csv");
        let t = Instant::now();
        let summary = run_join(&gj, &pc, Some(&out)).expect("run_join");
        println!(
            "run_join on the shared inputs: {:.3} s\n{summary}",
            t.elapsed().as_secs_f64()
        );
        println!(
            "join phase alone: {}",
            rate(summary.points as usize, summary.timings.join.as_secs_f64())
        );
    } else {
        println!("(shared inputs {} not found; skipped)", shared.display());
    }
}
