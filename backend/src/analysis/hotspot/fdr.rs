//! Benjamini–Hochberg false discovery rate correction.
//!
//! Gi* tests every area at once; at 95 % confidence about 1 in 20 areas would be flagged by
//! chance alone. BH (1995) controls the expected share of false discoveries among the flagged
//! areas instead. ArcGIS's Hot Spot Analysis offers the same correction ("Apply False Discovery
//! Rate (FDR) Correction"); here it is on by default.
//!
//! [`bh_adjust`] returns BH-adjusted p-values ("q-values"): area *i* is significant at FDR
//! level α exactly when `q[i] <= α`, which is the same set the step-up procedure picks (the
//! largest rank k with p₍ₖ₎ ≤ k·α/m, and every smaller p), for every α at once.
//!
//! ```
//! use wijkveilig::analysis::hotspot::fdr::bh_adjust;
//! let q = bh_adjust(&[0.01, 0.04, 0.03, 0.20]);
//! // Sorted p·m/rank: 0.04, 0.06, 0.0533, 0.20; each q is the minimum from its rank up.
//! let third = 0.04 * 4.0 / 3.0;
//! assert!((q[0] - 0.04).abs() < 1e-12);
//! assert!((q[1] - third).abs() < 1e-12 && (q[2] - third).abs() < 1e-12);
//! assert!((q[3] - 0.20).abs() < 1e-12);
//! ```

/// BH-adjusted p-values, in the input order. NaN p-values are left NaN and not counted in m.
pub fn bh_adjust(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len() as f64;
    let mut q = vec![f64::NAN; p.len()];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        // p · (m / rank) rather than p · m / rank: the factor is ≥ 1, so rounding never
        // pushes q below p.
        running = running.min(p[i] * (m / (rank + 1) as f64));
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_step_up_procedure() {
        // Benjamini & Hochberg (1995), worked example of 15 p-values: at α = 0.05 the
        // step-up procedure rejects the 4 smallest.
        let p = [
            0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
            0.5719, 0.6528, 0.7590, 1.0000,
        ];
        let q = bh_adjust(&p);
        let rejected = q.iter().filter(|&&q| q <= 0.05).count();
        assert_eq!(rejected, 4);
        assert!((q[3] - 0.0095 * 15.0 / 4.0).abs() < 1e-12);
        assert!(
            q.windows(2).all(|w| w[0] <= w[1]),
            "monotone for sorted input"
        );
    }

    #[test]
    fn never_below_raw_p_and_capped_at_one() {
        let p = [0.9, 0.5, 0.99, f64::NAN];
        let q = bh_adjust(&p);
        for i in 0..3 {
            assert!(q[i] >= p[i] && q[i] <= 1.0);
        }
        assert!(q[3].is_nan());
    }
}
