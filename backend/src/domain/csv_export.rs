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

/// A number with a decimal comma and `digits` decimals, without thousands grouping.
pub fn decimal(v: f64, digits: usize) -> String {
    format!("{v:.digits$}").replace('.', ",")
}

/// A CSV in the Dutch convention, built row by row.
pub struct DutchCsv {
    w: csv::Writer<Vec<u8>>,
}

impl DutchCsv {
    pub fn new(header: &[&str]) -> DutchCsv {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer("\u{feff}".as_bytes().to_vec());
        let _ = w.write_record(header);
        DutchCsv { w }
    }

    /// One row; line breaks inside a cell become spaces, so a row stays one line.
    pub fn row(&mut self, cells: &[String]) {
        let _ = self.w.write_record(
            cells
                .iter()
                .map(|c| csv_safe(&c.replace(['\r', '\n'], " ")).into_owned()),
        );
    }

    pub fn finish(self) -> String {
        let bytes = self.w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}
