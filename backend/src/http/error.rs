//! One error type for every handler, mapped to a status code and a JSON body
//! `{"error": code, "message": text}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the database is unavailable: {0}")]
    Store(#[from] crate::store::StoreError),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Store(e.into())
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `bad_request`, `not_found` or `unavailable`.
    pub error: &'static str,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Store(e) => {
                tracing::error!("store error: {e}");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
        };
        (
            status,
            Json(ErrorBody {
                error: code,
                message: self.to_string(),
            }),
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
