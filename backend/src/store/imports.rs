//! Writing an import: one transaction that replaces the earlier import of the same file,
//! upserts rows in batches, and bumps the generation so every server instance notices.

use super::{Backend, Result, Store, StoreError};
use crate::domain::{
    Area, Camera, CrimeType, E33Report, EnforcementAction, Initiative, Month, OffenceCount, Period,
};
use geo::{BoundingRect, Geometry};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Transaction};

/// A value to bind; `None` binds SQL NULL.
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

/// One row: each column's name with its value.
type Row = Vec<(&'static str, Val)>;

fn text(s: impl Into<String>) -> Val {
    Val::Text(Some(s.into()))
}

fn int(i: i64) -> Val {
    Val::Int(Some(i))
}

fn real(x: f64) -> Val {
    Val::Real(Some(x))
}

/// The month index column of a dated record.
fn month_of(date: time::Date) -> Val {
    int(i64::from(
        Month {
            year: date.year(),
            month: u8::from(date.month()),
        }
        .index(),
    ))
}

pub(super) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments>,
    vals: Vec<Val>,
) -> Query<'q, Any, AnyArguments> {
    for v in vals {
        q = match v {
            Val::Text(x) => q.bind(x),
            Val::Int(x) => q.bind(x),
            Val::Real(x) => q.bind(x),
        };
    }
    q
}

/// An import in progress. Dropping it without [`commit`](Self::commit) rolls everything back.
pub struct ImportTx {
    pub(super) tx: Transaction<'static, Any>,
    pub(super) backend: Backend,
    pub import_id: i64,
    pub(super) rows: i64,
    /// Incident rows and aggregate changes not yet written (see `store::incidents`).
    pub(super) incidents: super::incidents::IncidentWrites,
}

impl ImportTx {
    /// Opens the write transaction of an import. Everything the import writes is parsed and
    /// checked before this, so the transaction (and on SQLite the database's write lock) is
    /// held only while rows are written. On SQLite it starts as `BEGIN IMMEDIATE`: the
    /// write lock is taken at once (waiting out a save in progress), so no other writer can
    /// commit between the import's first read and its first write.
    pub(super) async fn begin(
        store: &Store,
        kind: &str,
        source: &str,
        is_demo: bool,
    ) -> Result<ImportTx> {
        let tx = Self::open(store).await?;
        Self::start(tx, store, kind, source, is_demo).await
    }

    async fn open(store: &Store) -> Result<Transaction<'static, Any>> {
        Ok(match store.backend {
            Backend::Sqlite => {
                // Wait a shorter time than the pool's 10 s for the write lock, then go back
                // to the pool's setting inside the transaction. (A connection whose BEGIN
                // failed keeps the shorter wait; only a refused import meets that.)
                let mut tx = store
                    .pool
                    .begin_with(sqlx::AssertSqlSafe(format!(
                        "PRAGMA busy_timeout = {SQLITE_BUSY_MS}; BEGIN IMMEDIATE"
                    )))
                    .await?;
                sqlx::query("PRAGMA busy_timeout = 10000")
                    .execute(&mut *tx)
                    .await?;
                tx
            }
            Backend::Postgres => store.pool.begin().await?,
        })
    }

    /// Replaces the earlier import of the same kind and source in `tx` and records this one.
    async fn start(
        mut tx: Transaction<'static, Any>,
        store: &Store,
        kind: &str,
        source: &str,
        is_demo: bool,
    ) -> Result<ImportTx> {
        // The incidents of the import replaced leave the aggregates before they go.
        let replaced: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM imports WHERE kind = $1 AND source = $2 AND kind = 'incidents'",
        )
        .bind(kind)
        .bind(source)
        .fetch_all(&mut *tx)
        .await?;
        let replaced: Vec<i64> = replaced.into_iter().map(|(id,)| id).collect();
        super::incidents::forget_imports(&mut tx, store.backend, &replaced).await?;
        sqlx::query("DELETE FROM imports WHERE kind = $1 AND source = $2")
            .bind(kind)
            .bind(source)
            .execute(&mut *tx)
            .await?;
        let now = super::now();
        let (import_id,): (i64,) = sqlx::query_as(
            "INSERT INTO imports (kind, source, imported_at, rows, is_demo) VALUES ($1, $2, $3, 0, $4) RETURNING id",
        )
        .bind(kind)
        .bind(source)
        .bind(now)
        .bind(i64::from(is_demo))
        .fetch_one(&mut *tx)
        .await?;
        Ok(ImportTx {
            tx,
            backend: store.backend,
            import_id,
            rows: 0,
            incidents: Default::default(),
        })
    }

    /// Removes every demo import and its rows; returns how many imports that were.
    pub async fn remove_demo(&mut self) -> Result<u64> {
        self.flush_incidents().await?;
        self.flush_counts().await?;
        let demo: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM imports WHERE is_demo = 1 AND kind = 'incidents'")
                .fetch_all(&mut *self.tx)
                .await?;
        let demo: Vec<i64> = demo.into_iter().map(|(id,)| id).collect();
        super::incidents::forget_imports(&mut self.tx, self.backend, &demo).await?;
        let done = sqlx::query("DELETE FROM imports WHERE is_demo = 1")
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }

    /// The boundary years of the area sets already stored.
    pub async fn boundary_years(&mut self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT DISTINCT boundary_year FROM areas ORDER BY boundary_year")
                .fetch_all(&mut *self.tx)
                .await?;
        Ok(rows.into_iter().map(|(y,)| y).collect())
    }

    /// Buurten of the newest boundary year with their geometry (GeoJSON text), for assigning
    /// points to buurten.
    pub async fn buurt_geometries(&mut self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT code, geometry FROM areas WHERE level = 'buurt' \
                 AND boundary_year = (SELECT MAX(boundary_year) FROM areas) ORDER BY code",
        )
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Upserts rows of one table in multi-row statements, each row tagged with this import.
    /// Every row names its columns, in the same order.
    async fn insert(&mut self, table: &str, key: &[&str], rows: Vec<Row>) -> Result<()> {
        let id = self.import_id;
        let rows = rows
            .into_iter()
            .map(|mut r| {
                r.push(("import_id", Val::Int(Some(id))));
                r
            })
            .collect();
        self.upsert(table, key, rows).await
    }

    async fn upsert(&mut self, table: &str, key: &[&str], rows: Vec<Row>) -> Result<()> {
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let columns: Vec<&'static str> = first.iter().map(|(c, _)| *c).collect();
        debug_assert!(
            rows.iter()
                .all(|r| r.iter().map(|(c, _)| *c).eq(columns.iter().copied())),
            "rows of {table} name different columns"
        );
        let per_statement = (30_000 / columns.len()).min(500);
        let update: Vec<String> = columns
            .iter()
            .filter(|c| !key.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let conflict = if update.is_empty() {
            String::new()
        } else {
            format!(
                " ON CONFLICT ({}) DO UPDATE SET {}",
                key.join(", "),
                update.join(", ")
            )
        };
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Row> = rows.by_ref().take(per_statement).collect();
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for j in 0..columns.len() {
                    if j > 0 {
                        sql.push(',');
                    }
                    n += 1;
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            sql.push_str(&conflict);
            self.rows += chunk.len() as i64;
            let vals: Vec<Val> = chunk.into_iter().flatten().map(|(_, v)| v).collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), vals)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Inserts areas into the set of `boundary_year` (0: the year is not known).
    pub async fn insert_areas(&mut self, areas: &[Area], boundary_year: i64) -> Result<()> {
        let mut rows = Vec::with_capacity(areas.len());
        for a in areas {
            let rect = a
                .geometry
                .bounding_rect()
                .ok_or_else(|| StoreError::Conflict(format!("area {} has no extent", a.code)))?;
            let geometry =
                geojson::Geometry::from(&Geometry::MultiPolygon(a.geometry.clone())).to_string();
            rows.push(vec![
                ("code", text(a.code.to_string())),
                ("level", text(a.code.level().as_str())),
                ("name", text(&a.name)),
                (
                    "parent_code",
                    Val::Text(a.parent.as_ref().map(|p| p.to_string())),
                ),
                ("population", Val::Int(a.population)),
                ("boundary_year", int(boundary_year)),
                ("geometry", text(geometry)),
                ("min_lon", real(rect.min().x)),
                ("min_lat", real(rect.min().y)),
                ("max_lon", real(rect.max().x)),
                ("max_lat", real(rect.max().y)),
            ]);
        }
        self.insert("areas", &["boundary_year", "code"], rows).await
    }

    pub async fn insert_population(&mut self, rows: &[(String, i64)]) -> Result<()> {
        let rows = rows
            .iter()
            .map(|(code, population)| {
                vec![("area_code", text(code)), ("population", int(*population))]
            })
            .collect();
        self.insert("population", &["area_code"], rows).await
    }

    /// Crime-type titles are reference data, not tied to an import.
    pub async fn upsert_crime_types(&mut self, types: &[CrimeType]) -> Result<()> {
        let rows: Vec<Row> = types
            .iter()
            .map(|t| vec![("code", text(&t.code)), ("title", text(&t.title))])
            .collect();
        let n = rows.len() as i64;
        self.upsert("crime_types", &["code"], rows).await?;
        self.rows -= n;
        Ok(())
    }

    pub async fn insert_offences(&mut self, batch: &[OffenceCount]) -> Result<()> {
        let rows = batch
            .iter()
            .map(|o| {
                let month_index = match o.period {
                    Period::Month(m) => Some(i64::from(m.index())),
                    Period::Year(_) => None,
                };
                vec![
                    ("area_code", text(o.area.to_string())),
                    ("crime_type", text(&o.crime_type)),
                    ("period", text(o.period.cbs_code())),
                    ("year", int(i64::from(o.period.year()))),
                    ("month_index", Val::Int(month_index)),
                    ("count", Val::Int(o.count)),
                ]
            })
            .collect();
        self.insert("offences", &["area_code", "crime_type", "period"], rows)
            .await
    }

    pub async fn insert_cameras(&mut self, batch: &[(Camera, Option<String>)]) -> Result<()> {
        let rows = batch
            .iter()
            .map(|(c, buurt)| {
                vec![
                    ("id", text(&c.id)),
                    ("name", text(&c.name)),
                    ("lon", real(c.location.x())),
                    ("lat", real(c.location.y())),
                    ("radius_m", real(c.radius_m)),
                    ("status", text(c.status.as_str())),
                    ("installed", Val::Text(c.installed.map(|d| d.to_string()))),
                    ("buurt_code", Val::Text(buurt.clone())),
                ]
            })
            .collect();
        self.insert("cameras", &["id"], rows).await
    }

    pub async fn insert_enforcement(
        &mut self,
        batch: &[(EnforcementAction, Option<String>)],
    ) -> Result<()> {
        let rows = batch
            .iter()
            .map(|(e, buurt)| {
                vec![
                    ("id", text(&e.id)),
                    ("date", text(e.date.to_string())),
                    ("month_index", month_of(e.date)),
                    ("lon", real(e.location.x())),
                    ("lat", real(e.location.y())),
                    ("domain", text(&e.domain)),
                    ("outcome", text(e.outcome.as_str())),
                    ("buurt_code", Val::Text(buurt.clone())),
                ]
            })
            .collect();
        self.insert("enforcement", &["id"], rows).await
    }

    pub async fn insert_initiatives(
        &mut self,
        batch: &[(Initiative, geo::Point<f64>, Option<String>)],
    ) -> Result<()> {
        let rows = batch
            .iter()
            .map(|(i, at, buurt)| {
                vec![
                    ("id", text(&i.id)),
                    ("name", text(&i.name)),
                    ("kind", text(&i.kind)),
                    (
                        "geometry",
                        text(geojson::Geometry::from(&i.geometry).to_string()),
                    ),
                    ("lon", real(at.x())),
                    ("lat", real(at.y())),
                    ("start_date", text(i.start_date.to_string())),
                    ("end_date", Val::Text(i.end_date.map(|d| d.to_string()))),
                    ("members", Val::Int(i.members)),
                    ("buurt_code", Val::Text(buurt.clone())),
                ]
            })
            .collect();
        self.insert("initiatives", &["id"], rows).await
    }

    pub async fn insert_e33(&mut self, batch: &[E33Report]) -> Result<()> {
        let rows = batch
            .iter()
            .map(|r| {
                vec![
                    ("area_code", text(r.area.to_string())),
                    ("month_index", int(i64::from(r.month.index()))),
                    ("count", int(r.count)),
                    ("with_fitting_care", Val::Int(r.with_fitting_care)),
                ]
            })
            .collect();
        self.insert("e33", &["area_code", "month_index"], rows)
            .await
    }

    pub async fn insert_survey(
        &mut self,
        batch: &[crate::ingest::registrations::SurveyRow],
    ) -> Result<()> {
        let rows = batch
            .iter()
            .map(|s| {
                vec![
                    ("indicator", text(&s.indicator)),
                    ("year", int(i64::from(s.year))),
                    ("area_code", text(s.area.to_string())),
                    ("percentage", real(s.percentage)),
                    ("sample_size", int(s.sample_size)),
                ]
            })
            .collect();
        self.insert("survey", &["indicator", "year", "area_code"], rows)
            .await
    }

    /// Point records of every kind, for re-assigning them to buurten after new boundaries.
    pub async fn all_points(&mut self) -> Result<Vec<(&'static str, String, f64, f64)>> {
        self.flush_incidents().await?;
        let mut out = Vec::new();
        for table in ["incidents", "cameras", "enforcement", "initiatives"] {
            let rows: Vec<(String, f64, f64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, lon, lat FROM {table}"
            )))
            .fetch_all(&mut *self.tx)
            .await?;
            out.extend(rows.into_iter().map(|(id, lon, lat)| (table, id, lon, lat)));
        }
        Ok(out)
    }

    pub async fn set_buurt(
        &mut self,
        table: &'static str,
        assignments: &[(String, Option<String>)],
    ) -> Result<()> {
        if table == "incidents" {
            // Partitioned by gemeente on PostgreSQL, and counted in the aggregates.
            return self.set_incident_buurten(assignments).await;
        }
        let sql = format!("UPDATE {table} SET buurt_code = $1 WHERE id = $2");
        for (id, buurt) in assignments {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(buurt.clone())
                .bind(id.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Records the row count and notes, bumps the generation and commits.
    pub async fn commit(mut self, notes: &str) -> Result<i64> {
        self.flush_incidents().await?;
        self.flush_counts().await?;
        sqlx::query("UPDATE imports SET rows = $1, notes = $2 WHERE id = $3")
            .bind(self.rows)
            .bind(notes)
            .bind(self.import_id)
            .execute(&mut *self.tx)
            .await?;
        super::cameras::bump_generation(&mut self.tx).await?;
        self.tx.commit().await?;
        super::committed();
        Ok(self.rows)
    }

    pub fn rows(&self) -> i64 {
        self.rows
    }

    /// Ends a dry run: nothing is kept (buffered incidents are written first, so a dry run
    /// meets what the database would refuse).
    pub async fn rollback(mut self) -> Result<()> {
        self.flush_incidents().await?;
        self.flush_counts().await?;
        Ok(self.tx.rollback().await?)
    }
}

/// The reference data an import checks its file against, read before its write transaction
/// (the import lock keeps other imports from changing it meanwhile).
impl Store {
    /// Area codes known to the database.
    pub async fn import_area_codes(&self) -> Result<std::collections::HashSet<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT code FROM areas")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    /// Codes and names of the stored areas (of every boundary year; a code that kept its
    /// name across years appears once).
    pub async fn import_area_names(&self) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT DISTINCT code, name FROM areas ORDER BY code")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Buurten of the newest boundary year with their geometry (see
    /// [`ImportTx::buurt_geometries`]).
    pub async fn import_buurt_geometries(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT code, geometry FROM areas WHERE level = 'buurt' \
                 AND boundary_year = (SELECT MAX(boundary_year) FROM areas) ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// What the stored imports are now, compared before and inside an import's write
    /// transaction: when another import committed in between, the reference data the file
    /// was checked against may have changed.
    pub async fn imports_marker(&self) -> Result<ImportsMarker> {
        Ok(ImportsMarker(
            sqlx::query_as(MARKER).fetch_one(&self.pool).await?,
        ))
    }

    /// Takes the lock that lets one import run at a time across processes and machines, for
    /// the whole import (reading the file included).
    ///
    /// PostgreSQL: a session advisory lock on a connection of its own. It ends with the
    /// session, so a killed importer leaves nothing behind. SQLite has no such lock and needs
    /// none beyond its write lock, which an import takes in [`Store::try_begin_import`]; a
    /// row recording the holder would be a write that a refused file must not make.
    pub async fn lock_imports(&self) -> Result<LockAttempt<ImportLock>> {
        if self.backend == Backend::Sqlite {
            return Ok(LockAttempt::Acquired(ImportLock { conn: None }));
        }
        let mut conn = self.pool.acquire().await?.detach();
        // A few tries over two seconds: the server may take a moment to notice that the
        // session of a killed importer is gone.
        for attempt in 0..10 {
            let (ok,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                .bind(IMPORT_LOCK_KEY)
                .fetch_one(&mut conn)
                .await?;
            if ok {
                return Ok(LockAttempt::Acquired(ImportLock { conn: Some(conn) }));
            }
            if attempt < 9 {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
        let _ = sqlx::Connection::close(conn).await;
        Ok(LockAttempt::Held(
            "another session holds the import lock of this database".into(),
        ))
    }

    /// Opens an import's write transaction, or says that another import is writing. On
    /// SQLite the transaction begins `IMMEDIATE`, taking the write lock at once; when that
    /// lock stays taken for [`SQLITE_BUSY_MS`] (far longer than any save from the UI holds
    /// it), another import is writing. The lock then dies with the transaction, also when
    /// the process is killed.
    ///
    /// `checked` is what [`Store::imports_marker`] read before the file was checked; when
    /// the imports differ now, `Ok(None)`: check the file again.
    pub async fn try_begin_import(
        &self,
        kind: &str,
        source: &str,
        is_demo: bool,
        checked: &ImportsMarker,
    ) -> Result<LockAttempt<Option<ImportTx>>> {
        let mut tx = match ImportTx::open(self).await {
            Err(StoreError::Sql(e)) if self.backend == Backend::Sqlite && is_busy(&e) => {
                return Ok(LockAttempt::Held(format!(
                    "the database has been busy writing for more than {} s",
                    SQLITE_BUSY_MS / 1000
                )));
            }
            r => r?,
        };
        let now = ImportsMarker(sqlx::query_as(MARKER).fetch_one(&mut *tx).await?);
        if &now != checked {
            return Ok(LockAttempt::Acquired(None));
        }
        let tx = ImportTx::start(tx, self, kind, source, is_demo).await?;
        Ok(LockAttempt::Acquired(Some(tx)))
    }
}

/// See [`Store::imports_marker`].
const MARKER: &str = "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX(id), 0) AS BIGINT), \
     COALESCE(MAX(imported_at), '') FROM imports";

/// The PostgreSQL advisory lock key of imports ("wkvimpt"; the incident writers' key differs).
const IMPORT_LOCK_KEY: i64 = 0x77_6b_76_69_6d_70_74;
/// How long an import waits for SQLite's write lock before it concludes that another import
/// is writing.
pub const SQLITE_BUSY_MS: u64 = 3_000;

/// The outcome of taking a lock: it, or who holds it, as far as known.
pub enum LockAttempt<T> {
    Acquired(T),
    Held(String),
}

/// What [`Store::imports_marker`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportsMarker((i64, i64, String));

/// The lock one running import holds (see [`Store::lock_imports`]). Give it back with
/// [`release`](Self::release); dropped, its connection closes and the server ends it.
pub struct ImportLock {
    conn: Option<sqlx::AnyConnection>,
}

impl ImportLock {
    pub async fn release(mut self) -> Result<()> {
        if let Some(mut c) = self.conn.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(IMPORT_LOCK_KEY)
                .execute(&mut c)
                .await?;
            sqlx::Connection::close(c).await?;
        }
        Ok(())
    }
}

/// SQLite's "database is locked" (SQLITE_BUSY, code 5, and its extended codes).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.code()
                .is_some_and(|c| c.parse::<i64>().is_ok_and(|n| n & 0xff == 5))
                || d.message().contains("database is locked")
        }
        _ => false,
    }
}

pub fn format_datetime(t: time::PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
