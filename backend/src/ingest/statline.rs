//! CBS/Politie StatLine CSV exports of registered crime: 47018NED (per year) and 47022NED
//! (per month), both with `WijkenEnBuurten`, `SoortMisdrijf`, `Perioden` and
//! `GeregistreerdeMisdrijven_1`, and the StatLine website's own CSV download with Dutch
//! headers and labels instead of codes ([`super::statline_labels`]). An empty cell is
//! withheld, which is not zero.

use super::IngestError;
use super::statline_labels::{AreaNames, crime_type_label, period_label};
use super::table::Table;
use crate::domain::{AreaCode, CrimeType, OffenceCount};
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
    /// Set for the website's download: region labels are resolved by these names, narrowed
    /// by the "Soort regio" and "Gemeentenaam" columns when the download has them.
    labels: Option<Labels>,
}

struct Labels {
    names: AreaNames,
    level: Option<usize>,
    gemeente: Option<usize>,
}

/// Column names of the website's download (Dutch headers), beside the OData names.
const AREA: &[&str] = &[
    "WijkenEnBuurten",
    "RegioS",
    "area",
    "Wijken en buurten",
    "Regio's",
];
const CRIME_TYPE: &[&str] = &["SoortMisdrijf", "crime_type", "Soort misdrijf"];
const PERIOD: &[&str] = &["Perioden", "period"];

impl OffenceReader {
    /// Opens an OData export (codes). A website download (labels) needs [`Self::open_with`].
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        Self::open_with(path, None)
    }

    /// Opens an export; `names` (the imported areas' names) resolve a website download's
    /// region labels.
    pub fn open_with(path: &Path, names: Option<AreaNames>) -> Result<Self, IngestError> {
        let table = Table::open(path)?;
        let area = table.require(AREA, "area code (WijkenEnBuurten)")?;
        let crime_type = table.require(CRIME_TYPE, "crime type (SoortMisdrijf)")?;
        let period = table.require(PERIOD, "period (Perioden)")?;
        // The website's download says "Wijken en buurten" where the OData export says
        // "WijkenEnBuurten".
        let website = table.headers()[area].contains(' ');
        let labels = if website {
            let names = names.ok_or_else(|| {
                IngestError::line(
                    path,
                    1,
                    "this is the StatLine website's download, with names instead of codes",
                    "import the wijk- en buurtkaart first, so the names can be matched",
                )
            })?;
            Some(Labels {
                names,
                level: table.column(&[
                    "Soort regio",
                    "Regioaanduiding/Soort regio (omschrijving)",
                    "SoortRegio",
                ]),
                gemeente: table.column(&["Gemeentenaam", "Regioaanduiding/Gemeentenaam (naam)"]),
            })
        } else {
            None
        };
        let count = match table.column(&["GeregistreerdeMisdrijven_1", "count"]) {
            Some(c) => c,
            None => table
                .headers()
                .iter()
                .position(|h| {
                    h.starts_with("GeregistreerdeMisdrijven")
                        || h.starts_with("Geregistreerde misdrijven")
                })
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
            labels,
        })
    }

    /// The next count and its line number.
    pub fn next_row(&mut self) -> Result<Option<(u64, OffenceCount)>, IngestError> {
        let (area_col, type_col, period_col, count_col) =
            (self.area, self.crime_type, self.period, self.count);
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let raw_area = row.required(area_col, "WijkenEnBuurten")?;
        let area = match &self.labels {
            None => AreaCode::parse(raw_area).map_err(|e| {
                row.error(
                    "WijkenEnBuurten",
                    e,
                    "use the CBS code of a buurt, wijk or gemeente",
                )
            })?,
            Some(l) => l
                .names
                .resolve(
                    raw_area,
                    l.level.map(|c| row.get(c)),
                    l.gemeente.map(|c| row.get(c)),
                )
                .map_err(|e| {
                    row.error(
                        "Wijken en buurten",
                        e,
                        "import the boundaries of this gemeente first, or add the columns \
                         'Soort regio' and 'Gemeentenaam' (Regioaanduiding) to the download, \
                         or use the OData export with codes",
                    )
                })?,
        };
        let raw_type = row.required(type_col, "SoortMisdrijf")?;
        let crime_type = match &self.labels {
            None => CrimeType::parse_code(raw_type).map_err(|e| {
                row.error("SoortMisdrijf", e, "use the StatLine key of the crime type")
            })?,
            Some(_) => crime_type_label(raw_type).ok_or_else(|| {
                row.error(
                    "Soort misdrijf",
                    format!("'{raw_type}' is not a SoortMisdrijf title"),
                    "use the titles of table 47018NED, e.g. 'Totaal misdrijven' or '1.1.1 Diefstal/inbraak woning'",
                )
            })?,
        };
        let raw_period = row.required(period_col, "Perioden")?;
        let period = period_label(raw_period).ok_or_else(|| {
            row.error(
                "Perioden",
                format!("'{raw_period}' is not a CBS period code"),
                "use 2023JJ00 or 2023 for a year, 2023MM04 or '2023 april' for a month",
            )
        })?;
        let count = row.count(count_col, "GeregistreerdeMisdrijven_1")?;
        self.last_label = match &self.labels {
            // The website's crime-type column is the label itself.
            Some(_) => Some(
                raw_type
                    .strip_prefix(crime_type.as_str())
                    .unwrap_or(raw_type)
                    .trim()
                    .to_string(),
            ),
            None => self.label.map(|c| row.get(c).to_string()),
        }
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
