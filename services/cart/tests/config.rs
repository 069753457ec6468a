//! The cart service's configuration as the binary reads it from the environment.
#![allow(clippy::unwrap_used)]

use cart::Config;
use kit::config::{Env, FromEnv};

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
    assert_eq!(config.settings.catalog_url, "http://catalog:8082");
    assert_eq!(config.settings.orders_url, "http://orders:8085");
    let queue = |name| kit::service::queue_name(&config.store.queue_prefix, name);
    assert_eq!(queue(cart::PRODUCTS_QUEUE), "cart.products");
    assert_eq!(queue(cart::USERS_QUEUE), "cart.users");
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
