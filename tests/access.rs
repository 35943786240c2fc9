//! Who sees what: every route as every role (and anonymous) over real HTTP on SQLite and
//! PostgreSQL, the wijkregisseur's scope, small-count suppression that survives subtraction,
//! the protected heatmap, sessions and the audit trail.
//!
//! The route × role table in `docs/access-matrix.md` is written by this test from what the
//! server answered; when the answers change, the test fails until the file is regenerated
//! with `WIJKVEILIG_UPDATE_DOCS=1 cargo test --test access`.

mod common;

use common::{TestDb, ensure_user, serve_anonymous, sign_in, small_town, write};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use wijkveilig::auth::Role;
use wijkveilig::http::policy::ROUTES;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::Store;

/// The accounts of the matrix: one per role. Wim directs wijk WK999901 (Markt, Haven).
const ACCOUNTS: [(&str, Role, &[&str]); 4] = [
    ("anna", Role::Beheerder, &[]),
    ("vera", Role::Veiligheidsteam, &[]),
    ("wim", Role::Wijkregisseur, &["WK999901"]),
    ("stef", Role::Stuurgroep, &[]),
];
const WIM_WIJK: &str = "WK999901";

/// One concrete request for each route of the policy table (the camera routes use an id of
/// the caller's own, so each role's create, update and delete stand alone).
fn request_for(method: &str, route: &str, who: &str) -> (String, Option<Value>) {
    let camera = json!({"id": format!("m-{who}"), "name": "Matrix", "lon": 6.605, "lat": 52.305,
        "radius_m": 50, "status": "planned"});
    let q = "from=2023&to=2023";
    match (method, route) {
        ("POST", "/api/session") => (
            route.into(),
            Some(json!({"username": "nobody", "password": "wrong password"})),
        ),
        ("PUT", "/api/session/demo-role") => (route.into(), Some(json!({"role": "stuurgroep"}))),
        ("GET", r @ ("/api/areas" | "/api/figures")) => (format!("{r}?level=buurt&{q}"), None),
        ("GET", "/tiles/{level}/{z}/{x}/{tile}") => ("/tiles/buurt/0/0/0.mvt".into(), None),
        ("GET", "/api/areas/{code}") => (format!("/api/areas/BU99990101?{q}"), None),
        ("POST", "/api/cameras") => (route.into(), Some(camera)),
        ("PUT", "/api/cameras/{id}") => (format!("/api/cameras/m-{who}"), Some(camera)),
        ("DELETE", "/api/cameras/{id}") => (format!("/api/cameras/m-{who}"), None),
        ("POST", "/api/coverage/what-if") => (
            format!("/api/coverage/what-if?{q}"),
            Some(json!({"cameras": []})),
        ),
        ("POST", "/api/planning/placement") => (
            format!("/api/planning/placement?{q}"),
            Some(json!({"k": 1, "radius_m": 50})),
        ),
        ("PUT", "/api/indicators/{key}/target") => (
            "/api/indicators/offences/target".into(),
            Some(json!({"year": 2026, "value": 900})),
        ),
        ("PUT", "/api/indicators/{key}/baseline") => (
            "/api/indicators/offences/baseline".into(),
            Some(json!({"year": 2017, "value": 1000})),
        ),
        ("GET", "/api/indicators/{key}/breakdown") => {
            ("/api/indicators/offences/breakdown".into(), None)
        }
        ("GET", "/api/docs/{*rest}") => ("/api/docs/swagger-ui.css".into(), None),
        ("GET", r) if r.starts_with("/api/patrol") || r.starts_with("/api/hotspots") => {
            (format!("{r}?{q}"), None)
        }
        ("GET", r @ ("/api/kde" | "/api/coverage" | "/api/incidents" | "/api/enforcement")) => {
            (format!("{r}?{q}"), None)
        }
        (_, r) => (r.into(), None),
    }
}

async fn call(
    client: &Client,
    base: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, String) {
    let mut req = client.request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{path}"),
    );
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// Codes of an answer's features (`properties.code`, else `buurt_code`), and of CSV rows.
fn codes_in(body: &str) -> Vec<String> {
    let mut out = vec![];
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        for f in v["features"].as_array().into_iter().flatten() {
            let p = &f["properties"];
            if let Some(c) = p["code"].as_str().or(p["buurt_code"].as_str()) {
                out.push(c.to_string());
            } else {
                out.push("(no buurt)".into());
            }
        }
        for part in v["wijken"].as_array().into_iter().flatten() {
            if let Some(c) = part["code"].as_str() {
                out.push(c.to_string());
            }
        }
    }
    out
}

/// Whether a code lies inside wijk WK999901 (as a buurt) or is a wijk/gemeente (aggregates
/// of the whole gemeente are the wijkregisseur's to see).
fn inside_wim(code: &str) -> bool {
    code.starts_with("BU99990") && code[2..8] == WIM_WIJK[2..]
        || code.starts_with("WK")
        || code.starts_with("GM")
}

#[tokio::test]
async fn every_route_as_every_role_on_both_stores() {
    let mut table: Option<String> = None;
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        small_town(&store, dir.path()).await;
        for (name, role, wijken) in ACCOUNTS {
            ensure_user(&store, name, role, wijken).await;
        }
        let base = serve_anonymous(store.clone()).await;
        let anonymous = Client::new();
        let mut clients = vec![("anonymous", None, anonymous)];
        for (name, role, _) in ACCOUNTS {
            clients.push((name, Some(role), sign_in(&base, name).await));
        }

        let mut rows: Vec<String> = vec![];
        // Sign-out goes last: it ends the session the other rows use.
        let mut routes: Vec<_> = ROUTES.to_vec();
        // Cameras are created, then changed, then deleted.
        let order = |m: &str| {
            ["GET", "POST", "PUT", "DELETE"]
                .iter()
                .position(|x| *x == m)
        };
        routes.sort_by_key(|(m, r, _)| (*m == "DELETE" && *r == "/api/session", *r, order(m)));
        for (method, route, need) in routes {
            let mut cells = vec![];
            for (who, role, client) in &clients {
                let (path, body) = request_for(method, route, who);
                let (status, text) = call(client, &base, method, &path, body.as_ref()).await;
                let expected_denial = match role {
                    None if need != wijkveilig::auth::Need::Public => Some(401),
                    Some(r) if !wijkveilig::auth::policy::grants(*r, need) => Some(403),
                    _ => None,
                };
                match expected_denial {
                    Some(code) => assert_eq!(status, code, "{who} {method} {path}: {text}"),
                    // A public route answers for itself (a wrong password is its own 401).
                    None if need == wijkveilig::auth::Need::Public => assert!(
                        status != 403 && status < 500,
                        "{who} {method} {path}: {status} {text}"
                    ),
                    None => assert!(
                        status != 401 && status != 403 && status < 500,
                        "{who} {method} {path} is granted but answered {status}: {text}"
                    ),
                }
                if status == 200 && *role == Some(Role::Wijkregisseur) {
                    for code in codes_in(&text) {
                        assert!(inside_wim(&code), "wim got {code} from {method} {path}");
                    }
                    if path.ends_with(".csv") || path.contains(".csv?") {
                        for line in text.lines().skip(1) {
                            assert!(
                                line.split([',', ';']).all(
                                    |f| !f.starts_with("BU") || inside_wim(f.trim_matches('"'))
                                ),
                                "wim got a CSV line outside his wijk: {line}"
                            );
                        }
                    }
                }
                cells.push(status.to_string());
            }
            rows.push(format!(
                "| `{method} {route}` | {} | {} |",
                need.as_str(),
                cells.join(" | ")
            ));
        }

        // The wijkregisseur's buurt outside his wijk, and his points (signed in again: the
        // matrix ended with signing out).
        let wim = &sign_in(&base, "wim").await;
        let (s, _) = call(
            wim,
            &base,
            "GET",
            "/api/areas/BU99990201?from=2023&to=2023",
            None,
        )
        .await;
        assert_eq!(s, 403, "a buurt outside wim's wijk");
        let (s, text) = call(wim, &base, "GET", "/api/cameras", None).await;
        assert_eq!(s, 200);
        // Of Amaliaplein (Markt), Stadion (Veld, the other wijk) and one outside the town.
        assert_eq!(
            codes_in(&text),
            vec!["BU99990101".to_string()],
            "only the camera inside his wijk"
        );

        // No anonymous answer carries data, and the route table covers the OpenAPI document.
        let doc: Value = serde_json::from_str(&wijkveilig::http::openapi_json()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let m = method.to_ascii_uppercase();
                assert!(
                    ROUTES.iter().any(|(rm, rp, _)| *rm == m && rp == path),
                    "{m} {path} is in the API document but has no access policy"
                );
            }
        }
        for (m, r, _) in ROUTES {
            if r.starts_with("/api/docs") || *r == "/api/openapi.json" {
                continue;
            }
            assert!(
                doc["paths"][r][m.to_ascii_lowercase()].is_object(),
                "{m} {r} has a policy but is not in the API document"
            );
        }

        let header = "| route | need | anonymous | beheerder | veiligheidsteam | wijkregisseur | stuurgroep |\n|---|---|---|---|---|---|---|";
        let text = format!("{header}\n{}\n", rows.join("\n"));
        if let Some(first) = &table {
            assert_eq!(first, &text, "SQLite and PostgreSQL answer alike");
        }
        table = Some(text);
        store.close().await;
        db.cleanup().await;
    }
    if let Some(table) = table {
        let doc = format!(
            "# Access matrix\n\n\
             Generated by `tests/access.rs` from what a server with the test town answered, for \
             every route of the access policy (`backend/src/http/policy.rs`) as each role and \
             anonymously, on SQLite and PostgreSQL alike. 401 = not signed in, 403 = the role \
             lacks the route's need; other codes are the route's own answer (e.g. 401 for a \
             wrong password, 404 for the demo-only role switch outside the demo).\n\n\
             Regenerate with `WIJKVEILIG_UPDATE_DOCS=1 cargo test --test access`.\n\n{table}"
        );
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/access-matrix.md");
        if std::env::var_os("WIJKVEILIG_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &doc).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == doc,
            "docs/access-matrix.md differs from what the server answers: run WIJKVEILIG_UPDATE_DOCS=1 cargo test --test access"
        );
    }
}

/// Counts of the buurten and wijken of the small town, for one month and one crime type, so
/// that some are small: Markt 12, Haven 4, Veld 6 burglaries in April 2023.
const SMALL: &str = "from=2023-04&to=2023-04&types=1.1.1";

fn figures(fc: &Value) -> Vec<(String, Option<i64>, bool)> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["code"].as_str().unwrap().to_string(),
                p["count"].as_i64(),
                p["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Tries to recover every hidden buurt count by subtracting the shown buurten from the shown
/// wijk total; returns the recovered (code, value) pairs.
fn recover_by_subtraction(
    buurten: &[(String, Option<i64>, bool)],
    wijken: &[(String, Option<i64>, bool)],
) -> Vec<(String, i64)> {
    let mut out = vec![];
    for (wijk, total, _) in wijken {
        let Some(total) = total else { continue };
        let inside: Vec<_> = buurten
            .iter()
            .filter(|(c, _, _)| c[2..8] == wijk[2..8])
            .collect();
        let hidden: Vec<_> = inside.iter().filter(|(_, _, s)| *s).collect();
        if hidden.len() == 1 {
            let shown: i64 = inside.iter().filter_map(|(_, v, _)| *v).sum();
            out.push((hidden[0].0.clone(), total - shown));
        }
    }
    out
}

#[tokio::test]
async fn small_counts_are_hidden_and_cannot_be_recovered_by_subtraction() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        small_town(&store, dir.path()).await;
        ensure_user(&store, "anna", Role::Beheerder, &[]).await;
        ensure_user(&store, "stef", Role::Stuurgroep, &[]).await;
        let base = serve_anonymous(store.clone()).await;
        let (anna, stef) = (sign_in(&base, "anna").await, sign_in(&base, "stef").await);
        let get = |c: &Client, path: String| {
            let c = c.clone();
            let base = base.clone();
            async move {
                let (s, t) = call(&c, &base, "GET", &path, None).await;
                assert_eq!(s, 200, "{path}: {t}");
                serde_json::from_str::<Value>(&t).unwrap()
            }
        };
        let truth = figures(&get(&anna, format!("/api/areas?level=buurt&{SMALL}")).await);
        assert!(
            truth
                .iter()
                .any(|(c, v, _)| c == "BU99990102" && *v == Some(4)),
            "the fixture has a small count: {truth:?}"
        );
        let buurten = figures(&get(&stef, format!("/api/areas?level=buurt&{SMALL}")).await);
        let wijken = figures(&get(&stef, format!("/api/areas?level=wijk&{SMALL}")).await);
        for (code, v, s) in buurten.iter().chain(&wijken) {
            assert!(
                !v.is_some_and(|v| (1..5).contains(&v)),
                "{code} shows the small count {v:?} to the steering group"
            );
            assert_eq!(v.is_none(), *s || v.is_none(), "{code}");
        }
        assert!(
            buurten.iter().any(|(c, _, s)| c == "BU99990102" && *s),
            "Haven (4) is hidden"
        );
        // The attack: wijk total minus the shown buurten.
        let recovered = recover_by_subtraction(&buurten, &wijken);
        assert!(
            recovered.is_empty(),
            "recovered by subtraction: {recovered:?}"
        );
        // The panel of the wijk does not give it away either: its months and types.
        let panel = get(&stef, format!("/api/areas/WK999901?{SMALL}")).await;
        for m in panel["monthly"].as_array().unwrap() {
            assert!(
                !m["count"].as_i64().is_some_and(|v| (1..5).contains(&v)),
                "{m}"
            );
        }
        // Rates from hidden counts are hidden too.
        let fc = get(&stef, format!("/api/areas?level=buurt&{SMALL}")).await;
        for f in fc["features"].as_array().unwrap() {
            if f["properties"]["suppressed"] == true {
                assert!(f["properties"]["rate_per_1000"].is_null(), "{f}");
            }
        }
        store.close().await;
        db.cleanup().await;
    }
}

/// The protected heatmap: one incident far from the others is invisible to the steering
/// group, while the cluster stays visible; the safety team sees both.
#[tokio::test]
async fn an_isolated_incident_is_invisible_on_the_protected_heatmap() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    let mut csv = String::from("id,time,crime_type,lon,lat\n");
    for k in 0..30 {
        let (dx, dy) = ((k % 6) as f64 * 0.0003, (k / 6) as f64 * 0.0002);
        csv.push_str(&format!(
            "c{k},2023-06-01T12:00,1.1.1,{},{}\n",
            6.603 + dx,
            52.304 + dy
        ));
    }
    let lonely = (6.628, 52.306);
    csv.push_str(&format!(
        "lonely,2023-06-02T03:00,1.1.1,{},{}\n",
        lonely.0, lonely.1
    ));
    let file = write(dir.path(), "incidents.csv", csv.as_bytes());
    import_file(
        &store,
        ImportKind::Incidents,
        &file,
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    ensure_user(&store, "vera", Role::Veiligheidsteam, &[]).await;
    ensure_user(&store, "stef", Role::Stuurgroep, &[]).await;
    let base = serve_anonymous(store.clone()).await;
    // Near the lonely incident: the largest value within 300 m of it.
    let near = |s: &Value, (lon, lat): (f64, f64)| -> f64 {
        let c = s["corners"].as_array().unwrap();
        let (west, north) = (c[0][0].as_f64().unwrap(), c[0][1].as_f64().unwrap());
        let (east, south) = (c[2][0].as_f64().unwrap(), c[2][1].as_f64().unwrap());
        let (nx, ny) = (
            s["nx"].as_u64().unwrap() as usize,
            s["ny"].as_u64().unwrap() as usize,
        );
        let values = s["values"].as_array().unwrap();
        let mut best: f64 = 0.0;
        for row in 0..ny {
            for col in 0..nx {
                let clon = west + (col as f64 + 0.5) / nx as f64 * (east - west);
                let clat = north - (row as f64 + 0.5) / ny as f64 * (north - south);
                let d = ((clon - lon) * 68_000.0).hypot((clat - lat) * 111_000.0);
                if d < 300.0 {
                    best = best.max(values[row * nx + col].as_f64().unwrap());
                }
            }
        }
        best
    };
    let kde = |who: &'static str| {
        let base = base.clone();
        async move {
            let c = sign_in(&base, who).await;
            let (s, t) = call(&c, &base, "GET", "/api/kde?from=2023&to=2023", None).await;
            assert_eq!(s, 200, "{t}");
            serde_json::from_str::<Value>(&t).unwrap()
        }
    };
    let exact = kde("vera").await;
    let protected = kde("stef").await;
    assert!(
        near(&exact, lonely) > 0.0,
        "the safety team sees the lonely incident"
    );
    assert_eq!(
        near(&protected, lonely),
        0.0,
        "the steering group cannot locate it"
    );
    assert!(
        near(&protected, (6.604, 52.3045)) > 0.0,
        "the cluster stays on the protected map"
    );
    assert!(protected["bandwidth_m"].as_f64().unwrap() >= 400.0);
    store.close().await;
    db.cleanup().await;
}

/// Sign-in: wrong passwords are refused and throttled per account; the audit trail records
/// each attempt; a session works until sign-out; a disabled account's session ends.
#[tokio::test]
async fn sessions_throttle_and_audit() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        small_town(&store, dir.path()).await;
        ensure_user(&store, "vera", Role::Veiligheidsteam, &[]).await;
        ensure_user(&store, "otto", Role::Stuurgroep, &[]).await;
        let base = serve_anonymous(store.clone()).await;
        let plain = Client::new();
        let attempt = |user: &'static str, password: &'static str| {
            let plain = plain.clone();
            let base = base.clone();
            async move {
                call(
                    &plain,
                    &base,
                    "POST",
                    "/api/session",
                    Some(&json!({"username": user, "password": password})),
                )
                .await
                .0
            }
        };
        for _ in 0..5 {
            assert_eq!(attempt("otto", "not his password").await, 401);
        }
        assert_eq!(
            attempt("otto", common::TEST_PASSWORD).await,
            429,
            "throttled after 5 failures"
        );
        assert_eq!(
            attempt("vera", common::TEST_PASSWORD).await,
            204,
            "another account is not throttled"
        );

        let vera = sign_in(&base, "vera").await;
        let (s, t) = call(&vera, &base, "GET", "/api/session", None).await;
        assert_eq!(s, 200);
        let me: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(me["role"], "veiligheidsteam");
        assert_eq!(
            call(&vera, &base, "GET", "/api/incidents", None).await.0,
            200
        );
        store.disable_user("vera").await.unwrap();
        assert_eq!(
            call(&vera, &base, "GET", "/api/incidents", None).await.0,
            401,
            "a disabled account's session ends"
        );

        let rows = store.audit_all().await.unwrap();
        let fails = rows
            .iter()
            .filter(|r| r.action == "sign-in" && r.result == "failure")
            .count();
        assert_eq!(fails, 5);
        assert!(
            rows.iter()
                .any(|r| r.action == "sign-in" && r.result == "throttled" && r.object == "otto")
        );
        assert!(
            rows.iter()
                .any(|r| r.action == "read-points" && r.actor == "vera" && r.origin == "127.0.0.1")
        );
        assert!(
            rows.iter()
                .all(|r| !format!("{r:?}").contains(common::TEST_PASSWORD)
                    && !r.object.contains("not his password")),
            "no password in the audit trail"
        );
        assert_eq!(
            wijkveilig::auth::audit::verify(&store).await.unwrap(),
            Ok(rows.len())
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// `audit verify` (the function the command calls) names the first broken row after an edit
/// and after a deletion, on both stores.
#[tokio::test]
async fn audit_verify_catches_a_changed_and_a_deleted_row() {
    use wijkveilig::auth::audit::{Action, Broken, Event, record, verify};
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let admin = wijkveilig::auth::Principal::local_admin();
        for k in 0..6 {
            record(
                &store,
                &Event::by(&admin, Action::ChangeCamera, &format!("camera {k}"), "cli"),
            )
            .await
            .unwrap();
        }
        assert_eq!(verify(&store).await.unwrap(), Ok(6));
        sqlx::query("UPDATE audit_log SET object = 'camera 99' WHERE seq = 3")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            verify(&store).await.unwrap(),
            Err(Broken::Edited { seq: 3 })
        );
        sqlx::query("UPDATE audit_log SET object = 'camera 2' WHERE seq = 3")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(verify(&store).await.unwrap(), Ok(6));
        sqlx::query("DELETE FROM audit_log WHERE seq = 4")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            verify(&store).await.unwrap(),
            Err(Broken::Missing { after: 3, found: 5 })
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// Security headers and the origin check, on the app and the API.
#[tokio::test]
async fn security_headers_and_cross_site_changes_are_refused() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    ensure_user(&store, "anna", Role::Beheerder, &[]).await;
    let base = serve_anonymous(store.clone()).await;
    let r = reqwest::get(format!("{base}/api/health")).await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.get("access-control-allow-origin").is_none(), "no CORS");
    let anna = sign_in(&base, "anna").await;
    // Answers with personal data are never cached.
    let r = anna
        .get(format!("{base}/api/incidents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = anna
        .put(format!("{base}/api/indicators/offences/target"))
        .header("origin", "https://evil.example")
        .json(&json!({"year": 2026, "value": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "a cross-site change is refused");
    // The printable report: its own strict policy, and markup that needs nothing inline.
    let r = anna
        .get(format!("{base}/api/report?format=html&period=2023"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    assert!(
        csp.contains("style-src 'sha256-") && !csp.contains("unsafe") && !csp.contains("script"),
        "{csp}"
    );
    assert!(
        !html.contains(" style=\"") && !html.contains("<script"),
        "no inline style attributes or scripts"
    );
    let cookie_flags = reqwest::Client::new()
        .post(format!("{base}/api/session"))
        .json(&json!({"username": "anna", "password": common::TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    let set_cookie = cookie_flags.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        set_cookie.contains("httponly") && set_cookie.contains("samesite=strict"),
        "{set_cookie}"
    );
    store.close().await;
    db.cleanup().await;
}

/// A session ends after its idle time without a request (here 1 s).
#[tokio::test]
async fn an_idle_session_ends() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    ensure_user(&store, "vera", Role::Veiligheidsteam, &[]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state =
        wijkveilig::server_state(store.clone(), None).with_access(wijkveilig::http::AccessConfig {
            idle: std::time::Duration::from_secs(1),
            ..Default::default()
        });
    tokio::spawn(async move { wijkveilig::http::serve(listener, state).await.unwrap() });
    let vera = sign_in(&base, "vera").await;
    assert_eq!(call(&vera, &base, "GET", "/api/session", None).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        call(&vera, &base, "GET", "/api/session", None).await.0,
        401,
        "idle for 2 s of 1"
    );
    store.close().await;
    db.cleanup().await;
}

/// Pruning old rows keeps the rest verifiable; the first request after it still chains.
#[tokio::test]
async fn a_pruned_audit_trail_still_verifies() {
    use wijkveilig::auth::audit::{Action, Broken, Event, record, verify};
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let admin = wijkveilig::auth::Principal::local_admin();
    for k in 0..4 {
        record(
            &store,
            &Event::by(&admin, Action::ChangeUser, &format!("user {k}"), "cli"),
        )
        .await
        .unwrap();
    }
    let cutoff = store.audit_all().await.unwrap()[2].at.clone();
    assert_eq!(store.audit_prune(&cutoff).await.unwrap(), 2);
    record(
        &store,
        &Event::by(&admin, Action::AuditPrune, "2 rows", "cli"),
    )
    .await
    .unwrap();
    assert_eq!(verify(&store).await.unwrap(), Ok(3));
    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        verify(&store).await.unwrap(),
        Err(Broken::Missing { after: 2, found: 4 })
    );
    store.close().await;
    db.cleanup().await;
}

/// `serve` on real data without a beheerder refuses to start and says how to make one; the
/// `user` and `audit` commands work as documented.
#[tokio::test]
async fn serve_refuses_real_data_without_an_administrator() {
    let bin = env!("CARGO_BIN_EXE_wijkveilig");
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    store.close().await;
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(bin)
            .args(args)
            .env("DATABASE_URL", &db.url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (ok, text) = run(&["serve", "--addr", "127.0.0.1:0"], "");
    assert!(
        !ok && text.contains("no beheerder account") && text.contains("wijkveilig user add"),
        "{text}"
    );
    let (ok, text) = run(
        &[
            "user",
            "add",
            "anna",
            "--role",
            "beheerder",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!ok && text.contains("too short"), "{text}");
    let (ok, text) = run(
        &[
            "user",
            "add",
            "wim",
            "--role",
            "wijkregisseur",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(
        !ok && text.contains("--wijk"),
        "a wijkregisseur needs wijken: {text}"
    );
    let (ok, _) = run(
        &[
            "user",
            "add",
            "anna",
            "--role",
            "beheerder",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(ok);
    let (ok, text) = run(&["user", "list"], "");
    assert!(ok && text.contains("anna\tbeheerder"), "{text}");
    assert!(!text.contains("argon2"), "no hashes in the listing");
    let (ok, text) = run(&["audit", "verify"], "");
    assert!(ok && text.contains("intact"), "{text}");
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let (ok, text) = run(&["audit", "export", "--from", &today, "--to", &today], "");
    assert!(
        ok && text.contains("change-user") && text.contains("add anna as beheerder"),
        "{text}"
    );
    db.cleanup().await;
}

/// Concurrent appends (many point reads at once) all land, in one unbroken chain.
#[tokio::test]
async fn concurrent_audit_appends_keep_one_chain() {
    use wijkveilig::auth::audit::{Action, Event, record, verify};
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let admin = wijkveilig::auth::Principal::local_admin();
        let tasks: Vec<_> = (0..40)
            .map(|k| {
                let (store, admin) = (store.clone(), admin.clone());
                tokio::spawn(async move {
                    record(
                        &store,
                        &Event::by(&admin, Action::ReadPoints, &format!("read {k}"), "cli"),
                    )
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(verify(&store).await.unwrap(), Ok(40));
        store.close().await;
        db.cleanup().await;
    }
}

/// The indicator breakdown per buurt hides shares of few cases from the steering group (the
/// demo has buurten with 1 of 1 and 3 of 3 enforcement actions), and the beheerder sees them.
#[tokio::test]
async fn breakdown_shares_of_few_cases_are_hidden() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    wijkveilig::demo::load(&store).await.unwrap();
    ensure_user(&store, "anna", Role::Beheerder, &[]).await;
    ensure_user(&store, "stef", Role::Stuurgroep, &[]).await;
    let base = serve_anonymous(store.clone()).await;
    let (anna, stef) = (sign_in(&base, "anna").await, sign_in(&base, "stef").await);
    let small = |v: &Value| v.as_i64().is_some_and(|x| (1..5).contains(&x));
    let (mut hidden, mut shown_small) = (0, 0);
    for key in ["enforcement_without_sanction", "e33_fitting_care"] {
        for w in 1..=11 {
            let path = format!("/api/indicators/{key}/breakdown?area=WK9999{w:02}");
            let (s, t) = call(&stef, &base, "GET", &path, None).await;
            assert_eq!(s, 200, "{path}: {t}");
            let b: Value = serde_json::from_str(&t).unwrap();
            for p in b["wijken"].as_array().unwrap() {
                let v = &p["value"];
                if p["suppressed"] == true {
                    assert!(v.is_null());
                    hidden += 1;
                } else if v.is_object() {
                    let (n, d) = (&v["numerator"], &v["denominator"]);
                    let rest = json!(d.as_i64().unwrap_or(0) - n.as_i64().unwrap_or(0));
                    assert!(!small(n) && !small(d) && !small(&rest), "{path} shows {p}");
                }
            }
            assert!(
                b["data"].as_array().is_none_or(|d| d.is_empty()),
                "no rows behind for stef"
            );
            let (_, t) = call(&anna, &base, "GET", &path, None).await;
            let b: Value = serde_json::from_str(&t).unwrap();
            shown_small += b["wijken"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| small(&p["value"]["denominator"]))
                .count();
        }
    }
    assert!(
        hidden > 0 && shown_small > 0,
        "the demo has shares of few cases ({hidden} hidden)"
    );
    store.close().await;
    db.cleanup().await;
}

/// Two `serve` instances on one PostgreSQL share their sessions: signed in on one, the
/// same cookie works on the other, and signing out on the other ends it on both.
#[tokio::test]
async fn two_instances_share_sessions() {
    let db = TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    ensure_user(&store, "vera", Role::Veiligheidsteam, &[]).await;
    let a = serve_anonymous(store.clone()).await;
    let b = serve_anonymous(Store::connect(&db.url).await.unwrap()).await;
    // The session cookie from signing in on A, sent by hand to both.
    let r = Client::new()
        .post(format!("{a}/api/session"))
        .json(&json!({"username": "vera", "password": common::TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let with_cookie = |base: &str, method: Method| {
        Client::new()
            .request(method, format!("{base}/api/incidents"))
            .header("cookie", &cookie)
    };
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(with_cookie(&b, Method::GET).send().await.unwrap()),
        200,
        "signed in on A, served by B"
    );
    let out = Client::new()
        .delete(format!("{b}/api/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(status(out), 204);
    // A reuses a session it read less than a second ago (auth::sessions::REUSE); on B, where
    // the sign-out happened, it ends at once.
    assert_eq!(
        status(with_cookie(&b, Method::GET).send().await.unwrap()),
        401,
        "signed out on B, ended on B at once"
    );
    let t = std::time::Instant::now();
    while status(with_cookie(&a, Method::GET).send().await.unwrap()) != 401 {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "signed out on B, still served by A after {:?}",
            t.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    store.close().await;
    db.cleanup().await;
}
