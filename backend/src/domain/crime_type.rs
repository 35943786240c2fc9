//! CBS crime types (`SoortMisdrijf`): a three-level police classification such as `1.1.1`,
//! with `0.0.0` for the total of all types.

use serde::Serialize;

/// The code of the total over all crime types. Never add it to its parts.
pub const TOTAL: &str = "0.0.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrimeType {
    pub code: String,
    pub title: String,
}

impl CrimeType {
    /// Normalises a StatLine key (`"1.1.1 "`) and checks its form.
    pub fn parse_code(raw: &str) -> Result<String, String> {
        let code = raw.trim();
        let parts: Vec<&str> = code.split('.').collect();
        let ok = !parts.is_empty()
            && parts.len() <= 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(code.to_string())
        } else {
            Err(format!(
                "'{code}' is not a CBS SoortMisdrijf code (expected e.g. 1.1.1, or 0.0.0 for the total)"
            ))
        }
    }

    /// The parent in the hierarchy: `1.1.1` → `1.1` → `1`; the total and top levels have none.
    pub fn parent_code(code: &str) -> Option<String> {
        if code == TOTAL {
            return None;
        }
        code.rfind('.').map(|i| code[..i].to_string())
    }

    /// Depth in the hierarchy (1 for `1`, 3 for `1.1.1`, 0 for the total).
    pub fn level(code: &str) -> usize {
        if code == TOTAL {
            0
        } else {
            code.split('.').count()
        }
    }

    /// Whether `code` is `selector` itself or lies below it (`1.1` selects `1.1.1` and `1.1.2`).
    pub fn is_within(code: &str, selector: &str) -> bool {
        code == selector
            || (code.starts_with(selector) && code.as_bytes().get(selector.len()) == Some(&b'.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy() {
        assert_eq!(CrimeType::parse_code("1.1.1 ").unwrap(), "1.1.1");
        assert!(CrimeType::parse_code("1.a").is_err());
        assert_eq!(CrimeType::parent_code("1.1.1").as_deref(), Some("1.1"));
        assert_eq!(CrimeType::parent_code(TOTAL), None);
        assert!(CrimeType::is_within("1.1.1", "1.1"));
        assert!(!CrimeType::is_within("1.11.1", "1.1"));
    }
}
