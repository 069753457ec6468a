//! What every handler can reach: the kit's shared state (pool, outbox, verifier) and
//! the clients of the services the cart calls.

use crate::config::Settings;
use kit::service::{BoxError, Extra};
use kit::upstream::CatalogClient;

use crate::orders::OrdersClient;

/// Shared state of the cart handlers.
pub type AppState = kit::service::ServiceState<Upstreams>;

/// What only the cart handlers need.
#[derive(Clone)]
pub struct Upstreams {
    /// Looks products up when they are added.
    pub catalog: CatalogClient,
    /// Hands checkouts over to the orders service at once.
    pub orders: OrdersClient,
}

impl Extra<Settings> for Upstreams {
    async fn build(settings: Settings) -> Result<Self, BoxError> {
        Ok(Upstreams {
            catalog: CatalogClient::new(&settings.catalog_url)?,
            orders: OrdersClient::new(&settings.orders_url)?,
        })
    }
}
