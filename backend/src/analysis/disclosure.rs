//! Small-count suppression for aggregate-only viewers, with secondary suppression so that no
//! hidden count can be recovered by subtraction.
//!
//! **Primary rule.** A count from 1 to 4 is shown as "< 5" (`null` with `suppressed: true`).
//! Zero is shown: that an area had no registered offence discloses no one.
//!
//! **Secondary rule.** Shown counts are tied by additive relations: a wijk is the sum of its
//! buurten, a gemeente of its wijken, a period of its months. If exactly one cell of such a
//! relation is hidden, it equals the total minus the others. So, until no relation has
//! exactly one hidden cell, the smallest other shown cell of that relation is hidden too (or,
//! when all others are already hidden or exempt, the total). Cells with no value (withheld
//! by CBS, or no data) are not part of any relation: the roll-up sums known values only.
//! *Exempt* cells are those the viewer may see in full (a wijkregisseur's own wijk); they are
//! never hidden, and they count as known.
//!
//! Beside CBS's own practice: CBS/Politie StatLine withholds cells (shown as `.`) and, in many
//! tables, rounds counts to multiples of 5. We keep exact counts for viewers who may see
//! locations anyway, and apply threshold 5 with complementary suppression for the others,
//! as in the ESSnet *Handbook on Statistical Disclosure Control* (ch. 4, tabular data).
//!
//! ```
//! use wijkveilig::analysis::disclosure::{Relation, suppress};
//! // A wijk (cell 0) of 20 with buurten 3, 9 and 8: the 3 is hidden, and so is the 8, the
//! // smallest other buurt, because 20 − 9 − 8 would give the 3 back.
//! let values = [Some(20), Some(3), Some(9), Some(8)];
//! let hidden = suppress(&values, &[false; 4], &[Relation { total: 0, parts: vec![1, 2, 3] }]);
//! assert_eq!(hidden, vec![false, true, false, true]);
//! ```

/// Counts below this (and above 0) are hidden.
pub const THRESHOLD: i64 = 5;

/// **Protected heatmap.** For aggregate-only viewers the density is drawn with at least this
/// kernel radius and cell, and every cell to which fewer than [`THRESHOLD`] incidents
/// contribute is blank, so a single incident can never be located on it.
pub const MIN_BANDWIDTH_M: f64 = 400.0;
pub const MIN_CELL_M: f64 = 100.0;

/// `total = Σ parts`, over cell positions.
#[derive(Debug, Clone)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Whether a count is hidden by the primary rule.
pub fn is_small(v: Option<i64>) -> bool {
    v.is_some_and(|v| v > 0 && v < THRESHOLD)
}

/// Which cells to hide: primary suppression of small counts, then complementary suppression
/// until no relation has exactly one hidden cell among its valued cells.
pub fn suppress(values: &[Option<i64>], exempt: &[bool], relations: &[Relation]) -> Vec<bool> {
    suppress_with(values, exempt, &vec![false; values.len()], relations)
}

/// [`suppress`] for a viewer to whom the `omitted` cells are not shown at all (a
/// wijkregisseur's view of buurten outside their wijken). Omitted cells are unknown to the
/// viewer, so they protect a hidden cell in a relation like a hidden cell does; they are
/// never chosen for complementary suppression and are not themselves protected.
pub fn suppress_with(
    values: &[Option<i64>],
    exempt: &[bool],
    omitted: &[bool],
    relations: &[Relation],
) -> Vec<bool> {
    let mut hidden: Vec<bool> = values
        .iter()
        .zip(exempt)
        .map(|(&v, &e)| !e && is_small(v))
        .collect();
    let valued = |i: usize| values[i].is_some();
    loop {
        let mut changed = false;
        for r in relations {
            let mut unknown = std::iter::once(r.total)
                .chain(r.parts.iter().copied())
                .filter(|&i| valued(i) && (hidden[i] || omitted[i]));
            let (Some(only), None) = (unknown.next(), unknown.next()) else {
                continue;
            };
            if !hidden[only] {
                continue;
            }
            // Hide the smallest shown, non-exempt part; failing that, the total.
            let open = |i: usize| valued(i) && !hidden[i] && !omitted[i] && !exempt[i];
            let candidate = r
                .parts
                .iter()
                .copied()
                .filter(|&i| open(i))
                .min_by_key(|&i| (values[i] == Some(0), values[i], i))
                .or_else(|| open(r.total).then_some(r.total));
            if let Some(c) = candidate {
                hidden[c] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// How far a point contributes in [`blank_sparse_cells`] (metres), and that reach in cells
/// either side of the point's cell.
fn reach(h: f64, cell: f64) -> (f64, i64) {
    let reach = h + cell * std::f64::consts::SQRT_2 / 2.0;
    (reach, (reach / cell).ceil() as i64 + 1)
}

/// The cost of [`blank_sparse_cells`] for `points` points: each visits the cells within
/// reach. Refused above [`crate::analysis::budget::MAX_STEPS`], like the density itself.
pub fn check_blank_cost(
    points: usize,
    h: f64,
    cell: f64,
) -> Result<(), crate::analysis::kde::KdeError> {
    let (_, span) = reach(h, cell);
    let side = 2 * span as u64 + 1;
    let footprint = side * side;
    let steps = (points as u64).saturating_mul(footprint);
    let limit = crate::analysis::budget::MAX_STEPS;
    if steps > limit {
        return Err(crate::analysis::kde::KdeError::TooMuchWork {
            steps,
            cells: points,
            footprint,
            limit,
        });
    }
    Ok(())
}

/// Blanks (sets to 0) every cell of a density grid to which fewer than [`THRESHOLD`] points
/// contribute. A point contributes to a cell when it lies within the kernel radius `h` of the
/// cell's centre, plus half a cell diagonal (points are binned to cell centres before the
/// convolution, so their mass can reach that much further). Returns how many non-zero cells
/// were blanked.
pub fn blank_sparse_cells(
    grid: &mut crate::analysis::kde::Grid,
    points: &[geo::Coord<f64>],
    h: f64,
) -> usize {
    let cell = grid.cell_size;
    let (reach, span) = reach(h, cell);
    let mut counts = vec![0u32; grid.values.len()];
    for (i, p) in points.iter().enumerate() {
        if i % 1024 == 0 {
            crate::analysis::budget::checkpoint();
        }
        let cx = ((p.x - grid.origin.x) / cell).floor() as i64;
        let cy = ((p.y - grid.origin.y) / cell).floor() as i64;
        for iy in (cy - span).max(0)..=(cy + span).min(grid.ny as i64 - 1) {
            for ix in (cx - span).max(0)..=(cx + span).min(grid.nx as i64 - 1) {
                let k = iy as usize * grid.nx + ix as usize;
                let c = grid.cell_center(k);
                if (c.x - p.x).hypot(c.y - p.y) < reach {
                    counts[k] += 1;
                }
            }
        }
    }
    let mut blanked = 0;
    for (v, &n) in grid.values.iter_mut().zip(&counts) {
        if (n as i64) < THRESHOLD && *v != 0.0 {
            *v = 0.0;
            blanked += 1;
        }
    }
    blanked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every relation with valued cells has zero or at least two hidden cells, and no hidden
    /// cell equals a shown total minus its shown parts.
    fn assert_safe(values: &[Option<i64>], hidden: &[bool], relations: &[Relation]) {
        for r in relations {
            let cells: Vec<usize> = std::iter::once(r.total)
                .chain(r.parts.iter().copied())
                .filter(|&i| values[i].is_some())
                .collect();
            let n = cells.iter().filter(|&&i| hidden[i]).count();
            assert_ne!(
                n, 1,
                "relation {r:?} leaks one hidden cell: {values:?} {hidden:?}"
            );
        }
    }

    #[test]
    fn one_small_buurt_takes_a_second_one_with_it() {
        let values = [Some(20), Some(3), Some(9), Some(8)];
        let r = [Relation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let h = suppress(&values, &[false; 4], &r);
        assert_safe(&values, &h, &r);
        assert_eq!(h, vec![false, true, false, true]);
    }

    #[test]
    fn a_hidden_total_with_shown_parts_hides_a_part() {
        // Gemeente 30 = wijken 30 + 0 … a wijk total of 4 with buurten 4 and 0.
        let values = [Some(4), Some(4), Some(0)];
        let r = [Relation {
            total: 0,
            parts: vec![1, 2],
        }];
        let h = suppress(&values, &[false; 3], &r);
        assert_safe(&values, &h, &r);
        assert!(h[0] && h[1]);
    }

    #[test]
    fn exempt_cells_stay_and_the_hierarchy_is_safe_at_every_level() {
        // gemeente 0 = wijken 1, 2; wijk 1 = buurten 3, 4; wijk 2 = buurten 5, 6.
        let values = [
            Some(40),
            Some(25),
            Some(15),
            Some(22),
            Some(3),
            Some(12),
            Some(3),
        ];
        let exempt = [false, true, false, false, false, false, false];
        let r = [
            Relation {
                total: 0,
                parts: vec![1, 2],
            },
            Relation {
                total: 1,
                parts: vec![3, 4],
            },
            Relation {
                total: 2,
                parts: vec![5, 6],
            },
        ];
        let h = suppress(&values, &exempt, &r);
        assert_safe(&values, &h, &r);
        assert!(!h[1], "the viewer's own wijk is never hidden");
    }

    #[test]
    fn withheld_cells_are_outside_the_relations() {
        let values = [Some(10), None, Some(3), Some(7)];
        let r = [Relation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let h = suppress(&values, &[false; 4], &r);
        assert_safe(&values, &h, &r);
        assert!(h[2] && h[3]);
        assert!(!h[1]);
    }
}
