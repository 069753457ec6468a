//! SQL, and nothing else. Functions take a connection (or anything that executes), so a
//! handler can run a change and its outbox event in one transaction.

pub mod movements;
pub mod products;
pub mod reservations;
pub mod stock;
pub mod stores;
pub mod transfers;

use std::future::Future;

use kit::ApiError;

/// Attempts of a stock-changing transaction before a deadlock or serialization failure
/// is reported (rows are locked in one global order, so a retry is rarely needed at all).
pub const MAX_ATTEMPTS: u32 = 5;

pub use kit::sql::{Listing, contains_pattern, fetch_page};

/// Whether a database error is a deadlock or serialization failure, which a fresh attempt
/// of the whole transaction may not meet again.
pub fn is_retryable_sqlx(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40001" | "40P01")))
}

/// Whether an API error hides a retryable database error.
pub fn is_retryable(err: &ApiError) -> bool {
    let ApiError::Internal(inner) = err else {
        return false;
    };
    if let Some(err) = inner.downcast_ref::<sqlx::Error>() {
        return is_retryable_sqlx(err);
    }
    matches!(
        inner.downcast_ref::<kit::events::EventError>(),
        Some(kit::events::EventError::Database(err)) if is_retryable_sqlx(err)
    )
}

/// Runs a whole transaction `attempt` up to [`MAX_ATTEMPTS`] times while it fails with a
/// deadlock or serialization error.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(err) if tries < MAX_ATTEMPTS && is_retryable(&err) => {
                tracing::debug!(error = %err, tries, "transaction conflict; retrying");
                tries += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[tokio::test]
    async fn non_retryable_errors_end_at_once() {
        let mut calls = 0;
        let result: Result<(), ApiError> = retrying(|| {
            calls += 1;
            async { Err(ApiError::not_found("store")) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }
}
