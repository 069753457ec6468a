//! PetStore orders: orders, their status history and shipments.
//!
//! Orders are created over HTTP (prices looked up in the catalog, never taken from the
//! client) or from a cart's checkout (`cart.checked_out`), and then driven through the
//! order saga by inventory's and payments' events: pending → reserved → paid → shipped →
//! delivered, or failed / cancelled. Every change is written with its event through the
//! transactional outbox and recorded in the order's status history.
#![forbid(unsafe_code)]

pub mod config;
pub mod domain;
pub mod events;
pub mod handlers;
pub mod routes;
pub mod saga;
pub mod state;
pub mod store;

use kit::events::{DEFAULT_CONCURRENCY, Outbox, Subscription};
use kit::listen::{ListenAddrs, Listeners};
use kit::service::{BoxError, Platform, Service};
use tokio_util::sync::CancellationToken;

pub use config::Config;
use state::AppState;

/// The orders service's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::ORDERS;

/// The orders service's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The orders service, as the kit runs it.
pub struct Orders;

impl Service for Orders {
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

/// Runs the orders service on `listeners` until `shutdown`.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let catalog = kit::upstream::CatalogClient::new(&config.catalog_url)?;
    let mut platform = Platform::start(SPEC, &config.store, shutdown)?;
    let outbox = Outbox::new(SPEC.name);
    platform.consume(
        // Orders are independent of each other; each order's events stay in queue order.
        Subscription::new(config.checkout_queue.clone(), events::CHECKOUT_EVENTS)
            .concurrent_by("orderId", DEFAULT_CONCURRENCY),
        events::CheckoutHandler::new(outbox.clone()),
    );
    platform.consume(
        Subscription::new(config.saga_queue.clone(), events::SAGA_EVENTS)
            .concurrent_by("orderId", DEFAULT_CONCURRENCY),
        events::SagaHandler::new(outbox.clone()),
    );
    let state = AppState {
        pool: platform.pool.clone(),
        outbox,
        verifier: config.store.verifier.clone(),
        catalog,
    };
    platform
        .serve(listeners, routes::router(state), routes::openapi())
        .await
}
