//! The PetStore reviews: one review per user per product (1–5 stars, a title and a
//! text), marked verified when the author has a paid order containing the product, and
//! a rating summary per product.
//!
//! Reads are public; writing needs a token, and changing or deleting a review needs its
//! author or an administrator. Paid orders (`order.paid`) feed a purchases projection;
//! a deleted product (`product.deleted`) takes its reviews with it.
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

/// The reviews' contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::REVIEWS;

/// The reviews' migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The reviews queue of `order.paid` and `product.deleted` (`reviews.events` when deployed).
pub const EVENTS_QUEUE: &str = "events";

/// The reviews service, as its declarations.
pub struct Reviews;

impl DataService for Reviews {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = ();
    type Extra = ();

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        let _ = outbox;
        consumers.consume(
            Subscription::new(EVENTS_QUEUE, events::CONSUMED),
            events::ReviewsHandler,
        );
    }
}
