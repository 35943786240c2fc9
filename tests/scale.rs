//! Incidents at scale (issue #12, part 4), on both stores: the per-buurt, per-month, per-type
//! aggregates equal a GROUP BY over the points after an import, a re-import (upsert by id,
//! also moving an id to another gemeente and year), a replaced file, new boundaries and a
//! rolled-back import; ids stay unique; on PostgreSQL rows land in their gemeente/year
//! partition and a read for one gemeente and month range touches only its partitions.

mod common;

use common::TestDb;
use geo::InteriorPoint;
use std::path::Path;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::{Backend, Store};

type CountRow = (String, String, i64, String, i64);

/// The aggregates as stored, and the same figures counted over the points.
async fn counts(store: &Store) -> (Vec<CountRow>, Vec<CountRow>) {
    let stored: Vec<CountRow> = sqlx::query_as(
        "SELECT gemeente, buurt_code, CAST(month_index AS BIGINT), crime_type, CAST(n AS BIGINT) FROM incident_counts \
         ORDER BY 1, 2, 3, 4",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let points: Vec<CountRow> = sqlx::query_as(
        "SELECT gemeente, COALESCE(buurt_code, ''), CAST(month_index AS BIGINT), crime_type, CAST(COUNT(*) AS BIGINT) \
         FROM incidents GROUP BY gemeente, COALESCE(buurt_code, ''), month_index, crime_type ORDER BY 1, 2, 3, 4",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    (stored, points)
}

async fn assert_aggregates_match(store: &Store, when: &str) {
    let (stored, points) = counts(store).await;
    assert!(!points.is_empty(), "{when}: no incidents");
    assert_eq!(
        stored, points,
        "{when}: incident_counts differs from the points"
    );
    let types: Vec<(String, i64)> = sqlx::query_as(
        "SELECT crime_type, CAST(n AS BIGINT) FROM incident_type_counts ORDER BY crime_type",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let by_type: Vec<(String, i64)> = sqlx::query_as(
        "SELECT crime_type, CAST(COUNT(*) AS BIGINT) FROM incidents GROUP BY crime_type ORDER BY crime_type",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(types, by_type, "{when}: incident_type_counts differs");
    let (rows, ids): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT id) AS BIGINT) FROM incidents",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(rows, ids, "{when}: an id is stored twice");
    assert_eq!(
        store.table_count("incidents").await.unwrap(),
        rows,
        "{when}: the incident count read from the aggregates"
    );
}

/// A point inside each of the first buurt of every gemeente of the Twente file, by code.
fn twente_points(file: &Path) -> Vec<(String, f64, f64)> {
    let text = std::fs::read_to_string(file).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    let mut out: Vec<(String, f64, f64)> = Vec::new();
    for f in fc.features {
        let code = f
            .property("code")
            .and_then(|v| v.as_str())
            .unwrap()
            .to_string();
        if out.iter().any(|(c, _, _)| c[..6] == code[..6]) {
            continue;
        }
        let g: geo::Geometry<f64> = f.geometry.unwrap().try_into().unwrap();
        let p = g.interior_point().unwrap();
        out.push((code, p.x(), p.y()));
    }
    out
}

fn write(path: &Path, lines: &[String]) {
    let mut text = String::from("id,time,crime_type,lon,lat\n");
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

async fn import(store: &Store, kind: ImportKind, file: &Path) {
    import_file(store, kind, file, &ImportOptions::default())
        .await
        .unwrap_or_else(|e| panic!("import {}: {e}", file.display()));
}

async fn aggregates_follow_every_change(db: &TestDb, twente: &Path) {
    let store = Store::connect(&db.url).await.unwrap();
    import(&store, ImportKind::Areas, twente).await;
    let spots = twente_points(twente);
    assert!(spots.len() >= 10, "Twente has 14 gemeenten");
    let dir = tempfile::tempdir().unwrap();
    let types = ["1.1.1", "1.2.3", "2.5.1"];
    // 300 incidents over the gemeenten, two years and three types, and two outside Twente
    // (just across the German border: outside every buurt but near, so kept; a point far
    // from every area, such as Amsterdam's, is refused since #13).
    let mut first: Vec<String> = (0..300)
        .map(|i| {
            let (_, lon, lat) = &spots[i % spots.len()];
            let year = 2022 + (i / 14) % 2;
            let month = 1 + (i / 3) % 12;
            format!(
                "i{i:04},{year}-{month:02}-{:02}T{:02}:15,{},{lon},{lat}",
                1 + i % 28,
                i % 24,
                types[i % 3]
            )
        })
        .collect();
    first.push("x1,2023-06-01T10:00,1.1.1,7.2,52.3".into());
    first.push("x2,2022-06-01T10:00,1.2.3,7.2,52.3".into());
    let a = dir.path().join("incidents-a.csv");
    write(&a, &first);
    import(&store, ImportKind::Incidents, &a).await;
    assert_aggregates_match(&store, "after an import").await;
    assert_eq!(store.table_count("incidents").await.unwrap(), 302);

    // Another file upserts 24 of the same ids in another gemeente, year and type, and adds one.
    let (_, lon, lat) = &spots[1];
    let second: Vec<String> = (0..25)
        .map(|i| format!("i{:04},2024-02-03T04:05,2.5.1,{lon},{lat}", i * 13))
        .collect();
    let b = dir.path().join("incidents-b.csv");
    write(&b, &second);
    import(&store, ImportKind::Incidents, &b).await;
    assert_aggregates_match(&store, "after a re-import (upsert by id)").await;
    assert_eq!(store.table_count("incidents").await.unwrap(), 303);
    let (moved_to,): (String,) =
        sqlx::query_as("SELECT gemeente FROM incidents WHERE id = 'i0013'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(moved_to, format!("GM{}", &spots[1].0[2..6]));

    // The first file again: it replaces what it brought earlier, and takes its 24 ids back.
    import(&store, ImportKind::Incidents, &a).await;
    assert_aggregates_match(&store, "after the same file again").await;
    assert_eq!(store.table_count("incidents").await.unwrap(), 303);

    // New boundaries re-assign every point (the same file: every point stays put).
    import(&store, ImportKind::Areas, twente).await;
    assert_aggregates_match(&store, "after new boundaries").await;

    // A rolled-back import: rows written and counted inside the transaction leave no trace,
    // and neither does the partition it made.
    let before = counts(&store).await;
    let mut tx = store
        .begin_import("incidents", "rolled-back.csv", false)
        .await
        .unwrap();
    let batch: Vec<_> = (0..50)
        .map(|i| {
            let at = time::macros::datetime!(2019-05-06 07:08:09);
            (
                wijkveilig::domain::Incident {
                    id: format!("i{i:04}"),
                    time: at,
                    crime_type: "9.9.9".into(),
                    location: geo::Point::new(spots[2].1, spots[2].2),
                },
                Some(spots[2].0.clone()),
            )
        })
        .collect();
    tx.insert_incidents(&batch).await.unwrap();
    tx.all_points().await.unwrap(); // writes the buffered rows inside the transaction
    tx.rollback().await.unwrap();
    assert_eq!(counts(&store).await, before, "after a rolled-back import");
    assert_aggregates_match(&store, "after a rolled-back import").await;
    // A dry run likewise.
    let r = import_file(
        &store,
        ImportKind::Incidents,
        &b,
        &ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(r.dry_run);
    assert_eq!(counts(&store).await, before, "after a dry run");

    if store.backend() == Backend::Postgres {
        partitions_and_pruning(&store, &spots[0].0).await;
    }
    store.close().await;
}

/// Every row is in the partition of its gemeente and year (or the default one), and a read
/// for one gemeente and month range plans only that gemeente's partitions of those years.
async fn partitions_and_pruning(store: &Store, buurt: &str) {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT CAST(tableoid::regclass AS TEXT), gemeente, CAST(month_index / 12 AS BIGINT) FROM incidents",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut partitions = std::collections::BTreeSet::new();
    for (partition, gemeente, year) in &rows {
        let expected = if gemeente.is_empty() {
            "incidents_default".to_string()
        } else {
            format!("incidents_{}_{year}", gemeente.to_lowercase())
        };
        assert_eq!(partition, &expected);
        partitions.insert(partition.clone());
    }
    assert!(partitions.len() > 20, "{partitions:?}");
    assert!(partitions.contains("incidents_default"));
    let gemeente = format!("GM{}", &buurt[2..6]);
    let g = gemeente.to_lowercase();
    // The store's own query (Store::incidents), with its binds: 2023-03 .. 2023-08.
    let sql = "SELECT id, time, crime_type, lon, lat, buurt_code FROM incidents \
               WHERE month_index BETWEEN $1 AND $2 AND gemeente = $3 ORDER BY time, id";
    let months = (2023 * 12 + 2, 2023 * 12 + 7);
    let scanned = planned_partitions(store, sql, months, &gemeente).await;
    assert_eq!(scanned, vec![format!("incidents_{g}_2023")]);
    // A year boundary inside the range: that gemeente's two years, nothing else.
    let sql =
        "SELECT lon, lat FROM incidents WHERE month_index BETWEEN $1 AND $2 AND gemeente = $3";
    let months = (2022 * 12 + 6, 2023 * 12 + 5);
    let scanned = planned_partitions(store, sql, months, &gemeente).await;
    assert_eq!(
        scanned,
        vec![format!("incidents_{g}_2022"), format!("incidents_{g}_2023")]
    );
}

/// The partitions in the plan of `sql` for a month range and gemeente ($1, $2, $3), sorted.
async fn planned_partitions(
    store: &Store,
    sql: &str,
    months: (i64, i64),
    gemeente: &str,
) -> Vec<String> {
    let plan: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
        .bind(months.0)
        .bind(months.1)
        .bind(gemeente.to_string())
        .fetch_all(store.pool())
        .await
        .unwrap();
    let plan: String = plan.into_iter().map(|(l,)| l + "\n").collect();
    let scanned: std::collections::BTreeSet<String> = plan
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("incidents_gm") || *w == "incidents_default")
        .map(|w| w.trim_end_matches("_pkey").to_string())
        .collect();
    eprintln!("{plan}");
    scanned.into_iter().collect()
}

#[tokio::test]
async fn incident_aggregates_and_partitions_follow_every_change() {
    let Some(twente) = common::shared_data("twente-buurten-2021.geojson") else {
        return;
    };
    for db in TestDb::both().await {
        aggregates_follow_every_change(&db, &twente).await;
        db.cleanup().await;
    }
}

/// Migration 0005 on a database that already holds incidents, on both stores: each gets its
/// gemeente (on PostgreSQL: its partition) and is counted in the aggregates.
#[tokio::test]
async fn migration_moves_and_counts_existing_incidents() {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    for db in TestDb::both().await {
        let postgres = db.url.starts_with("postgres");
        let url = if postgres {
            db.url.clone()
        } else {
            format!("{}?mode=rwc", db.url)
        };
        let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
        let migrator = if postgres {
            sqlx::migrate!("../migrations/postgres")
        } else {
            sqlx::migrate!("../migrations/sqlite")
        };
        // The schema as migrations 0001-0004 left it, with three incidents in it.
        for m in migrator.iter().filter(|m| m.version < 5) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql.as_str().to_string()))
                .execute(&mut c)
                .await
                .unwrap();
        }
        sqlx::raw_sql(
            "INSERT INTO imports (id, kind, source, imported_at, rows) VALUES (1, 'incidents', 'old.csv', '', 3); \
             INSERT INTO incidents (id, time, month_index, crime_type, lon, lat, buurt_code, import_id) VALUES \
             ('a', '2023-01-02T03:04:05', 24276, '1.1.1', 6.66, 52.36, 'BU01410101', 1), \
             ('b', '2022-12-02T03:04:05', 24275, '1.1.1', 6.66, 52.36, 'BU01410101', 1), \
             ('c', '2022-12-02T03:04:05', 24275, '1.2.3', 4.9, 52.37, NULL, 1)",
        )
        .execute(&mut c)
        .await
        .unwrap();
        let m5 = migrator.iter().find(|m| m.version == 5).unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(m5.sql.as_str().to_string()))
            .execute(&mut c)
            .await
            .unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, gemeente FROM incidents ORDER BY id")
                .fetch_all(&mut c)
                .await
                .unwrap();
        let gemeenten: Vec<(String, String)> = [("a", "GM0141"), ("b", "GM0141"), ("c", "")]
            .map(|(i, g)| (i.to_string(), g.to_string()))
            .to_vec();
        assert_eq!(rows, gemeenten);
        let counts: Vec<(String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT gemeente, buurt_code, CAST(month_index AS BIGINT), crime_type, CAST(n AS BIGINT) \
             FROM incident_counts ORDER BY 1, 2, 3, 4",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert_eq!(
            counts,
            vec![
                ("".into(), "".into(), 24275, "1.2.3".into(), 1),
                (
                    "GM0141".into(),
                    "BU01410101".into(),
                    24275,
                    "1.1.1".into(),
                    1
                ),
                (
                    "GM0141".into(),
                    "BU01410101".into(),
                    24276,
                    "1.1.1".into(),
                    1
                ),
            ]
        );
        let n: Vec<(String, i64)> = sqlx::query_as(
            "SELECT crime_type, CAST(n AS BIGINT) FROM incident_type_counts ORDER BY 1",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert_eq!(n, vec![("1.1.1".into(), 2), ("1.2.3".into(), 1)]);
        if postgres {
            let partitions: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, CAST(tableoid::regclass AS TEXT) FROM incidents ORDER BY id",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            let expected: Vec<(String, String)> = [
                ("a", "incidents_gm0141_2023"),
                ("b", "incidents_gm0141_2022"),
                ("c", "incidents_default"),
            ]
            .map(|(i, p)| (i.to_string(), p.to_string()))
            .to_vec();
            assert_eq!(partitions, expected);
            let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM incident_keys")
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(keys, 3);
        }
        drop(c);
        db.cleanup().await;
    }
}
