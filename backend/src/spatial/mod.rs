//! Geometry building blocks shared by ingest, analysis and the server: the metric frame,
//! the area index with its point-in-polygon rule, and contiguity. Plain functions, no I/O
//! beyond reading point files for the join command.

pub mod contiguity;
pub mod frame;
pub mod index;
pub mod pip;
pub mod point_join;
