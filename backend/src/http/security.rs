//! Security headers on every response: a Content-Security-Policy without `unsafe-inline`
//! (the one inlined boot script is allowed by its SHA-256), no framing, no MIME sniffing, no
//! referrer to other sites. No CORS headers are sent, so browsers keep other sites out.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

/// The `'sha256-…'` sources of the inline scripts in `index.html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut out = vec![];
    let mut rest = html;
    while let Some(start) = rest.find("<script>") {
        let body = &rest[start + "<script>".len()..];
        let Some(end) = body.find("</script>") else {
            break;
        };
        let digest = Sha256::digest(&body.as_bytes()[..end]);
        out.push(format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        rest = &body[end..];
    }
    out
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let host_len = rest.find('/').unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + host_len])
}

fn policy(basemap_style_url: Option<&str>) -> String {
    let scripts = super::assets::index_html()
        .map(|h| inline_script_hashes(&h).join(" "))
        .unwrap_or_default();
    let basemap = basemap_style_url.and_then(origin_of).unwrap_or("");
    format!(
        "default-src 'self'; script-src 'self' {scripts}; style-src 'self'; \
         img-src 'self' data: blob: {basemap}; connect-src 'self' {basemap}; \
         font-src 'self' {basemap}; worker-src 'self' blob:; child-src blob:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The app's Content-Security-Policy, built once (release builds embed the page). Debug
/// builds read the page from disk, so they build it per response and follow a frontend rebuild.
#[derive(Clone)]
pub struct Csp {
    basemap_style_url: Option<String>,
    fixed: Option<HeaderValue>,
}

impl Csp {
    pub fn new(basemap_style_url: Option<String>) -> Csp {
        let fixed = (!cfg!(debug_assertions))
            .then(|| HeaderValue::from_str(&policy(basemap_style_url.as_deref())).ok())
            .flatten();
        Csp {
            basemap_style_url,
            fixed,
        }
    }

    fn value(&self) -> Option<HeaderValue> {
        self.fixed
            .clone()
            .or_else(|| HeaderValue::from_str(&policy(self.basemap_style_url.as_deref())).ok())
    }
}

/// Swagger UI (developers' API browser, behind sign-in) styles itself inline; it holds no data.
const DOCS_CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
);

pub async fn headers(State(csp): State<Csp>, req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A response that set its own policy (the printable report) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Some(v) = if docs { Some(DOCS_CSP) } else { csp.value() }
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    // API answers depend on who asks and may carry personal data (points, small counts):
    // no cache, shared or private, keeps them.
    if api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_as_browsers_hash_them() {
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            inline_script_hashes(
                "<head><script>alert(1)</script><script type=\"module\" src=\"a.js\"></script>"
            ),
            vec!["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='".to_string()]
        );
        assert_eq!(
            origin_of("https://api.pdok.nl/x/style.json"),
            Some("https://api.pdok.nl")
        );
    }
}
