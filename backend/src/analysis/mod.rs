//! Figures computed from domain values: rates, change, hotspot statistics, KDE, coverage and
//! indicators. Pure functions, tested on small hand-checked cases.
