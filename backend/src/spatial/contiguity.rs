//! Spatial weights: which areas count as neighbours. Gi* and emerging-hotspot analysis need
//! them, and the answer must agree with what analysts get from PySAL.
//!
//! Two definitions:
//! - **Queen contiguity** ([`queen_contiguity`]): areas are neighbours when their boundaries
//!   touch. [`Touch::Boundary`] (the default) accepts any point of one boundary within
//!   `tolerance_m` of the other's (a shared vertex, a shared edge, or an edge that CBS
//!   digitised a few centimetres apart). [`Touch::SharedVertex`] accepts only vertices within
//!   `tolerance_m` of each other; with tolerance 0 that is exactly libpysal's `Queen`
//!   ("share at least one vertex"). On the Almelo buurten and wijken both rules give the same
//!   pairs as PySAL, because CBS boundaries share their vertices.
//! - **Distance band** ([`distance_band`]): centroids at most `d` metres apart.
//!
//! Geometry must be in metres (see [`crate::spatial::frame::MetricFrame`]);
//! [`queen_contiguity_wgs84`] projects first. Candidate pairs come from an R-tree over the
//! tolerance-expanded envelopes; each pair is then tested only on the boundary segments that
//! lie in the overlap of the two envelopes, with a sort-and-sweep on x, so a long shared
//! boundary costs O(n log n) instead of O(n²).
//!
//! ```
//! use geo::{Geometry, polygon};
//! use wijkveilig::spatial::contiguity::{QueenOptions, queen_contiguity};
//! let square = |x: f64, y: f64| -> Option<Geometry<f64>> {
//!     Some(polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)].into())
//! };
//! // Two squares side by side, a third touching the second only at a corner, a fourth far away.
//! let (w, report) = queen_contiguity(
//!     &[square(0.0, 0.0), square(1.0, 0.0), square(2.0, 1.0), square(10.0, 10.0)],
//!     &QueenOptions::default(),
//! );
//! assert_eq!(w.neighbors(1), &[0, 2]);
//! assert_eq!(report.islands, vec![3]);
//! ```

use geo::{Centroid, Coord, Geometry, LineString, Polygon, Validation};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::frame::MetricFrame;

/// Symmetric binary spatial weights: for each area, the sorted indices of its neighbours
/// (never itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    neighbors: Vec<Vec<usize>>,
}

impl Weights {
    /// Builds weights from neighbour lists, making them symmetric, sorted and free of
    /// self-links and duplicates. Indices `>= neighbors.len()` are dropped.
    pub fn from_neighbors(mut neighbors: Vec<Vec<usize>>) -> Self {
        let n = neighbors.len();
        let mut extra: Vec<(usize, usize)> = Vec::new();
        for (i, list) in neighbors.iter().enumerate() {
            for &j in list {
                if j < n && j != i {
                    extra.push((j, i));
                }
            }
        }
        for (j, i) in extra {
            neighbors[j].push(i);
        }
        for (i, list) in neighbors.iter_mut().enumerate() {
            list.retain(|&j| j < n && j != i);
            list.sort_unstable();
            list.dedup();
        }
        Weights { neighbors }
    }

    /// Number of areas.
    pub fn len(&self) -> usize {
        self.neighbors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.neighbors.is_empty()
    }

    pub fn neighbors(&self, i: usize) -> &[usize] {
        &self.neighbors[i]
    }

    /// Number of links counted in both directions (PySAL's `s0` for binary weights).
    pub fn links(&self) -> usize {
        self.neighbors.iter().map(Vec::len).sum()
    }

    /// The weights among the areas `keep` (ascending positions), renumbered 0.. in that
    /// order: areas left out of a statistic (no data) are not anyone's neighbour.
    pub fn restrict(&self, keep: &[usize]) -> Weights {
        let mut new_of = vec![usize::MAX; self.len()];
        for (k, &i) in keep.iter().enumerate() {
            new_of[i] = k;
        }
        Weights::from_neighbors(
            keep.iter()
                .map(|&i| {
                    self.neighbors[i]
                        .iter()
                        .map(|&j| new_of[j])
                        .filter(|&j| j != usize::MAX)
                        .collect()
                })
                .collect(),
        )
    }

    /// Areas without any neighbour.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.neighbors[i].is_empty())
            .collect()
    }
}

/// What made the weights what they are, for the caller to show rather than to hide.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContiguityReport {
    /// Areas without neighbours (includes the empty ones below).
    pub islands: Vec<usize>,
    /// Areas without usable geometry: null, no polygon, or only degenerate rings. They get no
    /// neighbours.
    pub empty: Vec<usize>,
    /// Areas whose polygon is invalid (self-intersection, non-finite coordinates, …). They are
    /// still used: their boundary is good enough to decide who touches whom. Only filled when
    /// [`QueenOptions::check_validity`] is set.
    pub invalid: Vec<usize>,
    /// Areas whose geometry is not polygonal (points, lines); treated as empty.
    pub not_polygonal: Vec<usize>,
}

/// When two boundaries count as touching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    /// Any boundary point within the tolerance: shared vertices, shared edges, T-junctions.
    Boundary,
    /// Only vertices within the tolerance of each other (libpysal `Queen` at tolerance 0).
    SharedVertex,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueenOptions {
    /// In metres. CBS boundaries of adjacent areas are sometimes a few centimetres apart.
    pub tolerance_m: f64,
    pub touch: Touch,
    /// Run the full OGC validity check on every polygon to fill
    /// [`ContiguityReport::invalid`]. Off by default: it costs more than the contiguity.
    pub check_validity: bool,
}

impl Default for QueenOptions {
    fn default() -> Self {
        QueenOptions {
            tolerance_m: 0.5,
            touch: Touch::Boundary,
            check_validity: false,
        }
    }
}

impl QueenOptions {
    /// libpysal's `Queen.from_dataframe`: a pair is contiguous when it shares an identical vertex.
    pub fn pysal() -> Self {
        QueenOptions {
            tolerance_m: 0.0,
            touch: Touch::SharedVertex,
            check_validity: false,
        }
    }
}

/// A boundary piece: a segment, or a single vertex in [`Touch::SharedVertex`] mode.
#[derive(Debug, Clone, Copy)]
struct Seg {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Seg {
    fn xmin(&self) -> f64 {
        self.x0.min(self.x1)
    }
    fn xmax(&self) -> f64 {
        self.x0.max(self.x1)
    }
    fn ymin(&self) -> f64 {
        self.y0.min(self.y1)
    }
    fn ymax(&self) -> f64 {
        self.y0.max(self.y1)
    }
}

/// Queen contiguity of polygons in metres. `None` and non-polygonal geometries become
/// (reported) islands; nothing panics on bad input.
pub fn queen_contiguity(
    geoms: &[Option<Geometry<f64>>],
    opts: &QueenOptions,
) -> (Weights, ContiguityReport) {
    let n = geoms.len();
    let tol = opts.tolerance_m.max(0.0);
    let mut report = ContiguityReport::default();

    // All boundary pieces in one arena; polygon i owns segs[start[i]..start[i + 1]].
    let mut segs: Vec<Seg> = Vec::new();
    let mut start = Vec::with_capacity(n + 1);
    let mut envelopes: Vec<Option<AABB<[f64; 2]>>> = Vec::with_capacity(n);
    for (i, g) in geoms.iter().enumerate() {
        start.push(segs.len());
        let polys = match g {
            None => {
                report.empty.push(i);
                envelopes.push(None);
                continue;
            }
            Some(g) => match polygons_of(g) {
                Some(p) => p,
                None => {
                    report.not_polygonal.push(i);
                    envelopes.push(None);
                    continue;
                }
            },
        };
        if opts.check_validity && polys.iter().any(|p| !p.is_valid()) {
            report.invalid.push(i);
        }
        let before = segs.len();
        for p in &polys {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                push_ring(ring, opts.touch, &mut segs);
            }
        }
        let own = &segs[before..];
        if own.is_empty() {
            report.empty.push(i);
            envelopes.push(None);
            continue;
        }
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for s in own {
            lo = [lo[0].min(s.xmin()), lo[1].min(s.ymin())];
            hi = [hi[0].max(s.xmax()), hi[1].max(s.ymax())];
        }
        envelopes.push(Some(AABB::from_corners(lo, hi)));
    }
    start.push(segs.len());

    let tree = RTree::bulk_load(
        envelopes
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                e.map(|e| GeomWithData::new(Rectangle::from_corners(e.lower(), e.upper()), i))
            })
            .collect(),
    );

    let mut neighbors = vec![Vec::new(); n];
    let mut sweep = Sweep::default();
    for (i, env) in envelopes.iter().enumerate() {
        let Some(env) = env else { continue };
        let query = expand(env, tol);
        for cand in tree.locate_in_envelope_intersecting(&query) {
            let j = cand.data;
            if j <= i {
                continue;
            }
            let env_j = envelopes[j].expect("only indexed areas are in the tree");
            let a = &segs[start[i]..start[i + 1]];
            let b = &segs[start[j]..start[j + 1]];
            if sweep.touches(a, &expand(&env_j, tol), b, &query, tol) {
                neighbors[i].push(j);
                neighbors[j].push(i);
            }
        }
    }
    let w = Weights::from_neighbors(neighbors);
    report.islands = w.islands();
    (w, report)
}

/// [`queen_contiguity`] for WGS84 lon/lat input, projected into `frame` first so that the
/// tolerance is in metres. The projection goes through a lattice of the frame (see
/// [`MetricFrame::lattice`]): shared vertices stay shared and sub-metre distances keep their
/// length, at a fraction of the cost of projecting every vertex exactly.
pub fn queen_contiguity_wgs84(
    geoms: &[Option<Geometry<f64>>],
    frame: &MetricFrame,
    opts: &QueenOptions,
) -> (Weights, ContiguityReport) {
    use geo::BoundingRect;
    let extent = geoms
        .iter()
        .flatten()
        .filter_map(|g| g.bounding_rect())
        .reduce(|a, b| {
            geo::Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        });
    let Some(extent) = extent else {
        return queen_contiguity(geoms, opts);
    };
    let lattice = frame.lattice(extent.min(), extent.max(), 100);
    let projected: Vec<Option<Geometry<f64>>> = geoms
        .iter()
        .map(|g| g.as_ref().map(|g| lattice.project_geometry(g)))
        .collect();
    queen_contiguity(&projected, opts)
}

/// Fixed distance band: areas whose centroids (in metres) are at most `d` metres apart.
/// `None` centroids (empty geometry) become islands.
///
/// ```
/// use geo::Coord;
/// use wijkveilig::spatial::contiguity::distance_band;
/// let c = |x: f64, y: f64| Some(Coord { x, y });
/// let w = distance_band(&[c(0.0, 0.0), c(300.0, 400.0), c(2_000.0, 0.0), None], 500.0);
/// assert_eq!(w.neighbors(0), &[1]);
/// assert_eq!(w.islands(), vec![2, 3]);
/// ```
pub fn distance_band(centroids: &[Option<Coord<f64>>], d: f64) -> Weights {
    let tree = RTree::bulk_load(
        centroids
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.filter(|c| c.x.is_finite() && c.y.is_finite())
                    .map(|c| GeomWithData::new([c.x, c.y], i))
            })
            .collect::<Vec<_>>(),
    );
    let mut neighbors = vec![Vec::new(); centroids.len()];
    for (i, c) in centroids.iter().enumerate() {
        let Some(c) = c else { continue };
        for hit in tree.locate_within_distance([c.x, c.y], d * d) {
            if hit.data != i {
                neighbors[i].push(hit.data);
            }
        }
    }
    Weights::from_neighbors(neighbors)
}

/// Centroids of geometries (already in metres), `None` where there is nothing to average.
pub fn centroids(geoms: &[Option<Geometry<f64>>]) -> Vec<Option<Coord<f64>>> {
    geoms
        .iter()
        .map(|g| g.as_ref().and_then(|g| g.centroid()).map(|p| p.0))
        .collect()
}

/// The polygons of a geometry, or `None` when it has no polygonal part.
fn polygons_of(g: &Geometry<f64>) -> Option<Vec<Polygon<f64>>> {
    let mut out = Vec::new();
    collect_polygons(g, &mut out);
    let polygonal = matches!(
        g,
        Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_)
    ) || !out.is_empty();
    polygonal.then_some(out)
}

fn collect_polygons(g: &Geometry<f64>, out: &mut Vec<Polygon<f64>>) {
    match g {
        Geometry::Polygon(p) => out.push(p.clone()),
        Geometry::MultiPolygon(mp) => out.extend(mp.0.iter().cloned()),
        Geometry::Rect(r) => out.push(r.to_polygon()),
        Geometry::Triangle(t) => out.push(t.to_polygon()),
        Geometry::GeometryCollection(gc) => gc.0.iter().for_each(|g| collect_polygons(g, out)),
        _ => {}
    }
}

/// Appends a ring's pieces, skipping rings that enclose nothing (fewer than 3 distinct
/// points) and pieces with non-finite coordinates.
fn push_ring(ring: &LineString<f64>, touch: Touch, segs: &mut Vec<Seg>) {
    let finite = |c: &Coord<f64>| c.x.is_finite() && c.y.is_finite();
    let pts: Vec<Coord<f64>> = ring.0.iter().copied().filter(finite).collect();
    let mut distinct = pts.clone();
    distinct.dedup();
    if distinct.len() < 3 || (distinct.len() == 3 && distinct[0] == distinct[2]) {
        return;
    }
    match touch {
        Touch::SharedVertex => segs.extend(pts.iter().map(|c| Seg {
            x0: c.x,
            y0: c.y,
            x1: c.x,
            y1: c.y,
        })),
        Touch::Boundary => segs.extend(pts.windows(2).map(|w| Seg {
            x0: w[0].x,
            y0: w[0].y,
            x1: w[1].x,
            y1: w[1].y,
        })),
    }
}

fn expand(e: &AABB<[f64; 2]>, d: f64) -> AABB<[f64; 2]> {
    let (lo, hi) = (e.lower(), e.upper());
    AABB::from_corners([lo[0] - d, lo[1] - d], [hi[0] + d, hi[1] + d])
}

fn seg_in(s: &Seg, e: &AABB<[f64; 2]>) -> bool {
    let (lo, hi) = (e.lower(), e.upper());
    s.xmax() >= lo[0] && s.xmin() <= hi[0] && s.ymax() >= lo[1] && s.ymin() <= hi[1]
}

/// Reusable buffers for the per-pair test.
#[derive(Default)]
struct Sweep {
    a: Vec<Seg>,
    b: Vec<Seg>,
    active_a: Vec<Seg>,
    active_b: Vec<Seg>,
}

impl Sweep {
    /// Whether some piece of `a` lying in `window_a` comes within `tol` of a piece of `b`
    /// lying in `window_b`.
    fn touches(
        &mut self,
        a: &[Seg],
        window_a: &AABB<[f64; 2]>,
        b: &[Seg],
        window_b: &AABB<[f64; 2]>,
        tol: f64,
    ) -> bool {
        self.a.clear();
        self.a.extend(a.iter().filter(|s| seg_in(s, window_a)));
        self.b.clear();
        self.b.extend(b.iter().filter(|s| seg_in(s, window_b)));
        if self.a.is_empty() || self.b.is_empty() {
            return false;
        }
        self.a
            .sort_unstable_by(|p, q| p.xmin().total_cmp(&q.xmin()));
        self.b
            .sort_unstable_by(|p, q| p.xmin().total_cmp(&q.xmin()));
        self.active_a.clear();
        self.active_b.clear();
        let tol2 = tol * tol;
        let (mut ia, mut ib) = (0, 0);
        while ia < self.a.len() || ib < self.b.len() {
            let take_a =
                ib >= self.b.len() || (ia < self.a.len() && self.a[ia].xmin() <= self.b[ib].xmin());
            let (s, own, other) = if take_a {
                ia += 1;
                (self.a[ia - 1], &mut self.active_a, &mut self.active_b)
            } else {
                ib += 1;
                (self.b[ib - 1], &mut self.active_b, &mut self.active_a)
            };
            let x = s.xmin();
            other.retain(|o| o.xmax() + tol >= x);
            for o in other.iter() {
                if o.ymax() + tol >= s.ymin()
                    && s.ymax() + tol >= o.ymin()
                    && seg_dist2(&s, o) <= tol2
                {
                    return true;
                }
            }
            own.push(s);
        }
        false
    }
}

fn orient(ax: f64, ay: f64, bx: f64, by: f64, cx: f64, cy: f64) -> f64 {
    (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
}

fn point_seg_dist2(px: f64, py: f64, s: &Seg) -> f64 {
    let (dx, dy) = (s.x1 - s.x0, s.y1 - s.y0);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - s.x0) * dx + (py - s.y0) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (s.x0 + t * dx, s.y0 + t * dy);
    (px - qx) * (px - qx) + (py - qy) * (py - qy)
}

/// Squared distance between two closed segments (0 when they cross).
fn seg_dist2(a: &Seg, b: &Seg) -> f64 {
    let d1 = orient(a.x0, a.y0, a.x1, a.y1, b.x0, b.y0);
    let d2 = orient(a.x0, a.y0, a.x1, a.y1, b.x1, b.y1);
    let d3 = orient(b.x0, b.y0, b.x1, b.y1, a.x0, a.y0);
    let d4 = orient(b.x0, b.y0, b.x1, b.y1, a.x1, a.y1);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return 0.0;
    }
    point_seg_dist2(a.x0, a.y0, b)
        .min(point_seg_dist2(a.x1, a.y1, b))
        .min(point_seg_dist2(b.x0, b.y0, a))
        .min(point_seg_dist2(b.x1, b.y1, a))
}

#[cfg(test)]
mod restrict_tests {
    use super::Weights;

    #[test]
    fn restrict_renumbers_and_drops_links_to_left_out_areas() {
        // A path 0-1-2-3; leaving out 1 splits it into 0 (alone) and 2-3.
        let w = Weights::from_neighbors(vec![vec![1], vec![0, 2], vec![1, 3], vec![2]]);
        let r = w.restrict(&[0, 2, 3]);
        assert_eq!(r.len(), 3);
        assert!(r.neighbors(0).is_empty());
        assert_eq!(r.neighbors(1), &[2]);
        assert_eq!(r.neighbors(2), &[1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn square(x: f64, y: f64, s: f64) -> Option<Geometry<f64>> {
        Some(
            polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)].into(),
        )
    }

    #[test]
    fn edge_and_corner_touches_are_queen_neighbours() {
        let geoms = [
            square(0.0, 0.0, 10.0),
            square(10.0, 0.0, 10.0),
            square(20.0, 10.0, 10.0),
        ];
        let (w, report) = queen_contiguity(&geoms, &QueenOptions::default());
        assert_eq!(w.neighbors(0), &[1]);
        assert_eq!(w.neighbors(1), &[0, 2]);
        assert_eq!(w.neighbors(2), &[1]);
        assert!(report.islands.is_empty());
    }

    #[test]
    fn tolerance_bridges_a_small_gap_but_not_a_large_one() {
        let geoms = [
            square(0.0, 0.0, 10.0),
            square(10.3, 0.0, 10.0),
            square(21.3, 0.0, 10.0),
        ];
        let (w, report) = queen_contiguity(&geoms, &QueenOptions::default());
        assert_eq!(w.neighbors(0), &[1], "0.3 m gap is within 0.5 m");
        assert_eq!(w.neighbors(1), &[0], "1 m gap is not");
        assert_eq!(report.islands, vec![2]);
        let strict = QueenOptions {
            tolerance_m: 0.0,
            ..QueenOptions::default()
        };
        let (w, _) = queen_contiguity(&geoms, &strict);
        assert_eq!(w.links(), 0);
    }

    #[test]
    fn t_junction_counts_for_boundary_rule_but_not_for_shared_vertex() {
        // The small square's left edge lies along the big square's right edge, but the big
        // square has no vertex there: PySAL's vertex rule misses this, the boundary rule not.
        let geoms = [square(0.0, 0.0, 30.0), square(30.0, 10.0, 10.0)];
        let (w, _) = queen_contiguity(&geoms, &QueenOptions::default());
        assert_eq!(w.links(), 2);
        let (w, _) = queen_contiguity(&geoms, &QueenOptions::pysal());
        assert_eq!(w.links(), 0);
    }

    #[test]
    fn enclave_touches_its_surrounding_polygon_through_the_hole() {
        let outer = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 30.0, y: 0.0), (x: 30.0, y: 30.0), (x: 0.0, y: 30.0)],
            interiors: [[(x: 10.0, y: 10.0), (x: 20.0, y: 10.0), (x: 20.0, y: 20.0), (x: 10.0, y: 20.0)]],
        );
        let geoms = [Some(outer.into()), square(10.0, 10.0, 10.0)];
        let (w, _) = queen_contiguity(&geoms, &QueenOptions::default());
        assert_eq!(w.neighbors(1), &[0]);
    }

    #[test]
    fn bad_geometries_are_reported_not_fatal() {
        let empty_mp: Geometry<f64> = MultiPolygon::<f64>(vec![]).into();
        let degenerate: Geometry<f64> =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)].into();
        let point: Geometry<f64> = geo::Point::new(5.0, 5.0).into();
        let bowtie: Geometry<f64> =
            polygon![(x: 10.0, y: 0.0), (x: 20.0, y: 10.0), (x: 20.0, y: 0.0), (x: 10.0, y: 10.0)]
                .into();
        let geoms = [
            None,
            Some(empty_mp),
            Some(degenerate),
            Some(point),
            Some(bowtie),
            square(0.0, 0.0, 10.0),
        ];
        let opts = QueenOptions {
            check_validity: true,
            ..QueenOptions::default()
        };
        let (w, report) = queen_contiguity(&geoms, &opts);
        assert_eq!(report.empty, vec![0, 1, 2]);
        assert_eq!(report.not_polygonal, vec![3]);
        assert_eq!(report.invalid, vec![2, 4]);
        assert_eq!(
            w.neighbors(4),
            &[5],
            "an invalid polygon still has a boundary"
        );
        assert_eq!(report.islands, vec![0, 1, 2, 3]);
    }

    #[test]
    fn weights_are_symmetrised() {
        let w = Weights::from_neighbors(vec![vec![1, 1, 0], vec![], vec![7]]);
        assert_eq!(w.neighbors(0), &[1]);
        assert_eq!(w.neighbors(1), &[0]);
        assert_eq!(w.islands(), vec![2]);
    }

    type Areas = (Vec<String>, Vec<Option<Geometry<f64>>>);

    fn load(name: &str) -> Option<Areas> {
        let path = format!("{}/../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipping: real data {path} is not available");
            return None;
        };
        let fc: geojson::FeatureCollection = text.parse().expect("valid GeoJSON");
        let mut codes = Vec::new();
        let mut geoms = Vec::new();
        for f in fc.features {
            codes.push(
                f.property("code")
                    .and_then(|v| v.as_str())
                    .unwrap()
                    .to_string(),
            );
            geoms.push(f.geometry.map(|g| Geometry::<f64>::try_from(g).unwrap()));
        }
        Some((codes, geoms))
    }

    fn names<'a>(w: &Weights, codes: &'a [String], i: usize) -> Vec<&'a str> {
        w.neighbors(i).iter().map(|&j| codes[j].as_str()).collect()
    }

    #[test]
    fn almelo_enclave_aadorp_neighbours_noorderkwartier() {
        let Some((codes, geoms)) = load("almelo-wijken.geojson") else {
            return;
        };
        let rd = MetricFrame::rd_new();
        let (w, report) = queen_contiguity_wgs84(&geoms, &rd, &QueenOptions::default());
        let aadorp = codes.iter().position(|c| c == "WK014120").unwrap();
        let noorder = codes.iter().position(|c| c == "WK014112").unwrap();
        // Aadorp is a hole in Noorderkwartier, so that is its one and only neighbour.
        assert_eq!(names(&w, &codes, aadorp), vec!["WK014112"]);
        assert!(w.neighbors(noorder).contains(&aadorp));
        assert!(report.islands.is_empty() && report.empty.is_empty());
        // Same answer with PySAL's rule (shared vertices, no tolerance).
        let (wp, _) = queen_contiguity_wgs84(&geoms, &rd, &QueenOptions::pysal());
        assert_eq!(wp, w);
    }

    #[test]
    fn almelo_buurten_aadorp_touches_the_buurten_around_it() {
        let Some((codes, geoms)) = load("almelo-buurten.geojson") else {
            return;
        };
        let rd = MetricFrame::rd_new();
        let (w, report) = queen_contiguity_wgs84(&geoms, &rd, &QueenOptions::default());
        assert!(report.islands.is_empty());
        // 422 directed links, as libpysal's Queen finds (tests/fixtures/pysal).
        assert_eq!(w.links(), 422);
        // Every Aadorp buurt (BU014120xx) that lies on the wijk boundary touches a buurt of
        // Noorderkwartier (BU014112xx), and nothing outside those two wijken.
        let aadorp: Vec<usize> = (0..codes.len())
            .filter(|&i| codes[i].starts_with("BU014120"))
            .collect();
        assert!(!aadorp.is_empty());
        let outside: Vec<&str> = aadorp
            .iter()
            .flat_map(|&i| names(&w, &codes, i))
            .filter(|c| !c.starts_with("BU014120"))
            .collect();
        assert!(!outside.is_empty());
        assert!(
            outside.iter().all(|c| c.starts_with("BU014112")),
            "{outside:?}"
        );
    }

    #[test]
    fn distance_band_is_symmetric_and_inclusive() {
        let c = |x: f64, y: f64| Some(Coord { x, y });
        let w = distance_band(&[c(0.0, 0.0), c(100.0, 0.0), c(250.0, 0.0)], 150.0);
        assert_eq!(w.neighbors(1), &[0, 2]);
        assert_eq!(w.neighbors(0), &[1]);
    }
}
