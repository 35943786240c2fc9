//! The audit trail's rows. The chain rule (what a row's hash covers) lives in `auth::audit`;
//! this module appends a row after the current head, and reads rows back in order.
//!
//! Appends are optimistic: read the head, insert `seq = head + 1`; when another writer (this
//! or another instance) took that number, the primary key refuses and the append retries on
//! the new head. The head and, after pruning, the anchor are also kept in `meta`, so that a
//! deleted last row or a deleted first row is noticed too.

use super::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object: String,
    pub result: String,
    pub origin: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str = "seq, at, actor, role, action, object, result, origin, prev_hash, hash";

/// Where the chain starts: the sequence number and hash of the last pruned row (0 and the
/// empty string when nothing was pruned).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditAnchor {
    pub seq: i64,
    pub hash: String,
}

impl Store {
    /// Appends `row` after the current head; `hash` computes the row's hash once `seq` and
    /// `prev_hash` are set. Returns the stored row.
    pub async fn audit_append(
        &self,
        mut row: AuditRow,
        hash: impl Fn(&AuditRow) -> String,
    ) -> Result<AuditRow> {
        // One append at a time in this process: SQLite would otherwise refuse the second
        // writer of two that both read the head (SQLITE_BUSY on the lock upgrade).
        let _turn = self.audit_lock.lock().await;
        let mut last_err = None;
        for attempt in 0..50u64 {
            match self.try_append(&mut row, &hash).await {
                Ok(()) => return Ok(row),
                // Another instance took the number, or the database was busy: try again on
                // the new head.
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(std::time::Duration::from_millis(2 + attempt * 5)).await;
                }
            }
        }
        Err(StoreError::Sql(
            last_err.unwrap_or(sqlx::Error::PoolTimedOut),
        ))
    }

    async fn try_append(
        &self,
        row: &mut AuditRow,
        hash: &impl Fn(&AuditRow) -> String,
    ) -> std::result::Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (seq, prev) = match head {
            Some((s, h)) => (s + 1, h),
            None => {
                let a = anchor_on(&mut tx).await.map_err(|e| match e {
                    StoreError::Sql(e) => e,
                    e => sqlx::Error::Protocol(e.to_string()),
                })?;
                (a.seq + 1, a.hash)
            }
        };
        row.seq = seq;
        row.prev_hash = prev;
        row.hash = hash(row);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(row.seq)
        .bind(row.at.clone())
        .bind(row.actor.clone())
        .bind(row.role.clone())
        .bind(row.action.clone())
        .bind(row.object.clone())
        .bind(row.result.clone())
        .bind(row.origin.clone())
        .bind(row.prev_hash.clone())
        .bind(row.hash.clone())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('audit_head', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(row.seq.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Rows with `from <= at < to` (RFC 3339 text compares in time order), oldest first.
    pub async fn audit_rows(&self, from: &str, to: &str) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY seq"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every row, oldest first.
    pub async fn audit_all(&self) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_log ORDER BY seq"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The head the last append recorded (`None` before the first).
    pub async fn audit_head(&self) -> Result<Option<i64>> {
        let v: Option<(String,)> =
            sqlx::query_as("SELECT value FROM meta WHERE key = 'audit_head'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.and_then(|(s,)| s.parse().ok()))
    }

    pub async fn audit_anchor(&self) -> Result<AuditAnchor> {
        let mut c = self.pool.acquire().await?;
        anchor_on(&mut c).await
    }

    /// Failed sign-ins since `since` (RFC 3339) for an account and for an address, for the
    /// sign-in throttle.
    pub async fn failed_sign_ins(
        &self,
        username: &str,
        origin: &str,
        since: &str,
    ) -> Result<(i64, i64)> {
        let (by_user, by_origin): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN object = $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN origin = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM audit_log WHERE action = 'sign-in' AND result <> 'success' AND at >= $3",
        )
        .bind(username)
        .bind(origin)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((by_user, by_origin))
    }

    /// Deletes rows older than `before` (RFC 3339), keeping the chain verifiable from the
    /// last deleted row's hash. Returns how many rows went.
    pub async fn audit_prune(&self, before: &str) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT seq, hash FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((seq, hash)) = last else {
            return Ok(0);
        };
        let n = sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(seq)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        set_meta(&mut tx, "audit_anchor", &format!("{seq}:{hash}")).await?;
        tx.commit().await?;
        Ok(n)
    }
}

async fn anchor_on(c: &mut sqlx::AnyConnection) -> Result<AuditAnchor> {
    let v: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = 'audit_anchor'")
        .fetch_optional(&mut *c)
        .await?;
    Ok(v.and_then(|(s,)| {
        let (seq, hash) = s.split_once(':')?;
        Some(AuditAnchor {
            seq: seq.parse().ok()?,
            hash: hash.to_string(),
        })
    })
    .unwrap_or_default())
}

async fn set_meta(c: &mut sqlx::AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *c)
    .await?;
    Ok(())
}
