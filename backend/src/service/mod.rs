//! The service layer: answers the product's questions (figures for a selection, an area's
//! detail, hotspots, density, coverage, placement, patrol, indicators, the report's data) as
//! typed values, for the HTTP API and the report alike.
//!
//! Each rule of the product exists here, or in the pure [`crate::analysis`] functions it calls,
//! exactly once; [`crate::http`] and [`crate::report`] only translate requests and render
//! answers, and never import each other. The area set is parsed once per import generation
//! into an [`AreaCache`] shared read-only between requests.

pub mod access;
pub mod area_cache;
pub mod areas;
pub mod geojson;
pub mod hotspots;
pub mod indicators;
pub mod meta;
pub mod planning;
pub mod points;
pub mod report;
pub mod selection;

pub use area_cache::{AreaCache, CachedArea};
pub use selection::{Resolved, SelectionParams};

use crate::store::{Store, StoreError};
use std::sync::Arc;
use tokio::sync::RwLock;

/// Why a question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The question itself is wrong (a bad parameter); the message says how to fix it.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// The principal may not see or do this.
    #[error("{0}")]
    Forbidden(String),
    /// The change conflicts with what is stored (e.g. an id that exists).
    #[error("{0}")]
    Conflict(String),
    /// The database failed; the detail is for the log, never for a response.
    #[error("database error: {0}")]
    Store(StoreError),
    /// Anything else that went wrong inside; the detail is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            e => ServiceError::Store(e),
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Store(e.into())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// The service: the store and the cached area set. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    store: Store,
    areas: Arc<RwLock<Option<Arc<AreaCache>>>>,
}

impl Service {
    pub fn new(store: Store) -> Service {
        Service {
            store,
            areas: Arc::new(RwLock::new(None)),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current area set, rebuilt when an import (by this or another instance sharing the
    /// database) has changed the data generation.
    pub async fn areas(&self) -> ServiceResult<Arc<AreaCache>> {
        let generation = self.store.generation().await?;
        if let Some(set) = self.areas.read().await.as_ref()
            && set.generation == generation
        {
            return Ok(set.clone());
        }
        let mut slot = self.areas.write().await;
        if let Some(set) = slot.as_ref()
            && set.generation == generation
        {
            return Ok(set.clone());
        }
        let rows = self.store.areas(None).await?;
        let is_demo = self.store.is_demo().await?;
        let mut set = tokio::task::spawn_blocking(move || AreaCache::build(generation, rows))
            .await
            .map_err(|e| ServiceError::Internal(format!("building the area cache failed: {e}")))?;
        set.is_demo = is_demo;
        let set = Arc::new(set);
        *slot = Some(set.clone());
        Ok(set)
    }
}
