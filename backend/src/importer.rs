//! Runs an import end to end: read the file with [`ingest`](crate::ingest), check it
//! against what the store already knows, and write it in one transaction. The same path
//! serves the CLI, the demo loader and the tests, so the demo is imported like user data.

use crate::domain::{
    AreaCode, AreaLevel, Camera, CrimeType, E33Report, EnforcementAction, Initiative, OffenceCount,
};
use crate::ingest::location::AreaExtent;
use crate::ingest::{self, IngestError};
use crate::spatial::index::AreaIndex;
use crate::store::{ImportTx, LockAttempt, Store, StoreError};
use geo::{BoundingRect, Point};
use std::collections::HashSet;
use std::fmt;
use std::path::Path;

/// The kinds of file `wijkveilig import` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Areas,
    Offences,
    Population,
    Cameras,
    Enforcement,
    Initiatives,
    Incidents,
    E33,
    Survey,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Areas => "areas",
            ImportKind::Offences => "offences",
            ImportKind::Population => "population",
            ImportKind::Cameras => "cameras",
            ImportKind::Enforcement => "enforcement",
            ImportKind::Initiatives => "initiatives",
            ImportKind::Incidents => "incidents",
            ImportKind::E33 => "e33",
            ImportKind::Survey => "survey",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Validate everything, write nothing.
    pub dry_run: bool,
    /// Make invalid polygons valid (and report each repair) instead of refusing them, and
    /// leave out points far outside every area (and list each one) instead of refusing the
    /// file.
    pub repair: bool,
    /// Marks the rows as the built-in demo, which the first real area import removes.
    pub demo: bool,
    /// The CBS boundary year of an area file that does not state it.
    pub boundary_year: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub rows: i64,
    pub dry_run: bool,
    /// What the user should know: assumed CRS, repairs, points outside every buurt, …
    pub notes: Vec<String>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "checked (dry run, nothing written)"
        } else {
            "imported"
        };
        write!(f, "{} {}: {} rows", verb, self.kind.as_str(), self.rows)?;
        for n in &self.notes {
            write!(f, "\n  - {n}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    // Transparent: the message is said once, not again as its own source.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another import holds the import lock (see [`Store::lock_imports`]); nothing was read
    /// or written.
    #[error(
        "another import is running ({0}); nothing was imported. Wait until it has finished, then run this import again"
    )]
    Busy(String),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Sql(e))
    }
}

const BATCH: usize = 2_000;

/// Imports one file. Either all of it is written, or (on any error, or a dry run) nothing.
///
/// Three steps: take the import lock (one import at a time; a second one is told so at
/// once), read and check the whole file against the stored reference data without writing,
/// then write it in one transaction that holds the database's write lock only while rows are
/// written.
pub async fn import_file(
    store: &Store,
    kind: ImportKind,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    with_import_lock(store, async || {
        // Checked against the imports as they are; if another import (on SQLite, where the
        // file is read without a lock) committed meanwhile, checked again.
        for _ in 0..3 {
            let checked = store.imports_marker().await?;
            let mut notes = Vec::new();
            let prepared = prepare(store, kind, path, opts, &mut notes).await?;
            tracing::info!(
                "import {}: {} checked, writing",
                kind.as_str(),
                path.display()
            );
            let begun = store
                .try_begin_import(kind.as_str(), &source, opts.demo, &checked)
                .await?;
            let mut tx = match begun {
                LockAttempt::Held(who) => return Err(ImportError::Busy(who)),
                LockAttempt::Acquired(None) => continue,
                LockAttempt::Acquired(Some(tx)) => tx,
            };
            write(&mut tx, prepared, path, opts, &mut notes).await?;
            let rows = tx.rows();
            if opts.dry_run {
                tx.rollback().await?;
            } else {
                tx.commit(&notes.join("\n")).await?;
            }
            tracing::info!("import {}: {} committed", kind.as_str(), path.display());
            return Ok(ImportReport {
                kind,
                rows,
                dry_run: opts.dry_run,
                notes,
            });
        }
        Err(ImportError::Busy(
            "other imports kept changing the data while this file was checked".into(),
        ))
    })
    .await
}

/// Runs `work` holding the import lock, and gives the lock back whatever the outcome.
async fn with_import_lock<T>(
    store: &Store,
    work: impl AsyncFnOnce() -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    let lock = match store.lock_imports().await? {
        LockAttempt::Acquired(lock) => lock,
        LockAttempt::Held(who) => return Err(ImportError::Busy(who)),
    };
    let result = work().await;
    if let Err(e) = lock.release().await {
        // Not fatal: the lock ends with its connection, closed now.
        tracing::warn!("could not give the import lock back: {e}");
    }
    result
}

/// A file read and checked, ready to be written.
enum Prepared {
    Areas(ingest::areas::AreaFile),
    /// Streamed from the file again inside the transaction: the crime-type titles found and
    /// the area names the labels were matched with.
    Offences(Vec<CrimeType>, ingest::statline_labels::AreaNames),
    Population(Vec<(String, i64)>),
    Cameras(Vec<(Camera, Option<String>)>),
    Enforcement(Vec<(EnforcementAction, Option<String>)>),
    Initiatives(Vec<(Initiative, Point<f64>, Option<String>)>),
    /// Streamed from the file again inside the transaction, with the buurt found for each
    /// kept row and the lines `--repair` drops.
    Incidents {
        codes: Vec<String>,
        buurten: Vec<u32>,
        dropped: HashSet<u64>,
    },
    E33(Vec<E33Report>),
    Survey(Vec<ingest::registrations::SurveyRow>),
}

/// No buurt, in [`Prepared::Incidents`]'s `buurten`.
const NO_BUURT: u32 = u32::MAX;

/// Reads and checks the whole file against the stored reference data; writes nothing.
async fn prepare(
    store: &Store,
    kind: ImportKind,
    path: &Path,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<Prepared, ImportError> {
    Ok(match kind {
        ImportKind::Areas => Prepared::Areas(read_areas(path, opts, notes).await?),
        ImportKind::Offences => check_offences(store, path, notes).await?,
        ImportKind::Population => {
            let known = KnownAreas::load(store).await?;
            let mut rows = Vec::new();
            for (line, code, n) in ingest::population::read_population(path)? {
                known.check(&code, path, line, "WijkenEnBuurten")?;
                rows.push((code.to_string(), n));
            }
            Prepared::Population(rows)
        }
        ImportKind::Cameras => {
            let features = geojson_if_json(path)?;
            let geojson = features.is_some();
            let cameras = ingest::registrations::read_cameras(path, features)?;
            let locator = BuurtLocator::load(store).await?;
            let mut far = FarPoints::new(path, geojson, opts.repair);
            let mut rows = Vec::with_capacity(cameras.len());
            for (line, c) in cameras {
                if far.keep(&locator, line, &c.id, c.location) {
                    let b = locator.locate(c.location);
                    rows.push((c, b));
                }
            }
            far.finish("cameras", notes)?;
            locator.note_outside(rows.iter().map(|r| &r.1), "cameras", notes);
            Prepared::Cameras(rows)
        }
        ImportKind::Enforcement => {
            let actions = ingest::registrations::read_enforcement(path)?;
            let locator = BuurtLocator::load(store).await?;
            let mut far = FarPoints::new(path, false, opts.repair);
            let mut rows = Vec::with_capacity(actions.len());
            for (line, a) in actions {
                if far.keep(&locator, line, &a.id, a.location) {
                    let b = locator.locate(a.location);
                    rows.push((a, b));
                }
            }
            far.finish("enforcement actions", notes)?;
            locator.note_outside(rows.iter().map(|r| &r.1), "enforcement actions", notes);
            Prepared::Enforcement(rows)
        }
        ImportKind::Initiatives => {
            let features = geojson_if_json(path)?;
            let geojson = features.is_some();
            let initiatives = ingest::registrations::read_initiatives(path, features)?;
            let locator = BuurtLocator::load(store).await?;
            let mut far = FarPoints::new(path, geojson, opts.repair);
            let mut rows = Vec::new();
            for (line, i) in initiatives {
                let at =
                    ingest::registrations::representative_point(&i.geometry).ok_or_else(|| {
                        IngestError::feature(
                            path,
                            line as usize,
                            Some(i.id.clone()),
                            "the geometry is empty",
                            "draw the initiative's area",
                        )
                    })?;
                if far.keep(&locator, line, &i.id, at) {
                    let b = locator.locate(at);
                    rows.push((i, at, b));
                }
            }
            far.finish("initiatives", notes)?;
            locator.note_outside(rows.iter().map(|r| &r.2), "initiatives", notes);
            Prepared::Initiatives(rows)
        }
        ImportKind::Incidents => check_incidents(store, path, opts, notes).await?,
        ImportKind::E33 => {
            let known = KnownAreas::load(store).await?;
            let reports = ingest::registrations::read_e33(path)?;
            for (line, r) in &reports {
                known.check(&r.area, path, *line, "area")?;
            }
            Prepared::E33(reports.into_iter().map(|(_, r)| r).collect())
        }
        ImportKind::Survey => {
            let known = KnownAreas::load(store).await?;
            let rows = ingest::registrations::read_survey(path)?;
            for (line, r) in &rows {
                known.check(&r.area, path, *line, "area")?;
            }
            Prepared::Survey(rows.into_iter().map(|(_, r)| r).collect())
        }
    })
}

/// Writes a checked file in the import's transaction.
async fn write(
    tx: &mut ImportTx,
    prepared: Prepared,
    path: &Path,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    match prepared {
        Prepared::Areas(file) => write_areas(tx, file, opts, notes).await?,
        Prepared::Offences(titles, names) => write_offences(tx, path, &titles, names).await?,
        Prepared::Population(rows) => tx.insert_population(&rows).await?,
        Prepared::Cameras(rows) => tx.insert_cameras(&rows).await?,
        Prepared::Enforcement(rows) => tx.insert_enforcement(&rows).await?,
        Prepared::Initiatives(rows) => tx.insert_initiatives(&rows).await?,
        Prepared::Incidents {
            codes,
            buurten,
            dropped,
        } => write_incidents(tx, path, &codes, &buurten, &dropped).await?,
        Prepared::E33(rows) => tx.insert_e33(&rows).await?,
        Prepared::Survey(rows) => tx.insert_survey(&rows).await?,
    }
    Ok(())
}

/// Points far outside every area (the rule: [`ingest::location::FAR_KM`]): all of a file's
/// are refused together, or with `--repair` left out and listed in the notes.
struct FarPoints<'a> {
    path: &'a Path,
    geojson: bool,
    repair: bool,
    errors: Vec<IngestError>,
    total: usize,
    dropped: Vec<String>,
    dropped_total: usize,
}

impl<'a> FarPoints<'a> {
    fn new(path: &'a Path, geojson: bool, repair: bool) -> Self {
        FarPoints {
            path,
            geojson,
            repair,
            errors: Vec::new(),
            total: 0,
            dropped: Vec::new(),
            dropped_total: 0,
        }
    }

    /// Whether the point of the record at `line` (a feature index in GeoJSON) is kept.
    fn keep(&mut self, locator: &BuurtLocator, line: u64, id: &str, at: Point<f64>) -> bool {
        let Some(far) = locator.far(at) else {
            return true;
        };
        if self.repair {
            self.dropped_total += 1;
            if self.dropped.len() < ingest::error::MAX_LISTED {
                let place = if self.geojson {
                    format!("feature {line}")
                } else {
                    format!("line {line}")
                };
                self.dropped
                    .push(format!("dropped {place} (id {id}): {}", far.problem()));
            }
        } else {
            self.total += 1;
            if self.errors.len() < ingest::error::MAX_LISTED {
                let e = if self.geojson {
                    IngestError::feature(
                        self.path,
                        line as usize,
                        Some(id.to_string()),
                        far.problem(),
                        far.fix(),
                    )
                    .with_field("geometry")
                } else {
                    IngestError::line(self.path, line, far.problem(), far.fix())
                        .with_field("lon/lat")
                };
                self.errors.push(e);
            }
        }
        false
    }

    /// The refusal of every far point, or (with `--repair`) the notes of those dropped.
    fn finish(self, what: &str, notes: &mut Vec<String>) -> Result<(), IngestError> {
        if let Some(e) = IngestError::collect(self.errors, self.total) {
            return Err(e);
        }
        if self.dropped_total > 0 {
            notes.push(format!(
                "dropped {} {what} more than {:.0} km outside every area (--repair):",
                self.dropped_total,
                ingest::location::FAR_KM
            ));
            notes.extend(self.dropped);
            if self.dropped_total > ingest::error::MAX_LISTED {
                notes.push(format!(
                    "… and {} more not listed",
                    self.dropped_total - ingest::error::MAX_LISTED
                ));
            }
        }
        Ok(())
    }
}

/// Cameras and initiatives may come as GeoJSON; anything starting with `{` is read as such.
fn geojson_if_json(path: &Path) -> Result<Option<ingest::FeatureSet>, IngestError> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| {
            IngestError::file(
                path,
                format!("cannot read the file ({e})"),
                "check the path",
            )
        })?;
    let text = String::from_utf8_lossy(&head[..n]);
    if !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        return Ok(None);
    }
    let mut set = ingest::geojson::read_features(path)?;
    ingest::crs::to_wgs84(
        &mut set,
        path,
        &crate::spatial::frame::MetricFrame::rd_new(),
    )?;
    Ok(Some(set))
}

async fn read_areas(
    path: &Path,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<ingest::areas::AreaFile, ImportError> {
    let file = ingest::areas::read_areas(path, opts.repair).await?;
    notes.push(format!("CRS: {}", file.crs.describe()));
    notes.extend(file.repairs.iter().map(|r| format!("repaired {r}")));
    if !file.skipped.is_empty() {
        notes.push(format!(
            "skipped {} feature(s) without a usable geometry (--repair):",
            file.skipped.len()
        ));
        notes.extend(file.skipped.iter().map(|r| format!("skipped {r}")));
    }
    if let (Some(a), Some(b)) = (file.boundary_year, opts.boundary_year)
        && a != b
    {
        return Err(IngestError::file(
            path,
            format!("the file states boundary year {a}, but --boundary-year says {b}"),
            "leave out --boundary-year, or give the year the file states",
        )
        .with_field("year")
        .into());
    }
    Ok(file)
}

async fn write_areas(
    tx: &mut ImportTx,
    file: ingest::areas::AreaFile,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    if !opts.demo {
        let removed = tx.remove_demo().await?;
        if removed > 0 {
            notes.push(
                "removed the built-in synthetic demo data, so that demo and real data never mix"
                    .into(),
            );
        }
    }
    let levels: Vec<String> = [AreaLevel::Gemeente, AreaLevel::Wijk, AreaLevel::Buurt]
        .iter()
        .filter_map(|l| {
            let n = file.areas.iter().filter(|a| a.code.level() == *l).count();
            (n > 0).then(|| format!("{n} {}", l.as_str()))
        })
        .collect();
    notes.push(format!("areas: {}", levels.join(", ")));
    let year = match file.boundary_year.or(opts.boundary_year) {
        Some(y) => i64::from(y),
        None => {
            notes.push(
                "the file does not state its CBS boundary year (no year/jaar property): \
                 imported as a set of unknown year; give --boundary-year YYYY to file it under its year"
                    .into(),
            );
            0
        }
    };
    let sets = tx.boundary_years().await?;
    if !sets.is_empty() && !sets.contains(&year) {
        notes.push(format!(
            "boundary year {}: a set of its own beside {}, never mixed with it; figures of other years are carried over and marked as estimated",
            year_label(year),
            sets.iter().map(|&y| year_label(y)).collect::<Vec<_>>().join(", ")
        ));
    }
    tx.insert_areas(&file.areas, year).await?;
    reassign_points(tx, notes).await
}

/// A boundary year as the notes print it.
fn year_label(year: i64) -> String {
    if year == 0 {
        "of unknown year".into()
    } else {
        year.to_string()
    }
}

/// New boundaries move points between buurten; recompute every point's buurt.
async fn reassign_points(tx: &mut ImportTx, notes: &mut Vec<String>) -> Result<(), ImportError> {
    let points = tx.all_points().await?;
    if points.is_empty() {
        return Ok(());
    }
    let locator = BuurtLocator::from_rows(tx.buurt_geometries().await?);
    let mut by_table: std::collections::BTreeMap<&'static str, Vec<(String, Option<String>)>> =
        Default::default();
    for (table, id, lon, lat) in points {
        by_table
            .entry(table)
            .or_default()
            .push((id, locator.locate(Point::new(lon, lat))));
    }
    for (table, rows) in by_table {
        tx.set_buurt(table, &rows).await?;
    }
    notes.push("re-assigned existing points to the new buurten".into());
    Ok(())
}

/// Offences are read twice: a first pass, before the write transaction, validates the whole
/// file, so a bad row at the end of a national export costs no writes and holds no lock; the
/// second pass streams the rows into the transaction. Neither pass holds the file.
async fn check_offences(
    store: &Store,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<Prepared, ImportError> {
    let known = KnownAreas::load(store).await?;
    let names = area_names(store).await?;
    let mut reader = ingest::statline::OffenceReader::open_with(path, Some(names.clone()))?;
    let mut seen = OffenceKeys::default();
    let mut withheld = 0u64;
    let mut titles: Vec<CrimeType> = Vec::new();
    while let Some((line, count)) = reader.next_row()? {
        known.check(&count.area, path, line, "WijkenEnBuurten")?;
        if !seen.insert(&count) {
            return Err(IngestError::line(
                path,
                line,
                format!(
                    "{} {} {} occurs twice in the file",
                    count.area,
                    count.crime_type,
                    count.period.cbs_code()
                ),
                "each area, crime type and period may appear once; remove the duplicate row",
            )
            .into());
        }
        if let Some(title) = reader.label()
            && !titles.iter().any(|t| t.code == count.crime_type)
        {
            titles.push(CrimeType {
                code: count.crime_type.clone(),
                title,
            });
        }
        withheld += u64::from(count.count.is_none());
    }
    if seen.rows == 0 {
        return Err(IngestError::file(
            path,
            "the file has a header but no rows",
            "export the table with data",
        )
        .into());
    }
    if withheld > 0 {
        notes.push(format!(
            "{withheld} cells are withheld by CBS (empty); they stay withheld, not zero"
        ));
    }
    Ok(Prepared::Offences(titles, names))
}

/// The stored areas' names, by which StatLine labels are matched to codes.
async fn area_names(store: &Store) -> Result<ingest::statline_labels::AreaNames, StoreError> {
    Ok(ingest::statline_labels::AreaNames::new(
        store
            .import_area_names()
            .await?
            .into_iter()
            .filter_map(|(code, name)| Some((AreaCode::parse(&code).ok()?, name))),
    ))
}

async fn write_offences(
    tx: &mut ImportTx,
    path: &Path,
    titles: &[CrimeType],
    names: ingest::statline_labels::AreaNames,
) -> Result<(), ImportError> {
    // The names are those of the first pass: the import lock kept the areas as they were.
    let mut reader = ingest::statline::OffenceReader::open_with(path, Some(names))?;
    let mut batch: Vec<OffenceCount> = Vec::with_capacity(BATCH);
    while let Some((_, count)) = reader.next_row()? {
        batch.push(count);
        if batch.len() == BATCH {
            tx.insert_offences(&batch).await?;
            batch.clear();
        }
    }
    tx.insert_offences(&batch).await?;
    tx.upsert_crime_types(titles).await?;
    Ok(())
}

/// Incidents are read twice like offences. The first pass, before the write transaction,
/// checks every row, finds each one's buurt and the points far outside every area; the
/// second streams the rows into the transaction with the buurten found.
async fn check_incidents(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<Prepared, ImportError> {
    let locator = BuurtLocator::load(store).await?;
    let mut reader = ingest::registrations::IncidentReader::open(path)?;
    let mut far = FarPoints::new(path, false, opts.repair);
    let mut buurten = Vec::new();
    let mut dropped = HashSet::new();
    let (mut outside, mut total) = (0u64, 0u64);
    while let Some((line, incident)) = reader.next_row()? {
        total += 1;
        if !far.keep(&locator, line, &incident.id, incident.location) {
            dropped.insert(line);
            continue;
        }
        let buurt = locator.index_of(incident.location);
        outside += u64::from(buurt.is_none() && !locator.is_empty());
        buurten.push(buurt.map_or(NO_BUURT, |i| i as u32));
    }
    if total == 0 {
        return Err(IngestError::file(
            path,
            "the file has a header but no rows",
            "export the incidents with data",
        )
        .into());
    }
    far.finish("incidents", notes)?;
    if outside > 0 {
        let kept = buurten.len();
        notes.push(format!("{outside} of {kept} incidents lie outside every buurt; they are kept, counted under no buurt"));
    }
    Ok(Prepared::Incidents {
        codes: locator.codes,
        buurten,
        dropped,
    })
}

async fn write_incidents(
    tx: &mut ImportTx,
    path: &Path,
    codes: &[String],
    buurten: &[u32],
    dropped: &HashSet<u64>,
) -> Result<(), ImportError> {
    let mut reader = ingest::registrations::IncidentReader::open(path)?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut kept = buurten.iter();
    while let Some((line, incident)) = reader.next_row()? {
        if dropped.contains(&line) {
            continue;
        }
        let buurt = match kept.next() {
            Some(&NO_BUURT) => None,
            Some(&i) => Some(codes[i as usize].clone()),
            None => {
                return Err(IngestError::file(
                    path,
                    "the file changed while it was imported",
                    "import it again once it is complete",
                )
                .into());
            }
        };
        batch.push((incident, buurt));
        if batch.len() == BATCH {
            tx.insert_incidents(&batch).await?;
            batch.clear();
        }
    }
    tx.insert_incidents(&batch).await?;
    Ok(())
}

/// Which (area, crime type, period) keys a file has had, in a few bits per key: a national
/// export has millions of rows but only thousands of areas, dozens of types and a few
/// hundred periods, so a bitset of periods per (area, type) stays small where a set of
/// whole keys would grow with the file.
#[derive(Default)]
struct OffenceKeys {
    areas: std::collections::HashMap<String, u32>,
    types: std::collections::HashMap<String, u32>,
    periods: std::collections::HashMap<(u32, u32), Vec<u64>>,
    rows: u64,
}

impl OffenceKeys {
    /// Records a key; `false` if it was there already.
    fn insert(&mut self, c: &OffenceCount) -> bool {
        let next = self.areas.len() as u32;
        let area = *self.areas.entry(c.area.to_string()).or_insert(next);
        let next = self.types.len() as u32;
        let ty = *self.types.entry(c.crime_type.clone()).or_insert(next);
        // Months and years interleave: bit 2*month_index for a month, 2*(year*12)+1 for a year.
        let bit = match c.period {
            crate::domain::Period::Month(m) => 2 * (m.index() - 1900 * 12) as usize,
            crate::domain::Period::Year(y) => 2 * ((y - 1900) * 12) as usize + 1,
        };
        let bits = self.periods.entry((area, ty)).or_default();
        if bits.len() <= bit / 64 {
            bits.resize(bit / 64 + 1, 0);
        }
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let fresh = bits[word] & mask == 0;
        bits[word] |= mask;
        self.rows += u64::from(fresh);
        fresh
    }
}

/// The area codes a file may refer to.
struct KnownAreas(HashSet<String>);

impl KnownAreas {
    async fn load(store: &Store) -> Result<Self, StoreError> {
        Ok(KnownAreas(store.import_area_codes().await?))
    }

    /// Buurt and wijk codes must be imported areas. A gemeente code is accepted when areas of
    /// that gemeente are known, because StatLine exports carry gemeente totals that boundary
    /// files often leave out.
    fn check(
        &self,
        code: &AreaCode,
        path: &Path,
        line: u64,
        field: &str,
    ) -> Result<(), IngestError> {
        let ok = self.0.contains(code.as_str())
            || (code.level() == AreaLevel::Gemeente
                && self
                    .0
                    .iter()
                    .any(|k| k[2..].starts_with(&code.as_str()[2..])));
        if ok {
            return Ok(());
        }
        let fix = if self.0.is_empty() {
            "import the wijk- en buurtkaart (wijkveilig import areas FILE) before the figures"
                .to_string()
        } else {
            format!("check the code, or import the boundaries that contain {code} first")
        };
        Err(
            IngestError::line(path, line, format!("the area code {code} is unknown"), fix)
                .with_field(field),
        )
    }
}

/// Assigns points to buurten with the shared area index, and knows the extent of the areas
/// against which far-out points are judged.
struct BuurtLocator {
    codes: Vec<String>,
    index: AreaIndex,
    extent: Option<AreaExtent>,
}

impl BuurtLocator {
    async fn load(store: &Store) -> Result<Self, StoreError> {
        Ok(Self::from_rows(store.import_buurt_geometries().await?))
    }

    /// From (code, stored geometry) rows.
    fn from_rows(rows: Vec<(String, String)>) -> Self {
        let mut codes = Vec::with_capacity(rows.len());
        let mut polygons = Vec::with_capacity(rows.len());
        for (code, geometry) in rows {
            if let Some(mp) = crate::store::stored_multipolygon(&geometry) {
                codes.push(code);
                polygons.push(mp);
            }
        }
        BuurtLocator {
            extent: AreaExtent::of(polygons.iter().filter_map(|p| p.bounding_rect())),
            index: AreaIndex::build(&polygons),
            codes,
        }
    }

    /// Whether `p` lies far outside every area (never when no areas are known).
    fn far(&self, p: Point<f64>) -> Option<ingest::location::FarPoint> {
        self.extent.as_ref()?.far(p)
    }

    fn index_of(&self, p: Point<f64>) -> Option<usize> {
        self.index.locate(p.0)
    }

    fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn locate(&self, p: Point<f64>) -> Option<String> {
        self.index_of(p).map(|i| self.codes[i].clone())
    }

    fn note_outside<'a>(
        &self,
        buurten: impl Iterator<Item = &'a Option<String>>,
        what: &str,
        notes: &mut Vec<String>,
    ) {
        if self.is_empty() {
            notes.push(format!("no buurten are loaded yet, so the {what} are not assigned to buurten; importing areas will assign them"));
            return;
        }
        let (mut outside, mut total) = (0, 0);
        for b in buurten {
            total += 1;
            outside += usize::from(b.is_none());
        }
        if outside > 0 {
            notes.push(format!("{outside} of {total} {what} lie outside every buurt; they are kept, counted under no buurt"));
        }
    }
}

/// Stores crime-type titles (reference data such as the StatLine `SoortMisdrijf` dimension).
pub async fn store_crime_types(
    store: &Store,
    types: &[CrimeType],
    demo: bool,
) -> Result<(), ImportError> {
    with_import_lock(store, async || {
        let checked = store.imports_marker().await?;
        let begun = store
            .try_begin_import("crime_types", "crime-types", demo, &checked)
            .await?;
        let mut tx = match begun {
            LockAttempt::Held(who) => return Err(ImportError::Busy(who)),
            LockAttempt::Acquired(Some(tx)) => tx,
            // Titles depend on nothing another import changes.
            LockAttempt::Acquired(None) => {
                store
                    .begin_import("crime_types", "crime-types", demo)
                    .await?
            }
        };
        tx.upsert_crime_types(types).await?;
        tx.commit("").await?;
        Ok(())
    })
    .await
}
