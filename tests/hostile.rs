//! Hostile input against a running server (#13): each case asserts a clean, documented JSON
//! error, and that `/api/health` keeps answering within a second while the case runs.
//!
//! The server runs as its own process (`wijkveilig serve`) on a SQLite file with the demo,
//! as a gemeente would run it, so that SIGTERM and the connection handling are the real ones.

mod common;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A `wijkveilig serve` process on a fresh SQLite file holding the demo.
struct Server {
    base: String,
    /// The server's database, for the CLI.
    db: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("wv.db").display());
    let port = common::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_wijkveilig"))
        .args(["--database-url", db.as_str(), "serve", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        base,
        db,
        child,
        _dir: dir,
    };
    let c = Client::new();
    for _ in 0..600 {
        if let Ok(r) = c.get(format!("{}/api/health", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

/// Runs `case` while probing `/api/health` every 100 ms; every probe must answer 200 within
/// a second. Returns what `case` returned and how many probes answered.
async fn while_healthy<T>(base: &str, case: impl Future<Output = T>) -> (T, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let probe = {
        let (stop, url) = (stop.clone(), format!("{base}/api/health"));
        tokio::spawn(async move {
            let c = Client::builder()
                .timeout(Duration::from_secs(1))
                .build()
                .unwrap();
            let mut answered = 0;
            while !stop.load(Ordering::Relaxed) {
                let r = c.get(&url).send().await;
                match r {
                    Ok(r) if r.status().is_success() => answered += 1,
                    Ok(r) => panic!("/api/health answered {} during the case", r.status()),
                    Err(e) => panic!("/api/health did not answer within 1 s during the case: {e}"),
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answered
        })
    };
    let out = case.await;
    stop.store(true, Ordering::Relaxed);
    let answered = probe.await.expect("the health probe failed");
    (out, answered)
}

/// Asserts the documented JSON error with `status` and returns its message.
async fn json_error(r: reqwest::Response, status: StatusCode) -> String {
    let got = r.status();
    let id = r
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string());
    let text = r.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not the JSON error ({e}): {text}"));
    assert!(body["error"].is_string(), "{body}");
    assert_eq!(body["request_id"].as_str(), id.as_deref(), "{body}");
    body["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn worst_case_densities_are_refused_and_heavy_work_leaves_the_server_answering() {
    let s = start(&[]).await;
    let c = Client::new();
    // The reported freeze: two parallel 10 m / 5 km densities (about 50 CPU-minutes each).
    let worst = format!("{}/api/kde?cell_m=10&bandwidth_m=5000", s.base);
    let ((a, b), probes) = while_healthy(&s.base, async {
        tokio::join!(c.get(&worst).send(), c.get(&worst).send())
    })
    .await;
    for r in [a.unwrap(), b.unwrap()] {
        let m = json_error(r, StatusCode::BAD_REQUEST).await;
        assert!(m.contains("limit") && m.contains("cell_m"), "{m}");
    }
    eprintln!("two worst-case densities refused; {probes} health probes answered meanwhile");

    // 10 m cells over the whole town without a bandwidth: refused for its size, not computed.
    let r = c
        .get(format!("{}/api/kde?cell_m=10&bandwidth_m=10", s.base))
        .send()
        .await
        .unwrap();
    let status = r.status();
    if status != StatusCode::OK {
        let m = json_error(r, StatusCode::BAD_REQUEST).await;
        assert!(m.contains("limit"), "{m}");
    } else {
        let k: Value = r.json().await.unwrap();
        let cells = k["nx"].as_u64().unwrap() * k["ny"].as_u64().unwrap();
        assert!(cells <= 1_000_000, "{cells} cells");
    }

    // Heavy but allowed work, many at once: permutation tests with different seeds (so no kept
    // answer serves them). They queue for the pool; health answers throughout.
    let heavy: Vec<_> = (0..8)
        .map(|seed| {
            c.get(format!(
                "{}/api/hotspots/emerging?permutations=9999&seed={seed}&geometry=false",
                s.base
            ))
            .send()
        })
        .collect();
    let (answers, probes) = while_healthy(&s.base, futures_util::future::join_all(heavy)).await;
    let mut ok = 0;
    for r in answers {
        let r = r.unwrap();
        match r.status() {
            StatusCode::OK => ok += 1,
            _ => {
                let m = json_error(r, StatusCode::SERVICE_UNAVAILABLE).await;
                assert!(m.contains("again"), "{m}");
            }
        }
    }
    assert!(ok >= 1, "at least the first heavy answer arrives");
    eprintln!(
        "8 parallel permutation tests: {ok} answered, the rest told to retry; {probes} probes"
    );

    // Too many permutations for the level is refused before any work.
    let r = c
        .get(format!(
            "{}/api/hotspots/emerging?permutations=99999",
            s.base
        ))
        .send()
        .await
        .unwrap();
    json_error(r, StatusCode::BAD_REQUEST).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_within_seconds_with_heavy_work_in_flight() {
    let mut s = start(&["--heavy-parallel", "2"]).await;
    let c = Client::new();
    let base = s.base.clone();
    let heavy: Vec<_> = (0..6)
        .map(|seed| {
            let (c, base) = (c.clone(), base.clone());
            tokio::spawn(async move {
                c.get(format!(
                    "{base}/api/hotspots/emerging?permutations=9999&seed={seed}&geometry=false&from=2019-01"
                ))
                .send()
                .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = s.child.id().to_string();
    let t = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut exited = None;
    while t.elapsed() < Duration::from_secs(10) {
        if let Some(status) = s.child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = t.elapsed();
    let status = exited.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM"));
    eprintln!("exited {status} {took:?} after SIGTERM");
    assert!(took < Duration::from_secs(5), "{took:?}");
    for h in heavy {
        // Each request either finished, was told to retry, or lost its connection at exit.
        if let Ok(r) = h.await.unwrap()
            && r.status() != StatusCode::OK
        {
            json_error(r, StatusCode::SERVICE_UNAVAILABLE).await;
        }
    }
}

/// Every route that takes a period, with multibyte and other malformed periods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multibyte_periods_on_every_route_answer_a_json_400() {
    let s = start(&[]).await;
    let c = Client::new();
    let doc: Value = serde_json::from_str(&wijkveilig::http::openapi_json()).unwrap();
    let mut routes = vec![];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let takes: Vec<String> = params
                .iter()
                .filter_map(|p| p["name"].as_str())
                .filter(|n| ["from", "to", "period"].contains(n))
                .map(String::from)
                .collect();
            if !takes.is_empty() {
                routes.push((method.to_uppercase(), path.clone(), takes));
            }
        }
    }
    assert!(routes.len() >= 14, "{routes:?}");
    let bad = [
        "202€12",
        "2023-€1",
        "€",
        "２０２３",
        "2023MM0€",
        "2023\u{202e}",
        "9999999999999999999999999",
    ];
    let (n, probes) = while_healthy(&s.base, async {
        let mut n = 0;
        for (method, path, takes) in &routes {
            let path = path
                .replace("{code}", "BU01419901")
                .replace("{key}", "offences");
            for param in takes {
                for value in &bad {
                    let url = format!("{}{path}", s.base);
                    let req = match method.as_str() {
                        "GET" => c.get(&url),
                        "POST" => c
                            .post(&url)
                            .json(&json!({"cameras": [], "k": 1, "radius_m": 50})),
                        m => panic!("{m} {path}"),
                    };
                    let r = req.query(&[(param.as_str(), *value)]).send().await.unwrap();
                    let m = json_error(r, StatusCode::BAD_REQUEST).await;
                    assert!(
                        m.contains(param.as_str()) || m.contains("period"),
                        "{method} {path}?{param}={value}: {m}"
                    );
                    n += 1;
                }
            }
        }
        n
    })
    .await;
    eprintln!(
        "{n} malformed periods on {} routes: every one a JSON 400; {probes} health probes answered",
        routes.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_bodies_foreign_hosts_and_framework_rejections_are_json_errors() {
    let s = start(&[]).await;
    let c = Client::new();
    // A 10 MB JSON body.
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(10 << 20));
    let (r, _) = while_healthy(&s.base, async {
        c.post(format!("{}/api/cameras", s.base))
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
    })
    .await;
    match r {
        Ok(r) => {
            json_error(r, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        // hyper may close the connection before reading the whole body; then no body is sent.
        Err(e) => eprintln!("10 MB body: connection closed early ({e})"),
    }
    assert!(
        c.get(format!("{}/api/health", s.base))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );

    // DNS rebinding: a page on another site whose name now points here.
    let r = c
        .get(format!("{}/api/health", s.base))
        .header("host", "rebind.evil.example")
        .send()
        .await
        .unwrap();
    let m = json_error(r, StatusCode::BAD_REQUEST).await;
    assert!(
        m.contains("rebind.evil.example") && m.contains("--allowed-host"),
        "{m}"
    );
    let r = c
        .get(format!("{}/api/health", s.base))
        .header("host", "localhost")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    // The framework's own refusals: unknown route, wrong method, bad path, wrong content type.
    let cases = [
        (c.get(format!("{}/api/nope", s.base)), StatusCode::NOT_FOUND),
        // A method the access policy does not list is refused (deny by default).
        (
            c.put(format!("{}/api/health", s.base)),
            StatusCode::FORBIDDEN,
        ),
        (
            c.get(format!("{}/tiles/buurt/x/1/2.mvt", s.base)),
            StatusCode::BAD_REQUEST,
        ),
        (
            c.post(format!("{}/api/coverage/what-if", s.base))
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            c.post(format!("{}/api/coverage/what-if", s.base))
                .header("content-type", "application/json")
                .body("{\"cameras\": [}"),
            StatusCode::BAD_REQUEST,
        ),
        (
            c.post(format!("{}/api/coverage/what-if", s.base))
                .json(&json!({"cameras": "none"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (req, status) in cases {
        json_error(req.send().await.unwrap(), status).await;
    }
}

/// One mis-geocoded incident (lon and lat swapped) used to stretch every density grid over
/// half the globe and break the layer for everyone. Now the import is refused with the line and
/// the cause, the server answers throughout, and `--repair` drops it and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_coordinate_incident_is_refused_and_the_density_stays_usable() {
    let s = start(&[]).await;
    let c = Client::new();
    let meta: Value = c
        .get(format!("{}/api/meta", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b = meta["bbox"].as_array().unwrap();
    let lon = (b[0].as_f64().unwrap() + b[2].as_f64().unwrap()) / 2.0;
    let lat = (b[1].as_f64().unwrap() + b[3].as_f64().unwrap()) / 2.0;
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(
        dir.path(),
        "incidents.csv",
        format!(
            "id,time,crime_type,lon,lat\nok1,2023-04-01T22:15,1.1.1,{lon},{lat}\nswap1,2023-04-02T01:00,1.1.1,{lat},{lon}\n"
        )
        .as_bytes(),
    );
    let import = |repair: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wijkveilig"));
        cmd.args(["--database-url", s.db.as_str(), "import", "incidents"])
            .arg(&file);
        if repair {
            cmd.arg("--repair");
        }
        async move {
            tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap()
        }
    };
    let (out, probes) = while_healthy(&s.base, import(false)).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("line 3") && err.contains("swapped"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let kde = format!("{}/api/kde?from=2023-04&to=2023-04", s.base);
    let r = c.get(&kde).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let (out, _) = while_healthy(&s.base, import(true)).await;
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("dropped") && said.contains("swap1"), "{said}");
    // The density and coverage answer with their usual grid, the dropped point nowhere.
    let k: Value = c.get(&kde).send().await.unwrap().json().await.unwrap();
    let cells = k["nx"].as_u64().unwrap() * k["ny"].as_u64().unwrap();
    assert!(cells > 0 && cells < 1_000_000, "{k}");
    let r = c
        .get(format!("{}/api/coverage?from=2023-04&to=2023-04", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    eprintln!(
        "swapped incident refused then dropped with --repair; {probes} health probes answered"
    );
}

/// Names crafted as spreadsheet formulas, in every CSV the server writes: the patrol list
/// (`/api/patrol.csv`) and the audit trail export (`wijkveilig audit export`). Each such cell
/// is neutralised with a leading apostrophe (`domain::csv_export::csv_safe`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formula_names_are_neutralised_in_every_server_csv() {
    use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
    let db = common::TestDb::sqlite();
    let store = wijkveilig::store::Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let crafted = [
        (
            "BU99990101",
            "=HYPERLINK(\\\"http://evil.example\\\",\\\"Markt\\\")",
        ),
        ("BU99990102", "+31 6 12345678"),
        ("BU99990103", "-2+3"),
        ("BU99990104", "@SUM(A1:A9)"),
    ];
    let features: Vec<String> = crafted
        .iter()
        .enumerate()
        .map(|(i, (code, name))| common::square(code, name, 6.60 + 0.01 * i as f64, 52.30, 1000))
        .collect();
    let areas = format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    );
    let mut incidents = String::from("id,time,crime_type,lon,lat\n");
    for (i, _) in crafted.iter().enumerate() {
        for k in 0..3 {
            incidents.push_str(&format!(
                "i{i}-{k},2023-04-0{}T2{k}:15,1.1.1,{},52.305\n",
                k + 1,
                6.605 + 0.01 * i as f64
            ));
        }
    }
    for (kind, name, body) in [
        (ImportKind::Areas, "areas.geojson", areas),
        (ImportKind::Incidents, "incidents.csv", incidents),
    ] {
        let path = common::write(dir.path(), name, body.as_bytes());
        import_file(&store, kind, &path, &ImportOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let base = common::serve(store.clone()).await;
    let csv = common::get(format!("{base}/api/patrol.csv?from=2023-04&to=2023-04"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cells: Vec<&str> = csv
        .lines()
        .flat_map(|l| l.split(';'))
        .map(|c| c.trim_start_matches('\u{feff}').trim_matches('"'))
        .collect();
    for bad in ["=", "+", "-", "@"] {
        assert!(
            !cells.iter().any(|c| c.starts_with(bad)),
            "a cell begins with {bad}:\n{csv}"
        );
    }
    for want in ["'=HYPERLINK", "'+31 6", "'-2+3", "'@SUM"] {
        assert!(csv.contains(want), "{want} missing:\n{csv}");
    }

    // The audit trail: a sign-in attempt with a crafted account name is one of its rows.
    let r = Client::new()
        .post(format!("{base}/api/session"))
        .header("origin", &base)
        .json(&json!({"username": "=cmd|' /C calc'!A0", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let out = Command::new(env!("CARGO_BIN_EXE_wijkveilig"))
        .args([
            "--database-url",
            db.url.as_str(),
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
        ])
        .output()
        .unwrap();
    let audit = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(audit.contains("'=cmd|"), "{audit}");
    assert!(
        !audit.contains(",=cmd|") && !audit.contains(",\"=cmd|"),
        "{audit}"
    );
}
