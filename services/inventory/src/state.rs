//! What every handler can reach.

use axum::extract::FromRef;
use kit::auth::TokenVerifier;
use kit::events::Outbox;
use sqlx::PgPool;

/// Shared state of the inventory's handlers.
#[derive(Clone)]
pub struct AppState {
    /// The inventory's database.
    pub pool: PgPool,
    /// Writes events in the same transaction as the change they announce.
    pub outbox: Outbox,
    /// Verifies access tokens.
    pub verifier: TokenVerifier,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
