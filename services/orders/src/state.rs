//! What every handler can reach: the kit's shared state (pool, outbox, verifier) and
//! the catalog client prices come from.

use crate::config::Settings;
use kit::service::{BoxError, Extra};
use kit::upstream::CatalogClient;

/// Shared state of the orders handlers.
pub type AppState = kit::service::ServiceState<Pricing>;

/// What only the orders handlers need.
#[derive(Clone)]
pub struct Pricing {
    /// Looks prices up in the catalog.
    pub catalog: CatalogClient,
}

impl Extra<Settings> for Pricing {
    async fn build(settings: Settings) -> Result<Self, BoxError> {
        Ok(Pricing {
            catalog: CatalogClient::new(&settings.catalog_url)?,
        })
    }
}
