//! The safety team's planning: camera coverage of incidents and hotspot cells, the hot buurten
//! no camera sees, what-if scenarios, greedy camera placement, camera editing, and patrol
//! lists per shift.

use super::hotspots::{Density, GiRun, HotspotQuery, KDE_CELL_M, KdeQuery};
use super::{Resolved, Scope, Service, ServiceError, ServiceResult};
use crate::analysis::coverage::{
    self, Camera as PlanCamera, CameraStatus as PlanStatus, HOTSPOT_CELL_SHARE,
    MAX_PLACEMENT_PAIRS, greedy_placement, hotspot_coverage, placement_pairs, unseen_areas,
};
use crate::analysis::patrol::{
    Incident, PatrolOptions, default_shifts, patrol_lists, rank_areas, week_profile,
};
use crate::domain::{CameraStatus, validate};
use crate::spatial::frame::MetricFrame;
use crate::store::CameraRow;
use geo::Coord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A stored camera as the coverage functions want it: in the metric frame, active or not.
/// The one conversion of the planning view, the API and the report.
pub fn plan_camera(c: &CameraRow) -> PlanCamera {
    let (x, y) = MetricFrame::rd().to_metric(c.lon, c.lat);
    PlanCamera {
        position: Coord { x, y },
        radius_m: c.radius_m,
        status: match CameraStatus::parse(&c.status) {
            Some(CameraStatus::Active) => PlanStatus::Active,
            _ => PlanStatus::Planned,
        },
    }
}

/// Covered out of total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub total: usize,
    pub covered: usize,
    pub share: f64,
}

impl From<coverage::Coverage> for Share {
    fn from(c: coverage::Coverage) -> Share {
        Share {
            total: c.total,
            covered: c.covered,
            share: c.share,
        }
    }
}

/// A hot buurt (Gi* class hot) that no active camera sees.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnseenHotspot {
    pub code: String,
    pub name: String,
    pub z: f64,
    pub bin: i8,
}

/// A hotspot KDE cell no active camera sees.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnseenCell {
    pub lon: f64,
    pub lat: f64,
    /// Points per km².
    pub density: Option<f64>,
}

/// How much of the incidents and of the hotspot cells the active cameras see.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoverageReport {
    pub incidents: Share,
    /// Hotspot cells: the top decile of the non-empty density cells.
    pub hotspot_cells: Share,
    /// Hot buurten no active camera sees, hottest first.
    pub uncovered_hotspots: Vec<UnseenHotspot>,
    /// Hotspot cells no active camera sees, densest first (at most 200).
    pub uncovered_cells: Vec<UnseenCell>,
    pub cameras_active: usize,
    pub cameras_planned: usize,
}

/// At most this many unseen cells are listed.
const MAX_UNSEEN_CELLS: usize = 200;

/// The coverage of a density's incidents and hotspot cells, and of the hot areas of a Gi*
/// run, by the active cameras: the one definition of covered and unseen.
pub fn coverage_report(density: &Density, gi: &GiRun, cameras: &[PlanCamera]) -> CoverageReport {
    let incidents = coverage::coverage(&density.points, cameras).into();
    let (hotspot_cells, uncovered_cells) = match density.grid() {
        None => (coverage::Coverage::new(0, 0).into(), vec![]),
        Some(g) => {
            let h = hotspot_coverage(g, HOTSPOT_CELL_SHARE, cameras);
            let frame = MetricFrame::rd();
            let cells = h
                .uncovered
                .iter()
                .take(MAX_UNSEEN_CELLS)
                .map(|&c| {
                    let (lon, lat) = frame.to_wgs84(c.x, c.y);
                    UnseenCell {
                        lon,
                        lat,
                        density: g.value_at(c),
                    }
                })
                .collect();
            (h.cells.into(), cells)
        }
    };
    let hot = gi.hot();
    let interiors: Vec<Option<Coord<f64>>> = hot
        .iter()
        .map(|&k| gi.set.areas[gi.members[k]].interior_rd)
        .collect();
    let uncovered_hotspots = unseen_areas(&interiors, cameras)
        .into_iter()
        .map(|j| {
            let k = hot[j];
            let a = &gi.set.areas[gi.members[k]];
            UnseenHotspot {
                code: a.code.to_string(),
                name: a.name.clone(),
                z: gi.gi.z[k],
                bin: gi.gi.bin[k],
            }
        })
        .collect();
    let count = |s: PlanStatus| cameras.iter().filter(|c| c.status == s).count();
    CoverageReport {
        incidents,
        hotspot_cells,
        uncovered_hotspots,
        uncovered_cells,
        cameras_active: count(PlanStatus::Active),
        cameras_planned: count(PlanStatus::Planned),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CameraInput {
    pub id: Option<String>,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    /// `active` or `planned`.
    pub status: String,
    pub installed: Option<String>,
}

impl CameraInput {
    pub(crate) fn validate(&self) -> ServiceResult<()> {
        if !(1.0..=2_000.0).contains(&self.radius_m) {
            return Err(ServiceError::BadRequest(
                "radius_m must be between 1 and 2,000 metres".into(),
            ));
        }
        if !(-180.0..=180.0).contains(&self.lon) || !(-90.0..=90.0).contains(&self.lat) {
            return Err(ServiceError::BadRequest(
                "lon/lat must be WGS84 degrees".into(),
            ));
        }
        if self.status != "active" && self.status != "planned" {
            return Err(ServiceError::BadRequest(
                "status must be active or planned".into(),
            ));
        }
        // The same field rules as the importers (domain::validate).
        let bad = |field: &str, e: crate::domain::validate::Invalid| {
            ServiceError::BadRequest(format!("{field}: {e}"))
        };
        validate::name(&self.name).map_err(|e| bad("name", e))?;
        if let Some(d) = self.installed.as_deref().filter(|d| !d.is_empty()) {
            validate::date(d).map_err(|e| bad("installed", e))?;
        }
        if let Some(id) = self.id.as_deref() {
            validate::id(id).map_err(|e| bad("id", e))?;
        }
        Ok(())
    }

    fn row(&self, id: String, buurt_code: Option<String>) -> CameraRow {
        CameraRow {
            id,
            name: self.name.trim().to_string(),
            lon: self.lon,
            lat: self.lat,
            radius_m: self.radius_m,
            status: self.status.clone(),
            installed: self.installed.clone(),
            buurt_code,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WhatIfBody {
    /// The whole proposed camera set.
    pub cameras: Vec<CameraInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WhatIf {
    pub before: Share,
    pub after: Share,
    /// Incidents seen with the proposal but not now.
    pub gained: usize,
    /// Incidents seen now but not with the proposal.
    pub lost: usize,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PlacementBody {
    /// How many new cameras to place (1–50).
    pub k: usize,
    pub radius_m: f64,
    /// Candidate sites; without them, the centres of 100 m grid cells that hold incidents.
    pub candidates: Option<Vec<LonLat>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChosenSite {
    pub lon: f64,
    pub lat: f64,
    /// Incidents newly seen from this site.
    pub gain: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Placement {
    pub chosen: Vec<ChosenSite>,
    pub covered_before: usize,
    pub covered_after: usize,
    pub total: usize,
    pub candidates: usize,
    pub bound: &'static str,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatrolQuery {
    /// Half-life of an incident's weight in days (default 30).
    pub half_life_days: Option<f64>,
    /// Reference date `YYYY-MM-DD` (default: the end of the period).
    pub reference: Option<String>,
    /// Areas per list (default 10).
    pub top: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RankedArea {
    pub code: String,
    pub name: String,
    pub score: f64,
    pub incidents: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ShiftArea {
    pub code: String,
    pub name: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ShiftPlan {
    /// `07-15`
    pub shift: String,
    /// `vroeg`, `laat`, `nacht`
    pub label: String,
    pub areas: Vec<ShiftArea>,
}

/// Buurten ranked by recency-weighted incidents, per shift, with week profiles.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Patrol {
    /// `YYYY-MM-DD`
    pub reference: String,
    pub half_life_days: f64,
    pub ranking: Vec<RankedArea>,
    pub shifts: Vec<ShiftPlan>,
    /// Week profile (7 days × 24 hours, Monday first) of the top five buurten.
    pub profiles: BTreeMap<String, Vec<Vec<f64>>>,
}

impl Service {
    /// The stored cameras in the metric frame.
    pub async fn plan_cameras(&self) -> ServiceResult<Vec<PlanCamera>> {
        Ok(self
            .store()
            .cameras()
            .await?
            .iter()
            .map(plan_camera)
            .collect())
    }

    /// Coverage of a selection's incidents and hotspot cells by the active cameras, and the
    /// hot buurten none of them sees.
    pub async fn coverage(&self, sel: &Resolved) -> ServiceResult<CoverageReport> {
        let cameras = self.plan_cameras().await?;
        let (density, _) = self.exact_density(&KdeQuery::default(), sel).await?;
        let gi = self.gi_star(&HotspotQuery::default(), sel).await?;
        Ok(coverage_report(&density, &gi, &cameras))
    }

    /// Incident coverage with the stored cameras and with a proposed set.
    pub async fn what_if(&self, body: &WhatIfBody, sel: &Resolved) -> ServiceResult<WhatIf> {
        let before = self.plan_cameras().await?;
        let mut after = Vec::with_capacity(body.cameras.len());
        for c in &body.cameras {
            c.validate()?;
            after.push(plan_camera(&c.row(String::new(), None)));
        }
        let points = self.incident_points(sel).await?;
        let w = coverage::what_if(&points, &before, &after);
        Ok(WhatIf {
            before: w.before.into(),
            after: w.after.into(),
            gained: w.gained,
            lost: w.lost,
        })
    }

    /// Greedy maximum-coverage sites for k new cameras.
    pub async fn placement(
        &self,
        body: &PlacementBody,
        sel: &Resolved,
    ) -> ServiceResult<Placement> {
        if !(1..=50).contains(&body.k) {
            return Err(ServiceError::BadRequest(
                "k must be between 1 and 50".into(),
            ));
        }
        if !(1.0..=2_000.0).contains(&body.radius_m) {
            return Err(ServiceError::BadRequest(
                "radius_m must be between 1 and 2,000 metres".into(),
            ));
        }
        let frame = MetricFrame::rd();
        let existing = self.plan_cameras().await?;
        let points = self.incident_points(sel).await?;
        let candidates: Vec<Coord<f64>> = match &body.candidates {
            Some(list) if !list.is_empty() => list
                .iter()
                .map(|c| {
                    let (x, y) = frame.to_metric(c.lon, c.lat);
                    Coord { x, y }
                })
                .collect(),
            _ => {
                let cell = KDE_CELL_M;
                let mut cells: Vec<(i64, i64)> = points
                    .iter()
                    .map(|p| ((p.x / cell).floor() as i64, (p.y / cell).floor() as i64))
                    .collect();
                cells.sort_unstable();
                cells.dedup();
                cells
                    .into_iter()
                    .map(|(i, j)| Coord {
                        x: (i as f64 + 0.5) * cell,
                        y: (j as f64 + 0.5) * cell,
                    })
                    .collect()
            }
        };
        let pairs = placement_pairs(&points, candidates.len(), body.radius_m);
        if pairs > MAX_PLACEMENT_PAIRS {
            return Err(ServiceError::BadRequest(format!(
                "placement would weigh about {pairs} (site, incident) pairs ({} candidate sites, {} incidents), \
                 more than the limit of {MAX_PLACEMENT_PAIRS}; choose a smaller radius_m, a shorter period or fewer areas",
                candidates.len(),
                points.len()
            )));
        }
        let (radius, k) = (body.radius_m, body.k);
        let (p, candidates) = self
            .work()
            .run("the placement", move || {
                let p = greedy_placement(&points, &existing, &candidates, radius, k);
                (p, candidates)
            })
            .await?;
        let chosen = p
            .chosen
            .iter()
            .zip(&p.gains)
            .map(|(&i, &gain)| {
                let (lon, lat) = frame.to_wgs84(candidates[i].x, candidates[i].y);
                ChosenSite { lon, lat, gain }
            })
            .collect();
        Ok(Placement {
            chosen,
            covered_before: p.before.covered,
            covered_after: p.after.covered,
            total: p.after.total,
            candidates: candidates.len(),
            bound: "greedy ≥ (1 − 1/e) ≈ 63 % of the optimum (Nemhauser, Wolsey & Fisher 1978)",
        })
    }

    /// Stores a new camera; its id is given or made.
    pub async fn create_camera(&self, c: &CameraInput) -> ServiceResult<CameraRow> {
        let id = match c.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => {
                if self.store().camera(id).await?.is_some() {
                    return Err(ServiceError::Conflict(format!(
                        "camera {id} exists; use PUT /api/cameras/{id} to change it"
                    )));
                }
                id.to_string()
            }
            _ => format!(
                "cam-{}",
                time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000
            ),
        };
        self.save_camera(id, c).await
    }

    /// Replaces a stored camera.
    /// Changes a camera; a field the edit leaves out (`installed`) keeps its stored value.
    pub async fn update_camera(&self, id: &str, c: &CameraInput) -> ServiceResult<CameraRow> {
        let Some(old) = self.store().camera(id).await? else {
            return Err(ServiceError::NotFound(format!(
                "camera {id} does not exist"
            )));
        };
        let mut c = c.clone();
        if c.installed.is_none() {
            c.installed = old.installed;
        }
        self.save_camera(id.to_string(), &c).await
    }

    async fn save_camera(&self, id: String, c: &CameraInput) -> ServiceResult<CameraRow> {
        c.validate()?;
        // The buurt of the camera: in the default gemeente, or else anywhere in the newest set.
        let mut buurt = self
            .areas(&Scope::default())
            .await?
            .buurt_at(c.lon, c.lat)
            .map(|b| b.code.to_string());
        if buurt.is_none() {
            buurt = self
                .areas(&Scope::all())
                .await?
                .buurt_at(c.lon, c.lat)
                .map(|b| b.code.to_string());
        }
        let row = c.row(id, buurt);
        self.store().save_camera(&row).await?;
        Ok(row)
    }

    pub async fn delete_camera(&self, id: &str) -> ServiceResult<()> {
        if self.store().delete_camera(id).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!(
                "camera {id} does not exist"
            )))
        }
    }

    /// Buurten ranked by recency-weighted incidents, overall and per shift.
    pub async fn patrol(&self, q: &PatrolQuery, sel: &Resolved) -> ServiceResult<Patrol> {
        let set = self.areas(&sel.scope).await?;
        let half_life = q.half_life_days.unwrap_or(30.0);
        if !(1.0..=3_650.0).contains(&half_life) {
            return Err(ServiceError::BadRequest(
                "half_life_days must be between 1 and 3,650".into(),
            ));
        }
        let reference = match &q.reference {
            Some(r) => crate::ingest::registrations::parse_date_text(r).ok_or_else(|| {
                ServiceError::BadRequest(format!("reference '{r}' is not a YYYY-MM-DD date"))
            })?,
            None => sel.range.to.last_day(),
        };
        let reference = time::PrimitiveDateTime::new(
            reference,
            time::Time::from_hms(23, 59, 59).unwrap_or(time::Time::MIDNIGHT),
        );
        let top = q.top.unwrap_or(10).clamp(1, 100);
        let rows = self.incidents(sel).await?;
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let mut area_codes: Vec<String> = Vec::new();
        let mut incidents = Vec::new();
        for r in rows {
            let (Some(b), Ok(at)) = (r.buurt_code, time::PrimitiveDateTime::parse(&r.time, fmt))
            else {
                continue;
            };
            let area = match area_codes.iter().position(|c| *c == b) {
                Some(i) => i,
                None => {
                    area_codes.push(b);
                    area_codes.len() - 1
                }
            };
            incidents.push(Incident { area, at });
        }
        let opts = PatrolOptions {
            half_life_days: half_life,
            reference,
        };
        let name = |i: usize| set.name_of(&area_codes[i]).unwrap_or_default().to_string();
        let mut ranking = rank_areas(&incidents, &opts);
        ranking.truncate(top);
        let shifts = patrol_lists(&incidents, &default_shifts(), top, &opts);
        let profiles = ranking
            .iter()
            .take(5)
            .map(|a| {
                let p = week_profile(&incidents, a.area, &opts);
                (
                    area_codes[a.area].clone(),
                    p.iter().map(|day| day.to_vec()).collect(),
                )
            })
            .collect();
        Ok(Patrol {
            reference: reference.date().to_string(),
            half_life_days: half_life,
            ranking: ranking
                .iter()
                .map(|a| RankedArea {
                    code: area_codes[a.area].clone(),
                    name: name(a.area),
                    score: a.score,
                    incidents: a.incidents,
                })
                .collect(),
            shifts: shifts
                .iter()
                .map(|s| ShiftPlan {
                    shift: format!("{:02}-{:02}", s.shift.start_hour, s.shift.end_hour),
                    label: s.shift.name.clone(),
                    areas: s
                        .areas
                        .iter()
                        .map(|a| ShiftArea {
                            code: area_codes[a.area].clone(),
                            name: name(a.area),
                            score: a.score,
                        })
                        .collect(),
                })
                .collect(),
            profiles,
        })
    }
}
