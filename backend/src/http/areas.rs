//! Areas with their figures: the choropleth's GeoJSON, and one area's detail panel.

use super::error::{ApiError, ApiResult};
use super::params::{Resolved, Selection};
use super::state::{AppState, AreaSet};
use crate::analysis::figures::{Figures, Input, count_of, figures};
use crate::domain::{AreaLevel, Month};
use crate::store::CountSum;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    /// `buurt` (default) or `wijk`.
    pub level: Option<String>,
    /// Only the buurten of this wijk (e.g. `WK014110`).
    pub wijk: Option<String>,
}

/// The sum for an area: its own StatLine rows when the data has them, otherwise the sum of
/// the buurten inside it.
pub(crate) fn area_sum(
    set: &AreaSet,
    sums: &HashMap<String, CountSum>,
    code: &str,
) -> Option<CountSum> {
    if let Some(s) = sums.get(code) {
        return Some(*s);
    }
    let prefix = buurt_prefix(code);
    if code.starts_with("BU") {
        return None;
    }
    let mut total: Option<CountSum> = None;
    for &i in &set.buurten {
        let r = &set.rows[i];
        if r.code.starts_with(&prefix)
            && let Some(s) = sums.get(&r.code)
        {
            total.get_or_insert_with(CountSum::default).add(*s);
        }
    }
    total
}

/// The prefix every buurt code inside an area starts with (`WK014110` → `BU014110`).
pub(crate) fn buurt_prefix(code: &str) -> String {
    format!("BU{}", &code[2..])
}

fn parse_level(level: Option<&str>) -> ApiResult<AreaLevel> {
    match level {
        None | Some("buurt") => Ok(AreaLevel::Buurt),
        Some("wijk") => Ok(AreaLevel::Wijk),
        Some(other) => Err(ApiError::BadRequest(format!(
            "level '{other}' is not buurt or wijk"
        ))),
    }
}

/// Figures for every area of a level (optionally one wijk's buurten), ranked within that set.
pub(crate) async fn level_figures(
    state: &AppState,
    set: &AreaSet,
    level: AreaLevel,
    wijk: Option<&str>,
    sel: &Resolved,
) -> ApiResult<Vec<(usize, Figures)>> {
    let sums = OffenceSums::read(state, sel).await?;
    Ok(level_figures_from(set, level, wijk, sel, &sums))
}

/// The offence sums per area code of a selection's range and of the range before it.
pub(crate) struct OffenceSums {
    current: HashMap<String, CountSum>,
    previous: HashMap<String, CountSum>,
}

impl OffenceSums {
    pub(crate) async fn read(state: &AppState, sel: &Resolved) -> ApiResult<OffenceSums> {
        Ok(OffenceSums {
            current: state.store.offence_sums(sel.range, &sel.types).await?,
            previous: state.store.offence_sums(sel.previous, &sel.types).await?,
        })
    }

    fn input(&self, set: &AreaSet, code: &str, population: Option<i64>) -> Input {
        Input {
            current: area_sum(set, &self.current, code),
            previous: area_sum(set, &self.previous, code),
            population,
        }
    }
}

/// [`level_figures`] from sums already read.
fn level_figures_from(
    set: &AreaSet,
    level: AreaLevel,
    wijk: Option<&str>,
    sel: &Resolved,
    sums: &OffenceSums,
) -> Vec<(usize, Figures)> {
    let members: Vec<usize> = set
        .level(level)
        .filter(|&i| wijk.is_none_or(|w| set.rows[i].parent_code.as_deref() == Some(w)))
        .collect();
    let inputs: Vec<Input> = members
        .iter()
        .map(|&i| sums.input(set, &set.rows[i].code, set.rows[i].population))
        .collect();
    members
        .into_iter()
        .zip(figures(&inputs, sel.has_data, sel.previous_has_data))
        .collect()
}

#[utoipa::path(get, path = "/api/areas", tag = "areas", params(AreaQuery, Selection),
    responses((status = 200, description = "GeoJSON FeatureCollection of areas with their figures", body = Value),
              (status = 400, body = super::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<AreaQuery>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<Value>> {
    let level = parse_level(q.level.as_deref())?;
    let set = state.areas().await?;
    if let Some(w) = &q.wijk
        && set.get(w).is_none_or(|r| r.level != "wijk")
    {
        return Err(ApiError::NotFound(format!("wijk {w} is not in the data")));
    }
    let sel = selection.resolve(&state).await?;
    let rows = level_figures(&state, &set, level, q.wijk.as_deref(), &sel).await?;
    let features: Vec<Value> = rows
        .into_iter()
        .map(|(i, f)| {
            let r = &set.rows[i];
            let mut props = json!({
                "code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code,
                "parent_name": r.parent_code.as_deref().and_then(|p| set.get(p)).map(|p| p.name.clone()),
                "population": r.population,
            });
            merge(&mut props, serde_json::to_value(&f).unwrap_or_default());
            json!({"type": "Feature", "id": r.code, "properties": props, "geometry": set.geometry[i]})
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection",
        "period": {"from": sel.range.from.iso(), "to": sel.range.to.iso(),
                   "previous_from": sel.previous.from.iso(), "previous_to": sel.previous.to.iso()},
        "crime_types": sel.types,
        "features": features,
    })))
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MonthPoint {
    /// `YYYY-MM`
    pub period: String,
    pub count: Option<i64>,
    /// The same month a year earlier.
    pub previous_year_count: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TypeCount {
    pub code: String,
    pub title: String,
    pub count: Option<i64>,
    pub withheld: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    pub outcome: String,
    pub count: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CameraSummary {
    pub id: String,
    pub name: String,
    pub status: String,
    pub radius_m: f64,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InitiativeSummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub members: Option<i64>,
    pub start_date: String,
    pub end_date: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct E33Month {
    pub period: String,
    pub count: i64,
    pub with_fitting_care: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AreaDetail {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub population: Option<i64>,
    pub period: PeriodOut,
    pub figures: Figures,
    pub monthly: Vec<MonthPoint>,
    pub by_type: Vec<TypeCount>,
    pub enforcement_by_outcome: Vec<OutcomeCount>,
    pub cameras: Vec<CameraSummary>,
    pub initiatives: Vec<InitiativeSummary>,
    pub e33: Vec<E33Month>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PeriodOut {
    pub from: String,
    pub to: String,
}

#[utoipa::path(get, path = "/api/areas/{code}", tag = "areas", params(("code" = String, Path, description = "CBS code"), Selection),
    responses((status = 200, body = AreaDetail), (status = 404, body = super::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(selection): Query<Selection>,
) -> ApiResult<Json<AreaDetail>> {
    let set = state.areas().await?;
    let code = code.trim().to_ascii_uppercase();
    let row = set
        .get(&code)
        .ok_or_else(|| ApiError::NotFound(format!("area {code} is not in the data")))?
        .clone();
    let sel = selection.resolve(&state).await?;
    let level = AreaLevel::parse(&row.level).unwrap_or(AreaLevel::Buurt);

    // Ranked among the same level in the whole gemeente.
    let sums = OffenceSums::read(&state, &sel).await?;
    let ranked = level_figures_from(&set, level, None, &sel, &sums);
    let figures = match ranked.into_iter().find(|(i, _)| set.rows[*i].code == code) {
        Some((_, f)) => f,
        None => {
            let input = sums.input(&set, &code, row.population);
            figures(&[input], sel.has_data, sel.previous_has_data).remove(0)
        }
    };

    // Which codes carry this area's rows: its own, or its buurten's.
    let data_codes: Vec<String> = if sums.current.contains_key(&code) || level == AreaLevel::Buurt {
        vec![code.clone()]
    } else {
        let prefix = buurt_prefix(&code);
        set.buurten
            .iter()
            .map(|&i| set.rows[i].code.clone())
            .filter(|c| c.starts_with(&prefix))
            .collect()
    };

    let months = state
        .store
        .offence_months(&data_codes, &sel.types, sel.range)
        .await?;
    let earlier = state
        .store
        .offence_months(&data_codes, &sel.types, sel.range.year_earlier())
        .await?;
    let monthly = if months.is_empty() {
        vec![]
    } else {
        sel.range
            .months()
            .map(|m: Month| MonthPoint {
                period: m.iso(),
                count: count_of(months.get(&m).copied(), true),
                previous_year_count: count_of(
                    earlier.get(&m.plus(-12)).copied(),
                    !earlier.is_empty(),
                ),
            })
            .collect()
    };

    let titles = state.store.crime_type_titles().await?;
    let mut by_type: Vec<TypeCount> = state
        .store
        .offence_sums_by_type(&data_codes, sel.range)
        .await?
        .into_iter()
        .filter(|(t, _)| t != crate::domain::crime_type::TOTAL)
        .map(|(t, s)| TypeCount {
            title: titles.get(&t).cloned().unwrap_or_else(|| t.clone()),
            count: count_of(Some(s), true),
            withheld: s.withheld,
            code: t,
        })
        .collect();
    by_type.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));

    let prefix = if level == AreaLevel::Buurt {
        code.clone()
    } else {
        buurt_prefix(&code)
    };
    let enforcement_by_outcome = state
        .store
        .enforcement_by_outcome(sel.range, &prefix)
        .await?
        .into_iter()
        .map(|(outcome, count)| OutcomeCount { outcome, count })
        .collect();
    let inside = |b: &Option<String>| b.as_deref().is_some_and(|b| b.starts_with(&prefix));
    let cameras = state
        .store
        .cameras()
        .await?
        .into_iter()
        .filter(|c| inside(&c.buurt_code))
        .map(|c| CameraSummary {
            id: c.id,
            name: c.name,
            status: c.status,
            radius_m: c.radius_m,
            lon: c.lon,
            lat: c.lat,
        })
        .collect();
    let initiatives = state
        .store
        .initiatives()
        .await?
        .into_iter()
        .filter(|i| inside(&i.buurt_code))
        .map(|i| InitiativeSummary {
            id: i.id,
            name: i.name,
            kind: i.kind,
            members: i.members,
            start_date: i.start_date,
            end_date: i.end_date,
        })
        .collect();
    let mut e33_codes = data_codes.clone();
    e33_codes.push(code.clone());
    e33_codes.dedup();
    let e33 = state
        .store
        .e33_months(&e33_codes, sel.range)
        .await?
        .into_iter()
        .map(|(m, count, care)| E33Month {
            period: Month::from_index(m as i32).iso(),
            count,
            with_fitting_care: care,
        })
        .collect();

    Ok(Json(AreaDetail {
        parent_name: row
            .parent_code
            .as_deref()
            .and_then(|p| set.get(p))
            .map(|p| p.name.clone()),
        code: row.code,
        name: row.name,
        level: row.level,
        parent_code: row.parent_code,
        population: row.population,
        period: PeriodOut {
            from: sel.range.from.iso(),
            to: sel.range.to.iso(),
        },
        figures,
        monthly,
        by_type,
        enforcement_by_outcome,
        cameras,
        initiatives,
        e33,
    }))
}
