//! Starting the whole store for an end-to-end test.

// Each test binary uses a different part of these helpers.
#![allow(dead_code)]

pub mod store;

use stack::{Stack, StackOptions};

/// Options for an isolated store: its own databases, free ports, a temporary state directory.
pub fn options(tag: &str) -> StackOptions {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let state_dir = std::env::temp_dir().join(format!("petstore-e2e-{tag}-{id}"));
    StackOptions {
        database_url: kit::testing::database_url(),
        amqp_url: kit::testing::amqp_url(),
        bin_dir: stack::binaries_beside_this_test(),
        state_dir,
        database_prefix: format!("e2e_{tag}_{}", &id[..12]),
        // Its own virtual host: stores started by parallel tests never share a queue.
        vhost: Some(format!("petstore-e2e-{tag}-{}", &id[..12])),
        fixed_ports: false,
        bootstrap_admin_email: Some(format!("admin-{id}@example.com")),
        drop_databases_on_stop: true,
        // Tests poll through the gateway from one address; the limiter has tests of its own.
        extra_env: vec![
            ("RATE_LIMIT_PER_IP_PER_MINUTE".into(), "0".into()),
            ("RATE_LIMIT_PER_USER_PER_MINUTE".into(), "0".into()),
        ],
        ..StackOptions::local()
    }
}

/// Starts the store, failing the test with the harness's own message.
pub async fn start(options: StackOptions) -> Stack {
    match Stack::start(options).await {
        Ok(stack) => stack,
        Err(err) => panic!("the store did not start: {err}"),
    }
}
