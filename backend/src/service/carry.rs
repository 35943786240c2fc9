//! Carrying offence figures between boundary years. StatLine publishes each year's figures
//! on that year's buurten, so a figure of year `P` belongs to the imported set whose boundary
//! year is the latest at or before `P` (or the earliest, when every set is younger). Shown on
//! the set of that year, it is used as it is; shown on another year's set, it is moved there
//! through the crosswalk of [`crate::analysis::crosswalk`], per level, and marked as estimated
//! with its method. Crosswalks are built once per generation and pair of sets, off the async
//! threads.

use super::area_cache::AreaCache;
use super::{Service, ServiceError, ServiceResult};
use crate::analysis::crosswalk::{Crosswalk, Method};
use crate::domain::{AreaLevel, PeriodRange};
use crate::store::CountSum;
use geo::MultiPolygon;
use std::collections::HashMap;
use std::sync::Arc;

/// Sums per code of a set, and the codes whose sums are (partly) carried over.
pub type Carried = (HashMap<String, CountSum>, HashMap<String, Method>);

/// The boundary year a figure of year `year` was published on, among the imported `sets`.
pub fn source_year(sets: &[i64], year: i32) -> Option<i64> {
    let year = i64::from(year);
    let known = sets.iter().copied().filter(|&s| s != 0);
    known
        .clone()
        .filter(|&s| s <= year)
        .max()
        .or_else(|| known.min())
        .or_else(|| sets.first().copied())
}

impl Service {
    /// The offence sums of a range on `set`'s areas: figures of the set's own boundary year
    /// as they are, others carried through the crosswalk.
    pub async fn offence_sums_on(
        &self,
        set: &AreaCache,
        range: PeriodRange,
        types: &[String],
    ) -> ServiceResult<Carried> {
        let rows = self.store().offence_sums_by_year(range, types).await?;
        // `set` came from `areas()`, which read what the data holds for its generation.
        let years = self.areas.read().await.years.clone();
        let mut sums: HashMap<String, CountSum> = HashMap::new();
        let mut estimated = HashMap::new();
        // Per source year, the rows to carry.
        let mut foreign: HashMap<i64, HashMap<String, CountSum>> = HashMap::new();
        for (code, year, sum) in rows {
            let source = source_year(&years, year).unwrap_or(set.scope.year);
            if source == set.scope.year || years.len() < 2 || !set.scope.holds(&code) {
                sums.entry(code).or_default().add(sum);
            } else {
                foreign
                    .entry(source)
                    .or_default()
                    .entry(code)
                    .or_default()
                    .add(sum);
            }
        }
        for (source_year, rows) in foreign {
            let source = match self.areas(&set.scope.in_year(source_year)).await {
                Ok(s) => Some(s),
                // The gemeente has no areas in that year.
                Err(ServiceError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            let mut left = rows;
            if let Some(source) = source {
                for level in [AreaLevel::Buurt, AreaLevel::Wijk] {
                    let from = source.level(level);
                    let values: Vec<Option<CountSum>> = from
                        .iter()
                        .map(|&i| left.remove(source.areas[i].code.as_str()))
                        .collect();
                    if values.iter().all(Option::is_none) {
                        continue;
                    }
                    let cw = self.crosswalk(&source, set, level).await?;
                    let to = set.level(level);
                    let known: Vec<Option<i64>> =
                        values.iter().map(|v| v.map(|s| s.known)).collect();
                    for (k, parts) in cw.split(&known) {
                        let src = values[k].expect("split returns known sources only");
                        for (j, n) in parts {
                            let code = set.areas[to[j]].code.to_string();
                            sums.entry(code.clone()).or_default().add(CountSum {
                                known: n,
                                withheld: src.withheld.min(1),
                                cells: 1,
                            });
                            let method = cw.method(j).unwrap_or(Method::Area);
                            let m = estimated.entry(code).or_insert(method);
                            if *m != method {
                                *m = Method::Area;
                            }
                        }
                    }
                }
            }
            // Codes outside the source set's buurten and wijken (a gemeente total, a code of
            // neither set) stay as they are: they match this set's areas by code or not at all.
            for (code, sum) in left {
                sums.entry(code).or_default().add(sum);
            }
        }
        Ok((sums, estimated))
    }

    /// The crosswalk of one level from `from`'s areas to `to`'s, cached per generation.
    pub async fn crosswalk(
        &self,
        from: &AreaCache,
        to: &AreaCache,
        level: AreaLevel,
    ) -> ServiceResult<Arc<Crosswalk>> {
        let key = (from.scope.clone(), to.scope.clone(), level);
        if let Some(cw) = self.areas.read().await.crosswalks.get(&key)
            && from.generation == to.generation
        {
            return Ok(cw.clone());
        }
        let polygons = |set: &AreaCache| -> Vec<MultiPolygon<f64>> {
            set.level(level)
                .iter()
                .map(|&i| set.areas[i].rd.clone())
                .collect()
        };
        let (a, b) = (polygons(from), polygons(to));
        let cw = Arc::new(
            tokio::task::spawn_blocking(move || Crosswalk::build(&a, &b))
                .await
                .map_err(|e| {
                    ServiceError::Internal(format!("building the crosswalk failed: {e}"))
                })?,
        );
        let mut sets = self.areas.write().await;
        if sets.generation == to.generation {
            sets.crosswalks.insert(key, cw.clone());
        }
        Ok(cw)
    }
}

#[cfg(test)]
mod tests {
    use super::source_year;

    #[test]
    fn a_year_belongs_to_the_latest_set_at_or_before_it() {
        let sets = [2021, 2014];
        assert_eq!(source_year(&sets, 2023), Some(2021));
        assert_eq!(source_year(&sets, 2021), Some(2021));
        assert_eq!(source_year(&sets, 2019), Some(2014));
        assert_eq!(source_year(&sets, 2010), Some(2014));
        assert_eq!(source_year(&[0], 2023), Some(0));
        assert_eq!(source_year(&[], 2023), None);
    }
}
