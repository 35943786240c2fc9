//! Writing point incidents, and the aggregates kept beside them.
//!
//! On PostgreSQL `incidents` is partitioned by gemeente (LIST) and, inside each gemeente, by
//! year (RANGE over `month_index`); rows outside every buurt (`gemeente` '') go to the DEFAULT
//! partition. SQLite keeps one table with the same columns. An import still upserts by `id`:
//! the rows that already hold an incoming id are deleted from wherever they are (found through
//! `incident_keys` on PostgreSQL, whose primary key `id` keeps ids unique across partitions;
//! through the primary key on SQLite) and the new rows are inserted. Every row written or
//! deleted changes `incident_counts` (per gemeente, buurt, month and crime type) and
//! `incident_type_counts` in the same transaction, so no figure has to count points.
//!
//! Rows are buffered and written sorted by partition, so a national file sorted by time still
//! writes each statement into a few partitions; partitions are created when a gemeente or year
//! first occurs. Everything stays within what Citus accepts for a table distributed by
//! `gemeente` (see docs/scale.md): no update moves a row to another gemeente (it is deleted and
//! inserted), and no statement needs a cross-shard unique index.

use super::imports::{ImportTx, Val, bind_all};
use super::{Backend, Result, StoreError};
use crate::domain::Incident;
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Rows kept before they are written (sorted by partition).
const BUFFER: usize = 100_000;
/// Rows per multi-row statement.
const PER_STATEMENT: usize = 500;
/// Count changes kept before they are written.
const PENDING_COUNTS: usize = 50_000;
/// The advisory lock that serialises writers of incidents on PostgreSQL.
const LOCK_KEY: i64 = 0x77_6b_76_6c_69_6e_63; // "wkvlinc"

/// The columns of `incidents`, in the order [`StoredIncident::values`] binds them.
const COLUMNS: &str =
    "gemeente, month_index, id, time, crime_type, lon, lat, buurt_code, import_id";

/// The gemeente of a point located in `buurt`: `GM` and the buurt code's gemeente number
/// (`BU01410101` → `GM0141`), or '' outside every buurt. The partition key on PostgreSQL and
/// the scope filter of every point read.
pub fn gemeente_of(buurt: Option<&str>) -> String {
    match buurt {
        Some(b)
            if b.len() >= 6
                && b.is_char_boundary(6)
                && b.as_bytes()[2..6].iter().all(u8::is_ascii_digit) =>
        {
            format!("GM{}", &b[2..6])
        }
        _ => String::new(),
    }
}

/// An incident as stored.
#[derive(Debug, Clone)]
struct StoredIncident {
    gemeente: String,
    month_index: i64,
    id: String,
    time: String,
    crime_type: String,
    lon: f64,
    lat: f64,
    buurt_code: Option<String>,
    import_id: i64,
}

type RawIncident = (
    String,
    i64,
    String,
    String,
    String,
    f64,
    f64,
    Option<String>,
    i64,
);

impl StoredIncident {
    fn from_raw(r: RawIncident) -> StoredIncident {
        StoredIncident {
            gemeente: r.0,
            month_index: r.1,
            id: r.2,
            time: r.3,
            crime_type: r.4,
            lon: r.5,
            lat: r.6,
            buurt_code: r.7,
            import_id: r.8,
        }
    }

    fn values(self) -> [Val; 9] {
        [
            Val::Text(Some(self.gemeente)),
            Val::Int(Some(self.month_index)),
            Val::Text(Some(self.id)),
            Val::Text(Some(self.time)),
            Val::Text(Some(self.crime_type)),
            Val::Real(Some(self.lon)),
            Val::Real(Some(self.lat)),
            Val::Text(self.buurt_code),
            Val::Int(Some(self.import_id)),
        ]
    }

    fn count_key(&self) -> CountKey {
        (
            self.gemeente.clone(),
            self.buurt_code.clone().unwrap_or_default(),
            self.month_index,
            self.crime_type.clone(),
        )
    }
}

/// A leaf partition on PostgreSQL: (gemeente, year).
type Partition = (String, i64);

/// (gemeente, buurt or '', month index, crime type): the key of `incident_counts`.
type CountKey = (String, String, i64, String);

/// The incident writes of one import transaction not yet sent.
#[derive(Default)]
pub(super) struct IncidentWrites {
    /// Rows to write; a later row with the same id replaces an earlier one.
    buffer: Vec<StoredIncident>,
    position: HashMap<String, usize>,
    /// Changes to `incident_counts` not yet written.
    deltas: HashMap<CountKey, i64>,
    /// PostgreSQL partitions known to exist (loaded on first need).
    partitions: Option<HashSet<String>>,
    locked: bool,
}

fn year_of(month_index: i64) -> i64 {
    month_index.div_euclid(12)
}

/// The name of a gemeente's partition (`incidents_gm0141`) and of one of its years
/// (`incidents_gm0141_2023`). `gemeente` is always `GM` and four digits ([`gemeente_of`]).
fn partition_names(gemeente: &str, year: i64) -> (String, String) {
    let g = format!("incidents_{}", gemeente.to_ascii_lowercase());
    let y = format!("{g}_{year}");
    (g, y)
}

fn placeholders(first: usize, rows: usize, columns: usize) -> String {
    let mut s = String::new();
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..columns {
            if c > 0 {
                s.push(',');
            }
            s.push_str(&format!("${n}"));
            n += 1;
        }
        s.push(')');
    }
    s
}

fn in_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Takes the PostgreSQL advisory lock that keeps two writers of incidents apart until the
/// transaction ends (their key lookups and inserts would otherwise interleave).
async fn lock(tx: &mut Transaction<'static, Any>, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock({LOCK_KEY})) AS l"
        )))
        .fetch_all(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Subtracts the incidents of the given imports from the aggregates, before the imports are
/// deleted (their rows then go with them through the foreign key's cascade).
pub(super) async fn forget_imports(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    import_ids: &[i64],
) -> Result<()> {
    if import_ids.is_empty() {
        return Ok(());
    }
    lock(tx, backend).await?;
    for id in import_ids {
        sqlx::query(
            "INSERT INTO incident_counts (gemeente, buurt_code, month_index, crime_type, n) \
             SELECT gemeente, COALESCE(buurt_code, ''), month_index, crime_type, -COUNT(*) FROM incidents \
             WHERE import_id = $1 GROUP BY gemeente, COALESCE(buurt_code, ''), month_index, crime_type \
             ON CONFLICT (gemeente, buurt_code, month_index, crime_type) DO UPDATE SET n = incident_counts.n + excluded.n",
        )
        .bind(*id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO incident_type_counts (crime_type, n) \
             SELECT crime_type, -COUNT(*) FROM incidents WHERE import_id = $1 GROUP BY crime_type \
             ON CONFLICT (crime_type) DO UPDATE SET n = incident_type_counts.n + excluded.n",
        )
        .bind(*id)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM incident_counts WHERE n = 0")
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM incident_type_counts WHERE n = 0")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl ImportTx {
    /// Upserts incidents by id (a row with an id already stored replaces it, wherever it
    /// lives); `buurt` is the buurt the incident lies in.
    pub async fn insert_incidents(&mut self, batch: &[(Incident, Option<String>)]) -> Result<()> {
        for (i, buurt) in batch {
            self.rows += 1;
            let date = i.time.date();
            let month = crate::domain::Month {
                year: date.year(),
                month: u8::from(date.month()),
            };
            let row = StoredIncident {
                gemeente: gemeente_of(buurt.as_deref()),
                month_index: i64::from(month.index()),
                id: i.id.clone(),
                time: super::imports::format_datetime(i.time),
                crime_type: i.crime_type.clone(),
                lon: i.location.x(),
                lat: i.location.y(),
                buurt_code: buurt.clone(),
                import_id: self.import_id,
            };
            let w = &mut self.incidents;
            match w.position.get(&row.id) {
                Some(&at) => w.buffer[at] = row,
                None => {
                    w.position.insert(row.id.clone(), w.buffer.len());
                    w.buffer.push(row);
                }
            }
        }
        if self.incidents.buffer.len() >= BUFFER {
            self.flush_incidents().await?;
        }
        Ok(())
    }

    /// Writes the buffered incidents: deletes the rows their ids held before, inserts them.
    pub(super) async fn flush_incidents(&mut self) -> Result<()> {
        let rows = std::mem::take(&mut self.incidents.buffer);
        self.incidents.position.clear();
        if rows.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        self.take_incidents(&ids).await?;
        let n = rows.len();
        self.write_incidents(rows).await?;
        // Progress of a long import, and the moments the fault tests kill it at.
        tracing::info!("import: wrote {n} incidents (not yet committed)");
        Ok(())
    }

    async fn lock_incidents(&mut self) -> Result<()> {
        if !self.incidents.locked {
            lock(&mut self.tx, self.backend).await?;
            self.incidents.locked = true;
        }
        Ok(())
    }

    /// Deletes the stored rows with these ids, wherever they are, subtracts them from the
    /// aggregates and returns them.
    async fn take_incidents(&mut self, ids: &[String]) -> Result<Vec<StoredIncident>> {
        self.lock_incidents().await?;
        // The ids to delete, per partition that holds them (PostgreSQL: looked up in
        // incident_keys, one delete per partition) or all at once (SQLite: one table).
        let groups: Vec<(Option<Partition>, Vec<String>)> = match self.backend {
            Backend::Sqlite => vec![(None, ids.to_vec())],
            Backend::Postgres => {
                let mut by_partition: BTreeMap<Partition, Vec<String>> = BTreeMap::new();
                for chunk in ids.chunks(PER_STATEMENT) {
                    let sql = format!(
                        "SELECT id, gemeente, month_index FROM incident_keys WHERE id IN ({})",
                        in_list(1, chunk.len())
                    );
                    let mut q =
                        sqlx::query_as::<_, (String, String, i64)>(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(id.clone());
                    }
                    for (id, g, m) in q.fetch_all(&mut *self.tx).await? {
                        by_partition.entry((g, year_of(m))).or_default().push(id);
                    }
                }
                by_partition
                    .into_iter()
                    .map(|(p, ids)| (Some(p), ids))
                    .collect()
            }
        };
        let mut taken = Vec::new();
        for (partition, ids) in groups {
            for chunk in ids.chunks(PER_STATEMENT) {
                let (filter, first) = match partition {
                    None => ("", 1),
                    Some(_) => (
                        "gemeente = $1 AND month_index >= $2 AND month_index < $3 AND ",
                        4,
                    ),
                };
                let sql = format!(
                    "DELETE FROM incidents WHERE {filter}id IN ({}) RETURNING {COLUMNS}",
                    in_list(first, chunk.len())
                );
                let mut q = sqlx::query_as::<_, RawIncident>(sqlx::AssertSqlSafe(sql));
                if let Some((g, year)) = &partition {
                    q = q.bind(g.clone()).bind(year * 12).bind((year + 1) * 12);
                }
                for id in chunk {
                    q = q.bind(id.clone());
                }
                taken.extend(
                    q.fetch_all(&mut *self.tx)
                        .await?
                        .into_iter()
                        .map(StoredIncident::from_raw),
                );
            }
        }
        for r in &taken {
            *self.incidents.deltas.entry(r.count_key()).or_default() -= 1;
        }
        Ok(taken)
    }

    /// Inserts rows whose ids are not stored (see [`Self::take_incidents`]), sorted by
    /// partition, points their keys at them and adds them to the aggregates.
    async fn write_incidents(&mut self, mut rows: Vec<StoredIncident>) -> Result<()> {
        self.lock_incidents().await?;
        rows.sort_by(|a, b| {
            (&a.gemeente, a.month_index, &a.id).cmp(&(&b.gemeente, b.month_index, &b.id))
        });
        if self.backend == Backend::Postgres {
            let needed: BTreeSet<(String, i64)> = rows
                .iter()
                .filter(|r| !r.gemeente.is_empty())
                .map(|r| (r.gemeente.clone(), year_of(r.month_index)))
                .collect();
            self.create_partitions(needed).await?;
        }
        for r in &rows {
            *self.incidents.deltas.entry(r.count_key()).or_default() += 1;
        }
        let keys: Vec<[Val; 3]> = if self.backend == Backend::Postgres {
            rows.iter()
                .map(|r| {
                    [
                        Val::Text(Some(r.id.clone())),
                        Val::Text(Some(r.gemeente.clone())),
                        Val::Int(Some(r.month_index)),
                    ]
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<StoredIncident> = rows.by_ref().take(PER_STATEMENT).collect();
            let sql = format!(
                "INSERT INTO incidents ({COLUMNS}) VALUES {}",
                placeholders(1, chunk.len(), 9)
            );
            let vals: Vec<Val> = chunk.into_iter().flat_map(StoredIncident::values).collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), vals)
                .execute(&mut *self.tx)
                .await?;
        }
        let mut keys = keys.into_iter().peekable();
        while keys.peek().is_some() {
            let chunk: Vec<[Val; 3]> = keys.by_ref().take(PER_STATEMENT).collect();
            let sql = format!(
                "INSERT INTO incident_keys (id, gemeente, month_index) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET gemeente = excluded.gemeente, month_index = excluded.month_index",
                placeholders(1, chunk.len(), 3)
            );
            let vals: Vec<Val> = chunk.into_iter().flatten().collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), vals)
                .execute(&mut *self.tx)
                .await?;
        }
        if self.incidents.deltas.len() >= PENDING_COUNTS {
            self.flush_counts().await?;
        }
        Ok(())
    }

    /// Creates the partitions of these (gemeente, year) pairs that do not exist yet.
    async fn create_partitions(&mut self, needed: BTreeSet<(String, i64)>) -> Result<()> {
        if self.incidents.partitions.is_none() {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT CAST(c.relname AS TEXT) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 JOIN pg_class p ON p.oid = i.inhparent WHERE CAST(p.relname AS TEXT) LIKE 'incidents%'",
            )
            .fetch_all(&mut *self.tx)
            .await?;
            self.incidents.partitions = Some(rows.into_iter().map(|(n,)| n).collect());
        }
        for (gemeente, year) in needed {
            if gemeente.len() != 6 || !gemeente.bytes().skip(2).all(|c| c.is_ascii_digit()) {
                return Err(StoreError::Conflict(format!(
                    "no partition for gemeente '{gemeente}'"
                )));
            }
            let (g, y) = partition_names(&gemeente, year);
            let known = self.incidents.partitions.get_or_insert_default();
            let ddl = match (known.contains(&g), known.contains(&y)) {
                (_, true) => continue,
                (true, false) => vec![],
                (false, false) => vec![format!(
                    "CREATE TABLE IF NOT EXISTS \"{g}\" PARTITION OF incidents FOR VALUES IN ('{gemeente}') \
                     PARTITION BY RANGE (month_index)"
                )],
            };
            let ddl = ddl.into_iter().chain([format!(
                "CREATE TABLE IF NOT EXISTS \"{y}\" PARTITION OF \"{g}\" FOR VALUES FROM ({}) TO ({})",
                year * 12,
                (year + 1) * 12
            )]);
            for sql in ddl {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *self.tx)
                    .await?;
            }
            let known = self.incidents.partitions.get_or_insert_default();
            known.insert(g);
            known.insert(y);
        }
        Ok(())
    }

    /// Writes the pending changes to `incident_counts` and `incident_type_counts`, and removes
    /// the counts that fell to zero.
    pub(super) async fn flush_counts(&mut self) -> Result<()> {
        let deltas: Vec<(CountKey, i64)> = std::mem::take(&mut self.incidents.deltas)
            .into_iter()
            .filter(|(_, d)| *d != 0)
            .collect();
        if deltas.is_empty() {
            return Ok(());
        }
        let mut per_type: BTreeMap<String, i64> = BTreeMap::new();
        let mut lowered: BTreeSet<String> = BTreeSet::new();
        for ((g, _, _, t), d) in &deltas {
            *per_type.entry(t.clone()).or_default() += d;
            if *d < 0 {
                lowered.insert(g.clone());
            }
        }
        for chunk in deltas.chunks(PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO incident_counts (gemeente, buurt_code, month_index, crime_type, n) VALUES {} \
                 ON CONFLICT (gemeente, buurt_code, month_index, crime_type) DO UPDATE SET n = incident_counts.n + excluded.n",
                placeholders(1, chunk.len(), 5)
            );
            let vals: Vec<Val> = chunk
                .iter()
                .flat_map(|((g, b, m, t), d)| {
                    [
                        Val::Text(Some(g.clone())),
                        Val::Text(Some(b.clone())),
                        Val::Int(Some(*m)),
                        Val::Text(Some(t.clone())),
                        Val::Int(Some(*d)),
                    ]
                })
                .collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), vals)
                .execute(&mut *self.tx)
                .await?;
        }
        let per_type: Vec<(String, i64)> = per_type.into_iter().filter(|(_, d)| *d != 0).collect();
        for chunk in per_type.chunks(PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO incident_type_counts (crime_type, n) VALUES {} \
                 ON CONFLICT (crime_type) DO UPDATE SET n = incident_type_counts.n + excluded.n",
                placeholders(1, chunk.len(), 2)
            );
            let vals: Vec<Val> = chunk
                .iter()
                .flat_map(|(t, d)| [Val::Text(Some(t.clone())), Val::Int(Some(*d))])
                .collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), vals)
                .execute(&mut *self.tx)
                .await?;
        }
        if !lowered.is_empty() {
            let lowered: Vec<String> = lowered.into_iter().collect();
            for chunk in lowered.chunks(PER_STATEMENT) {
                let sql = format!(
                    "DELETE FROM incident_counts WHERE n = 0 AND gemeente IN ({})",
                    in_list(1, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for g in chunk {
                    q = q.bind(g.clone());
                }
                q.execute(&mut *self.tx).await?;
            }
            sqlx::query("DELETE FROM incident_type_counts WHERE n = 0")
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Moves incidents to the buurten new boundaries put them in: each row is deleted and
    /// inserted again with its new buurt (and gemeente, hence partition), keeping its import.
    pub(super) async fn set_incident_buurten(
        &mut self,
        assignments: &[(String, Option<String>)],
    ) -> Result<()> {
        self.flush_incidents().await?;
        for slice in assignments.chunks(BUFFER) {
            let new: HashMap<&str, &Option<String>> =
                slice.iter().map(|(id, b)| (id.as_str(), b)).collect();
            let ids: Vec<String> = slice.iter().map(|(id, _)| id.clone()).collect();
            let mut rows = self.take_incidents(&ids).await?;
            for r in &mut rows {
                if let Some(b) = new.get(r.id.as_str()) {
                    r.buurt_code = (*b).clone();
                    r.gemeente = gemeente_of(b.as_deref());
                }
            }
            self.write_incidents(rows).await?;
        }
        Ok(())
    }
}
