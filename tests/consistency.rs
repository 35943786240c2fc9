//! One figure, one function: the steering report (`/api/report`, which the printed page and
//! `wijkveilig report` render) and the API the map, the panel and the planning view call give
//! the same number for every figure they both show. Checked on the synthetic demo and on real
//! Almelo data (CBS buurten, wijken, 2023 crime and population) with generated enforcement
//! actions (including the `alcohol` domain, which indicator 3 does not count), incidents and
//! cameras, on SQLite and PostgreSQL.

mod common;

use common::{TestDb, serve, shared_data, write};
use serde_json::Value;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::Store;

async fn get(base: &str, path: &str) -> Value {
    let r = common::get(format!("{base}{path}")).await.unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// Every figure the report shows for `year`, compared with the API's answer to the same question.
async fn report_equals_api(base: &str, year: i32) -> usize {
    let mut compared = 0;
    let report = get(base, &format!("/api/report?period={year}")).await;
    let sel = format!("from={year}-01&to={year}-12");

    // Indicators: every value the report shows up to its year is the API's value.
    let api: Vec<Value> = serde_json::from_value(get(base, "/api/indicators").await).unwrap();
    for ri in report["indicators"].as_array().unwrap() {
        let ai = api.iter().find(|a| a["key"] == ri["key"]).unwrap();
        for v in ri["values"].as_array().unwrap() {
            let w = ai["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["year"] == v["year"])
                .unwrap_or_else(|| panic!("{} {} missing in the API", ri["key"], v["year"]));
            for field in [
                "value",
                "numerator",
                "denominator",
                "withheld",
                "n",
                "margin",
            ] {
                assert!(
                    close(&v[field], &w[field]),
                    "{} {} {field}: report {} api {}",
                    ri["key"],
                    v["year"],
                    v[field],
                    w[field]
                );
                compared += 1;
            }
        }
        assert_eq!(ri["baseline"], ai["baseline"], "{} baseline", ri["key"]);
    }

    // Indicator 3 and the report's enforcement tile are one figure.
    let ind3 = api
        .iter()
        .find(|a| a["key"] == "enforcement_without_sanction")
        .unwrap();
    let of_year = ind3["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["year"] == year);
    match (of_year, report["enforcement_share"].as_object()) {
        (Some(v), Some(tile)) => {
            for field in ["value", "numerator", "denominator"] {
                assert!(close(&v[field], &tile[field]), "enforcement {field}");
                compared += 1;
            }
            let outcomes: i64 = report["enforcement_outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["count"].as_i64().unwrap())
                .sum();
            assert_eq!(Some(outcomes), v["denominator"].as_i64(), "outcome total");
        }
        (None, None) => {}
        (a, b) => panic!("indicator 3 {a:?} but the report's tile {b:?}"),
    }

    // Hotspots: the report's top buurten are the map's, with the same z, class and count.
    let hs = get(base, &format!("/api/hotspots?{sel}")).await;
    let areas = get(base, &format!("/api/areas?level=buurt&{sel}")).await;

    // The dashboard's headline tile (the map's scope summary) is indicator 3 as well.
    let headline = &areas["summary"]["enforcement_without_sanction"];
    match (
        report["enforcement_share"].as_object(),
        headline.as_object(),
    ) {
        (Some(tile), Some(h)) => {
            for field in ["value", "numerator", "denominator"] {
                assert!(
                    close(&tile[field], &h[field]),
                    "headline enforcement {field}"
                );
                compared += 1;
            }
        }
        (None, None) => {}
        (a, b) => panic!("the report's tile {a:?} but the map's headline {b:?}"),
    }
    let feature = |fc: &Value, code: &Value| -> Value {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["code"] == *code)
            .unwrap()["properties"]
            .clone()
    };
    for row in report["top_hotspots"].as_array().unwrap() {
        let p = feature(&hs, &row["code"]);
        for (r, a) in [
            ("z", "z"),
            ("bin", "bin"),
            ("class", "class"),
            ("value", "value"),
            ("p_adjusted", "p_adjusted"),
        ] {
            assert!(close(&row[r], &p[a]), "hotspot {} {r}", row["code"]);
            compared += 1;
        }
        let count = feature(&areas, &row["code"])["count"].clone();
        assert!(
            close(&row["value"], &count),
            "hotspot {} count",
            row["code"]
        );
    }
    let hot = hs["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["bin"].as_i64().unwrap() > 0)
        .count();
    assert_eq!(report["hotspot_summary"]["hot"], hot);

    // Coverage and density: the planning view's figures.
    let cov = get(base, &format!("/api/coverage?{sel}")).await;
    if let Some(rc) = report["coverage"].as_object() {
        for field in [
            "incidents",
            "hotspot_cells",
            "uncovered_hotspots",
            "cameras_active",
            "cameras_planned",
        ] {
            assert_eq!(rc[field], cov[field], "coverage {field}");
            compared += 1;
        }
        let n = rc["uncovered_cells"].as_array().unwrap().len();
        assert_eq!(
            rc["uncovered_cells"].as_array().unwrap()[..],
            cov["uncovered_cells"].as_array().unwrap()[..n]
        );
        let kde = get(base, &format!("/api/kde?{sel}")).await;
        assert_eq!(report["kde"], kde, "density surface");
        compared += 1;
    }
    compared
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_and_api_agree_on_the_demo() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        wijkveilig::demo::load(&store).await.unwrap();
        let base = serve(store.clone()).await;
        let meta = get(&base, "/api/meta").await;
        let year: i32 = meta["default_range"]["to"].as_str().unwrap()[..4]
            .parse()
            .unwrap();
        let n = report_equals_api(&base, year).await;
        assert!(n > 50, "only {n} figures compared");
        store.close().await;
        db.cleanup().await;
    }
}

/// A deterministic generator (SplitMix64) for the registrations of the real-data fixture.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_and_api_agree_on_real_almelo_data_with_alcohol_enforcement() {
    let (Some(buurten), Some(wijken), Some(crime), Some(population)) = (
        shared_data("almelo-buurten.geojson"),
        shared_data("almelo-wijken.geojson"),
        shared_data("almelo-misdrijven-47018NED-2023.csv"),
        shared_data("almelo-bevolking-buurt-85984NED-2024.csv"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Registrations around Almelo's centre (lon 6.66, lat 52.36), half in a dense core.
    let mut rng = Rng(2023);
    let spot = |rng: &mut Rng| {
        let spread = if rng.next() < 0.5 { 0.006 } else { 0.04 };
        (
            6.662 + (rng.next() - 0.5) * 2.0 * spread,
            52.357 + (rng.next() - 0.5) * 1.2 * spread,
        )
    };
    let domains = ["building", "environment", "public_space", "alcohol"];
    let outcomes = [
        "compliance_without_sanction",
        "warning",
        "administrative_sanction",
        "criminal_report",
    ];
    let mut enf = String::from("id,date,lon,lat,domain,outcome\n");
    for i in 0..750 {
        let (lon, lat) = spot(&mut rng);
        let month = 1 + (rng.next() * 12.0) as u32;
        let domain = domains[(rng.next() * 4.0) as usize];
        let outcome = outcomes[(rng.next() * rng.next() * 4.0) as usize];
        enf.push_str(&format!(
            "e{i},2023-{month:02}-10,{lon:.6},{lat:.6},{domain},{outcome}\n"
        ));
    }
    let mut inc = String::from("id,time,crime_type,lon,lat\n");
    for i in 0..3_000 {
        let (lon, lat) = spot(&mut rng);
        let month = 1 + (rng.next() * 12.0) as u32;
        let hour = (rng.next() * 24.0) as u32;
        let ty = ["1.1.1", "1.2.3", "2.5.2"][(rng.next() * 3.0) as usize];
        inc.push_str(&format!(
            "i{i},2023-{month:02}-15T{hour:02}:30,{ty},{lon:.6},{lat:.6}\n"
        ));
    }
    let cams = "id,name,lon,lat,radius_m,status,installed\n\
        cam-01,Amaliaplein,6.6640,52.3570,120,active,2019-03-01\n\
        cam-02,Koornmarkt,6.6610,52.3585,100,active,2019-03-01\n\
        cam-03,Kerkstraat,6.6660,52.3560,90,planned,\n";
    let enf = write(dir.path(), "enforcement.csv", enf.as_bytes());
    let inc = write(dir.path(), "incidents.csv", inc.as_bytes());
    let cams = write(dir.path(), "cameras.csv", cams.as_bytes());

    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        for (kind, file) in [
            (ImportKind::Areas, &buurten),
            (ImportKind::Areas, &wijken),
            (ImportKind::Offences, &crime),
            (ImportKind::Population, &population),
            (ImportKind::Enforcement, &enf),
            (ImportKind::Incidents, &inc),
            (ImportKind::Cameras, &cams),
        ] {
            import_file(&store, kind, file, &ImportOptions::default())
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
        let base = serve(store.clone()).await;
        let n = report_equals_api(&base, 2023).await;
        assert!(n > 50, "only {n} figures compared");

        // The alcohol actions are in the data, and indicator 3 leaves them out.
        let report = get(&base, "/api/report?period=2023").await;
        let by_domain = report["enforcement_by_domain"].as_array().unwrap();
        let alcohol: i64 = by_domain
            .iter()
            .filter(|r| r["domain"] == "alcohol")
            .map(|r| r["count"].as_i64().unwrap())
            .sum();
        assert!(alcohol > 100, "{alcohol} alcohol actions");
        assert!(
            by_domain
                .iter()
                .all(|r| r["counted"] == (r["domain"] != "alcohol"))
        );
        let all: i64 = by_domain.iter().map(|r| r["count"].as_i64().unwrap()).sum();
        let counted = report["enforcement_share"]["denominator"].as_i64().unwrap();
        assert_eq!(counted + alcohol, all);
        store.close().await;
        db.cleanup().await;
    }
}
