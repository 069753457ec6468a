//! The PetStore catalog: categories (a tree), products and pets.
//!
//! Reads are public; every write needs an administrator's token. Every change
//! is announced through the transactional outbox, and a paid order marks the
//! pets it bought as sold.
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

/// The catalog's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::CATALOG;

/// The catalog's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The catalog service, as the kit runs it.
pub struct Catalog;

impl Service for Catalog {
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

/// Runs the catalog on `listeners` until `shutdown`.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let mut platform = Platform::start(SPEC, &config.store, shutdown)?;
    let outbox = Outbox::new(SPEC.name);
    platform.consume(
        Subscription::new(config.order_paid_queue.clone(), events::CONSUMED),
        events::OrderPaidHandler::new(outbox.clone()),
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
