//! Hotspot statistics: where incidents cluster more (hot) or less (cold) than chance would
//! give, and how that changes over time.
//!
//! - [`gistar`]: Getis-Ord Gi* per area, with analytic and permutation p-values, matching
//!   PySAL's `esda.G_Local(star=True, transform="B")` and ArcGIS's Gi_Bin classes.
//! - [`fdr`]: Benjamini–Hochberg false discovery rate correction, on by default, because
//!   testing every buurt at once would otherwise flag chance clusters.
//! - [`ebayes`]: empirical Bayes smoothing of rates, so a buurt with 40 inhabitants and two
//!   incidents does not top the map.
//! - [`mann_kendall`] and [`emerging`]: trend test and ArcGIS-style emerging hotspot categories.
//!
//! All functions are pure and work on slices indexed like the areas of the
//! [`Weights`](crate::spatial::contiguity::Weights).

pub mod ebayes;
pub mod emerging;
pub mod fdr;
pub mod gistar;
pub mod mann_kendall;

/// Why a statistic could not be computed for the given input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HotspotError {
    #[error("{values} values given for {areas} areas")]
    LengthMismatch { values: usize, areas: usize },
    #[error("value {index} is not a finite number")]
    NonFinite { index: usize },
    #[error("population {index} is negative or not a finite number")]
    BadPopulation { index: usize },
    #[error("at least {needed} areas or time steps are needed, got {got}")]
    TooFew { needed: usize, got: usize },
    #[error("all values are equal, so there is no clustering to test")]
    ConstantValues,
    #[error("the values sum to zero (Gi* is a share of the total)")]
    ZeroSum,
    #[error(
        "{steps} permutation draws are more than the limit of {limit}; ask for fewer permutations or a coarser level"
    )]
    TooMuchWork { steps: u64, limit: u64 },
}
