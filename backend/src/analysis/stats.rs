//! Small numerical building blocks shared by the hotspot statistics: the normal distribution's
//! tail probabilities and a seeded pseudo-random generator.
//!
//! They live here rather than in a dependency because p-values are compared with PySAL's to
//! 1e-6, so the tail function must be accurate far out in the tail, and permutation tests must
//! be reproducible from a seed on every platform (no `rand` crate whose streams change between
//! versions).
//!
//! ```
//! use wijkveilig::analysis::stats::{normal_sf, two_sided_p};
//! assert!((normal_sf(1.959963984540054) - 0.025).abs() < 1e-12);
//! assert!((two_sided_p(-1.959963984540054) - 0.05).abs() < 1e-12);
//! ```

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Complementary error function, accurate to about 1e-15 absolute (and relative in the
/// upper tail, where it is computed by continued fraction rather than as `1 - erf`).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x > 27.0 {
        return 0.0;
    }
    if x < 2.5 {
        // erf(x) = 2/√π · e^{-x²} · Σ (2x²)^n x / (1·3·…·(2n+1)): all terms positive, so no
        // cancellation inside the sum.
        let x2 = 2.0 * x * x;
        let (mut term, mut sum, mut n) = (x, x, 0.0);
        while term > sum * 1e-17 {
            n += 1.0;
            term *= x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - 2.0 / PI.sqrt() * (-x * x).exp() * sum;
    }
    // erfc(x) = e^{-x²}/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))), evaluated with Lentz's method.
    let tiny = 1e-300;
    let mut f = x;
    let (mut c, mut d) = (f, 0.0);
    for k in 1..500 {
        let a = k as f64 / 2.0;
        d = x + a * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = x + a / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / PI.sqrt() / f
}

/// Standard normal cumulative distribution Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * FRAC_1_SQRT_2)
}

/// Upper tail 1 − Φ(z), without the cancellation of computing it as `1 - normal_cdf(z)`.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z * FRAC_1_SQRT_2)
}

/// Two-sided p-value of a z-score: 2 · (1 − Φ(|z|)).
pub fn two_sided_p(z: f64) -> f64 {
    (2.0 * normal_sf(z.abs())).min(1.0)
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator with a fixed, documented
/// output stream, so that a seed reproduces a permutation test exactly.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..n` (Lemire's multiply-shift; the bias is below 2⁻³² for the
    /// n of a few thousand areas, negligible next to 999 permutations).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tails_match_reference_values() {
        // Reference values from scipy.stats.norm (double precision).
        let cases = [
            (0.0, 0.5),
            (1.0, 0.15865525393145707),
            (1.959963984540054, 0.025),
            (2.5, 0.006209665325776132),
            (3.0, 0.0013498980316300933),
            (5.0, 2.866515718791933e-07),
            (8.0, 6.22096057427174e-16),
        ];
        for (z, sf) in cases {
            let got = normal_sf(z);
            assert!(
                (got - sf).abs() <= 1e-15 + 1e-12 * sf,
                "sf({z}) = {got}, want {sf}"
            );
            assert!((normal_cdf(-z) - sf).abs() <= 1e-15 + 1e-12 * sf);
        }
        assert!((normal_cdf(1.0) - 0.8413447460685429).abs() < 1e-15);
        assert!((two_sided_p(-1.6448536269514722) - 0.1).abs() < 1e-14);
    }

    #[test]
    fn erfc_is_continuous_where_the_method_switches() {
        let below = erfc(2.5 - 1e-12);
        let above = erfc(2.5);
        assert!((below - above).abs() < 1e-14, "{below} vs {above}");
    }

    #[test]
    fn splitmix_is_reproducible_and_roughly_uniform() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[a.below(10)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
    }
}
