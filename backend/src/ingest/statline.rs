//! CBS/Politie StatLine CSV exports of registered crime: 47018NED (per year) and 47022NED
//! (per month), both with `WijkenEnBuurten`, `SoortMisdrijf`, `Perioden` and
//! `GeregistreerdeMisdrijven_1`. An empty cell is withheld, which is not zero.

use super::IngestError;
use super::table::Table;
use crate::domain::{AreaCode, CrimeType, OffenceCount, Period};
use std::path::Path;

/// Reads offence counts row by row, so a national export never sits in memory.
pub struct OffenceReader {
    table: Table,
    area: usize,
    crime_type: usize,
    period: usize,
    count: usize,
    label: Option<usize>,
    last_label: Option<String>,
}

impl OffenceReader {
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let table = Table::open(path)?;
        let area = table.require(
            &["WijkenEnBuurten", "RegioS", "area"],
            "area code (WijkenEnBuurten)",
        )?;
        let crime_type = table.require(
            &["SoortMisdrijf", "crime_type"],
            "crime type (SoortMisdrijf)",
        )?;
        let period = table.require(&["Perioden", "period"], "period (Perioden)")?;
        let count = match table.column(&["GeregistreerdeMisdrijven_1", "count"]) {
            Some(c) => c,
            None => table
                .headers()
                .iter()
                .position(|h| h.starts_with("GeregistreerdeMisdrijven"))
                .ok_or_else(|| {
                    table
                        .require(
                            &["GeregistreerdeMisdrijven_1"],
                            "count (GeregistreerdeMisdrijven_1)",
                        )
                        .unwrap_err()
                })?,
        };
        let label = table.column(&["SoortMisdrijf_label", "crime_type_title"]);
        Ok(OffenceReader {
            table,
            area,
            crime_type,
            period,
            count,
            label,
            last_label: None,
        })
    }

    /// The next count and its line number.
    pub fn next_row(&mut self) -> Result<Option<(u64, OffenceCount)>, IngestError> {
        let (area_col, type_col, period_col, count_col) =
            (self.area, self.crime_type, self.period, self.count);
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let area = AreaCode::parse(row.required(area_col, "WijkenEnBuurten")?).map_err(|e| {
            row.error(
                "WijkenEnBuurten",
                e,
                "use the CBS code of a buurt, wijk or gemeente",
            )
        })?;
        let crime_type = CrimeType::parse_code(row.required(type_col, "SoortMisdrijf")?)
            .map_err(|e| row.error("SoortMisdrijf", e, "use the StatLine key of the crime type"))?;
        let raw_period = row.required(period_col, "Perioden")?;
        let period = Period::parse(raw_period).ok_or_else(|| {
            row.error(
                "Perioden",
                format!("'{raw_period}' is not a CBS period code"),
                "use 2023JJ00 for a year or 2023MM04 for a month",
            )
        })?;
        let count = row.count(count_col, "GeregistreerdeMisdrijven_1")?;
        self.last_label = self
            .label
            .map(|c| row.get(c).to_string())
            .filter(|l| !l.is_empty());
        Ok(Some((
            row.line,
            OffenceCount {
                area,
                period,
                crime_type,
                count,
            },
        )))
    }
}

impl OffenceReader {
    /// The crime type's title on the last row read, when the export carries labels.
    pub fn label(&self) -> Option<String> {
        self.last_label.clone()
    }
}

/// Reads a crime-type dimension (`Key,Title`, as in StatLine's `SoortMisdrijf.csv`).
pub fn read_crime_types(path: &Path) -> Result<Vec<CrimeType>, IngestError> {
    let mut table = Table::open(path)?;
    let key = table.require(&["Key", "code"], "crime-type key")?;
    let title = table.require(&["Title", "title"], "title")?;
    let mut out = Vec::new();
    while let Some(row) = table.next_row()? {
        let code = CrimeType::parse_code(row.required(key, "Key")?)
            .map_err(|e| row.error("Key", e, "use codes like 1.1.1"))?;
        // StatLine titles repeat the code ("1.1.1 Diefstal/inbraak woning"); keep the words.
        let raw = row.required(title, "Title")?;
        let title = raw
            .strip_prefix(code.as_str())
            .unwrap_or(raw)
            .trim()
            .to_string();
        out.push(CrimeType { code, title });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content).unwrap();
        f
    }

    #[test]
    fn reads_withheld_as_none_and_accepts_bom_crlf_semicolons() {
        let f = file(b"\xEF\xBB\xBFWijkenEnBuurten;SoortMisdrijf;Perioden;GeregistreerdeMisdrijven_1\r\n\"BU01411000\";\"1.1.1 \";\"2023MM04\";3\r\nBU01411001;1.1.1;2023MM04;\r\n");
        let mut r = OffenceReader::open(f.path()).unwrap();
        let (line, a) = r.next_row().unwrap().unwrap();
        assert_eq!(
            (line, a.count, a.crime_type.as_str()),
            (2, Some(3), "1.1.1")
        );
        let (line, b) = r.next_row().unwrap().unwrap();
        assert_eq!((line, b.count), (3, None));
        assert!(r.next_row().unwrap().is_none());
    }

    #[test]
    fn names_line_and_field_of_a_bad_count() {
        let f = file(b"WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\nBU01411000,0.0.0,2023JJ00,veel\n");
        let mut r = OffenceReader::open(f.path()).unwrap();
        let msg = r.next_row().unwrap_err().to_string();
        assert!(
            msg.contains("line 2")
                && msg.contains("GeregistreerdeMisdrijven_1")
                && msg.contains("'veel'"),
            "{msg}"
        );
    }
}
