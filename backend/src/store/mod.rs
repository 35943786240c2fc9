//! The only module that speaks SQL. One interface, two backends: an embedded SQLite file
//! (WAL mode) by default, or PostgreSQL shared by several stateless server instances.
//!
//! Queries are written once in the SQL both engines accept, with `$n` placeholders, and run
//! through sqlx's `Any` driver; aggregates are cast to BIGINT/DOUBLE PRECISION because
//! PostgreSQL would otherwise return NUMERIC.

mod audit;
mod cameras;
mod imports;
mod incidents;
mod indicators;
mod queries;
mod sessions;
mod users;

pub use audit::{AuditAnchor, AuditRow};
pub use imports::{ImportLock, ImportTx, LockAttempt};
pub use incidents::gemeente_of;
pub use indicators::*;
pub use queries::*;
pub use users::{UserRow, account_changes};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL '{0}': use sqlite://path or postgres://user@host/db")]
    UnsupportedUrl(String),
    // The detail is part of the message, not a `source`: said once, also in a chain.
    #[error("database error: {0}")]
    Sql(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("{0}")]
    Conflict(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Sql(e)
    }
}

impl StoreError {
    /// The database was busy with another writer (an import holds SQLite's write lock, a
    /// PostgreSQL lock could not be had in time, or no connection was free): worth retrying.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Sql(sqlx::Error::PoolTimedOut) => true,
            StoreError::Sql(sqlx::Error::Database(e)) => {
                let code = e.code();
                let code = code.as_deref().unwrap_or("");
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with extended codes;
                // PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
                matches!(code, "5" | "6" | "55P03" | "40P01" | "40001")
                    || code
                        .parse::<i32>()
                        .is_ok_and(|c| c & 0xff == 5 || c & 0xff == 6)
                    || e.message().contains("database is locked")
            }
            _ => false,
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool to the configured database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Serialises audit-trail appends of this process (see `audit_append`).
    audit_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// Commits of this process that changed the data generation (imports, camera changes). The
/// service may reuse a generation it read a moment ago while this count stands still: a change
/// made here is then seen at once, one made by another process within that moment.
static LOCAL_COMMITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// See [`LOCAL_COMMITS`].
pub fn local_commits() -> u64 {
    LOCAL_COMMITS.load(std::sync::atomic::Ordering::SeqCst)
}

fn committed() {
    LOCAL_COMMITS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

impl Store {
    /// Connects, creating a SQLite file if needed, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, None).await
    }

    /// [`Store::connect`] with at most `pool_size` connections (default: 4 for SQLite, whose
    /// writers take turns anyway, and 8 for PostgreSQL).
    pub async fn connect_with(url: &str, pool_size: Option<u32>) -> Result<Store> {
        install_default_drivers();
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = if path.contains("mode=") {
                format!("sqlite://{path}")
            } else {
                format!("sqlite://{path}{sep}mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::UnsupportedUrl(crate::config::redact_url(url)));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(
                pool_size
                    .unwrap_or(if backend == Backend::Sqlite { 4 } else { 8 })
                    .max(1),
            )
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets the server read while an import writes; foreign keys make
                        // deleting an import cascade to its rows.
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&pool).await?,
        }
        Ok(Store {
            pool,
            backend,
            audit_lock: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A number that changes with every committed import, so server instances sharing one
    /// database know when to rebuild their in-memory area index.
    pub async fn generation(&self) -> Result<i64> {
        let v: Option<(String,)> =
            sqlx::query_as("SELECT value FROM meta WHERE key = 'generation'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.and_then(|(s,)| s.parse().ok()).unwrap_or(0))
    }

    /// Whether nothing has been imported yet (the server then loads the demo).
    pub async fn is_empty(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM imports")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    /// Whether the data served is the built-in synthetic demo.
    pub async fn is_demo(&self) -> Result<bool> {
        let mut c = self.pool.acquire().await?;
        is_demo_on(&mut c).await
    }

    /// Starts an import: one transaction in which the earlier import of the same kind and
    /// source is replaced.
    pub async fn begin_import(&self, kind: &str, source: &str, is_demo: bool) -> Result<ImportTx> {
        ImportTx::begin(self, kind, source, is_demo).await
    }
}

/// [`Store::is_demo`] on a connection already held.
async fn is_demo_on(c: &mut sqlx::AnyConnection) -> Result<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM imports WHERE is_demo = 1")
            .fetch_one(&mut *c)
            .await?;
    Ok(n > 0)
}

/// The current time as RFC 3339 (UTC), as every `*_at` column stores it.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
