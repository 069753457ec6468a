//! What every handler can reach: the kit's shared state (pool, outbox, verifier), the
//! catalog client prices come from, and the registry of requests waiting for an order to
//! change.

use std::time::Duration;

use kit::service::{BoxError, Extra};
use kit::upstream::CatalogClient;
use kit::watch::Watch;

use crate::config::Settings;
use crate::store::orders::CHANGES_CHANNEL;

/// Shared state of the orders handlers.
pub type AppState = kit::service::ServiceState<Extras>;

/// The longest a `GET /api/orders/{id}` waits for a change (`Prefer: wait` is clamped to
/// it): below the gateway's default upstream timeout (30 s), so that a wait through the
/// gateway ends with the order's answer, not a 504.
pub const MAX_WAIT: Duration = Duration::from_secs(25);

/// How many requests of one process may wait for an order at once; beyond it a waiting
/// read answers at once, as without `Prefer: wait`.
pub const MAX_WAITERS: usize = 10_000;

/// What only the orders handlers need.
#[derive(Clone)]
pub struct Extras {
    /// Looks prices up in the catalog.
    pub catalog: CatalogClient,
    /// Requests waiting for an order to change, woken by `NOTIFY orders_changed` (fed by
    /// the listener [`crate::Orders`] starts).
    pub changes: Watch,
}

impl Extra<Settings> for Extras {
    async fn build(settings: Settings) -> Result<Self, BoxError> {
        Ok(Extras {
            catalog: CatalogClient::new(&settings.catalog_url)?,
            changes: Watch::new(CHANGES_CHANNEL, MAX_WAITERS),
        })
    }
}
