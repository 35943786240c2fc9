//! The built frontend (`frontend/dist`), embedded into the release binary so that one file
//! serves everything. Debug builds read the folder from disk, so a frontend rebuild shows
//! without recompiling Rust.

use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../frontend/dist/"]
#[allow_missing = true]
struct Frontend;

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(file) = Frontend::get(path) {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        // Asset names carry no content hash, so browsers must revalidate to pick up an upgrade.
        let cache = "no-cache";
        return (
            [
                (header::CONTENT_TYPE, mime.as_ref()),
                (header::CACHE_CONTROL, cache),
            ],
            file.data,
        )
            .into_response();
    }
    if path.starts_with("api/") || path.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    // Client-side routes get the app itself.
    match Frontend::get("index.html") {
        Some(index) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], index.data).into_response(),
        None => Html(
            "<!doctype html><title>wijkveilig</title><h1>wijkveilig</h1>\
             <p>The frontend is not built. Run <code>npm --prefix frontend ci && npm --prefix frontend run build</code>, \
             or use the README's run command. The API is at <a href=\"/api/docs\">/api/docs</a>.</p>",
        )
        .into_response(),
    }
}
