//! The programme indicators of a gemeente or wijk: loaded in one store call, computed by
//! [`crate::analysis::indicators`]; and the targets and baselines the steering group sets.

use super::access;
use super::{AreaCache, Scope, Service, ServiceError, ServiceResult};
use crate::analysis::indicators::{
    Breakdown, Definition, INDICATORS, IndicatorData, IndicatorView, Key, Unit,
};
use crate::auth::Principal;
use crate::domain::{AreaCode, AreaLevel};
use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaParam {
    /// A gemeente (`GM…`, default: the one in the data) or wijk (`WK…`) code.
    pub area: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownParams {
    /// The year (default: the indicator's latest year).
    pub year: Option<i32>,
    /// A gemeente (default) or wijk code; a gemeente breaks down into wijken, a wijk into buurten.
    pub area: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct YearValueBody {
    pub year: i32,
    /// The value in the indicator's unit; for a target, `null` removes that year's target.
    pub value: Option<f64>,
}

/// Resolves `?area=`: the gemeente by default, or a gemeente or wijk code known in the data.
pub fn resolve_area(set: &AreaCache, area: Option<&str>) -> ServiceResult<AreaCode> {
    let gm = set.gemeente_code();
    let Some(raw) = area.map(str::trim).filter(|a| !a.is_empty()) else {
        return gm.ok_or_else(|| ServiceError::NotFound("no areas have been imported".into()));
    };
    let code = AreaCode::parse(raw)
        .ok()
        .filter(|c| c.level() != AreaLevel::Buurt)
        .ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "area '{raw}' is not a gemeente (GM…) or wijk (WK…) code"
            ))
        })?;
    if gm.as_ref() == Some(&code) || set.get(code.as_str()).is_some() {
        Ok(code)
    } else {
        Err(ServiceError::NotFound(format!(
            "area {code} is not in the data"
        )))
    }
}

/// The definition of an indicator key.
pub fn definition(key: &str) -> ServiceResult<&'static Definition> {
    Key::parse(key).map(Key::definition).ok_or_else(|| {
        let keys: Vec<&str> = INDICATORS.iter().map(|d| d.key.as_str()).collect();
        ServiceError::NotFound(format!(
            "unknown indicator '{key}'; the indicators are {}",
            keys.join(", ")
        ))
    })
}

fn check_year_value(def: &Definition, year: i32, value: f64) -> ServiceResult<()> {
    if !(1990..=2100).contains(&year) {
        return Err(ServiceError::BadRequest(format!(
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
        return Err(ServiceError::BadRequest(format!(
            "the value for {} must be {range}",
            def.key.as_str()
        )));
    }
    Ok(())
}

impl Service {
    /// Everything the indicators are computed from, in one store call.
    pub async fn indicator_data(&self) -> ServiceResult<IndicatorData> {
        Ok(IndicatorData::new(self.store().indicator_inputs().await?))
    }

    /// The six indicators of an area (default: the gemeente).
    pub async fn indicators(&self, area: Option<&str>) -> ServiceResult<Vec<IndicatorView>> {
        let set = self.areas(&Scope::of_area(area)).await?;
        let area = resolve_area(&set, area)?;
        Ok(self.indicator_data().await?.all(&area))
    }

    /// Sets (or with no value removes) a target, and returns the indicator.
    pub async fn set_target(
        &self,
        key: &str,
        area: Option<&str>,
        body: &YearValueBody,
    ) -> ServiceResult<IndicatorView> {
        let def = definition(key)?;
        check_year_value(def, body.year, body.value.unwrap_or(0.0))?;
        let set = self.areas(&Scope::of_area(area)).await?;
        let area = resolve_area(&set, area)?;
        self.store()
            .set_indicator_target(def.key.as_str(), area.as_str(), body.year, body.value)
            .await?;
        Ok(self.indicator_data().await?.indicator(def, &area))
    }

    /// Sets the baseline, and returns the indicator.
    pub async fn set_baseline(
        &self,
        key: &str,
        area: Option<&str>,
        body: &YearValueBody,
    ) -> ServiceResult<IndicatorView> {
        let def = definition(key)?;
        let value = body
            .value
            .ok_or_else(|| ServiceError::BadRequest("a baseline needs a value".into()))?;
        check_year_value(def, body.year, value)?;
        let set = self.areas(&Scope::of_area(area)).await?;
        let area = resolve_area(&set, area)?;
        self.store()
            .set_indicator_baseline(def.key.as_str(), area.as_str(), body.year, value)
            .await?;
        Ok(self.indicator_data().await?.indicator(def, &area))
    }

    /// An indicator's value in a year per wijk (or per buurt of a wijk), with the rows behind.
    /// For a wijkregisseur only the buurten inside their wijken are parts; for aggregate-only
    /// viewers small offence counts are hidden and the rows behind are left out.
    pub async fn breakdown(
        &self,
        key: &str,
        q: &BreakdownParams,
        who: &Principal,
    ) -> ServiceResult<Breakdown> {
        let def = definition(key)?;
        let set = self.areas(&Scope::of_area(q.area.as_deref())).await?;
        let area = resolve_area(&set, q.area.as_deref())?;
        let parts: Vec<(AreaCode, String)> = set
            .areas
            .iter()
            .filter(|a| a.level != AreaLevel::Gemeente && access::sees_area(who, a))
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        let name = set.name_of(area.as_str()).map(str::to_string);
        let mut b = self
            .indicator_data()
            .await?
            .breakdown(def, &area, name, q.year, &parts);
        let full = area.level() != AreaLevel::Gemeente && who.sees_detail_of(&area);
        if who.suppresses_small_counts() && !full {
            b.data.clear();
            let hidden: Vec<bool> = match def.key {
                // Counts: small ones, and one more wherever one could be subtracted out.
                Key::Offences | Key::Initiatives => {
                    let total = b.value.as_ref().map(|v| v.value.round() as i64);
                    let values: Vec<Option<i64>> = b
                        .wijken
                        .iter()
                        .map(|p| p.value.as_ref().map(|v| v.value.round() as i64))
                        .collect();
                    access::suppress_series(total, &values)
                }
                // Shares: hidden when the cases, those counted or those not, are few.
                _ => b
                    .wijken
                    .iter()
                    .map(|p| p.value.as_ref().is_some_and(access::share_of_few))
                    .collect(),
            };
            for (p, hide) in b.wijken.iter_mut().zip(hidden) {
                let own = AreaCode::parse(&p.code).is_ok_and(|c| who.sees_detail_of(&c));
                if hide && !own {
                    p.value = None;
                    p.suppressed = true;
                }
            }
        }
        Ok(b)
    }
}
