//! The vector tiles of each boundary year's areas ([`crate::tiles`]), held per tile generation.
//!
//! A tile set is built from the area cache of a boundary year with every gemeente, once per
//! tile generation (a hash of the areas, see [`TileSet::generation`]): an import of cameras or
//! offences changes the data generation but not the areas, and keeps the tiles. A tile URL that
//! names a held generation is answered from memory with no database read at all, which is what
//! makes cached tiles cheap; without one (or with an old one) the current set is looked up.

use super::{GemeenteChoice, Scope, Service, ServiceError, ServiceResult};
use crate::domain::AreaLevel;
use crate::tiles::{LEVELS, MAX_ZOOM, TileArea, TileSet};
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// At most this many tile sets are held (the current ones of a few boundary years, and the
/// one just replaced, whose URLs browsers may still ask for).
const MAX_TILE_SETS: usize = 4;

#[derive(Default)]
pub(super) struct TileSets {
    by_generation: HashMap<String, Arc<TileSet>>,
    /// Order of arrival, oldest first, for eviction.
    order: Vec<String>,
    /// Per (data generation, boundary year): its tile generation.
    known: HashMap<(i64, i64), String>,
}

/// Where a boundary year's tiles are, in the shape MapLibre's vector source wants.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TileSetInfo {
    /// The tile generation: the `g` of the URLs; changes only when the areas change.
    pub generation: String,
    pub boundary_year: i64,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// WGS84 `[min_lon, min_lat, max_lon, max_lat]` of every area of the year.
    pub bounds: [f64; 4],
    /// The levels that have areas.
    pub levels: Vec<AreaLevel>,
    /// Per level, the URL template (`{z}/{x}/{y}`), relative to the server's root.
    pub tiles: HashMap<AreaLevel, String>,
}

/// A tile and whether it belongs to the generation the request named.
pub struct TileAnswer {
    pub bytes: Bytes,
    pub generation: String,
    /// The request named this tile's generation: the answer never changes.
    pub immutable: bool,
}

impl Service {
    /// The tile generation of a scope's boundary year (its areas of every gemeente).
    pub async fn tile_generation(&self, scope: &Scope) -> ServiceResult<String> {
        Ok(self.tile_set(scope).await?.generation.clone())
    }

    /// The tile set of a scope's boundary year (every gemeente, whatever the scope's gemeente).
    pub async fn tile_set(&self, scope: &Scope) -> ServiceResult<Arc<TileSet>> {
        let all = Scope {
            gemeente: GemeenteChoice::All,
            ..scope.clone()
        };
        let set = self.areas(&all).await?;
        let key = (set.generation, set.scope.year);
        if let Some(t) = self.held_tiles(key) {
            return Ok(t);
        }
        // One build at a time: the first map load asks for a dozen tiles at once.
        let _building = self.tile_build.lock().await;
        if let Some(t) = self.held_tiles(key) {
            return Ok(t);
        }
        let year = set.scope.year;
        let (generation, areas) = tokio::task::spawn_blocking(move || {
            let areas: Vec<TileArea> = set
                .areas
                .iter()
                .map(|a| TileArea {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    wgs84: a.wgs84.clone(),
                })
                .collect();
            (TileSet::generation_of(year, &areas), areas)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing the areas failed: {e}")))?;
        let held = self
            .tiles
            .read()
            .ok()
            .and_then(|t| t.by_generation.get(&generation).cloned());
        let tiles = match held {
            Some(t) => t,
            None => Arc::new(
                tokio::task::spawn_blocking(move || TileSet::build(year, areas))
                    .await
                    .map_err(|e| {
                        ServiceError::Internal(format!("building the tiles failed: {e}"))
                    })?,
            ),
        };
        if let Ok(mut sets) = self.tiles.write() {
            sets.known.insert(key, tiles.generation.clone());
            if !sets.by_generation.contains_key(&tiles.generation) {
                sets.order.push(tiles.generation.clone());
                sets.by_generation
                    .insert(tiles.generation.clone(), tiles.clone());
                while sets.order.len() > MAX_TILE_SETS {
                    let old = sets.order.remove(0);
                    sets.by_generation.remove(&old);
                    sets.known.retain(|_, g| *g != old);
                }
            }
        }
        Ok(tiles)
    }

    fn held_tiles(&self, key: (i64, i64)) -> Option<Arc<TileSet>> {
        let sets = self.tiles.read().ok()?;
        sets.by_generation.get(sets.known.get(&key)?).cloned()
    }

    /// Where a scope's tiles are.
    pub async fn tile_info(&self, scope: &Scope) -> ServiceResult<TileSetInfo> {
        let set = self.tile_set(scope).await?;
        let levels: Vec<AreaLevel> = LEVELS
            .into_iter()
            .filter(|&l| !set.level(l).is_empty())
            .collect();
        let tiles = levels
            .iter()
            .map(|&l| {
                (
                    l,
                    format!(
                        "/tiles/{}/{{z}}/{{x}}/{{y}}.mvt?indeling={}&g={}",
                        l.as_str(),
                        set.boundary_year,
                        set.generation
                    ),
                )
            })
            .collect();
        Ok(TileSetInfo {
            generation: set.generation.clone(),
            boundary_year: set.boundary_year,
            minzoom: 0,
            maxzoom: MAX_ZOOM,
            bounds: set.bounds,
            levels,
            tiles,
        })
    }

    /// Tile `z/x/y` of `level`. With `generation` naming a held set, that set answers from
    /// memory (no database read); otherwise the scope's current set does.
    pub async fn tile(
        &self,
        scope: &Scope,
        generation: Option<&str>,
        level: AreaLevel,
        (z, x, y): (u8, u32, u32),
    ) -> ServiceResult<TileAnswer> {
        TileSet::check(z, x, y).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        let named = generation.and_then(|g| {
            let sets = self.tiles.read().ok()?;
            sets.by_generation.get(g).cloned()
        });
        let set = match named {
            Some(set) => set,
            None => self.tile_set(scope).await?,
        };
        let immutable = generation == Some(set.generation.as_str());
        let bytes = match set.cached(level, z, x, y) {
            Some(b) => b,
            None => {
                let s = set.clone();
                tokio::task::spawn_blocking(move || s.tile(level, z, x, y))
                    .await
                    .map_err(|e| ServiceError::Internal(format!("making a tile failed: {e}")))?
                    .map_err(|e| ServiceError::BadRequest(e.to_string()))?
            }
        };
        Ok(TileAnswer {
            bytes,
            generation: set.generation.clone(),
            immutable,
        })
    }
}
