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

/// What one server takes on: open connections, request body size, and the host names it
/// answers for. Read from flags once; `http::limits` applies them.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// Open connections at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// The largest request body, bytes (the API takes small JSON bodies only).
    pub body_limit: usize,
    /// Host names (without port) the server answers for: a name, an address, or `.domain`
    /// for every name under it. Anything else is refused, so that a page on another site
    /// cannot reach a server on this machine by rebinding its own name to 127.0.0.1.
    pub allowed_hosts: Vec<String>,
}

/// Host names every server answers for: this machine.
pub const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 1_024,
            body_limit: 1 << 20,
            allowed_hosts: LOCAL_HOSTS.iter().map(|h| h.to_string()).collect(),
        }
    }
}

impl ServerLimits {
    /// Whether a request's `Host` (with or without port) is one this server answers for.
    ///
    /// ```
    /// use wijkveilig::config::ServerLimits;
    /// let mut l = ServerLimits::default();
    /// l.allowed_hosts.push(".almelo.nl".into());
    /// assert!(l.allows_host("127.0.0.1:8080"));
    /// assert!(l.allows_host("[::1]:8080"));
    /// assert!(l.allows_host("LOCALHOST"));
    /// assert!(l.allows_host("veiligheid.almelo.nl"));
    /// assert!(!l.allows_host("almelo.nl.evil.example"));
    /// assert!(!l.allows_host("rebind.evil.example:8080"));
    /// ```
    pub fn allows_host(&self, host: &str) -> bool {
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(""),
            None => host.rsplit_once(':').map_or(host, |(h, _)| h),
        }
        .trim_end_matches('.')
        .to_ascii_lowercase();
        self.allowed_hosts.iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a == "*" || a == name || (a.starts_with('.') && name.ends_with(&a))
        })
    }
}
