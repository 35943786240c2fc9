//! The rules a record's fields obey whichever way the record arrives: a camera saved through
//! the API (`service::planning`) and the cameras, enforcement actions, initiatives and
//! incidents the importers read (`ingest::registrations`) call these same functions, so a
//! value one path refuses the other refuses too. Each rule returns the normalised value or an
//! [`Invalid`] that says what is wrong and what to write instead; the caller adds where
//! (the API's field, the importer's file, line and field).
//!
//! ```
//! use wijkveilig::domain::validate;
//! assert_eq!(validate::id("cam-01").unwrap(), "cam-01");
//! assert!(validate::id("../../etc/passwd").is_err());
//! assert!(validate::name("Amalia\r\nplein").is_err());
//! assert!(validate::date("2023-02-29").is_err());
//! assert_eq!(validate::word("Public_Space").unwrap(), "public_space");
//! ```

use super::period::YEARS;
use std::borrow::Cow;
use std::fmt;
use time::Date;

/// The longest id: enough for any municipal system's keys, short enough for a URL path.
pub const MAX_ID_CHARS: usize = 64;
/// The longest name: a street, square or group name with room to spare.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest code word (a domain or kind such as `public_space`).
pub const MAX_WORD_CHARS: usize = 40;

/// Why a value is refused and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub problem: String,
    pub fix: &'static str,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.problem, self.fix)
    }
}

impl std::error::Error for Invalid {}

fn invalid(problem: impl Into<String>, fix: &'static str) -> Invalid {
    Invalid {
        problem: problem.into(),
        fix,
    }
}

/// A value as it may be shown in a message: control and format characters escaped (so that
/// a refused value cannot break a terminal line or reorder the text around it), cut at 40
/// characters.
pub fn shown(raw: &str) -> String {
    match raw.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", escaped(&raw[..cut])),
        None => escaped(raw).into_owned(),
    }
}

/// Text with its control and format characters written as `\u{…}` escapes.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || is_format(c)) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() || is_format(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Invisible characters that change how text is laid out or read: bidirectional overrides,
/// embeddings and isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F and
/// U+061C), zero-width characters and the byte-order mark.
pub fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

const ID_FIX: &str =
    "use 1 to 64 letters, digits, '-', '_' or '.' (not starting with '.', no '..')";

/// A record's id: 1–[`MAX_ID_CHARS`] ASCII letters, digits, `-`, `_` or `.`, not starting
/// with `.` and without `..`. Ids end up in URL paths (`/api/cameras/{id}`) and file names,
/// so nothing that walks a path or hides in the text is let through.
pub fn id(raw: &str) -> Result<&str, Invalid> {
    if raw.is_empty() {
        return Err(invalid("the id is empty", ID_FIX));
    }
    if let Some(c) = raw
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(invalid(
            format!(
                "the id '{}' contains {}",
                shown(raw),
                if c.is_ascii_graphic() {
                    format!("'{c}'")
                } else {
                    format!("the character U+{:04X}", c as u32)
                }
            ),
            ID_FIX,
        ));
    }
    if raw.len() > MAX_ID_CHARS {
        return Err(invalid(
            format!("the id is {} characters long", raw.len()),
            ID_FIX,
        ));
    }
    if raw.starts_with('.') || raw.contains("..") {
        return Err(invalid(
            format!("the id '{raw}' starts with '.' or contains '..'"),
            ID_FIX,
        ));
    }
    Ok(raw)
}

/// A name as shown on the map and in exports: not empty, at most [`MAX_NAME_CHARS`]
/// characters, without control characters (a CR or LF would split a CSV row) or invisible
/// format characters (a right-to-left override would show the text reversed). Returns it
/// trimmed.
pub fn name(raw: &str) -> Result<&str, Invalid> {
    const FIX: &str = "write the name on one line, as plain text of at most 200 characters";
    let name = raw.trim();
    if name.is_empty() {
        return Err(invalid("the name is empty", FIX));
    }
    if let Some((i, c)) = name
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() || is_format(c))
    {
        let what = match c {
            '\r' => "a carriage return (CR)".to_string(),
            '\n' => "a line break (LF)".to_string(),
            '\t' => "a tab".to_string(),
            c if c.is_control() => format!("the control character U+{:04X}", c as u32),
            c => format!("the invisible format character U+{:04X}", c as u32),
        };
        return Err(invalid(
            format!(
                "the name '{}' contains {what} at character {}",
                shown(name),
                i + 1
            ),
            FIX,
        ));
    }
    let n = name.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(invalid(format!("the name is {n} characters long"), FIX));
    }
    Ok(name)
}

/// A calendar date written `YYYY-MM-DD` (ISO 8601), a real day in the years periods cover
/// (1900–2200): `2023-02-30`, `23-2-1`, `+2023-01-01` and ` 2023-01-01` are refused.
pub fn date(s: &str) -> Result<Date, Invalid> {
    const FIX: &str = "write dates as YYYY-MM-DD, e.g. 2023-02-14";
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, &c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return Err(invalid(format!("'{}' is not a date", shown(s)), FIX));
    }
    // The shape check leaves ASCII digits only, so these slices and parses cannot fail.
    let num = |r: std::ops::Range<usize>| s[r].parse::<u16>().unwrap_or(0);
    let (y, m, d) = (i32::from(num(0..4)), num(5..7) as u8, num(8..10) as u8);
    if !YEARS.contains(&y) {
        return Err(invalid(
            format!("'{s}' lies outside the years 1900–2200"),
            FIX,
        ));
    }
    time::Month::try_from(m)
        .ok()
        .and_then(|m| Date::from_calendar_date(y, m, d).ok())
        .ok_or_else(|| invalid(format!("'{s}' is not a calendar date"), FIX))
}

/// A code word such as an enforcement `domain` or an initiative `kind`: a lower-case word of
/// ASCII letters, digits, `_` and `-`, starting with a letter, at most [`MAX_WORD_CHARS`]
/// characters. Upper-case letters are lowered (`Public_Space` is `public_space`).
pub fn word(raw: &str) -> Result<String, Invalid> {
    const FIX: &str = "use one lower-case word of letters, digits and '_', e.g. public_space";
    let w = raw.trim().to_ascii_lowercase();
    let ok = w.len() <= MAX_WORD_CHARS
        && w.starts_with(|c: char| c.is_ascii_lowercase())
        && w.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'));
    if ok {
        Ok(w)
    } else {
        Err(invalid(
            format!("'{}' is not a code word", shown(raw.trim())),
            FIX,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in [
            "cam-01",
            "h-2017-0001",
            "i.000001",
            "A_b.c-9",
            "x".repeat(64).as_str(),
        ] {
            assert_eq!(id(ok), Ok(ok));
        }
        for bad in [
            "",
            "../../etc/passwd",
            "a/b",
            "a..b",
            ".hidden",
            "cam 1",
            "cam\u{202E}1",
            "cam\r\n1",
            "<b>",
            "kaméra",
            "x".repeat(65).as_str(),
        ] {
            let e = id(bad).unwrap_err();
            assert!(!e.problem.contains(['\r', '\n', '\u{202E}']), "{e}");
        }
        assert!(
            id("cam\u{202E}1").unwrap_err().problem.contains("U+202E"),
            "names the character"
        );
    }

    #[test]
    fn names() {
        assert_eq!(name("  Amaliaplein "), Ok("Amaliaplein"));
        assert_eq!(
            name("’s-Gravenhage – Binnenhof €"),
            Ok("’s-Gravenhage – Binnenhof €")
        );
        assert!(name(&"é".repeat(200)).is_ok(), "characters, not bytes");
        assert!(name(&"é".repeat(201)).is_err());
        assert!(name("   ").is_err());
        let e = name("Amalia\r\nplein").unwrap_err();
        assert!(e.problem.contains("carriage return") && e.problem.contains("character 7"));
        assert!(
            !e.problem.contains('\r'),
            "the message itself stays one line"
        );
        let e = name("abc\u{202E}fed").unwrap_err();
        assert!(e.problem.contains("U+202E") && !e.problem.contains('\u{202E}'));
        assert!(name("a\u{0}b").is_err());
        assert!(name("a\u{2066}b").is_err());
        assert!(name("a\tb").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(date("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(date("2023-12-31").unwrap().to_string(), "2023-12-31");
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "01-02-2023",
            "2023-2-14",
            "+2023-01-01",
            "2023-01-01T00:00",
            " 2023-01-01",
            "1899-12-31",
            "2201-01-01",
            "202€-01-01",
            "２０２３-01-01",
            "",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(word("public_space").unwrap(), "public_space");
        assert_eq!(word(" Foot_Patrol ").unwrap(), "foot_patrol");
        assert_eq!(word("dog-walkers2").unwrap(), "dog-walkers2");
        for bad in [
            "",
            "<script>",
            "two words",
            "2fast",
            "_x",
            "wijk/buurt",
            "café",
            "a".repeat(41).as_str(),
        ] {
            assert!(word(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shown_escapes_and_cuts() {
        assert_eq!(shown("a\nb\u{202E}"), "a\\u{000A}b\\u{202E}");
        assert_eq!(shown(&"x".repeat(50)).chars().count(), 41);
    }
}
