//! Emerging hotspot analysis: how each area's Gi* class evolves over time steps (months or
//! years), following ArcGIS Pro's *Emerging Hot Spot Analysis* categories.
//!
//! Per time step, Gi* is computed over all areas ([`super::gistar`], FDR as configured); an
//! area is *hot* in a step when its Gi_Bin is positive (≥ 90 % confidence) and *cold* when
//! negative. The trend in its z-scores over time is a Mann-Kendall test at 90 %
//! ([`super::mann_kendall`]). With n steps, "90 % of the steps" means at least ⌈0.9·n⌉ steps
//! (all steps when n < 10). Rules for the hot variants, checked in this order (cold variants are
//! the mirror image, with hot and cold swapped and the trend reversed):
//!
//! 1. **Intensifying**: hot in ≥ 90 % of steps including the last, z rising significantly.
//! 2. **Diminishing**: hot in ≥ 90 % of steps including the last, z falling significantly.
//! 3. **Persistent**: hot in ≥ 90 % of steps including the last, no significant trend.
//! 4. **Historical**: hot in ≥ 90 % of steps, but not in the last.
//! 5. **Oscillating**: hot in the last step, fewer than 90 % hot, and cold in some earlier
//!    step. This is checked before *new* and *consecutive*: a flip from cold to hot is the
//!    more telling story (ArcGIS's own texts overlap here).
//! 6. **New**: hot in the last step only.
//! 7. **Consecutive**: an uninterrupted run of ≥ 2 hot steps ending in the last step, never
//!    hot before that run, fewer than 90 % hot.
//! 8. **Sporadic**: hot in the last step, hot on and off before, never cold.
//! 9. **None** otherwise (including areas whose last step is neither hot nor cold and which
//!    were not hot, or not cold, in 90 % of the steps).
//!
//! Hot categories are checked before cold ones; they cannot both match, as the last step
//! cannot be both, and ≥ 90 % hot leaves at most 10 % for cold.
//!
//! ```
//! use wijkveilig::analysis::hotspot::emerging::{Category, classify};
//! // Hot (1) only in the last of five steps: a new hot spot.
//! assert_eq!(classify(&[0, 0, 0, 0, 2], 0), (Category::New, true));
//! ```

use super::HotspotError;
use super::gistar::{GiStarOptions, gi_star};
use super::mann_kendall::mann_kendall;
use crate::spatial::contiguity::Weights;

/// ArcGIS emerging hotspot category; the `bool` next to it in results says hot (true) or
/// cold (false), and is meaningless for [`Category::None`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    None,
    New,
    Consecutive,
    Intensifying,
    Persistent,
    Diminishing,
    Sporadic,
    Oscillating,
    Historical,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmergingArea {
    pub category: Category,
    /// true for a hot spot category, false for cold (and for `None`).
    pub hot: bool,
    /// Gi_Bin per time step.
    pub bins: Vec<i8>,
    /// Gi* z-score per time step.
    pub z: Vec<f64>,
    /// Mann-Kendall trend of the z-scores: its Z and two-sided p.
    pub trend_z: f64,
    pub trend_p: f64,
}

/// Trend significance, as ArcGIS's 90 % for emerging hot spots.
pub const TREND_ALPHA: f64 = 0.10;

/// Emerging hotspot classes for `series[t][i]` = value of area i in time step t (oldest
/// first). Needs at least 3 steps (Mann-Kendall), and every step must be analysable by Gi*.
pub fn emerging_hotspots(
    series: &[Vec<f64>],
    w: &Weights,
    opts: &GiStarOptions,
) -> Result<Vec<EmergingArea>, HotspotError> {
    if series.len() < 3 {
        return Err(HotspotError::TooFew {
            needed: 3,
            got: series.len(),
        });
    }
    let total =
        super::gistar::permutation_steps(w, opts.permutations).saturating_mul(series.len() as u64);
    if total > crate::analysis::budget::MAX_STEPS {
        return Err(HotspotError::TooMuchWork {
            steps: total,
            limit: crate::analysis::budget::MAX_STEPS,
        });
    }
    let steps: Vec<_> = series
        .iter()
        .map(|v| gi_star(v, w, opts))
        .collect::<Result<_, _>>()?;
    (0..w.len())
        .map(|i| {
            let bins: Vec<i8> = steps.iter().map(|s| s.bin[i]).collect();
            let z: Vec<f64> = steps.iter().map(|s| s.z[i]).collect();
            let mk = mann_kendall(&z)?;
            let (category, hot) = classify(&bins, mk.direction(TREND_ALPHA));
            Ok(EmergingArea {
                category,
                hot,
                bins,
                z,
                trend_z: mk.z,
                trend_p: mk.p,
            })
        })
        .collect()
}

/// The category for one area's Gi_Bin series and the sign of its significant z trend
/// (+1, −1 or 0). Returns (category, hot).
pub fn classify(bins: &[i8], trend: i8) -> (Category, bool) {
    if let Some(c) = classify_one(bins, trend, 1) {
        return (c, true);
    }
    if let Some(c) = classify_one(bins, trend, -1) {
        return (c, false);
    }
    (Category::None, false)
}

/// Hot rules for `sign` = 1; the cold mirror for `sign` = −1.
fn classify_one(bins: &[i8], trend: i8, sign: i8) -> Option<Category> {
    let n = bins.len();
    if n == 0 {
        return None;
    }
    let is = |b: i8| b.signum() == sign;
    let opposite = |b: i8| b.signum() == -sign;
    let count = bins.iter().filter(|&&b| is(b)).count();
    let mostly = count * 10 >= 9 * n;
    let last = is(bins[n - 1]);
    let trend = trend * sign;
    if mostly {
        return Some(match (last, trend) {
            (true, 1) => Category::Intensifying,
            (true, -1) => Category::Diminishing,
            (true, _) => Category::Persistent,
            (false, _) => Category::Historical,
        });
    }
    if !last {
        return None;
    }
    let before = &bins[..n - 1];
    if before.iter().any(|&b| opposite(b)) {
        return Some(Category::Oscillating);
    }
    if count == 1 {
        return Some(Category::New);
    }
    let run = bins.iter().rev().take_while(|&&b| is(b)).count();
    if run >= 2 && run == count {
        return Some(Category::Consecutive);
    }
    Some(Category::Sporadic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_the_documented_rules() {
        use Category::*;
        let cases: [(&[i8], i8, (Category, bool)); 14] = [
            (&[0, 0, 0, 0, 0, 0, 0, 0, 0, 3], 0, (New, true)),
            (&[0, 0, 0, 0, 0, 0, 0, 2, 1, 3], 0, (Consecutive, true)),
            (&[1, 2, 2, 3, 3, 3, 3, 3, 3, 3], 1, (Intensifying, true)),
            (&[3, 3, 3, 3, 3, 3, 0, 3, 3, 3], 0, (Persistent, true)),
            (&[3, 3, 3, 3, 3, 2, 2, 1, 1, 1], -1, (Diminishing, true)),
            (&[0, 2, 0, 0, 1, 0, 0, 2, 0, 3], 0, (Sporadic, true)),
            (&[0, 2, 2, 0, 0, 0, 0, 0, 2, 3], 0, (Sporadic, true)),
            (&[-2, 0, 0, 0, 0, 0, 0, 0, 2, 3], 0, (Oscillating, true)),
            (&[3, 3, 3, 3, 3, 3, 3, 3, 3, 0], 0, (Historical, true)),
            (&[0, 0, 0, 0, 0, 0, 0, 0, 0, -1], 0, (New, false)),
            (
                &[-3, -3, -3, -3, -3, -3, -3, -3, -3, -3],
                -1,
                (Intensifying, false),
            ),
            (&[2, 0, 0, 0, 0, 0, 0, 0, 0, -2], 0, (Oscillating, false)),
            (&[0, 0, 3, 3, 0, 0, 0, 0, 0, 0], 0, (None, false)),
            (&[3, 3, 3], 0, (Persistent, true)),
        ];
        for (bins, trend, want) in cases {
            assert_eq!(classify(bins, trend), want, "{bins:?} trend {trend}");
        }
        // With fewer than 10 steps, "90 %" means every step.
        assert_eq!(classify(&[3, 0, 3, 3, 3], 0), (Category::Sporadic, true));
    }

    #[test]
    fn end_to_end_on_a_growing_cluster() {
        // 30 areas on a line; a cluster at the start that grows over 6 steps, background
        // values that vary so Gi* is defined.
        let n = 30;
        let w = Weights::from_neighbors(
            (0..n)
                .map(|i| {
                    let mut v = Vec::new();
                    if i > 0 {
                        v.push(i - 1);
                    }
                    if i + 1 < n {
                        v.push(i + 1);
                    }
                    v
                })
                .collect(),
        );
        let series: Vec<Vec<f64>> = (0..6)
            .map(|t| {
                (0..n)
                    .map(|i| {
                        let background = ((i * 7 + t * 3) % 5) as f64;
                        if i < 3 {
                            background + 10.0 + 8.0 * t as f64
                        } else {
                            background
                        }
                    })
                    .collect()
            })
            .collect();
        let out = emerging_hotspots(&series, &w, &GiStarOptions::default()).unwrap();
        assert_eq!(out.len(), n);
        assert!(out[1].bins.iter().all(|&b| b > 0), "{:?}", out[1].bins);
        assert_eq!(
            (out[1].category, out[1].hot),
            (Category::Intensifying, true),
            "{:?}",
            out[1]
        );
        assert_eq!(out[20].category, Category::None);
        assert!(emerging_hotspots(&series[..2], &w, &GiStarOptions::default()).is_err());
    }
}
