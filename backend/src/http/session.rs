//! Signing in and out, who is signed in, and the `authorize` middleware that applies the
//! route table of [`super::policy`] to every API request (deny by default).
//!
//! Sessions are axum-login over tower-sessions, stored in the database (shared by every
//! instance). The cookie is `HttpOnly`, `SameSite=Strict`, and `Secure` unless the server
//! listens on a loopback address. A session ends after [`AccessConfig::idle`] without a
//! request and after [`AccessConfig::absolute`] in any case.
//!
//! With the built-in demo (and no signed-in account), every visitor is a demo user in the
//! role they picked (`PUT /api/session/demo-role`, safety team by default). Once real data is
//! imported, nothing but `/api/health` and signing in is served without an account.

use super::error::{ApiError, ApiResult};
use super::extract::Json;
use super::policy::need_for;
use super::state::AppState;
use crate::auth::audit::{self, Action, Event};
use crate::auth::{Accounts, Credentials, Need, Principal, Role, SignIn};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

pub type AuthSession = axum_login::AuthSession<Accounts>;

const SIGNED_IN_AT: &str = "wv.signed_in_at";
const LAST_SEEN: &str = "wv.last_seen";
const DEMO_ROLE: &str = "wv.demo_role";

/// How sessions and requests are guarded; from the `serve` flags.
#[derive(Debug, Clone)]
pub struct AccessConfig {
    /// Set the cookie's `Secure` flag (off only when serving plain HTTP on loopback).
    pub secure_cookie: bool,
    /// A session ends after this long without a request.
    pub idle: Duration,
    /// A session ends this long after signing in, whatever happens.
    pub absolute: Duration,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a proxy).
    pub trust_forwarded_for: bool,
    /// Benchmarks only (`serve --benchmark-without-auth`, loopback only): every request is
    /// the local administrator, with no session or policy check, to measure what they cost.
    pub benchmark_without_auth: bool,
}

impl Default for AccessConfig {
    fn default() -> Self {
        AccessConfig {
            secure_cookie: false,
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(10 * 3600),
            trust_forwarded_for: false,
            benchmark_without_auth: false,
        }
    }
}

/// The principal of a request, put there by [`authorize`].
pub struct Viewer(pub Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Viewer)
            .ok_or_else(|| ApiError::Unauthorized(NOT_SIGNED_IN.into()))
    }
}

/// The client address of a request, for the audit trail and the sign-in throttle.
#[derive(Clone)]
pub struct Origin(pub String);

const NOT_SIGNED_IN: &str = "not signed in: sign in at / (POST /api/session)";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn origin_of(req: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(last) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
    {
        return last.trim().to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a state-changing request comes from our own pages: its `Origin` (or, without one,
/// `Sec-Fetch-Site`) must be this host. Clients that send neither (curl, scripts) carry no
/// browser cookies by accident, so they pass.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get("host").and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get("origin").and_then(|o| o.to_str().ok()) {
        let authority = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        return host.is_some_and(|h| h.eq_ignore_ascii_case(authority));
    }
    match headers.get("sec-fetch-site").and_then(|s| s.to_str().ok()) {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

/// The signed-in account's principal, after the idle and absolute timeouts; ends an expired
/// session.
async fn account_principal(auth: &mut AuthSession, cfg: &AccessConfig) -> Option<Principal> {
    let account = auth.user.clone()?;
    let now = now();
    let signed_in: Option<i64> = auth.session.get(SIGNED_IN_AT).await.ok().flatten();
    let seen: Option<i64> = auth.session.get(LAST_SEEN).await.ok().flatten();
    let expired = match (signed_in, seen) {
        (Some(s), Some(l)) => {
            now - s > cfg.absolute.as_secs() as i64 || now - l > cfg.idle.as_secs() as i64
        }
        _ => true,
    };
    if expired {
        let _ = auth.logout().await;
        return None;
    }
    // Write the session at most once a minute: enough for the idle timeout, cheap for the
    // database.
    if seen.is_some_and(|l| now - l >= 60) {
        let _ = auth.session.insert(LAST_SEEN, now).await;
    }
    Some(account.principal)
}

/// The demo visitor in the role they picked (a wijkregisseur of the demo's first wijk).
async fn demo_principal(state: &AppState, auth: &AuthSession) -> ApiResult<Option<Principal>> {
    if !state.service.is_demo().await? {
        return Ok(None);
    }
    let role: Role = auth
        .session
        .get(DEMO_ROLE)
        .await
        .ok()
        .flatten()
        .unwrap_or(Role::Veiligheidsteam);
    let wijken = match role {
        Role::Wijkregisseur => {
            let set = state
                .service
                .areas(&crate::service::Scope::default())
                .await?;
            set.level(crate::domain::AreaLevel::Wijk)
                .first()
                .map(|&i| vec![set.areas[i].code.clone()])
                .unwrap_or_default()
        }
        _ => vec![],
    };
    Ok(Some(Principal {
        username: "demo".into(),
        role,
        wijken,
    }))
}

/// Applies the route table to every API request: 401 without a principal, 403 without the
/// route's need, 403 for a route the table does not list. Records point reads, exports and
/// changes in the audit trail.
pub async fn authorize(
    State(state): State<AppState>,
    mut auth: AuthSession,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    if state.access.benchmark_without_auth {
        req.extensions_mut().insert(Principal::local_admin());
        req.extensions_mut().insert(Origin("benchmark".into()));
        return next.run(req).await;
    }
    let route = matched.as_ref().map_or("", |m| m.as_str()).to_string();
    let method = req.method().clone();
    let Some(need) = need_for(&method, &route) else {
        return ApiError::Forbidden(format!(
            "{method} {route} has no access policy; it is refused until one is declared"
        ))
        .into_response();
    };
    let origin = origin_of(&req, state.access.trust_forwarded_for);
    if method != Method::GET && method != Method::HEAD && !same_origin(req.headers()) {
        return ApiError::Forbidden(
            "cross-site request refused: changes are only accepted from wijkveilig's own pages"
                .into(),
        )
        .into_response();
    }
    let principal = match account_principal(&mut auth, &state.access).await {
        Some(p) => Some(p),
        None => match demo_principal(&state, &auth).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        },
    };
    req.extensions_mut().insert(Origin(origin.clone()));
    if let Some(p) = &principal {
        req.extensions_mut().insert(p.clone());
    }
    if need != Need::Public {
        let Some(p) = &principal else {
            return ApiError::Unauthorized(NOT_SIGNED_IN.into()).into_response();
        };
        if !p.may(need) {
            return ApiError::Forbidden(format!(
                "the role {} may not use {method} {route}",
                p.role
            ))
            .into_response();
        }
    }
    let object = req
        .uri()
        .path_and_query()
        .map_or(route.clone(), |pq| pq.as_str().to_string());
    let res = next.run(req).await;
    let action = match need {
        Need::Points | Need::Planning => {
            if route.ends_with(".csv") {
                Some(Action::Export)
            } else {
                Some(Action::ReadPoints)
            }
        }
        Need::Report => Some(Action::Export),
        Need::ChangeCameras => Some(Action::ChangeCamera),
        Need::ChangeTargets => Some(Action::ChangeTarget),
        Need::ChangeBaselines => Some(Action::ChangeBaseline),
        Need::ChangeUsers => Some(Action::ChangeUser),
        Need::Public | Need::Aggregates => None,
    };
    if let (Some(action), Some(p)) = (action, &principal) {
        let result = if res.status().is_success() {
            "success".to_string()
        } else {
            format!("refused {}", res.status().as_u16())
        };
        let object = format!("{method} {object}");
        let e = Event {
            result: &result,
            ..Event::by(p, action, &object, &origin)
        };
        if let Err(err) = audit::record(state.service.store(), &e).await {
            // An action that cannot be recorded is not answered (BIO2 8.15: no unlogged reads).
            return ApiError::Unavailable(format!("audit trail: {err}")).into_response();
        }
    }
    res
}

/// Who is signed in, and what they may use (the frontend shows only those controls).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub username: String,
    pub role: Role,
    /// A wijkregisseur's wijken (WK codes).
    pub wijken: Vec<String>,
    /// The built-in demo: no account, a role picked with `PUT /api/session/demo-role`.
    pub demo: bool,
    /// The needs this role has (see the access policy).
    pub may: Vec<Need>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignInBody {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DemoRoleBody {
    pub role: Role,
}

#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = super::ErrorBody)))]
pub async fn current(Viewer(p): Viewer, auth: AuthSession) -> ApiResult<axum::Json<SessionInfo>> {
    Ok(axum::Json(SessionInfo {
        demo: auth.user.is_none(),
        may: Need::ALL.into_iter().filter(|&n| p.may(n)).collect(),
        wijken: p.wijken.iter().map(|w| w.to_string()).collect(),
        username: p.username,
        role: p.role,
    }))
}

#[utoipa::path(post, path = "/api/session", tag = "session", request_body = SignInBody,
    responses((status = 204, description = "Signed in; the session cookie is set"),
              (status = 401, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    mut auth: AuthSession,
    axum::Extension(Origin(origin)): axum::Extension<Origin>,
    Json(body): Json<SignInBody>,
) -> ApiResult<StatusCode> {
    let creds = Credentials {
        username: body.username.trim().to_string(),
        password: body.password,
    };
    match crate::auth::accounts::sign_in(state.service.store(), creds, &origin).await {
        Ok(SignIn::Accepted(account)) => {
            auth.login(&account)
                .await
                .map_err(|e| ApiError::Unavailable(format!("session: {e}")))?;
            start_session(&auth).await?;
            Ok(StatusCode::NO_CONTENT)
        }
        Ok(SignIn::Refused) => Err(ApiError::Unauthorized(
            "unknown user name or wrong password".into(),
        )),
        Ok(SignIn::Throttled) => Err(ApiError::TooManyRequests(format!(
            "too many failed sign-ins; try again in {} minutes",
            crate::auth::accounts::THROTTLE_WINDOW_MIN
        ))),
        Err(e) => Err(ApiError::Unavailable(e.to_string())),
    }
}

/// Marks a fresh sign-in (the start of the absolute timeout).
pub async fn start_session(auth: &AuthSession) -> ApiResult<()> {
    let now = now();
    for key in [SIGNED_IN_AT, LAST_SEEN] {
        auth.session
            .insert(key, now)
            .await
            .map_err(|e| ApiError::Unavailable(format!("session: {e}")))?;
    }
    Ok(())
}

#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = super::ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    Viewer(p): Viewer,
    mut auth: AuthSession,
    axum::Extension(Origin(origin)): axum::Extension<Origin>,
) -> ApiResult<StatusCode> {
    if auth.user.is_some() {
        auth.logout()
            .await
            .map_err(|e| ApiError::Unavailable(format!("session: {e}")))?;
        audit::record(
            state.service.store(),
            &Event::by(&p, Action::SignOut, &p.username, &origin),
        )
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    } else {
        let _ = auth.session.remove::<Role>(DEMO_ROLE).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/session/demo-role", tag = "session", request_body = DemoRoleBody,
    responses((status = 204, description = "The demo now shows this role's view"),
              (status = 404, body = super::ErrorBody, description = "Not the demo")))]
pub async fn demo_role(
    State(state): State<AppState>,
    auth: AuthSession,
    Json(body): Json<DemoRoleBody>,
) -> ApiResult<StatusCode> {
    if !state.service.is_demo().await? || auth.user.is_some() {
        return Err(ApiError::NotFound(
            "the role switch exists only in the built-in demo".into(),
        ));
    }
    auth.session
        .insert(DEMO_ROLE, body.role)
        .await
        .map_err(|e| ApiError::Unavailable(format!("session: {e}")))?;
    Ok(StatusCode::NO_CONTENT)
}
