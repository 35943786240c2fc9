//! Extractors: the query string and the JSON body, whose rejections become the documented
//! JSON error instead of the framework's plain text, and the [`Selection`] most routes take.

use super::error::ApiError;
use super::state::AppState;
use crate::service::{Resolved, Scope, ScopeParams, SelectionParams};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A query string parsed into `T`; a bad value is a 400 naming the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// A JSON body parsed into `T`; rejections keep their status (400, 413, 415, 422).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|j| Json(j.0))
            .map_err(|e| ApiError::Rejected {
                status: e.status(),
                message: e.body_text(),
            })
    }
}

/// The scope of a request (`gemeente`, `indeling`) for routes without a selection.
pub struct ScopeQuery(pub Scope);

impl<S: Send + Sync> FromRequestParts<S> for ScopeQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(p) = Query::<ScopeParams>::from_request_parts(parts, state).await?;
        Ok(ScopeQuery(Scope::parse(&p).map_err(ApiError::BadRequest)?))
    }
}

/// The selection of a request (`from`, `to`, `types`), resolved against the data.
pub struct Selection(pub Resolved);

impl FromRequestParts<AppState> for Selection {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Query(p) = Query::<SelectionParams>::from_request_parts(parts, state).await?;
        Ok(Selection(state.service.resolve(&p).await?))
    }
}
