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
}

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
        }))
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
        write!(f, ": {}. {}", self.problem, self.fix)
    }
}

impl std::error::Error for IngestError {}
