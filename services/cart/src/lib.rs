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

use kit::OpenApiRouter;
use kit::events::{Outbox, Subscription};

use kit::service::{Consumers, DataService};

pub use config::Settings;

/// The cart service's whole configuration: the shared part and [`Settings`].
pub type Config = kit::service::DataConfig<Cart>;
use state::{AppState, Upstreams};

/// The cart's contract entry.
pub const SPEC: &petstore_contract::ServiceSpec = &petstore_contract::CART;

/// The cart's migrations (schema `public`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The cart queue of `product.updated` and `product.deleted` (`cart.products` when deployed).
pub const PRODUCTS_QUEUE: &str = "products";

/// The cart queue of `user.registered` (`cart.users` when deployed).
pub const USERS_QUEUE: &str = "users";

/// The cart service, as its declarations.
pub struct Cart;

impl DataService for Cart {
    const SPEC: &'static petstore_contract::ServiceSpec = SPEC;
    const MIGRATOR: &'static sqlx::migrate::Migrator = &MIGRATOR;
    type Settings = Settings;
    type Extra = Upstreams;

    fn api() -> OpenApiRouter<AppState> {
        routes::api()
    }

    fn subscribe(consumers: &mut Consumers<'_>, outbox: &Outbox) {
        consumers.consume(
            Subscription::new(PRODUCTS_QUEUE, events::PRODUCT_EVENTS),
            events::ProductsHandler,
        );
        consumers.consume(
            Subscription::new(USERS_QUEUE, events::USER_EVENTS),
            events::UserRegisteredHandler::new(outbox.clone()),
        );
    }
}
