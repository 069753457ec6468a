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

use kit::OpenApiRouter;
use kit::events::{DEFAULT_CONCURRENCY, Outbox, Subscription};
use kit::service::{Consumers, DataService, Platform};

pub use config::Settings;

/// The orders service's whole configuration: the shared part and [`Settings`].
pub type Config = kit::service::DataConfig<Orders>;
use state::{AppState, Extras};

/// The orders service's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::ORDERS;

/// The orders service's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The orders queue of `cart.checked_out` (`orders.checkout` when deployed).
pub const CHECKOUT_QUEUE: &str = "checkout";

/// The orders queue of inventory's and payments' saga events (`orders.saga` when deployed).
pub const SAGA_QUEUE: &str = "saga";

/// Worker name of the listener that wakes requests waiting for an order to change.
pub const CHANGES_WORKER: &str = "order-changes";

/// The orders service, as its declarations.
pub struct Orders;

impl DataService for Orders {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = Settings;
    type Extra = Extras;

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        consumers.consume(
            // Orders are independent of each other; each order's events stay in queue order.
            Subscription::new(CHECKOUT_QUEUE, events::CHECKOUT_EVENTS)
                .concurrent_by("orderId", DEFAULT_CONCURRENCY),
            events::CheckoutHandler::new(outbox.clone()),
        );
        consumers.consume(
            Subscription::new(SAGA_QUEUE, events::SAGA_EVENTS)
                .concurrent_by("orderId", DEFAULT_CONCURRENCY),
            events::SagaHandler::new(outbox.clone()),
        );
    }

    fn start(platform: &mut Platform, extra: &Extras) {
        let (changes, pool) = (extra.changes.clone(), platform.pool.clone());
        platform.supervise(CHANGES_WORKER, move |shutdown| {
            let (changes, pool) = (changes.clone(), pool.clone());
            async move {
                changes.listen(pool, shutdown).await;
                Ok(())
            }
        });
    }
}
