//! Programme indicators: yearly aggregates per area code for the six indicators, and the
//! baselines and targets the steering group sets, read in one call
//! ([`Store::indicator_inputs`]). Aggregation to a gemeente or wijk happens in
//! [`crate::analysis::indicators`] from these per-area rows.

use super::now;
use super::{InitiativeRow, Result, Store};
use crate::domain::Month;
use crate::domain::crime_type::TOTAL;
use sqlx::AnyConnection;

/// The offence total (`0.0.0`) of one area and year: monthly rows, or the yearly row where
/// that area has no monthly rows that year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffenceTotalRow {
    pub area_code: String,
    pub year: i32,
    pub known: i64,
    pub withheld: i64,
    pub cells: i64,
}

/// How much of a year the offence totals cover: distinct months with monthly rows, and
/// whether yearly rows exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffenceYearCoverage {
    pub year: i32,
    pub months: i64,
    pub yearly_rows: i64,
}

/// One survey result (indicators `feels_safe` and `enforcement_satisfaction`).
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub indicator: String,
    pub area_code: String,
    pub year: i32,
    pub percentage: f64,
    pub sample_size: i64,
}

/// Enforcement actions counted per buurt, year, domain and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnforcementCount {
    pub buurt_code: Option<String>,
    pub year: i32,
    pub domain: String,
    pub outcome: String,
    pub count: i64,
}

/// E33 reports of one area code (buurt, or a wijk for months without buurt rows) and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct E33YearRow {
    pub area_code: String,
    pub year: i32,
    pub count: i64,
    /// Reports in rows where `with_fitting_care` is known.
    pub known_count: i64,
    pub fitting: i64,
}

/// A baseline or target the steering group stored for an indicator and area.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSetting {
    pub indicator: String,
    pub area_code: String,
    pub year: i32,
    pub value: f64,
}

/// Everything the six indicators are computed from, read in one call.
#[derive(Debug, Clone, Default)]
pub struct IndicatorInputs {
    pub offences: Vec<OffenceTotalRow>,
    pub offence_coverage: Vec<OffenceYearCoverage>,
    pub survey: Vec<SurveyRow>,
    pub enforcement: Vec<EnforcementCount>,
    pub initiatives: Vec<InitiativeRow>,
    pub e33: Vec<E33YearRow>,
    pub baselines: Vec<IndicatorSetting>,
    pub targets: Vec<IndicatorSetting>,
    /// Whether the data is the synthetic demo (which brings illustrative targets).
    pub demo: bool,
}

impl Store {
    /// The inputs of all six indicators, with the stored baselines and targets, read on one
    /// connection.
    pub async fn indicator_inputs(&self) -> Result<IndicatorInputs> {
        let mut c = self.pool.acquire().await?;
        let c: &mut AnyConnection = &mut c;
        let all = (
            Month {
                year: 1900,
                month: 1,
            },
            Month {
                year: 2999,
                month: 12,
            },
        );
        Ok(IndicatorInputs {
            offences: offence_totals(c).await?,
            offence_coverage: offence_coverage(c).await?,
            survey: survey(c).await?,
            enforcement: enforcement_counts(c, all.0, all.1).await?,
            initiatives: sqlx::query_as(super::queries::INITIATIVES_SQL)
                .fetch_all(&mut *c)
                .await?,
            e33: e33_years(c).await?,
            baselines: settings(c, "indicator_baselines").await?,
            targets: settings(c, "indicator_targets").await?,
            demo: super::is_demo_on(c).await?,
        })
    }

    /// Enforcement actions dated in the months `from..=to`, counted per buurt, year, domain
    /// and outcome.
    pub async fn indicator_enforcement(
        &self,
        from: Month,
        to: Month,
    ) -> Result<Vec<EnforcementCount>> {
        let mut c = self.pool.acquire().await?;
        enforcement_counts(&mut c, from, to).await
    }
}

async fn offence_totals(c: &mut AnyConnection) -> Result<Vec<OffenceTotalRow>> {
    let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT o.area_code, CAST(o.year AS BIGINT), CAST(COALESCE(SUM(o.count), 0) AS BIGINT), \
             CAST(SUM(CASE WHEN o.count IS NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
             FROM offences o WHERE o.crime_type = $1 AND (o.month_index IS NOT NULL OR NOT EXISTS \
             (SELECT 1 FROM offences m WHERE m.area_code = o.area_code AND m.crime_type = o.crime_type \
              AND m.year = o.year AND m.month_index IS NOT NULL)) \
             GROUP BY o.area_code, o.year ORDER BY o.area_code, o.year",
        )
        .bind(TOTAL)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(area_code, year, known, withheld, cells)| OffenceTotalRow {
                area_code,
                year: year as i32,
                known,
                withheld,
                cells,
            },
        )
        .collect())
}

async fn offence_coverage(c: &mut AnyConnection) -> Result<Vec<OffenceYearCoverage>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT CAST(year AS BIGINT), CAST(COUNT(DISTINCT month_index) AS BIGINT), \
             CAST(SUM(CASE WHEN month_index IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
             FROM offences WHERE crime_type = $1 GROUP BY year ORDER BY year",
    )
    .bind(TOTAL)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(y, months, yearly_rows)| OffenceYearCoverage {
            year: y as i32,
            months,
            yearly_rows,
        })
        .collect())
}

async fn survey(c: &mut AnyConnection) -> Result<Vec<SurveyRow>> {
    let rows: Vec<(String, String, i64, f64, i64)> = sqlx::query_as(
            "SELECT indicator, area_code, CAST(year AS BIGINT), CAST(percentage AS DOUBLE PRECISION), CAST(sample_size AS BIGINT) \
             FROM survey ORDER BY indicator, area_code, year",
        )
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(indicator, area_code, year, percentage, sample_size)| SurveyRow {
                indicator,
                area_code,
                year: year as i32,
                percentage,
                sample_size,
            },
        )
        .collect())
}

async fn enforcement_counts(
    c: &mut AnyConnection,
    from: Month,
    to: Month,
) -> Result<Vec<EnforcementCount>> {
    let rows: Vec<(Option<String>, i64, String, String, i64)> = sqlx::query_as(
            "SELECT buurt_code, CAST(month_index / 12 AS BIGINT), domain, outcome, CAST(COUNT(*) AS BIGINT) FROM enforcement \
             WHERE month_index BETWEEN $1 AND $2 GROUP BY buurt_code, month_index / 12, domain, outcome \
             ORDER BY buurt_code, 2, domain, outcome",
        )
        .bind(i64::from(from.index()))
        .bind(i64::from(to.index()))
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(buurt_code, year, domain, outcome, count)| EnforcementCount {
                buurt_code,
                year: year as i32,
                domain,
                outcome,
                count,
            },
        )
        .collect())
}

/// E33 per area code and year. Buurt rows always count; a wijk row counts only in a month
/// without buurt rows of that wijk, so nothing is counted twice.
async fn e33_years(c: &mut AnyConnection) -> Result<Vec<E33YearRow>> {
    let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT e.area_code, CAST(e.month_index / 12 AS BIGINT), CAST(SUM(e.count) AS BIGINT), \
             CAST(SUM(CASE WHEN e.with_fitting_care IS NULL THEN 0 ELSE e.count END) AS BIGINT), \
             CAST(COALESCE(SUM(e.with_fitting_care), 0) AS BIGINT) FROM e33 e \
             WHERE e.area_code LIKE 'BU%' OR (e.area_code LIKE 'WK%' AND NOT EXISTS (SELECT 1 FROM e33 b \
               WHERE b.month_index = e.month_index AND b.area_code LIKE 'BU' || SUBSTR(e.area_code, 3) || '%')) \
             GROUP BY e.area_code, e.month_index / 12 ORDER BY e.area_code, 2",
        )
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(area_code, year, count, known_count, fitting)| E33YearRow {
                area_code,
                year: year as i32,
                count,
                known_count,
                fitting,
            },
        )
        .collect())
}

/// All stored baselines or targets (`table` is one of two fixed names, never user input).
async fn settings(c: &mut AnyConnection, table: &'static str) -> Result<Vec<IndicatorSetting>> {
    let rows: Vec<(String, String, i64, f64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT indicator, area_code, CAST(year AS BIGINT), CAST(value AS DOUBLE PRECISION) FROM {table} \
         ORDER BY indicator, area_code, year"
    )))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(indicator, area_code, year, value)| IndicatorSetting {
            indicator,
            area_code,
            year: year as i32,
            value,
        })
        .collect())
}

impl Store {
    /// Sets (replaces) the baseline of an indicator for an area.
    pub async fn set_indicator_baseline(
        &self,
        indicator: &str,
        area_code: &str,
        year: i32,
        value: f64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO indicator_baselines (indicator, area_code, year, value, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (indicator, area_code) DO UPDATE SET year = excluded.year, value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(indicator)
        .bind(area_code)
        .bind(i64::from(year))
        .bind(value)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets the target of an indicator for an area and year; `None` removes it.
    pub async fn set_indicator_target(
        &self,
        indicator: &str,
        area_code: &str,
        year: i32,
        value: Option<f64>,
    ) -> Result<()> {
        match value {
            Some(value) => {
                sqlx::query(
                    "INSERT INTO indicator_targets (indicator, area_code, year, value, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (indicator, area_code, year) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(indicator)
                .bind(area_code)
                .bind(i64::from(year))
                .bind(value)
                .bind(now())
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM indicator_targets WHERE indicator = $1 AND area_code = $2 AND year = $3")
                    .bind(indicator)
                    .bind(area_code)
                    .bind(i64::from(year))
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }
}
