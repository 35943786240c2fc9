//! A streaming CSV reader that accepts what municipal and CBS exports really look like: a
//! UTF-8 byte-order mark, Windows line endings, `;` as separator, quoted and padded values.
//! Rows are read one at a time, so a file of any size is never held in memory.

use super::IngestError;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// An open CSV file with its header resolved.
pub struct Table {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read + Send>>,
    headers: Vec<String>,
    record: csv::StringRecord,
}

/// One row: values looked up by the column positions the caller resolved.
pub struct Row<'a> {
    pub line: u64,
    record: &'a csv::StringRecord,
    path: &'a Path,
}

impl Table {
    pub fn open(path: &Path) -> Result<Table, IngestError> {
        let file = File::open(path).map_err(|e| {
            IngestError::file(
                path,
                format!("cannot open the file ({e})"),
                "check the path and the file's permissions",
            )
        })?;
        let raw: Box<dyn Read + Send> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        let mut buffered = BufReader::with_capacity(1 << 16, raw);
        let start = buffered
            .fill_buf()
            .map_err(|e| IngestError::file(path, format!("cannot read ({e})"), "check the file"))?;
        if start.is_empty() {
            return Err(IngestError::file(
                path,
                "the file is empty",
                "export the table again; it needs a header line and rows",
            ));
        }
        let bom = start.starts_with(&[0xEF, 0xBB, 0xBF]);
        if bom {
            buffered.consume(3);
        }
        let start = buffered
            .fill_buf()
            .map_err(|e| IngestError::file(path, format!("cannot read ({e})"), "check the file"))?;
        let first_line_end = start
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(start.len());
        let first_line = &start[..first_line_end];
        if std::str::from_utf8(first_line).is_err() {
            return Err(IngestError::line(
                path,
                1,
                "the header is not UTF-8 text",
                "save the file as CSV UTF-8",
            ));
        }
        let delimiter =
            if count_outside_quotes(first_line, b';') > count_outside_quotes(first_line, b',') {
                b';'
            } else {
                b','
            };
        // Records end at LF only: a CR is part of a value (and trimmed away at the end of a
        // CRLF line), so a lone CR inside a cell is refused with its line and field instead of
        // splitting the row where no line number can follow it.
        let mut reader = csv::ReaderBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(Box::new(buffered) as Box<dyn Read + Send>);
        let headers = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| h.trim().trim_matches('"').to_string())
            .collect();
        Ok(Table {
            path: path.to_path_buf(),
            reader,
            headers,
            record: csv::StringRecord::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The position of the first column whose name matches one of `names` (case-insensitive).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// Like [`column`](Self::column), but a missing column is an error that lists what the
    /// file has and what it needs.
    pub fn require(&self, names: &[&str], purpose: &str) -> Result<usize, IngestError> {
        self.column(names).ok_or_else(|| {
            IngestError::line(
                &self.path,
                1,
                format!(
                    "the header has no {purpose} column (found: {})",
                    self.headers.join(", ")
                ),
                format!("add a column named {}", names.join(" or ")),
            )
            .with_field(names[0])
        })
    }

    /// Reads the next row; `Ok(None)` at the end of the file. Blank lines are skipped.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, IngestError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    if self.record.iter().all(|v| v.trim().is_empty()) {
                        continue;
                    }
                    let line = self.record.position().map_or(0, |p| p.line());
                    return Ok(Some(Row {
                        line,
                        record: &self.record,
                        path: &self.path,
                    }));
                }
                Err(e) => return Err(csv_error(&self.path, e)),
            }
        }
    }
}

impl Row<'_> {
    pub fn path(&self) -> &Path {
        self.path
    }

    /// The trimmed value at a column; empty when the row is short.
    pub fn get(&self, column: usize) -> &str {
        self.record.get(column).map_or("", |v| v.trim())
    }

    /// An error about this row and a named field.
    pub fn error(
        &self,
        field: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> IngestError {
        IngestError::line(self.path, self.line, problem, fix).with_field(field)
    }

    /// A required, non-empty value.
    pub fn required(&self, column: usize, field: &str) -> Result<&str, IngestError> {
        let v = self.get(column);
        if v.is_empty() {
            Err(self.error(
                field,
                "the value is empty",
                format!("fill in {field} on this line"),
            ))
        } else {
            Ok(v)
        }
    }

    pub fn f64(&self, column: usize, field: &str) -> Result<f64, IngestError> {
        let v = self.required(column, field)?;
        // Dutch spreadsheets write decimal commas; a `;`-separated file can carry them safely.
        let parsed = v
            .parse::<f64>()
            .or_else(|_| v.replace(',', ".").parse::<f64>());
        match parsed {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.error(
                field,
                format!("'{v}' is not a number"),
                format!("write {field} as a number, e.g. 6.6641"),
            )),
        }
    }

    /// A non-negative whole number, or `None` for an empty cell or one of CBS's symbols for
    /// a figure that is unknown or secret (`.`, `x`, `?`). CBS's `-` (nil) is 0.
    pub fn count(&self, column: usize, field: &str) -> Result<Option<i64>, IngestError> {
        let v = self.get(column);
        if matches!(v, "" | "." | "x" | "X" | "?") {
            return Ok(None);
        }
        if v == "-" {
            return Ok(Some(0));
        }
        match v.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            Ok(n) => Err(self.error(
                field,
                format!("the count is negative ({n})"),
                "counts must be 0 or more; correct the value",
            )),
            Err(_) => Err(self.error(
                field,
                format!("'{v}' is not a whole number"),
                "write the count as digits, or leave the cell empty if it is withheld",
            )),
        }
    }
}

fn count_outside_quotes(line: &[u8], sep: u8) -> usize {
    let mut inside = false;
    line.iter()
        .filter(|&&b| {
            if b == b'"' {
                inside = !inside;
            }
            !inside && b == sep
        })
        .count()
}

fn csv_error(path: &Path, e: csv::Error) -> IngestError {
    let line = e.position().map_or(0, |p| p.line());
    let (problem, fix) = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => (
            "the text is not UTF-8".to_string(),
            "save the file as CSV UTF-8",
        ),
        csv::ErrorKind::Io(io) => (format!("reading failed ({io})"), "check the file"),
        _ => (e.to_string(), "check the quoting on this line"),
    };
    if line > 0 {
        IngestError::line(path, line, problem, fix)
    } else {
        IngestError::file(path, problem, fix)
    }
}
