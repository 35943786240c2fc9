//! The built-in synthetic demo town (`geodata/`, made by `generate-demo`). An empty database
//! gets it on `serve`, imported through the same importers as user data and marked as demo,
//! so the first real area import can remove it whole.

use crate::importer::{ImportError, ImportKind, ImportOptions, import_file};
use crate::ingest::statline::read_crime_types;
use crate::store::Store;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../geodata/"]
#[allow_missing = true]
struct Geodata;

/// The demo files in import order: boundaries first, then what refers to them.
const FILES: &[(ImportKind, &str)] = &[
    (ImportKind::Areas, "areas.geojson"),
    (ImportKind::Population, "population.csv"),
    (ImportKind::Offences, "offences.csv"),
    (ImportKind::Cameras, "cameras.csv"),
    (ImportKind::Enforcement, "enforcement.csv"),
    (ImportKind::Initiatives, "initiatives.geojson"),
    (ImportKind::Incidents, "incidents.csv"),
    (ImportKind::E33, "e33.csv"),
    (ImportKind::Survey, "survey.csv"),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the demo data is missing from this build ({0}); regenerate geodata/ with `cargo run --bin generate-demo -- --out geodata`"
    )]
    Missing(&'static str),
    #[error("cannot stage the demo files: {0}")]
    Io(#[from] std::io::Error),
    #[error("the demo data failed to import: {0}")]
    Import(#[from] ImportError),
}

/// Imports the demo into the store; returns the number of rows.
pub async fn load(store: &Store) -> Result<i64, DemoError> {
    let dir = tempfile::tempdir()?;
    let stage = |name: &'static str| -> Result<std::path::PathBuf, DemoError> {
        let file = Geodata::get(name).ok_or(DemoError::Missing(name))?;
        let path = dir.path().join(name);
        std::fs::write(&path, file.data)?;
        Ok(path)
    };
    let opts = ImportOptions {
        demo: true,
        ..Default::default()
    };
    let mut rows = 0;
    for &(kind, name) in FILES {
        let path = stage(name)?;
        rows += import_file(store, kind, &path, &opts).await?.rows;
        if kind == ImportKind::Offences {
            let types = read_crime_types(&stage("crime-types.csv")?).map_err(ImportError::from)?;
            crate::importer::store_crime_types(store, &types, true).await?;
        }
    }
    Ok(rows)
}
