//! The area index: which polygon of an area set contains a point, for millions of points.
//!
//! Built once per area set and shared read-only between threads and requests. A joined point
//! in file order lands anywhere in the country, so the cost is dominated by cache misses, not
//! arithmetic. The index therefore answers most points with a single memory read:
//!
//! * a uniform **grid** of about one cell per vertex stores, per cell, either "no polygon",
//!   "inside polygon k" (the cell touches no edge and lies inside exactly one polygon), or a
//!   short list of candidate polygons;
//! * each candidate carries a **cell record**: the few edges that pass near the cell, tested
//!   exactly ([`super::pip`]), and the heights at which edges wholly to the right of the cell
//!   start or end, which decide the rest of the crossing count without reading those edges.
//!
//! The build holds each vertex once: polygons are flattened into one array, worker threads
//! prepare the cells of each polygon, and two passes in polygon order lay the candidate lists
//! out in place. On 14,000 polygons of 180 vertices the whole index is about 75 MB.
//!
//! A cell is only called interior when no edge comes within a small margin of it, so the grid
//! never changes an answer: [`AreaIndex::locate`] returns exactly what the crossing rule of
//! [`super::pip`] says, including for points on shared edges. Where polygons overlap, the one
//! with the **lowest index** wins. An `rstar` R-tree over the polygon envelopes answers the same
//! question without the grid ([`AreaIndex::locate_by_tree`]) and serves envelope queries.
//!
//! ```
//! use geo::{coord, polygon, MultiPolygon};
//! use wijkveilig::spatial::index::AreaIndex;
//!
//! let square = |x0: f64| MultiPolygon::new(vec![polygon![
//!     (x: x0, y: 0.), (x: x0 + 1., y: 0.), (x: x0 + 1., y: 1.), (x: x0, y: 1.)]]);
//! let index = AreaIndex::build(&[square(0.0), square(1.0)]);
//! assert_eq!(index.locate(coord! { x: 0.5, y: 0.5 }), Some(0));
//! assert_eq!(index.locate(coord! { x: 1.0, y: 0.5 }), Some(1)); // shared edge: the right one
//! assert_eq!(index.locate(coord! { x: 3.0, y: 0.5 }), None);
//! ```

use geo::{Coord, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::pip::crosses;

const EMPTY: u32 = u32::MAX;
const MIXED: u32 = 1 << 31;

type Envelope = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A uniform grid; `col`/`row` are the only mapping from coordinates to cells, used both to
/// rasterise edges and to look points up, so the two always agree.
#[derive(Debug, Clone)]
struct Grid {
    x0: f64,
    y0: f64,
    cw: f64,
    ch: f64,
    inv_w: f64,
    inv_h: f64,
    nx: usize,
    ny: usize,
}

impl Grid {
    #[inline(always)]
    fn cell_of(&self, p: Coord<f64>) -> Option<usize> {
        let fx = (p.x - self.x0) * self.inv_w;
        let fy = (p.y - self.y0) * self.inv_h;
        // Written so NaN fails the test.
        if fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64 {
            Some(fy as usize * self.nx + fx as usize)
        } else {
            None
        }
    }

    fn col(&self, x: f64) -> usize {
        (((x - self.x0) * self.inv_w).max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.y0) * self.inv_h).max(0.0) as usize).min(self.ny - 1)
    }
}

/// A hint to load the cache line holding `r`; no effect on results.
#[inline(always)]
fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; it never faults, even on an invalid address.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            r as *const T as *const i8,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

/// Per polygon: its bounding box and where its rings sit in `AreaIndex::verts`.
#[derive(Debug, Clone)]
struct PolyExtent {
    min: Coord<f64>,
    max: Coord<f64>,
    first_vert: u32,
    end_vert: u32,
}

impl PolyExtent {
    fn vertex_range(&self) -> std::ops::Range<usize> {
        self.first_vert as usize..self.end_vert as usize
    }
}

/// Finds the polygon containing a point; see the module docs for the rule.
#[derive(Debug)]
pub struct AreaIndex {
    len: usize,
    tree: RTree<Envelope>,
    grid: Grid,
    /// `EMPTY`, a polygon index, or `MIXED | o` for the candidate list at `arena[o]`.
    cells: Vec<u32>,
    /// Candidate lists: a count, then per candidate (ascending by polygon) a header word
    /// (see [`item_header`]) followed by its runs of edges and its toggle heights.
    arena: Vec<u64>,
    polys: Vec<PolyExtent>,
    /// All rings of all polygons, each closed and ended by a NaN sentinel, one after the
    /// other. Edge `i` is `verts[i]`–`verts[i + 1]`.
    verts: Vec<Coord<f64>>,
}

/// The grid cells of one polygon, prepared on a worker thread and merged in polygon order.
#[derive(Default)]
struct Prepared {
    /// Grid cells an edge passes through or near.
    touched: Vec<u32>,
    /// Runs `(first cell, length)` of grid cells wholly inside the polygon.
    inside_runs: Vec<(u32, u32)>,
    /// Per touched cell, where its record starts in `items`.
    touched_items: Vec<u32>,
    /// Cell records: a header word, runs (vertex index, edge count), toggle heights.
    items: Vec<u64>,
}

const WHOLE: u64 = 1 << 32;
const BASE: u64 = 1 << 33;
const FALLBACK: u64 = 1 << 34;
const COUNT_MAX: usize = (1 << 14) - 1;

/// The header word of a candidate: polygon `k`, flags, and how many run and toggle words follow.
fn item_header(k: u32, flags: u64, runs: usize, toggles: usize) -> u64 {
    k as u64 | flags | (runs as u64) << 35 | (toggles as u64) << 49
}

#[inline(always)]
fn header_runs(h: u64) -> usize {
    ((h >> 35) as usize) & COUNT_MAX
}

#[inline(always)]
fn header_toggles(h: u64) -> usize {
    ((h >> 49) as usize) & COUNT_MAX
}

/// Words a candidate takes in the arena, header included.
fn record_words(head: u64) -> u32 {
    if head & (WHOLE | FALLBACK) != 0 {
        1
    } else {
        (1 + header_runs(head) + header_toggles(head)) as u32
    }
}

/// Appends every ring of `mp`, closed and ended by a NaN sentinel (so the edge into the next
/// ring never counts), and returns the bounding box of its finite coordinates.
fn flatten_into(mp: &MultiPolygon<f64>, verts: &mut Vec<Coord<f64>>) -> (Coord<f64>, Coord<f64>) {
    let mut min = Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut max = Coord {
        x: f64::NEG_INFINITY,
        y: f64::NEG_INFINITY,
    };
    for ring in
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
    {
        let r = &ring.0;
        if r.len() < 2 {
            continue;
        }
        for c in r.iter().filter(|c| c.x.is_finite() && c.y.is_finite()) {
            min = Coord {
                x: min.x.min(c.x),
                y: min.y.min(c.y),
            };
            max = Coord {
                x: max.x.max(c.x),
                y: max.y.max(c.y),
            };
        }
        verts.extend_from_slice(r);
        if r[0] != r[r.len() - 1] {
            verts.push(r[0]);
        }
        verts.push(Coord {
            x: f64::NAN,
            y: f64::NAN,
        });
    }
    (min, max)
}

/// The edges of the polygon whose vertices are `verts[range]`, with their global index.
fn edges_of(
    verts: &[Coord<f64>],
    range: std::ops::Range<usize>,
) -> impl Iterator<Item = (usize, Coord<f64>, Coord<f64>)> + '_ {
    let first = range.start;
    verts[range]
        .windows(2)
        .enumerate()
        .filter(|(_, w)| !(w[0].x.is_nan() || w[1].x.is_nan()))
        .map(move |(i, w)| (first + i, w[0], w[1]))
}

fn prepare(verts: &[Coord<f64>], poly: &PolyExtent, grid: &Grid, eps: f64) -> Prepared {
    let range = poly.vertex_range();
    let (min, max) = (poly.min, poly.max);
    if edges_of(verts, range.clone()).next().is_none() {
        return Prepared::default();
    }
    let mut prepared = Prepared::default();

    // Rasterise every edge conservatively: mark each cell any point within `eps` of it maps to.
    let (c0, c1) = (grid.col(min.x - eps), grid.col(max.x + eps));
    let (r0, r1) = (grid.row(min.y - eps), grid.row(max.y + eps));
    let w = c1 - c0 + 1;
    let mut marked = vec![false; w * (r1 - r0 + 1)];
    for (_, a, b) in edges_of(verts, range.clone()) {
        let (ylo, yhi) = (a.y.min(b.y), a.y.max(b.y));
        for r in grid.row(ylo - eps).max(r0)..=grid.row(yhi + eps).min(r1) {
            let band_lo = grid.y0 + r as f64 * grid.ch - 2.0 * eps;
            let band_hi = grid.y0 + (r + 1) as f64 * grid.ch + 2.0 * eps;
            let dy = b.y - a.y;
            let (xa, xb) = if dy.abs() <= eps {
                (a.x.min(b.x), a.x.max(b.x))
            } else {
                let t0 = ((band_lo - a.y) / dy).clamp(0.0, 1.0);
                let t1 = ((band_hi - a.y) / dy).clamp(0.0, 1.0);
                let (u, v) = (a.x + t0 * (b.x - a.x), a.x + t1 * (b.x - a.x));
                (u.min(v), u.max(v))
            };
            let row = (r - r0) * w;
            for c in grid.col(xa - eps).max(c0)..=grid.col(xb + eps).min(c1) {
                marked[row + c - c0] = true;
            }
        }
    }
    let rows = RowEdges::new(verts, range, grid, (r0, r1), 4.0 * eps);

    // A run of unmarked cells is wholly inside or wholly outside: no edge comes near it. Its
    // centre row's crossings (sorted) decide it, by the same rule as `crosses`.
    let mut xs: Vec<f64> = Vec::new();
    for r in r0..=r1 {
        let row = &marked[(r - r0) * w..(r - r0 + 1) * w];
        let y = grid.y0 + (r as f64 + 0.5) * grid.ch;
        let mut crossings_ready = false;
        let mut c = 0;
        while c < w {
            if row[c] {
                prepared.touched.push(((r * grid.nx) + c0 + c) as u32);
                c += 1;
                continue;
            }
            let start = c;
            while c < w && !row[c] {
                c += 1;
            }
            if !crossings_ready {
                xs.clear();
                for &e in rows.of(r) {
                    let (a, b) = (verts[e as usize], verts[e as usize + 1]);
                    if (a.y > y) != (b.y > y) {
                        let (lo, hi) = if a.y < b.y { (a, b) } else { (b, a) };
                        xs.push(lo.x + (y - lo.y) * (hi.x - lo.x) / (hi.y - lo.y));
                    }
                }
                xs.sort_unstable_by(f64::total_cmp);
                crossings_ready = true;
            }
            let x = grid.x0 + ((c0 + start) as f64 + 0.5) * grid.cw;
            let right_of_x = xs.len() - xs.partition_point(|&cx| cx <= x);
            if right_of_x % 2 == 1 {
                prepared
                    .inside_runs
                    .push(((r * grid.nx + c0 + start) as u32, (c - start) as u32));
            }
        }
    }
    cell_records(&mut prepared, verts, &rows, grid, 4.0 * eps);
    prepared
}

/// Per grid row of one polygon, the edges (by global index) that come within a margin of it.
struct RowEdges {
    r0: usize,
    start: Vec<u32>,
    edges: Vec<u32>,
}

impl RowEdges {
    fn new(
        verts: &[Coord<f64>],
        range: std::ops::Range<usize>,
        grid: &Grid,
        (r0, r1): (usize, usize),
        margin: f64,
    ) -> RowEdges {
        let n_rows = r1 - r0 + 1;
        let sloped = || edges_of(verts, range.clone()).filter(|(_, a, b)| a.y != b.y);
        let rows_of = |a: Coord<f64>, b: Coord<f64>| {
            let (ylo, yhi) = (a.y.min(b.y), a.y.max(b.y));
            grid.row(ylo - margin).max(r0)..=grid.row(yhi + margin).min(r1)
        };
        let mut start = vec![0u32; n_rows + 1];
        for (_, a, b) in sloped() {
            for r in rows_of(a, b) {
                start[r - r0 + 1] += 1;
            }
        }
        for r in 0..n_rows {
            start[r + 1] += start[r];
        }
        let mut fill = start.clone();
        let mut edges = vec![0u32; start[n_rows] as usize];
        for (i, a, b) in sloped() {
            for r in rows_of(a, b) {
                edges[fill[r - r0] as usize] = i as u32;
                fill[r - r0] += 1;
            }
        }
        RowEdges { r0, start, edges }
    }

    fn of(&self, r: usize) -> &[u32] {
        &self.edges[self.start[r - self.r0] as usize..self.start[r - self.r0 + 1] as usize]
    }
}

/// For every touched cell, the record that decides the crossing rule for any point of that
/// cell from a few edges only.
///
/// The ray from `p` to +x crosses an edge only where the edge spans `p.y`. Within the cell's
/// row band an edge is either wholly left of the cell (never crosses), wholly right of it
/// (crosses exactly when it spans `p.y`, i.e. `[lo.y <= p.y] ^ [hi.y <= p.y]`), or near the
/// cell (tested exactly with [`crosses`]). The wholly-right edges reduce to a parity at the
/// bottom of the cell and the endpoint heights inside the band ("toggles"), so the record
/// gives exactly the same answer as the full crossing count.
fn cell_records(
    prepared: &mut Prepared,
    verts: &[Coord<f64>],
    rows: &RowEdges,
    grid: &Grid,
    m: f64,
) {
    let mut exact: Vec<u32> = Vec::new();
    let mut toggles: Vec<f64> = Vec::new();
    let mut items = Vec::with_capacity(prepared.touched.len() * 3);
    let mut touched_items = Vec::with_capacity(prepared.touched.len());
    for &cell in &prepared.touched {
        let (r, c) = (cell as usize / grid.nx, cell as usize % grid.nx);
        let (x0c, x1c) = (
            grid.x0 + c as f64 * grid.cw,
            grid.x0 + (c + 1) as f64 * grid.cw,
        );
        let (y0c, y1c) = (
            grid.y0 + r as f64 * grid.ch,
            grid.y0 + (r + 1) as f64 * grid.ch,
        );
        exact.clear();
        toggles.clear();
        let mut base = false;
        for &e in rows.of(r) {
            let (a, b) = (verts[e as usize], verts[e as usize + 1]);
            if a.x.max(b.x) < x0c - m {
                continue;
            }
            if a.x.min(b.x) > x1c + m {
                for v in [a.y, b.y] {
                    if v < y0c - m {
                        base = !base;
                    } else if v <= y1c + m {
                        toggles.push(v);
                    }
                }
            } else {
                exact.push(e);
            }
        }
        toggles.sort_unstable_by(f64::total_cmp);
        // Equal heights toggle twice: drop both.
        let mut kept = 0;
        let mut i = 0;
        while i < toggles.len() {
            if i + 1 < toggles.len() && toggles[i] == toggles[i + 1] {
                i += 2;
            } else {
                toggles[kept] = toggles[i];
                kept += 1;
                i += 1;
            }
        }
        toggles.truncate(kept);
        touched_items.push(items.len() as u32);
        let head = items.len();
        items.push(0);
        let mut runs = 0;
        let mut i = 0;
        while i < exact.len() {
            let first = exact[i];
            let mut n = 1;
            while i + n < exact.len() && exact[i + n] == first + n as u32 {
                n += 1;
            }
            items.push(first as u64 | (n as u64) << 32);
            runs += 1;
            i += n;
        }
        items.extend(toggles.iter().map(|t| t.to_bits()));
        if runs > COUNT_MAX || toggles.len() > COUNT_MAX {
            items.truncate(head + 1);
            items[head] = item_header(0, FALLBACK, 0, 0);
        } else {
            let flags = if base { BASE } else { 0 };
            items[head] = item_header(0, flags, runs, toggles.len());
        }
    }
    prepared.items = items;
    prepared.touched_items = touched_items;
}

impl AreaIndex {
    /// Builds the index. Coordinates are treated as planar (WGS84 lon/lat in practice).
    pub fn build(polygons: &[MultiPolygon<f64>]) -> AreaIndex {
        Self::build_with_cells(polygons, None)
    }

    /// As [`AreaIndex::build`], taking the polygons so their memory is free again before the
    /// grid is built (the join of a national file holds no second copy of every vertex).
    pub fn build_owned(polygons: Vec<MultiPolygon<f64>>) -> AreaIndex {
        let (verts, polys) = flatten_all(&polygons);
        drop(polygons);
        Self::from_flat(verts, polys, None)
    }

    /// As [`AreaIndex::build`], with a chosen number of grid cells (tests use a coarse grid to
    /// exercise the exact path; default about one cell per vertex).
    pub fn build_with_cells(polygons: &[MultiPolygon<f64>], cells: Option<usize>) -> AreaIndex {
        let (verts, polys) = flatten_all(polygons);
        Self::from_flat(verts, polys, cells)
    }

    fn from_flat(
        verts: Vec<Coord<f64>>,
        polys: Vec<PolyExtent>,
        cells: Option<usize>,
    ) -> AreaIndex {
        assert!(
            polys.len() < (MIXED - 1) as usize && verts.len() < u32::MAX as usize,
            "too many polygons or vertices for one index"
        );
        let mut min = Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        };
        let mut max = Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        };
        let mut envelopes = Vec::with_capacity(polys.len());
        for (i, p) in polys.iter().enumerate() {
            if p.min.x <= p.max.x {
                envelopes.push(Envelope::new(
                    Rectangle::from_corners([p.min.x, p.min.y], [p.max.x, p.max.y]),
                    i,
                ));
                min = Coord {
                    x: min.x.min(p.min.x),
                    y: min.y.min(p.min.y),
                };
                max = Coord {
                    x: max.x.max(p.max.x),
                    y: max.y.max(p.max.y),
                };
            }
        }
        if envelopes.is_empty() {
            min = Coord { x: 0.0, y: 0.0 };
            max = Coord { x: 1.0, y: 1.0 };
        }
        let tree = RTree::bulk_load(envelopes);

        // About one cell per vertex: finer grids answer a few more points from the cell alone
        // but cost more to build and hold than they save (measured on 14,000 polygons).
        let target = cells.unwrap_or(verts.len()).clamp(16, 1 << 26) as f64;
        let span = (max.x - min.x).max(max.y - min.y).max(1e-9);
        let (w, h) = (
            (max.x - min.x).max(span * 1e-6),
            (max.y - min.y).max(span * 1e-6),
        );
        let size = (w * h / target).sqrt();
        // One spare column and row, so points on the far edges still map to a cell.
        let nx = ((w / size) as usize + 1).max(1);
        let ny = ((h / size) as usize + 1).max(1);
        let grid = Grid {
            x0: min.x,
            y0: min.y,
            cw: size,
            ch: size,
            inv_w: 1.0 / size,
            inv_h: 1.0 / size,
            nx,
            ny,
        };
        // Far larger than rounding in `col`/`row`, far smaller than any real feature.
        let magnitude = min
            .x
            .abs()
            .max(min.y.abs())
            .max(max.x.abs())
            .max(max.y.abs());
        let eps = size * 1e-6 + magnitude * 1e-12;

        let prepared = prepare_all(&verts, &polys, &grid, eps);
        let (cells, arena) = merge(&prepared, nx * ny);
        AreaIndex {
            len: polys.len(),
            tree,
            grid,
            cells,
            arena,
            polys,
            verts,
        }
    }
}

fn flatten_all(polygons: &[MultiPolygon<f64>]) -> (Vec<Coord<f64>>, Vec<PolyExtent>) {
    // Sized exactly: growing by doubling would briefly hold two copies of every vertex.
    let n: usize = polygons
        .iter()
        .flat_map(|mp| &mp.0)
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .filter(|r| r.0.len() >= 2)
        .map(|r| r.0.len() + 2)
        .sum();
    let mut verts = Vec::with_capacity(n);
    let polys = polygons
        .iter()
        .map(|mp| {
            let first_vert = verts.len() as u32;
            let (min, max) = flatten_into(mp, &mut verts);
            PolyExtent {
                min,
                max,
                first_vert,
                end_vert: verts.len() as u32,
            }
        })
        .collect();
    (verts, polys)
}

/// Lays the prepared cells of all polygons out as the grid and its candidate lists.
///
/// Two passes in polygon order, so every list comes out ascending by polygon: the first
/// decides which cells need a list and how many words each takes, the second writes the
/// lists in place. Nothing is sorted and no record is held twice.
fn merge(prepared: &[Prepared], n_cells: usize) -> (Vec<u32>, Vec<u64>) {
    let mut cells = vec![EMPTY; n_cells];
    // Words per list (count word included); after the prefix sum, where each list starts.
    let mut list_words: Vec<u32> = Vec::new();
    let mut add = |cells: &mut [u32], cell: usize, words: u32| {
        let v = cells[cell];
        if v == EMPTY {
            cells[cell] = MIXED | list_words.len() as u32;
            list_words.push(1 + words);
        } else if v & MIXED == 0 {
            // A cell wholly inside an earlier polygon: that polygon becomes the first candidate.
            cells[cell] = MIXED | list_words.len() as u32;
            list_words.push(2 + words);
        } else {
            list_words[(v & !MIXED) as usize] += words;
        }
    };
    for (k, p) in prepared.iter().enumerate() {
        for &(start, len) in &p.inside_runs {
            for cell in start as usize..(start + len) as usize {
                if cells[cell] == EMPTY {
                    cells[cell] = k as u32;
                } else {
                    add(&mut cells, cell, 1);
                }
            }
        }
        for (&cell, &off) in p.touched.iter().zip(&p.touched_items) {
            add(
                &mut cells,
                cell as usize,
                record_words(p.items[off as usize]),
            );
        }
    }
    let mut total = 0u64;
    for w in list_words.iter_mut() {
        let words = *w as u64;
        *w = total as u32;
        total += words;
        assert!(total < (MIXED - 1) as u64, "index too large");
    }
    let list_start = list_words;
    let mut cursor: Vec<u32> = list_start.iter().map(|s| s + 1).collect();
    let mut arena = vec![0u64; total as usize];
    let mut push = |m: usize, words: &[u64], k: u32| {
        arena[list_start[m] as usize] += 1;
        let at = cursor[m] as usize;
        arena[at] = words[0] | k as u64;
        arena[at + 1..at + words.len()].copy_from_slice(&words[1..]);
        cursor[m] += words.len() as u32;
    };
    for (k, p) in prepared.iter().enumerate() {
        let whole = [item_header(0, WHOLE, 0, 0)];
        for &(start, len) in &p.inside_runs {
            for &v in &cells[start as usize..(start + len) as usize] {
                if v & MIXED != 0 {
                    push((v & !MIXED) as usize, &whole, k as u32);
                }
            }
        }
        for (&cell, &off) in p.touched.iter().zip(&p.touched_items) {
            let off = off as usize;
            let words = record_words(p.items[off]) as usize;
            let m = (cells[cell as usize] & !MIXED) as usize;
            push(m, &p.items[off..off + words], k as u32);
        }
    }
    for v in cells.iter_mut() {
        if *v != EMPTY && *v & MIXED != 0 {
            *v = MIXED | list_start[(*v & !MIXED) as usize];
        }
    }
    (cells, arena)
}

impl AreaIndex {
    /// Number of polygons the index was built from.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes held by the grid, the candidate lists, the vertices and the envelopes.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.cells.capacity() * size_of::<u32>()
            + self.arena.capacity() * size_of::<u64>()
            + self.verts.capacity() * size_of::<Coord<f64>>()
            + self.polys.capacity() * size_of::<PolyExtent>()
            + self.tree.size() * size_of::<Envelope>()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The index (into the slice given to [`AreaIndex::build`]) of the polygon containing `p`
    /// under the half-open rule of [`super::pip`]; the lowest index where polygons overlap.
    #[inline]
    pub fn locate(&self, p: Coord<f64>) -> Option<usize> {
        let v = self.cells[self.grid.cell_of(p)?];
        self.resolve(v, p)
    }

    /// Counts a batch of points into `counts` (by polygon) and `outside`. The same answers as
    /// [`AreaIndex::locate`], with the memory reads of all points of a batch issued together
    /// (prefetched a stage ahead), since points in file order miss the cache on every read.
    pub fn count_points(&self, points: &[Coord<f64>], counts: &mut [u64], outside: &mut u64) {
        const CHUNK: usize = 64;
        let mut vals = [EMPTY; CHUNK];
        for chunk in points.chunks(CHUNK) {
            let vals = &mut vals[..chunk.len()];
            for (v, &p) in vals.iter_mut().zip(chunk) {
                *v = match self.grid.cell_of(p) {
                    Some(c) => {
                        prefetch(&self.cells[c]);
                        c as u32
                    }
                    None => EMPTY,
                };
            }
            for v in vals.iter_mut() {
                if *v != EMPTY {
                    *v = self.cells[*v as usize];
                    if *v & MIXED != 0 && *v != EMPTY {
                        prefetch(&self.arena[(*v & !MIXED) as usize + 1]);
                    }
                }
            }
            for &v in vals.iter() {
                if v & MIXED != 0 && v != EMPTY {
                    let at = (v & !MIXED) as usize;
                    let head = self.arena[at + 1];
                    if head & (WHOLE | FALLBACK) == 0 && header_runs(head) > 0 {
                        prefetch(&self.verts[self.arena[at + 2] as u32 as usize]);
                    }
                }
            }
            for (&v, &p) in vals.iter().zip(chunk) {
                match self.resolve(v, p) {
                    Some(k) => counts[k] += 1,
                    None => *outside += 1,
                }
            }
        }
    }

    /// The answer for `p` from the value of its cell.
    #[inline(always)]
    fn resolve(&self, v: u32, p: Coord<f64>) -> Option<usize> {
        if v & MIXED == 0 {
            return Some(v as usize);
        }
        if v == EMPTY {
            return None;
        }
        let mut at = (v & !MIXED) as usize;
        let n = self.arena[at];
        at += 1;
        for _ in 0..n {
            let head = self.arena[at];
            at += 1;
            let k = head as u32 as usize;
            if head & WHOLE != 0 {
                return Some(k);
            }
            if head & FALLBACK != 0 {
                if self.contains(k, p) {
                    return Some(k);
                }
                continue;
            }
            let (runs, toggles) = (header_runs(head), header_toggles(head));
            let mut inside = head & BASE != 0;
            for &run in &self.arena[at..at + runs] {
                let first = run as u32 as usize;
                let edges = (run >> 32) as usize;
                for w in self.verts[first..first + edges + 1].windows(2) {
                    inside ^= crosses(w[0], w[1], p);
                }
            }
            at += runs;
            for &t in &self.arena[at..at + toggles] {
                inside ^= f64::from_bits(t) <= p.y;
            }
            at += toggles;
            if inside {
                return Some(k);
            }
        }
        None
    }

    /// The same answer as [`AreaIndex::locate`], found through the R-tree instead of the
    /// grid. Slower; kept as an independent check and for callers without a grid.
    pub fn locate_by_tree(&self, p: Coord<f64>) -> Option<usize> {
        self.tree
            .locate_all_at_point(&[p.x, p.y])
            .map(|e| e.data)
            .filter(|&k| self.contains(k, p))
            .min()
    }

    /// Indices of the polygons whose bounding box meets the given box, in no particular order.
    pub fn candidates_in(
        &self,
        min: Coord<f64>,
        max: Coord<f64>,
    ) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners([min.x, min.y], [max.x, max.y]))
            .map(|e| e.data)
    }

    /// Whether polygon `k` contains `p` (exact rule, ignoring other polygons). Reads every
    /// edge of the polygon; the grid makes this the rare path.
    pub fn contains(&self, k: usize, p: Coord<f64>) -> bool {
        let s = &self.polys[k];
        if !(p.x >= s.min.x && p.x <= s.max.x && p.y >= s.min.y && p.y <= s.max.y) {
            return false;
        }
        let mut inside = false;
        for w in self.verts[s.vertex_range()].windows(2) {
            inside ^= crosses(w[0], w[1], p);
        }
        inside
    }
}

/// Prepares all polygons on all cores; the result is in input order.
fn prepare_all(verts: &[Coord<f64>], polys: &[PolyExtent], grid: &Grid, eps: f64) -> Vec<Prepared> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(polys.len().max(1));
    if threads <= 1 {
        return polys.iter().map(|p| prepare(verts, p, grid, eps)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    const BLOCK: usize = 64;
    let mut blocks: Vec<(usize, Vec<Prepared>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let start = next.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                        if start >= polys.len() {
                            break out;
                        }
                        let end = (start + BLOCK).min(polys.len());
                        out.push((
                            start,
                            polys[start..end]
                                .iter()
                                .map(|p| prepare(verts, p, grid, eps))
                                .collect(),
                        ));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("index worker panicked"))
            .collect()
    });
    blocks.sort_by_key(|b| b.0);
    blocks.into_iter().flat_map(|b| b.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::pip::multipolygon_contains;
    use geo::{coord, polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![
            polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)],
        ])
    }

    /// Deterministic pseudo-random numbers in [0, 1), so failures reproduce.
    pub(crate) fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    fn indexes(polys: &[MultiPolygon<f64>]) -> Vec<AreaIndex> {
        vec![
            AreaIndex::build(polys),
            AreaIndex::build_with_cells(polys, Some(16)),
            AreaIndex::build_with_cells(polys, Some(1 << 16)),
        ]
    }

    #[test]
    fn shared_edges_and_vertices_of_a_2x2_grid_go_to_exactly_one_square() {
        // 0: lower left, 1: lower right, 2: upper left, 3: upper right.
        let squares = [
            rect(0., 0., 1., 1.),
            rect(1., 0., 2., 1.),
            rect(0., 1., 1., 2.),
            rect(1., 1., 2., 2.),
        ];
        for index in indexes(&squares) {
            let cases = [
                (coord! { x: 1.0, y: 0.5 }, Some(1)), // vertical shared edge: right square
                (coord! { x: 1.0, y: 1.5 }, Some(3)),
                (coord! { x: 0.5, y: 1.0 }, Some(2)), // horizontal shared edge: square above
                (coord! { x: 1.5, y: 1.0 }, Some(3)),
                (coord! { x: 1.0, y: 1.0 }, Some(3)), // the shared vertex: up and right
                (coord! { x: 0.0, y: 0.5 }, Some(0)), // outer left edge belongs to the square
                (coord! { x: 2.0, y: 0.5 }, None),    // outer right edge does not
                (coord! { x: 0.5, y: 2.0 }, None),
                (coord! { x: 0.5, y: 0.0 }, Some(0)),
            ];
            for (p, want) in cases {
                assert_eq!(index.locate(p), want, "{p:?}");
                assert_eq!(index.locate_by_tree(p), want, "{p:?}");
                let holders = (0..4)
                    .filter(|&k| multipolygon_contains(&squares[k], p))
                    .count();
                assert_eq!(holders, usize::from(want.is_some()), "{p:?}");
            }
        }
    }

    #[test]
    fn points_on_slanted_shared_edges_land_in_exactly_one_polygon() {
        // Two triangles sharing a diagonal with awkward coordinates, in opposite ring orders.
        let (a, b, c, d) = ((0.1, 0.3), (0.7, 0.3), (0.7, 0.9), (0.1, 0.9));
        let lower = MultiPolygon::new(vec![
            polygon![(x: a.0, y: a.1), (x: b.0, y: b.1), (x: c.0, y: c.1)],
        ]);
        let upper = MultiPolygon::new(vec![
            polygon![(x: a.0, y: a.1), (x: c.0, y: c.1), (x: d.0, y: d.1)],
        ]);
        let polys = [lower, upper];
        for index in indexes(&polys) {
            for i in 1..1000 {
                let t = i as f64 / 1000.0;
                let p = coord! { x: a.0 + t * (c.0 - a.0), y: a.1 + t * (c.1 - a.1) };
                let found = index.locate(p);
                assert!(found.is_some(), "{p:?} lost");
                let holders = (0..2)
                    .filter(|&k| multipolygon_contains(&polys[k], p))
                    .count();
                assert_eq!(holders, 1, "{p:?}");
                assert_eq!(found, index.locate_by_tree(p));
            }
        }
    }

    #[test]
    fn holes_enclaves_and_multipolygons() {
        let donut = MultiPolygon::new(vec![polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 1., y: 3.), (x: 3., y: 3.), (x: 3., y: 1.)]],
        )]);
        let enclave = rect(1., 1., 3., 3.);
        let two_parts = MultiPolygon::new(vec![
            rect(10., 0., 11., 1.).0[0].clone(),
            rect(12., 0., 13., 1.).0[0].clone(),
        ]);
        let polys = [donut, enclave, two_parts];
        for index in indexes(&polys) {
            assert_eq!(index.len(), 3);
            assert_eq!(index.locate(coord! { x: 0.5, y: 0.5 }), Some(0));
            assert_eq!(index.locate(coord! { x: 2.0, y: 2.0 }), Some(1));
            assert_eq!(index.locate(coord! { x: 1.0, y: 2.0 }), Some(1)); // hole edge: right side
            assert_eq!(index.locate(coord! { x: 3.0, y: 2.0 }), Some(0));
            assert_eq!(index.locate(coord! { x: 10.5, y: 0.5 }), Some(2));
            assert_eq!(index.locate(coord! { x: 12.5, y: 0.5 }), Some(2));
            assert_eq!(index.locate(coord! { x: 11.5, y: 0.5 }), None);
        }
    }

    #[test]
    fn overlaps_go_to_the_lowest_index_and_outside_is_none() {
        let polys = [
            rect(5., 5., 6., 6.),
            rect(0., 0., 10., 10.),
            rect(4., 4., 7., 7.),
        ];
        for index in indexes(&polys) {
            assert_eq!(index.locate(coord! { x: 5.5, y: 5.5 }), Some(0));
            assert_eq!(index.locate(coord! { x: 4.5, y: 4.5 }), Some(1));
            assert_eq!(index.locate(coord! { x: 1.0, y: 1.0 }), Some(1));
            assert_eq!(index.locate(coord! { x: -1.0, y: 1.0 }), None);
            assert_eq!(index.locate(coord! { x: 1.0, y: 11.0 }), None);
            assert_eq!(index.locate(coord! { x: f64::NAN, y: 1.0 }), None);
        }
    }

    #[test]
    fn owned_build_gives_the_same_answers() {
        let polys: Vec<_> = (0..5)
            .map(|i| rect(i as f64, 0.0, i as f64 + 1.5, 2.0))
            .collect();
        let (shared, owned) = (
            AreaIndex::build(&polys),
            AreaIndex::build_owned(polys.clone()),
        );
        let mut seed = 7;
        for _ in 0..10_000 {
            let p = coord! { x: lcg(&mut seed) * 7.0 - 0.5, y: lcg(&mut seed) * 3.0 - 0.5 };
            assert_eq!(shared.locate(p), owned.locate(p));
            assert_eq!(shared.locate(p), shared.locate_by_tree(p));
        }
    }

    #[test]
    fn empty_and_degenerate_inputs() {
        let index = AreaIndex::build(&[]);
        assert!(index.is_empty());
        assert_eq!(index.locate(coord! { x: 0.0, y: 0.0 }), None);
        let index = AreaIndex::build(&[MultiPolygon::new(vec![]), rect(0., 0., 1., 1.)]);
        assert_eq!(index.len(), 2);
        assert_eq!(index.locate(coord! { x: 0.5, y: 0.5 }), Some(1));
    }

    #[test]
    fn grid_agrees_with_the_reference_rule_on_random_points() {
        // Many wiggly triangles in a fan: lots of shared edges and vertices.
        let mut seed = 7;
        let n = 40;
        let centre = (0.5, 0.5);
        let rim: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = 0.3 + 0.15 * lcg(&mut seed);
                (centre.0 + r * a.cos(), centre.1 + r * a.sin())
            })
            .collect();
        let polys: Vec<_> = (0..n)
            .map(|i| {
                let (p, q) = (rim[i], rim[(i + 1) % n]);
                MultiPolygon::new(vec![
                    polygon![(x: centre.0, y: centre.1), (x: p.0, y: p.1), (x: q.0, y: q.1)],
                ])
            })
            .collect();
        for index in indexes(&polys) {
            for i in 0..20_000 {
                let p = if i % 4 == 0 {
                    // On a rim vertex or a spoke.
                    let (v, t) = (rim[i % n], lcg(&mut seed));
                    coord! { x: centre.0 + t * (v.0 - centre.0), y: centre.1 + t * (v.1 - centre.1) }
                } else {
                    coord! { x: lcg(&mut seed), y: lcg(&mut seed) }
                };
                let want = (0..n).find(|&k| multipolygon_contains(&polys[k], p));
                assert_eq!(index.locate(p), want, "{p:?}");
            }
            assert_eq!(
                index
                    .locate(coord! { x: centre.0, y: centre.1 })
                    .iter()
                    .count(),
                1,
                "shared centre vertex"
            );
        }
    }

    use crate::testdata::shared_data_dir as data_dir;

    /// Codes and polygons of a real area file, read with the `geojson` crate (`spatial`
    /// takes nothing from `ingest`, not even in tests).
    fn load(file: &str) -> Option<(Vec<String>, Vec<MultiPolygon<f64>>)> {
        let text = std::fs::read_to_string(data_dir()?.join(file)).unwrap();
        let fc: geojson::FeatureCollection = text.parse().expect("valid GeoJSON");
        Some(
            fc.features
                .into_iter()
                .map(|f| {
                    let code = f.property("code").and_then(|v| v.as_str()).unwrap();
                    let code = code.to_string();
                    match f.geometry.map(geo::Geometry::<f64>::try_from) {
                        Some(Ok(geo::Geometry::Polygon(p))) => (code, MultiPolygon::new(vec![p])),
                        Some(Ok(geo::Geometry::MultiPolygon(mp))) => (code, mp),
                        other => panic!("{code}: {other:?}"),
                    }
                })
                .unzip(),
        )
    }

    #[test]
    fn every_almelo_buurt_contains_its_own_interior_point() {
        use geo::InteriorPoint;
        for file in ["almelo-buurten.geojson", "almelo-buurten-rd.geojson"] {
            let Some((codes, polys)) = load(file) else {
                return;
            };
            assert_eq!(polys.len(), 71);
            let index = AreaIndex::build(&polys);
            for (k, mp) in polys.iter().enumerate() {
                let p = mp.interior_point().unwrap().0;
                assert_eq!(index.locate(p), Some(k), "{file}: {} at {p:?}", codes[k]);
                assert_eq!(index.locate_by_tree(p), Some(k), "{file}: {}", codes[k]);
            }
        }
    }

    #[test]
    fn aadorp_enclave_is_not_part_of_noorderkwartier() {
        use geo::{Contains, InteriorPoint};
        let Some((codes, polys)) = load("almelo-wijken.geojson") else {
            return;
        };
        let k = |code: &str| codes.iter().position(|c| c == code).unwrap();
        let (aadorp, noorderkwartier) = (k("WK014120"), k("WK014112"));
        let index = AreaIndex::build(&polys);
        let p = polys[aadorp].interior_point().unwrap();
        assert!(polys[aadorp].contains(&p));
        assert!(
            !polys[noorderkwartier].contains(&p),
            "the enclave is a hole in WK014112"
        );
        assert_eq!(index.locate(p.0), Some(aadorp));
        // And the bounding box of Aadorp lies inside that of Noorderkwartier, so the R-tree
        // alone would offer both: the hole must decide.
        let p = polys[noorderkwartier].interior_point().unwrap();
        assert_eq!(index.locate(p.0), Some(noorderkwartier));
    }

    #[test]
    fn agrees_with_geo_contains_on_random_points_over_twente() {
        use geo::{Contains, Intersects, Point};
        let Some((_, polys)) = load("twente-buurten-2021.geojson") else {
            return;
        };
        let index = AreaIndex::build(&polys);
        let (lo, hi) = polys
            .iter()
            .flat_map(|mp| mp.0.iter().flat_map(|p| p.exterior().0.iter()))
            .fold(
                (
                    coord! { x: f64::MAX, y: f64::MAX },
                    coord! { x: f64::MIN, y: f64::MIN },
                ),
                |(lo, hi), c| {
                    (
                        coord! { x: lo.x.min(c.x), y: lo.y.min(c.y) },
                        coord! { x: hi.x.max(c.x), y: hi.y.max(c.y) },
                    )
                },
            );
        let mut seed = 2021;
        let (mut inside, mut checked) = (0, 0);
        for _ in 0..100_000 {
            let p = coord! { x: lo.x + lcg(&mut seed) * (hi.x - lo.x), y: lo.y + lcg(&mut seed) * (hi.y - lo.y) };
            let pt = Point(p);
            let near: Vec<usize> = index.candidates_in(p, p).collect();
            let containing: Vec<usize> = near
                .iter()
                .copied()
                .filter(|&k| polys[k].contains(&pt))
                .collect();
            let found = index.locate(p);
            match containing.as_slice() {
                [k] => {
                    assert_eq!(found, Some(*k), "{p:?}");
                    inside += 1;
                }
                [] if !near.iter().any(|&k| polys[k].intersects(&pt)) => {
                    assert_eq!(found, None, "{p:?}")
                }
                [] => continue, // on a boundary: geo has no opinion to compare with
                more => panic!("Twente buurten overlap at {p:?}: {more:?}"),
            }
            assert_eq!(found, index.locate_by_tree(p), "{p:?}");
            checked += 1;
        }
        assert!(
            checked > 99_000 && inside > 20_000,
            "{checked} checked, {inside} inside"
        );
    }
}
