//! Registered crime (Politie tables 47018NED per year and 47022NED per month) and population
//! (the kerncijfers wijken en buurten, one table per year) from CBS's OData v3 feeds, paged
//! by `odata.nextLink`, checked, and written as the StatLine-shaped CSV files the offence and
//! population importers read. A withheld (`null`) figure stays empty, never 0.

use super::http::{address, resolve};
use super::manifest::Cache;
use super::{FetchError, Gemeente};
use crate::domain::{AreaCode, Period};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashSet};

/// Registered crime per year.
pub const YEARLY: &str = "47018NED";
/// Registered crime per month.
pub const MONTHLY: &str = "47022NED";

/// One page of an OData v3 answer.
#[derive(Debug, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct ODataPage<T> {
    value: Vec<T>,
    #[serde(rename = "odata.nextLink", default)]
    next_link: Option<String>,
}

/// A row of 47018NED/47022NED `TypedDataSet`. The count must be present; `null` is withheld.
#[derive(Debug, Deserialize)]
struct OffenceRow {
    #[serde(rename = "WijkenEnBuurten")]
    area: String,
    #[serde(rename = "SoortMisdrijf")]
    crime_type: String,
    #[serde(rename = "Perioden")]
    period: String,
    #[serde(
        rename = "GeregistreerdeMisdrijven_1",
        deserialize_with = "Option::deserialize"
    )]
    count: Option<i64>,
}

/// A row of a kerncijfers `TypedDataSet` (only the columns asked for with `$select`).
#[derive(Debug, Deserialize)]
struct PopulationRow {
    #[serde(rename = "WijkenEnBuurten")]
    area: String,
    #[serde(rename = "AantalInwoners_5", deserialize_with = "Option::deserialize")]
    population: Option<i64>,
}

/// A row of a dimension (`Perioden`, `SoortMisdrijf`).
#[derive(Debug, Deserialize)]
struct DimensionRow {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Title")]
    title: String,
}

/// `startswith(WijkenEnBuurten,'GM0141') or … 'WK0141' … 'BU0141'`.
fn area_filter(gemeente: &Gemeente) -> String {
    let d = gemeente.digits();
    format!(
        "startswith(WijkenEnBuurten,'GM{d}') or startswith(WijkenEnBuurten,'WK{d}') or startswith(WijkenEnBuurten,'BU{d}')"
    )
}

/// Whether a (trimmed) code belongs to the gemeente: the gemeente itself, or one of its
/// wijken or buurten.
fn in_gemeente(code: &str, gemeente: &Gemeente) -> bool {
    let d = gemeente.digits();
    code == gemeente.code()
        || (code.len() == 8 && code.starts_with("WK") && code[2..].starts_with(d))
        || (code.len() == 10 && code.starts_with("BU") && code[2..].starts_with(d))
}

/// The code of a row (padded as CBS sends it), or `None` for a row of another gemeente.
fn area_in(raw: &str, gemeente: &Gemeente, url: &str) -> Result<Option<AreaCode>, FetchError> {
    let code = raw.trim();
    if !in_gemeente(code, gemeente) {
        return Ok(None);
    }
    AreaCode::parse(code)
        .map(Some)
        .map_err(|e| FetchError::Payload {
            url: url.to_string(),
            field: "WijkenEnBuurten".into(),
            problem: e,
            fix: "the table's region codes changed; report it with this address".into(),
        })
}

/// Every row behind `first_url`, following `odata.nextLink`; `Ok(None)` for a 404 on the first
/// page (the table or dimension does not exist there).
async fn fetch_rows<T: DeserializeOwned>(
    cache: &mut Cache,
    first_url: String,
    name: &str,
    what: &str,
) -> Result<Option<Vec<T>>, FetchError> {
    let mut rows = Vec::new();
    let mut url = first_url;
    let mut seen = HashSet::new();
    for page_no in 1.. {
        let Some(page) = cache
            .page(&url, name, page_no, &mut seen, "odata.nextLink")
            .await?
        else {
            return Ok(None);
        };
        let parsed: ODataPage<T> =
            serde_json::from_slice(&page.body).map_err(|e| FetchError::Payload {
                url: page.url.clone(),
                field: "value".into(),
                problem: format!("the answer is not an OData page of {what} ({e})"),
                fix: "check --cbs-url / --politie-url and the table id".into(),
            })?;
        rows.extend(parsed.value);
        match parsed.next_link {
            Some(link) => url = resolve(&page.url, &link)?,
            None => break,
        }
    }
    Ok(Some(rows))
}

/// The keys of a dimension, trimmed, with their titles.
async fn dimension(
    cache: &mut Cache,
    base: &str,
    table: &str,
    dimension: &str,
) -> Result<Option<BTreeMap<String, String>>, FetchError> {
    let url = address(
        base,
        &format!("/ODataFeed/odata/{table}/{dimension}"),
        &[("$format", "json")],
    );
    let rows: Option<Vec<DimensionRow>> = fetch_rows(
        cache,
        url,
        &format!("{table}-{dimension}"),
        &format!("{dimension} keys"),
    )
    .await?;
    Ok(rows.map(|rows| {
        rows.into_iter()
            .map(|r| (r.key.trim().to_string(), r.title.trim().to_string()))
            .collect()
    }))
}

/// One checked offence figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    pub area: AreaCode,
    pub crime_type: String,
    pub period: Period,
    pub count: Option<i64>,
}

/// The offences of the years asked for, yearly and monthly, and crime-type titles.
#[derive(Debug, Default)]
pub struct Offences {
    pub rows: Vec<Offence>,
    pub titles: BTreeMap<String, String>,
}

/// Fetches 47018NED and 47022NED for `years`, one query per table and year; each year a
/// table lacks, or has no rows of the gemeente for, is said in `notes`.
pub async fn fetch_offences(
    cache: &mut Cache,
    base: &str,
    gemeente: &Gemeente,
    years: &[i32],
    notes: &mut Vec<String>,
) -> Result<Offences, FetchError> {
    let mut out = Offences::default();
    let mut keys: BTreeMap<(AreaCode, String, Period), (Option<i64>, String)> = BTreeMap::new();
    // Years with yearly rows: where the months are missing, those are what the dashboard uses.
    let mut yearly = HashSet::new();
    for table in [YEARLY, MONTHLY] {
        let monthly = table == MONTHLY;
        let Some(periods) = dimension(cache, base, table, "Perioden").await? else {
            notes.push(format!(
                "CBS has no table {table} at {base} (its Perioden answered 404); its figures are skipped"
            ));
            continue;
        };
        for &year in years {
            let (code, present) = if monthly {
                let p = format!("{year}MM");
                let present = periods.keys().any(|k| k.starts_with(&p));
                (p, present)
            } else {
                let p = format!("{year}JJ00");
                let present = periods.contains_key(&p);
                (p, present)
            };
            if !present {
                notes.push(if monthly {
                    format!(
                        "{table} has no monthly figures for {year} (no period {code}..){}",
                        yearly_instead(&yearly, year)
                    )
                } else {
                    format!(
                        "{table} has no figures for {year} (no period {code}); {year} is skipped"
                    )
                });
                continue;
            }
            let period_filter = if monthly {
                format!("startswith(Perioden,'{code}')")
            } else {
                format!("Perioden eq '{code}'")
            };
            let filter = format!("({}) and {period_filter}", area_filter(gemeente));
            let url = address(
                base,
                &format!("/ODataFeed/odata/{table}/TypedDataSet"),
                &[("$format", "json"), ("$filter", &filter)],
            );
            let Some(rows) = fetch_rows::<OffenceRow>(
                cache,
                url.clone(),
                &format!("{table}-{}-{year}", gemeente.code()),
                "offence counts",
            )
            .await?
            else {
                return Err(FetchError::Payload {
                    url,
                    field: "TypedDataSet".into(),
                    problem: format!("{table} lists its periods but its data set answered 404"),
                    fix: "try again later".into(),
                });
            };
            let mut kept = 0usize;
            for r in rows {
                let Some(area) = area_in(&r.area, gemeente, &url)? else {
                    continue;
                };
                let period = Period::parse(&r.period)
                    .filter(|p| p.year() == year && matches!(p, Period::Month(_)) == monthly)
                    .ok_or_else(|| FetchError::Payload {
                        url: url.clone(),
                        field: "Perioden".into(),
                        problem: format!(
                            "'{}' is not a {} of {year}",
                            r.period.trim(),
                            if monthly { "month" } else { "year" }
                        ),
                        fix: "the server did not apply the Perioden filter; check --politie-url"
                            .into(),
                    })?;
                let crime_type = r.crime_type.trim().to_string();
                if crime_type.is_empty() {
                    return Err(FetchError::Payload {
                        url: url.clone(),
                        field: "SoortMisdrijf".into(),
                        problem: format!("a row of {area} has no crime type"),
                        fix: "report it with this address".into(),
                    });
                }
                let key = (area, crime_type, period);
                match keys.get(&key) {
                    Some((count, _)) if *count == r.count => continue,
                    Some((count, first)) => {
                        return Err(FetchError::Payload {
                            url: url.clone(),
                            field: "GeregistreerdeMisdrijven_1".into(),
                            problem: format!(
                                "{} {} {} has two different counts ({count:?} on {first}, {:?} here)",
                                key.0,
                                key.1,
                                key.2.cbs_code(),
                                r.count
                            ),
                            fix: "the table changed while it was paged; rerun with --refetch"
                                .into(),
                        });
                    }
                    None => {
                        keys.insert(key, (r.count, url.clone()));
                        kept += 1;
                    }
                }
            }
            if kept == 0 {
                notes.push(if monthly {
                    format!(
                        "{table} has no monthly figures for {} in {year}{}",
                        gemeente.code(),
                        yearly_instead(&yearly, year)
                    )
                } else {
                    format!(
                        "{table} has no rows for {} in {year}; {year} is skipped",
                        gemeente.code()
                    )
                });
            } else if !monthly {
                yearly.insert(year);
            }
        }
    }
    out.rows = keys
        .into_iter()
        .map(|((area, crime_type, period), (count, _))| Offence {
            area,
            crime_type,
            period,
            count,
        })
        .collect();
    if !out.rows.is_empty() {
        match dimension(cache, base, YEARLY, "SoortMisdrijf").await? {
            Some(types) => {
                out.titles = types
                    .into_iter()
                    .map(|(code, title)| {
                        // StatLine titles repeat the code ("1.1.1 Diefstal/inbraak woning").
                        let title = title.strip_prefix(code.as_str()).unwrap_or(&title).trim();
                        let title = title.to_string();
                        (code, title)
                    })
                    .collect()
            }
            None => notes.push(format!(
                "{YEARLY}'s SoortMisdrijf dimension answered 404; crime types are stored without titles"
            )),
        }
    }
    Ok(out)
}

/// The end of the sentence about a year without monthly figures.
fn yearly_instead(yearly: &HashSet<i32>, year: i32) -> String {
    if yearly.contains(&year) {
        format!("; the yearly figures ({YEARLY}) are used")
    } else {
        String::new()
    }
}

/// Population per area from the newest kerncijfers table of `tables` (newest first) that has
/// rows for the gemeente; each one skipped is said in `notes`.
pub async fn fetch_population(
    cache: &mut Cache,
    base: &str,
    gemeente: &Gemeente,
    tables: &[(i32, String)],
    notes: &mut Vec<String>,
) -> Result<Option<(i32, String, Vec<(AreaCode, Option<i64>)>)>, FetchError> {
    for (year, table) in tables {
        let url = address(
            base,
            &format!("/ODataFeed/odata/{table}/TypedDataSet"),
            &[
                ("$format", "json"),
                ("$filter", &area_filter(gemeente)),
                ("$select", "WijkenEnBuurten,AantalInwoners_5"),
            ],
        );
        let Some(rows) = fetch_rows::<PopulationRow>(
            cache,
            url.clone(),
            &format!("{table}-{}", gemeente.code()),
            "population figures",
        )
        .await?
        else {
            notes.push(format!(
                "CBS has no kerncijfers table {table} ({year}) at {url} (404); it is skipped"
            ));
            continue;
        };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for r in rows {
            let Some(code) = area_in(&r.area, gemeente, &url)? else {
                continue;
            };
            if !seen.insert(code.clone()) {
                return Err(FetchError::Payload {
                    url: url.clone(),
                    field: "WijkenEnBuurten".into(),
                    problem: format!("{code} occurs twice"),
                    fix: "the table changed while it was paged; rerun with --refetch".into(),
                });
            }
            out.push((code, r.population.filter(|n| *n >= 0)));
        }
        if out.is_empty() {
            notes.push(format!(
                "the kerncijfers table {table} ({year}) has no rows for {}; it is skipped",
                gemeente.code()
            ));
            continue;
        }
        return Ok(Some((*year, table.clone(), out)));
    }
    Ok(None)
}

/// The StatLine CSV the offence importer reads; a withheld count is an empty cell.
pub fn offences_csv(rows: &[Offence], titles: &BTreeMap<String, String>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "WijkenEnBuurten",
        "SoortMisdrijf",
        "SoortMisdrijf_label",
        "Perioden",
        "GeregistreerdeMisdrijven_1",
    ])
    .expect("writing to memory");
    for r in rows {
        let count = r.count.map(|c| c.to_string()).unwrap_or_default();
        let label = titles.get(&r.crime_type).map_or("", String::as_str);
        w.write_record([
            r.area.as_str(),
            &r.crime_type,
            label,
            &r.period.cbs_code(),
            &count,
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// The population CSV the population importer reads; a withheld figure is an empty cell.
pub fn population_csv(rows: &[(AreaCode, Option<i64>)]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["WijkenEnBuurten", "AantalInwoners_5"])
        .expect("writing to memory");
    for (code, n) in rows {
        let n = n.map(|n| n.to_string()).unwrap_or_default();
        w.write_record([code.as_str(), &n])
            .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_padded_codes_and_keeps_null_apart_from_a_missing_field() {
        let page: ODataPage<OffenceRow> = serde_json::from_str(
            r#"{"odata.metadata":"x","value":[
                {"ID":1,"SoortMisdrijf":"0.0.0 ","WijkenEnBuurten":"WK014110  ","Perioden":"2023JJ00","GeregistreerdeMisdrijven_1":null}],
                "odata.nextLink":"https://h/TypedDataSet?$skiptoken=1"}"#,
        )
        .unwrap();
        assert_eq!(page.value[0].count, None);
        assert_eq!(page.value[0].area.trim(), "WK014110");
        assert!(page.next_link.is_some());
        let err = serde_json::from_str::<ODataPage<OffenceRow>>(
            r#"{"value":[{"SoortMisdrijf":"0.0.0 ","WijkenEnBuurten":"BU01411000","Perioden":"2023JJ00"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("GeregistreerdeMisdrijven_1"), "{err}");
    }

    #[test]
    fn codes_of_other_gemeenten_and_levels_are_not_in_the_gemeente() {
        let g = Gemeente::parse("GM0141").unwrap();
        assert!(in_gemeente("GM0141", &g));
        assert!(in_gemeente("WK014110", &g));
        assert!(in_gemeente("BU01411000", &g));
        assert!(!in_gemeente("GM01410", &g));
        assert!(!in_gemeente("BU01421000", &g));
        assert!(!in_gemeente("NL00", &g));
    }

    #[test]
    fn csv_keeps_withheld_counts_empty() {
        let rows = vec![Offence {
            area: AreaCode::parse("BU01411000").unwrap(),
            crime_type: "0.0.0".into(),
            period: Period::Year(2023),
            count: None,
        }];
        let titles = BTreeMap::from([("0.0.0".to_string(), "Totaal misdrijven".to_string())]);
        assert_eq!(
            String::from_utf8(offences_csv(&rows, &titles)).unwrap(),
            "WijkenEnBuurten,SoortMisdrijf,SoortMisdrijf_label,Perioden,GeregistreerdeMisdrijven_1\nBU01411000,0.0.0,Totaal misdrijven,2023JJ00,\n"
        );
    }
}
