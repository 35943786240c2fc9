//! The access policy where data leaves the service: which areas and points a principal sees,
//! and which counts are hidden from aggregate-only viewers ([`crate::analysis::disclosure`]).
//! Every figure-bearing answer of the service goes through here; `http` only checks that a
//! route's need is granted.

use super::areas::OffenceSums;
use super::{AreaCache, ServiceError, ServiceResult};
use crate::analysis::disclosure::{self, Relation};
use crate::analysis::figures::{Figures, count_of};
use crate::auth::{Need, Principal};
use crate::domain::{AreaCode, AreaLevel};

/// Refuses a principal without `need` (the service's own check; `http` checks routes too).
pub fn require(who: &Principal, need: Need) -> ServiceResult<()> {
    if who.may(need) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "the role {} may not see or do this",
            who.role
        )))
    }
}

/// Whether a point registered in `buurt` (a code, or none) may be shown to `who`: all points
/// for roles that see points everywhere, only those inside their wijken for a wijkregisseur.
pub fn sees_point(who: &Principal, buurt: Option<&str>) -> bool {
    if !who.may(Need::Points) {
        return false;
    }
    match who.role {
        crate::auth::Role::Wijkregisseur => buurt
            .and_then(|b| AreaCode::parse(b).ok())
            .is_some_and(|b| who.sees_detail_of(&b)),
        _ => true,
    }
}

/// Whether `who` sees an area at all: every wijk and gemeente, and every buurt except, for a
/// wijkregisseur, those outside their wijken.
pub fn sees_area(who: &Principal, a: &super::CachedArea) -> bool {
    a.level != AreaLevel::Buurt
        || who.role != crate::auth::Role::Wijkregisseur
        || who.sees_detail_of(&a.code)
}

/// What one principal sees of the area set for one selection.
pub struct AreaView {
    /// Whether the area appears at all (a wijkregisseur sees no buurt outside their wijken).
    pub visible: Vec<bool>,
    /// Whether the count of the selection's range is hidden ("< 5" or complementary).
    pub hidden: Vec<bool>,
    /// The same for the range it is compared with.
    pub hidden_previous: Vec<bool>,
}

/// The relations that tie the set's counts: each wijk and gemeente is the sum of its parts.
fn relations(set: &AreaCache) -> Vec<Relation> {
    let mut out = vec![];
    for &w in set.level(AreaLevel::Wijk) {
        out.push(Relation {
            total: w,
            parts: set.parts(w).to_vec(),
        });
    }
    for &g in set.level(AreaLevel::Gemeente) {
        let code = &set.areas[g].code;
        out.push(Relation {
            total: g,
            parts: set
                .level(AreaLevel::Wijk)
                .iter()
                .copied()
                .filter(|&w| code.contains(&set.areas[w].code))
                .collect(),
        });
        // And directly of its buurten (the gemeente's own sum), in case it has no wijken.
        out.push(Relation {
            total: g,
            parts: set.parts(g).to_vec(),
        });
    }
    out
}

impl AreaView {
    /// The view of `who` on `set` with the selection's sums.
    pub fn new(set: &AreaCache, sums: &OffenceSums, who: &Principal) -> AreaView {
        let n = set.areas.len();
        let visible: Vec<bool> = set.areas.iter().map(|a| sees_area(who, a)).collect();
        if !who.suppresses_small_counts() {
            return AreaView {
                visible,
                hidden: vec![false; n],
                hidden_previous: vec![false; n],
            };
        }
        let exempt: Vec<bool> = set
            .areas
            .iter()
            .map(|a| a.level != AreaLevel::Gemeente && who.sees_detail_of(&a.code))
            .collect();
        let omitted: Vec<bool> = visible.iter().map(|v| !v).collect();
        let rel = relations(set);
        let (current, previous) = sums.counts(set);
        AreaView {
            hidden: disclosure::suppress_with(&current, &exempt, &omitted, &rel),
            hidden_previous: disclosure::suppress_with(&previous, &exempt, &omitted, &rel),
            visible,
        }
    }

    /// Blanks what is hidden in an area's figures.
    pub fn apply(&self, i: usize, f: &mut Figures) {
        if self.hidden[i] {
            hide(f);
        }
        if self.hidden_previous[i] {
            f.previous_count = None;
            f.change_pct = None;
            f.previous_suppressed = true;
        }
    }
}

/// Blanks a hidden count and what is derived from it (rate, rank, change).
pub fn hide(f: &mut Figures) {
    f.count = None;
    f.rate_per_1000 = None;
    f.rank = None;
    f.change_pct = None;
    f.suppressed = true;
}

impl OffenceSums {
    /// Every area's count now and before, by the roll-up rule.
    pub fn counts(&self, set: &AreaCache) -> (Vec<Option<i64>>, Vec<Option<i64>>) {
        (0..set.areas.len())
            .map(|i| {
                let input = self.input(set, i);
                (count_of(input.current), count_of(input.previous))
            })
            .unzip()
    }
}

/// Hides small counts in one series that sums to a shown total (months of a period, crime
/// types, outcomes) for an aggregate-only viewer; returns which entries are hidden.
pub fn suppress_series(total: Option<i64>, parts: &[Option<i64>]) -> Vec<bool> {
    let values: Vec<Option<i64>> = std::iter::once(total)
        .chain(parts.iter().copied())
        .collect();
    let r = Relation {
        total: 0,
        parts: (1..values.len()).collect(),
    };
    let hidden = disclosure::suppress(&values, &vec![false; values.len()], &[r]);
    hidden[1..].to_vec()
}

/// Hides small entries of a list whose total is shown beside it (outcomes, E33 months): all
/// of them when the total itself is small, otherwise as [`suppress_series`].
pub fn suppress_list(counts: &[Option<i64>]) -> Vec<bool> {
    let total: i64 = counts.iter().flatten().sum();
    if disclosure::is_small(Some(total)) {
        vec![true; counts.len()]
    } else {
        suppress_series(Some(total), counts)
    }
}

/// Whether a share discloses few cases: its numerator, its denominator or their difference
/// (those not counted) is 1 to 4.
pub fn share_of_few(v: &crate::analysis::indicators::YearValue) -> bool {
    match (v.numerator, v.denominator) {
        (Some(n), Some(d)) => [n, d, d - n]
            .into_iter()
            .any(|x| disclosure::is_small(Some(x))),
        (_, Some(d)) => disclosure::is_small(Some(d)),
        _ => v.n.is_some_and(|n| disclosure::is_small(Some(n))),
    }
}
