//! Several stateless `wijkveilig serve` processes on one PostgreSQL, alone and behind the
//! example nginx configuration (`deploy/nginx.conf`): a session made on one works on the
//! other, a change through one (or an import by the CLI) is visible on the other within 2 s,
//! and the proxy spreads requests over both and caches tiles.

mod common;

use common::{TEST_PASSWORD, TestDb, ensure_user};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wijkveilig::auth::Role;
use wijkveilig::store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_wijkveilig");

/// A child process stopped when the test ends, however it ends: SIGTERM, so that nginx's
/// master takes its workers with it, then SIGKILL.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..50 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_for(url: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if reqwest::get(url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not answer within 60 s");
}

async fn instance(db_url: &str) -> (Running, String) {
    let port = common::free_port();
    let child = Command::new(BIN)
        .args(["--database-url", db_url, "serve", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--trust-forwarded-for")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/api/health")).await;
    (Running(child), base)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Polls `check` until it holds; returns how long that took, failing after `limit`.
async fn within<F, Fut>(limit: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn json(c: &reqwest::Client, url: String) -> Value {
    let r = c.get(&url).send().await.unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test]
async fn two_instances_share_sessions_changes_and_imports() {
    let db = TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::small_town(&store, dir.path()).await;
    ensure_user(&store, "team", Role::Veiligheidsteam, &[]).await;
    ensure_user(&store, "beheer", Role::Beheerder, &[]).await;
    let (_a, a) = instance(&db.url).await;
    let (_b, b) = instance(&db.url).await;

    // A session made on A works on B (the cookie is for 127.0.0.1, both ports).
    let c = client();
    let r = c
        .post(format!("{a}/api/session"))
        .json(&json!({"username": "team", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let me = json(&c, format!("{b}/api/session")).await;
    assert_eq!(me["username"], "team");

    // A camera saved through A is on B's map within 2 s.
    let cams = |base: &str| format!("{base}/api/cameras");
    let r = c
        .post(cams(&a))
        .header("origin", &a)
        .json(
            &json!({"id": "twee", "name": "Twee instanties", "lon": 6.605, "lat": 52.305,
            "radius_m": 50, "status": "active"}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let took = within(Duration::from_secs(2), "camera on B", || {
        let (c, url) = (c.clone(), cams(&b));
        async move {
            let v = json(&c, url).await;
            v["features"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["properties"]["id"] == "twee" || f["id"] == "twee")
        }
    })
    .await;
    eprintln!("a camera saved on A was visible on B after {took:?}");

    // An import by the CLI (a second boundary year) is visible on both within 2 s, with the
    // same tile generation (a hash of the areas, not of the instance).
    let before_a = json(&c, format!("{a}/api/tiles")).await;
    let old = std::fs::read_to_string(dir.path().join("areas.geojson")).unwrap();
    let older = common::write(
        dir.path(),
        "areas-2019.geojson",
        old.replace("Markt", "Oude Markt").as_bytes(),
    );
    let status = Command::new(BIN)
        .args(["--database-url", &db.url, "import", "areas"])
        .arg(&older)
        .args(["--boundary-year", "2019"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for base in [&a, &b] {
        let took = within(Duration::from_secs(2), "the 2019 import", || {
            let (c, url) = (c.clone(), format!("{base}/api/meta"));
            async move {
                let v = json(&c, url).await;
                v["boundary_years"]
                    .as_array()
                    .is_some_and(|y| y.iter().any(|y| y == 2019))
            }
        })
        .await;
        eprintln!("an import by the CLI was visible on {base} after {took:?}");
    }
    let t_a = json(&c, format!("{a}/api/tiles?indeling=2019")).await;
    let t_b = json(&c, format!("{b}/api/tiles?indeling=2019")).await;
    assert_eq!(t_a["generation"], t_b["generation"]);
    assert_ne!(
        t_a["generation"], before_a["generation"],
        "other names, other tiles"
    );

    // Signing out on B ends the session on A.
    let r = c
        .delete(format!("{b}/api/session"))
        .header("origin", &b)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // A reuses a session it read less than a second ago (auth::sessions::REUSE).
    let t = std::time::Instant::now();
    loop {
        let status = c
            .get(format!("{a}/api/session"))
            .send()
            .await
            .unwrap()
            .status();
        if status == 401 {
            break;
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "the session still works on A {:?} after signing out on B ({status})",
            t.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    eprintln!(
        "signing out on B ended the session on A after {:?}",
        t.elapsed()
    );

    // Behind nginx with deploy/nginx.conf (when nginx is installed; scripts/test.sh installs it).
    if let Some(nginx) = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    {
        behind_nginx(nginx, &a, &b).await;
    } else {
        eprintln!(
            "SKIPPED: nginx is not installed (scripts/test.sh installs it); the proxy part did not run"
        );
    }
    db.cleanup().await;
}

async fn behind_nginx(nginx: &str, a: &str, b: &str) {
    let prefix = tempfile::tempdir().unwrap();
    for d in ["logs", "cache"] {
        std::fs::create_dir_all(prefix.path().join(d)).unwrap();
    }
    let port = common::free_port();
    let conf =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx.conf"))
            .unwrap()
            .replace("127.0.0.1:8081", a.trim_start_matches("http://"))
            .replace("127.0.0.1:8082", b.trim_start_matches("http://"))
            .replace("listen 127.0.0.1:8080", &format!("listen 127.0.0.1:{port}"));
    let conf_path = prefix.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let _proxy = Running(
        Command::new(nginx)
            .arg("-p")
            .arg(prefix.path())
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let proxy = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{proxy}/api/health")).await;

    let c = client();
    let r = c
        .post(format!("{proxy}/api/session"))
        .header("origin", &proxy)
        .json(&json!({"username": "team", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let mut upstreams = std::collections::HashSet::new();
    for _ in 0..8 {
        let r = c
            .get(format!("{proxy}/api/areas?level=buurt"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "signed in on whichever instance answers");
        upstreams.insert(r.headers()["x-upstream"].to_str().unwrap().to_string());
    }
    assert_eq!(
        upstreams.len(),
        2,
        "round robin over both instances: {upstreams:?}"
    );

    // Tiles: the proxy caches the immutable ones.
    let info = json(&c, format!("{proxy}/api/tiles")).await;
    let (x, y) = wijkveilig::tiles::export::tiles_covering([6.605, 52.305, 6.605, 52.305], 10)
        .next()
        .unwrap();
    let url = format!(
        "{proxy}{}",
        info["tiles"]["buurt"]
            .as_str()
            .unwrap()
            .replace("{z}/{x}/{y}", &format!("10/{x}/{y}"))
    );
    let first = c
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["x-cache-status"], "MISS");
    let second = c
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(second.headers()["x-cache-status"], "HIT");
    assert_eq!(
        second.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(first.bytes().await.unwrap(), second.bytes().await.unwrap());
}
