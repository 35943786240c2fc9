//! `wijkveilig fetch`: loads a gemeente's open data in one command. Boundaries come from
//! PDOK ([`pdok`]), registered crime and population from CBS ([`cbs`]); every page is
//! checked and recorded with its checksum ([`manifest`]) so an interrupted fetch resumes,
//! and the merged result is written as ordinary import files and imported by the same
//! importers `wijkveilig import` uses, one transaction per file.

pub mod cbs;
pub mod http;
pub mod manifest;
pub mod pdok;

use crate::domain::{AreaCode, AreaLevel};
use crate::importer::{ImportError, ImportKind, ImportOptions, ImportReport, import_file};
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The kerncijfers wijken en buurten table of each year (population `AantalInwoners_5`).
pub const KERNCIJFERS: &[(i32, &str)] = &[
    (2017, "83765NED"),
    (2018, "84286NED"),
    (2019, "84583NED"),
    (2020, "84799NED"),
    (2021, "85039NED"),
    (2022, "85318NED"),
    (2023, "85618NED"),
    (2024, "85984NED"),
];

/// Everything that can stop a fetch; each message names the address or file, the field where
/// one is at fault, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{problem}\n  fix: {fix}")]
    Options { problem: String, fix: String },
    #[error(
        "GET {url} failed: {status} (tried {tries} times).\n  The pages fetched so far are kept in {resume}; rerun the same command to resume from this page."
    )]
    GaveUp {
        url: String,
        status: String,
        tries: u32,
        resume: String,
    },
    #[error("GET {url} was refused: {status}{}\n  fix: check the address options (--pdok-url, --cbs-url, --politie-url) and the gemeente code", if body.is_empty() { String::new() } else { format!(" ({body})") })]
    Refused {
        url: String,
        status: String,
        body: String,
    },
    #[error("{url}: field {field}: {problem}\n  fix: {fix}")]
    Payload {
        url: String,
        field: String,
        problem: String,
        fix: String,
    },
    #[error("{}: {problem}\n  fix: {fix}", path.display())]
    File {
        path: PathBuf,
        problem: String,
        fix: String,
    },
    #[error(
        "importing {} failed{}: {source}\n  fix: correct the cause and rerun; the fetched pages are reused and the imports repeated",
        path.display(),
        if committed.is_empty() { String::new() } else { format!(" (already imported: {})", committed.join(", ")) }
    )]
    Import {
        path: PathBuf,
        committed: Vec<String>,
        source: ImportError,
    },
    #[error("recording the import of {} in the audit trail failed: {source}", path.display())]
    Audit { path: PathBuf, source: StoreError },
}

/// A gemeente code (`GM0141`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gemeente(AreaCode);

impl Gemeente {
    pub fn parse(raw: &str) -> Result<Gemeente, FetchError> {
        match AreaCode::parse(raw) {
            Ok(code) if code.level() == AreaLevel::Gemeente => Ok(Gemeente(code)),
            _ => Err(FetchError::Options {
                problem: format!("--gemeente {raw}: not a CBS gemeente code"),
                fix: "give GM and four digits, e.g. --gemeente GM0141 for Almelo".into(),
            }),
        }
    }

    pub fn code(&self) -> &str {
        self.0.as_str()
    }

    /// The four digits (`0141`).
    pub fn digits(&self) -> &str {
        &self.0.as_str()[2..]
    }
}

/// The command line of `wijkveilig fetch`.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// The gemeente, by its CBS code (GM0141 is Almelo).
    #[arg(long)]
    pub gemeente: String,
    /// First year of crime figures.
    #[arg(long, default_value_t = 2017)]
    pub from: i32,
    /// Last year of crime figures (default: last year).
    #[arg(long)]
    pub to: Option<i32>,
    /// The year of the boundaries (default: the newest year from --to down to --from that
    /// PDOK has).
    #[arg(long)]
    pub boundary_year: Option<i32>,
    /// Fetch and check everything, import nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the pages, the manifest and the import files go (default:
    /// ./wijkveilig-fetch/GMxxxx).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// PDOK (boundaries); a mirror serves the same paths.
    #[arg(
        long,
        env = "WIJKVEILIG_PDOK_URL",
        default_value = "https://api.pdok.nl"
    )]
    pub pdok_url: String,
    /// CBS open data (the kerncijfers, for population).
    #[arg(
        long,
        env = "WIJKVEILIG_CBS_URL",
        default_value = "https://opendata.cbs.nl"
    )]
    pub cbs_url: String,
    /// CBS's feed of the Politie tables (47018NED, 47022NED).
    #[arg(
        long,
        env = "WIJKVEILIG_POLITIE_URL",
        default_value = "https://dataderden.cbs.nl"
    )]
    pub politie_url: String,
    /// A kerncijfers table for a year, YEAR=TABLE (e.g. 2025=86165NED); repeatable. Adds to
    /// or replaces the built-in list (2017–2024).
    #[arg(long = "kerncijfers", value_name = "YEAR=TABLE", value_parser = parse_kerncijfers)]
    pub kerncijfers: Vec<(i32, String)>,
    /// Download every page again instead of reusing the pages of an earlier run.
    #[arg(long)]
    pub refetch: bool,
    /// Milliseconds to wait after the first failed try of a request (doubling after each).
    #[arg(long, default_value_t = 1000, hide = true)]
    pub retry_backoff_ms: u64,
}

fn parse_kerncijfers(s: &str) -> Result<(i32, String), String> {
    let (year, table) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}': use YEAR=TABLE, e.g. 2025=86165NED"))?;
    let year: i32 = year
        .trim()
        .parse()
        .map_err(|_| format!("'{year}' is not a year (YEAR=TABLE, e.g. 2025=86165NED)"))?;
    let table = table.trim();
    if table.is_empty() || !table.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "'{table}' is not a CBS table id (letters and digits, e.g. 86165NED)"
        ));
    }
    Ok((year, table.to_string()))
}

/// What a fetch decided and wrote.
#[derive(Debug)]
pub struct Fetched {
    pub dir: PathBuf,
    pub boundary_year: i32,
    /// The import files, in the order they must be imported.
    pub files: Vec<(ImportKind, PathBuf)>,
    /// Sentences for the user: years skipped, rows left out, pages fetched again.
    pub notes: Vec<String>,
    pub downloaded: usize,
    pub reused: usize,
    /// Area codes of the fetched boundaries (a dry run checks the figures against them).
    pub codes: HashSet<String>,
}

impl FetchArgs {
    /// The years of crime figures, after checking the range.
    fn years(&self) -> Result<(i32, i32), FetchError> {
        let to = self
            .to
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().year() - 1);
        if self.from > to {
            return Err(FetchError::Options {
                problem: format!("--from {} lies after --to {to}", self.from),
                fix: "give --from at most --to".into(),
            });
        }
        Ok((self.from, to))
    }

    pub fn directory(&self, gemeente: &Gemeente) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("wijkveilig-fetch").join(gemeente.code()))
    }
}

/// Downloads (or reads back), checks and writes everything for the importers.
pub async fn fetch(args: &FetchArgs) -> Result<Fetched, FetchError> {
    let gemeente = Gemeente::parse(&args.gemeente)?;
    let (from, to) = args.years()?;
    let dir = args.directory(&gemeente);
    let policy = http::RetryPolicy {
        backoff: Duration::from_millis(args.retry_backoff_ms),
        ..http::RetryPolicy::default()
    };
    let client = http::Http::new(policy, manifest::manifest_path(&dir).display().to_string())?;
    let mut cache = manifest::Cache::open(&dir, gemeente.code(), client, args.refetch)?;
    let mut notes = Vec::new();

    let boundary_years: Vec<i32> = match args.boundary_year {
        Some(y) => vec![y],
        None => (from..=to).rev().collect(),
    };
    let boundaries = pdok::fetch_boundaries(
        &mut cache,
        &args.pdok_url,
        &gemeente,
        &boundary_years,
        &mut notes,
    )
    .await?
    .ok_or_else(|| FetchError::Options {
        problem: format!(
            "PDOK has no wijken-en-buurten boundaries for {} in {}",
            gemeente.code(),
            match args.boundary_year {
                Some(y) => y.to_string(),
                None => format!("any year from {to} down to {from}"),
            }
        ),
        fix: "give a year PDOK publishes with --boundary-year, or check --pdok-url".into(),
    })?;
    let codes: HashSet<String> = boundaries.codes().map(|c| c.to_string()).collect();

    let years: Vec<i32> = (from..=to).collect();
    let offences =
        cbs::fetch_offences(&mut cache, &args.politie_url, &gemeente, &years, &mut notes).await?;

    let mut tables: BTreeMap<i32, String> = KERNCIJFERS
        .iter()
        .map(|(y, t)| (*y, t.to_string()))
        .collect();
    tables.extend(args.kerncijfers.iter().cloned());
    let candidates: Vec<(i32, String)> =
        tables.into_iter().rev().filter(|(y, _)| *y <= to).collect();
    if candidates.first().is_some_and(|(y, _)| *y < to) {
        notes.push(format!(
            "no kerncijfers table is known for {to}; population comes from {} (add one with --kerncijfers {to}=TABLE)",
            candidates[0].0
        ));
    }
    let population = cbs::fetch_population(
        &mut cache,
        &args.cbs_url,
        &gemeente,
        &candidates,
        &mut notes,
    )
    .await?;

    // Everything is fetched and checked: write the import files.
    cache.clear_outputs()?;
    let mut files = Vec::new();
    for (level, areas) in &boundaries.levels {
        let path = cache.write_output(
            "areas",
            &format!("{}.geojson", level.collection()),
            &pdok::geojson(areas, boundaries.year),
            areas.len(),
        )?;
        files.push((ImportKind::Areas, path));
    }
    let (kept, left_out): (Vec<_>, Vec<_>) = offences
        .rows
        .into_iter()
        .partition(|o| codes.contains(o.area.as_str()));
    note_left_out(
        &mut notes,
        left_out.iter().map(|o| o.area.as_str()),
        "offence rows",
        boundaries.year,
    );
    if kept.is_empty() {
        notes.push(format!(
            "no offence figures for {} from {from} to {to}; nothing to import for offences",
            gemeente.code()
        ));
    } else {
        let path = cache.write_output(
            "offences",
            "offences.csv",
            &cbs::offences_csv(&kept, &offences.titles),
            kept.len(),
        )?;
        files.push((ImportKind::Offences, path));
    }
    match population {
        Some((year, table, rows)) => {
            let (kept, left_out): (Vec<_>, Vec<_>) = rows
                .into_iter()
                .partition(|(c, _)| codes.contains(c.as_str()));
            note_left_out(
                &mut notes,
                left_out.iter().map(|(c, _)| c.as_str()),
                &format!("population rows of {table} ({year})"),
                boundaries.year,
            );
            let path = cache.write_output(
                "population",
                "population.csv",
                &cbs::population_csv(&kept),
                kept.len(),
            )?;
            files.push((ImportKind::Population, path));
        }
        None => notes.push(format!(
            "no kerncijfers table up to {to} has population figures for {}; population is not imported",
            gemeente.code()
        )),
    }
    notes.append(&mut cache.notes);
    Ok(Fetched {
        dir,
        boundary_year: boundaries.year,
        files,
        notes,
        downloaded: cache.downloaded,
        reused: cache.reused,
        codes,
    })
}

/// Says which figures were left out because the boundaries have no such area.
fn note_left_out<'a>(
    notes: &mut Vec<String>,
    codes: impl Iterator<Item = &'a str>,
    what: &str,
    year: i32,
) {
    let codes: std::collections::BTreeSet<&str> = codes.collect();
    if codes.is_empty() {
        return;
    }
    let listed: Vec<&str> = codes.iter().take(5).copied().collect();
    notes.push(format!(
        "{what} of {} area code(s) not in the {year} boundaries were left out ({}{}); choose the boundary year of the figures with --boundary-year to keep them",
        codes.len(),
        listed.join(", "),
        if codes.len() > listed.len() { ", …" } else { "" }
    ));
}

/// Imports the fetched files in order, each in its own transaction, through the ordinary
/// importers; `after_commit` runs after each committed import (the CLI writes the audit
/// trail there). A dry run commits nothing: the boundaries go through the importer's dry
/// run and the figures are read by the importers' readers and checked against the fetched
/// boundaries, which a dry run does not store.
pub async fn import<F>(
    store: &Store,
    fetched: &Fetched,
    dry_run: bool,
    mut after_commit: F,
) -> Result<Vec<ImportReport>, FetchError>
where
    F: AsyncFnMut(&Path, &ImportReport) -> Result<(), StoreError>,
{
    let mut reports = Vec::new();
    let mut committed = Vec::new();
    let opts = ImportOptions {
        dry_run,
        boundary_year: Some(fetched.boundary_year),
        ..ImportOptions::default()
    };
    for (kind, path) in &fetched.files {
        let import_error = |source: ImportError, committed: &Vec<String>| FetchError::Import {
            path: path.clone(),
            committed: committed.clone(),
            source,
        };
        let report = if dry_run && *kind != ImportKind::Areas {
            check_figures(*kind, path, &fetched.codes).map_err(|e| import_error(e, &committed))?
        } else {
            import_file(store, *kind, path, &opts)
                .await
                .map_err(|e| import_error(e, &committed))?
        };
        if !dry_run {
            after_commit(path, &report)
                .await
                .map_err(|source| FetchError::Audit {
                    path: path.clone(),
                    source,
                })?;
            committed.push(
                path.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            );
        }
        reports.push(report);
    }
    Ok(reports)
}

/// A dry run's check of an offence or population file: read by the importer's reader, every
/// code one of the fetched boundaries.
fn check_figures(
    kind: ImportKind,
    path: &Path,
    codes: &HashSet<String>,
) -> Result<ImportReport, ImportError> {
    use crate::ingest::IngestError;
    let known = |code: &AreaCode, line: u64| -> Result<(), ImportError> {
        if codes.contains(code.as_str()) {
            Ok(())
        } else {
            Err(IngestError::line(
                path,
                line,
                format!("the area code {code} is not among the fetched boundaries"),
                "report it: the fetch leaves such rows out",
            )
            .with_field("WijkenEnBuurten")
            .into())
        }
    };
    let mut rows = 0i64;
    let mut withheld = 0u64;
    match kind {
        ImportKind::Offences => {
            let mut reader = crate::ingest::statline::OffenceReader::open(path)?;
            while let Some((line, count)) = reader.next_row()? {
                known(&count.area, line)?;
                rows += 1;
                withheld += u64::from(count.count.is_none());
            }
        }
        _ => {
            for (line, code, _) in crate::ingest::population::read_population(path)? {
                known(&code, line)?;
                rows += 1;
            }
        }
    }
    let mut notes = vec!["checked against the fetched boundaries".to_string()];
    if withheld > 0 {
        notes.push(format!(
            "{withheld} cells are withheld by CBS (empty); they stay withheld, not zero"
        ));
    }
    Ok(ImportReport {
        kind,
        rows,
        dry_run: true,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kerncijfers_pairs_parse_and_bad_ones_say_the_form() {
        assert_eq!(
            parse_kerncijfers("2025=86165NED").unwrap(),
            (2025, "86165NED".to_string())
        );
        assert!(
            parse_kerncijfers("86165NED")
                .unwrap_err()
                .contains("YEAR=TABLE")
        );
        assert!(
            parse_kerncijfers("2025=86/NED")
                .unwrap_err()
                .contains("table id")
        );
    }

    #[test]
    fn a_gemeente_code_is_required() {
        assert_eq!(Gemeente::parse("gm0141").unwrap().digits(), "0141");
        let err = Gemeente::parse("WK014110").unwrap_err().to_string();
        assert!(err.contains("--gemeente GM0141"), "{err}");
    }
}
