//! `wijkveilig tiles export`: the served tiles of one level, written to a PMTiles archive, for
//! a municipality that serves its map from its own web server or a CDN. The bytes of each tile
//! are the very bytes `/tiles/{level}/{z}/{x}/{y}.mvt` answers; PMTiles stores them gzipped.

use super::{EXTENT, TileSet, mercator, tile_bounds};
use crate::domain::AreaLevel;
use geo::Coord;
use pmtiles::{Compression, PmTilesWriter, TileCoord, TileId, TileType};
use std::path::Path;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    /// Tiles with content (empty tiles are not stored).
    pub tiles: usize,
    /// The largest tile, bytes (before gzip).
    pub largest: usize,
    /// Bytes of the archive.
    pub file_bytes: u64,
}

/// The tiles `z/x/y` of zoom `z` that meet the WGS84 box `bounds`.
pub fn tiles_covering(bounds: [f64; 4], z: u8) -> impl Iterator<Item = (u32, u32)> {
    let lo = mercator(Coord {
        x: bounds[0],
        y: bounds[1],
    });
    let hi = mercator(Coord {
        x: bounds[2],
        y: bounds[3],
    });
    let n = 1u32 << z;
    let span = tile_bounds(z, 0, 0)[2] - tile_bounds(z, 0, 0)[0];
    let half = span * f64::from(n) / 2.0;
    let col = |x: f64| (((x + half) / span).floor().max(0.0) as u32).min(n - 1);
    let row = |y: f64| (((half - y) / span).floor().max(0.0) as u32).min(n - 1);
    let (x0, x1) = (col(lo.x), col(hi.x));
    let (y0, y1) = (row(hi.y), row(lo.y));
    (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
}

/// Writes the tiles of `level` for zooms `min_zoom..=max_zoom` to `out`.
pub fn write_pmtiles(
    set: &TileSet,
    level: AreaLevel,
    min_zoom: u8,
    max_zoom: u8,
    out: &Path,
) -> anyhow::Result<ExportSummary> {
    anyhow::ensure!(
        min_zoom <= max_zoom && max_zoom <= super::MAX_ZOOM,
        "zooms must satisfy min ≤ max ≤ {}; got {min_zoom}..{max_zoom}",
        super::MAX_ZOOM
    );
    anyhow::ensure!(
        !set.level(level).is_empty(),
        "no {} areas have been imported for boundary year {}",
        level.as_str(),
        set.boundary_year
    );
    // PMTiles reads best with tiles in tile-id (Hilbert) order.
    let mut coords: Vec<TileCoord> = Vec::new();
    for z in min_zoom..=max_zoom {
        for (x, y) in tiles_covering(set.bounds, z) {
            coords.push(TileCoord::new(z, x, y)?);
        }
    }
    coords.sort_by_key(|c| u64::from(TileId::from(*c)));
    let b = set.bounds;
    let metadata = format!(
        r#"{{"name":"wijkveilig {level} {year}","format":"pbf","generator":"wijkveilig","extent":{EXTENT},"vector_layers":[{{"id":"areas","fields":{{"code":"String","name":"String (from zoom 10)"}}}},{{"id":"labels","fields":{{"code":"String","name":"String","rank":"Number"}}}}]}}"#,
        level = level.as_str(),
        year = set.boundary_year,
    );
    // Written beside the target and renamed when complete: no half-written archive.
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .tile_compression(Compression::Gzip)
        .min_zoom(min_zoom)
        .max_zoom(max_zoom)
        .bounds(b[0], b[1], b[2], b[3])
        .center((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
        .center_zoom(min_zoom.max(7).min(max_zoom))
        .metadata(metadata)
        .create(std::io::BufWriter::new(tmp.reopen()?))?;
    let (mut tiles, mut largest) = (0, 0);
    for c in coords {
        let bytes = set.encode(level, c.z(), c.x(), c.y())?;
        if bytes.is_empty() {
            continue;
        }
        tiles += 1;
        largest = largest.max(bytes.len());
        writer.add_tile(c, &bytes)?;
    }
    writer.finalize()?;
    tmp.persist(out)?;
    Ok(ExportSummary {
        tiles,
        largest,
        file_bytes: std::fs::metadata(out)?.len(),
    })
}
