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

/// A URL as it may be printed or logged: a password in it is replaced by `***`
/// (`postgres://wv:***@db/wijkveilig`).
///
/// ```
/// use wijkveilig::config::redact_url;
/// assert_eq!(redact_url("postgres://wv:s3cret@db:5432/x"), "postgres://wv:***@db:5432/x");
/// assert_eq!(redact_url("sqlite://wijkveilig.db"), "sqlite://wijkveilig.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                url.to_string()
            }
        }
        None => url.to_string(),
    }
}
