//! Shared-arc topology of a polygon coverage, and its simplification without gaps or overlaps.
//!
//! Simplifying each buurt on its own (Douglas–Peucker per polygon) moves a shared boundary
//! differently on its two sides: slivers open between neighbours and they overlap. As
//! TopoJSON and tippecanoe do, we cut every ring into **arcs** at its junctions (the vertices
//! where the set of neighbours changes), store each arc once however many rings use it, and
//! simplify each arc once. Both neighbours then draw the very same simplified boundary.
//!
//! **Invariants**
//! - A junction is a vertex that occurs with different neighbours in different places (where
//!   three areas meet, where a shared boundary ends, or a ring that touches itself). Arcs run
//!   from junction to junction and never contain a junction inside; a ring without junctions
//!   is one closed arc.
//! - Two rings that share a boundary (the same vertices, in either direction) refer to the same
//!   arc; `rings[p][r]` lists `(arc, reversed)` so that the arcs, followed in order, give back
//!   ring `r` of polygon `p` with its original orientation.
//! - Simplification keeps the end points of every arc (so arcs still meet at their junctions),
//!   and refines an arc until no two simplified arcs cross (so neighbours cannot overlap).
//!
//! Shared vertices must be bit-identical in the input; CBS's wijk- en buurtkaart is built that
//! way, and everything we do to coordinates (projection, lattice) is deterministic per vertex.
//!
//! ```
//! use geo::{MultiPolygon, polygon};
//! use wijkveilig::spatial::topology::Topology;
//! // Two squares sharing the edge x = 1, the shared edge with a wiggle of 0.01.
//! let left = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1.01, y: 0.5), (x: 1., y: 1.), (x: 0., y: 1.)];
//! let right = polygon![(x: 1., y: 0.), (x: 2., y: 0.), (x: 2., y: 1.), (x: 1., y: 1.), (x: 1.01, y: 0.5)];
//! let topo = Topology::build(&[MultiPolygon::new(vec![left]), MultiPolygon::new(vec![right])]);
//! assert_eq!(topo.shared_arcs(), 1);
//! let simple = topo.simplify(0.1);
//! // The wiggle is gone on both sides alike: both squares now have exactly 4 corners.
//! assert_eq!(simple[0].0[0].exterior().0.len(), 5);
//! assert_eq!(simple[1].0[0].exterior().0.len(), 5);
//! ```

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rstar::{AABB, RTree, RTreeObject};
use std::collections::HashMap;

type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    // +0.0 and -0.0 are the same place.
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// A polygon coverage as arcs, and its polygons as lists of arcs.
pub struct Topology {
    /// Each arc's vertices (a closed arc repeats its first vertex at the end).
    arcs: Vec<Vec<Coord<f64>>>,
    /// How many ring sides use each arc (1 on the outer boundary, 2 between neighbours).
    uses: Vec<u32>,
    /// Per polygon (in input order), per ring (exterior first, then its holes, polygon after
    /// polygon), the arcs in order and whether each is followed backwards.
    rings: Vec<Vec<RingRef>>,
}

/// One ring: which member polygon and whether it is an exterior, and its arcs.
struct RingRef {
    polygon: usize,
    exterior: bool,
    arcs: Vec<(usize, bool)>,
}

impl Topology {
    /// Cuts the rings of `polygons` into shared arcs.
    pub fn build(polygons: &[MultiPolygon<f64>]) -> Topology {
        // 1. Rings as open vertex lists (no closing vertex), with their place.
        let mut raw: Vec<(usize, usize, bool, Vec<Coord<f64>>)> = Vec::new();
        for (p, mp) in polygons.iter().enumerate() {
            for (q, poly) in mp.0.iter().enumerate() {
                for (r, ring) in std::iter::once(poly.exterior())
                    .chain(poly.interiors())
                    .enumerate()
                {
                    let mut v: Vec<Coord<f64>> = ring.0.clone();
                    if v.len() > 1 && v.first() == v.last() {
                        v.pop();
                    }
                    v.dedup();
                    if v.len() >= 3 {
                        raw.push((p, q, r == 0, v));
                    }
                }
            }
        }
        // 2. Junctions: a vertex seen with a different pair of neighbours than before.
        let mut seen: HashMap<Key, (Key, Key, bool)> = HashMap::new();
        for (_, _, _, v) in &raw {
            let n = v.len();
            for i in 0..n {
                let (a, b) = (key(v[(i + n - 1) % n]), key(v[(i + 1) % n]));
                let pair = if a <= b { (a, b) } else { (b, a) };
                seen.entry(key(v[i]))
                    .and_modify(|e| {
                        if (e.0, e.1) != pair {
                            e.2 = true;
                        }
                    })
                    .or_insert((pair.0, pair.1, false));
            }
        }
        // A vertex used twice by one ring with the same neighbours never happens in a valid
        // ring; a vertex used by two rings with the same neighbours is an inner vertex of a
        // shared arc.
        let is_junction = |c: Coord<f64>| seen.get(&key(c)).is_some_and(|e| e.2);

        // 3. Cut at junctions and store each arc once.
        let mut arcs: Vec<Vec<Coord<f64>>> = Vec::new();
        let mut uses: Vec<u32> = Vec::new();
        let mut index: HashMap<Vec<Key>, usize> = HashMap::new();
        let mut rings: Vec<Vec<RingRef>> = (0..polygons.len()).map(|_| Vec::new()).collect();
        let mut intern = |seq: Vec<Coord<f64>>, closed: bool| -> (usize, bool) {
            let fwd: Vec<Key> = seq.iter().map(|&c| key(c)).collect();
            let (canon, reversed, coords) = if closed {
                canonical_closed(&seq)
            } else {
                let rev: Vec<Key> = fwd.iter().rev().copied().collect();
                if rev < fwd {
                    (rev, true, seq.iter().rev().copied().collect())
                } else {
                    (fwd, false, seq)
                }
            };
            let id = *index.entry(canon).or_insert_with(|| {
                arcs.push(coords);
                uses.push(0);
                arcs.len() - 1
            });
            uses[id] += 1;
            (id, reversed)
        };
        for (p, q, exterior, v) in raw {
            let n = v.len();
            let cuts: Vec<usize> = (0..n).filter(|&i| is_junction(v[i])).collect();
            let mut refs = Vec::new();
            if cuts.is_empty() {
                let mut closed = v.clone();
                closed.push(v[0]);
                refs.push(intern(closed, true));
            } else {
                for (k, &start) in cuts.iter().enumerate() {
                    let end = cuts[(k + 1) % cuts.len()];
                    let len = if end > start {
                        end - start
                    } else {
                        end + n - start
                    };
                    let seq: Vec<Coord<f64>> = (0..=len).map(|j| v[(start + j) % n]).collect();
                    refs.push(intern(seq, false));
                }
            }
            rings[p].push(RingRef {
                polygon: q,
                exterior,
                arcs: refs,
            });
        }
        Topology { arcs, uses, rings }
    }

    /// Number of arcs stored.
    pub fn arcs(&self) -> usize {
        self.arcs.len()
    }

    /// Number of arcs used by two rings (boundaries between neighbours).
    pub fn shared_arcs(&self) -> usize {
        self.uses.iter().filter(|&&u| u >= 2).count()
    }

    /// The polygons with every arc simplified once with tolerance `tolerance` (in the units of
    /// the coordinates), refined where simplified arcs would cross. Rings that collapse are left
    /// out, and so is a polygon whose exterior collapses.
    pub fn simplify(&self, tolerance: f64) -> Vec<MultiPolygon<f64>> {
        let simple = self.simplified_arcs(tolerance, &|c| c);
        self.assemble(&simple)
    }

    /// As [`Topology::simplify`], with every vertex snapped to the grid of cells `cell` wide
    /// whose corner is `origin` (a tile's integer coordinates) before the crossing check, so
    /// that rounding to the grid afterwards cannot make neighbours overlap.
    pub fn simplify_on_grid(
        &self,
        tolerance: f64,
        origin: Coord<f64>,
        cell: f64,
    ) -> Vec<MultiPolygon<f64>> {
        let snap = move |c: Coord<f64>| Coord {
            x: origin.x + ((c.x - origin.x) / cell).round() * cell,
            y: origin.y + ((c.y - origin.y) / cell).round() * cell,
        };
        let simple = self.simplified_arcs(tolerance, &snap);
        self.assemble(&simple)
    }

    /// The polygons as built from the arcs, unsimplified.
    pub fn polygons(&self) -> Vec<MultiPolygon<f64>> {
        self.assemble(&self.arcs)
    }

    fn simplified_arcs(
        &self,
        tolerance: f64,
        snap: &dyn Fn(Coord<f64>) -> Coord<f64>,
    ) -> Vec<Vec<Coord<f64>>> {
        let snapped = |arc: Vec<Coord<f64>>| -> Vec<Coord<f64>> {
            let mut v: Vec<Coord<f64>> = arc.into_iter().map(snap).collect();
            v.dedup();
            v
        };
        let mut tol: Vec<f64> = vec![tolerance; self.arcs.len()];
        let mut simple: Vec<Vec<Coord<f64>>> = self
            .arcs
            .iter()
            .map(|a| snapped(simplify_arc(a, tolerance)))
            .collect();
        // Refine arcs that cross another (or themselves) until none do; after a few rounds an
        // arc falls back to its full geometry, which never crosses (the input is a coverage).
        for round in 0..5 {
            let crossing = crossing_arcs(&simple);
            if crossing.is_empty() {
                break;
            }
            for a in crossing {
                tol[a] /= 4.0;
                simple[a] = snapped(if round == 4 {
                    self.arcs[a].clone()
                } else {
                    simplify_arc(&self.arcs[a], tol[a])
                });
            }
        }
        simple
    }

    fn assemble(&self, arcs: &[Vec<Coord<f64>>]) -> Vec<MultiPolygon<f64>> {
        self.rings
            .iter()
            .map(|polygon_rings| {
                let mut out: Vec<Polygon<f64>> = Vec::new();
                // A hole belongs to the member polygon of the exterior before it, and goes
                // with it when that exterior collapses or was left out.
                let mut current: Option<(usize, Polygon<f64>)> = None;
                for r in polygon_rings {
                    let ring = ring_of(arcs, &r.arcs);
                    if r.exterior {
                        if let Some((_, p)) = current.take() {
                            out.push(p);
                        }
                        current = ring.map(|ring| (r.polygon, Polygon::new(ring, vec![])));
                    } else if let (Some((member, p)), Some(ring)) = (current.as_mut(), ring)
                        && *member == r.polygon
                    {
                        p.interiors_push(ring);
                    }
                }
                if let Some((_, p)) = current {
                    out.push(p);
                }
                MultiPolygon::new(out)
            })
            .collect()
    }
}

/// A closed arc in canonical form: started at its smallest vertex, in the direction of the
/// smaller neighbour; with whether that reverses `seq`, and the canonical coordinates.
fn canonical_closed(seq: &[Coord<f64>]) -> (Vec<Key>, bool, Vec<Coord<f64>>) {
    let open = &seq[..seq.len() - 1];
    let n = open.len();
    let keys: Vec<Key> = open.iter().map(|&c| key(c)).collect();
    let start = (0..n).min_by_key(|&i| keys[i]).unwrap_or(0);
    let reversed = keys[(start + n - 1) % n] < keys[(start + 1) % n];
    let order: Vec<usize> = if reversed {
        (0..=n).map(|j| (start + n * 2 - j) % n).collect()
    } else {
        (0..=n).map(|j| (start + j) % n).collect()
    };
    (
        order.iter().map(|&i| keys[i]).collect(),
        reversed,
        order.iter().map(|&i| open[i]).collect(),
    )
}

/// A ring followed through its arcs, or `None` when it has collapsed (fewer than 3 distinct
/// vertices).
fn ring_of(arcs: &[Vec<Coord<f64>>], refs: &[(usize, bool)]) -> Option<LineString<f64>> {
    let mut v: Vec<Coord<f64>> = Vec::new();
    for &(a, reversed) in refs {
        let arc = &arcs[a];
        let pts: Box<dyn Iterator<Item = &Coord<f64>>> = if reversed {
            Box::new(arc.iter().rev())
        } else {
            Box::new(arc.iter())
        };
        for &c in pts {
            if v.last() != Some(&c) {
                v.push(c);
            }
        }
    }
    if v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    if v.len() < 3 {
        return None;
    }
    v.push(v[0]);
    Some(LineString::new(v))
}

/// Douglas–Peucker on one arc, keeping its end points; a closed arc also keeps the vertex
/// farthest from its start, so that it cannot fold onto a line at once.
fn simplify_arc(arc: &[Coord<f64>], tolerance: f64) -> Vec<Coord<f64>> {
    if arc.len() <= 2 || tolerance <= 0.0 {
        return arc.to_vec();
    }
    let n = arc.len();
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    if arc[0] == arc[n - 1] {
        let far = (1..n - 1)
            .max_by(|&a, &b| dist2(arc[0], arc[a]).total_cmp(&dist2(arc[0], arc[b])))
            .unwrap_or(1);
        keep[far] = true;
        douglas_peucker(arc, 0, far, tolerance * tolerance, &mut keep);
        douglas_peucker(arc, far, n - 1, tolerance * tolerance, &mut keep);
    } else {
        douglas_peucker(arc, 0, n - 1, tolerance * tolerance, &mut keep);
    }
    arc.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(c, _)| *c)
        .collect()
}

fn douglas_peucker(arc: &[Coord<f64>], first: usize, last: usize, tol2: f64, keep: &mut [bool]) {
    // An explicit stack: arcs of the national set have tens of thousands of vertices.
    let mut stack = vec![(first, last)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut worst, mut at) = (-1.0, a);
        for i in a + 1..b {
            let d = seg_dist2(arc[i], arc[a], arc[b]);
            if d > worst {
                worst = d;
                at = i;
            }
        }
        if worst > tol2 {
            keep[at] = true;
            stack.push((a, at));
            stack.push((at, b));
        }
    }
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

fn seg_dist2(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    dist2(
        p,
        Coord {
            x: a.x + t * dx,
            y: a.y + t * dy,
        },
    )
}

/// A segment of a simplified arc, for the crossing check.
struct Segment {
    arc: usize,
    index: usize,
    a: Coord<f64>,
    b: Coord<f64>,
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.a.x, self.a.y], [self.b.x, self.b.y])
    }
}

/// The arcs whose simplified segments cross a segment of another arc (or of themselves, other
/// than their neighbours). Touching at a shared vertex is not crossing.
fn crossing_arcs(arcs: &[Vec<Coord<f64>>]) -> Vec<usize> {
    let segments: Vec<Segment> = arcs
        .iter()
        .enumerate()
        .flat_map(|(arc, v)| {
            v.windows(2).enumerate().map(move |(index, w)| Segment {
                arc,
                index,
                a: w[0],
                b: w[1],
            })
        })
        .filter(|s| s.a != s.b)
        .collect();
    let tree = RTree::bulk_load(segments);
    let mut bad = vec![false; arcs.len()];
    for s in tree.iter() {
        for t in tree.locate_in_envelope_intersecting(&s.envelope()) {
            if (t.arc, t.index) <= (s.arc, s.index) {
                continue;
            }
            if t.arc == s.arc && t.index == s.index + 1 {
                continue;
            }
            if crosses(s.a, s.b, t.a, t.b) {
                bad[s.arc] = true;
                bad[t.arc] = true;
            }
        }
    }
    bad.iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .map(|(i, _)| i)
        .collect()
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Whether two segments meet anywhere other than at a shared end point (crossing, touching
/// inside, or overlapping collinearly).
fn crosses(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    let shared = [a, b].iter().filter(|p| **p == c || **p == d).count();
    let (d1, d2) = (orient(a, b, c), orient(a, b, d));
    let (d3, d4) = (orient(c, d, a), orient(c, d, b));
    if shared > 0 {
        // Meeting at an end point is fine unless the segments also run along each other.
        return shared == 1 && d1 == 0.0 && d2 == 0.0 && overlap_collinear(a, b, c, d);
    }
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    let on = |p: Coord<f64>, q: Coord<f64>, r: Coord<f64>| {
        r.x >= p.x.min(q.x) && r.x <= p.x.max(q.x) && r.y >= p.y.min(q.y) && r.y <= p.y.max(q.y)
    };
    (d1 == 0.0 && on(a, b, c))
        || (d2 == 0.0 && on(a, b, d))
        || (d3 == 0.0 && on(c, d, a))
        || (d4 == 0.0 && on(c, d, b))
}

/// Two collinear segments sharing one end point overlap when they leave it in the same
/// direction.
fn overlap_collinear(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    let (p, u, v) = if a == c {
        (a, b, d)
    } else if a == d {
        (a, b, c)
    } else if b == c {
        (b, a, d)
    } else {
        (b, a, c)
    };
    (u.x - p.x) * (v.x - p.x) + (u.y - p.y) * (v.y - p.y) > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    fn mp(p: Polygon<f64>) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![p])
    }

    #[test]
    fn a_hole_and_its_island_share_one_closed_arc() {
        let outer = polygon!(
            exterior: [(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
            interiors: [[(x: 4., y: 4.), (x: 4., y: 6.), (x: 6., y: 6.), (x: 6., y: 4.)]],
        );
        let island = polygon![(x: 4., y: 4.), (x: 6., y: 4.), (x: 6., y: 6.), (x: 4., y: 6.)];
        let topo = Topology::build(&[mp(outer.clone()), mp(island.clone())]);
        assert_eq!(topo.arcs(), 2);
        assert_eq!(topo.shared_arcs(), 1);
        let back = topo.polygons();
        assert!((back[0].unsigned_area() - outer.unsigned_area()).abs() < 1e-9);
        assert!((back[1].unsigned_area() - island.unsigned_area()).abs() < 1e-9);
        // Orientation is kept: the exterior stays counter-clockwise, the hole clockwise.
        assert!(back[0].0[0].exterior().is_closed());
        assert!(back[0].signed_area() > 0.0);
    }

    #[test]
    fn a_small_island_collapses_with_its_hole() {
        let outer = polygon!(
            exterior: [(x: 0., y: 0.), (x: 100., y: 0.), (x: 100., y: 100.), (x: 0., y: 100.)],
            interiors: [[(x: 40., y: 40.), (x: 40., y: 41.), (x: 41., y: 41.), (x: 41., y: 40.)]],
        );
        let island =
            polygon![(x: 40., y: 40.), (x: 41., y: 40.), (x: 41., y: 41.), (x: 40., y: 41.)];
        let topo = Topology::build(&[mp(outer), mp(island)]);
        let s = topo.simplify(5.0);
        // The closed arc keeps its start and farthest vertex only: both rings collapse alike.
        assert!(s[0].0[0].interiors().is_empty());
        assert!(s[1].0.is_empty());
    }

    #[test]
    fn simplified_arcs_never_cross() {
        // A thin polygon between two wiggly boundaries that plain simplification would cross.
        let top: Vec<(f64, f64)> = (0..=20)
            .map(|i| (i as f64, 1.0 + if i % 2 == 0 { 0.3 } else { -0.6 }))
            .collect();
        let bottom: Vec<(f64, f64)> = (0..=20)
            .map(|i| (i as f64, if i % 2 == 0 { 0.6 } else { -0.3 }))
            .collect();
        let mut thin: Vec<Coord<f64>> = bottom.iter().map(|&(x, y)| Coord { x, y }).collect();
        thin.extend(top.iter().rev().map(|&(x, y)| Coord { x, y }));
        let topo = Topology::build(&[mp(Polygon::new(LineString::new(thin), vec![]))]);
        let simple = topo.simplified_arcs(2.0, &|c| c);
        assert!(crossing_arcs(&simple).is_empty());
    }
}
