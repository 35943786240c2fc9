//! Programme indicators (issue #5): the six indicators per gemeente or wijk with their trend,
//! baseline, targets and status; editing targets and baselines; the breakdown per wijk.
//! The same gathering feeds the steering report ([`crate::report`]).

use super::error::{ApiError, ApiResult};
use super::state::{AppState, AreaSet};
use crate::analysis::indicators::{
    self as ind, BASELINE_YEAR, Definition, Direction, E33Year, INDICATORS, Key, OffenceYear,
    Source, Status, Unit, YearValue,
};
use crate::domain::Month;
use crate::store::{
    E33YearRow, EnforcementCount, InitiativeRow, OffenceTotalRow, OffenceYearCoverage, Store,
    SurveyRow,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaParam {
    /// A gemeente (`GM…`, default: the one in the data) or wijk (`WK…`) code.
    pub area: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownParams {
    /// The year (default: the indicator's latest year).
    pub year: Option<i32>,
    /// A gemeente (default) or wijk code; a gemeente breaks down into wijken, a wijk into buurten.
    pub area: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct YearValueBody {
    pub year: i32,
    /// The value in the indicator's unit; for a target, `null` removes that year's target.
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Baseline {
    pub year: i32,
    pub value: f64,
    /// `set` by the steering group, or `data`: the value the data gives for the programme's
    /// baseline year (2017) while none is set.
    pub source: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub year: i32,
    pub value: f64,
    /// Illustrative target of the synthetic demo, not set by anyone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Latest {
    pub year: i32,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    pub key: &'static str,
    pub number: u8,
    /// Dutch title (the programme's wording).
    pub title: &'static str,
    pub title_en: &'static str,
    /// How it is computed, in Dutch; `definition_en` in English.
    pub definition: &'static str,
    pub definition_en: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    pub source: Source,
    /// The imported data it is computed from.
    pub data: &'static str,
    /// The area code the values are for.
    pub area: String,
    pub values: Vec<YearValue>,
    pub baseline: Option<Baseline>,
    pub targets: Vec<Target>,
    /// The latest value (for offences the latest complete year).
    pub latest: Option<Latest>,
    pub status: Status,
    /// The targets are the demo's illustrative ones.
    pub demo_targets: bool,
}

/// Everything the indicators are computed from, loaded once per request.
pub struct IndicatorData {
    offences: Vec<OffenceTotalRow>,
    offence_coverage: Vec<OffenceYearCoverage>,
    feels_safe: Vec<SurveyRow>,
    satisfaction: Vec<SurveyRow>,
    enforcement: Vec<EnforcementCount>,
    initiatives: Vec<InitiativeRow>,
    e33: Vec<E33YearRow>,
    /// The years any of the data covers.
    years: Vec<i32>,
    demo: bool,
}

/// Whether a code from the data lies in the area `code` (a gemeente, wijk or buurt).
fn inside(area: &str, code: &str) -> bool {
    let digits = &area[2..];
    code == area
        || code
            .strip_prefix("BU")
            .is_some_and(|d| d.starts_with(digits))
        || code
            .strip_prefix("WK")
            .is_some_and(|d| d.starts_with(digits))
}

impl IndicatorData {
    pub async fn load(store: &Store) -> crate::store::Result<IndicatorData> {
        let offences = store.indicator_offence_totals().await?;
        let offence_coverage = store.indicator_offence_coverage().await?;
        let feels_safe = store.indicator_survey(Key::FeelsSafe.as_str()).await?;
        let satisfaction = store
            .indicator_survey(Key::EnforcementSatisfaction.as_str())
            .await?;
        let enforcement = store
            .indicator_enforcement(
                Month {
                    year: 1900,
                    month: 1,
                },
                Month {
                    year: 2999,
                    month: 12,
                },
            )
            .await?;
        let initiatives = store.initiatives().await?;
        let e33 = store.indicator_e33().await?;
        let mut years: BTreeSet<i32> = BTreeSet::new();
        years.extend(offences.iter().map(|r| r.year));
        years.extend(feels_safe.iter().chain(&satisfaction).map(|r| r.year));
        years.extend(enforcement.iter().map(|r| r.year));
        years.extend(e33.iter().map(|r| r.year));
        let years = match (years.first(), years.last()) {
            (Some(&a), Some(&b)) => (a..=b).collect(),
            _ => vec![],
        };
        Ok(IndicatorData {
            offences,
            offence_coverage,
            feels_safe,
            satisfaction,
            enforcement,
            initiatives,
            e33,
            years,
            demo: store.is_demo().await?,
        })
    }

    /// The data up to and including `year`, as it was known for a report on that year.
    pub fn until(mut self, year: i32) -> Self {
        self.offences.retain(|r| r.year <= year);
        self.offence_coverage.retain(|r| r.year <= year);
        self.feels_safe.retain(|r| r.year <= year);
        self.satisfaction.retain(|r| r.year <= year);
        self.enforcement.retain(|r| r.year <= year);
        self.e33.retain(|r| r.year <= year);
        self.years.retain(|&y| y <= year);
        self
    }

    pub fn years(&self) -> &[i32] {
        &self.years
    }

    fn complete_year(&self, year: i32) -> bool {
        self.offence_coverage
            .iter()
            .any(|c| c.year == year && (c.months == 12 || c.yearly_rows > 0))
    }

    /// The offence totals of an area per year: its own rows where it has them that year,
    /// otherwise the sum of its buurten.
    fn offence_years(&self, area: &str) -> Vec<OffenceYear> {
        let mut own: BTreeMap<i32, OffenceYear> = BTreeMap::new();
        let mut parts: BTreeMap<i32, OffenceYear> = BTreeMap::new();
        for r in &self.offences {
            let slot = if r.area_code == area {
                &mut own
            } else if r.area_code.starts_with("BU") && inside(area, &r.area_code) {
                &mut parts
            } else {
                continue;
            };
            let y = slot.entry(r.year).or_insert(OffenceYear {
                year: r.year,
                known: 0,
                withheld: 0,
                complete_year: self.complete_year(r.year),
            });
            y.known += r.known;
            y.withheld += r.withheld;
        }
        for (year, v) in parts {
            own.entry(year).or_insert(v);
        }
        own.into_values().collect()
    }

    /// The yearly values of an indicator for an area (a gemeente, wijk or buurt code).
    pub fn values(&self, key: Key, area: &str) -> Vec<YearValue> {
        match key {
            Key::FeelsSafe | Key::EnforcementSatisfaction => {
                let rows = if key == Key::FeelsSafe {
                    &self.feels_safe
                } else {
                    &self.satisfaction
                };
                let mine: Vec<(i32, f64, i64)> = rows
                    .iter()
                    .filter(|r| r.area_code == area)
                    .map(|r| (r.year, r.percentage, r.sample_size))
                    .collect();
                ind::survey_series(&mine)
            }
            Key::Offences => ind::offence_series(&self.offence_years(area)),
            Key::EnforcementWithoutSanction => {
                let mut per_year: BTreeMap<i32, Vec<(String, String, i64)>> = BTreeMap::new();
                for r in &self.enforcement {
                    if r.buurt_code.as_deref().is_some_and(|b| inside(area, b)) {
                        per_year.entry(r.year).or_default().push((
                            r.domain.clone(),
                            r.outcome.clone(),
                            r.count,
                        ));
                    }
                }
                per_year
                    .iter()
                    .filter_map(|(&y, rows)| ind::enforcement_share(y, rows))
                    .collect()
            }
            Key::Initiatives => {
                let mine: Vec<(String, Option<String>)> = self
                    .initiatives
                    .iter()
                    .filter(|i| i.buurt_code.as_deref().is_some_and(|b| inside(area, b)))
                    .map(|i| (i.start_date.clone(), i.end_date.clone()))
                    .collect();
                self.years
                    .iter()
                    .map(|&y| YearValue::plain(y, ind::initiatives_active(y, &mine) as f64))
                    .collect()
            }
            Key::E33FittingCare => {
                let mut per_year: BTreeMap<i32, E33Year> = BTreeMap::new();
                for r in self.e33.iter().filter(|r| inside(area, &r.area_code)) {
                    let y = per_year.entry(r.year).or_insert(E33Year {
                        year: r.year,
                        ..Default::default()
                    });
                    y.count += r.count;
                    y.known_count += r.known_count;
                    y.fitting += r.fitting;
                }
                per_year.into_values().filter_map(ind::e33_value).collect()
            }
        }
    }

    /// The indicator for an area, with its baseline, targets and status.
    pub async fn indicator(
        &self,
        store: &Store,
        def: &'static Definition,
        area: &str,
    ) -> crate::store::Result<Indicator> {
        let key = def.key.as_str();
        let mut values = self.values(def.key, area);
        let baseline = match store.indicator_baseline(key, area).await? {
            Some((year, value)) => Some(Baseline {
                year,
                value,
                source: "set",
            }),
            None => values
                .iter()
                .find(|v| v.year == BASELINE_YEAR)
                .map(|v| Baseline {
                    year: v.year,
                    value: v.value,
                    source: "data",
                }),
        };
        if def.key == Key::Offences {
            ind::with_pct_of_baseline(&mut values, baseline.as_ref().map(|b| b.value));
        }
        let stored = store.indicator_targets(key, area).await?;
        let (targets, demo_targets) = if stored.is_empty() && self.demo {
            let t = baseline
                .as_ref()
                .map(|b| ind::demo_targets(def, (b.year, b.value), &self.years))
                .unwrap_or_default();
            (
                t.into_iter()
                    .map(|(year, value)| Target {
                        year,
                        value,
                        demo: true,
                    })
                    .collect::<Vec<_>>(),
                true,
            )
        } else {
            (
                stored
                    .into_iter()
                    .map(|(year, value)| Target {
                        year,
                        value,
                        demo: false,
                    })
                    .collect(),
                false,
            )
        };
        let latest = values
            .iter()
            .rev()
            .find(|v| v.complete_year != Some(false))
            .map(|v| Latest {
                year: v.year,
                value: v.value,
            });
        let pairs: Vec<(i32, f64)> = targets.iter().map(|t| (t.year, t.value)).collect();
        let status = ind::status(
            def.direction,
            latest.as_ref().map(|l| (l.year, l.value)),
            &pairs,
        );
        Ok(Indicator {
            key,
            number: def.number,
            title: def.title_nl,
            title_en: def.title_en,
            definition: def.definition_nl,
            definition_en: def.definition_en,
            unit: def.unit,
            direction: def.direction,
            source: def.source,
            data: def.data,
            area: area.to_string(),
            values,
            baseline,
            targets,
            latest,
            status,
            demo_targets: demo_targets && !pairs.is_empty(),
        })
    }

    pub async fn all(&self, store: &Store, area: &str) -> crate::store::Result<Vec<Indicator>> {
        let mut out = Vec::with_capacity(INDICATORS.len());
        for def in &INDICATORS {
            out.push(self.indicator(store, def, area).await?);
        }
        Ok(out)
    }
}

/// The gemeente of the data: its area row, or the code its buurten imply.
pub fn gemeente_code(set: &AreaSet) -> Option<String> {
    set.rows
        .iter()
        .find(|r| r.level == "gemeente")
        .map(|r| r.code.clone())
        .or_else(|| {
            set.rows
                .iter()
                .find(|r| r.code.len() >= 6 && r.code.starts_with("BU"))
                .map(|r| format!("GM{}", &r.code[2..6]))
        })
}

/// Resolves `?area=`: the gemeente by default, or a gemeente or wijk code known in the data.
pub fn resolve_area(set: &AreaSet, area: Option<&str>) -> ApiResult<String> {
    let gm = gemeente_code(set);
    match area.map(str::trim).filter(|a| !a.is_empty()) {
        None => gm.ok_or_else(|| ApiError::NotFound("no areas have been imported".into())),
        Some(a) if !(a.starts_with("GM") || a.starts_with("WK")) || a.len() < 6 => {
            Err(ApiError::BadRequest(format!(
                "area '{a}' is not a gemeente (GM…) or wijk (WK…) code"
            )))
        }
        Some(a) if gm.as_deref() == Some(a) || set.get(a).is_some() => Ok(a.to_string()),
        Some(a) => Err(ApiError::NotFound(format!("area {a} is not in the data"))),
    }
}

fn definition(key: &str) -> ApiResult<&'static Definition> {
    Key::parse(key).map(Key::definition).ok_or_else(|| {
        let keys: Vec<&str> = INDICATORS.iter().map(|d| d.key.as_str()).collect();
        ApiError::NotFound(format!(
            "unknown indicator '{key}'; the indicators are {}",
            keys.join(", ")
        ))
    })
}

#[utoipa::path(get, path = "/api/indicators", tag = "indicators", params(AreaParam),
    responses((status = 200, description = "The six programme indicators for the area", body = [Indicator]),
              (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<AreaParam>,
) -> ApiResult<Json<Vec<Indicator>>> {
    let set = state.areas().await?;
    let area = resolve_area(&set, q.area.as_deref())?;
    let data = IndicatorData::load(&state.store).await?;
    Ok(Json(data.all(&state.store, &area).await?))
}

fn check_year_value(def: &Definition, year: i32, value: f64) -> ApiResult<()> {
    if !(1990..=2100).contains(&year) {
        return Err(ApiError::BadRequest(format!(
            "year {year} is outside 1990..2100"
        )));
    }
    let ok = value.is_finite() && value >= 0.0 && (def.unit != Unit::Percent || value <= 100.0);
    if !ok {
        let range = if def.unit == Unit::Percent {
            "between 0 and 100 (%)"
        } else {
            "a count of 0 or more"
        };
        return Err(ApiError::BadRequest(format!(
            "the value for {} must be {range}",
            def.key.as_str()
        )));
    }
    Ok(())
}

#[utoipa::path(put, path = "/api/indicators/{key}/target", tag = "indicators",
    params(("key" = String, Path, description = "indicator key, e.g. feels_safe"), AreaParam),
    request_body = YearValueBody,
    responses((status = 200, description = "The updated indicator", body = Indicator),
              (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn set_target(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<AreaParam>,
    Json(body): Json<YearValueBody>,
) -> ApiResult<Json<Indicator>> {
    let def = definition(&key)?;
    if let Some(v) = body.value {
        check_year_value(def, body.year, v)?;
    } else {
        check_year_value(def, body.year, 0.0)?;
    }
    let set = state.areas().await?;
    let area = resolve_area(&set, q.area.as_deref())?;
    state
        .store
        .set_indicator_target(def.key.as_str(), &area, body.year, body.value)
        .await?;
    let data = IndicatorData::load(&state.store).await?;
    Ok(Json(data.indicator(&state.store, def, &area).await?))
}

#[utoipa::path(put, path = "/api/indicators/{key}/baseline", tag = "indicators",
    params(("key" = String, Path, description = "indicator key, e.g. offences"), AreaParam),
    request_body = YearValueBody,
    responses((status = 200, description = "The updated indicator", body = Indicator),
              (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn set_baseline(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<AreaParam>,
    Json(body): Json<YearValueBody>,
) -> ApiResult<Json<Indicator>> {
    let def = definition(&key)?;
    let value = body
        .value
        .ok_or_else(|| ApiError::BadRequest("a baseline needs a value".into()))?;
    check_year_value(def, body.year, value)?;
    let set = state.areas().await?;
    let area = resolve_area(&set, q.area.as_deref())?;
    state
        .store
        .set_indicator_baseline(def.key.as_str(), &area, body.year, value)
        .await?;
    let data = IndicatorData::load(&state.store).await?;
    Ok(Json(data.indicator(&state.store, def, &area).await?))
}

#[utoipa::path(get, path = "/api/indicators/{key}/breakdown", tag = "indicators",
    params(("key" = String, Path, description = "indicator key"), BreakdownParams),
    responses((status = 200, description = "`{key, year, area:{code,name}, value, parts:\"wijk\"|\"buurt\", wijken:[{code,name,value,…}], data:[…]}`: \
        the value per wijk (or per buurt for a wijk) and the rows behind the figure", body = Value),
              (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn breakdown(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<BreakdownParams>,
) -> ApiResult<Json<Value>> {
    let def = definition(&key)?;
    let set = state.areas().await?;
    let area = resolve_area(&set, q.area.as_deref())?;
    let data = IndicatorData::load(&state.store).await?;
    let values = data.values(def.key, &area);
    let year = match q.year {
        Some(y) => y,
        None => values
            .iter()
            .rev()
            .find(|v| v.complete_year != Some(false))
            .map(|v| v.year)
            .or(data.years.last().copied())
            .unwrap_or(0),
    };
    let part_level = if area.starts_with("GM") {
        "wijk"
    } else {
        "buurt"
    };
    let parts: Vec<Value> = set
        .rows
        .iter()
        .filter(|r| r.level == part_level && inside(&area, &r.code) && r.code != area)
        .map(|r| {
            let v = data
                .values(def.key, &r.code)
                .into_iter()
                .find(|v| v.year == year);
            let mut o =
                json!({"code": r.code, "name": r.name, "value": v.as_ref().map(|v| v.value)});
            if let (Some(Value::Object(extra)), Value::Object(m)) = (
                v.map(|v| serde_json::to_value(v).unwrap_or_default()),
                &mut o,
            ) {
                for (k, x) in extra {
                    if k != "year" && k != "value" {
                        m.insert(k, x);
                    }
                }
            }
            o
        })
        .collect();
    let rows = data.rows_behind(def.key, &area, year);
    Ok(Json(json!({
        "key": def.key.as_str(),
        "year": year,
        "area": {"code": area, "name": set.get(&area).map(|r| r.name.clone())},
        "value": values.iter().find(|v| v.year == year),
        "parts": part_level,
        "wijken": parts,
        "data": rows,
    })))
}

impl IndicatorData {
    /// The rows behind one year's figure for an area.
    fn rows_behind(&self, key: Key, area: &str, year: i32) -> Vec<Value> {
        match key {
            Key::FeelsSafe | Key::EnforcementSatisfaction => {
                let rows = if key == Key::FeelsSafe { &self.feels_safe } else { &self.satisfaction };
                rows.iter()
                    .filter(|r| r.year == year && inside(area, &r.area_code))
                    .map(|r| json!({"area_code": r.area_code, "percentage": r.percentage, "sample_size": r.sample_size,
                                    "margin": ind::margin_pp(r.percentage, r.sample_size)}))
                    .collect()
            }
            Key::Offences => self
                .offences
                .iter()
                .filter(|r| r.year == year && inside(area, &r.area_code))
                .map(|r| json!({"area_code": r.area_code, "count": r.known, "withheld": r.withheld}))
                .collect(),
            Key::EnforcementWithoutSanction => {
                let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
                for r in self.enforcement.iter().filter(|r| r.year == year && r.buurt_code.as_deref().is_some_and(|b| inside(area, b))) {
                    *by.entry((r.domain.clone(), r.outcome.clone())).or_default() += r.count;
                }
                by.into_iter()
                    .map(|((domain, outcome), count)| {
                        json!({"domain": domain, "outcome": outcome, "count": count,
                               "counted": ind::ENFORCEMENT_DOMAINS.contains(&domain.as_str())})
                    })
                    .collect()
            }
            Key::Initiatives => self
                .initiatives
                .iter()
                .filter(|i| i.buurt_code.as_deref().is_some_and(|b| inside(area, b)))
                .filter(|i| ind::active_at_year_end(&i.start_date, i.end_date.as_deref(), year))
                .map(|i| json!({"id": i.id, "name": i.name, "kind": i.kind, "start_date": i.start_date, "end_date": i.end_date,
                                "members": i.members, "buurt_code": i.buurt_code}))
                .collect(),
            Key::E33FittingCare => self
                .e33
                .iter()
                .filter(|r| r.year == year && inside(area, &r.area_code))
                .map(|r| json!({"area_code": r.area_code, "count": r.count, "known_count": r.known_count, "with_fitting_care": r.fitting}))
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `2023`, `2023H1` or `2023H2` (default: the last year with offence data).
    pub period: Option<String>,
    /// `json` (default) or `html`: the self-contained report file `wijkveilig report` writes.
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/report", tag = "indicators", params(ReportParams),
    responses((status = 200, description = "Everything the steering report shows: `{period, from, to, generated, demo, gemeente:{code,name}, \
        indicators:[Indicator], top_hotspots:[{code,name,value,z,p,p_adjusted,bin,class}], hotspot_summary:{areas,hot,cold,fdr,weights,islands}, \
        coverage:{incidents,hotspot_cells,uncovered_hotspots,uncovered_cells,cameras_active,cameras_planned}|null, \
        enforcement_outcomes:[{outcome,count}], enforcement_by_domain:[{domain,outcome,count}], \
        initiatives:[{id,name,kind,members,start_date,end_date,buurt_code,buurt_name,active_at_end}], kde:(as /api/kde)|null, notes:[string]}`; \
        with `format=html` the report as one HTML file", body = Value),
              (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Query(q): Query<ReportParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => crate::report::ReportPeriod::parse(p).map_err(ApiError::BadRequest)?,
        None => {
            let year = super::params::default_range(&state).await?.to.year;
            crate::report::ReportPeriod::parse(&year.to_string()).map_err(ApiError::BadRequest)?
        }
    };
    let data = crate::report::gather(&state, period).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(data.to_json()).into_response()),
        Some("html") => {
            let html = crate::report::html::render(&data);
            Ok((
                [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response())
        }
        Some(o) => Err(ApiError::BadRequest(format!(
            "format '{o}' is not json or html"
        ))),
    }
}

/// The indicator and report routes, merged into the API router.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, put};
    axum::Router::new()
        .route("/api/indicators", get(list))
        .route("/api/indicators/{key}/target", put(set_target))
        .route("/api/indicators/{key}/baseline", put(set_baseline))
        .route("/api/indicators/{key}/breakdown", get(breakdown))
        .route("/api/report", get(report))
}
