//! Programme indicators: the six indicators of the gemeente or a wijk, editing targets and
//! baselines, the breakdown per wijk, and the steering report's data.

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{Json, Query, ScopeQuery};
use super::session::Viewer;
use super::state::AppState;
use crate::analysis::indicators::{Breakdown, IndicatorView};
use crate::domain::ReportPeriod;
use crate::service::ScopeParams;
use crate::service::indicators::{AreaParam, BreakdownParams, YearValueBody};
use crate::service::report::ReportData;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[utoipa::path(get, path = "/api/indicators", tag = "indicators", operation_id = "indicators", params(AreaParam),
    responses((status = 200, description = "The six programme indicators for the area", body = [IndicatorView]),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<AreaParam>,
) -> ApiResult<axum::Json<Vec<IndicatorView>>> {
    Ok(axum::Json(
        state.service.indicators(q.area.as_deref()).await?,
    ))
}

#[utoipa::path(put, path = "/api/indicators/{key}/target", tag = "indicators",
    params(("key" = String, Path, description = "indicator key, e.g. feels_safe"), AreaParam),
    request_body = YearValueBody,
    responses((status = 200, description = "The updated indicator", body = IndicatorView),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_target(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<AreaParam>,
    Json(body): Json<YearValueBody>,
) -> ApiResult<axum::Json<IndicatorView>> {
    Ok(axum::Json(
        state
            .service
            .set_target(&key, q.area.as_deref(), &body)
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/indicators/{key}/baseline", tag = "indicators",
    params(("key" = String, Path, description = "indicator key, e.g. offences"), AreaParam),
    request_body = YearValueBody,
    responses((status = 200, description = "The updated indicator", body = IndicatorView),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_baseline(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<AreaParam>,
    Json(body): Json<YearValueBody>,
) -> ApiResult<axum::Json<IndicatorView>> {
    Ok(axum::Json(
        state
            .service
            .set_baseline(&key, q.area.as_deref(), &body)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/indicators/{key}/breakdown", tag = "indicators",
    params(("key" = String, Path, description = "indicator key"), BreakdownParams),
    responses((status = 200, description = "The value per wijk (or per buurt for a wijk) and the rows behind the figure", body = Breakdown),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn breakdown(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Path(key): Path<String>,
    Query(q): Query<BreakdownParams>,
) -> ApiResult<axum::Json<Breakdown>> {
    Ok(axum::Json(state.service.breakdown(&key, &q, &who).await?))
}

/// The report's file format.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Json,
    /// The self-contained report file `wijkveilig report` writes.
    Html,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `2023`, `2023H1` or `2023H2` (default: the last year with offence data).
    pub period: Option<String>,
    /// `json` (default) or `html`.
    pub format: Option<ReportFormat>,
}

#[utoipa::path(get, path = "/api/report", tag = "indicators", params(ReportParams, ScopeParams),
    responses((status = 200, description = "Everything the steering report shows; with `format=html` the report as one HTML file", body = ReportData),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Query(q): Query<ReportParams>,
    ScopeQuery(scope): ScopeQuery,
) -> ApiResult<Response> {
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => ReportPeriod::parse(p).map_err(ApiError::BadRequest)?,
        None => state.service.default_report_period().await?,
    };
    let data = state.service.report(period, &scope, &who).await?;
    Ok(match q.format.unwrap_or_default() {
        ReportFormat::Json => axum::Json(data).into_response(),
        ReportFormat::Html => {
            let render = state.report_html.ok_or_else(|| {
                ApiError::NotFound("this server was started without the HTML report".into())
            })?;
            (
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "text/html; charset=utf-8".to_string(),
                    ),
                    // One self-contained file: its stylesheet by hash, its map inline, no script.
                    (
                        axum::http::header::CONTENT_SECURITY_POLICY,
                        state.report_csp.clone(),
                    ),
                ],
                render(&data),
            )
                .into_response()
        }
    })
}
