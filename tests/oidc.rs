//! Single sign-on (OpenID Connect) end to end, on SQLite and PostgreSQL: a fake identity
//! provider on 127.0.0.1 (discovery, a JWKS with an RSA key made here, an `/authorize` that
//! signs the user in at once, a `/token` that checks the client, the code and the PKCE
//! verifier and returns an RS256 ID token signed with `jsonwebtoken`), and the real server
//! with the real `openidconnect` crate. Nothing reaches beyond this machine.
//!
//! The browser is played by hand: redirects are followed one by one, and cookies are kept in
//! a small jar that, like a browser, withholds `SameSite=Strict` cookies on the request that
//! comes back from the provider (another site in a real deployment).

mod common;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use common::{TestDb, ensure_user, small_town};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wijkveilig::auth::Role;
use wijkveilig::auth::oidc::{Oidc, OidcArgs};
use wijkveilig::store::Store;

const CLIENT_ID: &str = "wijkveilig-test";
const CLIENT_SECRET: &str = "s3cret+/= with spaces";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

// ---------------------------------------------------------------------------------------
// The fake identity provider.

struct Key {
    kid: String,
    encoding: EncodingKey,
    jwk: Value,
}

fn rsa_key(kid: &str) -> Key {
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let pem = private.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
    Key {
        kid: kid.into(),
        encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        jwk: json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": B64.encode(private.n().to_bytes_be()), "e": B64.encode(private.e().to_bytes_be())}),
    }
}

/// What the provider does wrong in the next token it issues.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Honest,
    WrongNonce,
    /// Signed by a key not in the JWKS, under the published key's `kid`.
    ForeignKey,
    Expired,
    WrongAudience,
}

struct Grant {
    redirect_uri: String,
    challenge: String,
    nonce: String,
    user: Value,
}

struct Idp {
    issuer: String,
    /// The published keys; the first signs.
    keys: Vec<Key>,
    foreign: Key,
    mode: Mode,
    /// The claims of whoever signs in next (besides iss, aud, exp, iat, nonce).
    user: Value,
    grants: HashMap<String, Grant>,
    issued: usize,
    discovery_fetches: usize,
    /// Token requests refused for a wrong PKCE verifier.
    pkce_refusals: usize,
}

type Shared = Arc<Mutex<Idp>>;

async fn discovery(State(idp): State<Shared>) -> axum::Json<Value> {
    let mut idp = idp.lock().unwrap();
    idp.discovery_fetches += 1;
    let iss = idp.issuer.clone();
    axum::Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email"],
    }))
}

async fn jwks(State(idp): State<Shared>) -> axum::Json<Value> {
    let idp = idp.lock().unwrap();
    axum::Json(json!({"keys": idp.keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}))
}

/// Signs the user in at once and sends the browser back with a code and the state.
async fn authorize(
    State(idp): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    assert_eq!(get("response_type"), "code");
    assert_eq!(get("client_id"), CLIENT_ID);
    assert_eq!(get("code_challenge_method"), "S256", "PKCE with S256");
    assert!(get("scope").split(' ').any(|s| s == "openid"), "{q:?}");
    assert!(
        !get("nonce").is_empty() && !get("state").is_empty(),
        "{q:?}"
    );
    let mut idp = idp.lock().unwrap();
    idp.issued += 1;
    let code = format!("code-{}-{}", idp.issued, B64.encode(rand_bytes()));
    let user = idp.user.clone();
    idp.grants.insert(
        code.clone(),
        Grant {
            redirect_uri: get("redirect_uri"),
            challenge: get("code_challenge"),
            nonce: get("nonce"),
            user,
        },
    );
    let mut back = reqwest::Url::parse(&get("redirect_uri")).unwrap();
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &get("state"));
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

fn rand_bytes() -> [u8; 16] {
    use rsa::rand_core::RngCore;
    let mut b = [0u8; 16];
    rsa::rand_core::OsRng.fill_bytes(&mut b);
    b
}

fn token_error(idp: &mut Idp, why: &str) -> Response {
    if why == "pkce" {
        idp.pkce_refusals += 1;
    }
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_grant", "error_description": why})),
    )
        .into_response()
}

/// Checks the client, the code (once), the redirect URI and the PKCE verifier; issues an ID
/// token as the current [`Mode`] says.
async fn token(State(idp): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let form: HashMap<String, String> = reqwest::Url::parse(&format!("http://x/?{body}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let mut idp = idp.lock().unwrap();
    // client_secret_basic: base64 of the form-encoded id and secret.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            let decode = |v: &str| -> String {
                reqwest::Url::parse(&format!("http://x/?v={v}"))
                    .unwrap()
                    .query_pairs()
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        });
    if basic != Some((CLIENT_ID.into(), CLIENT_SECRET.into())) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error(&mut idp, "grant_type");
    }
    let Some(grant) = form.get("code").and_then(|c| idp.grants.remove(c)) else {
        return token_error(&mut idp, "unknown or used code");
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return token_error(&mut idp, "redirect_uri");
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if B64.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return token_error(&mut idp, "pkce");
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = json!({
        "iss": idp.issuer,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": grant.nonce,
    });
    for (k, v) in grant.user.as_object().unwrap() {
        claims[k] = v.clone();
    }
    match idp.mode {
        Mode::Honest | Mode::ForeignKey => {}
        Mode::WrongNonce => claims["nonce"] = json!("another-nonce"),
        Mode::Expired => {
            claims["iat"] = json!(now - 900);
            claims["exp"] = json!(now - 600);
        }
        Mode::WrongAudience => claims["aud"] = json!("another-client"),
    }
    let signer = if idp.mode == Mode::ForeignKey {
        &idp.foreign
    } else {
        &idp.keys[0]
    };
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some(idp.keys[0].kid.clone());
    let id_token = jsonwebtoken::encode(&h, &claims, &signer.encoding).unwrap();
    axum::Json(json!({
        "access_token": format!("acctok-{}", idp.issued),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

async fn start_idp() -> Shared {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let idp = Arc::new(Mutex::new(Idp {
        issuer,
        keys: vec![rsa_key("key-1")],
        foreign: rsa_key("key-1"),
        mode: Mode::Honest,
        user: json!({}),
        grants: HashMap::new(),
        issued: 0,
        discovery_fetches: 0,
        pkce_refusals: 0,
    }));
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(discovery),
        )
        .route("/jwks", axum::routing::get(jwks))
        .route("/authorize", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    idp
}

// ---------------------------------------------------------------------------------------
// The browser.

struct Cookie {
    name: String,
    value: String,
    path: String,
    strict: bool,
    attributes: String,
}

/// A browser that follows nothing by itself, with a cookie jar for our server (the fake
/// provider sets none).
struct Browser {
    http: reqwest::Client,
    base: String,
    jar: Vec<Cookie>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(base: &str) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.into(),
            jar: vec![],
        }
    }

    /// `GET url`; `from_other_site` withholds `SameSite=Strict` cookies, as a browser does on
    /// a navigation that another site started.
    async fn get(&mut self, url: &str, from_other_site: bool) -> Answer {
        let mut req = self.http.get(url);
        if let Some(path) = url.strip_prefix(&self.base) {
            let cookies: Vec<String> = self
                .jar
                .iter()
                .filter(|c| path.starts_with(&c.path) && !(from_other_site && c.strict))
                .map(|c| format!("{}={}", c.name, c.value))
                .collect();
            if !cookies.is_empty() {
                req = req.header(header::COOKIE, cookies.join("; "));
            }
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        if url.starts_with(&self.base) {
            for set in r.headers().get_all(header::SET_COOKIE) {
                let set = set.to_str().unwrap();
                let mut parts = set.split(';').map(str::trim);
                let (name, value) = parts.next().unwrap().split_once('=').unwrap();
                let attrs: Vec<&str> = parts.collect();
                let attr = |k: &str| {
                    attrs.iter().find_map(|a| {
                        let (ak, av) = a.split_once('=').unwrap_or((a, ""));
                        ak.eq_ignore_ascii_case(k).then(|| av.to_string())
                    })
                };
                self.jar.retain(|c| c.name != name);
                if attr("Max-Age").as_deref() == Some("0") || value.is_empty() {
                    continue;
                }
                self.jar.push(Cookie {
                    name: name.into(),
                    value: value.into(),
                    path: attr("Path").unwrap_or_else(|| "/".into()),
                    strict: attr("SameSite").is_some_and(|s| s.eq_ignore_ascii_case("strict")),
                    attributes: set.into(),
                });
            }
        }
        Answer {
            status,
            location,
            body: r.text().await.unwrap_or_default(),
        }
    }

    async fn json(&mut self, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let a = self.get(&url, false).await;
        (
            a.status,
            serde_json::from_str(&a.body).unwrap_or(Value::Null),
        )
    }

    fn has_cookie(&self, name: &str) -> bool {
        self.jar.iter().any(|c| c.name == name)
    }
}

/// The provider's half of a sign-in: from our login route to the URL the provider sends the
/// browser back to.
async fn to_provider_and_back(b: &mut Browser, return_to: &str) -> String {
    let login = reqwest::Url::parse_with_params(
        &format!("{}/api/session/oidc/login", b.base),
        [("return_to", return_to)],
    )
    .unwrap()
    .to_string();
    let a = b.get(&login, false).await;
    assert_eq!(a.status, 303, "login: {}", a.body);
    let pending = b
        .jar
        .iter()
        .find(|c| c.name == "wijkveilig_oidc")
        .expect("the pending sign-in cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/api/session/oidc"] {
        assert!(pending.attributes.contains(attr), "{}", pending.attributes);
    }
    let authorize = a.location.unwrap();
    let a = b.get(&authorize, true).await;
    assert_eq!(a.status, 302, "authorize: {}", a.body);
    let callback = a.location.unwrap();
    assert!(
        callback.starts_with(&format!("{}/api/session/oidc/callback?", b.base)),
        "{callback}"
    );
    callback
}

/// A whole sign-in; the answer of the callback.
async fn sso(b: &mut Browser, return_to: &str) -> Answer {
    let callback = to_provider_and_back(b, return_to).await;
    b.get(&callback, true).await
}

// ---------------------------------------------------------------------------------------
// The server.

async fn serve_with_sso(store: Store, issuer: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let args = OidcArgs {
        oidc_issuer: Some(issuer.into()),
        oidc_client_id: Some(CLIENT_ID.into()),
        oidc_redirect_url: Some(format!("{base}/api/session/oidc/callback")),
        oidc_scopes: "profile email".into(),
        oidc_roles_claim: "roles".into(),
        oidc_role_map:
            "wv-beheer=beheerder,wv-team=veiligheidsteam,wv-wijk=wijkregisseur,wv-stuur=stuurgroep"
                .into(),
        oidc_wijken_claim: "wijken".into(),
        oidc_name: "Gemeente Test".into(),
    };
    let config = args.config(Some(CLIENT_SECRET.into())).unwrap().unwrap();
    let state = wijkveilig::server_state(store, None).with_oidc(Oidc::new(config).unwrap());
    tokio::spawn(async move { wijkveilig::http::serve(listener, state).await.unwrap() });
    base
}

fn set(idp: &Shared, mode: Mode, user: Value) {
    let mut i = idp.lock().unwrap();
    i.mode = mode;
    i.user = user;
}

fn user(name: &str, roles: &[&str], wijken: &[&str]) -> Value {
    json!({"sub": format!("sub-{name}"), "preferred_username": name, "email": format!("{name}@gemeente.test"),
        "roles": roles, "wijken": wijken})
}

async fn incidents(b: &mut Browser) -> (u16, usize) {
    let (s, v) = b.json("/api/incidents?from=2022&to=2023").await;
    (s, v["features"].as_array().map_or(0, Vec::len))
}

#[tokio::test]
async fn single_sign_on_end_to_end_on_both_stores() {
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        small_town(&store, dir.path()).await;
        let idp = start_idp().await;
        let issuer = idp.lock().unwrap().issuer.clone();
        let base = serve_with_sso(store.clone(), &issuer).await;

        // The sign-in page learns that SSO is there.
        let mut b = Browser::new(&base);
        let (s, info) = b.json("/api/session/oidc").await;
        assert_eq!(s, 200);
        assert_eq!(
            info,
            json!({"enabled": true, "name": "Gemeente Test", "login_url": "/api/session/oidc/login"})
        );
        assert_eq!(b.json("/api/session").await.0, 401);

        // A wijkregisseur of WK999902, mapped from the provider's role name.
        set(
            &idp,
            Mode::Honest,
            user("wendy", &["staff", "wv-wijk"], &["WK999902"]),
        );
        let a = sso(&mut b, "/?view=wijk").await;
        assert_eq!(a.status, 303, "callback: {}", a.body);
        assert_eq!(
            a.location.as_deref(),
            Some("/?view=wijk"),
            "back to return_to"
        );
        assert!(
            !b.has_cookie("wijkveilig_oidc"),
            "the pending cookie is cleared"
        );
        assert!(b.has_cookie("wijkveilig_session"));
        let (s, me) = b.json("/api/session").await;
        assert_eq!(s, 200, "{me}");
        assert_eq!(me["username"], "wendy");
        assert_eq!(me["role"], "wijkregisseur");
        assert_eq!(me["wijken"], json!(["WK999902"]));
        assert_eq!(me["demo"], false);
        // All incidents of the town lie in WK999901: none are hers.
        assert_eq!(incidents(&mut b).await, (200, 0));
        let row = store.user("wendy").await.unwrap().unwrap();
        assert!(
            row.password_hash.is_none(),
            "an SSO account has no password"
        );
        assert_eq!(
            (row.role.as_str(), row.wijken.as_str()),
            ("wijkregisseur", "WK999902")
        );
        // It cannot sign in with a password.
        let r = reqwest::Client::new()
            .post(format!("{base}/api/session"))
            .json(&json!({"username": "wendy", "password": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            401,
            "no password sign-in for an SSO account"
        );

        // A beheerder (the first of her roles in our order) sees all incidents.
        let mut boss = Browser::new(&base);
        set(
            &idp,
            Mode::Honest,
            user("bea", &["wv-stuur", "wv-beheer"], &[]),
        );
        assert_eq!(sso(&mut boss, "/").await.status, 303);
        assert_eq!(boss.json("/api/session").await.1["role"], "beheerder");
        assert_eq!(incidents(&mut boss).await, (200, 3));

        // The steering group may not see points.
        let mut stef = Browser::new(&base);
        set(&idp, Mode::Honest, user("stef", &["wv-stuur"], &[]));
        assert_eq!(sso(&mut stef, "/").await.status, 303);
        assert_eq!(stef.json("/api/session").await.1["role"], "stuurgroep");
        assert_eq!(incidents(&mut stef).await.0, 403);

        // The provider changes wendy's role: her next sign-in takes it, and her other session
        // (whose role it no longer is) ends.
        let mut wendy2 = Browser::new(&base);
        set(
            &idp,
            Mode::Honest,
            user("wendy", &["wv-team"], &["WK999902"]),
        );
        assert_eq!(sso(&mut wendy2, "/").await.status, 303);
        let (_, me) = wendy2.json("/api/session").await;
        assert_eq!(
            (me["role"].clone(), me["wijken"].clone()),
            (json!("veiligheidsteam"), json!([]))
        );
        assert_eq!(incidents(&mut wendy2).await, (200, 3));
        assert_eq!(b.json("/api/session").await.0, 401, "the old session ended");

        // Refused: each leaves the browser signed out, with a JSON error and an audit row.
        let refused = |b: &Browser, a: &Answer, status: u16, what: &str| {
            assert_eq!(a.status, status, "{what}: {}", a.body);
            let v: Value =
                serde_json::from_str(&a.body).unwrap_or_else(|_| panic!("{what}: {}", a.body));
            assert!(
                v["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{what}: {v}"
            );
            assert!(
                !b.has_cookie("wijkveilig_oidc"),
                "{what}: pending cookie cleared"
            );
            v
        };
        for (mode, what) in [
            (Mode::WrongNonce, "a token with another nonce"),
            (Mode::ForeignKey, "a token signed by another key"),
            (Mode::Expired, "an expired token"),
            (Mode::WrongAudience, "a token for another client"),
        ] {
            let mut m = Browser::new(&base);
            set(&idp, mode, user("mallory", &["wv-beheer"], &[]));
            let fetched = idp.lock().unwrap().discovery_fetches;
            let a = sso(&mut m, "/").await;
            refused(&m, &a, 401, what);
            assert_eq!(m.json("/api/session").await.0, 401, "{what}");
            if mode == Mode::ForeignKey {
                assert_eq!(
                    idp.lock().unwrap().discovery_fetches,
                    fetched + 1,
                    "a bad signature makes the server fetch the keys once more, and still refuse"
                );
            }
        }
        assert!(
            store.user("mallory").await.unwrap().is_none(),
            "no account for mallory"
        );

        // A bad state: the provider's answer carries a state this browser did not start.
        let mut m = Browser::new(&base);
        set(&idp, Mode::Honest, user("mallory", &["wv-beheer"], &[]));
        let callback = to_provider_and_back(&mut m, "/").await;
        let url = reqwest::Url::parse(&callback).unwrap();
        let code = url
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .to_string();
        let forged = format!("{base}/api/session/oidc/callback?code={code}&state=forged");
        let a = m.get(&forged, true).await;
        let v = refused(&m, &a, 401, "a bad state");
        assert!(v["message"].as_str().unwrap().contains("state"), "{v}");
        // Nor can the real callback be used after that: the pending sign-in was used up.
        let a = m.get(&callback, true).await;
        refused(&m, &a, 401, "a used-up sign-in");
        assert_eq!(m.json("/api/session").await.0, 401);

        // Login CSRF / a stolen code: the provider's answer for one browser, opened in another
        // browser that has no pending sign-in, or one of its own.
        let mut victim = Browser::new(&base);
        let callback = to_provider_and_back(&mut m, "/").await;
        let a = victim.get(&callback, true).await;
        refused(&victim, &a, 401, "no pending sign-in");
        let theirs = to_provider_and_back(&mut victim, "/").await;
        let their_state = reqwest::Url::parse(&theirs)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .to_string();
        let stolen = reqwest::Url::parse(&callback).unwrap();
        let stolen_code = stolen
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .to_string();
        let refusals = idp.lock().unwrap().pkce_refusals;
        let injected =
            format!("{base}/api/session/oidc/callback?code={stolen_code}&state={their_state}");
        let a = victim.get(&injected, true).await;
        refused(&victim, &a, 401, "an injected code");
        assert_eq!(
            idp.lock().unwrap().pkce_refusals,
            refusals + 1,
            "the provider refused the code for the wrong PKCE verifier"
        );
        assert_eq!(victim.json("/api/session").await.0, 401);

        // The provider says no.
        let mut m = Browser::new(&base);
        let a = to_provider_and_back(&mut m, "/").await;
        let url = reqwest::Url::parse(&a).unwrap();
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .to_string();
        let denied = format!("{base}/api/session/oidc/callback?error=access_denied&state={state}");
        let a = m.get(&denied, true).await;
        refused(&m, &a, 401, "the provider's error");

        // Verified, but no role of ours; a wijkregisseur without wijken; bad wijk codes.
        for (u, why) in [
            (user("nora", &["staff"], &[]), "no role"),
            (user("willem", &["wv-wijk"], &[]), "no wijken"),
            (
                user("wout", &["wv-wijk"], &["BU99990101"]),
                "invalid wijken",
            ),
        ] {
            let mut m = Browser::new(&base);
            set(&idp, Mode::Honest, u.clone());
            let a = sso(&mut m, "/").await;
            let v = refused(&m, &a, 403, why);
            if why == "no role" {
                let msg = v["message"].as_str().unwrap();
                assert!(
                    msg.contains("Geen toegang") && msg.contains("No access"),
                    "{msg}"
                );
            }
            let name = u["preferred_username"].as_str().unwrap();
            assert!(
                store.user(name).await.unwrap().is_none(),
                "{why}: no account"
            );
        }

        // A local account of the same name is not taken over; a disabled one stays disabled.
        ensure_user(&store, "anna", Role::Stuurgroep, &[]).await;
        let mut m = Browser::new(&base);
        set(&idp, Mode::Honest, user("anna", &["wv-beheer"], &[]));
        let a = sso(&mut m, "/").await;
        refused(&m, &a, 403, "a local account's name");
        assert_eq!(
            store.user("anna").await.unwrap().unwrap().role,
            "stuurgroep"
        );
        store.disable_user("stef").await.unwrap();
        set(&idp, Mode::Honest, user("stef", &["wv-stuur"], &[]));
        let a = sso(&mut m, "/").await;
        refused(&m, &a, 403, "a disabled account");

        // Only paths on this server are returned to.
        let a = m
            .get(
                &format!("{base}/api/session/oidc/login?return_to=//evil.example/"),
                false,
            )
            .await;
        assert_eq!(a.status, 400, "{}", a.body);

        // The provider rolls its signing key: the server fetches the new keys and goes on.
        {
            let mut i = idp.lock().unwrap();
            i.keys = vec![rsa_key("key-2")];
        }
        let mut m = Browser::new(&base);
        set(&idp, Mode::Honest, user("bea", &["wv-beheer"], &[]));
        assert_eq!(
            sso(&mut m, "/").await.status,
            303,
            "after the key roll-over"
        );
        assert_eq!(m.json("/api/session").await.1["username"], "bea");

        // The audit trail: every sign-in, successful or not, from the client's address; no
        // code, token or secret in it; and the chain verifies.
        let rows = store.audit_all().await.unwrap();
        let sign_ins: Vec<_> = rows.iter().filter(|r| r.action == "sign-in").collect();
        let ok = |who: &str| {
            sign_ins
                .iter()
                .filter(|r| r.result == "success" && r.actor == who && r.origin == "127.0.0.1")
                .count()
        };
        assert_eq!(
            (ok("wendy"), ok("bea"), ok("stef")),
            (2, 2, 1),
            "{sign_ins:#?}"
        );
        let failed = |result: &str, object: &str| {
            sign_ins.iter().any(|r| {
                r.result.starts_with(result) && r.object == object && r.origin == "127.0.0.1"
            })
        };
        for (result, object) in [
            ("failure: the ID token is not valid", "(sso)"),
            ("failure: state mismatch", "(sso)"),
            ("failure: no pending sign-in", "(sso)"),
            (
                "failure: the identity provider refused the sign-in code",
                "(sso)",
            ),
            ("failure: provider error access_denied", "(sso)"),
            ("failure: no role", "nora"),
            ("failure: no wijken", "willem"),
            ("failure: invalid wijken", "wout"),
            ("failure: local account of that name", "anna"),
            ("failure: disabled", "stef"),
        ] {
            assert!(
                failed(result, object),
                "no audit row {result} for {object}: {sign_ins:#?}"
            );
        }
        let nonce_fail = sign_ins
            .iter()
            .filter(|r| r.result.starts_with("failure: the ID token is not valid"))
            .count();
        assert_eq!(nonce_fail, 4, "nonce, key, expiry, audience: {sign_ins:#?}");
        for r in &rows {
            let text = format!("{r:?}");
            assert!(
                !text.contains("code-") && !text.contains("acctok-") && !text.contains("s3cret"),
                "nothing secret in the audit trail: {text}"
            );
        }
        assert_eq!(
            wijkveilig::auth::audit::verify(&store).await.unwrap(),
            Ok(rows.len())
        );
        assert_eq!(
            idp.lock().unwrap().discovery_fetches,
            3,
            "discovery once, then again for the foreign key and the key roll-over"
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// Without `--oidc-issuer` the routes say so, and `GET /api/session/oidc` says it is off.
#[tokio::test]
async fn without_configuration_single_sign_on_is_off() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    let base = common::serve_anonymous(store.clone()).await;
    let mut b = Browser::new(&base);
    let (s, info) = b.json("/api/session/oidc").await;
    assert_eq!(
        (s, info),
        (
            200,
            json!({"enabled": false, "name": null, "login_url": null})
        )
    );
    for path in [
        "/api/session/oidc/login",
        "/api/session/oidc/callback?code=x&state=y",
    ] {
        let (s, v) = b.json(path).await;
        assert_eq!(s, 404, "{path}: {v}");
        assert_eq!(v["error"], "not_found", "{path}: {v}");
    }
    store.close().await;
}

/// A provider that cannot be reached: 502 with a sentence, nothing else.
#[tokio::test]
async fn an_unreachable_provider_is_a_bad_gateway() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    small_town(&store, dir.path()).await;
    // A port that was free a moment ago.
    let issuer = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let base = serve_with_sso(store.clone(), &issuer).await;
    let mut b = Browser::new(&base);
    let (s, v) = b.json("/api/session/oidc/login").await;
    assert_eq!(s, 502, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("identity provider"),
        "{v}"
    );
    store.close().await;
}
