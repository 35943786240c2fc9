//! Groups the Voronoi cells into buurten and wijken, names them and gives them people.

use crate::geometry::{self, Cell, Rings, Tessellation};
use crate::rng::Rng;
use geo::{Area, Validation};
use std::collections::BTreeSet;

pub const GEMEENTE_CODE: &str = "GM9999";
pub const GEMEENTE_NAME: &str = "Demostad (synthetisch)";

const CENTRE_WIJK_SIZE: usize = 7;
const SECTOR_WIJKEN: usize = 8;

const SECTOR_WIJK_NAMES: [&str; 9] = [
    "Veldhoek",
    "Noorderbroek",
    "Havenkwartier",
    "Oosterweide",
    "Zuiderkamp",
    "De Beekzoom",
    "Westervenne",
    "Molenkamp",
    "Heidematen",
];
const CENTRE_BUURT_NAMES: [&str; 10] = [
    "Centrum Noord",
    "Centrum Zuid",
    "Stationskwartier",
    "Oude Haven",
    "Marktkwartier",
    "Kerkkwartier",
    "Stadspark",
    "Havenfront",
    "Kloosterhof",
    "Lakenhal",
];
const BUURT_NAMES: [&str; 72] = [
    "Akkerzoom",
    "Hazelaarhof",
    "Beukenrode",
    "Klaverweide",
    "Brinkhorst",
    "Heidezicht",
    "Esdoornpark",
    "Vlasakker",
    "Rietmaten",
    "Kievitsbroek",
    "Zonnehoek",
    "Hooilanden",
    "Wilgenweerd",
    "Lindenhof",
    "Eikenrode",
    "Berkenveld",
    "Sterrenkamp",
    "Ganzenmaat",
    "Vossenbelt",
    "Dassenberg",
    "Reigersveen",
    "Zwanenwater",
    "Meidoornhoek",
    "Vlinderhof",
    "Korenbloem",
    "Tarwekamp",
    "Goudsbloem",
    "Lavendelhof",
    "Weverskwartier",
    "Spinnerij Oost",
    "Blekerij",
    "Ververshoek",
    "Smederij",
    "Kuipershof",
    "Zadelmakerij",
    "Turfschip",
    "Sluiskade",
    "Jaagpad",
    "Dijkzicht",
    "Bovenmaat",
    "Nedermaat",
    "Heuvelrand",
    "Vennenhoek",
    "Zandbelt",
    "Haverkamp",
    "Roggeveld",
    "Klokkenhof",
    "Torenzicht",
    "Kapelhoek",
    "Pastorieweide",
    "Schoolkamp",
    "Boomgaard",
    "Appelhof",
    "Perenbos",
    "Kersenlaan",
    "Notenhout",
    "Elzenbroek",
    "Populierenrij",
    "Essenhout",
    "Iepenhof",
    "Bedrijvenpark Demohaven",
    "Industrieterrein Zuidkade",
    "Heidekamp",
    "Wolkenveld",
    "Regenboogwijk",
    "Waterhoen",
    "Muziekbuurt",
    "Schildersbuurt",
    "Dichtersbuurt",
    "Sportpark Esveld",
    "Kanaalweide",
    "Grasmaat",
];
const COMPASS: [&str; 8] = [
    "Noord",
    "Noordoost",
    "Oost",
    "Zuidoost",
    "Zuid",
    "Zuidwest",
    "West",
    "Noordwest",
];

#[derive(Debug, Clone)]
pub struct Buurt {
    pub code: String,
    pub name: String,
    pub wijk: usize,
    pub cells: Vec<usize>,
    pub population: u32,
    pub polys: Vec<Rings>,
    pub geo: geo::MultiPolygon<f64>,
    /// A point inside the buurt (its main seed), local metres.
    pub anchor: [f64; 2],
    /// Distance of the anchor from the town centre, metres.
    pub dist: f64,
    pub on_outline: bool,
}

#[derive(Debug, Clone)]
pub struct Wijk {
    pub code: String,
    pub name: String,
    pub population: u32,
    pub polys: Vec<Rings>,
}

#[derive(Debug, Clone)]
pub struct Town {
    pub tess: Tessellation,
    pub buurten: Vec<Buurt>,
    pub wijken: Vec<Wijk>,
    pub gemeente: Vec<Rings>,
    pub gemeente_geo: geo::MultiPolygon<f64>,
    pub population: u32,
    /// Index of the enclave wijk (a village surrounded by one other wijk).
    pub enclave: usize,
    /// Index of the wijk around the enclave.
    pub surround: usize,
    /// Index of the buurt made of two separate parts.
    pub multipart: usize,
    /// Index of the buurt where a hotspot emerges from 2022.
    pub hotspot: usize,
}

fn angle_cw_from_north(p: [f64; 2]) -> f64 {
    p[0].atan2(p[1]).rem_euclid(std::f64::consts::TAU)
}

fn d2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// Finds the first attempt that yields a valid town.
pub fn build_town(seed: u64) -> Town {
    for attempt in 0..500 {
        let Some(tess) = geometry::tessellate(seed, attempt) else {
            continue;
        };
        if !(68..=78).contains(&tess.cells.len()) {
            continue;
        }
        if let Some(town) = compose(seed, attempt, tess) {
            return town;
        }
    }
    panic!("no valid town found for seed {seed}");
}

/// Assigns every cell to a wijk: a compact centre, an enclave with its surrounding wijk, and
/// sector wijken grown over the adjacency graph (so every wijk is contiguous).
fn assign_wijken(cells: &[Cell], tess: &Tessellation) -> Option<(Vec<usize>, usize, usize)> {
    let n = cells.len();
    let nb: Vec<Vec<usize>> = cells.iter().map(|c| c.neighbours()).collect();
    let dist: Vec<f64> = cells.iter().map(|c| c.seed[0].hypot(c.seed[1])).collect();
    const NONE: usize = usize::MAX;
    let mut wijk = vec![NONE; n];
    // 0: centre, grown from the cell on the centre by nearest distance.
    wijk[0] = 0;
    for _ in 1..CENTRE_WIJK_SIZE {
        let next = (0..n)
            .filter(|&c| wijk[c] == NONE && nb[c].iter().any(|&m| wijk[m] == 0))
            .min_by(|&a, &b| dist[a].total_cmp(&dist[b]))?;
        wijk[next] = 0;
    }
    // 1: the enclave (two cells), 2: the wijk around it.
    let rel = |c: usize| {
        dist[c]
            / tess
                .outline
                .radius(cells[c].seed[1].atan2(cells[c].seed[0]))
    };
    let ok_enclave = |c: usize| {
        wijk[c] == NONE
            && !cells[c].on_outline()
            && nb[c]
                .iter()
                .all(|&m| wijk[m] == NONE && !cells[m].on_outline())
    };
    let c1 = (0..n)
        .filter(|&c| ok_enclave(c) && nb[c].iter().any(|&m| ok_enclave(m)))
        .min_by(|&a, &b| (rel(a) - 0.6).abs().total_cmp(&(rel(b) - 0.6).abs()))?;
    let c2 = nb[c1]
        .iter()
        .copied()
        .filter(|&m| ok_enclave(m))
        .max_by(|&a, &b| dist[a].total_cmp(&dist[b]))?;
    wijk[c1] = 1;
    wijk[c2] = 1;
    for &c in nb[c1].iter().chain(&nb[c2]) {
        if wijk[c] == NONE {
            wijk[c] = 2;
        }
    }
    // 3..: sector wijken, seeded at evenly spaced angles.
    let surround_angle = cells[c1].seed[1].atan2(cells[c1].seed[0]);
    let mut anchors: Vec<(usize, [f64; 2])> = vec![(2, cells[c1].seed)];
    for k in 0..SECTOR_WIJKEN {
        let th =
            surround_angle + (k + 1) as f64 * std::f64::consts::TAU / (SECTOR_WIJKEN + 1) as f64;
        let target = [
            0.55 * tess.outline.radius(th) * th.cos(),
            0.55 * tess.outline.radius(th) * th.sin(),
        ];
        let c = (0..n)
            .filter(|&c| wijk[c] == NONE)
            .min_by(|&a, &b| d2(cells[a].seed, target).total_cmp(&d2(cells[b].seed, target)))?;
        wijk[c] = 3 + k;
        anchors.push((3 + k, cells[c].seed));
    }
    loop {
        let unassigned = (0..n).filter(|&c| wijk[c] == NONE).count();
        if unassigned == 0 {
            break;
        }
        let mut best: Option<(usize, usize, usize)> = None; // (size, wijk, cell)
        for &(w, anchor) in &anchors {
            let size = wijk.iter().filter(|&&x| x == w).count();
            let frontier = (0..n)
                .filter(|&c| wijk[c] == NONE && nb[c].iter().any(|&m| wijk[m] == w))
                .min_by(|&a, &b| d2(cells[a].seed, anchor).total_cmp(&d2(cells[b].seed, anchor)));
            if let Some(c) = frontier
                && best.is_none_or(|(s, _, _)| size < s)
            {
                best = Some((size, w, c));
            }
        }
        let (_, w, c) = best?;
        wijk[c] = w;
    }
    Some((wijk, c1, c2))
}

fn compose(seed: u64, attempt: u64, tess: Tessellation) -> Option<Town> {
    let cells = &tess.cells;
    let n = cells.len();
    let (raw_wijk, _c1, _c2) = assign_wijken(cells, &tess)?;
    let nwijk = 3 + SECTOR_WIJKEN;
    let members = |w: usize| (0..n).filter(|&c| raw_wijk[c] == w).collect::<Vec<_>>();
    // Numbering: centre 01, the others clockwise from north, the enclave last (like Aadorp).
    let centroid = |w: usize| {
        let m = members(w);
        let s = m.iter().fold([0.0, 0.0], |a, &c| {
            [a[0] + cells[c].seed[0], a[1] + cells[c].seed[1]]
        });
        [s[0] / m.len() as f64, s[1] / m.len() as f64]
    };
    let mut ring_order: Vec<usize> = (2..nwijk).collect();
    ring_order.sort_by(|&a, &b| {
        angle_cw_from_north(centroid(a)).total_cmp(&angle_cw_from_north(centroid(b)))
    });
    let mut order = vec![0];
    order.extend(ring_order);
    order.push(1);
    let mut new_index = vec![0; nwijk];
    for (i, &w) in order.iter().enumerate() {
        new_index[w] = i;
    }
    let wijk_of: Vec<usize> = raw_wijk.iter().map(|&w| new_index[w]).collect();
    let enclave = new_index[1];
    let surround = new_index[2];
    let centre = 0;

    // The two-part buurt: a small cell joins a non-adjacent cell of the same wijk.
    let nb: Vec<Vec<usize>> = cells.iter().map(|c| c.neighbours()).collect();
    let areas: Vec<f64> = cells.iter().map(|c| c.area_m2()).collect();
    let mut pair: Option<(usize, usize)> = None;
    let mut by_area: Vec<usize> = (0..n).collect();
    by_area.sort_by(|&a, &b| areas[a].total_cmp(&areas[b]));
    'outer: for &x in &by_area {
        let w = wijk_of[x];
        if w == centre || w == enclave {
            continue;
        }
        let mut partners: Vec<usize> = nb[x]
            .iter()
            .flat_map(|&z| nb[z].iter().copied())
            .filter(|&y| y != x && wijk_of[y] == w && !nb[x].contains(&y))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        partners.sort_by(|&a, &b| {
            d2(cells[a].seed, cells[x].seed).total_cmp(&d2(cells[b].seed, cells[x].seed))
        });
        if let Some(&y) = partners.first() {
            pair = Some((x, y));
            break 'outer;
        }
    }
    let (detached, host) = pair?;

    // Buurten: one per cell, except the detached cell which belongs to its host.
    let mut groups: Vec<Vec<usize>> = (0..n).filter(|&c| c != detached).map(|c| vec![c]).collect();
    for g in &mut groups {
        if g[0] == host {
            g.push(detached);
        }
    }
    let dist = |c: usize| cells[c].seed[0].hypot(cells[c].seed[1]);
    groups.sort_by(|a, b| {
        (wijk_of[a[0]], dist(a[0]))
            .partial_cmp(&(wijk_of[b[0]], dist(b[0])))
            .unwrap()
    });

    // Names and populations.
    let mut rng = Rng::from_parts(&[seed, attempt, 3]);
    let mut largest_outer: Vec<usize> = (0..n).filter(|&c| cells[c].on_outline()).collect();
    largest_outer.sort_by(|&a, &b| areas[b].total_cmp(&areas[a]));
    largest_outer.truncate(6);
    let mut used_names: BTreeSet<String> = BTreeSet::new();
    let mut pool = BUURT_NAMES.iter();
    let mut centre_pool = CENTRE_BUURT_NAMES.iter();
    let mut enclave_pool = ["Lindendorp Kern", "Lindendorp Buiten"].iter();
    let mut counter = vec![0usize; nwijk];
    let mut buurten = Vec::new();
    for g in &groups {
        let main = g[0];
        let w = wijk_of[main];
        counter[w] += 1;
        let code = format!("BU9999{:02}{:02}", w + 1, counter[w]);
        let on_outline = g.iter().any(|&c| cells[c].on_outline());
        let anchor = cells[main].seed;
        let name = if w == centre {
            centre_pool.next()?.to_string()
        } else if w == enclave {
            enclave_pool.next()?.to_string()
        } else if largest_outer.contains(&main)
            && !used_names.contains(&format!(
                "Buitengebied {}",
                COMPASS[((angle_cw_from_north(anchor) / std::f64::consts::FRAC_PI_4).round()
                    as usize)
                    % 8]
            ))
        {
            format!(
                "Buitengebied {}",
                COMPASS[((angle_cw_from_north(anchor) / std::f64::consts::FRAC_PI_4).round()
                    as usize)
                    % 8]
            )
        } else {
            pool.next()?.to_string()
        };
        used_names.insert(name.clone());
        let d = dist(main);
        let r = d / tess.outline.radius(anchor[1].atan2(anchor[0]));
        let pop = if w == centre {
            rng.range(1200.0, 2800.0)
        } else if w == enclave {
            rng.range(700.0, 1500.0)
        } else if name.starts_with("Buitengebied") {
            rng.range(300.0, 650.0)
        } else if name.starts_with("Bedrijven") || name.starts_with("Industrie") {
            rng.range(300.0, 420.0)
        } else {
            rng.range(500.0, 1500.0) * (1.15 - 0.45 * r.min(1.0)) + 200.0
        };
        let population = ((pop / 5.0).round() as u32 * 5).clamp(300, 4000);
        let polys = geometry::region(cells, &|c| g.contains(&c))?;
        let geo = geometry::to_geo(&polys);
        if !geo.is_valid() {
            return None;
        }
        buurten.push(Buurt {
            code,
            name,
            wijk: w,
            cells: g.clone(),
            population,
            polys,
            geo,
            anchor,
            dist: d,
            on_outline,
        });
    }
    let multipart = buurten.iter().position(|b| b.cells.len() == 2)?;
    if buurten[multipart].polys.len() != 2 {
        return None;
    }

    let mut wijken = Vec::new();
    for w in 0..nwijk {
        let name = match w {
            0 => "Centrum".to_string(),
            x if x == enclave => "Lindendorp".to_string(),
            x => SECTOR_WIJK_NAMES[x - 1].to_string(),
        };
        let polys = geometry::region(cells, &|c| wijk_of[c] == w)?;
        if !geometry::to_geo(&polys).is_valid() {
            return None;
        }
        let bs: Vec<usize> = (0..buurten.len())
            .filter(|&b| buurten[b].wijk == w)
            .collect();
        let population = bs.iter().map(|&b| buurten[b].population).sum();
        wijken.push(Wijk {
            code: format!("WK9999{:02}", w + 1),
            name,
            population,
            polys,
        });
    }
    // The enclave is one simple polygon; its surrounding wijk has it as a hole.
    if wijken[enclave].polys.len() != 1 || wijken[enclave].polys[0].len() != 1 {
        return None;
    }
    if !wijken[surround].polys.iter().any(|p| p.len() > 1) {
        return None;
    }
    let gemeente = geometry::region(cells, &|_| true)?;
    if gemeente.len() != 1 || gemeente[0].len() != 1 {
        return None;
    }
    let gemeente_geo = geometry::to_geo(&gemeente);
    if !gemeente_geo.is_valid() {
        return None;
    }
    // No gaps or overlaps: the parts add up to the whole at both levels.
    let total = gemeente_geo.unsigned_area();
    let sum_b: f64 = buurten.iter().map(|b| b.geo.unsigned_area()).sum();
    let sum_w: f64 = wijken
        .iter()
        .map(|w| geometry::to_geo(&w.polys).unsigned_area())
        .sum();
    if (sum_b - total).abs() > 1e-9 * total || (sum_w - total).abs() > 1e-9 * total {
        return None;
    }
    let hotspot = (0..buurten.len())
        .filter(|&b| {
            let w = buurten[b].wijk;
            w != centre && w != enclave && w != surround && !buurten[b].on_outline && b != multipart
        })
        .min_by(|&a, &b| {
            (buurten[a].dist - 1900.0)
                .abs()
                .total_cmp(&(buurten[b].dist - 1900.0).abs())
        })?;
    let population = buurten.iter().map(|b| b.population).sum();
    Some(Town {
        tess,
        buurten,
        wijken,
        gemeente,
        gemeente_geo,
        population,
        enclave,
        surround,
        multipart,
        hotspot,
    })
}
