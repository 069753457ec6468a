//! PetStore payments: charges orders with a simulated processor, refunds cancelled ones,
//! and keeps an append-only audit log of every payment state change.
//!
//! Everything happens on the order saga's events: `order.created` records what is due,
//! `inventory.reserved` charges it (→ `payment.completed` or `payment.failed`), and
//! `order.cancelled` refunds a completed charge (→ `payment.refunded`). The HTTP API only
//! reads.
#![forbid(unsafe_code)]

pub mod config;
pub mod domain;
pub mod events;
pub mod handlers;
pub mod ledger;
pub mod routes;
pub mod state;
pub mod store;

use kit::events::{DEFAULT_CONCURRENCY, Outbox, Subscription};
use kit::listen::{ListenAddrs, Listeners};
use kit::service::{BoxError, Platform, Service};
use tokio_util::sync::CancellationToken;

pub use config::Config;
use state::AppState;

/// The payments service's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::PAYMENTS;

/// The payments service's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The payments service, as the kit runs it.
pub struct Payments;

impl Service for Payments {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    type Config = Config;

    fn migrator() -> Option<&'static sqlx::migrate::Migrator> {
        Some(&MIGRATOR)
    }

    fn serve(
        config: Config,
        listeners: Listeners,
        shutdown: CancellationToken,
    ) -> impl std::future::Future<Output = Result<(), BoxError>> + Send {
        serve(config, listeners, shutdown)
    }

    fn listen_addrs(config: &Config) -> ListenAddrs {
        config.store.listen
    }
}

/// Runs the payments service on `listeners` until `shutdown`.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let mut platform = Platform::start(SPEC, &config.store, shutdown)?;
    let outbox = Outbox::new(SPEC.name);
    platform.consume(
        // One order's events stay in queue order (the intent before its charge, as the
        // ledger's parking expects); different orders are charged concurrently.
        Subscription::new(config.saga_queue.clone(), events::CONSUMED)
            .concurrent_by("orderId", DEFAULT_CONCURRENCY),
        events::SagaHandler::new(outbox.clone()),
    );
    let state = AppState {
        pool: platform.pool.clone(),
        verifier: config.store.verifier.clone(),
    };
    platform
        .serve(listeners, routes::router(state), routes::openapi())
        .await
}
