//! Accounts as axum-login sees them, and signing in with a password: verified with Argon2id,
//! throttled per account and per address, and recorded in the audit trail either way.

use super::audit::{self, Action, Event};
use super::{Principal, Role, password};
use crate::domain::AreaCode;
use crate::store::{Store, StoreError, UserRow};
use axum_login::{AuthUser, AuthnBackend, UserId};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Failed sign-ins within [`THROTTLE_WINDOW_MIN`] minutes after which an account is refused.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// The same per client address (several accounts tried from one place).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MIN: i64 = 15;

/// A signed-in account: who it is, and a fingerprint of what it may do, so a session ends
/// when the password, role or wijken change or the account is disabled.
#[derive(Clone)]
pub struct Account {
    pub principal: Principal,
    fingerprint: Vec<u8>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("username", &self.principal.username)
            .field("role", &self.principal.role)
            .finish_non_exhaustive()
    }
}

/// Parses a stored comma-separated list of WK codes.
pub fn parse_wijken(s: &str) -> Result<Vec<AreaCode>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            AreaCode::parse(w).and_then(|c| {
                if c.as_str().starts_with("WK") {
                    Ok(c)
                } else {
                    Err(format!("{w} is not a wijk code (WKggggww)"))
                }
            })
        })
        .collect()
}

impl Account {
    /// The account of a stored user; `None` when disabled or unreadable.
    pub fn from_row(u: &UserRow) -> Option<Account> {
        if u.disabled != 0 {
            return None;
        }
        let role = Role::parse(&u.role)?;
        let wijken = parse_wijken(&u.wijken).ok()?;
        let mut h = Sha256::new();
        for part in [
            u.password_hash.as_deref().unwrap_or("sso"),
            &u.role,
            &u.wijken,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        Some(Account {
            principal: Principal {
                username: u.username.clone(),
                role,
                wijken,
            },
            fingerprint: h.finalize().to_vec(),
        })
    }
}

impl AuthUser for Account {
    type Id = String;

    fn id(&self) -> String {
        self.principal.username.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.fingerprint
    }
}

/// axum-login's backend: accounts in our database.
///
/// Every signed-in request looks its account up. An account read less than [`REUSE`] ago is
/// reused, unless this process changed an account since ([`crate::store::account_changes`]):
/// at 64 connections these reads were most of a kept map answer's cost. A change made by
/// another process (the CLI, another instance) takes effect within [`REUSE`].
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    recent: std::sync::Arc<std::sync::Mutex<HashMap<String, RecentAccount>>>,
}

/// How long an account read is reused.
pub const REUSE: Duration = Duration::from_secs(1);

/// At most this many accounts are kept; beyond it only fresh ones stay.
const MAX_RECENT: usize = 10_000;

struct RecentAccount {
    read: Instant,
    changes: u64,
    account: Option<Account>,
}

impl Accounts {
    pub fn new(store: Store) -> Self {
        Accounts {
            store,
            recent: Default::default(),
        }
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl AuthnBackend for Accounts {
    type User = Account;
    type Credentials = Credentials;
    type Error = StoreError;

    async fn authenticate(&self, c: Credentials) -> Result<Option<Account>, StoreError> {
        let user = self.store.user(&c.username).await?;
        // Argon2id costs tens of milliseconds of CPU: off the async workers.
        let ok = tokio::task::spawn_blocking(move || match &user {
            Some(u) if u.disabled == 0 && u.password_hash.is_some() => {
                password::verify(&c.password, u.password_hash.as_deref().unwrap_or_default())
                    .then(|| Account::from_row(u))
                    .flatten()
            }
            _ => {
                password::verify_dummy(&c.password);
                None
            }
        })
        .await
        .map_err(|e| StoreError::Conflict(format!("password check failed: {e}")))?;
        Ok(ok)
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<Account>, StoreError> {
        let changes = crate::store::account_changes();
        if let Ok(recent) = self.recent.lock()
            && let Some(r) = recent.get(id)
            && r.changes == changes
            && r.read.elapsed() < REUSE
        {
            return Ok(r.account.clone());
        }
        let read = Instant::now();
        let account = self
            .store
            .user(id)
            .await?
            .as_ref()
            .and_then(Account::from_row);
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() >= MAX_RECENT {
                recent.retain(|_, r| r.read.elapsed() < REUSE);
            }
            recent.insert(
                id.clone(),
                RecentAccount {
                    read,
                    changes,
                    account: account.clone(),
                },
            );
        }
        Ok(account)
    }
}

/// How a password sign-in ended.
#[derive(Debug)]
pub enum SignIn {
    Accepted(Account),
    Refused,
    /// Too many failures for this account or address; try again later.
    Throttled,
}

/// Checks a password sign-in: the throttle first, then the password. Every attempt is one
/// audit row (`sign-in`, object = the account name tried, result success/failure/throttled).
pub async fn sign_in(store: &Store, c: Credentials, origin: &str) -> Result<SignIn, StoreError> {
    let since = (time::OffsetDateTime::now_utc() - time::Duration::minutes(THROTTLE_WINDOW_MIN))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let (by_user, by_origin) = store.failed_sign_ins(&c.username, origin, &since).await?;
    let username = c.username.clone();
    let event = |result: &'static str| Event {
        actor: "",
        role: "",
        action: Action::SignIn,
        object: "",
        result,
        origin,
    };
    if by_user >= MAX_FAILURES_PER_ACCOUNT || by_origin >= MAX_FAILURES_PER_ADDRESS {
        audit::record(
            store,
            &Event {
                object: &username,
                ..event("throttled")
            },
        )
        .await?;
        return Ok(SignIn::Throttled);
    }
    match Accounts::new(store.clone()).authenticate(c).await? {
        Some(account) => {
            audit::record(
                store,
                &Event {
                    actor: &account.principal.username,
                    role: account.principal.role.as_str(),
                    object: &username,
                    ..event("success")
                },
            )
            .await?;
            Ok(SignIn::Accepted(account))
        }
        None => {
            audit::record(
                store,
                &Event {
                    object: &username,
                    ..event("failure")
                },
            )
            .await?;
            Ok(SignIn::Refused)
        }
    }
}
