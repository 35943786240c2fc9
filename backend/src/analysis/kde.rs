//! Kernel density of incident points on a fixed metre grid: the smooth "heat map" layer, and
//! the cells that camera coverage and patrol planning call hotspots.
//!
//! **Kernel**: quartic (biweight), K(d) = 3/(π h²) · (1 − d²/h²)² for d < h, 0 beyond, as
//! ArcGIS *Kernel Density*.
//!
//! **Default bandwidth** h: ArcGIS's default search radius, a spatial variant of Silverman's
//! rule: h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2), with SD the standard distance
//! (√(σx² + σy²)) and Dm the median distance of the points to their mean centre.
//! [`KdeOptions::bandwidth_m`] overrides it.
//!
//! **Output**: [`Grid`] values are densities in **points per km²**; a cell's expected count is
//! value × [`Grid::cell_area_km2`], so Σ values × cell area = number of points (less what
//! falls outside the grid within h of its edge).
//!
//! **Method**: binned KDE (Wand 1994). Points are linearly binned onto cell centres (each point
//! split over the four nearest centres), then convolved with the kernel sampled at cell-centre
//! offsets. The sampled kernel is scaled to sum to exactly 1, so mass is conserved even when h
//! is only a few cells. Cost is O(points + cells · (h/cell)²) rather than points · (h/cell)²:
//! a million points on a 200 × 200 grid take milliseconds. The discretisation error is of
//! order (cell/h)², small for h of several cells.
//!
//! ```
//! use geo::Coord;
//! use wijkveilig::analysis::kde::{KdeOptions, kde};
//! let pts: Vec<Coord<f64>> = (0..100).map(|i| Coord { x: 1_000.0 + (i % 10) as f64, y: 1_000.0 }).collect();
//! let opts = KdeOptions { bandwidth_m: Some(300.0), cell_size_m: 50.0, ..Default::default() };
//! let out = kde(&pts, &opts).unwrap();
//! assert!((out.grid.total_count() - 100.0).abs() < 1.0);
//! ```

use crate::analysis::budget::{MAX_CELLS, MAX_STEPS, checkpoint};
use crate::spatial::frame::MetricFrame;
use geo::Coord;
use serde::Serialize;

/// A regular grid of cells in metres. Cell (ix, iy) spans
/// [origin.x + ix·cell, origin.x + (ix+1)·cell) × [origin.y + iy·cell, …); `values` is row-major
/// from the south-west corner: index = iy · nx + ix.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub origin: Coord<f64>,
    pub cell_size: f64,
    pub nx: usize,
    pub ny: usize,
    pub values: Vec<f64>,
}

/// The placement of a grid without values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// South-west corner of cell (0, 0), metres.
    pub origin: Coord<f64>,
    pub cell_size: f64,
    pub nx: usize,
    pub ny: usize,
}

impl GridSpec {
    /// The grid of whole `cell`s (aligned to multiples of `cell`) that covers `lo..hi`.
    pub fn covering(lo: Coord<f64>, hi: Coord<f64>, cell: f64) -> GridSpec {
        let origin = Coord {
            x: (lo.x / cell).floor() * cell,
            y: (lo.y / cell).floor() * cell,
        };
        GridSpec {
            origin,
            cell_size: cell,
            nx: ((hi.x - origin.x) / cell).ceil().max(1.0) as usize,
            ny: ((hi.y - origin.y) / cell).ceil().max(1.0) as usize,
        }
    }
}

/// The bounding box `(min, max)` of the points with finite coordinates.
pub fn points_extent(points: &[Coord<f64>]) -> Option<(Coord<f64>, Coord<f64>)> {
    points
        .iter()
        .filter(|p| finite(p))
        .map(|&p| (p, p))
        .reduce(|(lo, hi), (p, _)| {
            (
                Coord {
                    x: lo.x.min(p.x),
                    y: lo.y.min(p.y),
                },
                Coord {
                    x: hi.x.max(p.x),
                    y: hi.y.max(p.y),
                },
            )
        })
}

impl Grid {
    pub fn cell_center(&self, index: usize) -> Coord<f64> {
        let (ix, iy) = (index % self.nx, index / self.nx);
        Coord {
            x: self.origin.x + (ix as f64 + 0.5) * self.cell_size,
            y: self.origin.y + (iy as f64 + 0.5) * self.cell_size,
        }
    }

    pub fn cell_area_km2(&self) -> f64 {
        self.cell_size * self.cell_size / 1e6
    }

    /// Σ density × cell area: the number of points the grid accounts for.
    pub fn total_count(&self) -> f64 {
        self.values.iter().sum::<f64>() * self.cell_area_km2()
    }

    /// The value of the cell containing `c` (metres), `None` outside the grid.
    pub fn value_at(&self, c: Coord<f64>) -> Option<f64> {
        let fx = ((c.x - self.origin.x) / self.cell_size).floor();
        let fy = ((c.y - self.origin.y) / self.cell_size).floor();
        if !(fx >= 0.0 && fy >= 0.0 && (fx as usize) < self.nx && (fy as usize) < self.ny) {
            return None;
        }
        self.values
            .get(fy as usize * self.nx + fx as usize)
            .copied()
    }

    /// Indices of the hotspot cells: the top `share` (e.g. 0.10 for the top decile) of the
    /// cells with a density above zero, highest first. Empty cells never count, so a few
    /// incidents in a large empty grid do not make empty land a "hotspot".
    pub fn top_cells(&self, share: f64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.values.len())
            .filter(|&i| self.values[i] > 0.0)
            .collect();
        idx.sort_by(|&a, &b| self.values[b].total_cmp(&self.values[a]));
        let keep = ((idx.len() as f64) * share.clamp(0.0, 1.0)).ceil() as usize;
        idx.truncate(keep);
        idx
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KdeOptions {
    /// Kernel radius h in metres; `None` for the default rule (see the module docs).
    pub bandwidth_m: Option<f64>,
    pub cell_size_m: f64,
    /// Grid placement; `None` for the points' bounding box grown by h, snapped to whole cells.
    pub extent: Option<GridSpec>,
}

impl Default for KdeOptions {
    fn default() -> Self {
        KdeOptions {
            bandwidth_m: None,
            cell_size_m: 100.0,
            extent: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kde {
    pub grid: Grid,
    /// The bandwidth used, metres.
    pub bandwidth_m: f64,
    /// Whether it came from the default rule rather than the caller.
    pub default_bandwidth: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KdeError {
    #[error("no points with finite coordinates")]
    NoPoints,
    #[error("the bandwidth is not a positive number of metres")]
    BadBandwidth,
    #[error("the cell size is not a positive number of metres")]
    BadCellSize,
    #[error(
        "the grid would have {cells} cells, more than the limit of {limit}; choose larger cells (cell_m) or a smaller area"
    )]
    TooManyCells { cells: usize, limit: usize },
    #[error(
        "the density would take {steps} steps ({cells} cells × {footprint} kernel cells), more than the limit of {limit}; choose larger cells (cell_m) or a smaller bandwidth (bandwidth_m)"
    )]
    TooMuchWork {
        steps: u64,
        cells: usize,
        footprint: u64,
        limit: u64,
    },
}

/// The cost of a density on `spec` with bandwidth `h`, refused above the caps of
/// [`crate::analysis::budget`]: the grid's cells (they travel as JSON), the padded grid's
/// (memory), and cells × kernel footprint (time).
pub fn check_cost(spec: &GridSpec, h: f64) -> Result<(), KdeError> {
    let cell = spec.cell_size;
    let cells = spec.nx.saturating_mul(spec.ny);
    let r = (h / cell).ceil();
    let pad = r as usize + 1;
    let padded = (spec.nx.saturating_add(2 * pad)).saturating_mul(spec.ny.saturating_add(2 * pad));
    if cells > MAX_CELLS || padded > 4 * MAX_CELLS {
        return Err(KdeError::TooManyCells {
            cells: cells.max(padded / 4),
            limit: MAX_CELLS,
        });
    }
    // The kernel's cells: those within h of the centre, about π (h/cell)².
    let footprint = (std::f64::consts::PI * r * r).ceil().max(1.0) as u64;
    let steps = (cells as u64).saturating_mul(footprint);
    if steps > MAX_STEPS {
        return Err(KdeError::TooMuchWork {
            steps,
            cells,
            footprint,
            limit: MAX_STEPS,
        });
    }
    Ok(())
}

/// ArcGIS's default search radius for the finite points (see the module docs); `None` when
/// fewer than 2 points or all coincide.
pub fn default_bandwidth(points: &[Coord<f64>]) -> Option<f64> {
    let pts: Vec<Coord<f64>> = points.iter().copied().filter(finite).collect();
    let n = pts.len() as f64;
    if pts.len() < 2 {
        return None;
    }
    let mx = pts.iter().map(|p| p.x).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.y).sum::<f64>() / n;
    let sd = (pts
        .iter()
        .map(|p| (p.x - mx).powi(2) + (p.y - my).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let mut d: Vec<f64> = pts
        .iter()
        .map(|p| ((p.x - mx).powi(2) + (p.y - my).powi(2)).sqrt())
        .collect();
    let mid = d.len() / 2;
    let (_, &mut upper, _) = d.select_nth_unstable_by(mid, f64::total_cmp);
    let median = if d.len() % 2 == 1 {
        upper
    } else {
        let lower = d[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    };
    let h = 0.9 * sd.min((1.0 / std::f64::consts::LN_2).sqrt() * median) * n.powf(-0.2);
    (h > 0.0).then_some(h)
}

fn finite(p: &Coord<f64>) -> bool {
    p.x.is_finite() && p.y.is_finite()
}

/// Kernel density of `points` (metres, e.g. RD New) on a grid; see the module docs.
pub fn kde(points: &[Coord<f64>], opts: &KdeOptions) -> Result<Kde, KdeError> {
    if !points.iter().any(finite) {
        return Err(KdeError::NoPoints);
    }
    let cell = opts.cell_size_m;
    if !(cell.is_finite() && cell > 0.0) {
        return Err(KdeError::BadCellSize);
    }
    let (h, default_bandwidth) = match opts.bandwidth_m {
        Some(h) if h.is_finite() && h > 0.0 => (h, false),
        Some(_) => return Err(KdeError::BadBandwidth),
        // A single point (or coincident points): one cell's worth of spread.
        None => (default_bandwidth(points).unwrap_or(cell), true),
    };
    let spec = match opts.extent {
        Some(spec) => spec,
        None => {
            let (lo, hi) = points_extent(points).ok_or(KdeError::NoPoints)?;
            GridSpec::covering(
                Coord {
                    x: lo.x - h,
                    y: lo.y - h,
                },
                Coord {
                    x: hi.x + h,
                    y: hi.y + h,
                },
                cell,
            )
        }
    };
    check_cost(&spec, h)?;
    let cell = spec.cell_size;
    let cells = spec.nx * spec.ny;
    let pad = (h / cell).ceil() as usize + 1;
    let (pnx, pny) = (spec.nx + 2 * pad, spec.ny + 2 * pad);

    // Linear binning onto the padded grid's cell centres.
    let mut binned = vec![0.0f64; pnx * pny];
    for p in points.iter().filter(|p| finite(p)) {
        let u = (p.x - spec.origin.x) / cell - 0.5 + pad as f64;
        let v = (p.y - spec.origin.y) / cell - 0.5 + pad as f64;
        if u < 0.0 || v < 0.0 || u >= (pnx - 1) as f64 || v >= (pny - 1) as f64 {
            continue; // farther than h from every cell of the grid
        }
        let (i, j) = (u as usize, v as usize);
        let (fu, fv) = (u - i as f64, v - j as f64);
        let base = j * pnx + i;
        binned[base] += (1.0 - fu) * (1.0 - fv);
        binned[base + 1] += fu * (1.0 - fv);
        binned[base + pnx] += (1.0 - fu) * fv;
        binned[base + pnx + 1] += fu * fv;
    }

    // The kernel sampled at cell-centre offsets, scaled to sum to 1, then to points per km².
    let r = (h / cell).ceil() as isize;
    let mut footprint: Vec<(isize, isize, f64)> = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let d2 = ((dx * dx + dy * dy) as f64) * cell * cell / (h * h);
            if d2 < 1.0 {
                footprint.push((dx, dy, (1.0 - d2) * (1.0 - d2)));
            }
        }
    }
    let sum: f64 = footprint.iter().map(|f| f.2).sum();
    let scale = 1e6 / (sum * cell * cell);
    for f in &mut footprint {
        f.2 *= scale;
    }
    // Offsets as flat indices into the padded grid, grouped by row for cache-friendly access.
    let offsets: Vec<(isize, f64)> = footprint
        .iter()
        .map(|&(dx, dy, k)| (dy * pnx as isize + dx, k))
        .collect();

    let mut values = vec![0.0f64; cells];
    for iy in 0..spec.ny {
        checkpoint();
        for ix in 0..spec.nx {
            let centre = ((iy + pad) * pnx + ix + pad) as isize;
            let mut acc = 0.0;
            for &(off, k) in &offsets {
                acc += k * binned[(centre + off) as usize];
            }
            values[iy * spec.nx + ix] = acc;
        }
    }
    Ok(Kde {
        grid: Grid {
            origin: spec.origin,
            cell_size: cell,
            nx: spec.nx,
            ny: spec.ny,
            values,
        },
        bandwidth_m: h,
        default_bandwidth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::SplitMix64;

    fn uniform(rng: &mut SplitMix64, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn cluster(n: usize, seed: u64) -> Vec<Coord<f64>> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| Coord {
                x: uniform(&mut rng, 4_000.0, 6_000.0),
                y: uniform(&mut rng, 3_000.0, 5_000.0),
            })
            .collect()
    }

    fn exact(points: &[Coord<f64>], at: Coord<f64>, h: f64) -> f64 {
        points
            .iter()
            .map(|p| {
                let d2 = ((p.x - at.x).powi(2) + (p.y - at.y).powi(2)) / (h * h);
                if d2 < 1.0 {
                    3.0 / (std::f64::consts::PI * h * h) * (1.0 - d2).powi(2)
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            * 1e6
    }

    #[test]
    fn integrates_to_the_point_count() {
        let pts = cluster(5_000, 1);
        let spec = GridSpec {
            origin: Coord { x: 0.0, y: 0.0 },
            cell_size: 100.0,
            nx: 100,
            ny: 80,
        };
        for h in [150.0, 400.0, 1_000.0] {
            let out = kde(
                &pts,
                &KdeOptions {
                    bandwidth_m: Some(h),
                    cell_size_m: 100.0,
                    extent: Some(spec),
                },
            )
            .unwrap();
            let total = out.grid.total_count();
            assert!((total - 5_000.0).abs() < 50.0, "h {h}: {total}");
        }
    }

    #[test]
    fn matches_the_exact_kernel_sum_inside_the_cluster() {
        let pts = cluster(2_000, 2);
        let h = 600.0;
        let out = kde(
            &pts,
            &KdeOptions {
                bandwidth_m: Some(h),
                cell_size_m: 50.0,
                extent: None,
            },
        )
        .unwrap();
        let g = &out.grid;
        let mut checked = 0;
        for i in (0..g.values.len()).step_by(97) {
            let c = g.cell_center(i);
            let want = exact(&pts, c, h);
            if want > 100.0 {
                assert!(
                    (g.values[i] - want).abs() < 0.03 * want,
                    "cell {i}: {} vs {want}",
                    g.values[i]
                );
                checked += 1;
            }
        }
        assert!(checked > 20, "{checked}");
    }

    #[test]
    fn single_point_peak_and_support() {
        let h = 500.0;
        let p = [Coord {
            x: 1_050.0,
            y: 1_050.0,
        }]; // a cell centre
        let out = kde(
            &p,
            &KdeOptions {
                bandwidth_m: Some(h),
                cell_size_m: 100.0,
                extent: None,
            },
        )
        .unwrap();
        let g = &out.grid;
        let peak = g.values.iter().copied().fold(0.0, f64::max);
        let analytic = 3.0 / (std::f64::consts::PI * h * h) * 1e6;
        assert!(
            (peak - analytic).abs() < 0.03 * analytic,
            "{peak} vs {analytic}"
        );
        for (i, v) in g.values.iter().enumerate() {
            let c = g.cell_center(i);
            if ((c.x - 1_050.0).powi(2) + (c.y - 1_050.0).powi(2)).sqrt() >= h {
                assert_eq!(*v, 0.0);
            }
        }
    }

    #[test]
    fn default_bandwidth_follows_the_arcgis_rule() {
        // Four points on a circle of radius 100 around (0, 0): SD = 100, Dm = 100,
        // h = 0.9 · min(100, 120.1) · 4^−0.2 = 68.39.
        let pts = [
            Coord { x: 100.0, y: 0.0 },
            Coord { x: -100.0, y: 0.0 },
            Coord { x: 0.0, y: 100.0 },
            Coord { x: 0.0, y: -100.0 },
        ];
        let h = default_bandwidth(&pts).unwrap();
        assert!((h - 90.0 * 4f64.powf(-0.2)).abs() < 1e-9, "{h}");
        let out = kde(&pts, &KdeOptions::default()).unwrap();
        assert!(out.default_bandwidth && (out.bandwidth_m - h).abs() < 1e-12);
        assert!(default_bandwidth(&pts[..1]).is_none());
    }

    #[test]
    fn top_decile_and_errors() {
        let pts = cluster(500, 3);
        let out = kde(
            &pts,
            &KdeOptions {
                bandwidth_m: Some(300.0),
                ..Default::default()
            },
        )
        .unwrap();
        let top = out.grid.top_cells(0.10);
        let nonzero = out.grid.values.iter().filter(|&&v| v > 0.0).count();
        assert_eq!(top.len(), (nonzero as f64 * 0.1).ceil() as usize);
        let min_top = out.grid.values[*top.last().unwrap()];
        assert!(out.grid.values.iter().filter(|&&v| v > min_top).count() < top.len());
        assert_eq!(
            kde(&[], &KdeOptions::default()).unwrap_err(),
            KdeError::NoPoints
        );
        let bad = KdeOptions {
            bandwidth_m: Some(-1.0),
            ..Default::default()
        };
        assert_eq!(kde(&pts, &bad).unwrap_err(), KdeError::BadBandwidth);
        let tiny = KdeOptions {
            cell_size_m: 0.01,
            bandwidth_m: Some(5000.0),
            ..Default::default()
        };
        assert!(matches!(
            kde(&pts, &tiny),
            Err(KdeError::TooManyCells {
                limit: MAX_CELLS,
                ..
            })
        ));
    }

    #[test]
    fn the_cost_is_refused_before_any_work_when_cells_times_kernel_is_too_much() {
        // The reported freeze: 10 m cells and a 5 km bandwidth over a town of 12 km.
        let town = GridSpec {
            origin: Coord { x: 0.0, y: 0.0 },
            cell_size: 10.0,
            nx: 900,
            ny: 900,
        };
        match check_cost(&town, 5_000.0) {
            Err(KdeError::TooMuchWork {
                steps,
                cells,
                limit,
                ..
            }) => {
                assert_eq!(cells, 810_000);
                assert!(steps > 100 * limit, "{steps}");
            }
            other => panic!("{other:?}"),
        }
        // The default for a town (100 m cells, a bandwidth of some hundreds of metres) is cheap.
        let default = GridSpec {
            cell_size: 100.0,
            nx: 120,
            ny: 120,
            ..town
        };
        assert_eq!(check_cost(&default, 600.0), Ok(()));
    }
}

/// A density grid as the map draws it: an image of `nx` × `ny` cells between four WGS84
/// corners (top-left, top-right, bottom-right, bottom-left), values in points per km²,
/// row-major from the top (north) row, rounded to 4 significant digits (invisible on the map,
/// and a third of the bytes). The API, the planning view and the printed report all serve this
/// one shape, made by [`KdeSurface::new`].
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KdeSurface {
    /// Points that went into the surface.
    pub points: usize,
    pub cell_m: f64,
    /// The bandwidth used, metres; `null` without points.
    pub bandwidth_m: Option<f64>,
    /// What the default rule gives for these points.
    pub default_bandwidth_m: Option<f64>,
    /// Always `per_km2`.
    pub unit: &'static str,
    pub nx: usize,
    pub ny: usize,
    pub max: f64,
    pub corners: Vec<[f64; 2]>,
    pub values: Vec<f64>,
}

impl KdeSurface {
    /// The surface of a computed density.
    pub fn new(k: &Kde, points: &[Coord<f64>], frame: &MetricFrame) -> KdeSurface {
        let g = &k.grid;
        let (x0, y0) = (g.origin.x, g.origin.y);
        let (x1, y1) = (
            x0 + g.nx as f64 * g.cell_size,
            y0 + g.ny as f64 * g.cell_size,
        );
        let corner = |x: f64, y: f64| {
            let (lon, lat) = frame.to_wgs84(x, y);
            [lon, lat]
        };
        let mut values = Vec::with_capacity(g.values.len());
        for iy in (0..g.ny).rev() {
            for ix in 0..g.nx {
                values.push(round4(g.values[iy * g.nx + ix]));
            }
        }
        KdeSurface {
            points: points.len(),
            cell_m: g.cell_size,
            bandwidth_m: Some(k.bandwidth_m),
            default_bandwidth_m: default_bandwidth(points),
            unit: "per_km2",
            nx: g.nx,
            ny: g.ny,
            max: round4(g.values.iter().copied().fold(0.0, f64::max)),
            corners: vec![
                corner(x0, y1),
                corner(x1, y1),
                corner(x1, y0),
                corner(x0, y0),
            ],
            values,
        }
    }

    /// The surface of no points: an empty grid.
    pub fn empty(cell_m: f64) -> KdeSurface {
        KdeSurface {
            points: 0,
            cell_m,
            bandwidth_m: None,
            default_bandwidth_m: None,
            unit: "per_km2",
            nx: 0,
            ny: 0,
            max: 0.0,
            corners: vec![],
            values: vec![],
        }
    }
}

/// Rounds to 4 significant digits (0 stays 0).
///
/// ```
/// use wijkveilig::analysis::kde::round4;
/// assert_eq!(round4(123.456), 123.5);
/// assert_eq!(round4(0.000123456), 0.0001235);
/// assert_eq!(round4(0.0), 0.0);
/// ```
pub fn round4(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{v:.3e}").parse::<f64>().unwrap_or(v)
}
