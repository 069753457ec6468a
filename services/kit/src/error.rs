//! The one HTTP error type: every failure leaves a service as an RFC 9457
//! `application/problem+json` document with the right status.
//!
//! Database and internal errors are logged (inside the request's span, so
//! with its request id) and hidden from the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// One bad input, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Path of the offending field, e.g. `price.amount` or `lines[2].quantity`.
    pub field: String,
    /// What is wrong with it, for humans.
    pub message: String,
}

impl FieldError {
    /// A field and what is wrong with it.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, as sent on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// URI identifying the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The bad fields, for validation and malformed-input problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (unparseable JSON, bad path parameter).
    #[error("bad request: {detail}")]
    BadRequest {
        /// What is malformed.
        detail: String,
        /// The fields involved, if known.
        errors: Vec<FieldError>,
    },
    /// No token, or an invalid or expired one.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Authenticated, but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The named thing does not exist (or is not visible to the caller).
    #[error("{0} not found")]
    NotFound(String),
    /// The route exists, the method does not (the `Allow` header lists those that do).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state.
    #[error("conflict: {detail}")]
    Conflict {
        /// What conflicts.
        detail: String,
        /// The field whose value conflicts, if one does.
        field: Option<String>,
    },
    /// Well-formed input that breaks the rules, with every bad field named.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request body is larger than the service accepts.
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Too many requests; retry after the given seconds.
    #[error("rate limited")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (database, broker, upstream service) is down.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure: logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// 400 with a detail.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
    /// 404 for a kind of thing, e.g. `not_found("product")`.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }
    /// 409 naming the field whose value conflicts.
    pub fn conflict(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            field: Some(field.into()),
        }
    }
    /// 409 about the state of things rather than one field.
    pub fn state_conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            field: None,
        }
    }
    /// 422 for a single field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
    /// 500 from any error; the cause is logged, not sent.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The fields the problem document names, in order (empty when it names none): what a
    /// client, or a test, reads to know which inputs to correct.
    pub fn invalid_fields(&self) -> Vec<String> {
        self.problem().errors.into_iter().map(|e| e.field).collect()
    }

    /// The problem document sent to the client.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (slug, detail, errors) = match self {
            Self::BadRequest { detail, errors } => {
                ("bad-request", Some(detail.clone()), errors.clone())
            }
            Self::Unauthorized(detail) => ("unauthorized", Some(detail.clone()), vec![]),
            Self::Forbidden(detail) => ("forbidden", Some(detail.clone()), vec![]),
            Self::NotFound(what) => ("not-found", Some(format!("{what} not found")), vec![]),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                Some("this route does not accept that method".to_string()),
                vec![],
            ),
            Self::Conflict { detail, field } => (
                "conflict",
                Some(detail.clone()),
                field
                    .iter()
                    .map(|f| FieldError::new(f.clone(), detail.clone()))
                    .collect(),
            ),
            Self::Validation(errors) => {
                ("validation", Some(describe_fields(errors)), errors.clone())
            }
            Self::PayloadTooLarge { limit } => (
                "payload-too-large",
                Some(format!(
                    "the request body exceeds the limit of {limit} bytes"
                )),
                vec![],
            ),
            Self::RateLimited { retry_after_secs } => (
                "rate-limited",
                Some(format!(
                    "too many requests, retry after {retry_after_secs} s"
                )),
                vec![],
            ),
            Self::Unavailable(detail) => ("unavailable", Some(detail.clone()), vec![]),
            Self::Internal(_) => (
                "internal",
                Some("an unexpected error occurred".to_string()),
                vec![],
            ),
        };
        Problem {
            problem_type: format!("https://petstore.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

fn describe_fields(errors: &[FieldError]) -> String {
    let fields: Vec<_> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    format!("invalid input ({})", fields.join("; "))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(err) => {
                tracing::error!(error = %err, source = ?err.source(), "internal error")
            }
            Self::Unavailable(detail) => tracing::warn!(%detail, "dependency unavailable"),
            _ => tracing::debug!(error = %self, "request rejected"),
        }
        let mut response = problem_response(&self.problem());
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RateLimited { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

/// Serializes a problem with its status and media type.
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
        body,
    )
        .into_response()
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                // The driver's words (addresses, OS errors) are for the log, not the client.
                tracing::warn!(error = %err, "database unavailable");
                Self::Unavailable("the database is unavailable".into())
            }
            sqlx::Error::RowNotFound => Self::NotFound("resource".into()),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<crate::events::EventError> for ApiError {
    fn from(err: crate::events::EventError) -> Self {
        Self::Internal(Box::new(err))
    }
}

/// A failure inside a transaction that changes state and writes its events: the database
/// failed a statement, or the outbox could not take the event.
///
/// Shared by the services' ledgers and sagas, whose operations run both in an HTTP
/// handler's transaction (where it becomes an [`ApiError`]) and in a consumer's (where it
/// becomes a transient [`crate::events::HandlerError`]: both causes may pass on a retry).
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The event could not be written to the outbox.
    #[error("outbox error: {0}")]
    Outbox(#[from] crate::events::EventError),
}

impl From<TxError> for ApiError {
    fn from(err: TxError) -> Self {
        match err {
            TxError::Database(err) => err.into(),
            TxError::Outbox(err) => err.into(),
        }
    }
}

impl From<TxError> for crate::events::HandlerError {
    fn from(err: TxError) -> Self {
        Self::transient(err)
    }
}

/// Turns database constraint violations into client errors naming the field
/// (after realworld-axum-sqlx's `on_constraint`).
pub trait ResultExt<T> {
    /// Maps a violation of the named constraint to the error `map` builds.
    fn on_constraint(self, name: &str, map: impl FnOnce() -> ApiError) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> ResultExt<T> for Result<T, E> {
    fn on_constraint(self, name: &str, map: impl FnOnce() -> ApiError) -> Result<T, ApiError> {
        self.map_err(|err| match err.into() {
            ApiError::Internal(inner) => match inner.downcast_ref::<sqlx::Error>() {
                Some(sqlx::Error::Database(db)) if db.constraint() == Some(name) => map(),
                _ => ApiError::Internal(inner),
            },
            other => other,
        })
    }
}

/// The body when a route does not exist.
pub async fn route_not_found() -> ApiError {
    ApiError::not_found("route")
}

/// The body when a route exists but not with the request's method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_outage_names_the_dependency_and_nothing_of_its_internals() {
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "Connection reset by peer (os error 104)",
        );
        for err in [sqlx::Error::Io(io), sqlx::Error::PoolTimedOut] {
            let problem = ApiError::from(err).problem();
            assert_eq!(problem.status, 503);
            assert_eq!(
                problem.detail.as_deref(),
                Some("the database is unavailable")
            );
        }
    }

    #[test]
    fn validation_problem_names_every_field() {
        let err = ApiError::Validation(vec![
            FieldError::new("email", "must be a valid email address"),
            FieldError::new("password", "must be at least 12 characters"),
        ]);
        let problem = err.problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.len(), 2);
        assert!(
            problem
                .detail
                .unwrap()
                .contains("email: must be a valid email address")
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::internal(std::io::Error::other("secret connection string"));
        let problem = err.problem();
        assert_eq!(problem.status, 500);
        assert!(!serde_json::to_string(&problem).unwrap().contains("secret"));
    }

    #[test]
    fn rate_limit_sets_retry_after_and_media_type() {
        let response = ApiError::RateLimited {
            retry_after_secs: 7,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }

    #[test]
    fn a_transaction_error_keeps_its_meaning_on_both_paths() {
        let outage = || TxError::Database(sqlx::Error::PoolTimedOut);
        assert_eq!(ApiError::from(outage()).problem().status, 503);
        let broken = TxError::Database(sqlx::Error::Protocol("bad".into()));
        assert_eq!(ApiError::from(broken).problem().status, 500);
        assert!(matches!(
            crate::events::HandlerError::from(outage()),
            crate::events::HandlerError::Transient(_)
        ));
    }

    #[test]
    fn conflict_names_the_field() {
        let problem = ApiError::conflict("email", "already registered").problem();
        assert_eq!(problem.status, 409);
        assert_eq!(
            problem.errors,
            vec![FieldError::new("email", "already registered")]
        );
    }
}
