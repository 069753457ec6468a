//! The cart's configuration: the shared variables plus the catalog's base URL.

use kit::config::{Env, FromEnv};
use kit::service::StoreConfig;
use reqwest::Url;

/// Queue on which the cart receives `product.updated` and `product.deleted`.
pub const PRODUCTS_QUEUE: &str = "cart.products";
/// Queue on which the cart receives `user.registered`.
pub const USERS_QUEUE: &str = "cart.users";

/// Everything the cart needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address, database, broker and token verifier
    /// (`LISTEN_ADDR`, `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`, `AMQP_URL`, `JWT_PUBLIC_KEY`).
    pub store: StoreConfig,
    /// Base URL of the catalog (`CATALOG_URL`, required), e.g. `http://catalog:8082`.
    pub catalog_url: Url,
    /// Base URL of the orders service (`ORDERS_URL`, required), e.g. `http://orders:8085`,
    /// to which checkout hands the order over synchronously.
    pub orders_url: Url,
    /// Queue consuming product events; always [`PRODUCTS_QUEUE`] in production, a unique
    /// name in tests so that parallel tests do not steal each other's messages.
    pub products_queue: String,
    /// Queue consuming `user.registered`; always [`USERS_QUEUE`] in production.
    pub users_queue: String,
}

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let store = StoreConfig::from_env(env, crate::SPEC);
        let catalog_url = env.required(&petstore_contract::env::upstream_url("catalog"));
        let orders_url = env.required(&petstore_contract::env::upstream_url("orders"));
        Some(Self {
            store: store?,
            catalog_url: catalog_url?,
            orders_url: orders_url?,
            products_queue: PRODUCTS_QUEUE.to_string(),
            users_queue: USERS_QUEUE.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_variable_is_named() {
        let err = Config::load(Env::from_pairs([("LISTEN_ADDR", "0.0.0.0:1")])).unwrap_err();
        assert_eq!(
            err.problems,
            [
                "DATABASE_URL is not set",
                "AMQP_URL is not set",
                "JWT_PUBLIC_KEY is not set",
                "CATALOG_URL is not set",
                "ORDERS_URL is not set"
            ]
        );
    }

    #[test]
    fn defaults_to_the_contract_port_and_queues() {
        let keys = kit::auth::generate_keypair();
        let config = Config::load(Env::from_pairs([
            ("DATABASE_URL", "postgres://u@h/db".to_string()),
            ("AMQP_URL", "amqp://h".to_string()),
            ("JWT_PUBLIC_KEY", keys.public_pem),
            ("CATALOG_URL", "http://catalog:8082".to_string()),
            ("ORDERS_URL", "http://orders:8085".to_string()),
        ]))
        .unwrap();
        assert_eq!(config.store.listen.public.port(), 8084);
        assert_eq!(config.catalog_url.as_str(), "http://catalog:8082/");
        assert_eq!(config.orders_url.as_str(), "http://orders:8085/");
        assert_eq!(config.products_queue, PRODUCTS_QUEUE);
        assert_eq!(config.users_queue, USERS_QUEUE);
    }

    #[test]
    fn a_malformed_catalog_url_is_named() {
        let err = Config::load(Env::from_pairs([("CATALOG_URL", "not a url")])).unwrap_err();
        assert!(
            err.problems
                .iter()
                .any(|p| p.starts_with("CATALOG_URL is malformed")),
            "{err}"
        );
    }
}
