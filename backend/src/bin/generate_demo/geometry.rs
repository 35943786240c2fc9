//! The town's geometry: a Voronoi tessellation of jittered seeds with a density that falls off
//! from the centre. Seeds outside a wobbly town outline are "ghosts": their cells are dropped,
//! so the outline is the boundary between real and ghost cells and no clipping is needed.
//!
//! Every Voronoi vertex is computed once and every edge polyline once (keyed by its two end
//! vertices), then rounded to micro-degrees. Both neighbours use the very same integers, so
//! shared boundaries are exactly shared at every level (buurt, wijk, gemeente).

use crate::rng::Rng;
use std::collections::BTreeMap;

pub const CENTRE_LON: f64 = 6.66;
pub const CENTRE_LAT: f64 = 52.357;
const M_PER_DEG_LAT: f64 = 111_250.0;

/// A vertex in micro-degrees `(lon·10⁶, lat·10⁶)`: exact, so that equal means equal.
pub type V = (i64, i64);

fn m_per_deg_lon() -> f64 {
    111_320.0 * CENTRE_LAT.to_radians().cos()
}

/// Local metres (east, north of the centre) to a rounded WGS84 vertex.
pub fn to_micro(p: [f64; 2]) -> V {
    let lon = CENTRE_LON + p[0] / m_per_deg_lon();
    let lat = CENTRE_LAT + p[1] / M_PER_DEG_LAT;
    ((lon * 1e6).round() as i64, (lat * 1e6).round() as i64)
}

/// A micro-degree vertex as WGS84 degrees (the same f64 a reader gets from the text).
pub fn to_deg(v: V) -> (f64, f64) {
    (v.0 as f64 / 1e6, v.1 as f64 / 1e6)
}

/// A micro-degree vertex back to local metres.
pub fn to_metres(v: V) -> [f64; 2] {
    let (lon, lat) = to_deg(v);
    [
        (lon - CENTRE_LON) * m_per_deg_lon(),
        (lat - CENTRE_LAT) * M_PER_DEG_LAT,
    ]
}

/// Formats micro-degrees as a decimal with exactly six decimals.
pub fn fmt_micro(x: i64) -> String {
    let sign = if x < 0 { "-" } else { "" };
    let a = x.unsigned_abs();
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
}

/// One side of a Voronoi edge as seen from a cell: the polyline in the cell's
/// counter-clockwise direction, and the neighbouring cell (`None` beyond the town outline).
#[derive(Debug, Clone)]
pub struct CellEdge {
    pub poly: Vec<V>,
    pub neighbour: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Cell {
    /// The generating seed in local metres; it lies inside the cell.
    pub seed: [f64; 2],
    pub edges: Vec<CellEdge>,
}

impl Cell {
    pub fn on_outline(&self) -> bool {
        self.edges.iter().any(|e| e.neighbour.is_none())
    }

    pub fn neighbours(&self) -> Vec<usize> {
        let mut n: Vec<usize> = self.edges.iter().filter_map(|e| e.neighbour).collect();
        n.sort_unstable();
        n.dedup();
        n
    }

    /// Area in m² (approximate, from the rounded vertices).
    pub fn area_m2(&self) -> f64 {
        let ring: Vec<[f64; 2]> = self
            .edges
            .iter()
            .flat_map(|e| e.poly[..e.poly.len() - 1].iter().map(|v| to_metres(*v)))
            .collect();
        let mut a = 0.0;
        for i in 0..ring.len() {
            let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
            a += p[0] * q[1] - q[0] * p[1];
        }
        a / 2.0
    }
}

/// The wobbly town outline: radius in metres as a function of the angle.
#[derive(Debug, Clone)]
pub struct Outline {
    r0: f64,
    waves: Vec<(f64, f64, f64)>,
}

impl Outline {
    fn new(rng: &mut Rng) -> Self {
        let waves = vec![
            (2.0, 0.13, rng.range(0.0, std::f64::consts::TAU)),
            (3.0, 0.09, rng.range(0.0, std::f64::consts::TAU)),
            (5.0, 0.05, rng.range(0.0, std::f64::consts::TAU)),
        ];
        Outline { r0: 4300.0, waves }
    }

    pub fn radius(&self, theta: f64) -> f64 {
        self.r0
            * (1.0
                + self
                    .waves
                    .iter()
                    .map(|(k, a, ph)| a * (k * theta + ph).sin())
                    .sum::<f64>())
    }
}

#[derive(Debug, Clone)]
pub struct Tessellation {
    pub cells: Vec<Cell>,
    pub outline: Outline,
}

fn spacing(p: [f64; 2]) -> f64 {
    275.0 + 0.195 * p[0].hypot(p[1])
}

/// Jittered seeds by variable-radius dart throwing; returns (seeds, is_real).
fn seeds(rng: &mut Rng, outline: &Outline) -> (Vec<[f64; 2]>, Vec<bool>) {
    const BAND: f64 = 3000.0;
    let half = 4300.0 * 1.3 + BAND;
    let mut pts: Vec<[f64; 2]> = Vec::new();
    // The centre seed first, so that the centre cell sits on the town centre.
    pts.push([rng.range(-40.0, 40.0), rng.range(-40.0, 40.0)]);
    for _ in 0..40_000 {
        let p = [rng.range(-half, half), rng.range(-half, half)];
        let theta = p[1].atan2(p[0]);
        if p[0].hypot(p[1]) > outline.radius(theta) + BAND {
            continue;
        }
        let sp = spacing(p);
        if pts
            .iter()
            .all(|q| (p[0] - q[0]).hypot(p[1] - q[1]) >= 0.5 * (sp + spacing(*q)))
        {
            pts.push(p);
        }
    }
    let real = pts
        .iter()
        .map(|p| p[0].hypot(p[1]) < outline.radius(p[1].atan2(p[0])))
        .collect();
    (pts, real)
}

#[derive(Debug, Clone, Copy)]
struct Tri {
    v: [usize; 3],
    cc: [f64; 2],
    r2: f64,
}

fn tri(pts: &[[f64; 2]], a: usize, b: usize, c: usize) -> Tri {
    let (pa, pb, pc) = (pts[a], pts[b], pts[c]);
    let d = 2.0 * (pa[0] * (pb[1] - pc[1]) + pb[0] * (pc[1] - pa[1]) + pc[0] * (pa[1] - pb[1]));
    let sq = |p: [f64; 2]| p[0] * p[0] + p[1] * p[1];
    let ux = (sq(pa) * (pb[1] - pc[1]) + sq(pb) * (pc[1] - pa[1]) + sq(pc) * (pa[1] - pb[1])) / d;
    let uy = (sq(pa) * (pc[0] - pb[0]) + sq(pb) * (pa[0] - pc[0]) + sq(pc) * (pb[0] - pa[0])) / d;
    let r2 = (pa[0] - ux).powi(2) + (pa[1] - uy).powi(2);
    Tri {
        v: [a, b, c],
        cc: [ux, uy],
        r2,
    }
}

/// Bowyer–Watson Delaunay triangulation; triangles counter-clockwise, super-triangle removed.
fn delaunay(points: &[[f64; 2]]) -> Vec<Tri> {
    let n = points.len();
    let mut pts = points.to_vec();
    let big = 1.0e6;
    pts.push([-3.0 * big, -3.0 * big]);
    pts.push([3.0 * big, -3.0 * big]);
    pts.push([0.0, 3.0 * big]);
    let mut tris = vec![tri(&pts, n, n + 1, n + 2)];
    for i in 0..n {
        let p = pts[i];
        let (bad, good): (Vec<Tri>, Vec<Tri>) = tris
            .into_iter()
            .partition(|t| (p[0] - t.cc[0]).powi(2) + (p[1] - t.cc[1]).powi(2) < t.r2);
        let edges: Vec<(usize, usize)> = bad
            .iter()
            .flat_map(|t| [(t.v[0], t.v[1]), (t.v[1], t.v[2]), (t.v[2], t.v[0])])
            .collect();
        tris = good;
        for &(a, b) in &edges {
            if !edges.contains(&(b, a)) {
                tris.push(tri(&pts, a, b, i));
            }
        }
    }
    tris.retain(|t| t.v.iter().all(|&v| v < n));
    tris
}

/// Midpoint displacement between `a` and `b` (both included).
fn wiggle(a: [f64; 2], b: [f64; 2], levels: u32, amp: f64, rng: &mut Rng, out: &mut Vec<[f64; 2]>) {
    if levels == 0 {
        out.push(b);
        return;
    }
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let off = rng.range(-amp, amp);
    let m = [
        (a[0] + b[0]) / 2.0 - dy * off,
        (a[1] + b[1]) / 2.0 + dx * off,
    ];
    wiggle(a, m, levels - 1, amp, rng, out);
    wiggle(m, b, levels - 1, amp, rng, out);
}

/// Builds the tessellation for one attempt; `None` when the attempt has degenerate edges.
pub fn tessellate(seed: u64, attempt: u64) -> Option<Tessellation> {
    let mut rng = Rng::from_parts(&[seed, attempt, 1]);
    let outline = Outline::new(&mut rng);
    let (pts, real) = seeds(&mut rng, &outline);
    let tris = delaunay(&pts);
    // Triangles around each seed, keyed by the vertex that follows the seed (CCW).
    let mut star: Vec<BTreeMap<usize, (usize, usize)>> = vec![BTreeMap::new(); pts.len()];
    for (ti, t) in tris.iter().enumerate() {
        for k in 0..3 {
            let (s, a, b) = (t.v[k], t.v[(k + 1) % 3], t.v[(k + 2) % 3]);
            star[s].insert(a, (ti, b));
        }
    }
    let cell_of: Vec<Option<usize>> = {
        let mut next = 0;
        real.iter()
            .map(|&r| {
                r.then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    };
    let mut polylines: BTreeMap<(usize, usize), Vec<V>> = BTreeMap::new();
    let mut cells = Vec::new();
    for s in 0..pts.len() {
        if !real[s] {
            continue;
        }
        let st = &star[s];
        let (&first_a, _) = st.iter().next()?;
        // Walk the triangles around s counter-clockwise: (s,a,b) is followed by (s,b,c).
        let mut order: Vec<(usize, usize)> = Vec::new(); // (triangle, vertex shared with the next one)
        let mut a = first_a;
        loop {
            let &(ti, b) = st.get(&a)?;
            order.push((ti, b));
            a = b;
            if a == first_a {
                break;
            }
            if order.len() > st.len() {
                return None;
            }
        }
        if order.len() != st.len() {
            return None;
        }
        let mut edges = Vec::new();
        for k in 0..order.len() {
            let (t1, nb) = order[k];
            let t2 = order[(k + 1) % order.len()].0;
            let key = (t1.min(t2), t1.max(t2));
            if let std::collections::btree_map::Entry::Vacant(slot) = polylines.entry(key) {
                let (p, q) = (tris[key.0].cc, tris[key.1].cc);
                let len = (p[0] - q[0]).hypot(p[1] - q[1]);
                if len < 5.0 {
                    return None;
                }
                let outer = !real[nb];
                let levels = match len {
                    l if l < 160.0 => 0,
                    l if l < 500.0 => 1,
                    _ => 2,
                } + u32::from(outer && len > 300.0);
                let amp = if outer { 0.10 } else { 0.06 };
                let mut erng =
                    Rng::from_parts(&[seed, attempt, 2, s.min(nb) as u64, s.max(nb) as u64]);
                let mut line = vec![p];
                wiggle(p, q, levels, amp, &mut erng, &mut line);
                let mut micro: Vec<V> = line.into_iter().map(to_micro).collect();
                micro.dedup();
                slot.insert(micro);
            }
            let mut poly = polylines[&key].clone();
            if key.0 != t1 {
                poly.reverse();
            }
            edges.push(CellEdge {
                poly,
                neighbour: cell_of[nb],
            });
        }
        cells.push(Cell {
            seed: pts[s],
            edges,
        });
    }
    Some(Tessellation { cells, outline })
}

/// A polygon as rings of vertices (closed: first == last); the first ring is the exterior.
pub type Rings = Vec<Vec<V>>;

fn signed_area2(ring: &[V]) -> i128 {
    ring.windows(2)
        .map(|w| w[0].0 as i128 * w[1].1 as i128 - w[1].0 as i128 * w[0].1 as i128)
        .sum()
}

/// Whether `p` lies inside the closed ring (ray casting; `p` is never on the ring here).
pub fn ring_contains(ring: &[V], p: (f64, f64)) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (to_deg(w[0]), to_deg(w[1]));
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) + a.0 {
            inside = !inside;
        }
    }
    inside
}

/// The boundary of a set of cells as polygons (exterior CCW, holes CW), largest first.
/// `None` if the boundary cannot be chained uniquely (a vertex touched twice).
pub fn region(cells: &[Cell], member: &dyn Fn(usize) -> bool) -> Option<Vec<Rings>> {
    let mut lines: Vec<&Vec<V>> = Vec::new();
    for (ci, c) in cells.iter().enumerate() {
        if !member(ci) {
            continue;
        }
        for e in &c.edges {
            if e.neighbour.is_none_or(|n| !member(n)) {
                lines.push(&e.poly);
            }
        }
    }
    let mut by_start: BTreeMap<V, usize> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if by_start.insert(l[0], i).is_some() {
            return None;
        }
    }
    let mut used = vec![false; lines.len()];
    let mut rings: Vec<Vec<V>> = Vec::new();
    for start in 0..lines.len() {
        if used[start] {
            continue;
        }
        let mut ring: Vec<V> = vec![lines[start][0]];
        let mut i = start;
        loop {
            used[i] = true;
            ring.extend_from_slice(&lines[i][1..]);
            let end = *ring.last()?;
            if end == ring[0] {
                break;
            }
            i = *by_start.get(&end)?;
            if used[i] {
                return None;
            }
        }
        rings.push(ring);
    }
    let (mut outer, holes): (Vec<Vec<V>>, Vec<Vec<V>>) =
        rings.into_iter().partition(|r| signed_area2(r) > 0);
    outer.sort_by_key(|r| std::cmp::Reverse(signed_area2(r)));
    let mut polys: Vec<Rings> = outer.into_iter().map(|r| vec![r]).collect();
    for h in holes {
        let p = to_deg(h[0]);
        let host = polys
            .iter_mut()
            .rev()
            .find(|poly| ring_contains(&poly[0], p))?;
        host.push(h);
    }
    Some(polys)
}

/// The region as a `geo` multipolygon (for validation and point-in-polygon tests).
pub fn to_geo(polys: &[Rings]) -> geo::MultiPolygon<f64> {
    let ls = |r: &Vec<V>| geo::LineString::from(r.iter().map(|v| to_deg(*v)).collect::<Vec<_>>());
    geo::MultiPolygon::new(
        polys
            .iter()
            .map(|p| geo::Polygon::new(ls(&p[0]), p[1..].iter().map(ls).collect()))
            .collect(),
    )
}
