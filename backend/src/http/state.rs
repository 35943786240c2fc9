//! Shared server state. The area set (geometries and the point-in-polygon index) is built
//! once per import generation and shared read-only between requests; instances sharing a
//! PostgreSQL database notice another instance's import through the generation number.

use crate::domain::AreaLevel;
use crate::importer::parse_multipolygon;
use crate::spatial::contiguity::{QueenOptions, Weights, queen_contiguity_wgs84};
use crate::spatial::frame::MetricFrame;
use crate::spatial::index::AreaIndex;
use crate::store::{AreaRow, Store};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::RwLock;

pub struct AreaSet {
    pub generation: i64,
    pub rows: Vec<AreaRow>,
    /// Parsed GeoJSON geometry per row, so responses don't re-parse stored text.
    pub geometry: Vec<serde_json::Value>,
    pub by_code: HashMap<String, usize>,
    /// Row positions of the buurten, in the order of `buurt_index`.
    pub buurten: Vec<usize>,
    pub buurt_index: AreaIndex,
    /// Queen contiguity of the buurten (order of `buurten`) and of the wijken (order of
    /// `wijken`), for the hotspot statistics.
    pub buurt_weights: Weights,
    pub wijken: Vec<usize>,
    pub wijk_weights: Weights,
    /// Buurten and wijken without neighbours, reported with hotspot results.
    pub islands: Vec<String>,
}

impl AreaSet {
    pub fn get(&self, code: &str) -> Option<&AreaRow> {
        self.by_code.get(code).map(|&i| &self.rows[i])
    }

    pub fn level(&self, level: AreaLevel) -> impl Iterator<Item = usize> + '_ {
        (0..self.rows.len()).filter(move |&i| self.rows[i].level == level.as_str())
    }

    /// Codes of the areas directly below `code`.
    pub fn children(&self, code: &str) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| r.parent_code.as_deref() == Some(code))
            .map(|r| r.code.clone())
            .collect()
    }

    /// The buurt containing a point.
    pub fn buurt_at(&self, lon: f64, lat: f64) -> Option<&AreaRow> {
        self.buurt_index
            .locate(geo::Coord { x: lon, y: lat })
            .map(|i| &self.rows[self.buurten[i]])
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub basemap_style_url: Option<String>,
    areas: Arc<RwLock<Option<Arc<AreaSet>>>>,
}

impl AppState {
    pub fn new(store: Store, basemap_style_url: Option<String>) -> Self {
        AppState {
            store,
            basemap_style_url,
            areas: Arc::new(RwLock::new(None)),
        }
    }

    /// The current area set, rebuilt when an import has changed the database.
    pub async fn areas(&self) -> Result<Arc<AreaSet>, crate::store::StoreError> {
        let generation = self.store.generation().await?;
        if let Some(set) = self.areas.read().await.as_ref()
            && set.generation == generation
        {
            return Ok(set.clone());
        }
        let mut slot = self.areas.write().await;
        if let Some(set) = slot.as_ref()
            && set.generation == generation
        {
            return Ok(set.clone());
        }
        let rows = self.store.areas(None).await?;
        let geometry = rows
            .iter()
            .map(|r| serde_json::from_str(&r.geometry).unwrap_or(serde_json::Value::Null))
            .collect();
        let by_code = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        let mut buurten = Vec::new();
        let mut polygons = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            if r.level == AreaLevel::Buurt.as_str()
                && let Some(mp) = parse_multipolygon(&r.geometry)
            {
                buurten.push(i);
                polygons.push(mp);
            }
        }
        let frame = MetricFrame::rd_new();
        let wijken: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].level == AreaLevel::Wijk.as_str())
            .collect();
        let wijk_geoms: Vec<Option<geo::Geometry<f64>>> = wijken
            .iter()
            .map(|&i| parse_multipolygon(&rows[i].geometry).map(geo::Geometry::MultiPolygon))
            .collect();
        let buurt_geoms: Vec<Option<geo::Geometry<f64>>> = polygons
            .iter()
            .map(|p| Some(geo::Geometry::MultiPolygon(p.clone())))
            .collect();
        let (buurt_weights, buurt_report) =
            queen_contiguity_wgs84(&buurt_geoms, &frame, &QueenOptions::default());
        let (wijk_weights, wijk_report) =
            queen_contiguity_wgs84(&wijk_geoms, &frame, &QueenOptions::default());
        let mut islands: Vec<String> = buurt_report
            .islands
            .iter()
            .map(|&k| rows[buurten[k]].code.clone())
            .collect();
        islands.extend(
            wijk_report
                .islands
                .iter()
                .map(|&k| rows[wijken[k]].code.clone()),
        );
        let set = Arc::new(AreaSet {
            buurt_weights,
            wijken,
            wijk_weights,
            islands,
            generation,
            rows,
            geometry,
            by_code,
            buurten,
            buurt_index: AreaIndex::build(&polygons),
        });
        *slot = Some(set.clone());
        Ok(set)
    }
}
