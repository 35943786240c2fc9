//! The StatLine *website's* CSV download, beside the OData export: Dutch column headers
//! ("Wijken en buurten", "Soort misdrijf", "Perioden", "Geregistreerde misdrijven (aantal)"),
//! labels instead of codes ("Binnenstad Noord", "Totaal misdrijven", "2023", "2023 april"),
//! and CBS's symbols for cells without a figure (read by [`super::table::Row::count`]).
//! A label is turned back into its code here: areas by the imported boundaries' names (and,
//! when the download has them, the "Soort regio" and "Gemeentenaam" columns that tell equal
//! names apart), crime types by the shipped code list, periods by their Dutch words.

use crate::domain::code_lists;
use crate::domain::{AreaCode, AreaLevel, Period};
use std::collections::HashMap;

/// Dutch month names as StatLine writes them in period labels.
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A period label: "2023", "2023*" (provisional), "2023 april", "2023 apr", or a CBS code.
pub fn period_label(raw: &str) -> Option<Period> {
    let s = raw.trim().trim_end_matches('*').trim();
    if let Some(p) = Period::parse(s) {
        return Some(p);
    }
    let mut words = s.split_whitespace();
    let year: i32 = words.next()?.parse().ok()?;
    let code = match words.next() {
        None => format!("{year}JJ00"),
        Some(m) => {
            let m = m.trim_end_matches('*').to_lowercase();
            let month = MONTHS
                .iter()
                .position(|name| m.len() >= 3 && name.starts_with(m.as_str()))?;
            format!("{year}MM{:02}", month + 1)
        }
    };
    if words.next().is_some() {
        return None;
    }
    Period::parse(&code)
}

/// A crime-type label: "Totaal misdrijven", "1.1.1 Diefstal/inbraak woning", or a code.
pub fn crime_type_label(raw: &str) -> Option<String> {
    let s = raw.trim();
    if let Some(code) = code_lists::crime_type_by_title(s) {
        return Some(code.to_string());
    }
    // A label that starts with a code the list lacks ("9.9.9 Nieuw"): keep the code.
    let first = s.split_whitespace().next()?;
    crate::domain::CrimeType::parse_code(first).ok()
}

/// A name as compared: lower case, CBS's abbreviation "e.o." spelt out, punctuation and
/// repeated spaces dropped ("Vriezenveenseweg e.o. Haghoek Oost" in 47018NED is
/// "Vriezenveenseweg en omgeving Haghoek Oost" on the 2021 buurtkaart).
fn name_key(name: &str) -> String {
    let lower = name.trim().to_lowercase().replace("e.o.", " en omgeving ");
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Area names of the imported boundaries, to turn region labels into codes.
#[derive(Debug, Default, Clone)]
pub struct AreaNames {
    /// lower-case name → every (code, level) that carries it.
    by_name: HashMap<String, Vec<AreaCode>>,
}

impl AreaNames {
    /// From (code, name) pairs of the stored areas; gemeenten are named from the shipped list
    /// too, because boundary files often hold only wijken and buurten.
    pub fn new(areas: impl IntoIterator<Item = (AreaCode, String)>) -> AreaNames {
        let mut by_name: HashMap<String, Vec<AreaCode>> = HashMap::new();
        let mut gemeenten = Vec::new();
        for (code, name) in areas {
            gemeenten.push(code.gemeente());
            let codes = by_name.entry(name_key(&name)).or_default();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        gemeenten.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        gemeenten.dedup();
        for g in gemeenten {
            if let Some(name) = code_lists::gemeente_name(g.as_str(), None) {
                let codes = by_name.entry(name_key(name)).or_default();
                if !codes.contains(&g) {
                    codes.push(g);
                }
            }
        }
        AreaNames { by_name }
    }

    /// The code of a region label. `level` ("Buurt", "Wijk", "Gemeente", from a "Soort regio"
    /// column) and `gemeente` (a "Gemeentenaam" column) narrow equal names down.
    pub fn resolve(
        &self,
        label: &str,
        level: Option<&str>,
        gemeente: Option<&str>,
    ) -> Result<AreaCode, String> {
        let label = label.trim();
        if let Ok(code) = AreaCode::parse(label) {
            return Ok(code);
        }
        let level = level.and_then(|l| AreaLevel::parse(&l.trim().to_lowercase()));
        let gemeente = gemeente
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .and_then(|g| code_lists::gemeente_by_name(g, None));
        let found: Vec<&AreaCode> = self
            .by_name
            .get(&name_key(label))
            .into_iter()
            .flatten()
            .filter(|c| level.is_none_or(|l| c.level() == l))
            .filter(|c| gemeente.is_none_or(|g| c.gemeente().as_str() == g))
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "no imported area is called '{label}'{}",
                level.map_or(String::new(), |l| format!(" ({})", l.as_str()))
            )),
            many => Err(format!(
                "'{label}' names {} areas ({})",
                many.len(),
                many.iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_from_labels() {
        assert_eq!(period_label("2023").unwrap().cbs_code(), "2023JJ00");
        assert_eq!(period_label("2024*").unwrap().cbs_code(), "2024JJ00");
        assert_eq!(period_label("2023 april").unwrap().cbs_code(), "2023MM04");
        assert_eq!(period_label("2023 okt").unwrap().cbs_code(), "2023MM10");
        assert_eq!(period_label("2023MM04").unwrap().cbs_code(), "2023MM04");
        assert!(period_label("april").is_none());
        assert!(period_label("2023 ma").is_none());
        assert!(period_label("202€").is_none());
    }

    #[test]
    fn names_resolve_with_level_and_gemeente() {
        let code = |s: &str| AreaCode::parse(s).unwrap();
        let names = AreaNames::new([
            (code("WK014110"), "Binnenstad".to_string()),
            (code("BU01411000"), "Binnenstad Noord".to_string()),
            (code("BU01412000"), "Aadorp".to_string()),
            (code("WK014120"), "Aadorp".to_string()),
        ]);
        assert_eq!(
            names.resolve("Binnenstad Noord", None, None),
            Ok(code("BU01411000"))
        );
        assert_eq!(
            names.resolve("binnenstad  noord.", None, None),
            Ok(code("BU01411000"))
        );
        assert_eq!(names.resolve("Almelo", None, None), Ok(code("GM0141")));
        assert!(
            names
                .resolve("Aadorp", None, None)
                .unwrap_err()
                .contains("2 areas")
        );
        assert_eq!(
            names.resolve("Aadorp", Some("Wijk"), None),
            Ok(code("WK014120"))
        );
        assert_eq!(
            names.resolve("Aadorp", Some("Buurt"), Some("Almelo")),
            Ok(code("BU01412000"))
        );
        assert!(names.resolve("Enschede-Noord", None, None).is_err());
        assert_eq!(
            crime_type_label("Totaal misdrijven").as_deref(),
            Some("0.0.0")
        );
        assert_eq!(
            crime_type_label("1.1.1 Diefstal/inbraak woning").as_deref(),
            Some("1.1.1")
        );
    }
}
