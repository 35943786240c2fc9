//! The six indicators of one area, computed from the per-area rows the store reads in one
//! call ([`IndicatorInputs`]): the roll-up to a wijk or gemeente, the baseline (stored, or the
//! value the data gives for [`BASELINE_YEAR`]), the targets (stored, or the demo's
//! illustrative ones), the status, a breakdown into parts, and the rows behind a figure.
//! Pure: the service loads, this module computes, and the API, the indicator view and the
//! printed report all show what it gives.

use super::{
    BASELINE_YEAR, Definition, Direction, E33Year, INDICATORS, Key, OffenceYear, Source, Status,
    Unit, YearValue,
};
use crate::analysis::figures::roll_up;
use crate::domain::{AreaCode, AreaLevel};
use crate::store::{CountSum, IndicatorInputs, IndicatorSetting};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Where a baseline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BaselineSource {
    /// Stored by the steering group.
    Set,
    /// The value the data gives for the programme's baseline year (2017) while none is set.
    Data,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Baseline {
    pub year: i32,
    pub value: f64,
    pub source: BaselineSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub year: i32,
    pub value: f64,
    /// Illustrative target of the synthetic demo, not set by anyone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Latest {
    pub year: i32,
    pub value: f64,
}

/// One indicator of one area, with everything needed to show and judge it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndicatorView {
    pub key: &'static str,
    pub number: u8,
    /// Dutch title (the programme's wording).
    pub title: &'static str,
    pub title_en: &'static str,
    /// How it is computed, in Dutch; `definition_en` in English.
    pub definition: &'static str,
    pub definition_en: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    pub source: Source,
    /// The imported data it is computed from.
    pub data: &'static str,
    /// The area code the values are for.
    pub area: String,
    pub values: Vec<YearValue>,
    pub baseline: Option<Baseline>,
    pub targets: Vec<Target>,
    /// The latest value (for offences the latest complete year).
    pub latest: Option<Latest>,
    pub status: Status,
    /// Where the latest year should be on the way to the targets (what `status` judges by).
    pub expected: Option<Expected>,
    /// The targets are the demo's illustrative ones.
    pub demo_targets: bool,
}

/// One part (a wijk of a gemeente, a buurt of a wijk) in a breakdown, with its value that
/// year (and what is needed to read it), or `null` when the data has none.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BreakdownPart {
    pub code: String,
    pub name: String,
    pub value: Option<YearValue>,
    /// `value` is hidden for this viewer ("< 5": a small count, or a share of few cases).
    pub suppressed: bool,
}

/// The value a year should have on the path to a target (see `path_value`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Expected {
    pub year: i32,
    pub value: f64,
    /// The target year the path leads to (the same year when that year has its own target).
    pub target_year: i32,
}

/// A row behind one year's figure of an area.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum BehindRow {
    Survey {
        area_code: String,
        percentage: f64,
        sample_size: i64,
        margin: Option<f64>,
    },
    Offences {
        area_code: String,
        count: i64,
        withheld: i64,
    },
    Enforcement {
        domain: String,
        outcome: String,
        count: i64,
        /// Whether the domain counts for the indicator.
        counted: bool,
    },
    Initiative {
        id: String,
        name: String,
        kind: String,
        start_date: String,
        end_date: Option<String>,
        members: Option<i64>,
        buurt_code: Option<String>,
    },
    E33 {
        area_code: String,
        count: i64,
        known_count: i64,
        with_fitting_care: i64,
    },
}

/// An indicator's value for one year split into the area's parts, with the rows behind it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Breakdown {
    pub key: &'static str,
    pub year: i32,
    pub area: NamedCode,
    pub value: Option<YearValue>,
    /// The level of the parts: `wijk` for a gemeente, `buurt` for a wijk.
    pub parts: AreaLevel,
    /// The parts (named `wijken` for both levels, as the API has always called them).
    pub wijken: Vec<BreakdownPart>,
    pub data: Vec<BehindRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NamedCode {
    pub code: String,
    pub name: Option<String>,
}

/// The inputs of the indicators with their codes parsed once.
pub struct IndicatorData {
    inputs: IndicatorInputs,
    /// The years any of the data covers, without gaps.
    years: Vec<i32>,
}

/// Whether a stored code lies in `area`; codes that are not CBS codes lie nowhere.
fn inside(area: &AreaCode, code: &str) -> bool {
    AreaCode::parse(code).is_ok_and(|c| area.contains(&c))
}

fn inside_opt(area: &AreaCode, code: Option<&str>) -> bool {
    code.is_some_and(|c| inside(area, c))
}

impl IndicatorData {
    pub fn new(inputs: IndicatorInputs) -> IndicatorData {
        let mut years: BTreeSet<i32> = BTreeSet::new();
        years.extend(inputs.offences.iter().map(|r| r.year));
        years.extend(inputs.survey.iter().map(|r| r.year));
        years.extend(inputs.enforcement.iter().map(|r| r.year));
        years.extend(inputs.e33.iter().map(|r| r.year));
        let years = match (years.first(), years.last()) {
            (Some(&a), Some(&b)) => (a..=b).collect(),
            _ => vec![],
        };
        IndicatorData { inputs, years }
    }

    /// The data up to and including `year`, as it was known for a report on that year.
    pub fn until(mut self, year: i32) -> Self {
        let i = &mut self.inputs;
        i.offences.retain(|r| r.year <= year);
        i.offence_coverage.retain(|r| r.year <= year);
        i.survey.retain(|r| r.year <= year);
        i.enforcement.retain(|r| r.year <= year);
        i.e33.retain(|r| r.year <= year);
        self.years.retain(|&y| y <= year);
        self
    }

    pub fn years(&self) -> &[i32] {
        &self.years
    }

    fn complete_year(&self, year: i32) -> bool {
        self.inputs
            .offence_coverage
            .iter()
            .any(|c| c.year == year && (c.months == 12 || c.yearly_rows > 0))
    }

    /// The offence totals of an area per year, rolled up ([`roll_up`]): its own rows where it
    /// has them that year, otherwise the sum of its buurten.
    fn offence_years(&self, area: &AreaCode) -> Vec<OffenceYear> {
        let mut own: BTreeMap<i32, CountSum> = BTreeMap::new();
        let mut parts: BTreeMap<i32, CountSum> = BTreeMap::new();
        for r in &self.inputs.offences {
            let Ok(code) = AreaCode::parse(&r.area_code) else {
                continue;
            };
            let slot = if code == *area {
                &mut own
            } else if code.level() == AreaLevel::Buurt && area.contains(&code) {
                &mut parts
            } else {
                continue;
            };
            *slot.entry(r.year).or_default() += CountSum {
                known: r.known,
                withheld: r.withheld,
                cells: r.cells,
            };
        }
        let years: BTreeSet<i32> = own.keys().chain(parts.keys()).copied().collect();
        years
            .into_iter()
            .filter_map(|year| {
                roll_up(own.get(&year).copied(), parts.get(&year).copied()).map(|s| OffenceYear {
                    year,
                    known: s.known,
                    withheld: s.withheld,
                    complete_year: self.complete_year(year),
                })
            })
            .collect()
    }

    /// The yearly values of an indicator for an area (a gemeente, wijk or buurt).
    pub fn values(&self, key: Key, area: &AreaCode) -> Vec<YearValue> {
        let i = &self.inputs;
        match key {
            Key::FeelsSafe | Key::EnforcementSatisfaction => {
                let mine: Vec<(i32, f64, i64)> = i
                    .survey
                    .iter()
                    .filter(|r| r.indicator == key.as_str() && r.area_code == area.as_str())
                    .map(|r| (r.year, r.percentage, r.sample_size))
                    .collect();
                super::survey_series(&mine)
            }
            Key::Offences => super::offence_series(&self.offence_years(area)),
            Key::EnforcementWithoutSanction => {
                let mut per_year: BTreeMap<i32, Vec<(String, String, i64)>> = BTreeMap::new();
                for r in &i.enforcement {
                    if inside_opt(area, r.buurt_code.as_deref()) {
                        per_year.entry(r.year).or_default().push((
                            r.domain.clone(),
                            r.outcome.clone(),
                            r.count,
                        ));
                    }
                }
                per_year
                    .iter()
                    .filter_map(|(&y, rows)| super::enforcement_share(y, rows))
                    .collect()
            }
            // Without any initiative registration there is no figure: no data is not 0.
            Key::Initiatives if i.initiatives.is_empty() => vec![],
            Key::Initiatives => {
                let mine: Vec<(String, Option<String>)> = i
                    .initiatives
                    .iter()
                    .filter(|x| inside_opt(area, x.buurt_code.as_deref()))
                    .map(|x| (x.start_date.clone(), x.end_date.clone()))
                    .collect();
                self.years
                    .iter()
                    .map(|&y| YearValue::plain(y, super::initiatives_active(y, &mine) as f64))
                    .collect()
            }
            Key::E33FittingCare => {
                let mut per_year: BTreeMap<i32, E33Year> = BTreeMap::new();
                for r in i.e33.iter().filter(|r| inside(area, &r.area_code)) {
                    let y = per_year.entry(r.year).or_insert(E33Year {
                        year: r.year,
                        ..Default::default()
                    });
                    y.count += r.count;
                    y.known_count += r.known_count;
                    y.fitting += r.fitting;
                }
                per_year
                    .into_values()
                    .filter_map(super::e33_value)
                    .collect()
            }
        }
    }

    fn setting<'a>(
        list: &'a [IndicatorSetting],
        key: Key,
        area: &'a AreaCode,
    ) -> impl Iterator<Item = &'a IndicatorSetting> + 'a {
        list.iter()
            .filter(move |s| s.indicator == key.as_str() && s.area_code == area.as_str())
    }

    /// The latest value of a series that counts: for offences, the latest complete year.
    pub fn latest(values: &[YearValue]) -> Option<Latest> {
        values
            .iter()
            .rev()
            .find(|v| v.complete_year != Some(false))
            .map(|v| Latest {
                year: v.year,
                value: v.value,
            })
    }

    /// The indicator for an area, with its baseline, targets and status.
    pub fn indicator(&self, def: &'static Definition, area: &AreaCode) -> IndicatorView {
        let key = def.key;
        let mut values = self.values(key, area);
        let baseline = match Self::setting(&self.inputs.baselines, key, area).next() {
            Some(s) => Some(Baseline {
                year: s.year,
                value: s.value,
                source: BaselineSource::Set,
            }),
            None => values
                .iter()
                .find(|v| v.year == BASELINE_YEAR)
                .map(|v| Baseline {
                    year: v.year,
                    value: v.value,
                    source: BaselineSource::Data,
                }),
        };
        if key == Key::Offences {
            super::with_pct_of_baseline(&mut values, baseline.as_ref().map(|b| b.value));
        }
        let stored: Vec<Target> = Self::setting(&self.inputs.targets, key, area)
            .map(|s| Target {
                year: s.year,
                value: s.value,
                demo: false,
            })
            .collect();
        let (targets, demo_targets) = if stored.is_empty() && self.inputs.demo {
            let t: Vec<Target> = baseline
                .as_ref()
                .map(|b| super::demo_targets(def, (b.year, b.value), &self.years))
                .unwrap_or_default()
                .into_iter()
                .map(|(year, value)| Target {
                    year,
                    value,
                    demo: true,
                })
                .collect();
            let demo = !t.is_empty();
            (t, demo)
        } else {
            (stored, false)
        };
        let latest = Self::latest(&values);
        let pairs: Vec<(i32, f64)> = targets.iter().map(|t| (t.year, t.value)).collect();
        let base = baseline.as_ref().map(|b| (b.year, b.value));
        let status = super::status(
            def.direction,
            latest.as_ref().map(|l| (l.year, l.value)),
            &pairs,
            base,
        );
        let expected = latest.as_ref().and_then(|l| {
            super::path_value(l.year, base, &pairs).map(|(value, toward)| Expected {
                year: l.year,
                value,
                target_year: toward,
            })
        });
        IndicatorView {
            key: key.as_str(),
            number: def.number,
            title: def.title_nl,
            title_en: def.title_en,
            definition: def.definition_nl,
            definition_en: def.definition_en,
            unit: def.unit,
            direction: def.direction,
            source: def.source,
            data: def.data,
            area: area.to_string(),
            values,
            baseline,
            targets,
            latest,
            status,
            expected,
            demo_targets,
        }
    }

    /// All six indicators of an area.
    pub fn all(&self, area: &AreaCode) -> Vec<IndicatorView> {
        INDICATORS
            .iter()
            .map(|def| self.indicator(def, area))
            .collect()
    }

    /// An indicator's value in `year` (default: its latest year) split into the parts of
    /// `area`, given as `(code, name)` of its wijken (for a gemeente) or buurten (for a wijk).
    pub fn breakdown(
        &self,
        def: &'static Definition,
        area: &AreaCode,
        area_name: Option<String>,
        year: Option<i32>,
        parts: &[(AreaCode, String)],
    ) -> Breakdown {
        let values = self.values(def.key, area);
        let year = year
            .or_else(|| Self::latest(&values).map(|l| l.year))
            .or(self.years.last().copied())
            .unwrap_or(0);
        let part_level = if area.level() == AreaLevel::Gemeente {
            AreaLevel::Wijk
        } else {
            AreaLevel::Buurt
        };
        let wijken = parts
            .iter()
            .filter(|(code, _)| code.level() == part_level && code != area && area.contains(code))
            .map(|(code, name)| {
                let v = self
                    .values(def.key, code)
                    .into_iter()
                    .find(|v| v.year == year);
                BreakdownPart {
                    code: code.to_string(),
                    name: name.clone(),
                    value: v,
                    suppressed: false,
                }
            })
            .collect();
        Breakdown {
            key: def.key.as_str(),
            year,
            area: NamedCode {
                code: area.to_string(),
                name: area_name,
            },
            value: values.into_iter().find(|v| v.year == year),
            parts: part_level,
            wijken,
            data: self.rows_behind(def.key, area, year),
        }
    }

    /// The rows behind one year's figure for an area.
    pub fn rows_behind(&self, key: Key, area: &AreaCode, year: i32) -> Vec<BehindRow> {
        let i = &self.inputs;
        match key {
            Key::FeelsSafe | Key::EnforcementSatisfaction => i
                .survey
                .iter()
                .filter(|r| {
                    r.indicator == key.as_str() && r.year == year && inside(area, &r.area_code)
                })
                .map(|r| BehindRow::Survey {
                    area_code: r.area_code.clone(),
                    percentage: r.percentage,
                    sample_size: r.sample_size,
                    margin: super::margin_pp(r.percentage, r.sample_size),
                })
                .collect(),
            Key::Offences => i
                .offences
                .iter()
                .filter(|r| r.year == year && inside(area, &r.area_code))
                .map(|r| BehindRow::Offences {
                    area_code: r.area_code.clone(),
                    count: r.known,
                    withheld: r.withheld,
                })
                .collect(),
            Key::EnforcementWithoutSanction => {
                let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
                for r in i
                    .enforcement
                    .iter()
                    .filter(|r| r.year == year && inside_opt(area, r.buurt_code.as_deref()))
                {
                    *by.entry((r.domain.clone(), r.outcome.clone())).or_default() += r.count;
                }
                by.into_iter()
                    .map(|((domain, outcome), count)| BehindRow::Enforcement {
                        counted: super::counts_for_indicator3(&domain),
                        domain,
                        outcome,
                        count,
                    })
                    .collect()
            }
            Key::Initiatives => i
                .initiatives
                .iter()
                .filter(|x| inside_opt(area, x.buurt_code.as_deref()))
                .filter(|x| super::active_at_year_end(&x.start_date, x.end_date.as_deref(), year))
                .map(|x| BehindRow::Initiative {
                    id: x.id.clone(),
                    name: x.name.clone(),
                    kind: x.kind.clone(),
                    start_date: x.start_date.clone(),
                    end_date: x.end_date.clone(),
                    members: x.members,
                    buurt_code: x.buurt_code.clone(),
                })
                .collect(),
            Key::E33FittingCare => i
                .e33
                .iter()
                .filter(|r| r.year == year && inside(area, &r.area_code))
                .map(|r| BehindRow::E33 {
                    area_code: r.area_code.clone(),
                    count: r.count,
                    known_count: r.known_count,
                    with_fitting_care: r.fitting,
                })
                .collect(),
        }
    }
}
