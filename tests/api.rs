//! The HTTP API over real HTTP, against a real SQLite file and a real PostgreSQL database.

mod common;

use common::{TestDb, serve, small_town, square, write};
use serde_json::Value;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::Store;

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = common::get(format!("{base}{path}")).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn feature<'a>(fc: &'a Value, code: &str) -> &'a Value {
    &fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == code)
        .unwrap_or_else(|| panic!("{code} missing"))["properties"]
}

#[tokio::test]
async fn api_serves_figures_layers_and_errors_on_both_stores() {
    for db in TestDb::both().await {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&db.url).await.unwrap();
        small_town(&store, dir.path()).await;
        let base = serve(store.clone()).await;
        let backend = store.backend().as_str();

        let (s, health) = get(&base, "/api/health").await;
        assert_eq!(
            (
                s,
                health["status"].as_str(),
                health["store"].as_str(),
                health["demo"].as_bool()
            ),
            (200, Some("ok"), Some(backend), Some(false))
        );

        // Total over 2023: Markt 12*12 + (0+1+2)*4 = 156; against 2022's 10*12 + 12 = 132.
        let (s, fc) = get(&base, "/api/areas?from=2023-01&to=2023-12").await;
        assert_eq!(s, 200);
        assert_eq!(fc["features"].as_array().unwrap().len(), 3);
        let markt = feature(&fc, "BU99990101");
        assert_eq!(markt["count"], 156);
        assert_eq!(markt["previous_count"], 132);
        assert!(
            (markt["change_pct"].as_f64().unwrap() - (156.0 - 132.0) / 132.0 * 100.0).abs() < 1e-9
        );
        assert!((markt["rate_per_1000"].as_f64().unwrap() - 78.0).abs() < 1e-9);
        assert_eq!(
            (markt["rank"].as_i64(), markt["rank_of"].as_i64()),
            (Some(1), Some(3))
        );
        assert_eq!(markt["parent_name"], "Centrum");

        // Bike theft only: Haven's 2023 cells are all withheld, so its count is null, not 0.
        let (_, bikes) = get(&base, "/api/areas?from=2023&to=2023&types=1.2.3").await;
        let haven = feature(&bikes, "BU99990102");
        assert!(haven["count"].is_null(), "{haven}");
        assert_eq!(haven["withheld"], 12);
        assert!(haven["rank"].is_null());
        assert_eq!(feature(&bikes, "BU99990101")["count"], 12);
        // A parent code selects its children; the total is never added to its parts.
        let (_, group) = get(&base, "/api/areas?from=2023&to=2023&types=1").await;
        assert_eq!(feature(&group, "BU99990101")["count"], 12 * 12 + 12);
        let (_, both) = get(&base, "/api/areas?from=2023&to=2023&types=0.0.0,1.1.1").await;
        assert_eq!(feature(&both, "BU99990101")["count"], 156);

        // Wijken sum their buurten; scoping by wijk ranks within it.
        let (_, wijken) = get(&base, "/api/areas?level=wijk&from=2023&to=2023").await;
        assert_eq!(feature(&wijken, "WK999901")["count"], 156 + (4 * 12 + 12));
        let (_, scoped) = get(&base, "/api/areas?wijk=WK999901&from=2023&to=2023").await;
        assert_eq!(scoped["features"].as_array().unwrap().len(), 2);

        let (s, detail) = get(&base, "/api/areas/BU99990101?from=2023-01&to=2023-12").await;
        assert_eq!(s, 200);
        assert_eq!(detail["figures"]["count"], 156);
        let monthly = detail["monthly"].as_array().unwrap();
        assert_eq!(monthly.len(), 12);
        assert_eq!(
            (
                monthly[0]["period"].as_str(),
                monthly[0]["count"].as_i64(),
                monthly[0]["previous_year_count"].as_i64()
            ),
            (Some("2023-01"), Some(13), Some(11))
        );
        let by_type: Vec<(String, i64)> = detail["by_type"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["code"].as_str().unwrap().into(),
                    t["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by_type,
            [("1.1.1".to_string(), 144), ("1.2.3".to_string(), 12)]
        );
        assert_eq!(detail["by_type"][0]["title"], "Diefstal/inbraak woning");
        let outcomes: Vec<(String, i64)> = detail["enforcement_by_outcome"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["outcome"].as_str().unwrap().into(),
                    o["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                ("compliance_without_sanction".to_string(), 2),
                ("warning".to_string(), 1)
            ]
        );
        assert_eq!(detail["cameras"][0]["name"], "Amaliaplein");
        assert_eq!(detail["initiatives"][0]["members"], 14);
        assert_eq!(detail["e33"][0]["with_fitting_care"], 2);

        let (_, cams) = get(&base, "/api/cameras").await;
        assert_eq!(cams["features"].as_array().unwrap().len(), 3);
        let outside = cams["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "c3")
            .unwrap();
        assert!(
            outside["properties"]["buurt_code"].is_null(),
            "a camera outside every buurt is kept, with no buurt"
        );
        let (_, enf) = get(&base, "/api/enforcement?from=2023&to=2023").await;
        assert_eq!(enf["features"].as_array().unwrap().len(), 3);
        let (_, inc) = get(&base, "/api/incidents?from=2023&to=2023&types=1.2").await;
        assert_eq!(inc["features"].as_array().unwrap().len(), 1);
        assert_eq!(inc["features"][0]["properties"]["buurt_code"], "BU99990102");
        let (_, ini) = get(&base, "/api/initiatives").await;
        assert_eq!(ini["features"][0]["properties"]["buurt_code"], "BU99990101");

        let (_, meta) = get(&base, "/api/meta").await;
        assert_eq!(meta["default_range"]["to"], "2023-12");
        assert_eq!(meta["periods"]["first"], "2022-01");
        assert_eq!(meta["wijken"].as_array().unwrap().len(), 2);
        let (_, types) = get(&base, "/api/crime-types").await;
        let codes: Vec<&str> = types
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["0.0.0", "1", "1.1", "1.1.1", "1.2", "1.2.3"]);

        let (s, err) = get(&base, "/api/areas/BU12345678").await;
        assert_eq!((s, err["error"].as_str()), (404, Some("not_found")));
        let (s, err) = get(&base, "/api/areas?from=2023-13&to=2023-12").await;
        assert_eq!((s, err["error"].as_str()), (400, Some("bad_request")));
        assert!(err["message"].as_str().unwrap().contains("2023-13"));
        let (s, _) = get(&base, "/api/areas?level=straat").await;
        assert_eq!(s, 400);

        let (s, doc) = get(&base, "/api/openapi.json").await;
        assert_eq!(s, 200);
        assert!(doc["paths"]["/api/areas/{code}"].is_object());
        let swagger = common::get(format!("{base}/api/docs/")).await.unwrap();
        assert_eq!(swagger.status(), 200);
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_demo_loads_into_an_empty_database_and_the_first_real_areas_replace_it() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        wijkveilig::demo::load(&store).await.unwrap();
        assert!(store.is_demo().await.unwrap());
        let base = serve(store.clone()).await;
        let (_, meta) = get(&base, "/api/meta").await;
        assert_eq!(meta["demo"], true);
        assert!(
            meta["demo_notice"]
                .as_str()
                .unwrap()
                .contains("Synthetische")
        );
        let buurten = meta["counts"]["buurten"].as_i64().unwrap();
        assert!((60..=80).contains(&buurten), "{buurten} demo buurten");
        let (_, fc) = get(&base, "/api/areas").await;
        assert!(
            fc["features"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["properties"]["count"].is_i64())
        );
        let names: Vec<String> = get(&base, "/api/cameras").await.1["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["name"].as_str().unwrap().to_string())
            .collect();
        for n in ["Amaliaplein", "Koornmarkt", "Kerkstraat", "Stadion"] {
            assert!(
                names.iter().any(|x| x.contains(n)),
                "camera {n} in the demo"
            );
        }

        let dir = tempfile::tempdir().unwrap();
        let real = write(
            dir.path(),
            "real.geojson",
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                square("BU01410101", "Echt", 6.6, 52.3, 100)
            )
            .as_bytes(),
        );
        let report = import_file(&store, ImportKind::Areas, &real, &ImportOptions::default())
            .await
            .unwrap();
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("removed the built-in synthetic demo")),
            "{report}"
        );
        assert!(!store.is_demo().await.unwrap());
        assert_eq!(store.table_count("offences").await.unwrap(), 0);
        let (_, fc) = get(&base, "/api/areas").await;
        assert_eq!(
            fc["features"].as_array().unwrap().len(),
            1,
            "the server sees the new generation"
        );
        store.close().await;
        db.cleanup().await;
    }
}

async fn send(method: reqwest::Method, url: String, body: Value) -> (u16, Value) {
    let r = common::client(&url)
        .request(method, url)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn hotspots_density_coverage_and_patrol_on_both_stores() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        wijkveilig::demo::load(&store).await.unwrap();
        let base = serve(store.clone()).await;

        // Gi*: FDR can only remove significance, never add it.
        let (s, fdr) = get(&base, "/api/hotspots?from=2023&to=2023").await;
        assert_eq!(s, 200);
        assert_eq!(fdr["fdr"], true);
        let (_, raw) = get(&base, "/api/hotspots?from=2023&to=2023&fdr=false").await;
        let significant = |fc: &Value| {
            fc["features"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["properties"]["bin"] != 0)
                .count()
        };
        assert!(significant(&fdr) >= 1, "the busy demo centre is a hotspot");
        assert!(significant(&fdr) <= significant(&raw));
        let centre = feature(&fdr, "BU99990101");
        assert!(
            centre["z"].as_f64().unwrap() > 2.58 && centre["class"] == "hot_99",
            "{centre}"
        );
        // Rates: the demo has buurten under 1,000 inhabitants, so EB smoothing switches on.
        let (_, rates) = get(&base, "/api/hotspots?from=2023&to=2023&value=rate").await;
        assert_eq!(rates["empirical_bayes"], true);
        let (_, perm) = get(
            &base,
            "/api/hotspots?from=2023&to=2023&permutations=99&seed=7",
        )
        .await;
        let p_sim = feature(&perm, "BU99990101")["p_sim"].as_f64().unwrap();
        assert!(p_sim > 0.0 && p_sim <= 0.02, "{p_sim}");
        let (s, _) = get(&base, "/api/hotspots?weights=distance&distance_m=1500").await;
        assert_eq!(s, 200);

        let (s, emerging) = get(&base, "/api/hotspots/emerging").await;
        assert_eq!(s, 200);
        assert_eq!(emerging["steps"].as_array().unwrap().len(), 60);
        assert!(emerging["features"].as_array().unwrap().iter().any(|f| {
            f["properties"]["category"]
                .as_str()
                .unwrap()
                .ends_with("_hot")
        }));

        // The density grid accounts for the incidents: Σ density × cell area ≈ count (1 %).
        let (_, kde) = get(&base, "/api/kde?from=2023&to=2023&cell_m=100").await;
        let cell_km2 = (kde["cell_m"].as_f64().unwrap() / 1000.0).powi(2);
        let total: f64 = kde["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum::<f64>()
            * cell_km2;
        let points = kde["points"].as_f64().unwrap();
        assert!(
            points > 1000.0 && (total - points).abs() / points < 0.01,
            "{total} vs {points}"
        );
        assert_eq!(
            kde["values"].as_array().unwrap().len(),
            (kde["nx"].as_u64().unwrap() * kde["ny"].as_u64().unwrap()) as usize
        );

        // Placing a camera where the greedy algorithm suggests raises coverage by its gain.
        let (_, before) = get(&base, "/api/coverage?from=2023&to=2023").await;
        // The planning view and the report name the same unseen hot buurten, hottest first.
        let (_, report) = get(&base, "/api/report?period=2023").await;
        let codes = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|h| h["code"].as_str().unwrap().to_string())
                .collect()
        };
        let unseen = codes(&before["uncovered_hotspots"]);
        assert!(
            !unseen.is_empty(),
            "the demo has hot buurten without a camera"
        );
        assert_eq!(codes(&report["coverage"]["uncovered_hotspots"]), unseen);
        let (s, placed) = send(
            reqwest::Method::POST,
            format!("{base}/api/planning/placement?from=2023&to=2023"),
            serde_json::json!({"k": 2, "radius_m": 100}),
        )
        .await;
        assert_eq!(s, 200);
        let site = &placed["chosen"][0];
        let gain = site["gain"].as_u64().unwrap();
        assert!(gain > 0);
        assert_eq!(placed["covered_before"], before["incidents"]["covered"]);
        let body = serde_json::json!({"name": "Voorstel", "lon": site["lon"], "lat": site["lat"], "radius_m": 100, "status": "planned"});
        // What-if with only this camera: active, it alone sees at least its greedy gain;
        // planned, it sees nothing yet.
        let what_if_url = format!("{base}/api/coverage/what-if?from=2023&to=2023");
        let mut proposal = body.clone();
        proposal["status"] = "active".into();
        let (_, what_if) = send(
            reqwest::Method::POST,
            what_if_url.clone(),
            serde_json::json!({"cameras": [proposal]}),
        )
        .await;
        assert_eq!(what_if["before"]["covered"], before["incidents"]["covered"]);
        assert!(
            what_if["after"]["covered"].as_u64().unwrap() >= gain,
            "{what_if}"
        );
        let (_, planned) = send(
            reqwest::Method::POST,
            what_if_url,
            serde_json::json!({"cameras": [body]}),
        )
        .await;
        assert_eq!(planned["after"]["covered"], 0);
        let (s, created) = send(
            reqwest::Method::POST,
            format!("{base}/api/cameras"),
            body.clone(),
        )
        .await;
        assert_eq!(s, 200);
        let id = created["id"].as_str().unwrap().to_string();
        let (_, unchanged) = get(&base, "/api/coverage?from=2023&to=2023").await;
        assert_eq!(
            unchanged["incidents"]["covered"], before["incidents"]["covered"],
            "a planned camera does not cover yet"
        );
        let mut active = body.clone();
        active["status"] = "active".into();
        let (s, _) = send(
            reqwest::Method::PUT,
            format!("{base}/api/cameras/{id}"),
            active,
        )
        .await;
        assert_eq!(s, 200);
        let (_, after) = get(&base, "/api/coverage?from=2023&to=2023").await;
        assert_eq!(
            after["incidents"]["covered"].as_u64().unwrap(),
            before["incidents"]["covered"].as_u64().unwrap() + gain,
            "activating the suggested camera adds exactly its greedy gain"
        );
        let r = common::client(&base)
            .delete(format!("{base}/api/cameras/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
        let (s, _) = send(
            reqwest::Method::PUT,
            format!("{base}/api/cameras/{id}"),
            body,
        )
        .await;
        assert_eq!(s, 404);

        // Patrol: ranked by decayed weight, the same list as CSV.
        let (_, patrol) = get(
            &base,
            "/api/patrol?from=2023-01&to=2023-12&half_life_days=30&top=5",
        )
        .await;
        let ranking = patrol["ranking"].as_array().unwrap();
        assert_eq!(ranking.len(), 5);
        assert!(
            ranking
                .windows(2)
                .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64())
        );
        assert_eq!(patrol["shifts"].as_array().unwrap().len(), 3);
        let csv = common::get(format!(
            "{base}/api/patrol.csv?from=2023-01&to=2023-12&half_life_days=30&top=5"
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        assert!(
            csv.starts_with('\u{feff}') && csv.contains("\r\n"),
            "BOM and CRLF"
        );
        let first = csv.lines().nth(1).unwrap();
        let score = first.rsplit(';').next().unwrap();
        assert!(
            score.contains(',') && !score.contains('.'),
            "a decimal comma: {first}"
        );
        let top_of_first_shift = &patrol["shifts"][0]["areas"][0];
        assert!(
            first.starts_with(&format!(
                "{};1;{};",
                patrol["shifts"][0]["shift"].as_str().unwrap(),
                top_of_first_shift["code"].as_str().unwrap()
            )),
            "{first}"
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// The frontend's TypeScript types are generated from `frontend/openapi.json` in its build, so
/// that snapshot must be the document this server serves. On drift this test fails; run
/// `cargo run -q -- openapi > frontend/openapi.json` (or set `WIJKVEILIG_UPDATE_OPENAPI=1`)
/// and rebuild the frontend, whose type check then shows every use that no longer fits.
#[test]
fn the_frontends_openapi_snapshot_is_the_servers_document() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/openapi.json");
    let served = format!("{}\n", wijkveilig::http::openapi_json());
    if std::env::var_os("WIJKVEILIG_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &served).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == served,
        "{} differs from the server's OpenAPI document: run `cargo run -q -- openapi > frontend/openapi.json` and rebuild the frontend",
        path.display()
    );
}
