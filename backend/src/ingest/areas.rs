//! CBS wijk- en buurtkaart polygons (GeoJSON or GeoPackage) into [`Area`]s: code, name,
//! population and a valid WGS84 MultiPolygon each.

use super::crs::{self, CrsDecision};
use super::{FeatureSet, IngestError, RawFeature};
use crate::domain::{Area, AreaCode};
use crate::spatial::frame::MetricFrame;
use geo::{Geometry, MakeValid, MultiPolygon, Validation};
use std::collections::HashMap;
use std::path::Path;

pub const CODE_PROPERTIES: &[&str] = &["code", "statcode", "buurtcode", "wijkcode", "gemeentecode"];
const NAME_PROPERTIES: &[&str] = &[
    "name",
    "statnaam",
    "buurtnaam",
    "wijknaam",
    "gemeentenaam",
    "naam",
];
const POPULATION_PROPERTIES: &[&str] = &[
    "population",
    "aantal_inwoners",
    "aantal_inw",
    "AantalInwoners_5",
];
const YEAR_PROPERTIES: &[&str] = &["year", "jaar", "jrstatcode"];

/// The areas of one file, ready to store.
#[derive(Debug)]
pub struct AreaFile {
    pub areas: Vec<Area>,
    pub crs: CrsDecision,
    /// The boundary year, from a `year`/`jaar` property when the file has one.
    pub boundary_year: Option<i32>,
    /// One line per geometry that `--repair` changed.
    pub repairs: Vec<String>,
    /// One line per feature `--repair` left out for want of a usable geometry.
    pub skipped: Vec<String>,
}

/// Reads an area file; the format (GeoJSON, gzipped GeoJSON, GeoPackage) is detected from
/// its first bytes.
pub async fn read_areas(path: &Path, repair: bool) -> Result<AreaFile, IngestError> {
    let set = if super::gpkg::is_geopackage(path)? {
        super::gpkg::read_features(path).await?
    } else {
        super::geojson::read_features(path)?
    };
    areas_from_features(set, path, repair)
}

pub fn areas_from_features(
    mut set: FeatureSet,
    path: &Path,
    repair: bool,
) -> Result<AreaFile, IngestError> {
    if set.features.is_empty() {
        return Err(IngestError::file(
            path,
            "the file contains no features",
            "export the wijk- en buurtkaart layer with its polygons",
        ));
    }
    let frame = MetricFrame::rd_new();
    let crs = crs::to_wgs84(&mut set, path, &frame)?;
    let mut areas = Vec::with_capacity(set.features.len());
    let mut repairs = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    let mut error_count = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut boundary_year = None;
    for feature in set.features {
        match area_of(&feature, path, repair, &mut repairs, &mut seen) {
            Ok(area) => {
                if boundary_year.is_none() {
                    boundary_year = feature
                        .number(YEAR_PROPERTIES)
                        .and_then(|y| y.ok())
                        .map(|y| y as i32);
                }
                areas.push(area);
            }
            // With --repair a feature without a usable geometry is left out and listed.
            Err(e) if repair && e.field.as_deref() == Some("geometry") => {
                skipped.push(format!(
                    "feature {}{}: {}",
                    feature.index,
                    match &e.location {
                        super::error::Location::Feature { id: Some(id), .. } => format!(" ({id})"),
                        _ => String::new(),
                    },
                    e.problem
                ));
            }
            Err(e) => {
                error_count += 1;
                if errors.len() < super::error::MAX_LISTED {
                    errors.push(e);
                }
            }
        }
    }
    if let Some(e) = IngestError::collect(errors, error_count) {
        return Err(e);
    }
    if areas.is_empty() {
        return Err(IngestError::file(
            path,
            format!(
                "none of the {} features has a usable geometry",
                skipped.len()
            ),
            "export the wijk- en buurtkaart layer with its polygons",
        ));
    }
    Ok(AreaFile {
        areas,
        crs,
        boundary_year,
        repairs,
        skipped,
    })
}

/// One feature as an area, or why not.
fn area_of(
    feature: &RawFeature,
    path: &Path,
    repair: bool,
    repairs: &mut Vec<String>,
    seen: &mut HashMap<String, usize>,
) -> Result<Area, IngestError> {
    let code = area_code(feature, path)?;
    if let Some(first) = seen.insert(code.as_str().to_string(), feature.index) {
        return Err(IngestError::feature(
            path,
            feature.index,
            Some(code.to_string()),
            format!("the code {code} occurs twice (also feature {first})"),
            "each area must appear once; dissolve or remove the duplicate",
        )
        .with_field("code"));
    }
    let geometry = polygonal(feature, &code, path)?;
    let geometry = validate(geometry, feature, &code, path, repair, repairs)?;
    // Collinear rings (a polygon flattened to a line by coarse quantisation) are valid by the
    // letter but cover nothing: no point lies in them and no figure can be carried to them.
    if geo::Area::unsigned_area(&geometry) <= 0.0 {
        return Err(IngestError::feature(
            path,
            feature.index,
            Some(code.to_string()),
            "the polygon has no area (its rings are collinear)",
            "export the area with its real outline, or import with --repair to leave it out",
        )
        .with_field("geometry"));
    }
    let population = match feature.number(POPULATION_PROPERTIES) {
        // CBS marks unknown values with large negative sentinels (−99,999,999 and kin).
        Some(Ok(n)) if n >= 0.0 => Some(n.round() as i64),
        Some(Ok(_)) | None => None,
        Some(Err(e)) => {
            return Err(IngestError::feature(
                path,
                feature.index,
                Some(code.to_string()),
                e,
                "make the population a number or leave it empty",
            )
            .with_field("population"));
        }
    };
    let name = feature
        .text(NAME_PROPERTIES)
        .unwrap_or_else(|| code.to_string());
    Ok(Area {
        parent: code.parent(),
        code,
        name,
        population,
        geometry,
    })
}

fn area_code(f: &RawFeature, path: &Path) -> Result<AreaCode, IngestError> {
    let raw = f
        .text(CODE_PROPERTIES)
        .or_else(|| f.id.clone())
        .ok_or_else(|| {
            IngestError::feature(
                path,
                f.index,
                None,
                "the feature has no CBS code",
                "add a 'code' property (or statcode/buurtcode/wijkcode) such as BU01410101",
            )
            .with_field("code")
        })?;
    AreaCode::parse(&raw).map_err(|e| {
        IngestError::feature(
            path,
            f.index,
            Some(raw.clone()),
            e,
            "areas are keyed by their CBS code; fix the code property",
        )
        .with_field("code")
    })
}

fn polygonal(
    f: &RawFeature,
    code: &AreaCode,
    path: &Path,
) -> Result<MultiPolygon<f64>, IngestError> {
    let err = |problem: String| {
        IngestError::feature(
            path,
            f.index,
            Some(code.to_string()),
            problem,
            "areas need Polygon or MultiPolygon geometry",
        )
        .with_field("geometry")
    };
    match &f.geometry {
        Some(Geometry::Polygon(p)) => Ok(MultiPolygon::new(vec![p.clone()])),
        Some(Geometry::MultiPolygon(mp)) if !mp.0.is_empty() => Ok(mp.clone()),
        Some(Geometry::MultiPolygon(_)) => Err(err("the MultiPolygon is empty".into())),
        Some(other) => Err(err(format!(
            "the geometry is a {}, not a polygon",
            geometry_name(other)
        ))),
        None => Err(err("the geometry is null".into())),
    }
}

fn validate(
    mp: MultiPolygon<f64>,
    f: &RawFeature,
    code: &AreaCode,
    path: &Path,
    repair: bool,
    repairs: &mut Vec<String>,
) -> Result<MultiPolygon<f64>, IngestError> {
    let problems = mp.validation_errors();
    if problems.is_empty() {
        return Ok(mp);
    }
    let reason = problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    if !repair {
        return Err(IngestError::feature(
            path,
            f.index,
            Some(code.to_string()),
            format!("the geometry is invalid: {reason}"),
            "fix it in a GIS (QGIS: Vector > Geometry Tools > Fix Geometries), or import with --repair to have it made valid",
        )
        .with_field("geometry"));
    }
    let fixed = mp.make_valid().map_err(|e| {
        IngestError::feature(
            path,
            f.index,
            Some(code.to_string()),
            format!("the geometry is invalid ({reason}) and could not be repaired ({e})"),
            "fix it in a GIS",
        )
        .with_field("geometry")
    })?;
    if fixed.0.is_empty() || !fixed.is_valid() {
        return Err(IngestError::feature(
            path,
            f.index,
            Some(code.to_string()),
            format!("the geometry is invalid ({reason}) and repair left no valid polygon"),
            "fix it in a GIS",
        )
        .with_field("geometry"));
    }
    repairs.push(format!(
        "feature {} ({code}): {reason} → made valid ({} polygon(s))",
        f.index,
        fixed.0.len()
    ));
    Ok(fixed)
}

pub fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}
