//! wijkveilig joins police offence counts and municipal safety registrations to CBS
//! neighbourhoods, and serves the figures to a map dashboard.
//!
//! Data flows one way: [`ingest`] parses files into [`domain`] values, [`store`] persists them
//! (SQLite or PostgreSQL), [`analysis`] computes figures, and [`http`] serves them.
//! [`spatial`] holds the geometry building blocks shared by all of them.

pub mod analysis;
pub mod config;
pub mod demo;
pub mod domain;
pub mod http;
pub mod importer;
pub mod ingest;
pub mod report;
pub mod spatial;
pub mod store;
