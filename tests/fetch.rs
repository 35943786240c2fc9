//! `wijkveilig fetch` against a fake PDOK + CBS server started inside the test. The fake
//! serves the real Almelo files of ../shared/data in the shapes of PDOK's OGC API Features
//! (wijken-en-buurten, latitude-first under crs=EPSG:4326, paged by links[rel=next]) and of
//! CBS's OData v3 feeds (padded codes, `value` + `odata.nextLink`), with the faults real
//! servers have: a 429 with Retry-After, a 500 mid-way, years that do not exist. The command
//! runs as the real binary, so the CLI, its environment variables and the audit trail are
//! tested as a user meets them.

mod common;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::TestDb;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wijkveilig::domain::AreaLevel;
use wijkveilig::store::Store;

const PAGE: usize = 25;
const GEMEENTE: &str = "GM0141";
/// The only boundary year the fake has (the shared files are the 2021 wijk- en buurtkaart).
const PDOK_YEAR: i32 = 2021;
/// Buurten whose 2023 count the fake withholds (`null`), as CBS does for small numbers.
const WITHHELD: [&str; 3] = ["BU01411101", "BU01411301", "BU01411603"];

fn shared_dir() -> Option<PathBuf> {
    let dir = common::shared_data("");
    if dir.is_none() {
        eprintln!("skipped: ../shared/data not found");
    }
    dir
}

/// Asserts that a command's output says `sentence`.
fn says(output: &str, sentence: &str) {
    assert!(output.contains(sentence), "{sentence:?} in:\n{output}");
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Swaps every [x, y] position to [y, x]: EPSG:4326 is latitude first.
fn lat_lon(v: &mut Value) {
    if let Some(a) = v.as_array_mut() {
        if a.len() == 2 && a.iter().all(Value::is_number) {
            a.swap(0, 1);
        } else {
            a.iter_mut().for_each(lat_lon);
        }
    }
}

/// A feature of a shared file in the shape of the PDOK collection.
fn pdok_feature(f: &Value, level: AreaLevel) -> Value {
    let p = &f["properties"];
    let mut properties = json!({
        "gemeentecode": p.get("gemeente_code").unwrap_or(&p["code"]),
        "gemeentenaam": p.get("gemeente_name").unwrap_or(&p["name"]),
        "aantal_inwoners": p["population"],
        "jaar": PDOK_YEAR,
        "water": "NEE",
    });
    match level {
        AreaLevel::Buurt => {
            properties["buurtcode"] = p["code"].clone();
            properties["buurtnaam"] = p["name"].clone();
            properties["wijkcode"] = p["wijk_code"].clone();
            properties["wijknaam"] = p["wijk_name"].clone();
        }
        AreaLevel::Wijk => {
            properties["wijkcode"] = p["code"].clone();
            properties["wijknaam"] = p["name"].clone();
        }
        AreaLevel::Gemeente => {}
    }
    let mut geometry = f["geometry"].clone();
    lat_lon(&mut geometry["coordinates"]);
    json!({"type": "Feature", "id": p["code"], "properties": properties, "geometry": geometry})
}

fn pad(code: &str) -> String {
    format!("{code:<10}")
}

/// What the fake serves and how it misbehaves.
#[derive(Default)]
struct Fake {
    base: Mutex<String>,
    collections: HashMap<&'static str, Vec<Value>>,
    offences: Vec<Value>,
    population: Vec<Value>,
    crime_types: Vec<Value>,
    /// Requests per logical page ("pdok/buurten/1", "47018NED/2023/0", …).
    requests: Mutex<HashMap<String, u32>>,
    once_429: Mutex<HashSet<String>>,
    once_500: Mutex<HashSet<String>>,
    always_500: Mutex<HashSet<String>>,
}

impl Fake {
    fn load(dir: &Path) -> Fake {
        let features = |file: &str, level| -> Vec<Value> {
            let fc: Value =
                serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
            fc["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| pdok_feature(f, level))
                .collect()
        };
        let collections = HashMap::from([
            (
                "gemeenten",
                features("almelo-gemeente-2021.geojson", AreaLevel::Gemeente),
            ),
            ("wijken", features("almelo-wijken.geojson", AreaLevel::Wijk)),
            (
                "buurten",
                features("almelo-buurten.geojson", AreaLevel::Buurt),
            ),
        ]);
        let offences = read_csv(&dir.join("almelo-misdrijven-47018NED-2023.csv"))
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let code = r["WijkenEnBuurten"].clone();
                let count: Value = if WITHHELD.contains(&code.as_str()) {
                    Value::Null
                } else {
                    r["GeregistreerdeMisdrijven_1"]
                        .parse::<i64>()
                        .unwrap()
                        .into()
                };
                json!({
                    "ID": i,
                    "SoortMisdrijf": r["SoortMisdrijf"],
                    "WijkenEnBuurten": pad(&code),
                    "Perioden": r["Perioden"],
                    "GeregistreerdeMisdrijven_1": count,
                    "Gemeentenaam_2": r["Gemeentenaam_2"],
                    "SoortRegio_3": r["SoortRegio_3"],
                })
            })
            .collect();
        let mut population: Vec<Value> =
            read_csv(&dir.join("almelo-kerncijfers-85984NED-2024-wijken.csv"))
                .into_iter()
                .map(|r| {
                    json!({"WijkenEnBuurten": pad(&r["WijkenEnBuurten"]),
                       "AantalInwoners_5": r["AantalInwoners_5"].parse::<i64>().unwrap()})
                })
                .collect();
        population.extend(
            read_csv(&dir.join("almelo-bevolking-buurt-85984NED-2024.csv"))
                .into_iter()
                .map(|r| {
                    json!({"WijkenEnBuurten": pad(&r["nhood_id"]),
                       "AantalInwoners_5": r["population"].parse::<i64>().unwrap()})
                }),
        );
        let crime_types = read_csv(&dir.join("cbs-47018NED-SoortMisdrijf.csv"))
            .into_iter()
            .map(|r| json!({"Key": r["Key"], "Title": r["Title"], "Description": r["Description"]}))
            .collect();
        Fake {
            collections,
            offences,
            population,
            crime_types,
            ..Fake::default()
        }
    }

    /// Counts a request; the fault it must answer with, if any.
    fn hit(&self, key: &str) -> Option<Response> {
        *self
            .requests
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default() += 1;
        if self.once_429.lock().unwrap().remove(key) {
            return Some(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "1")],
                    "slow down",
                )
                    .into_response(),
            );
        }
        if self.once_500.lock().unwrap().remove(key)
            || self.always_500.lock().unwrap().contains(key)
        {
            return Some((StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response());
        }
        None
    }

    fn count(&self, key: &str) -> u32 {
        self.requests.lock().unwrap().get(key).copied().unwrap_or(0)
    }

    fn base(&self) -> String {
        self.base.lock().unwrap().clone()
    }
}

fn enc(s: &str) -> String {
    wijkveilig::fetch::http::encode(s)
}

async fn pdok_items(
    State(fake): State<Arc<Fake>>,
    UrlPath((dataset, collection)): UrlPath<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if dataset != format!("wijken-en-buurten-{PDOK_YEAR}") {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"code": "Not Found", "description": "no such dataset"})),
        )
            .into_response();
    }
    let Some(features) = fake.collections.get(collection.as_str()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let crs = "http://www.opengis.net/def/crs/EPSG/0/4326";
    if q.get("f").map(String::as_str) != Some("json")
        || q.get("gemeentecode").map(String::as_str) != Some(GEMEENTE)
        || q.get("crs").map(String::as_str) != Some(crs)
    {
        return (StatusCode::BAD_REQUEST, format!("unexpected query {q:?}")).into_response();
    }
    let page: usize = q.get("cursor").map_or(0, |c| c.parse().unwrap());
    if let Some(fault) = fake.hit(&format!("pdok/{collection}/{page}")) {
        return fault;
    }
    let items =
        &features[(page * PAGE).min(features.len())..((page + 1) * PAGE).min(features.len())];
    let here = format!(
        "{}/cbs/{dataset}/ogc/v1/collections/{collection}/items?f=json&gemeentecode={GEMEENTE}&crs={}&limit=1000",
        fake.base(),
        enc(crs)
    );
    let mut links = vec![
        json!({"rel": "self", "type": "application/geo+json", "href": format!("{here}&cursor={page}")}),
        json!({"rel": "alternate", "type": "text/html", "href": format!("{here}&cursor={page}&f=html")}),
    ];
    if (page + 1) * PAGE < features.len() {
        links.push(json!({"rel": "next", "type": "text/html", "href": format!("{here}&cursor={}&f=html", page + 1)}));
        links.push(json!({"rel": "next", "type": "application/geo+json", "href": format!("{here}&cursor={}", page + 1)}));
    }
    let body = json!({
        "type": "FeatureCollection",
        "timeStamp": "2026-11-30T12:00:00Z",
        "links": links,
        "features": items,
        "numberReturned": items.len(),
    });
    (
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (
                header::HeaderName::from_static("content-crs"),
                "<http://www.opengis.net/def/crs/EPSG/0/4326>",
            ),
        ],
        body.to_string(),
    )
        .into_response()
}

use axum::Json;

fn odata_page(fake: &Fake, path: &str, query: &str, rows: &[Value], page: usize) -> Response {
    let slice = &rows[(page * PAGE).min(rows.len())..((page + 1) * PAGE).min(rows.len())];
    let mut body = json!({
        "odata.metadata": format!("{}{path}/$metadata", fake.base()),
        "value": slice,
    });
    if (page + 1) * PAGE < rows.len() {
        body["odata.nextLink"] = json!(format!(
            "{}{path}?{query}&$skiptoken={}",
            fake.base(),
            page + 1
        ));
    }
    Json(body).into_response()
}

async fn odata(
    State(fake): State<Arc<Fake>>,
    UrlPath((table, entity)): UrlPath<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("$format").map(String::as_str) != Some("json") {
        return (StatusCode::BAD_REQUEST, "only $format=json here").into_response();
    }
    let path = format!("/ODataFeed/odata/{table}/{entity}");
    let page: usize = q.get("$skiptoken").map_or(0, |t| t.parse().unwrap());
    let filter = q.get("$filter").cloned().unwrap_or_default();
    let query = match (q.get("$filter"), q.get("$select")) {
        (Some(f), Some(s)) => format!("$format=json&$filter={}&$select={}", enc(f), enc(s)),
        (Some(f), None) => format!("$format=json&$filter={}", enc(f)),
        _ => "$format=json".to_string(),
    };
    let gemeente_filter = ["GM0141", "WK0141", "BU0141"]
        .iter()
        .all(|p| filter.contains(&format!("startswith(WijkenEnBuurten,'{p}')")));
    match (table.as_str(), entity.as_str()) {
        ("47018NED", "Perioden") => {
            let periods: Vec<Value> = (2021..=2023)
                .map(|y| json!({"Key": format!("{y}JJ00"), "Title": y.to_string(), "Status": "Definitief"}))
                .collect();
            odata_page(&fake, &path, &query, &periods, page)
        }
        ("47022NED", "Perioden") => {
            let periods: Vec<Value> = (2021..=2023)
                .flat_map(|y| (1..=12).map(move |m| json!({"Key": format!("{y}MM{m:02}"), "Title": format!("{y} maand {m}")})))
                .collect();
            odata_page(&fake, &path, &query, &periods, page)
        }
        ("47018NED", "SoortMisdrijf") => odata_page(&fake, &path, &query, &fake.crime_types, page),
        ("47018NED", "TypedDataSet") => {
            let Some(at) = filter.find("Perioden eq '") else {
                return (StatusCode::BAD_REQUEST, "filter on Perioden").into_response();
            };
            let period = &filter[at + 13..at + 21];
            if !gemeente_filter {
                return (StatusCode::BAD_REQUEST, "filter on the gemeente").into_response();
            }
            if let Some(fault) = fake.hit(&format!("47018NED/{}/{page}", &period[..4])) {
                return fault;
            }
            let rows: Vec<Value> = fake
                .offences
                .iter()
                .filter(|r| r["Perioden"] == period)
                .cloned()
                .collect();
            odata_page(&fake, &path, &query, &rows, page)
        }
        // Almelo has no monthly figures (SOURCES.md: none found), so every month query is empty.
        ("47022NED", "TypedDataSet") => {
            if !filter.contains("startswith(Perioden,'") || !gemeente_filter {
                return (
                    StatusCode::BAD_REQUEST,
                    "filter on Perioden and the gemeente",
                )
                    .into_response();
            }
            odata_page(&fake, &path, &query, &[], page)
        }
        ("85984NED", "TypedDataSet") => {
            if !gemeente_filter
                || q.get("$select").map(String::as_str) != Some("WijkenEnBuurten,AantalInwoners_5")
            {
                return (
                    StatusCode::BAD_REQUEST,
                    "filter on the gemeente, select two columns",
                )
                    .into_response();
            }
            if let Some(fault) = fake.hit(&format!("85984NED/{page}")) {
                return fault;
            }
            odata_page(&fake, &path, &query, &fake.population, page)
        }
        _ => (StatusCode::NOT_FOUND, "no such table").into_response(),
    }
}

async fn start(fake: Fake) -> Arc<Fake> {
    let fake = Arc::new(fake);
    let app = axum::Router::new()
        .route(
            "/cbs/{dataset}/ogc/v1/collections/{collection}/items",
            axum::routing::get(pdok_items),
        )
        .route(
            "/ODataFeed/odata/{table}/{entity}",
            axum::routing::get(odata),
        )
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    *fake.base.lock().unwrap() = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    fake
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `wijkveilig fetch` with the addresses in the environment, as a mirror user would.
async fn run_fetch(fake: &Fake, db: &str, dir: &Path, extra: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wijkveilig"));
    cmd.args([
        "fetch",
        "--gemeente",
        GEMEENTE,
        "--from",
        "2021",
        "--to",
        "2024",
        "--retry-backoff-ms",
        "20",
        "--dir",
    ])
    .arg(dir)
    .args(extra)
    .env("DATABASE_URL", db)
    .env("WIJKVEILIG_PDOK_URL", fake.base())
    .env("WIJKVEILIG_CBS_URL", fake.base())
    .env("WIJKVEILIG_POLITIE_URL", fake.base())
    .env("RUST_LOG", "warn");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn scalar(store: &Store, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(store.pool()).await.unwrap();
    n
}

fn shared_total_and_withheld(dir: &Path) -> (i64, i64) {
    let rows = read_csv(&dir.join("almelo-misdrijven-47018NED-2023.csv"));
    let value =
        |r: &BTreeMap<String, String>| r["GeregistreerdeMisdrijven_1"].parse::<i64>().unwrap();
    let total = rows.iter().map(value).sum();
    let withheld = rows
        .iter()
        .filter(|r| WITHHELD.contains(&r["WijkenEnBuurten"].as_str()))
        .map(value)
        .sum();
    (total, withheld)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_almelo_into_a_fresh_store_through_retries_on_both_stores() {
    let Some(shared) = shared_dir() else { return };
    let (total, withheld_sum) = shared_total_and_withheld(&shared);
    assert_eq!(total, 4_100, "the shared file's published total");
    for db in TestDb::both().await {
        let fake = Fake::load(&shared);
        fake.once_429
            .lock()
            .unwrap()
            .insert("pdok/gemeenten/0".into());
        fake.once_500
            .lock()
            .unwrap()
            .insert("pdok/buurten/1".into());
        let fake = start(fake).await;
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("fetch");
        let started = std::time::Instant::now();
        let run = run_fetch(&fake, &db.url, &dir, &[]).await;
        assert!(run.ok, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
        assert!(
            started.elapsed() >= std::time::Duration::from_secs(1),
            "the 429's Retry-After: 1 is honoured"
        );
        // The retried pages were asked twice, the others once.
        assert_eq!(fake.count("pdok/gemeenten/0"), 2);
        assert_eq!(fake.count("pdok/buurten/1"), 2);
        assert_eq!(fake.count("pdok/buurten/0"), 1);
        assert_eq!(fake.count("pdok/buurten/2"), 1);
        assert_eq!(fake.count("47018NED/2023/2"), 1, "71 rows are three pages");
        // Years that do not exist are said, not fatal.
        for sentence in [
            "PDOK has no wijken-en-buurten-2024",
            "PDOK has no wijken-en-buurten-2022",
            "47018NED has no rows for GM0141 in 2022",
            "47018NED has no figures for 2024",
            "47022NED has no monthly figures",
        ] {
            says(&run.stderr, sentence);
        }

        let store = Store::connect(&db.url).await.unwrap();
        assert_eq!(
            store.boundary_years().await.unwrap(),
            [i64::from(PDOK_YEAR)]
        );
        let areas = store
            .areas(i64::from(PDOK_YEAR), Some("0141"))
            .await
            .unwrap();
        let count = |level: AreaLevel| areas.iter().filter(|a| a.level == level.as_str()).count();
        assert_eq!(count(AreaLevel::Buurt), 71);
        assert_eq!(count(AreaLevel::Wijk), 12);
        assert_eq!(count(AreaLevel::Gemeente), 1);
        let binnenstad = areas.iter().find(|a| a.code == "BU01411000").unwrap();
        assert_eq!(binnenstad.name, "Binnenstad Noord");
        assert_eq!(binnenstad.parent_code.as_deref(), Some("WK014110"));
        // Lon/lat after the latitude-first answer: Almelo lies at about 6.66 E, 52.36 N.
        let [min_lon, min_lat, max_lon, max_lat] = binnenstad.bbox;
        assert!(
            (6.6..6.8).contains(&min_lon) && (52.3..52.4).contains(&min_lat),
            "{:?}",
            binnenstad.bbox
        );
        assert!(max_lon > min_lon && max_lat > min_lat);

        let known = scalar(
            &store,
            "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM offences WHERE period = '2023JJ00' AND crime_type = '0.0.0'",
        )
        .await;
        assert_eq!(known, 4_100 - withheld_sum);
        assert_eq!(
            scalar(&store, "SELECT CAST(COUNT(*) AS BIGINT) FROM offences").await,
            71
        );
        let withheld: Vec<(String,)> =
            sqlx::query_as("SELECT area_code FROM offences WHERE count IS NULL ORDER BY area_code")
                .fetch_all(store.pool())
                .await
                .unwrap();
        let withheld: Vec<String> = withheld.into_iter().map(|r| r.0).collect();
        assert_eq!(withheld, WITHHELD, "withheld stays withheld, never 0");
        assert_eq!(
            store.crime_type_titles().await.unwrap()["0.0.0"],
            "Totaal misdrijven"
        );

        assert_eq!(
            scalar(&store, "SELECT CAST(COUNT(*) AS BIGINT) FROM population").await,
            84,
            "71 buurten, 12 wijken and the gemeente from 85984NED"
        );
        assert_eq!(store.population_of("BU01411000").await.unwrap(), Some(2360));
        assert_eq!(store.population_of("GM0141").await.unwrap(), Some(74_317));

        // The manifest holds every page with its address, time, size and checksum.
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["gemeente"], GEMEENTE);
        let payloads = manifest["payloads"].as_array().unwrap();
        let buurt_pages = payloads
            .iter()
            .filter(|p| {
                p["url"]
                    .as_str()
                    .unwrap()
                    .contains("/collections/buurten/items")
            })
            .count();
        assert_eq!(buurt_pages, 3);
        for p in payloads {
            let body = std::fs::read(dir.join(p["file"].as_str().unwrap())).unwrap();
            assert_eq!(p["bytes"], body.len());
            assert_eq!(p["sha256"], wijkveilig::fetch::manifest::sha256_hex(&body));
            assert!(p["url"].as_str().unwrap().starts_with(&fake.base()));
            assert!(p["fetched_at"].as_str().unwrap().starts_with("20"));
        }
        let outputs: Vec<&str> = manifest["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["file"].as_str().unwrap())
            .collect();
        assert_eq!(
            outputs,
            [
                "import/gemeenten.geojson",
                "import/wijken.geojson",
                "import/buurten.geojson",
                "import/offences.csv",
                "import/population.csv"
            ]
        );

        // Each committed import is in the audit trail, as with `wijkveilig import`.
        let audit = store
            .audit_rows("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")
            .await
            .unwrap();
        let imports: Vec<&str> = audit
            .iter()
            .filter(|r| r.action == "import")
            .map(|r| r.object.as_str())
            .collect();
        assert_eq!(imports.len(), 5, "{imports:?}");
        assert!(imports[3].starts_with("Offences ") && imports[3].ends_with(": 71 rows"));
        says(&run.stdout, "imported offences: 71 rows");
        says(&run.stdout, "3 cells are withheld");
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetch_that_fails_mid_way_resumes_without_fetching_finished_pages_again() {
    let Some(shared) = shared_dir() else { return };
    let fake = Fake::load(&shared);
    fake.always_500
        .lock()
        .unwrap()
        .insert("47018NED/2023/1".into());
    let fake = start(fake).await;
    let db = TestDb::sqlite();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("fetch");

    let first = run_fetch(&fake, &db.url, &dir, &[]).await;
    assert!(!first.ok, "{}", first.stdout);
    assert!(
        first.stderr.contains("$skiptoken=1")
            && first.stderr.contains("500 Internal Server Error")
            && first.stderr.contains("tried 4 times")
            && first.stderr.contains("rerun the same command to resume"),
        "{}",
        first.stderr
    );
    assert_eq!(fake.count("47018NED/2023/1"), 4);
    let store = Store::connect(&db.url).await.unwrap();
    assert!(
        store.boundary_years().await.unwrap().is_empty(),
        "nothing is imported before everything is fetched"
    );

    fake.always_500.lock().unwrap().clear();
    let second = run_fetch(&fake, &db.url, &dir, &[]).await;
    assert!(second.ok, "{}\n{}", second.stdout, second.stderr);
    says(&second.stderr, "reused from an earlier run");
    for page in [
        "pdok/gemeenten/0",
        "pdok/wijken/0",
        "pdok/buurten/0",
        "pdok/buurten/1",
        "pdok/buurten/2",
        "47018NED/2023/0",
    ] {
        assert_eq!(
            fake.count(page),
            1,
            "{page} was fetched once, in the first run"
        );
    }
    assert_eq!(fake.count("47018NED/2023/1"), 5, "four failures, then once");
    assert_eq!(fake.count("47018NED/2023/2"), 1);
    assert_eq!(fake.count("85984NED/0"), 1);
    let areas = store.areas(i64::from(PDOK_YEAR), None).await.unwrap();
    assert_eq!(
        areas
            .iter()
            .filter(|a| a.level == AreaLevel::Buurt.as_str())
            .count(),
        71
    );
    assert_eq!(
        scalar(&store, "SELECT CAST(COUNT(*) AS BIGINT) FROM offences").await,
        71
    );

    // A page whose file was changed on disk no longer matches its checksum: fetched again.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let page = manifest["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"].as_str().unwrap().contains("/collections/wijken/"))
        .unwrap();
    std::fs::write(dir.join(page["file"].as_str().unwrap()), b"{}").unwrap();
    let third = run_fetch(&fake, &db.url, &dir, &[]).await;
    assert!(third.ok, "{}", third.stderr);
    says(&third.stderr, "no longer matches its SHA-256");
    assert_eq!(fake.count("pdok/wijken/0"), 2);
    assert_eq!(fake.count("pdok/buurten/0"), 1);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_fetches_and_checks_but_writes_nothing_to_the_store() {
    let Some(shared) = shared_dir() else { return };
    let fake = start(Fake::load(&shared)).await;
    let db = TestDb::sqlite();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("fetch");
    let run = run_fetch(&fake, &db.url, &dir, &["--dry-run"]).await;
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout
            .matches("checked (dry run, nothing written)")
            .count(),
        5,
        "{}",
        run.stdout
    );
    says(&run.stdout, "3 cells are withheld");
    let store = Store::connect(&db.url).await.unwrap();
    for table in ["areas", "offences", "population", "imports", "audit_log"] {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} after a dry run");
    }
    assert!(
        dir.join("manifest.json").exists(),
        "the fetch itself is kept for a real run"
    );
    store.close().await;
}
