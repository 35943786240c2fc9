//! The period a steering report covers: a calendar year or one of its halves. The steering
//! group meets half-yearly, so these are the only periods a report is made for.

use super::period::YEARS;
use super::{Month, PeriodRange};
use serde::Serialize;

/// A report period; serialised as `{code, title, year}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    /// `2023`, `2023H1` or `2023H2`.
    pub label: PeriodLabel,
    pub range: PeriodRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodLabel {
    Year(i32),
    FirstHalf(i32),
    SecondHalf(i32),
}

/// How a report period is written in JSON: what a reader needs, not the enum's internals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportPeriodJson {
    /// `2023`, `2023H1` or `2023H2`.
    pub code: String,
    /// Dutch: `2023`, `1e helft 2023`.
    pub title: String,
    pub year: i32,
}

impl Serialize for ReportPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ReportPeriodJson {
            code: self.code(),
            title: self.title_nl(),
            year: self.year(),
        }
        .serialize(s)
    }
}

impl ReportPeriod {
    /// Parses `2023`, `2023H1` or `2023H2`.
    pub fn parse(s: &str) -> Result<ReportPeriod, String> {
        let s = s.trim();
        let bad = || format!("period '{s}' is not a year (2023) or half-year (2023H1, 2023H2)");
        if !s.is_ascii() {
            return Err(bad());
        }
        let (year, half) = match s.len() {
            4 => (s, None),
            6 => (&s[..4], Some(&s[4..])),
            _ => return Err(bad()),
        };
        // Digits only (`parse` would take a sign) and the years a month may lie in.
        let year: i32 = Some(year)
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|y| y.parse().ok())
            .filter(|y| YEARS.contains(y))
            .ok_or_else(bad)?;
        let (label, from, to) = match half.map(str::to_ascii_uppercase).as_deref() {
            None => (PeriodLabel::Year(year), 1, 12),
            Some("H1") => (PeriodLabel::FirstHalf(year), 1, 6),
            Some("H2") => (PeriodLabel::SecondHalf(year), 7, 12),
            Some(_) => return Err(bad()),
        };
        Ok(ReportPeriod {
            label,
            range: PeriodRange {
                from: Month { year, month: from },
                to: Month { year, month: to },
            },
        })
    }

    pub fn year(&self) -> i32 {
        self.range.from.year
    }

    pub fn code(&self) -> String {
        match self.label {
            PeriodLabel::Year(y) => y.to_string(),
            PeriodLabel::FirstHalf(y) => format!("{y}H1"),
            PeriodLabel::SecondHalf(y) => format!("{y}H2"),
        }
    }

    /// Dutch, for the report: `2023`, `1e helft 2023`, `2e helft 2023`.
    pub fn title_nl(&self) -> String {
        match self.label {
            PeriodLabel::Year(y) => y.to_string(),
            PeriodLabel::FirstHalf(y) => format!("1e helft {y}"),
            PeriodLabel::SecondHalf(y) => format!("2e helft {y}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_periods() {
        let p = ReportPeriod::parse("2023H2").unwrap();
        assert_eq!(
            (p.range.from.iso(), p.range.to.iso(), p.code()),
            ("2023-07".into(), "2023-12".into(), "2023H2".into())
        );
        assert_eq!(ReportPeriod::parse("2023").unwrap().range.len_months(), 12);
        assert_eq!(
            ReportPeriod::parse("2023h1").unwrap().range.to.iso(),
            "2023-06"
        );
        assert!(ReportPeriod::parse("2023H3").is_err());
        assert!(ReportPeriod::parse("23").is_err());
        // Multibyte input is refused, never sliced inside a character.
        assert!(ReportPeriod::parse("202€").is_err());
        assert!(ReportPeriod::parse("2023€").is_err());
    }
}
