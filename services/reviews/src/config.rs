//! The reviews' configuration: only the variables every data service reads.

use kit::config::{Env, FromEnv};
use kit::service::StoreConfig;

/// Queue on which the reviews service receives `order.paid` and `product.deleted`.
pub const EVENTS_QUEUE: &str = "reviews.events";

/// Everything the reviews service needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address, database, broker and token verifier
    /// (`LISTEN_ADDR`, `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`, `AMQP_URL`, `JWT_PUBLIC_KEY`).
    pub store: StoreConfig,
    /// Queue consuming `order.paid` and `product.deleted`; always [`EVENTS_QUEUE`] in
    /// production, a unique name in tests so that parallel tests do not steal each other's
    /// messages.
    pub events_queue: String,
}

impl FromEnv for Config {
    fn from_env(env: &mut Env) -> Option<Self> {
        let store = StoreConfig::from_env(env, crate::SPEC)?;
        Some(Self {
            store,
            events_queue: EVENTS_QUEUE.to_string(),
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
                "JWT_PUBLIC_KEY is not set"
            ]
        );
    }

    #[test]
    fn defaults_to_the_contract_port_and_queue() {
        let keys = kit::auth::generate_keypair();
        let config = Config::load(Env::from_pairs([
            ("DATABASE_URL", "postgres://u@h/db".to_string()),
            ("AMQP_URL", "amqp://h".to_string()),
            ("JWT_PUBLIC_KEY", keys.public_pem),
        ]))
        .unwrap();
        assert_eq!(config.store.listen.public.port(), 8087);
        assert_eq!(config.events_queue, EVENTS_QUEUE);
    }
}
