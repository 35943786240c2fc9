//! What most questions are asked about: a period range and a crime-type selection, resolved
//! against what the data holds (the default period, the codes to sum, whether the data covers
//! the range at all), and the incident-type filter that follows from it.

use super::{Scope, ScopeParams, Service, ServiceError, ServiceResult};
use crate::analysis::figures::resolve_crime_types;
use crate::domain::crime_type::TOTAL;
use crate::domain::{CrimeType, Month, PeriodRange};
use serde::Deserialize;

/// The selection as a user gives it (query parameters).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SelectionParams {
    /// First month (`YYYY-MM`, `2023MM04`) or year (`YYYY`, `2023JJ00`). Default: 12 months before `to`.
    pub from: Option<String>,
    /// Last month or year, inclusive. Default: the last month with data.
    pub to: Option<String>,
    /// Comma-separated CBS SoortMisdrijf codes; a parent code selects its children. Default `0.0.0`.
    pub types: Option<String>,
    /// CBS gemeente code (`GM0141`), or `alle`; see [`ScopeParams`].
    pub gemeente: Option<String>,
    /// CBS boundary year of the areas shown; see [`ScopeParams`].
    pub indeling: Option<i64>,
}

impl SelectionParams {
    /// The scope part of the selection.
    pub fn scope(&self) -> Result<Scope, String> {
        Scope::parse(&ScopeParams {
            gemeente: self.gemeente.clone(),
            indeling: self.indeling,
        })
    }
}

/// A resolved selection.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Which areas: a boundary year and a gemeente.
    pub scope: Scope,
    pub range: PeriodRange,
    pub previous: PeriodRange,
    /// Whether the user chose the start of the range (otherwise it is the default).
    pub from_given: bool,
    /// The codes to sum, with no code counted inside another.
    pub types: Vec<String>,
    /// The codes as the user selected them (parents not expanded); incidents are filtered
    /// by these, whatever the offence figures hold.
    pub selectors: Vec<String>,
    /// Whether the dataset has any offence data in the range / the previous range, which
    /// decides whether a missing row is 0 or unknown.
    pub has_data: bool,
    pub previous_has_data: bool,
    /// Months of the range without any offence row while others have some: the figures are
    /// partial, and say which months they lack.
    pub missing_months: Vec<Month>,
}

impl Resolved {
    /// Whether the selection is every crime type.
    pub fn all_types(&self) -> bool {
        self.selectors.iter().any(|t| t == TOTAL)
    }
}

/// The months and the years that have offence rows, as [`crate::store::Store::offence_extent`]
/// gives them.
pub type OffenceExtent = (Option<(Month, Month)>, Option<(i32, i32)>);

/// The period shown when the user has not chosen one: the last 12 months with monthly data,
/// or the last year when the data is yearly.
pub fn default_range((months, years): OffenceExtent) -> PeriodRange {
    match (months, years) {
        (Some((_, last)), Some((_, last_year))) if last.year >= last_year => PeriodRange {
            from: last.plus(-11),
            to: last,
        },
        (_, Some((_, last_year))) => PeriodRange::year(last_year),
        (Some((_, last)), None) => PeriodRange {
            from: last.plus(-11),
            to: last,
        },
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

impl Service {
    /// The default period of the data.
    pub async fn default_range(&self) -> ServiceResult<PeriodRange> {
        Ok(default_range(self.period_extent().await?))
    }

    /// Resolves a user's selection against the data.
    pub async fn resolve(&self, p: &SelectionParams) -> ServiceResult<Resolved> {
        let (months, years) = self.offence_extent().await?;
        let usual = default_range(self.period_extent().await?);
        let bad = ServiceError::BadRequest;
        let range = match (&p.from, &p.to) {
            (Some(f), Some(t)) => PeriodRange::parse(f, t).map_err(bad)?,
            (None, None) => usual,
            (Some(f), None) => PeriodRange::parse(f, &usual.to.iso()).map_err(bad)?,
            (None, Some(t)) => {
                let to = PeriodRange::parse(t, t).map_err(bad)?.to;
                PeriodRange {
                    from: to.plus(-11),
                    to,
                }
            }
        };
        if range.len_months() > 12 * 30 {
            return Err(ServiceError::BadRequest(
                "the period may span at most 30 years".into(),
            ));
        }
        let selectors: Vec<String> = match &p.types {
            Some(t) if !t.trim().is_empty() => t
                .split(',')
                .map(CrimeType::parse_code)
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            _ => vec![TOTAL.to_string()],
        };
        let present = self.offence_crime_types().await?;
        let types = resolve_crime_types(&selectors, &present);
        let scope = p.scope().map_err(bad)?;
        let previous = range.previous();
        let covers = |r: PeriodRange| {
            let monthly = months.is_some_and(|(a, b)| a <= r.to && r.from <= b);
            let yearly = years.is_some_and(|(a, b)| {
                (r.from.year..=r.to.year).any(|y| r.covers_year(y) && (a..=b).contains(&y))
            });
            monthly || yearly
        };
        Ok(Resolved {
            scope,
            selectors,
            range,
            previous,
            from_given: p.from.is_some(),
            types,
            has_data: covers(range),
            previous_has_data: covers(previous),
            missing_months: self.missing_months(range).await?,
        })
    }

    /// The incident crime-type codes a selection selects: `None` for every type; otherwise the
    /// incident codes inside the selected (possibly parent) codes, which may be none at all.
    /// The one incident-type filter of the points layer, the density, coverage and patrol.
    pub async fn incident_types(&self, sel: &Resolved) -> ServiceResult<Option<Vec<String>>> {
        if sel.all_types() {
            return Ok(None);
        }
        let codes: Vec<String> = self
            .store()
            .incident_crime_types()
            .await?
            .into_iter()
            .filter(|c| sel.selectors.iter().any(|s| CrimeType::is_within(c, s)))
            .collect();
        Ok(Some(codes))
    }

    /// What the store is asked for a selection's incidents: the gemeente of its scope (`None`:
    /// all) and the crime types (empty: all); `None` when no incident can match.
    async fn incident_filter(
        &self,
        sel: &Resolved,
    ) -> ServiceResult<Option<(Option<String>, Vec<String>)>> {
        let set = self.areas(&sel.scope).await?;
        let gemeente = set.scope.gemeente.as_ref().map(|g| g.to_string());
        Ok(match self.incident_types(sel).await? {
            None => Some((gemeente, vec![])),
            // A selection matching no incident type matches no incident.
            Some(codes) if codes.is_empty() => None,
            Some(codes) => Some((gemeente, codes)),
        })
    }

    /// Incidents of a selection in its scope (its gemeente, or all), as the store returns them.
    /// The store filters by gemeente and month range (on PostgreSQL: only those partitions).
    pub async fn incidents(&self, sel: &Resolved) -> ServiceResult<Vec<crate::store::IncidentRow>> {
        let Some((gemeente, codes)) = self.incident_filter(sel).await? else {
            return Ok(vec![]);
        };
        let set = self.areas(&sel.scope).await?;
        let mut rows = self
            .store()
            .incidents(sel.range, &codes, gemeente.as_deref())
            .await?;
        rows.retain(|r| set.scope.holds_point(r.buurt_code.as_deref()));
        Ok(rows)
    }

    /// Only the locations (lon, lat) of [`Self::incidents`], for the density.
    pub async fn incident_locations(&self, sel: &Resolved) -> ServiceResult<Vec<(f64, f64)>> {
        let Some((gemeente, codes)) = self.incident_filter(sel).await? else {
            return Ok(vec![]);
        };
        Ok(self
            .store()
            .incident_locations(sel.range, &codes, gemeente.as_deref())
            .await?)
    }
}
