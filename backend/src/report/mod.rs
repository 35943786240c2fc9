//! The steering-group report: one self-contained HTML file (inline CSS, the map as an
//! embedded PNG, inline SVG sparklines, no external requests) that can be emailed and printed
//! on A4. The data comes from [`crate::service::Service::report`], the same answer
//! `GET /api/report` serves; this module only renders it.

pub mod html;
pub mod map;

use crate::domain::ReportPeriod;
use crate::service::Service;
use crate::store::Store;

/// Standard base64 (RFC 4648, with padding), for the embedded image.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `wijkveilig report`: gathers the report for `period` (`2023`, `2023H1`, `2023H2`) and
/// writes the HTML file. An empty database first gets the synthetic demo, as `serve` does.
/// Returns the number of bytes written.
pub async fn write_report(
    store: &Store,
    period: &str,
    gemeente: Option<&str>,
    out: &std::path::Path,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    let period = ReportPeriod::parse(period).map_err(anyhow::Error::msg)?;
    let scope = crate::service::Scope::parse(&crate::service::ScopeParams {
        gemeente: gemeente.map(str::to_string),
        indeling: None,
    })
    .map_err(anyhow::Error::msg)?;
    if store.is_empty().await? {
        eprintln!(
            "the database is empty: loading the built-in synthetic demo town (import your own data to replace it)"
        );
        crate::demo::load(store).await?;
    }
    // The command line acts as the local administrator.
    let data = Service::new(store.clone())
        .report(period, &scope, &crate::auth::Principal::local_admin())
        .await?;
    let html = html::render(&data);
    std::fs::write(out, &html).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(html.len())
}
