//! Vector tiles and the figures the map joins to them.
//!
//! `/tiles/{level}/{z}/{x}/{y}.mvt` is public and sits outside the session layers: tiles hold
//! CBS boundaries, codes and names only (open data, the same for every user), so no session is
//! read and a tile named by its generation (`?g=`) is answered from memory and may be cached
//! by anyone for a year (`immutable`). Figures, which differ per user, come from
//! `/api/figures` through the access policy like every other answer.

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{Query, ScopeQuery, Selection};
use super::session::Viewer;
use super::state::AppState;
use crate::domain::AreaLevel;
use crate::service::areas::{AreaFigures, AreaQuery};
use crate::service::tiles::TileSetInfo;
use crate::service::{ScopeParams, SelectionParams};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/figures", tag = "areas", operation_id = "figures", params(AreaQuery, SelectionParams),
    responses((status = 200, description = "Every visible area of a level with its figures and tile feature id, without geometry: the map joins them to the vector tiles (gzipped when the client accepts it)", body = AreaFigures),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Query(q): Query<AreaQuery>,
    Selection(sel): Selection,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let answer = state.service.figures(&q, &sel, &who).await?;
    super::kept::send(&answer, &headers)
}

#[utoipa::path(get, path = "/api/tiles", tag = "areas", operation_id = "tile_set", params(ScopeParams),
    responses((status = 200, description = "Where the vector tiles of the boundary year are (every gemeente of it)", body = TileSetInfo),
              (status = 404, body = ErrorBody)))]
pub async fn info(
    State(state): State<AppState>,
    ScopeQuery(scope): ScopeQuery,
) -> ApiResult<Json<TileSetInfo>> {
    Ok(Json(state.service.tile_info(&scope).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TileParams {
    /// The tile generation (from `/api/tiles`): with the current one the tile is immutable.
    pub g: Option<String>,
}

#[utoipa::path(get, path = "/tiles/{level}/{z}/{x}/{tile}", tag = "areas", operation_id = "tile",
    params(("level" = String, Path, description = "`gemeente`, `wijk` or `buurt`"),
           ("z" = u8, Path, description = "zoom, 0–14"), ("x" = u32, Path), ("tile" = String, Path, description = "`{y}.mvt`"),
           TileParams, ScopeParams),
    responses((status = 200, description = "A Mapbox Vector Tile (gzip): layers `areas` and `labels`; empty when no area meets the tile", content_type = "application/vnd.mapbox-vector-tile"),
              (status = 304, description = "Not modified (the ETag matched)"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn tile(
    State(state): State<AppState>,
    Path((level, z, x, tile)): Path<(String, u8, u32, String)>,
    Query(p): Query<TileParams>,
    ScopeQuery(scope): ScopeQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let level = AreaLevel::parse(&level).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no tiles for level '{level}': use gemeente, wijk or buurt"
        ))
    })?;
    let y: u32 = tile
        .strip_suffix(".mvt")
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| ApiError::NotFound(format!("'{tile}' is not a tile name like 12.mvt")))?;
    let answer = state
        .service
        .tile(&scope, p.g.as_deref(), level, (z, x, y))
        .await?;
    let etag = format!("\"{}\"", answer.generation);
    let cache = if answer.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let mut h = HeaderMap::new();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, h).into_response());
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.mapbox-vector-tile"),
    );
    if answer.bytes.is_empty() {
        return Ok((StatusCode::OK, h).into_response());
    }
    // Tiles are kept gzipped; the rare client that does not take gzip gets them unpacked.
    super::kept::send_gzipped(h, answer.bytes, &headers)
}
