//! The inventory's configuration: only the variables every data service reads.

use kit::config::{Env, FromEnv};
use kit::service::StoreConfig;

/// Queue on which the inventory receives the order saga's events.
pub const ORDERS_QUEUE: &str = "inventory.orders";
/// Queue on which the inventory receives the catalog's product events.
pub const PRODUCTS_QUEUE: &str = "inventory.products";

/// Everything the inventory needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address, database, broker and token verifier
    /// (`LISTEN_ADDR`, `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`, `AMQP_URL`, `JWT_PUBLIC_KEY`).
    pub store: StoreConfig,
    /// Queue consuming `order.*`; always [`ORDERS_QUEUE`] in production, a unique name in
    /// tests so that parallel tests do not steal each other's messages.
    pub orders_queue: String,
    /// Queue consuming `product.*`; always [`PRODUCTS_QUEUE`] in production.
    pub products_queue: String,
}

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let store = StoreConfig::from_env(env, crate::SPEC)?;
        Some(Self {
            store,
            orders_queue: ORDERS_QUEUE.to_string(),
            products_queue: PRODUCTS_QUEUE.to_string(),
        })
    }
}
