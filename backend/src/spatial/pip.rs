//! The point-in-polygon rule every join in wijkveilig uses: an even-odd crossing count with
//! half-open edges, so that a point on an edge shared by two neighbourhoods is counted in
//! exactly one of them.
//!
//! `geo::Contains` says "no" for points on a boundary, so a point on the edge between two
//! buurten would be lost, and "intersects" would count it twice. Instead a polygon here
//! behaves like a raster cell `[x0, x1) × [y0, y1)`: **a point on a boundary belongs to the
//! polygon to its right (larger x); on a horizontal boundary, to the polygon above (larger
//! y).** A shared vertex goes to the polygon that lies up and to the right of it.
//!
//! The rule holds across polygons only because each edge is evaluated from its lower end,
//! whichever polygon (and ring direction) it comes from, so both neighbours compute the very
//! same intersection and make the same floating-point decision.
//!
//! ```
//! use geo::{coord, polygon, MultiPolygon};
//! use wijkveilig::spatial::pip::multipolygon_contains;
//!
//! let left = MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)]]);
//! let right = MultiPolygon::new(vec![polygon![(x: 1., y: 0.), (x: 2., y: 0.), (x: 2., y: 1.), (x: 1., y: 1.)]]);
//! let on_shared_edge = coord! { x: 1.0, y: 0.5 };
//! assert!(!multipolygon_contains(&left, on_shared_edge));
//! assert!(multipolygon_contains(&right, on_shared_edge));
//! ```

use geo::{Coord, LineString, MultiPolygon};

/// Whether the ray from `p` towards +x crosses the edge `a`–`b` under the half-open rule.
///
/// The edge covers `y` in `[min(a.y, b.y), max(a.y, b.y))`, so a ray through a vertex is
/// counted once, and horizontal edges never count. The result does not depend on the order
/// of `a` and `b`.
#[inline(always)]
pub fn crosses(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> bool {
    if (a.y > p.y) == (b.y > p.y) {
        return false;
    }
    let (lo, hi) = if a.y < b.y { (a, b) } else { (b, a) };
    p.x < lo.x + (p.y - lo.y) * (hi.x - lo.x) / (hi.y - lo.y)
}

/// Crossings of the ray from `p` with one ring, modulo 2. The ring may be open or closed.
pub fn ring_parity(ring: &LineString<f64>, p: Coord<f64>) -> bool {
    let c = &ring.0;
    let mut inside = false;
    if c.len() < 2 {
        return false;
    }
    for w in c.windows(2) {
        inside ^= crosses(w[0], w[1], p);
    }
    if c[0] != c[c.len() - 1] {
        inside ^= crosses(c[c.len() - 1], c[0], p);
    }
    inside
}

/// The reference implementation of the rule over every ring (even-odd: holes and the parts
/// of a multipolygon need no special case). [`super::index::AreaIndex`] gives the same
/// answers faster.
pub fn multipolygon_contains(mp: &MultiPolygon<f64>, p: Coord<f64>) -> bool {
    let mut inside = false;
    for poly in &mp.0 {
        inside ^= ring_parity(poly.exterior(), p);
        for hole in poly.interiors() {
            inside ^= ring_parity(hole, p);
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon};

    #[test]
    fn edge_order_does_not_matter() {
        let a = coord! { x: 0.1, y: 0.3 };
        let b = coord! { x: 0.7, y: 0.9 };
        for i in 0..1000 {
            let p =
                coord! { x: 0.1 + 0.6 * (i as f64 / 1000.0), y: 0.3 + 0.6 * (i as f64 / 1000.0) };
            assert_eq!(crosses(a, b, p), crosses(b, a, p));
        }
    }

    #[test]
    fn holes_are_outside() {
        let donut = MultiPolygon::new(vec![polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 1., y: 3.), (x: 3., y: 3.), (x: 3., y: 1.)]],
        )]);
        assert!(multipolygon_contains(&donut, coord! { x: 0.5, y: 2.0 }));
        assert!(!multipolygon_contains(&donut, coord! { x: 2.0, y: 2.0 }));
        assert!(!multipolygon_contains(&donut, coord! { x: 5.0, y: 2.0 }));
    }
}
