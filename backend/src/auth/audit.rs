//! The audit trail (BIO2 8.15.01 and 8.15.05): one hash-chained row for each sign-in, read
//! of point-level data, export, change and import, with time, actor, role, action, object,
//! result and origin address.
//!
//! Each row's hash is SHA-256 over the previous row's hash and the row's own fields, each
//! length-prefixed so no two field lists hash alike:
//!
//! ```text
//! hash(n) = sha256( hash(n-1) ‖ seq ‖ at ‖ actor ‖ role ‖ action ‖ object ‖ result ‖ origin )
//! ```
//!
//! Editing a row breaks its own hash; deleting one breaks the next row's `prev_hash` (or the
//! recorded head, for the last row). [`verify`] names the first broken row. Nothing secret is
//! ever an audit field: objects are names and codes, never passwords or tokens.

use super::Principal;
use crate::domain::csv_export::csv_safe;
use crate::store::{AuditAnchor, AuditRow, Result as StoreResult, Store};
use sha2::{Digest, Sha256};
use std::fmt;

/// What happened. The names are stable: exports and the sign-in throttle rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignOut,
    /// A read of point-level data (incidents, enforcement, the planning built on them).
    ReadPoints,
    /// A download: a CSV or the printed report.
    Export,
    ChangeCamera,
    ChangeTarget,
    ChangeBaseline,
    ChangeUser,
    Import,
    AuditPrune,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign-in",
            Action::SignOut => "sign-out",
            Action::ReadPoints => "read-points",
            Action::Export => "export",
            Action::ChangeCamera => "change-camera",
            Action::ChangeTarget => "change-target",
            Action::ChangeBaseline => "change-baseline",
            Action::ChangeUser => "change-user",
            Action::Import => "import",
            Action::AuditPrune => "audit-prune",
        }
    }
}

/// One event to record. `origin` is the client address (or `cli`).
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor: &'a str,
    pub role: &'a str,
    pub action: Action,
    pub object: &'a str,
    pub result: &'a str,
    pub origin: &'a str,
}

impl<'a> Event<'a> {
    /// An event by `who`, succeeded.
    pub fn by(who: &'a Principal, action: Action, object: &'a str, origin: &'a str) -> Self {
        Event {
            actor: &who.username,
            role: who.role.as_str(),
            action,
            object,
            result: "success",
            origin,
        }
    }
}

/// The chain rule: a row's hash from its fields and `prev_hash`.
pub fn row_hash(r: &AuditRow) -> String {
    let mut h = Sha256::new();
    for part in [
        r.prev_hash.as_str(),
        &r.seq.to_string(),
        &r.at,
        &r.actor,
        &r.role,
        &r.action,
        &r.object,
        &r.result,
        &r.origin,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an event to the trail.
pub async fn record(store: &Store, e: &Event<'_>) -> StoreResult<AuditRow> {
    // Control characters would let a crafted name forge rows in a CSV export or a log line.
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(500)
            .collect()
    };
    let row = AuditRow {
        seq: 0,
        at: crate::store::now(),
        actor: clean(e.actor),
        role: clean(e.role),
        action: e.action.as_str().to_string(),
        object: clean(e.object),
        result: clean(e.result),
        origin: clean(e.origin),
        prev_hash: String::new(),
        hash: String::new(),
    };
    store.audit_append(row, row_hash).await
}

/// Why the trail does not verify: the first row where it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// This row's fields do not match its hash: it was edited.
    Edited { seq: i64 },
    /// The row before this one is missing: it was deleted (or its hash was edited).
    Missing { after: i64, found: i64 },
    /// Rows after this one, up to the recorded head, are missing.
    Truncated { last: i64, head: i64 },
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Broken::Edited { seq } => write!(
                f,
                "audit row {seq} was changed: its fields no longer match its hash"
            ),
            Broken::Missing { after, found } => write!(
                f,
                "audit row {found} does not follow row {after}: a row in between was deleted or changed"
            ),
            Broken::Truncated { last, head } => write!(
                f,
                "audit rows after {last} are missing: the trail recorded row {head} as its last"
            ),
        }
    }
}

/// Checks the chain from the anchor to the recorded head; `Ok(rows checked)`.
pub fn verify_rows(
    rows: &[AuditRow],
    anchor: &AuditAnchor,
    head: Option<i64>,
) -> Result<usize, Broken> {
    let mut prev_seq = anchor.seq;
    let mut prev_hash = anchor.hash.as_str();
    for r in rows {
        if r.seq != prev_seq + 1 || r.prev_hash != prev_hash {
            return Err(Broken::Missing {
                after: prev_seq,
                found: r.seq,
            });
        }
        if row_hash(r) != r.hash {
            return Err(Broken::Edited { seq: r.seq });
        }
        prev_seq = r.seq;
        prev_hash = &r.hash;
    }
    match head {
        Some(head) if head > prev_seq => Err(Broken::Truncated {
            last: prev_seq,
            head,
        }),
        _ => Ok(rows.len()),
    }
}

/// Verifies the whole stored trail.
pub async fn verify(store: &Store) -> StoreResult<Result<usize, Broken>> {
    let rows = store.audit_all().await?;
    let anchor = store.audit_anchor().await?;
    let head = store.audit_head().await?;
    Ok(verify_rows(&rows, &anchor, head))
}

/// Writes rows as CSV (RFC 4180, comma, UTF-8). A field that a spreadsheet would read as a
/// formula gets a leading apostrophe.
pub fn write_csv<W: std::io::Write>(rows: &[AuditRow], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "seq",
        "at",
        "actor",
        "role",
        "action",
        "object",
        "result",
        "origin",
        "prev_hash",
        "hash",
    ])?;
    for r in rows {
        let seq = r.seq.to_string();
        let fields = [
            seq.as_str(),
            &r.at,
            &r.actor,
            &r.role,
            &r.action,
            &r.object,
            &r.result,
            &r.origin,
            &r.prev_hash,
            &r.hash,
        ];
        w.write_record(fields.iter().map(|f| csv_safe(f).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRow> {
        let mut rows: Vec<AuditRow> = vec![];
        for seq in 1..=n {
            let mut r = AuditRow {
                seq,
                at: format!("2026-11-30T10:00:{seq:02}Z"),
                actor: "anna".into(),
                role: "beheerder".into(),
                action: "sign-in".into(),
                object: "anna".into(),
                result: "success".into(),
                origin: "127.0.0.1".into(),
                prev_hash: rows.last().map(|r| r.hash.clone()).unwrap_or_default(),
                hash: String::new(),
            };
            r.hash = row_hash(&r);
            rows.push(r);
        }
        rows
    }

    #[test]
    fn an_intact_chain_verifies_and_each_break_is_named() {
        let rows = chain(5);
        let a = AuditAnchor::default();
        assert_eq!(verify_rows(&rows, &a, Some(5)), Ok(5));

        let mut edited = rows.clone();
        edited[2].result = "failure".into();
        assert_eq!(
            verify_rows(&edited, &a, Some(5)),
            Err(Broken::Edited { seq: 3 })
        );

        let mut deleted = rows.clone();
        deleted.remove(1);
        assert_eq!(
            verify_rows(&deleted, &a, Some(5)),
            Err(Broken::Missing { after: 1, found: 3 })
        );

        let truncated = &rows[..4];
        assert_eq!(
            verify_rows(truncated, &a, Some(5)),
            Err(Broken::Truncated { last: 4, head: 5 })
        );
    }
}
