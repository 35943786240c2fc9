//! Turns a user's file into domain values, or into an [`IngestError`] that names the file,
//! the line or feature, the field and the fix. Ingest writes nothing: the store commits a
//! whole import in one transaction.

pub mod areas;
pub mod crs;
pub mod error;
pub mod features;
pub mod geojson;
pub mod gpkg;
pub mod location;
pub mod points_csv;
pub mod population;
pub mod registrations;
pub mod statline;
pub mod statline_labels;
pub mod table;

pub use error::{IngestError, Location};
pub use features::{FeatureSet, RawFeature};
