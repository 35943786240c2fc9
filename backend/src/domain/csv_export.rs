//! The one convention every CSV download follows, so that Dutch Excel opens it as meant:
//! `;` between fields, a decimal comma, UTF-8 with a byte-order mark, CRLF line ends, and
//! no cell a spreadsheet would run as a formula.
//!
//! ```
//! use wijkveilig::domain::csv_export::{DutchCsv, decimal};
//! let mut csv = DutchCsv::new(&["naam", "score"]);
//! csv.row(&["=HYPERLINK(\"x\")".to_string(), decimal(12.437, 3)]);
//! let text = csv.finish();
//! assert!(text.starts_with('\u{feff}'));
//! assert!(text.contains("'=HYPERLINK"));
//! assert!(text.contains("12,437"));
//! ```

use std::borrow::Cow;

/// Neutralises a cell a spreadsheet would evaluate (`= + - @`, tab, carriage return) with a
/// leading apostrophe (OWASP, CSV injection).
pub fn csv_safe(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// One text cell as written: on one line (a line break is a space, so a row stays one line),
/// neutralised by [`csv_safe`], and quoted when it was neutralised or holds `;` or `"`. The
/// frontend's `csvCell` (frontend/src/csv.ts) writes the same.
///
/// ```
/// use wijkveilig::domain::csv_export::cell;
/// assert_eq!(cell("Binnenstad"), "Binnenstad");
/// assert_eq!(cell("=1+1"), "\"'=1+1\"");
/// assert_eq!(cell("zeg \"hoi\"; nu"), "\"zeg \"\"hoi\"\"; nu\"");
/// assert_eq!(cell("\r\n=2"), "  =2");
/// ```
pub fn cell(text: &str) -> String {
    let one = text.replace(['\r', '\n'], " ");
    let safe = csv_safe(&one);
    if matches!(safe, Cow::Owned(_)) || safe.contains([';', '"']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe.into_owned()
    }
}

/// A number with a decimal comma and `digits` decimals, without thousands grouping.
pub fn decimal(v: f64, digits: usize) -> String {
    format!("{v:.digits$}").replace('.', ",")
}

/// A CSV in the Dutch convention, built row by row. Written by hand rather than by the csv
/// crate's writer, which cannot quote one cell because it was neutralised.
pub struct DutchCsv {
    text: String,
}

impl DutchCsv {
    pub fn new(header: &[&str]) -> DutchCsv {
        let mut csv = DutchCsv {
            text: "\u{feff}".to_string(),
        };
        csv.line(header.iter().copied());
        csv
    }

    fn line<'a>(&mut self, cells: impl Iterator<Item = &'a str>) {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                self.text.push(';');
            }
            self.text.push_str(&cell(c));
        }
        self.text.push_str("\r\n");
    }

    /// One row, each cell written by [`cell`].
    pub fn row(&mut self, cells: &[String]) {
        self.line(cells.iter().map(String::as_str));
    }

    pub fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stay_one_line_and_formulas_stay_text() {
        let mut csv = DutchCsv::new(&["naam", "x"]);
        csv.row(&["=cmd|x\r\n=2".into(), "\r\n-1".into()]);
        csv.row(&["@SUM(A1)".into(), "\tx".into()]);
        csv.row(&["-5".into(), decimal(5.25, 2)]);
        assert_eq!(
            csv.finish(),
            "\u{feff}naam;x\r\n\"'=cmd|x  =2\";  -1\r\n\"'@SUM(A1)\";\"'\tx\"\r\n\"'-5\";5,25\r\n"
        );
    }
}
