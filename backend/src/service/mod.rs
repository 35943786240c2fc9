//! The service layer: answers the product's questions (figures for a selection, an area's
//! detail, hotspots, density, coverage, placement, patrol, indicators, the report's data) as
//! typed values, for the HTTP API and the report alike.
//!
//! Each rule of the product exists here, or in the pure [`crate::analysis`] functions it calls,
//! exactly once; [`crate::http`] and [`crate::report`] only translate requests and render
//! answers, and never import each other. The area set is parsed once per import generation
//! into an [`AreaCache`] shared read-only between requests.

pub mod access;
pub mod answers;
pub mod area_cache;
pub mod areas;
pub mod carry;
pub mod geojson;
pub mod hotspots;
pub mod indicators;
pub mod meta;
pub mod planning;
pub mod points;
pub mod report;
pub mod scope;
pub mod selection;
pub mod tiles;
pub mod work;

pub use area_cache::{AreaCache, CachedArea};
pub use scope::{GemeenteChoice, ResolvedScope, Scope, ScopeParams};
pub use selection::{Resolved, SelectionParams};

use crate::domain::AreaCode;
use crate::store::{Store, StoreError};
use std::collections::HashMap;
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
    /// Too much is running, or this took too long: retry later. The message says what.
    #[error("{0}")]
    Busy(String),
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
            e if e.is_busy() => {
                tracing::warn!("the database was busy: {e}");
                ServiceError::Busy(
                    "the database is busy (an import or another change is being written); try again in a moment"
                        .into(),
                )
            }
            e => ServiceError::Store(e),
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::from(e).into()
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// At most this many area caches (scopes) are kept per generation.
const MAX_CACHED_SCOPES: usize = 8;

/// What the data holds, per generation: the boundary years and their gemeenten, and the
/// default gemeente; and the area caches built so far, per resolved scope.
#[derive(Default)]
struct AreaSets {
    generation: i64,
    is_demo: bool,
    /// Newest first.
    years: Vec<i64>,
    /// Per year, the gemeenten (as codes) that have areas.
    gemeenten: HashMap<i64, Vec<AreaCode>>,
    /// The gemeente with the most offence figures, if any.
    busiest: Option<AreaCode>,
    /// Months with monthly offence rows (indices) and years with yearly rows.
    months_present: std::collections::HashSet<i32>,
    years_present: std::collections::HashSet<i32>,
    caches: HashMap<ResolvedScope, Arc<AreaCache>>,
    /// Crosswalks between the sets of two scopes, per level.
    crosswalks: CrosswalkCache,
    /// The first and last month with monthly offence rows, and years with yearly rows.
    extent: OffenceExtent,
    /// The crime-type codes of the offence figures.
    crime_types: Vec<String>,
    /// The first and last month with incidents (the default period when there are no
    /// offence figures yet).
    incident_months: Option<(crate::domain::Month, crate::domain::Month)>,
    /// Map answers already computed in this generation (see [`answers`]).
    answers: HashMap<answers::AnswerKey, Arc<answers::KeptAnswer>>,
}

/// The first and last month with monthly offence rows, and the first and last year with any.
pub type OffenceExtent = (
    Option<(crate::domain::Month, crate::domain::Month)>,
    Option<(i32, i32)>,
);

type CrosswalkCache = HashMap<
    (ResolvedScope, ResolvedScope, crate::domain::AreaLevel),
    Arc<crate::analysis::crosswalk::Crosswalk>,
>;

impl AreaSets {
    /// Resolves a scope against what the data holds.
    fn resolve(&self, scope: &Scope) -> ServiceResult<ResolvedScope> {
        let Some(&newest) = self.years.first() else {
            return Ok(ResolvedScope {
                year: 0,
                gemeente: None,
            });
        };
        let year = match scope.year {
            None => newest,
            Some(y) if self.years.contains(&y) => y,
            Some(y) => {
                return Err(ServiceError::NotFound(format!(
                    "boundary year {y} has not been imported; imported: {}",
                    self.years
                        .iter()
                        .map(|y| y.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        let present = self.gemeenten.get(&year).map_or(&[][..], |g| g.as_slice());
        let gemeente = match &scope.gemeente {
            GemeenteChoice::All => None,
            GemeenteChoice::One(g) if present.contains(g) => Some(g.clone()),
            GemeenteChoice::One(g) => {
                return Err(ServiceError::NotFound(format!(
                    "gemeente {g} has no areas in boundary year {year}"
                )));
            }
            GemeenteChoice::Default => self
                .busiest
                .clone()
                .filter(|g| present.contains(g))
                .or_else(|| present.first().cloned()),
        };
        Ok(ResolvedScope { year, gemeente })
    }
}

/// The service: the store and the cached area sets. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    store: Store,
    areas: Arc<RwLock<AreaSets>>,
    /// The vector tile sets, by tile generation (see [`tiles`]).
    tiles: Arc<std::sync::RwLock<tiles::TileSets>>,
    tile_build: Arc<tokio::sync::Mutex<()>>,
    /// The data generation last read, when, and at which count of this process's commits.
    last_generation: Arc<std::sync::Mutex<Option<(std::time::Instant, u64, i64)>>>,
    /// Where heavy computations run (see [`work`]).
    work: work::Work,
}

/// How long a generation read from the database is reused while this process commits nothing:
/// a request asks for it several times, and at 64 connections these reads were most of a cached
/// map answer's cost. Another instance's import is seen at most this much later.
const GENERATION_REUSE: std::time::Duration = std::time::Duration::from_millis(250);

impl Service {
    pub fn new(store: Store) -> Service {
        Service {
            store,
            areas: Arc::new(RwLock::new(AreaSets::default())),
            tiles: Arc::default(),
            tile_build: Arc::default(),
            last_generation: Arc::default(),
            work: work::Work::default(),
        }
    }

    /// The same service with other limits on heavy work.
    pub fn with_work_limits(mut self, limits: work::WorkLimits) -> Service {
        self.work = work::Work::new(limits);
        self
    }

    /// The heavy-work pool (the server stops it at shutdown).
    pub fn work(&self) -> &work::Work {
        &self.work
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The boundary years the data holds (newest first) and, per year, its gemeenten.
    pub async fn area_sets(&self) -> ServiceResult<(Vec<i64>, HashMap<i64, Vec<AreaCode>>)> {
        self.refresh().await?;
        let sets = self.areas.read().await;
        Ok((sets.years.clone(), sets.gemeenten.clone()))
    }

    /// The months with monthly offence rows and the years with yearly rows (first, last).
    pub async fn offence_extent(&self) -> ServiceResult<OffenceExtent> {
        self.refresh().await?;
        Ok(self.areas.read().await.extent)
    }

    /// What the default period follows: the offence figures' months and years, or, before
    /// any are imported, the incidents' months (so the point layers are not empty).
    pub async fn period_extent(&self) -> ServiceResult<OffenceExtent> {
        self.refresh().await?;
        let sets = self.areas.read().await;
        Ok(match sets.extent {
            (None, None) => (sets.incident_months, None),
            extent => extent,
        })
    }

    /// The crime-type codes the offence figures hold.
    pub async fn offence_crime_types(&self) -> ServiceResult<Vec<String>> {
        self.refresh().await?;
        Ok(self.areas.read().await.crime_types.clone())
    }

    /// Whether the data is the built-in synthetic demo (served without accounts).
    pub async fn is_demo(&self) -> ServiceResult<bool> {
        self.refresh().await?;
        Ok(self.areas.read().await.is_demo)
    }

    /// The months of a range that no offence row covers (neither a monthly row nor a yearly
    /// row of its year): the gaps that make a figure partial. Empty when the data holds
    /// nothing in the range at all (that is no data, not partial).
    pub async fn missing_months(
        &self,
        range: crate::domain::PeriodRange,
    ) -> ServiceResult<Vec<crate::domain::Month>> {
        self.refresh().await?;
        let sets = self.areas.read().await;
        let missing: Vec<crate::domain::Month> = (range.from.index()..=range.to.index())
            .map(crate::domain::Month::from_index)
            .filter(|m| {
                !sets.months_present.contains(&m.index()) && !sets.years_present.contains(&m.year)
            })
            .collect();
        let len = (range.to.index() - range.from.index() + 1) as usize;
        Ok(if missing.len() == len {
            vec![]
        } else {
            missing
        })
    }

    /// Resolves a scope against the data (its default year and gemeente).
    pub async fn resolve_scope(&self, scope: &Scope) -> ServiceResult<ResolvedScope> {
        self.refresh().await?;
        self.areas.read().await.resolve(scope)
    }

    /// Re-reads what the data holds when an import (by this or another instance sharing the
    /// database) has changed the data generation, and drops the caches of the old one.
    async fn refresh(&self) -> ServiceResult<i64> {
        let generation = self.generation().await?;
        if self.areas.read().await.generation == generation && generation != 0 {
            return Ok(generation);
        }
        let mut years: Vec<i64> = Vec::new();
        let mut gemeenten: HashMap<i64, Vec<AreaCode>> = HashMap::new();
        for (year, number) in self.store.gemeenten_per_year().await? {
            if years.last() != Some(&year) {
                years.push(year);
            }
            if let Ok(code) = AreaCode::parse(&format!("GM{number}")) {
                gemeenten.entry(year).or_default().push(code);
            }
        }
        let is_demo = self.store.is_demo().await?;
        let extent = self.store.offence_extent().await?;
        let crime_types = self.store.offence_crime_types().await?;
        let incident_months = self.store.incident_month_extent().await?;
        let mut months_present = std::collections::HashSet::new();
        let mut years_present = std::collections::HashSet::new();
        let mut rows_per_gemeente: std::collections::BTreeMap<String, i64> = Default::default();
        for (number, year, month, rows) in self.store.offence_coverage().await? {
            match month {
                Some(m) => months_present.insert(m as i32),
                None => years_present.insert(year as i32),
            };
            *rows_per_gemeente.entry(number).or_default() += rows;
        }
        // Most rows first; on a tie the lowest code.
        let busiest = rows_per_gemeente
            .iter()
            .filter_map(|(n, &rows)| Some((AreaCode::parse(&format!("GM{n}")).ok()?, rows)))
            .min_by_key(|(code, rows)| (-rows, code.as_str().to_string()))
            .map(|(code, _)| code);
        let mut sets = self.areas.write().await;
        if sets.generation != generation || generation == 0 {
            *sets = AreaSets {
                generation,
                is_demo,
                years,
                gemeenten,
                busiest,
                months_present,
                years_present,
                caches: HashMap::new(),
                crosswalks: HashMap::new(),
                extent,
                crime_types,
                incident_months,
                answers: HashMap::new(),
            };
        }
        Ok(generation)
    }

    /// The data generation: read from the database, or reused within [`GENERATION_REUSE`] when
    /// this process has committed nothing since.
    async fn generation(&self) -> ServiceResult<i64> {
        let local = crate::store::local_commits();
        if let Ok(last) = self.last_generation.lock()
            && let Some((at, commits, generation)) = *last
            && commits == local
            && at.elapsed() < GENERATION_REUSE
        {
            return Ok(generation);
        }
        let generation = self.store.generation().await?;
        if let Ok(mut last) = self.last_generation.lock() {
            *last = Some((std::time::Instant::now(), local, generation));
        }
        Ok(generation)
    }

    /// Population figures (CBS kerncijfers) follow the newest boundaries: on an older set a
    /// buurt's population is carried from the newest set's buurten through the crosswalk,
    /// like a count, rather than taken from whichever buurt now has its code.
    async fn carry_population(&self, set: &mut AreaCache) -> ServiceResult<()> {
        let newest = self.areas.read().await.years.first().copied();
        let Some(newest) = newest.filter(|&y| y != set.scope.year && set.scope.year != 0) else {
            return Ok(());
        };
        let source = match Box::pin(self.areas(&set.scope.in_year(newest))).await {
            Ok(s) => s,
            Err(ServiceError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let values: Vec<Option<i64>> = source
            .buurten
            .iter()
            .map(|&i| source.areas[i].population)
            .collect();
        // The same crosswalk the buurt counts are carried by (cached per generation).
        let carried = self
            .crosswalk(&source, set, crate::domain::AreaLevel::Buurt)
            .await?
            .carry(&values);
        let buurten = set.buurten.clone();
        for (k, population) in carried.into_iter().enumerate() {
            set.areas[buurten[k]].population = population;
        }
        Ok(())
    }

    /// The area set of a scope (a boundary year and a gemeente, or all of that year), rebuilt
    /// when the data generation changes.
    pub async fn areas(&self, scope: &Scope) -> ServiceResult<Arc<AreaCache>> {
        let generation = self.refresh().await?;
        let resolved = {
            let sets = self.areas.read().await;
            let resolved = sets.resolve(scope)?;
            if let Some(set) = sets.caches.get(&resolved)
                && set.generation == generation
            {
                return Ok(set.clone());
            }
            resolved
        };
        let number = resolved
            .gemeente
            .as_ref()
            .map(|g| g.as_str()[2..].to_string());
        let rows = self.store.areas(resolved.year, number.as_deref()).await?;
        let key = resolved.clone();
        let mut set = tokio::task::spawn_blocking(move || AreaCache::build(generation, rows))
            .await
            .map_err(|e| ServiceError::Internal(format!("building the area cache failed: {e}")))?;
        set.scope = key.clone();
        self.carry_population(&mut set).await?;
        let mut sets = self.areas.write().await;
        set.is_demo = sets.is_demo;
        let set = Arc::new(set);
        if sets.generation == generation {
            if sets.caches.len() >= MAX_CACHED_SCOPES {
                let evict = sets.caches.keys().find(|k| **k != key).cloned();
                if let Some(k) = evict {
                    sets.caches.remove(&k);
                }
            }
            sets.caches.insert(key, set.clone());
        }
        Ok(set)
    }
}
