//! The query parameters most endpoints share: a period range and a crime-type selection,
//! resolved against what the data holds.

use super::error::{ApiError, ApiResult};
use super::state::AppState;
use crate::analysis::figures::resolve_crime_types;
use crate::domain::{Month, PeriodRange};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Selection {
    /// First month (`YYYY-MM`, `2023MM04`) or year (`YYYY`, `2023JJ00`). Default: 12 months before `to`.
    pub from: Option<String>,
    /// Last month or year, inclusive. Default: the last month with data.
    pub to: Option<String>,
    /// Comma-separated CBS SoortMisdrijf codes; a parent code selects its children. Default `0.0.0`.
    pub types: Option<String>,
}

pub struct Resolved {
    pub range: PeriodRange,
    pub previous: PeriodRange,
    /// The codes to sum, with no code counted inside another.
    pub types: Vec<String>,
    /// Whether the dataset has any offence data in the range / the previous range, which
    /// decides whether a missing row is 0 or unknown.
    pub has_data: bool,
    pub previous_has_data: bool,
}

/// The months and the years that have offence rows, as [`crate::store::Store::offence_extent`]
/// gives them.
pub type OffenceExtent = (Option<(Month, Month)>, Option<(i32, i32)>);

/// The period shown when the user has not chosen one: the last 12 months with monthly data,
/// or the last year when the data is yearly.
pub async fn default_range(state: &AppState) -> ApiResult<PeriodRange> {
    Ok(default_range_for(state.store.offence_extent().await?))
}

/// [`default_range`] for an extent already read.
pub fn default_range_for((months, years): OffenceExtent) -> PeriodRange {
    match (months, years) {
        (Some((_, last)), Some((_, last_year))) if last.year >= last_year => PeriodRange {
            from: last.plus(-11),
            to: last,
        },
        (_, Some((_, last_year))) => PeriodRange::year(last_year),
        _ => {
            let now = time::OffsetDateTime::now_utc();
            let m = Month {
                year: now.year(),
                month: u8::from(now.month()),
            };
            PeriodRange {
                from: m.plus(-11),
                to: m,
            }
        }
    }
}

impl Selection {
    pub async fn resolve(&self, state: &AppState) -> ApiResult<Resolved> {
        let extent = state.store.offence_extent().await?;
        let (months, years) = extent;
        let range = match (&self.from, &self.to) {
            (Some(f), Some(t)) => PeriodRange::parse(f, t).map_err(ApiError::BadRequest)?,
            (None, None) => default_range_for(extent),
            (Some(f), None) => {
                let d = default_range_for(extent);
                PeriodRange::parse(f, &d.to.iso()).map_err(ApiError::BadRequest)?
            }
            (None, Some(t)) => {
                let to = PeriodRange::parse(t, t).map_err(ApiError::BadRequest)?.to;
                PeriodRange {
                    from: to.plus(-11),
                    to,
                }
            }
        };
        if range.len_months() > 12 * 30 {
            return Err(ApiError::BadRequest(
                "the period may span at most 30 years".into(),
            ));
        }
        let selectors: Vec<String> = match &self.types {
            Some(t) if !t.trim().is_empty() => {
                let mut v = Vec::new();
                for raw in t.split(',') {
                    let code =
                        crate::domain::CrimeType::parse_code(raw).map_err(ApiError::BadRequest)?;
                    v.push(code);
                }
                v
            }
            _ => vec![crate::domain::crime_type::TOTAL.to_string()],
        };
        let present = state.store.offence_crime_types().await?;
        let types = resolve_crime_types(&selectors, &present);
        let previous = range.previous();
        let covers = |r: PeriodRange| {
            let monthly = months.is_some_and(|(a, b)| a <= r.to && r.from <= b);
            let yearly = years.is_some_and(|(a, b)| {
                (r.from.year..=r.to.year).any(|y| r.covers_year(y) && (a..=b).contains(&y))
            });
            monthly || yearly
        };
        Ok(Resolved {
            range,
            previous,
            types,
            has_data: covers(range),
            previous_has_data: covers(previous),
        })
    }
}
