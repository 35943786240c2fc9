//! The safety team's planning: camera coverage of incidents and hotspot cells, what-if
//! scenarios, greedy camera placement, camera editing, and BOA patrol lists per shift.

use super::error::{ApiError, ApiResult};
use super::hotspots::{HotspotQuery, compute, incident_points};
use super::params::Selection;
use super::state::AppState;
use crate::analysis::coverage::{
    self, Camera as PlanCamera, CameraStatus, coverage, greedy_placement, hotspot_coverage,
};
use crate::analysis::kde::{KdeOptions, kde};
use crate::analysis::patrol::{
    Incident, PatrolOptions, default_shifts, patrol_lists, rank_areas, week_profile,
};
use crate::spatial::frame::MetricFrame;
use crate::store::CameraRow;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use geo::{Coord, MultiPolygon};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Share of cells with density above zero that count as hotspot cells: the top decile.
const HOTSPOT_CELL_SHARE: f64 = 0.10;

fn to_plan(frame: &MetricFrame, c: &CameraRow) -> PlanCamera {
    let (x, y) = frame.to_metric(c.lon, c.lat);
    PlanCamera {
        position: Coord { x, y },
        radius_m: c.radius_m,
        status: if c.status == "active" {
            CameraStatus::Active
        } else {
            CameraStatus::Planned
        },
    }
}

/// The stored cameras in the metric frame, as the coverage functions want them.
async fn stored_cameras(state: &AppState, frame: &MetricFrame) -> ApiResult<Vec<PlanCamera>> {
    Ok(state
        .store
        .cameras()
        .await?
        .iter()
        .map(|c| to_plan(frame, c))
        .collect())
}

fn share(c: coverage::Coverage) -> Value {
    json!({"total": c.total, "covered": c.covered, "share": c.share})
}

#[utoipa::path(get, path = "/api/coverage", tag = "planning", params(Selection),
    responses((status = 200, description = "Share of incidents and of top-decile KDE cells inside active cameras' view, and the uncovered hotspots", body = Value)))]
pub async fn coverage_now(
    State(state): State<AppState>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let set = state.areas().await?;
    let sel = selection.resolve(&state).await?;
    let frame = MetricFrame::rd_new();
    let cameras: Vec<PlanCamera> = stored_cameras(&state, &frame).await?;
    let points = incident_points(&state, &sel).await?;
    let incidents = coverage(&points, &cameras);
    let (cells, uncovered_cells) = if points.is_empty() {
        (json!({"total": 0, "covered": 0, "share": 0.0}), vec![])
    } else {
        let k = kde(&points, &KdeOptions::default())
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let h = hotspot_coverage(&k.grid, HOTSPOT_CELL_SHARE, &cameras);
        let cells: Vec<Value> = h
            .uncovered
            .iter()
            .take(200)
            .map(|c| {
                let (lon, lat) = frame.to_wgs84(c.x, c.y);
                let g = &k.grid;
                let ix = ((c.x - g.origin.x) / g.cell_size).floor() as usize;
                let iy = ((c.y - g.origin.y) / g.cell_size).floor() as usize;
                let density = g.values.get(iy * g.nx + ix.min(g.nx - 1)).copied();
                json!({"lon": lon, "lat": lat, "density": density})
            })
            .collect();
        (share(h.cells), cells)
    };
    // Hot buurten (Gi* bin > 0) no active camera sees, hottest first.
    let q = HotspotQuery {
        level: None,
        value: None,
        permutations: None,
        seed: None,
        fdr: None,
        weights: None,
        distance_m: None,
        ebayes: None,
        step: None,
    };
    let hot = compute(&state, &set, &q, &sel).await?;
    let mut hot_rows: Vec<usize> = (0..hot.rows.len()).filter(|&k| hot.gi.bin[k] > 0).collect();
    hot_rows.sort_by(|&a, &b| hot.gi.z[b].total_cmp(&hot.gi.z[a]));
    let shapes: Vec<Option<MultiPolygon<f64>>> = hot_rows
        .iter()
        .map(|&k| {
            crate::importer::parse_multipolygon(&set.rows[hot.rows[k]].geometry)
                .map(|mp| frame.project(&mp))
        })
        .collect();
    let (with_shape, areas): (Vec<usize>, Vec<&MultiPolygon<f64>>) = hot_rows
        .iter()
        .zip(&shapes)
        .filter_map(|(&k, s)| s.as_ref().map(|s| (k, s)))
        .unzip();
    let uncovered_hotspots: Vec<Value> = coverage::unseen_areas(&areas, &cameras)
        .into_iter()
        .map(|j| {
            let k = with_shape[j];
            let row = &set.rows[hot.rows[k]];
            json!({"code": row.code, "name": row.name, "z": hot.gi.z[k], "bin": hot.gi.bin[k]})
        })
        .collect();
    Ok(Json(json!({
        "incidents": share(incidents),
        "hotspot_cells": cells,
        "uncovered_hotspots": uncovered_hotspots,
        "uncovered_cells": uncovered_cells,
        "cameras_active": cameras.iter().filter(|c| c.status == CameraStatus::Active).count(),
    })))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CameraInput {
    pub id: Option<String>,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    /// `active` or `planned`.
    pub status: String,
    pub installed: Option<String>,
}

impl CameraInput {
    fn validate(&self) -> ApiResult<()> {
        if !(1.0..=2_000.0).contains(&self.radius_m) {
            return Err(ApiError::BadRequest(
                "radius_m must be between 1 and 2,000 metres".into(),
            ));
        }
        if !(-180.0..=180.0).contains(&self.lon) || !(-90.0..=90.0).contains(&self.lat) {
            return Err(ApiError::BadRequest("lon/lat must be WGS84 degrees".into()));
        }
        if self.status != "active" && self.status != "planned" {
            return Err(ApiError::BadRequest(
                "status must be active or planned".into(),
            ));
        }
        if self.name.trim().is_empty() {
            return Err(ApiError::BadRequest("a camera needs a name".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WhatIfBody {
    /// The whole proposed camera set.
    pub cameras: Vec<CameraInput>,
}

#[utoipa::path(post, path = "/api/coverage/what-if", tag = "planning", params(Selection), request_body = WhatIfBody,
    responses((status = 200, description = "Incident coverage with the stored cameras and with the proposed set", body = Value)))]
pub async fn what_if(
    State(state): State<AppState>,
    Query(selection): Query<Selection>,
    Json(body): Json<WhatIfBody>,
) -> ApiResult<Json<Value>> {
    let sel = selection.resolve(&state).await?;
    let frame = MetricFrame::rd_new();
    let before: Vec<PlanCamera> = stored_cameras(&state, &frame).await?;
    let mut after = Vec::new();
    for c in &body.cameras {
        c.validate()?;
        let row = CameraRow {
            id: String::new(),
            name: c.name.clone(),
            lon: c.lon,
            lat: c.lat,
            radius_m: c.radius_m,
            status: c.status.clone(),
            installed: None,
            buurt_code: None,
        };
        after.push(to_plan(&frame, &row));
    }
    let points = incident_points(&state, &sel).await?;
    let w = coverage::what_if(&points, &before, &after);
    Ok(Json(
        json!({"before": share(w.before), "after": share(w.after), "gained": w.gained, "lost": w.lost}),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlacementBody {
    /// How many new cameras to place (1–50).
    pub k: usize,
    pub radius_m: f64,
    /// Candidate sites; without them, the centres of 100 m grid cells that hold incidents.
    pub candidates: Option<Vec<LonLat>>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

#[utoipa::path(post, path = "/api/planning/placement", tag = "planning", params(Selection), request_body = PlacementBody,
    responses((status = 200, description = "Greedy maximum-coverage sites for k new cameras (≥ (1 − 1/e) of the optimum)", body = Value)))]
pub async fn placement(
    State(state): State<AppState>,
    Query(selection): Query<Selection>,
    Json(body): Json<PlacementBody>,
) -> ApiResult<Json<Value>> {
    if !(1..=50).contains(&body.k) {
        return Err(ApiError::BadRequest("k must be between 1 and 50".into()));
    }
    if !(1.0..=2_000.0).contains(&body.radius_m) {
        return Err(ApiError::BadRequest(
            "radius_m must be between 1 and 2,000 metres".into(),
        ));
    }
    let sel = selection.resolve(&state).await?;
    let frame = MetricFrame::rd_new();
    let existing: Vec<PlanCamera> = stored_cameras(&state, &frame).await?;
    let points = incident_points(&state, &sel).await?;
    let candidates: Vec<Coord<f64>> = match &body.candidates {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|c| {
                let (x, y) = frame.to_metric(c.lon, c.lat);
                Coord { x, y }
            })
            .collect(),
        _ => {
            let mut cells: Vec<(i64, i64)> = points
                .iter()
                .map(|p| ((p.x / 100.0).floor() as i64, (p.y / 100.0).floor() as i64))
                .collect();
            cells.sort_unstable();
            cells.dedup();
            cells
                .into_iter()
                .map(|(i, j)| Coord {
                    x: (i as f64 + 0.5) * 100.0,
                    y: (j as f64 + 0.5) * 100.0,
                })
                .collect()
        }
    };
    let p = greedy_placement(&points, &existing, &candidates, body.radius_m, body.k);
    let chosen: Vec<Value> = p
        .chosen
        .iter()
        .zip(&p.gains)
        .map(|(&i, &gain)| {
            let (lon, lat) = frame.to_wgs84(candidates[i].x, candidates[i].y);
            json!({"lon": lon, "lat": lat, "gain": gain})
        })
        .collect();
    Ok(Json(json!({
        "chosen": chosen, "covered_before": p.before.covered, "covered_after": p.after.covered, "total": p.after.total,
        "candidates": candidates.len(), "bound": "greedy ≥ (1 − 1/e) ≈ 63 % of the optimum (Nemhauser, Wolsey & Fisher 1978)",
    })))
}

fn camera_feature(c: &CameraRow) -> Value {
    json!({"type": "Feature", "id": c.id, "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]}, "properties": {
        "id": c.id, "name": c.name, "status": c.status, "radius_m": c.radius_m, "installed": c.installed, "buurt_code": c.buurt_code}})
}

async fn store_camera(state: &AppState, id: String, c: CameraInput) -> ApiResult<Json<Value>> {
    c.validate()?;
    let set = state.areas().await?;
    let row = CameraRow {
        buurt_code: set.buurt_at(c.lon, c.lat).map(|b| b.code.clone()),
        id,
        name: c.name.trim().to_string(),
        lon: c.lon,
        lat: c.lat,
        radius_m: c.radius_m,
        status: c.status,
        installed: c.installed,
    };
    state.store.save_camera(&row).await?;
    Ok(Json(camera_feature(&row)))
}

#[utoipa::path(post, path = "/api/cameras", tag = "planning", request_body = CameraInput,
    responses((status = 200, description = "The stored camera", body = Value), (status = 400, body = super::error::ErrorBody)))]
pub async fn create_camera(
    State(state): State<AppState>,
    Json(c): Json<CameraInput>,
) -> ApiResult<Json<Value>> {
    let id = match &c.id {
        Some(id) if !id.trim().is_empty() => {
            if state.store.camera(id.trim()).await?.is_some() {
                return Err(ApiError::BadRequest(format!(
                    "camera {id} exists; use PUT /api/cameras/{id} to change it"
                )));
            }
            id.trim().to_string()
        }
        _ => format!(
            "cam-{}",
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000
        ),
    };
    store_camera(&state, id, c).await
}

#[utoipa::path(put, path = "/api/cameras/{id}", tag = "planning", request_body = CameraInput,
    params(("id" = String, Path)), responses((status = 200, body = Value), (status = 404, body = super::error::ErrorBody)))]
pub async fn update_camera(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(c): Json<CameraInput>,
) -> ApiResult<Json<Value>> {
    if state.store.camera(&id).await?.is_none() {
        return Err(ApiError::NotFound(format!("camera {id} does not exist")));
    }
    store_camera(&state, id, c).await
}

#[utoipa::path(delete, path = "/api/cameras/{id}", tag = "planning", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = super::error::ErrorBody)))]
pub async fn delete_camera(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state.store.delete_camera(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("camera {id} does not exist")))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatrolQuery {
    /// Half-life of an incident's weight in days (default 30).
    pub half_life_days: Option<f64>,
    /// Reference date `YYYY-MM-DD` (default: the end of the period).
    pub reference: Option<String>,
    /// Areas per list (default 10).
    pub top: Option<usize>,
}

async fn patrol_data(state: &AppState, q: &PatrolQuery, selection: &Selection) -> ApiResult<Value> {
    let set = state.areas().await?;
    let sel = selection.resolve(state).await?;
    let half_life = q.half_life_days.unwrap_or(30.0);
    if !(1.0..=3_650.0).contains(&half_life) {
        return Err(ApiError::BadRequest(
            "half_life_days must be between 1 and 3,650".into(),
        ));
    }
    let reference = match &q.reference {
        Some(r) => crate::ingest::registrations::parse_date_text(r).ok_or_else(|| {
            ApiError::BadRequest(format!("reference '{r}' is not a YYYY-MM-DD date"))
        })?,
        None => {
            let next = sel.range.to.plus(1);
            time::Date::from_calendar_date(
                next.year,
                time::Month::try_from(next.month).unwrap_or(time::Month::January),
                1,
            )
            .map_err(|e| ApiError::BadRequest(e.to_string()))?
            .previous_day()
            .unwrap_or(time::Date::MIN)
        }
    };
    let reference = time::PrimitiveDateTime::new(
        reference,
        time::Time::from_hms(23, 59, 59).unwrap_or(time::Time::MIDNIGHT),
    );
    let top = q.top.unwrap_or(10).clamp(1, 100);
    let types = if sel
        .types
        .iter()
        .any(|t| t == crate::domain::crime_type::TOTAL)
    {
        vec![]
    } else {
        super::points::leaf_filter(state, &sel.types).await?
    };
    let rows = state.store.incidents(sel.range, &types).await?;
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let mut area_codes: Vec<String> = Vec::new();
    let mut incidents = Vec::new();
    for r in rows {
        let (Some(b), Ok(at)) = (r.buurt_code, time::PrimitiveDateTime::parse(&r.time, fmt)) else {
            continue;
        };
        let area = match area_codes.iter().position(|c| *c == b) {
            Some(i) => i,
            None => {
                area_codes.push(b);
                area_codes.len() - 1
            }
        };
        incidents.push(Incident { area, at });
    }
    let opts = PatrolOptions {
        half_life_days: half_life,
        reference,
    };
    let name = |i: usize| {
        set.get(&area_codes[i])
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let mut ranking = rank_areas(&incidents, &opts);
    ranking.truncate(top);
    let shifts = patrol_lists(&incidents, &default_shifts(), top, &opts);
    let profiles: serde_json::Map<String, Value> = ranking
        .iter()
        .take(5)
        .map(|a| {
            (
                area_codes[a.area].clone(),
                json!(week_profile(&incidents, a.area, &opts)),
            )
        })
        .collect();
    Ok(json!({
        "reference": reference.date().to_string(), "half_life_days": half_life,
        "ranking": ranking.iter().map(|a| json!({"code": area_codes[a.area], "name": name(a.area), "score": a.score, "incidents": a.incidents})).collect::<Vec<_>>(),
        "shifts": shifts.iter().map(|s| json!({
            "shift": format!("{:02}-{:02}", s.shift.start_hour, s.shift.end_hour), "label": s.shift.name,
            "areas": s.areas.iter().map(|a| json!({"code": area_codes[a.area], "name": name(a.area), "score": a.score})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "profiles": profiles,
    }))
}

#[utoipa::path(get, path = "/api/patrol", tag = "planning", params(PatrolQuery, Selection),
    responses((status = 200, description = "Buurten ranked by recency-weighted incidents, per shift, with week profiles", body = Value)))]
pub async fn patrol(
    State(state): State<AppState>,
    Query(q): Query<PatrolQuery>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    Ok(Json(patrol_data(&state, &q, &selection).await?))
}

#[utoipa::path(get, path = "/api/patrol.csv", tag = "planning", params(PatrolQuery, Selection),
    responses((status = 200, description = "The patrol list per shift as CSV (shift;rank;code;name;score)", content_type = "text/csv")))]
pub async fn patrol_csv(
    State(state): State<AppState>,
    Query(q): Query<PatrolQuery>,
    Query(selection): Query<Selection>,
) -> ApiResult<impl IntoResponse> {
    let data = patrol_data(&state, &q, &selection).await?;
    let mut csv = String::from("shift;rank;code;name;score\n");
    for s in data["shifts"].as_array().into_iter().flatten() {
        for (rank, a) in s["areas"].as_array().into_iter().flatten().enumerate() {
            let name = a["name"].as_str().unwrap_or("").replace(';', ",");
            csv.push_str(&format!(
                "{};{};{};{};{:.3}\n",
                s["shift"].as_str().unwrap_or(""),
                rank + 1,
                a["code"].as_str().unwrap_or(""),
                name,
                a["score"].as_f64().unwrap_or(0.0)
            ));
        }
    }
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
