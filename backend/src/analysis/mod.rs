//! Figures computed from domain values: rates, change, hotspot statistics, KDE, coverage and
//! indicators. Pure functions, tested on small hand-checked cases.

pub mod budget;
pub mod coverage;
pub mod crosswalk;
pub mod disclosure;
pub mod figures;
pub mod hotspot;
pub mod indicators;
pub mod kde;
pub mod patrol;
pub mod stats;
