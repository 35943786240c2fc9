//! The built frontend (`frontend/dist`), embedded into the release binary so that one file
//! serves everything. Debug builds read the folder from disk, so a frontend rebuild shows
//! without recompiling Rust.
//!
//! The frontend build writes a Brotli (`.br`) and a gzip (`.gz`) copy next to each script and
//! stylesheet; a browser that accepts one gets it as is, so the 1.8 MB of scripts are not
//! compressed again on every page load. Every file carries an `ETag` (from its content hash),
//! so revalidating an unchanged file costs a `304` and no body.

use std::fmt::Write as _;

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../frontend/dist/"]
#[allow_missing = true]
struct Frontend;

/// The precompressed copies, best first: content coding and file suffix.
const PRECOMPRESSED: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let asked = uri.path().trim_start_matches('/');
    let path = if asked.is_empty() {
        "index.html"
    } else {
        asked
    };
    if Frontend::get(path).is_some() {
        return file(path, &headers);
    }
    // A file that is not there is not found; the app itself (`/`) falls through to the
    // "not built" page below when the binary has no frontend.
    if asked.starts_with("api/") {
        return super::error::ApiError::NotFound(format!("there is no API route {}", uri.path()))
            .into_response();
    }
    if asked.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    // Client-side routes get the app itself.
    if Frontend::get("index.html").is_some() {
        return file("index.html", &headers);
    }
    Html(
        "<!doctype html><title>wijkveilig</title><h1>wijkveilig</h1>\
         <p>The frontend is not built. Run <code>npm --prefix frontend ci && npm --prefix frontend run build</code>, \
         or use the README's run command. The API is at <a href=\"/api/docs\">/api/docs</a>.</p>",
    )
    .into_response()
}

/// The app's `index.html` (read from disk in debug builds), for the CSP's script hashes.
pub fn index_html() -> Option<String> {
    #[cfg(not(debug_assertions))]
    {
        static INDEX: std::sync::LazyLock<Option<String>> = std::sync::LazyLock::new(|| {
            Frontend::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned())
        });
        INDEX.clone()
    }
    #[cfg(debug_assertions)]
    Frontend::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

/// One embedded file, in the best encoding the request accepts, or `304` when the browser's
/// copy is current.
fn file(path: &str, headers: &HeaderMap) -> Response {
    let Some(plain) = Frontend::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let hash = hex(&plain.metadata.sha256_hash()[..8]);
    let variant = PRECOMPRESSED.iter().find_map(|(coding, suffix)| {
        let copy = Frontend::get(&format!("{path}{suffix}"))?;
        accepts(headers, coding).then_some((*coding, copy))
    });
    let has_variants = PRECOMPRESSED
        .iter()
        .any(|(_, suffix)| Frontend::get(&format!("{path}{suffix}")).is_some());
    // Each encoding has its own tag, as caches keep them apart (Vary). Weak, because the
    // compression layer may still encode a file that has no precompressed copy.
    let etag = match &variant {
        Some((coding, _)) => format!("W/\"{hash}-{coding}\""),
        None => format!("W/\"{hash}\""),
    };
    let mut response = if if_none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match variant {
            Some((coding, copy)) => {
                ([(header::CONTENT_ENCODING, coding)], copy.data).into_response()
            }
            None => plain.data.into_response(),
        }
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Asset names carry no content hash, so browsers must revalidate to pick up an upgrade.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if has_variants {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Whether `Accept-Encoding` lists `coding` with a quality above zero.
pub(super) fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// Whether `If-None-Match` names `etag` (compared weakly, as for `GET`) or is `*`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_qualities() {
        let h = with(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd");
        assert!(accepts(&h, "br") && accepts(&h, "gzip"));
        let h = with(header::ACCEPT_ENCODING, "gzip;q=1.0, br;q=0");
        assert!(accepts(&h, "gzip") && !accepts(&h, "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
        assert!(!accepts(&with(header::ACCEPT_ENCODING, "identity"), "gzip"));
    }

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_star() {
        let tag = "W/\"0011aabb-br\"";
        assert!(if_none_match(&with(header::IF_NONE_MATCH, tag), tag));
        assert!(if_none_match(
            &with(header::IF_NONE_MATCH, "\"x\", W/\"0011aabb-br\""),
            tag
        ));
        assert!(if_none_match(
            &with(header::IF_NONE_MATCH, "\"0011aabb-br\""),
            tag
        ));
        assert!(if_none_match(&with(header::IF_NONE_MATCH, "*"), tag));
        assert!(!if_none_match(
            &with(header::IF_NONE_MATCH, "\"0011aabb\""),
            tag
        ));
        assert!(!if_none_match(&HeaderMap::new(), tag));
    }
}
