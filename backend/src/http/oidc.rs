//! Single sign-on routes (OpenID Connect, see [`crate::auth::oidc`]):
//!
//! - `GET /api/session/oidc`: whether SSO is on, and the provider's name for the button;
//! - `GET /api/session/oidc/login?return_to=/path`: to the provider, with a PKCE challenge,
//!   a nonce and a random state, kept server-side for ten minutes;
//! - `GET /api/session/oidc/callback`: back from the provider; checks the state, exchanges
//!   the code, verifies the ID token, maps its claims to a role, signs the account in and
//!   returns to the path. Every outcome is a `sign-in` row in the audit trail.
//!
//! The session cookie is `SameSite=Strict`, which browsers do not send on the redirect back
//! from the provider (another site). The pending sign-in is therefore found by a cookie of
//! its own, `wijkveilig_oidc` (`SameSite=Lax`, `HttpOnly`, only for these routes, ten
//! minutes), whose value is a random handle; the server keeps the state, nonce and PKCE
//! verifier under a hash of it, and uses them once.

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::Query;
use super::session::{AuthSession, Origin, start_session};
use super::state::AppState;
use crate::auth::Account;
use crate::auth::audit::{self, Action, Event};
use crate::auth::oidc::{self, OidcError, Pending};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

const PENDING_COOKIE: &str = "wijkveilig_oidc";
const COOKIE_PATH: &str = "/api/session/oidc";
/// The audit object of a failed sign-in before the provider said who it was.
const UNKNOWN: &str = "(sso)";

/// Whether single sign-on is configured, for the sign-in page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OidcInfo {
    pub enabled: bool,
    /// The provider's name for the button, e.g. "Gemeente Voorbeeld".
    pub name: Option<String>,
    /// Where the button goes (add `?return_to=/path` to come back elsewhere than `/`).
    pub login_url: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginParams {
    /// A path on this server to return to after signing in (default `/`).
    pub return_to: Option<String>,
}

/// What the provider sends back to the redirect URL.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set by the provider instead of `code` when it did not sign the user in.
    pub error: Option<String>,
    pub error_description: Option<String>,
}

fn not_configured() -> ApiError {
    ApiError::NotFound("single sign-on is not configured on this server (see docs/sso.md)".into())
}

#[utoipa::path(get, path = "/api/session/oidc", tag = "session", operation_id = "sso_info",
    responses((status = 200, body = OidcInfo, description = "Whether single sign-on is available")))]
pub async fn info(State(state): State<AppState>) -> axum::Json<OidcInfo> {
    let name = state.oidc.as_ref().map(|o| o.config().name.clone());
    axum::Json(OidcInfo {
        enabled: name.is_some(),
        login_url: name.as_ref().map(|_| format!("{COOKIE_PATH}/login")),
        name,
    })
}

fn pending_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{PENDING_COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("wijkveilig_oidc=; Max-Age=0"))
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == PENDING_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

fn redirect(to: &str, cookie: HeaderValue) -> ApiResult<Response> {
    let location = HeaderValue::from_str(to)
        .map_err(|_| ApiError::Internal(format!("a redirect to an unusable URL: {to:?}")))?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
    )
        .into_response())
}

fn provider_unreachable(detail: &str) -> ApiError {
    let id = super::error::request_id().unwrap_or_else(|| "-".into());
    tracing::error!(request_id = id, "single sign-on: {detail}");
    ApiError::Rejected {
        status: StatusCode::BAD_GATEWAY,
        message: format!(
            "De identiteitsprovider is niet bereikbaar; probeer het later opnieuw. \
             The identity provider could not be reached; try again later (request {id})."
        ),
    }
}

#[utoipa::path(get, path = "/api/session/oidc/login", tag = "session", operation_id = "sso_login", params(LoginParams),
    responses((status = 303, description = "To the identity provider; sets the pending sign-in cookie"),
              (status = 400, body = ErrorBody, description = "return_to is not a path on this server"),
              (status = 404, body = ErrorBody, description = "Single sign-on is not configured"),
              (status = 502, body = ErrorBody, description = "The identity provider could not be reached")))]
pub async fn login(
    State(state): State<AppState>,
    Query(params): Query<LoginParams>,
) -> ApiResult<Response> {
    let oidc = state.oidc.clone().ok_or_else(not_configured)?;
    let return_to = params.return_to.unwrap_or_else(|| "/".into());
    if !oidc::safe_return_path(&return_to) {
        return Err(ApiError::BadRequest(
            "return_to must be a path on this server, like /?view=wijk".into(),
        ));
    }
    let (url, pending) = oidc.begin(return_to).await.map_err(|e| match e {
        OidcError::Provider(d) => provider_unreachable(&d),
        other => ApiError::Internal(other.to_string()),
    })?;
    let store = state.service.store();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // Abandoned sign-ins (and expired sessions) go here rather than piling up.
    store
        .session_prune(now)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let data = serde_json::to_string(&pending).map_err(|e| ApiError::Internal(e.to_string()))?;
    let handle = loop {
        let handle = oidc::new_cookie_value();
        let created = store
            .session_create(&oidc::pending_key(&handle), &data, now + oidc::PENDING_SECS)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?;
        if created {
            break handle;
        }
    };
    redirect(
        url.as_str(),
        pending_cookie(&handle, oidc::PENDING_SECS, state.access.secure_cookie),
    )
}

/// The pending sign-in of this browser, taken (it is used once).
async fn take_pending(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Pending>> {
    let Some(handle) = cookie_value(headers) else {
        return Ok(None);
    };
    let store = state.service.store();
    let key = oidc::pending_key(&handle);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let data = store
        .session_load(&key, now)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    store
        .session_delete(&key)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
}

#[utoipa::path(get, path = "/api/session/oidc/callback", tag = "session", operation_id = "sso_callback", params(CallbackParams),
    responses((status = 303, description = "Signed in; the session cookie is set; to return_to"),
              (status = 401, body = ErrorBody, description = "The sign-in could not be verified (state, code, ID token)"),
              (status = 403, body = ErrorBody, description = "Verified, but the account has no wijkveilig role, no wijken, is disabled or is a local account"),
              (status = 404, body = ErrorBody, description = "Single sign-on is not configured"),
              (status = 502, body = ErrorBody, description = "The identity provider could not be reached")))]
pub async fn callback(
    State(state): State<AppState>,
    mut auth: AuthSession,
    axum::Extension(Origin(origin)): axum::Extension<Origin>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> ApiResult<Response> {
    let oidc = state.oidc.clone().ok_or_else(not_configured)?;
    let clear = pending_cookie("", 0, state.access.secure_cookie);
    let store = state.service.store();
    let fail = |object: String, result: String, error: ApiError| {
        let origin = origin.clone();
        let clear = clear.clone();
        async move {
            audit::record(
                store,
                &Event {
                    actor: "",
                    role: "",
                    action: Action::SignIn,
                    object: &object,
                    result: &format!("failure: {result}"),
                    origin: &origin,
                },
            )
            .await
            .map_err(|e| ApiError::Unavailable(format!("audit trail: {e}")))?;
            let mut res = error.into_response();
            res.headers_mut().append(header::SET_COOKIE, clear);
            Ok::<Response, ApiError>(res)
        }
    };
    let pending = take_pending(&state, &headers).await?;
    if let Some(error) = &params.error {
        let error: String = error
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        tracing::warn!(
            "single sign-on: the identity provider answered {error}: {}",
            params
                .error_description
                .as_deref()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect::<String>()
        );
        return fail(
            UNKNOWN.into(),
            format!("provider error {error}"),
            ApiError::Unauthorized(format!(
                "De identiteitsprovider heeft u niet aangemeld ({error}). \
                 The identity provider did not sign you in ({error})."
            )),
        )
        .await;
    }
    let Some(pending) = pending else {
        return fail(
            UNKNOWN.into(),
            "no pending sign-in".into(),
            ApiError::Unauthorized(
                "Deze aanmelding is niet hier begonnen of duurde langer dan tien minuten; begin opnieuw. \
                 This sign-in was not started here or took longer than ten minutes; start again."
                    .into(),
            ),
        )
        .await;
    };
    if !params
        .state
        .as_deref()
        .is_some_and(|s| pending.state_matches(s))
    {
        return fail(
            UNKNOWN.into(),
            "state mismatch".into(),
            ApiError::Unauthorized(
                "De aanmelding klopt niet (state); begin opnieuw. \
                 The sign-in does not match (state); start again."
                    .into(),
            ),
        )
        .await;
    }
    let Some(code) = params.code.as_deref().filter(|c| !c.is_empty()) else {
        return fail(
            UNKNOWN.into(),
            "no code".into(),
            ApiError::Unauthorized("the identity provider sent no code".into()),
        )
        .await;
    };
    let identity = match oidc.finish(&pending, code).await {
        Ok(identity) => identity,
        Err(OidcError::Provider(detail)) => {
            return fail(
                UNKNOWN.into(),
                "provider unreachable".into(),
                provider_unreachable(&detail),
            )
            .await;
        }
        Err(OidcError::Rejected(why)) => {
            tracing::warn!("single sign-on refused from {origin}: {why}");
            let short: String = why.chars().take(200).collect();
            return fail(
                UNKNOWN.into(),
                short.clone(),
                ApiError::Unauthorized(format!(
                    "De aanmelding kon niet worden gecontroleerd. The sign-in could not be verified: {short}"
                )),
            )
            .await;
        }
        Err(OidcError::Refused {
            username,
            why,
            message,
        }) => {
            return fail(username, why.into(), ApiError::Forbidden(message)).await;
        }
    };
    // A local (password) account of the same name is not the provider's to take over, and
    // a disabled account stays disabled.
    let existing = store
        .user(&identity.username)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    if let Some(u) = &existing {
        if u.password_hash.is_some() {
            return fail(
                identity.username.clone(),
                "local account of that name".into(),
                ApiError::Forbidden(format!(
                    "Er bestaat al een lokaal account '{0}' met wachtwoord; meld u daarmee aan of vraag de beheerder het te verwijderen. \
                     A local account '{0}' with a password exists; sign in with it, or ask the administrator to remove it.",
                    identity.username
                )),
            )
            .await;
        }
        if u.disabled != 0 {
            return fail(
                identity.username.clone(),
                "disabled".into(),
                ApiError::Forbidden(format!(
                    "Het account '{0}' is uitgeschakeld. The account '{0}' is disabled.",
                    identity.username
                )),
            )
            .await;
        }
    }
    let wijken = identity
        .wijken
        .iter()
        .map(|w| w.as_str())
        .collect::<Vec<_>>()
        .join(",");
    store
        .upsert_sso_user(&identity.username, identity.role.as_str(), &wijken)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let account = store
        .user(&identity.username)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?
        .as_ref()
        .and_then(Account::from_row)
        .ok_or_else(|| {
            ApiError::Internal(format!("SSO account {} unreadable", identity.username))
        })?;
    // Recorded before the session starts: a sign-in that cannot be recorded does not happen.
    audit::record(
        store,
        &Event {
            actor: &account.principal.username,
            role: account.principal.role.as_str(),
            action: Action::SignIn,
            object: &account.principal.username,
            result: "success",
            origin: &origin,
        },
    )
    .await
    .map_err(|e| ApiError::Unavailable(format!("audit trail: {e}")))?;
    auth.login(&account)
        .await
        .map_err(|e| ApiError::Unavailable(format!("session: {e}")))?;
    start_session(&auth).await?;
    redirect(&pending.return_to, clear)
}
