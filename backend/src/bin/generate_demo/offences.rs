//! Monthly offence counts per buurt and crime type: a busy centre, seasonality, wijk trends,
//! a hotspot that emerges in 2022, a COVID dip and Poisson noise.

use crate::areas::Town;
use crate::rng::Rng;
use std::collections::BTreeSet;

pub const FIRST_YEAR: i32 = 2017;
pub const MONTHLY_FROM: i32 = 2019;
pub const LAST_YEAR: i32 = 2023;
/// Months 2017-01 … 2023-12.
pub const MONTHS: usize = ((LAST_YEAR - FIRST_YEAR + 1) * 12) as usize;
/// The gemeente-wide expected total for 2017, the programme baseline year.
const TOTAL_2017: f64 = 4500.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rhythm {
    Home,
    Day,
    Night,
    NightProperty,
    Drugs,
}

#[derive(Debug, Clone, Copy)]
pub struct CrimeType {
    /// CBS SoortMisdrijf key (47018NED / 47022NED), trimmed.
    pub code: &'static str,
    /// Title from the CBS dimension, without the leading code.
    pub title: &'static str,
    share: f64,
    season_amp: f64,
    season_peak: f64,
    /// How strongly the type concentrates in the centre.
    centre: f64,
    /// Factor during a full lockdown month.
    covid: f64,
    /// Factor at full strength of the emerging hotspot.
    pub hotspot: f64,
    pub rhythm: Rhythm,
}

#[allow(clippy::too_many_arguments)]
const fn ct(
    code: &'static str,
    title: &'static str,
    share: f64,
    season_amp: f64,
    season_peak: f64,
    centre: f64,
    covid: f64,
    hotspot: f64,
    rhythm: Rhythm,
) -> CrimeType {
    CrimeType {
        code,
        title,
        share,
        season_amp,
        season_peak,
        centre,
        covid,
        hotspot,
        rhythm,
    }
}

pub const TOTAL_CODE: &str = "0.0.0";
pub const TOTAL_TITLE: &str = "Totaal misdrijven";

/// Codes and titles as in the CBS SoortMisdrijf dimension of 47018NED.
#[rustfmt::skip]
pub const TYPES: [CrimeType; 12] = [
    ct("1.1.1", "Diefstal/inbraak woning", 0.09, 0.35, 12.5, 0.0, 0.70, 1.0, Rhythm::Home),
    ct("1.1.2", "Diefstal/inbraak box/garage/schuur", 0.04, 0.15, 12.0, 0.0, 0.90, 1.0, Rhythm::NightProperty),
    ct("1.2.1", "Diefstal uit/vanaf motorvoertuigen", 0.10, 0.15, 11.0, 1.0, 0.90, 1.5, Rhythm::NightProperty),
    ct("1.2.3", "Diefstal van brom-, snor-, fietsen", 0.14, 0.35, 7.5, 3.5, 0.85, 1.5, Rhythm::Day),
    ct("1.2.4", "Zakkenrollerij", 0.03, 0.25, 12.0, 14.0, 0.35, 1.0, Rhythm::Day),
    ct("1.4.4", "Bedreiging", 0.08, 0.05, 7.0, 2.0, 1.05, 2.5, Rhythm::Night),
    ct("1.4.5", "Mishandeling", 0.12, 0.12, 7.0, 4.0, 0.85, 2.0, Rhythm::Night),
    ct("1.4.6", "Straatroof", 0.015, 0.20, 12.0, 3.0, 0.70, 4.0, Rhythm::Night),
    ct("2.2.1", "Vernieling cq. zaakbeschadiging", 0.15, 0.15, 12.5, 1.5, 1.0, 3.0, Rhythm::Night),
    ct("2.5.1", "Diefstal/inbraak bedrijven enz.", 0.04, 0.15, 12.0, 1.0, 0.90, 1.0, Rhythm::NightProperty),
    ct("2.5.2", "Winkeldiefstal", 0.10, 0.15, 12.0, 10.0, 0.70, 1.0, Rhythm::Day),
    ct("3.1.1", "Drugshandel", 0.02, 0.0, 1.0, 3.0, 1.0, 10.0, Rhythm::Drugs),
];

/// Month index (0 = 2017-01) to (year, month).
pub fn ym(m: usize) -> (i32, u32) {
    (FIRST_YEAR + (m / 12) as i32, (m % 12) as u32 + 1)
}

#[derive(Debug, Clone)]
pub struct Offences {
    /// True counts `[buurt][type][month]`, months from 2017-01.
    pub counts: Vec<Vec<Vec<u32>>>,
    /// Withheld type cells `(buurt, type, month)`; their totals still include them.
    pub withheld: BTreeSet<(usize, usize, usize)>,
    /// Yearly trend per wijk (log growth per year), for the README/report.
    pub wijk_trend: Vec<f64>,
}

impl Offences {
    pub fn total(&self, b: usize, m: usize) -> u32 {
        self.counts[b].iter().map(|t| t[m]).sum()
    }
}

/// Lockdown intensity (0..1) of a month.
fn covid_intensity(m: usize) -> f64 {
    match ym(m) {
        (2020, 3..=5) => 1.0,
        (2020, 6..=11) => 0.35,
        (2020, 12) | (2021, 1..=4) => 0.9,
        (2021, 5..=6) => 0.4,
        _ => 0.0,
    }
}

/// Strength (0..1) of the emerging hotspot: nothing before 2022, full by the end of 2022.
pub fn hotspot_ramp(m: usize) -> f64 {
    let start = ((2022 - FIRST_YEAR) * 12) as f64;
    ((m as f64 - start + 1.0) / 12.0).clamp(0.0, 1.0)
}

pub fn generate(town: &Town, seed: u64) -> Offences {
    let mut rng = Rng::from_parts(&[seed, 10]);
    let nb = town.buurten.len();
    // Per-wijk trends: a mix of improving and worsening wijken.
    let mut trends = vec![
        -0.06, -0.045, -0.035, -0.025, -0.015, -0.005, 0.01, 0.02, 0.03, 0.045,
    ];
    for i in (1..trends.len()).rev() {
        trends.swap(i, rng.below(i + 1));
    }
    let hotspot_wijk = town.buurten[town.hotspot].wijk;
    let mut wijk_trend = Vec::new();
    let mut it = trends.into_iter();
    for w in 0..town.wijken.len() {
        wijk_trend.push(match w {
            0 => -0.03,
            w if w == hotspot_wijk => 0.01,
            _ => it.next().unwrap_or(0.0),
        });
    }
    // Expected counts without the overall scale.
    let buurt_factor: Vec<f64> = (0..nb).map(|_| (0.2 * rng.normal()).exp()).collect();
    let mut lambda = vec![vec![vec![0.0f64; MONTHS]; TYPES.len()]; nb];
    for (b, bu) in town.buurten.iter().enumerate() {
        let industrial = bu.name.starts_with("Bedrijven") || bu.name.starts_with("Industrie");
        for (t, ty) in TYPES.iter().enumerate() {
            let mut exposure =
                bu.population as f64 / 1000.0 * (1.0 + ty.centre * (-bu.dist / 1100.0).exp());
            if industrial && matches!(ty.code, "2.5.1" | "1.2.1" | "1.1.2" | "2.2.1") {
                exposure *= 4.0;
            }
            exposure *= buurt_factor[b] * ty.share;
            for (m, l) in lambda[b][t].iter_mut().enumerate() {
                let (_, month) = ym(m);
                let season = 1.0
                    + ty.season_amp
                        * (std::f64::consts::TAU * (month as f64 - ty.season_peak) / 12.0).cos()
                    + if ty.code == "2.2.1" && month == 1 {
                        0.5
                    } else {
                        0.0
                    };
                let trend = (wijk_trend[bu.wijk] * m as f64 / 12.0).exp();
                let covid = 1.0 + (ty.covid - 1.0) * covid_intensity(m);
                let hot = if b == town.hotspot {
                    1.0 + (ty.hotspot - 1.0) * hotspot_ramp(m)
                } else {
                    1.0
                };
                *l = exposure * season * trend * covid * hot;
            }
        }
    }
    let base_2017: f64 = lambda
        .iter()
        .flat_map(|bt| bt.iter().map(|ms| ms[..12].iter().sum::<f64>()))
        .sum();
    let scale = TOTAL_2017 / base_2017;
    // Poisson noise with a little overdispersion shared by all types of a buurt-month.
    let mut counts = vec![vec![vec![0u32; MONTHS]; TYPES.len()]; nb];
    for b in 0..nb {
        for m in 0..MONTHS {
            let shock = (0.12 * rng.normal() - 0.0072).exp();
            for t in 0..TYPES.len() {
                counts[b][t][m] = rng.poisson(lambda[b][t][m] * scale * shock);
            }
        }
    }
    // Withhold ~0.5 % of the published monthly type cells, only in the smallest buurten.
    let mut small: Vec<usize> = (0..nb).collect();
    small.sort_by_key(|&b| (town.buurten[b].population, b));
    small.truncate(8);
    small.sort_unstable();
    let mut withheld = BTreeSet::new();
    let first_monthly = ((MONTHLY_FROM - FIRST_YEAR) * 12) as usize;
    for &b in &small {
        for m in first_monthly..MONTHS {
            for t in 0..TYPES.len() {
                if rng.chance(0.045) {
                    withheld.insert((b, t, m));
                }
            }
        }
    }
    Offences {
        counts,
        withheld,
        wijk_trend,
    }
}

/// `offences.csv` in the StatLine export shape (quoted codes, padded SoortMisdrijf keys).
pub fn csv(town: &Town, off: &Offences) -> String {
    let mut s = String::from(
        "\"WijkenEnBuurten\",\"SoortMisdrijf\",\"Perioden\",\"GeregistreerdeMisdrijven_1\"\n",
    );
    for (b, bu) in town.buurten.iter().enumerate() {
        for year in FIRST_YEAR..MONTHLY_FROM {
            let m0 = ((year - FIRST_YEAR) * 12) as usize;
            let total: u32 = (m0..m0 + 12).map(|m| off.total(b, m)).sum();
            s += &format!(
                "\"{}\",\"{:<6}\",\"{year}JJ00\",{total}\n",
                bu.code, TOTAL_CODE
            );
        }
        let first_monthly = ((MONTHLY_FROM - FIRST_YEAR) * 12) as usize;
        for m in first_monthly..MONTHS {
            let (y, mo) = ym(m);
            s += &format!(
                "\"{}\",\"{:<6}\",\"{y}MM{mo:02}\",{}\n",
                bu.code,
                TOTAL_CODE,
                off.total(b, m)
            );
            for (t, ty) in TYPES.iter().enumerate() {
                let value = if off.withheld.contains(&(b, t, m)) {
                    String::new()
                } else {
                    off.counts[b][t][m].to_string()
                };
                s += &format!(
                    "\"{}\",\"{:<6}\",\"{y}MM{mo:02}\",{value}\n",
                    bu.code, ty.code
                );
            }
        }
    }
    s
}

pub fn crime_types_csv() -> String {
    let mut s = format!("Key,Title\n{TOTAL_CODE},{TOTAL_TITLE}\n");
    for t in &TYPES {
        s += &format!("{},{}\n", t.code, crate::csv_field(t.title));
    }
    s
}
