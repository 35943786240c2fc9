//! `wijkveilig join`: count the points of a CSV per polygon of a GeoJSON and write
//! `code,count` for every polygon, sorted by code.
//!
//! The parts come from their own modules: [`crate::ingest::geojson`] reads the polygons,
//! [`crate::ingest::crs`] brings them to WGS84 by the same rule as `import`,
//! [`crate::ingest::points_csv`] streams the points in byte ranges, and
//! [`crate::spatial::count`] counts them on all cores with the [`AreaIndex`] the server uses.
//! This module wires them together and owns the output file and the report.
//!
//! ```no_run
//! use std::path::Path;
//! use wijkveilig::commands::join::run_join;
//!
//! let summary = run_join(Path::new("buurten.geojson"), Path::new("points.csv"), Some(Path::new("counts.csv")))?;
//! eprintln!("{summary}");
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::fmt;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use geo::{Geometry, MultiPolygon};

use crate::ingest::areas::CODE_PROPERTIES;
use crate::ingest::crs::{self, CrsDecision, SourceCrs};
use crate::ingest::geojson::read_features;
use crate::ingest::points_csv::PointsCsv;
use crate::ingest::{FeatureSet, IngestError};
use crate::spatial::count::{JoinCounts, count_in_parts};
use crate::spatial::frame::MetricFrame;
use crate::spatial::index::AreaIndex;

/// Counts the points of a CSV with a `lon` and a `lat` column (WGS84; any column order,
/// extra columns ignored) per polygon of `index`, using `threads` threads (0: all cores).
pub fn join_points_csv(
    index: &AreaIndex,
    points: &Path,
    threads: usize,
) -> Result<JoinCounts, IngestError> {
    count_csv(index, &PointsCsv::open(points)?, threads)
}

fn count_csv(
    index: &AreaIndex,
    csv: &PointsCsv,
    threads: usize,
) -> Result<JoinCounts, IngestError> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let ranges = csv.split(threads);
    count_in_parts(index, ranges.len(), |part, counter| {
        csv.read_range(ranges[part], |batch| counter.count(batch))
    })
    .map_err(|e| csv.error(e))
}

/// The polygons of a join, in WGS84, with the code of each.
pub struct JoinPolygons {
    pub codes: Vec<String>,
    pub shapes: Vec<MultiPolygon<f64>>,
    /// Features without a polygon, left out.
    pub skipped: Vec<SkippedFeature>,
    /// The CRS the file was read in (the same decision `import` makes).
    pub crs: CrsDecision,
}

/// Reads the Polygon and MultiPolygon features of a GeoJSON and brings them to WGS84 with
/// [`crs::to_wgs84`], the rule `import` uses: WGS84 or RD New, declared or recognised from
/// the coordinates; a file whose declaration contradicts its coordinates is refused.
/// A feature's code is its `code` (or `statcode`, …) property, else its id, else its index.
pub fn read_polygons(path: &Path) -> anyhow::Result<JoinPolygons> {
    let mut set = read_features(path)?;
    let crs = crs::to_wgs84(&mut set, path, &MetricFrame::rd_new())?;
    polygons_of(set, crs, path)
}

fn polygons_of(set: FeatureSet, crs: CrsDecision, path: &Path) -> anyhow::Result<JoinPolygons> {
    let mut codes = Vec::with_capacity(set.features.len());
    let mut shapes: Vec<MultiPolygon<f64>> = Vec::with_capacity(set.features.len());
    let mut skipped = Vec::new();
    for f in set.features {
        let code = f
            .text(CODE_PROPERTIES)
            .or_else(|| f.id.clone())
            .unwrap_or_else(|| f.index.to_string());
        let reason = match f.geometry {
            Some(Geometry::Polygon(p)) if !p.exterior().0.is_empty() => {
                codes.push(code);
                shapes.push(MultiPolygon::new(vec![p]));
                continue;
            }
            Some(Geometry::MultiPolygon(mp)) if mp.0.iter().any(|p| !p.exterior().0.is_empty()) => {
                codes.push(code);
                shapes.push(mp);
                continue;
            }
            None => "null geometry".to_string(),
            Some(Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => "empty polygon".to_string(),
            Some(g) => format!("a {}, not a polygon", geometry_name(&g)),
        };
        skipped.push(SkippedFeature {
            index: f.index,
            code,
            reason,
        });
    }
    if shapes.is_empty() {
        bail!(
            "{}: no Polygon or MultiPolygon features to join to ({} features skipped). Pass the area file (buurten, wijken).",
            path.display(),
            skipped.len()
        );
    }
    Ok(JoinPolygons {
        codes,
        shapes,
        skipped,
        crs,
    })
}

/// A feature of the polygon file that was not joined, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFeature {
    pub index: usize,
    pub code: String,
    pub reason: String,
}

/// Wall-clock time per phase of [`run_join`]; `reproject` is the CRS check and, for RD New,
/// the reprojection ([`crs::to_wgs84`] does both).
#[derive(Debug, Clone, Default)]
pub struct JoinTimings {
    pub read_polygons: Duration,
    pub reproject: Duration,
    pub build_index: Duration,
    pub join: Duration,
    pub write: Duration,
}

/// What [`run_join`] did, for the user (its `Display` is the report the CLI prints).
#[derive(Debug, Clone)]
pub struct JoinSummary {
    /// Polygons joined (and lines written).
    pub polygons: usize,
    /// Data rows of the points file.
    pub points: u64,
    /// Points inside no polygon: counted, reported, not written per code.
    pub outside: u64,
    pub skipped: Vec<SkippedFeature>,
    /// Set when the polygons were reprojected, saying from what and why.
    pub reprojected: Option<String>,
    /// Codes that occurred on more than one feature; their counts were added up.
    pub duplicate_codes: Vec<String>,
    /// Bytes the area index holds (its grid, candidate lists and vertices).
    pub index_bytes: usize,
    pub timings: JoinTimings,
}

impl fmt::Display for JoinSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "joined {} points to {} polygons: {} inside a polygon, {} outside every polygon",
            self.points,
            self.polygons,
            self.points - self.outside,
            self.outside
        )?;
        if let Some(r) = &self.reprojected {
            writeln!(f, "{r}")?;
        }
        if !self.skipped.is_empty() {
            writeln!(
                f,
                "skipped {} features without a polygon:",
                self.skipped.len()
            )?;
            for s in self.skipped.iter().take(10) {
                writeln!(f, "  feature {} ({}): {}", s.index, s.code, s.reason)?;
            }
            if self.skipped.len() > 10 {
                writeln!(f, "  … and {} more", self.skipped.len() - 10)?;
            }
        }
        if !self.duplicate_codes.is_empty() {
            writeln!(
                f,
                "{} codes occur on several features and were counted together: {}",
                self.duplicate_codes.len(),
                self.duplicate_codes
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        let t = &self.timings;
        let secs = |d: Duration| d.as_secs_f64();
        write!(
            f,
            "time: read polygons {:.3} s, reproject {:.3} s, build index {:.3} s, join {:.3} s, write {:.3} s",
            secs(t.read_polygons),
            secs(t.reproject),
            secs(t.build_index),
            secs(t.join),
            secs(t.write)
        )?;
        write!(f, "; index {:.0} MB", self.index_bytes as f64 / 1e6)
    }
}

/// Joins a points CSV to a polygon GeoJSON and writes `code,count` for every polygon, sorted
/// by code, to `out` (or stdout).
pub fn run_join(polygons: &Path, points: &Path, out: Option<&Path>) -> anyhow::Result<JoinSummary> {
    let mut timings = JoinTimings::default();
    let t = Instant::now();
    let mut set = read_features(polygons)?;
    timings.read_polygons = t.elapsed();

    let t = Instant::now();
    let crs = crs::to_wgs84(&mut set, polygons, &MetricFrame::rd_new())?;
    timings.reproject = t.elapsed();
    let reprojected =
        (crs.source == SourceCrs::RdNew).then(|| format!("polygons: {}", crs.describe()));

    let t = Instant::now();
    let JoinPolygons {
        codes,
        shapes,
        skipped,
        ..
    } = polygons_of(set, crs, polygons)?;
    timings.read_polygons += t.elapsed();

    let n_polygons = shapes.len();
    let t = Instant::now();
    let index = AreaIndex::build_owned(shapes);
    timings.build_index = t.elapsed();
    let index_bytes = index.heap_bytes();

    let t = Instant::now();
    let joined = join_points_csv(&index, points, 0)?;
    timings.join = t.elapsed();
    drop(index);

    let t = Instant::now();
    let duplicate_codes = write_counts(codes, joined.counts, out)?;
    timings.write = t.elapsed();

    Ok(JoinSummary {
        polygons: n_polygons,
        points: joined.rows,
        outside: joined.outside,
        skipped,
        reprojected,
        duplicate_codes,
        index_bytes,
        timings,
    })
}

/// Writes `code,count` sorted by code, adding up the counts of codes that occur on several
/// polygons; returns those codes.
fn write_counts(
    codes: Vec<String>,
    counts: Vec<u64>,
    out: Option<&Path>,
) -> anyhow::Result<Vec<String>> {
    let mut rows: Vec<(String, u64)> = codes.into_iter().zip(counts).collect();
    rows.sort_unstable();
    let mut merged: Vec<(String, u64)> = Vec::with_capacity(rows.len());
    let mut duplicate_codes = Vec::new();
    for (code, n) in rows {
        match merged.last_mut() {
            Some((last, total)) if *last == code => {
                *total += n;
                if duplicate_codes.last() != Some(&code) {
                    duplicate_codes.push(code);
                }
            }
            _ => merged.push((code, n)),
        }
    }
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        writeln!(w, "code,count")?;
        for (code, n) in &merged {
            if code.contains([',', '"', '\n']) {
                writeln!(w, "\"{}\",{n}", code.replace('"', "\"\""))?;
            } else {
                writeln!(w, "{code},{n}")?;
            }
        }
        w.flush()
    };
    match out {
        Some(path) => {
            let mut file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            write(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            write(&mut std::io::stdout().lock()).context("cannot write the counts to stdout")?
        }
    }
    Ok(duplicate_codes)
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) | Geometry::Line(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        _ => "non-polygon geometry",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Location;
    use geo::polygon;

    fn squares() -> AreaIndex {
        // 0: [0,1)x[0,1), 1: [1,2)x[0,1)
        let sq = |x: f64| {
            MultiPolygon::new(vec![
                polygon![(x: x, y: 0.), (x: x + 1., y: 0.), (x: x + 1., y: 1.), (x: x, y: 1.)],
            ])
        };
        AreaIndex::build(&[sq(0.0), sq(1.0)])
    }

    fn csv(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn counts_with_bom_crlf_quotes_blank_lines_and_outside_points() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"\xEF\xBB\xBFid,lon,lat\r\n1,0.5,0.5\r\n\"a,b\",1.5,0.5\r\n\r\n3,1.0,0.5\r\n4,5,5\r\n5,-0.5,0.5";
        let p = csv(&dir, "p.csv", text);
        let c = join_points_csv(&squares(), &p, 1).unwrap();
        assert_eq!(
            c,
            JoinCounts {
                counts: vec![1, 2],
                outside: 2,
                rows: 5
            }
        );
        // Other column order and extra columns.
        let p = csv(
            &dir,
            "q.csv",
            b"lat,extra,lon,id\n0.5,x,0.25,1\n0.5,y,1.25,2\n",
        );
        assert_eq!(
            join_points_csv(&squares(), &p, 2).unwrap().counts,
            vec![1, 1]
        );
        // A bad row is the reader's error, with its line.
        let p = csv(&dir, "r.csv", b"id,lon,lat\n1,0.5,0.5\n\n2,0.5\n");
        let e = join_points_csv(&squares(), &p, 1).unwrap_err();
        assert_eq!(
            (e.location.clone(), e.field.as_deref()),
            (Location::Line(4), Some("lat")),
            "{e}"
        );
    }

    #[test]
    fn threads_split_at_line_boundaries_and_report_the_first_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id,lon,lat\n");
        let mut seed = 3u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut want = [0u64; 2];
        let mut outside = 0;
        for i in 0..60_000 {
            let (x, y) = (next() * 2.4 - 0.2, next() * 1.2 - 0.1);
            text.push_str(&format!("{i},{x:.6},{y:.6}\n"));
            let (x, y) = (
                format!("{x:.6}").parse::<f64>().unwrap(),
                format!("{y:.6}").parse::<f64>().unwrap(),
            );
            match (x, y) {
                (x, y) if (0.0..1.0).contains(&x) && (0.0..1.0).contains(&y) => want[0] += 1,
                (x, y) if (1.0..2.0).contains(&x) && (0.0..1.0).contains(&y) => want[1] += 1,
                _ => outside += 1,
            }
        }
        let p = csv(&dir, "p.csv", text.as_bytes());
        for (threads, block) in [(1, 1 << 20), (2, 4096), (3, 64), (7, 16)] {
            let points = PointsCsv::open(&p).unwrap().with_sizes(block, 1);
            let c = count_csv(&squares(), &points, threads).unwrap();
            assert_eq!(
                c,
                JoinCounts {
                    counts: want.to_vec(),
                    outside,
                    rows: 60_000
                },
                "{threads} threads"
            );
        }
        // Two bad rows late in the file: the earlier one is reported, with its line number.
        let mut lines: Vec<&str> = text.lines().collect();
        lines[40_000] = "x,1.0";
        lines[50_000] = "y,abc,1.0";
        let p = csv(&dir, "bad.csv", (lines.join("\n") + "\n").as_bytes());
        for (threads, block) in [(1, 1 << 20), (2, 100), (3, 4096)] {
            let points = PointsCsv::open(&p).unwrap().with_sizes(block, 1);
            let e = count_csv(&squares(), &points, threads).unwrap_err();
            assert_eq!(e.location, Location::Line(40_001), "{threads} threads: {e}");
        }
    }

    /// A one-buurt GeoJSON in RD New metres near Almelo, with the given `crs` member.
    fn rd_square(crs: Option<&str>) -> String {
        let crs = crs.map_or(String::new(), |name| {
            format!(r#""crs":{{"type":"name","properties":{{"name":"{name}"}}}},"#)
        });
        format!(
            r#"{{"type":"FeatureCollection",{crs}"features":[{{"type":"Feature","id":"BU01410001","properties":{{"code":"BU01410001","name":"Vierkant"}},"geometry":{{"type":"Polygon","coordinates":[[[242500,486700],[242700,486700],[242700,486900],[242500,486900],[242500,486700]]]}}}}]}}"#
        )
    }

    /// What `import areas` makes of a file: its error, or its WGS84 polygons.
    fn import_areas(path: &Path) -> Result<(Vec<String>, Vec<MultiPolygon<f64>>), IngestError> {
        let set = read_features(path)?;
        let file = crate::ingest::areas::areas_from_features(set, path, false)?;
        Ok(file
            .areas
            .into_iter()
            .map(|a| (a.code.to_string(), a.geometry))
            .unzip())
    }

    #[test]
    fn rd_metres_declared_as_wgs84_are_refused_with_the_import_message() {
        let dir = tempfile::tempdir().unwrap();
        let points = csv(&dir, "pts.csv", b"id,lon,lat\n1,6.66,52.35\n");
        let out = dir.path().join("out.csv");
        for declared in ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"] {
            let path = csv(
                &dir,
                "rd-as-wgs84.geojson",
                rd_square(Some(declared)).as_bytes(),
            );
            let import = import_areas(&path).unwrap_err();
            let join = run_join(&path, &points, Some(&out)).unwrap_err();
            let join = join
                .downcast_ref::<IngestError>()
                .unwrap_or_else(|| panic!("an IngestError: {join:#}"));
            assert_eq!(join, &import, "{declared}");
            assert_eq!(
                join.to_string(),
                format!(
                    "{}, feature 0 (BU01410001): the file declares WGS84 (lon/lat degrees) but the \
                     coordinates are RD New metres. declare the CRS as EPSG:28992 (\"crs\": \
                     {{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}}}}), \
                     or export the file as WGS84",
                    path.display()
                )
            );
            assert!(!out.exists(), "nothing written");
        }
    }

    #[test]
    fn rd_declared_and_undeclared_are_reprojected_as_import_does() {
        let dir = tempfile::tempdir().unwrap();
        let declared = csv(
            &dir,
            "declared.geojson",
            rd_square(Some("urn:ogc:def:crs:EPSG::28992")).as_bytes(),
        );
        let undeclared = csv(&dir, "undeclared.geojson", rd_square(None).as_bytes());
        let a = read_polygons(&declared).unwrap();
        let b = read_polygons(&undeclared).unwrap();
        assert_eq!((a.crs.source, a.crs.detected), (SourceCrs::RdNew, false));
        assert_eq!((b.crs.source, b.crs.detected), (SourceCrs::RdNew, true));
        assert_eq!(
            a.shapes, b.shapes,
            "declared or not, the same WGS84 polygon"
        );
        for (path, join) in [(&declared, &a), (&undeclared, &b)] {
            let (codes, shapes) = import_areas(path).unwrap();
            assert_eq!((&join.codes, &join.shapes), (&codes, &shapes), "{path:?}");
        }
        // About 6.66 E, 52.35 N; a point inside, in WGS84, is counted in both.
        let c = a.shapes[0].0[0].exterior().0[0];
        assert!(
            (c.x - 6.66).abs() < 0.05 && (c.y - 52.35).abs() < 0.05,
            "{c:?}"
        );
        let points = csv(
            &dir,
            "pts.csv",
            format!("id,lon,lat\n1,{},{}\n2,4.9,52.37\n", c.x + 1e-4, c.y + 1e-4).as_bytes(),
        );
        for path in [&declared, &undeclared] {
            let out = dir.path().join("out.csv");
            let s = run_join(path, &points, Some(&out)).unwrap();
            assert_eq!((s.points, s.outside), (2, 1));
            assert!(s.reprojected.as_deref().unwrap().contains("RD New"), "{s}");
            assert_eq!(
                std::fs::read_to_string(&out).unwrap(),
                "code,count\nBU01410001,1\n"
            );
        }
    }

    #[test]
    fn almelo_in_rd_declared_or_not_gives_the_polygons_import_stores() {
        let Some(data) = data_dir() else { return };
        let text = std::fs::read_to_string(data.join("almelo-buurten-rd.geojson")).unwrap();
        let member =
            r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"#;
        assert!(text.contains(member));
        let dir = tempfile::tempdir().unwrap();
        let declared = csv(&dir, "declared.geojson", text.as_bytes());
        let undeclared = csv(
            &dir,
            "undeclared.geojson",
            text.replacen(member, "", 1).as_bytes(),
        );
        let (codes, shapes) = import_areas(&declared).unwrap();
        assert_eq!(codes.len(), 71);
        for path in [&declared, &undeclared] {
            let join = read_polygons(path).unwrap();
            assert_eq!(join.crs.detected, path == &undeclared);
            assert_eq!(join.codes, codes, "{path:?}");
            assert!(
                join.shapes == shapes,
                "{path:?}: the same coordinates, bit for bit"
            );
        }
    }

    use crate::testdata::shared_data_dir as data_dir;

    #[test]
    fn run_join_on_almelo_in_wgs84_and_rd_gives_one_point_per_buurt() {
        use geo::InteriorPoint;
        let Some(data) = data_dir() else { return };
        let wgs = data.join("almelo-buurten.geojson");
        let set = read_features(&wgs).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id,lon,lat\n");
        for f in &set.features {
            let p = f.geometry.as_ref().unwrap().interior_point().unwrap();
            text.push_str(&format!(
                "{},{:.8},{:.8}\n",
                f.id.as_deref().unwrap(),
                p.x(),
                p.y()
            ));
        }
        text.push_str("far,4.9,52.37\n");
        let points = csv(&dir, "points.csv", text.as_bytes());
        for file in ["almelo-buurten.geojson", "almelo-buurten-rd.geojson"] {
            let out = dir.path().join("counts.csv");
            let summary = run_join(&data.join(file), &points, Some(&out)).unwrap();
            assert_eq!(
                (summary.polygons, summary.points, summary.outside),
                (71, 72, 1),
                "{file}"
            );
            assert_eq!(
                summary.reprojected.is_some(),
                file.ends_with("-rd.geojson"),
                "{file}"
            );
            assert!(summary.skipped.is_empty() && summary.duplicate_codes.is_empty());
            let written = std::fs::read_to_string(&out).unwrap();
            let lines: Vec<&str> = written.lines().collect();
            assert_eq!(lines[0], "code,count");
            assert_eq!(lines.len(), 72);
            assert!(lines[1..].windows(2).all(|w| w[0] < w[1]), "sorted by code");
            assert!(
                lines[1..]
                    .iter()
                    .all(|l| l.starts_with("BU0141") && l.ends_with(",1")),
                "{file}: {written}"
            );
            assert!(
                summary.to_string().contains("1 outside every polygon"),
                "{summary}"
            );
        }
    }

    #[test]
    fn run_join_reports_null_and_non_polygon_features_and_rejects_other_crs() {
        let dir = tempfile::tempdir().unwrap();
        let polys = csv(
            &dir,
            "p.geojson",
            br#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"statcode":"B"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}},
              {"type":"Feature","id":"A","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
              {"type":"Feature","properties":{},"geometry":null},
              {"type":"Feature","properties":{"code":"L"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#,
        );
        let points = csv(
            &dir,
            "pts.csv",
            b"id,lon,lat\n1,0.5,0.5\n2,0.5,0.25\n3,3,3\n",
        );
        let out = dir.path().join("out.csv");
        let s = run_join(&polys, &points, Some(&out)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "code,count\nA,2\nB,0\n"
        );
        assert_eq!(s.skipped.len(), 2);
        assert_eq!(
            (
                s.skipped[0].index,
                s.skipped[0].code.as_str(),
                s.skipped[0].reason.as_str()
            ),
            (2, "2", "null geometry")
        );
        assert!(s.skipped[1].reason.contains("LineString"));
        assert_eq!(s.outside, 1);

        let other = csv(
            &dir,
            "o.geojson",
            br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[
              {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#,
        );
        let e = run_join(&other, &points, Some(&out))
            .unwrap_err()
            .to_string();
        assert!(e.contains("EPSG:3857") && e.contains("ogr2ogr"), "{e}");
    }
}
