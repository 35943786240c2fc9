//! CBS code lists shipped with the program, so codes show their Dutch names even when a
//! download has no label column and no gemeente polygon is imported: the `SoortMisdrijf`
//! dimension of 47018NED/47022NED, and the gemeenten of each boundary year. Sources and
//! counts: `backend/data/SOURCES.md`.
//!
//! ```
//! use wijkveilig::domain::code_lists::{crime_type_title, gemeente_name};
//! assert_eq!(crime_type_title("0.0.0"), Some("Totaal misdrijven"));
//! assert_eq!(gemeente_name("GM0141", Some(2021)), Some("Almelo"));
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

const SOORT_MISDRIJF: &str = include_str!("../../data/soort-misdrijf.csv");
const GEMEENTEN: &str = include_str!("../../data/gemeenten.csv");

/// One `SoortMisdrijf` code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrimeTypeEntry {
    pub code: &'static str,
    /// The Dutch title without the leading code ("Diefstal/inbraak woning").
    pub title: &'static str,
    pub parent: Option<&'static str>,
}

/// Semicolon rows after the header, blank lines skipped.
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(';').map(str::trim).collect())
}

static CRIME_TYPES: LazyLock<Vec<CrimeTypeEntry>> = LazyLock::new(|| {
    rows(SOORT_MISDRIJF)
        .filter_map(|r| {
            let (code, title) = (*r.first()?, *r.get(1)?);
            Some(CrimeTypeEntry {
                code,
                title: title.strip_prefix(code).unwrap_or(title).trim(),
                parent: r.get(2).copied().filter(|p| !p.is_empty()),
            })
        })
        .collect()
});

/// year → code → name.
static GEMEENTE_NAMES: LazyLock<HashMap<i64, HashMap<&'static str, &'static str>>> =
    LazyLock::new(|| {
        let mut out: HashMap<i64, HashMap<&'static str, &'static str>> = HashMap::new();
        for r in rows(GEMEENTEN) {
            if let (Some(Ok(year)), Some(code), Some(name)) =
                (r.first().map(|y| y.parse()), r.get(1), r.get(2))
            {
                out.entry(year).or_default().insert(code, name);
            }
        }
        out
    });

/// Every shipped `SoortMisdrijf` code, in the published order.
pub fn crime_types() -> &'static [CrimeTypeEntry] {
    &CRIME_TYPES
}

/// The Dutch title of a `SoortMisdrijf` code.
pub fn crime_type_title(code: &str) -> Option<&'static str> {
    CRIME_TYPES.iter().find(|e| e.code == code).map(|e| e.title)
}

/// The code whose title is `label` ("Diefstal/inbraak woning" or "1.1.1 Diefstal/inbraak
/// woning"), case-insensitive.
pub fn crime_type_by_title(label: &str) -> Option<&'static str> {
    let label = label.trim();
    CRIME_TYPES
        .iter()
        .find(|e| {
            e.title.eq_ignore_ascii_case(label)
                || label
                    .strip_prefix(e.code)
                    .is_some_and(|rest| rest.trim().eq_ignore_ascii_case(e.title))
        })
        .map(|e| e.code)
}

/// The years the gemeente list covers.
pub fn gemeente_years() -> Vec<i64> {
    let mut years: Vec<i64> = GEMEENTE_NAMES.keys().copied().collect();
    years.sort_unstable();
    years
}

/// A gemeente's name in a boundary year; without a year (or for a year the list lacks), the
/// name of the nearest listed year that has the code.
pub fn gemeente_name(code: &str, year: Option<i64>) -> Option<&'static str> {
    if let Some(name) = year.and_then(|y| GEMEENTE_NAMES.get(&y)?.get(code)) {
        return Some(name);
    }
    let target = year.unwrap_or(i64::MAX);
    let mut years = gemeente_years();
    years.sort_by_key(|y| (y - target).abs());
    years
        .into_iter()
        .find_map(|y| GEMEENTE_NAMES.get(&y)?.get(code).copied())
}

/// The code of the gemeente called `name` in a boundary year (or any listed year).
pub fn gemeente_by_name(name: &str, year: Option<i64>) -> Option<&'static str> {
    let name = name.trim();
    let mut years = gemeente_years();
    if let Some(y) = year {
        years.sort_by_key(|x| (x - y).abs());
    } else {
        years.reverse();
    }
    years.into_iter().find_map(|y| {
        GEMEENTE_NAMES
            .get(&y)?
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(c, _)| *c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_a_tree_under_the_total() {
        let all = crime_types();
        assert!(all.len() > 50, "{}", all.len());
        assert_eq!(all[0].code, "0.0.0");
        for e in &all[1..] {
            let p = e.parent.expect("every code but the total has a parent");
            assert!(all.iter().any(|x| x.code == p), "{} → {p}", e.code);
            assert!(!e.title.is_empty() && !e.title.starts_with(e.code), "{e:?}");
        }
        assert_eq!(
            crime_type_by_title("1.1.1 Diefstal/inbraak woning"),
            Some("1.1.1")
        );
        assert_eq!(
            crime_type_by_title("diefstal/inbraak woning"),
            Some("1.1.1")
        );
    }

    #[test]
    fn gemeente_names_by_year() {
        assert!(gemeente_years().contains(&2021));
        assert_eq!(gemeente_name("GM0141", None), Some("Almelo"));
        assert_eq!(gemeente_by_name("almelo", Some(2024)), Some("GM0141"));
        assert_eq!(gemeente_name("GM9999", Some(2021)), None);
    }
}
