//! The orders service's configuration: the variables every data service reads, plus
//! the catalog's base URL, where prices are looked up.

use kit::config::{Env, FromEnv};

/// The orders service's whole configuration: the shared part and [`Settings`].
pub type Config = kit::service::DataConfig<crate::Orders>;

/// What the orders service reads beside the variables every data service reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL of the catalog (`CATALOG_URL`, required), where prices are looked up.
    pub catalog_url: String,
}

impl FromEnv for Settings {
    fn from_env(env: &mut Env) -> Option<Self> {
        let catalog_url = env.upstream_url("catalog");
        Some(Self {
            catalog_url: catalog_url?,
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
        assert_eq!(config.settings.catalog_url, "http://catalog:8082");
        let queue = |name| kit::service::queue_name(&config.store.queue_prefix, name);
        assert_eq!(queue(crate::CHECKOUT_QUEUE), "orders.checkout");
        assert_eq!(queue(crate::SAGA_QUEUE), "orders.saga");
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
        assert_eq!(
            err.problems,
            ["CATALOG_URL is malformed (relative URL without a base)"]
        );
    }
}
