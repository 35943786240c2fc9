//! Global empirical Bayes smoothing of rates (Marshall 1991), as PySAL's
//! `esda.smoothing.Empirical_Bayes`.
//!
//! A raw rate events/population is noisy where the population is small: two incidents among
//! 40 residents is 50 per 1,000. EB shrinks each rate towards the global rate, the more so the
//! smaller its population:
//!
//! - global rate m = Σe / Σb; prior variance s² = Σ bᵢ(rᵢ − m)² / Σb − m / mean(b);
//! - weight wᵢ = s² / (s² + m / bᵢ); smoothed rᵢ* = wᵢ·rᵢ + (1 − wᵢ)·m.
//!
//! Two choices differ from PySAL, which would produce NaN or negative weights here:
//! a negative prior variance (rates vary less than Poisson noise alone would make them) is
//! truncated to 0, as Marshall prescribes, so every rate becomes m; an area with population 0
//! gets m (weight 0).
//!
//! ```
//! use wijkveilig::analysis::hotspot::ebayes::empirical_bayes;
//! let eb = empirical_bayes(&[2.0, 30.0, 40.0], &[40.0, 3_000.0, 5_000.0]).unwrap();
//! // The small area's 50 per 1,000 is pulled most of the way towards the global 8.6.
//! assert!(eb.raw[0] * 1000.0 == 50.0 && eb.rates[0] * 1000.0 < 20.0);
//! ```

use super::HotspotError;

/// Smoothed rates, per person (multiply by 1,000 for rates per 1,000).
#[derive(Debug, Clone, PartialEq)]
pub struct EbRates {
    pub rates: Vec<f64>,
    /// events / population, NaN where the population is 0.
    pub raw: Vec<f64>,
    /// Σ events / Σ population.
    pub global_rate: f64,
    /// Between-area variance of the true rates, after truncation at 0.
    pub prior_variance: f64,
}

pub fn empirical_bayes(events: &[f64], population: &[f64]) -> Result<EbRates, HotspotError> {
    if events.len() != population.len() {
        return Err(HotspotError::LengthMismatch {
            values: events.len(),
            areas: population.len(),
        });
    }
    if events.is_empty() {
        return Err(HotspotError::TooFew { needed: 1, got: 0 });
    }
    if let Some(index) = events.iter().position(|e| !e.is_finite()) {
        return Err(HotspotError::NonFinite { index });
    }
    if let Some(index) = population.iter().position(|b| !b.is_finite() || *b < 0.0) {
        return Err(HotspotError::BadPopulation { index });
    }
    let e_sum: f64 = events.iter().sum();
    let b_sum: f64 = population.iter().sum();
    if b_sum <= 0.0 {
        return Err(HotspotError::BadPopulation { index: 0 });
    }
    let m = e_sum / b_sum;
    let raw: Vec<f64> = events
        .iter()
        .zip(population)
        .map(|(&e, &b)| if b > 0.0 { e / b } else { f64::NAN })
        .collect();
    let spread: f64 = raw
        .iter()
        .zip(population)
        .filter(|(_, b)| **b > 0.0)
        .map(|(r, b)| b * (r - m) * (r - m))
        .sum::<f64>()
        / b_sum;
    let b_mean = b_sum / population.len() as f64;
    let prior_variance = (spread - m / b_mean).max(0.0);
    let rates = raw
        .iter()
        .zip(population)
        .map(|(&r, &b)| {
            if b <= 0.0 || prior_variance == 0.0 {
                return m;
            }
            let w = prior_variance / (prior_variance + m / b);
            w * r + (1.0 - w) * m
        })
        .collect();
    Ok(EbRates {
        rates,
        raw,
        global_rate: m,
        prior_variance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pysal_empirical_bayes() {
        // esda 2.9.0: Empirical_Bayes(e, b).r for these inputs (prior variance > 0, so no
        // truncation is involved).
        let e = [0.0, 2.0, 15.0, 1.0, 30.0, 4.0, 12.0];
        let b = [50.0, 300.0, 2000.0, 80.0, 1500.0, 900.0, 3000.0];
        let want = [
            0.006957354778382942,
            0.007402172039303569,
            0.007584284109349644,
            0.00911934160742198,
            0.018106221470215584,
            0.005343731338040538,
            0.004363256792220491,
        ];
        let eb = empirical_bayes(&e, &b).unwrap();
        for (got, want) in eb.rates.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        assert!((eb.prior_variance - 2.8579700500253634e-05).abs() < 1e-18);
    }

    #[test]
    fn small_populations_shrink_more() {
        let eb = empirical_bayes(
            &[1.0, 100.0, 10.0, 60.0],
            &[10.0, 10_000.0, 5_000.0, 3_000.0],
        )
        .unwrap();
        let pull = |i: usize| (eb.raw[i] - eb.rates[i]).abs() / (eb.raw[i] - eb.global_rate).abs();
        assert!(pull(0) > pull(3), "{} vs {}", pull(0), pull(3));
    }

    #[test]
    fn homogeneous_rates_and_empty_areas_fall_back_to_the_global_rate() {
        // Identical rates: the prior variance is negative before truncation.
        let eb = empirical_bayes(&[1.0, 2.0, 0.0], &[100.0, 200.0, 0.0]).unwrap();
        assert_eq!(eb.prior_variance, 0.0);
        assert!(eb.rates.iter().all(|&r| (r - 0.01).abs() < 1e-15));
        assert!(eb.raw[2].is_nan());
        assert!(matches!(
            empirical_bayes(&[1.0], &[-1.0]),
            Err(HotspotError::BadPopulation { index: 0 })
        ));
    }
}
