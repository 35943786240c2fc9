//! Reading for the API. Aggregates are computed in SQL, so figures per area can be served
//! without loading point records (which are personal data) into the server.

use super::{Result, Store};
use crate::domain::{Month, PeriodRange};
use std::collections::HashMap;

/// Decodes an area geometry as the store keeps it (GeoJSON text) into a MultiPolygon; `None`
/// for text that is not a polygon. The one decoder of stored geometry.
pub fn stored_multipolygon(text: &str) -> Option<geo::MultiPolygon<f64>> {
    use geo::Geometry;
    let g: geojson::Geometry = text.parse().ok()?;
    match Geometry::<f64>::try_from(g).ok()? {
        Geometry::MultiPolygon(mp) => Some(mp),
        Geometry::Polygon(p) => Some(geo::MultiPolygon::new(vec![p])),
        _ => None,
    }
}

pub(super) const INITIATIVES_SQL: &str = "SELECT id, name, kind, geometry, start_date, end_date, members, buurt_code FROM initiatives ORDER BY id";

#[derive(Debug, Clone)]
pub struct AreaRow {
    pub code: String,
    pub level: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub population: Option<i64>,
    /// 0 when the file did not state it.
    pub boundary_year: i64,
    pub geometry: String,
    pub bbox: [f64; 4],
}

/// Counts summed over a period: known values, and how many cells were withheld.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountSum {
    pub known: i64,
    pub withheld: i64,
    pub cells: i64,
}

impl CountSum {
    pub fn add(&mut self, other: CountSum) {
        self.known += other.known;
        self.withheld += other.withheld;
        self.cells += other.cells;
    }
}

impl std::ops::AddAssign for CountSum {
    fn add_assign(&mut self, other: CountSum) {
        self.add(other);
    }
}

/// The SQL condition selecting offence rows for a range: monthly rows inside it, and yearly
/// rows for whole years inside it where that area and type have no monthly rows that year.
fn offence_range_sql(first: usize) -> String {
    format!(
        "((o.month_index BETWEEN ${a} AND ${b}) OR (o.month_index IS NULL AND o.year BETWEEN ${c} AND ${d} AND NOT EXISTS \
         (SELECT 1 FROM offences m WHERE m.area_code = o.area_code AND m.crime_type = o.crime_type AND m.year = o.year AND m.month_index IS NOT NULL)))",
        a = first,
        b = first + 1,
        c = first + 2,
        d = first + 3
    )
}

fn range_binds(range: PeriodRange) -> [i64; 4] {
    // Whole years inside the range; an empty year span (first > last) selects no yearly rows.
    let first_year = if range.from.month == 1 {
        range.from.year
    } else {
        range.from.year + 1
    };
    let last_year = if range.to.month == 12 {
        range.to.year
    } else {
        range.to.year - 1
    };
    [
        i64::from(range.from.index()),
        i64::from(range.to.index()),
        i64::from(first_year),
        i64::from(last_year),
    ]
}

fn in_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The boundary years of the imported area sets, newest first (0: year not stated).
    pub async fn boundary_years(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT DISTINCT boundary_year FROM areas ORDER BY boundary_year DESC")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(y,)| y).collect())
    }

    /// Every (boundary year, gemeente number) that has areas, newest year first, gemeenten in
    /// code order: one read for what the area sets hold.
    pub async fn gemeenten_per_year(&self) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT boundary_year, SUBSTR(code, 3, 4) FROM areas \
             GROUP BY boundary_year, SUBSTR(code, 3, 4) ORDER BY 1 DESC, 2",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Offence rows per (gemeente number, year, month index; `None` for yearly rows): one
    /// read for which periods hold figures and which gemeente has the most.
    pub async fn offence_coverage(&self) -> Result<Vec<(String, i64, Option<i64>, i64)>> {
        Ok(sqlx::query_as(
            "SELECT SUBSTR(area_code, 3, 4), CAST(year AS BIGINT), month_index, CAST(COUNT(*) AS BIGINT) \
             FROM offences GROUP BY SUBSTR(area_code, 3, 4), year, month_index",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The areas of one boundary year, optionally of one gemeente (its 4-digit number).
    pub async fn areas(&self, year: i64, gemeente: Option<&str>) -> Result<Vec<AreaRow>> {
        let sql = "SELECT a.code, a.level, a.name, a.parent_code, COALESCE(p.population, a.population), a.boundary_year, a.geometry, \
                   a.min_lon, a.min_lat, a.max_lon, a.max_lat FROM areas a LEFT JOIN population p ON p.area_code = a.code \
                   WHERE a.boundary_year = $1 AND ($2 = '' OR SUBSTR(a.code, 3, 4) = $2) ORDER BY a.code";
        type Raw = (
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
            i64,
            String,
            f64,
            f64,
            f64,
            f64,
        );
        let rows: Vec<Raw> = sqlx::query_as(sql)
            .bind(year)
            .bind(gemeente.unwrap_or(""))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| AreaRow {
                code: r.0,
                level: r.1,
                name: r.2,
                parent_code: r.3,
                population: r.4,
                boundary_year: r.5,
                geometry: r.6,
                bbox: [r.7, r.8, r.9, r.10],
            })
            .collect())
    }

    /// Population figures that exist for codes without boundaries (e.g. a gemeente total).
    pub async fn population_of(&self, code: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT population FROM population WHERE area_code = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Crime-type codes that occur in the offence data.
    pub async fn offence_crime_types(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT crime_type FROM offences ORDER BY crime_type")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Crime-type codes that occur among the point incidents (from the aggregates, kept at
    /// import, not from the points).
    pub async fn incident_crime_types(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT crime_type FROM incident_type_counts WHERE n > 0 ORDER BY crime_type",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    pub async fn crime_type_titles(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, title FROM crime_types")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Offence sums per area code and year over a range, for figures published on the
    /// boundaries of their own year (see `service::carry`).
    pub async fn offence_sums_by_year(
        &self,
        range: PeriodRange,
        types: &[String],
    ) -> Result<Vec<(String, i32, CountSum)>> {
        if types.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT o.area_code, CAST(o.year AS BIGINT), CAST(COALESCE(SUM(o.count), 0) AS BIGINT), \
             CAST(SUM(CASE WHEN o.count IS NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
             FROM offences o WHERE o.crime_type IN ({}) AND {} GROUP BY o.area_code, o.year",
            in_list(1, types.len()),
            offence_range_sql(types.len() + 1)
        );
        let mut q = sqlx::query_as::<_, (String, i64, i64, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for t in types {
            q = q.bind(t.clone());
        }
        for b in range_binds(range) {
            q = q.bind(b);
        }
        Ok(q.fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(code, year, known, withheld, cells)| {
                (
                    code,
                    year as i32,
                    CountSum {
                        known,
                        withheld,
                        cells,
                    },
                )
            })
            .collect())
    }

    /// Offence sums per crime type for the given area codes over a range.
    pub async fn offence_sums_by_type(
        &self,
        codes: &[String],
        range: PeriodRange,
    ) -> Result<HashMap<String, CountSum>> {
        if codes.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT o.crime_type, CAST(COALESCE(SUM(o.count), 0) AS BIGINT), \
             CAST(SUM(CASE WHEN o.count IS NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
             FROM offences o WHERE o.area_code IN ({}) AND {} GROUP BY o.crime_type",
            in_list(1, codes.len()),
            offence_range_sql(codes.len() + 1)
        );
        let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for v in codes {
            q = q.bind(v.clone());
        }
        for b in range_binds(range) {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(key, known, withheld, cells)| {
                (
                    key,
                    CountSum {
                        known,
                        withheld,
                        cells,
                    },
                )
            })
            .collect())
    }

    /// Monthly sums for the given area codes and types over a range of months.
    pub async fn offence_months(
        &self,
        codes: &[String],
        types: &[String],
        range: PeriodRange,
    ) -> Result<HashMap<Month, CountSum>> {
        if codes.is_empty() || types.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT o.month_index, CAST(COALESCE(SUM(o.count), 0) AS BIGINT), \
             CAST(SUM(CASE WHEN o.count IS NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
             FROM offences o WHERE o.area_code IN ({}) AND o.crime_type IN ({}) AND o.month_index BETWEEN ${} AND ${} \
             GROUP BY o.month_index",
            in_list(1, codes.len()),
            in_list(codes.len() + 1, types.len()),
            codes.len() + types.len() + 1,
            codes.len() + types.len() + 2
        );
        let mut q = sqlx::query_as::<_, (i64, i64, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for c in codes.iter().chain(types) {
            q = q.bind(c.clone());
        }
        let rows = q
            .bind(i64::from(range.from.index()))
            .bind(i64::from(range.to.index()))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(m, known, withheld, cells)| {
                (
                    Month::from_index(m as i32),
                    CountSum {
                        known,
                        withheld,
                        cells,
                    },
                )
            })
            .collect())
    }

    /// Monthly sums per area for a range (monthly rows only), for time series per area.
    pub async fn offence_area_months(
        &self,
        range: PeriodRange,
        types: &[String],
    ) -> Result<HashMap<(String, Month), CountSum>> {
        if types.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT o.area_code, o.month_index, CAST(COALESCE(SUM(o.count), 0) AS BIGINT), \
             CAST(SUM(CASE WHEN o.count IS NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
             FROM offences o WHERE o.crime_type IN ({}) AND o.month_index BETWEEN ${} AND ${} GROUP BY o.area_code, o.month_index",
            in_list(1, types.len()),
            types.len() + 1,
            types.len() + 2
        );
        let mut q = sqlx::query_as::<_, (String, i64, i64, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for t in types {
            q = q.bind(t.clone());
        }
        let rows = q
            .bind(i64::from(range.from.index()))
            .bind(i64::from(range.to.index()))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(c, m, known, withheld, cells)| {
                (
                    (c, Month::from_index(m as i32)),
                    CountSum {
                        known,
                        withheld,
                        cells,
                    },
                )
            })
            .collect())
    }

    /// The first and last month with monthly data, and the first and last year with any data.
    pub async fn offence_extent(&self) -> Result<(Option<(Month, Month)>, Option<(i32, i32)>)> {
        let (lo, hi): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(month_index), MAX(month_index) FROM offences")
                .fetch_one(&self.pool)
                .await?;
        let (ylo, yhi): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(year), MAX(year) FROM offences")
                .fetch_one(&self.pool)
                .await?;
        let months = lo
            .zip(hi)
            .map(|(a, b)| (Month::from_index(a as i32), Month::from_index(b as i32)));
        Ok((months, ylo.zip(yhi).map(|(a, b)| (a as i32, b as i32))))
    }

    /// The first and last month with incidents, from the aggregates kept at import.
    pub async fn incident_month_extent(&self) -> Result<Option<(Month, Month)>> {
        let (lo, hi): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT CAST(MIN(month_index) AS BIGINT), CAST(MAX(month_index) AS BIGINT) FROM incident_counts",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(lo
            .zip(hi)
            .map(|(a, b)| (Month::from_index(a as i32), Month::from_index(b as i32))))
    }

    /// The number of rows of a table; for `incidents` the sum of the aggregates kept at
    /// import, so counting ten million incidents reads a handful of rows.
    pub async fn table_count(&self, table: &str) -> Result<i64> {
        let sql = match table {
            "incidents" => {
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM incident_type_counts".into()
            }
            _ => format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"),
        };
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    pub async fn cameras(&self) -> Result<Vec<CameraRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, lon, lat, radius_m, status, installed, buurt_code FROM cameras ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Enforcement actions dated in a range.
    pub async fn enforcement(&self, range: PeriodRange) -> Result<Vec<EnforcementRow>> {
        Ok(sqlx::query_as(
            "SELECT id, date, lon, lat, domain, outcome, buurt_code FROM enforcement \
             WHERE month_index BETWEEN $1 AND $2 ORDER BY date, id",
        )
        .bind(i64::from(range.from.index()))
        .bind(i64::from(range.to.index()))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Enforcement actions per outcome in the given buurten over a range.
    pub async fn enforcement_by_outcome(
        &self,
        range: PeriodRange,
        buurten: &[String],
    ) -> Result<Vec<(String, i64)>> {
        if buurten.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT outcome, CAST(COUNT(*) AS BIGINT) FROM enforcement \
             WHERE month_index BETWEEN $1 AND $2 AND buurt_code IN ({}) GROUP BY outcome ORDER BY outcome",
            in_list(3, buurten.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(range.from.index()))
            .bind(i64::from(range.to.index()));
        for b in buurten {
            q = q.bind(b.clone());
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    pub async fn initiatives(&self) -> Result<Vec<InitiativeRow>> {
        Ok(sqlx::query_as(INITIATIVES_SQL)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Incidents dated in a range, of the given crime types (all when empty), in one gemeente
    /// (`GM0141`) or in all (`None`, which includes the incidents outside every buurt). The
    /// gemeente and month range are in the WHERE clause, so PostgreSQL reads only that
    /// gemeente's partitions of those years.
    pub async fn incidents(
        &self,
        range: PeriodRange,
        types: &[String],
        gemeente: Option<&str>,
    ) -> Result<Vec<IncidentRow>> {
        let (sql, binds) = incident_filter(
            "id, time, crime_type, lon, lat, buurt_code",
            range,
            types,
            gemeente,
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!("{sql} ORDER BY time, id")));
        for b in binds {
            q = match b {
                Bind::Int(i) => q.bind(i),
                Bind::Text(t) => q.bind(t),
            };
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// Only the locations (lon, lat) of the incidents [`Store::incidents`] selects, streamed,
    /// for the density: 16 bytes a point instead of a whole row.
    pub async fn incident_locations(
        &self,
        range: PeriodRange,
        types: &[String],
        gemeente: Option<&str>,
    ) -> Result<Vec<(f64, f64)>> {
        use futures_util::TryStreamExt;
        let (sql, binds) = incident_filter("lon, lat", range, types, gemeente);
        let mut q = sqlx::query_as::<_, (f64, f64)>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Int(i) => q.bind(i),
                Bind::Text(t) => q.bind(t),
            };
        }
        let mut out = Vec::new();
        let mut rows = q.fetch(&self.pool);
        while let Some(p) = rows.try_next().await? {
            out.push(p);
        }
        Ok(out)
    }

    pub async fn e33_months(
        &self,
        codes: &[String],
        range: PeriodRange,
    ) -> Result<Vec<(i64, i64, Option<i64>)>> {
        if codes.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT month_index, CAST(SUM(count) AS BIGINT), CAST(SUM(with_fitting_care) AS BIGINT) FROM e33 \
             WHERE area_code IN ({}) AND month_index BETWEEN ${} AND ${} GROUP BY month_index ORDER BY month_index",
            in_list(1, codes.len()),
            codes.len() + 1,
            codes.len() + 2
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for c in codes {
            q = q.bind(c.clone());
        }
        Ok(q.bind(i64::from(range.from.index()))
            .bind(i64::from(range.to.index()))
            .fetch_all(&self.pool)
            .await?)
    }
}

enum Bind {
    Int(i64),
    Text(String),
}

/// `SELECT columns FROM incidents WHERE …` for a month range, crime types (all when empty) and
/// a gemeente (all when `None`), with its binds.
fn incident_filter(
    columns: &str,
    range: PeriodRange,
    types: &[String],
    gemeente: Option<&str>,
) -> (String, Vec<Bind>) {
    let mut sql = format!("SELECT {columns} FROM incidents WHERE month_index BETWEEN $1 AND $2");
    let mut binds = vec![
        Bind::Int(i64::from(range.from.index())),
        Bind::Int(i64::from(range.to.index())),
    ];
    if let Some(g) = gemeente {
        binds.push(Bind::Text(g.to_string()));
        sql.push_str(&format!(" AND gemeente = ${}", binds.len()));
    }
    if !types.is_empty() {
        sql.push_str(&format!(
            " AND crime_type IN ({})",
            in_list(binds.len() + 1, types.len())
        ));
        binds.extend(types.iter().cloned().map(Bind::Text));
    }
    (sql, binds)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CameraRow {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    pub status: String,
    pub installed: Option<String>,
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnforcementRow {
    pub id: String,
    pub date: String,
    pub lon: f64,
    pub lat: f64,
    pub domain: String,
    pub outcome: String,
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InitiativeRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub geometry: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub members: Option<i64>,
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IncidentRow {
    pub id: String,
    pub time: String,
    pub crime_type: String,
    pub lon: f64,
    pub lat: f64,
    pub buurt_code: Option<String>,
}
