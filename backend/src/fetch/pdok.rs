//! The boundaries of one gemeente from PDOK's OGC API Features (CBS wijken en buurten, one
//! API per year): its gemeente, wijk and buurt polygons, paged by `links[rel=next]`,
//! checked, and written as GeoJSON files the area importer reads.

use super::http::{address, resolve};
use super::manifest::Cache;
use super::{FetchError, Gemeente};
use crate::domain::AreaCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The CRS asked for: WGS84 by its EPSG URI. Under OGC API Features part 2 the answer is
/// then in the EPSG axis order (latitude first); [`axis_order`] checks which order came.
pub const CRS_EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";

/// The page size asked for (PDOK's maximum); the server may answer with fewer per page.
const LIMIT: &str = "1000";

/// A CBS level and the PDOK collection of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Gemeente,
    Wijk,
    Buurt,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Gemeente, Level::Wijk, Level::Buurt];

    pub fn collection(self) -> &'static str {
        match self {
            Level::Gemeente => "gemeenten",
            Level::Wijk => "wijken",
            Level::Buurt => "buurten",
        }
    }

    fn code_field(self) -> &'static str {
        match self {
            Level::Gemeente => "gemeentecode",
            Level::Wijk => "wijkcode",
            Level::Buurt => "buurtcode",
        }
    }

    /// The code prefix of this level inside `gemeente` (`GM0141`, `WK0141`, `BU0141`).
    pub fn prefix(self, gemeente: &Gemeente) -> String {
        let letters = match self {
            Level::Gemeente => "GM",
            Level::Wijk => "WK",
            Level::Buurt => "BU",
        };
        format!("{letters}{}", gemeente.digits())
    }
}

/// One page of an OGC API Features `items` answer (a GeoJSON FeatureCollection).
#[derive(Debug, Deserialize)]
struct FeaturePage {
    #[serde(rename = "type")]
    kind: String,
    features: Vec<PdokFeature>,
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Debug, Deserialize)]
struct Link {
    rel: String,
    href: String,
    #[serde(rename = "type", default)]
    media_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PdokFeature {
    properties: Properties,
    geometry: Option<Polygonal>,
}

/// The properties of the CBS wijk- en buurtkaart that the fetch uses; the ~100 statistics
/// beside them are not read.
#[derive(Debug, Default, Deserialize)]
struct Properties {
    buurtcode: Option<String>,
    buurtnaam: Option<String>,
    wijkcode: Option<String>,
    wijknaam: Option<String>,
    gemeentecode: Option<String>,
    gemeentenaam: Option<String>,
    #[serde(alias = "aantalInwoners", alias = "aantalinwoners")]
    aantal_inwoners: Option<f64>,
    /// `JA` for a polygon that is (mostly) water, `NEE` for land.
    water: Option<String>,
}

impl Properties {
    fn code(&self, level: Level) -> Option<&str> {
        match level {
            Level::Gemeente => self.gemeentecode.as_deref(),
            Level::Wijk => self.wijkcode.as_deref(),
            Level::Buurt => self.buurtcode.as_deref(),
        }
    }

    fn name(&self, level: Level) -> Option<&str> {
        match level {
            Level::Gemeente => self.gemeentenaam.as_deref(),
            Level::Wijk => self.wijknaam.as_deref(),
            Level::Buurt => self.buurtnaam.as_deref(),
        }
        .map(str::trim)
        .filter(|n| !n.is_empty())
    }
}

/// The two geometry types areas come in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "type")]
pub enum Polygonal {
    Polygon {
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
}

impl Polygonal {
    fn positions(&self) -> Box<dyn Iterator<Item = &[f64; 2]> + '_> {
        match self {
            Polygonal::Polygon { coordinates } => Box::new(coordinates.iter().flatten()),
            Polygonal::MultiPolygon { coordinates } => {
                Box::new(coordinates.iter().flatten().flatten())
            }
        }
    }

    fn swap_axes(&mut self) {
        let swap = |p: &mut [f64; 2]| p.swap(0, 1);
        match self {
            Polygonal::Polygon { coordinates } => coordinates.iter_mut().flatten().for_each(swap),
            Polygonal::MultiPolygon { coordinates } => {
                coordinates.iter_mut().flatten().flatten().for_each(swap)
            }
        }
    }
}

/// One area as written for the importer.
#[derive(Debug, Clone)]
pub struct FetchedArea {
    pub code: AreaCode,
    pub name: String,
    pub population: Option<i64>,
    pub geometry: Polygonal,
}

/// The boundaries of one year.
#[derive(Debug)]
pub struct Boundaries {
    pub year: i32,
    pub levels: Vec<(Level, Vec<FetchedArea>)>,
}

impl Boundaries {
    pub fn codes(&self) -> impl Iterator<Item = &AreaCode> {
        self.levels
            .iter()
            .flat_map(|(_, a)| a.iter().map(|a| &a.code))
    }
}

/// The coordinate order of a level's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisOrder {
    LonLat,
    LatLon,
}

/// Longitude and latitude bounds that hold every Dutch area, sea included. The two ranges do
/// not overlap, so the order of a pair is never ambiguous.
const LON: std::ops::RangeInclusive<f64> = 2.0..=8.0;
const LAT: std::ops::RangeInclusive<f64> = 50.0..=54.5;

/// Which order the coordinates are in, or the first position that fits neither.
pub fn axis_order<'a>(
    mut positions: impl Iterator<Item = &'a [f64; 2]>,
) -> Result<AxisOrder, [f64; 2]> {
    let Some(first) = positions.next() else {
        return Ok(AxisOrder::LonLat);
    };
    let order = if LON.contains(&first[0]) && LAT.contains(&first[1]) {
        AxisOrder::LonLat
    } else if LAT.contains(&first[0]) && LON.contains(&first[1]) {
        AxisOrder::LatLon
    } else {
        return Err(*first);
    };
    for p in positions {
        let fits = match order {
            AxisOrder::LonLat => LON.contains(&p[0]) && LAT.contains(&p[1]),
            AxisOrder::LatLon => LAT.contains(&p[0]) && LON.contains(&p[1]),
        };
        if !fits {
            return Err(*p);
        }
    }
    Ok(order)
}

/// The first page of a level's items.
pub fn items_url(base: &str, year: i32, level: Level, gemeente: &Gemeente) -> String {
    address(
        base,
        &format!(
            "/cbs/wijken-en-buurten-{year}/ogc/v1/collections/{}/items",
            level.collection()
        ),
        &[
            ("f", "json"),
            ("gemeentecode", gemeente.code()),
            ("crs", CRS_EPSG_4326),
            ("limit", LIMIT),
        ],
    )
}

/// Fetches the boundaries of the newest year from `years` (newest first) that PDOK has; each
/// year it lacks is said in `notes`. `Ok(None)` when it has none of them.
pub async fn fetch_boundaries(
    cache: &mut Cache,
    base: &str,
    gemeente: &Gemeente,
    years: &[i32],
    notes: &mut Vec<String>,
) -> Result<Option<Boundaries>, FetchError> {
    for &year in years {
        let mut levels = Vec::new();
        for level in Level::ALL {
            match fetch_level(cache, base, gemeente, year, level).await? {
                Some(areas) => levels.push((level, areas)),
                None if level == Level::Gemeente => break,
                None => {
                    return Err(FetchError::Payload {
                        url: items_url(base, year, level, gemeente),
                        field: "collection".into(),
                        problem: format!(
                            "PDOK has wijken-en-buurten-{year} but not its collection '{}' (404)",
                            level.collection()
                        ),
                        fix: "choose another year with --boundary-year".into(),
                    });
                }
            }
        }
        if levels.len() == Level::ALL.len() {
            return Ok(Some(Boundaries { year, levels }));
        }
        notes.push(format!(
            "PDOK has no wijken-en-buurten-{year} (404 for {}); the boundaries of {year} are skipped",
            items_url(base, year, Level::Gemeente, gemeente)
        ));
    }
    Ok(None)
}

/// All pages of one level; `Ok(None)` when the first page is a 404.
async fn fetch_level(
    cache: &mut Cache,
    base: &str,
    gemeente: &Gemeente,
    year: i32,
    level: Level,
) -> Result<Option<Vec<FetchedArea>>, FetchError> {
    let mut url = items_url(base, year, level, gemeente);
    let first_url = url.clone();
    let prefix = level.prefix(gemeente);
    let mut features: Vec<(String, PdokFeature)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for page_no in 1.. {
        let name = format!("pdok-{year}-{}-{}", gemeente.code(), level.collection());
        let Some(page) = cache
            .page(&url, &name, page_no, &mut seen, "links[rel=next]")
            .await?
        else {
            return Ok(None);
        };
        let parsed: FeaturePage =
            serde_json::from_slice(&page.body).map_err(|e| FetchError::Payload {
                url: page.url.clone(),
                field: "features".into(),
                problem: format!("the answer is not a FeatureCollection of areas ({e})"),
                fix: "check that --pdok-url points at PDOK's OGC API (or a mirror of it)".into(),
            })?;
        if parsed.kind != "FeatureCollection" {
            return Err(FetchError::Payload {
                url: page.url,
                field: "type".into(),
                problem: format!("'{}' instead of FeatureCollection", parsed.kind),
                fix: "check that --pdok-url points at PDOK's OGC API (or a mirror of it)".into(),
            });
        }
        for (i, f) in parsed.features.into_iter().enumerate() {
            let field = level.code_field();
            let Some(raw) = f.properties.code(level) else {
                return Err(FetchError::Payload {
                    url: page.url,
                    field: format!("features[{i}].properties.{field}"),
                    problem: "the code is missing".into(),
                    fix: "the collection's properties changed; report it with this address".into(),
                });
            };
            let code = raw.trim().to_string();
            if !code.starts_with(&prefix) {
                return Err(FetchError::Payload {
                    url: page.url,
                    field: format!("features[{i}].properties.{field}"),
                    problem: format!(
                        "{code} is not in {} (the server did not apply the gemeentecode filter)",
                        gemeente.code()
                    ),
                    fix: "check that --pdok-url points at PDOK's OGC API, which filters on gemeentecode".into(),
                });
            }
            if f.geometry.is_none() {
                return Err(FetchError::Payload {
                    url: page.url,
                    field: format!("features[{i}].geometry"),
                    problem: format!("{code} has no geometry"),
                    fix: "try again later; PDOK serves every area with its polygon".into(),
                });
            }
            features.push((page.url.clone(), f));
        }
        let next = parsed
            .links
            .iter()
            .filter(|l| l.rel == "next")
            .find(|l| l.media_type.as_deref().is_none_or(|t| t.contains("json")));
        match next {
            Some(link) => url = resolve(&page.url, &link.href)?,
            None => break,
        }
    }
    areas_of(level, features, &first_url).map(Some)
}

/// Checks and merges the features of one level: one area per code, land where PDOK also
/// has a water polygon for the code, and coordinates in lon/lat order.
fn areas_of(
    level: Level,
    features: Vec<(String, PdokFeature)>,
    first_url: &str,
) -> Result<Vec<FetchedArea>, FetchError> {
    let mut by_code: BTreeMap<String, Vec<(String, PdokFeature)>> = BTreeMap::new();
    for (url, f) in features {
        let code = f
            .properties
            .code(level)
            .unwrap_or_default()
            .trim()
            .to_string();
        by_code.entry(code).or_default().push((url, f));
    }
    let mut areas = Vec::with_capacity(by_code.len());
    for (code, mut parts) in by_code {
        if parts.len() > 1 {
            parts.retain(|(_, f)| {
                f.properties
                    .water
                    .as_deref()
                    .is_none_or(|w| !w.trim().eq_ignore_ascii_case("JA"))
            });
        }
        let (url, f) = match parts.len() {
            1 => parts.pop().expect("one part"),
            n => {
                return Err(FetchError::Payload {
                    url: first_url.to_string(),
                    field: level.code_field().into(),
                    problem: format!("{code} occurs {n} times (as land, not water)"),
                    fix: "the collection has duplicate areas; try another --boundary-year".into(),
                });
            }
        };
        let parsed = AreaCode::parse(&code).map_err(|e| FetchError::Payload {
            url: url.clone(),
            field: level.code_field().into(),
            problem: e,
            fix: "the collection's codes changed; report it with this address".into(),
        })?;
        let population = f
            .properties
            .aantal_inwoners
            // CBS marks unknown or secret figures with negative sentinels (−99997 and kin).
            .filter(|n| *n >= 0.0)
            .map(|n| n.round() as i64);
        areas.push(FetchedArea {
            name: f
                .properties
                .name(level)
                .map_or_else(|| code.clone(), str::to_string),
            code: parsed,
            population,
            geometry: f.geometry.expect("checked on arrival"),
        });
    }
    match axis_order(areas.iter().flat_map(|a| a.geometry.positions())) {
        Ok(AxisOrder::LonLat) => {}
        Ok(AxisOrder::LatLon) => areas.iter_mut().for_each(|a| a.geometry.swap_axes()),
        Err(p) => {
            return Err(FetchError::Payload {
                url: first_url.to_string(),
                field: "geometry".into(),
                problem: format!(
                    "the position [{}, {}] is not in degrees inside the Netherlands",
                    p[0], p[1]
                ),
                fix: format!(
                    "the server ignored crs={CRS_EPSG_4326}; check --pdok-url (a mirror must answer in WGS84)"
                ),
            });
        }
    }
    Ok(areas)
}

/// The GeoJSON FeatureCollection the area importer reads.
#[derive(Serialize)]
struct OutCollection<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    crs: OutCrs,
    features: Vec<OutFeature<'a>>,
}

#[derive(Serialize)]
struct OutCrs {
    #[serde(rename = "type")]
    kind: &'static str,
    properties: OutCrsName,
}

#[derive(Serialize)]
struct OutCrsName {
    name: &'static str,
}

#[derive(Serialize)]
struct OutFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    properties: OutProperties<'a>,
    geometry: &'a Polygonal,
}

/// The property names [`crate::ingest::areas`] reads.
#[derive(Serialize)]
struct OutProperties<'a> {
    code: &'a str,
    name: &'a str,
    parent: Option<String>,
    year: i32,
    population: Option<i64>,
}

/// The file of one level, in lon/lat with the CRS declared.
pub fn geojson(areas: &[FetchedArea], year: i32) -> Vec<u8> {
    let collection = OutCollection {
        kind: "FeatureCollection",
        crs: OutCrs {
            kind: "name",
            properties: OutCrsName {
                name: "urn:ogc:def:crs:OGC:1.3:CRS84",
            },
        },
        features: areas
            .iter()
            .map(|a| OutFeature {
                kind: "Feature",
                id: a.code.as_str(),
                properties: OutProperties {
                    code: a.code.as_str(),
                    name: &a.name,
                    parent: a.code.parent().map(|p| p.to_string()),
                    year,
                    population: a.population,
                },
                geometry: &a.geometry,
            })
            .collect(),
    };
    serde_json::to_vec(&collection).expect("plain structs serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(code: &str, water: &str, ring: &[[f64; 2]]) -> (String, PdokFeature) {
        (
            "http://pdok/p1".into(),
            PdokFeature {
                properties: Properties {
                    buurtcode: Some(format!("{code}  ")),
                    buurtnaam: Some("Naam".into()),
                    aantal_inwoners: Some(-99997.0),
                    water: Some(water.into()),
                    ..Properties::default()
                },
                geometry: Some(Polygonal::Polygon {
                    coordinates: vec![ring.to_vec()],
                }),
            },
        )
    }

    const LAT_LON: [[f64; 2]; 4] = [[52.3, 6.6], [52.3, 6.7], [52.4, 6.7], [52.3, 6.6]];

    #[test]
    fn lat_lon_answers_are_turned_to_lon_lat_and_sentinels_dropped() {
        let areas = areas_of(
            Level::Buurt,
            vec![feature("BU01411000", "NEE", &LAT_LON)],
            "http://pdok/p1",
        )
        .unwrap();
        assert_eq!(areas[0].code.as_str(), "BU01411000");
        assert_eq!(areas[0].population, None);
        assert_eq!(
            areas[0].geometry.positions().next().copied(),
            Some([6.6, 52.3])
        );
    }

    #[test]
    fn a_water_twin_is_left_out_and_rd_metres_are_refused() {
        let areas = areas_of(
            Level::Buurt,
            vec![
                feature("BU01411000", "JA", &LAT_LON),
                feature("BU01411000", "NEE", &LAT_LON),
            ],
            "http://pdok/p1",
        )
        .unwrap();
        assert_eq!(areas.len(), 1);
        let rd = [
            [250000.0, 480000.0],
            [250100.0, 480000.0],
            [250000.0, 480100.0],
        ];
        let err = areas_of(
            Level::Buurt,
            vec![feature("BU01411000", "NEE", &rd)],
            "http://pdok/p1",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("http://pdok/p1")
                && err.contains("geometry")
                && err.contains("--pdok-url"),
            "{err}"
        );
    }

    #[test]
    fn mixed_orders_are_refused() {
        let mixed = [[6.6, 52.3], [52.3, 6.6]];
        assert_eq!(axis_order(mixed.iter()), Err([52.3, 6.6]));
    }
}
