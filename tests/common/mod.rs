//! Shared test set-up: fresh databases of both kinds, an in-process server on a real port,
//! and the path of the real CBS data beside the repository.
#![allow(dead_code)]

pub mod mvt;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use wijkveilig::auth::Role;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
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
/// The password of the accounts tests make.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// Makes an account (once per database) for a test.
pub async fn ensure_user(store: &Store, name: &str, role: Role, wijken: &[&str]) {
    if store.user(name).await.unwrap().is_none() {
        let wijken: Vec<String> = wijken.iter().map(|w| w.to_string()).collect();
        wijkveilig::auth::users::add(
            store,
            &wijkveilig::auth::Principal::local_admin(),
            name,
            role,
            &wijken,
            TEST_PASSWORD,
        )
        .await
        .unwrap();
    }
}

/// A client with its own cookie jar, signed in as `name` (made with [`ensure_user`]).
pub async fn sign_in(base: &str, name: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({"username": name, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204, "signing in as {name}");
    client
}

static CLIENTS: std::sync::LazyLock<std::sync::Mutex<Vec<(String, reqwest::Client)>>> =
    std::sync::LazyLock::new(Default::default);

/// Starts a server on `store` and signs a beheerder in; [`client`] and [`get`] then act as
/// that administrator for URLs of this server.
pub async fn serve(store: Store) -> String {
    ensure_user(&store, "test-beheerder", Role::Beheerder, &[]).await;
    let base = serve_anonymous(store).await;
    let client = sign_in(&base, "test-beheerder").await;
    CLIENTS.lock().unwrap().push((base.clone(), client));
    base
}

/// Starts a server on `store` without signing anyone in.
pub async fn serve_anonymous(store: Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = wijkveilig::server_state(store, None);
    tokio::spawn(async move { wijkveilig::http::serve(listener, state).await.unwrap() });
    format!("http://{addr}")
}

/// The signed-in administrator's client of the server `url` belongs to.
pub fn client(url: &str) -> reqwest::Client {
    CLIENTS
        .lock()
        .unwrap()
        .iter()
        .find(|(base, _)| url.starts_with(base.as_str()))
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| panic!("no signed-in client for {url}: start the server with serve()"))
}

/// `GET url` as the signed-in administrator.
pub async fn get(url: String) -> reqwest::Result<reqwest::Response> {
    client(&url).get(url).send().await
}

/// A TCP port free at the moment of asking, for a server process a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn write(dir: &std::path::Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

pub fn square(code: &str, name: &str, x: f64, y: f64, population: i64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}","population":{population}}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
        x1 = x + 0.01,
        y1 = y + 0.01
    )
}

/// A small town (the API tests' fixture): wijk WK999901 with two buurten, wijk WK999902 with one.
pub async fn small_town(store: &Store, dir: &std::path::Path) {
    let areas = format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{},{},{}]}}"#,
        square("BU99990101", "Markt", 6.60, 52.30, 2000),
        square("BU99990102", "Haven", 6.61, 52.30, 500),
        square("BU99990201", "Veld", 6.62, 52.30, 1000),
        r#"{"type":"Feature","properties":{"code":"WK999901","name":"Centrum"},"geometry":{"type":"Polygon","coordinates":[[[6.6,52.3],[6.62,52.3],[6.62,52.31],[6.6,52.31],[6.6,52.3]]]}}"#,
        r#"{"type":"Feature","properties":{"code":"WK999902","name":"Buiten"},"geometry":{"type":"Polygon","coordinates":[[[6.62,52.3],[6.63,52.3],[6.63,52.31],[6.62,52.31],[6.62,52.3]]]}}"#,
    );
    let mut offences = String::from(
        "WijkenEnBuurten,SoortMisdrijf,SoortMisdrijf_label,Perioden,GeregistreerdeMisdrijven_1\n",
    );
    for (code, base) in [("BU99990101", 10), ("BU99990102", 2), ("BU99990201", 4)] {
        for year in [2022, 2023] {
            for month in 1..=12 {
                let burglary = base + if year == 2023 { 2 } else { 0 };
                let bikes = month % 3;
                offences.push_str(&format!(
                    "{code},1.1.1,Diefstal/inbraak woning,{year}MM{month:02},{burglary}\n"
                ));
                // Bike theft in Haven is withheld in 2023: unknown, not zero.
                let bikes = if code == "BU99990102" && year == 2023 {
                    String::new()
                } else {
                    bikes.to_string()
                };
                offences.push_str(&format!(
                    "{code},1.2.3,Diefstal van brom-/snor-/fietsen,{year}MM{month:02},{bikes}\n"
                ));
                offences.push_str(&format!(
                    "{code},0.0.0,Totaal misdrijven,{year}MM{month:02},{}\n",
                    burglary + month % 3
                ));
            }
        }
    }
    let files = [
        (ImportKind::Areas, write(dir, "areas.geojson", areas.as_bytes())),
        (ImportKind::Offences, write(dir, "offences.csv", offences.as_bytes())),
        (
            ImportKind::Cameras,
            write(dir, "cameras.csv", b"id,name,lon,lat,radius_m,status,installed\nc1,Amaliaplein,6.605,52.305,60,active,2019-01-01\nc2,Stadion,6.625,52.305,100,planned,\nc3,Buiten de stad,6.7,52.4,50,active,\n"),
        ),
        (
            ImportKind::Enforcement,
            write(dir, "enforcement.csv", b"id,date,lon,lat,domain,outcome\nh1,2023-02-01,6.605,52.305,building,compliance_without_sanction\nh2,2023-03-01,6.606,52.304,public_space,warning\nh3,2023-03-05,6.604,52.303,public_space,compliance_without_sanction\nh4,2021-03-05,6.604,52.303,public_space,criminal_report\n"),
        ),
        (
            ImportKind::Initiatives,
            write(dir, "initiatives.csv", b"id,name,kind,lon,lat,start_date,end_date,members\nbp1,Buurtpreventie Markt,foot_patrol,6.605,52.305,2019-05-01,,14\n"),
        ),
        (
            ImportKind::Incidents,
            write(dir, "incidents.csv", b"id,time,crime_type,lon,lat\ni1,2023-04-01T22:15,1.1.1,6.605,52.305\ni2,2023-05-01T01:00,1.2.3,6.615,52.305\ni3,2022-05-01T01:00,1.2.3,6.615,52.305\n"),
        ),
        (ImportKind::E33, write(dir, "e33.csv", b"area,period,count,with_fitting_care\nBU99990101,2023-04,3,2\n")),
    ];
    for (kind, path) in files {
        import_file(store, kind, &path, &ImportOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
