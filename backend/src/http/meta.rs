//! What the frontend needs to set itself up: health, the data's extent and periods, the
//! wijken, the crime-type hierarchy, and whether this is the synthetic demo.

use super::error::{ApiResult, ErrorBody};
use super::extract::ScopeQuery;
use super::state::AppState;
use crate::service::ScopeParams;
use crate::service::meta::{CrimeTypeNode, Health, Meta};
use axum::Json;
use axum::extract::State;

#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    Ok(Json(state.service.health().await?))
}

#[utoipa::path(get, path = "/api/meta", tag = "meta", params(ScopeParams),
    responses((status = 200, body = Meta), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meta(
    State(state): State<AppState>,
    ScopeQuery(scope): ScopeQuery,
) -> ApiResult<Json<Meta>> {
    Ok(Json(
        state
            .service
            .meta(state.basemap_style_url.clone(), &scope)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/crime-types", tag = "meta",
    responses((status = 200, description = "The SoortMisdrijf hierarchy of the codes in the data, total first", body = [CrimeTypeNode])))]
pub async fn crime_types(State(state): State<AppState>) -> ApiResult<Json<Vec<CrimeTypeNode>>> {
    Ok(Json(state.service.crime_types().await?))
}
