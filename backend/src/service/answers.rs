//! Map answers kept per data generation. An answer of the main map calls (`/api/figures`,
//! `/api/areas`, `/api/hotspots`, `/api/hotspots/emerging`, `/api/kde`) depends only on the
//! data generation, the question, and what the access policy looks at of the viewer (role
//! and wijken). So it is computed once, kept
//! serialised and gzipped, and a repeat (the busy morning: every wijkregisseur opening the
//! same map) costs a hash lookup. A new generation (an import, a camera saved) starts afresh.

use super::{Resolved, Service, ServiceResult};
use crate::auth::Principal;
use bytes::Bytes;
use serde::Serialize;
use std::sync::Arc;

/// At most this many answers are kept per generation; beyond it the cache starts afresh.
const MAX_KEPT: usize = 512;

/// What an answer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerKey {
    generation: i64,
    /// The route (e.g. `figures`).
    route: &'static str,
    /// The route's own parameters, in their typed query's `Debug` form.
    question: String,
    range: (i32, i32),
    types: Vec<String>,
    scope: super::Scope,
    role: crate::auth::Role,
    wijken: Vec<String>,
}

/// An answer as JSON, gzipped.
pub struct KeptAnswer {
    pub gzipped: Bytes,
}

impl Service {
    /// The answer of `route` to `question` for this selection and viewer: kept, or made by
    /// `compute` and kept.
    pub async fn kept<T, Q, F>(
        &self,
        route: &'static str,
        question: &Q,
        sel: &Resolved,
        who: &Principal,
        compute: F,
    ) -> ServiceResult<Arc<KeptAnswer>>
    where
        T: Serialize,
        Q: std::fmt::Debug,
        F: Future<Output = ServiceResult<T>>,
    {
        let generation = self.refresh().await?;
        let mut wijken: Vec<String> = who.wijken.iter().map(|w| w.to_string()).collect();
        wijken.sort();
        let key = AnswerKey {
            generation,
            route,
            question: format!("{question:?}"),
            range: (sel.range.from.index(), sel.range.to.index()),
            types: sel.types.clone(),
            scope: sel.scope.clone(),
            role: who.role,
            wijken,
        };
        if let Some(hit) = self.areas.read().await.answers.get(&key) {
            return Ok(hit.clone());
        }
        let value = compute.await?;
        let json = serde_json::to_vec(&value)
            .map_err(|e| super::ServiceError::Internal(format!("serialising {route}: {e}")))?;
        let answer = Arc::new(KeptAnswer {
            gzipped: Bytes::from(crate::tiles::gzip(&json)),
        });
        let mut sets = self.areas.write().await;
        if sets.generation == generation {
            if sets.answers.len() >= MAX_KEPT {
                sets.answers.clear();
            }
            sets.answers.insert(key, answer.clone());
        }
        Ok(answer)
    }
}
