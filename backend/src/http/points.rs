//! Point layers as GeoJSON: cameras, enforcement actions, watch initiatives and incidents.

use super::error::ApiResult;
use super::params::Selection;
use super::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

fn collection(features: Vec<Value>) -> Json<Value> {
    Json(json!({"type": "FeatureCollection", "features": features}))
}

fn point(lon: f64, lat: f64) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

#[utoipa::path(get, path = "/api/cameras", tag = "layers",
    responses((status = 200, description = "GeoJSON points: id, name, status, radius_m, installed, buurt_code", body = Value)))]
pub async fn cameras(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let rows = state.store.cameras().await?;
    Ok(collection(
        rows.into_iter()
            .map(|c| {
                json!({"type": "Feature", "id": c.id, "geometry": point(c.lon, c.lat), "properties": {
                    "id": c.id, "name": c.name, "status": c.status, "radius_m": c.radius_m,
                    "installed": c.installed, "buurt_code": c.buurt_code}})
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/enforcement", tag = "layers", params(Selection),
    responses((status = 200, description = "GeoJSON points: id, date, domain, outcome, buurt_code", body = Value)))]
pub async fn enforcement(
    State(state): State<AppState>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let sel = selection.resolve(&state).await?;
    let rows = state.store.enforcement(sel.range, "").await?;
    Ok(collection(
        rows.into_iter()
            .map(|e| {
                json!({"type": "Feature", "id": e.id, "geometry": point(e.lon, e.lat), "properties": {
                    "id": e.id, "date": e.date, "domain": e.domain, "outcome": e.outcome, "buurt_code": e.buurt_code}})
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/initiatives", tag = "layers",
    responses((status = 200, description = "GeoJSON areas or points: id, name, kind, start_date, end_date, members, buurt_code", body = Value)))]
pub async fn initiatives(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let rows = state.store.initiatives().await?;
    Ok(collection(
        rows.into_iter()
            .map(|i| {
                let geometry: Value = serde_json::from_str(&i.geometry).unwrap_or(Value::Null);
                json!({"type": "Feature", "id": i.id, "geometry": geometry, "properties": {
                    "id": i.id, "name": i.name, "kind": i.kind, "start_date": i.start_date,
                    "end_date": i.end_date, "members": i.members, "buurt_code": i.buurt_code}})
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/incidents", tag = "layers", params(Selection),
    responses((status = 200, description = "GeoJSON points: id, time, crime_type, buurt_code", body = Value)))]
pub async fn incidents(
    State(state): State<AppState>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let sel = selection.resolve(&state).await?;
    // Incidents carry leaf codes; the total selects them all.
    let types = if sel
        .types
        .iter()
        .any(|t| t == crate::domain::crime_type::TOTAL)
    {
        vec![]
    } else {
        leaf_filter(&state, &sel.types).await?
    };
    let rows = state.store.incidents(sel.range, &types).await?;
    Ok(collection(
        rows.into_iter()
            .map(|i| {
                json!({"type": "Feature", "id": i.id, "geometry": point(i.lon, i.lat), "properties": {
                    "id": i.id, "time": i.time, "crime_type": i.crime_type, "buurt_code": i.buurt_code}})
            })
            .collect(),
    ))
}

/// Incident codes that fall under the selected (possibly parent) codes.
pub(crate) async fn leaf_filter(state: &AppState, selected: &[String]) -> ApiResult<Vec<String>> {
    let codes: Vec<String> = state
        .store
        .incident_crime_types()
        .await?
        .into_iter()
        .filter(|c| {
            selected
                .iter()
                .any(|s| crate::domain::CrimeType::is_within(c, s))
        })
        .collect();
    // An empty list would mean "all"; a selection matching nothing must match nothing.
    Ok(if codes.is_empty() {
        vec!["-".into()]
    } else {
        codes
    })
}
