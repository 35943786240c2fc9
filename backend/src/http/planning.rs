//! The safety team's planning: coverage, what-if, placement, camera editing and patrol lists.

use super::error::{ApiResult, ErrorBody};
use super::extract::{Json, Query, Selection};
use super::state::AppState;
use crate::domain::csv_export::{DutchCsv, decimal};
use crate::service::SelectionParams;
use crate::service::geojson::Feature;
use crate::service::planning::{
    CameraInput, CoverageReport, Patrol, PatrolQuery, Placement, PlacementBody, WhatIf, WhatIfBody,
};
use crate::service::points::{CameraProps, camera_feature};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

type JsonOut<T> = axum::Json<T>;

#[utoipa::path(get, path = "/api/coverage", tag = "planning", params(SelectionParams),
    responses((status = 200, description = "Share of incidents and of top-decile KDE cells inside active cameras' view, and the uncovered hotspots", body = CoverageReport),
              (status = 400, body = ErrorBody)))]
pub async fn coverage_now(
    State(state): State<AppState>,
    Selection(sel): Selection,
) -> ApiResult<JsonOut<CoverageReport>> {
    Ok(axum::Json(state.service.coverage(&sel).await?))
}

#[utoipa::path(post, path = "/api/coverage/what-if", tag = "planning", params(SelectionParams), request_body = WhatIfBody,
    responses((status = 200, description = "Incident coverage with the stored cameras and with the proposed set", body = WhatIf),
              (status = 400, body = ErrorBody)))]
pub async fn what_if(
    State(state): State<AppState>,
    Selection(sel): Selection,
    Json(body): Json<WhatIfBody>,
) -> ApiResult<JsonOut<WhatIf>> {
    Ok(axum::Json(state.service.what_if(&body, &sel).await?))
}

#[utoipa::path(post, path = "/api/planning/placement", tag = "planning", params(SelectionParams), request_body = PlacementBody,
    responses((status = 200, description = "Greedy maximum-coverage sites for k new cameras (≥ (1 − 1/e) of the optimum)", body = Placement),
              (status = 400, body = ErrorBody)))]
pub async fn placement(
    State(state): State<AppState>,
    Selection(sel): Selection,
    Json(body): Json<PlacementBody>,
) -> ApiResult<JsonOut<Placement>> {
    Ok(axum::Json(state.service.placement(&body, &sel).await?))
}

#[utoipa::path(post, path = "/api/cameras", tag = "planning", request_body = CameraInput,
    responses((status = 200, description = "The stored camera", body = Feature<CameraProps>),
              (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_camera(
    State(state): State<AppState>,
    Json(c): Json<CameraInput>,
) -> ApiResult<JsonOut<Feature<CameraProps>>> {
    Ok(axum::Json(camera_feature(
        state.service.create_camera(&c).await?,
    )))
}

#[utoipa::path(put, path = "/api/cameras/{id}", tag = "planning", request_body = CameraInput,
    params(("id" = String, Path)),
    responses((status = 200, body = Feature<CameraProps>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_camera(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(c): Json<CameraInput>,
) -> ApiResult<JsonOut<Feature<CameraProps>>> {
    Ok(axum::Json(camera_feature(
        state.service.update_camera(&id, &c).await?,
    )))
}

#[utoipa::path(delete, path = "/api/cameras/{id}", tag = "planning", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_camera(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.service.delete_camera(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/patrol", tag = "planning", params(PatrolQuery, SelectionParams),
    responses((status = 200, description = "Buurten ranked by recency-weighted incidents, per shift, with week profiles", body = Patrol),
              (status = 400, body = ErrorBody)))]
pub async fn patrol(
    State(state): State<AppState>,
    Query(q): Query<PatrolQuery>,
    Selection(sel): Selection,
) -> ApiResult<JsonOut<Patrol>> {
    Ok(axum::Json(state.service.patrol(&q, &sel).await?))
}

#[utoipa::path(get, path = "/api/patrol.csv", tag = "planning", params(PatrolQuery, SelectionParams),
    responses((status = 200, description = "The patrol list per shift as CSV in the Dutch convention (`;`, decimal comma, UTF-8 BOM, CRLF): shift;rank;code;name;score", content_type = "text/csv"),
              (status = 400, body = ErrorBody)))]
pub async fn patrol_csv(
    State(state): State<AppState>,
    Query(q): Query<PatrolQuery>,
    Selection(sel): Selection,
) -> ApiResult<impl IntoResponse> {
    let p = state.service.patrol(&q, &sel).await?;
    let mut csv = DutchCsv::new(&["shift", "rank", "code", "name", "score"]);
    for s in &p.shifts {
        for (rank, a) in s.areas.iter().enumerate() {
            csv.row(&[
                s.shift.to_string(),
                (rank + 1).to_string(),
                a.code.to_string(),
                a.name.clone(),
                decimal(a.score, 3),
            ]);
        }
    }
    let csv = csv.finish();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"patrouillelijst.csv\"",
            ),
        ],
        csv,
    ))
}
