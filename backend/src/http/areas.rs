//! Areas with their figures: the choropleth and one area's detail panel.

use super::error::{ApiResult, ErrorBody};
use super::extract::{Query, Selection};
use super::session::Viewer;
use super::state::AppState;
use crate::service::SelectionParams;
use crate::service::areas::{AreaCollection, AreaDetail, AreaQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

#[utoipa::path(get, path = "/api/areas", tag = "areas", operation_id = "area_figures", params(AreaQuery, SelectionParams),
    responses((status = 200, description = "The areas of a level with their figures, ranked within the set", body = AreaCollection),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Query(q): Query<AreaQuery>,
    Selection(sel): Selection,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let service = &state.service;
    let answer = service
        .kept(
            "areas",
            &q,
            &sel,
            &who,
            service.area_figures(&q, &sel, &who),
        )
        .await?;
    super::kept::send(&answer, &headers)
}

#[utoipa::path(get, path = "/api/areas/{code}", tag = "areas", operation_id = "area_detail",
    params(("code" = String, Path, description = "CBS code"), SelectionParams),
    responses((status = 200, body = AreaDetail), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Path(code): Path<String>,
    Selection(sel): Selection,
) -> ApiResult<Json<AreaDetail>> {
    Ok(Json(state.service.area_detail(&code, &sel, &who).await?))
}
