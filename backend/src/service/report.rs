//! Everything the steering report shows, gathered once for the printed page, the HTML file
//! and `/api/report`. Every figure comes from the same service function the map, the panel
//! and the API use: Gi* ([`Service::gi_star`]), the density ([`Service::density`]), coverage
//! ([`super::planning::coverage_report`]) and the indicators ([`IndicatorData`]).

use super::access::{self, AreaView};
use super::areas::{InitiativeSummary, OutcomeCount};
use super::hotspots::{HotspotQuery, KdeQuery};
use super::planning::{CoverageReport, coverage_report};
use super::{Scope, SelectionParams, Service, ServiceError, ServiceResult};
use crate::analysis::coverage::CameraStatus;
use crate::analysis::disclosure;
use crate::analysis::hotspot::gistar::class_name;
use crate::analysis::indicators::{
    IndicatorView, NamedCode, YearValue, active_at_year_end, counts_for_indicator3,
    enforcement_share,
};
use crate::analysis::kde::{Grid, KdeSurface};
use crate::auth::{Need, Principal};
use crate::domain::crime_type::TOTAL;
use crate::domain::{AreaCode, AreaLevel, PeriodLabel, ReportPeriod};
use geo::{Coord, MultiPolygon};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many hot buurten the report lists.
pub const TOP_HOTSPOTS: usize = 10;
/// How many unseen hotspot cells the report lists.
pub const REPORT_UNSEEN_CELLS: usize = 10;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotspotRow {
    pub code: String,
    pub name: String,
    /// Registered offences (total) in the period.
    /// `null` when hidden for this viewer ("< 5").
    pub value: Option<f64>,
    pub z: f64,
    pub p: f64,
    /// Benjamini–Hochberg adjusted p-value the class is based on.
    pub p_adjusted: f64,
    pub bin: i8,
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotspotSummary {
    /// Buurten analysed.
    pub areas: usize,
    pub hot: usize,
    pub cold: usize,
    pub fdr: bool,
    pub weights: &'static str,
    pub value: &'static str,
    pub islands: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DomainOutcome {
    pub domain: String,
    pub outcome: String,
    pub count: i64,
    /// Whether the domain counts for indicator 3 (and so for the outcome totals).
    pub counted: bool,
}

/// An initiative active at some time in the period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeOut {
    #[serde(flatten)]
    pub initiative: InitiativeSummary,
    pub buurt_code: Option<String>,
    pub buurt_name: Option<String>,
    /// Active on the last day of the period.
    pub active_at_end: bool,
}

/// What the map image is drawn from, in RD New metres.
#[derive(Debug, Clone, Default)]
pub struct MapInput {
    pub buurten: Vec<(String, MultiPolygon<f64>)>,
    pub wijken: Vec<MultiPolygon<f64>>,
    /// Gi* bin per buurt code.
    pub bins: BTreeMap<String, i8>,
    pub grid: Option<Grid>,
    /// Position, radius and whether active.
    pub cameras: Vec<(Coord<f64>, f64, bool)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportData {
    #[schema(value_type = crate::domain::ReportPeriodJson)]
    pub period: ReportPeriod,
    /// `YYYY-MM`
    pub from: String,
    pub to: String,
    /// `YYYY-MM-DD`
    pub generated: String,
    pub demo: bool,
    pub gemeente: NamedCode,
    /// The programme indicators for the gemeente, with values up to the period's year.
    pub indicators: Vec<IndicatorView>,
    pub top_hotspots: Vec<HotspotRow>,
    pub hotspot_summary: HotspotSummary,
    /// `null` without incident points in the period.
    pub coverage: Option<CoverageReport>,
    /// Enforcement actions of the counted domains per outcome.
    pub enforcement_outcomes: Vec<OutcomeCount>,
    /// All enforcement actions of the counted domains in the period (`null` when hidden).
    pub enforcement_total: Option<i64>,
    /// Every domain per outcome, each marked whether it counts.
    pub enforcement_by_domain: Vec<DomainOutcome>,
    /// Compliance without sanction over the counted actions in the period: indicator 3's rule.
    pub enforcement_share: Option<YearValue>,
    pub initiatives: Vec<InitiativeOut>,
    /// The density surface in `/api/kde`'s shape, or null without incidents.
    pub kde: Option<KdeSurface>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub map: MapInput,
}

/// The order outcomes are listed in.
const OUTCOME_ORDER: [&str; 4] = [
    "compliance_without_sanction",
    "warning",
    "administrative_sanction",
    "criminal_report",
];

impl Service {
    /// The report period when none is asked for: the year of the default range.
    pub async fn default_report_period(&self) -> ServiceResult<ReportPeriod> {
        let year = self.default_range().await?.to.year;
        ReportPeriod::parse(&year.to_string()).map_err(ServiceError::BadRequest)
    }

    /// Gathers the report for a period.
    ///
    /// For an aggregate-only viewer ([`Principal::suppresses_small_counts`]) small counts are
    /// hidden as everywhere else, the density is the protected one, and the detail tables that
    /// would need cell-by-cell protection (enforcement by domain, unseen hotspot cells) are
    /// left out with a note saying so.
    pub async fn report(
        &self,
        period: ReportPeriod,
        scope: &Scope,
        who: &Principal,
    ) -> ServiceResult<ReportData> {
        access::require(who, Need::Report)?;
        let protected = who.suppresses_small_counts();
        let set = self.areas(scope).await?;
        if set.spans_gemeenten() {
            return Err(ServiceError::BadRequest(
                "the report is made per gemeente: choose one (gemeente=GM…)".into(),
            ));
        }
        let gm: AreaCode = set
            .gemeente_code()
            .ok_or_else(|| ServiceError::NotFound("no areas have been imported".into()))?;
        let gm_name = set.display_name(&gm).unwrap_or_else(|| gm.to_string());
        let store = self.store();
        let range = period.range;
        let mut notes = Vec::new();

        let data = self.indicator_data().await?;
        let demo = store.is_demo().await?;
        let indicators = data.until(period.year()).all(&gm);
        if !matches!(period.label, PeriodLabel::Year(_)) {
            notes.push(format!(
                "De programma-indicatoren zijn jaarcijfers; voor {} tonen ze de jaren tot en met {}.",
                period.title_nl(),
                period.year()
            ));
        }

        // The selection of the period: every crime type.
        let sel = self
            .resolve(&SelectionParams {
                from: Some(range.from.iso()),
                to: Some(range.to.iso()),
                types: Some(TOTAL.into()),
                gemeente: set.scope.gemeente.as_ref().map(|g| g.to_string()),
                indeling: Some(set.scope.year),
            })
            .await?;

        let mut map = MapInput {
            buurten: set
                .buurten
                .iter()
                .map(|&i| (set.areas[i].code.to_string(), set.areas[i].rd.clone()))
                .collect(),
            wijken: set
                .wijken
                .iter()
                .map(|&i| set.areas[i].rd.clone())
                .collect(),
            ..Default::default()
        };

        // Hotspots: the map's Gi* (buurten, counts, queen, FDR).
        let mut hotspot_summary = HotspotSummary {
            areas: set.buurten.len(),
            hot: 0,
            cold: 0,
            fdr: true,
            weights: "queen",
            value: "count",
            islands: set
                .islands
                .iter()
                .filter(|c| AreaCode::parse(c).is_ok_and(|c| c.level() == AreaLevel::Buurt))
                .cloned()
                .collect(),
        };
        let gi = match self.gi_star(&HotspotQuery::default(), &sel).await {
            Ok(g) => Some(g),
            Err(ServiceError::BadRequest(e)) => {
                tracing::info!("report without hotspot analysis: {e}");
                notes.push(
                    "Geen hotspotanalyse voor deze periode: daarvoor zijn minstens drie buurten \
                     met cijfers nodig, met onderling verschil."
                        .into(),
                );
                None
            }
            Err(e) => return Err(e),
        };
        if gi.as_ref().is_some_and(|g| !g.sums.estimated.is_empty()) {
            notes.push(format!(
                "Geschat: een deel van de cijfers is gepubliceerd op de buurten van een andere \
                 buurtindeling en naar die van {} omgerekend (naar oppervlakte); totalen blijven gelijk.",
                set.scope.year
            ));
        }
        let mut top_hotspots = Vec::new();
        let view = gi
            .as_ref()
            .filter(|_| protected)
            .map(|g| AreaView::new(&set, &g.sums, who));
        let hidden = |i: usize| view.as_ref().is_some_and(|v| v.hidden[i]);
        if let Some(g) = &gi {
            hotspot_summary.hot = g.gi.bin.iter().filter(|&&b| b > 0).count();
            hotspot_summary.cold = g.gi.bin.iter().filter(|&&b| b < 0).count();
            for (k, &i) in g.members.iter().enumerate() {
                map.bins.insert(set.areas[i].code.to_string(), g.gi.bin[k]);
            }
            top_hotspots = g
                .hot()
                .into_iter()
                .take(TOP_HOTSPOTS)
                .map(|k| {
                    let a = &set.areas[g.members[k]];
                    HotspotRow {
                        code: a.code.to_string(),
                        name: a.name.clone(),
                        value: (!hidden(g.members[k])).then_some(g.gi.values[k]),
                        z: g.gi.z[k],
                        p: g.gi.p_norm[k],
                        p_adjusted: g.gi.p_class[k],
                        bin: g.gi.bin[k],
                        class: class_name(g.gi.bin[k]),
                    }
                })
                .collect();
        }

        // Incidents: the density and camera coverage.
        let cameras = self.plan_cameras().await?;
        map.cameras = cameras
            .iter()
            .map(|c| (c.position, c.radius_m, c.status == CameraStatus::Active))
            .collect();
        let (density, cell) = match self.density(&KdeQuery::default(), &sel, who).await {
            Ok(d) => (Some(d.0), d.1),
            Err(ServiceError::BadRequest(e)) => {
                notes.push(format!("Geen dichtheidskaart: {e}."));
                (None, 0.0)
            }
            Err(e) => return Err(e),
        };
        let (kde, coverage) = match (&density, &gi) {
            (Some(d), _) if d.points.is_empty() => {
                notes.push(
                    "Geen incidentpunten in deze periode: geen dichtheidskaart en geen cameradekking."
                        .into(),
                );
                (None, None)
            }
            (Some(d), Some(g)) => {
                let mut c = coverage_report(d, g, &cameras);
                c.uncovered_cells
                    .truncate(if protected { 0 } else { REPORT_UNSEEN_CELLS });
                (d.kde.as_ref().map(|_| d.surface(cell)), Some(c))
            }
            (Some(d), None) => (d.kde.as_ref().map(|_| d.surface(cell)), None),
            (None, _) => (None, None),
        };
        map.grid = density.and_then(|d| d.kde).map(|k| k.grid);

        // Enforcement in the period, inside the gemeente.
        let enforcement = store.indicator_enforcement(range.from, range.to).await?;
        let mine = enforcement.iter().filter(|r| {
            r.buurt_code
                .as_deref()
                .and_then(|b| AreaCode::parse(b).ok())
                .is_some_and(|b| gm.contains(&b))
        });
        let mut by_outcome: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_domain: BTreeMap<(String, String), i64> = BTreeMap::new();
        for r in mine {
            if counts_for_indicator3(&r.domain) {
                *by_outcome.entry(r.outcome.clone()).or_default() += r.count;
            }
            *by_domain
                .entry((r.domain.clone(), r.outcome.clone()))
                .or_default() += r.count;
        }
        let mut enforcement_outcomes: Vec<OutcomeCount> = by_outcome
            .into_iter()
            .map(|(outcome, count)| OutcomeCount {
                outcome,
                count: Some(count),
                suppressed: false,
            })
            .collect();
        enforcement_outcomes.sort_by_key(|o| {
            OUTCOME_ORDER
                .iter()
                .position(|x| *x == o.outcome)
                .unwrap_or(OUTCOME_ORDER.len())
        });
        let enforcement_total: i64 = enforcement_outcomes.iter().filter_map(|o| o.count).sum();
        if protected {
            let counts: Vec<Option<i64>> = enforcement_outcomes.iter().map(|o| o.count).collect();
            let hide = access::suppress_list(&counts);
            for (o, h) in enforcement_outcomes.iter_mut().zip(hide) {
                if h {
                    o.count = None;
                    o.suppressed = true;
                }
            }
        }
        let tally: Vec<(String, String, i64)> = by_domain
            .iter()
            .map(|((d, o), n)| (d.clone(), o.clone(), *n))
            .collect();
        let enforcement_share = enforcement_share(period.year(), &tally);
        if protected && !by_domain.is_empty() {
            notes.push(
                "De handhaving naar domein is in deze versie niet opgenomen: de kleine aantallen per domein en uitkomst zouden personen herkenbaar kunnen maken."
                    .into(),
            );
            by_domain.clear();
        }
        let enforcement_by_domain = by_domain
            .into_iter()
            .map(|((domain, outcome), count)| DomainOutcome {
                counted: counts_for_indicator3(&domain),
                domain,
                outcome,
                count,
            })
            .collect();

        // Initiatives active at some time in the period.
        let (start, end) = (
            format!("{}-01", range.from.iso()),
            range.to.last_day().to_string(),
        );
        let initiatives = store
            .initiatives()
            .await?
            .into_iter()
            .filter(|i| {
                set.scope.holds_point(i.buurt_code.as_deref())
                    && i.start_date.as_str() <= end.as_str()
                    && i.end_date
                        .as_deref()
                        .is_none_or(|e| e.is_empty() || e >= start.as_str())
            })
            .map(|i| InitiativeOut {
                active_at_end: if range.to.month == 12 {
                    active_at_year_end(&i.start_date, i.end_date.as_deref(), range.to.year)
                } else {
                    i.end_date
                        .as_deref()
                        .is_none_or(|e| e.is_empty() || e > end.as_str())
                },
                buurt_name: i
                    .buurt_code
                    .as_deref()
                    .and_then(|b| set.name_of(b))
                    .map(str::to_string),
                buurt_code: i.buurt_code.clone(),
                initiative: InitiativeSummary::from(i),
            })
            .collect();

        Ok(ReportData {
            period,
            from: range.from.iso(),
            to: range.to.iso(),
            generated: time::OffsetDateTime::now_utc().date().to_string(),
            demo,
            gemeente: NamedCode {
                code: gm.to_string(),
                name: Some(gm_name),
            },
            indicators,
            top_hotspots,
            hotspot_summary,
            coverage,
            enforcement_outcomes,
            enforcement_total: if protected && disclosure::is_small(Some(enforcement_total)) {
                None
            } else {
                Some(enforcement_total)
            },
            enforcement_by_domain,
            enforcement_share,
            initiatives,
            kde,
            notes,
            map,
        })
    }
}
