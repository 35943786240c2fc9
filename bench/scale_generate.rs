//! Deterministic incidents for the ten-million benchmark (`bench/scale.sh`, issue #12).
//!
//! ```sh
//! cargo run --release -p wijkveilig --example scale_generate -- \
//!     BUURTEN.geojson POPULATION.csv OUT_DIR [TOTAL=10000000] [CHUNKS=10]
//! ```
//!
//! Reads the buurten exactly as `wijkveilig import areas FILE --repair` does (so every point
//! lies in a polygon the importer keeps), weights each buurt by its population from a CBS
//! kerncijfers CSV (`nhood_id,population`; a buurt the CSV lacks gets the median weight), and
//! writes TOTAL incidents over the 60 months 2020-01 .. 2024-12 as CHUNKS files
//! `incidents-NN.csv` (`id,time,crime_type,lon,lat`), each a consecutive stretch of time, sorted
//! by time, as a police export per half year would be. Points are drawn uniformly inside the
//! buurt (rejection sampling in its bounding box). It also writes `offences.csv`: the same
//! incidents counted per buurt and month as a 47022NED file for the total (`0.0.0`), so the
//! figures and hotspot calls have data. The same arguments give byte-identical files.

use geo::{BoundingRect, Contains, MultiPolygon, Point};
use std::collections::HashMap;
use std::io::Write;

/// SplitMix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// CBS SoortMisdrijf codes and their share of incidents (roughly the national mix).
const TYPES: [(&str, f64); 8] = [
    ("1.1.1", 0.10), // diefstal/inbraak woning
    ("1.2.1", 0.06), // diefstal uit/vanaf motorvoertuigen
    ("1.2.3", 0.16), // diefstal van brom-, snor-, fietsen
    ("1.4.5", 0.08), // zakkenrollerij
    ("2.5.1", 0.12), // vernieling aan auto
    ("2.2.1", 0.18), // vernieling cq. zaakbeschadiging
    ("3.6.4", 0.06), // aantasting openbare orde
    ("1.6.2", 0.24), // overige vermogensdelicten
];

const FIRST_YEAR: i32 = 2020;
const MONTHS: usize = 60;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        anyhow::bail!(
            "usage: scale_generate BUURTEN.geojson POPULATION.csv OUT_DIR [TOTAL] [CHUNKS]"
        );
    }
    let total: u64 = args.get(4).map_or(Ok(10_000_000), |s| s.parse())?;
    let chunks: u64 = args.get(5).map_or(Ok(10), |s| s.parse())?;
    let out = std::path::PathBuf::from(&args[3]);
    std::fs::create_dir_all(&out)?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let file = rt.block_on(wijkveilig::ingest::areas::read_areas(
        std::path::Path::new(&args[1]),
        true,
    ))?;
    let mut buurten: Vec<(String, MultiPolygon<f64>)> = file
        .areas
        .into_iter()
        .filter(|a| a.code.to_string().starts_with("BU"))
        .map(|a| (a.code.to_string(), a.geometry))
        .collect();
    buurten.sort_by(|a, b| a.0.cmp(&b.0));

    let mut population: HashMap<String, f64> = HashMap::new();
    for line in std::fs::read_to_string(&args[2])?.lines().skip(1) {
        let f: Vec<&str> = line.split(',').map(|s| s.trim_matches('"')).collect();
        if let (Some(code), Some(Ok(n))) = (f.get(1), f.get(2).map(|s| s.parse::<f64>())) {
            population.insert(code.to_string(), n);
        }
    }
    let mut known: Vec<f64> = buurten
        .iter()
        .filter_map(|(c, _)| population.get(c).copied())
        .filter(|n| *n > 0.0)
        .collect();
    known.sort_by(f64::total_cmp);
    let median = known.get(known.len() / 2).copied().unwrap_or(1.0);
    let weights: Vec<f64> = buurten
        .iter()
        .map(|(c, _)| {
            population
                .get(c)
                .copied()
                .filter(|n| *n > 0.0)
                .unwrap_or(median)
        })
        .collect();
    eprintln!(
        "{} buurten, {} with a population from the CSV (the others weigh the median, {median})",
        buurten.len(),
        known.len()
    );
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut sum = 0.0;
    for w in &weights {
        sum += w;
        cumulative.push(sum);
    }
    let boxes: Vec<geo::Rect<f64>> = buurten
        .iter()
        .map(|(_, g)| g.bounding_rect().expect("a kept buurt has an extent"))
        .collect();

    let mut type_cumulative = Vec::new();
    let mut s = 0.0;
    for (_, w) in TYPES {
        s += w;
        type_cumulative.push(s);
    }

    // Seconds from 2020-01-01 to 2025-01-01.
    let start = time::macros::datetime!(2020-01-01 0:00);
    let span = (time::macros::datetime!(2025-01-01 0:00) - start).whole_seconds() as u64;
    let mut counts: HashMap<(usize, usize), u64> = HashMap::new();
    let mut next_id = 0u64;
    for chunk in 0..chunks {
        let mut rng = Rng(0x5CA1_E000 + chunk);
        let n = total / chunks + u64::from(chunk < total % chunks);
        let (lo, hi) = (span * chunk / chunks, span * (chunk + 1) / chunks);
        let mut seconds: Vec<u64> = (0..n).map(|_| lo + rng.next() % (hi - lo)).collect();
        seconds.sort_unstable();
        let path = out.join(format!("incidents-{chunk:02}.csv"));
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        writeln!(w, "id,time,crime_type,lon,lat")?;
        for sec in seconds {
            let at = start + time::Duration::seconds(sec as i64);
            let b = cumulative.partition_point(|&c| c <= rng.unit() * sum);
            let b = b.min(buurten.len() - 1);
            let (r, g) = (&boxes[b], &buurten[b].1);
            let p = loop {
                let p = Point::new(
                    r.min().x + rng.unit() * r.width(),
                    r.min().y + rng.unit() * r.height(),
                );
                if g.contains(&p) {
                    break p;
                }
            };
            let t = type_cumulative.partition_point(|&c| c <= rng.unit() * s);
            let t = TYPES[t.min(TYPES.len() - 1)].0;
            let month =
                ((at.year() - FIRST_YEAR) * 12 + i32::from(u8::from(at.month())) - 1) as usize;
            *counts.entry((b, month)).or_default() += 1;
            writeln!(
                w,
                "n{next_id:08},{:04}-{:02}-{:02}T{:02}:{:02}:{:02},{t},{:.6},{:.6}",
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second(),
                p.x(),
                p.y()
            )?;
            next_id += 1;
        }
        w.flush()?;
        eprintln!("{}: {n} incidents", path.display());
    }

    // The same incidents per buurt and month, as 47022NED for the total.
    let path = out.join("offences.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
    writeln!(
        w,
        "WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1"
    )?;
    for (b, (code, _)) in buurten.iter().enumerate() {
        for month in 0..MONTHS {
            let n = counts.get(&(b, month)).copied().unwrap_or(0);
            writeln!(
                w,
                "{code},0.0.0,{}MM{:02},{n}",
                FIRST_YEAR + (month / 12) as i32,
                month % 12 + 1
            )?;
        }
    }
    w.flush()?;
    eprintln!("{}: {} rows", path.display(), buurten.len() * MONTHS);
    Ok(())
}
