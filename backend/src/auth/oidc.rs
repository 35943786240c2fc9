//! Single sign-on with OpenID Connect (issue #10 §2): the authorization code flow with PKCE,
//! a nonce and a checked `state`, against the municipality's own identity provider (Entra ID,
//! Keycloak, …). `http::oidc` serves the two routes; this module holds the configuration, the
//! provider's metadata and keys (discovered once and cached), the token exchange and ID token
//! verification (by the `openidconnect` crate), and the mapping of the token's claims to a
//! [`Role`] and wijken.
//!
//! Who signs in: the account name is the ID token's `preferred_username`, else its `email`,
//! else its `sub`. Its role comes from the claim named by `--oidc-roles-claim` (a string or an
//! array of strings; a dotted name such as `realm_access.roles` reaches into an object),
//! through `--oidc-role-map` (or, without a map, values that are our role names). A
//! wijkregisseur's wijken come from `--oidc-wijken-claim` (WK codes). See `docs/sso.md`.

use super::Role;
use super::accounts::parse_wijken;
use crate::domain::AreaCode;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::url;
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode, ClaimsVerificationError,
    Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenClaims, IdTokenFields, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// The callback route; the redirect URL registered at the provider must end in it.
pub const CALLBACK_PATH: &str = "/api/session/oidc/callback";
/// How long a started sign-in may take at the provider.
pub const PENDING_SECS: i64 = 600;
/// How long the provider's metadata and keys are used before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// Requests to the provider give up after this long.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The `serve` flags of single sign-on. SSO is on when `--oidc-issuer` is given; the client
/// secret is read from the environment only (`WIJKVEILIG_OIDC_CLIENT_SECRET`).
#[derive(Debug, Clone, clap::Args)]
pub struct OidcArgs {
    /// OpenID Connect: the identity provider's issuer URL, e.g.
    /// https://login.microsoftonline.com/TENANT/v2.0 or https://keycloak.example.nl/realms/gemeente.
    /// Single sign-on is on when this is set.
    #[arg(long, env = "WIJKVEILIG_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// OpenID Connect: this application's client id at the provider.
    #[arg(long, env = "WIJKVEILIG_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// OpenID Connect: the redirect URL registered at the provider,
    /// https://HOST/api/session/oidc/callback.
    #[arg(long, env = "WIJKVEILIG_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// OpenID Connect: scopes to ask for besides `openid` (space- or comma-separated).
    #[arg(long, env = "WIJKVEILIG_OIDC_SCOPES", default_value = "profile email")]
    pub oidc_scopes: String,
    /// OpenID Connect: the ID token claim that holds the user's roles (a string or an array;
    /// `a.b` reaches into an object, e.g. Keycloak's `realm_access.roles`).
    #[arg(long, env = "WIJKVEILIG_OIDC_ROLES_CLAIM", default_value = "roles")]
    pub oidc_roles_claim: String,
    /// OpenID Connect: provider role = wijkveilig role, comma-separated, e.g.
    /// `wijkveilig-beheer=beheerder,wijkveilig-wijk=wijkregisseur`. Without it, the claim's
    /// values must be the role names themselves.
    #[arg(long, env = "WIJKVEILIG_OIDC_ROLE_MAP", default_value = "")]
    pub oidc_role_map: String,
    /// OpenID Connect: the ID token claim that holds a wijkregisseur's wijken (WK codes, an
    /// array or a comma-separated string).
    #[arg(long, env = "WIJKVEILIG_OIDC_WIJKEN_CLAIM", default_value = "wijken")]
    pub oidc_wijken_claim: String,
    /// OpenID Connect: the provider's name on the sign-in page, e.g. "Gemeente Voorbeeld".
    #[arg(long, env = "WIJKVEILIG_OIDC_NAME", default_value = "SSO")]
    pub oidc_name: String,
}

/// Single sign-on's configuration, checked once at start-up.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Shown on the sign-in button.
    pub name: String,
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    /// `None` for a public client (PKCE alone). Its `Debug` is redacted.
    pub client_secret: Option<ClientSecret>,
    pub redirect_url: RedirectUrl,
    /// Besides `openid`, which is always asked for.
    pub scopes: Vec<String>,
    pub roles_claim: String,
    /// Provider value → role; empty: the values are role names.
    pub role_map: Vec<(String, Role)>,
    pub wijken_claim: String,
}

/// Whether a URL may be plain HTTP: only on this machine (development, tests).
fn loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_https(what: &str, url: &url::Url) -> Result<(), String> {
    if url.scheme() == "https" || (url.scheme() == "http" && loopback(url)) {
        Ok(())
    } else {
        Err(format!(
            "{what} {url} must be https:// (plain http only on localhost)"
        ))
    }
}

/// Parses `provider=role,provider=role`.
pub fn parse_role_map(s: &str) -> Result<Vec<(String, Role)>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (from, to) = pair.rsplit_once('=').ok_or_else(|| {
                format!("--oidc-role-map: '{pair}' is not provider-role=wijkveilig-role")
            })?;
            let role = Role::parse(to).ok_or_else(|| {
                format!(
                    "--oidc-role-map: '{to}' is not a role (beheerder, veiligheidsteam, wijkregisseur, stuurgroep)"
                )
            })?;
            let from = from.trim();
            if from.is_empty() {
                return Err(format!("--oidc-role-map: '{pair}' names no provider role"));
            }
            Ok((from.to_string(), role))
        })
        .collect()
}

impl OidcArgs {
    /// The configuration, or `None` when SSO is off. `client_secret` comes from the
    /// environment, never from a flag.
    pub fn config(self, client_secret: Option<String>) -> Result<Option<OidcConfig>, String> {
        let Some(issuer) = self.oidc_issuer.filter(|s| !s.trim().is_empty()) else {
            if self.oidc_client_id.is_some() || self.oidc_redirect_url.is_some() {
                return Err("single sign-on needs --oidc-issuer too".into());
            }
            return Ok(None);
        };
        let issuer = IssuerUrl::new(issuer.trim().trim_end_matches('/').to_string())
            .map_err(|e| format!("--oidc-issuer: {e}"))?;
        check_https("--oidc-issuer", issuer.url())?;
        let client_id = self
            .oidc_client_id
            .filter(|s| !s.trim().is_empty())
            .ok_or("single sign-on needs --oidc-client-id")?;
        let redirect = self.oidc_redirect_url.ok_or(
            "single sign-on needs --oidc-redirect-url (https://HOST/api/session/oidc/callback)",
        )?;
        let redirect_url = RedirectUrl::new(redirect.trim().to_string())
            .map_err(|e| format!("--oidc-redirect-url: {e}"))?;
        check_https("--oidc-redirect-url", redirect_url.url())?;
        if redirect_url.url().path() != CALLBACK_PATH || redirect_url.url().query().is_some() {
            return Err(format!(
                "--oidc-redirect-url must be this server's {CALLBACK_PATH}, e.g. https://HOST{CALLBACK_PATH}"
            ));
        }
        let scopes = self
            .oidc_scopes
            .split([' ', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(str::to_string)
            .collect();
        let role_map = parse_role_map(&self.oidc_role_map)?;
        if self.oidc_roles_claim.trim().is_empty() {
            return Err("--oidc-roles-claim may not be empty".into());
        }
        Ok(Some(OidcConfig {
            name: self.oidc_name.trim().to_string(),
            issuer,
            client_id: ClientId::new(client_id.trim().to_string()),
            client_secret: client_secret
                .filter(|s| !s.is_empty())
                .map(ClientSecret::new),
            redirect_url,
            scopes,
            roles_claim: self.oidc_roles_claim.trim().to_string(),
            role_map,
            wijken_claim: self.oidc_wijken_claim.trim().to_string(),
        }))
    }
}

/// Every claim of the ID token beyond the standard ones, as JSON: the roles and wijken claims
/// are named by configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub claims: Map<String, Value>,
}

impl AdditionalClaims for ExtraClaims {}

type IdFields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<IdFields, CoreTokenType>;
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
type Claims = IdTokenClaims<ExtraClaims, CoreGenderClaim>;

/// ID token signatures we accept: the provider's public keys only (never a shared secret,
/// never `none`).
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// A sign-in started at the provider and not yet back: kept server-side for
/// [`PENDING_SECS`], found again by the browser's pending-sign-in cookie.
#[derive(Clone, Serialize, Deserialize)]
pub struct Pending {
    state: String,
    nonce: String,
    pkce_verifier: String,
    /// Where to go after signing in: a path on this server.
    pub return_to: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("return_to", &self.return_to)
            .finish_non_exhaustive()
    }
}

impl Pending {
    /// Whether the `state` the provider sent back is this sign-in's (compared as hashes, so
    /// in constant time).
    pub fn state_matches(&self, state: &str) -> bool {
        Sha256::digest(self.state.as_bytes()) == Sha256::digest(state.as_bytes())
    }
}

/// Who the provider says signed in, mapped to our terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub username: String,
    pub role: Role,
    /// A wijkregisseur's wijken; empty for the other roles.
    pub wijken: Vec<AreaCode>,
}

/// Why single sign-on did not sign someone in.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense (502; detail logged).
    #[error("identity provider: {0}")]
    Provider(String),
    /// The provider's answer does not prove who signed in: the code was refused, the ID token
    /// is missing, badly signed, for another client, expired or has another nonce (401).
    #[error("{0}")]
    Rejected(String),
    /// A verified user whose claims give no role or no usable scope (403): `why` for the
    /// audit trail, `message` (Dutch and English) for the user.
    #[error("{message}")]
    Refused {
        username: String,
        why: &'static str,
        message: String,
    },
}

struct Cached {
    metadata: CoreProviderMetadata,
    fetched: Instant,
}

/// Single sign-on: the configuration, an HTTP client that follows no redirects, and the
/// provider's metadata and keys once fetched.
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer.as_str())
            .finish_non_exhaustive()
    }
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Oidc, String> {
        let http = reqwest::ClientBuilder::new()
            // Following redirects would open the token and key requests to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot build the HTTP client for single sign-on: {e}"))?;
        Ok(Oidc {
            config,
            http,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The provider's metadata and keys: cached for an hour; `refresh` fetches them again,
    /// for a token whose signature the cached keys do not verify (the provider rolled its keys).
    /// Only the provider's own token endpoint can make that happen, so it needs no rate limit.
    /// A failed fetch keeps using what was cached before.
    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, OidcError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && !refresh
            && c.fetched.elapsed() < METADATA_TTL
        {
            return Ok(c.metadata.clone());
        }
        match CoreProviderMetadata::discover_async(self.config.issuer.clone(), &self.http).await {
            Ok(metadata) => {
                tracing::info!(
                    issuer = self.config.issuer.as_str(),
                    keys = metadata.jwks().keys().len(),
                    "single sign-on: fetched the identity provider's metadata and keys"
                );
                *cache = Some(Cached {
                    metadata: metadata.clone(),
                    fetched: Instant::now(),
                });
                Ok(metadata)
            }
            Err(e) => {
                let detail = format!(
                    "discovery at {} failed: {}",
                    self.config.issuer.as_str(),
                    error_chain(&e)
                );
                match cache.as_ref() {
                    Some(c) => {
                        tracing::warn!(
                            "single sign-on: {detail}; using the metadata fetched before"
                        );
                        Ok(c.metadata.clone())
                    }
                    None => Err(OidcError::Provider(detail)),
                }
            }
        }
    }

    fn client(&self, metadata: CoreProviderMetadata) -> OidcClient {
        // client_secret_basic unless the provider only takes the secret in the body.
        let post_only = metadata
            .token_endpoint_auth_methods_supported()
            .is_some_and(|m| {
                m.contains(&CoreClientAuthMethod::ClientSecretPost)
                    && !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
            });
        let client = OidcClient::from_provider_metadata(
            metadata,
            self.config.client_id.clone(),
            self.config.client_secret.clone(),
        )
        .set_redirect_uri(self.config.redirect_url.clone());
        if post_only || self.config.client_secret.is_none() {
            client.set_auth_type(AuthType::RequestBody)
        } else {
            client
        }
    }

    /// Starts a sign-in: the provider's authorization URL (with a PKCE challenge, a nonce and
    /// a random state), and what must be kept until the browser comes back.
    pub async fn begin(&self, return_to: String) -> Result<(url::Url, Pending), OidcError> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok((
            url,
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to,
            },
        ))
    }

    /// Finishes a sign-in whose `state` was checked: exchanges the code (with the PKCE
    /// verifier), verifies the ID token (signature by the provider's keys, issuer, audience,
    /// expiry, nonce, and the access token's hash when given), and maps its claims.
    pub async fn finish(&self, pending: &Pending, code: &str) -> Result<Identity, OidcError> {
        let client = self.client(self.metadata(false).await?);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Provider(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => OidcError::Rejected(format!(
                    "the identity provider refused the sign-in code: {}",
                    r.error()
                )),
                other => OidcError::Provider(format!("token request: {}", error_chain(&other))),
            })?;
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = match verify(&client, &tokens, &nonce) {
            // A key we do not know: the provider may have rolled its keys; fetch them again.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let client = self.client(self.metadata(true).await?);
                verify(&client, &tokens, &nonce)
            }
            other => other,
        }
        .map_err(|e| OidcError::Rejected(format!("the ID token is not valid: {e}")))?;
        self.identity(&claims)
    }

    /// Maps verified claims to an account name, a role and wijken.
    pub fn identity(&self, claims: &Claims) -> Result<Identity, OidcError> {
        let username = claims
            .preferred_username()
            .map(|u| u.as_str().to_string())
            .or_else(|| claims.email().map(|e| e.as_str().to_string()))
            .unwrap_or_else(|| claims.subject().as_str().to_string());
        let username = username.trim().to_string();
        if username.is_empty()
            || username.chars().count() > 128
            || username
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(OidcError::Rejected(format!(
                "the identity provider gave an unusable user name: {:?}",
                username.chars().take(130).collect::<String>()
            )));
        }
        let extra = &claims.additional_claims().claims;
        let values = claim_values(extra, &self.config.roles_claim);
        let role = map_role(&values, &self.config.role_map).ok_or_else(|| OidcError::Refused {
            username: username.clone(),
            why: "no role",
            message: format!(
                "Geen toegang: uw account heeft geen rol in wijkveilig (claim '{}'). \
                 No access: your account has no wijkveilig role (claim '{}'). \
                 Vraag uw beheerder om een rol. Ask your administrator for a role.",
                self.config.roles_claim, self.config.roles_claim
            ),
        })?;
        let wijken = if role == Role::Wijkregisseur {
            let raw = claim_values(extra, &self.config.wijken_claim).join(",");
            let wijken = parse_wijken(&raw).map_err(|e| OidcError::Refused {
                username: username.clone(),
                why: "invalid wijken",
                message: format!(
                    "Geen toegang: de wijken van uw account zijn ongeldig ({e}). \
                     No access: your account's wijken are not valid ({e})."
                ),
            })?;
            if wijken.is_empty() {
                return Err(OidcError::Refused {
                    username,
                    why: "no wijken",
                    message: format!(
                        "Geen toegang: een wijkregisseur heeft wijken nodig (claim '{}'). \
                         No access: a wijkregisseur needs wijken (claim '{}').",
                        self.config.wijken_claim, self.config.wijken_claim
                    ),
                });
            }
            wijken
        } else {
            vec![]
        };
        Ok(Identity {
            username,
            role,
            wijken,
        })
    }
}

/// Verifies the ID token of `tokens`; returns its claims.
fn verify(
    client: &OidcClient,
    tokens: &Tokens,
    nonce: &Nonce,
) -> Result<Claims, ClaimsVerificationError> {
    let id_token = tokens
        .id_token()
        .ok_or_else(|| ClaimsVerificationError::Other("the provider sent no ID token".into()))?;
    let verifier = client.id_token_verifier().set_allowed_algs(ALLOWED_ALGS);
    let claims = id_token.claims(&verifier, nonce)?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(ClaimsVerificationError::SignatureVerification)?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(ClaimsVerificationError::SignatureVerification)?;
        let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
            .map_err(|e| ClaimsVerificationError::Other(format!("at_hash: {e}")))?;
        if actual != *expected {
            return Err(ClaimsVerificationError::Other(
                "the access token does not match the ID token's at_hash".into(),
            ));
        }
    }
    Ok(claims.clone())
}

/// The string values of a claim: a string (comma-separated values allowed) or an array of
/// strings; `a.b` is claim `b` inside object claim `a` (tried whole first, as some providers
/// name claims with dots).
pub fn claim_values(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    let value = claims.get(name).or_else(|| {
        let mut parts = name.split('.');
        let first = claims.get(parts.next()?)?;
        parts.try_fold(first, |v, p| v.get(p))
    });
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    };
    match value {
        Some(Value::String(s)) => split(s),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .flat_map(split)
            .collect(),
        _ => vec![],
    }
}

/// The role that the provider's values map to. With several, the first in the order
/// beheerder, veiligheidsteam, wijkregisseur, stuurgroep.
pub fn map_role(values: &[String], map: &[(String, Role)]) -> Option<Role> {
    let mapped: Vec<Role> = if map.is_empty() {
        values.iter().filter_map(|v| Role::parse(v)).collect()
    } else {
        values
            .iter()
            .flat_map(|v| map.iter().filter(move |(from, _)| from == v))
            .map(|&(_, r)| r)
            .collect()
    };
    Role::ALL.into_iter().find(|r| mapped.contains(r))
}

/// An error and its sources, for the log (never for a response body).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The id under which a pending sign-in is kept (in the sessions table): a hash of the
/// browser's cookie value, so the table alone does not let anyone finish someone's sign-in.
pub fn pending_key(cookie_value: &str) -> String {
    let digest = Sha256::digest(cookie_value.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("oidc-pending:{hex}")
}

/// A fresh random value for the pending-sign-in cookie.
pub fn new_cookie_value() -> String {
    CsrfToken::new_random_len(32).secret().clone()
}

/// Whether `path` is a path on this server to return to after signing in (not `//host`,
/// not a scheme, no backslashes or control characters).
pub fn safe_return_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= 2000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> OidcArgs {
        OidcArgs {
            oidc_issuer: Some("https://login.example.nl/tenant/v2.0".into()),
            oidc_client_id: Some("wijkveilig".into()),
            oidc_redirect_url: Some(
                "https://wijkveilig.example.nl/api/session/oidc/callback".into(),
            ),
            oidc_scopes: "openid profile email".into(),
            oidc_roles_claim: "roles".into(),
            oidc_role_map: "".into(),
            oidc_wijken_claim: "wijken".into(),
            oidc_name: "Gemeente".into(),
        }
    }

    #[test]
    fn the_configuration_is_checked_at_start_up() {
        let c = args().config(Some("s3cret".into())).unwrap().unwrap();
        assert_eq!(c.scopes, vec!["profile", "email"]);
        assert!(
            !format!("{c:?}").contains("s3cret"),
            "the secret is never printed"
        );
        let none = OidcArgs {
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_redirect_url: None,
            ..args()
        };
        assert!(none.config(None).unwrap().is_none());
        let plain = OidcArgs {
            oidc_issuer: Some("http://idp.example.nl".into()),
            ..args()
        };
        assert!(plain.config(None).is_err(), "plain http only on loopback");
        let local = OidcArgs {
            oidc_issuer: Some("http://127.0.0.1:9999".into()),
            oidc_redirect_url: Some("http://localhost:8080/api/session/oidc/callback".into()),
            ..args()
        };
        assert!(local.config(None).unwrap().is_some());
        let wrong_path = OidcArgs {
            oidc_redirect_url: Some("https://wijkveilig.example.nl/callback".into()),
            ..args()
        };
        assert!(wrong_path.config(None).is_err());
        let bad_map = OidcArgs {
            oidc_role_map: "a=koning".into(),
            ..args()
        };
        assert!(bad_map.config(None).is_err());
    }

    #[test]
    fn roles_map_through_the_table_or_by_name() {
        let map = parse_role_map("wv-beheer=beheerder, wv-wijk=wijkregisseur").unwrap();
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(map_role(&v(&["wv-wijk"]), &map), Some(Role::Wijkregisseur));
        assert_eq!(
            map_role(&v(&["wv-wijk", "wv-beheer"]), &map),
            Some(Role::Beheerder)
        );
        assert_eq!(map_role(&v(&["beheerder"]), &map), None, "only the map");
        assert_eq!(map_role(&v(&["Stuurgroep"]), &[]), Some(Role::Stuurgroep));
        assert_eq!(map_role(&v(&["other"]), &[]), None);
        assert!(parse_role_map("x").is_err());
    }

    #[test]
    fn claims_are_strings_arrays_or_nested() {
        let claims: Map<String, Value> = serde_json::from_str(
            r#"{"roles":["a","b"],"wijken":"WK014101, WK014102",
                "realm_access":{"roles":["c"]},"dotted.name":"d","n":3}"#,
        )
        .unwrap();
        assert_eq!(claim_values(&claims, "roles"), vec!["a", "b"]);
        assert_eq!(
            claim_values(&claims, "wijken"),
            vec!["WK014101", "WK014102"]
        );
        assert_eq!(claim_values(&claims, "realm_access.roles"), vec!["c"]);
        assert_eq!(claim_values(&claims, "dotted.name"), vec!["d"]);
        assert!(claim_values(&claims, "n").is_empty());
        assert!(claim_values(&claims, "missing.x").is_empty());
    }

    #[test]
    fn only_paths_on_this_server_are_returned_to() {
        assert!(safe_return_path("/"));
        assert!(safe_return_path("/?view=wijk#x"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/a\nb",
        ] {
            assert!(!safe_return_path(bad), "{bad}");
        }
    }
}
