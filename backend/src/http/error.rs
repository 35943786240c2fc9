//! One error type for every handler, mapped to a status code and the documented JSON body
//! `{"error": code, "message": text, "request_id": id}`. Database and file-system text never
//! reaches a body: the server logs it under the request id, and the body names that id.

use crate::service::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

tokio::task_local! {
    /// The id of the request being served, set by [`super::request_id`].
    pub static REQUEST_ID: String;
}

/// The current request's id, if inside a request.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// No (valid) session: sign in first.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but this role may not do or see this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins; try again later.
    #[error("{0}")]
    TooManyRequests(String),
    /// A request the framework refused before any handler ran (bad JSON, wrong content
    /// type, a body too large), with the status it chose.
    #[error("{message}")]
    Rejected { status: StatusCode, message: String },
    /// Busy or too slow; the message (no internals) says to retry.
    #[error("{0}")]
    Busy(String),
    /// The database failed; the detail is logged, never sent.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else that went wrong inside; the detail is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::BadRequest(m) => ApiError::BadRequest(m),
            ServiceError::NotFound(m) => ApiError::NotFound(m),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::Busy(m) => ApiError::Busy(m),
            ServiceError::Store(e) => ApiError::Unavailable(e.to_string()),
            ServiceError::Internal(m) => ApiError::Internal(m),
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `bad_request`, `unauthorized`, `forbidden`,
    /// `not_found`, `conflict`, `too_many_requests`,
    /// `payload_too_large`, `unsupported_media_type`, `unprocessable`, `unavailable` or
    /// `internal`.
    pub error: &'static str,
    pub message: String,
    /// The id under which the server logged the request; quote it when reporting a problem.
    pub request_id: Option<String>,
}

fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = request_id();
        let id = request_id.as_deref().unwrap_or("-");
        let retry = matches!(self, ApiError::Busy(_) | ApiError::Unavailable(_));
        let (status, message) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, m),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            ApiError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m),
            ApiError::Rejected { status, message } => (status, message),
            ApiError::Busy(m) => (StatusCode::SERVICE_UNAVAILABLE, m),
            ApiError::Unavailable(detail) => {
                tracing::error!(request_id = id, "database unavailable: {detail}");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the database is unavailable; try again shortly (request {id})"),
                )
            }
            ApiError::Internal(detail) => {
                tracing::error!(request_id = id, "internal error: {detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("something went wrong inside the server (request {id})"),
                )
            }
        };
        let mut res = (
            status,
            Json(ErrorBody {
                error: code_of(status),
                message,
                request_id,
            }),
        )
            .into_response();
        if retry {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Turns an error the framework answered itself in plain text (a path that does not parse,
/// a method not allowed, an unknown route) into the documented JSON error, for the API and
/// the tiles. Handlers' own errors are JSON already and pass unchanged.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/tiles/");
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let allow = res.headers().get(axum::http::header::ALLOW).cloned();
    let body = axum::body::to_bytes(res.into_body(), 16 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).trim().to_string();
    let mut out = if status.is_server_error() {
        ApiError::Internal(text).into_response()
    } else {
        ApiError::Rejected {
            status,
            message: if text.is_empty() {
                status.canonical_reason().unwrap_or("refused").to_string()
            } else {
                text
            },
        }
        .into_response()
    };
    if let Some(allow) = allow {
        out.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    out
}
