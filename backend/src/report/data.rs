//! Everything the steering report shows, gathered once for the HTML file and `/api/report`.

use crate::analysis::coverage::{Camera, CameraStatus, coverage, hotspot_coverage, unseen_areas};
use crate::analysis::hotspot::gistar::{GiStarOptions, gi_star};
use crate::analysis::indicators::active_at_year_end;
use crate::analysis::kde::{Grid, GridSpec, KdeOptions, kde};
use crate::domain::{Month, PeriodRange};
use crate::http::error::{ApiError, ApiResult};
use crate::http::indicators::{Indicator, IndicatorData, gemeente_code};
use crate::http::state::AppState;
use crate::importer::parse_multipolygon;
use crate::spatial::contiguity::{QueenOptions, queen_contiguity_wgs84};
use crate::spatial::frame::MetricFrame;
use geo::{Coord, Geometry, MultiPolygon};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// KDE cell size and the share of non-empty cells called hotspot cells.
pub const KDE_CELL_M: f64 = 100.0;
pub const HOTSPOT_CELL_SHARE: f64 = 0.10;
/// How many hot buurten the report lists.
pub const TOP_HOTSPOTS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    /// `2023`, `2023H1` or `2023H2`.
    pub label: PeriodLabel,
    pub range: PeriodRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodLabel {
    Year(i32),
    FirstHalf(i32),
    SecondHalf(i32),
}

/// As `{"code": "2023H1", "title": "1e helft 2023", "year": 2023}`: what a reader of the JSON
/// needs, not the enum's internals.
impl Serialize for ReportPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ReportPeriod", 3)?;
        st.serialize_field("code", &self.code())?;
        st.serialize_field("title", &self.title_nl())?;
        st.serialize_field("year", &self.year())?;
        st.end()
    }
}

impl ReportPeriod {
    /// Parses `2023`, `2023H1` or `2023H2`.
    pub fn parse(s: &str) -> Result<ReportPeriod, String> {
        let s = s.trim();
        let bad = || format!("period '{s}' is not a year (2023) or half-year (2023H1, 2023H2)");
        let (year, half) = match s.len() {
            4 => (s, None),
            6 => (&s[..4], Some(&s[4..])),
            _ => return Err(bad()),
        };
        let year: i32 = year
            .parse()
            .ok()
            .filter(|y| (1900..=2999).contains(y))
            .ok_or_else(bad)?;
        let (label, from, to) = match half.map(str::to_ascii_uppercase).as_deref() {
            None => (PeriodLabel::Year(year), 1, 12),
            Some("H1") => (PeriodLabel::FirstHalf(year), 1, 6),
            Some("H2") => (PeriodLabel::SecondHalf(year), 7, 12),
            Some(_) => return Err(bad()),
        };
        Ok(ReportPeriod {
            label,
            range: PeriodRange {
                from: Month { year, month: from },
                to: Month { year, month: to },
            },
        })
    }

    pub fn year(&self) -> i32 {
        self.range.from.year
    }

    pub fn code(&self) -> String {
        match self.label {
            PeriodLabel::Year(y) => y.to_string(),
            PeriodLabel::FirstHalf(y) => format!("{y}H1"),
            PeriodLabel::SecondHalf(y) => format!("{y}H2"),
        }
    }

    /// Dutch, for the report: `2023`, `1e helft 2023`, `2e helft 2023`.
    pub fn title_nl(&self) -> String {
        match self.label {
            PeriodLabel::Year(y) => y.to_string(),
            PeriodLabel::FirstHalf(y) => format!("1e helft {y}"),
            PeriodLabel::SecondHalf(y) => format!("2e helft {y}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HotspotRow {
    pub code: String,
    pub name: String,
    /// Registered offences (total) in the period.
    pub value: f64,
    pub z: f64,
    pub p: f64,
    /// Benjamini–Hochberg adjusted p-value the class is based on.
    pub p_adjusted: f64,
    pub bin: i8,
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub total: usize,
    pub covered: usize,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageOut {
    pub incidents: Share,
    pub hotspot_cells: Share,
    /// Hot buurten (Gi* class hot) with no active camera inside.
    pub uncovered_hotspots: Vec<Value>,
    /// Hotspot KDE cells no active camera sees, densest first (at most 10).
    pub uncovered_cells: Vec<Value>,
    pub cameras_active: usize,
    pub cameras_planned: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeCount {
    pub outcome: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainOutcome {
    pub domain: String,
    pub outcome: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitiativeOut {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub members: Option<i64>,
    pub start_date: String,
    pub end_date: Option<String>,
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
    pub cameras: Vec<(Coord<f64>, f64, bool)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub period: ReportPeriod,
    pub from: String,
    pub to: String,
    pub generated: String,
    pub demo: bool,
    pub gemeente: Value,
    /// The programme indicators for the gemeente, with values up to the period's year.
    pub indicators: Vec<Indicator>,
    pub top_hotspots: Vec<HotspotRow>,
    pub hotspot_summary: Value,
    pub coverage: Option<CoverageOut>,
    pub enforcement_outcomes: Vec<OutcomeCount>,
    pub enforcement_by_domain: Vec<DomainOutcome>,
    pub initiatives: Vec<InitiativeOut>,
    /// The KDE surface in `/api/kde`'s shape, or null without incidents.
    pub kde: Option<Value>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub map: MapInput,
}

impl ReportData {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

fn class_of(bin: i8) -> &'static str {
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

/// Gathers the report for a period from the state's store and areas.
pub async fn gather(state: &AppState, period: ReportPeriod) -> ApiResult<ReportData> {
    let store = &state.store;
    let set = state.areas().await?;
    let gm = gemeente_code(&set)
        .ok_or_else(|| ApiError::NotFound("no areas have been imported".into()))?;
    let gm_name = set
        .get(&gm)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| gm.clone());
    let demo = store.is_demo().await?;
    let range = period.range;
    let mut notes = Vec::new();

    let data = IndicatorData::load(store).await?.until(period.year());
    let indicators = data.all(store, &gm).await?;
    if !matches!(period.label, PeriodLabel::Year(_)) {
        notes.push(format!(
            "De programma-indicatoren zijn jaarcijfers; voor {} tonen ze de jaren tot en met {}.",
            period.title_nl(),
            period.year()
        ));
    }

    // Buurten: geometry, metric geometry, counts in the period.
    let frame = MetricFrame::rd_new();
    let buurt_rows: Vec<usize> = set.buurten.clone();
    let wgs: Vec<Option<MultiPolygon<f64>>> = buurt_rows
        .iter()
        .map(|&i| parse_multipolygon(&set.rows[i].geometry))
        .collect();
    let mut map = MapInput {
        buurten: buurt_rows
            .iter()
            .zip(&wgs)
            .filter_map(|(&i, g)| {
                g.as_ref()
                    .map(|g| (set.rows[i].code.clone(), frame.project(g)))
            })
            .collect(),
        wijken: set
            .rows
            .iter()
            .filter(|r| r.level == "wijk")
            .filter_map(|r| parse_multipolygon(&r.geometry).map(|g| frame.project(&g)))
            .collect(),
        ..Default::default()
    };

    // Hotspots: Gi* on the buurt offence totals with queen contiguity and BH FDR.
    let total = vec![crate::domain::crime_type::TOTAL.to_string()];
    let sums = store.offence_sums(range, &total).await?;
    let values: Vec<f64> = buurt_rows
        .iter()
        .map(|&i| {
            crate::http::areas::area_sum(&set, &sums, &set.rows[i].code)
                .map_or(0.0, |s| s.known as f64)
        })
        .collect();
    let geoms: Vec<Option<Geometry<f64>>> = wgs
        .iter()
        .map(|g| g.clone().map(Geometry::MultiPolygon))
        .collect();
    let (weights, report) = queen_contiguity_wgs84(&geoms, &frame, &QueenOptions::default());
    let mut top_hotspots = Vec::new();
    let mut z_of: BTreeMap<String, f64> = BTreeMap::new();
    let name_of: BTreeMap<&str, &str> = buurt_rows
        .iter()
        .map(|&i| (set.rows[i].code.as_str(), set.rows[i].name.as_str()))
        .collect();
    let mut hotspot_summary = json!({"areas": buurt_rows.len(), "hot": 0, "cold": 0, "fdr": true, "weights": "queen",
        "value": "count", "islands": report.islands.iter().map(|&i| set.rows[buurt_rows[i]].code.clone()).collect::<Vec<_>>()});
    match gi_star(&values, &weights, &GiStarOptions::default()) {
        Ok(g) => {
            let mut idx: Vec<usize> = (0..values.len()).filter(|&i| g.bin[i] > 0).collect();
            idx.sort_by(|&a, &b| g.z[b].total_cmp(&g.z[a]));
            hotspot_summary["hot"] = json!(g.bin.iter().filter(|&&b| b > 0).count());
            hotspot_summary["cold"] = json!(g.bin.iter().filter(|&&b| b < 0).count());
            for (k, &i) in buurt_rows.iter().enumerate() {
                map.bins.insert(set.rows[i].code.clone(), g.bin[k]);
                z_of.insert(set.rows[i].code.clone(), g.z[k]);
            }
            top_hotspots = idx
                .into_iter()
                .take(TOP_HOTSPOTS)
                .map(|k| {
                    let r = &set.rows[buurt_rows[k]];
                    HotspotRow {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        value: values[k],
                        z: g.z[k],
                        p: g.p_norm[k],
                        p_adjusted: g.p_class[k],
                        bin: g.bin[k],
                        class: class_of(g.bin[k]),
                    }
                })
                .collect();
        }
        Err(e) => notes.push(format!("Geen hotspotanalyse voor deze periode: {e}.")),
    }

    // Incidents → KDE and camera coverage.
    let incidents = store.incidents(range, &[]).await?;
    let points: Vec<Coord<f64>> = incidents
        .iter()
        .map(|i| {
            let (x, y) = frame.to_metric(i.lon, i.lat);
            Coord { x, y }
        })
        .collect();
    let cameras = store.cameras().await?;
    let cams: Vec<Camera> = cameras
        .iter()
        .map(|c| {
            let (x, y) = frame.to_metric(c.lon, c.lat);
            let status = if c.status == "active" {
                CameraStatus::Active
            } else {
                CameraStatus::Planned
            };
            Camera {
                position: Coord { x, y },
                radius_m: c.radius_m,
                status,
            }
        })
        .collect();
    map.cameras = cams
        .iter()
        .map(|c| (c.position, c.radius_m, c.status == CameraStatus::Active))
        .collect();
    let extent = grid_over(&map.buurten);
    let (kde_json, coverage_out) = if points.is_empty() {
        notes.push(
            "Geen incidentpunten in deze periode: geen dichtheidskaart en geen cameradekking."
                .into(),
        );
        (None, None)
    } else {
        match kde(
            &points,
            &KdeOptions {
                bandwidth_m: None,
                cell_size_m: KDE_CELL_M,
                extent,
            },
        ) {
            Ok(k) => {
                let inc = coverage(&points, &cams);
                let hc = hotspot_coverage(&k.grid, HOTSPOT_CELL_SHARE, &cams);
                let density_at = |c: Coord<f64>| {
                    let g = &k.grid;
                    let ix = ((c.x - g.origin.x) / g.cell_size).floor() as usize;
                    let iy = ((c.y - g.origin.y) / g.cell_size).floor() as usize;
                    g.values.get(iy * g.nx + ix).copied().unwrap_or(0.0)
                };
                // All hot buurten, hottest first, as on the planning view.
                let mut hot: Vec<(&str, &MultiPolygon<f64>)> = map
                    .buurten
                    .iter()
                    .filter(|(code, _)| map.bins.get(code).is_some_and(|&b| b > 0))
                    .map(|(code, g)| (code.as_str(), g))
                    .collect();
                hot.sort_by(|a, b| z_of[b.0].total_cmp(&z_of[a.0]));
                let shapes: Vec<&MultiPolygon<f64>> = hot.iter().map(|&(_, g)| g).collect();
                let unseen = unseen_areas(&shapes, &cams);
                let cov = CoverageOut {
                    incidents: Share {
                        total: inc.total,
                        covered: inc.covered,
                        share: inc.share,
                    },
                    hotspot_cells: Share {
                        total: hc.cells.total,
                        covered: hc.cells.covered,
                        share: hc.cells.share,
                    },
                    uncovered_hotspots: unseen
                        .into_iter()
                        .map(|j| {
                            let code = hot[j].0;
                            json!({"code": code, "name": name_of[code], "z": z_of[code], "bin": map.bins[code]})
                        })
                        .collect(),
                    uncovered_cells: hc
                        .uncovered
                        .iter()
                        .take(10)
                        .map(|&c| {
                            let (lon, lat) = frame.to_wgs84(c.x, c.y);
                            json!({"lon": lon, "lat": lat, "density": density_at(c)})
                        })
                        .collect(),
                    cameras_active: cams
                        .iter()
                        .filter(|c| c.status == CameraStatus::Active)
                        .count(),
                    cameras_planned: cams
                        .iter()
                        .filter(|c| c.status == CameraStatus::Planned)
                        .count(),
                };
                let j = kde_json(&k.grid, k.bandwidth_m, points.len(), &frame);
                map.grid = Some(k.grid);
                (Some(j), Some(cov))
            }
            Err(e) => {
                notes.push(format!("Geen dichtheidskaart: {e}."));
                (None, None)
            }
        }
    };

    // Enforcement in the period, inside the gemeente's buurten.
    let bu_prefix = format!("BU{}", &gm[2..]);
    let enforcement = store.indicator_enforcement(range.from, range.to).await?;
    let mut by_outcome: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_domain: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in enforcement.iter().filter(|r| {
        r.buurt_code
            .as_deref()
            .is_some_and(|b| b.starts_with(&bu_prefix))
    }) {
        *by_outcome.entry(r.outcome.clone()).or_default() += r.count;
        *by_domain
            .entry((r.domain.clone(), r.outcome.clone()))
            .or_default() += r.count;
    }
    let order = [
        "compliance_without_sanction",
        "warning",
        "administrative_sanction",
        "criminal_report",
    ];
    let mut enforcement_outcomes: Vec<OutcomeCount> = by_outcome
        .into_iter()
        .map(|(outcome, count)| OutcomeCount { outcome, count })
        .collect();
    enforcement_outcomes.sort_by_key(|o| {
        order
            .iter()
            .position(|x| *x == o.outcome)
            .unwrap_or(order.len())
    });
    let enforcement_by_domain = by_domain
        .into_iter()
        .map(|((domain, outcome), count)| DomainOutcome {
            domain,
            outcome,
            count,
        })
        .collect();

    // Initiatives active at some time in the period.
    let (start, end) = (format!("{}-01", range.from.iso()), last_day(range.to));
    let initiatives = store
        .initiatives()
        .await?
        .into_iter()
        .filter(|i| {
            i.start_date.as_str() <= end.as_str()
                && i.end_date
                    .as_deref()
                    .is_none_or(|e| e.is_empty() || e >= start.as_str())
        })
        .map(|i| InitiativeOut {
            active_at_end: if range.to.month == 12 {
                active_at_year_end(&i.start_date, i.end_date.as_deref(), range.to.year)
            } else {
                i.start_date.as_str() <= end.as_str()
                    && i.end_date
                        .as_deref()
                        .is_none_or(|e| e.is_empty() || e > end.as_str())
            },
            buurt_name: i
                .buurt_code
                .as_deref()
                .and_then(|b| set.get(b))
                .map(|r| r.name.clone()),
            id: i.id,
            name: i.name,
            kind: i.kind,
            members: i.members,
            start_date: i.start_date,
            end_date: i.end_date,
            buurt_code: i.buurt_code,
        })
        .collect();

    Ok(ReportData {
        period,
        from: range.from.iso(),
        to: range.to.iso(),
        generated: time::OffsetDateTime::now_utc().date().to_string(),
        demo,
        gemeente: json!({"code": gm, "name": gm_name}),
        indicators,
        top_hotspots,
        hotspot_summary,
        coverage: coverage_out,
        enforcement_outcomes,
        enforcement_by_domain,
        initiatives,
        kde: kde_json,
        notes,
        map,
    })
}

/// `YYYY-MM-DD` of the month's last day.
fn last_day(m: Month) -> String {
    let next = m.plus(1);
    let first_next = time::Date::from_calendar_date(
        next.year,
        time::Month::try_from(next.month).unwrap_or(time::Month::January),
        1,
    );
    first_next
        .map(|d| d.previous_day().unwrap_or(d).to_string())
        .unwrap_or_else(|_| format!("{}-28", m.iso()))
}

/// A grid over the buurten's extent (grown by 500 m), snapped to whole cells.
fn grid_over(buurten: &[(String, MultiPolygon<f64>)]) -> Option<GridSpec> {
    use geo::BoundingRect;
    let mut lo = Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut hi = Coord {
        x: f64::NEG_INFINITY,
        y: f64::NEG_INFINITY,
    };
    for (_, g) in buurten {
        if let Some(r) = g.bounding_rect() {
            lo = Coord {
                x: lo.x.min(r.min().x),
                y: lo.y.min(r.min().y),
            };
            hi = Coord {
                x: hi.x.max(r.max().x),
                y: hi.y.max(r.max().y),
            };
        }
    }
    if !(lo.x.is_finite() && hi.x.is_finite()) {
        return None;
    }
    let c = KDE_CELL_M;
    let origin = Coord {
        x: ((lo.x - 500.0) / c).floor() * c,
        y: ((lo.y - 500.0) / c).floor() * c,
    };
    let nx = ((hi.x + 500.0 - origin.x) / c).ceil() as usize;
    let ny = ((hi.y + 500.0 - origin.y) / c).ceil() as usize;
    (nx * ny <= 4_000_000).then_some(GridSpec {
        origin,
        cell_size: c,
        nx,
        ny,
    })
}

/// The grid in `/api/kde`'s shape: corners in lon/lat (top-left, top-right, bottom-right,
/// bottom-left), values row-major from the top row.
fn kde_json(g: &Grid, bandwidth_m: f64, points: usize, frame: &MetricFrame) -> Value {
    let (x0, y0) = (g.origin.x, g.origin.y);
    let (x1, y1) = (
        x0 + g.nx as f64 * g.cell_size,
        y0 + g.ny as f64 * g.cell_size,
    );
    let corner = |x: f64, y: f64| {
        let (lon, lat) = frame.to_wgs84(x, y);
        json!([lon, lat])
    };
    let round4 = |v: f64| {
        if v == 0.0 {
            0.0
        } else {
            format!("{v:.4e}").parse::<f64>().unwrap_or(v)
        }
    };
    let mut values = Vec::with_capacity(g.values.len());
    for iy in (0..g.ny).rev() {
        for ix in 0..g.nx {
            values.push(round4(g.values[iy * g.nx + ix]));
        }
    }
    json!({
        "cell_m": g.cell_size, "bandwidth_m": bandwidth_m, "default_bandwidth_m": bandwidth_m, "unit": "per_km2", "nx": g.nx, "ny": g.ny,
        "max": g.values.iter().copied().fold(0.0, f64::max), "points": points,
        "corners": [corner(x0, y1), corner(x1, y1), corner(x1, y0), corner(x0, y0)],
        "values": values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_periods() {
        let p = ReportPeriod::parse("2023H2").unwrap();
        assert_eq!(
            (p.range.from.iso(), p.range.to.iso(), p.code()),
            ("2023-07".into(), "2023-12".into(), "2023H2".into())
        );
        assert_eq!(ReportPeriod::parse("2023").unwrap().range.len_months(), 12);
        assert_eq!(
            ReportPeriod::parse("2023h1").unwrap().range.to.iso(),
            "2023-06"
        );
        assert!(ReportPeriod::parse("2023H3").is_err());
        assert!(ReportPeriod::parse("23").is_err());
        assert_eq!(
            last_day(Month {
                year: 2024,
                month: 2
            }),
            "2024-02-29"
        );
        assert_eq!(
            last_day(Month {
                year: 2023,
                month: 12
            }),
            "2023-12-31"
        );
    }
}
