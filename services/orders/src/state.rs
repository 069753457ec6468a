//! What every handler can reach.

use axum::extract::FromRef;
use kit::auth::TokenVerifier;
use kit::events::Outbox;
use sqlx::PgPool;

use kit::upstream::CatalogClient;

/// Shared state of the orders service's handlers.
#[derive(Clone)]
pub struct AppState {
    /// The orders database.
    pub pool: PgPool,
    /// Writes events in the same transaction as the change they announce.
    pub outbox: Outbox,
    /// Verifies access tokens.
    pub verifier: TokenVerifier,
    /// Looks prices up in the catalog.
    pub catalog: CatalogClient,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
