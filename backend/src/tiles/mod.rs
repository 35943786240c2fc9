//! Vector tiles (Mapbox Vector Tile 2.1) of one boundary year's areas, made in process.
//!
//! Why in process: the areas are already parsed in the area cache, the tiles are the same for
//! every user (geometry, codes and names only, never figures), and a map that joins figures
//! to tiles by `feature-state` then needs only a few kilobytes of figures per view instead of
//! megabytes of GeoJSON. This is what made the national map paint in 14 s.
//!
//! Per level (gemeente, wijk, buurt) the areas are projected to Web Mercator once and cut into
//! shared arcs ([`crate::spatial::topology`]); per zoom the arcs are simplified once (lazily, on
//! the first tile of that zoom) to a quarter of a screen pixel, so neighbours never show gaps or
//! overlaps. A tile then takes the areas whose box meets it (an R-tree), writes them in tile
//! coordinates clipped to the tile plus a buffer, and is cached by `(level, z, x, y)`.
//!
//! Each tile has two layers:
//! - `areas`: the polygons; feature id [`AreaCode::tile_id`], property `code`, and `name` from
//!   zoom [`NAMES_FROM_ZOOM`] (below it ten thousand names made a national tile 0.7 MB, and
//!   the labels layer carries the names that can be shown);
//! - `labels`: one point per area whose label can be read at that zoom (its box is at least
//!   [`LABEL_MIN_PX`] screen pixels), at geo's interior point, in the one tile that holds it;
//!   same id, properties `code`, `name` and `rank` (0 for the largest area: the label's
//!   `symbol-sort-key`, so that when labels collide the larger area keeps its name).
//!
//! The set's [`TileSet::generation`] is a hash of what the tiles show (year, codes, names,
//! every coordinate): the same areas give the same generation on every server instance, so a
//! tile URL carrying it can be cached as immutable by browsers and proxies alike.

pub mod export;

use crate::domain::{AreaCode, AreaLevel};
use crate::spatial::topology::Topology;
use bytes::Bytes;
use geo::{Coord, InteriorPoint, MapCoords, MultiPolygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, RwLock};

/// Tile coordinates run from 0 to this extent (MVT's default).
pub const EXTENT: u32 = 4096;
/// Geometry beyond the tile edge, in tile units, so strokes join across tiles.
pub const BUFFER: f64 = 64.0;
/// The deepest zoom served; MapLibre over-zooms beyond it.
pub const MAX_ZOOM: u8 = 14;
/// A label is put in a tile only when its area is at least this many screen pixels wide or
/// high at that zoom (512-pixel tiles): smaller ones cannot carry a name.
pub const LABEL_MIN_PX: f64 = 24.0;
/// The `areas` layer names its features from this zoom on.
pub const NAMES_FROM_ZOOM: u8 = 10;
/// Simplification tolerance in tile units (8 units to a screen pixel).
const TOLERANCE_UNITS: f64 = 2.0;
/// At most this many bytes of encoded tiles are kept per set; beyond it the cache starts over.
const CACHE_BYTES: usize = 256 << 20;

/// Half the Web Mercator world's width, metres.
const HALF_WORLD: f64 = std::f64::consts::PI * 6_378_137.0;

/// The levels a tile source exists for, in URL spelling.
pub const LEVELS: [AreaLevel; 3] = [AreaLevel::Gemeente, AreaLevel::Wijk, AreaLevel::Buurt];

/// One area as the tiles need it.
pub struct TileArea {
    pub code: AreaCode,
    pub name: String,
    /// WGS84, RFC 7946 ring order.
    pub wgs84: MultiPolygon<f64>,
}

/// Why a tile could not be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TileError {
    #[error("zoom {0} is beyond the tiles' deepest zoom {MAX_ZOOM}")]
    Zoom(u8),
    #[error("tile {x}/{y} does not exist at zoom {z} (x and y run from 0 to {max})", max = (1u64 << z) - 1)]
    OutOfRange { z: u8, x: u32, y: u32 },
}

/// Lon/lat to Web Mercator metres (EPSG:3857).
pub fn mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    Coord {
        x: c.x.to_radians() * 6_378_137.0,
        y: (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() * 6_378_137.0,
    }
}

/// The Web Mercator bounds `[min_x, min_y, max_x, max_y]` of tile `z/x/y`.
pub fn tile_bounds(z: u8, x: u32, y: u32) -> [f64; 4] {
    let span = 2.0 * HALF_WORLD / f64::from(1u32 << z);
    let min_x = -HALF_WORLD + f64::from(x) * span;
    let max_y = HALF_WORLD - f64::from(y) * span;
    [min_x, max_y - span, min_x + span, max_y]
}

/// The tiles of one level.
pub struct TileLevel {
    ids: Vec<u64>,
    codes: Vec<String>,
    names: Vec<String>,
    /// Web Mercator boxes and label points.
    boxes: Vec<[f64; 4]>,
    labels: Vec<Option<Coord<f64>>>,
    rank: Vec<u32>,
    topology: Topology,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Per zoom, every area simplified for it (built on the first tile of that zoom).
    zooms: Vec<OnceLock<Vec<MultiPolygon<f64>>>>,
}

impl TileLevel {
    fn build(areas: Vec<&TileArea>) -> TileLevel {
        let merc: Vec<MultiPolygon<f64>> =
            areas.iter().map(|a| a.wgs84.map_coords(mercator)).collect();
        let boxes: Vec<[f64; 4]> = merc.iter().map(bbox_of).collect();
        let labels = merc
            .iter()
            .map(|m| m.interior_point().map(|p| p.0))
            .collect();
        let mut by_size: Vec<usize> = (0..areas.len()).collect();
        let size = |b: &[f64; 4]| (b[2] - b[0]) * (b[3] - b[1]);
        by_size.sort_by(|&a, &b| size(&boxes[b]).total_cmp(&size(&boxes[a])));
        let mut rank = vec![0u32; areas.len()];
        for (r, &i) in by_size.iter().enumerate() {
            rank[i] = r as u32;
        }
        let tree = RTree::bulk_load(
            boxes
                .iter()
                .enumerate()
                .filter(|(_, b)| b.iter().all(|v| v.is_finite()))
                .map(|(i, b)| {
                    GeomWithData::new(Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]), i)
                })
                .collect(),
        );
        TileLevel {
            ids: areas.iter().map(|a| a.code.tile_id()).collect(),
            codes: areas.iter().map(|a| a.code.to_string()).collect(),
            names: areas.iter().map(|a| a.name.clone()).collect(),
            topology: Topology::build(&merc),
            boxes,
            labels,
            rank,
            tree,
            zooms: (0..=MAX_ZOOM).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Every area of this level as drawn at zoom `z` (Web Mercator metres).
    pub fn at_zoom(&self, z: u8) -> &[MultiPolygon<f64>] {
        self.zooms[usize::from(z)].get_or_init(|| {
            let unit = 2.0 * HALF_WORLD / f64::from(1u32 << z) / f64::from(EXTENT);
            // Snapped to this zoom's tile grid (whose corner is the world's top left), so that
            // writing tile coordinates rounds nothing and cannot make neighbours overlap.
            let origin = Coord {
                x: -HALF_WORLD,
                y: HALF_WORLD,
            };
            self.topology
                .simplify_on_grid(unit * TOLERANCE_UNITS, origin, unit)
        })
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The areas whose box meets the Web Mercator box `b`.
    fn meeting(&self, b: [f64; 4]) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&rstar::AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .map(|g| g.data)
            .collect();
        found.sort_unstable();
        found
    }

    /// Encodes tile `z/x/y` of this level.
    fn encode(&self, z: u8, x: u32, y: u32) -> Vec<u8> {
        let b = tile_bounds(z, x, y);
        let span = b[2] - b[0];
        let scale = f64::from(EXTENT) / span;
        let pad = BUFFER / scale;
        let members = self.meeting([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]);
        if members.is_empty() {
            return Vec::new();
        }
        let to_tile = |c: Coord<f64>| Coord {
            x: (c.x - b[0]) * scale,
            y: (b[3] - c.y) * scale,
        };
        let geometry = self.at_zoom(z);
        let mut tile = mvt::Tile::new(EXTENT);
        let mut layer = tile.create_layer("areas");
        for &i in &members {
            let Some(data) = encode_polygons(&geometry[i], to_tile) else {
                continue;
            };
            let mut f = layer.into_feature(data);
            f.set_id(self.ids[i]);
            f.add_tag_string("code", &self.codes[i]);
            if z >= NAMES_FROM_ZOOM {
                f.add_tag_string("name", &self.names[i]);
            }
            layer = f.into_layer();
        }
        let mut labels = tile.create_layer("labels");
        let px_per_m = scale / 8.0;
        for &i in &members {
            let bx = &self.boxes[i];
            if (bx[2] - bx[0]).max(bx[3] - bx[1]) * px_per_m < LABEL_MIN_PX {
                continue;
            }
            let Some(p) = self.labels[i] else { continue };
            if p.x < b[0] || p.x >= b[2] || p.y <= b[1] || p.y > b[3] {
                continue;
            }
            let t = to_tile(p);
            let Ok(data) = mvt::GeomEncoder::new(mvt::GeomType::Point)
                .point(t.x.round(), t.y.round())
                .and_then(|e| e.encode())
            else {
                continue;
            };
            let mut f = labels.into_feature(data);
            f.set_id(self.ids[i]);
            f.add_tag_string("code", &self.codes[i]);
            f.add_tag_string("name", &self.names[i]);
            f.add_tag_uint("rank", u64::from(self.rank[i]));
            labels = f.into_layer();
        }
        for l in [layer, labels] {
            if l.num_features() > 0 {
                // Only fails on a duplicate layer name, and ours are fixed and distinct.
                let _ = tile.add_layer(l);
            }
        }
        tile.to_bytes().unwrap_or_default()
    }
}

/// The polygons of an area in tile units, clipped to the tile plus its buffer; rings that
/// round to no area are left out (and a polygon whose exterior does). Exteriors are written
/// clockwise and holes counter-clockwise in tile coordinates, as MVT 2.1 asks.
fn encode_polygons(
    mp: &MultiPolygon<f64>,
    to_tile: impl Fn(Coord<f64>) -> Coord<f64>,
) -> Option<mvt::GeomData> {
    let lo = -BUFFER;
    let hi = f64::from(EXTENT) + BUFFER;
    let mut enc = mvt::GeomEncoder::new(mvt::GeomType::Polygon);
    let mut any = false;
    for poly in &mp.0 {
        let rings = std::iter::once((true, poly.exterior()))
            .chain(poly.interiors().iter().map(|r| (false, r)));
        for (exterior, ring) in rings {
            let open = &ring.0[..ring.0.len().saturating_sub(1)];
            let tile: Vec<Coord<f64>> = open.iter().map(|&c| to_tile(c)).collect();
            let mut pts: Vec<Coord<f64>> = clip_ring(&tile, lo, hi)
                .into_iter()
                .map(|c| Coord {
                    x: c.x.round(),
                    y: c.y.round(),
                })
                .collect();
            pts.dedup();
            while pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            let area = signed_area(&pts);
            if pts.len() < 3 || area == 0.0 {
                if exterior {
                    break;
                }
                continue;
            }
            // Screen coordinates (y down): clockwise has a positive shoelace sum.
            if (area > 0.0) != exterior {
                pts.reverse();
            }
            for p in &pts {
                enc.add_point(p.x, p.y).ok()?;
            }
            enc.complete_geom().ok()?;
            any |= exterior;
        }
    }
    if !any {
        return None;
    }
    enc.encode().ok().filter(|d| !d.is_empty())
}

/// Sutherland–Hodgman: an open ring clipped to the square `lo..=hi` (tile units, with the
/// buffer). The closing edge is clipped like every other, which the `mvt` crate's own
/// clamping does not do; what the clip adds runs along the square, outside the tile.
fn clip_ring(ring: &[Coord<f64>], lo: f64, hi: f64) -> Vec<Coord<f64>> {
    let mut out = ring.to_vec();
    // (axis is x, keep the side >= or <= the bound)
    for (x_axis, bound, keep_above) in [
        (true, lo, true),
        (true, hi, false),
        (false, lo, true),
        (false, hi, false),
    ] {
        if out.is_empty() {
            break;
        }
        let v = |c: &Coord<f64>| if x_axis { c.x } else { c.y };
        let inside = |c: &Coord<f64>| {
            if keep_above {
                v(c) >= bound
            } else {
                v(c) <= bound
            }
        };
        let input = std::mem::take(&mut out);
        for i in 0..input.len() {
            let (a, b) = (input[(i + input.len() - 1) % input.len()], input[i]);
            let cut = |a: Coord<f64>, b: Coord<f64>| {
                let t = (bound - v(&a)) / (v(&b) - v(&a));
                let c = Coord {
                    x: a.x + t * (b.x - a.x),
                    y: a.y + t * (b.y - a.y),
                };
                // Exactly on the bound, whatever the rounding of t.
                if x_axis {
                    Coord { x: bound, ..c }
                } else {
                    Coord { y: bound, ..c }
                }
            };
            match (inside(&a), inside(&b)) {
                (true, true) => out.push(b),
                (true, false) => out.push(cut(a, b)),
                (false, true) => {
                    out.push(cut(a, b));
                    out.push(b);
                }
                (false, false) => {}
            }
        }
    }
    out
}

/// Shoelace sum of an open ring, closing edge included (positive when clockwise with y
/// pointing down, MVT's exterior).
fn signed_area(pts: &[Coord<f64>]) -> f64 {
    let n = pts.len();
    (0..n)
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            a.x * b.y - b.x * a.y
        })
        .sum::<f64>()
        / 2.0
}

fn bbox_of(m: &MultiPolygon<f64>) -> [f64; 4] {
    m.0.iter().flat_map(|p| p.exterior().0.iter()).fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, c| [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)],
    )
}

type TileKey = (AreaLevel, u8, u32, u32);

/// Gzips bytes as tiles (and other answers kept for many requests) are sent.
pub fn gzip(raw: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(raw);
    enc.finish().unwrap_or_default()
}

/// Unpacks a tile as [`TileSet::tile`] gives it.
pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// The tiles of one boundary year's areas, with their cache.
pub struct TileSet {
    /// A hash of what the tiles show; see the module documentation.
    pub generation: String,
    pub boundary_year: i64,
    /// WGS84 `[min_lon, min_lat, max_lon, max_lat]` of every area.
    pub bounds: [f64; 4],
    levels: Vec<(AreaLevel, TileLevel)>,
    cache: RwLock<HashMap<TileKey, Bytes>>,
    cached_bytes: AtomicUsize,
}

impl TileSet {
    /// The generation `areas` would get, without building anything: cheap enough to decide
    /// whether a set built before still holds.
    pub fn generation_of(boundary_year: i64, areas: &[TileArea]) -> String {
        let mut h = Sha256::new();
        h.update(boundary_year.to_le_bytes());
        for a in areas {
            h.update(a.code.as_str().as_bytes());
            h.update([0]);
            h.update(a.name.as_bytes());
            h.update([0]);
            for p in &a.wgs84.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    for c in &ring.0 {
                        h.update(c.x.to_le_bytes());
                        h.update(c.y.to_le_bytes());
                    }
                    h.update([1]);
                }
            }
        }
        h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Builds the tile set of `areas` (CPU work: run it off the async threads).
    pub fn build(boundary_year: i64, areas: Vec<TileArea>) -> TileSet {
        let generation = Self::generation_of(boundary_year, &areas);
        let bounds = areas
            .iter()
            .flat_map(|a| a.wgs84.0.iter().flat_map(|p| p.exterior().0.iter()))
            .fold([180.0, 90.0, -180.0, -90.0], |b: [f64; 4], c| {
                [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
            });
        let levels = LEVELS
            .iter()
            .map(|&l| {
                (
                    l,
                    TileLevel::build(areas.iter().filter(|a| a.code.level() == l).collect()),
                )
            })
            .collect();
        TileSet {
            generation,
            boundary_year,
            bounds,
            levels,
            cache: RwLock::new(HashMap::new()),
            cached_bytes: AtomicUsize::new(0),
        }
    }

    /// The tiles of one level.
    pub fn level(&self, level: AreaLevel) -> &TileLevel {
        &self
            .levels
            .iter()
            .find(|(l, _)| *l == level)
            .expect("every level has a tile level")
            .1
    }

    /// Checks that `z/x/y` exists.
    pub fn check(z: u8, x: u32, y: u32) -> Result<(), TileError> {
        if z > MAX_ZOOM {
            return Err(TileError::Zoom(z));
        }
        let n = 1u32 << z;
        if x >= n || y >= n {
            return Err(TileError::OutOfRange { z, x, y });
        }
        Ok(())
    }

    /// Tile `z/x/y` of `level` if it has been made before (no work, no locks held long).
    pub fn cached(&self, level: AreaLevel, z: u8, x: u32, y: u32) -> Option<Bytes> {
        self.cache.read().ok()?.get(&(level, z, x, y)).cloned()
    }

    /// Tile `z/x/y` of `level` made now, bypassing the cache (for exports that visit every
    /// tile once).
    pub fn encode(&self, level: AreaLevel, z: u8, x: u32, y: u32) -> Result<Vec<u8>, TileError> {
        Self::check(z, x, y)?;
        Ok(self.level(level).encode(z, x, y))
    }

    /// Tile `z/x/y` of `level`, gzipped as it is served (empty when no area meets it), from
    /// the cache or made now (CPU work: run it off the async threads when it is not cached).
    pub fn tile(&self, level: AreaLevel, z: u8, x: u32, y: u32) -> Result<Bytes, TileError> {
        Self::check(z, x, y)?;
        if let Some(t) = self.cached(level, z, x, y) {
            return Ok(t);
        }
        let raw = self.level(level).encode(z, x, y);
        let bytes = if raw.is_empty() {
            Bytes::new()
        } else {
            Bytes::from(gzip(&raw))
        };
        if self.cached_bytes.fetch_add(bytes.len(), Ordering::Relaxed) > CACHE_BYTES
            && let Ok(mut c) = self.cache.write()
        {
            c.clear();
            self.cached_bytes.store(bytes.len(), Ordering::Relaxed);
        }
        if let Ok(mut c) = self.cache.write() {
            c.insert((level, z, x, y), bytes.clone());
        }
        Ok(bytes)
    }
}
