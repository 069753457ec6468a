//! The one binary serves exactly the contract's services, and each data service, as
//! deployed, reads the shared variables and consumes from the queues it always had.
#![allow(clippy::unwrap_used)]

use kit::config::{Env, FromEnv};
use kit::service::{DataConfig, DataService, queue_name, queues};

#[test]
fn the_binary_serves_every_service_of_the_contract_in_its_order() {
    let names: Vec<&str> = petstore::targets().iter().map(|t| t.spec.name).collect();
    let contract: Vec<&str> = petstore_contract::SERVICES.iter().map(|s| s.name).collect();
    assert_eq!(names, contract);
    kit::cli::command(&petstore::targets()).debug_assert();
}

#[test]
fn migrate_names_only_services_with_a_database() {
    let command = kit::cli::command(&petstore::targets());
    let refused = command
        .clone()
        .try_get_matches_from(["petstore", "migrate", "gateway"])
        .unwrap_err();
    assert_eq!(refused.kind(), clap::error::ErrorKind::InvalidValue);
    let matches = command
        .try_get_matches_from(["petstore", "migrate", "orders"])
        .unwrap();
    let (name, args) = matches.subcommand().unwrap();
    assert_eq!(name, "migrate");
    assert_eq!(args.get_one::<String>("service").unwrap(), "orders");
}

/// The broker's names of `S`'s queues when deployed.
fn deployed_queues<S: DataService>() -> Vec<String> {
    let mut names: Vec<String> = queues::<S>()
        .iter()
        .map(|queue| queue_name(S::SPEC.name, queue))
        .collect();
    names.sort();
    names
}

#[test]
fn deployed_queues_keep_their_names() {
    assert_eq!(
        deployed_queues::<catalog::Catalog>(),
        ["catalog.order-paid", "catalog.revocations"]
    );
    assert_eq!(
        deployed_queues::<inventory::Inventory>(),
        [
            "inventory.orders",
            "inventory.products",
            "inventory.revocations"
        ]
    );
    assert_eq!(
        deployed_queues::<cart::Cart>(),
        ["cart.products", "cart.revocations", "cart.users"]
    );
    assert_eq!(
        deployed_queues::<orders::Orders>(),
        ["orders.checkout", "orders.revocations", "orders.saga"]
    );
    assert_eq!(
        deployed_queues::<payments::Payments>(),
        ["payments.revocations", "payments.saga"]
    );
    assert_eq!(
        deployed_queues::<reviews::Reviews>(),
        ["reviews.events", "reviews.revocations"]
    );
    assert_eq!(deployed_queues::<users::Users>(), ["users.revocations"]);
}

/// `S`'s configuration from `pairs`, or the problems found.
fn load<S: DataService>(pairs: &[(&str, String)]) -> Result<DataConfig<S>, Vec<String>> {
    DataConfig::<S>::load(Env::from_pairs(pairs.iter().cloned())).map_err(|err| err.problems)
}

fn problems<S: DataService>(pairs: &[(&str, String)]) -> Vec<String> {
    match load::<S>(pairs) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    }
}

#[test]
fn every_missing_shared_variable_is_named() {
    let only_listen = [("LISTEN_ADDR", "0.0.0.0:1".to_string())];
    let shared = [
        "DATABASE_URL is not set",
        "AMQP_URL is not set",
        "JWT_PUBLIC_KEY is not set",
    ];
    assert_eq!(problems::<catalog::Catalog>(&only_listen), shared);
    assert_eq!(problems::<inventory::Inventory>(&only_listen), shared);
    assert_eq!(problems::<payments::Payments>(&only_listen), shared);
    assert_eq!(problems::<reviews::Reviews>(&only_listen), shared);
}

#[test]
fn each_service_defaults_to_its_contract_port() {
    let keys = kit::auth::generate_keypair();
    let pairs = [
        ("DATABASE_URL", "postgres://u@h/db".to_string()),
        ("AMQP_URL", "amqp://h".to_string()),
        ("JWT_PUBLIC_KEY", keys.public_pem),
    ];
    assert_eq!(port::<catalog::Catalog>(&pairs), 8082);
    assert_eq!(port::<inventory::Inventory>(&pairs), 8083);
    assert_eq!(port::<payments::Payments>(&pairs), 8086);
    assert_eq!(port::<reviews::Reviews>(&pairs), 8087);
}

fn port<S: DataService>(pairs: &[(&str, String)]) -> u16 {
    load::<S>(pairs).unwrap().store.listen.public.port()
}
