//! Geometry building blocks shared by ingest, analysis, the server and the commands: the
//! metric frame, the area index with its point-in-polygon rule, the parallel point-counting
//! kernel, and contiguity. Plain functions on geometry: no I/O, and nothing from the modules
//! above (`ingest`, `store`, `http`, `report`, `importer`, `analysis`, `commands`).

pub mod contiguity;
pub mod count;
pub mod frame;
pub mod index;
pub mod pip;
pub mod topology;
