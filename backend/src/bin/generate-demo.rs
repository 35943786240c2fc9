//! Generates the built-in **synthetic** demo town "Demostad (synthetisch)" (GM9999) into
//! `geodata/`: areas, offences, population, cameras, enforcement, initiatives, incidents,
//! E33 reports and survey indicators, in the import formats of `docs/formats.md`.
//!
//! The output is deterministic: the same seed gives byte-identical files.
//!
//! ```text
//! cargo run -p wijkveilig --bin generate-demo -- --out geodata
//! ```

#[path = "generate_demo/areas.rs"]
mod areas;
#[path = "generate_demo/geometry.rs"]
mod geometry;
#[path = "generate_demo/layers.rs"]
mod layers;
#[path = "generate_demo/offences.rs"]
mod offences;
#[path = "generate_demo/rng.rs"]
mod rng;

use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;

/// The seed of the shipped demo. Changing it changes every file.
const DEFAULT_SEED: u64 = 20_240_141;

#[derive(Parser, Debug)]
#[command(about = "Write the synthetic demo town (GM9999, Demostad) into a directory")]
struct Args {
    /// Output directory (created if missing).
    #[arg(long, default_value = "geodata")]
    out: PathBuf,
    /// Random seed; the default reproduces the shipped demo.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Everything generated, in memory: the files plus the model behind them (for the tests).
struct Demo {
    town: areas::Town,
    offences: offences::Offences,
    incidents: Vec<layers::Incident>,
    files: Vec<(&'static str, String)>,
}

fn generate(seed: u64) -> Demo {
    let town = areas::build_town(seed);
    let off = offences::generate(&town, seed);
    let incidents = layers::incidents(&town, &off, seed);
    let mut files = vec![
        ("areas.geojson", layers::areas_geojson(&town)),
        ("offences.csv", offences::csv(&town, &off)),
        ("crime-types.csv", offences::crime_types_csv()),
        ("population.csv", layers::population_csv(&town)),
        ("cameras.csv", layers::cameras_csv(&town, seed)),
        ("enforcement.csv", layers::enforcement_csv(&town, seed)),
        (
            "initiatives.geojson",
            layers::initiatives_geojson(&town, seed),
        ),
        ("incidents.csv", layers::incidents_csv(&incidents)),
        ("e33.csv", layers::e33_csv(&town, seed)),
        ("survey.csv", layers::survey_csv(&town, seed)),
    ];
    let readme = readme(&town, &off, &files, seed);
    files.push(("README.md", readme));
    Demo {
        town,
        offences: off,
        incidents,
        files,
    }
}

fn readme(
    town: &areas::Town,
    off: &offences::Offences,
    files: &[(&str, String)],
    seed: u64,
) -> String {
    let rows = |name: &str| {
        files
            .iter()
            .find(|f| f.0 == name)
            .map_or(0, |f| f.1.lines().count().saturating_sub(1))
    };
    let total_2017: u32 = (0..town.buurten.len())
        .map(|b| (0..12).map(|m| off.total(b, m)).sum::<u32>())
        .sum();
    let hot = &town.buurten[town.hotspot];
    let mp = &town.buurten[town.multipart];
    format!(
        r#"# SYNTHETIC demo data: everything in this folder is generated, NOT real data, and has no relation to real persons, places or events.

"Demostad (synthetisch)" (gemeente code **GM9999**, a code CBS does not use) is a fictional town
placed around Almelo's coordinates only so that the map scale feels Dutch. Its boundaries,
names, population, offences, cameras, enforcement cases, initiatives, incidents, E33 reports and
survey results are invented by a seeded random generator. A few names (Amaliaplein, Koornmarkt,
Kerkstraat, Stadion) are used for cameras on purpose; their positions are fictional.

## Regenerate

```sh
cargo run -p wijkveilig --bin generate-demo -- --out geodata
```

The generator (`backend/src/bin/generate-demo.rs` and `backend/src/bin/generate_demo/`) uses its
own SplitMix64 PRNG with seed {seed}; running it twice gives byte-identical files. Do not edit
the files by hand: change the generator and regenerate.

## The town

- {nw} wijken (`WK999901` … `WK9999{nw:02}`) and {nb} buurten (`BU9999wwbb`), {pop} inhabitants.
- Geometry: a Voronoi tessellation of jittered seeds (denser in the centre) with slightly
  wiggled edges. Neighbours share exactly the same vertices, at buurt, wijk and gemeente level.
  Exterior rings are counter-clockwise, holes clockwise (RFC 7946), coordinates WGS84 with 6 decimals.
- Wijk {enc_code} "{enc}" is an enclave: a hole in wijk {sur_code} "{sur}".
- Buurt {mp_code} "{mp_name}" is a MultiPolygon (two separate parts).
- Offences: busy centre, seasonality (burglary in winter, bike theft in summer), a trend per
  wijk, a COVID dip in 2020–2021, and a hotspot that emerges from January 2022 in buurt
  {hot_code} "{hot_name}". The 2017 gemeente total is {total_2017}.
- Yearly offence trend per wijk (change of the expected level per year): {trends}.

## Files

| file | rows | content |
|---|---|---|
| `areas.geojson` | {n_areas} features | gemeente, wijken and buurten; properties `code`, `name`, `population`, `synthetic` |
| `offences.csv` | {n_off} | StatLine 47022NED shape: `0.0.0` yearly totals for 2017 and 2018, monthly counts 2019-01 … 2023-12 for the total and 12 crime types per buurt. The total equals the sum of its parts; {n_withheld} type cells in small buurten are empty (withheld), their totals stay complete |
| `crime-types.csv` | {n_ct} | the CBS SoortMisdrijf codes used, with their CBS titles (code prefix removed) |
| `population.csv` | {n_pop} | inhabitants per wijk and buurt (wijk = sum of its buurten) |
| `cameras.csv` | {n_cam} | camera positions with view radius; some `planned` |
| `enforcement.csv` | {n_enf} | municipal enforcement cases 2017–2023 with domain and outcome |
| `initiatives.geojson` | {n_ini} features | neighbourhood-watch initiatives (areas and points) |
| `incidents.csv` | {n_inc} | one point per offence counted in a published type cell, 2021-01 … 2023-12, inside its buurt |
| `e33.csv` | {n_e33} | confused-person (E33) reports per buurt per month 2017–2023; months without reports are omitted |
| `survey.csv` | {n_sur} | `feels_safe` and `enforcement_satisfaction` per year 2017–2023 for GM9999 and each wijk |
"#,
        nw = town.wijken.len(),
        nb = town.buurten.len(),
        pop = town.population,
        enc_code = town.wijken[town.enclave].code,
        enc = town.wijken[town.enclave].name,
        sur_code = town.wijken[town.surround].code,
        sur = town.wijken[town.surround].name,
        mp_code = mp.code,
        mp_name = mp.name,
        hot_code = hot.code,
        hot_name = hot.name,
        trends = town
            .wijken
            .iter()
            .zip(&off.wijk_trend)
            .map(|(w, g)| format!("{} {:+.1} %", w.code, (g.exp() - 1.0) * 100.0))
            .collect::<Vec<_>>()
            .join(", "),
        n_areas = 1 + town.wijken.len() + town.buurten.len(),
        n_off = rows("offences.csv"),
        n_withheld = off.withheld.len(),
        n_ct = rows("crime-types.csv"),
        n_pop = rows("population.csv"),
        n_cam = rows("cameras.csv"),
        n_enf = rows("enforcement.csv"),
        n_ini = files
            .iter()
            .find(|f| f.0 == "initiatives.geojson")
            .map_or(0, |f| f.1.matches("\"Feature\"").count()),
        n_inc = rows("incidents.csv"),
        n_e33 = rows("e33.csv"),
        n_sur = rows("survey.csv"),
    )
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let demo = generate(args.seed);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    for (name, content) in &demo.files {
        let path = args.out.join(name);
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
        println!("{:>10} bytes  {}", content.len(), path.display());
    }
    println!(
        "{} wijken, {} buurten, {} inhabitants, {} incidents, {} withheld offence cells",
        demo.town.wijken.len(),
        demo.town.buurten.len(),
        demo.town.population,
        demo.incidents.len(),
        demo.offences.withheld.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Validation};
    use std::sync::OnceLock;

    fn demo() -> &'static Demo {
        static DEMO: OnceLock<Demo> = OnceLock::new();
        DEMO.get_or_init(|| generate(DEFAULT_SEED))
    }

    #[test]
    fn deterministic() {
        let again = generate(DEFAULT_SEED);
        assert_eq!(demo().files, again.files);
    }

    #[test]
    fn incidents_lie_in_their_buurt_and_match_the_counts() {
        let d = demo();
        let mut per_cell = std::collections::BTreeMap::new();
        for inc in &d.incidents {
            let (lon, lat) = geometry::to_deg(inc.pos);
            assert!(
                d.town.buurten[inc.buurt]
                    .geo
                    .contains(&geo::Point::new(lon, lat)),
                "{inc:?}"
            );
            let year: usize = inc.time[..4].parse().unwrap();
            let month: usize = inc.time[5..7].parse().unwrap();
            let m = (year - 2017) * 12 + month - 1;
            *per_cell
                .entry((inc.buurt, inc.type_index, m))
                .or_insert(0u32) += 1;
        }
        for ((b, t, m), n) in per_cell {
            assert_eq!(d.offences.counts[b][t][m], n);
            assert!(!d.offences.withheld.contains(&(b, t, m)));
        }
        assert!(
            (10_000..30_000).contains(&d.incidents.len()),
            "{}",
            d.incidents.len()
        );
    }

    #[test]
    fn totals_equal_the_sum_of_their_parts_in_the_csv() {
        let d = demo();
        let csv = &d.files.iter().find(|f| f.0 == "offences.csv").unwrap().1;
        let mut totals = std::collections::BTreeMap::new();
        let mut parts: std::collections::BTreeMap<(String, String), (u32, bool)> =
            Default::default();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let key = (f[0].to_string(), f[2].to_string());
            if f[1].trim_matches('"').trim() == "0.0.0" {
                totals.insert(key, f[3].parse::<u32>().expect("totals are never withheld"));
            } else {
                let e = parts.entry(key).or_default();
                match f[3].parse::<u32>() {
                    Ok(v) => e.0 += v,
                    Err(_) => e.1 = true,
                }
            }
        }
        for (key, (sum, withheld)) in &parts {
            let total = totals[key];
            if *withheld {
                assert!(*sum <= total)
            } else {
                assert_eq!(*sum, total, "{key:?}")
            }
        }
        // And in the model, including withheld cells.
        for b in 0..d.town.buurten.len() {
            for m in 0..offences::MONTHS {
                let sum: u32 = (0..offences::TYPES.len())
                    .map(|t| d.offences.counts[b][t][m])
                    .sum();
                assert_eq!(sum, d.offences.total(b, m));
            }
        }
        let n_cells = d.town.buurten.len() * 60 * offences::TYPES.len();
        let share = d.offences.withheld.len() as f64 / n_cells as f64;
        assert!((0.002..0.01).contains(&share), "withheld share {share}");
        let total_2017: u32 = (0..d.town.buurten.len())
            .map(|b| (0..12).map(|m| d.offences.total(b, m)).sum::<u32>())
            .sum();
        assert!((4200..4800).contains(&total_2017), "{total_2017}");
    }

    #[test]
    fn populations_add_up() {
        let t = &demo().town;
        for (w, wijk) in t.wijken.iter().enumerate() {
            let sum: u32 = t
                .buurten
                .iter()
                .filter(|b| b.wijk == w)
                .map(|b| b.population)
                .sum();
            assert_eq!(wijk.population, sum);
            assert!(wijk.code.starts_with("WK9999"));
        }
        assert_eq!(
            t.population,
            t.wijken.iter().map(|w| w.population).sum::<u32>()
        );
        for b in &t.buurten {
            assert!((300..=4000).contains(&b.population));
            assert_eq!(&b.code[2..8], &t.wijken[b.wijk].code[2..8]);
        }
        assert!((60..=80).contains(&t.buurten.len()));
        assert_eq!(t.wijken.len(), 11);
    }

    #[test]
    fn geometry_is_valid_and_shared() {
        let t = &demo().town;
        assert!(t.gemeente_geo.is_valid());
        for b in &t.buurten {
            assert!(b.geo.is_valid(), "{}", b.code);
        }
        for w in &t.wijken {
            assert!(geometry::to_geo(&w.polys).is_valid(), "{}", w.code);
            for p in &w.polys {
                for (i, r) in p.iter().enumerate() {
                    assert_eq!(r.first(), r.last());
                    let area2: i128 = r
                        .windows(2)
                        .map(|s| s[0].0 as i128 * s[1].1 as i128 - s[1].0 as i128 * s[0].1 as i128)
                        .sum();
                    assert_eq!(area2 > 0, i == 0, "exterior CCW, holes CW in {}", w.code);
                }
            }
        }
        assert_eq!(t.buurten[t.multipart].polys.len(), 2);
        assert!(t.wijken[t.surround].polys.iter().any(|p| p.len() > 1));
        // Every wijk vertex is a buurt vertex: the levels share their boundaries exactly.
        let buurt_vertices: std::collections::BTreeSet<geometry::V> = t
            .buurten
            .iter()
            .flat_map(|b| b.polys.iter().flatten().flatten().copied())
            .collect();
        for w in &t.wijken {
            assert!(
                w.polys
                    .iter()
                    .flatten()
                    .flatten()
                    .all(|v| buurt_vertices.contains(v))
            );
        }
    }

    #[test]
    fn crime_types_match_the_cbs_dimension() {
        let Ok(cbs) = std::fs::read_to_string("/work/shared/data/cbs-47018NED-SoortMisdrijf.csv")
        else {
            return;
        };
        for t in &offences::TYPES {
            assert!(
                cbs.contains(&format!("\"{} {}\"", t.code, t.title)),
                "{} {}",
                t.code,
                t.title
            );
        }
    }
}
