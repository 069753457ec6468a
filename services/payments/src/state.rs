//! What every handler can reach.

use axum::extract::FromRef;
use kit::auth::TokenVerifier;
use sqlx::PgPool;

/// Shared state of the payments service's handlers (which only read: every change comes
/// from the saga's events, whose consumers write through the outbox).
#[derive(Clone)]
pub struct AppState {
    /// The payments database.
    pub pool: PgPool,
    /// Verifies access tokens.
    pub verifier: TokenVerifier,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
