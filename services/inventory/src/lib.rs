//! The PetStore inventory: stores, stock per (store, product), the movement ledger,
//! transfers between stores, the reservations of the order saga and low-stock alerts.
//!
//! Reads need any valid token (stock levels are operational data, not public, but a
//! customer may check what a store has); every write needs an administrator. Stock is
//! changed only inside transactions that lock the affected rows in one global order
//! (store id, then product id), so concurrent transfers and reservations never deadlock,
//! never drive stock negative and never lose or invent a unit; CHECK constraints back that
//! up. Every on-hand change writes an immutable movement.
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

/// The inventory's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::INVENTORY;

/// The inventory's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The inventory service, as the kit runs it.
pub struct Inventory;

impl Service for Inventory {
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

/// Runs the inventory on `listeners` until `shutdown`.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let mut platform = Platform::start(SPEC, &config.store, shutdown)?;
    let outbox = Outbox::new(SPEC.name);
    platform.consume(
        // Orders are independent of each other (stock rows are locked per product); each
        // order's events stay in queue order.
        Subscription::new(config.orders_queue.clone(), events::ORDER_EVENTS)
            .concurrent_by("orderId", DEFAULT_CONCURRENCY),
        events::OrderHandler::new(outbox.clone()),
    );
    platform.consume(
        Subscription::new(config.products_queue.clone(), events::PRODUCT_EVENTS),
        events::ProductHandler,
    );
    let state = AppState {
        pool: platform.pool.clone(),
        outbox,
        verifier: config.store.verifier.clone(),
    };
    platform
        .serve(listeners, routes::router(state), routes::openapi())
        .await
}
