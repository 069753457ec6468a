//! What every handler can reach.

use axum::extract::FromRef;
use kit::auth::TokenVerifier;
use kit::events::Outbox;
use sqlx::PgPool;

use kit::upstream::CatalogClient;

/// Shared state of the cart's handlers.
#[derive(Clone)]
pub struct AppState {
    /// The cart's database.
    pub pool: PgPool,
    /// Writes events in the same transaction as the change they announce.
    pub outbox: Outbox,
    /// Verifies access tokens (every cart route needs one).
    pub verifier: TokenVerifier,
    /// Looks products up when they are added.
    pub catalog: CatalogClient,
    /// Hands checkouts over to the orders service at once.
    pub orders: crate::orders::OrdersClient,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
