//! Shared test set-up: fresh databases of both kinds, an in-process server on a real port,
//! and the path of the real CBS data beside the repository.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use wijkveilig::store::Store;

/// `../shared/data`, or `None` (and a printed reason) when this checkout has no shared data.
pub fn shared_data(file: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(file);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (the real CBS data lives in ../shared/data beside the repo)",
            p.display()
        );
        None
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("WIJKVEILIG_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database for one test; PostgreSQL ones are dropped by [`TestDb::cleanup`].
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDb {
            url,
            pg_name: None,
            _dir: Some(dir),
        }
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("test.db"))
    }

    pub async fn postgres() -> TestDb {
        use sqlx::Connection;
        let name = format!(
            "wv_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is required on 127.0.0.1:5432 (start it with .ci/run's pg_ctlcluster line): {e}")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let base = pg_admin_url();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        TestDb {
            url,
            pg_name: Some(name),
            _dir: None,
        }
    }

    pub async fn both() -> Vec<TestDb> {
        vec![TestDb::sqlite(), TestDb::postgres().await]
    }

    pub async fn cleanup(self) {
        use sqlx::Connection;
        if let Some(name) = self.pg_name {
            let mut admin = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .unwrap();
        }
    }
}

/// Starts the real router on 127.0.0.1 with an OS-chosen port; returns its base URL.
pub async fn serve(store: Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = wijkveilig::server_state(store, None);
    tokio::spawn(async move { wijkveilig::http::serve(listener, state).await.unwrap() });
    format!("http://{addr}")
}

pub fn write(dir: &std::path::Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}
