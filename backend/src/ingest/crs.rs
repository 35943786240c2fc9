//! Brings vector data into WGS84. CBS publishes in RD New (EPSG:28992) and in WGS84, and
//! files often lose their CRS on the way, so an undeclared CRS is detected from the
//! coordinate range and the caller is told what was assumed.

use super::{FeatureSet, IngestError, RawFeature};
use crate::spatial::frame::MetricFrame;
use geo::{Coord, CoordsIter, MapCoordsInPlace};
use std::path::Path;

/// The CRS a file's coordinates were read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCrs {
    Wgs84,
    RdNew,
}

/// What was decided about a file's CRS, for the import report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrsDecision {
    pub source: SourceCrs,
    /// `true` when the file did not declare its CRS and it was inferred from the coordinates.
    pub detected: bool,
}

impl CrsDecision {
    pub fn describe(&self) -> String {
        let name = match self.source {
            SourceCrs::Wgs84 => "WGS84 (EPSG:4326)",
            SourceCrs::RdNew => "RD New (EPSG:28992), converted to WGS84",
        };
        if self.detected {
            format!("no CRS declared; the coordinate range says {name}")
        } else {
            format!("declared CRS {name}")
        }
    }
}

/// Normalises the names GeoJSON and GeoPackage use for a CRS to `EPSG:nnnn`.
pub fn normalise_crs_name(raw: &str) -> String {
    let s = raw.trim();
    let upper = s.to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper.ends_with("CRS:84") {
        return "EPSG:4326".into();
    }
    match upper.rsplit([':', '/']).next() {
        Some(code) if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) => {
            format!("EPSG:{code}")
        }
        _ => s.to_string(),
    }
}

/// Checks the declared CRS against the coordinates, detects an undeclared one, and
/// reprojects every geometry to WGS84 in place.
pub fn to_wgs84(
    set: &mut FeatureSet,
    path: &Path,
    frame: &MetricFrame,
) -> Result<CrsDecision, IngestError> {
    let looks = classify(set, frame);
    let decision = match set
        .declared_crs
        .as_deref()
        .map(normalise_crs_name)
        .as_deref()
    {
        Some("EPSG:4326") | Some("EPSG:4258") => match looks {
            Looks::LonLat | Looks::Empty => CrsDecision {
                source: SourceCrs::Wgs84,
                detected: false,
            },
            Looks::Rd(i) => {
                return Err(feature_error(
                    set,
                    path,
                    i,
                    "the file declares WGS84 (lon/lat degrees) but the coordinates are RD New metres",
                    "declare the CRS as EPSG:28992 (\"crs\": {\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}}), or export the file as WGS84",
                ));
            }
            Looks::Other(i) => return Err(out_of_range(set, path, i)),
        },
        Some("EPSG:28992") => match looks {
            Looks::Rd(_) | Looks::Empty => CrsDecision {
                source: SourceCrs::RdNew,
                detected: false,
            },
            Looks::LonLat => {
                return Err(IngestError::file(
                    path,
                    "the file declares RD New (EPSG:28992) but the coordinates are lon/lat degrees",
                    "remove the crs member (the data is then read as WGS84), or export the file in RD New",
                ));
            }
            Looks::Other(i) => return Err(out_of_range(set, path, i)),
        },
        Some(other) => {
            return Err(IngestError::file(
                path,
                format!("the CRS {other} is not supported"),
                "reproject the file to WGS84 (EPSG:4326) or RD New (EPSG:28992), e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson",
            ));
        }
        None => match looks {
            Looks::LonLat | Looks::Empty => CrsDecision {
                source: SourceCrs::Wgs84,
                detected: true,
            },
            Looks::Rd(_) => CrsDecision {
                source: SourceCrs::RdNew,
                detected: true,
            },
            Looks::Other(i) => return Err(out_of_range(set, path, i)),
        },
    };
    if decision.source == SourceCrs::RdNew {
        reproject_to_wgs84(&mut set.features, frame);
    }
    Ok(decision)
}

/// The frame's metres to WGS84 in place, on all cores: a national buurt file has millions of
/// vertices. Each coordinate is converted on its own, so the result does not depend on how
/// the features are shared out.
fn reproject_to_wgs84(features: &mut [RawFeature], frame: &MetricFrame) {
    let convert = |part: &mut [RawFeature]| {
        for g in part.iter_mut().filter_map(|f| f.geometry.as_mut()) {
            g.map_coords_in_place(|c| {
                let (x, y) = frame.to_wgs84(c.x, c.y);
                Coord { x, y }
            });
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = features.len().div_ceil(threads).max(1);
    if chunk == features.len() {
        return convert(features);
    }
    std::thread::scope(|s| {
        for part in features.chunks_mut(chunk) {
            s.spawn(move || convert(part));
        }
    });
}

enum Looks {
    Empty,
    LonLat,
    /// RD New; the index of a feature as evidence.
    Rd(usize),
    /// Neither, or a mix; the index of the first feature that does not fit.
    Other(usize),
}

fn classify(set: &FeatureSet, frame: &MetricFrame) -> Looks {
    let mut lonlat = 0usize;
    let mut rd = None;
    let mut first_lonlat = None;
    for f in &set.features {
        let Some(g) = &f.geometry else { continue };
        for c in g.coords_iter() {
            if c.x.abs() <= 180.0 && c.y.abs() <= 90.0 {
                lonlat += 1;
                first_lonlat.get_or_insert(f.index);
            } else if frame.contains_metric(c) {
                rd.get_or_insert(f.index);
            } else {
                return Looks::Other(f.index);
            }
            if let (Some(_), Some(l)) = (rd, first_lonlat) {
                return Looks::Other(l.max(rd.unwrap_or(0)));
            }
        }
    }
    match (lonlat, rd) {
        (0, None) => Looks::Empty,
        (_, None) => Looks::LonLat,
        (_, Some(i)) => Looks::Rd(i),
    }
}

fn feature_error(
    set: &FeatureSet,
    path: &Path,
    index: usize,
    problem: &str,
    fix: &str,
) -> IngestError {
    let id = set
        .features
        .iter()
        .find(|f| f.index == index)
        .and_then(|f| f.id.clone());
    IngestError::feature(path, index, id, problem, fix)
}

fn out_of_range(set: &FeatureSet, path: &Path, index: usize) -> IngestError {
    feature_error(
        set,
        path,
        index,
        "its coordinates are neither lon/lat degrees nor RD New metres (or the file mixes both)",
        "export the whole file in one CRS: WGS84 (EPSG:4326) or RD New (EPSG:28992)",
    )
}
