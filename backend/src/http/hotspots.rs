//! Hotspot statistics over the areas (Gi* with FDR, emerging hotspots) and the kernel
//! density surface, served as a fixed metre grid so the map shows the same intensity at
//! every zoom.

use super::areas::level_figures;
use super::error::{ApiError, ApiResult};
use super::params::{Resolved, Selection};
use super::state::{AppState, AreaSet};
use crate::analysis::hotspot::emerging::{Category, emerging_hotspots};
use crate::analysis::hotspot::gistar::{GiStar, GiStarOptions, gi_star, gi_star_rates};
use crate::analysis::kde::{KdeOptions, kde};
use crate::domain::{AreaLevel, Month, PeriodRange};
use crate::spatial::contiguity::{Weights, centroids, distance_band};
use crate::spatial::frame::MetricFrame;
use axum::Json;
use axum::extract::{Query, State};
use geo::Coord;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotspotQuery {
    /// `buurt` (default) or `wijk`.
    pub level: Option<String>,
    /// `count` (default) or `rate` (per 1,000 inhabitants).
    pub value: Option<String>,
    /// 0 (default) or up to 9,999 conditional permutations for a pseudo p-value.
    pub permutations: Option<usize>,
    pub seed: Option<u64>,
    /// Benjamini–Hochberg false-discovery-rate correction; on by default.
    pub fdr: Option<bool>,
    /// `queen` (default) or `distance`.
    pub weights: Option<String>,
    /// The distance band in metres for `weights=distance` (default 1,500).
    pub distance_m: Option<f64>,
    /// Empirical Bayes smoothing of rates: `auto` (default: on when any area has fewer than
    /// 1,000 inhabitants), `on` or `off`.
    pub ebayes: Option<String>,
    /// `month` (default) or `year`, for emerging hotspots.
    pub step: Option<String>,
}

/// Populations below this make raw rates too noisy to compare (one offence moves the rate
/// of a 300-inhabitant buurt by 3.3 per 1,000).
const SMALL_POPULATION: i64 = 1_000;

struct Members {
    rows: Vec<usize>,
    weights: Weights,
    weights_kind: &'static str,
}

fn members(set: &AreaSet, q: &HotspotQuery) -> ApiResult<(AreaLevel, Members)> {
    let level = match q.level.as_deref() {
        None | Some("buurt") => AreaLevel::Buurt,
        Some("wijk") => AreaLevel::Wijk,
        Some(o) => {
            return Err(ApiError::BadRequest(format!(
                "level '{o}' is not buurt or wijk"
            )));
        }
    };
    let rows = if level == AreaLevel::Buurt {
        set.buurten.clone()
    } else {
        set.wijken.clone()
    };
    let (weights, weights_kind) = match q.weights.as_deref() {
        None | Some("queen") => (
            if level == AreaLevel::Buurt {
                set.buurt_weights.clone()
            } else {
                set.wijk_weights.clone()
            },
            "queen",
        ),
        Some("distance") => {
            let d = q.distance_m.unwrap_or(1_500.0);
            if !(d > 0.0 && d < 100_000.0) {
                return Err(ApiError::BadRequest(
                    "distance_m must be between 0 and 100,000 metres".into(),
                ));
            }
            let frame = MetricFrame::rd_new();
            let geoms: Vec<Option<geo::Geometry<f64>>> = rows
                .iter()
                .map(|&i| {
                    crate::importer::parse_multipolygon(&set.rows[i].geometry)
                        .map(|mp| frame.project(&geo::Geometry::MultiPolygon(mp)))
                })
                .collect();
            (distance_band(&centroids(&geoms), d), "distance")
        }
        Some(o) => {
            return Err(ApiError::BadRequest(format!(
                "weights '{o}' is not queen or distance"
            )));
        }
    };
    if rows.len() < 3 {
        return Err(ApiError::BadRequest(
            "hotspot statistics need at least 3 areas".into(),
        ));
    }
    Ok((
        level,
        Members {
            rows,
            weights,
            weights_kind,
        },
    ))
}

fn options(q: &HotspotQuery) -> ApiResult<GiStarOptions> {
    let permutations = q.permutations.unwrap_or(0);
    if permutations > 9_999 {
        return Err(ApiError::BadRequest(
            "permutations may be at most 9,999".into(),
        ));
    }
    Ok(GiStarOptions {
        permutations,
        seed: q.seed.unwrap_or(1),
        fdr: q.fdr.unwrap_or(true),
    })
}

fn class_name(bin: i8) -> &'static str {
    match bin {
        3 => "hot_99",
        2 => "hot_95",
        1 => "hot_90",
        -1 => "cold_90",
        -2 => "cold_95",
        -3 => "cold_99",
        _ => "none",
    }
}

/// Gi* for the selection: counts or (optionally smoothed) rates per area.
pub(crate) struct HotspotResult {
    pub rows: Vec<usize>,
    pub gi: GiStar,
    pub withheld: Vec<bool>,
    pub empirical_bayes: bool,
    pub weights_kind: &'static str,
}

pub(crate) async fn compute(
    state: &AppState,
    set: &AreaSet,
    q: &HotspotQuery,
    sel: &Resolved,
) -> ApiResult<HotspotResult> {
    let (level, m) = members(set, q)?;
    let figures = level_figures(state, set, level, None, sel).await?;
    let by_row: std::collections::HashMap<usize, Option<i64>> =
        figures.into_iter().map(|(i, f)| (i, f.count)).collect();
    // Gi* needs a value everywhere; a withheld count enters as 0 and is flagged.
    let counts: Vec<f64> = m
        .rows
        .iter()
        .map(|i| by_row.get(i).copied().flatten().unwrap_or(0) as f64)
        .collect();
    let withheld: Vec<bool> = m
        .rows
        .iter()
        .map(|i| by_row.get(i).copied().flatten().is_none())
        .collect();
    let opts = options(q)?;
    let stats_error = |e: crate::analysis::hotspot::HotspotError| {
        ApiError::BadRequest(format!("cannot compute Gi*: {e}"))
    };
    let (gi, empirical_bayes) = match q.value.as_deref() {
        None | Some("count") => (
            gi_star(&counts, &m.weights, &opts).map_err(stats_error)?,
            false,
        ),
        Some("rate") => {
            let population: Vec<f64> = m
                .rows
                .iter()
                .map(|&i| set.rows[i].population.unwrap_or(0) as f64)
                .collect();
            let smooth = match q.ebayes.as_deref() {
                None | Some("auto") => m
                    .rows
                    .iter()
                    .any(|&i| set.rows[i].population.is_none_or(|p| p < SMALL_POPULATION)),
                Some("on") => true,
                Some("off") => false,
                Some(o) => {
                    return Err(ApiError::BadRequest(format!(
                        "ebayes '{o}' is not auto, on or off"
                    )));
                }
            };
            (
                gi_star_rates(&counts, &population, 1_000.0, smooth, &m.weights, &opts)
                    .map_err(stats_error)?,
                smooth,
            )
        }
        Some(o) => {
            return Err(ApiError::BadRequest(format!(
                "value '{o}' is not count or rate"
            )));
        }
    };
    Ok(HotspotResult {
        rows: m.rows,
        gi,
        withheld,
        empirical_bayes,
        weights_kind: m.weights_kind,
    })
}

#[utoipa::path(get, path = "/api/hotspots", tag = "hotspots", params(HotspotQuery, Selection),
    responses((status = 200, description = "GeoJSON of Getis-Ord Gi* per area with z, p, FDR-adjusted p and Gi_Bin class", body = Value),
              (status = 400, body = super::error::ErrorBody)))]
pub async fn hotspots(
    State(state): State<AppState>,
    Query(q): Query<HotspotQuery>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let set = state.areas().await?;
    let sel = selection.resolve(&state).await?;
    let r = compute(&state, &set, &q, &sel).await?;
    let features: Vec<Value> = r
        .rows
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let row = &set.rows[i];
            json!({"type": "Feature", "id": row.code, "geometry": set.geometry[i], "properties": {
                "code": row.code, "name": row.name, "value": r.gi.values[k], "withheld": r.withheld[k],
                "z": finite(r.gi.z[k]), "p": finite(r.gi.p_norm[k]), "p_adjusted": finite(r.gi.p_class[k]),
                "p_sim": r.gi.p_sim.as_ref().map(|p| p[k]), "bin": r.gi.bin[k], "class": class_name(r.gi.bin[k]),
            }})
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection",
        "period": {"from": sel.range.from.iso(), "to": sel.range.to.iso()},
        "value": q.value.as_deref().unwrap_or("count"),
        "fdr": r.gi.fdr,
        "empirical_bayes": r.empirical_bayes,
        "weights": {"kind": r.weights_kind, "distance_m": q.distance_m.filter(|_| r.weights_kind == "distance").or((r.weights_kind == "distance").then_some(1_500.0)),
                    "tolerance_m": 0.5, "islands": set.islands},
        "features": features,
    })))
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn category_name(c: Category, hot: bool) -> String {
    let base = match c {
        Category::None => return "none".into(),
        Category::New => "new",
        Category::Consecutive => "consecutive",
        Category::Intensifying => "intensifying",
        Category::Persistent => "persistent",
        Category::Diminishing => "diminishing",
        Category::Sporadic => "sporadic",
        Category::Oscillating => "oscillating",
        Category::Historical => "historical",
    };
    format!("{base}_{}", if hot { "hot" } else { "cold" })
}

#[utoipa::path(get, path = "/api/hotspots/emerging", tag = "hotspots", params(HotspotQuery, Selection),
    responses((status = 200, description = "GeoJSON with the emerging-hotspot category per area", body = Value),
              (status = 400, body = super::error::ErrorBody)))]
pub async fn emerging(
    State(state): State<AppState>,
    Query(q): Query<HotspotQuery>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let set = state.areas().await?;
    let mut sel = selection.resolve(&state).await?;
    if selection.from.is_none() {
        // A trend needs a history: by default the whole monthly record up to `to`.
        if let (Some((first, _)), _) = state.store.offence_extent().await? {
            sel.range = PeriodRange {
                from: first.max(sel.range.to.plus(-59)),
                to: sel.range.to,
            };
        }
    }
    let (level, m) = members(&set, &q)?;
    let codes: Vec<&str> = m.rows.iter().map(|&i| set.rows[i].code.as_str()).collect();
    let (steps, series): (Vec<String>, Vec<Vec<f64>>) = match q.step.as_deref() {
        None | Some("month") => {
            let months = state
                .store
                .offence_area_months(sel.range, &sel.types)
                .await?;
            let all: Vec<Month> = sel.range.months().collect();
            let series = all
                .iter()
                .map(|mo| {
                    codes
                        .iter()
                        .map(|c| area_month(&set, &months, c, *mo) as f64)
                        .collect()
                })
                .collect();
            (all.iter().map(|m| m.iso()).collect(), series)
        }
        Some("year") => {
            let mut steps = Vec::new();
            let mut series = Vec::new();
            for y in sel.range.from.year..=sel.range.to.year {
                let sums = state
                    .store
                    .offence_sums(PeriodRange::year(y), &sel.types)
                    .await?;
                steps.push(y.to_string());
                series.push(
                    codes
                        .iter()
                        .map(|c| {
                            super::areas::area_sum(&set, &sums, c).map_or(0, |s| s.known) as f64
                        })
                        .collect(),
                );
            }
            (steps, series)
        }
        Some(o) => {
            return Err(ApiError::BadRequest(format!(
                "step '{o}' is not month or year"
            )));
        }
    };
    let _ = level;
    let opts = options(&q)?;
    let areas = emerging_hotspots(&series, &m.weights, &opts)
        .map_err(|e| ApiError::BadRequest(format!("cannot classify emerging hotspots: {e}")))?;
    let features: Vec<Value> = m
        .rows
        .iter()
        .zip(&areas)
        .map(|(&i, a)| {
            let row = &set.rows[i];
            json!({"type": "Feature", "id": row.code, "geometry": set.geometry[i], "properties": {
                "code": row.code, "name": row.name, "category": category_name(a.category, a.hot),
                "trend_z": finite(a.trend_z), "trend_p": finite(a.trend_p), "bins": a.bins}})
        })
        .collect();
    Ok(Json(
        json!({"type": "FeatureCollection", "steps": steps, "features": features}),
    ))
}

/// An area's count in one month: its own rows or its buurten's.
fn area_month(
    set: &AreaSet,
    months: &std::collections::HashMap<(String, Month), crate::store::CountSum>,
    code: &str,
    m: Month,
) -> i64 {
    if let Some(s) = months.get(&(code.to_string(), m)) {
        return s.known;
    }
    if code.starts_with("BU") {
        return 0;
    }
    let prefix = super::areas::buurt_prefix(code);
    set.buurten
        .iter()
        .filter(|&&i| set.rows[i].code.starts_with(&prefix))
        .filter_map(|&i| months.get(&(set.rows[i].code.clone(), m)))
        .map(|s| s.known)
        .sum()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KdeQuery {
    /// Grid cell size in metres (default 100; 10–1,000).
    pub cell_m: Option<f64>,
    /// Kernel bandwidth in metres; default from the ArcGIS rule.
    pub bandwidth_m: Option<f64>,
}

/// Incident locations for a selection, projected into the metric frame.
pub(crate) async fn incident_points(
    state: &AppState,
    sel: &Resolved,
) -> ApiResult<Vec<Coord<f64>>> {
    let types = if sel
        .types
        .iter()
        .any(|t| t == crate::domain::crime_type::TOTAL)
    {
        vec![]
    } else {
        super::points::leaf_filter(state, &sel.types).await?
    };
    let frame = MetricFrame::rd_new();
    Ok(state
        .store
        .incidents(sel.range, &types)
        .await?
        .into_iter()
        .map(|i| {
            let (x, y) = frame.to_metric(i.lon, i.lat);
            Coord { x, y }
        })
        .collect())
}

#[utoipa::path(get, path = "/api/kde", tag = "hotspots", params(KdeQuery, Selection),
    responses((status = 200, description = "Quartic-kernel density of incidents on a fixed metre grid, with WGS84 corners for an image source", body = Value),
              (status = 400, body = super::error::ErrorBody)))]
pub async fn density(
    State(state): State<AppState>,
    Query(q): Query<KdeQuery>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let cell = q.cell_m.unwrap_or(100.0);
    if !(10.0..=1_000.0).contains(&cell) {
        return Err(ApiError::BadRequest(
            "cell_m must be between 10 and 1,000 metres".into(),
        ));
    }
    if let Some(b) = q.bandwidth_m
        && !(cell..=20_000.0).contains(&b)
    {
        return Err(ApiError::BadRequest(
            "bandwidth_m must be at least one cell and at most 20,000 metres".into(),
        ));
    }
    let sel = selection.resolve(&state).await?;
    let points = incident_points(&state, &sel).await?;
    if points.is_empty() {
        return Ok(Json(
            json!({"points": 0, "nx": 0, "ny": 0, "values": [], "max": 0.0, "cell_m": cell, "unit": "per_km2",
                              "bandwidth_m": null, "default_bandwidth_m": null, "corners": []}),
        ));
    }
    let default_bandwidth = crate::analysis::kde::default_bandwidth(&points);
    let k = kde(
        &points,
        &KdeOptions {
            bandwidth_m: q.bandwidth_m,
            cell_size_m: cell,
            extent: None,
        },
    )
    .map_err(|e| ApiError::BadRequest(format!("cannot compute the density: {e}")))?;
    let g = &k.grid;
    let frame = MetricFrame::rd_new();
    let (x0, y0) = (g.origin.x, g.origin.y);
    let (x1, y1) = (
        x0 + g.nx as f64 * g.cell_size,
        y0 + g.ny as f64 * g.cell_size,
    );
    let corner = |x: f64, y: f64| {
        let (lon, lat) = frame.to_wgs84(x, y);
        [lon, lat]
    };
    // Rows from the top (north) down, as images are drawn; values rounded to 4 significant
    // digits keep the response small without visible change.
    let mut values = Vec::with_capacity(g.values.len());
    for iy in (0..g.ny).rev() {
        for ix in 0..g.nx {
            values.push(round4(g.values[iy * g.nx + ix]));
        }
    }
    let max = round4(g.values.iter().cloned().fold(0.0, f64::max));
    Ok(Json(json!({
        "points": points.len(), "cell_m": g.cell_size, "bandwidth_m": k.bandwidth_m,
        "default_bandwidth_m": default_bandwidth, "unit": "per_km2", "nx": g.nx, "ny": g.ny, "max": max,
        "corners": [corner(x0, y1), corner(x1, y1), corner(x1, y0), corner(x0, y0)],
        "values": values,
    })))
}

fn round4(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let digits = 4 - v.abs().log10().ceil() as i32;
    let f = 10f64.powi(digits);
    (v * f).round() / f
}
