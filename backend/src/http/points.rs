//! Point layers as GeoJSON: cameras, enforcement actions, watch initiatives and incidents.

use super::error::ApiResult;
use super::extract::Selection;
use super::session::Viewer;
use super::state::AppState;
use crate::service::SelectionParams;
use crate::service::geojson::FeatureCollection;
use crate::service::points::{CameraProps, EnforcementProps, IncidentProps, InitiativeProps};
use axum::Json;
use axum::extract::State;

#[utoipa::path(get, path = "/api/cameras", tag = "layers",
    responses((status = 200, description = "Camera points", body = FeatureCollection<CameraProps>)))]
pub async fn cameras(
    State(state): State<AppState>,
    Viewer(who): Viewer,
) -> ApiResult<Json<FeatureCollection<CameraProps>>> {
    Ok(Json(state.service.cameras(&who).await?))
}

#[utoipa::path(get, path = "/api/enforcement", tag = "layers", params(SelectionParams),
    responses((status = 200, description = "Enforcement actions in the period", body = FeatureCollection<EnforcementProps>)))]
pub async fn enforcement(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Selection(sel): Selection,
) -> ApiResult<Json<FeatureCollection<EnforcementProps>>> {
    Ok(Json(state.service.enforcement(&sel, &who).await?))
}

#[utoipa::path(get, path = "/api/initiatives", tag = "layers",
    responses((status = 200, description = "Neighbourhood-watch initiatives as areas or points", body = FeatureCollection<InitiativeProps>)))]
pub async fn initiatives(
    State(state): State<AppState>,
    Viewer(who): Viewer,
) -> ApiResult<Json<FeatureCollection<InitiativeProps>>> {
    Ok(Json(state.service.initiatives(&who).await?))
}

#[utoipa::path(get, path = "/api/incidents", tag = "layers", params(SelectionParams),
    responses((status = 200, description = "Incidents of the selection", body = FeatureCollection<IncidentProps>)))]
pub async fn incidents(
    State(state): State<AppState>,
    Viewer(who): Viewer,
    Selection(sel): Selection,
) -> ApiResult<Json<FeatureCollection<IncidentProps>>> {
    Ok(Json(state.service.incident_layer(&sel, &who).await?))
}
