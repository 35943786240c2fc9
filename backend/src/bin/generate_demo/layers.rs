//! The point and table layers: incidents, cameras, enforcement, initiatives, E33, survey.

use crate::areas::{GEMEENTE_CODE, Town};
use crate::geometry::{self, V, fmt_micro, to_deg, to_metres, to_micro};
use crate::offences::{self, Offences, Rhythm, TYPES};
use crate::rng::Rng;
use geo::{BoundingRect, Contains};

/// Fictional squares in the centre of Demostad (local metres from the centre).
pub const AMALIAPLEIN: [f64; 2] = [-90.0, 60.0];
pub const KOORNMARKT: [f64; 2] = [110.0, -40.0];
pub const KERKSTRAAT: [f64; 2] = [20.0, 170.0];
pub const STATIONSPLEIN: [f64; 2] = [-380.0, -240.0];

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week, 0 = Monday (Sakamoto's method).
pub fn weekday(y: i32, m: u32, d: u32) -> usize {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let sunday0 = (y + y / 4 - y / 100 + y / 400 + T[m as usize - 1] + d as i32).rem_euclid(7);
    ((sunday0 + 6) % 7) as usize
}

fn fmt_point(v: V) -> String {
    format!("{},{}", fmt_micro(v.0), fmt_micro(v.1))
}

/// Draws points inside one area (tested on the rounded coordinates that are written).
pub struct Sampler<'a> {
    area: &'a geo::MultiPolygon<f64>,
    lo: V,
    hi: V,
}

impl<'a> Sampler<'a> {
    pub fn new(area: &'a geo::MultiPolygon<f64>) -> Self {
        let r = area.bounding_rect().expect("non-empty area");
        let lo = (
            (r.min().x * 1e6).floor() as i64,
            (r.min().y * 1e6).floor() as i64,
        );
        let hi = (
            (r.max().x * 1e6).ceil() as i64,
            (r.max().y * 1e6).ceil() as i64,
        );
        Sampler { area, lo, hi }
    }

    pub fn contains(&self, v: V) -> bool {
        let (x, y) = to_deg(v);
        self.area.contains(&geo::Point::new(x, y))
    }

    pub fn uniform(&self, rng: &mut Rng) -> V {
        loop {
            let v = (
                self.lo.0 + rng.below((self.hi.0 - self.lo.0) as usize) as i64,
                self.lo.1 + rng.below((self.hi.1 - self.lo.1) as usize) as i64,
            );
            if self.contains(v) {
                return v;
            }
        }
    }

    /// Near `centre` (metres) with spread `sigma`; falls back to uniform if that keeps missing.
    pub fn near(&self, rng: &mut Rng, centre: [f64; 2], sigma: f64) -> V {
        for _ in 0..40 {
            let v = to_micro([
                centre[0] + sigma * rng.normal(),
                centre[1] + sigma * rng.normal(),
            ]);
            if self.contains(v) {
                return v;
            }
        }
        self.uniform(rng)
    }
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub time: String,
    pub buurt: usize,
    pub type_index: usize,
    pub pos: V,
}

fn hour_profile(r: Rhythm) -> [f64; 24] {
    match r {
        Rhythm::Home => [
            1., 1., 1., 1., 1., 1., 2., 3., 4., 5., 6., 6., 5., 5., 5., 6., 7., 8., 9., 8., 6., 4.,
            2., 1.,
        ],
        Rhythm::Day => [
            1., 0.5, 0.5, 0.3, 0.3, 0.3, 0.5, 2., 4., 6., 8., 9., 9., 9., 9., 9., 9., 8., 6., 4.,
            3., 2., 2., 1.,
        ],
        Rhythm::Night => [
            6., 6., 5., 4., 3., 1., 1., 1., 2., 2., 3., 3., 4., 4., 4., 4., 5., 5., 5., 5., 6., 6.,
            7., 7.,
        ],
        Rhythm::NightProperty => [
            6., 6., 6., 6., 5., 4., 3., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 3., 3., 4., 5., 5.,
            6., 6.,
        ],
        Rhythm::Drugs => [
            3., 3., 2., 1., 1., 0.5, 0.5, 1., 1., 2., 2., 3., 4., 5., 5., 6., 6., 7., 7., 7., 6.,
            5., 4., 4.,
        ],
    }
}

/// Weight of a day of the week (0 = Monday) and hour for a type, with nightlife in the centre.
fn time_weight(r: Rhythm, code: &str, centre: bool, dow: usize, hour: usize) -> f64 {
    let mut w = hour_profile(r)[hour];
    w *= match r {
        Rhythm::Night => [0.8, 0.8, 0.9, 1.0, 1.3, 1.6, 1.5][dow],
        Rhythm::Day if code == "2.5.2" => [1.0, 1.0, 1.0, 1.1, 1.2, 1.4, 0.4][dow],
        _ => [1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 0.9][dow],
    };
    if centre && r == Rhythm::Night {
        // Friday and Saturday nights: late evening on Fri/Sat, early hours on Sat/Sun.
        if (dow == 4 || dow == 5) && hour >= 21 {
            w *= 3.0;
        }
        if (dow == 5 || dow == 6) && hour <= 4 {
            w *= 4.0;
        }
    }
    w
}

/// One point incident for every offence counted in a published type cell, 2021-01 … 2023-12.
pub fn incidents(town: &Town, off: &Offences, seed: u64) -> Vec<Incident> {
    let mut rng = Rng::from_parts(&[seed, 20]);
    let squares = [AMALIAPLEIN, KOORNMARKT, KERKSTRAAT, STATIONSPLEIN];
    let first = ((2021 - offences::FIRST_YEAR) * 12) as usize;
    let mut out = Vec::new();
    for (b, bu) in town.buurten.iter().enumerate() {
        let sampler = Sampler::new(&bu.geo);
        // Attractors: centre squares inside this buurt and two local spots (shops, a park).
        let mut attractors: Vec<([f64; 2], f64, f64)> = squares
            .iter()
            .filter(|p| sampler.contains(to_micro(**p)))
            .map(|p| (*p, 70.0, 3.0))
            .collect();
        for _ in 0..2 {
            attractors.push((to_metres(sampler.uniform(&mut rng)), 120.0, 1.0));
        }
        let weights: Vec<f64> = attractors.iter().map(|a| a.2).collect();
        let hot_spot = [bu.anchor[0] + 40.0, bu.anchor[1] - 30.0];
        let centre = bu.wijk == 0;
        for m in first..offences::MONTHS {
            let (y, mo) = offences::ym(m);
            let ndays = days_in_month(y, mo);
            for (t, ty) in TYPES.iter().enumerate() {
                if off.withheld.contains(&(b, t, m)) {
                    continue;
                }
                let k = off.counts[b][t][m];
                if k == 0 {
                    continue;
                }
                let slots: Vec<f64> = (0..ndays * 24)
                    .map(|i| {
                        time_weight(
                            ty.rhythm,
                            ty.code,
                            centre,
                            weekday(y, mo, i / 24 + 1),
                            (i % 24) as usize,
                        )
                    })
                    .collect();
                for _ in 0..k {
                    let hot =
                        b == town.hotspot && ty.hotspot > 1.5 && offences::hotspot_ramp(m) > 0.0;
                    let pos = if hot && rng.chance(0.7) {
                        sampler.near(&mut rng, hot_spot, 60.0)
                    } else if rng.chance(0.6) {
                        let a = attractors[rng.weighted(&weights)];
                        sampler.near(&mut rng, a.0, a.1)
                    } else {
                        sampler.uniform(&mut rng)
                    };
                    let slot = rng.weighted(&slots) as u32;
                    let time = format!(
                        "{y:04}-{mo:02}-{:02}T{:02}:{:02}",
                        slot / 24 + 1,
                        slot % 24,
                        rng.below(60)
                    );
                    out.push(Incident {
                        time,
                        buurt: b,
                        type_index: t,
                        pos,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.time, a.buurt, a.type_index, a.pos).cmp(&(&b.time, b.buurt, b.type_index, b.pos))
    });
    out
}

pub fn incidents_csv(incidents: &[Incident]) -> String {
    let mut s = String::from("id,time,crime_type,lon,lat\n");
    for (i, inc) in incidents.iter().enumerate() {
        s += &format!(
            "i-{:06},{},{},{}\n",
            i + 1,
            inc.time,
            TYPES[inc.type_index].code,
            fmt_point(inc.pos)
        );
    }
    s
}

/// The buurt whose area contains a point (metres), if any.
fn buurt_at(town: &Town, p: [f64; 2]) -> Option<usize> {
    let v = to_micro(p);
    town.buurten
        .iter()
        .position(|b| Sampler::new(&b.geo).contains(v))
}

pub fn cameras_csv(town: &Town, seed: u64) -> String {
    let mut rng = Rng::from_parts(&[seed, 30]);
    // The stadium sits near the edge of town, west-south-west of the centre.
    let th = (200.0f64).to_radians();
    let mut f = 0.85;
    let stadion = loop {
        let p = [
            f * town.tess.outline.radius(th) * th.cos(),
            f * town.tess.outline.radius(th) * th.sin(),
        ];
        let (lon, lat) = to_deg(to_micro(p));
        if town.gemeente_geo.contains(&geo::Point::new(lon, lat)) {
            break p;
        }
        f -= 0.03;
    };
    let hot = town.buurten[town.hotspot].anchor;
    let by_dist = |d: f64| {
        let b = (0..town.buurten.len())
            .filter(|&b| town.buurten[b].wijk != 0)
            .min_by(|&a, &b| {
                (town.buurten[a].dist - d)
                    .abs()
                    .total_cmp(&(town.buurten[b].dist - d).abs())
            })
            .unwrap();
        (town.buurten[b].anchor, town.buurten[b].name.clone())
    };
    let (shop_n, shop_name) = by_dist(1500.0);
    let (canal, canal_name) = by_dist(2300.0);
    let (park, park_name) = by_dist(2900.0);
    let off = |p: [f64; 2], dx: f64, dy: f64| [p[0] + dx, p[1] + dy];
    let cams: Vec<(String, [f64; 2], u32, &str, &str)> = vec![
        (
            "Amaliaplein".into(),
            AMALIAPLEIN,
            60,
            "active",
            "2016-05-01",
        ),
        ("Koornmarkt".into(), KOORNMARKT, 70, "active", "2016-05-01"),
        ("Kerkstraat".into(), KERKSTRAAT, 50, "active", "2017-09-15"),
        ("Stadion".into(), stadion, 120, "active", "2018-08-01"),
        (
            "Stationsplein".into(),
            STATIONSPLEIN,
            80,
            "active",
            "2019-03-01",
        ),
        (
            "Oude Haven kade".into(),
            [260.0, 230.0],
            60,
            "active",
            "2019-11-01",
        ),
        (
            "Marktkwartier passage".into(),
            [180.0, 90.0],
            40,
            "active",
            "2020-06-15",
        ),
        (
            "Busstation".into(),
            [-300.0, -320.0],
            70,
            "active",
            "2020-02-01",
        ),
        (
            "Parkeergarage Centrum".into(),
            [-200.0, 210.0],
            50,
            "active",
            "2021-04-01",
        ),
        (
            format!("Winkelcentrum {shop_name}"),
            off(shop_n, 30.0, 20.0),
            60,
            "active",
            "2021-10-01",
        ),
        (
            "Stadspark".into(),
            [-250.0, 380.0],
            90,
            "active",
            "2022-05-01",
        ),
        (
            "Uitgaansstraat".into(),
            [40.0, -150.0],
            45,
            "active",
            "2022-09-01",
        ),
        (
            format!("{} (hotspot)", town.buurten[town.hotspot].name),
            off(hot, 40.0, -30.0),
            75,
            "active",
            "2023-03-01",
        ),
        (
            format!("Jaagpad {canal_name}"),
            off(canal, -20.0, 10.0),
            100,
            "planned",
            "",
        ),
        (
            format!("{} speelveld", town.buurten[town.hotspot].name),
            off(hot, -60.0, 50.0),
            60,
            "planned",
            "",
        ),
        (
            format!("Sluisbrug {park_name}"),
            off(park, 10.0, -25.0),
            60,
            "planned",
            "",
        ),
    ];
    let mut s = String::from("id,name,lon,lat,radius_m,status,installed\n");
    for (i, (name, p, r, status, installed)) in cams.into_iter().enumerate() {
        let jitter = [p[0] + rng.range(-5.0, 5.0), p[1] + rng.range(-5.0, 5.0)];
        assert!(
            buurt_at(town, jitter).is_some(),
            "camera {name} outside the town"
        );
        s += &format!(
            "cam-{:02},{},{},{r},{status},{installed}\n",
            i + 1,
            crate::csv_field(&name),
            fmt_point(to_micro(jitter))
        );
    }
    s
}

/// Picks a buurt with probability proportional to population, more in the centre.
fn busy_buurt(town: &Town, rng: &mut Rng) -> usize {
    let w: Vec<f64> = town
        .buurten
        .iter()
        .map(|b| b.population as f64 * (1.0 + 3.0 * (-b.dist / 1500.0).exp()))
        .collect();
    rng.weighted(&w)
}

pub fn enforcement_csv(town: &Town, seed: u64) -> String {
    let mut rng = Rng::from_parts(&[seed, 40]);
    let samplers: Vec<Sampler> = town.buurten.iter().map(|b| Sampler::new(&b.geo)).collect();
    let mut s = String::from("id,date,lon,lat,domain,outcome\n");
    for year in 2017..=2023 {
        let k = year - 2017;
        let n = 320 + 38 * k as usize + rng.below(30);
        let mut rows: Vec<(String, V, &str, &str)> = Vec::new();
        for _ in 0..n {
            let date = loop {
                let m = 1 + rng.below(12) as u32;
                let d = 1 + rng.below(days_in_month(year, m) as usize) as u32;
                if weekday(year, m, d) < 5 || rng.chance(0.15) {
                    break format!("{year}-{m:02}-{d:02}");
                }
            };
            let b = busy_buurt(town, &mut rng);
            let pos = samplers[b].uniform(&mut rng);
            let domain =
                ["building", "environment", "public_space"][rng.weighted(&[0.3, 0.25, 0.45])];
            let comply = 0.63 + 0.02 * k as f64;
            let outcome = if rng.chance(comply) {
                "compliance_without_sanction"
            } else {
                let w = match domain {
                    "building" => [0.5, 0.45, 0.05],
                    "environment" => [0.5, 0.35, 0.15],
                    _ => [0.55, 0.2, 0.25],
                };
                ["warning", "administrative_sanction", "criminal_report"][rng.weighted(&w)]
            };
            rows.push((date, pos, domain, outcome));
        }
        rows.sort();
        for (i, (date, pos, domain, outcome)) in rows.into_iter().enumerate() {
            s += &format!(
                "h-{year}-{:04},{date},{},{domain},{outcome}\n",
                i + 1,
                fmt_point(pos)
            );
        }
    }
    s
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

pub fn initiatives_geojson(town: &Town, seed: u64) -> String {
    let mut rng = Rng::from_parts(&[seed, 50]);
    // Start years: more initiatives every year.
    let per_year: [(i32, usize); 9] = [
        (2015, 1),
        (2016, 1),
        (2017, 2),
        (2018, 2),
        (2019, 3),
        (2020, 3),
        (2021, 3),
        (2022, 4),
        (2023, 3),
    ];
    let mut candidates: Vec<usize> = (0..town.buurten.len())
        .filter(|&b| town.buurten[b].wijk != 0)
        .collect();
    let mut features = Vec::new();
    let mut id = 0;
    for (year, count) in per_year {
        for _ in 0..count {
            id += 1;
            let b = candidates.remove(rng.below(candidates.len()));
            let bu = &town.buurten[b];
            let kind = ["whatsapp", "foot_patrol", "dog_walkers"][rng.weighted(&[0.55, 0.25, 0.2])];
            let (name, members) = match kind {
                "whatsapp" => (
                    format!("WhatsApp-buurtpreventie {}", bu.name),
                    20 + rng.below(200),
                ),
                "foot_patrol" => (format!("Buurtpreventie {}", bu.name), 6 + rng.below(20)),
                _ => (format!("Hondenuitlaters {}", bu.name), 8 + rng.below(30)),
            };
            let start = format!("{year}-{:02}-01", 1 + rng.below(12));
            let end = if year <= 2019 && rng.chance(0.4) {
                format!(
                    "\"{}-{:02}-01\"",
                    2020 + rng.below(3) as i32,
                    1 + rng.below(12)
                )
            } else {
                "null".to_string()
            };
            let geometry = if rng.chance(0.7) {
                let r0 = rng.range(150.0, 320.0);
                let n = 9;
                let mut ring: Vec<V> = (0..n)
                    .map(|i| {
                        let a = std::f64::consts::TAU * i as f64 / n as f64;
                        let r = r0 * rng.range(0.75, 1.2);
                        to_micro([bu.anchor[0] + r * a.cos(), bu.anchor[1] + r * a.sin()])
                    })
                    .collect();
                ring.push(ring[0]);
                format!(
                    "{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}",
                    ring.iter()
                        .map(|v| format!("[{}]", fmt_point(*v)))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            } else {
                format!(
                    "{{\"type\":\"Point\",\"coordinates\":[{}]}}",
                    fmt_point(to_micro(bu.anchor))
                )
            };
            features.push(format!(
                "{{\"type\":\"Feature\",\"id\":\"bp-{id:02}\",\"properties\":{{\"id\":\"bp-{id:02}\",\"name\":{},\"kind\":\"{kind}\",\"start_date\":\"{start}\",\"end_date\":{end},\"members\":{members},\"synthetic\":true}},\"geometry\":{geometry}}}",
                json_str(&name)
            ));
        }
    }
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

/// E33 (confused-person) reports per buurt per month; zero months are omitted.
pub fn e33_csv(town: &Town, seed: u64) -> String {
    let mut rng = Rng::from_parts(&[seed, 60]);
    let mut s = String::from("area,period,count,with_fitting_care\n");
    for bu in &town.buurten {
        for m in 0..offences::MONTHS {
            let (y, mo) = offences::ym(m);
            let k = (y - 2017) as f64;
            let lambda = bu.population as f64 / 1000.0
                * 0.5
                * (1.0 + 1.5 * (-bu.dist / 1200.0).exp())
                * (1.0 + 0.06 * k);
            let count = rng.poisson(lambda);
            if count == 0 {
                continue;
            }
            let care = if y <= 2018 && rng.chance(0.05) {
                String::new()
            } else {
                rng.binomial(count, (0.45 + 0.04 * k).min(0.9)).to_string()
            };
            s += &format!("{},{y:04}-{mo:02},{count},{care}\n", bu.code);
        }
    }
    s
}

/// Survey indicators per wijk and for the gemeente (the gemeente sample is the sum of the wijken).
pub fn survey_csv(town: &Town, seed: u64) -> String {
    let mut rng = Rng::from_parts(&[seed, 70]);
    let hot_wijk = town.buurten[town.hotspot].wijk;
    let total_pop: f64 = town.wijken.iter().map(|w| w.population as f64).sum();
    let base_n: Vec<f64> = town
        .wijken
        .iter()
        .map(|w| (w.population as f64 / total_pop * 1250.0).clamp(60.0, 200.0))
        .collect();
    let offset: Vec<(f64, f64)> = (0..town.wijken.len())
        .map(|_| (rng.range(-4.0, 4.0), rng.range(-5.0, 5.0)))
        .collect();
    let mut s = String::from("indicator,year,area,percentage,sample_size\n");
    for (indicator, base, slope) in [
        ("feels_safe", 79.0, 0.6),
        ("enforcement_satisfaction", 54.0, 1.1),
    ] {
        for year in 2017..=2023 {
            let k = (year - 2017) as f64;
            let mut rows = Vec::new();
            for (w, wijk) in town.wijken.iter().enumerate() {
                let n = (base_n[w] * rng.range(0.9, 1.1)).round().clamp(60.0, 200.0) as u32;
                let mut p = base
                    + slope * k
                    + if indicator == "feels_safe" {
                        offset[w].0
                    } else {
                        offset[w].1
                    };
                if w == 0 {
                    p -= if indicator == "feels_safe" { 7.0 } else { 3.0 };
                }
                if w == hot_wijk && year >= 2022 {
                    p -= if year == 2022 { 4.0 } else { 7.0 };
                }
                let p_true = p / 100.0;
                let p_obs = (p_true + (p_true * (1.0 - p_true) / n as f64).sqrt() * rng.normal())
                    .clamp(0.0, 1.0);
                let successes = (p_obs * n as f64).round();
                rows.push((wijk.code.clone(), successes, n));
            }
            let n_total: u32 = rows.iter().map(|r| r.2).sum();
            let yes_total: f64 = rows.iter().map(|r| r.1).sum();
            s += &format!(
                "{indicator},{year},{GEMEENTE_CODE},{:.1},{n_total}\n",
                100.0 * yes_total / n_total as f64
            );
            for (code, yes, n) in rows {
                s += &format!(
                    "{indicator},{year},{code},{:.1},{n}\n",
                    100.0 * yes / n as f64
                );
            }
        }
    }
    s
}

/// `areas.geojson`: the gemeente, its wijken and buurten, one feature per line.
pub fn areas_geojson(town: &Town) -> String {
    let geom = |polys: &[geometry::Rings]| {
        let poly = |p: &geometry::Rings| {
            let rings: Vec<String> = p
                .iter()
                .map(|r| {
                    format!(
                        "[{}]",
                        r.iter()
                            .map(|v| format!("[{}]", fmt_point(*v)))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
                .collect();
            format!("[{}]", rings.join(","))
        };
        if polys.len() == 1 {
            format!(
                "{{\"type\":\"Polygon\",\"coordinates\":{}}}",
                poly(&polys[0])
            )
        } else {
            format!(
                "{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}",
                polys.iter().map(poly).collect::<Vec<_>>().join(",")
            )
        }
    };
    let feature = |code: &str, name: &str, population: u32, polys: &[geometry::Rings]| {
        format!(
            "{{\"type\":\"Feature\",\"id\":\"{code}\",\"properties\":{{\"code\":\"{code}\",\"name\":{},\"population\":{population},\"year\":2024,\"synthetic\":true}},\"geometry\":{}}}",
            json_str(name),
            geom(polys)
        )
    };
    let mut features = vec![feature(
        GEMEENTE_CODE,
        crate::areas::GEMEENTE_NAME,
        town.population,
        &town.gemeente,
    )];
    for w in &town.wijken {
        features.push(feature(&w.code, &w.name, w.population, &w.polys));
    }
    for b in &town.buurten {
        features.push(feature(&b.code, &b.name, b.population, &b.polys));
    }
    format!(
        "{{\"type\":\"FeatureCollection\",\"name\":\"Demostad (synthetisch) - synthetic demo data, not real\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

pub fn population_csv(town: &Town) -> String {
    let mut s = String::from("WijkenEnBuurten,AantalInwoners_5\n");
    for w in &town.wijken {
        s += &format!("{},{}\n", w.code, w.population);
    }
    for b in &town.buurten {
        s += &format!("{},{}\n", b.code, b.population);
    }
    s
}
