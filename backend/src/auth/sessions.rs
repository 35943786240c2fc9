//! tower-sessions' store over our database, so that every `serve` instance on one PostgreSQL
//! shares the sessions. (tower-sessions-sqlx-store needs sqlx 0.8; we are on 0.9, and this
//! is the one module that bridges them.)

use crate::store::Store;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// Sessions read less than [`REUSE`] ago are reused: a signed-in map view makes several
/// requests at once, and at 64 connections these reads were most of a kept answer's cost. This
/// process's own saves and deletes update the kept copy at once; a sign-out on another instance
/// takes effect here within [`REUSE`].
#[derive(Clone)]
pub struct DbSessionStore {
    store: Store,
    recent: Arc<Mutex<HashMap<Id, Kept>>>,
}

/// A session as read (or written) at an instant; `None` once deleted.
type Kept = (Instant, Option<Record>);

/// How long a session read is reused.
pub const REUSE: Duration = Duration::from_secs(1);

/// At most this many sessions are kept; beyond it only fresh ones stay.
const MAX_RECENT: usize = 10_000;

impl DbSessionStore {
    pub fn new(store: Store) -> Self {
        DbSessionStore {
            store,
            recent: Default::default(),
        }
    }

    fn keep(&self, id: Id, record: Option<Record>, read: Instant) {
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() >= MAX_RECENT {
                recent.retain(|_, (at, _)| at.elapsed() < REUSE);
            }
            recent.insert(id, (read, record));
        }
    }
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

fn backend(e: crate::store::StoreError) -> Error {
    Error::Backend(e.to_string())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let data = serde_json::to_string(&record).map_err(|e| Error::Encode(e.to_string()))?;
            let created = self
                .store
                .session_create(
                    &record.id.to_string(),
                    &data,
                    record.expiry_date.unix_timestamp(),
                )
                .await
                .map_err(backend)?;
            if created {
                self.keep(record.id, Some(record.clone()), Instant::now());
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record).map_err(|e| Error::Encode(e.to_string()))?;
        self.store
            .session_save(
                &record.id.to_string(),
                &data,
                record.expiry_date.unix_timestamp(),
            )
            .await
            .map_err(backend)?;
        self.keep(record.id, Some(record.clone()), Instant::now());
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        if let Ok(recent) = self.recent.lock()
            && let Some((read, record)) = recent.get(id)
            && read.elapsed() < REUSE
        {
            return Ok(record
                .clone()
                .filter(|r| r.expiry_date.unix_timestamp() > now()));
        }
        let read = Instant::now();
        let Some(data) = self
            .store
            .session_load(&id.to_string(), now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let record: Record =
            serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        self.keep(*id, Some(record.clone()), read);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)?;
        self.keep(*id, None, Instant::now());
        Ok(())
    }
}
