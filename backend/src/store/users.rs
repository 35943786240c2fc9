//! Accounts: local (with an Argon2id hash) and single-sign-on (without). Roles and wijken are
//! stored as text; `auth` gives them their meaning.

use super::{Result, Store, StoreError, now};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub username: String,
    pub role: String,
    /// Comma-separated WK codes.
    pub wijken: String,
    pub password_hash: Option<String>,
    pub disabled: i64,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "username, role, wijken, password_hash, disabled, created_at, updated_at";

/// Account changes made by this process. A cache of accounts (`auth::accounts`) drops what it
/// read before a change here at once; a change by another process it sees within its reuse time.
static CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// See [`CHANGES`].
pub fn account_changes() -> u64 {
    CHANGES.load(std::sync::atomic::Ordering::SeqCst)
}

fn changed() {
    CHANGES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

impl Store {
    pub async fn user(&self, username: &str) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users WHERE username = $1"
        )))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM users ORDER BY username"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds an account; a name that exists is a conflict.
    pub async fn add_user(
        &self,
        username: &str,
        role: &str,
        wijken: &str,
        password_hash: Option<&str>,
    ) -> Result<()> {
        if self.user(username).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "user {username} exists; change it with `wijkveilig user set-role`"
            )));
        }
        let now = now();
        sqlx::query(
            "INSERT INTO users (username, role, wijken, password_hash, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5)",
        )
        .bind(username)
        .bind(role)
        .bind(wijken)
        .bind(password_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        changed();
        Ok(())
    }

    /// Creates or updates a single-sign-on account with what the identity provider said.
    pub async fn upsert_sso_user(&self, username: &str, role: &str, wijken: &str) -> Result<()> {
        let now = now();
        sqlx::query(
            "INSERT INTO users (username, role, wijken, password_hash, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, 0, $4, $4) ON CONFLICT (username) DO UPDATE SET \
             role = excluded.role, wijken = excluded.wijken, updated_at = excluded.updated_at",
        )
        .bind(username)
        .bind(role)
        .bind(wijken)
        .bind(now)
        .execute(&self.pool)
        .await?;
        changed();
        Ok(())
    }

    /// Sets role and wijken; `false` when there is no such user.
    pub async fn set_user_role(&self, username: &str, role: &str, wijken: &str) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE users SET role = $2, wijken = $3, updated_at = $4 WHERE username = $1",
        )
        .bind(username)
        .bind(role)
        .bind(wijken)
        .bind(now())
        .execute(&self.pool)
        .await?;
        changed();
        Ok(r.rows_affected() > 0)
    }

    /// Disables an account and ends its sessions; `false` when there is no such user.
    pub async fn disable_user(&self, username: &str) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET disabled = 1, updated_at = $2 WHERE username = $1")
            .bind(username)
            .bind(now())
            .execute(&self.pool)
            .await?;
        changed();
        Ok(r.rows_affected() > 0)
    }

    /// Whether an enabled administrator account exists.
    pub async fn has_admin(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE role = 'beheerder' AND disabled = 0",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }
}
