//! Hotspot statistics over the areas (Gi* with FDR, emerging hotspots) and the kernel density
//! of incidents. The map, the planning view and the report all ask these functions, so a
//! buurt is "hot" in one sense only.

use super::access::{self, AreaView};
use super::areas::{Level, PeriodSpan, ranked};
use super::geojson::{CollectionTag, Feature, Geometry};
use super::{AreaCache, Resolved, Service, ServiceError, ServiceResult};
use crate::analysis::disclosure;
use crate::analysis::figures::{DataStatus, count_of};
use crate::analysis::hotspot::HotspotError;
use crate::analysis::hotspot::emerging::{Category, emerging_hotspots};
use crate::analysis::hotspot::gistar::{GiStar, GiStarOptions, class_name, gi_star, gi_star_rates};
use crate::analysis::kde::{
    Grid, GridSpec, Kde, KdeOptions, KdeSurface, check_cost, kde, points_extent,
};
use crate::auth::Principal;
use crate::domain::{AreaLevel, Month, PeriodRange};
use crate::spatial::contiguity::{Weights, distance_band};
use crate::spatial::frame::MetricFrame;
use geo::Coord;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

/// What Gi* analyses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HotspotValue {
    /// Offence counts (default).
    #[default]
    Count,
    /// Offences per 1,000 inhabitants.
    Rate,
}

/// The spatial weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WeightsKind {
    /// Queen contiguity (default): areas sharing an edge or a corner.
    #[default]
    Queen,
    /// A fixed distance band between centroids.
    Distance,
}

/// Empirical Bayes smoothing of rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Smoothing {
    /// On when any area has fewer than 1,000 inhabitants (default).
    #[default]
    Auto,
    On,
    Off,
}

/// The time step of emerging hotspots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    #[default]
    Month,
    Year,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotspotQuery {
    /// `buurt` (default) or `wijk`.
    pub level: Option<Level>,
    /// `count` (default) or `rate` (per 1,000 inhabitants).
    pub value: Option<HotspotValue>,
    /// 0 (default) or up to 9,999 conditional permutations for a pseudo p-value.
    pub permutations: Option<usize>,
    pub seed: Option<u64>,
    /// Benjamini–Hochberg false-discovery-rate correction; on by default.
    pub fdr: Option<bool>,
    /// `queen` (default) or `distance`.
    pub weights: Option<WeightsKind>,
    /// The distance band in metres for `weights=distance` (default 1,500).
    pub distance_m: Option<f64>,
    /// Empirical Bayes smoothing of rates: `auto` (default: on when any area has fewer than
    /// 1,000 inhabitants), `on` or `off`.
    pub ebayes: Option<Smoothing>,
    /// `month` or `year`, for emerging hotspots (default: `month`, or `year` when the data is yearly only).
    pub step: Option<Step>,
    /// `false` sends every feature with `geometry: null`, for a map that draws the areas from
    /// the vector tiles and joins these results by `id` (default `true`).
    pub geometry: Option<bool>,
}

/// Populations below this make raw rates too noisy to compare (one offence moves the rate
/// of a 300-inhabitant buurt by 3.3 per 1,000).
const SMALL_POPULATION: i64 = 1_000;

/// Gi* of a selection over the areas of a level.
pub struct GiRun {
    pub set: Arc<AreaCache>,
    /// Positions in the cache, in the order of the statistics: the areas of the level with
    /// a count.
    pub members: Vec<usize>,
    pub gi: GiStar,
    /// Areas of the level left out because they have no count (withheld or no data): a
    /// missing figure is not 0. Positions in the cache, with why.
    pub excluded: Vec<(usize, DataStatus)>,
    pub empirical_bayes: bool,
    pub weights: WeightsKind,
    pub distance_m: Option<f64>,
    /// The offence sums the values came from (for the viewer's [`AreaView`]).
    pub sums: super::areas::OffenceSums,
}

impl GiRun {
    /// Hot areas (Gi_Bin > 0), hottest first: positions into `members`.
    pub fn hot(&self) -> Vec<usize> {
        let mut k: Vec<usize> = (0..self.members.len())
            .filter(|&k| self.gi.bin[k] > 0)
            .collect();
        k.sort_by(|&a, &b| self.gi.z[b].total_cmp(&self.gi.z[a]));
        k
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The options of the statistics, checked.
/// An area's geometry in a result, or `null` when the map draws areas from the tiles.
fn area_geometry(q: &HotspotQuery, a: &super::CachedArea) -> Geometry {
    if q.geometry == Some(false) {
        Geometry::null()
    } else {
        Geometry::from_cached(&a.geometry)
    }
}

fn options(q: &HotspotQuery) -> ServiceResult<GiStarOptions> {
    let permutations = q.permutations.unwrap_or(0);
    if permutations > 9_999 {
        return Err(ServiceError::BadRequest(
            "permutations may be at most 9,999".into(),
        ));
    }
    Ok(GiStarOptions {
        permutations,
        seed: q.seed.unwrap_or(1),
        fdr: q.fdr.unwrap_or(true),
    })
}

/// The weights for a level and query: cached queen or default-band weights, or a band of
/// another width from the cached centroids.
fn weights<'a>(
    set: &'a AreaCache,
    level: AreaLevel,
    q: &HotspotQuery,
) -> ServiceResult<(Cow<'a, Weights>, Option<f64>)> {
    let cached = set.weights(level);
    match q.weights.unwrap_or_default() {
        WeightsKind::Queen => Ok((Cow::Borrowed(&cached.queen), None)),
        WeightsKind::Distance => {
            let d = q
                .distance_m
                .unwrap_or(super::area_cache::DEFAULT_DISTANCE_M);
            if !(d > 0.0 && d < 100_000.0) {
                return Err(ServiceError::BadRequest(
                    "distance_m must be between 0 and 100,000 metres".into(),
                ));
            }
            if d == super::area_cache::DEFAULT_DISTANCE_M {
                return Ok((Cow::Borrowed(&cached.distance), Some(d)));
            }
            let centroids: Vec<Option<Coord<f64>>> = set
                .level(level)
                .iter()
                .map(|&i| set.areas[i].centroid_rd)
                .collect();
            Ok((Cow::Owned(distance_band(&centroids, d)), Some(d)))
        }
    }
}

fn stats_error(what: &str) -> impl Fn(HotspotError) -> ServiceError + '_ {
    move |e| ServiceError::BadRequest(format!("cannot compute {what}: {e}"))
}

/// The properties of an area in the Gi* result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotspotProps {
    /// The area's feature id in the vector tiles ([`AreaCode::tile_id`](crate::domain::AreaCode::tile_id)).
    pub id: u64,
    pub code: String,
    pub name: String,
    /// The analysed value: the count, or the (smoothed) rate; `null` when the count is
    /// hidden for this viewer ("< 5").
    pub value: Option<f64>,
    /// `value` is hidden for this viewer.
    pub suppressed: bool,
    pub z: Option<f64>,
    pub p: Option<f64>,
    /// The p-value the class is based on (BH-adjusted when `fdr`).
    pub p_adjusted: Option<f64>,
    pub p_sim: Option<f64>,
    /// ArcGIS Gi_Bin, −3..=3.
    pub bin: i8,
    /// `hot_99` … `none` … `cold_99`.
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeightsInfo {
    pub kind: WeightsKind,
    /// The band for `distance` weights.
    pub distance_m: Option<f64>,
    /// Vertices closer than this (metres) count as shared for queen contiguity.
    pub tolerance_m: f64,
    /// Areas without neighbours.
    pub islands: Vec<String>,
}

/// Gi* per area with z, p, FDR-adjusted p and class.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotspotCollection {
    #[serde(rename = "type")]
    pub kind: CollectionTag,
    pub period: PeriodSpan,
    pub value: HotspotValue,
    pub fdr: bool,
    pub empirical_bayes: bool,
    pub weights: WeightsInfo,
    /// Areas of the level left out of the statistic because they have no count (withheld
    /// by CBS, or no data): not counted as 0, and listed here.
    pub excluded: Vec<ExcludedArea>,
    pub features: Vec<Feature<HotspotProps>>,
}

/// An area left out of a statistic, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExcludedArea {
    pub code: String,
    pub name: String,
    /// `withheld` or `no_data`.
    pub status: crate::analysis::figures::DataStatus,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmergingProps {
    /// The area's feature id in the vector tiles ([`AreaCode::tile_id`](crate::domain::AreaCode::tile_id)).
    pub id: u64,
    pub code: String,
    pub name: String,
    /// e.g. `new_hot`, `persistent_cold`, `none`.
    pub category: String,
    pub trend_z: Option<f64>,
    pub trend_p: Option<f64>,
    /// Gi_Bin per time step.
    pub bins: Vec<i8>,
}

/// The emerging-hotspot category per area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmergingCollection {
    #[serde(rename = "type")]
    pub kind: CollectionTag,
    /// The time steps (`YYYY-MM` or `YYYY`).
    pub steps: Vec<String>,
    /// Areas left out because a step has no count for them (withheld, or no data).
    pub excluded: Vec<ExcludedArea>,
    pub features: Vec<Feature<EmergingProps>>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KdeQuery {
    /// Grid cell size in metres (default 100; 10–1,000).
    pub cell_m: Option<f64>,
    /// Kernel bandwidth in metres; default from the ArcGIS rule.
    pub bandwidth_m: Option<f64>,
}

/// The default KDE cell, metres.
pub const KDE_CELL_M: f64 = 100.0;

/// The margin around the areas inside which a density is drawn, metres.
const GRID_MARGIN_M: f64 = 500.0;

/// The grid a density is computed on: the areas' extent (plus a margin) where it meets the
/// points' extent (plus the bandwidth), so that a stray point far away does not stretch the
/// grid over half the country. `None` when the two do not meet.
pub fn density_grid(set: &AreaCache, points: &[Coord<f64>], cell: f64, h: f64) -> Option<GridSpec> {
    let (plo, phi) = points_extent(points)?;
    let (mut lo, mut hi) = (
        Coord {
            x: plo.x - h,
            y: plo.y - h,
        },
        Coord {
            x: phi.x + h,
            y: phi.y + h,
        },
    );
    if let Some((alo, ahi)) = set.extent_rd() {
        lo = Coord {
            x: lo.x.max(alo.x - GRID_MARGIN_M),
            y: lo.y.max(alo.y - GRID_MARGIN_M),
        };
        hi = Coord {
            x: hi.x.min(ahi.x + GRID_MARGIN_M),
            y: hi.y.min(ahi.y + GRID_MARGIN_M),
        };
    }
    (lo.x < hi.x && lo.y < hi.y).then(|| GridSpec::covering(lo, hi, cell))
}

/// A density of incidents with the points it was made from.
pub struct Density {
    pub points: Vec<Coord<f64>>,
    /// `None` without points, or when no point lies near the areas.
    pub kde: Option<Kde>,
}

impl Density {
    pub fn grid(&self) -> Option<&Grid> {
        self.kde.as_ref().map(|k| &k.grid)
    }

    /// The density as the map draws it.
    pub fn surface(&self, cell: f64) -> KdeSurface {
        match &self.kde {
            Some(k) => KdeSurface::new(k, &self.points, MetricFrame::rd()),
            None => KdeSurface::empty(cell),
        }
    }
}

impl Service {
    /// Gi* for a selection: counts or (optionally smoothed) rates per area of a level.
    pub async fn gi_star(&self, q: &HotspotQuery, sel: &Resolved) -> ServiceResult<GiRun> {
        let set = self.areas(&sel.scope).await?;
        let level: AreaLevel = q.level.unwrap_or_default().into();
        let all = set.level(level).to_vec();
        let (full, distance_m) = weights(&set, level, q)?;
        let opts = options(q)?;
        let sums = self.offence_sums(&set, sel).await?;
        let figs = ranked(&set, &all, &sums);
        // Gi* needs a value everywhere: areas without a count (withheld, or no data) are
        // left out of the statistic and of each other's neighbourhoods, not entered as 0.
        let keep: Vec<usize> = (0..all.len())
            .filter(|&k| figs[k].count.is_some())
            .collect();
        let members: Vec<usize> = keep.iter().map(|&k| all[k]).collect();
        let excluded: Vec<(usize, DataStatus)> = (0..all.len())
            .filter(|&k| figs[k].count.is_none())
            .map(|k| (all[k], figs[k].status))
            .collect();
        if members.len() < 3 {
            return Err(ServiceError::BadRequest(format!(
                "hotspot statistics need at least 3 areas with figures; {} of {} have one",
                members.len(),
                all.len()
            )));
        }
        let w = if excluded.is_empty() {
            full
        } else {
            Cow::Owned(full.restrict(&keep))
        };
        let counts: Vec<f64> = keep
            .iter()
            .map(|&k| figs[k].count.unwrap_or(0) as f64)
            .collect();
        let rates = match q.value.unwrap_or_default() {
            HotspotValue::Count => None,
            HotspotValue::Rate => {
                let population: Vec<f64> = members
                    .iter()
                    .map(|&i| set.areas[i].population.unwrap_or(0) as f64)
                    .collect();
                let smooth = match q.ebayes.unwrap_or_default() {
                    Smoothing::Auto => members
                        .iter()
                        .any(|&i| set.areas[i].population.is_none_or(|p| p < SMALL_POPULATION)),
                    Smoothing::On => true,
                    Smoothing::Off => false,
                };
                Some((population, smooth))
            }
        };
        let empirical_bayes = rates.as_ref().is_some_and(|r| r.1);
        let compute = move |w: &Weights| match &rates {
            None => gi_star(&counts, w, &opts),
            Some((population, smooth)) => {
                gi_star_rates(&counts, population, 1_000.0, *smooth, w, &opts)
            }
        };
        // Analytic Gi* takes microseconds per area; the permutation test is heavy work.
        let gi = if opts.permutations == 0 {
            compute(&w)
        } else {
            let w = w.into_owned();
            self.work.run("Gi*", move || compute(&w)).await?
        }
        .map_err(stats_error("Gi*"))?;
        Ok(GiRun {
            set,
            members,
            gi,
            excluded,
            empirical_bayes,
            weights: q.weights.unwrap_or_default(),
            distance_m,
            sums,
        })
    }

    /// Gi* per area as a feature collection.
    pub async fn hotspots(
        &self,
        q: &HotspotQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<HotspotCollection> {
        let r = self.gi_star(q, sel).await?;
        let set = &r.set;
        let view = AreaView::new(set, &r.sums, who);
        let features = r
            .members
            .iter()
            .enumerate()
            .filter(|&(_, &i)| view.visible[i])
            .map(|(k, &i)| {
                let a = &set.areas[i];
                Feature::new(
                    a.code.as_str(),
                    area_geometry(q, a),
                    HotspotProps {
                        id: a.code.tile_id(),
                        code: a.code.to_string(),
                        name: a.name.clone(),
                        value: (!view.hidden[i]).then_some(r.gi.values[k]),
                        suppressed: view.hidden[i],
                        z: finite(r.gi.z[k]),
                        p: finite(r.gi.p_norm[k]),
                        p_adjusted: finite(r.gi.p_class[k]),
                        p_sim: r.gi.p_sim.as_ref().map(|p| p[k]),
                        bin: r.gi.bin[k],
                        class: class_name(r.gi.bin[k]),
                    },
                )
            })
            .collect();
        Ok(HotspotCollection {
            kind: CollectionTag::FeatureCollection,
            period: PeriodSpan::of(sel.range),
            value: q.value.unwrap_or_default(),
            fdr: r.gi.fdr,
            empirical_bayes: r.empirical_bayes,
            weights: WeightsInfo {
                kind: r.weights,
                distance_m: r.distance_m,
                tolerance_m: 0.5,
                islands: set.islands.clone(),
            },
            excluded: r
                .excluded
                .iter()
                .filter(|&&(i, _)| view.visible[i])
                .map(|&(i, status)| ExcludedArea {
                    code: set.areas[i].code.to_string(),
                    name: set.areas[i].name.clone(),
                    status,
                })
                .collect(),
            features,
        })
    }

    /// Emerging hotspots: Gi* per time step and the Mann-Kendall trend of the z-scores. By
    /// default the whole monthly record (at most five years) up to the selection's end.
    pub async fn emerging(
        &self,
        q: &HotspotQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<EmergingCollection> {
        let set = self.areas(&sel.scope).await?;
        let mut range = sel.range;
        let (monthly, yearly) = self.offence_extent().await?;
        // Yearly-only data (47018NED) has no months to step through: step by year.
        let step = q.step.unwrap_or(if monthly.is_none() && yearly.is_some() {
            Step::Year
        } else {
            Step::Month
        });
        let first = match (monthly, yearly) {
            (Some((first, _)), _) => Some(first),
            (None, Some((first_year, _))) => Month::new(first_year, 1),
            (None, None) => None,
        };
        if !sel.from_given
            && let Some(first) = first
        {
            range = PeriodRange {
                from: first.max(range.to.plus(-59)),
                to: range.to,
            };
        }
        let level: AreaLevel = q.level.unwrap_or_default().into();
        let all = set.level(level).to_vec();
        let (full, _) = weights(&set, level, q)?;
        let opts = options(q)?;
        let (steps, series): (Vec<String>, Vec<Vec<Option<f64>>>) = match step {
            Step::Month => {
                let months = self.store().offence_area_months(range, &sel.types).await?;
                let in_range: Vec<Month> = range.months().collect();
                let series = in_range
                    .iter()
                    .map(|&mo| {
                        all.iter()
                            .map(|&i| {
                                count_of(
                                    set.roll_up(i, |c| months.get(&(c.to_string(), mo)).copied()),
                                )
                                .map(|n| n as f64)
                            })
                            .collect()
                    })
                    .collect();
                (in_range.iter().map(|m| m.iso()).collect(), series)
            }
            Step::Year => {
                let mut steps = Vec::new();
                let mut series = Vec::new();
                for y in range.from.year..=range.to.year {
                    let (sums, _) = self
                        .offence_sums_on(&set, PeriodRange::year(y), &sel.types)
                        .await?;
                    steps.push(y.to_string());
                    series.push(
                        all.iter()
                            .map(|&i| {
                                count_of(set.roll_up(i, |c| sums.get(c).copied())).map(|n| n as f64)
                            })
                            .collect(),
                    );
                }
                (steps, series)
            }
        };
        if steps.len() < 3 {
            return Err(ServiceError::BadRequest(format!(
                "emerging hotspots need at least 3 {unit}s of data, and the selection has {n} ({first}{last}); \
                 widen the period or import more {unit}s (e.g. 47018NED from 2017)",
                unit = if step == Step::Year { "year" } else { "month" },
                n = steps.len(),
                first = steps.first().cloned().unwrap_or_default(),
                last = steps
                    .last()
                    .filter(|_| steps.len() > 1)
                    .map(|l| format!("–{l}"))
                    .unwrap_or_default(),
            )));
        }
        // The space-time cube needs a value in every step: an area with a gap (withheld, or
        // no data) is left out and listed, not filled with 0.
        let keep: Vec<usize> = (0..all.len())
            .filter(|&k| series.iter().all(|step| step[k].is_some()))
            .collect();
        let members: Vec<usize> = keep.iter().map(|&k| all[k]).collect();
        let excluded: Vec<ExcludedArea> = (0..all.len())
            .filter(|k| !keep.contains(k))
            .map(|k| &set.areas[all[k]])
            .filter(|a| access::sees_area(who, a))
            .map(|a| ExcludedArea {
                code: a.code.to_string(),
                name: a.name.clone(),
                status: DataStatus::NoData,
            })
            .collect();
        if members.len() < 3 {
            return Err(ServiceError::BadRequest(format!(
                "hotspot statistics need at least 3 areas with figures in every step; {} of {} have them",
                members.len(),
                all.len()
            )));
        }
        let series: Vec<Vec<f64>> = series
            .iter()
            .map(|step| keep.iter().map(|&k| step[k].unwrap_or(0.0)).collect())
            .collect();
        let w = if keep.len() == all.len() {
            full
        } else {
            Cow::Owned(full.restrict(&keep))
        };
        let areas = if opts.permutations == 0 {
            emerging_hotspots(&series, &w, &opts)
        } else {
            let w = w.into_owned();
            self.work
                .run("emerging hotspots", move || {
                    emerging_hotspots(&series, &w, &opts)
                })
                .await?
        }
        .map_err(stats_error("emerging hotspots"))?;
        let features = members
            .iter()
            .zip(&areas)
            .filter(|&(&i, _)| access::sees_area(who, &set.areas[i]))
            .map(|(&i, e)| {
                let a = &set.areas[i];
                Feature::new(
                    a.code.as_str(),
                    area_geometry(q, a),
                    EmergingProps {
                        id: a.code.tile_id(),
                        code: a.code.to_string(),
                        name: a.name.clone(),
                        category: category_name(e.category, e.hot),
                        trend_z: finite(e.trend_z),
                        trend_p: finite(e.trend_p),
                        bins: e.bins.clone(),
                    },
                )
            })
            .collect();
        Ok(EmergingCollection {
            kind: CollectionTag::FeatureCollection,
            steps,
            excluded,
            features,
        })
    }

    /// Incident locations of a selection in the metric frame.
    pub async fn incident_points(&self, sel: &Resolved) -> ServiceResult<Vec<Coord<f64>>> {
        let frame = MetricFrame::rd();
        Ok(self
            .incident_locations(sel)
            .await?
            .into_iter()
            .map(|(lon, lat)| {
                let (x, y) = frame.to_metric(lon, lat);
                Coord { x, y }
            })
            .collect())
    }

    /// The kernel density of a selection's incidents on the grid of [`density_grid`]; for a
    /// viewer who may not see exact locations, the protected density of
    /// [`crate::analysis::disclosure`] (a wider kernel, sparse cells blank).
    pub async fn density(
        &self,
        q: &KdeQuery,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<(Density, f64)> {
        let points = self.incident_points(sel).await?;
        if who.sees_exact_heatmap() {
            return self.density_of(points, q, &sel.scope, false).await;
        }
        let q = KdeQuery {
            cell_m: q.cell_m.map(|c| c.max(disclosure::MIN_CELL_M)),
            bandwidth_m: Some(
                q.bandwidth_m
                    .or_else(|| crate::analysis::kde::default_bandwidth(&points))
                    .unwrap_or(disclosure::MIN_BANDWIDTH_M)
                    .max(disclosure::MIN_BANDWIDTH_M),
            ),
        };
        // The points themselves stay inside the service.
        self.density_of(points, &q, &sel.scope, true).await
    }

    /// The density from exact locations (for planning, and the roles that see points).
    pub async fn exact_density(
        &self,
        q: &KdeQuery,
        sel: &Resolved,
    ) -> ServiceResult<(Density, f64)> {
        let points = self.incident_points(sel).await?;
        self.density_of(points, q, &sel.scope, false).await
    }

    /// The density of `points` (RD metres) on the grid of [`density_grid`], computed in the
    /// heavy-work pool ([`super::work`]) within the caps of [`crate::analysis::budget`].
    /// Without a cell size asked for, the cell grows from 100 m until the grid is within
    /// them (a whole country at 100 m is not). `protect` blanks the sparse cells
    /// ([`disclosure::blank_sparse_cells`]).
    async fn density_of(
        &self,
        points: Vec<Coord<f64>>,
        q: &KdeQuery,
        scope: &super::Scope,
        protect: bool,
    ) -> ServiceResult<(Density, f64)> {
        let cells: Vec<f64> = match q.cell_m {
            Some(c) => vec![c],
            None => AUTO_CELLS_M
                .iter()
                .copied()
                .filter(|&c| !protect || c >= disclosure::MIN_CELL_M)
                .collect(),
        };
        let first = cells[0];
        if !(10.0..=1_000.0).contains(&first) {
            return Err(ServiceError::BadRequest(
                "cell_m must be between 10 and 1,000 metres".into(),
            ));
        }
        if let Some(b) = q.bandwidth_m
            && !(first..=20_000.0).contains(&b)
        {
            return Err(ServiceError::BadRequest(
                "bandwidth_m must be at least one cell and at most 20,000 metres".into(),
            ));
        }
        let set = self.areas(scope).await?;
        if points.is_empty() {
            return Ok((Density { points, kde: None }, first));
        }
        let default_h = crate::analysis::kde::default_bandwidth(&points);
        let mut refused = None;
        let mut chosen = None;
        for &cell in &cells {
            let h = q.bandwidth_m.or(default_h).unwrap_or(cell);
            let Some(extent) = density_grid(&set, &points, cell, h) else {
                return Ok((Density { points, kde: None }, cell));
            };
            let cost = check_cost(&extent, h).and_then(|()| {
                if protect {
                    disclosure::check_blank_cost(points.len(), h, cell)
                } else {
                    Ok(())
                }
            });
            match cost {
                Ok(()) => {
                    chosen = Some((cell, h, extent));
                    break;
                }
                Err(e) => refused = Some(e),
            }
        }
        let Some((cell, h, extent)) = chosen else {
            let why = refused.map(|e| e.to_string()).unwrap_or_default();
            return Err(ServiceError::BadRequest(format!(
                "cannot compute the density: {why}"
            )));
        };
        self.work
            .run("the density", move || {
                let mut k = kde(
                    &points,
                    &KdeOptions {
                        bandwidth_m: Some(h),
                        cell_size_m: cell,
                        extent: Some(extent),
                    },
                )
                .map_err(|e| {
                    ServiceError::BadRequest(format!("cannot compute the density: {e}"))
                })?;
                if protect {
                    disclosure::blank_sparse_cells(&mut k.grid, &points, h);
                }
                Ok((
                    Density {
                        points,
                        kde: Some(k),
                    },
                    cell,
                ))
            })
            .await?
    }
}

/// The cells a density without an asked-for cell size tries, smallest first (metres).
const AUTO_CELLS_M: [f64; 6] = [100.0, 200.0, 250.0, 500.0, 1_000.0, 2_000.0];

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
