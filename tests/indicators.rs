//! Programme indicators and the steering report (issue #5): the API over real HTTP on SQLite
//! and PostgreSQL with hand-computed values on a small town, and the `report` command on a
//! fresh database (the demo) writing one self-contained HTML file.

mod common;

use common::{TestDb, serve, write};
use serde_json::{Value, json};
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::Store;

fn square(code: &str, name: &str, x: f64, y: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}","population":1000}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
        x1 = x + 0.01,
        y1 = y + 0.01
    )
}

/// Wijk WK999901 (buurten 0101, 0102) and WK999902 (buurt 0201); no gemeente feature, so the
/// gemeente GM9999 follows from the buurt codes.
async fn small_town(store: &Store, dir: &std::path::Path) {
    let areas = format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{},{},{}]}}"#,
        square("BU99990101", "Markt", 6.60, 52.30),
        square("BU99990102", "Haven", 6.61, 52.30),
        square("BU99990201", "Veld", 6.62, 52.30),
        r#"{"type":"Feature","properties":{"code":"WK999901","name":"Centrum"},"geometry":{"type":"Polygon","coordinates":[[[6.6,52.3],[6.62,52.3],[6.62,52.31],[6.6,52.31],[6.6,52.3]]]}}"#,
        r#"{"type":"Feature","properties":{"code":"WK999902","name":"Buiten"},"geometry":{"type":"Polygon","coordinates":[[[6.62,52.3],[6.63,52.3],[6.63,52.31],[6.62,52.31],[6.62,52.3]]]}}"#,
    );
    // 2017: yearly totals 100 + 40 + withheld. 2018: monthly totals 5, 2 and 1 a month
    // (60 + 24 + 12 = 96); a 1.1.1 part that must not be added to the total.
    let mut offences =
        String::from("WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\n");
    offences.push_str(
        "BU99990101,0.0.0,2017JJ00,100\nBU99990102,0.0.0,2017JJ00,40\nBU99990201,0.0.0,2017JJ00,\n",
    );
    for m in 1..=12 {
        for (code, n) in [("BU99990101", 5), ("BU99990102", 2), ("BU99990201", 1)] {
            offences.push_str(&format!("{code},0.0.0,2018MM{m:02},{n}\n"));
        }
    }
    offences.push_str("BU99990101,1.1.1,2018MM01,3\n");
    let enforcement = "id,date,lon,lat,domain,outcome\n\
        h1,2023-02-01,6.605,52.305,building,compliance_without_sanction\n\
        h2,2023-03-01,6.606,52.304,public_space,warning\n\
        h3,2023-03-05,6.615,52.305,public_space,compliance_without_sanction\n\
        h4,2023-04-05,6.625,52.305,environment,administrative_sanction\n\
        h5,2023-05-05,6.604,52.303,traffic,compliance_without_sanction\n";
    let initiatives = "id,name,kind,lon,lat,start_date,end_date,members\n\
        bp1,Buurtpreventie Markt,foot_patrol,6.605,52.305,2019-05-01,,14\n\
        bp2,Veldwacht,whatsapp,6.625,52.305,2020-01-01,2022-12-31,30\n";
    // Buurt rows 3/2, 4/unknown, 5/5; the wijk row of 2023-03 is ignored (its wijk has buurt
    // rows that month), the one of 2023-04 counts.
    let e33 = "area,period,count,with_fitting_care\n\
        BU99990101,2023-01,3,2\nBU99990102,2023-02,4,\nBU99990201,2023-03,5,5\nWK999902,2023-03,10,1\nWK999902,2023-04,2,2\n";
    let survey = "indicator,year,area,percentage,sample_size\n\
        feels_safe,2022,GM9999,50.0,1000\nfeels_safe,2023,GM9999,54.0,1000\nfeels_safe,2023,WK999901,48.0,200\n\
        enforcement_satisfaction,2023,GM9999,60.0,400\n";
    let files = [
        (
            ImportKind::Areas,
            write(dir, "areas.geojson", areas.as_bytes()),
        ),
        (
            ImportKind::Offences,
            write(dir, "offences.csv", offences.as_bytes()),
        ),
        (
            ImportKind::Enforcement,
            write(dir, "enforcement.csv", enforcement.as_bytes()),
        ),
        (
            ImportKind::Initiatives,
            write(dir, "initiatives.csv", initiatives.as_bytes()),
        ),
        (ImportKind::E33, write(dir, "e33.csv", e33.as_bytes())),
        (
            ImportKind::Survey,
            write(dir, "survey.csv", survey.as_bytes()),
        ),
    ];
    for (kind, path) in files {
        import_file(store, kind, &path, &ImportOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = common::get(format!("{base}{path}")).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn put(base: &str, path: &str, body: Value) -> (u16, Value) {
    let r = common::client(base)
        .put(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-6)
}

fn by_key<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} missing"))
}

fn year(ind: &Value, y: i64) -> &Value {
    ind["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["year"] == y)
        .unwrap_or_else(|| panic!("{} has no {y}: {ind}", ind["key"]))
}

#[tokio::test]
async fn indicators_targets_and_breakdown_over_http_on_both_stores() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        small_town(&store, dir.path()).await;
        let base = serve(store.clone()).await;
        let which = store.backend().as_str();

        let (s, list) = get(&base, "/api/indicators").await;
        assert_eq!(s, 200, "{which}: {list}");
        let keys: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "feels_safe",
                "offences",
                "enforcement_without_sanction",
                "initiatives",
                "e33_fitting_care",
                "enforcement_satisfaction"
            ]
        );

        // 1. Survey: 54 % of 1,000 → margin 1.96·√(.54·.46/1000) = 3.089 pp; the change of 4 pp
        // from 50 % is within 1.96·√(.25/1000 + .2484/1000) = 4.376 pp.
        let fs = by_key(&list, "feels_safe");
        assert_eq!(fs["area"], "GM9999");
        assert_eq!(fs["latest"], json!({"year": 2023, "value": 54.0}));
        let v = year(fs, 2023);
        assert_eq!(v["n"], 1000);
        assert!(
            close(
                &v["margin"],
                1.959963984540054 * (0.54f64 * 0.46 / 1000.0).sqrt() * 100.0
            ),
            "{v}"
        );
        assert!((v["margin"].as_f64().unwrap() - 3.089).abs() < 0.001);
        assert_eq!(v["within_margin"], true);
        assert_eq!(year(fs, 2022).get("within_margin"), None);
        assert_eq!(fs["status"], "no_target");
        assert_eq!(fs["baseline"], Value::Null, "no 2017 survey");
        assert_eq!(
            (
                fs["unit"].as_str(),
                fs["direction"].as_str(),
                fs["source"].as_str()
            ),
            (Some("%"), Some("higher_is_better"), Some("survey"))
        );

        // 2. Offences: 2017 = 100 + 40 (one withheld cell), 2018 = 12·(5 + 2 + 1) = 96; the
        // 1.1.1 part is not added. Baseline from the data: 2017 → 96/140 = 68.571 %.
        let off = by_key(&list, "offences");
        assert!(close(&year(off, 2017)["value"], 140.0));
        assert_eq!(year(off, 2017)["withheld"], 1);
        assert!(close(&year(off, 2018)["value"], 96.0));
        assert_eq!(year(off, 2018)["complete_year"], true);
        assert!(close(
            &year(off, 2018)["pct_of_baseline"],
            96.0 / 140.0 * 100.0
        ));
        assert_eq!(
            off["baseline"],
            json!({"year": 2017, "value": 140.0, "source": "data"})
        );
        assert_eq!(off["latest"], json!({"year": 2018, "value": 96.0}));

        // 3. Enforcement 2023: compliance 2 (h1, h3) of 4 actions in the three domains (the
        // traffic action is out of scope; the warning counts in the denominator only).
        let enf = by_key(&list, "enforcement_without_sanction");
        assert!(close(&year(enf, 2023)["value"], 50.0));
        assert_eq!(
            (
                year(enf, 2023)["numerator"].as_i64(),
                year(enf, 2023)["denominator"].as_i64()
            ),
            (Some(2), Some(4))
        );

        // 4. Initiatives at year end over the data's years 2017..2023: bp1 from 2019, bp2 in
        // 2020 and 2021 (it ended on 31 Dec 2022, so not active at the end of 2022).
        let ini = by_key(&list, "initiatives");
        let series: Vec<(i64, f64)> = ini["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["year"].as_i64().unwrap(), v["value"].as_f64().unwrap()))
            .collect();
        assert_eq!(
            series,
            [
                (2017, 0.0),
                (2018, 0.0),
                (2019, 1.0),
                (2020, 2.0),
                (2021, 2.0),
                (2022, 1.0),
                (2023, 1.0)
            ]
        );

        // 5. E33 2023: known rows 3/2, 5/5 and the wijk row of April 2/2 → 9/10 = 90 %;
        // coverage 10 of 14 reports (the ignored wijk row of March is not counted at all).
        let e33 = by_key(&list, "e33_fitting_care");
        assert!(close(&year(e33, 2023)["value"], 90.0), "{e33}");
        assert!(close(&year(e33, 2023)["coverage"], 10.0 / 14.0 * 100.0));

        // 6. Satisfaction: 60 % of 400 → 4.80 pp.
        let sat = by_key(&list, "enforcement_satisfaction");
        assert!((year(sat, 2023)["margin"].as_f64().unwrap() - 4.801).abs() < 0.001);

        // A wijk: its own survey row, and the sums of its buurten.
        let (s, wk) = get(&base, "/api/indicators?area=WK999901").await;
        assert_eq!(s, 200, "{wk}");
        assert!(close(&year(by_key(&wk, "offences"), 2018)["value"], 84.0));
        assert!(close(
            &year(by_key(&wk, "enforcement_without_sanction"), 2023)["value"],
            200.0 / 3.0
        ));
        assert!(close(&by_key(&wk, "feels_safe")["latest"]["value"], 48.0));
        assert!(close(
            &year(by_key(&wk, "e33_fitting_care"), 2023)["value"],
            2.0 / 3.0 * 100.0
        ));

        // Targets: stored, and the status follows the direction.
        let (s, t) = put(
            &base,
            "/api/indicators/feels_safe/target",
            json!({"year": 2023, "value": 55}),
        )
        .await;
        assert_eq!(s, 200, "{t}");
        assert_eq!(t["status"], "off_track");
        assert_eq!(t["targets"], json!([{"year": 2023, "value": 55.0}]));
        let (_, t) = put(
            &base,
            "/api/indicators/feels_safe/target",
            json!({"year": 2023, "value": 53.5}),
        )
        .await;
        assert_eq!(t["status"], "on_track");
        let (_, t) = put(
            &base,
            "/api/indicators/offences/target",
            json!({"year": 2018, "value": 95}),
        )
        .await;
        assert_eq!(
            t["status"], "off_track",
            "96 offences against a target of at most 95"
        );
        let (_, t) = put(
            &base,
            "/api/indicators/offences/target",
            json!({"year": 2018, "value": 100}),
        )
        .await;
        assert_eq!(t["status"], "on_track");
        let (s, t) = put(
            &base,
            "/api/indicators/offences/baseline",
            json!({"year": 2017, "value": 4546}),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(
            t["baseline"],
            json!({"year": 2017, "value": 4546.0, "source": "set"})
        );
        assert!(close(
            &year(&t, 2018)["pct_of_baseline"],
            96.0 / 4546.0 * 100.0
        ));
        // A target for a later year is judged on the straight path from the baseline: with the
        // 2018 target gone and one for 2020, 2018 should be at 4546 + (10 − 4546) / 3 = 3034.
        let (s, _) = put(
            &base,
            "/api/indicators/offences/target",
            json!({"year": 2018, "value": null}),
        )
        .await;
        assert_eq!(s, 200);
        let (_, t) = put(
            &base,
            "/api/indicators/offences/target",
            json!({"year": 2020, "value": 10}),
        )
        .await;
        assert_eq!(t["status"], "on_track", "96 is below the path's 3,034: {t}");
        assert_eq!(t["expected"]["target_year"], 2020);
        assert!(close(
            &t["expected"]["value"],
            4546.0 + (10.0 - 4546.0) / 3.0
        ));
        let (_, t) = put(
            &base,
            "/api/indicators/offences/target",
            json!({"year": 2020, "value": null}),
        )
        .await;
        assert_eq!(t["status"], "no_target");
        let (_, t) = put(
            &base,
            "/api/indicators/offences/target",
            json!({"year": 2018, "value": 100}),
        )
        .await;
        assert_eq!(t["status"], "on_track");
        // A wijk's targets are its own.
        let (_, t) = put(
            &base,
            "/api/indicators/feels_safe/target?area=WK999901",
            json!({"year": 2023, "value": 50}),
        )
        .await;
        assert_eq!(
            (t["area"].as_str(), t["status"].as_str()),
            (Some("WK999901"), Some("off_track"))
        );
        // Read back: persisted.
        let (_, list) = get(&base, "/api/indicators").await;
        assert_eq!(
            by_key(&list, "feels_safe")["targets"],
            json!([{"year": 2023, "value": 53.5}])
        );
        assert_eq!(by_key(&list, "offences")["status"], "on_track");
        assert_eq!(by_key(&list, "initiatives")["status"], "no_target");
        // Removing a target.
        let (_, t) = put(
            &base,
            "/api/indicators/feels_safe/target",
            json!({"year": 2023, "value": null}),
        )
        .await;
        assert_eq!(
            (t["targets"].as_array().unwrap().len(), t["status"].as_str()),
            (0, Some("no_target"))
        );

        // Errors.
        assert_eq!(
            put(
                &base,
                "/api/indicators/feels_safe/target",
                json!({"year": 2023, "value": 150})
            )
            .await
            .0,
            400
        );
        assert_eq!(
            put(
                &base,
                "/api/indicators/offences/target",
                json!({"year": 2023, "value": -1})
            )
            .await
            .0,
            400
        );
        assert_eq!(
            put(
                &base,
                "/api/indicators/nope/target",
                json!({"year": 2023, "value": 1})
            )
            .await
            .0,
            404
        );
        assert_eq!(get(&base, "/api/indicators?area=WK123456").await.0, 404);
        assert_eq!(get(&base, "/api/indicators?area=BU99990101").await.0, 400);

        // Breakdown: per wijk, and the rows behind the figure.
        let (s, b) = get(
            &base,
            "/api/indicators/enforcement_without_sanction/breakdown?year=2023",
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let wijken = b["wijken"].as_array().unwrap();
        assert_eq!(wijken.len(), 2);
        let w1 = wijken.iter().find(|w| w["code"] == "WK999901").unwrap();
        assert!(close(&w1["value"]["value"], 200.0 / 3.0));
        let w2 = wijken.iter().find(|w| w["code"] == "WK999902").unwrap();
        assert!(close(&w2["value"]["value"], 0.0));
        let traffic = b["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["domain"] == "traffic")
            .unwrap();
        assert_eq!(
            (traffic["count"].as_i64(), traffic["counted"].as_bool()),
            (Some(1), Some(false))
        );
        let (_, b) = get(
            &base,
            "/api/indicators/offences/breakdown?area=WK999901&year=2018",
        )
        .await;
        assert_eq!(b["parts"], "buurt");
        let markt = b["wijken"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == "BU99990101")
            .unwrap();
        assert!(close(&markt["value"]["value"], 60.0));

        // The report's data as JSON, and the OpenAPI document.
        let (s, r) = get(&base, "/api/report?period=2023").await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["indicators"].as_array().unwrap().len(), 6);
        for ind in r["indicators"].as_array().unwrap() {
            let (nl, en) = (
                ind["definition"].as_str().unwrap(),
                ind["definition_en"].as_str().unwrap(),
            );
            assert!(nl.len() > 80 && en.len() > 80 && nl != en, "{ind}");
        }
        assert_eq!(
            (r["from"].as_str(), r["to"].as_str(), r["demo"].as_bool()),
            (Some("2023-01"), Some("2023-12"), Some(false))
        );
        assert_eq!(
            r["period"],
            serde_json::json!({"code": "2023", "title": "2023", "year": 2023})
        );
        let outcomes: Vec<(String, i64)> = r["enforcement_outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["outcome"].as_str().unwrap().to_string(),
                    o["count"].as_i64().unwrap(),
                )
            })
            .collect();
        // The outcomes of the domains indicator 3 counts (the traffic action is left out, as
        // in indicator 3), so the report's enforcement figures are indicator 3's.
        assert_eq!(
            outcomes,
            [
                ("compliance_without_sanction".to_string(), 2),
                ("warning".to_string(), 1),
                ("administrative_sanction".to_string(), 1)
            ]
        );
        assert_eq!(r["enforcement_share"]["numerator"], 2);
        assert_eq!(r["enforcement_share"]["denominator"], 4);
        let traffic = r["enforcement_by_domain"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["domain"] == "traffic")
            .unwrap();
        assert_eq!(traffic["counted"], false);
        assert_eq!(
            r["initiatives"].as_array().unwrap().len(),
            1,
            "bp2 ended in 2022"
        );
        assert_eq!(get(&base, "/api/report?period=2023H3").await.0, 400);
        let (_, h1) = get(&base, "/api/report?period=2023H1").await;
        assert_eq!(
            (h1["from"].as_str(), h1["to"].as_str()),
            (Some("2023-01"), Some("2023-06"))
        );
        assert_eq!(h1["period"]["title"], "1e helft 2023");
        let (_, doc) = get(&base, "/api/openapi.json").await;
        for p in [
            "/api/indicators",
            "/api/indicators/{key}/target",
            "/api/indicators/{key}/baseline",
            "/api/indicators/{key}/breakdown",
            "/api/report",
        ] {
            assert!(
                doc["paths"].get(p).is_some(),
                "{p} missing from the OpenAPI document"
            );
        }

        store.close().await;
        db.cleanup().await;
    }
}

#[test]
fn report_command_writes_one_self_contained_html_file() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let run = |period: &str, out: &std::path::Path| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_wijkveilig"))
            .args(["report", "--period", period, "--out"])
            .arg(out)
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "report failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::fs::read_to_string(out).unwrap()
    };
    let html = run("2023", &dir.path().join("report.html"));
    for id in [
        "samenvatting",
        "kaart",
        "indicatoren",
        "hotspots",
        "cameradekking",
        "handhaving",
        "initiatieven",
        "verantwoording",
    ] {
        assert!(
            html.contains(&format!(r#"<section id="{id}""#)),
            "section {id} missing"
        );
    }
    for key in [
        "feels_safe",
        "offences",
        "enforcement_without_sanction",
        "initiatives",
        "e33_fitting_care",
        "enforcement_satisfaction",
    ] {
        assert!(
            html.contains(&format!(r#"data-key="{key}""#)),
            "indicator card {key} missing"
        );
    }
    assert!(
        html.matches("<svg class=\"spark\"").count() >= 6,
        "sparklines missing"
    );
    // Self-contained: no external resource of any kind.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "an external URL is referenced"
    );
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("@import"));
    // The map is an embedded PNG.
    let start = html
        .find(r#"src="data:image/png;base64,"#)
        .expect("embedded map image")
        + r#"src="data:image/png;base64,"#.len();
    let b64 = &html[start..start + html[start..].find('"').unwrap()];
    assert!(b64.len() > 10_000, "the map image is suspiciously small");
    assert!(b64.starts_with("iVBORw0KGgo"), "not a PNG");
    // The demo (loaded into the empty database) is labelled as synthetic.
    assert!(html.contains("SYNTHETISCHE DEMODATA"));
    assert!(html.contains("@page") && html.contains("A4"));
    // Hot buurten of the demo (the emerging Rietmaten hotspot) are listed with a class.
    assert!(
        html.contains("hotspot 99 %")
            || html.contains("hotspot 95 %")
            || html.contains("hotspot 90 %")
    );

    // A half year on the same (now filled) database.
    let h1 = run("2023H1", &dir.path().join("h1.html"));
    assert!(h1.contains("1e helft 2023") && h1.contains("2023-01 t/m 2023-06"));
    assert!(!h1.contains("http://") && !h1.contains("https://"));
}
