//! The report as ONE self-contained HTML file (Dutch): inline CSS with print rules for A4,
//! the map as a data-URI PNG, inline SVG sparklines. It references no external resource.

use super::map::{KDE_RAMP, bin_colour, render_png};
use crate::analysis::indicators::{
    BaselineSource, Direction, IndicatorView as Indicator, Status, Unit,
};
use crate::service::report::ReportData;
use std::fmt::Write;

/// HTML-escapes text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Dutch number formatting: thousands separated by a point, decimals by a comma.
pub fn num(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn value_text(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Percent => format!("{} %", num(v, 1)),
        Unit::Count => num(v, 0),
    }
}

fn pct(share: f64) -> String {
    format!("{} %", num(share * 100.0, 1))
}

fn status_nl(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::OnTrack => ("op koers", "ok"),
        Status::OffTrack => ("niet op koers", "bad"),
        Status::NoTarget => ("geen streefwaarde", "none"),
    }
}

fn outcome_nl(o: &str) -> &str {
    match o {
        "compliance_without_sanction" => "naleving zonder sanctie",
        "warning" => "waarschuwing",
        "administrative_sanction" => "bestuurlijke sanctie",
        "criminal_report" => "proces-verbaal",
        other => other,
    }
}

fn domain_nl(d: &str) -> &str {
    match d {
        "building" => "bouwen",
        "environment" => "milieu",
        "public_space" => "openbare ruimte",
        other => other,
    }
}

fn class_nl(bin: i8) -> String {
    match bin {
        b if b > 0 => format!("hotspot {} %", [90, 95, 99][(b - 1) as usize]),
        b if b < 0 => format!("coldspot {} %", [90, 95, 99][(-b - 1) as usize]),
        _ => "geen".into(),
    }
}

/// The Content-Security-Policy the report is served with: no script, no fetches, only its own
/// stylesheet (by hash) and its inline map image.
pub fn content_security_policy() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(CSS));
    format!(
        "default-src 'none'; img-src data:; style-src 'sha256-{hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
}

const CSS: &str = r#"
:root { --ink:#1f2a37; --muted:#5b6573; --line:#d5dbe1; --accent:#1d4e89; --ok:#166534; --bad:#b91c1c; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: var(--ink); margin: 0; background: #fff; font-size: 10.5pt; line-height: 1.4; }
main { max-width: 190mm; margin: 0 auto; padding: 10mm 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; color: var(--accent); }
h2 { font-size: 14pt; margin: 7mm 0 3mm; border-bottom: 2px solid var(--accent); padding-bottom: 1mm; }
h3 { font-size: 10.5pt; margin: 0; }
p { margin: 1.5mm 0; }
.muted { color: var(--muted); }
.small { font-size: 8.5pt; }
.demo { border: 2px solid #b45309; background: #fff7ed; color: #7c2d12; padding: 2.5mm 4mm; font-weight: 600; margin: 3mm 0; }
.summary { display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm; margin: 3mm 0; }
.kpi { border: 1px solid var(--line); border-radius: 2mm; padding: 2.5mm; }
.kpi b { display: block; font-size: 15pt; }
.map img { display: block; max-width: 100%; max-height: 150mm; width: auto; height: auto; margin: 0 auto; border: 1px solid var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: 2mm 5mm; margin-top: 2mm; font-size: 8.5pt; }
.sw { display: inline-block; width: 9pt; height: 9pt; vertical-align: -1pt; margin-right: 1mm; border: 1px solid #9aa3ad; }
.ramp { display: inline-block; width: 30mm; height: 9pt; vertical-align: -1pt; border: 1px solid #9aa3ad; }
.cards { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; }
.card { border: 1px solid var(--line); border-radius: 2mm; padding: 3mm; break-inside: avoid; page-break-inside: avoid; }
.card header { display: flex; justify-content: space-between; gap: 2mm; align-items: flex-start; }
.value { font-size: 17pt; font-weight: 700; }
.badge { font-size: 8pt; font-weight: 700; padding: 0.5mm 2mm; border-radius: 3mm; white-space: nowrap; }
.badge.ok { background: #dcfce7; color: var(--ok); } .badge.bad { background: #fee2e2; color: var(--bad); } .badge.none { background: #eef1f4; color: var(--muted); }
.row { display: flex; gap: 3mm; align-items: center; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; font-size: 9pt; break-inside: auto; }
th, td { border-bottom: 1px solid var(--line); padding: 1.2mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
.bar { display: inline-block; vertical-align: middle; }
.bar rect { fill: var(--accent); }
.sw.camera { border: 0; }
footer { margin-top: 8mm; font-size: 8pt; color: var(--muted); border-top: 1px solid var(--line); padding-top: 2mm; }
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 9.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section { break-before: auto; }
  section.newpage { break-before: page; page-break-before: always; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .map { break-inside: avoid; }
}
"#;

/// Inline SVG sparkline: the values (with survey margins), the baseline (dashed grey) and
/// the targets (open diamonds).
pub fn sparkline(ind: &Indicator, width: f64, height: f64) -> String {
    let vals = &ind.values;
    let mut years: Vec<i32> = vals
        .iter()
        .map(|v| v.year)
        .chain(ind.targets.iter().map(|t| t.year))
        .collect();
    if let Some(b) = &ind.baseline {
        years.push(b.year);
    }
    let label = format!(
        "Verloop: {}{}",
        vals.iter()
            .map(|v| format!("{} {}", v.year, value_text(ind.unit, v.value)))
            .collect::<Vec<_>>()
            .join(", "),
        if ind.targets.is_empty() {
            String::new()
        } else {
            format!(
                "; streefwaarden: {}",
                ind.targets
                    .iter()
                    .map(|t| format!("{} {}", t.year, value_text(ind.unit, t.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let mut svg = format!(
        r#"<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{}">"#,
        esc(&label)
    );
    let (Some(&y0), Some(&y1)) = (years.iter().min(), years.iter().max()) else {
        svg.push_str("</svg>");
        return svg;
    };
    let mut ys: Vec<f64> = vals
        .iter()
        .flat_map(|v| {
            [
                v.value - v.margin.unwrap_or(0.0),
                v.value + v.margin.unwrap_or(0.0),
            ]
        })
        .collect();
    ys.extend(ind.targets.iter().map(|t| t.value));
    ys.extend(ind.baseline.iter().map(|b| b.value));
    let (mut lo, mut hi) = ys
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if hi - lo < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let padv = (hi - lo) * 0.12;
    lo -= padv;
    hi += padv;
    let px = |yr: i32| 14.0 + f64::from(yr - y0) / f64::from((y1 - y0).max(1)) * (width - 52.0);
    let py = |v: f64| 5.0 + (1.0 - (v - lo) / (hi - lo)) * (height - 18.0);
    let _ = write!(
        svg,
        r##"<line x1="6" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#d5dbe1"/>"##,
        width - 38.0,
        height - 12.0,
        height - 12.0
    );
    for yr in [y0, y1] {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="8" text-anchor="middle" fill="#5b6573">{yr}</text>"##,
            px(yr),
            height - 2.0
        );
    }
    if let Some(b) = &ind.baseline {
        let _ = write!(
            svg,
            r##"<line x1="6" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#8a96a3" stroke-dasharray="2 3"/>"##,
            width - 38.0,
            y = py(b.value)
        );
    }
    for v in vals {
        if let Some(m) = v.margin {
            let _ = write!(
                svg,
                r##"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="#7f9db0" stroke-width="3" stroke-linecap="round" opacity="0.6"/>"##,
                py(v.value - m),
                py(v.value + m),
                x = px(v.year)
            );
        }
    }
    if vals.len() > 1 {
        let pts: Vec<String> = vals
            .iter()
            .map(|v| format!("{:.1},{:.1}", px(v.year), py(v.value)))
            .collect();
        let _ = write!(
            svg,
            r##"<polyline points="{}" fill="none" stroke="#1d4e89" stroke-width="2"/>"##,
            pts.join(" ")
        );
    }
    for v in vals {
        let _ = write!(
            svg,
            r##"<circle cx="{:.1}" cy="{:.1}" r="2.4" fill="#1d4e89"/>"##,
            px(v.year),
            py(v.value)
        );
    }
    for t in &ind.targets {
        let (cx, cy) = (px(t.year), py(t.value));
        let _ = write!(
            svg,
            r##"<path d="M{cx:.1} {:.1}L{:.1} {cy:.1}L{cx:.1} {:.1}L{:.1} {cy:.1}Z" fill="#fff" stroke="#c2410c" stroke-width="1.6"/>"##,
            cy - 4.0,
            cx + 4.0,
            cy + 4.0,
            cx - 4.0
        );
    }
    if let Some(last) = vals.last() {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="9" font-weight="700" fill="#1f2a37">{}</text>"##,
            px(last.year) + 5.0,
            py(last.value) + 3.0,
            esc(&value_text(ind.unit, last.value))
        );
    }
    svg.push_str("</svg>");
    svg
}

fn card(ind: &Indicator) -> String {
    let (status, class) = status_nl(ind.status);
    let latest = ind.latest.as_ref();
    let lv = latest.and_then(|l| ind.values.iter().find(|v| v.year == l.year));
    let mut s = format!(
        r#"<article class="card" data-key="{}"><header><h3>{}. {}</h3><span class="badge {class}">{status}</span></header>"#,
        ind.key,
        ind.number,
        esc(ind.title)
    );
    let _ = write!(
        s,
        r#"<div class="row"><div><div class="value">{}</div><div class="small muted">{}{}</div>"#,
        latest.map_or("–".into(), |l| value_text(ind.unit, l.value)),
        latest.map_or("geen gegevens".into(), |l| l.year.to_string()),
        if ind.direction == Direction::HigherIsBetter {
            " · hoger is beter"
        } else {
            " · lager is beter"
        }
    );
    if let Some(v) = lv {
        if let (Some(m), Some(n)) = (v.margin, v.n) {
            let _ = write!(
                s,
                r#"<div class="small">± {} %-punt (95 %, n = {})</div>"#,
                num(m, 1),
                num(n as f64, 0)
            );
        }
        if v.within_margin == Some(true) {
            s.push_str(r#"<div class="small muted">verschil met vorig jaar valt binnen de foutmarge</div>"#);
        }
        if let Some(p) = v.pct_of_baseline {
            let _ = write!(
                s,
                r#"<div class="small">{} % van de nulmeting</div>"#,
                num(p, 1)
            );
        }
        if let Some(c) = v.coverage {
            let _ = write!(
                s,
                r#"<div class="small">uitkomst bekend voor {} % van de meldingen</div>"#,
                num(c, 1)
            );
        }
        if let (Some(a), Some(b)) = (v.numerator, v.denominator) {
            let _ = write!(
                s,
                r#"<div class="small muted">{} van {}</div>"#,
                num(a as f64, 0),
                num(b as f64, 0)
            );
        }
    }
    let _ = write!(s, "</div>{}</div>", sparkline(ind, 230.0, 64.0));
    let target = latest
        .and_then(|l| ind.targets.iter().find(|t| t.year == l.year))
        .or(ind.targets.last());
    let _ = write!(
        s,
        r#"<p class="small">{}{}{}</p>"#,
        target.map_or("Nog geen streefwaarde vastgesteld.".into(), |t| format!(
            "Streefwaarde {}: {}",
            t.year,
            value_text(ind.unit, t.value)
        )),
        if ind.demo_targets {
            " (illustratief, demo)"
        } else {
            ""
        },
        ind.baseline.as_ref().map_or(String::new(), |b| format!(
            " · nulmeting {}: {}{}",
            b.year,
            value_text(ind.unit, b.value),
            if b.source == BaselineSource::Data {
                " (uit de data)"
            } else {
                ""
            }
        ))
    );
    s.push_str("</article>");
    s
}

/// The complete HTML document.
pub fn render(d: &ReportData) -> String {
    let gm_name = d.gemeente.name.as_deref().unwrap_or("");
    let title = format!(
        "Veiligheidsrapportage {} — {}",
        gm_name,
        d.period.title_nl()
    );
    let mut h = String::with_capacity(256 * 1024);
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{CSS}</style></head><body><main>"#,
        esc(&title)
    );
    let _ = write!(
        h,
        r#"<header><h1>{}</h1><p class="muted">Programma Veiligheid · periode {} t/m {} · gemaakt op {} met wijkveilig</p>"#,
        esc(&title),
        d.from,
        d.to,
        d.generated
    );
    if d.demo {
        h.push_str(r#"<p class="demo" id="demo-notice">SYNTHETISCHE DEMODATA: de plaats, grenzen en alle cijfers in dit rapport zijn verzonnen (demostad). Het zijn geen echte gegevens. Streefwaarden met "(illustratief, demo)" zijn door niemand vastgesteld.</p>"#);
    }
    h.push_str("</header>");

    // Summary.
    let count = |s: Status| d.indicators.iter().filter(|i| i.status == s).count();
    let _ = write!(
        h,
        r#"<section id="samenvatting"><h2>Samenvatting</h2><div class="summary"><div class="kpi"><span class="muted small">Indicatoren op koers</span><b>{} van {}</b><span class="small muted">{} niet op koers, {} zonder streefwaarde</span></div>"#,
        count(Status::OnTrack),
        d.indicators.len(),
        count(Status::OffTrack),
        count(Status::NoTarget)
    );
    let _ = write!(
        h,
        r#"<div class="kpi"><span class="muted small">Hotspots (buurten, Gi*)</span><b>{}</b><span class="small muted">van {} buurten, na FDR-correctie</span></div>"#,
        d.hotspot_summary.hot, d.hotspot_summary.areas
    );
    let _ = write!(
        h,
        r#"<div class="kpi"><span class="muted small">Incidenten in camerabeeld</span><b>{}</b><span class="small muted">{}</span></div></div>"#,
        d.coverage
            .as_ref()
            .map_or("–".into(), |c| pct(c.incidents.share)),
        d.coverage
            .as_ref()
            .map_or("geen incidentpunten".into(), |c| format!(
                "{} van {} incidenten",
                num(c.incidents.covered as f64, 0),
                num(c.incidents.total as f64, 0)
            ))
    );
    for n in &d.notes {
        let _ = write!(h, r#"<p class="small muted">{}</p>"#, esc(n));
    }
    h.push_str("</section>");

    // Map.
    h.push_str(r#"<section id="kaart" class="map"><h2>Kaart: hotspots en concentratie van incidenten</h2>"#);
    match render_png(&d.map, 1400) {
        Some(png) => {
            let _ = write!(
                h,
                r#"<img id="map-image" alt="Kaart van {} met buurten gekleurd naar hotspotklasse, de dichtheid van incidenten en de camera's" src="data:image/png;base64,{}">"#,
                esc(gm_name),
                super::base64(&png)
            );
        }
        None => h.push_str(r#"<p class="muted">Geen buurtgrenzen geïmporteerd: geen kaart.</p>"#),
    }
    h.push_str(r#"<div class="legend">"#);
    for bin in [3i8, 2, 1, -1, -2, -3] {
        let (r, g, b) = bin_colour(bin);
        let _ = write!(
            h,
            r#"<span><svg class="sw" viewBox="0 0 9 9" aria-hidden="true"><rect width="9" height="9" fill="rgb({r},{g},{b})"/></svg>{}</span>"#,
            class_nl(bin)
        );
    }
    let last = KDE_RAMP.len().saturating_sub(1).max(1) as f64;
    let stops: Vec<String> = KDE_RAMP
        .iter()
        .enumerate()
        .map(|(k, (r, g, b))| {
            format!(
                r#"<stop offset="{:.3}" stop-color="rgb({r},{g},{b})"/>"#,
                k as f64 / last
            )
        })
        .collect();
    let _ = write!(
        h,
        r#"<span><svg class="ramp" viewBox="0 0 100 9" preserveAspectRatio="none" aria-hidden="true"><defs><linearGradient id="kde-ramp">{}</linearGradient></defs><rect width="100" height="9" fill="url(#kde-ramp)"/></svg> dichtheid incidenten (laag → hoog){}</span>"#,
        stops.concat(),
        d.kde
            .as_ref()
            .and_then(|k| k.bandwidth_m)
            .map_or(String::new(), |b| format!(", bandbreedte {} m", num(b, 0)))
    );
    h.push_str(r##"<span><svg class="sw camera" viewBox="0 0 9 9" aria-hidden="true"><circle cx="4.5" cy="4.5" r="4" fill="rgba(29,78,137,.3)" stroke="#1d4e89"/></svg>camera (actief; gestippeld: gepland)</span><span><svg class="sw" viewBox="0 0 9 9" aria-hidden="true"><rect x="1" y="1" width="7" height="7" fill="#fff" stroke="#283240" stroke-width="2"/></svg>wijkgrens</span></div></section>"##);

    // Indicators.
    h.push_str(r#"<section id="indicatoren" class="newpage"><h2>Programma-indicatoren</h2><p class="small muted">Laatste waarde tegen de streefwaarde van hetzelfde jaar; de definities staan onder Verantwoording. In de grafiek: blauw de waarden (met 95 %-foutmarge bij enquêtecijfers), grijs gestippeld de nulmeting, oranje ruiten de streefwaarden.</p><div class="cards">"#);
    for ind in &d.indicators {
        h.push_str(&card(ind));
    }
    h.push_str("</div></section>");

    // Hotspots.
    h.push_str(r#"<section id="hotspots" class="newpage"><h2>Hotspots</h2>"#);
    if d.top_hotspots.is_empty() {
        h.push_str(r#"<p>Geen buurten met een statistisch significante concentratie van misdrijven in deze periode.</p>"#);
    } else {
        h.push_str(r#"<table><thead><tr><th class="num">#</th><th>Buurt</th><th class="num">Misdrijven</th><th class="num">z (Gi*)</th><th class="num">p (FDR)</th><th>Klasse</th></tr></thead><tbody>"#);
        for (k, r) in d.top_hotspots.iter().enumerate() {
            let _ = write!(
                h,
                r#"<tr><td class="num">{}</td><td>{} <span class="muted small">{}</span></td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
                k + 1,
                esc(&r.name),
                esc(&r.code),
                r.value.map_or("&lt; 5".to_string(), |v| num(v, 0)),
                num(r.z, 2),
                if r.p_adjusted < 0.001 {
                    "< 0,001".into()
                } else {
                    num(r.p_adjusted, 3)
                },
                class_nl(r.bin)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(r#"<p class="small muted">Getis-Ord Gi* op het aantal geregistreerde misdrijven per buurt in de periode, buren volgens queen-contiguïteit, p-waarden gecorrigeerd voor meervoudig toetsen (Benjamini–Hochberg). Klasse 99/95/90 % = betrouwbaarheid van de concentratie.</p></section>"#);

    // Coverage.
    h.push_str(r#"<section id="cameradekking"><h2>Cameradekking</h2>"#);
    match &d.coverage {
        Some(c) => {
            let _ = write!(
                h,
                r#"<table><tbody><tr><th>Actieve camera's</th><td class="num">{}</td><td class="small muted">{} gepland</td></tr><tr><th>Incidenten binnen het zicht van een camera</th><td class="num">{}</td><td class="small muted">{} van {}</td></tr><tr><th>Hotspotcellen (top 10 % van de dichtheidskaart) in beeld</th><td class="num">{}</td><td class="small muted">{} van {} cellen van 100 m</td></tr></tbody></table>"#,
                c.cameras_active,
                c.cameras_planned,
                pct(c.incidents.share),
                num(c.incidents.covered as f64, 0),
                num(c.incidents.total as f64, 0),
                pct(c.hotspot_cells.share),
                num(c.hotspot_cells.covered as f64, 0),
                num(c.hotspot_cells.total as f64, 0)
            );
            if !c.uncovered_hotspots.is_empty() {
                let names: Vec<String> =
                    c.uncovered_hotspots.iter().map(|v| esc(&v.name)).collect();
                let _ = write!(
                    h,
                    r#"<p>Hotspotbuurten zonder actieve camera: {}.</p>"#,
                    names.join(", ")
                );
            }
        }
        None => h.push_str(r#"<p class="muted">Geen incidentpunten in deze periode.</p>"#),
    }
    h.push_str(r#"<p class="small muted">Een camera ziet een punt binnen zijn zichtstraal (zichtlijnen en muren zijn niet gemodelleerd).</p></section>"#);

    // Enforcement.
    h.push_str(r#"<section id="handhaving"><h2>Handhaving: uitkomsten</h2>"#);
    let total: i64 = d.enforcement_total.unwrap_or(0);
    if d.enforcement_outcomes.is_empty() {
        h.push_str(r#"<p class="muted">Geen handhavingszaken in deze periode.</p>"#);
    } else {
        h.push_str(r#"<table><thead><tr><th>Uitkomst</th><th class="num">Aantal</th><th class="num">Aandeel</th><th></th></tr></thead><tbody>"#);
        for o in &d.enforcement_outcomes {
            let Some(count) = o.count.filter(|_| total > 0) else {
                let _ = write!(
                    h,
                    r#"<tr><td>{}</td><td class="num">&lt; 5</td><td class="num">–</td><td></td></tr>"#,
                    esc(outcome_nl(&o.outcome)),
                );
                continue;
            };
            let share = count as f64 / total as f64;
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td><svg class="bar" width="60mm" height="7pt" aria-hidden="true"><rect width="{:.1}mm" height="7pt"/></svg></td></tr>"#,
                esc(outcome_nl(&o.outcome)),
                num(count as f64, 0),
                pct(share),
                share * 60.0
            );
        }
        let _ = write!(
            h,
            r#"<tr><th>Totaal</th><th class="num">{}</th><th></th><th></th></tr></tbody></table>"#,
            d.enforcement_total
                .map_or("&lt; 5".to_string(), |t| num(t as f64, 0))
        );
        if !d.enforcement_by_domain.is_empty() {
            let mut domains: Vec<&str> = d
                .enforcement_by_domain
                .iter()
                .map(|r| r.domain.as_str())
                .collect();
            domains.dedup();
            let outcomes: Vec<&str> = d
                .enforcement_outcomes
                .iter()
                .map(|o| o.outcome.as_str())
                .collect();
            h.push_str(r#"<table><thead><tr><th>Domein</th>"#);
            for o in &outcomes {
                let _ = write!(h, r#"<th class="num">{}</th>"#, esc(outcome_nl(o)));
            }
            h.push_str("</tr></thead><tbody>");
            for dm in domains {
                let _ = write!(h, "<tr><td>{}</td>", esc(domain_nl(dm)));
                for o in &outcomes {
                    let n: i64 = d
                        .enforcement_by_domain
                        .iter()
                        .filter(|r| r.domain == dm && r.outcome == *o)
                        .map(|r| r.count)
                        .sum();
                    let _ = write!(h, r#"<td class="num">{}</td>"#, num(n as f64, 0));
                }
                h.push_str("</tr>");
            }
            h.push_str("</tbody></table>");
        }
    }
    h.push_str("</section>");

    // Initiatives.
    let active = d.initiatives.iter().filter(|i| i.active_at_end).count();
    let _ = write!(
        h,
        r#"<section id="initiatieven"><h2>Buurtpreventie-initiatieven</h2><p>{} initiatieven waren in de periode actief; {} op de laatste dag ervan.</p>"#,
        d.initiatives.len(),
        active
    );
    if !d.initiatives.is_empty() {
        h.push_str(r#"<table><thead><tr><th>Naam</th><th>Soort</th><th>Buurt</th><th class="num">Leden</th><th>Start</th><th>Einde</th></tr></thead><tbody>"#);
        for i in &d.initiatives {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
                esc(&i.initiative.name),
                esc(&i.initiative.kind.replace('_', " ")),
                esc(i
                    .buurt_name
                    .as_deref()
                    .or(i.buurt_code.as_deref())
                    .unwrap_or("–")),
                i.initiative
                    .members
                    .map_or("–".into(), |m| num(m as f64, 0)),
                esc(&i.initiative.start_date),
                esc(i
                    .initiative
                    .end_date
                    .as_deref()
                    .filter(|e| !e.is_empty())
                    .unwrap_or("loopt nog"))
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // Method.
    h.push_str(
        r#"<section id="verantwoording" class="newpage"><h2>Verantwoording</h2><ul class="small">"#,
    );
    for ind in &d.indicators {
        let _ = write!(
            h,
            "<li><b>{}. {}</b> ({}): {}</li>",
            ind.number,
            esc(ind.title),
            esc(ind.title_en),
            esc(ind.definition)
        );
    }
    h.push_str(r#"<li><b>Foutmarge enquête</b>: 95 %-foutmarge 1,96·√(p(1−p)/n) in procentpunten; een verandering t.o.v. vorig jaar valt binnen de marge als |Δ| ≤ 1,96·√(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂). Weging en designeffect zijn niet meegenomen, de echte marge is dus iets groter.</li>"#);
    h.push_str(r#"<li><b>Status</b>: de laatste waarde tegen de streefwaarde van hetzelfde jaar, in de richting van de indicator; zonder streefwaarde voor dat jaar: “geen streefwaarde”.</li>"#);
    h.push_str(r#"<li><b>Dichtheidskaart</b>: kernel density (quartic kernel, bandbreedte volgens de ArcGIS-regel) van de incidentpunten in de periode op cellen van 100 m in RD New.</li></ul>"#);
    let _ = write!(
        h,
        r#"</section><footer>{} · gemeente {} ({}) · periode {}{}</footer></main></body></html>"#,
        esc(&title),
        esc(gm_name),
        esc(&d.gemeente.code),
        d.period.code(),
        if d.demo {
            " · SYNTHETISCHE DEMODATA"
        } else {
            ""
        }
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_numbers_and_escaping() {
        assert_eq!(num(4546.0, 0), "4.546");
        assert_eq!(num(1234567.891, 2), "1.234.567,89");
        assert_eq!(num(78.46, 1), "78,5");
        assert_eq!(num(-3.0, 0), "−3");
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
