//! Carrying counts from one CBS boundary year to another (areal interpolation), because CBS
//! changes buurt codes and boundaries almost every year and a series over 2017–2023 spans
//! several boundary years.
//!
//! **Formula.** For source areas `i` (the boundaries a figure was published on) and target
//! areas `j` (the boundaries shown), with `a_ij` the area of their intersection in a metric
//! frame, an extensive figure (a count) is carried as
//!
//! ```text
//! v_j = Σ_i v_i · a_ij / a_i,     a_i = Σ_j a_ij
//! ```
//!
//! Taking `a_i` as the part of `i` that the target set covers (rather than `i`'s own area)
//! keeps totals: every unit of `v_i` lands in some `j`, so `Σ_j v_j = Σ_i v_i` whenever each
//! source area meets the target set at all. Counts stay whole: each `v_i` is split by the
//! largest-remainder method, so the split parts add up to `v_i` exactly.
//!
//! Intensive figures (rates per 1,000 residents) are not interpolated: they are recomputed
//! from the carried counts and the target area's own population, as Goodchild and Lam warn
//! (averaging rates over overlaps weights them by area, not by people).
//!
//! **Methods.** A pair that covers more than [`SAME_SHARE`] of both areas is the same area
//! under another code: [`Method::OneToOne`]. Everything else (splits, merges, moved edges) is
//! weighted by area: [`Method::Area`]. A source that meets no target at all (a buurt whose
//! counterpart is missing from a coarse or repaired file) goes whole to the target nearest
//! its centroid, [`Method::Nearest`], so no count is lost. CBS's *Hulpbestanden tijdreeksen* weight by address
//! points; where those are imported they replace the area weights (not yet available for
//! Almelo: no BAG extract is at hand).
//!
//! References: Goodchild, M.F. & Lam, N.S.-N. (1980), *Areal interpolation: a variant of the
//! traditional spatial problem*, Geo-Processing 1; CBS, *Toelichting Wijk- en Buurtkaart*.
//!
//! ```
//! use geo::{polygon, MultiPolygon};
//! use wijkveilig::analysis::crosswalk::{Crosswalk, Method};
//! // One square split into two halves: 10 offences go 5 / 5 and the total stays 10.
//! let whole = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)]]);
//! let left = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 2.), (x: 0., y: 2.)]]);
//! let right = MultiPolygon(vec![polygon![(x: 1., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 1., y: 2.)]]);
//! let cw = Crosswalk::build(&[whole], &[left, right]);
//! assert_eq!(cw.carry(&[Some(10)]), vec![Some(5), Some(5)]);
//! assert_eq!(cw.method(0), Some(Method::Area));
//! ```

use geo::{Area, BooleanOps, BoundingRect, Centroid, MultiPolygon};
use rstar::{AABB, RTree, RTreeObject};

/// Share of both areas above which a pair is one area under another code.
pub const SAME_SHARE: f64 = 0.98;

/// Overlaps smaller than this share of the source area are slivers from digitising
/// differences, not part of the area, and are dropped before weighting.
pub const SLIVER_SHARE: f64 = 0.002;

/// How a target area's carried figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The same area under another code (or the same code): the figure moves whole.
    OneToOne,
    /// Split, merged or reshaped areas: shares by area of overlap.
    Area,
    /// No overlap at all: the whole figure went to the nearest area.
    Nearest,
}

/// One link: the share `weight` of source `from` that lies in target `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub weight: f64,
}

/// The weights between two area sets, in the order the sets were given.
#[derive(Debug, Clone, Default)]
pub struct Crosswalk {
    /// Ordered by `from`, then `to`; the weights of one `from` add up to 1.
    pub links: Vec<Link>,
    targets: usize,
    /// Per target, `Some(method)` when any source reaches it.
    methods: Vec<Option<Method>>,
}

struct Boxed {
    index: usize,
    env: AABB<[f64; 2]>,
}

impl RTreeObject for Boxed {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

fn envelope(p: &MultiPolygon<f64>) -> Option<AABB<[f64; 2]>> {
    p.bounding_rect()
        .map(|r| AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
}

impl Crosswalk {
    /// Overlays `from` on `to` (both in one metric frame) and weights every overlap.
    pub fn build(from: &[MultiPolygon<f64>], to: &[MultiPolygon<f64>]) -> Crosswalk {
        let tree = RTree::bulk_load(
            to.iter()
                .enumerate()
                .filter_map(|(index, p)| envelope(p).map(|env| Boxed { index, env }))
                .collect(),
        );
        let to_area: Vec<f64> = to.iter().map(|p| p.unsigned_area()).collect();
        let mut links = Vec::new();
        let mut methods = vec![None; to.len()];
        for (i, source) in from.iter().enumerate() {
            let Some(env) = envelope(source) else {
                continue;
            };
            let own = source.unsigned_area();
            if own <= 0.0 {
                continue;
            }
            let mut overlaps: Vec<(usize, f64)> = tree
                .locate_in_envelope_intersecting(&env)
                .map(|b| (b.index, source.intersection(&to[b.index]).unsigned_area()))
                .filter(|&(_, a)| a > SLIVER_SHARE * own)
                .collect();
            overlaps.sort_by_key(|&(j, _)| j);
            let covered: f64 = overlaps.iter().map(|&(_, a)| a).sum();
            if covered <= 0.0 {
                if let Some(j) = nearest(source, to) {
                    methods[j] = Some(match methods[j] {
                        None | Some(Method::Nearest) => Method::Nearest,
                        Some(_) => Method::Area,
                    });
                    links.push(Link {
                        from: i,
                        to: j,
                        weight: 1.0,
                    });
                }
                continue;
            }
            for (j, a) in overlaps {
                let one = a / own > SAME_SHARE && to_area[j] > 0.0 && a / to_area[j] > SAME_SHARE;
                let method = if one { Method::OneToOne } else { Method::Area };
                methods[j] = Some(match methods[j] {
                    None => method,
                    // A target reached by more than one source is a merge.
                    Some(_) => Method::Area,
                });
                links.push(Link {
                    from: i,
                    to: j,
                    weight: a / covered,
                });
            }
        }
        Crosswalk {
            links,
            targets: to.len(),
            methods,
        }
    }

    /// How target `j`'s figure is obtained; `None` when no source reaches it.
    pub fn method(&self, j: usize) -> Option<Method> {
        self.methods.get(j).copied().flatten()
    }

    /// Carries counts per source to counts per target. A target no known source reaches is
    /// `None` (no data); unknown sources (`None`) contribute nothing.
    pub fn carry(&self, values: &[Option<i64>]) -> Vec<Option<i64>> {
        let mut out: Vec<Option<i64>> = vec![None; self.targets];
        for (_, part) in self.split(values) {
            for (to, n) in part {
                *out[to].get_or_insert(0) += n;
            }
        }
        out
    }

    /// Each known source's value split over its targets, in whole numbers that add up to
    /// the value (largest remainder).
    pub fn split(&self, values: &[Option<i64>]) -> Vec<(usize, Vec<(usize, i64)>)> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < self.links.len() {
            let from = self.links[start].from;
            let end = start
                + self.links[start..]
                    .iter()
                    .take_while(|l| l.from == from)
                    .count();
            if let Some(v) = values.get(from).copied().flatten() {
                out.push((from, largest_remainder(v, &self.links[start..end])));
            }
            start = end;
        }
        out
    }
}

/// The target whose centroid is nearest to the source's centroid.
fn nearest(source: &MultiPolygon<f64>, to: &[MultiPolygon<f64>]) -> Option<usize> {
    let c = source.centroid()?;
    to.iter()
        .enumerate()
        .filter_map(|(j, p)| {
            let d = p.centroid()?;
            Some((j, (d.x() - c.x()).powi(2) + (d.y() - c.y()).powi(2)))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(j, _)| j)
}

/// Splits `v` over `links` (weights adding up to 1) in whole numbers that add up to `v`.
fn largest_remainder(v: i64, links: &[Link]) -> Vec<(usize, i64)> {
    let exact: Vec<f64> = links.iter().map(|l| v as f64 * l.weight).collect();
    let mut parts: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut left = v - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..links.len()).collect();
    // Largest remainder first; ties to the larger weight, then the lower index.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra)
            .then(links[b].weight.total_cmp(&links[a].weight))
            .then(a.cmp(&b))
    });
    for k in order {
        if left <= 0 {
            break;
        }
        parts[k] += 1;
        left -= 1;
    }
    links.iter().zip(parts).map(|(l, n)| (l.to, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)
        ]])
    }

    #[test]
    fn a_renamed_area_moves_whole() {
        let cw = Crosswalk::build(&[rect(0., 0., 1., 1.)], &[rect(0., 0., 1., 1.)]);
        assert_eq!(cw.method(0), Some(Method::OneToOne));
        assert_eq!(cw.carry(&[Some(7)]), vec![Some(7)]);
    }

    #[test]
    fn a_merge_adds_and_a_split_keeps_the_total() {
        // Two sources merge into one target; a third splits 1:2 over two targets.
        let from = [
            rect(0., 0., 1., 1.),
            rect(1., 0., 2., 1.),
            rect(0., 1., 3., 2.),
        ];
        let to = [
            rect(0., 0., 2., 1.),
            rect(0., 1., 1., 2.),
            rect(1., 1., 3., 2.),
        ];
        let cw = Crosswalk::build(&from, &to);
        let carried = cw.carry(&[Some(3), Some(4), Some(10)]);
        assert_eq!(carried, vec![Some(7), Some(3), Some(7)]);
        assert_eq!(carried.iter().flatten().sum::<i64>(), 17);
        assert_eq!(cw.method(0), Some(Method::Area));
    }

    #[test]
    fn unknown_sources_give_no_data_not_zero() {
        let cw = Crosswalk::build(
            &[rect(0., 0., 1., 1.), rect(5., 5., 6., 6.)],
            &[
                rect(0., 0., 1., 1.),
                rect(5., 5., 6., 6.),
                rect(9., 9., 10., 10.),
            ],
        );
        assert_eq!(cw.carry(&[None, Some(2)]), vec![None, Some(2), None]);
        assert_eq!(cw.method(2), None);
    }

    #[test]
    fn a_source_without_overlap_goes_to_the_nearest_target() {
        let cw = Crosswalk::build(
            &[rect(0., 0., 1., 1.), rect(3., 0., 4., 1.)],
            &[rect(0., 0., 1., 1.), rect(5., 0., 6., 1.)],
        );
        assert_eq!(cw.carry(&[Some(2), Some(5)]), vec![Some(2), Some(5)]);
        assert_eq!(cw.method(1), Some(Method::Nearest));
    }

    #[test]
    fn slivers_are_not_areas() {
        // The target is shifted by 0.1 % of the width: the sliver in the neighbour is dropped.
        let cw = Crosswalk::build(
            &[rect(0., 0., 1., 1.)],
            &[rect(0.001, 0., 1.001, 1.), rect(-1., 0., 0.001, 1.)],
        );
        assert_eq!(cw.carry(&[Some(100)]), vec![Some(100), None]);
    }
}
