//! Areas form the CBS hierarchy gemeente → wijk → buurt, keyed by their CBS codes.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The level of an area in the CBS hierarchy.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    Gemeente,
    Wijk,
    Buurt,
}

impl AreaLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::Gemeente => "gemeente",
            AreaLevel::Wijk => "wijk",
            AreaLevel::Buurt => "buurt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "gemeente" => Some(AreaLevel::Gemeente),
            "wijk" => Some(AreaLevel::Wijk),
            "buurt" => Some(AreaLevel::Buurt),
            _ => None,
        }
    }
}

/// A validated CBS area code: `GM0141`, `WK014101` or `BU01410101`.
///
/// The code alone determines the level and the parent codes, because CBS builds buurt codes
/// from the wijk code and wijk codes from the gemeente code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Parses a code, tolerating the padding StatLine exports add (`"WK014110  "`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let ok = match code.get(..2) {
            Some("GM") => digits(&code[2..], 4),
            Some("WK") => digits(&code[2..], 6),
            Some("BU") => digits(&code[2..], 8),
            _ => false,
        };
        if ok {
            Ok(AreaCode(code))
        } else {
            Err(format!(
                "'{}' is not a CBS area code (expected GM + 4 digits, WK + 6 or BU + 8, e.g. BU01410101)",
                raw.trim()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> AreaLevel {
        match &self.0[..2] {
            "GM" => AreaLevel::Gemeente,
            "WK" => AreaLevel::Wijk,
            _ => AreaLevel::Buurt,
        }
    }

    /// The code of the enclosing area, derived from the code structure (`BUggggwwbb`).
    pub fn parent(&self) -> Option<AreaCode> {
        match self.level() {
            AreaLevel::Gemeente => None,
            AreaLevel::Wijk => Some(AreaCode(format!("GM{}", &self.0[2..6]))),
            AreaLevel::Buurt => Some(AreaCode(format!("WK{}", &self.0[2..8]))),
        }
    }

    /// The integer id of this area's features in the vector tiles (and of its figures, which the
    /// map joins to them): the code's digits. Unique within a level, which is one tile source.
    ///
    /// ```
    /// use wijkveilig::domain::AreaCode;
    /// assert_eq!(AreaCode::parse("BU01410101").unwrap().tile_id(), 1_410_101);
    /// assert_eq!(AreaCode::parse("WK014101").unwrap().tile_id(), 14_101);
    /// assert_eq!(AreaCode::parse("GM0141").unwrap().tile_id(), 141);
    /// ```
    pub fn tile_id(&self) -> u64 {
        // `parse` guarantees 4, 6 or 8 ASCII digits after the prefix.
        self.0[2..]
            .bytes()
            .fold(0, |n, b| n * 10 + u64::from(b - b'0'))
    }

    /// The gemeente code this area belongs to.
    pub fn gemeente(&self) -> AreaCode {
        AreaCode(format!("GM{}", &self.0[2..6]))
    }

    /// Whether `other` is this area or lies inside it, by the CBS code structure: a buurt lies
    /// in its wijk ([`AreaCode::parent`]) and in its gemeente ([`AreaCode::gemeente`]).
    ///
    /// ```
    /// use wijkveilig::domain::AreaCode;
    /// let wk = AreaCode::parse("WK014101").unwrap();
    /// assert!(wk.contains(&AreaCode::parse("BU01410107").unwrap()));
    /// assert!(!wk.contains(&AreaCode::parse("BU01410201").unwrap()));
    /// assert!(AreaCode::parse("GM0141").unwrap().contains(&wk));
    /// ```
    pub fn contains(&self, other: &AreaCode) -> bool {
        match self.level() {
            AreaLevel::Gemeente => other.gemeente() == *self,
            AreaLevel::Wijk => other == self || other.parent().as_ref() == Some(self),
            AreaLevel::Buurt => other == self,
        }
    }
}

impl TryFrom<String> for AreaCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AreaCode::parse(&s)
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One area with its boundary in WGS84 (lon/lat, RFC 7946 ring order).
#[derive(Debug, Clone)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    pub parent: Option<AreaCode>,
    pub population: Option<i64>,
    pub geometry: MultiPolygon<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_know_their_parents() {
        let bu = AreaCode::parse("BU01412109").unwrap();
        assert_eq!(bu.level(), AreaLevel::Buurt);
        assert_eq!(bu.parent().unwrap().as_str(), "WK014121");
        assert_eq!(bu.gemeente().as_str(), "GM0141");
        assert_eq!(AreaCode::parse("WK014110  ").unwrap().as_str(), "WK014110");
        assert!(AreaCode::parse("BU0141").is_err());
        assert!(AreaCode::parse("XX01410101").is_err());
    }
}
