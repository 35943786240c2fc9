//! Turns a user's file into domain values, or into an [`IngestError`] that names the file,
//! the line or feature, the field and the fix. Ingest writes nothing: the store commits a
//! whole import in one transaction.

pub mod error;
pub mod features;
pub mod geojson;

pub use error::{IngestError, Location};
pub use features::{FeatureSet, RawFeature};
