//! One error type for every import, so that each message names the file, the place in it
//! (line or feature), the field and what to do about it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A 1-based line of a text file (CSV: the physical line, header = line 1).
    Line(u64),
    /// A feature of a GeoJSON or GeoPackage layer: 0-based index and, when known, its id/code.
    Feature { index: usize, id: Option<String> },
}

/// Boxed, so that `Result<T, IngestError>` stays one pointer wide on the happy path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError(Box<Details>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub file: PathBuf,
    pub location: Location,
    pub field: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// What the user can do about it.
    pub fix: String,
    /// Further problems of the same file, reported together with this one (at most
    /// [`MAX_LISTED`] in all), and how many there were in all.
    pub others: Vec<IngestError>,
    pub total: usize,
}

/// How many problems of one file an error lists.
pub const MAX_LISTED: usize = 100;

impl std::ops::Deref for IngestError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl IngestError {
    pub fn new(
        file: &Path,
        location: Location,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        IngestError(Box::new(Details {
            file: file.to_path_buf(),
            location,
            field: None,
            problem: problem.into(),
            fix: fix.into(),
            others: Vec::new(),
            total: 1,
        }))
    }

    /// All problems of one file as one error: the first, then the others (up to
    /// [`MAX_LISTED`]), and the total count. `None` for no problems.
    pub fn collect(mut errors: Vec<IngestError>, total: usize) -> Option<IngestError> {
        if errors.is_empty() {
            return None;
        }
        errors.truncate(MAX_LISTED);
        let mut first = errors.remove(0);
        first.0.others = errors;
        first.0.total = total.max(first.0.others.len() + 1);
        Some(first)
    }

    pub fn file(file: &Path, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(file, Location::File, problem, fix)
    }

    pub fn line(
        file: &Path,
        line: u64,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(file, Location::Line(line), problem, fix)
    }

    pub fn feature(
        file: &Path,
        index: usize,
        id: Option<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(file, Location::Feature { index, id }, problem, fix)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total > 1 {
            write!(
                f,
                "{} problems in {}{}:\n  - ",
                self.total,
                self.file.display(),
                if self.total > MAX_LISTED {
                    format!(" (the first {MAX_LISTED} listed)")
                } else {
                    String::new()
                }
            )?;
        }
        self.fmt_one(f)?;
        for e in &self.others {
            write!(f, "\n  - ")?;
            e.fmt_one(f)?;
        }
        Ok(())
    }
}

impl IngestError {
    fn fmt_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match &self.location {
            Location::File => {}
            Location::Line(n) => write!(f, ", line {n}")?,
            Location::Feature {
                index,
                id: Some(id),
            } => write!(f, ", feature {index} ({id})")?,
            Location::Feature { index, id: None } => write!(f, ", feature {index}")?,
        }
        if let Some(field) = &self.field {
            write!(f, ", field '{field}'")?;
        }
        // A problem may quote the file's text: its line breaks and bidi overrides are escaped.
        let problem = crate::domain::validate::escaped(&self.problem);
        write!(f, ": {problem}. {}", self.fix)
    }
}

impl std::error::Error for IngestError {}

/// The problems of one file, gathered row by row so that all are reported together: the
/// first [`MAX_LISTED`] kept, the rest only counted.
#[derive(Debug, Default)]
pub struct Problems {
    listed: Vec<IngestError>,
    total: usize,
}

impl Problems {
    /// The value, or `None` with its error noted.
    pub fn take<T>(&mut self, result: Result<T, IngestError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.total += 1;
                if self.listed.len() < MAX_LISTED {
                    self.listed.push(e);
                }
                None
            }
        }
    }

    /// `Ok` when nothing was noted, else one error listing them all.
    pub fn finish(self) -> Result<(), IngestError> {
        match IngestError::collect(self.listed, self.total) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
