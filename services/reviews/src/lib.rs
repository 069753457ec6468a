//! The PetStore reviews: one review per user per product (1–5 stars, a title and a
//! text), marked verified when the author has a paid order containing the product, and
//! a rating summary per product.
//!
//! Reads are public; writing needs a token, and changing or deleting a review needs its
//! author or an administrator. Paid orders (`order.paid`) feed a purchases projection;
//! a deleted product (`product.deleted`) takes its reviews with it.
#![forbid(unsafe_code)]

pub mod config;
pub mod domain;
pub mod events;
pub mod handlers;
pub mod routes;
pub mod state;
pub mod store;

use kit::events::{Outbox, Subscription};
use kit::listen::{ListenAddrs, Listeners};
use kit::service::{BoxError, Platform, Service};
use tokio_util::sync::CancellationToken;

pub use config::Config;
use state::AppState;

/// The reviews' contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::REVIEWS;

/// The reviews' migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The reviews service, as the kit runs it.
pub struct Reviews;

impl Service for Reviews {
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

/// Runs the reviews service on `listeners` until `shutdown`.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let mut platform = Platform::start(SPEC, &config.store, shutdown)?;
    platform.consume(
        Subscription::new(config.events_queue.clone(), events::CONSUMED),
        events::ReviewsHandler,
    );
    let state = AppState {
        pool: platform.pool.clone(),
        outbox: Outbox::new(SPEC.name),
        verifier: config.store.verifier.clone(),
    };
    platform
        .serve(listeners, routes::router(state), routes::openapi())
        .await
}
