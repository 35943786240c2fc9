//! Sending an answer the service kept gzipped ([`crate::service::answers`]): as is to a client
//! that accepts gzip (every browser), unpacked to one that does not.

use super::error::{ApiError, ApiResult};
use crate::service::answers::KeptAnswer;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

/// A kept answer as JSON.
pub fn send(answer: &KeptAnswer, request: &HeaderMap) -> ApiResult<Response> {
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    send_gzipped(h, answer.gzipped.clone(), request)
}

/// A gzipped body with the headers `h` (which name its type); see the module docs.
pub fn send_gzipped(mut h: HeaderMap, gzipped: Bytes, request: &HeaderMap) -> ApiResult<Response> {
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if super::assets::accepts(request, "gzip") {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        Ok((StatusCode::OK, h, gzipped).into_response())
    } else {
        let raw = crate::tiles::gunzip(&gzipped)
            .map_err(|e| ApiError::Internal(format!("unpacking a kept answer failed: {e}")))?;
        Ok((StatusCode::OK, h, raw).into_response())
    }
}
