//! The six indicators of the *Programma Veiligheid* (issue #5): their definitions, and the
//! computations from plain inputs (already aggregated by the store). Pure functions.
//!
//! | # | key | value | better |
//! |---|---|---|---|
//! | 1 | `feels_safe` | survey: % of residents who always feel safe in their buurt | higher |
//! | 2 | `offences` | registered offences (CBS `0.0.0` total) in the calendar year | lower |
//! | 3 | `enforcement_without_sanction` | % of enforcement actions that restored compliance without a sanction | higher |
//! | 4 | `initiatives` | neighbourhood-watch initiatives active on 31 December | higher |
//! | 5 | `e33_fitting_care` | % of E33 reports that got fitting care | higher |
//! | 6 | `enforcement_satisfaction` | survey: % satisfied with enforcement and supervision | higher |
//!
//! **Survey margin of error** ([`margin_pp`]): the half-width of the 95 % confidence interval
//! of a simple-random-sample proportion, `1.96 · √(p(1 − p)/n)`, in percentage points
//! (p = 0.5, n = 1,000 → 3.10 pp). It ignores weighting and design effects, so it is a lower
//! bound for a weighted survey.
//!
//! **Within the margin** ([`within_margin`]): a change from the previous year is flagged as
//! *within the margin* when `|p₂ − p₁| ≤ 1.96 · √(p₁(1 − p₁)/n₁ + p₂(1 − p₂)/n₂)`, the 95 %
//! two-sided z-test for two independent proportions: the change may be sampling noise.
//!
//! **Status** ([`status`]): the latest value against the path to the targets
//! ([`path_value`]): that year's own target, else the straight line from the baseline (or an
//! earlier target) to the next target, else the last target before it. `on_track` when the
//! value is at least as good in the indicator's direction, `off_track` otherwise,
//! `no_target` without a target to judge by (or without a value).

mod data;

pub use data::{
    Baseline, BaselineSource, BehindRow, Breakdown, BreakdownPart, Expected, IndicatorData,
    IndicatorView, Latest, NamedCode, Target,
};

use serde::Serialize;

/// The programme's baseline year: used as the default baseline (the value the data gives for
/// that year) until the steering group stores one.
pub const BASELINE_YEAR: i32 = 2017;

/// Enforcement domains the programme counts for indicator 3.
pub const ENFORCEMENT_DOMAINS: [&str; 3] = ["building", "environment", "public_space"];

/// The outcome that counts as restored compliance without a sanction.
pub const COMPLIANCE_WITHOUT_SANCTION: &str = "compliance_without_sanction";

/// 1.96: the two-sided 95 % normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Unit {
    #[serde(rename = "%")]
    Percent,
    #[serde(rename = "count")]
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Computed,
    Survey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTrack,
    OffTrack,
    NoTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    FeelsSafe,
    Offences,
    EnforcementWithoutSanction,
    Initiatives,
    E33FittingCare,
    EnforcementSatisfaction,
}

/// What an indicator is, as the steering group agreed it.
#[derive(Debug, Clone, Copy)]
pub struct Definition {
    pub key: Key,
    pub number: u8,
    pub title_nl: &'static str,
    pub title_en: &'static str,
    /// How it is computed, in Dutch (the default) and in English.
    pub definition_nl: &'static str,
    pub definition_en: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    pub source: Source,
    /// The imported data it is computed from.
    pub data: &'static str,
}

pub const INDICATORS: [Definition; 6] = [
    Definition {
        key: Key::FeelsSafe,
        number: 1,
        title_nl: "Inwoners die zich altijd veilig voelen in hun buurt",
        title_en: "Residents who always feel safe in their neighbourhood",
        definition_nl: "Percentage respondenten dat zich altijd veilig voelt in de eigen buurt, volgens de enquête voor het \
                     gebied en jaar. De marge is de 95%-foutmarge 1,96·√(p(1−p)/n) in procentpunten.",
        definition_en: "Percentage of survey respondents who always feel safe in their own buurt, as reported by the \
                     survey for the area and year. The margin is the 95 % margin of error 1.96·√(p(1−p)/n) in \
                     percentage points.",
        unit: Unit::Percent,
        direction: Direction::HigherIsBetter,
        source: Source::Survey,
        data: "survey (feels_safe)",
    },
    Definition {
        key: Key::Offences,
        number: 2,
        title_nl: "Geregistreerde misdrijven",
        title_en: "Registered offences",
        definition_nl: "Geregistreerde misdrijven in het kalenderjaar: het totaal van CBS/Politie (SoortMisdrijf 0.0.0; de \
                     onderdelen worden er nooit bij opgeteld), uit de jaarregel van StatLine of de som van de \
                     maandregels. Een gebied zonder eigen regels krijgt de som van zijn buurten. Geheimgehouden \
                     cellen tellen niet mee en worden gemeld. Ook getoond als % van de nulmeting (2017).",
        definition_en: "Registered offences in the calendar year: the CBS/Politie total (SoortMisdrijf 0.0.0, never its \
                     parts added to it), from the yearly StatLine row or the sum of the monthly rows. An area \
                     without its own rows is the sum of its buurten. Withheld cells are not counted and are \
                     reported. Also shown as % of the baseline (2017).",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        source: Source::Computed,
        data: "offences (StatLine 47018NED/47022NED)",
    },
    Definition {
        key: Key::EnforcementWithoutSanction,
        number: 3,
        title_nl: "Handhaving: naleving hersteld zonder sanctie",
        title_en: "Enforcement: compliance restored without a sanction",
        definition_nl: "Handhavingsacties in de domeinen bouwen, milieu en openbare ruimte in het jaar met als uitkomst \
                     naleving hersteld zonder sanctie, als % van alle acties in die domeinen dat jaar. \
                     Waarschuwingen tellen mee in de noemer maar niet in de teller (een waarschuwing is een stap \
                     naar een sanctie, geen vastgestelde naleving); bestuurlijke sancties en processen-verbaal \
                     tellen alleen in de noemer. Acties buiten elke buurt tellen niet mee.",
        definition_en: "Enforcement actions in the domains building, environment and public space dated in the year \
                     with outcome compliance_without_sanction, as % of all actions in those domains that year. \
                     Warnings count in the denominator but not the numerator (a warning is a step towards a \
                     sanction, not recorded compliance); criminal reports and administrative sanctions count \
                     in the denominator only. Actions outside every buurt are not counted.",
        unit: Unit::Percent,
        direction: Direction::HigherIsBetter,
        source: Source::Computed,
        data: "enforcement",
    },
    Definition {
        key: Key::Initiatives,
        number: 4,
        title_nl: "Actieve buurtpreventie-initiatieven",
        title_en: "Active neighbourhood-watch initiatives",
        definition_nl: "Buurtpreventie-initiatieven die aan het eind van het jaar actief zijn: startdatum op of vóór \
                     31 december en geen einddatum, of een einddatum na 31 december. Een initiatief hoort bij de \
                     buurt waarin het ligt (het zwaartepunt van zijn gebied).",
        definition_en: "Neighbourhood-watch initiatives active at the end of the year: start date on or before \
                     31 December and no end date, or an end date after 31 December. An initiative belongs to \
                     the buurt it lies in (the centroid of its area).",
        unit: Unit::Count,
        direction: Direction::HigherIsBetter,
        source: Source::Computed,
        data: "initiatives",
    },
    Definition {
        key: Key::E33FittingCare,
        number: 5,
        title_nl: "E33-meldingen met passende zorg",
        title_en: "Confused-person (E33) reports that got fitting care",
        definition_nl: "Som van de meldingen met passende zorg als % van de som van de meldingen, over de gebied-maanden van \
                     het jaar waarin passende zorg bekend is. De dekking is het aandeel van alle meldingen \
                     waarvan de afloop bekend is; een regel op wijkniveau telt alleen mee voor maanden zonder \
                     buurtregels in die wijk.",
        definition_en: "Sum of reports with fitting care as % of the sum of reports, over the area-months of the year \
                     where with_fitting_care is known. Coverage is the share of all reports whose outcome is \
                     known; a wijk-level row counts only for months without buurt rows in that wijk.",
        unit: Unit::Percent,
        direction: Direction::HigherIsBetter,
        source: Source::Computed,
        data: "e33",
    },
    Definition {
        key: Key::EnforcementSatisfaction,
        number: 6,
        title_nl: "Tevredenheid over handhaving en toezicht",
        title_en: "Satisfaction with enforcement and supervision",
        definition_nl: "Percentage respondenten dat tevreden is over handhaving en toezicht door de gemeente, volgens de \
                     enquête voor het gebied en jaar. De marge is de 95%-foutmarge 1,96·√(p(1−p)/n) in \
                     procentpunten.",
        definition_en: "Percentage of survey respondents satisfied with municipal enforcement and supervision, as \
                     reported by the survey for the area and year. The margin is the 95 % margin of error \
                     1.96·√(p(1−p)/n) in percentage points.",
        unit: Unit::Percent,
        direction: Direction::HigherIsBetter,
        source: Source::Survey,
        data: "survey (enforcement_satisfaction)",
    },
];

impl Key {
    pub fn as_str(self) -> &'static str {
        match self {
            Key::FeelsSafe => "feels_safe",
            Key::Offences => "offences",
            Key::EnforcementWithoutSanction => "enforcement_without_sanction",
            Key::Initiatives => "initiatives",
            Key::E33FittingCare => "e33_fitting_care",
            Key::EnforcementSatisfaction => "enforcement_satisfaction",
        }
    }

    pub fn parse(s: &str) -> Option<Key> {
        INDICATORS.iter().map(|d| d.key).find(|k| k.as_str() == s)
    }

    pub fn definition(self) -> &'static Definition {
        INDICATORS
            .iter()
            .find(|d| d.key == self)
            .expect("every key has a definition")
    }
}

/// 95 % margin of error of a survey percentage, in percentage points: `1.96·√(p(1−p)/n)·100`
/// with p the percentage / 100. `None` when n is 0 or p is outside 0..=100.
pub fn margin_pp(percentage: f64, n: i64) -> Option<f64> {
    let p = percentage / 100.0;
    (n > 0 && (0.0..=1.0).contains(&p)).then(|| Z95 * (p * (1.0 - p) / n as f64).sqrt() * 100.0)
}

/// Whether the change between two survey percentages is within their combined 95 % margin
/// (`|Δ| ≤ 1.96·√(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂)`), i.e. not statistically significant.
pub fn within_margin(previous: (f64, i64), current: (f64, i64)) -> Option<bool> {
    let ((p1, n1), (p2, n2)) = (
        (previous.0 / 100.0, previous.1),
        (current.0 / 100.0, current.1),
    );
    if n1 <= 0 || n2 <= 0 {
        return None;
    }
    let combined = Z95 * (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt();
    Some((p2 - p1).abs() <= combined)
}

/// One year's value of an indicator, with what is needed to read it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearValue {
    pub year: i32,
    pub value: f64,
    /// Survey sample size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<i64>,
    /// Survey 95 % margin of error, percentage points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<f64>,
    /// Survey: the change from the previous year is within the combined margin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_margin: Option<bool>,
    /// Shares: the counts behind the percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerator: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<i64>,
    /// Offences: withheld StatLine cells not included in the value (0 = complete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<i64>,
    /// Offences: whether the data covers the whole year (false for a year in progress).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_year: Option<bool>,
    /// Offences: value as % of the baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pct_of_baseline: Option<f64>,
    /// E33: share (%) of reports whose fitting-care outcome is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
}

impl YearValue {
    pub fn plain(year: i32, value: f64) -> Self {
        YearValue {
            year,
            value,
            n: None,
            margin: None,
            within_margin: None,
            numerator: None,
            denominator: None,
            withheld: None,
            complete_year: None,
            pct_of_baseline: None,
            coverage: None,
        }
    }
}

/// A survey series (year, percentage, sample size) with margins and the within-margin flag
/// against the previous calendar year (absent when that year has no value).
pub fn survey_series(rows: &[(i32, f64, i64)]) -> Vec<YearValue> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| r.0);
    rows.iter()
        .map(|&(year, p, n)| {
            let previous = rows.iter().find(|r| r.0 == year - 1);
            YearValue {
                n: Some(n),
                margin: margin_pp(p, n),
                within_margin: previous.and_then(|&(_, p1, n1)| within_margin((p1, n1), (p, n))),
                ..YearValue::plain(year, p)
            }
        })
        .collect()
}

/// The offence count of one area and year: the known sum, the withheld cells, and whether
/// the data covers every month of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffenceYear {
    pub year: i32,
    pub known: i64,
    pub withheld: i64,
    pub complete_year: bool,
}

pub fn offence_series(years: &[OffenceYear]) -> Vec<YearValue> {
    let mut out: Vec<YearValue> = years
        .iter()
        .map(|y| YearValue {
            withheld: Some(y.withheld),
            complete_year: Some(y.complete_year),
            ..YearValue::plain(y.year, y.known as f64)
        })
        .collect();
    out.sort_by_key(|v| v.year);
    out
}

/// Sets `pct_of_baseline` on an offence series: value / baseline · 100.
pub fn with_pct_of_baseline(values: &mut [YearValue], baseline: Option<f64>) {
    for v in values {
        v.pct_of_baseline = baseline.filter(|b| *b > 0.0).map(|b| v.value / b * 100.0);
    }
}

/// Whether enforcement actions of a domain count for indicator 3 (and for the report's
/// enforcement tile, which shows the same figure): the programme's domains only.
///
/// ```
/// use wijkveilig::analysis::indicators::counts_for_indicator3;
/// assert!(counts_for_indicator3("public_space"));
/// assert!(!counts_for_indicator3("alcohol"));
/// ```
pub fn counts_for_indicator3(domain: &str) -> bool {
    ENFORCEMENT_DOMAINS.contains(&domain)
}

/// The share of enforcement actions that restored compliance without a sanction, over the
/// actions that count ([`counts_for_indicator3`]), from counts per (domain, outcome). `year`
/// labels the value; the report uses it for a half year as well.
pub fn enforcement_share(year: i32, counts: &[(String, String, i64)]) -> Option<YearValue> {
    let in_scope = counts.iter().filter(|(d, _, _)| counts_for_indicator3(d));
    let (mut num, mut den) = (0, 0);
    for (_, outcome, n) in in_scope {
        den += n;
        if outcome == COMPLIANCE_WITHOUT_SANCTION {
            num += n;
        }
    }
    (den > 0).then(|| YearValue {
        numerator: Some(num),
        denominator: Some(den),
        ..YearValue::plain(year, num as f64 / den as f64 * 100.0)
    })
}

/// Whether an initiative (dates `YYYY-MM-DD`) is active on 31 December of `year`: started on
/// or before it, and not ended (no end date, or an end date after it).
pub fn active_at_year_end(start: &str, end: Option<&str>, year: i32) -> bool {
    let year_end = format!("{year:04}-12-31");
    let start = start.get(..10).unwrap_or(start);
    start <= year_end.as_str()
        && end
            .filter(|e| !e.trim().is_empty())
            .is_none_or(|e| e.get(..10).unwrap_or(e) > year_end.as_str())
}

/// Number of initiatives active at the end of `year`.
pub fn initiatives_active(year: i32, initiatives: &[(String, Option<String>)]) -> i64 {
    initiatives
        .iter()
        .filter(|(s, e)| active_at_year_end(s, e.as_deref(), year))
        .count() as i64
}

/// E33 totals of one year: all reports, reports whose outcome is known, and of those the
/// ones with fitting care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct E33Year {
    pub year: i32,
    pub count: i64,
    pub known_count: i64,
    pub fitting: i64,
}

pub fn e33_value(y: E33Year) -> Option<YearValue> {
    (y.known_count > 0).then(|| YearValue {
        numerator: Some(y.fitting),
        denominator: Some(y.known_count),
        coverage: Some(y.known_count as f64 / y.count as f64 * 100.0),
        ..YearValue::plain(y.year, y.fitting as f64 / y.known_count as f64 * 100.0)
    })
}

/// The value the latest year should have on the way to the targets: that year's own target;
/// else, on the straight path from the baseline to the next target after it, the value for
/// that year; else (every target lies before it) the last target, which should have been
/// reached and kept. Returns the value and the target year it leads to.
///
/// ```
/// use wijkveilig::analysis::indicators::path_value;
/// // baseline 4,546 in 2017, target 3,500 in 2026: in 2023 the path is at 3,848.7
/// let (v, toward) = path_value(2023, Some((2017, 4546.0)), &[(2026, 3500.0)]).unwrap();
/// assert!((v - 3848.67).abs() < 0.01 && toward == 2026);
/// ```
pub fn path_value(
    year: i32,
    baseline: Option<(i32, f64)>,
    targets: &[(i32, f64)],
) -> Option<(f64, i32)> {
    if let Some(&(y, v)) = targets.iter().find(|t| t.0 == year) {
        return Some((v, y));
    }
    let next = targets
        .iter()
        .filter(|t| t.0 > year)
        .min_by_key(|t| t.0)
        .copied();
    if let Some((ty, tv)) = next {
        // From the baseline, or from an earlier target when there is one after the baseline.
        let start = targets
            .iter()
            .filter(|t| t.0 < year)
            .max_by_key(|t| t.0)
            .copied()
            .into_iter()
            .chain(baseline.filter(|b| b.0 < year))
            .max_by_key(|p| p.0);
        return start.map(|(sy, sv)| {
            (
                sv + (tv - sv) * f64::from(year - sy) / f64::from(ty - sy),
                ty,
            )
        });
    }
    targets
        .iter()
        .filter(|t| t.0 < year)
        .max_by_key(|t| t.0)
        .map(|&(y, v)| (v, y))
}

/// The latest value against the path to the targets ([`path_value`]; see the module docs).
pub fn status(
    direction: Direction,
    latest: Option<(i32, f64)>,
    targets: &[(i32, f64)],
    baseline: Option<(i32, f64)>,
) -> Status {
    let Some((year, value)) = latest else {
        return Status::NoTarget;
    };
    let Some((target, _)) = path_value(year, baseline, targets) else {
        return Status::NoTarget;
    };
    let good = match direction {
        Direction::HigherIsBetter => value >= target,
        Direction::LowerIsBetter => value <= target,
    };
    if good {
        Status::OnTrack
    } else {
        Status::OffTrack
    }
}

/// Illustrative targets for the synthetic demo only (never for real data): from the baseline,
/// one percentage point (or one initiative) better per year, or 2 % fewer offences per year.
pub fn demo_targets(def: &Definition, baseline: (i32, f64), years: &[i32]) -> Vec<(i32, f64)> {
    years
        .iter()
        .filter(|&&y| y > baseline.0)
        .map(|&y| {
            let k = f64::from(y - baseline.0);
            let v = match (def.key, def.unit) {
                (Key::Offences, _) => (baseline.1 * (1.0 - 0.02 * k)).round(),
                (_, Unit::Count) => baseline.1 + k,
                (_, Unit::Percent) => (baseline.1 + k).min(100.0),
            };
            (y, (v * 10.0).round() / 10.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_of_error_for_known_p_and_n() {
        // 1.96 · √(0.25/1000) = 0.030990 → 3.10 pp
        let m = margin_pp(50.0, 1_000).unwrap();
        assert!((m - 3.099).abs() < 0.001, "{m}");
        // p = 0.8, n = 400: 1.96 · √(0.16/400) = 1.96 · 0.02 = 3.92 pp
        assert!((margin_pp(80.0, 400).unwrap() - 3.92).abs() < 0.001);
        assert_eq!(margin_pp(50.0, 0), None);
        assert_eq!(margin_pp(0.0, 100), Some(0.0));
    }

    #[test]
    fn within_margin_uses_the_combined_margin() {
        // p1 = p2-ish = 0.5, n = 1000 each: combined = 1.96 · √(0.0005) = 4.383 pp
        assert_eq!(within_margin((50.0, 1000), (54.3, 1000)), Some(true));
        assert_eq!(within_margin((50.0, 1000), (54.5, 1000)), Some(false));
        assert_eq!(within_margin((50.0, 0), (54.5, 1000)), None);
    }

    #[test]
    fn survey_series_flags_only_consecutive_years() {
        let s = survey_series(&[(2019, 70.0, 100), (2017, 60.0, 1000), (2018, 62.0, 1000)]);
        assert_eq!(
            s.iter().map(|v| v.year).collect::<Vec<_>>(),
            vec![2017, 2018, 2019]
        );
        assert_eq!(s[0].within_margin, None);
        // |62 − 60| = 2 ≤ 1.96·√(.24/1000 + .2356/1000)·100 = 4.275
        assert_eq!(s[1].within_margin, Some(true));
        // |70 − 62| = 8 ≤ 1.96·√(.2356/1000 + .21/100)·100 = 9.47 → within
        assert_eq!(s[2].within_margin, Some(true));
        assert!((s[2].margin.unwrap() - 1.96 * (0.21f64 / 100.0).sqrt() * 100.0).abs() < 0.01);
    }

    #[test]
    fn enforcement_share_counts_warnings_in_the_denominator_only() {
        let c = |d: &str, o: &str, n| (d.to_string(), o.to_string(), n);
        let rows = [
            c("building", "compliance_without_sanction", 6),
            c("public_space", "warning", 2),
            c("environment", "administrative_sanction", 1),
            c("environment", "criminal_report", 1),
            // Out of scope: not one of the three programme domains.
            c("traffic", "compliance_without_sanction", 50),
        ];
        let v = enforcement_share(2023, &rows).unwrap();
        assert_eq!((v.numerator, v.denominator), (Some(6), Some(10)));
        assert!((v.value - 60.0).abs() < 1e-12);
        assert_eq!(enforcement_share(2023, &rows[4..]), None);
    }

    #[test]
    fn initiatives_active_at_year_end() {
        let i = |s: &str, e: Option<&str>| (s.to_string(), e.map(str::to_string));
        let list = [
            i("2019-05-01", None),               // active end 2019..
            i("2019-12-31", Some("2020-12-31")), // active end 2019; ended on 31 Dec 2020: not active then
            i("2020-01-01", Some("2021-01-01")), // active end 2020 only
            i("2018-03-01", Some("2019-06-30")), // active end 2018 only
        ];
        assert_eq!(initiatives_active(2017, &list), 0);
        assert_eq!(initiatives_active(2018, &list), 1);
        assert_eq!(initiatives_active(2019, &list), 2);
        assert_eq!(initiatives_active(2020, &list), 2);
        assert_eq!(initiatives_active(2021, &list), 1);
    }

    #[test]
    fn e33_share_over_known_rows_with_coverage() {
        // Rows (count, fitting): (3, 2), (4, unknown), (5, 5) → 7 / 8 known = 87.5 %, coverage 8/12.
        let v = e33_value(E33Year {
            year: 2023,
            count: 12,
            known_count: 8,
            fitting: 7,
        })
        .unwrap();
        assert!((v.value - 87.5).abs() < 1e-12);
        assert!((v.coverage.unwrap() - 66.666_666).abs() < 1e-4);
        assert_eq!(
            e33_value(E33Year {
                year: 2023,
                count: 4,
                known_count: 0,
                fitting: 0
            }),
            None
        );
    }

    #[test]
    fn offences_as_pct_of_baseline() {
        let mut s = offence_series(&[
            OffenceYear {
                year: 2018,
                known: 4000,
                withheld: 0,
                complete_year: true,
            },
            OffenceYear {
                year: 2017,
                known: 4546,
                withheld: 1,
                complete_year: true,
            },
        ]);
        with_pct_of_baseline(&mut s, Some(4546.0));
        assert_eq!(s[0].year, 2017);
        assert!((s[0].pct_of_baseline.unwrap() - 100.0).abs() < 1e-12);
        assert!((s[1].pct_of_baseline.unwrap() - 87.989_441).abs() < 1e-5);
    }

    #[test]
    fn status_follows_direction_and_the_same_years_target() {
        use Direction::*;
        assert_eq!(
            status(HigherIsBetter, Some((2023, 78.0)), &[(2023, 77.5)], None),
            Status::OnTrack
        );
        assert_eq!(
            status(HigherIsBetter, Some((2023, 77.0)), &[(2023, 77.5)], None),
            Status::OffTrack
        );
        assert_eq!(
            status(LowerIsBetter, Some((2023, 4000.0)), &[(2023, 4100.0)], None),
            Status::OnTrack
        );
        assert_eq!(
            status(LowerIsBetter, Some((2023, 4200.0)), &[(2023, 4100.0)], None),
            Status::OffTrack
        );
        // A target reached earlier should be kept.
        assert_eq!(
            status(LowerIsBetter, Some((2023, 4200.0)), &[(2022, 4100.0)], None),
            Status::OffTrack
        );
        assert_eq!(
            status(LowerIsBetter, None, &[(2023, 4100.0)], None),
            Status::NoTarget
        );
        // A target for a later year: judged on the straight path from the baseline.
        let b = Some((2017, 4546.0));
        assert_eq!(
            status(LowerIsBetter, Some((2023, 3800.0)), &[(2026, 3500.0)], b),
            Status::OnTrack
        );
        assert_eq!(
            status(LowerIsBetter, Some((2023, 3900.0)), &[(2026, 3500.0)], b),
            Status::OffTrack
        );
        // Without a baseline a later target cannot be judged yet.
        assert_eq!(
            status(LowerIsBetter, Some((2023, 3900.0)), &[(2026, 3500.0)], None),
            Status::NoTarget
        );
    }

    #[test]
    fn keys_round_trip() {
        for d in &INDICATORS {
            assert_eq!(Key::parse(d.key.as_str()), Some(d.key));
            assert_eq!(d.key.definition().number, d.number);
        }
        assert_eq!(Key::parse("nope"), None);
    }
}
