//! Writing an import: one transaction that replaces the earlier import of the same file,
//! upserts rows in batches, and bumps the generation so every server instance notices.

use super::{Result, Store, StoreError};
use crate::domain::{
    Area, Camera, CrimeType, E33Report, EnforcementAction, Incident, Initiative, Month,
    OffenceCount, Period,
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

fn bind_all<'q>(
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
    tx: Transaction<'static, Any>,
    pub import_id: i64,
    rows: i64,
}

impl ImportTx {
    pub(super) async fn begin(
        store: &Store,
        kind: &str,
        source: &str,
        is_demo: bool,
    ) -> Result<ImportTx> {
        let mut tx = store.pool.begin().await?;
        sqlx::query("DELETE FROM imports WHERE kind = $1 AND source = $2")
            .bind(kind)
            .bind(source)
            .execute(&mut *tx)
            .await?;
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
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
            import_id,
            rows: 0,
        })
    }

    /// Removes every demo import and its rows; returns how many imports that were.
    pub async fn remove_demo(&mut self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM imports WHERE is_demo = 1")
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }

    /// Area codes known to the database, as seen inside this transaction.
    pub async fn known_area_codes(&mut self) -> Result<std::collections::HashSet<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT code FROM areas")
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    /// Buurten with their geometry (GeoJSON text), for assigning points to buurten.
    pub async fn buurt_geometries(&mut self) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT code, geometry FROM areas WHERE level = 'buurt' ORDER BY code")
                .fetch_all(&mut *self.tx)
                .await?,
        )
    }

    async fn insert(
        &mut self,
        table: &str,
        columns: &[&str],
        key: &[&str],
        rows: Vec<Vec<Val>>,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
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
            let chunk: Vec<Vec<Val>> = rows.by_ref().take(per_statement).collect();
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
            let vals: Vec<Val> = chunk.into_iter().flatten().collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), vals)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn insert_areas(&mut self, areas: &[Area], boundary_year: Option<i32>) -> Result<()> {
        let mut rows = Vec::with_capacity(areas.len());
        for a in areas {
            let rect = a
                .geometry
                .bounding_rect()
                .ok_or_else(|| StoreError::Conflict(format!("area {} has no extent", a.code)))?;
            let geometry =
                geojson::Geometry::from(&Geometry::MultiPolygon(a.geometry.clone())).to_string();
            rows.push(vec![
                Val::Text(Some(a.code.to_string())),
                Val::Text(Some(a.code.level().as_str().into())),
                Val::Text(Some(a.name.clone())),
                Val::Text(a.parent.as_ref().map(|p| p.to_string())),
                Val::Int(a.population),
                Val::Int(boundary_year.map(i64::from)),
                Val::Text(Some(geometry)),
                Val::Real(Some(rect.min().x)),
                Val::Real(Some(rect.min().y)),
                Val::Real(Some(rect.max().x)),
                Val::Real(Some(rect.max().y)),
                Val::Int(Some(self.import_id)),
            ]);
        }
        let cols = [
            "code",
            "level",
            "name",
            "parent_code",
            "population",
            "boundary_year",
            "geometry",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "import_id",
        ];
        self.insert("areas", &cols, &["code"], rows).await
    }

    pub async fn insert_population(&mut self, rows: &[(String, i64)]) -> Result<()> {
        let id = self.import_id;
        let rows = rows
            .iter()
            .map(|(c, p)| {
                vec![
                    Val::Text(Some(c.clone())),
                    Val::Int(Some(*p)),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        self.insert(
            "population",
            &["area_code", "population", "import_id"],
            &["area_code"],
            rows,
        )
        .await
    }

    /// Crime-type titles are reference data, not tied to an import.
    pub async fn upsert_crime_types(&mut self, types: &[CrimeType]) -> Result<()> {
        let rows: Vec<Vec<Val>> = types
            .iter()
            .map(|t| {
                vec![
                    Val::Text(Some(t.code.clone())),
                    Val::Text(Some(t.title.clone())),
                ]
            })
            .collect();
        let n = rows.len() as i64;
        self.insert("crime_types", &["code", "title"], &["code"], rows)
            .await?;
        self.rows -= n;
        Ok(())
    }

    pub async fn insert_offences(&mut self, batch: &[OffenceCount]) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|o| {
                let month_index = match o.period {
                    Period::Month(m) => Some(i64::from(m.index())),
                    Period::Year(_) => None,
                };
                vec![
                    Val::Text(Some(o.area.to_string())),
                    Val::Text(Some(o.crime_type.clone())),
                    Val::Text(Some(o.period.cbs_code())),
                    Val::Int(Some(i64::from(o.period.year()))),
                    Val::Int(month_index),
                    Val::Int(o.count),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "area_code",
            "crime_type",
            "period",
            "year",
            "month_index",
            "count",
            "import_id",
        ];
        self.insert(
            "offences",
            &cols,
            &["area_code", "crime_type", "period"],
            rows,
        )
        .await
    }

    pub async fn insert_incidents(&mut self, batch: &[(Incident, Option<String>)]) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|(i, buurt)| {
                let month = Month {
                    year: i.time.year(),
                    month: u8::from(i.time.month()),
                };
                vec![
                    Val::Text(Some(i.id.clone())),
                    Val::Text(Some(format_datetime(i.time))),
                    Val::Int(Some(i64::from(month.index()))),
                    Val::Text(Some(i.crime_type.clone())),
                    Val::Real(Some(i.location.x())),
                    Val::Real(Some(i.location.y())),
                    Val::Text(buurt.clone()),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "id",
            "time",
            "month_index",
            "crime_type",
            "lon",
            "lat",
            "buurt_code",
            "import_id",
        ];
        self.insert("incidents", &cols, &["id"], rows).await
    }

    pub async fn insert_cameras(&mut self, batch: &[(Camera, Option<String>)]) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|(c, buurt)| {
                vec![
                    Val::Text(Some(c.id.clone())),
                    Val::Text(Some(c.name.clone())),
                    Val::Real(Some(c.location.x())),
                    Val::Real(Some(c.location.y())),
                    Val::Real(Some(c.radius_m)),
                    Val::Text(Some(c.status.as_str().into())),
                    Val::Text(c.installed.map(|d| d.to_string())),
                    Val::Text(buurt.clone()),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "id",
            "name",
            "lon",
            "lat",
            "radius_m",
            "status",
            "installed",
            "buurt_code",
            "import_id",
        ];
        self.insert("cameras", &cols, &["id"], rows).await
    }

    pub async fn insert_enforcement(
        &mut self,
        batch: &[(EnforcementAction, Option<String>)],
    ) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|(e, buurt)| {
                let month = Month {
                    year: e.date.year(),
                    month: u8::from(e.date.month()),
                };
                vec![
                    Val::Text(Some(e.id.clone())),
                    Val::Text(Some(e.date.to_string())),
                    Val::Int(Some(i64::from(month.index()))),
                    Val::Real(Some(e.location.x())),
                    Val::Real(Some(e.location.y())),
                    Val::Text(Some(e.domain.clone())),
                    Val::Text(Some(e.outcome.as_str().into())),
                    Val::Text(buurt.clone()),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "id",
            "date",
            "month_index",
            "lon",
            "lat",
            "domain",
            "outcome",
            "buurt_code",
            "import_id",
        ];
        self.insert("enforcement", &cols, &["id"], rows).await
    }

    pub async fn insert_initiatives(
        &mut self,
        batch: &[(Initiative, geo::Point<f64>, Option<String>)],
    ) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|(i, at, buurt)| {
                vec![
                    Val::Text(Some(i.id.clone())),
                    Val::Text(Some(i.name.clone())),
                    Val::Text(Some(i.kind.clone())),
                    Val::Text(Some(geojson::Geometry::from(&i.geometry).to_string())),
                    Val::Real(Some(at.x())),
                    Val::Real(Some(at.y())),
                    Val::Text(Some(i.start_date.to_string())),
                    Val::Text(i.end_date.map(|d| d.to_string())),
                    Val::Int(i.members),
                    Val::Text(buurt.clone()),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "id",
            "name",
            "kind",
            "geometry",
            "lon",
            "lat",
            "start_date",
            "end_date",
            "members",
            "buurt_code",
            "import_id",
        ];
        self.insert("initiatives", &cols, &["id"], rows).await
    }

    pub async fn insert_e33(&mut self, batch: &[E33Report]) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|r| {
                vec![
                    Val::Text(Some(r.area.to_string())),
                    Val::Int(Some(i64::from(r.month.index()))),
                    Val::Int(Some(r.count)),
                    Val::Int(r.with_fitting_care),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "area_code",
            "month_index",
            "count",
            "with_fitting_care",
            "import_id",
        ];
        self.insert("e33", &cols, &["area_code", "month_index"], rows)
            .await
    }

    pub async fn insert_survey(
        &mut self,
        batch: &[crate::ingest::registrations::SurveyRow],
    ) -> Result<()> {
        let id = self.import_id;
        let rows = batch
            .iter()
            .map(|s| {
                vec![
                    Val::Text(Some(s.indicator.clone())),
                    Val::Int(Some(i64::from(s.year))),
                    Val::Text(Some(s.area.to_string())),
                    Val::Real(Some(s.percentage)),
                    Val::Int(Some(s.sample_size)),
                    Val::Int(Some(id)),
                ]
            })
            .collect();
        let cols = [
            "indicator",
            "year",
            "area_code",
            "percentage",
            "sample_size",
            "import_id",
        ];
        self.insert("survey", &cols, &["indicator", "year", "area_code"], rows)
            .await
    }

    /// Point records of every kind, for re-assigning them to buurten after new boundaries.
    pub async fn all_points(&mut self) -> Result<Vec<(&'static str, String, f64, f64)>> {
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
        sqlx::query("UPDATE imports SET rows = $1, notes = $2 WHERE id = $3")
            .bind(self.rows)
            .bind(notes)
            .bind(self.import_id)
            .execute(&mut *self.tx)
            .await?;
        super::cameras::bump_generation(&mut self.tx).await?;
        self.tx.commit().await?;
        Ok(self.rows)
    }

    pub fn rows(&self) -> i64 {
        self.rows
    }

    /// Ends a dry run: nothing is kept.
    pub async fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback().await?)
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
