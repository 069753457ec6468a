//! The PetStore catalog: categories (a tree), products and pets.
//!
//! Reads are public; every write needs an administrator's token. Every change
//! is announced through the transactional outbox, and a paid order marks the
//! pets it bought as sold.
#![forbid(unsafe_code)]

pub mod domain;
pub mod events;
pub mod handlers;
pub mod routes;
pub mod state;
pub mod store;

use kit::OpenApiRouter;
use kit::events::{Outbox, Subscription};
use kit::service::{Consumers, DataService};

use state::AppState;

/// The catalog's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::CATALOG;

/// The catalog's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The catalog's queue of `order.paid` (`catalog.order-paid` when deployed).
pub const ORDER_PAID_QUEUE: &str = "order-paid";

/// The catalog service, as its declarations.
pub struct Catalog;

impl DataService for Catalog {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = ();
    type Extra = ();

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        consumers.consume(
            Subscription::new(ORDER_PAID_QUEUE, events::CONSUMED),
            events::OrderPaidHandler::new(outbox.clone()),
        );
    }
}
