//! Periods: a CBS period code is a year (`2023JJ00`) or a month (`2023MM04`), and users
//! choose a range of months.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::RangeInclusive;

/// The years a period, and a date in a record, may lie in.
pub const YEARS: RangeInclusive<i32> = 1900..=2200;

/// A calendar month. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u8,
}

impl Month {
    pub fn new(year: i32, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && YEARS.contains(&year)).then_some(Month { year, month })
    }

    /// Months since year 0, so that ranges can be measured and shifted with integers.
    pub fn index(self) -> i32 {
        self.year * 12 + (self.month as i32 - 1)
    }

    pub fn from_index(i: i32) -> Self {
        Month {
            year: i.div_euclid(12),
            month: (i.rem_euclid(12) + 1) as u8,
        }
    }

    pub fn plus(self, months: i32) -> Self {
        Month::from_index(self.index() + months)
    }

    /// The month's last day.
    ///
    /// ```
    /// use wijkveilig::domain::Month;
    /// assert_eq!(Month { year: 2024, month: 2 }.last_day().to_string(), "2024-02-29");
    /// assert_eq!(Month { year: 2023, month: 12 }.last_day().to_string(), "2023-12-31");
    /// ```
    pub fn last_day(self) -> time::Date {
        let m = time::Month::try_from(self.month).unwrap_or(time::Month::January);
        time::Date::from_calendar_date(self.year, m, m.length(self.year)).unwrap_or(time::Date::MIN)
    }

    /// `YYYY-MM`, the form the API and the URL use.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Parses `YYYY-MM` or the CBS code `YYYYMMnn`.
    pub fn parse(s: &str) -> Option<Self> {
        match Period::parse(s)? {
            Period::Month(m) => Some(m),
            Period::Year(_) => None,
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The period a count refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Month(Month),
}

impl Period {
    /// Parses a CBS period code (`2023JJ00`, `2023MM04`), `YYYY-MM` or `YYYY`.
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw.trim();
        // Every form below is ASCII; checking first keeps the byte slicing on char boundaries.
        if !s.is_ascii() {
            return None;
        }
        // Digits only: `str::parse` alone would also take a sign (`2023MM+4`).
        let digits = |t: &str, n: usize| -> Option<i32> {
            (t.len() == n && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())?
        };
        let year = |t: &str| digits(t, 4);
        let month = |t: &str| u8::try_from(digits(t, 2)?).ok();
        if s.len() == 8 {
            let y = year(&s[..4])?;
            return match &s[4..6] {
                "JJ" if &s[6..] == "00" => Some(Period::Year(y)),
                "MM" => Month::new(y, month(&s[6..])?).map(Period::Month),
                _ => None,
            };
        }
        if s.len() == 7 && s.as_bytes()[4] == b'-' {
            return Month::new(year(&s[..4])?, month(&s[5..])?).map(Period::Month);
        }
        if s.len() == 4 {
            let y = year(s)?;
            return Month::new(y, 1).map(|_| Period::Year(y));
        }
        None
    }

    /// The CBS code, which is also the storage key.
    pub fn cbs_code(self) -> String {
        match self {
            Period::Year(y) => format!("{y:04}JJ00"),
            Period::Month(m) => format!("{:04}MM{:02}", m.year, m.month),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) => y,
            Period::Month(m) => m.year,
        }
    }
}

/// An inclusive range of months, the unit users choose periods in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeriodRange {
    pub from: Month,
    pub to: Month,
}

impl PeriodRange {
    pub fn new(from: Month, to: Month) -> Result<Self, String> {
        if from > to {
            return Err(format!("the period starts ({from}) after it ends ({to})"));
        }
        Ok(PeriodRange { from, to })
    }

    pub fn year(y: i32) -> Self {
        PeriodRange {
            from: Month { year: y, month: 1 },
            to: Month { year: y, month: 12 },
        }
    }

    /// Parses the API's `from`/`to` pair; a year as `from` means January, as `to` December.
    pub fn parse(from: &str, to: &str) -> Result<Self, String> {
        let bad = |s: &str| {
            format!("'{s}' is not a period: use YYYY-MM, YYYY or a CBS code like 2023MM04")
        };
        let from_m = match Period::parse(from).ok_or_else(|| bad(from))? {
            Period::Year(y) => Month { year: y, month: 1 },
            Period::Month(m) => m,
        };
        let to_m = match Period::parse(to).ok_or_else(|| bad(to))? {
            Period::Year(y) => Month { year: y, month: 12 },
            Period::Month(m) => m,
        };
        PeriodRange::new(from_m, to_m)
    }

    pub fn len_months(self) -> i32 {
        self.to.index() - self.from.index() + 1
    }

    /// The range of the same length that ends just before this one starts.
    pub fn previous(self) -> Self {
        let n = self.len_months();
        PeriodRange {
            from: self.from.plus(-n),
            to: self.to.plus(-n),
        }
    }

    /// The same months a year earlier.
    pub fn year_earlier(self) -> Self {
        PeriodRange {
            from: self.from.plus(-12),
            to: self.to.plus(-12),
        }
    }

    pub fn contains(self, m: Month) -> bool {
        self.from <= m && m <= self.to
    }

    /// Whether the whole calendar year `y` lies inside the range, so a yearly count may stand
    /// in for it.
    pub fn covers_year(self, y: i32) -> bool {
        self.from <= Month { year: y, month: 1 } && Month { year: y, month: 12 } <= self.to
    }

    pub fn months(self) -> impl Iterator<Item = Month> {
        (self.from.index()..=self.to.index()).map(Month::from_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cbs_codes() {
        assert_eq!(Period::parse("2023JJ00"), Some(Period::Year(2023)));
        assert_eq!(
            Period::parse("2023MM04"),
            Some(Period::Month(Month {
                year: 2023,
                month: 4
            }))
        );
        assert_eq!(Period::parse("2023-04"), Period::parse("2023MM04"));
        assert_eq!(Period::parse("2023MM13"), None);
        assert_eq!(Period::parse("2023KW01"), None);
        assert_eq!(Period::Year(2023).cbs_code(), "2023JJ00");
        // A sign is not a digit (`str::parse` takes one); the fuzz property wants canonical input.
        assert_eq!(Period::parse("2023MM+4"), None);
        assert_eq!(Period::parse("2023-+4"), None);
    }

    #[test]
    fn previous_period_has_the_same_length() {
        let r = PeriodRange::parse("2023-03", "2023-05").unwrap();
        let p = r.previous();
        assert_eq!(
            (p.from.iso(), p.to.iso()),
            ("2022-12".into(), "2023-02".into())
        );
        assert_eq!(
            PeriodRange::parse("2023", "2023").unwrap().previous(),
            PeriodRange::year(2022)
        );
        assert!(PeriodRange::parse("2023-05", "2023-01").is_err());
    }
}
