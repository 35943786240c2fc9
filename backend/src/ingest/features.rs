//! The neutral result of reading a vector file (GeoJSON or a GeoPackage layer): geometries
//! with their properties, before CRS handling, validation or interpretation as areas.

use geo::Geometry;
use serde_json::{Map, Value};

/// One feature as read from the file. Coordinates are as in the file (not yet reprojected).
#[derive(Debug, Clone)]
pub struct RawFeature {
    /// 0-based position in the file, used in error messages.
    pub index: usize,
    /// The feature `id` member, as text, when present.
    pub id: Option<String>,
    pub properties: Map<String, Value>,
    /// `None` for a feature with `"geometry": null`.
    pub geometry: Option<Geometry<f64>>,
}

/// All features of one file or layer.
#[derive(Debug, Clone, Default)]
pub struct FeatureSet {
    /// The CRS the file declares, normalised to `EPSG:nnnn` (GeoJSON legacy `crs` member,
    /// GeoPackage `srs_id`). `None` when undeclared: RFC 7946 then implies WGS84, but the
    /// coordinates are checked, because RD files without a `crs` member are common.
    pub declared_crs: Option<String>,
    pub features: Vec<RawFeature>,
}

impl RawFeature {
    /// A text property, trimmed, from the first of `names` that is present and non-empty.
    pub fn text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| match self.properties.get(*n)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(x) => Some(x.to_string()),
            _ => None,
        })
    }

    /// A numeric property from the first of `names` that is present and not null.
    pub fn number(&self, names: &[&str]) -> Option<Result<f64, String>> {
        names.iter().find_map(|n| match self.properties.get(*n)? {
            Value::Null => None,
            Value::Number(x) => Some(x.as_f64().ok_or_else(|| format!("'{n}' is out of range"))),
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("'{n}' is '{s}', not a number")),
            ),
            other => Some(Err(format!("'{n}' is {other}, not a number"))),
        })
    }
}
