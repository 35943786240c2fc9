//! GeoJSON (RFC 7946) as typed values: a [`Feature`] with typed properties and a geometry
//! that is already serialised (area geometry comes pre-serialised from the
//! [`super::AreaCache`]; points are written here), and a plain [`FeatureCollection`].

use serde::Serialize;
use serde_json::value::RawValue;

/// The `"type": "Feature"` tag.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum FeatureTag {
    Feature,
}

/// The `"type": "FeatureCollection"` tag.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum CollectionTag {
    FeatureCollection,
}

/// A GeoJSON geometry object, serialised once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(value_type = Object)]
pub struct Geometry(Box<RawValue>);

impl Geometry {
    /// A WGS84 point.
    pub fn point(lon: f64, lat: f64) -> Geometry {
        let text = if lon.is_finite() && lat.is_finite() {
            format!(r#"{{"type":"Point","coordinates":[{lon},{lat}]}}"#)
        } else {
            "null".to_string()
        };
        Geometry(RawValue::from_string(text).expect("a point is valid JSON"))
    }

    /// A geometry already serialised (e.g. as stored), or `null` when it is not JSON.
    pub fn raw(text: String) -> Geometry {
        Geometry(
            RawValue::from_string(text)
                .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON")),
        )
    }

    /// No geometry (`null`): the feature's shape comes from elsewhere (the vector tiles).
    pub fn null() -> Geometry {
        Geometry(RawValue::from_string("null".into()).expect("null is JSON"))
    }

    /// A copy of a cached geometry.
    pub fn from_cached(raw: &RawValue) -> Geometry {
        Geometry(raw.to_owned())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Feature<P> {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    pub id: String,
    pub geometry: Geometry,
    pub properties: P,
}

impl<P> Feature<P> {
    pub fn new(id: impl Into<String>, geometry: Geometry, properties: P) -> Feature<P> {
        Feature {
            kind: FeatureTag::Feature,
            id: id.into(),
            geometry,
            properties,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeatureCollection<P> {
    #[serde(rename = "type")]
    pub kind: CollectionTag,
    pub features: Vec<Feature<P>>,
}

impl<P> FeatureCollection<P> {
    pub fn new(features: Vec<Feature<P>>) -> FeatureCollection<P> {
        FeatureCollection {
            kind: CollectionTag::FeatureCollection,
            features,
        }
    }
}
