//! Configuration, kept apart from serving: where the database is, where to listen, which
//! basemap to offer. Read once at start-up from flags and the environment.

use std::net::SocketAddr;

/// The default embedded database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://wijkveilig.db";

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path` or `postgres://…`, from `DATABASE_URL`.
    pub database_url: String,
    pub addr: SocketAddr,
    /// An optional MapLibre style URL for a basemap (e.g. PDOK BRT vector tiles). Without it
    /// the map draws on a plain background and needs no network.
    pub basemap_style_url: Option<String>,
}
