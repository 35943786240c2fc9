//! Camera coverage: which incidents and hotspots the cameras see, and where k new cameras would
//! see the most. A camera "sees" a point within its view radius (metres, in the metric frame);
//! walls and sight lines are not modelled.
//!
//! **Placement** ([`greedy_placement`]) is maximum coverage: choose k sites from candidates to
//! cover the most points not yet seen by active cameras. That problem is NP-hard; the greedy
//! choice (each time, the site adding the most uncovered points) covers at least (1 − 1/e) ≈
//! 63 % of what the best k sites would (Nemhauser, Wolsey & Fisher 1978), and is usually much
//! closer. Gains only shrink as points get covered (submodularity), so stale gains are upper
//! bounds: the lazy ("CELF") variant re-evaluates only the top of a priority queue. Each
//! candidate's points are found once through a bucket grid of the points.
//!
//! Only cameras with [`CameraStatus::Active`] count; a what-if is two camera lists compared
//! ([`what_if`]), e.g. with a planned camera switched to active or an active one moved.
//!
//! ```
//! use geo::Coord;
//! use wijkveilig::analysis::coverage::{Camera, coverage};
//! let cams = [Camera::active(Coord { x: 0.0, y: 0.0 }, 50.0)];
//! let pts = [Coord { x: 30.0, y: 40.0 }, Coord { x: 100.0, y: 0.0 }];
//! assert_eq!(coverage(&pts, &cams).covered, 1);
//! ```

use crate::analysis::budget::checkpoint;
use std::collections::BinaryHeap;

use geo::Coord;

use super::kde::Grid;

/// Share of the grid cells with a density above zero that count as hotspot cells: the top
/// decile ([`hotspot_coverage`]).
pub const HOTSPOT_CELL_SHARE: f64 = 0.10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraStatus {
    Active,
    Planned,
    Inactive,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Metres, in the metric frame.
    pub position: Coord<f64>,
    pub radius_m: f64,
    pub status: CameraStatus,
}

impl Camera {
    pub fn active(position: Coord<f64>, radius_m: f64) -> Self {
        Camera {
            position,
            radius_m,
            status: CameraStatus::Active,
        }
    }
}

/// The scenario "planned cameras are installed": every planned camera becomes active.
pub fn with_planned_active(cameras: &[Camera]) -> Vec<Camera> {
    cameras
        .iter()
        .map(|c| match c.status {
            CameraStatus::Planned => Camera {
                status: CameraStatus::Active,
                ..*c
            },
            _ => *c,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub covered: usize,
    pub total: usize,
    /// covered / total, 0 when there are no points.
    pub share: f64,
}

impl Coverage {
    pub fn new(covered: usize, total: usize) -> Self {
        Coverage {
            covered,
            total,
            share: if total == 0 {
                0.0
            } else {
                covered as f64 / total as f64
            },
        }
    }
}

/// Active cameras in a bucket grid with cells as large as the largest radius, so a point only
/// looks at the 3 × 3 cells around it.
struct CameraIndex {
    cams: Vec<(f64, f64, f64)>,
    origin: (f64, f64),
    cell: f64,
    nx: usize,
    ny: usize,
    start: Vec<usize>,
    items: Vec<usize>,
}

impl CameraIndex {
    fn new(cameras: &[Camera]) -> Self {
        let cams: Vec<(f64, f64, f64)> = cameras
            .iter()
            .filter(|c| {
                c.status == CameraStatus::Active
                    && c.radius_m > 0.0
                    && c.position.x.is_finite()
                    && c.position.y.is_finite()
            })
            .map(|c| (c.position.x, c.position.y, c.radius_m))
            .collect();
        let cell = cams.iter().map(|c| c.2).fold(0.0, f64::max).max(1.0);
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for c in &cams {
            (x0, y0, x1, y1) = (x0.min(c.0), y0.min(c.1), x1.max(c.0), y1.max(c.1));
        }
        if cams.is_empty() {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        // Cap the grid at a few million buckets; a sparser grid only costs speed.
        let mut cell = cell;
        while ((x1 - x0) / cell + 1.0) * ((y1 - y0) / cell + 1.0) > 4e6 {
            cell *= 2.0;
        }
        let nx = ((x1 - x0) / cell) as usize + 1;
        let ny = ((y1 - y0) / cell) as usize + 1;
        let key = |c: &(f64, f64, f64)| {
            (((c.1 - y0) / cell) as usize) * nx + ((c.0 - x0) / cell) as usize
        };
        let mut start = vec![0usize; nx * ny + 1];
        for c in &cams {
            start[key(c) + 1] += 1;
        }
        for i in 0..nx * ny {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0; cams.len()];
        for (i, c) in cams.iter().enumerate() {
            let k = key(c);
            items[fill[k]] = i;
            fill[k] += 1;
        }
        CameraIndex {
            cams,
            origin: (x0, y0),
            cell,
            nx,
            ny,
            start,
            items,
        }
    }

    fn sees(&self, p: Coord<f64>) -> bool {
        if self.cams.is_empty() || !(p.x.is_finite() && p.y.is_finite()) {
            return false;
        }
        let cx = ((p.x - self.origin.0) / self.cell).floor() as i64;
        let cy = ((p.y - self.origin.1) / self.cell).floor() as i64;
        for gy in (cy - 1).max(0)..=(cy + 1).min(self.ny as i64 - 1) {
            for gx in (cx - 1).max(0)..=(cx + 1).min(self.nx as i64 - 1) {
                let b = gy as usize * self.nx + gx as usize;
                for &i in &self.items[self.start[b]..self.start[b + 1]] {
                    let (x, y, r) = self.cams[i];
                    if (p.x - x).powi(2) + (p.y - y).powi(2) <= r * r {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// Per point, whether an active camera sees it.
pub fn covered_mask(points: &[Coord<f64>], cameras: &[Camera]) -> Vec<bool> {
    let index = CameraIndex::new(cameras);
    points.iter().map(|&p| index.sees(p)).collect()
}

/// Share of points seen by active cameras.
pub fn coverage(points: &[Coord<f64>], cameras: &[Camera]) -> Coverage {
    let covered = covered_mask(points, cameras).iter().filter(|&&c| c).count();
    Coverage::new(covered, points.len())
}

/// Indices of `centres` (hotspot polygon centroids or cell centres) no active camera sees.
pub fn uncovered(centres: &[Coord<f64>], cameras: &[Camera]) -> Vec<usize> {
    let index = CameraIndex::new(cameras);
    (0..centres.len())
        .filter(|&i| !index.sees(centres[i]))
        .collect()
}

/// Indices of the areas, given by their interior points in the metric frame
/// ([`geo::InteriorPoint`], cached per area), that no active camera sees. An area counts as
/// seen when its interior point lies within an active camera's view radius: the interior point
/// always lies inside the polygon, unlike the centroid of a crescent-shaped buurt. The
/// planning view and the printed report both use this one definition; areas without an
/// interior point (empty polygons) are left out.
pub fn unseen_areas(interior_points: &[Option<Coord<f64>>], cameras: &[Camera]) -> Vec<usize> {
    let points: Vec<(usize, Coord<f64>)> = interior_points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p)))
        .collect();
    let centres: Vec<Coord<f64>> = points.iter().map(|&(_, p)| p).collect();
    uncovered(&centres, cameras)
        .into_iter()
        .map(|k| points[k].0)
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct HotspotCoverage {
    /// Covered hotspot cells out of all hotspot cells.
    pub cells: Coverage,
    /// Centres of the hotspot cells no camera sees, densest first.
    pub uncovered: Vec<Coord<f64>>,
}

/// How many of the KDE hotspot cells (the top `share` of non-empty cells, e.g. 0.10) have
/// their centre within view of an active camera.
pub fn hotspot_coverage(grid: &Grid, share: f64, cameras: &[Camera]) -> HotspotCoverage {
    let centres: Vec<Coord<f64>> = grid
        .top_cells(share)
        .into_iter()
        .map(|i| grid.cell_center(i))
        .collect();
    let missing = uncovered(&centres, cameras);
    HotspotCoverage {
        cells: Coverage::new(centres.len() - missing.len(), centres.len()),
        uncovered: missing.into_iter().map(|i| centres[i]).collect(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    pub before: Coverage,
    pub after: Coverage,
    /// Points seen after but not before.
    pub gained: usize,
    /// Points seen before but not after.
    pub lost: usize,
}

/// Coverage of the same points under two camera lists.
pub fn what_if(points: &[Coord<f64>], before: &[Camera], after: &[Camera]) -> WhatIf {
    let a = covered_mask(points, before);
    let b = covered_mask(points, after);
    let gained = a.iter().zip(&b).filter(|(x, y)| !**x && **y).count();
    let lost = a.iter().zip(&b).filter(|(x, y)| **x && !**y).count();
    let count = |m: &[bool]| m.iter().filter(|&&c| c).count();
    WhatIf {
        before: Coverage::new(count(&a), points.len()),
        after: Coverage::new(count(&b), points.len()),
        gained,
        lost,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Indices into the candidate list, in the order chosen.
    pub chosen: Vec<usize>,
    /// Newly covered points for each chosen site.
    pub gains: Vec<usize>,
    /// Coverage by the existing active cameras.
    pub before: Coverage,
    /// Coverage with the chosen sites added.
    pub after: Coverage,
}

/// The most (candidate, point) pairs [`greedy_placement`] may keep: each is 4 bytes of
/// memory and a step of the greedy loop.
pub const MAX_PLACEMENT_PAIRS: u64 = 50_000_000;

/// The (candidate, point) pairs [`greedy_placement`] is expected to keep: candidates ×
/// points × the share of the points' extent one camera's circle covers (at most all).
/// Refused above [`MAX_PLACEMENT_PAIRS`] before any work.
pub fn placement_pairs(points: &[Coord<f64>], candidates: usize, radius_m: f64) -> u64 {
    let Some((lo, hi)) = crate::analysis::kde::points_extent(points) else {
        return 0;
    };
    let area = ((hi.x - lo.x) * (hi.y - lo.y)).max(1.0);
    let share = (std::f64::consts::PI * radius_m * radius_m / area).min(1.0);
    (candidates as f64 * points.len() as f64 * share).ceil() as u64
}

/// Greedy maximum coverage: up to `k` sites from `candidates`, each a camera of `radius_m`,
/// maximising the points newly seen beyond the `existing` active cameras. Stops early when no
/// candidate adds anything. Ties go to the lower candidate index.
pub fn greedy_placement(
    points: &[Coord<f64>],
    existing: &[Camera],
    candidates: &[Coord<f64>],
    radius_m: f64,
    k: usize,
) -> Placement {
    let mut covered = covered_mask(points, existing);
    let before = Coverage::new(covered.iter().filter(|&&c| c).count(), points.len());

    // Bucket the still-uncovered points in a grid of radius-sized cells (CSR layout).
    let r = if radius_m.is_finite() && radius_m > 0.0 {
        radius_m
    } else {
        0.0
    };
    let open: Vec<u32> = (0..points.len() as u32)
        .filter(|&i| {
            !covered[i as usize]
                && points[i as usize].x.is_finite()
                && points[i as usize].y.is_finite()
        })
        .collect();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); candidates.len()];
    if r > 0.0 && !open.is_empty() {
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for &i in &open {
            let p = points[i as usize];
            (x0, y0, x1, y1) = (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y));
        }
        let mut cell = r;
        while ((x1 - x0) / cell + 1.0) * ((y1 - y0) / cell + 1.0) > 4e6 {
            cell *= 2.0;
        }
        let nx = ((x1 - x0) / cell) as usize + 1;
        let ny = ((y1 - y0) / cell) as usize + 1;
        let key =
            |p: Coord<f64>| (((p.y - y0) / cell) as usize) * nx + ((p.x - x0) / cell) as usize;
        let mut start = vec![0usize; nx * ny + 1];
        for &i in &open {
            start[key(points[i as usize]) + 1] += 1;
        }
        for b in 0..nx * ny {
            start[b + 1] += start[b];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; open.len()];
        for &i in &open {
            let b = key(points[i as usize]);
            items[fill[b]] = i;
            fill[b] += 1;
        }
        let reach = (r / cell).ceil() as i64;
        for (c, m) in candidates.iter().zip(members.iter_mut()) {
            checkpoint();
            if !(c.x.is_finite() && c.y.is_finite()) {
                continue;
            }
            let cx = ((c.x - x0) / cell).floor() as i64;
            let cy = ((c.y - y0) / cell).floor() as i64;
            for gy in (cy - reach).max(0)..=(cy + reach).min(ny as i64 - 1) {
                for gx in (cx - reach).max(0)..=(cx + reach).min(nx as i64 - 1) {
                    let b = gy as usize * nx + gx as usize;
                    for &i in &items[start[b]..start[b + 1]] {
                        let p = points[i as usize];
                        if (p.x - c.x).powi(2) + (p.y - c.y).powi(2) <= r * r {
                            m.push(i);
                        }
                    }
                }
            }
        }
    }

    // Lazy greedy: the heap holds (possibly stale) gains; a popped entry whose gain is fresh
    // for this round beats every other entry, whose true gain can only be lower.
    let mut heap: BinaryHeap<(usize, std::cmp::Reverse<usize>, usize)> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .map(|(c, m)| (m.len(), std::cmp::Reverse(c), usize::MAX))
        .collect();
    let mut chosen = Vec::new();
    let mut gains = Vec::new();
    while chosen.len() < k {
        checkpoint();
        let Some((gain, std::cmp::Reverse(c), round)) = heap.pop() else {
            break;
        };
        if round == chosen.len() {
            if gain == 0 {
                break;
            }
            for &i in &members[c] {
                covered[i as usize] = true;
            }
            chosen.push(c);
            gains.push(gain);
            continue;
        }
        let fresh = members[c].iter().filter(|&&i| !covered[i as usize]).count();
        if fresh > 0 {
            heap.push((fresh, std::cmp::Reverse(c), chosen.len()));
        }
    }
    let after = Coverage::new(before.covered + gains.iter().sum::<usize>(), points.len());
    Placement {
        chosen,
        gains,
        before,
        after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::SplitMix64;
    use geo::{InteriorPoint, MultiPolygon};

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn an_area_is_seen_through_its_interior_point_not_its_centroid() {
        use geo::polygon;
        // A U shape: its centroid (x = 50) lies in the notch, outside the polygon.
        let u = MultiPolygon::new(vec![polygon![
            (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 80.0, y: 100.0),
            (x: 80.0, y: 20.0), (x: 20.0, y: 20.0), (x: 20.0, y: 100.0), (x: 0.0, y: 100.0)
        ]]);
        let interior = |m: &MultiPolygon<f64>| m.interior_point().map(|p| p.0);
        let empty = MultiPolygon::new(vec![]);
        let at_notch = [Camera::active(c(50.0, 60.0), 30.0)];
        let both = [interior(&u), interior(&empty)];
        assert_eq!(unseen_areas(&both, &at_notch), vec![0]);
        let p = u.interior_point().unwrap().0;
        let on_interior = [Camera::active(p, 1.0)];
        assert!(unseen_areas(&[interior(&u)], &on_interior).is_empty());
    }

    #[test]
    fn only_active_cameras_count_and_boundary_is_inclusive() {
        let pts = [c(10.0, 0.0), c(0.0, 10.0), c(100.0, 100.0)];
        let mut planned = Camera::active(c(100.0, 90.0), 20.0);
        planned.status = CameraStatus::Planned;
        let cams = [Camera::active(c(0.0, 0.0), 10.0), planned];
        let cov = coverage(&pts, &cams);
        assert_eq!((cov.covered, cov.total), (2, 3));
        assert!((cov.share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(uncovered(&pts, &cams), vec![2]);
        let w = what_if(&pts, &cams, &with_planned_active(&cams));
        assert_eq!(
            (w.before.covered, w.after.covered, w.gained, w.lost),
            (2, 3, 1, 0)
        );
    }

    #[test]
    fn moving_a_camera_gains_and_loses() {
        let pts = [c(0.0, 0.0), c(1.0, 0.0), c(50.0, 0.0)];
        let before = [Camera::active(c(0.0, 0.0), 5.0)];
        let after = [Camera::active(c(50.0, 0.0), 5.0)];
        let w = what_if(&pts, &before, &after);
        assert_eq!(
            (w.before.covered, w.after.covered, w.gained, w.lost),
            (2, 1, 1, 2)
        );
    }

    #[test]
    fn greedy_finds_the_optimum_on_a_small_case() {
        // Points in three groups: A (5 points at x=0), B (4 at x=100), C (3 at x=200).
        // Candidates: 0 covers A, 1 covers B, 2 covers C, 3 (x=52, radius reaching both A
        // and B only partly) covers 2 of A (x=3, 4) and 2 of B (x=100, 101). Best pair: {0, 1} = 9 points; the
        // greedy picks 0 (5), then 1 (4): optimal, checked by trying all 6 pairs below.
        let mut pts = Vec::new();
        pts.extend((0..5).map(|i| c(i as f64, 0.0)));
        pts.extend((0..4).map(|i| c(100.0 + i as f64, 0.0)));
        pts.extend((0..3).map(|i| c(200.0 + i as f64, 0.0)));
        let candidates = [c(2.0, 0.0), c(101.5, 0.0), c(201.0, 0.0), c(52.0, 0.0)];
        let radius = 49.6;
        let p = greedy_placement(&pts, &[], &candidates, radius, 2);
        assert_eq!(p.chosen, vec![0, 1]);
        assert_eq!(p.gains, vec![5, 4]);
        assert_eq!(p.after.covered, 9);
        let cover = |set: &[usize]| {
            let cams: Vec<Camera> = set
                .iter()
                .map(|&i| Camera::active(candidates[i], radius))
                .collect();
            coverage(&pts, &cams).covered
        };
        assert_eq!(cover(&[3]), 4, "candidate 3 reaches 2 + 2 points");
        let best = (0..4)
            .flat_map(|a| (a + 1..4).map(move |b| (a, b)))
            .map(|(a, b)| cover(&[a, b]))
            .max();
        assert_eq!(best, Some(p.after.covered));
        // With an existing camera on A, the greedy turns to B and C.
        let p = greedy_placement(
            &pts,
            &[Camera::active(c(2.0, 0.0), 10.0)],
            &candidates,
            radius,
            3,
        );
        assert_eq!(p.before.covered, 5);
        assert_eq!(p.chosen, vec![1, 2], "stops when nothing is left to gain");
        assert_eq!(p.after.covered, 12);
    }

    #[test]
    fn lazy_greedy_equals_plain_greedy() {
        let mut rng = SplitMix64::new(11);
        let mut u = |s: f64| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * s;
        let pts: Vec<Coord<f64>> = (0..3_000).map(|_| c(u(2_000.0), u(2_000.0))).collect();
        let cands: Vec<Coord<f64>> = (0..200).map(|_| c(u(2_000.0), u(2_000.0))).collect();
        let r = 150.0;
        let lazy = greedy_placement(&pts, &[], &cands, r, 8);
        // Plain greedy: recompute every candidate's gain each round.
        let mut covered = vec![false; pts.len()];
        let mut plain = Vec::new();
        for _ in 0..8 {
            let gain = |ci: usize, covered: &[bool]| {
                (0..pts.len())
                    .filter(|&i| {
                        !covered[i]
                            && (pts[i].x - cands[ci].x).powi(2) + (pts[i].y - cands[ci].y).powi(2)
                                <= r * r
                    })
                    .count()
            };
            let best = (0..cands.len())
                .max_by_key(|&ci| (gain(ci, &covered), std::cmp::Reverse(ci)))
                .unwrap();
            for i in 0..pts.len() {
                if (pts[i].x - cands[best].x).powi(2) + (pts[i].y - cands[best].y).powi(2) <= r * r
                {
                    covered[i] = true;
                }
            }
            plain.push(best);
        }
        assert_eq!(lazy.chosen, plain);
        assert_eq!(lazy.after.covered, covered.iter().filter(|&&c| c).count());
    }

    #[test]
    fn hotspot_cells_coverage() {
        let grid = Grid {
            origin: c(0.0, 0.0),
            cell_size: 100.0,
            nx: 10,
            ny: 1,
            values: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        };
        // 9 non-empty cells; the top 30 % are the 3 densest: centres x = 950, 850, 750.
        let cams = [Camera::active(c(950.0, 50.0), 60.0)];
        let h = hotspot_coverage(&grid, 0.3, &cams);
        assert_eq!((h.cells.covered, h.cells.total), (1, 3));
        assert_eq!(h.uncovered, vec![c(850.0, 50.0), c(750.0, 50.0)]);
    }
}
