//! CBS kerncijfers wijken en buurten (85984NED and its yearly siblings): inhabitants per area,
//! the denominator of every rate.

use super::IngestError;
use super::table::Table;
use crate::domain::AreaCode;
use std::path::Path;

/// Reads `(line, code, population)` rows; codes that are not areas (e.g. `NL00`) are errors.
pub fn read_population(path: &Path) -> Result<Vec<(u64, AreaCode, i64)>, IngestError> {
    let mut table = Table::open(path)?;
    let code = table.require(
        &["WijkenEnBuurten", "nhood_id", "code", "RegioS"],
        "area code (WijkenEnBuurten)",
    )?;
    let population = table.require(
        &["AantalInwoners_5", "population", "AantalInwoners"],
        "population (AantalInwoners_5)",
    )?;
    let mut out = Vec::new();
    while let Some(row) = table.next_row()? {
        let area = AreaCode::parse(row.required(code, "WijkenEnBuurten")?).map_err(|e| {
            row.error(
                "WijkenEnBuurten",
                e,
                "use the CBS code of a buurt, wijk or gemeente",
            )
        })?;
        let Some(n) = row.count(population, "AantalInwoners_5")? else {
            // CBS leaves small areas empty for privacy; no figure is better than a false zero.
            continue;
        };
        out.push((row.line, area, n));
    }
    if out.is_empty() {
        return Err(IngestError::file(
            path,
            "the file has no population rows",
            "export the table with at least one area",
        ));
    }
    Ok(out)
}
