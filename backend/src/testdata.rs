//! The real CBS data beside the repository (`../shared/data`), for the unit tests that read
//! it. Absent data skips a test with a message, never fails it.

use std::path::PathBuf;

/// `../shared/data`, or `None` (and a printed reason) when this checkout has none.
pub fn shared_data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: real data not found at {} (see SOURCES.md)",
            dir.display()
        );
        None
    }
}
