//! PetStore payments: charges orders with a simulated processor, refunds cancelled ones,
//! and keeps an append-only audit log of every payment state change.
//!
//! Everything happens on the order saga's events: `order.created` records what is due,
//! `inventory.reserved` charges it (→ `payment.completed` or `payment.failed`), and
//! `order.cancelled` refunds a completed charge (→ `payment.refunded`). The HTTP API only
//! reads.
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

/// The payments service's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::PAYMENTS;

/// The payments service's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The payments queue of the order saga's events (`payments.saga` when deployed).
pub const SAGA_QUEUE: &str = "saga";

/// The payments service, as its declarations.
pub struct Payments;

impl DataService for Payments {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = ();
    type Extra = ();

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        consumers.consume(
            // One order's events stay in queue order (the intent before its charge, as the
            // ledger's parking expects); different orders are charged concurrently.
            Subscription::new(SAGA_QUEUE, events::CONSUMED)
                .concurrent_by("orderId", DEFAULT_CONCURRENCY),
            events::SagaHandler::new(outbox.clone()),
        );
    }
}
