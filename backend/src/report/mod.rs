//! The steering-group report (issue #5): one self-contained HTML file (inline CSS, the map as
//! an embedded PNG, inline SVG sparklines, no external requests) that can be emailed and
//! printed on A4. [`gather`] collects the data once; `GET /api/report` serves it as JSON
//! ([`ReportData::to_json`]) and `wijkveilig report` renders it ([`html::render`]).

pub mod data;
pub mod html;
pub mod map;

pub use data::{ReportData, ReportPeriod, gather};

/// Standard base64 (RFC 4648, with padding), for the embedded image.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `wijkveilig report`: gathers the report for `period` (`2023`, `2023H1`, `2023H2`) and
/// writes the HTML file. An empty database first gets the synthetic demo, as `serve` does.
/// Returns the number of bytes written.
pub async fn write_report(
    store: &crate::store::Store,
    period: &str,
    out: &std::path::Path,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    let period = ReportPeriod::parse(period).map_err(anyhow::Error::msg)?;
    if store.is_empty().await? {
        eprintln!(
            "the database is empty: loading the built-in synthetic demo town (import your own data to replace it)"
        );
        crate::demo::load(store).await?;
    }
    let state = crate::http::AppState::new(store.clone(), None);
    let data = gather(&state, period)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let html = html::render(&data);
    std::fs::write(out, &html).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(html.len())
}
