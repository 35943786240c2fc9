//! The area set as requests need it, built once per import generation and shared read-only:
//! every area's geometry parsed (WGS84 and RD New), its RD centroid and interior point, its
//! GeoJSON pre-serialised for responses, its typed code and level; which buurten lie inside
//! each wijk and gemeente; the point-in-polygon index of the buurten; and both weight sets
//! (queen contiguity and the default distance band) for the hotspot statistics.
//!
//! No request parses stored GeoJSON: that happens here, once per generation.
//!
//! **Invariants**
//! - `areas` is ordered by code (the store's order); `by_code` maps each code to its position.
//! - `buurten`, `wijken` and `gemeenten` hold positions in `areas`, in code order.
//! - The buurt index and the buurt weights are in the order of `buurten`; the wijk weights in
//!   the order of `wijken`.
//! - `parts[i]` lists the buurten (positions in `areas`) whose code lies inside area `i`'s code
//!   ([`AreaCode::contains`]): a wijk's buurten, a gemeente's buurten; empty for a buurt.

use super::scope::ResolvedScope;
use crate::analysis::figures::roll_up;
use crate::domain::{AreaCode, AreaLevel};
use crate::spatial::contiguity::{QueenOptions, Weights, distance_band, queen_contiguity};
use crate::spatial::frame::MetricFrame;
use crate::spatial::index::AreaIndex;
use crate::store::AreaRow;
use geo::{Centroid, Coord, Geometry, InteriorPoint, MultiPolygon};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// The default distance band of the hotspot statistics, metres.
pub const DEFAULT_DISTANCE_M: f64 = 1_500.0;

/// One area, parsed.
pub struct CachedArea {
    pub code: AreaCode,
    pub level: AreaLevel,
    pub name: String,
    pub parent: Option<AreaCode>,
    pub population: Option<i64>,
    /// 0 when the boundary file did not state it.
    pub boundary_year: i64,
    /// WGS84 `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
    pub wgs84: MultiPolygon<f64>,
    /// In the metric frame (RD New).
    pub rd: MultiPolygon<f64>,
    pub centroid_rd: Option<Coord<f64>>,
    /// A point guaranteed inside the area (RD New), for "is this area seen by a camera".
    pub interior_rd: Option<Coord<f64>>,
    /// The stored GeoJSON geometry, served as is.
    pub geometry: Box<RawValue>,
}

/// Weights of one level in both kinds.
pub struct LevelWeights {
    pub queen: Weights,
    /// Fixed distance band of [`DEFAULT_DISTANCE_M`] between RD centroids.
    pub distance: Weights,
}

pub struct AreaCache {
    pub generation: i64,
    pub areas: Vec<CachedArea>,
    by_code: HashMap<String, usize>,
    pub buurten: Vec<usize>,
    pub wijken: Vec<usize>,
    pub gemeenten: Vec<usize>,
    parts: Vec<Vec<usize>>,
    buurt_index: AreaIndex,
    pub buurt_weights: LevelWeights,
    pub wijk_weights: LevelWeights,
    /// Buurten and wijken without queen neighbours, reported with hotspot results.
    pub islands: Vec<String>,
    /// Whether this generation is the built-in synthetic demo (served without accounts).
    pub is_demo: bool,
    /// The boundary year and gemeente (or all) this set holds.
    pub scope: ResolvedScope,
}

impl AreaCache {
    /// Builds the cache from the store's area rows (CPU work: run it off the async threads).
    pub fn build(generation: i64, rows: Vec<AreaRow>) -> AreaCache {
        // Geometry goes to RD New through a lattice of exact projections over the whole set
        // (see `MetricFrame::lattice`): shared vertices stay shared, and positions stay within
        // centimetres for a gemeente and a quarter metre for the country, at a fraction of the
        // cost of projecting every vertex exactly.
        let lattice = rows
            .iter()
            .map(|r| r.bbox)
            .filter(|b| b.iter().all(|v| v.is_finite()))
            .reduce(|b, r| {
                [
                    b[0].min(r[0]),
                    b[1].min(r[1]),
                    b[2].max(r[2]),
                    b[3].max(r[3]),
                ]
            })
            .map(|b| {
                MetricFrame::rd().lattice(
                    Coord { x: b[0], y: b[1] },
                    Coord { x: b[2], y: b[3] },
                    200,
                )
            });
        let mut areas = Vec::with_capacity(rows.len());
        for row in rows {
            let Ok(code) = AreaCode::parse(&row.code) else {
                tracing::warn!(code = %row.code, "stored area code is not a CBS code; left out");
                continue;
            };
            let wgs84 = crate::store::stored_multipolygon(&row.geometry).unwrap_or_else(|| {
                tracing::warn!(code = %row.code, "stored area geometry is not a polygon; drawn empty");
                MultiPolygon::new(vec![])
            });
            let rd = match &lattice {
                Some(l) => l.project_geometry(&wgs84),
                None => MetricFrame::rd().project(&wgs84),
            };
            let geometry = RawValue::from_string(row.geometry)
                .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON"));
            areas.push(CachedArea {
                level: AreaLevel::parse(&row.level).unwrap_or(code.level()),
                parent: row
                    .parent_code
                    .as_deref()
                    .and_then(|p| AreaCode::parse(p).ok()),
                centroid_rd: rd.centroid().map(|p| p.0),
                interior_rd: rd.interior_point().map(|p| p.0),
                code,
                name: row.name,
                population: row.population,
                boundary_year: row.boundary_year,
                bbox: row.bbox,
                wgs84,
                rd,
                geometry,
            });
        }
        let by_code: HashMap<String, usize> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.to_string(), i))
            .collect();
        let of_level = |l: AreaLevel| -> Vec<usize> {
            (0..areas.len()).filter(|&i| areas[i].level == l).collect()
        };
        let (buurten, wijken, gemeenten) = (
            of_level(AreaLevel::Buurt),
            of_level(AreaLevel::Wijk),
            of_level(AreaLevel::Gemeente),
        );
        let mut parts = vec![Vec::new(); areas.len()];
        for &b in &buurten {
            let code = &areas[b].code;
            for up in [code.parent(), Some(code.gemeente())].into_iter().flatten() {
                if let Some(&i) = by_code.get(up.as_str()) {
                    parts[i].push(b);
                }
            }
        }
        let weights = |members: &[usize]| -> (LevelWeights, Vec<usize>) {
            let geoms: Vec<Option<Geometry<f64>>> = members
                .iter()
                .map(|&i| Some(Geometry::MultiPolygon(areas[i].rd.clone())))
                .collect();
            let (queen, report) = queen_contiguity(&geoms, &QueenOptions::default());
            let centroids: Vec<Option<Coord<f64>>> =
                members.iter().map(|&i| areas[i].centroid_rd).collect();
            let distance = distance_band(&centroids, DEFAULT_DISTANCE_M);
            (LevelWeights { queen, distance }, report.islands)
        };
        let (buurt_weights, buurt_islands) = weights(&buurten);
        let (wijk_weights, wijk_islands) = weights(&wijken);
        let islands = buurt_islands
            .iter()
            .map(|&k| areas[buurten[k]].code.to_string())
            .chain(
                wijk_islands
                    .iter()
                    .map(|&k| areas[wijken[k]].code.to_string()),
            )
            .collect();
        let polygons: Vec<MultiPolygon<f64>> =
            buurten.iter().map(|&i| areas[i].wgs84.clone()).collect();
        AreaCache {
            generation,
            buurt_index: AreaIndex::build_owned(polygons),
            areas,
            by_code,
            buurten,
            wijken,
            gemeenten,
            parts,
            buurt_weights,
            wijk_weights,
            islands,
            is_demo: false,
            scope: ResolvedScope {
                year: 0,
                gemeente: None,
            },
        }
    }

    /// The position of an area by its code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    pub fn get(&self, code: &str) -> Option<&CachedArea> {
        self.position(code).map(|i| &self.areas[i])
    }

    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.get(code).map(|a| a.name.as_str())
    }

    /// An area's name; for a gemeente without its own polygon, its name in the CBS list of
    /// the set's boundary year.
    pub fn display_name(&self, code: &AreaCode) -> Option<String> {
        self.name_of(code.as_str()).map(str::to_string).or_else(|| {
            (code.level() == AreaLevel::Gemeente)
                .then(|| {
                    crate::domain::code_lists::gemeente_name(
                        code.as_str(),
                        self.scope.boundary_year(),
                    )
                })
                .flatten()
                .map(str::to_string)
        })
    }

    /// Whether the set is every gemeente of its year (`gemeente=alle`) and holds more than
    /// one: then a headline covers them all and the report, which is per gemeente, is refused.
    pub fn spans_gemeenten(&self) -> bool {
        let mut gemeenten = self.areas.iter().map(|a| a.code.gemeente());
        self.scope.gemeente.is_none()
            && gemeenten
                .next()
                .is_some_and(|first| gemeenten.any(|g| g != first))
    }

    /// The name of an area's parent, when the parent is in the set.
    pub fn parent_name(&self, a: &CachedArea) -> Option<String> {
        let p = a.parent.as_ref()?;
        self.name_of(p.as_str()).map(str::to_string)
    }

    /// Positions of the areas of a level, in code order.
    pub fn level(&self, level: AreaLevel) -> &[usize] {
        match level {
            AreaLevel::Buurt => &self.buurten,
            AreaLevel::Wijk => &self.wijken,
            AreaLevel::Gemeente => &self.gemeenten,
        }
    }

    /// The weights of a level (buurt or wijk).
    pub fn weights(&self, level: AreaLevel) -> &LevelWeights {
        match level {
            AreaLevel::Wijk => &self.wijk_weights,
            _ => &self.buurt_weights,
        }
    }

    /// The buurten inside area `i` (empty for a buurt).
    pub fn parts(&self, i: usize) -> &[usize] {
        &self.parts[i]
    }

    /// An area's figure by the roll-up rule ([`roll_up`]): its own value from `get` when
    /// there is one, otherwise the sum of its buurten's.
    pub fn roll_up<T: std::ops::AddAssign>(
        &self,
        i: usize,
        get: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        roll_up(
            get(self.areas[i].code.as_str()),
            self.parts[i]
                .iter()
                .filter_map(|&b| get(self.areas[b].code.as_str())),
        )
    }

    /// The buurt containing a WGS84 point.
    pub fn buurt_at(&self, lon: f64, lat: f64) -> Option<&CachedArea> {
        self.buurt_index
            .locate(Coord { x: lon, y: lat })
            .map(|k| &self.areas[self.buurten[k]])
    }

    /// The gemeente of the data: its area, or the code its buurten imply.
    pub fn gemeente_code(&self) -> Option<AreaCode> {
        self.gemeenten
            .first()
            .map(|&i| self.areas[i].code.clone())
            .or_else(|| self.areas.first().map(|a| a.code.gemeente()))
    }

    /// The union of the areas' WGS84 boxes.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        self.areas.iter().map(|a| a.bbox).reduce(|b, r| {
            [
                b[0].min(r[0]),
                b[1].min(r[1]),
                b[2].max(r[2]),
                b[3].max(r[3]),
            ]
        })
    }

    /// The buurten's extent in RD New metres: `(min, max)`.
    pub fn extent_rd(&self) -> Option<(Coord<f64>, Coord<f64>)> {
        use geo::BoundingRect;
        self.buurten
            .iter()
            .filter_map(|&i| self.areas[i].rd.bounding_rect())
            .map(|r| (r.min(), r.max()))
            .reduce(|(lo, hi), (a, b)| {
                (
                    Coord {
                        x: lo.x.min(a.x),
                        y: lo.y.min(a.y),
                    },
                    Coord {
                        x: hi.x.max(b.x),
                        y: hi.y.max(b.y),
                    },
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, level: &str, x: f64, y: f64, w: f64) -> AreaRow {
        let ring = format!(
            "[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]",
            x + w,
            x + w,
            y + w,
            y + w
        );
        AreaRow {
            code: code.into(),
            level: level.into(),
            name: format!("{code} name"),
            parent_code: None,
            population: Some(1_000),
            boundary_year: 2021,
            geometry: format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#),
            bbox: [x, y, x + w, y + w],
        }
    }

    /// Gemeente GM0141 with wijk WK014101 (two buurten) and WK014102 (one buurt).
    fn town() -> AreaCache {
        AreaCache::build(
            7,
            vec![
                square("BU01410101", "buurt", 6.60, 52.30, 0.01),
                square("BU01410102", "buurt", 6.61, 52.30, 0.01),
                square("BU01410201", "buurt", 6.62, 52.30, 0.01),
                square("GM0141", "gemeente", 6.60, 52.30, 0.03),
                square("WK014101", "wijk", 6.60, 52.30, 0.02),
                square("WK014102", "wijk", 6.62, 52.30, 0.01),
            ],
        )
    }

    #[test]
    fn parts_follow_the_code_structure() {
        let set = town();
        let codes = |code: &str| -> Vec<&str> {
            let i = set.position(code).unwrap();
            set.parts(i)
                .iter()
                .map(|&b| set.areas[b].code.as_str())
                .collect()
        };
        assert_eq!(codes("WK014101"), ["BU01410101", "BU01410102"]);
        assert_eq!(codes("WK014102"), ["BU01410201"]);
        assert_eq!(codes("GM0141"), ["BU01410101", "BU01410102", "BU01410201"]);
        assert!(codes("BU01410101").is_empty());
        assert_eq!(set.gemeente_code().unwrap().as_str(), "GM0141");
    }

    #[test]
    fn roll_up_takes_own_rows_or_the_sum_of_buurten() {
        let set = town();
        let rows: HashMap<&str, i64> =
            [("BU01410101", 3), ("BU01410102", 4), ("WK014102", 9)].into();
        let get = |c: &str| rows.get(c).copied();
        let at = |c: &str| set.roll_up(set.position(c).unwrap(), get);
        assert_eq!(at("WK014101"), Some(7), "sum of its buurten");
        assert_eq!(at("WK014102"), Some(9), "its own row wins");
        assert_eq!(at("BU01410201"), None, "no row is no data, never 0");
        assert_eq!(at("GM0141"), Some(7), "the buurten that have rows");
    }

    #[test]
    fn geometry_is_parsed_once_with_weights_and_interior_points() {
        let set = town();
        assert_eq!(set.generation, 7);
        assert_eq!(set.buurten.len(), 3);
        // Side by side: 0101–0102 and 0102–0201 share an edge.
        assert_eq!(set.buurt_weights.queen.neighbors(1), &[0, 2]);
        let b = set.buurt_at(6.615, 52.305).unwrap();
        assert_eq!(b.code.as_str(), "BU01410102");
        for a in &set.areas {
            let p = a.interior_rd.unwrap();
            let (lon, lat) = MetricFrame::rd().to_wgs84(p.x, p.y);
            assert!(lon > a.bbox[0] && lon < a.bbox[2] && lat > a.bbox[1] && lat < a.bbox[3]);
            assert!(a.geometry.get().starts_with(r#"{"type":"Polygon""#));
        }
    }
}
