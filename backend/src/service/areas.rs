//! Figures per area: the choropleth of a level (optionally one wijk's buurten), ranked within
//! that set, and one area's detail (trend, crime types, enforcement, cameras, initiatives,
//! E33). Every area's count follows the one roll-up rule of [`AreaCache::roll_up`].

use super::access::{self, AreaView};
use super::geojson::{CollectionTag, Feature, Geometry};
use super::{AreaCache, Resolved, Service, ServiceError, ServiceResult};
use crate::analysis::crosswalk::Method;
use crate::analysis::disclosure;
use crate::analysis::figures::{DataStatus, Figures, Input, count_of, figures, rank, status_of};
use crate::analysis::indicators::{YearValue, enforcement_share};
use crate::auth::Principal;
use crate::domain::crime_type::TOTAL;
use crate::domain::{AreaCode, AreaLevel, Month};
use crate::store::CountSum;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The level of a map or a statistic: buurten (default) or wijken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Buurt,
    Wijk,
}

impl From<Level> for AreaLevel {
    fn from(l: Level) -> AreaLevel {
        match l {
            Level::Buurt => AreaLevel::Buurt,
            Level::Wijk => AreaLevel::Wijk,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    /// `buurt` (default) or `wijk`.
    pub level: Option<Level>,
    /// Only the buurten of this wijk (e.g. `WK014110`).
    pub wijk: Option<String>,
}

/// The offence sums per area code of a selection's range and of the range before it.
pub struct OffenceSums {
    pub current: HashMap<String, CountSum>,
    pub previous: HashMap<String, CountSum>,
    /// Codes of this set whose sums hold figures carried from another boundary year.
    pub estimated: HashMap<String, Method>,
}

impl OffenceSums {
    /// How area `i`'s figure was estimated, if it was: its own mark, or for a roll-up the
    /// mark of any part (a sum with an estimated part is an estimate by area).
    pub fn estimated(&self, set: &AreaCache, i: usize) -> Option<Method> {
        let own = self.estimated.get(set.areas[i].code.as_str()).copied();
        own.or_else(|| {
            set.parts(i)
                .iter()
                .any(|&b| self.estimated.contains_key(set.areas[b].code.as_str()))
                .then_some(Method::Area)
        })
    }

    pub(super) fn input(&self, set: &AreaCache, i: usize) -> Input {
        Input {
            current: set.roll_up(i, |c| self.current.get(c).copied()),
            previous: set.roll_up(i, |c| self.previous.get(c).copied()),
            population: set.areas[i].population,
        }
    }
}

/// Properties of an area on the map: who it is and its figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaProps {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub population: Option<i64>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One area's figures, which the map joins to its tile feature by `id`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaFigure {
    /// The area's feature id in the vector tiles ([`AreaCode::tile_id`]).
    pub id: u64,
    #[serde(flatten)]
    pub props: AreaProps,
}

/// The choropleth without geometry (`/api/figures`): what the map on vector tiles needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaFigures {
    /// The generation of the tiles these areas are drawn from (the `g` of the tile URLs).
    pub tile_generation: String,
    pub boundary_year: i64,
    #[serde(flatten)]
    pub head: MapHead,
    pub areas: Vec<AreaFigure>,
}

/// What both map answers (GeoJSON and figures) say about the map as a whole.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MapHead {
    pub period: ComparedPeriod,
    /// The crime-type codes summed.
    pub crime_types: Vec<String>,
    /// The headline of the map's scope: the wijk asked for, else the gemeente.
    pub summary: ScopeSummary,
    /// With `level=wijk`: each wijk's headline (empty for buurten).
    pub wijk_summaries: Vec<ScopeSummary>,
}

/// What both map answers are made of.
struct Choropleth {
    set: std::sync::Arc<AreaCache>,
    /// Positions in `set.areas`, in the order of `props`.
    members: Vec<usize>,
    props: Vec<AreaProps>,
    head: MapHead,
}

/// A period range with the range it is compared with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedPeriod {
    /// `YYYY-MM`
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    /// Months of the range (`YYYY-MM`) with no figures at all while others have some: the
    /// figures are partial. Empty when the range is complete (or has no data at all).
    pub missing_months: Vec<String>,
}

/// The choropleth: every area of a level with its figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaCollection {
    #[serde(rename = "type")]
    pub kind: CollectionTag,
    #[serde(flatten)]
    pub head: MapHead,
    pub features: Vec<Feature<AreaProps>>,
}

/// The headline figures of a map's scope, by the same rules as every area's: the roll-up
/// for the count, and indicator 3's counted domains for the enforcement share.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeSummary {
    pub code: String,
    pub name: Option<String>,
    pub figures: Figures,
    /// Enforcement actions of indicator 3's domains in the range that ended in compliance
    /// without a sanction, as a percentage (`numerator` of `denominator`); `null` without any
    /// such action, or when hidden for this viewer (see `enforcement_suppressed`).
    pub enforcement_without_sanction: Option<YearValue>,
    /// The share is hidden for this viewer: it rests on few cases ("< 5").
    pub enforcement_suppressed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthPoint {
    /// `YYYY-MM`
    pub period: String,
    pub count: Option<i64>,
    /// Whether `count` is a value, withheld by CBS, or no data for that month.
    pub status: DataStatus,
    /// The same month a year earlier.
    pub previous_year_count: Option<i64>,
    /// `count` is hidden for this viewer ("< 5").
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TypeCount {
    pub code: String,
    pub title: String,
    pub count: Option<i64>,
    pub withheld: i64,
    /// `count` is hidden for this viewer ("< 5").
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    pub outcome: String,
    /// `null` when hidden for this viewer ("< 5").
    pub count: Option<i64>,
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CameraSummary {
    pub id: String,
    pub name: String,
    pub status: String,
    pub radius_m: f64,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeSummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub members: Option<i64>,
    pub start_date: String,
    pub end_date: Option<String>,
}

impl From<crate::store::InitiativeRow> for InitiativeSummary {
    fn from(x: crate::store::InitiativeRow) -> Self {
        InitiativeSummary {
            id: x.id,
            name: x.name,
            kind: x.kind,
            members: x.members,
            start_date: x.start_date,
            end_date: x.end_date,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct E33Month {
    pub period: String,
    /// `null` when hidden for this viewer ("< 5").
    pub count: Option<i64>,
    pub with_fitting_care: Option<i64>,
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodSpan {
    pub from: String,
    pub to: String,
}

impl PeriodSpan {
    pub fn of(r: crate::domain::PeriodRange) -> PeriodSpan {
        PeriodSpan {
            from: r.from.iso(),
            to: r.to.iso(),
        }
    }
}

/// One area's panel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaDetail {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub population: Option<i64>,
    pub period: PeriodSpan,
    /// Months of the range (`YYYY-MM`) without figures while others have some (partial).
    pub missing_months: Vec<String>,
    pub figures: Figures,
    pub monthly: Vec<MonthPoint>,
    pub by_type: Vec<TypeCount>,
    pub enforcement_by_outcome: Vec<OutcomeCount>,
    pub cameras: Vec<CameraSummary>,
    pub initiatives: Vec<InitiativeSummary>,
    pub e33: Vec<E33Month>,
}

/// Figures for the areas `members` (positions in the cache), ranked within that set.
pub fn ranked(set: &AreaCache, members: &[usize], sums: &OffenceSums) -> Vec<Figures> {
    let inputs: Vec<Input> = members.iter().map(|&i| sums.input(set, i)).collect();
    let mut figs = figures(&inputs);
    for (f, &i) in figs.iter_mut().zip(members) {
        f.estimated = sums.estimated(set, i);
    }
    figs
}

impl Service {
    /// The offence sums of a selection, now and in the range before.
    /// Figures published on another boundary year's areas are carried to `set`'s areas
    /// through the crosswalk and marked as estimated.
    pub async fn offence_sums(
        &self,
        set: &AreaCache,
        sel: &Resolved,
    ) -> ServiceResult<OffenceSums> {
        let (current, mut estimated) = self.offence_sums_on(set, sel.range, &sel.types).await?;
        let (previous, before) = self.offence_sums_on(set, sel.previous, &sel.types).await?;
        estimated.extend(before);
        Ok(OffenceSums {
            current,
            previous,
            estimated,
        })
    }

    /// The members of a level, optionally only the buurten inside one wijk.
    fn level_members(
        set: &AreaCache,
        level: AreaLevel,
        wijk: Option<&str>,
    ) -> ServiceResult<Vec<usize>> {
        let Some(w) = wijk else {
            return Ok(set.level(level).to_vec());
        };
        let wijk = set
            .get(w.trim())
            .filter(|a| a.level == AreaLevel::Wijk)
            .ok_or_else(|| ServiceError::NotFound(format!("wijk {w} is not in the data")))?;
        Ok(set
            .level(level)
            .iter()
            .copied()
            .filter(|&i| wijk.code.contains(&set.areas[i].code))
            .collect())
    }

    /// Figures for every area of a level (optionally one wijk's buurten) that `who` may see,
    /// with the headline: the one computation behind both map answers below.
    async fn choropleth(
        &self,
        q: &AreaQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<Choropleth> {
        let set = self.areas(&sel.scope).await?;
        let level: AreaLevel = q.level.unwrap_or_default().into();
        let sums = self.offence_sums(&set, sel).await?;
        let view = AreaView::new(&set, &sums, who);
        let members: Vec<usize> = Self::level_members(&set, level, q.wijk.as_deref())?
            .into_iter()
            .filter(|&i| view.visible[i])
            .collect();
        let mut figs = ranked(&set, &members, &sums);
        for (f, &i) in figs.iter_mut().zip(&members) {
            view.apply(i, f);
        }
        rank(&mut figs);
        let props = members
            .iter()
            .zip(figs)
            .map(|(&i, figures)| {
                let a = &set.areas[i];
                AreaProps {
                    code: a.code.to_string(),
                    name: a.name.clone(),
                    level: a.level,
                    parent_code: a.parent.as_ref().map(|p| p.to_string()),
                    parent_name: set.parent_name(a),
                    population: a.population,
                    figures,
                }
            })
            .collect();
        // The headline's scope: the wijk asked for, the gemeente, or (`gemeente=alle` over
        // several gemeenten) everything shown.
        let scope = match q.wijk.as_deref() {
            Some(w) => Some(AreaCode::parse(w.trim()).map_err(ServiceError::BadRequest)?),
            None if set.spans_gemeenten() => None,
            None => Some(
                set.gemeente_code()
                    .ok_or_else(|| ServiceError::NotFound("no areas have been imported".into()))?,
            ),
        };
        let enforcement = self
            .store()
            .indicator_enforcement(sel.range.from, sel.range.to)
            .await?;
        let summary = Self::scope_summary(&set, &sums, &view, sel, &enforcement, scope, who);
        // On the wijk map every wijk's headline, by the same rule.
        let wijk_summaries = if level == AreaLevel::Wijk {
            members
                .iter()
                .map(|&i| {
                    let code = set.areas[i].code.clone();
                    Self::scope_summary(&set, &sums, &view, sel, &enforcement, Some(code), who)
                })
                .collect()
        } else {
            vec![]
        };
        Ok(Choropleth {
            head: MapHead {
                period: ComparedPeriod {
                    from: sel.range.from.iso(),
                    to: sel.range.to.iso(),
                    previous_from: sel.previous.from.iso(),
                    previous_to: sel.previous.to.iso(),
                    missing_months: sel.missing_months.iter().map(|m| m.iso()).collect(),
                },
                crime_types: sel.types.clone(),
                summary,
                wijk_summaries,
            },
            set,
            members,
            props,
        })
    }

    /// The choropleth as GeoJSON: every visible area of a level with its geometry and figures.
    pub async fn area_figures(
        &self,
        q: &AreaQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<AreaCollection> {
        let c = self.choropleth(q, sel, who).await?;
        let features = c
            .members
            .iter()
            .zip(c.props)
            .map(|(&i, props)| {
                let a = &c.set.areas[i];
                Feature::new(a.code.as_str(), Geometry::from_cached(&a.geometry), props)
            })
            .collect();
        Ok(AreaCollection {
            kind: CollectionTag::FeatureCollection,
            head: c.head,
            features,
        })
    }

    /// The choropleth without geometry, for the map on vector tiles: each area's figures with
    /// its tile feature id, and the generation of the tiles they belong with.
    ///
    /// Answers are kept per data generation, question and kind of viewer (role and wijken:
    /// all that the access policy looks at), so a map that many people open costs one
    /// computation per import.
    pub async fn figures(
        &self,
        q: &AreaQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<std::sync::Arc<super::answers::KeptAnswer>> {
        self.kept("figures", q, sel, who, self.compute_figures(q, sel, who))
            .await
    }

    async fn compute_figures(
        &self,
        q: &AreaQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<AreaFigures> {
        let c = self.choropleth(q, sel, who).await?;
        let tile_generation = self.tile_generation(&sel.scope).await?;
        let areas = c
            .members
            .iter()
            .zip(c.props)
            .map(|(&i, props)| AreaFigure {
                id: c.set.areas[i].code.tile_id(),
                props,
            })
            .collect();
        Ok(AreaFigures {
            tile_generation,
            boundary_year: c.set.scope.year,
            head: c.head,
            areas,
        })
    }

    /// The headline of `scope` (a wijk or the gemeente) for `who`; `enforcement` is the
    /// selection's enforcement counts (one read for all scopes of a request).
    #[allow(clippy::too_many_arguments)]
    fn scope_summary(
        set: &AreaCache,
        sums: &OffenceSums,
        view: &AreaView,
        sel: &Resolved,
        enforcement: &[crate::store::EnforcementCount],
        scope: Option<AreaCode>,
        who: &Principal,
    ) -> ScopeSummary {
        let within = |code: &AreaCode| scope.as_ref().is_none_or(|s| s.contains(code));
        let own = scope.as_ref().map_or("", |s| s.as_str());
        let mut fig = match set.position(own) {
            Some(i) => {
                let mut f = ranked(set, &[i], sums).remove(0);
                view.apply(i, &mut f);
                f
            }
            // A gemeente without its own polygon (or every gemeente): the roll-up over its
            // buurten.
            None => {
                let buurten: Vec<usize> = set
                    .level(AreaLevel::Buurt)
                    .iter()
                    .copied()
                    .filter(|&b| within(&set.areas[b].code))
                    .collect();
                let sum = |m: &HashMap<String, CountSum>| {
                    crate::analysis::figures::roll_up(
                        m.get(own).copied(),
                        buurten
                            .iter()
                            .filter_map(|&b| m.get(set.areas[b].code.as_str()).copied()),
                    )
                };
                // The rate's population is that of the buurten the count covers: buurten
                // without figures would dilute it (Twente with Almelo's figures: 6.5 instead
                // of 55.2 per 1,000).
                let population = buurten
                    .iter()
                    .filter(|&&b| sums.current.contains_key(set.areas[b].code.as_str()))
                    .filter_map(|&b| set.areas[b].population)
                    .reduce(|a, b| a + b);
                let mut f = figures(&[Input {
                    current: sum(&sums.current),
                    previous: sum(&sums.previous),
                    population,
                }])
                .remove(0);
                f.estimated = buurten
                    .iter()
                    .any(|&b| sums.estimated(set, b).is_some())
                    .then_some(Method::Area);
                if who.suppresses_small_counts() {
                    if disclosure::is_small(f.count) {
                        access::hide(&mut f);
                    }
                    if disclosure::is_small(f.previous_count) {
                        f.previous_count = None;
                        f.change_pct = None;
                        f.previous_suppressed = true;
                    }
                }
                f
            }
        };
        fig.rank = None;
        let tally: Vec<(String, String, i64)> = enforcement
            .iter()
            .filter(|r| {
                r.buurt_code
                    .as_deref()
                    .and_then(|b| AreaCode::parse(b).ok())
                    .is_some_and(|b| within(&b))
            })
            .map(|r| (r.domain.clone(), r.outcome.clone(), r.count))
            .collect();
        let share = enforcement_share(sel.range.to.year, &tally);
        let hidden = who.suppresses_small_counts()
            && !scope.as_ref().is_some_and(|s| who.sees_detail_of(s))
            && share.as_ref().is_some_and(access::share_of_few);
        ScopeSummary {
            name: match &scope {
                Some(s) => set.display_name(s),
                None => Some("Alle gemeenten".into()),
            },
            code: scope.map_or_else(|| "alle".into(), |s| s.to_string()),
            figures: fig,
            enforcement_without_sanction: share.filter(|_| !hidden),
            enforcement_suppressed: hidden,
        }
    }

    /// One area's detail, ranked among its level in the whole data.
    pub async fn area_detail(
        &self,
        code: &str,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<AreaDetail> {
        let set = self.areas(&sel.scope).await?;
        let code = code.trim().to_ascii_uppercase();
        let i = set
            .position(&code)
            .ok_or_else(|| ServiceError::NotFound(format!("area {code} is not in the data")))?;
        let a = &set.areas[i];
        let sums = self.offence_sums(&set, sel).await?;
        let view = AreaView::new(&set, &sums, who);
        if !view.visible[i] {
            return Err(ServiceError::Forbidden(format!(
                "{} lies outside your wijken: its buurt figures are not shown to you",
                a.name
            )));
        }
        // Small counts are hidden in this panel unless the viewer may see this area in full.
        let protected = who.suppresses_small_counts()
            && !(a.level != AreaLevel::Gemeente && who.sees_detail_of(&a.code));
        let members: Vec<usize> = set
            .level(a.level)
            .iter()
            .copied()
            .filter(|&m| view.visible[m])
            .collect();
        let mut all = match members.iter().position(|&m| m == i) {
            Some(_) => ranked(&set, &members, &sums),
            None => ranked(&set, &[i], &sums),
        };
        let own = if members.contains(&i) {
            members.clone()
        } else {
            vec![i]
        };
        for (f, &m) in all.iter_mut().zip(&own) {
            view.apply(m, f);
        }
        rank(&mut all);
        let figures = all.swap_remove(own.iter().position(|&m| m == i).unwrap_or(0));
        // Hides entries of a series summing to the panel's count; all of them when that count
        // is itself hidden (the series would add up to it).
        let hide = |total: Option<i64>, parts: &[Option<i64>]| -> Vec<bool> {
            if !protected {
                vec![false; parts.len()]
            } else if figures.suppressed {
                vec![true; parts.len()]
            } else {
                access::suppress_series(total, parts)
            }
        };

        // The codes that carry this area's rows, by the roll-up rule: its own, or its buurten's.
        let buurt_codes: Vec<String> = if a.level == AreaLevel::Buurt {
            vec![code.clone()]
        } else {
            set.parts(i)
                .iter()
                .map(|&b| set.areas[b].code.to_string())
                .collect()
        };
        let data_codes = if sums.current.contains_key(&code) || a.level == AreaLevel::Buurt {
            vec![code.clone()]
        } else {
            buurt_codes.clone()
        };
        let store = self.store();
        let months = store
            .offence_months(&data_codes, &sel.types, sel.range)
            .await?;
        let earlier = store
            .offence_months(&data_codes, &sel.types, sel.range.year_earlier())
            .await?;
        let mut monthly: Vec<MonthPoint> = if months.is_empty() {
            vec![]
        } else {
            sel.range
                .months()
                .map(|m: Month| MonthPoint {
                    period: m.iso(),
                    count: count_of(months.get(&m).copied()),
                    status: status_of(months.get(&m).copied()),
                    previous_year_count: count_of(earlier.get(&m.plus(-12)).copied()),
                    suppressed: false,
                })
                .collect()
        };
        let counts: Vec<Option<i64>> = monthly.iter().map(|m| m.count).collect();
        for (m, h) in monthly.iter_mut().zip(hide(figures.count, &counts)) {
            if h {
                m.count = None;
                m.suppressed = true;
            }
        }
        if protected {
            let before: Vec<Option<i64>> = monthly.iter().map(|m| m.previous_year_count).collect();
            let total = before.iter().flatten().copied().reduce(|a, b| a + b);
            let hidden = if total.is_some_and(|t| disclosure::is_small(Some(t))) {
                vec![true; before.len()]
            } else {
                access::suppress_series(total, &before)
            };
            for (m, h) in monthly.iter_mut().zip(hidden) {
                if h {
                    m.previous_year_count = None;
                }
            }
        }
        let titles = store.crime_type_titles().await?;
        let mut by_type: Vec<TypeCount> = store
            .offence_sums_by_type(&data_codes, sel.range)
            .await?
            .into_iter()
            .filter(|(t, _)| t != TOTAL)
            .map(|(t, s)| TypeCount {
                title: titles.get(&t).cloned().unwrap_or_else(|| t.clone()),
                count: count_of(Some(s)),
                withheld: s.withheld,
                suppressed: false,
                code: t,
            })
            .collect();
        by_type.sort_by(|x, y| y.count.cmp(&x.count).then(x.code.cmp(&y.code)));
        let counts: Vec<Option<i64>> = by_type.iter().map(|t| t.count).collect();
        for (t, h) in by_type.iter_mut().zip(hide(figures.count, &counts)) {
            if h {
                t.count = None;
                t.suppressed = true;
            }
        }

        let outcomes = store
            .enforcement_by_outcome(sel.range, &buurt_codes)
            .await?;
        let counts: Vec<Option<i64>> = outcomes.iter().map(|(_, c)| Some(*c)).collect();
        let hidden = if protected {
            access::suppress_list(&counts)
        } else {
            vec![false; counts.len()]
        };
        let enforcement_by_outcome = outcomes
            .into_iter()
            .zip(hidden)
            .map(|((outcome, count), h)| OutcomeCount {
                outcome,
                count: (!h).then_some(count),
                suppressed: h,
            })
            .collect();
        // Point registrations are listed only to a viewer who may see those points.
        let inside = |b: &Option<String>| {
            access::sees_point(who, b.as_deref())
                && b.as_deref()
                    .and_then(|b| AreaCode::parse(b).ok())
                    .is_some_and(|b| a.code.contains(&b))
        };
        let cameras = store
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
        let initiatives = store
            .initiatives()
            .await?
            .into_iter()
            .filter(|x| inside(&x.buurt_code))
            .map(InitiativeSummary::from)
            .collect();
        let mut e33_codes = data_codes.clone();
        if !e33_codes.contains(&code) {
            e33_codes.push(code.clone());
        }
        // E33 is health-related: aggregate-only for everyone, small counts hidden for
        // aggregate-only viewers like any other count.
        let e33_rows = store.e33_months(&e33_codes, sel.range).await?;
        let counts: Vec<Option<i64>> = e33_rows.iter().map(|r| Some(r.1)).collect();
        let hidden = if protected {
            access::suppress_list(&counts)
        } else {
            vec![false; counts.len()]
        };
        let e33 = e33_rows
            .into_iter()
            .zip(hidden)
            .map(|((m, count, care), h)| E33Month {
                period: Month::from_index(m as i32).iso(),
                count: (!h).then_some(count),
                with_fitting_care: if h || (protected && disclosure::is_small(care)) {
                    None
                } else {
                    care
                },
                suppressed: h,
            })
            .collect();
        Ok(AreaDetail {
            code: a.code.to_string(),
            name: a.name.clone(),
            level: a.level,
            parent_code: a.parent.as_ref().map(|p| p.to_string()),
            parent_name: set.parent_name(a),
            population: a.population,
            period: PeriodSpan::of(sel.range),
            missing_months: sel.missing_months.iter().map(|m| m.iso()).collect(),
            figures,
            monthly,
            by_type,
            enforcement_by_outcome,
            cameras,
            initiatives,
            e33,
        })
    }
}
