//! Runs an import end to end: read the file with [`ingest`](crate::ingest), check it
//! against what the store already knows, and write it in one transaction. The same path
//! serves the CLI, the demo loader and the tests, so the demo is imported like user data.

use crate::domain::{AreaCode, AreaLevel, CrimeType, OffenceCount};
use crate::ingest::{self, IngestError};
use crate::spatial::index::AreaIndex;
use crate::store::{ImportTx, Store, StoreError};
use geo::Point;
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
    /// Make invalid polygons valid (and report each repair) instead of refusing them.
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
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Sql(e))
    }
}

const BATCH: usize = 2_000;

/// Imports one file. Either all of it is written, or (on any error, or a dry run) nothing.
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
    let mut tx = store
        .begin_import(kind.as_str(), &source, opts.demo)
        .await?;
    let mut notes = Vec::new();
    match kind {
        ImportKind::Areas => import_areas(&mut tx, path, opts, &mut notes).await?,
        ImportKind::Offences => import_offences(&mut tx, path, &mut notes).await?,
        ImportKind::Population => {
            let known = KnownAreas::load(&mut tx).await?;
            let mut rows = Vec::new();
            for (line, code, n) in ingest::population::read_population(path)? {
                known.check(&code, path, line, "WijkenEnBuurten")?;
                rows.push((code.to_string(), n));
            }
            tx.insert_population(&rows).await?;
        }
        ImportKind::Cameras => {
            let features = geojson_if_json(path)?;
            let cameras = ingest::registrations::read_cameras(path, features)?;
            let locator = BuurtLocator::load(&mut tx).await?;
            let rows: Vec<_> = cameras
                .into_iter()
                .map(|(_, c)| {
                    let b = locator.locate(c.location);
                    (c, b)
                })
                .collect();
            locator.note_outside(rows.iter().map(|r| &r.1), "cameras", &mut notes);
            tx.insert_cameras(&rows).await?;
        }
        ImportKind::Enforcement => {
            let actions = ingest::registrations::read_enforcement(path)?;
            let locator = BuurtLocator::load(&mut tx).await?;
            let rows: Vec<_> = actions
                .into_iter()
                .map(|(_, a)| {
                    let b = locator.locate(a.location);
                    (a, b)
                })
                .collect();
            locator.note_outside(rows.iter().map(|r| &r.1), "enforcement actions", &mut notes);
            tx.insert_enforcement(&rows).await?;
        }
        ImportKind::Initiatives => {
            let features = geojson_if_json(path)?;
            let initiatives = ingest::registrations::read_initiatives(path, features)?;
            let locator = BuurtLocator::load(&mut tx).await?;
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
                let b = locator.locate(at);
                rows.push((i, at, b));
            }
            locator.note_outside(rows.iter().map(|r| &r.2), "initiatives", &mut notes);
            tx.insert_initiatives(&rows).await?;
        }
        ImportKind::Incidents => import_incidents(&mut tx, path, &mut notes).await?,
        ImportKind::E33 => {
            let known = KnownAreas::load(&mut tx).await?;
            let reports = ingest::registrations::read_e33(path)?;
            for (line, r) in &reports {
                known.check(&r.area, path, *line, "area")?;
            }
            let rows: Vec<_> = reports.into_iter().map(|(_, r)| r).collect();
            tx.insert_e33(&rows).await?;
        }
        ImportKind::Survey => {
            let known = KnownAreas::load(&mut tx).await?;
            let rows = ingest::registrations::read_survey(path)?;
            for (line, r) in &rows {
                known.check(&r.area, path, *line, "area")?;
            }
            let rows: Vec<_> = rows.into_iter().map(|(_, r)| r).collect();
            tx.insert_survey(&rows).await?;
        }
    }
    let rows = tx.rows();
    if opts.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit(&notes.join("\n")).await?;
    }
    Ok(ImportReport {
        kind,
        rows,
        dry_run: opts.dry_run,
        notes,
    })
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

async fn import_areas(
    tx: &mut ImportTx,
    path: &Path,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
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
    let year = match (file.boundary_year, opts.boundary_year) {
        (Some(a), Some(b)) if a != b => {
            return Err(IngestError::file(
                path,
                format!("the file states boundary year {a}, but --boundary-year says {b}"),
                "leave out --boundary-year, or give the year the file states",
            )
            .with_field("year")
            .into());
        }
        (Some(y), _) | (None, Some(y)) => i64::from(y),
        (None, None) => {
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
    let locator = BuurtLocator::load(tx).await?;
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

/// Offences are read twice: a first pass validates the whole file without touching the
/// database, so a bad row at the end of a national export costs no writes; the second pass
/// streams the rows into the transaction. Neither pass holds the file.
async fn import_offences(
    tx: &mut ImportTx,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    let known = KnownAreas::load(tx).await?;
    let names = ingest::statline_labels::AreaNames::new(
        tx.area_names()
            .await?
            .into_iter()
            .filter_map(|(code, name)| Some((AreaCode::parse(&code).ok()?, name))),
    );
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
    tx.upsert_crime_types(&titles).await?;
    if withheld > 0 {
        notes.push(format!(
            "{withheld} cells are withheld by CBS (empty); they stay withheld, not zero"
        ));
    }
    Ok(())
}

/// Validated in a first pass like offences, then streamed in.
async fn import_incidents(
    tx: &mut ImportTx,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    let locator = BuurtLocator::load(tx).await?;
    let mut reader = ingest::registrations::IncidentReader::open(path)?;
    while reader.next_row()?.is_some() {}
    let mut reader = ingest::registrations::IncidentReader::open(path)?;
    let mut batch = Vec::with_capacity(BATCH);
    let (mut outside, mut total) = (0u64, 0u64);
    while let Some((_, incident)) = reader.next_row()? {
        let buurt = locator.locate(incident.location);
        outside += u64::from(buurt.is_none() && !locator.is_empty());
        total += 1;
        batch.push((incident, buurt));
        if batch.len() == BATCH {
            tx.insert_incidents(&batch).await?;
            batch.clear();
        }
    }
    tx.insert_incidents(&batch).await?;
    if total == 0 {
        return Err(IngestError::file(
            path,
            "the file has a header but no rows",
            "export the incidents with data",
        )
        .into());
    }
    if outside > 0 {
        notes.push(format!("{outside} of {total} incidents lie outside every buurt; they are kept, counted under no buurt"));
    }
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
    async fn load(tx: &mut ImportTx) -> Result<Self, StoreError> {
        Ok(KnownAreas(tx.known_area_codes().await?))
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

/// Assigns points to buurten with the shared area index.
struct BuurtLocator {
    codes: Vec<String>,
    index: AreaIndex,
}

impl BuurtLocator {
    async fn load(tx: &mut ImportTx) -> Result<Self, StoreError> {
        let rows = tx.buurt_geometries().await?;
        let mut codes = Vec::with_capacity(rows.len());
        let mut polygons = Vec::with_capacity(rows.len());
        for (code, geometry) in rows {
            if let Some(mp) = crate::store::stored_multipolygon(&geometry) {
                codes.push(code);
                polygons.push(mp);
            }
        }
        Ok(BuurtLocator {
            index: AreaIndex::build(&polygons),
            codes,
        })
    }

    fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn locate(&self, p: Point<f64>) -> Option<String> {
        self.index.locate(p.0).map(|i| self.codes[i].clone())
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
    let mut tx = store
        .begin_import("crime_types", "crime-types", demo)
        .await?;
    tx.upsert_crime_types(types).await?;
    tx.commit("").await?;
    Ok(())
}
