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

pub mod domain;
pub mod events;
pub mod handlers;
pub mod ledger;
pub mod routes;
pub mod state;
pub mod store;

use kit::OpenApiRouter;
use kit::events::{DEFAULT_CONCURRENCY, Outbox, Subscription};
use kit::service::{Consumers, DataService};

use state::AppState;

/// The inventory's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::INVENTORY;

/// The inventory's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The inventory queue of the order saga's events (`inventory.orders` when deployed).
pub const ORDERS_QUEUE: &str = "orders";

/// The inventory queue of the catalog's product events (`inventory.products` when deployed).
pub const PRODUCTS_QUEUE: &str = "products";

/// The inventory service, as its declarations.
pub struct Inventory;

impl DataService for Inventory {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = ();
    type Extra = ();

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        consumers.consume(
            // Orders are independent of each other (stock rows are locked per product); each
            // order's events stay in queue order.
            Subscription::new(ORDERS_QUEUE, events::ORDER_EVENTS)
                .concurrent_by("orderId", DEFAULT_CONCURRENCY),
            events::OrderHandler::new(outbox.clone()),
        );
        consumers.consume(
            Subscription::new(PRODUCTS_QUEUE, events::PRODUCT_EVENTS),
            events::ProductHandler,
        );
    }
}
