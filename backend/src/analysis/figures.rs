//! The figures every area shows: count, rate per 1,000 inhabitants, change against the
//! previous period of the same length, and rank. Withheld cells stay visible as such.
//!
//! ```
//! use wijkveilig::analysis::figures::{figures, Input};
//! use wijkveilig::store::CountSum;
//! let now = CountSum { known: 30, withheld: 0, cells: 12 };
//! let before = CountSum { known: 20, withheld: 0, cells: 12 };
//! let f = figures(&[Input { current: Some(now), previous: Some(before), population: Some(1500) }]);
//! assert_eq!(f[0].count, Some(30));
//! assert_eq!(f[0].rate_per_1000, Some(20.0));
//! assert_eq!(f[0].change_pct, Some(50.0));
//! ```

use crate::domain::crime_type::{CrimeType, TOTAL};
use crate::store::CountSum;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// `null` when every contributing cell was withheld, or there is no data for the period
    /// (see `status`).
    pub count: Option<i64>,
    pub status: DataStatus,
    /// Contributing cells that CBS withheld (0 = complete).
    pub withheld: i64,
    pub rate_per_1000: Option<f64>,
    pub previous_count: Option<i64>,
    pub previous_status: DataStatus,
    pub change_pct: Option<f64>,
    /// 1 = most offences in the compared set; `null` for areas without a count.
    pub rank: Option<usize>,
    pub rank_of: usize,
    /// The count is hidden for this viewer: 1 to 4 ("< 5"), or hidden so that such a count
    /// cannot be recovered by subtraction (see `analysis::disclosure`).
    pub suppressed: bool,
    /// The same for `previous_count`.
    pub previous_suppressed: bool,
    /// Set when (part of) the figure was published on another boundary year's areas and
    /// carried to these through the crosswalk: an estimate, by this method.
    pub estimated: Option<crate::analysis::crosswalk::Method>,
}

pub struct Input {
    pub current: Option<CountSum>,
    pub previous: Option<CountSum>,
    pub population: Option<i64>,
}

/// What a figure is: a value, withheld by CBS, or no data at all (no row for that area and
/// period). Missing data is never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataStatus {
    /// A count (possibly with some withheld cells, see `withheld`).
    Value,
    /// Every contributing cell was withheld by CBS (`.` in StatLine).
    Withheld,
    /// No row for this area and period: "geen gegevens", never 0.
    NoData,
}

/// The status of a sum of cells.
pub fn status_of(sum: Option<CountSum>) -> DataStatus {
    match sum {
        Some(s) if s.cells > 0 && s.withheld == s.cells => DataStatus::Withheld,
        Some(s) if s.cells > 0 => DataStatus::Value,
        _ => DataStatus::NoData,
    }
}

/// A count from a sum: all cells withheld is unknown, and no cells is no data; neither is 0.
pub fn count_of(sum: Option<CountSum>) -> Option<i64> {
    match status_of(sum) {
        DataStatus::Value => sum.map(|s| s.known),
        DataStatus::Withheld | DataStatus::NoData => None,
    }
}

/// Figures for a set of areas compared with each other (ranks are within the set).
pub fn figures(inputs: &[Input]) -> Vec<Figures> {
    let mut out: Vec<Figures> = inputs
        .iter()
        .map(|i| {
            let (count, status) = (count_of(i.current), status_of(i.current));
            let (previous_count, previous_status) = (count_of(i.previous), status_of(i.previous));
            let rate_per_1000 = match (count, i.population) {
                (Some(c), Some(p)) if p > 0 => Some(c as f64 * 1000.0 / p as f64),
                _ => None,
            };
            let change_pct = match (count, previous_count) {
                (Some(c), Some(p)) if p > 0 => Some((c - p) as f64 * 100.0 / p as f64),
                _ => None,
            };
            Figures {
                count,
                withheld: i.current.map_or(0, |s| s.withheld),
                rate_per_1000,
                previous_count,
                previous_status,
                status,
                change_pct,
                rank: None,
                rank_of: inputs.len(),
                suppressed: false,
                previous_suppressed: false,
                estimated: None,
            }
        })
        .collect();
    rank(&mut out);
    out
}

/// Ranks figures by count among those that have one (again after counts were hidden, so a
/// rank never hints at a hidden count).
pub fn rank(out: &mut [Figures]) {
    for f in out.iter_mut() {
        f.rank = None;
    }
    let mut order: Vec<usize> = (0..out.len()).filter(|&i| out[i].count.is_some()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(out[i].count));
    // Equal counts share a rank (1, 2, 2, 4), as in any league table.
    let mut previous: Option<(i64, usize)> = None;
    for (pos, &i) in order.iter().enumerate() {
        let c = out[i].count.unwrap_or(0);
        let rank = match previous {
            Some((pc, r)) if pc == c => r,
            _ => pos + 1,
        };
        out[i].rank = Some(rank);
        previous = Some((c, rank));
    }
}

/// The roll-up rule, the one place it is written: an area's own value where the data has one
/// for it, otherwise the sum of its parts' values (the buurten inside it); `None` when neither
/// exists, which is "no data", never 0.
///
/// ```
/// use wijkveilig::analysis::figures::roll_up;
/// assert_eq!(roll_up(Some(7), [1, 2]), Some(7));
/// assert_eq!(roll_up(None, [1, 2]), Some(3));
/// assert_eq!(roll_up::<i64>(None, []), None);
/// ```
pub fn roll_up<T: std::ops::AddAssign>(
    own: Option<T>,
    parts: impl IntoIterator<Item = T>,
) -> Option<T> {
    own.or_else(|| {
        parts.into_iter().reduce(|mut a, b| {
            a += b;
            a
        })
    })
}

/// Turns a user's crime-type selection into the codes to sum, so that no count is added to
/// its own parts: the total `0.0.0` is used as is, a selected code that exists in the data is
/// used rather than its children, and a code inside another selected code is dropped.
///
/// ```
/// use wijkveilig::analysis::figures::resolve_crime_types;
/// let present: Vec<String> = ["0.0.0", "1.1.1", "1.1.2", "1.2.1"].map(String::from).into();
/// assert_eq!(resolve_crime_types(&["1.1".into()], &present), ["1.1.1", "1.1.2"]);
/// assert_eq!(resolve_crime_types(&["0.0.0".into(), "1.1.1".into()], &present), ["0.0.0"]);
/// ```
pub fn resolve_crime_types(selectors: &[String], present: &[String]) -> Vec<String> {
    if selectors.is_empty() || selectors.iter().any(|s| s == TOTAL) {
        if present.iter().any(|p| p == TOTAL) {
            return vec![TOTAL.to_string()];
        }
        // No total in the data: the top-level groups together are the total.
        return top_most(
            present
                .iter()
                .filter(|p| p.as_str() != TOTAL)
                .cloned()
                .collect(),
        );
    }
    let mut chosen: Vec<String> = Vec::new();
    for sel in selectors {
        if selectors
            .iter()
            .any(|other| other != sel && CrimeType::is_within(sel, other))
        {
            continue;
        }
        if present.contains(sel) {
            chosen.push(sel.clone());
        } else {
            chosen.extend(top_most(
                present
                    .iter()
                    .filter(|p| CrimeType::is_within(p, sel))
                    .cloned()
                    .collect(),
            ));
        }
    }
    chosen.sort();
    chosen.dedup();
    chosen
}

/// The codes that have no ancestor in the set.
fn top_most(codes: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = codes
        .iter()
        .filter(|c| !codes.iter().any(|o| o != *c && CrimeType::is_within(c, o)))
        .cloned()
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(known: i64, withheld: i64, cells: i64) -> Option<CountSum> {
        Some(CountSum {
            known,
            withheld,
            cells,
        })
    }

    #[test]
    fn withheld_is_not_zero() {
        assert_eq!(count_of(s(0, 3, 3)), None);
        assert_eq!(status_of(s(0, 3, 3)), DataStatus::Withheld);
        assert_eq!(count_of(s(5, 1, 3)), Some(5));
        assert_eq!(count_of(s(0, 0, 3)), Some(0), "a row of 0 is a zero");
        assert_eq!(count_of(None), None, "no row is no data, not 0");
        assert_eq!(status_of(None), DataStatus::NoData);
    }

    #[test]
    fn ranks_share_ties_and_skip_unknown() {
        let inputs = [s(10, 0, 1), s(30, 0, 1), s(10, 0, 1), s(0, 1, 1)].map(|c| Input {
            current: c,
            previous: None,
            population: None,
        });
        let f = figures(&inputs);
        let ranks: Vec<_> = f.iter().map(|x| x.rank).collect();
        assert_eq!(ranks, [Some(2), Some(1), Some(2), None]);
        assert!(f.iter().all(|x| x.change_pct.is_none()));
    }

    #[test]
    fn parents_in_data_are_used_instead_of_children() {
        let present: Vec<String> = ["1", "1.1.1", "1.1.2", "2.5.2"].map(String::from).into();
        assert_eq!(
            resolve_crime_types(&["1".into(), "1.1.1".into()], &present),
            ["1"]
        );
        assert_eq!(resolve_crime_types(&[], &present), ["1", "2.5.2"]);
    }
}
