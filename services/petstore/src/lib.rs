//! The PetStore in one binary, the way Grafana's Loki and Mimir run every component from
//! one executable with a target: `petstore <service>` runs that service,
//! `petstore migrate <service>` applies its migrations. One image, one build, one link of
//! the shared code; each service stays its own library with its own tests.
#![forbid(unsafe_code)]

use kit::cli::Target;
use kit::service::Data;

/// Every service the binary runs, in the contract's order.
#[must_use]
pub fn targets() -> [Target; 9] {
    [
        Target::of::<gateway::Gateway>("The entry point: routing, tokens, rate limits, docs"),
        Target::of::<Data<users::Users>>("Accounts, sign-in and roles"),
        Target::of::<Data<catalog::Catalog>>("Categories, products and pets"),
        Target::of::<Data<inventory::Inventory>>("Stores, stock, transfers and alerts"),
        Target::of::<Data<cart::Cart>>("Carts and checkout"),
        Target::of::<Data<orders::Orders>>("Orders and the order saga"),
        Target::of::<Data<payments::Payments>>("Charges, refunds and their audit log"),
        Target::of::<Data<reviews::Reviews>>("Reviews and ratings"),
        Target::of::<console::Console>("The web console"),
    ]
}
