//! The municipality's own registrations: cameras, enforcement actions, neighbourhood-watch
//! initiatives, point incidents, E33 reports and survey results, in the CSV and GeoJSON
//! formats documented in `docs/formats.md`. Ids, names, dates and code words obey the
//! rules of [`crate::domain::validate`], the same the API applies.

use super::error::Problems;
use super::location::PointColumns;
use super::table::{Row, Table};
use super::{FeatureSet, IngestError};
use crate::domain::validate::{self, Invalid};
use crate::domain::{
    AreaCode, Camera, CameraStatus, CrimeType, E33Report, EnforcementAction, EnforcementOutcome,
    Incident, Initiative, Period,
};
use crate::spatial::frame::MetricFrame;
use geo::{Geometry, Point};
use std::collections::HashMap;
use std::path::Path;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time};

/// A field rule's refusal as an error about this row and field.
fn checked<T>(row: &Row<'_>, field: &str, rule: Result<T, Invalid>) -> Result<T, IngestError> {
    rule.map_err(|e| row.error(field, e.problem, e.fix))
}

/// Where a record came from, for error messages about it later (e.g. an unknown code).
pub type Lined<T> = (u64, T);

/// Tracks ids within one file, so that a duplicate names both lines.
#[derive(Default)]
pub struct DuplicateCheck(HashMap<String, u64>);

impl DuplicateCheck {
    pub fn check(
        &mut self,
        id: &str,
        line: u64,
        path: &Path,
        field: &str,
    ) -> Result<(), IngestError> {
        if let Some(first) = self.0.insert(id.to_string(), line) {
            return Err(IngestError::line(
                path,
                line,
                format!("the {field} '{id}' occurs twice (first on line {first})"),
                format!("give every record its own {field}"),
            )
            .with_field(field));
        }
        Ok(())
    }
}

pub fn parse_date(row: &Row<'_>, column: usize, field: &str) -> Result<Date, IngestError> {
    checked(row, field, validate::date(row.required(column, field)?))
}

/// A `YYYY-MM-DD` date by [`validate::date`].
pub fn parse_date_text(v: &str) -> Option<Date> {
    validate::date(v).ok()
}

fn optional_date(
    row: &Row<'_>,
    column: Option<usize>,
    field: &str,
) -> Result<Option<Date>, IngestError> {
    match column {
        Some(c) if !row.get(c).is_empty() => parse_date(row, c, field).map(Some),
        _ => Ok(None),
    }
}

fn parse_time(row: &Row<'_>, column: usize) -> Result<PrimitiveDateTime, IngestError> {
    let v = row.required(column, "time")?;
    let (date, clock) = match v.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let bad = || {
        row.error(
            "time",
            format!("'{v}' is not a date-time"),
            "write YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD",
        )
    };
    let date = parse_date_text(date).ok_or_else(bad)?;
    let clock = match clock {
        None => Time::MIDNIGHT,
        Some(t) => {
            let t = t.trim_end_matches('Z');
            Time::parse(t, format_description!("[hour]:[minute]:[second]"))
                .or_else(|_| Time::parse(t, format_description!("[hour]:[minute]")))
                .map_err(|_| bad())?
        }
    };
    Ok(PrimitiveDateTime::new(date, clock))
}

pub fn read_cameras(
    path: &Path,
    features: Option<FeatureSet>,
) -> Result<Vec<Lined<Camera>>, IngestError> {
    if let Some(set) = features {
        return cameras_from_features(set, path);
    }
    let mut table = Table::open(path)?;
    let id = table.require(&["id"], "id")?;
    let name = table.require(&["name", "naam"], "name")?;
    let radius = table.require(&["radius_m", "radius"], "view radius (radius_m)")?;
    let status = table.require(&["status"], "status")?;
    let installed = table.column(&["installed", "installed_date"]);
    let at = PointColumns::resolve(&table)?;
    let frame = MetricFrame::rd_new();
    let mut ids = DuplicateCheck::default();
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    while let Some(row) = table.next_row()? {
        let camera = (|| -> Result<Lined<Camera>, IngestError> {
            let camera_id = checked(&row, "id", validate::id(row.required(id, "id")?))?.to_string();
            ids.check(&camera_id, row.line, path, "id")?;
            let radius_m = row.f64(radius, "radius_m")?;
            if !(1.0..=2000.0).contains(&radius_m) {
                return Err(row.error(
                    "radius_m",
                    format!("a view radius of {radius_m} m is implausible"),
                    "give the radius in metres, between 1 and 2000",
                ));
            }
            let raw_status = row.required(status, "status")?;
            let status = CameraStatus::parse(raw_status).ok_or_else(|| {
                row.error(
                    "status",
                    format!("'{raw_status}' is not a camera status"),
                    "use active or planned",
                )
            })?;
            Ok((
                row.line,
                Camera {
                    id: camera_id,
                    name: checked(&row, "name", validate::name(row.required(name, "name")?))?
                        .to_string(),
                    location: at.point(&row, &frame)?,
                    radius_m,
                    status,
                    installed: optional_date(&row, installed, "installed")?,
                },
            ))
        })();
        out.extend(problems.take(camera));
    }
    problems.finish()?;
    Ok(out)
}

fn cameras_from_features(set: FeatureSet, path: &Path) -> Result<Vec<Lined<Camera>>, IngestError> {
    let mut ids = DuplicateCheck::default();
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    for f in set.features {
        let camera = (|| -> Result<Lined<Camera>, IngestError> {
            let err = |field: &str, problem: String, fix: &str| {
                IngestError::feature(path, f.index, f.id.clone(), problem, fix).with_field(field)
            };
            let location = match &f.geometry {
                Some(Geometry::Point(p)) => *p,
                _ => {
                    return Err(err(
                        "geometry",
                        "a camera needs a Point geometry".into(),
                        "give each camera a Point",
                    ));
                }
            };
            let id = f
                .text(&["id"])
                .or(f.id.clone())
                .ok_or_else(|| err("id", "the camera has no id".into(), "add an id property"))?;
            validate::id(&id).map_err(|e| err("id", e.problem, e.fix))?;
            ids.check(&id, f.index as u64, path, "id")?;
            let radius_m = match f.number(&["radius_m", "radius"]) {
                Some(Ok(r)) if (1.0..=2000.0).contains(&r) => r,
                _ => {
                    return Err(err(
                        "radius_m",
                        "the view radius is missing or implausible".into(),
                        "give radius_m in metres (1–2000)",
                    ));
                }
            };
            let status = f
                .text(&["status"])
                .and_then(|s| CameraStatus::parse(&s))
                .ok_or_else(|| {
                    err(
                        "status",
                        "the status is missing or unknown".into(),
                        "use active or planned",
                    )
                })?;
            let installed = match f.text(&["installed"]) {
                Some(s) => {
                    Some(validate::date(&s).map_err(|e| err("installed", e.problem, e.fix))?)
                }
                None => None,
            };
            let name = match f.text(&["name", "naam"]) {
                Some(n) => validate::name(&n)
                    .map_err(|e| err("name", e.problem, e.fix))?
                    .to_string(),
                None => id.clone(),
            };
            Ok((
                f.index as u64,
                Camera {
                    id,
                    name,
                    location,
                    radius_m,
                    status,
                    installed,
                },
            ))
        })();
        out.extend(problems.take(camera));
    }
    problems.finish()?;
    Ok(out)
}

pub fn read_enforcement(path: &Path) -> Result<Vec<Lined<EnforcementAction>>, IngestError> {
    let mut table = Table::open(path)?;
    let id = table.require(&["id"], "id")?;
    let date = table.require(&["date", "datum"], "date")?;
    let domain = table.require(&["domain", "domein"], "domain")?;
    let outcome = table.require(&["outcome", "uitkomst"], "outcome")?;
    let at = PointColumns::resolve(&table)?;
    let frame = MetricFrame::rd_new();
    let mut ids = DuplicateCheck::default();
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    while let Some(row) = table.next_row()? {
        let action = (|| -> Result<Lined<EnforcementAction>, IngestError> {
            let action_id = checked(&row, "id", validate::id(row.required(id, "id")?))?.to_string();
            ids.check(&action_id, row.line, path, "id")?;
            let raw = row.required(outcome, "outcome")?;
            let outcome = EnforcementOutcome::parse(raw).ok_or_else(|| {
                row.error(
                    "outcome",
                    format!("'{raw}' is not a known outcome"),
                    "use compliance_without_sanction, warning, administrative_sanction or criminal_report",
                )
            })?;
            Ok((
                row.line,
                EnforcementAction {
                    id: action_id,
                    date: parse_date(&row, date, "date")?,
                    location: at.point(&row, &frame)?,
                    domain: checked(
                        &row,
                        "domain",
                        validate::word(row.required(domain, "domain")?),
                    )?,
                    outcome,
                },
            ))
        })();
        out.extend(problems.take(action));
    }
    problems.finish()?;
    Ok(out)
}

pub fn read_initiatives(
    path: &Path,
    features: Option<FeatureSet>,
) -> Result<Vec<Lined<Initiative>>, IngestError> {
    let mut ids = DuplicateCheck::default();
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    if let Some(set) = features {
        for f in set.features {
            let initiative = (|| -> Result<Lined<Initiative>, IngestError> {
                let err = |field: &str, problem: String, fix: &str| {
                    IngestError::feature(path, f.index, f.id.clone(), problem, fix)
                        .with_field(field)
                };
                let geometry = match &f.geometry {
                    Some(
                        g @ (Geometry::Point(_) | Geometry::Polygon(_) | Geometry::MultiPolygon(_)),
                    ) => g.clone(),
                    _ => {
                        return Err(err(
                            "geometry",
                            "an initiative needs a Polygon, MultiPolygon or Point".into(),
                            "draw its area or mark its place",
                        ));
                    }
                };
                let id = f.text(&["id"]).or(f.id.clone()).ok_or_else(|| {
                    err(
                        "id",
                        "the initiative has no id".into(),
                        "add an id property",
                    )
                })?;
                validate::id(&id).map_err(|e| err("id", e.problem, e.fix))?;
                ids.check(&id, f.index as u64, path, "id")?;
                let date = |field: &str| -> Result<Option<Date>, IngestError> {
                    match f.text(&[field]) {
                        Some(s) => validate::date(&s)
                            .map(Some)
                            .map_err(|e| err(field, e.problem, e.fix)),
                        None => Ok(None),
                    }
                };
                let start_date = date("start_date")?.ok_or_else(|| {
                    err(
                        "start_date",
                        "the start date is missing".into(),
                        "add start_date (YYYY-MM-DD)",
                    )
                })?;
                let members = match f.number(&["members", "leden"]) {
                    Some(Ok(m)) if m >= 0.0 && m.fract() == 0.0 && m < 1e15 => Some(m as i64),
                    Some(_) => {
                        return Err(err(
                            "members",
                            "members must be a whole number of 0 or more".into(),
                            "fix members",
                        ));
                    }
                    None => None,
                };
                let name = match f.text(&["name", "naam"]) {
                    Some(n) => validate::name(&n)
                        .map_err(|e| err("name", e.problem, e.fix))?
                        .to_string(),
                    None => id.clone(),
                };
                let kind = match f.text(&["kind", "soort"]) {
                    Some(k) => validate::word(&k).map_err(|e| err("kind", e.problem, e.fix))?,
                    None => "other".into(),
                };
                Ok((
                    f.index as u64,
                    Initiative {
                        name,
                        kind,
                        id,
                        geometry,
                        start_date,
                        end_date: date("end_date")?,
                        members,
                    },
                ))
            })();
            out.extend(problems.take(initiative));
        }
        problems.finish()?;
        return Ok(out);
    }
    let mut table = Table::open(path)?;
    let id = table.require(&["id"], "id")?;
    let name = table.require(&["name", "naam"], "name")?;
    let kind = table.require(&["kind", "soort"], "kind")?;
    let start = table.require(&["start_date"], "start_date")?;
    let end = table.column(&["end_date"]);
    let members = table.column(&["members", "leden"]);
    let at = PointColumns::resolve(&table)?;
    let frame = MetricFrame::rd_new();
    while let Some(row) = table.next_row()? {
        let initiative = (|| -> Result<Lined<Initiative>, IngestError> {
            let initiative_id =
                checked(&row, "id", validate::id(row.required(id, "id")?))?.to_string();
            ids.check(&initiative_id, row.line, path, "id")?;
            Ok((
                row.line,
                Initiative {
                    id: initiative_id,
                    name: checked(&row, "name", validate::name(row.required(name, "name")?))?
                        .to_string(),
                    kind: checked(&row, "kind", validate::word(row.required(kind, "kind")?))?,
                    geometry: Geometry::Point(at.point(&row, &frame)?),
                    start_date: parse_date(&row, start, "start_date")?,
                    end_date: optional_date(&row, end, "end_date")?,
                    members: match members {
                        Some(c) => row.count(c, "members")?,
                        None => None,
                    },
                },
            ))
        })();
        out.extend(problems.take(initiative));
    }
    problems.finish()?;
    Ok(out)
}

/// Reads incidents row by row: police exports run to millions of rows.
pub struct IncidentReader {
    table: Table,
    id: usize,
    time: usize,
    crime_type: usize,
    at: PointColumns,
    frame: MetricFrame,
    ids: DuplicateCheck,
}

impl IncidentReader {
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let table = Table::open(path)?;
        Ok(IncidentReader {
            id: table.require(&["id"], "id")?,
            time: table.require(&["time", "datetime", "date"], "time")?,
            crime_type: table.require(&["crime_type", "SoortMisdrijf"], "crime type")?,
            at: PointColumns::resolve(&table)?,
            frame: MetricFrame::rd_new(),
            ids: DuplicateCheck::default(),
            table,
        })
    }

    pub fn next_row(&mut self) -> Result<Option<Lined<Incident>>, IngestError> {
        let (id_col, time_col, type_col) = (self.id, self.time, self.crime_type);
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let id = checked(&row, "id", validate::id(row.required(id_col, "id")?))?.to_string();
        self.ids.check(&id, row.line, row.path(), "id")?;
        let crime_type =
            CrimeType::parse_code(row.required(type_col, "crime_type")?).map_err(|e| {
                row.error(
                    "crime_type",
                    e,
                    "use a CBS SoortMisdrijf code such as 1.1.1",
                )
            })?;
        let time = parse_time(&row, time_col)?;
        let location = self.at.point(&row, &self.frame)?;
        Ok(Some((
            row.line,
            Incident {
                id,
                time,
                crime_type,
                location,
            },
        )))
    }
}

pub fn read_e33(path: &Path) -> Result<Vec<Lined<E33Report>>, IngestError> {
    let mut table = Table::open(path)?;
    let area = table.require(&["area", "area_code", "WijkenEnBuurten"], "area")?;
    let period = table.require(&["period", "Perioden", "month"], "period")?;
    let count = table.require(&["count", "aantal"], "count")?;
    let care = table.column(&["with_fitting_care", "passende_zorg"]);
    let mut keys = DuplicateCheck::default();
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    while let Some(row) = table.next_row()? {
        let report = (|| -> Result<Lined<E33Report>, IngestError> {
            let code = AreaCode::parse(row.required(area, "area")?)
                .map_err(|e| row.error("area", e, "use a buurt or wijk code"))?;
            let raw = row.required(period, "period")?;
            let month = match Period::parse(raw) {
                Some(Period::Month(m)) => m,
                _ => {
                    return Err(row.error(
                        "period",
                        format!("'{raw}' is not a month"),
                        "write YYYY-MM or 2023MM04",
                    ));
                }
            };
            keys.check(
                &format!("{code} {month}"),
                row.line,
                path,
                "area and period",
            )?;
            let count = row.count(count, "count")?.ok_or_else(|| {
                row.error(
                    "count",
                    "the count is empty",
                    "fill in the number of reports",
                )
            })?;
            let with_fitting_care = match care {
                Some(c) => row.count(c, "with_fitting_care")?,
                None => None,
            };
            if with_fitting_care.is_some_and(|c| c > count) {
                return Err(row.error(
                    "with_fitting_care",
                    "more reports got care than there were reports",
                    "with_fitting_care must not exceed count",
                ));
            }
            Ok((
                row.line,
                E33Report {
                    area: code,
                    month,
                    count,
                    with_fitting_care,
                },
            ))
        })();
        out.extend(problems.take(report));
    }
    problems.finish()?;
    Ok(out)
}

/// One survey result for programme indicators 1 and 6.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub indicator: String,
    pub year: i32,
    pub area: AreaCode,
    pub percentage: f64,
    pub sample_size: i64,
}

pub const SURVEY_INDICATORS: &[&str] = &["feels_safe", "enforcement_satisfaction"];

pub fn read_survey(path: &Path) -> Result<Vec<Lined<SurveyRow>>, IngestError> {
    let mut table = Table::open(path)?;
    let indicator = table.require(&["indicator"], "indicator")?;
    let year = table.require(&["year", "jaar"], "year")?;
    let area = table.require(&["area", "area_code"], "area")?;
    let pct = table.require(&["percentage", "pct"], "percentage")?;
    let n = table.require(&["sample_size", "n"], "sample size")?;
    let mut keys = DuplicateCheck::default();
    let (mut out, mut problems) = (Vec::new(), Problems::default());
    while let Some(row) = table.next_row()? {
        let survey = (|| -> Result<Lined<SurveyRow>, IngestError> {
            let ind = row.required(indicator, "indicator")?.to_string();
            if !SURVEY_INDICATORS.contains(&ind.as_str()) {
                return Err(row.error(
                    "indicator",
                    format!("'{ind}' is not a survey indicator"),
                    "use feels_safe or enforcement_satisfaction",
                ));
            }
            let y = row
                .count(year, "year")?
                .ok_or_else(|| row.error("year", "the year is empty", "fill in the survey year"))?;
            let code = AreaCode::parse(row.required(area, "area")?)
                .map_err(|e| row.error("area", e, "use a gemeente, wijk or buurt code"))?;
            let percentage = row.f64(pct, "percentage")?;
            if !(0.0..=100.0).contains(&percentage) {
                return Err(row.error(
                    "percentage",
                    format!("{percentage} is not a percentage"),
                    "write a value from 0 to 100",
                ));
            }
            let sample_size = row
                .count(n, "sample_size")?
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    row.error(
                        "sample_size",
                        "the sample size is missing or zero",
                        "give the number of respondents",
                    )
                })?;
            keys.check(
                &format!("{ind} {y} {code}"),
                row.line,
                path,
                "indicator, year and area",
            )?;
            Ok((
                row.line,
                SurveyRow {
                    indicator: ind,
                    year: y as i32,
                    area: code,
                    percentage,
                    sample_size,
                },
            ))
        })();
        out.extend(problems.take(survey));
    }
    problems.finish()?;
    Ok(out)
}

/// A point that stands for a geometry when assigning it to a buurt.
pub fn representative_point(g: &Geometry<f64>) -> Option<Point<f64>> {
    use geo::InteriorPoint;
    g.interior_point()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Location;
    use crate::service::planning::CameraInput;
    use std::io::Write;

    fn csv(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    /// One rule for both ways in: the API's camera check and the importer refuse the same
    /// values, in the same words (`domain::validate`), the importer with the line and field.
    #[test]
    fn the_api_and_the_importer_share_the_camera_rules() {
        let cases = [
            ("id", "../../etc/passwd"),
            ("id", "cam\u{202E}1"),
            ("id", "a..b"),
            ("name", "Amalia\r\nplein"),
            ("name", "Plein\u{202E}nielp"),
            ("installed", "2023-02-30"),
            ("installed", "30-01-2023"),
        ];
        for (field, value) in cases {
            let mut api = CameraInput {
                id: Some("cam-1".into()),
                name: "Plein".into(),
                lon: 6.6,
                lat: 52.3,
                radius_m: 60.0,
                status: "active".into(),
                installed: None,
            };
            let mut cells = ["cam-1", "Plein", "6.6", "52.3", "60", "active", ""].map(String::from);
            let quoted = format!("\"{value}\"");
            match field {
                "id" => (api.id, cells[0]) = (Some(value.into()), quoted),
                "name" => (api.name, cells[1]) = (value.into(), quoted),
                _ => (api.installed, cells[6]) = (Some(value.into()), quoted),
            }
            let api_message = api.validate().unwrap_err().to_string();
            let f = csv(&format!(
                "id,name,lon,lat,radius_m,status,installed\n{}\n",
                cells.join(",")
            ));
            let e = read_cameras(f.path(), None).unwrap_err();
            assert_eq!(
                (e.location.clone(), e.field.as_deref(), e.total),
                (Location::Line(2), Some(field), 1),
                "{e}"
            );
            assert!(
                api_message.starts_with(&format!("{field}: ")) && api_message.contains(&e.problem),
                "{value:?}: the API says {api_message:?}, the importer {:?}",
                e.problem
            );
            assert!(!e.to_string().contains(['\r', '\u{202E}']), "{e}");
        }
    }

    /// Every bad row of a file is reported at once, each with its line and field.
    #[test]
    fn all_refused_rows_of_a_file_are_listed() {
        let f = csv("id,name,kind,lon,lat,start_date,end_date,members\n\
             bp-1,\"Buurt\r\npreventie\",whatsapp,6.6,52.3,2020-01-01,,\n\
             ../../etc/passwd,Appgroep,whatsapp,6.6,52.3,2020-01-01,,\n\
             bp-3,Wacht,<b>patrol</b>,6.6,52.3,2020-01-01,,\n\
             bp-4,Goed,Foot_Patrol,6.6,52.3,2020-01-01,,3\n");
        let e = read_initiatives(f.path(), None).unwrap_err();
        assert_eq!(e.total, 3, "{e}");
        let places: Vec<_> = std::iter::once(&e)
            .chain(&e.others)
            .map(|e| (e.location.clone(), e.field.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            places,
            [
                (Location::Line(2), "name".to_string()),
                (Location::Line(4), "id".to_string()),
                (Location::Line(5), "kind".to_string()),
            ]
        );
    }
}
