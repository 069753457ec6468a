//! The orders service's configuration as the binary reads it from the environment.
#![allow(clippy::unwrap_used)]

use kit::config::{Env, FromEnv};
use orders::Config;

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
    assert_eq!(queue(orders::CHECKOUT_QUEUE), "orders.checkout");
    assert_eq!(queue(orders::SAGA_QUEUE), "orders.saga");
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
