//! CBS kerncijfers wijken en buurten (85984NED and its yearly siblings): inhabitants per area,
//! the denominator of every rate.

use super::IngestError;
use super::error::Problems;
use super::table::Table;
use crate::domain::AreaCode;
use std::path::Path;

/// Reads `(line, code, population)` rows; codes that are not areas (e.g. `NL00`) are errors,
/// all of a file's reported together.
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
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    while let Some(row) = table.next_row()? {
        let figure = (|| -> Result<_, IngestError> {
            let area = AreaCode::parse(row.required(code, "WijkenEnBuurten")?).map_err(|e| {
                row.error(
                    "WijkenEnBuurten",
                    e,
                    "use the CBS code of a buurt, wijk or gemeente",
                )
            })?;
            // CBS leaves small areas empty for privacy; no figure is better than a false zero.
            let n = row.count(population, "AantalInwoners_5")?;
            Ok(n.map(|n| (row.line, area, n)))
        })();
        out.extend(problems.take(figure).flatten());
    }
    problems.finish()?;
    if out.is_empty() {
        return Err(IngestError::file(
            path,
            "the file has no population rows",
            "export the table with at least one area",
        ));
    }
    Ok(out)
}
