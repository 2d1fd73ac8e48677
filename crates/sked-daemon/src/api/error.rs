//! [`ApiError`]: every failure of the API, as an HTTP status and an [`ErrorBody`].

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sked_api::types::{ErrorBody, ErrorDetail};
use sked_store::ErrorKind;

use crate::control::ControlError;

/// A failed request: the status, the stable code and a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code of [`ErrorDetail::code`].
    pub code: &'static str,
    /// What went wrong, where, and what is allowed.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    /// 400: the request itself is malformed (a query value, a JSON body).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    /// 422: the request is well formed but what it asks for is not valid (a task definition).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    /// 404: no such task or run in the caller's scope.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    /// 409: a version, a name or a source does not match.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 403: the caller may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 503: the scheduler has stopped, or the store is busy.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: a failure of the service itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<sked_store::Error> for ApiError {
    fn from(e: sked_store::Error) -> Self {
        let message = e.to_string();
        match e.kind() {
            ErrorKind::NotFound => ApiError::not_found(message),
            ErrorKind::Conflict | ErrorKind::AlreadyClaimed | ErrorKind::InvalidState => {
                ApiError::conflict(message)
            }
            ErrorKind::InvalidInput => ApiError::invalid(message),
            ErrorKind::Forbidden => ApiError::forbidden(message),
            ErrorKind::Busy => ApiError::unavailable(message),
            _ => ApiError::internal(format!("the store failed: {message}")),
        }
    }
}

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> Self {
        let message = e.to_string();
        match e {
            ControlError::NoSuchTask(_) => ApiError::conflict(format!(
                "{message}: the scheduler could not load it (see the service's log)"
            )),
            ControlError::AlreadyRunning(_) => ApiError::conflict(message),
            ControlError::StartFailed { .. } => ApiError::invalid(message),
            ControlError::Stopped => {
                ApiError::unavailable("the scheduler has stopped: the service is shutting down")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = self.status.as_u16(), "{}", self.message);
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message } };
        (self.status, Json(body)).into_response()
    }
}

/// What an operation of the API returns.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_statuses() {
        let store = sked_store::MemoryStore::new();
        let e = sked_store::Store::get(&store, sked_store::Scope::All, sked_store::TaskId(7)).unwrap_err();
        let api = ApiError::from(e);
        assert_eq!((api.status, api.code), (StatusCode::NOT_FOUND, "not-found"));
        assert_eq!(ApiError::from(ControlError::Stopped).code, "unavailable");
    }
}
