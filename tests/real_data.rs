//! Real CBS data for Almelo from ../shared/data, imported through the CLI's import path and
//! read back over HTTP, against SQLite and PostgreSQL.

mod common;

use common::{TestDb, serve, shared_data};
use serde_json::Value;
use std::collections::BTreeMap;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::Store;

async fn import(
    store: &Store,
    kind: ImportKind,
    file: &std::path::Path,
) -> wijkveilig::importer::ImportReport {
    import_file(store, kind, file, &ImportOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn get(base: &str, path: &str) -> Value {
    let r = common::get(format!("{base}{path}")).await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// Almelo's 2021 buurten (WGS84) and its yearly 2023 crime file, when ../shared/data has them.
fn almelo_yearly() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let files = (
        shared_data("almelo-buurten.geojson")?,
        shared_data("almelo-misdrijven-47018NED-2023.csv")?,
    );
    Some(files)
}

fn counts(fc: &Value) -> BTreeMap<String, Option<i64>> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["properties"]["count"].as_i64(),
            )
        })
        .collect()
}

#[tokio::test]
async fn almelo_2023_crime_population_and_wijken_on_both_stores() {
    let (Some(buurten), Some(wijken), Some(crime), Some(pop)) = (
        shared_data("almelo-buurten-rd.geojson"),
        shared_data("almelo-wijken.geojson"),
        shared_data("almelo-misdrijven-47018NED-2023.csv"),
        shared_data("almelo-bevolking-buurt-85984NED-2024.csv"),
    ) else {
        return;
    };
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let report = import(&store, ImportKind::Areas, &buurten).await;
        assert!(
            report.notes.iter().any(|n| n.contains("RD New")),
            "{report}"
        );
        assert_eq!(report.rows, 71);
        assert_eq!(import(&store, ImportKind::Areas, &wijken).await.rows, 12);
        let report = import(&store, ImportKind::Offences, &crime).await;
        assert_eq!(report.rows, 71);
        assert_eq!(import(&store, ImportKind::Population, &pop).await.rows, 71);
        let base = serve(store.clone()).await;

        let fc = get(&base, "/api/areas?level=buurt&from=2023&to=2023").await;
        let by_code = counts(&fc);
        assert_eq!(by_code.len(), 71);
        let total: i64 = by_code
            .values()
            .map(|c| c.expect("no Almelo buurt is withheld in 2023"))
            .sum();
        assert_eq!(total, 4_100);
        assert_eq!(by_code["BU01411000"], Some(645));
        let binnenstad = fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "BU01411000")
            .unwrap();
        assert_eq!(binnenstad["properties"]["name"], "Binnenstad Noord");
        assert_eq!(binnenstad["properties"]["rank"], 1);
        // Population from 85984NED (2024) replaces the boundary file's 2021 figure for all 71.
        assert_eq!(binnenstad["properties"]["population"], 2360);
        let with_population = fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["population"].is_i64())
            .count();
        assert_eq!(with_population, 71);
        let rate = binnenstad["properties"]["rate_per_1000"].as_f64().unwrap();
        assert!((rate - 645.0 * 1000.0 / 2360.0).abs() < 1e-9);
        // There is no 2022 data, so change is unknown rather than invented.
        assert!(binnenstad["properties"]["change_pct"].is_null());

        // Wijken have no rows of their own in this export: their counts are their buurten's.
        let wk = counts(&get(&base, "/api/areas?level=wijk&from=2023&to=2023").await);
        assert_eq!(wk.len(), 12);
        assert_eq!(wk.values().map(|c| c.unwrap()).sum::<i64>(), 4_100);

        let detail = get(&base, "/api/areas/BU01411000?from=2023&to=2023").await;
        assert_eq!(detail["figures"]["count"], 645);
        assert_eq!(detail["parent_code"], "WK014110");
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn rd_and_wgs84_files_give_the_same_buurten_and_join() {
    let (Some(rd), Some(wgs)) = (
        shared_data("almelo-buurten-rd.geojson"),
        shared_data("almelo-buurten.geojson"),
    ) else {
        return;
    };
    let a = wijkveilig::ingest::areas::read_areas(&rd, false)
        .await
        .unwrap();
    let b = wijkveilig::ingest::areas::read_areas(&wgs, false)
        .await
        .unwrap();
    assert!(!a.crs.detected && b.crs.detected);
    let codes = |f: &wijkveilig::ingest::areas::AreaFile| {
        f.areas
            .iter()
            .map(|x| x.code.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&a), codes(&b));
    assert_eq!(a.areas.len(), 71);
    // proj4rs and PROJ agree to well under a metre (1e-6 degree is about 7 cm here).
    for (x, y) in a.areas.iter().zip(&b.areas) {
        use geo::CoordsIter;
        for (p, q) in x.geometry.coords_iter().zip(y.geometry.coords_iter()) {
            assert!(
                (p.x - q.x).abs() < 1e-6 && (p.y - q.y).abs() < 1e-6,
                "{}: {p:?} vs {q:?}",
                x.code
            );
        }
    }
    let index_a = wijkveilig::spatial::index::AreaIndex::build(
        &a.areas
            .iter()
            .map(|x| x.geometry.clone())
            .collect::<Vec<_>>(),
    );
    let index_b = wijkveilig::spatial::index::AreaIndex::build(
        &b.areas
            .iter()
            .map(|x| x.geometry.clone())
            .collect::<Vec<_>>(),
    );
    // A deterministic grid of 40,000 points over Almelo's extent.
    use geo::BoundingRect;
    let extent =
        geo::MultiPolygon::new(b.areas.iter().flat_map(|x| x.geometry.0.clone()).collect())
            .bounding_rect()
            .unwrap();
    let (w, h) = (extent.width(), extent.height());
    let (mut same, mut inside) = (0, 0);
    for i in 0..200 {
        for j in 0..200 {
            let c = geo::Coord {
                x: extent.min().x + w * (i as f64 + 0.37) / 200.0,
                y: extent.min().y + h * (j as f64 + 0.61) / 200.0,
            };
            let (x, y) = (index_a.locate(c), index_b.locate(c));
            same += usize::from(x == y);
            inside += usize::from(x.is_some());
        }
    }
    assert_eq!(
        same, 40_000,
        "RD and WGS84 imports assign every grid point to the same buurt"
    );
    assert!(
        inside > 20_000,
        "most of the grid lies in Almelo ({inside})"
    );
}

#[tokio::test]
async fn aadorp_enclave_is_its_own_wijk() {
    let Some(wijken) = shared_data("almelo-wijken.geojson") else {
        return;
    };
    let file = wijkveilig::ingest::areas::read_areas(&wijken, false)
        .await
        .unwrap();
    assert_eq!(file.areas.len(), 12);
    let polygons: Vec<_> = file.areas.iter().map(|a| a.geometry.clone()).collect();
    let index = wijkveilig::spatial::index::AreaIndex::build(&polygons);
    let aadorp = file
        .areas
        .iter()
        .position(|a| a.code.as_str() == "WK014120")
        .unwrap();
    let noorder = file
        .areas
        .iter()
        .position(|a| a.code.as_str() == "WK014112")
        .unwrap();
    use geo::InteriorPoint;
    let inside_aadorp = polygons[aadorp].interior_point().unwrap();
    assert_eq!(index.locate(inside_aadorp.0), Some(aadorp));
    let inside_noorder = polygons[noorder].interior_point().unwrap();
    assert_eq!(index.locate(inside_noorder.0), Some(noorder));
    // Noorderkwartier has a hole exactly where Aadorp is.
    assert!(
        polygons[noorder]
            .0
            .iter()
            .any(|p| !p.interiors().is_empty())
    );
}

/// Little-endian WKB for a (Multi)Polygon, wrapped in a GeoPackage binary header, so the
/// test can write a real GeoPackage the way GDAL does.
fn gpkg_blob(g: &geo::Geometry<f64>, srs_id: i32) -> Vec<u8> {
    fn ring(out: &mut Vec<u8>, ls: &geo::LineString<f64>) {
        out.extend((ls.0.len() as u32).to_le_bytes());
        for c in &ls.0 {
            out.extend(c.x.to_le_bytes());
            out.extend(c.y.to_le_bytes());
        }
    }
    fn polygon(out: &mut Vec<u8>, p: &geo::Polygon<f64>) {
        out.push(1);
        out.extend(3u32.to_le_bytes());
        out.extend((1 + p.interiors().len() as u32).to_le_bytes());
        ring(out, p.exterior());
        for r in p.interiors() {
            ring(out, r);
        }
    }
    let mut out = b"GP".to_vec();
    out.push(0); // version
    out.push(0b0000_0001); // little-endian header, no envelope
    out.extend(srs_id.to_le_bytes());
    match g {
        geo::Geometry::Polygon(p) => polygon(&mut out, p),
        geo::Geometry::MultiPolygon(mp) => {
            out.push(1);
            out.extend(6u32.to_le_bytes());
            out.extend((mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                polygon(&mut out, p);
            }
        }
        other => panic!("unexpected geometry {other:?}"),
    }
    out
}

#[tokio::test]
async fn a_cbs_geopackage_in_rd_new_gives_the_same_buurten_as_geojson() {
    use sqlx::{ConnectOptions, Connection};
    let Some(rd) = shared_data("almelo-buurten-rd.geojson") else {
        return;
    };
    let source = wijkveilig::ingest::geojson::read_features(&rd).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gpkg = dir.path().join("wijkenbuurten_2021.gpkg");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&gpkg)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    for sql in [
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT)",
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992, '', '')",
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, srs_id INTEGER)",
        "INSERT INTO gpkg_contents VALUES ('buurten', 'features', 'buurten', 28992)",
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER)",
        "INSERT INTO gpkg_geometry_columns VALUES ('buurten', 'geom', 'MULTIPOLYGON', 28992, 0, 0)",
        "CREATE TABLE buurten (fid INTEGER PRIMARY KEY, geom BLOB, buurtcode TEXT, buurtnaam TEXT, gemeentecode TEXT, aantal_inwoners INTEGER)",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    for f in &source.features {
        sqlx::query("INSERT INTO buurten (geom, buurtcode, buurtnaam, gemeentecode, aantal_inwoners) VALUES ($1, $2, $3, 'GM0141', $4)")
            .bind(gpkg_blob(f.geometry.as_ref().unwrap(), 28992))
            .bind(f.text(&["code"]).unwrap())
            .bind(f.text(&["name"]).unwrap())
            .bind(f.number(&["population"]).unwrap().unwrap() as i64)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();

    let from_gpkg = wijkveilig::ingest::areas::read_areas(&gpkg, false)
        .await
        .unwrap();
    let from_json = wijkveilig::ingest::areas::read_areas(&rd, false)
        .await
        .unwrap();
    assert!(from_gpkg.crs.describe().contains("RD New") && !from_gpkg.crs.detected);
    assert_eq!(from_gpkg.areas.len(), 71);
    for (a, b) in from_gpkg.areas.iter().zip(&from_json.areas) {
        assert_eq!(
            (a.code.as_str(), a.name.as_str(), a.population),
            (b.code.as_str(), b.name.as_str(), b.population)
        );
        assert_eq!(a.geometry, b.geometry, "{}", a.code);
    }
    // And through the CLI's import path into a store.
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    assert_eq!(import(&store, ImportKind::Areas, &gpkg).await.rows, 71);
    store.close().await;
}

/// Twente's 517 buurten with Almelo's 2023 figures: the buurten of the other 13 gemeenten have
/// no data, which is "no data" (null, `no_data`), never 0, and they do not rank.
#[tokio::test]
async fn twente_with_almelo_figures_shows_no_data_not_zero() {
    let (Some(twente), Some(crime)) = (
        shared_data("twente-buurten-2021.geojson"),
        shared_data("almelo-misdrijven-47018NED-2023.csv"),
    ) else {
        eprintln!("skipped: ../shared/data lacks the Twente buurten or Almelo's crime file");
        return;
    };
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    assert_eq!(import(&store, ImportKind::Areas, &twente).await.rows, 517);
    import(&store, ImportKind::Offences, &crime).await;
    let base = serve(store.clone()).await;
    // Many gemeenten: by default the one with figures, named from the CBS list of 2021
    // (no gemeente polygon is imported); the chooser lists all 14.
    let meta = get(&base, "/api/meta").await;
    assert_eq!(meta["gemeente"]["code"], "GM0141");
    assert_eq!(meta["gemeente"]["name"], "Almelo");
    let names: Vec<&str> = meta["gemeenten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 14, "{names:?}");
    assert!(
        names.contains(&"Enschede") && names.contains(&"Hof van Twente"),
        "{names:?}"
    );
    let own = get(&base, "/api/areas?level=buurt&from=2023&to=2023").await;
    assert_eq!(own["features"].as_array().unwrap().len(), 71);
    let enschede = get(
        &base,
        "/api/areas?level=buurt&from=2023&to=2023&gemeente=GM0153",
    )
    .await;
    assert!(enschede["features"].as_array().unwrap().iter().all(|f| {
        f["properties"]["code"]
            .as_str()
            .unwrap()
            .starts_with("BU0153")
            && f["properties"]["status"] == "no_data"
    }));
    let meta = get(&base, "/api/meta?gemeente=GM0153").await;
    assert_eq!(meta["gemeente"]["name"], "Enschede");
    // The report is per gemeente, named from the CBS list; not for all at once.
    let report = get(&base, "/api/report?period=2023&gemeente=GM0153").await;
    assert_eq!(report["gemeente"]["name"], "Enschede");
    let r = common::get(format!("{base}/api/report?period=2023&gemeente=alle"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Every gemeente at once, when asked: the headline covers them all.
    let fc = get(
        &base,
        "/api/areas?level=buurt&from=2023&to=2023&gemeente=alle",
    )
    .await;
    assert_eq!(fc["summary"]["code"], "alle");
    assert_eq!(fc["summary"]["figures"]["count"], 4_100);
    // Its rate is over the population of the buurten with figures (Almelo's), not Twente's.
    let own_rate = own["summary"]["figures"]["rate_per_1000"].as_f64().unwrap();
    let all_rate = fc["summary"]["figures"]["rate_per_1000"].as_f64().unwrap();
    assert!(
        (own_rate - all_rate).abs() < 1e-9,
        "{own_rate} vs {all_rate}"
    );
    let features = fc["features"].as_array().unwrap();
    let (mut almelo, mut other) = (0, 0);
    for f in features {
        let p = &f["properties"];
        let code = p["code"].as_str().unwrap();
        if code.starts_with("BU0141") {
            almelo += 1;
            assert_eq!(p["status"], "value", "{code}");
            assert!(p["count"].as_i64().is_some(), "{code}");
        } else {
            other += 1;
            assert_eq!(p["status"], "no_data", "{code}: {p}");
            assert!(
                p["count"].is_null() && p["rank"].is_null(),
                "{code} is not 0: {p}"
            );
        }
    }
    assert_eq!(almelo, 71);
    assert_eq!(other, 517 - 71);
    // Hotspot statistics leave the buurten without figures out and list them; none is 0.
    let gi = get(&base, "/api/hotspots?from=2023&to=2023&gemeente=alle").await;
    assert_eq!(gi["features"].as_array().unwrap().len(), 71);
    let excluded = gi["excluded"].as_array().unwrap();
    assert_eq!(excluded.len(), 517 - 71);
    assert!(excluded.iter().all(|e| e["status"] == "no_data"
        && !e["code"].as_str().unwrap().starts_with("BU0141")));
    store.close().await;
    db.cleanup().await;
}

/// The national 2014 buurten (11,691 features, nulls and invalid polygons among them): with
/// `--repair` one run imports every usable buurt and lists the skipped ones; without it one
/// run lists all the problems (the first 100) instead of stopping at the first.
#[tokio::test]
async fn the_national_2014_file_imports_in_one_repair_run() {
    let Some(nl) = shared_data("nl-buurten-2014-coarse.geojson.gz") else {
        eprintln!("skipped: ../shared/data lacks nl-buurten-2014-coarse.geojson.gz");
        return;
    };
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let refused = import_file(&store, ImportKind::Areas, &nl, &ImportOptions::default())
        .await
        .unwrap_err()
        .to_string();
    let listed = refused.lines().filter(|l| l.starts_with("  - ")).count();
    assert!(
        refused.contains("problems in") && listed == 100,
        "{}",
        &refused[..300.min(refused.len())]
    );
    let report = import_file(
        &store,
        ImportKind::Areas,
        &nl,
        &ImportOptions {
            repair: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let skipped = report
        .notes
        .iter()
        .filter(|n| n.starts_with("skipped feature"))
        .count();
    assert_eq!(
        report.rows + skipped as i64,
        11_691,
        "every feature is imported or listed as skipped"
    );
    assert!(report.rows > 10_000, "{} buurten", report.rows);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("the geometry is null"))
    );
    store.close().await;
    db.cleanup().await;
}

/// Almelo's yearly 47018NED file: emerging hotspots step by year, and with one year of data
/// say so in a sentence instead of failing on an all-zero monthly series.
#[tokio::test]
async fn emerging_hotspots_on_yearly_data_say_why_not() {
    let Some((buurten, crime)) = almelo_yearly() else {
        return;
    };
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    import(&store, ImportKind::Areas, &buurten).await;
    import(&store, ImportKind::Offences, &crime).await;
    let base = serve(store.clone()).await;
    let r = common::get(format!("{base}/api/hotspots/emerging"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("at least 3 years")
            && message.contains("2023")
            && !message.contains("sum to zero"),
        "{message}"
    );
    store.close().await;
    db.cleanup().await;
}

/// Almelo's 2014 buurten, cut from the national 2014 file into a temporary GeoJSON.
fn almelo_2014(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let nl = shared_data("nl-buurten-2014-coarse.geojson.gz")?;
    let text = std::io::read_to_string(flate2::read::GzDecoder::new(
        std::fs::File::open(nl).unwrap(),
    ))
    .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let features: Vec<&Value> = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["properties"]["code"]
                .as_str()
                .unwrap()
                .starts_with("BU0141")
        })
        .collect();
    let out = dir.join("almelo-buurten-2014.geojson");
    std::fs::write(
        &out,
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    Some(out)
}

fn sum_of(fc: &Value) -> i64 {
    counts(fc).values().flatten().sum()
}

/// Almelo in two boundary years: the 2014 buurten (from the national 2014 file) beside the
/// 2021 ones are a set of their own, never mixed; 2023 figures (published on today's
/// buurten) are carried to the 2014 buurten through the crosswalk, marked as estimated, and
/// keep the gemeente's total; a count published on 2014 buurten carried to today's keeps it
/// too.
#[tokio::test]
async fn almelo_in_two_boundary_years_keeps_its_totals_through_the_crosswalk() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(buurten), Some(crime), Some(old)) = (
        shared_data("almelo-buurten.geojson"),
        shared_data("almelo-misdrijven-47018NED-2023.csv"),
        almelo_2014(dir.path()),
    ) else {
        eprintln!("skipped: ../shared/data lacks Almelo's buurten, crime file or the 2014 file");
        return;
    };
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        import(&store, ImportKind::Areas, &buurten).await;
        let report = import_file(
            &store,
            ImportKind::Areas,
            &old,
            &ImportOptions {
                repair: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("boundary year 2014: a set of its own beside 2021")),
            "{report}"
        );
        import(&store, ImportKind::Offences, &crime).await;
        let base = serve(store.clone()).await;

        let meta = get(&base, "/api/meta").await;
        assert_eq!(meta["boundary_years"], serde_json::json!([2021, 2014]));
        assert_eq!(meta["boundary_year"], 2021);
        assert_eq!(meta["gemeente"]["name"], "Almelo");

        // Today's boundaries: the published figures, nothing estimated, nothing mixed in.
        let now = get(&base, "/api/areas?level=buurt&from=2023&to=2023").await;
        assert_eq!(now["features"].as_array().unwrap().len(), 71);
        assert_eq!(sum_of(&now), 4_100);
        assert!(
            now["features"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["properties"]["estimated"].is_null())
        );

        // The 2014 boundaries: every buurt's figure is carried and marked, the total kept.
        let then = get(
            &base,
            "/api/areas?level=buurt&from=2023&to=2023&indeling=2014",
        )
        .await;
        let features = then["features"].as_array().unwrap();
        assert_eq!(features.len(), report.rows as usize);
        assert_eq!(sum_of(&then), 4_100, "the gemeente's total is kept");
        let mut methods = BTreeMap::<String, usize>::new();
        for f in features {
            let p = &f["properties"];
            assert!(p["code"].as_str().unwrap().starts_with("BU0141"));
            if let Some(m) = p["estimated"].as_str() {
                *methods.entry(m.to_string()).or_default() += 1;
            } else {
                assert_eq!(p["status"], "no_data", "an unmarked figure is no data: {p}");
            }
        }
        eprintln!(
            "Almelo 2014 ← 2021: {} buurten, carried by {methods:?}",
            features.len()
        );
        assert!(methods.get("area").copied().unwrap_or(0) > 0, "{methods:?}");
        // Population follows the newest boundaries too: carried, so the gemeente's total
        // population is the same on both sets.
        let population = |fc: &Value| -> i64 {
            fc["features"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f["properties"]["population"].as_i64())
                .sum()
        };
        assert_eq!(population(&then), population(&now));
        // The gemeente's headline on the 2014 boundaries: the same total, an estimate.
        assert_eq!(then["summary"]["code"], "GM0141");
        assert_eq!(then["summary"]["figures"]["count"], 4_100);
        assert_eq!(then["summary"]["figures"]["estimated"], "area");

        // A count published on the 2014 buurten, carried to today's: the total is kept.
        let mut csv =
            String::from("WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\n");
        let old_counts = counts(&then);
        for (code, n) in &old_counts {
            if let Some(n) = n {
                csv.push_str(&format!("{code},0.0.0,2019JJ00,{n}\n"));
            }
        }
        let old_crime = dir.path().join("almelo-2019-on-2014-buurten.csv");
        std::fs::write(&old_crime, csv).unwrap();
        import(&store, ImportKind::Offences, &old_crime).await;
        let carried = get(&base, "/api/areas?level=buurt&from=2019&to=2019").await;
        assert_eq!(sum_of(&carried), 4_100, "2014 → 2021 keeps the total");
        assert!(
            carried["features"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["properties"]["count"].is_i64())
                .all(|f| !f["properties"]["estimated"].is_null())
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// The StatLine website's own CSV download (Dutch headers, labels instead of codes,
/// semicolons, `.` for a withheld cell) imports to the same figures as the OData export.
#[tokio::test]
async fn the_statline_website_download_imports_like_the_odata_export() {
    let Some((buurten, crime)) = almelo_yearly() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The website's shape, built from the real export: labels for area, type and period.
    let mut reader = csv::Reader::from_path(&crime).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (area, tlabel, plabel, count) = (
        col("WijkenEnBuurten_label"),
        col("SoortMisdrijf_label"),
        col("Perioden_label"),
        col("GeregistreerdeMisdrijven_1"),
    );
    let mut web = String::from(
        "\u{feff}\"Soort misdrijf\";\"Wijken en buurten\";\"Perioden\";\"Geregistreerde misdrijven (aantal)\"\r\n",
    );
    let mut expected = 0;
    let mut withheld = 0;
    for (k, r) in reader.records().enumerate() {
        let r = r.unwrap();
        let n: i64 = r[count].parse().unwrap();
        // Every tenth cell withheld, as CBS writes it.
        let cell = if k % 10 == 3 {
            withheld += 1;
            ".".to_string()
        } else {
            expected += n;
            n.to_string()
        };
        web.push_str(&format!(
            "\"{}\";\"{}\";\"{}\";\"{cell}\"\r\n",
            &r[tlabel], &r[area], &r[plabel]
        ));
    }
    let file = dir
        .path()
        .join("Geregistreerde_misdrijven__wijk_en_buurt.csv");
    std::fs::write(&file, web).unwrap();

    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    import(&store, ImportKind::Areas, &buurten).await;
    let report = import(&store, ImportKind::Offences, &file).await;
    assert_eq!(report.rows, 71);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains(&format!("{withheld} cells are withheld"))),
        "{report}"
    );
    let base = serve(store.clone()).await;
    let fc = get(&base, "/api/areas?level=buurt&from=2023&to=2023").await;
    assert_eq!(sum_of(&fc), expected);
    let statuses: Vec<&str> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "withheld").count(),
        withheld
    );
    let types = get(&base, "/api/crime-types").await;
    assert_eq!(types[0]["code"], "0.0.0");
    assert_eq!(types[0]["title"], "Totaal misdrijven");
    store.close().await;
    db.cleanup().await;
}

/// Yearly figures for 2023 beside monthly ones for 2024 with April missing: a range over the
/// gap is partial and names the missing month; a range over 2023 is complete (the yearly row
/// covers its months); no month is ever 0 for lack of a row.
#[tokio::test]
async fn a_gap_between_monthly_imports_is_partial_and_named() {
    let Some((buurten, crime)) = almelo_yearly() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut csv =
        String::from("WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\n");
    for month in [1, 2, 3, 5] {
        csv.push_str(&format!(
            "BU01411000,0.0.0,2024MM{month:02},{}\n",
            50 + month
        ));
    }
    let monthly = dir.path().join("almelo-2024-monthly.csv");
    std::fs::write(&monthly, csv).unwrap();
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    import(&store, ImportKind::Areas, &buurten).await;
    import(&store, ImportKind::Offences, &crime).await;
    import(&store, ImportKind::Offences, &monthly).await;
    let base = serve(store.clone()).await;
    let gap = get(&base, "/api/areas?level=buurt&from=2024-01&to=2024-05").await;
    assert_eq!(
        gap["period"]["missing_months"],
        serde_json::json!(["2024-04"])
    );
    let detail = get(&base, "/api/areas/BU01411000?from=2024-01&to=2024-05").await;
    assert_eq!(detail["missing_months"], serde_json::json!(["2024-04"]));
    let april = &detail["monthly"][3];
    assert_eq!(april["period"], "2024-04");
    assert!(
        april["count"].is_null() && april["status"] == "no_data",
        "{april}"
    );
    assert_eq!(detail["figures"]["count"], 51 + 52 + 53 + 55);
    let year = get(&base, "/api/areas?level=buurt&from=2023-01&to=2023-12").await;
    assert_eq!(year["period"]["missing_months"], serde_json::json!([]));
    assert_eq!(sum_of(&year), 4_100);
    store.close().await;
    db.cleanup().await;
}

/// Almelo's yearly file holds only the total, but incidents carry their own crime types: the
/// filter lists those types (from the shipped CBS list), and `/api/incidents?types=` selects
/// by them instead of finding nothing.
#[tokio::test]
async fn incident_types_come_from_the_incidents_on_total_only_figures() {
    let Some((buurten, crime)) = almelo_yearly() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Three incidents in the Almelo city centre (Binnenstad), two bicycle thefts.
    let incidents = dir.path().join("incidenten.csv");
    std::fs::write(
        &incidents,
        "id,time,crime_type,lon,lat\n\
         a,2023-03-01T10:00,1.2.3,6.6620,52.3570\n\
         b,2023-04-01T11:00,1.2.3,6.6625,52.3572\n\
         c,2023-05-01T12:00,1.1.1,6.6630,52.3568\n",
    )
    .unwrap();
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    import(&store, ImportKind::Areas, &buurten).await;
    import(&store, ImportKind::Offences, &crime).await;
    import(&store, ImportKind::Incidents, &incidents).await;
    let base = serve(store.clone()).await;
    let types = get(&base, "/api/crime-types").await;
    let node = |code: &str| {
        types
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} missing from {types}"))
    };
    assert_eq!(node("0.0.0")["offences"], true);
    assert_eq!(node("1.2.3")["offences"], false);
    assert_eq!(node("1.2.3")["incidents"], true);
    assert_eq!(node("1.2.3")["title"], "Diefstal van brom-, snor-, fietsen");
    let bikes = get(&base, "/api/incidents?from=2023&to=2023&types=1.2.3").await;
    assert_eq!(bikes["features"].as_array().unwrap().len(), 2);
    let all = get(&base, "/api/incidents?from=2023&to=2023").await;
    assert_eq!(all["features"].as_array().unwrap().len(), 3);
    // The choropleth for a type the figures lack: no data, never 0.
    let fc = get(
        &base,
        "/api/areas?level=buurt&from=2023&to=2023&types=1.2.3",
    )
    .await;
    assert!(
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["status"] == "no_data")
    );
    store.close().await;
    db.cleanup().await;
}
