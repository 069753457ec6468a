//! The orders service's configuration: the shared variables plus `CATALOG_URL`.

use kit::config::{Env, FromEnv};
use kit::service::StoreConfig;
use petstore_contract::env;

/// Queue on which orders receives `cart.checked_out`.
pub const CHECKOUT_QUEUE: &str = "orders.checkout";
/// Queue on which orders receives inventory's and payments' saga events.
pub const SAGA_QUEUE: &str = "orders.saga";

/// Everything the orders service needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address, database, broker and token verifier
    /// (`LISTEN_ADDR`, `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`, `AMQP_URL`, `JWT_PUBLIC_KEY`).
    pub store: StoreConfig,
    /// Base URL of the catalog (`CATALOG_URL`, required), where prices are looked up.
    pub catalog_url: String,
    /// Queue consuming `cart.checked_out`; always [`CHECKOUT_QUEUE`] in production, a
    /// unique name in tests so that parallel tests do not steal each other's messages.
    pub checkout_queue: String,
    /// Queue consuming the saga's events; always [`SAGA_QUEUE`] in production.
    pub saga_queue: String,
}

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let store = StoreConfig::from_env(env, crate::SPEC);
        let name = env::upstream_url("catalog");
        let catalog_url: Option<String> = env.required(&name);
        if let Some(url) = &catalog_url
            && reqwest::Url::parse(url).is_err()
        {
            env.problem(&name, "is not a valid URL");
        }
        Some(Self {
            store: store?,
            catalog_url: catalog_url?.trim_end_matches('/').to_string(),
            checkout_queue: CHECKOUT_QUEUE.to_string(),
            saga_queue: SAGA_QUEUE.to_string(),
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
                "CATALOG_URL is not set"
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
            ("CATALOG_URL", "http://catalog:8082/".to_string()),
        ]))
        .unwrap();
        assert_eq!(config.store.listen.public.port(), 8085);
        assert_eq!(config.catalog_url, "http://catalog:8082");
        assert_eq!(config.checkout_queue, CHECKOUT_QUEUE);
        assert_eq!(config.saga_queue, SAGA_QUEUE);
    }

    #[test]
    fn a_bad_catalog_url_is_named() {
        let keys = kit::auth::generate_keypair();
        let err = Config::load(Env::from_pairs([
            ("DATABASE_URL", "postgres://u@h/db".to_string()),
            ("AMQP_URL", "amqp://h".to_string()),
            ("JWT_PUBLIC_KEY", keys.public_pem),
            ("CATALOG_URL", "not a url".to_string()),
        ]))
        .unwrap_err();
        assert_eq!(err.problems, ["CATALOG_URL is not a valid URL"]);
    }
}
