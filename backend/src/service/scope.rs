//! Which areas a question is about: a boundary year (one area set; sets of different years
//! are never mixed) and a gemeente, or the whole set. Every analysis runs on the area cache of
//! its scope, so Gi*, KDE, coverage, patrol, indicators and the report are per gemeente
//! unless the user asks for all of them (`gemeente=alle`).

use crate::domain::{AreaCode, AreaLevel};
use serde::Deserialize;

/// The scope as a user gives it (query parameters).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeParams {
    /// CBS gemeente code (`GM0141`), or `alle` for every gemeente of the boundary year.
    /// Default: the one gemeente of the data, or the gemeente with the most offence figures.
    pub gemeente: Option<String>,
    /// CBS boundary year of the areas shown (`2021`). Default: the newest imported.
    pub indeling: Option<i64>,
}

/// Which gemeente, as asked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GemeenteChoice {
    /// The default (see [`ScopeParams::gemeente`]).
    Default,
    All,
    One(AreaCode),
}

/// A scope as asked, before it is resolved against the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub year: Option<i64>,
    pub gemeente: GemeenteChoice,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            year: None,
            gemeente: GemeenteChoice::Default,
        }
    }
}

impl Scope {
    /// The default year and the gemeente an area code lies in (the default gemeente when the
    /// code is absent or not a CBS code).
    pub fn of_area(code: Option<&str>) -> Scope {
        Scope {
            year: None,
            gemeente: match code.and_then(|c| AreaCode::parse(c).ok()) {
                Some(c) => GemeenteChoice::One(c.gemeente()),
                None => GemeenteChoice::Default,
            },
        }
    }

    /// Every gemeente of the newest boundary year.
    pub fn all() -> Scope {
        Scope {
            year: None,
            gemeente: GemeenteChoice::All,
        }
    }

    /// Parses the query parameters; a code that is not a gemeente code is a bad request.
    pub fn parse(p: &ScopeParams) -> Result<Scope, String> {
        let gemeente = match p.gemeente.as_deref().map(str::trim) {
            None | Some("") => GemeenteChoice::Default,
            Some(g) if g.eq_ignore_ascii_case("alle") || g.eq_ignore_ascii_case("all") => {
                GemeenteChoice::All
            }
            Some(g) => {
                let code = AreaCode::parse(g).map_err(|e| format!("gemeente: {e}"))?;
                if code.level() != AreaLevel::Gemeente {
                    return Err(format!(
                        "gemeente: {code} is not a gemeente code; use GM followed by 4 digits, or 'alle'"
                    ));
                }
                GemeenteChoice::One(code)
            }
        };
        if let Some(y) = p.indeling
            && !(0..=2100).contains(&y)
        {
            return Err(format!("indeling: {y} is not a boundary year"));
        }
        Ok(Scope {
            year: p.indeling,
            gemeente,
        })
    }
}

/// A scope resolved against the data: the year and gemeente it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResolvedScope {
    pub year: i64,
    /// `None` for every gemeente of the year.
    pub gemeente: Option<AreaCode>,
}

impl ResolvedScope {
    /// The boundary year, `None` for a set whose year is not known (stored as 0).
    pub fn boundary_year(&self) -> Option<i64> {
        (self.year != 0).then_some(self.year)
    }

    /// The same gemeente (or all) in another boundary year.
    pub fn in_year(&self, year: i64) -> Scope {
        Scope {
            year: Some(year),
            gemeente: match &self.gemeente {
                Some(g) => GemeenteChoice::One(g.clone()),
                None => GemeenteChoice::All,
            },
        }
    }

    /// Whether a point located in buurt `buurt` (none: outside every buurt) is in this scope.
    pub fn holds_point(&self, buurt: Option<&str>) -> bool {
        self.gemeente.is_none() || buurt.is_some_and(|b| self.holds(b))
    }

    /// Whether an area code lies in this scope.
    pub fn holds(&self, code: &str) -> bool {
        match (&self.gemeente, AreaCode::parse(code)) {
            (None, _) => true,
            (Some(g), Ok(c)) => c.gemeente() == *g,
            (Some(_), Err(_)) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(g: Option<&str>, y: Option<i64>) -> Result<Scope, String> {
        Scope::parse(&ScopeParams {
            gemeente: g.map(str::to_string),
            indeling: y,
        })
    }

    #[test]
    fn parses_gemeente_and_year() {
        assert_eq!(parse(None, None).unwrap(), Scope::default());
        assert_eq!(
            parse(Some("alle"), Some(2014)).unwrap().gemeente,
            GemeenteChoice::All
        );
        let s = parse(Some("gm0141"), Some(2021)).unwrap();
        assert_eq!(s.year, Some(2021));
        assert!(matches!(s.gemeente, GemeenteChoice::One(ref c) if c.as_str() == "GM0141"));
        assert!(
            parse(Some("WK014110"), None)
                .unwrap_err()
                .contains("not a gemeente")
        );
        assert!(parse(Some("Almelo"), None).is_err());
        assert!(parse(None, Some(-1)).is_err());
    }

    #[test]
    fn holds_codes_of_its_gemeente() {
        let s = ResolvedScope {
            year: 2021,
            gemeente: Some(AreaCode::parse("GM0141").unwrap()),
        };
        assert!(s.holds("BU01411000") && s.holds("WK014110") && s.holds("GM0141"));
        assert!(!s.holds("BU01530000") && !s.holds("nonsense"));
    }
}
