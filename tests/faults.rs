//! Faults around imports, on SQLite and PostgreSQL: points far outside every area, a second
//! import while one runs, UI saves during a large import, and `kill -9` of the importing
//! process at several moments. Each asserts what the database holds afterwards.

mod common;

use common::TestDb;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wijkveilig::importer::{ImportError, ImportKind, ImportOptions, import_file};
use wijkveilig::store::{Backend, LockAttempt, Store};

const BIN: &str = env!("CARGO_BIN_EXE_wijkveilig");

/// Whether PostgreSQL answers; the tests that need it skip with a message when it does not.
async fn postgres_up() -> bool {
    use sqlx::Connection;
    match sqlx::PgConnection::connect(&common::pg_admin_url()).await {
        Ok(c) => {
            let _ = c.close().await;
            true
        }
        Err(e) => {
            eprintln!(
                "SKIPPED on PostgreSQL: {} is unreachable ({e}); start it with pg_ctlcluster",
                common::pg_admin_url()
            );
            false
        }
    }
}

async fn both_stores() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite()];
    if postgres_up().await {
        dbs.push(TestDb::postgres().await);
    }
    dbs
}

/// `wijkveilig import ...` against `url`: success and stdout + stderr.
fn run_import(url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("import")
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn count(store: &Store, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

/// Incidents in Almelo (GM0141) in the real 2021 buurten: two in the centre, one swapped,
/// one zero/zero, one in Enschede (outside every buurt, but near: a note as before).
const ALMELO_INCIDENTS: &str = "id,time,crime_type,lon,lat\n\
    a1,2023-04-01T22:15,1.1.1,6.6625,52.3570\n\
    a2,2023-05-01T01:00,1.2.3,52.3570,6.6625\n\
    a3,2023-05-02T01:00,1.2.3,6.6640,52.3560\n\
    a4,2023-05-03T01:00,1.2.3,0,0\n\
    a5,2023-05-04T01:00,1.2.3,6.8930,52.2215\n";

#[tokio::test]
async fn far_out_points_are_refused_with_line_and_cause_and_dropped_with_repair() {
    let Some(areas) = common::shared_data("almelo-buurten.geojson") else {
        return;
    };
    for db in both_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let (ok, text) = run_import(&db.url, &["areas", areas.to_str().unwrap()]);
        assert!(ok, "{text}");
        let file = common::write(dir.path(), "incidents.csv", ALMELO_INCIDENTS.as_bytes());

        let (ok, text) = run_import(&db.url, &["incidents", file.to_str().unwrap()]);
        println!("{}: refused:\n{text}", db.url);
        assert!(!ok, "{text}");
        assert!(
            text.contains("2 problems in")
                && text.contains("incidents.csv, line 3, field 'lon/lat'"),
            "{text}"
        );
        assert!(
            text.contains("swapped: 6.6625, 52.357 lies within the imported areas"),
            "{text}"
        );
        assert!(
            text.contains("line 5") && text.contains("zero/zero"),
            "{text}"
        );
        assert!(text.contains("--repair"), "{text}");
        assert!(
            !text.contains("line 6"),
            "the Enschede point is near: {text}"
        );
        let store = Store::connect(&db.url).await.unwrap();
        assert_eq!(count(&store, "SELECT COUNT(*) FROM incidents").await, 0);
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM imports WHERE kind = 'incidents'"
            )
            .await,
            0
        );

        let (ok, text) = run_import(&db.url, &["incidents", file.to_str().unwrap(), "--repair"]);
        println!("{}: with --repair:\n{text}", db.url);
        assert!(ok, "{text}");
        assert!(text.contains("imported incidents: 3 rows"), "{text}");
        assert!(
            text.contains("dropped 2 incidents more than 25 km outside every area (--repair)")
                && text.contains("dropped line 3 (id a2)")
                && text.contains("dropped line 5 (id a4)"),
            "{text}"
        );
        assert!(
            text.contains("1 of 3 incidents lie outside every buurt"),
            "{text}"
        );
        let ids: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT id, buurt_code FROM incidents ORDER BY id")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert_eq!(
            ids.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            ["a1", "a3", "a5"]
        );
        assert!(ids[0].1.as_deref().is_some_and(|b| b.starts_with("BU0141")));
        assert_eq!(ids[2].1, None);
        let (notes,): (Option<String>,) =
            sqlx::query_as("SELECT notes FROM imports WHERE kind = 'incidents'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(notes.unwrap_or_default().contains("dropped line 3 (id a2)"));

        // The same rule for cameras: a swapped camera is refused, with its line.
        let cams = common::write(
            dir.path(),
            "cameras.csv",
            b"id,name,lon,lat,radius_m,status\nc1,Centrum,6.6625,52.3570,50,active\nc2,Omgedraaid,52.3570,6.6625,50,active\n",
        );
        let (ok, text) = run_import(&db.url, &["cameras", cams.to_str().unwrap()]);
        assert!(
            !ok && text.contains("cameras.csv, line 3") && text.contains("swapped"),
            "{text}"
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM cameras").await, 0);
        store.close().await;
        db.cleanup().await;
    }
}

/// A small town's buurten (the API tests' fixture) as an area file.
fn town_areas(dir: &Path) -> PathBuf {
    let areas = format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
        common::square("BU99990101", "Markt", 6.60, 52.30, 2000),
        common::square("BU99990102", "Haven", 6.61, 52.30, 500),
        common::square("BU99990201", "Veld", 6.62, 52.30, 1000),
    );
    common::write(dir, "areas.geojson", areas.as_bytes())
}

/// `n` incidents spread over the town (and a few just outside it), ids `{prefix}{i}`.
fn incidents_file(dir: &Path, name: &str, prefix: &str, n: usize, seed: u64) -> PathBuf {
    let mut text = String::from("id,time,crime_type,lon,lat\n");
    let types = ["1.1.1", "1.2.3", "2.5.1", "3.7.4"];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..n {
        let lon = 6.598 + next() * 0.034;
        let lat = 52.298 + next() * 0.014;
        let month = 1 + (i % 12);
        let year = 2021 + (i / 12) % 3;
        let t = types[i % types.len()];
        text.push_str(&format!(
            "{prefix}{i},{year}-{month:02}-15T12:00,{t},{lon:.6},{lat:.6}\n"
        ));
    }
    std::fs::create_dir_all(dir).unwrap();
    common::write(dir, name, text.as_bytes())
}

#[tokio::test]
async fn a_second_import_is_told_another_import_is_running() {
    for db in both_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let areas = town_areas(dir.path());
        let (ok, text) = run_import(&db.url, &["areas", areas.to_str().unwrap()]);
        assert!(ok, "{text}");
        let file = incidents_file(dir.path(), "incidents.csv", "i", 200, 1);

        // Another import holds the lock (here: this process). On PostgreSQL that is the
        // import lock, held from the start of an import; on SQLite the write lock, held by an
        // import while it writes.
        let store = Store::connect(&db.url).await.unwrap();
        let (lock, held_tx) = match store.backend() {
            Backend::Postgres => match store.lock_imports().await.unwrap() {
                LockAttempt::Acquired(lock) => (Some(lock), None),
                LockAttempt::Held(who) => panic!("the lock of a fresh database is held: {who}"),
            },
            Backend::Sqlite => {
                let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
                sqlx::query("UPDATE meta SET value = value WHERE key = 'generation'")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                (None, Some(tx))
            }
        };
        let started = Instant::now();
        let (ok, text) = run_import(&db.url, &["incidents", file.to_str().unwrap()]);
        println!(
            "{}: while another import runs ({} ms): {text}",
            db.url,
            started.elapsed().as_millis()
        );
        assert!(!ok, "{text}");
        assert!(
            text.contains("another import is running") && text.contains("nothing was imported"),
            "{text}"
        );
        assert!(!text.contains("database is locked"), "{text}");
        // In-process the same, as a typed error.
        let e = import_file(
            &store,
            ImportKind::Incidents,
            &file,
            &ImportOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ImportError::Busy(_)), "{e}");
        if let Some(tx) = held_tx {
            tx.rollback().await.unwrap();
        }
        if let Some(lock) = lock {
            lock.release().await.unwrap();
        }
        assert_eq!(count(&store, "SELECT COUNT(*) FROM incidents").await, 0);
        let (ok, text) = run_import(&db.url, &["incidents", file.to_str().unwrap()]);
        assert!(ok, "{text}");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM incidents").await, 200);

        // Two processes at once: each either imports or is told another import runs.
        let files: Vec<PathBuf> = (0..2)
            .map(|k| {
                incidents_file(
                    &dir.path().join(format!("p{k}")),
                    &format!("incidents-{k}.csv"),
                    &format!("p{k}-"),
                    20_000,
                    k,
                )
            })
            .collect();
        let children: Vec<_> = files
            .iter()
            .map(|f| {
                Command::new(BIN)
                    .args(["import", "incidents", f.to_str().unwrap()])
                    .env("DATABASE_URL", &db.url)
                    .env("RUST_LOG", "error")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut imported = 0;
        for c in children {
            let out = c.wait_with_output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            println!("{}: concurrent import: {}", db.url, text.trim());
            if out.status.success() {
                imported += 1;
            } else {
                assert!(text.contains("another import is running"), "{text}");
            }
            assert!(!text.contains("locked"), "{text}");
        }
        assert!(imported >= 1);
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM incidents").await,
            200 + 20_000 * imported
        );
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn camera_saves_during_a_large_import_succeed_or_are_told_to_retry() {
    for db in both_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&db.url).await.unwrap();
        let areas = town_areas(dir.path());
        import_file(&store, ImportKind::Areas, &areas, &ImportOptions::default())
            .await
            .unwrap();
        let file = incidents_file(dir.path(), "incidents.csv", "big", 60_000, 7);
        let base = common::serve(store.clone()).await;
        let client = common::client(&base);

        let importer = Store::connect(&db.url).await.unwrap();
        let started = Instant::now();
        let import = tokio::spawn(async move {
            let r = import_file(
                &importer,
                ImportKind::Incidents,
                &file,
                &ImportOptions::default(),
            )
            .await;
            (r.map(|r| r.rows).map_err(|e| e.to_string()), Instant::now())
        });
        let mut outcomes = Vec::new();
        let mut k = 0;
        while !import.is_finished() || k < 3 {
            k += 1;
            let t = Instant::now();
            let r = client
                .post(format!("{base}/api/cameras"))
                .json(&serde_json::json!({
                    "id": format!("ui-{k}"), "name": format!("Camera {k}"),
                    "lon": 6.605, "lat": 52.305, "radius_m": 50.0, "status": "planned"
                }))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            outcomes.push((k, t.duration_since(started), status, t.elapsed(), body));
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        let (rows, import_done) = import.await.unwrap();
        assert_eq!(rows, Ok(60_000), "the import itself succeeds");
        let during = outcomes
            .iter()
            .filter(|o| started + o.1 < import_done)
            .count();
        let mut ok = 0;
        for (k, at, status, took, body) in &outcomes {
            let phase = if started + *at < import_done {
                "during"
            } else {
                "after"
            };
            println!(
                "{}: save ui-{k} at {:>5} ms ({phase} the import): {status} in {} ms{}",
                store.backend().as_str(),
                at.as_millis(),
                took.as_millis(),
                if *status == 201 || *status == 200 {
                    String::new()
                } else {
                    format!(" - {body}")
                }
            );
            assert!(
                matches!(status, 200 | 201 | 503),
                "save ui-{k}: {status} {body}"
            );
            if *status == 503 {
                assert!(body.contains("try again"), "{body}");
            } else {
                ok += 1;
                assert!(store.camera(&format!("ui-{k}")).await.unwrap().is_some());
            }
            assert!(
                !body.contains("locked") && !body.contains("database error"),
                "{body}"
            );
        }
        println!(
            "{}: {} saves, {during} of them during the {} ms import, {ok} succeeded",
            store.backend().as_str(),
            outcomes.len(),
            import_done.duration_since(started).as_millis()
        );
        assert!(during >= 1, "no save ran while the import did");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM incidents").await,
            60_000
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// What the database holds of incidents, checked for consistency: the aggregates equal a
/// recount of the points, no row belongs to a missing import, the import's row count is
/// right, and (PostgreSQL) every incident has its key. Returns the incident ids' count.
async fn consistent_incidents(store: &Store) -> i64 {
    let n = count(store, "SELECT CAST(COUNT(*) AS BIGINT) FROM incidents").await;
    let counts: Vec<(String, String, i64, String, i64)> = sqlx::query_as(
        "SELECT gemeente, buurt_code, month_index, crime_type, CAST(n AS BIGINT) FROM incident_counts \
         ORDER BY gemeente, buurt_code, month_index, crime_type",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let recount: Vec<(String, String, i64, String, i64)> = sqlx::query_as(
        "SELECT gemeente, COALESCE(buurt_code, ''), month_index, crime_type, CAST(COUNT(*) AS BIGINT) \
         FROM incidents GROUP BY gemeente, COALESCE(buurt_code, ''), month_index, crime_type \
         ORDER BY gemeente, COALESCE(buurt_code, ''), month_index, crime_type",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(counts, recount, "incident_counts equal a recount");
    let types: Vec<(String, i64)> = sqlx::query_as(
        "SELECT crime_type, CAST(n AS BIGINT) FROM incident_type_counts ORDER BY crime_type",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let retype: Vec<(String, i64)> = sqlx::query_as(
        "SELECT crime_type, CAST(COUNT(*) AS BIGINT) FROM incidents GROUP BY crime_type ORDER BY crime_type",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(types, retype, "incident_type_counts equal a recount");
    assert_eq!(
        count(
            store,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM incidents WHERE import_id IS NOT NULL \
             AND import_id NOT IN (SELECT id FROM imports)"
        )
        .await,
        0,
        "orphan incidents"
    );
    let imports: Vec<(i64,)> =
        sqlx::query_as("SELECT CAST(rows AS BIGINT) FROM imports WHERE kind = 'incidents'")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(imports.len(), 1, "one incidents import");
    assert_eq!(imports[0].0, n, "the import's row count");
    if store.backend() == Backend::Postgres {
        assert_eq!(
            count(store, "SELECT CAST(COUNT(*) AS BIGINT) FROM incident_keys").await,
            n,
            "a key per incident"
        );
    }
    n
}

#[tokio::test]
async fn kill_9_during_an_import_leaves_the_old_or_the_new_data() {
    for db in both_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let areas = town_areas(dir.path());
        let (ok, text) = run_import(&db.url, &["areas", areas.to_str().unwrap()]);
        assert!(ok, "{text}");
        // The same file name: the second import replaces the first (half its ids recur).
        let old = incidents_file(&dir.path().join("old"), "incidents.csv", "k", 10_000, 3);
        let new = incidents_file(&dir.path().join("new"), "incidents.csv", "k", 150_000, 4);
        let (ok, text) = run_import(&db.url, &["incidents", old.to_str().unwrap()]);
        assert!(ok, "{text}");
        let store = Store::connect(&db.url).await.unwrap();
        assert_eq!(consistent_incidents(&store).await, 10_000);

        // Moments: a fixed delay after start (reading the file), the log line that says the
        // file is checked and writing begins, after the first batch of rows is written (not
        // yet committed), and a little after that.
        let moments: [(&str, Option<&str>, u64); 5] = [
            ("50 ms after start", None, 50),
            ("when writing begins", Some("checked, writing"), 0),
            ("after the first rows are written", Some("wrote"), 0),
            ("150 ms after the first rows", Some("wrote"), 150),
            ("400 ms after start", None, 400),
        ];
        let mut outcomes = Vec::new();
        for (what, line, delay) in moments {
            let mut child = Command::new(BIN)
                .args(["import", "incidents", new.to_str().unwrap()])
                .env("DATABASE_URL", &db.url)
                .env("RUST_LOG", "info")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stderr = child.stderr.take().unwrap();
            if let Some(want) = line {
                let mut seen = false;
                for l in BufReader::new(stderr).lines() {
                    let l = l.unwrap();
                    if l.contains(want) {
                        seen = true;
                        break;
                    }
                }
                assert!(seen, "{what}: the import never logged '{want}'");
            } else {
                std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
            }
            std::thread::sleep(Duration::from_millis(delay));
            let finished = child.try_wait().unwrap().is_some();
            child.kill().unwrap();
            child.wait().unwrap();
            let n = consistent_incidents(&store).await;
            println!(
                "{}: kill -9 {what}: {n} incidents afterwards{}",
                store.backend().as_str(),
                if finished {
                    " (the import had finished)"
                } else {
                    ""
                }
            );
            assert!(n == 10_000 || n == 150_000, "{what}: {n} incidents");
            outcomes.push(n);
        }
        assert!(
            outcomes.contains(&10_000),
            "at least one kill came before the commit: {outcomes:?}"
        );
        // No stale lock: the next import runs at once and completes.
        let (ok, text) = run_import(&db.url, &["incidents", new.to_str().unwrap()]);
        assert!(ok, "the next import after the kills: {text}");
        assert_eq!(consistent_incidents(&store).await, 150_000);
        store.close().await;
        db.cleanup().await;
    }
}
