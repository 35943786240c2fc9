//! Mann-Kendall trend test (Mann 1945; Kendall 1975; as in Gilbert 1987, §16.4): is a series
//! going up or down, without assuming a shape for the trend? Emerging hotspot analysis runs it
//! on each area's Gi* z-scores over time, as ArcGIS does.
//!
//! S = Σ_{i<j} sign(xⱼ − xᵢ); with tie groups of sizes tₖ,
//! Var(S) = [n(n−1)(2n+5) − Σ tₖ(tₖ−1)(2tₖ+5)] / 18;
//! Z = (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, 0 otherwise (continuity correction);
//! p from the normal distribution. The normal approximation is rough below n ≈ 10; exact
//! tables are not used.
//!
//! ```
//! use wijkveilig::analysis::hotspot::mann_kendall::mann_kendall;
//! let mk = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
//! assert_eq!(mk.s, 10.0);
//! ```

use super::HotspotError;
use crate::analysis::stats::{normal_sf, two_sided_p};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    pub s: f64,
    pub var_s: f64,
    pub z: f64,
    /// Two-sided p-value (trend in either direction).
    pub p: f64,
    /// One-sided p-value in the direction of S.
    pub p_one_sided: f64,
}

impl MannKendall {
    /// +1 for a significant upward trend at level `alpha` (two-sided), −1 downward, 0 none.
    pub fn direction(&self, alpha: f64) -> i8 {
        if self.p > alpha {
            0
        } else if self.z > 0.0 {
            1
        } else {
            -1
        }
    }
}

/// Mann-Kendall test of a series in time order. Needs at least 3 finite values.
pub fn mann_kendall(x: &[f64]) -> Result<MannKendall, HotspotError> {
    if x.len() < 3 {
        return Err(HotspotError::TooFew {
            needed: 3,
            got: x.len(),
        });
    }
    if let Some(index) = x.iter().position(|v| !v.is_finite()) {
        return Err(HotspotError::NonFinite { index });
    }
    let n = x.len();
    let mut s = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            s += match x[j].partial_cmp(&x[i]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut k = 0;
    while k < n {
        let mut m = k + 1;
        while m < n && sorted[m] == sorted[k] {
            m += 1;
        }
        let t = (m - k) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        k = m;
    }
    let nf = n as f64;
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let s = s as f64;
    let z = if var_s <= 0.0 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else if s < 0.0 {
        (s + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    Ok(MannKendall {
        s,
        var_s,
        z,
        p: two_sided_p(z),
        p_one_sided: normal_sf(z.abs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example_with_a_tie() {
        // "A Mann-Kendall example by hand" (Little, Holy Cross): 14 values, one tied pair
        // (12.9). S = 54, V = 14·13·33/18 − 2·1·9/18 = 332.667, Z = 53/√V = 2.9058, one-sided
        // p ≈ 0.0018 from the normal table.
        let x = [
            12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7,
        ];
        let mk = mann_kendall(&x).unwrap();
        assert_eq!(mk.s, 54.0);
        assert!((mk.var_s - (14.0 * 13.0 * 33.0 - 18.0) / 18.0).abs() < 1e-12);
        assert!((mk.z - 2.9058).abs() < 1e-4, "{}", mk.z);
        assert!((mk.p_one_sided - 0.0018).abs() < 1e-4, "{}", mk.p_one_sided);
        assert!((mk.p - 2.0 * mk.p_one_sided).abs() < 1e-15);
        assert_eq!(mk.direction(0.10), 1);
    }

    #[test]
    fn decreasing_constant_and_short_series() {
        let mk = mann_kendall(&[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap();
        assert_eq!(mk.s, -10.0);
        // Var = 5·4·15/18 = 16.667; Z = −9/√16.667 = −2.2045.
        assert!((mk.z + 9.0 / (300.0f64 / 18.0).sqrt()).abs() < 1e-12);
        assert_eq!(mk.direction(0.05), -1);
        let flat = mann_kendall(&[2.0, 2.0, 2.0, 2.0]).unwrap();
        assert_eq!((flat.s, flat.var_s, flat.z, flat.p), (0.0, 0.0, 0.0, 1.0));
        assert!(mann_kendall(&[1.0, 2.0]).is_err());
    }
}
