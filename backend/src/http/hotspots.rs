//! Hotspot statistics (Gi* with FDR, emerging hotspots) and the kernel density surface.

use super::error::{ApiResult, ErrorBody};
use super::extract::{Query, Selection};
use super::session::Viewer;
use super::state::AppState;
use crate::analysis::kde::KdeSurface;
use crate::service::SelectionParams;
use crate::service::hotspots::{EmergingCollection, HotspotCollection, HotspotQuery, KdeQuery};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

#[utoipa::path(get, path = "/api/hotspots", tag = "hotspots", params(HotspotQuery, SelectionParams),
    responses((status = 200, description = "Getis-Ord Gi* per area with z, p, FDR-adjusted p and Gi_Bin class", body = HotspotCollection),
              (status = 400, body = ErrorBody)))]
pub async fn hotspots(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Query(q): Query<HotspotQuery>,
    Selection(sel): Selection,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let service = &state.service;
    let answer = service
        .kept("hotspots", &q, &sel, &who, service.hotspots(&q, &sel, &who))
        .await?;
    super::kept::send(&answer, &headers)
}

#[utoipa::path(get, path = "/api/hotspots/emerging", tag = "hotspots", params(HotspotQuery, SelectionParams),
    responses((status = 200, description = "The emerging-hotspot category per area", body = EmergingCollection),
              (status = 400, body = ErrorBody)))]
pub async fn emerging(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Query(q): Query<HotspotQuery>,
    Selection(sel): Selection,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let service = &state.service;
    let answer = service
        .kept("emerging", &q, &sel, &who, service.emerging(&q, &sel, &who))
        .await?;
    super::kept::send(&answer, &headers)
}

#[utoipa::path(get, path = "/api/kde", tag = "hotspots", params(KdeQuery, SelectionParams),
    responses((status = 200, description = "Quartic-kernel density of incidents on a fixed metre grid, with WGS84 corners for an image source", body = KdeSurface),
              (status = 400, body = ErrorBody)))]
pub async fn density(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Query(q): Query<KdeQuery>,
    Selection(sel): Selection,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let service = &state.service;
    let surface = async {
        let (d, cell) = service.density(&q, &sel, &who).await?;
        Ok(d.surface(cell))
    };
    let answer = service.kept("kde", &q, &sel, &who, surface).await?;
    super::kept::send(&answer, &headers)
}
