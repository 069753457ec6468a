//! The PetStore cart: one open cart per user, its items with prices captured from the
//! catalog, and checkout, which hands the cart to the orders service as
//! `cart.checked_out` and so starts the order saga.
//!
//! Every route is authenticated and a caller only ever sees their own cart. The cart
//! follows the catalog through `product.updated` and `product.deleted`, so it always
//! shows (and checks out at) current prices.
#![forbid(unsafe_code)]

pub mod config;
pub mod domain;
pub mod events;
pub mod handlers;
pub mod orders;
pub mod routes;
pub mod state;
pub mod store;

use kit::events::{Outbox, Subscription};
use kit::listen::{ListenAddrs, Listeners};
use kit::service::{BoxError, Platform, Service};
use tokio_util::sync::CancellationToken;

pub use config::Config;
use state::AppState;

/// The cart's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::CART;

/// The cart's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The cart service, as the kit runs it.
pub struct Cart;

impl Service for Cart {
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

/// Runs the cart on `listeners` until `shutdown`.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let catalog = kit::upstream::CatalogClient::new(config.catalog_url.as_str())?;
    let orders = orders::OrdersClient::new(config.orders_url.as_str())?;
    let mut platform = Platform::start(SPEC, &config.store, shutdown)?;
    let outbox = Outbox::new(SPEC.name);
    platform.consume(
        Subscription::new(config.products_queue.clone(), events::PRODUCT_EVENTS),
        events::ProductsHandler,
    );
    platform.consume(
        Subscription::new(config.users_queue.clone(), events::USER_EVENTS),
        events::UserRegisteredHandler::new(outbox.clone()),
    );
    let state = AppState {
        pool: platform.pool.clone(),
        outbox,
        verifier: config.store.verifier.clone(),
        catalog,
        orders,
    };
    platform
        .serve(listeners, routes::router(state), routes::openapi())
        .await
}
