//! A command wires the building blocks together and owns its output and its report, so that
//! they stay free of each other: `spatial` reads no files and `ingest` locates nothing.

pub mod join;
